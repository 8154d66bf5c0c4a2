#ifndef SERVICE_COMMON_FILE_WATCHER_H_
#define SERVICE_COMMON_FILE_WATCHER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace twilio_gateway {

// Tells when files change, by polling. Made for configuration that
// Kubernetes mounts from a Secret or a ConfigMap: such a file is a symlink
// through "..data" to a timestamped folder, and an update swaps the
// "..data" link, so the file's inode changes while its path does not.
// inotify on the path itself would miss that; a poll that follows the
// links does not.
//
// A file counts as changed when what stat(2) reports (device, inode, size,
// modification and change times), or a hash of its first mebibyte,
// differs from the previous poll, or when it appears or disappears. The
// hash catches a rewrite of the same size within one tick of the file
// system's clock.
//
// Example:
//   FileWatcher watcher({"/etc/gateway/policy.json"}, absl::Seconds(5),
//                       [](const std::string& path) { Reload(path); });
class FileWatcher {
 public:
  // Records how each of `paths` looks now, then polls them every
  // `interval` on a thread of its own and calls `on_change` there with the
  // path of each file that changed. A zero or negative `interval` starts no
  // thread; PollNow then does all the polling (for tests).
  FileWatcher(std::vector<std::string> paths, absl::Duration interval,
              std::function<void(const std::string& path)> on_change);

  // Stops the thread; `on_change` is not called after this returns.
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Polls once now, on the calling thread, and calls `on_change` for each
  // file that changed. Never runs at the same time as the thread's poll.
  void PollNow();

 private:
  struct Fingerprint {
    bool exists = false;
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t modified_ns = 0;
    int64_t changed_ns = 0;
    std::size_t content_hash = 0;

    bool operator==(const Fingerprint& other) const;
  };

  static Fingerprint Take(const std::string& path);
  void Run();

  const std::vector<std::string> paths_;
  const absl::Duration interval_;
  const std::function<void(const std::string&)> on_change_;

  // Serializes polls, so `last_` needs no other guard.
  std::mutex poll_mu_;
  std::vector<Fingerprint> last_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // Guarded by stop_mu_.
  std::thread thread_;
};

}  // namespace twilio_gateway

#endif  // SERVICE_COMMON_FILE_WATCHER_H_
