#include "service/twilio/retry_policy.h"

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

const absl::Time kDeadline = absl::FromUnixSeconds(1000);

TEST(RetryStopPolicyTest, AllowsUntilTheAttemptLimit) {
  RetryStopPolicy policy(4, kDeadline);
  const absl::Time early = kDeadline - absl::Seconds(10);
  EXPECT_FALSE(policy.Check(1, early).has_value());
  EXPECT_FALSE(policy.Check(3, early).has_value());
  EXPECT_EQ(policy.Check(4, early), StopReason::kAttemptsExhausted);
}

TEST(RetryStopPolicyTest, StopsWhenTheNextAttemptWouldStartAtTheDeadline) {
  RetryStopPolicy policy(4, kDeadline);
  EXPECT_FALSE(policy.Check(1, kDeadline - absl::Milliseconds(1)).has_value());
  EXPECT_EQ(policy.Check(1, kDeadline), StopReason::kDeadline);
  EXPECT_EQ(policy.Check(1, kDeadline + absl::Seconds(5)),
            StopReason::kDeadline);
}

TEST(RetryStopPolicyTest, AtLeastOneAttempt) {
  RetryStopPolicy policy(0, kDeadline);
  EXPECT_EQ(policy.max_attempts(), 1);
  EXPECT_FALSE(policy.Check(0, absl::UnixEpoch()).has_value());
  EXPECT_EQ(policy.Check(1, absl::UnixEpoch()), StopReason::kAttemptsExhausted);
}

TEST(RetryStopPolicyTest, EveryReasonHasText) {
  for (StopReason reason : {StopReason::kFinal, StopReason::kAttemptsExhausted,
                            StopReason::kDeadline, StopReason::kBudgetExhausted,
                            StopReason::kCancelled}) {
    EXPECT_NE(StopReasonText(reason), "unknown");
  }
}

}  // namespace
}  // namespace twilio_gateway::twilio
