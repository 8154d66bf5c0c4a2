#include "tests/twilio_emulator/event_http_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace twilio_gateway {
namespace testing {
namespace {

// Larger than any request this API sees; evhttp itself answers 400 or 413
// beyond them, so a hostile client cannot make the emulator buffer much.
constexpr ev_ssize_t kMaxHeadersSize = 64 * 1024;
constexpr ev_ssize_t kMaxBodySize = 1024 * 1024;

// Every method evhttp can parse, so that an unexpected one reaches the
// handler and gets Twilio's 405 instead of evhttp's 501.
constexpr ev_uint16_t kAllMethods =
    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH;

const char* MethodName(evhttp_cmd_type type) {
  switch (type) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "UNKNOWN";
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
  }
  return "Status";
}

// Lets threads other than the loop's stop it. Must run before the first
// event_base is made, and once per process.
absl::Status UsePthreads() {
  static const int kResult = evthread_use_pthreads();
  if (kResult != 0) return absl::InternalError("evthread_use_pthreads failed");
  return absl::OkStatus();
}

RecordedRequest Read(evhttp_request* request) {
  RecordedRequest recorded;
  recorded.method = MethodName(evhttp_request_get_command(request));
  const char* uri = evhttp_request_get_uri(request);
  recorded.target = uri != nullptr ? uri : "";

  const evkeyvalq* headers = evhttp_request_get_input_headers(request);
  for (const evkeyval* header = headers->tqh_first; header != nullptr;
       header = header->next.tqe_next) {
    recorded.headers.emplace_back(header->key, header->value);
  }

  evbuffer* body = evhttp_request_get_input_buffer(request);
  recorded.body.resize(evbuffer_get_length(body));
  if (!recorded.body.empty()) {
    evbuffer_copyout(body, recorded.body.data(), recorded.body.size());
  }

  if (evhttp_connection* connection = evhttp_request_get_connection(request);
      connection != nullptr) {
    char* address = nullptr;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(connection, &address, &port);
    recorded.peer_port = port;
  }
  return recorded;
}

HttpResponse InternalError() {
  HttpResponse response;
  response.status = 500;
  response.headers.emplace_back("Content-Type",
                                "application/json; charset=utf-8");
  response.body =
      R"({"code":20500,"message":"Internal Server Error",)"
      R"("more_info":"https://www.twilio.com/docs/errors/20500","status":500})";
  return response;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventHttpServer>> EventHttpServer::Start(
    const std::string& host, int port, Handler handler,
    absl::Duration idle_timeout) {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port ", port));
  }
  if (!handler) return absl::InvalidArgumentError("no handler");
  if (absl::Status status = UsePthreads(); !status.ok()) return status;

  std::unique_ptr<EventHttpServer> server(
      new EventHttpServer(std::move(handler)));
  server->base_ = event_base_new();
  if (server->base_ == nullptr) {
    return absl::InternalError("event_base_new failed");
  }
  server->http_ = evhttp_new(server->base_);
  server->stop_ = event_new(server->base_, -1, 0, &OnStop, server.get());
  server->close_due_ =
      event_new(server->base_, -1, 0, &OnCloseDue, server.get());
  if (server->http_ == nullptr || server->stop_ == nullptr ||
      server->close_due_ == nullptr) {
    return absl::InternalError("cannot set up the HTTP server");
  }
  evhttp_set_allowed_methods(server->http_, kAllMethods);
  evhttp_set_max_headers_size(server->http_, kMaxHeadersSize);
  evhttp_set_max_body_size(server->http_, kMaxBodySize);
  evhttp_set_default_content_type(server->http_,
                                  "application/json; charset=utf-8");
  evhttp_set_gencb(server->http_, &OnRequest, server.get());
  if (idle_timeout > absl::ZeroDuration()) {
    const timeval timeout = absl::ToTimeval(idle_timeout);
    evhttp_set_timeout_tv(server->http_, &timeout);
  }

  if (absl::Status status = server->Listen(host, port); !status.ok()) {
    return status;
  }

  EventHttpServer* raw = server.get();
  server->thread_ = std::thread([raw] { event_base_dispatch(raw->base_); });
  return server;
}

EventHttpServer::EventHttpServer(Handler handler)
    : handler_(std::move(handler)) {}

EventHttpServer::~EventHttpServer() {
  if (thread_.joinable()) {
    // A thread-safe wake-up that is kept even if the loop has not started
    // yet, unlike event_base_loopbreak() from this thread.
    event_active(stop_, EV_TIMEOUT, 0);
    thread_.join();
  }

  // The loop has ended, so nothing else touches libevent now. Requests
  // still waiting for an answer belong to their connections and are freed
  // with them by evhttp_free; only the timers are ours.
  for (auto& entry : pending_) {
    if (entry.second->timer != nullptr) event_free(entry.second->timer);
  }
  pending_.clear();
  if (http_ != nullptr) evhttp_free(http_);
  if (stop_ != nullptr) event_free(stop_);
  if (close_due_ != nullptr) event_free(close_due_);
  if (base_ != nullptr) event_base_free(base_);
}

absl::Status EventHttpServer::Listen(const std::string& host, int port) {
  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  const int lookup = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                 service.c_str(), &hints, &addresses);
  if (lookup != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot resolve listen host '", host, "': ", gai_strerror(lookup)));
  }

