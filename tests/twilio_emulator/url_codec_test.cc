#include "tests/twilio_emulator/url_codec.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway {
namespace testing {
namespace {

TEST(UrlCodecTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a+b/c=d e%"), "a%2Bb%2Fc%3Dd%20e%25");
  EXPECT_EQ(PercentEncode(std::string("\xff\x00", 2)), "%FF%00");
}

TEST(UrlCodecTest, FormDecodeRoundTrips) {
  const std::string raw("+/= %&\xfe\x01", 8);
  absl::StatusOr<std::string> decoded = FormDecode(PercentEncode(raw));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, raw);
  EXPECT_EQ(*FormDecode("a+b%2b%2B"), "a b++");
}

TEST(UrlCodecTest, FormDecodeRejectsBrokenEscapes) {
  for (const char* bad : {"%", "%2", "a%zz", "%g0", "abc%"}) {
    EXPECT_FALSE(FormDecode(bad).ok()) << bad;
  }
}

TEST(UrlCodecTest, SplitsAndFindsParameters) {
  const std::vector<RawParam> params =
      SplitParams("A=1&&B=%32&flag&A=3&C%3D=4");
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[2].name, "flag");
  EXPECT_EQ(params[2].value, "");
  EXPECT_EQ(FindRawParam(params, "A"), "1");    // the first one wins
  EXPECT_EQ(FindRawParam(params, "B"), "%32");  // still encoded
  EXPECT_EQ(FindRawParam(params, "C="), "4");   // names are decoded
  EXPECT_EQ(FindRawParam(params, "D"), std::nullopt);
}

}  // namespace
}  // namespace testing
}  // namespace twilio_gateway
