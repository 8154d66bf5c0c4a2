#include "service/common/file_watcher.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <utility>

namespace twilio_gateway {
namespace {

// Configuration files are small; reading past this tells nothing more.
constexpr std::size_t kMaxHashedBytes = 1 << 20;

int64_t Nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1000000000 + time.tv_nsec;
}

}  // namespace

bool FileWatcher::Fingerprint::operator==(const Fingerprint& other) const {
  return exists == other.exists && device == other.device &&
         inode == other.inode && size == other.size &&
         modified_ns == other.modified_ns && changed_ns == other.changed_ns &&
         content_hash == other.content_hash;
}

FileWatcher::Fingerprint FileWatcher::Take(const std::string& path) {
  Fingerprint print;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return print;
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return print;
  }
  print.exists = true;
  print.device = info.st_dev;
  print.inode = info.st_ino;
  print.size = info.st_size;
  print.modified_ns = Nanoseconds(info.st_mtim);
  print.changed_ns = Nanoseconds(info.st_ctim);
  // Only regular files are read: a FIFO or a device behind the path must
  // not block or flood the poll.
  if (S_ISREG(info.st_mode)) {
    std::string contents;
    char buffer[8192];
    while (contents.size() < kMaxHashedBytes) {
      ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      contents.append(buffer, static_cast<std::size_t>(n));
    }
    print.content_hash = std::hash<std::string_view>()(contents);
  }
  ::close(fd);
  return print;
}

FileWatcher::FileWatcher(std::vector<std::string> paths,
                         absl::Duration interval,
                         std::function<void(const std::string&)> on_change)
    : paths_(std::move(paths)),
      interval_(interval),
      on_change_(std::move(on_change)) {
  for (const std::string& path : paths_) last_.push_back(Take(path));
  if (interval_ > absl::ZeroDuration() && !paths_.empty()) {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "tg-file-watch");
      Run();
    });
  }
}

FileWatcher::~FileWatcher() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileWatcher::PollNow() {
  std::lock_guard<std::mutex> lock(poll_mu_);
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    Fingerprint now = Take(paths_[i]);
    if (now == last_[i]) continue;
    last_[i] = now;
    if (on_change_) on_change_(paths_[i]);
  }
}

void FileWatcher::Run() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                      [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    PollNow();
    lock.lock();
  }
}

}  // namespace twilio_gateway