  int error = 0;
  evutil_socket_t fd = -1;
  for (addrinfo* address = addresses; address != nullptr && fd < 0;
       address = address->ai_next) {
    fd = socket(address->ai_family,
                address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                address->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    // evhttp's own bind uses a backlog of 128, too few for a client that
    // opens a thousand connections at once.
    if (bind(fd, address->ai_addr, address->ai_addrlen) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
      error = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(addresses);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", host, ":", port, ": ", std::strerror(error)));
  }

  sockaddr_storage bound;
  socklen_t bound_size = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_size) != 0) {
    error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("getsockname failed: ", std::strerror(error)));
  }
  port_ = bound.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  // Once accepted, evhttp owns the socket and closes it in evhttp_free.
  if (evhttp_accept_socket_with_handle(http_, fd) == nullptr) {
    close(fd);
    return absl::InternalError("evhttp cannot accept on the socket");
  }
  return absl::OkStatus();
}

void EventHttpServer::OnRequest(evhttp_request* request, void* arg) {
  static_cast<EventHttpServer*>(arg)->Dispatch(request);
}

void EventHttpServer::Dispatch(evhttp_request* request) {
  PlannedAnswer plan;
  // Nothing may unwind into libevent's C frames.
  try {
    plan = handler_(Read(request));
  } catch (...) {
    Reply(request, InternalError());
    return;
  }

  if (!plan.hold && plan.delay <= absl::ZeroDuration()) {
    Deliver(request, plan.response, plan.fault);
    return;
  }

  // While a request waits, evhttp neither reads from nor times out its
  // connection, so the request stays valid until it is answered or the
  // server is freed.
  auto pending = std::make_unique<Pending>(
      Pending{this, request, nullptr, std::move(plan.response), plan.fault});
  if (!plan.hold) {
    pending->timer = evtimer_new(base_, &OnTimer, pending.get());
    const timeval delay = absl::ToTimeval(plan.delay);
    if (pending->timer == nullptr || evtimer_add(pending->timer, &delay) != 0) {
      if (pending->timer != nullptr) event_free(pending->timer);
      Reply(request, InternalError());
      return;
    }
  }
  Pending* key = pending.get();
  pending_.emplace(key, std::move(pending));
}

void EventHttpServer::OnTimer(evutil_socket_t, short, void* arg) {
  auto* pending = static_cast<Pending*>(arg);
  EventHttpServer* server = pending->server;
  server->Deliver(pending->request, pending->response, pending->fault);
  event_free(pending->timer);
  server->pending_.erase(pending);
}

void EventHttpServer::OnStop(evutil_socket_t, short, void* arg) {
  event_base_loopbreak(static_cast<EventHttpServer*>(arg)->base_);
}

