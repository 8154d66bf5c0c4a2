#ifndef TESTS_TWILIO_EMULATOR_SID_H_
#define TESTS_TWILIO_EMULATOR_SID_H_

#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {

/// True when `text` is a Twilio SID of the given two-letter type: the
/// prefix exactly as given, then 32 hex digits of either case (Twilio's
/// `^AC[0-9a-fA-F]{32}$` and its siblings).
bool IsSid(absl::string_view text, absl::string_view prefix);

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_SID_H_
