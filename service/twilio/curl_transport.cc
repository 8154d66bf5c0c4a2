#include "service/twilio/curl_transport.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

// How many reset easy handles the loop keeps for the next requests.
constexpr size_t kMaxPooledHandles = 256;

// How long the loop sleeps in epoll_wait when nothing happens. Work arriving
// from other threads wakes it at once (an eventfd), and the wait is
// shortened for libcurl's timers and ours, so this only bounds idling.
constexpr int kIdlePollMs = 1000;

// Ready sockets taken from one epoll_wait.
constexpr int kMaxEvents = 256;

// Idle connections are kept in up to this many separate caches. To find an
// idle HTTP/1.1 connection libcurl 7.88 walks its cache's list of
// connections to the host, busy ones included: with a thousand requests in
// flight, one cache made that walk some 10 % of the gateway's CPU per
// request; split, each walk is an eighth as long.
constexpr size_t kConnectionCaches = 8;

// Requests spread over one more cache for each this many in flight. A light
// load thus keeps to the first cache and to as few connections as it needs:
// taking turns among all eight would keep up to eight times as many open,
// each used an eighth as often (over TLS, a handshake each).
constexpr size_t kTransfersPerCache = 64;

// A task waiting for its time, owned by the loop.
struct Timer {
  uint64_t cancel_key = 0;
  HttpTransport::Task task;
};

// One request in flight, owned by the loop from Submit to completion.
struct Transfer {
  HttpRequest request;
  HttpTransport::Callback done;
  HttpResponse response;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  size_t max_response_bytes = 0;
  bool too_large = false;
  // The blank line after the final answer's headers arrived.
  bool headers_complete = false;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (transfer->response.body.size() + length > transfer->max_response_bytes) {
    transfer->too_large = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR.
  }
  transfer->response.body.append(data, length);
  return length;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t length = size * count;
  absl::string_view line(data, length);

  // A new status line starts a new answer (after a 100 Continue, say): only
  // the final answer's headers count.
  if (absl::StartsWith(line, "HTTP/")) {
    transfer->response.headers.clear();
    transfer->headers_complete = false;
    return length;
  }
  if (line == "\r\n" || line == "\n") {
    transfer->headers_complete = true;
    return length;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return length;
  transfer->response.headers.emplace_back(
      absl::AsciiStrToLower(line.substr(0, colon)),
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  return length;
}

// Sorts libcurl's failures by what they mean for the caller, and for a
// retry: whether the request can have reached Twilio.
absl::Status TransferError(CURLcode code, const Transfer& transfer) {
  std::string detail = curl_easy_strerror(code);
  if (transfer.error_buffer[0] != '\0') {
    absl::StrAppend(&detail, ": ", transfer.error_buffer);
  }
  const std::string what =
      absl::StrCat(HttpMethodName(transfer.request.method), " to Twilio");
  switch (code) {
    // The deadline bounds every attempt, so a timeout is the deadline.
    case CURLE_OPERATION_TIMEDOUT:
      return WithReason(
          absl::DeadlineExceededError(absl::StrCat(
              what, " did not finish before the deadline (", detail, ")")),
          "UPSTREAM_TIMEOUT");

    // Nothing was sent: the name did not resolve or no connection opened.
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return WithReason(absl::UnavailableError(absl::StrCat(
                            what, " could not connect (", detail, ")")),
                        "UPSTREAM_NOT_SENT");

    // TLS failed before any request byte went out.
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
      return WithReason(absl::UnavailableError(absl::StrCat(
                            what, " failed to set up TLS (", detail, ")")),
                        "UPSTREAM_TLS_FAILED");

    // The answer arrived but is not something the gateway can use.
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_TOO_MANY_REDIRECTS:
      return WithReason(
          absl::InternalError(absl::StrCat(
              what, " got an answer that is not valid HTTP (", detail, ")")),
          "UPSTREAM_BAD_RESPONSE");
    case CURLE_WRITE_ERROR:
      if (transfer.too_large) {
        return WithReason(absl::InternalError(absl::StrCat(
                              what, " got an answer larger than ",
                              transfer.max_response_bytes, " bytes")),
                          "UPSTREAM_BAD_RESPONSE");
      }
      break;

    // The URL or an option was refused: the gateway built a bad request.
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return WithReason(absl::InternalError(absl::StrCat(
                            what, " could not be sent (", detail, ")")),
                        "UPSTREAM_BAD_REQUEST");

    default:
      break;
  }
  // Send and receive errors, a connection closed mid-answer, HTTP/2 stream
  // resets: the request may or may not have reached Twilio.
  return WithReason(absl::UnavailableError(absl::StrCat(
                        what, " lost its connection (", detail, ")")),
                    "UPSTREAM_CONNECTION_LOST");
}

void CompleteWith(std::unique_ptr<Transfer> transfer,
                  absl::StatusOr<HttpResponse> result) {
  std::move(transfer->done)(std::move(result));
}

}  // namespace

// The thread that owns the multi handle and every easy handle. Other threads
// only touch `pending_`, `cancels_` and `timers_` (under `mu_`) and wake the
// loop.
class CurlTransport::Loop {
 public:
  Loop(CurlTransportOptions options, CURLM* multi)
      : options_(std::move(options)), multi_(multi) {}

