#ifndef SERVICE_AUTH_ACCESS_POLICY_H_
#define SERVICE_AUTH_ACCESS_POLICY_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::auth {

// What a call does to the mappings of an account.
enum class Operation {
  // GetCredentialListMapping and ListCredentialListMappings.
  kRead,
  // CreateCredentialListMapping and DeleteCredentialListMapping, dry runs
  // (validate_only) included.
  kWrite,
};

// "read" or "write".
absl::string_view OperationName(Operation operation);

// Which caller may do what to which accounts, from the policy file
// (--policy_file). Whatever the file does not grant is denied.
//
//   {
//     "grants": [
//       {"caller": "spiffe://cluster.local/ns/billing/sa/billing-api",
//        "accounts": ["AC00000000000000000000000000000001"],
//        "operations": ["read"]},
//       {"caller": "provisioner",
//        "accounts": ["*"],
//        "operations": ["read", "write"]}
//     ]
//   }
//
// - `caller`: a caller's identity as the gateway establishes it (a client
//   certificate's URI or DNS SAN, or the name a bearer token has in the
//   tokens file), or "*" for every authenticated caller.
// - `accounts`: Account SIDs (AC + 32 hex digits, either case), or "*" for
//   every account the gateway holds credentials for, now or later. A call
//   that names no account acts on the default account and needs a grant
//   for that account's SID.
// - `operations`: "read" (Get, List), "write" (Create, Delete); write does
//   not imply read.
// - Grants add up; there are no denials to order.
// - Anything else is an error: unknown keys, a key given twice, an empty
//   list, a malformed SID.
//
// Immutable once built; safe to share between threads.
class AccessPolicy {
 public:
  // Parses the text of a policy file (format above). Returns
  // InvalidArgument naming the place, such as "grants[1].accounts[0] is not
  // an Account SID (AC followed by 32 hex digits) or \"*\"".
  static absl::StatusOr<std::shared_ptr<const AccessPolicy>> Parse(
      absl::string_view json);

  // Reads and parses the file at `path`; every message starts with "policy
  // file <path>: ".
  static absl::StatusOr<std::shared_ptr<const AccessPolicy>> Read(
      const std::string& path);

  // True when a grant for `caller` (or for "*") covers `operation` on
  // `account_sid`. An empty or malformed `account_sid` is covered only by
  // an "accounts": ["*"] grant.
  bool Allows(absl::string_view caller, Operation operation,
              absl::string_view account_sid) const;

  // How many grants the file holds.
  std::size_t grant_count() const { return grant_count_; }

 private:
  AccessPolicy() = default;

  struct Access {
    bool any_account = false;
    // Account SIDs with lower-case hex digits.
    absl::flat_hash_set<std::string> accounts;
  };
  struct CallerGrants {
    Access read;
    Access write;
  };

  static bool Covers(const Access& access, absl::string_view account_sid);

  // Keyed by caller name; "*" holds the grants for every caller.
  absl::flat_hash_map<std::string, CallerGrants> by_caller_;
  std::size_t grant_count_ = 0;
};

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_ACCESS_POLICY_H_
