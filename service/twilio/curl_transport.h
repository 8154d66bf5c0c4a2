#ifndef SERVICE_TWILIO_CURL_TRANSPORT_H_
#define SERVICE_TWILIO_CURL_TRANSPORT_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/twilio/http_transport.h"

namespace twilio_gateway::twilio {

struct CurlTransportOptions {
  // PEM file of the CAs that may sign Twilio's certificate; empty means the
  // system's store. Verification itself is never switched off.
  std::string ca_bundle;
  // How many idle connections the pool keeps for reuse.
  long max_idle_connections = 1024;
  // Upper bound on connecting (resolve, TCP and TLS), within the deadline.
  absl::Duration connect_timeout = absl::Seconds(10);
  // Answers larger than this fail with INTERNAL instead of filling memory.
  size_t max_response_bytes = 16 << 20;
};

// HttpTransport over libcurl's multi interface, driven by one thread of its
// own. Connections are pooled and reused (HTTP/1.1 keep-alive, or HTTP/2
// multiplexing when the server offers it over TLS), except by POSTs, which
// always connect afresh (see Send). Callbacks and timers run on that
// thread, which sleeps in epoll on the sockets libcurl names and wakes
// for the next timer, so no thread ever sleeps for one.
class CurlTransport final : public HttpTransport {
 public:
  // Fails with INTERNAL when libcurl cannot be set up.
  static absl::StatusOr<std::unique_ptr<CurlTransport>> Create(
      CurlTransportOptions options);

  // Stops (see Stop).
  ~CurlTransport() override;

  // Fails every request still in flight with CANCELLED, runs the timers
  // still waiting (whatever they send fails with CANCELLED), then joins the
  // loop thread. Later calls of Send fail at once. Safe to call more than
  // once. Callbacks may run on the calling thread.
  void Stop();

  void Send(HttpRequest request, Callback done) override;
  void RunAfter(absl::Time when, uint64_t cancel_key, Task task) override;
  void Cancel(uint64_t cancel_key) override;

  // "libcurl/<version>", for the User-Agent.
  static std::string RuntimeName();

 private:
  class Loop;
  explicit CurlTransport(std::unique_ptr<Loop> loop);

  std::unique_ptr<Loop> loop_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_CURL_TRANSPORT_H_
