#include "service/auth/access_policy.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/auth/caller.h"
#include "service/auth/strict_json.h"
#include "service/common/config_file.h"
#include "service/credentials/credential_store.h"

namespace twilio_gateway::auth {
namespace {

using ::nlohmann::json;

constexpr char kAnyone[] = "*";

// Twilio issues lower-case hex digits; folding lets the policy and callers
// spell a SID either way.
std::string CanonicalSid(absl::string_view sid) {
  return absl::StrCat(sid.substr(0, 2), absl::AsciiStrToLower(sid.substr(2)));
}

// Reads a non-empty array of strings at `where`.
absl::StatusOr<std::vector<std::string>> StringList(const json& value,
                                                    const std::string& where) {
  if (!value.is_array() || value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must be a non-empty array of strings"));
  }
  std::vector<std::string> out;
  for (const json& item : value) {
    if (!item.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " must be a non-empty array of strings"));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

absl::string_view OperationName(Operation operation) {
  return operation == Operation::kWrite ? "write" : "read";
}

absl::StatusOr<std::shared_ptr<const AccessPolicy>> AccessPolicy::Parse(
    absl::string_view text) {
  absl::StatusOr<json> grants = ParseListDocument(text, "grants");
  if (!grants.ok()) return grants.status();

  std::shared_ptr<AccessPolicy> policy(new AccessPolicy());
  std::size_t index = 0;
  for (const json& grant : *grants) {
    const std::string where = absl::StrCat("grants[", index, "]");
    if (!grant.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " must be an object"));
    }
    for (const auto& [key, value] : grant.items()) {
      if (key != "caller" && key != "accounts" && key != "operations") {
        return absl::InvalidArgumentError(absl::StrCat(
            where,
            " has an unknown key; allowed are \"caller\", \"accounts\" and "
            "\"operations\""));
      }
    }

    auto caller_it = grant.find("caller");
    if (caller_it == grant.end() || !caller_it->is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".caller must be a string"));
    }
    const std::string caller = caller_it->get<std::string>();
    if (caller != kAnyone) {
      absl::Status valid =
          ValidateCallerName(caller, absl::StrCat(where, ".caller"));
      if (!valid.ok()) return valid;
    }

    auto accounts_it = grant.find("accounts");
    if (accounts_it == grant.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".accounts is missing"));
    }
    absl::StatusOr<std::vector<std::string>> accounts =
        StringList(*accounts_it, absl::StrCat(where, ".accounts"));
    if (!accounts.ok()) return accounts.status();
    Access access;
    for (std::size_t i = 0; i < accounts->size(); ++i) {
      const std::string& account = (*accounts)[i];
      if (account == kAnyone) {
        access.any_account = true;
      } else if (credentials::IsAccountSid(account)) {
        access.accounts.insert(CanonicalSid(account));
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".accounts[", i,
                         "] is not an Account SID (AC followed by 32 hex "
                         "digits) or \"*\""));
      }
    }

    auto operations_it = grant.find("operations");
    if (operations_it == grant.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".operations is missing"));
    }
    absl::StatusOr<std::vector<std::string>> operations =
        StringList(*operations_it, absl::StrCat(where, ".operations"));
    if (!operations.ok()) return operations.status();
    CallerGrants& granted = policy->by_caller_[caller];
    for (std::size_t i = 0; i < operations->size(); ++i) {
      Access* target = nullptr;
      if ((*operations)[i] == "read") {
        target = &granted.read;
      } else if ((*operations)[i] == "write") {
        target = &granted.write;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".operations[", i, "] must be \"read\" or \"write\""));
      }
      target->any_account = target->any_account || access.any_account;
      target->accounts.insert(access.accounts.begin(), access.accounts.end());
    }
    ++policy->grant_count_;
    ++index;
  }
  return std::shared_ptr<const AccessPolicy>(std::move(policy));
}

absl::StatusOr<std::shared_ptr<const AccessPolicy>> AccessPolicy::Read(
    const std::string& path) {
  const std::string prefix = absl::StrCat("policy file ", path, ": ");
  absl::StatusOr<std::string> text = ReadConfigFile(path, FileAccess::kAnyMode);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(prefix, text.status().message()));
  }
  absl::StatusOr<std::shared_ptr<const AccessPolicy>> policy = Parse(*text);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(prefix, policy.status().message()));
  }
  return policy;
}

bool AccessPolicy::Covers(const Access& access, absl::string_view account_sid) {
  if (access.any_account) return true;
  if (!credentials::IsAccountSid(account_sid)) return false;
  return access.accounts.contains(CanonicalSid(account_sid));
}

bool AccessPolicy::Allows(absl::string_view caller, Operation operation,
                          absl::string_view account_sid) const {
  for (absl::string_view name : {caller, absl::string_view(kAnyone)}) {
    // An empty caller is no one; it must not pick up the grants of "*".
    if (caller.empty()) return false;
    auto it = by_caller_.find(name);
    if (it == by_caller_.end()) continue;
    const Access& access =
        operation == Operation::kWrite ? it->second.write : it->second.read;
    if (Covers(access, account_sid)) return true;
  }
  return false;
}

}  // namespace twilio_gateway::auth
