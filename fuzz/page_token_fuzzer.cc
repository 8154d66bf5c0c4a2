// Page tokens come from callers, and the links they are made of from
// Twilio. Neither may crash the gateway, and a token must only ever name a
// query of the collection it was issued for.
//
// The input's first byte picks the direction: decode it as a caller's token,
// or take it as Twilio's next_page_uri (relative to the collection) and
// check that what EncodePageToken accepts decodes back byte for byte.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/api/page_token.h"
#include "service/twilio/rest_paths.h"

namespace {

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kOtherDomain[] = "SD22222222222222222222222222222222";
constexpr char kBase[] = "https://api.twilio.com";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data + 1),
                               size - 1);
  using twilio_gateway::api::DecodePageToken;
  using twilio_gateway::api::EncodePageToken;

  if (data[0] & 1) {
    const absl::StatusOr<std::string> query =
        DecodePageToken(rest, kAccount, kDomain);
    if (query.ok() && query->find('#') != std::string::npos) __builtin_trap();
    return 0;
  }
  // Twilio's link: the collection path followed by whatever the input says.
  const std::string uri = absl::StrCat(
      twilio_gateway::twilio::MappingCollectionJsonPath(kAccount, kDomain),
      rest);
  const absl::StatusOr<std::string> token =
      EncodePageToken(kAccount, kDomain, kBase, uri);
  if (!token.ok()) return 0;
  const absl::StatusOr<std::string> query =
      DecodePageToken(*token, kAccount, kDomain);
  if (!query.ok()) __builtin_trap();
  if (absl::StrCat("?", *query) != rest) __builtin_trap();
  // Bound to its domain: another one must be refused.
  if (DecodePageToken(*token, kAccount, kOtherDomain).ok()) __builtin_trap();
  return 0;
}
