#include "service/credentials/credentials_file.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "service/common/config_file.h"

namespace twilio_gateway::credentials {
namespace {

using ::nlohmann::json;

constexpr char kAccountSidKey[] = "account_sid";
constexpr char kAuthTokenKey[] = "auth_token";
constexpr char kApiKeySidKey[] = "api_key_sid";
constexpr char kApiKeySecretKey[] = "api_key_secret";
constexpr char kParentAccountSidKey[] = "parent_account_sid";

constexpr char kNoCredentials[] =
    "no Twilio credentials configured: set TWILIO_ACCOUNT_SID and "
    "TWILIO_AUTH_TOKEN, or --credentials_file";

// A key is quoted in an error only when it looks like a field name: in a
// secrets file, a string in the wrong place may be a secret, and random
// secrets always carry digits or capitals.
bool LooksLikeFieldName(const std::string& key) {
  return !key.empty() && key.size() <= 40 &&
         std::all_of(key.begin(), key.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

std::string DescribeKey(const std::string& key) {
  if (LooksLikeFieldName(key)) return absl::StrCat("\"", key, "\"");
  return "(not quoted: it does not look like a field name)";
}

// Finds a key given twice in one object, which nlohmann::json would
// otherwise resolve silently by keeping the last value. Fed by the parser
// callback, it tracks where the parser is so that the report can say which
// object repeats the key.
class DuplicateKeyFinder {
 public:
  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        AdvanceArrayIndex();
        frames_.push_back(
            Frame{event == json::parse_event_t::object_start, {}, "", 0});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case json::parse_event_t::value:
        AdvanceArrayIndex();
        break;
      case json::parse_event_t::key:
        OnKey(parsed.is_string() ? parsed.get_ref<const std::string&>()
                                 : std::string());
        break;
    }
    // Never discard anything: the callback only watches.
    return true;
  }

  // Empty when no object repeats a key; otherwise the first such report.
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    bool is_object;
    absl::flat_hash_set<std::string> keys;
    std::string last_key;    // In an object: the key being read.
    std::size_t next_index;  // In an array: the element being read.
  };

  void AdvanceArrayIndex() {
    if (!frames_.empty() && !frames_.back().is_object) {
      ++frames_.back().next_index;
    }
  }

  void OnKey(const std::string& key) {
    if (frames_.empty() || !frames_.back().is_object) return;
    Frame& frame = frames_.back();
    frame.last_key = key;
    if (frame.keys.insert(key).second || !error_.empty()) return;
    std::string where = Path();
    error_ = absl::StrCat(where.empty() ? "the top-level object" : where,
                          " gives the key ", DescribeKey(key), " twice");
  }

  // The path of the innermost object, as "accounts[1]"; "" for the top.
  std::string Path() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      if (frame.is_object) {
        absl::StrAppend(
            &path, path.empty() ? "" : ".",
            LooksLikeFieldName(frame.last_key) ? frame.last_key : "<key>");
      } else {
        // The element index was advanced when the element started.
        absl::StrAppend(&path, "[", frame.next_index - 1, "]");
      }
    }
    return path;
  }

  std::vector<Frame> frames_;
  std::string error_;
};

// nlohmann's parse_error text quotes the input near the error, which may be
// a secret; only the position is kept.
std::string SyntaxErrorPosition(absl::string_view text, std::size_t byte) {
  // `byte` counts from 1 and may point one past the end at end of input.
  std::size_t offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return absl::StrCat("line ", line, ", column ", offset - line_start + 1);
}

