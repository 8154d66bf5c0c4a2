// One page of Twilio's list answer, from the network. Besides never
// crashing, a next_page_uri that DecodeMappingPage lets through must be a
// path under /2010-04-01/ of printable ASCII: the gateway appends it to the
// API host, so anything else could carry its credentials elsewhere.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "service/twilio/mapping_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  google::protobuf::RepeatedPtrField<
      twilio_gateway::sip::v1::CredentialListMapping>
      items;
  std::string next_page_uri = "untouched";
  std::vector<std::string> warnings;
  const absl::Status status = twilio_gateway::twilio::DecodeMappingPage(
      body, "SD0123456789abcdef0123456789abcdef", &items, &next_page_uri,
      &warnings);
  if (!status.ok()) {
    if (!items.empty() || next_page_uri != "untouched") __builtin_trap();
    return 0;
  }
  if (next_page_uri.empty()) return 0;
  if (!absl::StartsWith(next_page_uri, "/2010-04-01/")) __builtin_trap();
  for (char c : next_page_uri) {
    if (c <= 0x20 || c >= 0x7f) __builtin_trap();
  }
  return 0;
}
