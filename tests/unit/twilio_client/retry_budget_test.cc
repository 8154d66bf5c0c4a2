#include "service/twilio/retry_budget.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

class RetryBudgetTest : public ::testing::Test {
 protected:
  RetryBudget Make(double ratio, int floor) {
    return RetryBudget({ratio, floor, absl::Seconds(10)},
                       [this] { return now_; });
  }
  absl::Time now_ = absl::FromUnixSeconds(1000000);
};

TEST_F(RetryBudgetTest, FloorAllowsRetriesWithoutTraffic) {
  RetryBudget budget = Make(0.2, 3);
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());
}

TEST_F(RetryBudgetTest, RetriesAreAShareOfCallsPlusTheFloor) {
  RetryBudget budget = Make(0.2, 2);
  for (int i = 0; i < 100; ++i) budget.RecordCall();
  int allowed = 0;
  while (budget.TryRetry() && allowed < 1000) ++allowed;
  EXPECT_EQ(allowed, 22);
}

TEST_F(RetryBudgetTest, WindowSlides) {
  RetryBudget budget = Make(0.0, 1);
  EXPECT_TRUE(budget.TryRetry());
  EXPECT_FALSE(budget.TryRetry());
  now_ += absl::Seconds(5);
  EXPECT_FALSE(budget.TryRetry()) << "still inside the window";
  now_ += absl::Seconds(6);
  EXPECT_TRUE(budget.TryRetry()) << "the old retry has left the window";
}

TEST_F(RetryBudgetTest, OldCallsStopCounting) {
  RetryBudget budget = Make(0.5, 0);
  for (int i = 0; i < 10; ++i) budget.RecordCall();
  now_ += absl::Seconds(30);
  EXPECT_FALSE(budget.TryRetry());
}

TEST_F(RetryBudgetTest, SafeFromManyThreads) {
  RetryBudget budget({0.0, 100, absl::Seconds(10)}, [] { return absl::Now(); });
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        budget.RecordCall();
        if (budget.TryRetry()) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 100);
}

}  // namespace
}  // namespace twilio_gateway::twilio
