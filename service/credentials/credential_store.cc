#include "service/credentials/credential_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace twilio_gateway::credentials {
namespace {

constexpr std::size_t kSidHexDigits = 32;

bool HasSidShape(absl::string_view sid, absl::string_view prefix) {
  if (sid.size() != prefix.size() + kSidHexDigits) return false;
  if (sid.substr(0, prefix.size()) != prefix) return false;
  return std::all_of(sid.begin() + prefix.size(), sid.end(),
                     [](char c) { return absl::ascii_isxdigit(c); });
}

// Twilio issues SIDs with lower-case hex digits; folding them lets a caller
// or an operator write either case and still name the same account.
std::string CanonicalSid(absl::string_view sid) {
  return absl::StrCat(sid.substr(0, 2), absl::AsciiStrToLower(sid.substr(2)));
}

std::string BasicAuthorization(absl::string_view user,
                               absl::string_view secret) {
  return absl::StrCat("Basic ",
                      absl::Base64Escape(absl::StrCat(user, ":", secret)));
}

std::string Where(std::size_t index, absl::string_view field) {
  return absl::StrCat("accounts[", index, "].", field);
}

// Checks what one entry can get wrong on its own.
absl::Status ValidateEntry(const AccountEntry& entry, std::size_t index) {
  if (!IsAccountSid(entry.account_sid)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(index, "account_sid"),
                     " is not an account SID (AC followed by 32 hex digits)"));
  }

  switch (entry.kind) {
    case AccountEntry::Kind::kAuthToken:
      if (!entry.api_key_sid.empty() || !entry.parent_account_sid.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "accounts[", index, "] holds an auth token and another kind"));
      }
      return ValidateSecret(entry.secret, Where(index, "auth_token"));

    case AccountEntry::Kind::kApiKey:
      if (!entry.parent_account_sid.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "accounts[", index, "] holds an API key and another kind"));
      }
      if (!IsApiKeySid(entry.api_key_sid)) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(index, "api_key_sid"),
            " is not an API key SID (SK followed by 32 hex digits)"));
      }
      return ValidateSecret(entry.secret, Where(index, "api_key_secret"));

    case AccountEntry::Kind::kSubaccount:
      if (!entry.secret.empty() || !entry.api_key_sid.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "accounts[", index,
            "] is a subaccount and must not hold credentials of its own"));
      }
      if (!IsAccountSid(entry.parent_account_sid)) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(index, "parent_account_sid"),
            " is not an account SID (AC followed by 32 hex digits)"));
      }
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("accounts[", index, "] has an unknown kind"));
}

}  // namespace

AccountEntry AccountEntry::AuthToken(std::string account_sid,
                                     std::string auth_token) {
  AccountEntry entry;
  entry.kind = Kind::kAuthToken;
  entry.account_sid = std::move(account_sid);
  entry.secret = std::move(auth_token);
  return entry;
}

AccountEntry AccountEntry::ApiKey(std::string account_sid,
                                  std::string api_key_sid,
                                  std::string api_key_secret) {
  AccountEntry entry;
  entry.kind = Kind::kApiKey;
  entry.account_sid = std::move(account_sid);
  entry.api_key_sid = std::move(api_key_sid);
  entry.secret = std::move(api_key_secret);
  return entry;
}

AccountEntry AccountEntry::Subaccount(std::string account_sid,
                                      std::string parent_account_sid) {
  AccountEntry entry;
  entry.kind = Kind::kSubaccount;
  entry.account_sid = std::move(account_sid);
  entry.parent_account_sid = std::move(parent_account_sid);
  return entry;
}

bool IsAccountSid(absl::string_view sid) { return HasSidShape(sid, "AC"); }

bool IsApiKeySid(absl::string_view sid) { return HasSidShape(sid, "SK"); }

