#include "service/common/json_log.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace twilio_gateway {
namespace {

constexpr char kLoggerName[] = "twilio-gateway";

// The first fields of every line come from spdlog's pattern; the rest
// ("msg" and the named fields) arrive already escaped in %v.
constexpr char kPattern[] = R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})";

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger>* logger = [] {
    // stderr_sink_mt: each line is written whole, whatever thread logs it.
    auto created = spdlog::stderr_logger_mt(kLoggerName);
    created->set_pattern(kPattern, spdlog::pattern_time_type::utc);
    created->set_level(spdlog::level::info);
    created->flush_on(spdlog::level::trace);
    return new std::shared_ptr<spdlog::logger>(std::move(created));
  }();
  return *logger;
}

void AppendKey(absl::string_view key, std::string& out) {
  out.push_back(',');
  AppendJsonString(key, out);
  out.push_back(':');
}

}  // namespace

void InitJsonLogging(spdlog::level::level_enum level) {
  Logger()->set_level(level);
}

bool ParseLogLevel(absl::string_view text, spdlog::level::level_enum* level) {
  static constexpr std::pair<absl::string_view, spdlog::level::level_enum>
      kLevels[] = {
          {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
          {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
          {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (const auto& [name, value] : kLevels) {
    if (text == name) {
      *level = value;
      return true;
    }
  }
  return false;
}

bool LogEnabled(spdlog::level::level_enum level) {
  return Logger()->should_log(level);
}

void AppendJsonString(absl::string_view text, std::string& out) {
  // Nearly every value (SIDs, codes, names of RPCs) is printable ASCII with
  // nothing to escape; copying those as they are keeps the per-RPC line off
  // the profile. Anything else goes through the full encoder.
  bool plain = true;
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out.reserve(out.size() + text.size() + 2);
    out.push_back('"');
    out.append(text.data(), text.size());
    out.push_back('"');
    return;
  }
  out += nlohmann::json(std::string(text))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

LogLine::LogLine(spdlog::level::level_enum level, absl::string_view msg)
    : level_(level), enabled_(LogEnabled(level)) {
  if (!enabled_) return;
  body_.reserve(256);
  body_ = "\"msg\":";
  AppendJsonString(msg, body_);
}

LogLine::~LogLine() {
  if (enabled_) Logger()->log(level_, "{}", body_);
}

LogLine& LogLine::Field(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  AppendKey(key, body_);
  AppendJsonString(value, body_);
  return *this;
}

LogLine& LogLine::Field(absl::string_view key, int64_t value) {
  if (!enabled_) return *this;
  AppendKey(key, body_);
  absl::StrAppend(&body_, value);
  return *this;
}

LogLine& LogLine::Field(absl::string_view key, double value) {
  if (!enabled_) return *this;
  AppendKey(key, body_);
  // JSON has no NaN or infinity; a number that is neither is written as is.
  if (value != value || value > 1e300 || value < -1e300) {
    body_ += "null";
  } else {
    absl::StrAppend(&body_, value);
  }
  return *this;
}

LogLine& LogLine::Field(absl::string_view key, bool value) {
  if (!enabled_) return *this;
  AppendKey(key, body_);
  body_ += value ? "true" : "false";
  return *this;
}

}  // namespace twilio_gateway
