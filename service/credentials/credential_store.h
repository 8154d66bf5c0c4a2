#ifndef SERVICE_CREDENTIALS_CREDENTIAL_STORE_H_
#define SERVICE_CREDENTIALS_CREDENTIAL_STORE_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::credentials {

// What the Twilio client needs to make one request on behalf of an account.
//
// Holds a secret: there is deliberately no operator<< or debug printer, and
// nothing in the gateway may log `authorization_header`.
struct AccountCredential {
  // The account the call acts on; it goes into the request path.
  std::string account_sid;
  // The HTTP Basic user: an Account SID (AC…) or an API key SID (SK…). For a
  // subaccount this is its parent's user.
  std::string username;
  // "Basic " followed by base64("username:secret"), ready for the
  // Authorization header.
  std::string authorization_header;
};

// One account as configured, before subaccounts are resolved to their
// parents. Build it with the factories; `kind` decides which fields are set.
//
// Holds a secret (except for a subaccount); never print it.
struct AccountEntry {
  enum class Kind {
    // The account's own auth token; the Basic user is `account_sid`.
    kAuthToken,
    // An API key of the account; the Basic user is `api_key_sid`.
    kApiKey,
    // Acts with the credentials of `parent_account_sid`, which Twilio allows
    // for a main account on its subaccounts.
    kSubaccount,
  };

  static AccountEntry AuthToken(std::string account_sid,
                                std::string auth_token);
  static AccountEntry ApiKey(std::string account_sid, std::string api_key_sid,
                             std::string api_key_secret);
  static AccountEntry Subaccount(std::string account_sid,
                                 std::string parent_account_sid);

  Kind kind = Kind::kAuthToken;
  std::string account_sid;
  std::string api_key_sid;         // kApiKey only.
  std::string secret;              // Auth token or API key secret.
  std::string parent_account_sid;  // kSubaccount only.
};

// True for "AC" followed by 32 hexadecimal digits of either case.
bool IsAccountSid(absl::string_view sid);

// True for "SK" followed by 32 hexadecimal digits of either case.
bool IsApiKeySid(absl::string_view sid);

// Checks a secret (auth token or API key secret) without ever quoting it.
//
// Returns InvalidArgument "<name> is empty", or "<name> contains whitespace
// or control characters" (a trailing newline from `echo` or a Secret is the
// usual cause, and Twilio would answer 401 much later). The format is not
// checked further, so that Twilio can change it.
absl::Status ValidateSecret(absl::string_view secret, absl::string_view name);

// Checks that `accounts` and `default_account_sid` can form a snapshot.
//
// Returns InvalidArgument naming the entry by its index and the field by its
// name in the credentials file, such as "accounts[2].parent_account_sid
// AC… is not among the accounts". Checks: SID formats, secrets (see
// ValidateSecret), an account listed twice (SIDs compare without regard to
// the case of their hex digits), a parent that is missing, is the account
// itself or is a subaccount (so there are no chains or cycles), and a
// non-empty `default_account_sid` that is not among the accounts. Messages
// quote SIDs only once they have the shape of a SID, and never a secret.
absl::Status ValidateAccountEntries(const std::vector<AccountEntry>& accounts,
                                    absl::string_view default_account_sid);

// An immutable set of credentials the gateway holds, looked up per RPC.
// Safe to use from any number of threads.
class CredentialSnapshot {
 public:
  // Validates (see ValidateAccountEntries) and builds a snapshot, computing
  // every Authorization header once. An empty `accounts` gives an empty
  // snapshot, on which every Resolve fails. Returns InvalidArgument.
  static absl::StatusOr<std::shared_ptr<const CredentialSnapshot>> Create(
      const std::vector<AccountEntry>& accounts,
      absl::string_view default_account_sid);

  CredentialSnapshot(const CredentialSnapshot&) = delete;
  CredentialSnapshot& operator=(const CredentialSnapshot&) = delete;

  // The credential to act on `account_sid`; an empty `account_sid` means the
  // default account. A subaccount gets its parent's user and header with
  // its own `account_sid`.
  //
  // Fails with:
  //   FAILED_PRECONDITION  `account_sid` is empty and no default account is
  //                        configured.
  //   INVALID_ARGUMENT     `account_sid` is not "AC" + 32 hex digits (it is
  //                        not quoted, in case a caller put a secret there).
  //   PERMISSION_DENIED    the gateway holds no credentials for the account;
  //                        the message names it.
  absl::StatusOr<AccountCredential> Resolve(
      absl::string_view account_sid) const;

  // The default account's SID as configured, or "" when there is none.
  std::string default_account_sid() const { return default_account_sid_; }

  // How many accounts Resolve accepts, subaccounts included.
  std::size_t account_count() const { return account_sids_.size(); }

  // The SIDs Resolve accepts, sorted, as configured; for startup logs (SIDs
  // are not secret).
  const std::vector<std::string>& account_sids() const { return account_sids_; }

 private:
  CredentialSnapshot() = default;

  // Keyed by the SID with lower-case hex digits, so that a caller's spelling
  // does not matter; the values keep the configured spelling.
  absl::flat_hash_map<std::string, AccountCredential> by_account_;
  std::string default_account_sid_;
  std::vector<std::string> account_sids_;
};

// Holds the current snapshot and lets a reload swap it while RPCs run.
// Thread-safe.
class CredentialStore {
 public:
  // Starts with an empty snapshot.
  CredentialStore();
  // Starts with `initial`; a null `initial` counts as an empty snapshot.
  explicit CredentialStore(std::shared_ptr<const CredentialSnapshot> initial);

  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

  // The snapshot in force; never null. An RPC keeps using the snapshot it
  // got even if Replace runs meanwhile, so one call never mixes two.
  std::shared_ptr<const CredentialSnapshot> Current() const;

  // Makes `next` the snapshot later Current() calls return. A null `next`
  // means "no credentials" and installs an empty snapshot. The old snapshot
  // is freed when its last user lets go of it.
  void Replace(std::shared_ptr<const CredentialSnapshot> next);

 private:
  // std::mutex rather than absl::Mutex: Debian's Abseil is built without
  // ThreadSanitizer annotations, so TSan cannot see absl::Mutex and reports
  // false races on `current_`; it does see std::mutex. The lock only guards
  // a pointer copy, so a reader-writer lock would buy nothing.
  mutable std::mutex mu_;
  std::shared_ptr<const CredentialSnapshot> current_;  // Guarded by mu_.
};

}  // namespace twilio_gateway::credentials

#endif  // SERVICE_CREDENTIALS_CREDENTIAL_STORE_H_
