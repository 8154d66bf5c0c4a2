#include "client/loadgen/http_driver.h"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace twilio_gateway::loadgen {
namespace {

// How long the loop sleeps when nothing is due; answers wake it earlier.
constexpr int kIdlePollMs = 50;

// Ready sockets taken from one epoll_wait.
constexpr int kMaxEvents = 256;

// Bodies are read in full, as a caller would, and then dropped.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  *static_cast<size_t*>(user) += size * count;
  return size * count;
}

}  // namespace

struct HttpDriver::CurlCallbacks {
  // CURLMOPT_SOCKETFUNCTION: which sockets to watch, and for what.
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* user,
                      void* socket_data) {
    auto* driver = static_cast<HttpDriver*>(user);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(driver->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
      return 0;
    }
    epoll_event event = {};
    event.data.fd = socket;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    // A pointer libcurl keeps per socket marks those already in the set.
    if (socket_data != nullptr) {
      epoll_ctl(driver->epoll_fd_, EPOLL_CTL_MOD, socket, &event);
      return 0;
    }
    if (epoll_ctl(driver->epoll_fd_, EPOLL_CTL_ADD, socket, &event) != 0 &&
        errno == EEXIST) {
      epoll_ctl(driver->epoll_fd_, EPOLL_CTL_MOD, socket, &event);
    }
    curl_multi_assign(static_cast<CURLM*>(driver->multi_), socket, driver);
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: when libcurl next wants to run; -1 for never.
  static int OnTimer(CURLM* multi, long timeout_ms, void* user) {
    auto* driver = static_cast<HttpDriver*>(user);
    driver->curl_deadline_ = timeout_ms < 0
                                 ? absl::InfiniteFuture()
                                 : absl::Now() + absl::Milliseconds(timeout_ms);
    return 0;
  }
};

struct HttpDriver::Slot {
  CURL* easy = nullptr;
  absl::Time due;
  bool busy = false;
  size_t body_bytes = 0;
};

absl::StatusOr<std::unique_ptr<HttpDriver>> HttpDriver::Create(
    LoadPlan plan, HttpDriverOptions options, RunStats* stats) {
  if (plan.kind != CallKind::kGet && plan.kind != CallKind::kList) {
    return absl::InvalidArgumentError(
        "the direct HTTP mode sends get and list requests only");
  }
  if (plan.concurrency < 1) {
    return absl::InvalidArgumentError("concurrency must be at least 1");
  }
  if (options.base_url.empty() || plan.account_sid.empty()) {
    return absl::InvalidArgumentError(
        "the direct HTTP mode needs a base URL and an account SID");
  }
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) return absl::InternalError("curl_global_init failed");

  std::unique_ptr<HttpDriver> driver(
      new HttpDriver(std::move(plan), std::move(options), stats));
  const LoadPlan& p = driver->plan_;
  std::string collection =
      absl::StrCat(driver->options_.base_url, "/2010-04-01/Accounts/",
                   p.account_sid, "/SIP/Domains/", p.domain_sid,
                   "/Auth/Registrations/CredentialListMappings");
  if (p.kind == CallKind::kGet) {
    driver->url_ = absl::StrCat(collection, "/", p.sid, ".json");
  } else if (p.page_size > 0) {
    driver->url_ = absl::StrCat(collection, ".json?PageSize=", p.page_size);
  } else {
    driver->url_ = absl::StrCat(collection, ".json");
  }

  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::InternalError("curl_multi_init failed");
  driver->multi_ = multi;
  driver->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  driver->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event wake = {};
  wake.events = EPOLLIN;
  wake.data.fd = driver->wake_fd_;
  if (driver->epoll_fd_ < 0 || driver->wake_fd_ < 0 ||
      epoll_ctl(driver->epoll_fd_, EPOLL_CTL_ADD, driver->wake_fd_, &wake) !=
          0) {
    return absl::InternalError("cannot make the epoll and eventfd handles");
  }
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlCallbacks::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, driver.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlCallbacks::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, driver.get());
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(p.concurrency));
  for (int i = 0; i < p.concurrency; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->easy = curl_easy_init();
    if (slot->easy == nullptr) {
      return absl::InternalError("curl_easy_init failed");
    }
    CURL* easy = slot->easy;
    curl_easy_setopt(easy, CURLOPT_URL, driver->url_.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(easy, CURLOPT_USERNAME, driver->options_.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, driver->options_.password.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(p.timeout)));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &slot->body_bytes);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, slot.get());
    driver->slots_.push_back(std::move(slot));
  }
  return driver;
}

HttpDriver::HttpDriver(LoadPlan plan, HttpDriverOptions options,
                       RunStats* stats)
    : plan_(std::move(plan)), options_(std::move(options)), stats_(stats) {}

