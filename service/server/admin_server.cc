#include "service/server/admin_server.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/common/metrics.h"

namespace twilio_gateway::server {
namespace {

// Probes and scrapes send small GETs; anything bigger is not for us.
constexpr ev_ssize_t kMaxHeadersSize = 16 * 1024;
constexpr ev_ssize_t kMaxBodySize = 4 * 1024;
// An idle or stalled connection is closed after this many seconds, so a
// client cannot hold connections open for ever.
constexpr int kConnectionTimeoutSeconds = 30;

constexpr char kTextPlain[] = "text/plain; charset=utf-8";

// evthread_use_pthreads must run before the first event_base is made, so
// that another thread may wake the loop; once per process is enough.
absl::Status UsePthreads() {
  static const int kResult = evthread_use_pthreads();
  if (kResult != 0) return absl::InternalError("evthread_use_pthreads failed");
  return absl::OkStatus();
}

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseListen(absl::string_view listen) {
  const auto bad = [listen] {
    return absl::InvalidArgumentError(absl::StrCat(
        "admin address must be HOST:PORT, such as 0.0.0.0:9090, got '", listen,
        "'"));
  };
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos) return bad();
  absl::string_view host = listen.substr(0, colon);
  const absl::string_view port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  HostPort parsed;
  parsed.host = std::string(host);
  if (parsed.host.empty() || port.empty() ||
      port.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port, &parsed.port) || parsed.port > 65535) {
    return bad();
  }
  return parsed;
}

void Reply(evhttp_request* request, int code, const char* reason,
           absl::string_view content_type, absl::string_view body) {
  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", std::string(content_type).c_str());
  // Probe and metric answers describe this instant only.
  evhttp_add_header(headers, "Cache-Control", "no-store");
  evbuffer* buffer = evbuffer_new();
  if (buffer != nullptr) evbuffer_add(buffer, body.data(), body.size());
  evhttp_send_reply(request, code, reason, buffer);
  if (buffer != nullptr) evbuffer_free(buffer);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(
    AdminServerOptions options) {
  if (!options.metrics || !options.ready) {
    return absl::InvalidArgumentError(
        "the admin server needs a metrics and a readiness callback");
  }
  const std::string listen = options.listen;
  if (absl::Status status = UsePthreads(); !status.ok()) return status;

  std::unique_ptr<AdminServer> server(new AdminServer(std::move(options)));
  server->base_ = event_base_new();
  if (server->base_ == nullptr) {
    return absl::InternalError("event_base_new failed");
  }
  server->http_ = evhttp_new(server->base_);
  server->stop_ = event_new(server->base_, -1, 0, &OnStop, server.get());
  if (server->http_ == nullptr || server->stop_ == nullptr) {
    return absl::InternalError("cannot set up the admin HTTP server");
  }
  // Every method reaches the handler, which answers 405 for all but GET
  // and HEAD with a clear message.
  evhttp_set_allowed_methods(
      server->http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                         EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
  evhttp_set_max_headers_size(server->http_, kMaxHeadersSize);
  evhttp_set_max_body_size(server->http_, kMaxBodySize);
  evhttp_set_timeout(server->http_, kConnectionTimeoutSeconds);
  evhttp_set_gencb(server->http_, &OnRequest, server.get());

  if (absl::Status status = server->Listen(listen); !status.ok()) {
    return status;
  }

  AdminServer* raw = server.get();
  server->thread_ = std::thread([raw] {
    pthread_setname_np(pthread_self(), "tg-admin-http");
    event_base_dispatch(raw->base_);
  });
  return server;
}

AdminServer::AdminServer(AdminServerOptions options)
    : options_(std::move(options)) {}

AdminServer::~AdminServer() {
  if (thread_.joinable()) {
    // event_active is safe from another thread and is not lost if the loop
    // has not begun to wait yet.
    event_active(stop_, EV_TIMEOUT, 0);
    thread_.join();
  }
  // The loop has ended: nothing else touches libevent now. evhttp_free
  // closes the listening socket and every connection.
  if (http_ != nullptr) evhttp_free(http_);
  if (stop_ != nullptr) event_free(stop_);
  if (base_ != nullptr) event_base_free(base_);
}

absl::Status AdminServer::Listen(const std::string& listen) {
  absl::StatusOr<HostPort> address = ParseListen(listen);
  if (!address.ok()) return address.status();

  evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(
      http_, address->host.c_str(), static_cast<ev_uint16_t>(address->port));
  if (bound == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, " for the admin port"));
  }
  sockaddr_storage local;
  socklen_t size = sizeof(local);
  if (getsockname(evhttp_bound_socket_get_fd(bound),
                  reinterpret_cast<sockaddr*>(&local), &size) != 0) {
    return absl::InternalError("getsockname failed on the admin port");
  }
  port_ = local.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  return absl::OkStatus();
}

void AdminServer::OnRequest(evhttp_request* request, void* self) {
  static_cast<AdminServer*>(self)->Handle(request);
}

void AdminServer::OnStop(int, short, void* self) {
  event_base_loopbreak(static_cast<AdminServer*>(self)->base_);
}

void AdminServer::Handle(evhttp_request* request) {
  const evhttp_cmd_type method = evhttp_request_get_command(request);
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  const char* raw_path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
  const absl::string_view path = raw_path != nullptr ? raw_path : "";

  if (path != "/livez" && path != "/readyz" && path != "/metrics") {
    Reply(request, 404, "Not Found", kTextPlain,
          "not found; try /livez, /readyz or /metrics\n");
    return;
  }
  if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
    evhttp_add_header(evhttp_request_get_output_headers(request), "Allow",
                      "GET, HEAD");
    Reply(request, 405, "Method Not Allowed", kTextPlain,
          "only GET and HEAD are allowed\n");
    return;
  }

  // The answer is worked out first and sent once; nothing may unwind into
  // libevent's C frames.
  int code = 200;
  const char* reason = "OK";
  std::string content_type = kTextPlain;
  std::string body = "ok\n";
  try {
    if (path == "/readyz") {
      const absl::Status ready = options_.ready();
      if (!ready.ok()) {
        code = 503;
        reason = "Service Unavailable";
        body = absl::StrCat("not ready: ", ready.message(), "\n");
      } else if (options_.ready_detail) {
        const std::string detail = options_.ready_detail();
        if (!detail.empty()) absl::StrAppend(&body, detail, "\n");
      }
    } else if (path == "/metrics") {
      content_type = metrics::TextWriter::kContentType;
      body = options_.metrics();
    }
  } catch (...) {
    code = 500;
    reason = "Internal Server Error";
    content_type = kTextPlain;
    body = "internal error\n";
  }
  Reply(request, code, reason, content_type, body);
}

}  // namespace twilio_gateway::server