absl::Status ValidateSecret(absl::string_view secret, absl::string_view name) {
  if (secret.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
  }
  // Bytes up to the space and DEL; UTF-8 beyond ASCII is left alone.
  bool clean = std::none_of(secret.begin(), secret.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
  if (!clean) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " contains whitespace or control characters (a trailing ",
        "newline is the usual cause)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAccountEntries(const std::vector<AccountEntry>& accounts,
                                    absl::string_view default_account_sid) {
  // Canonical SID -> index of the entry that lists it.
  absl::flat_hash_map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    absl::Status status = ValidateEntry(accounts[i], i);
    if (!status.ok()) return status;
    auto [it, inserted] =
        index_of.emplace(CanonicalSid(accounts[i].account_sid), i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(i, "account_sid"), " ", accounts[i].account_sid,
                       " is already listed as accounts[", it->second, "]"));
    }
  }

  // Parents are checked once every account is known, so the order of the
  // entries does not matter.
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const AccountEntry& entry = accounts[i];
    if (entry.kind != AccountEntry::Kind::kSubaccount) continue;
    std::string where = Where(i, "parent_account_sid");
    auto parent = index_of.find(CanonicalSid(entry.parent_account_sid));
    if (parent == index_of.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " ", entry.parent_account_sid, " is not among the accounts"));
    }
    if (parent->second == i) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " names the account itself"));
    }
    if (accounts[parent->second].kind == AccountEntry::Kind::kSubaccount) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " ", entry.parent_account_sid, " is accounts[", parent->second,
          "], itself a subaccount; a parent must hold its own credentials"));
    }
  }

  if (default_account_sid.empty()) return absl::OkStatus();
  if (!IsAccountSid(default_account_sid)) {
    return absl::InvalidArgumentError(
        "default_account_sid is not an account SID (AC followed by 32 hex "
        "digits)");
  }
  if (!index_of.contains(CanonicalSid(default_account_sid))) {
    return absl::InvalidArgumentError(
        absl::StrCat("default_account_sid ", default_account_sid,
                     " is not among the accounts"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const CredentialSnapshot>>
CredentialSnapshot::Create(const std::vector<AccountEntry>& accounts,
                           absl::string_view default_account_sid) {
  absl::Status status = ValidateAccountEntries(accounts, default_account_sid);
  if (!status.ok()) return status;

  // The constructor is private, so std::make_shared cannot reach it.
  std::shared_ptr<CredentialSnapshot> snapshot(new CredentialSnapshot());

  // Accounts with their own credentials first, so that every parent is in
  // the map when its subaccounts copy from it.
  for (const AccountEntry& entry : accounts) {
    if (entry.kind == AccountEntry::Kind::kSubaccount) continue;
    AccountCredential credential;
    credential.account_sid = entry.account_sid;
    credential.username = entry.kind == AccountEntry::Kind::kApiKey
                              ? entry.api_key_sid
                              : entry.account_sid;
    credential.authorization_header =
        BasicAuthorization(credential.username, entry.secret);
    snapshot->by_account_.emplace(CanonicalSid(entry.account_sid),
                                  std::move(credential));
  }
  for (const AccountEntry& entry : accounts) {
    if (entry.kind != AccountEntry::Kind::kSubaccount) continue;
    AccountCredential credential =
        snapshot->by_account_.at(CanonicalSid(entry.parent_account_sid));
    credential.account_sid = entry.account_sid;
    snapshot->by_account_.emplace(CanonicalSid(entry.account_sid),
                                  std::move(credential));
  }

  if (!default_account_sid.empty()) {
    snapshot->default_account_sid_ =
        snapshot->by_account_.at(CanonicalSid(default_account_sid)).account_sid;
  }
  for (const AccountEntry& entry : accounts) {
    snapshot->account_sids_.push_back(entry.account_sid);
  }
  std::sort(snapshot->account_sids_.begin(), snapshot->account_sids_.end());
  return std::shared_ptr<const CredentialSnapshot>(std::move(snapshot));
}

absl::StatusOr<AccountCredential> CredentialSnapshot::Resolve(
    absl::string_view account_sid) const {
  if (account_sid.empty()) {
    if (default_account_sid_.empty()) {
      return absl::FailedPreconditionError(
          "no account_sid given and no default account is configured");
    }
    account_sid = default_account_sid_;
  }
  if (!IsAccountSid(account_sid)) {
    return absl::InvalidArgumentError(
        "account_sid is not an account SID (AC followed by 32 hex digits)");
  }

  auto it = by_account_.find(CanonicalSid(account_sid));
  if (it == by_account_.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the gateway holds no Twilio credentials for account ", account_sid));
  }
  return it->second;
}

CredentialStore::CredentialStore() : CredentialStore(nullptr) {}

CredentialStore::CredentialStore(
    std::shared_ptr<const CredentialSnapshot> initial) {
  Replace(std::move(initial));
}

std::shared_ptr<const CredentialSnapshot> CredentialStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void CredentialStore::Replace(std::shared_ptr<const CredentialSnapshot> next) {
  if (next == nullptr) {
    // An empty list cannot fail validation.
    next = *CredentialSnapshot::Create({}, "");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(next);
  }
  // `next` now holds the old snapshot; if this was its last user, it is
  // destroyed here, outside the lock, so readers never wait for that.
}

}  // namespace twilio_gateway::credentials
