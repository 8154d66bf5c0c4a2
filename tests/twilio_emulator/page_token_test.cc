#include "tests/twilio_emulator/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace twilio_gateway {
namespace testing {
namespace {

constexpr char kSid[] = "CL0123456789abcdef0123456789ABCDEF";

TEST(PageTokenTest, RoundTripsBothDirections) {
  for (PageToken::Direction direction :
       {PageToken::Direction::kAfter, PageToken::Direction::kBefore}) {
    const std::string text = EncodePageToken(PageToken{direction, kSid});
    absl::StatusOr<PageToken> decoded = DecodePageToken(text);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->direction, direction);
    EXPECT_EQ(decoded->sid, kSid);
  }
}

TEST(PageTokenTest, AlwaysNeedsEscapingInAUri) {
  for (PageToken::Direction direction :
       {PageToken::Direction::kAfter, PageToken::Direction::kBefore}) {
    const std::string text = EncodePageToken(PageToken{direction, kSid});
    EXPECT_EQ(text.substr(0, 2), "PT");
    EXPECT_NE(text.find('+'), std::string::npos) << text;
    EXPECT_NE(text.find('/'), std::string::npos) << text;
    EXPECT_NE(text.find('='), std::string::npos) << text;
  }
}

TEST(PageTokenTest, RejectsAnythingNotIssued) {
  const std::string good =
      EncodePageToken(PageToken{PageToken::Direction::kAfter, kSid});
  std::string space_for_plus = good;
  space_for_plus[space_for_plus.find('+')] = ' ';
  const std::string body = good.substr(2);
  for (const std::string& bad : {
           std::string(),
           std::string("PT"),
           good.substr(2),                   // no prefix
           good.substr(0, good.size() - 1),  // padding cut
           good + "=",                       // extra padding
           good + "A",                       // trailing data
           space_for_plus,                   // '+' decoded as space
           std::string("PT") + absl::WebSafeBase64Escape(body),
           absl::StrCat("PT", absl::Base64Escape(absl::StrCat(
                                  "\xFB\xFF\xBF", "after:", "CL123"))),
           absl::StrCat("PT", absl::Base64Escape(absl::StrCat(
                                  "\xFB\xFF\xBF", "sideways:", kSid))),
           absl::StrCat("PT", absl::Base64Escape(absl::StrCat("after:", kSid))),
       }) {
    EXPECT_FALSE(DecodePageToken(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace testing
}  // namespace twilio_gateway
