#ifndef SERVICE_TWILIO_TWILIO_ERROR_H_
#define SERVICE_TWILIO_TWILIO_ERROR_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "twilio_gateway/internal/v1/gateway_error.pb.h"

namespace twilio_gateway::twilio {

// Turns an HTTP answer from Twilio that is not a success into a Status.
//
// `body` is Twilio's error JSON (`code`, `message`, `more_info`, `status`);
// a body that is empty or not such JSON still yields an error for the HTTP
// status alone. `operation` names what the gateway was doing, such as
// "fetch mapping CL…", and starts the message. The code follows the gateway's
// error table:
//
//   400 -> INVALID_ARGUMENT, or ALREADY_EXISTS when Twilio says the list is
//          already mapped (code 21231, or a message saying so)
//   401 -> FAILED_PRECONDITION (the gateway's own credentials were refused)
//   403 -> PERMISSION_DENIED     404 -> NOT_FOUND      409 -> ABORTED
//   429 -> RESOURCE_EXHAUSTED    5xx -> UNAVAILABLE
//   3xx and any other status -> INTERNAL (the gateway never follows
//   redirects, and other answers mean the request itself was wrong)
//
// The message reads "<operation>: Twilio answered HTTP <status> with error
// <code>: <Twilio's message> (Twilio-Request-Id <id>)", leaving out what
// Twilio did not give. Twilio's message is cleaned of control characters and
// cut short, since it comes from the network and ends up in logs and in the
// caller's error.
//
// The Status carries a GatewayError payload (see SetGatewayError) whose
// `reason` is one of TWILIO_INVALID_REQUEST, TWILIO_ALREADY_MAPPED,
// TWILIO_CREDENTIALS_REJECTED, TWILIO_PERMISSION_DENIED, TWILIO_NOT_FOUND,
// TWILIO_CONFLICT, TWILIO_RATE_LIMITED, TWILIO_UNAVAILABLE or
// TWILIO_UNEXPECTED_STATUS, with Twilio's code, the HTTP status, `more_info`
// and `request_id`.
absl::Status TwilioErrorToStatus(int http_status, absl::string_view body,
                                 absl::string_view request_id,
                                 absl::string_view operation);

// Attaches `error` to `status` as its payload, under the type URL
// "type.googleapis.com/twilio_gateway.internal.v1.GatewayError"; replaces an
// earlier one. Does nothing to an OK status.
void SetGatewayError(absl::Status& status,
                     const twilio_gateway::internal::v1::GatewayError& error);

// The payload SetGatewayError attached, if any; nullopt as well when the
// payload under that type URL does not parse.
std::optional<twilio_gateway::internal::v1::GatewayError> GetGatewayError(
    const absl::Status& status);

// Returns `status` with its payload set to a GatewayError holding only
// `reason`; a shorthand for errors the gateway raises itself.
absl::Status WithReason(absl::Status status, absl::string_view reason);

// Makes text that came from the network safe to quote in a Status message or
// a log line: each run of control characters (C0, DEL, C1) becomes one
// space, bytes that are not UTF-8 become U+FFFD, surrounding white space is
// dropped, and the result is cut after at most `max_bytes` bytes, never
// inside a character, with "..." appended when it was cut.
std::string SanitizeUntrustedText(absl::string_view text,
                                  std::size_t max_bytes);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_TWILIO_ERROR_H_
