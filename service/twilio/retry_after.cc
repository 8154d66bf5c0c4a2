#include "service/twilio/retry_after.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "service/twilio/rfc2822_date.h"

namespace twilio_gateway::twilio {

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now,
                                              absl::Duration cap) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;

  if (absl::ascii_isdigit(static_cast<unsigned char>(value.front()))) {
    // Only digits: SimpleAtoi alone would also take "+5" or "5 ".
    for (char c : value) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
    }
    uint64_t seconds = 0;
    // Too many digits for 64 bits is still "a very long time".
    if (!absl::SimpleAtoi(value, &seconds)) return cap;
    if (seconds > static_cast<uint64_t>(absl::ToInt64Seconds(cap))) return cap;
    return std::min(cap, absl::Seconds(static_cast<int64_t>(seconds)));
  }

  // An HTTP date is the RFC 2822 form with the zone "GMT".
  absl::StatusOr<absl::Time> when = ParseRfc2822Date(value);
  if (!when.ok()) return std::nullopt;
  return std::clamp(*when - now, absl::ZeroDuration(), cap);
}

}  // namespace twilio_gateway::twilio
