#include "service/auth/rate_limiter.h"

#include "gtest/gtest.h"

namespace twilio_gateway::auth {
namespace {

TEST(CallerRateLimiterTest, BurstOfOneSecondThenSteadyRate) {
  absl::Time now = absl::FromUnixSeconds(100);
  CallerRateLimiter limiter(4, [&now] { return now; });
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
  now += absl::Milliseconds(250);
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  // A long pause refills only up to the burst.
  now += absl::Hours(1);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
}

TEST(CallerRateLimiterTest, BelowOnePerSecondStillAllowsOneCall) {
  absl::Time now = absl::FromUnixSeconds(100);
  CallerRateLimiter limiter(0.5, [&now] { return now; });
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  now += absl::Seconds(2);
  EXPECT_TRUE(limiter.TryAcquire("a"));
}

TEST(CallerRateLimiterTest, ClockGoingBackDoesNotRefill) {
  absl::Time now = absl::FromUnixSeconds(100);
  CallerRateLimiter limiter(1, [&now] { return now; });
  EXPECT_TRUE(limiter.TryAcquire("a"));
  now -= absl::Hours(1);
  EXPECT_FALSE(limiter.TryAcquire("a"));
}

TEST(CallerRateLimiterTest, ForgettingIdleCallersKeepsBusyOnesLimited) {
  absl::Time now = absl::FromUnixSeconds(100);
  CallerRateLimiter limiter(
      1, [&now] { return now; }, /*max_callers=*/2);
  EXPECT_TRUE(limiter.TryAcquire("busy"));
  EXPECT_TRUE(limiter.TryAcquire("x"));
  now += absl::Milliseconds(500);
  // Neither caller has refilled yet: taken for a flood, all start over.
  EXPECT_TRUE(limiter.TryAcquire("y"));
  now += absl::Seconds(5);
  EXPECT_TRUE(limiter.TryAcquire("busy"));
  EXPECT_FALSE(limiter.TryAcquire("busy"));
  // "y" has refilled and is forgotten to make room; "busy" is kept.
  EXPECT_TRUE(limiter.TryAcquire("z"));
  EXPECT_FALSE(limiter.TryAcquire("busy"));
}

}  // namespace
}  // namespace twilio_gateway::auth
