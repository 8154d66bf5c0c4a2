#include "tests/twilio_emulator/basic_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace twilio_gateway {
namespace testing {

AuthResult CheckBasicAuth(const std::string* header,
                          const std::vector<EmulatorCredential>& accepted) {
  if (header == nullptr) return AuthResult::kMissing;

  absl::string_view value = absl::StripAsciiWhitespace(*header);
  constexpr absl::string_view kScheme = "Basic ";
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  if (!absl::StartsWithIgnoreCase(value, kScheme)) return AuthResult::kMissing;
  value.remove_prefix(kScheme.size());
  value = absl::StripLeadingAsciiWhitespace(value);

  std::string decoded;
  if (!absl::Base64Unescape(value, &decoded)) return AuthResult::kRejected;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return AuthResult::kRejected;
  const absl::string_view username(decoded.data(), colon);
  const absl::string_view password =
      absl::string_view(decoded).substr(colon + 1);

  for (const EmulatorCredential& credential : accepted) {
    if (credential.username == username && credential.password == password) {
      return AuthResult::kAccepted;
    }
  }
  return AuthResult::kRejected;
}

}  // namespace testing
}  // namespace twilio_gateway
