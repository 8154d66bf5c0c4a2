#include "service/auth/strict_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <optional>
#include <set>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace twilio_gateway::auth {
namespace {

using ::nlohmann::json;

// Policy and tokens files are a few kilobytes; the cap keeps a wrong path
// (a log file, /dev/zero) from being read into memory.
constexpr std::size_t kMaxFileBytes = 1 << 20;

// Keys that look like field names are quoted; anything else may be a token
// pasted in the wrong place.
bool LooksLikeFieldName(const std::string& key) {
  if (key.empty() || key.size() > 40) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

std::string LineAndColumn(absl::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return absl::StrCat("line ", line, ", column ", column);
}

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

absl::StatusOr<json> ParseStrictJson(absl::string_view text) {
  // One entry per open object or array; arrays hold no keys.
  std::vector<std::optional<std::set<std::string>>> open;
  std::string duplicate_error;
  auto callback = [&open, &duplicate_error](
                      int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open.emplace_back(std::set<std::string>());
        break;
      case json::parse_event_t::array_start:
        open.emplace_back(std::nullopt);
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && open.back().has_value() && parsed.is_string()) {
          const std::string& key = parsed.get_ref<const std::string&>();
          if (!open.back()->insert(key).second && duplicate_error.empty()) {
            duplicate_error =
                LooksLikeFieldName(key)
                    ? absl::StrCat("key \"", key,
                                   "\" is given twice in one object")
                    : "a key is given twice in one object";
          }
        }
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };

  json root;
  try {
    root = json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (syntax error at ",
                     LineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1), ")"));
  } catch (const json::exception&) {
    return absl::InvalidArgumentError("not valid JSON");
  }
  if (!duplicate_error.empty()) {
    return absl::InvalidArgumentError(duplicate_error);
  }
  return root;
}

absl::StatusOr<std::string> ReadConfigFile(const std::string& path) {
  ScopedFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return absl::ErrnoToStatus(errno, "cannot open");
  struct stat info;
  if (::fstat(file.get(), &info) != 0) {
    return absl::ErrnoToStatus(errno, "cannot stat");
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError("is not a regular file");
  }
  std::string contents;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "cannot read");
    if (n == 0) break;
    if (contents.size() + static_cast<std::size_t>(n) > kMaxFileBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat("is larger than ", kMaxFileBytes, " bytes"));
    }
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  return contents;
}

}  // namespace twilio_gateway::auth
