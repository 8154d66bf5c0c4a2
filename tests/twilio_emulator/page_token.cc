#include "tests/twilio_emulator/page_token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tests/twilio_emulator/sid.h"

namespace twilio_gateway {
namespace testing {
namespace {

constexpr absl::string_view kTextPrefix = "PT";

// Every payload starts with these three bytes, which base64 encodes as
// "+/+/". Together with payload lengths that are never a multiple of three
// (so '=' padding always follows), each token holds all three characters
// that careless URL handling changes, and such a client fails on its first
// next page rather than by chance.
constexpr absl::string_view kMarker = "\xFB\xFF\xBF";

constexpr absl::string_view kAfter = "after:";
constexpr absl::string_view kBefore = "before:";

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid page token: ", why));
}

}  // namespace

std::string EncodePageToken(const PageToken& token) {
  const absl::string_view direction =
      token.direction == PageToken::Direction::kAfter ? kAfter : kBefore;
  return absl::StrCat(kTextPrefix, absl::Base64Escape(absl::StrCat(
                                       kMarker, direction, token.sid)));
}

absl::StatusOr<PageToken> DecodePageToken(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, kTextPrefix)) return Invalid("prefix");

  std::string payload;
  if (!absl::Base64Unescape(text, &payload)) return Invalid("not base64");
  // Base64Unescape tolerates missing padding and other variants; only the
  // exact text this emulator issued is accepted.
  if (absl::Base64Escape(payload) != text) return Invalid("not canonical");

  absl::string_view rest = payload;
  if (!absl::ConsumePrefix(&rest, kMarker)) return Invalid("marker");
  PageToken token;
  if (absl::ConsumePrefix(&rest, kAfter)) {
    token.direction = PageToken::Direction::kAfter;
  } else if (absl::ConsumePrefix(&rest, kBefore)) {
    token.direction = PageToken::Direction::kBefore;
  } else {
    return Invalid("direction");
  }
  if (!IsSid(rest, "CL")) return Invalid("sid");
  token.sid = std::string(rest);
  return token;
}

}  // namespace testing
}  // namespace twilio_gateway