HttpDriver::~HttpDriver() {
  Stop(absl::InfiniteDuration());
  auto* multi = static_cast<CURLM*>(multi_);
  for (auto& slot : slots_) {
    if (slot->easy != nullptr) curl_easy_cleanup(slot->easy);
  }
  if (multi != nullptr) curl_multi_cleanup(multi);
  // After the cleanup, which may still tell OnSocket to forget sockets.
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void HttpDriver::Start() {
  thread_ = std::thread([this] { Run(); });
}

int64_t HttpDriver::Stop(absl::Duration grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_by_ = grace == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                   : absl::Now() + grace;
    }
  }
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return left_in_flight_;
}

bool HttpDriver::WaitAllDone(absl::Duration limit) {
  std::unique_lock<std::mutex> lock(mu_);
  return finished_changed_.wait_until(lock,
                                      absl::ToChronoTime(absl::Now() + limit),
                                      [this] { return finished_; });
}

bool HttpDriver::TakeCall() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
  }
  if (plan_.total_calls > 0 && issued_ >= plan_.total_calls) return false;
  ++issued_;
  return true;
}

void HttpDriver::Issue(Slot* slot, absl::Time due) {
  slot->due = due;
  slot->busy = true;
  slot->body_bytes = 0;
  ++in_flight_;
  curl_multi_add_handle(static_cast<CURLM*>(multi_), slot->easy);
}

void HttpDriver::Reap(std::vector<Slot*>* idle) {
  auto* multi = static_cast<CURLM*>(multi_);
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Slot* slot = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
    const CURLcode code = message->data.result;
    const absl::Duration latency = absl::Now() - slot->due;
    curl_multi_remove_handle(multi, slot->easy);
    slot->busy = false;
    --in_flight_;
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
      stats_->Record(absl::StrCat(status), latency);
    } else {
      stats_->Record(absl::StrCat("curl: ", curl_easy_strerror(code)), latency);
    }
    if (plan_.rate <= 0 && TakeCall()) {
      Issue(slot, absl::Now());
    } else {
      idle->push_back(slot);
    }
  }
}

void HttpDriver::WaitForEvents(int timeout_ms) {
  auto* multi = static_cast<CURLM*>(multi_);
  epoll_event events[kMaxEvents];
  const int count = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
  for (int i = 0; i < count; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      uint64_t wakeups = 0;
      [[maybe_unused]] const ssize_t read_bytes =
          read(wake_fd_, &wakeups, sizeof(wakeups));
      continue;
    }
    int mask = 0;
    if (events[i].events & (EPOLLIN | EPOLLHUP)) mask |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (events[i].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
    int running = 0;
    curl_multi_socket_action(multi, fd, mask, &running);
  }
}

void HttpDriver::Run() {
  auto* multi = static_cast<CURLM*>(multi_);
  std::vector<Slot*> idle;
  for (auto& slot : slots_) idle.push_back(slot.get());

  const absl::Time start = absl::Now();
  int64_t paced = 0;
  if (plan_.rate <= 0) {
    while (!idle.empty() && TakeCall()) {
      Issue(idle.back(), start);
      idle.pop_back();
    }
  }
  while (true) {
    bool stopping;
    absl::Time stop_by;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
      stop_by = stop_by_;
    }
    const absl::Time now = absl::Now();
    if (stopping && (in_flight_ == 0 || now >= stop_by)) break;
    if (plan_.total_calls > 0 && issued_ >= plan_.total_calls &&
        in_flight_ == 0) {
      break;
    }

    int timeout_ms = kIdlePollMs;
    if (plan_.rate > 0 && !stopping) {
      const absl::Duration interval = absl::Seconds(1) / plan_.rate;
      while (true) {
        const absl::Time due = start + paced * interval;
        if (due > now) {
          timeout_ms = std::min<int>(
              kIdlePollMs, static_cast<int>(std::ceil(
                               absl::ToDoubleMilliseconds(due - now))));
          break;
        }
        ++paced;
        if (idle.empty()) {
          stats_->CountSkipped();
          continue;
        }
        if (!TakeCall()) break;
        Issue(idle.back(), due);
        idle.pop_back();
      }
    }

    if (absl::Now() >= curl_deadline_) {
      curl_deadline_ = absl::InfiniteFuture();
      int running = 0;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    Reap(&idle);
    if (curl_deadline_ != absl::InfiniteFuture()) {
      const double left_ms =
          absl::ToDoubleMilliseconds(curl_deadline_ - absl::Now());
      timeout_ms = static_cast<int>(
          std::max(0.0, std::min<double>(timeout_ms, std::ceil(left_ms))));
    }
    WaitForEvents(timeout_ms);
    Reap(&idle);
  }

  for (auto& slot : slots_) {
    if (slot->busy) curl_multi_remove_handle(multi, slot->easy);
  }
  std::lock_guard<std::mutex> lock(mu_);
  left_in_flight_ = in_flight_;
  finished_ = true;
  finished_changed_.notify_all();
}

}  // namespace twilio_gateway::loadgen
