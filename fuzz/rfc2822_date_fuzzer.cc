// Twilio's date_created / date_updated. Whatever the text, ParseRfc2822Date
// returns a Status; a date it accepts formats and parses back to the same
// instant.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "service/twilio/rfc2822_date.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<absl::Time> parsed =
      twilio_gateway::twilio::ParseRfc2822Date(text);
  if (!parsed.ok()) return 0;
  const std::string formatted =
      twilio_gateway::twilio::FormatRfc2822Date(*parsed);
  const absl::StatusOr<absl::Time> again =
      twilio_gateway::twilio::ParseRfc2822Date(formatted);
  if (!again.ok() || *again != *parsed) __builtin_trap();
  return 0;
}
