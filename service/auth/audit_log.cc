#include "service/auth/audit_log.h"

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "service/common/json_log.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace twilio_gateway::auth {
namespace {

constexpr char kLoggerName[] = "twilio-gateway-audit";
// The same shape as the other log lines (see json_log.cc).
constexpr char kPattern[] = R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})";

// A logger of its own, so that --log_level cannot silence the audit. It
// shares spdlog's console lock with the main logger, so lines never
// interleave.
spdlog::logger& AuditLogger() {
  // Never destroyed, so that a call finishing during exit can still log.
  static std::shared_ptr<spdlog::logger>* logger = [] {
    auto created = spdlog::stderr_logger_mt(kLoggerName);
    created->set_pattern(kPattern, spdlog::pattern_time_type::utc);
    created->set_level(spdlog::level::info);
    created->flush_on(spdlog::level::info);
    return new std::shared_ptr<spdlog::logger>(std::move(created));
  }();
  return **logger;
}

// Empty stays empty; a value of the SID shape `prefix` + 32 hex digits is
// kept; anything else is replaced.
absl::string_view SidOrMalformed(absl::string_view value,
                                 absl::string_view prefix) {
  if (value.empty()) return value;
  if (value.size() != prefix.size() + 32 ||
      value.substr(0, prefix.size()) != prefix) {
    return "(malformed)";
  }
  for (char c : value.substr(prefix.size())) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return "(malformed)";
    }
  }
  return value;
}

void Append(absl::string_view key, absl::string_view value, std::string& out) {
  out.push_back(',');
  AppendJsonString(key, out);
  out.push_back(':');
  AppendJsonString(value, out);
}

}  // namespace

void WriteAuditRecord(const AuditRecord& record) {
  std::string body = "\"msg\":\"audit\",\"log\":\"audit\"";
  Append("rpc", record.rpc, body);
  Append("caller", record.caller, body);
  Append("via", record.via, body);
  Append("peer", record.peer, body);
  Append("account_sid", SidOrMalformed(record.account_sid, "AC"), body);
  Append("domain_sid", SidOrMalformed(record.domain_sid, "SD"), body);
  Append("sid", SidOrMalformed(record.sid, "CL"), body);
  Append("outcome", record.outcome, body);
  if (!record.reason.empty()) Append("reason", record.reason, body);
  if (!record.twilio_request_id.empty()) {
    Append("twilio_request_id", record.twilio_request_id, body);
  }
  if (record.validate_only) body += ",\"validate_only\":true";
  AuditLogger().log(spdlog::level::info, "{}", body);
}

}  // namespace twilio_gateway::auth
