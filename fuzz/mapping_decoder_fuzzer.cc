// Twilio's JSON for one mapping (the answer of a create or a fetch) comes
// from the network: whatever it holds, DecodeMapping must return a Status,
// never crash, and leave its output alone when it fails.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "service/twilio/mapping_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  twilio_gateway::sip::v1::CredentialListMapping mapping;
  mapping.set_sid("untouched");
  std::vector<std::string> warnings;
  const absl::Status status = twilio_gateway::twilio::DecodeMapping(
      body, "SD0123456789abcdef0123456789abcdef", &mapping, &warnings);
  if (!status.ok() && mapping.sid() != "untouched") __builtin_trap();
  return 0;
}
