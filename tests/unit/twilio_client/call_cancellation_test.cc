#include "service/twilio/call_cancellation.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

TEST(CallCancellationTest, RunsTheHookOnce) {
  CallCancellation cancellation;
  int runs = 0;
  cancellation.OnCancel([&] { ++runs; });
  EXPECT_FALSE(cancellation.cancelled());
  cancellation.Cancel();
  cancellation.Cancel();
  EXPECT_TRUE(cancellation.cancelled());
  EXPECT_EQ(runs, 1);
}

TEST(CallCancellationTest, HookSetAfterCancelRunsAtOnce) {
  CallCancellation cancellation;
  cancellation.Cancel();
  int runs = 0;
  cancellation.OnCancel([&] { ++runs; });
  EXPECT_EQ(runs, 1);
}

TEST(CallCancellationTest, RacingCancelAndHookRunItOnce) {
  for (int i = 0; i < 200; ++i) {
    CallCancellation cancellation;
    std::atomic<int> runs{0};
    std::thread canceller([&] { cancellation.Cancel(); });
    cancellation.OnCancel([&] { ++runs; });
    canceller.join();
    EXPECT_EQ(runs.load(), 1);
  }
}

}  // namespace
}  // namespace twilio_gateway::twilio
