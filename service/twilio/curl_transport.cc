#include "service/twilio/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

// How many reset easy handles the loop keeps for the next requests.
constexpr size_t kMaxPooledHandles = 256;

// How long the loop sleeps in curl_multi_poll when nothing happens. Work
// arriving from other threads wakes it at once (curl_multi_wakeup), and
// libcurl shortens the wait for its own timers, so this only bounds idling.
constexpr int kIdlePollMs = 1000;

// One request in flight, owned by the loop from Submit to completion.
struct Transfer {
  HttpRequest request;
  HttpTransport::Callback done;
  HttpResponse response;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  size_t max_response_bytes = 0;
  bool too_large = false;
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
// only touch `pending_` (under `mu_`) and wake the loop.
class CurlTransport::Loop {
 public:
  Loop(CurlTransportOptions options, CURLM* multi)
      : options_(std::move(options)), multi_(multi) {}

  ~Loop() {
    for (CURL* easy : idle_handles_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
  }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }

  void Submit(std::unique_ptr<Transfer> transfer) {
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_) {
        pending_.push_back(std::move(transfer));
        transfer = nullptr;
      }
    }
    if (transfer != nullptr) {
      CompleteWith(std::move(transfer), Cancelled());
      return;
    }
    curl_multi_wakeup(multi_);
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  static absl::Status Cancelled() {
    return WithReason(
        absl::CancelledError("the HTTP transport is shutting down"),
        "UPSTREAM_CANCELLED");
  }

  void Run() {
    std::vector<std::unique_ptr<Transfer>> incoming;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) break;
        incoming.swap(pending_);
      }
      for (auto& transfer : incoming) Begin(std::move(transfer));
      incoming.clear();

      int running = 0;
      curl_multi_perform(multi_, &running);
      FinishDone();
      curl_multi_poll(multi_, nullptr, 0, kIdlePollMs, nullptr);
    }
    CancelAll();
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
    // connection to the same host.
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
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

      if (code == CURLE_OK) {
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
    {
      absl::MutexLock lock(&mu_);
      leftovers.swap(pending_);
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
  }

  CURL* AcquireHandle() {
    if (idle_handles_.empty()) return curl_easy_init();
    CURL* easy = idle_handles_.back();
    idle_handles_.pop_back();
    return easy;
  }

  // Returns the transfer's easy handle to the pool. Its connection stays in
  // the multi handle's cache for the next request to the same host.
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
  std::thread thread_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Transfer>> pending_ ABSL_GUARDED_BY(mu_);

  // Loop thread only.
  absl::flat_hash_set<Transfer*> active_;
  std::vector<CURL*> idle_handles_;
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
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_idle_connections);
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);

  auto loop = std::make_unique<Loop>(std::move(options), multi);
  loop->Start();
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(loop)));
}

CurlTransport::CurlTransport(std::unique_ptr<Loop> loop)
    : loop_(std::move(loop)) {}

CurlTransport::~CurlTransport() { loop_->Stop(); }

std::string CurlTransport::RuntimeName() {
  return absl::StrCat("libcurl/", curl_version_info(CURLVERSION_NOW)->version);
}

void CurlTransport::Send(HttpRequest request, Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  loop_->Submit(std::move(transfer));
}

}  // namespace twilio_gateway::twilio
