#ifndef TESTS_TWILIO_EMULATOR_BASIC_AUTH_H_
#define TESTS_TWILIO_EMULATOR_BASIC_AUTH_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {

/// A username and password the emulator accepts: an Account SID (`AC…`)
/// with its auth token, or an API key SID (`SK…`) with its secret.
struct EmulatorCredential {
  std::string username;
  std::string password;
};

/// How an `Authorization` header compares with the accepted credentials.
enum class AuthResult {
  kAccepted,
  kMissing,   // no header, or not the Basic scheme
  kRejected,  // Basic, but malformed or not an accepted pair
};

/// Checks an `Authorization` header value (nullptr when the request had
/// none) against `accepted`, as HTTP Basic authentication (RFC 7617).
AuthResult CheckBasicAuth(const std::string* header,
                          const std::vector<EmulatorCredential>& accepted);

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_BASIC_AUTH_H_