  ~Loop() {
    for (CURL* easy : idle_handles_) curl_easy_cleanup(easy);
    // After every easy handle (a cache still in use cannot be freed), and
    // before the descriptors close: closing its connections may still call
    // OnSocket.
    for (CURLSH* cache : connection_caches_) curl_share_cleanup(cache);
    curl_multi_cleanup(multi_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  // Sets up what the loop sleeps on: an epoll set holding an eventfd that
  // other threads write to wake it, and the sockets libcurl asks it to
  // watch. Fails with INTERNAL when the descriptors cannot be made.
  absl::Status Init() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.fd = wake_fd_;
    if (epoll_fd_ < 0 || wake_fd_ < 0 ||
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) {
      return absl::InternalError(
          "cannot make the HTTP transport's epoll and eventfd descriptors");
    }
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Loop::OnSocket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Loop::OnCurlTimer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    // Only the loop thread touches them, so they need no lock callbacks.
    for (size_t i = 0; i < kConnectionCaches; ++i) {
      CURLSH* cache = curl_share_init();
      if (cache == nullptr) {
        return absl::InternalError("cannot make libcurl's connection caches");
      }
      connection_caches_.push_back(cache);
      if (curl_share_setopt(cache, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) !=
          CURLSHE_OK) {
        return absl::InternalError("cannot make libcurl's connection caches");
      }
    }
    return absl::OkStatus();
  }

  void Start() {
    thread_ = std::thread([this] {
      // Named so that operators can tell it apart in top and /proc.
      pthread_setname_np(pthread_self(), "tg-twilio-http");
      Run();
    });
  }

  void Submit(std::unique_ptr<Transfer> transfer) {
    // Only the transfer that finds the queue empty wakes the loop: the
    // others are taken with it, as the loop empties the whole queue at
    // once. Under load that saves a write and a read of the wakeup socket
    // on most requests.
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        wake = pending_.empty();
        pending_.push_back(std::move(transfer));
        transfer = nullptr;
      }
    }
    if (transfer != nullptr) {
      CompleteWith(std::move(transfer), Cancelled());
      return;
    }
    if (wake) Wake();
  }

