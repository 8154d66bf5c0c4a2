#include "service/common/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace twilio_gateway {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

// Closes a file descriptor on every way out of ReadConfigFile.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadConfigFile(const std::string& path,
                                           FileAccess access) {
  ScopedFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return absl::ErrnoToStatus(errno, "cannot open");
  struct stat info;
  if (::fstat(file.get(), &info) != 0) {
    return absl::ErrnoToStatus(errno, "cannot stat");
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError("is not a regular file");
  }
  if (access == FileAccess::kOwnerAndGroupOnly &&
      (info.st_mode & (S_IROTH | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "is readable or writable by other users (mode ",
        absl::StrFormat("%04o", info.st_mode & 07777),
        "); refusing it. Let only the gateway's user read it: chmod 600, or "
        "on a Kubernetes Secret volume set defaultMode: 0400 (0440 with an "
        "fsGroup)"));
  }

  std::string contents;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "cannot read");
    if (n == 0) break;
    // Checked while reading, since the file may grow after fstat.
    if (contents.size() + static_cast<std::size_t>(n) > kMaxFileBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat("is larger than ", kMaxFileBytes, " bytes"));
    }
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  return contents;
}

}  // namespace twilio_gateway
