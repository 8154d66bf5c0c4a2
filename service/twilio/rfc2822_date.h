#ifndef SERVICE_TWILIO_RFC2822_DATE_H_
#define SERVICE_TWILIO_RFC2822_DATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::twilio {

// Parses an RFC 2822 date-time as Twilio writes it, for example
// "Thu, 30 Jul 2015 20:00:00 +0000". Accepts one- or two-digit days, any
// numeric zone offset ("+0530", "-0800"), the obsolete zone names "GMT",
// "UT" and "Z", and a missing weekday. A weekday that does not match the
// date is rejected, since it means the text is not what it claims to be.
//
// Fails with INVALID_ARGUMENT, naming what was wrong, for anything else.
absl::StatusOr<absl::Time> ParseRfc2822Date(absl::string_view text);

// Formats `time` in UTC the way Twilio does: "Thu, 30 Jul 2015 20:00:00
// +0000".
std::string FormatRfc2822Date(absl::Time time);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_RFC2822_DATE_H_
