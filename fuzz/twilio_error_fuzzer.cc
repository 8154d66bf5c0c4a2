// Twilio's error answers come from the network and end up in the caller's
// error message and in logs. Whatever the body, TwilioErrorToStatus returns
// an error whose message holds no control characters (no forged log lines)
// and carries the GatewayError payload.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "service/twilio/twilio_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes pick the HTTP status, the rest is the body.
  const int http_status = 100 + ((data[0] << 8 | data[1]) % 500);
  const absl::string_view body(reinterpret_cast<const char*>(data + 2),
                               size - 2);
  const absl::Status status = twilio_gateway::twilio::TwilioErrorToStatus(
      http_status, body, "RQ00000000000000000000000000000001",
      "fetch mapping CL0123456789abcdef0123456789abcdef");
  if (status.ok()) __builtin_trap();
  for (unsigned char c : status.message()) {
    if (c < 0x20 || c == 0x7f) __builtin_trap();
  }
  if (!twilio_gateway::twilio::GetGatewayError(status).has_value()) {
    __builtin_trap();
  }

  // The same cleaning serves every other piece of text from the network.
  const std::string clean =
      twilio_gateway::twilio::SanitizeUntrustedText(body, 64);
  if (clean.size() > 64 + 3) __builtin_trap();
  for (unsigned char c : clean) {
    if (c < 0x20 || c == 0x7f) __builtin_trap();
  }
  return 0;
}