void EventHttpServer::Deliver(evhttp_request* request,
                              const HttpResponse& response,
                              DeliveryFault fault) {
  if (fault == DeliveryFault::kNone) {
    Reply(request, response);
    return;
  }
  const std::string status_line = absl::StrCat(
      "HTTP/1.1 ", response.status, " ", ReasonPhrase(response.status), "\r\n");
  std::string head = status_line;
  for (const auto& header : response.headers) {
    absl::StrAppend(&head, header.first, ": ", header.second, "\r\n");
  }
  absl::StrAppend(&head, "Content-Length: ", response.body.size(), "\r\n\r\n");
  std::string bytes;
  switch (fault) {
    case DeliveryFault::kNone:
    case DeliveryFault::kCloseBeforeAnswer:
      break;
    // The cut falls after the status line, so the client sees an answer
    // that broke off rather than one that is not HTTP at all.
    case DeliveryFault::kCloseInHeaders:
      bytes = head.substr(0, (status_line.size() + head.size()) / 2);
      break;
    case DeliveryFault::kTruncateBody:
      bytes = response.body.empty()
                  ? head.substr(0, (status_line.size() + head.size()) / 2)
                  : absl::StrCat(head, response.body.substr(
                                           0, response.body.size() / 2));
      break;
  }
  SendAndClose(request, bytes);
}

void EventHttpServer::SendAndClose(evhttp_request* request,
                                   const std::string& bytes) {
  evhttp_connection* connection = evhttp_request_get_connection(request);
  if (connection == nullptr) return;
  const evutil_socket_t fd =
      bufferevent_getfd(evhttp_connection_get_bufferevent(connection));
  // Nothing of the answer is in evhttp's output buffer yet, so these bytes
  // go out alone and in order; a few kilobytes fit the socket's buffer.
  if (fd >= 0) {
    if (!bytes.empty()) {
      (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    shutdown(fd, SHUT_WR);
  }
  // evhttp is still in the frames that called the handler, so the
  // connection is freed on the next turn of the loop.
  if (closing_.insert(connection).second) {
    evhttp_connection_set_closecb(connection, &OnConnectionClosed, this);
  }
  event_active(close_due_, EV_TIMEOUT, 0);
}

void EventHttpServer::OnCloseDue(evutil_socket_t, short, void* arg) {
  auto* server = static_cast<EventHttpServer*>(arg);
  std::unordered_set<evhttp_connection*> closing;
  closing.swap(server->closing_);
  // Freeing also frees the request that was never answered.
  for (evhttp_connection* connection : closing) {
    evhttp_connection_set_closecb(connection, nullptr, nullptr);
    evhttp_connection_free(connection);
  }
}

void EventHttpServer::OnConnectionClosed(evhttp_connection* connection,
                                         void* arg) {
  static_cast<EventHttpServer*>(arg)->closing_.erase(connection);
}

void EventHttpServer::Reply(evhttp_request* request,
                            const HttpResponse& response) {
  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  for (const auto& header : response.headers) {
    // evhttp refuses values with line breaks, which is the safe outcome.
    evhttp_add_header(headers, header.first.c_str(), header.second.c_str());
  }
  // A HEAD answer announces the length of the body it leaves out.
  const bool head = evhttp_request_get_command(request) == EVHTTP_REQ_HEAD;
  if (head && !response.body.empty()) {
    evhttp_add_header(headers, "Content-Length",
                      std::to_string(response.body.size()).c_str());
  }
  // Answers go out without Nagle's delay, as from Twilio's servers: with
  // it, the tail of a large page can wait for the client's delayed ACK,
  // some 40 ms, which would make the emulator look slower than it is.
  if (evhttp_connection* connection = evhttp_request_get_connection(request);
      connection != nullptr) {
    const evutil_socket_t fd =
        bufferevent_getfd(evhttp_connection_get_bufferevent(connection));
    const int on = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  }
  evbuffer* body = evbuffer_new();
  if (body != nullptr && !head && !response.body.empty()) {
    evbuffer_add(body, response.body.data(), response.body.size());
  }
  evhttp_send_reply(request, response.status, ReasonPhrase(response.status),
                    body);
  if (body != nullptr) evbuffer_free(body);
}

}  // namespace testing
}  // namespace twilio_gateway
