#ifndef SERVICE_TWILIO_HTTP_TRANSPORT_H_
#define SERVICE_TWILIO_HTTP_TRANSPORT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::twilio {

enum class HttpMethod { kGet, kPost, kDelete };

absl::string_view HttpMethodName(HttpMethod method);

// One HTTP request, complete: the transport adds nothing but what the
// protocol itself needs (Host, Content-Length).
struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  // Absolute URL: scheme, host, path and query, already encoded.
  std::string url;
  // Whole header lines, "Name: value".
  std::vector<std::string> headers;
  // Sent only with kPost.
  std::string body;
  // The attempt fails with DEADLINE_EXCEEDED once this passes, wherever it
  // is: resolving, connecting, sending or reading.
  absl::Time deadline = absl::InfiniteFuture();
  // Groups the transfers and timers that HttpTransport::Cancel ends
  // together, usually those of one call; 0 belongs to no group.
  uint64_t cancel_key = 0;
};

// An HTTP answer of any status. A 4xx or 5xx is a successful exchange at
// this level; turning it into an error is the caller's job.
struct HttpResponse {
  int status = 0;
  // Header names in lower case, values with surrounding blanks removed, in
  // the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header with this lower-case name, or "" when absent.
  absl::string_view Header(absl::string_view lower_case_name) const;
};

// Makes exactly one HTTP attempt per Send: no retries, no redirects. Also
// keeps timers, so that whoever waits between attempts does so on the
// transport's own loop instead of a sleeping thread.
//
// Implementations never block the caller: Send queues the request and
// returns, and `done` runs later on the transport's own thread. It must not
// block either, since every other request waits while it runs. All methods
// are thread-safe.
class HttpTransport {
 public:
  using Callback = absl::AnyInvocable<void(absl::StatusOr<HttpResponse>) &&>;
  using Task = absl::AnyInvocable<void() &&>;

  virtual ~HttpTransport() = default;

  // On failure to exchange at all, `done` gets a Status carrying a
  // GatewayError payload whose reason says what happened:
  //   DEADLINE_EXCEEDED  UPSTREAM_TIMEOUT: the deadline passed.
  //   UNAVAILABLE        UPSTREAM_NOT_SENT: name not resolved or connection
  //                      refused, so the request surely did not leave;
  //                      UPSTREAM_CONNECTION_LOST: the connection failed
  //                      after the request may have left;
  //                      UPSTREAM_TLS_FAILED: TLS could not be set up.
  //   INTERNAL           UPSTREAM_BAD_RESPONSE: not HTTP, or too large.
  //   CANCELLED          UPSTREAM_CANCELLED: the transport shut down, or
  //                      Cancel ended the transfer.
  virtual void Send(HttpRequest request, Callback done) = 0;

  // Runs `task` on the transport's thread once `when` has come (at once if
  // it has), or earlier when Cancel(cancel_key) is called with a non-zero
  // key; the task finds out why by itself. When the transport shuts down,
  // tasks still waiting run at once, and what they Send fails with
  // CANCELLED: every task runs exactly once.
  virtual void RunAfter(absl::Time when, uint64_t cancel_key, Task task) = 0;

  // Ends, with CANCELLED (UPSTREAM_CANCELLED), every transfer in flight
  // whose request has this cancel_key, and runs the timers that carry it at
  // once. Transfers and timers started later are not affected. Does nothing
  // for key 0.
  virtual void Cancel(uint64_t cancel_key) = 0;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_HTTP_TRANSPORT_H_