  void RunAfter(absl::Time when, uint64_t cancel_key, Task task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        // Equal times keep their order: multimap inserts after equals.
        timers_.emplace(when, Timer{cancel_key, std::move(task)});
        task = nullptr;
      }
    }
    // Too late for the loop: run it now, as the shutdown would have.
    if (task) {
      std::move(task)();
      return;
    }
    // The loop may be asleep until a later time.
    Wake();
  }

  void Cancel(uint64_t cancel_key) {
    if (cancel_key == 0) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      cancels_.push_back(cancel_key);
    }
    Wake();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static absl::Status Cancelled() {
    return WithReason(
        absl::CancelledError("the HTTP transport is shutting down"),
        "UPSTREAM_CANCELLED");
  }

  static absl::Status CancelledByCaller() {
    return WithReason(absl::CancelledError("the call was cancelled"),
                      "UPSTREAM_CANCELLED");
  }

  void Run() {
    std::vector<std::unique_ptr<Transfer>> incoming;
    std::vector<uint64_t> cancels;
    std::vector<Task> due;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) break;
        incoming.swap(pending_);
        cancels.swap(cancels_);
        TakeDueTimers(absl::Now(), cancels, &due);
      }
      // Transfers first, so a Cancel that follows its Send finds it.
      for (auto& transfer : incoming) Begin(std::move(transfer));
      incoming.clear();
      for (uint64_t key : cancels) CancelTransfers(key);
      cancels.clear();
      for (Task& task : due) std::move(task)();
      due.clear();

      // libcurl's own timeouts, and the first steps of the transfers just
      // added (adding one sets its timer to now).
      if (absl::Now() >= curl_deadline_) {
        curl_deadline_ = absl::InfiniteFuture();
        int running = 0;
        curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      FinishDone();
      WaitForEvents(PollTimeoutMs());
    }
    CancelAll();
  }

  // Sleeps until a watched socket is ready, work arrives or `timeout_ms`
  // passes, then has libcurl act on the ready sockets alone. Unlike
  // curl_multi_perform and curl_multi_poll, which visit every transfer each
  // time, the work here follows what happened, not how many transfers are
  // in flight: a thousand requests waiting on a slow Twilio cost nothing
  // until their answers come.
  void WaitForEvents(int timeout_ms) {
    epoll_event events[kMaxEvents];
    const int count = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        // One read takes every wakeup so far; how many does not matter.
        uint64_t count = 0;
        [[maybe_unused]] const ssize_t read_bytes =
            read(wake_fd_, &count, sizeof(count));
        continue;
      }
      int mask = 0;
      if (events[i].events & (EPOLLIN | EPOLLHUP)) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
      // A socket that an earlier action closed is unknown to libcurl by
      // now, which it ignores.
      int running = 0;
      curl_multi_socket_action(multi_, fd, mask, &running);
    }
    FinishDone();
  }

  void Wake() {
    const uint64_t one = 1;
    // Fails only when the counter is full, which wakes the loop anyway.
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof(one));
  }

  // CURLMOPT_SOCKETFUNCTION: libcurl says which sockets to watch, and for
  // what. Runs on the loop thread, inside libcurl calls.
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* user,
                      void* socket_data) {
    auto* loop = static_cast<Loop*>(user);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
      return 0;
    }
    epoll_event event = {};
    event.data.fd = socket;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    // libcurl keeps a pointer per socket for us; a set one means the
    // socket is in the epoll set already.
    if (socket_data != nullptr) {
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_MOD, socket, &event);
      return 0;
    }
    if (epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, socket, &event) != 0 &&
        errno == EEXIST) {
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_MOD, socket, &event);
    }
    curl_multi_assign(loop->multi_, socket, loop);
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: when libcurl next wants to be called whatever
  // its sockets do; -1 for never.
  static int OnCurlTimer(CURLM* multi, long timeout_ms, void* user) {
    auto* loop = static_cast<Loop*>(user);
    loop->curl_deadline_ = timeout_ms < 0
                               ? absl::InfiniteFuture()
                               : absl::Now() + absl::Milliseconds(timeout_ms);
    return 0;
  }

  // Moves the tasks whose time has come, or whose key is being cancelled,
  // into `due`, in time order. Runs under `mu_`.
  void TakeDueTimers(absl::Time now, const std::vector<uint64_t>& cancels,
                     std::vector<Task>* due) {
    for (auto it = timers_.begin(); it != timers_.end();) {
      const bool cancelled = it->second.cancel_key != 0 &&
                             std::find(cancels.begin(), cancels.end(),
                                       it->second.cancel_key) != cancels.end();
      if (it->first <= now || cancelled) {
        due->push_back(std::move(it->second.task));
        it = timers_.erase(it);
      } else if (cancels.empty()) {
        break;  // Sorted by time: nothing later is due.
      } else {
        ++it;
      }
    }
  }

  // Sleeps no longer than the next timer, ours or libcurl's; work from
  // other threads wakes it.
  int PollTimeoutMs() {
    absl::Time next = curl_deadline_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!timers_.empty()) next = std::min(next, timers_.begin()->first);
    }
    if (next == absl::InfiniteFuture()) return kIdlePollMs;
    const absl::Duration left = next - absl::Now();
    if (left <= absl::ZeroDuration()) return 0;
    return static_cast<int>(std::min<double>(
        kIdlePollMs, std::ceil(absl::ToDoubleMilliseconds(left))));
  }

  void CancelTransfers(uint64_t key) {
    std::vector<Transfer*> matching;
    for (Transfer* raw : active_) {
      if (raw->request.cancel_key == key) matching.push_back(raw);
    }
    for (Transfer* raw : matching) {
      curl_multi_remove_handle(multi_, raw->easy);
      active_.erase(raw);
      std::unique_ptr<Transfer> transfer(raw);
      Release(raw);
      CompleteWith(std::move(transfer), CancelledByCaller());
    }
  }

  void Begin(std::unique_ptr<Transfer> transfer) {
    const absl::Duration left = transfer->request.deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      CompleteWith(std::move(transfer),
                   WithReason(absl::DeadlineExceededError(
                                  "the deadline passed before the request to "
                                  "Twilio could be sent"),
                              "UPSTREAM_TIMEOUT"));
      return;
    }
    // Round up so a deadline a fraction of a millisecond away is not 0,
    // which libcurl reads as "no timeout".
    const long timeout_ms = static_cast<long>(
        std::max<double>(1, std::ceil(absl::ToDoubleMilliseconds(left))));
    const long connect_ms = std::min<long>(
        timeout_ms, absl::ToInt64Milliseconds(options_.connect_timeout));

    CURL* easy = AcquireHandle();
    if (easy == nullptr) {
      CompleteWith(std::move(transfer),
                   WithReason(absl::InternalError("curl_easy_init failed"),
                              "UPSTREAM_BAD_REQUEST"));
      return;
    }
    Transfer* t = transfer.get();
    t->easy = easy;
    t->max_response_bytes = options_.max_response_bytes;
    for (const std::string& header : t->request.headers) {
      t->header_list = curl_slist_append(t->header_list, header.c_str());
    }
    // libcurl would otherwise add "Expect: 100-continue" to larger POSTs and
    // wait for an answer Twilio does not send.
    t->header_list = curl_slist_append(t->header_list, "Expect:");

    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    const size_t caches_in_use =
        std::min(kConnectionCaches, 1 + active_.size() / kTransfersPerCache);
    curl_easy_setopt(easy, CURLOPT_SHARE,
                     connection_caches_[next_cache_++ % caches_in_use]);
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
    // Signals must not interrupt name resolution in a multithreaded server.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_bundle.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    // Prefer waiting for a multiplexed HTTP/2 stream over opening another
    // connection to the same host. Only over TLS, where HTTP/2 is offered:
    // over plain HTTP (the emulator) every transfer would wait until the
    // first answer arrived, and one that never does would stall them all.
    if (absl::StartsWith(t->request.url, "https://")) {
      curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    }
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
    switch (t->request.method) {
      case HttpMethod::kGet:
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        break;
      case HttpMethod::kPost:
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(t->request.body.size()));
        break;
      case HttpMethod::kDelete:
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
    // libcurl resends a request by itself, unseen, when a reused connection
    // closes without an answer. The server may have acted on it: a POST
    // would then create the mapping twice, and a DELETE would come back 404
    // though it deleted the mapping. So these two always go out on a
    // connection of their own, closed afterwards so it does not fill the
    // pool; the retry loop above sees every attempt.
    if (t->request.method != HttpMethod::kGet) {
      curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    }

    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      Release(t);
      CompleteWith(std::move(transfer),
                   WithReason(absl::InternalError(
                                  "libcurl refused to start the transfer"),
                              "UPSTREAM_BAD_REQUEST"));
      return;
    }
    active_.insert(transfer.release());
  }

  void FinishDone() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi_, message->easy_handle);
      active_.erase(raw);
      std::unique_ptr<Transfer> transfer(raw);

      if (code == CURLE_OK && !transfer->headers_complete) {
        // libcurl takes a connection closed inside the headers for their
        // end; the answer is broken, and the request may have taken effect.
        absl::Status error = WithReason(
            absl::UnavailableError(absl::StrCat(
                HttpMethodName(transfer->request.method),
                " to Twilio lost its connection in the middle of the "
                "answer's headers")),
            "UPSTREAM_CONNECTION_LOST");
        Release(transfer.get());
        CompleteWith(std::move(transfer), std::move(error));
      } else if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
        transfer->response.status = static_cast<int>(status);
        absl::StatusOr<HttpResponse> result = std::move(transfer->response);
        Release(transfer.get());
        CompleteWith(std::move(transfer), std::move(result));
      } else {
        absl::Status error = TransferError(code, *transfer);
        Release(transfer.get());
        CompleteWith(std::move(transfer), std::move(error));
      }
    }
  }

  void CancelAll() {
    std::vector<std::unique_ptr<Transfer>> leftovers;
    std::multimap<absl::Time, Timer> timers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      leftovers.swap(pending_);
      timers.swap(timers_);
    }
    for (Transfer* raw : active_) {
      curl_multi_remove_handle(multi_, raw->easy);
      Release(raw);
      leftovers.emplace_back(raw);
    }
    active_.clear();
    for (auto& transfer : leftovers) {
      CompleteWith(std::move(transfer), Cancelled());
    }
    // Whatever these tasks send now fails at once (stopping_ is set).
    for (auto& [when, timer] : timers) std::move(timer.task)();
  }

  CURL* AcquireHandle() {
    if (idle_handles_.empty()) return curl_easy_init();
    CURL* easy = idle_handles_.back();
    idle_handles_.pop_back();
    return easy;
  }

  // Returns the transfer's easy handle to the pool. Its connection stays in
  // its connection cache for a later request to the same host.
  void Release(Transfer* transfer) {
    curl_slist_free_all(transfer->header_list);
    transfer->header_list = nullptr;
    if (transfer->easy == nullptr) return;
    if (idle_handles_.size() < kMaxPooledHandles) {
      curl_easy_reset(transfer->easy);
      idle_handles_.push_back(transfer->easy);
    } else {
      curl_easy_cleanup(transfer->easy);
    }
    transfer->easy = nullptr;
  }

  const CurlTransportOptions options_;
  CURLM* const multi_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;

  // Guards the four members after it. std::mutex rather than absl::Mutex:
  // Debian's Abseil is not built for ThreadSanitizer, which then could not
  // see this lock.
  std::mutex mu_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Transfer>> pending_;
  std::vector<uint64_t> cancels_;
  std::multimap<absl::Time, Timer> timers_;

  // Loop thread only.
  absl::Time curl_deadline_ = absl::InfiniteFuture();
  absl::flat_hash_set<Transfer*> active_;
  std::vector<CURL*> idle_handles_;
  std::vector<CURLSH*> connection_caches_;
  size_t next_cache_ = 0;
};

