#include "tests/twilio_emulator/sid.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace twilio_gateway {
namespace testing {

bool IsSid(absl::string_view text, absl::string_view prefix) {
  constexpr size_t kHexDigits = 32;
  if (!absl::ConsumePrefix(&text, prefix)) return false;
  if (prefix.size() != 2 || text.size() != kHexDigits) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace testing
}  // namespace twilio_gateway
