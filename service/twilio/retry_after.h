#ifndef SERVICE_TWILIO_RETRY_AFTER_H_
#define SERVICE_TWILIO_RETRY_AFTER_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::twilio {

// Reads an HTTP `Retry-After` value (RFC 9110 section 10.2.3) received at
// `now`: either delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015
// 07:28:00 GMT"). Returns how long to wait from `now`, never negative (a
// date in the past means "at once"), and at most `cap`, so a hostile or
// broken value cannot park a call.
//
// Returns nullopt for an empty or unreadable value; the caller then falls
// back to its own backoff.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now,
                                              absl::Duration cap);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_RETRY_AFTER_H_
