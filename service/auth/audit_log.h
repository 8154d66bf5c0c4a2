#ifndef SERVICE_AUTH_AUDIT_LOG_H_
#define SERVICE_AUTH_AUDIT_LOG_H_

#include "absl/strings/string_view.h"

namespace twilio_gateway::auth {

// One call the audit log records: every Create and Delete (dry runs
// included) and every call refused for who made it.
struct AuditRecord {
  absl::string_view rpc;
  // The caller's identity ("anonymous" when none) and how it was
  // established ("certificate", "token", "none").
  absl::string_view caller;
  absl::string_view via;
  // gRPC's peer string, such as "ipv4:10.0.0.7:53012".
  absl::string_view peer;
  absl::string_view account_sid;
  absl::string_view domain_sid;
  // The mapping's SID: the credential list created or deleted.
  absl::string_view sid;
  // The gRPC code the call ended with, such as "OK" or "PERMISSION_DENIED".
  absl::string_view outcome;
  // The error's UPPER_SNAKE reason; empty on success.
  absl::string_view reason;
  // Twilio's request id when Twilio was called.
  absl::string_view twilio_request_id;
  bool validate_only = false;
};

// Writes `record` as one JSON line on stderr, beside the other logs but
// marked "log":"audit" so a log pipeline can route it apart:
//
//   {"ts":"…","level":"info","msg":"audit","log":"audit",
//    "rpc":"DeleteCredentialListMapping","caller":"provisioner",
//    "via":"token","peer":"ipv4:10.0.0.7:53012","account_sid":"AC…",
//    "domain_sid":"SD…","sid":"CL…","outcome":"OK",
//    "twilio_request_id":"RQ…"}
//
// Audit lines are written whatever --log_level says. Values that are not
// SIDs of the expected shape are replaced with "(malformed)", so a caller
// cannot write arbitrary text into the audit trail. Thread-safe.
void WriteAuditRecord(const AuditRecord& record);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_AUDIT_LOG_H_
