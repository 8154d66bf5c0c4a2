#ifndef TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_
#define TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_

#include <event2/util.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/twilio_emulator/http_message.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_request;

namespace twilio_gateway {
namespace testing {

/// What to do with one request: answer now, answer after a delay, or hold
/// it without an answer until the server stops.
struct PlannedAnswer {
  HttpResponse response;
  absl::Duration delay = absl::ZeroDuration();
  bool hold = false;
};

/// An HTTP/1.1 server on one libevent (evhttp) loop thread. Keep-alive
/// connections cost a few kilobytes each, not a thread, so one loop serves
/// about a thousand of them. Delays are loop timers, never sleeps.
class EventHttpServer {
 public:
  /// Decides the answer to a request. Runs on the loop thread, so it must
  /// not block; it may be called again before an earlier answer is sent.
  using Handler = std::function<PlannedAnswer(const RecordedRequest&)>;

  /// Listens on `host:port` (port 0 picks a free port) and starts the loop
  /// thread. Fails with `InvalidArgumentError` for a bad host or port and
  /// `UnavailableError` when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<EventHttpServer>> Start(
      const std::string& host, int port, Handler handler);

  /// Stops the loop: answers not yet sent are dropped, every connection is
  /// closed, and the thread is joined. Must not run on the loop thread.
  ~EventHttpServer();

  EventHttpServer(const EventHttpServer&) = delete;
  EventHttpServer& operator=(const EventHttpServer&) = delete;

  /// The bound port.
  int port() const { return port_; }

 private:
  // An answer waiting for its timer, or held for good when `timer` is null.
  struct Pending {
    EventHttpServer* server;
    evhttp_request* request;
    event* timer;
    HttpResponse response;
  };

  explicit EventHttpServer(Handler handler);

  absl::Status Listen(const std::string& host, int port);

  static void OnRequest(evhttp_request* request, void* arg);
  static void OnTimer(evutil_socket_t fd, short what, void* arg);
  static void OnStop(evutil_socket_t fd, short what, void* arg);

  void Dispatch(evhttp_request* request);
  static void Reply(evhttp_request* request, const HttpResponse& response);

  Handler handler_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  event* stop_ = nullptr;
  int port_ = 0;
  std::thread thread_;

  // Touched only by the loop thread, and by the destructor after the
  // thread has ended.
  std::unordered_map<Pending*, std::unique_ptr<Pending>> pending_;
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_
