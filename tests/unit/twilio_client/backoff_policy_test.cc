#include "service/twilio/backoff_policy.h"

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

TEST(ExponentialBackoffTest, CeilingDoublesUpToTheCap) {
  ExponentialBackoff backoff({absl::Milliseconds(100), absl::Seconds(1)},
                             [] { return 0.0; });
  EXPECT_EQ(backoff.Ceiling(1), absl::Milliseconds(100));
  EXPECT_EQ(backoff.Ceiling(2), absl::Milliseconds(200));
  EXPECT_EQ(backoff.Ceiling(4), absl::Milliseconds(800));
  EXPECT_EQ(backoff.Ceiling(5), absl::Seconds(1));
  EXPECT_EQ(backoff.Ceiling(1000), absl::Seconds(1));
}

TEST(ExponentialBackoffTest, FullJitterSpansZeroToTheCeiling) {
  double value = 0.0;
  ExponentialBackoff backoff({absl::Milliseconds(100), absl::Seconds(1)},
                             [&] { return value; });
  EXPECT_EQ(backoff.Delay(3), absl::ZeroDuration());
  value = 0.25;
  EXPECT_EQ(backoff.Delay(3), absl::Milliseconds(100));
  value = 0.999;
  EXPECT_LT(backoff.Delay(3), absl::Milliseconds(400));
}

TEST(ExponentialBackoffTest, BadRandomnessCannotStretchTheWait) {
  double value = 7.0;
  ExponentialBackoff backoff({absl::Milliseconds(100), absl::Seconds(1)},
                             [&] { return value; });
  EXPECT_EQ(backoff.Delay(1), absl::Milliseconds(100));
  value = -3.0;
  EXPECT_EQ(backoff.Delay(1), absl::ZeroDuration());
}

TEST(ExponentialBackoffTest, NegativeSettingsAreZero) {
  ExponentialBackoff backoff({-absl::Seconds(1), -absl::Seconds(1)},
                             [] { return 0.5; });
  EXPECT_EQ(backoff.Delay(3), absl::ZeroDuration());
}

}  // namespace
}  // namespace twilio_gateway::twilio
