#ifndef SERVICE_COMMON_JSON_LOG_H_
#define SERVICE_COMMON_JSON_LOG_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "spdlog/common.h"

namespace twilio_gateway {

// Sets up the process-wide logger: one JSON object per line on stderr, with
// "ts" (UTC, microseconds), "level", "msg" and the line's named fields.
// Lines below `level` are dropped before they are formatted. Safe to call
// again to change the level.
void InitJsonLogging(spdlog::level::level_enum level);

// Parses "trace", "debug", "info", "warn", "error" or "off".
bool ParseLogLevel(absl::string_view text, spdlog::level::level_enum* level);

// True when a line at `level` would be written; lets callers skip building
// fields nobody will read.
bool LogEnabled(spdlog::level::level_enum level);

// Builds one log line and writes it when it goes out of scope:
//
//   LogLine(spdlog::level::info, "rpc finished")
//       .Field("rpc", "GetCredentialListMapping")
//       .Field("latency_ms", 12.5);
//
// Values are escaped as JSON strings, so text from the network cannot break
// the line apart. Never pass a secret as a field.
class LogLine {
 public:
  LogLine(spdlog::level::level_enum level, absl::string_view msg);
  ~LogLine();

  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& Field(absl::string_view key, absl::string_view value);
  LogLine& Field(absl::string_view key, const char* value) {
    return Field(key, absl::string_view(value));
  }
  LogLine& Field(absl::string_view key, const std::string& value) {
    return Field(key, absl::string_view(value));
  }
  LogLine& Field(absl::string_view key, int64_t value);
  LogLine& Field(absl::string_view key, int value) {
    return Field(key, static_cast<int64_t>(value));
  }
  LogLine& Field(absl::string_view key, double value);
  LogLine& Field(absl::string_view key, bool value);

 private:
  spdlog::level::level_enum level_;
  bool enabled_;
  std::string body_;
};

// Appends `text` to `out` as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD rather than an exception.
void AppendJsonString(absl::string_view text, std::string& out);

}  // namespace twilio_gateway

#endif  // SERVICE_COMMON_JSON_LOG_H_
