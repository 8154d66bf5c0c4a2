#include "service/twilio/retry_after.h"

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

// Thu, 30 Jul 2015 20:00:00 GMT.
const absl::Time kNow = absl::FromUnixSeconds(1438286400);
const absl::Duration kCap = absl::Minutes(5);

TEST(ParseRetryAfterTest, Seconds) {
  EXPECT_EQ(ParseRetryAfter("3", kNow, kCap), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow, kCap), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("86400", kNow, kCap), kCap);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999", kNow, kCap), kCap);
}

TEST(ParseRetryAfterTest, HttpDate) {
  EXPECT_EQ(ParseRetryAfter("Thu, 30 Jul 2015 20:00:10 GMT", kNow, kCap),
            absl::Seconds(10));
  EXPECT_EQ(ParseRetryAfter("Thu, 30 Jul 2015 19:00:00 GMT", kNow, kCap),
            absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Jul 2015 20:00:00 GMT", kNow, kCap), kCap);
}

TEST(ParseRetryAfterTest, UnreadableIsNone) {
  for (const char* value : {"", "  ", "-1", "+5", "1.5", "soon", "3s",
                            "Thu, 30 Jul 2015 25:00:00 GMT"}) {
    EXPECT_FALSE(ParseRetryAfter(value, kNow, kCap).has_value()) << value;
  }
}

}  // namespace
}  // namespace twilio_gateway::twilio
