#ifndef SERVICE_AUTH_CALLER_TOKENS_H_
#define SERVICE_AUTH_CALLER_TOKENS_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::auth {

// The bearer tokens callers may present, from the tokens file
// (--tokens_file). The file holds the SHA-256 of each token, never the
// token, so reading it gives away nothing a caller could use:
//
//   {
//     "tokens": [
//       {"caller": "billing-api",
//        "sha256": "<64 hex digits: printf %s \"$TOKEN\" | sha256sum>"},
//       {"caller": "old-cron-job", "sha256": "<...>", "revoked": true}
//     ]
//   }
//
// - `caller` names who holds the token; the policy grants access by this
//   name. Several tokens may name the same caller (one per replica, or old
//   and new during a rotation).
// - `sha256` is the hex SHA-256 of the token's bytes, either case.
// - `revoked` (optional, default false) keeps a withdrawn token's hash in
//   the file so that its use is refused as "revoked" rather than "unknown"
//   in the audit log. Deleting the entry also withdraws the token.
// - Anything else is an error: unknown keys, a hash listed twice, a key
//   given twice, values of the wrong type.
//
// Immutable once built; safe to share between threads.
class CallerTokens {
 public:
  enum class Verdict { kUnknown, kRevoked, kValid };
  struct Match {
    Verdict verdict = Verdict::kUnknown;
    // The caller the file names for the token; empty when unknown.
    std::string caller;
  };

  // Parses the text of a tokens file (format above). Returns
  // InvalidArgument naming the place, such as "tokens[2].sha256 is not 64
  // hex digits".
  static absl::StatusOr<std::shared_ptr<const CallerTokens>> Parse(
      absl::string_view json);

  // Reads and parses the file at `path`; every message starts with "tokens
  // file <path>: ". Fails as ReadConfigFile and Parse do.
  static absl::StatusOr<std::shared_ptr<const CallerTokens>> Read(
      const std::string& path);

  // Looks `token` up by its hash.
  Match Find(absl::string_view token) const;

  // How many tokens the file lists, revoked ones included.
  std::size_t size() const { return by_hash_.size(); }

 private:
  CallerTokens() = default;

  struct Entry {
    std::string caller;
    bool revoked = false;
  };
  // Keyed by the lower-case hex hash. A lookup's timing depends on the hash
  // of the presented token, which says nothing about the stored ones.
  absl::flat_hash_map<std::string, Entry> by_hash_;
};

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_CALLER_TOKENS_H_