absl::StatusOr<AccountEntry> ParseAccount(const json& value,
                                          std::size_t index) {
  std::string where = absl::StrCat("accounts[", index, "]");
  if (!value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must be a JSON object"));
  }

  std::optional<std::string> account_sid;
  std::optional<std::string> auth_token;
  std::optional<std::string> api_key_sid;
  std::optional<std::string> api_key_secret;
  std::optional<std::string> parent_account_sid;
  for (const auto& [key, field] : value.items()) {
    std::optional<std::string>* slot = nullptr;
    if (key == kAccountSidKey) slot = &account_sid;
    if (key == kAuthTokenKey) slot = &auth_token;
    if (key == kApiKeySidKey) slot = &api_key_sid;
    if (key == kApiKeySecretKey) slot = &api_key_secret;
    if (key == kParentAccountSidKey) slot = &parent_account_sid;
    if (slot == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " has an unknown key ", DescribeKey(key), "; expected ",
          kAccountSidKey, " and one of ", kAuthTokenKey, ", ", kApiKeySidKey,
          " with ", kApiKeySecretKey, ", or ", kParentAccountSidKey));
    }
    if (!field.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".", key, " must be a string"));
    }
    *slot = field.get<std::string>();
  }

  if (!account_sid) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".", kAccountSidKey, " is missing"));
  }
  bool has_token = auth_token.has_value();
  bool has_key = api_key_sid.has_value() || api_key_secret.has_value();
  bool has_parent = parent_account_sid.has_value();
  int kinds = int{has_token} + int{has_key} + int{has_parent};
  if (kinds == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " has no credential: give ", kAuthTokenKey, ", ", kApiKeySidKey,
        " with ", kApiKeySecretKey, ", or ", kParentAccountSidKey));
  }
  if (kinds > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " gives more than one kind of credential; give exactly one of ",
        kAuthTokenKey, ", ", kApiKeySidKey, " with ", kApiKeySecretKey, ", or ",
        kParentAccountSidKey));
  }

  if (has_token) {
    return AccountEntry::AuthToken(std::move(*account_sid),
                                   std::move(*auth_token));
  }
  if (has_parent) {
    return AccountEntry::Subaccount(std::move(*account_sid),
                                    std::move(*parent_account_sid));
  }
  if (!api_key_sid) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".", kApiKeySidKey, " is missing (",
                     kApiKeySecretKey, " needs it)"));
  }
  if (!api_key_secret) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".", kApiKeySecretKey, " is missing (",
                     kApiKeySidKey, " needs it)"));
  }
  return AccountEntry::ApiKey(std::move(*account_sid), std::move(*api_key_sid),
                              std::move(*api_key_secret));
}

absl::StatusOr<CredentialsFile> ParseDocument(const json& root) {
  if (!root.is_object()) {
    return absl::InvalidArgumentError("the top level must be a JSON object");
  }

  CredentialsFile file;
  const json* accounts = nullptr;
  for (const auto& [key, value] : root.items()) {
    if (key == "default_account_sid") {
      if (!value.is_string()) {
        return absl::InvalidArgumentError(
            "default_account_sid must be a string");
      }
      file.default_account_sid = value.get<std::string>();
      if (file.default_account_sid.empty()) {
        return absl::InvalidArgumentError(
            "default_account_sid is empty; leave it out for no default");
      }
    } else if (key == "accounts") {
      if (!value.is_array()) {
        return absl::InvalidArgumentError("accounts must be a JSON array");
      }
      accounts = &value;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("the top level has an unknown key ", DescribeKey(key),
                       "; expected accounts and default_account_sid"));
    }
  }

  if (accounts == nullptr) {
    return absl::InvalidArgumentError("accounts is missing");
  }
  if (accounts->empty()) {
    return absl::InvalidArgumentError("accounts is empty");
  }
  for (std::size_t i = 0; i < accounts->size(); ++i) {
    absl::StatusOr<AccountEntry> entry = ParseAccount((*accounts)[i], i);
    if (!entry.ok()) return entry.status();
    file.accounts.push_back(*std::move(entry));
  }

  absl::Status status =
      ValidateAccountEntries(file.accounts, file.default_account_sid);
  if (!status.ok()) return status;
  return file;
}