absl::StatusOr<std::unique_ptr<CurlTransport>> CurlTransport::Create(
    CurlTransportOptions options) {
  // curl_global_init is not thread-safe and must run once per process.
  static const CURLcode init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init_result != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl_global_init failed: ",
                                            curl_easy_strerror(init_result)));
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::InternalError("curl_multi_init failed");
  // The limit holds for each connection cache.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS,
                    std::max(1L, options.max_idle_connections /
                                     static_cast<long>(kConnectionCaches)));
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);

  auto loop = std::make_unique<Loop>(std::move(options), multi);
  if (absl::Status status = loop->Init(); !status.ok()) return status;
  loop->Start();
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(loop)));
}

CurlTransport::CurlTransport(std::unique_ptr<Loop> loop)
    : loop_(std::move(loop)) {}

CurlTransport::~CurlTransport() { Stop(); }

void CurlTransport::Stop() { loop_->Stop(); }

std::string CurlTransport::RuntimeName() {
  return absl::StrCat("libcurl/", curl_version_info(CURLVERSION_NOW)->version);
}

void CurlTransport::Send(HttpRequest request, Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  loop_->Submit(std::move(transfer));
}

void CurlTransport::RunAfter(absl::Time when, uint64_t cancel_key, Task task) {
  loop_->RunAfter(when, cancel_key, std::move(task));
}

void CurlTransport::Cancel(uint64_t cancel_key) { loop_->Cancel(cancel_key); }

}  // namespace twilio_gateway::twilio
