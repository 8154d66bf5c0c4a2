#ifndef TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_
#define TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_

#include <event2/util.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/twilio_emulator/http_message.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_request;
struct evhttp_connection;

namespace twilio_gateway {
namespace testing {

/// What to do with one request: answer now, answer after a delay, or hold
/// it without an answer until the server stops; the answer may be broken
/// by a `fault` (after the delay).
struct PlannedAnswer {
  HttpResponse response;
  absl::Duration delay = absl::ZeroDuration();
  bool hold = false;
  DeliveryFault fault = DeliveryFault::kNone;
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
  /// `idle_timeout`, when positive, closes keep-alive connections that
  /// stay idle that long (evhttp's own default is 50 s).
  static absl::StatusOr<std::unique_ptr<EventHttpServer>> Start(
      const std::string& host, int port, Handler handler,
      absl::Duration idle_timeout = absl::ZeroDuration());

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
    DeliveryFault fault;
  };

  explicit EventHttpServer(Handler handler);

  absl::Status Listen(const std::string& host, int port);

  static void OnRequest(evhttp_request* request, void* arg);
  static void OnTimer(evutil_socket_t fd, short what, void* arg);
  static void OnStop(evutil_socket_t fd, short what, void* arg);

  void Dispatch(evhttp_request* request);
  // Sends the answer, or as much of it as `fault` lets through.
  void Deliver(evhttp_request* request, const HttpResponse& response,
               DeliveryFault fault);
  static void Reply(evhttp_request* request, const HttpResponse& response);
  // Writes `bytes` (maybe none) straight to the request's socket and closes
  // the connection on the next turn of the loop, outside evhttp's frames.
  void SendAndClose(evhttp_request* request, const std::string& bytes);
  static void OnCloseDue(evutil_socket_t fd, short what, void* arg);
  static void OnConnectionClosed(evhttp_connection* connection, void* arg);

  Handler handler_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  event* stop_ = nullptr;
  event* close_due_ = nullptr;
  int port_ = 0;
  std::thread thread_;

  // Touched only by the loop thread, and by the destructor after the
  // thread has ended.
  std::unordered_map<Pending*, std::unique_ptr<Pending>> pending_;
  // Connections to close on the next turn; evhttp may close one first, and
  // then it leaves this set through OnConnectionClosed.
  std::unordered_set<evhttp_connection*> closing_;
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_EVENT_HTTP_SERVER_H_
