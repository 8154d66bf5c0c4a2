#ifndef SERVICE_SERVER_ADMIN_SERVER_H_
#define SERVICE_SERVER_ADMIN_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_request;

namespace twilio_gateway::server {

struct AdminServerOptions {
  // "HOST:PORT" ("[::]:PORT" for IPv6); port 0 picks a free port.
  std::string listen;
  // Renders the Prometheus text exposition for GET /metrics.
  std::function<std::string()> metrics;
  // OK when the gateway should get traffic; otherwise the reason it should
  // not, which /readyz returns with a 503.
  std::function<absl::Status()> ready;
  // Optional: lines added after "ok" on a 200 from /readyz, for a gateway
  // that serves but wants an operator to look (a reload that failed).
  std::function<std::string()> ready_detail;
};

// The admin HTTP port, for Kubernetes and Prometheus rather than callers:
//
//   GET /livez    200 "ok" while the process can answer at all; depends on
//                 nothing else, so a Twilio outage never restarts pods.
//   GET /readyz   200 "ok" (and `ready_detail`, if any), or 503 with the
//                 reason from `ready`.
//   GET /metrics  200, Prometheus' text format.
//
// Other paths get 404 and other methods 405. It runs libevent's evhttp on
// a thread of its own, so a slow scrape never holds up a gRPC call; the
// callbacks run on that thread. The port is plaintext and unauthenticated:
// it must not be exposed beyond the cluster (see deploy/).
class AdminServer {
 public:
  // Binds and starts the thread. Fails with INVALID_ARGUMENT for a
  // malformed address or missing callbacks, UNAVAILABLE when the address
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(
      AdminServerOptions options);

  // Stops the thread and closes every connection. Must not run on the
  // server's own thread (that is, not from a callback).
  ~AdminServer();

  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // The bound port; the one picked when the address said 0.
  int port() const { return port_; }

 private:
  explicit AdminServer(AdminServerOptions options);

  absl::Status Listen(const std::string& listen);

  static void OnRequest(evhttp_request* request, void* self);
  static void OnStop(int fd, short what, void* self);
  void Handle(evhttp_request* request);

  AdminServerOptions options_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  event* stop_ = nullptr;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_ADMIN_SERVER_H_
