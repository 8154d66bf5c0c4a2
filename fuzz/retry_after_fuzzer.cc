// Retry-After comes from the network and decides how long a call waits.
// Whatever the value, ParseRetryAfter never crashes and never returns a
// wait below zero or above its cap.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "service/twilio/retry_after.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  const absl::Duration cap = absl::Seconds(30);
  const std::optional<absl::Duration> wait =
      twilio_gateway::twilio::ParseRetryAfter(
          value, absl::FromUnixSeconds(1438286400), cap);
  if (wait.has_value() && (*wait < absl::ZeroDuration() || *wait > cap)) {
    __builtin_trap();
  }
  return 0;
}