// Reads the account the environment gives, if any (rules in the header).
absl::StatusOr<std::optional<AccountEntry>> FromEnvironment(
    const std::function<const char*(const char*)>& getenv) {
  auto get = [&getenv](const char* name) -> std::string {
    const char* value = getenv(name);
    return value == nullptr ? std::string() : std::string(value);
  };
  std::string account_sid = get("TWILIO_ACCOUNT_SID");
  std::string auth_token = get("TWILIO_AUTH_TOKEN");
  std::string api_key = get("TWILIO_API_KEY");
  std::string api_secret = get("TWILIO_API_SECRET");

  if (account_sid.empty()) {
    const char* orphan = !auth_token.empty()   ? "TWILIO_AUTH_TOKEN"
                         : !api_key.empty()    ? "TWILIO_API_KEY"
                         : !api_secret.empty() ? "TWILIO_API_SECRET"
                                               : nullptr;
    if (orphan == nullptr) return std::optional<AccountEntry>();
    return absl::InvalidArgumentError(
        absl::StrCat(orphan, " is set but TWILIO_ACCOUNT_SID is not"));
  }
  if (!api_key.empty() && api_secret.empty()) {
    return absl::InvalidArgumentError(
        "TWILIO_API_KEY is set but TWILIO_API_SECRET is not");
  }
  if (api_key.empty() && !api_secret.empty()) {
    return absl::InvalidArgumentError(
        "TWILIO_API_SECRET is set but TWILIO_API_KEY is not");
  }
  if (api_key.empty() && auth_token.empty()) {
    return absl::InvalidArgumentError(
        "TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor "
        "TWILIO_API_KEY with TWILIO_API_SECRET is");
  }
  if (!IsAccountSid(account_sid)) {
    return absl::InvalidArgumentError(
        "TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hex "
        "digits)");
  }

  if (!api_key.empty()) {
    if (!IsApiKeySid(api_key)) {
      return absl::InvalidArgumentError(
          "TWILIO_API_KEY is not an API key SID (SK followed by 32 hex "
          "digits)");
    }
    absl::Status status = ValidateSecret(api_secret, "TWILIO_API_SECRET");
    if (!status.ok()) return status;
    return std::optional<AccountEntry>(AccountEntry::ApiKey(
        std::move(account_sid), std::move(api_key), std::move(api_secret)));
  }
  absl::Status status = ValidateSecret(auth_token, "TWILIO_AUTH_TOKEN");
  if (!status.ok()) return status;
  return std::optional<AccountEntry>(
      AccountEntry::AuthToken(std::move(account_sid), std::move(auth_token)));
}

}  // namespace

absl::StatusOr<CredentialsFile> ParseCredentialsFile(absl::string_view text) {
  DuplicateKeyFinder duplicates;
  json root;
  try {
    root = json::parse(
        text.begin(), text.end(),
        [&duplicates](int /*depth*/, json::parse_event_t event, json& parsed) {
          return duplicates.OnEvent(event, parsed);
        });
  } catch (const json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (syntax error at ",
                     SyntaxErrorPosition(text, e.byte), ")"));
  } catch (const json::exception&) {
    return absl::InvalidArgumentError("not valid JSON");
  }
  if (!duplicates.error().empty()) {
    return absl::InvalidArgumentError(duplicates.error());
  }

  // The document is well-formed and every access below checks its type
  // first; the handler is a second line of defence, so no exception escapes.
  try {
    return ParseDocument(root);
  } catch (const json::exception&) {
    return absl::InvalidArgumentError("the file has an unexpected structure");
  }
}

absl::StatusOr<CredentialsFile> ReadCredentialsFile(const std::string& path) {
  std::string prefix = absl::StrCat("credentials file ", path, ": ");

  absl::StatusOr<std::string> contents =
      ReadConfigFile(path, FileAccess::kOwnerAndGroupOnly);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat(prefix, contents.status().message()));
  }

  absl::StatusOr<CredentialsFile> file = ParseCredentialsFile(*contents);
  if (!file.ok()) {
    return absl::Status(file.status().code(),
                        absl::StrCat(prefix, file.status().message()));
  }
  return file;
}

absl::StatusOr<std::shared_ptr<const CredentialSnapshot>> LoadCredentials(
    const CredentialSources& sources) {
  std::optional<CredentialsFile> file;
  if (!sources.file_path.empty()) {
    absl::StatusOr<CredentialsFile> read =
        ReadCredentialsFile(sources.file_path);
    if (!read.ok()) return read.status();
    file = *std::move(read);
  }

  std::optional<AccountEntry> env;
  if (sources.getenv) {
    absl::StatusOr<std::optional<AccountEntry>> from_env =
        FromEnvironment(sources.getenv);
    if (!from_env.ok()) return from_env.status();
    env = *std::move(from_env);
  }

  if (!file && !env) return absl::FailedPreconditionError(kNoCredentials);

  std::vector<AccountEntry> accounts;
  std::string default_account_sid;
  if (file) {
    accounts = std::move(file->accounts);
    default_account_sid = std::move(file->default_account_sid);
  }
  if (env) {
    // Both SIDs are validated, so comparing without case is comparing the
    // canonical forms.
    bool in_file = std::any_of(
        accounts.begin(), accounts.end(), [&env](const AccountEntry& entry) {
          return absl::EqualsIgnoreCase(entry.account_sid, env->account_sid);
        });
    if (default_account_sid.empty()) default_account_sid = env->account_sid;
    if (!in_file) accounts.push_back(*std::move(env));
  }
  return CredentialSnapshot::Create(accounts, default_account_sid);
}

}  // namespace twilio_gateway::credentials
