#include "service/auth/caller_tokens.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/auth/caller.h"
#include "service/auth/strict_json.h"
#include "service/auth/token_hash.h"
#include "service/common/config_file.h"

namespace twilio_gateway::auth {
namespace {

using ::nlohmann::json;

bool IsSha256Hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CallerTokens>> CallerTokens::Parse(
    absl::string_view text) {
  absl::StatusOr<json> list = ParseListDocument(text, "tokens");
  if (!list.ok()) return list.status();

  std::shared_ptr<CallerTokens> tokens(new CallerTokens());
  std::size_t index = 0;
  for (const json& item : *list) {
    const std::string where = absl::StrCat("tokens[", index, "]");
    if (!item.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " must be an object"));
    }
    Entry entry;
    std::string hash;
    for (const auto& [key, value] : item.items()) {
      if (key == "caller") {
        if (!value.is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".caller must be a string"));
        }
        entry.caller = value.get<std::string>();
      } else if (key == "sha256") {
        if (!value.is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".sha256 must be a string"));
        }
        hash = value.get<std::string>();
      } else if (key == "revoked") {
        if (!value.is_boolean()) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".revoked must be true or false"));
        }
        entry.revoked = value.get<bool>();
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            where,
            " has an unknown key; allowed are \"caller\", \"sha256\" and "
            "\"revoked\""));
      }
    }
    if (absl::Status valid =
            ValidateCallerName(entry.caller, absl::StrCat(where, ".caller"));
        !valid.ok()) {
      return valid;
    }
    // A token pasted where its hash belongs is not quoted back.
    if (!IsSha256Hex(hash)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          ".sha256 is not 64 hex digits (store the token's SHA-256, never "
          "the token)"));
    }
    absl::AsciiStrToLower(&hash);
    if (!tokens->by_hash_.emplace(hash, std::move(entry)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".sha256 is listed twice"));
    }
    ++index;
  }
  return std::shared_ptr<const CallerTokens>(std::move(tokens));
}

absl::StatusOr<std::shared_ptr<const CallerTokens>> CallerTokens::Read(
    const std::string& path) {
  const std::string prefix = absl::StrCat("tokens file ", path, ": ");
  absl::StatusOr<std::string> text = ReadConfigFile(path, FileAccess::kAnyMode);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(prefix, text.status().message()));
  }
  absl::StatusOr<std::shared_ptr<const CallerTokens>> tokens = Parse(*text);
  if (!tokens.ok()) {
    return absl::Status(tokens.status().code(),
                        absl::StrCat(prefix, tokens.status().message()));
  }
  return tokens;
}

CallerTokens::Match CallerTokens::Find(absl::string_view token) const {
  Match match;
  if (token.empty()) return match;
  auto it = by_hash_.find(Sha256Hex(token));
  if (it == by_hash_.end()) return match;
  match.caller = it->second.caller;
  match.verdict = it->second.revoked ? Verdict::kRevoked : Verdict::kValid;
  return match;
}

}  // namespace twilio_gateway::auth
