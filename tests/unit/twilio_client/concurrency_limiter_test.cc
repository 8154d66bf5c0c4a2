#include "service/twilio/concurrency_limiter.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

constexpr char kA[] = "AC0000000000000000000000000000000a";
constexpr char kB[] = "AC0000000000000000000000000000000b";

TEST(ConcurrencyLimiterTest, GrantsUpToTheCapThenQueuesThenRefuses) {
  ConcurrencyLimiter limiter({2, 1});
  std::vector<absl::Status> seen;
  auto record = [&](absl::Status status) { seen.push_back(status); };
  EXPECT_EQ(limiter.Acquire(kA, record), 0u);
  EXPECT_EQ(limiter.Acquire(kA, record), 0u);
  EXPECT_NE(limiter.Acquire(kA, record), 0u);
  EXPECT_EQ(limiter.Acquire(kA, record), 0u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[0].ok());
  EXPECT_TRUE(seen[1].ok());
  EXPECT_EQ(seen[2].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limiter.InFlight(kA), 2);
  EXPECT_EQ(limiter.Queued(kA), 1);

  limiter.Release(kA);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen[3].ok()) << "the waiter got the freed slot";
  EXPECT_EQ(limiter.InFlight(kA), 2);
  limiter.Release(kA);
  limiter.Release(kA);
  EXPECT_EQ(limiter.InFlight(kA), 0);
}

TEST(ConcurrencyLimiterTest, AccountsAreIndependent) {
  ConcurrencyLimiter limiter({1, 0});
  int granted = 0;
  limiter.Acquire(kA, [&](absl::Status s) { granted += s.ok(); });
  limiter.Acquire(kB, [&](absl::Status s) { granted += s.ok(); });
  EXPECT_EQ(granted, 2);
}

TEST(ConcurrencyLimiterTest, WaitersAreServedInOrder) {
  ConcurrencyLimiter limiter({1, 10});
  std::vector<int> order;
  limiter.Acquire(kA, [](absl::Status) {});
  for (int i = 0; i < 3; ++i) {
    limiter.Acquire(kA, [&, i](absl::Status) { order.push_back(i); });
  }
  for (int i = 0; i < 3; ++i) limiter.Release(kA);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(ConcurrencyLimiterTest, AbandonEndsOnlyAWaitingTicket) {
  ConcurrencyLimiter limiter({1, 10});
  limiter.Acquire(kA, [](absl::Status) {});
  absl::Status seen;
  int runs = 0;
  const auto ticket = limiter.Acquire(kA, [&](absl::Status s) {
    seen = s;
    ++runs;
  });
  limiter.Abandon(kA, ticket, absl::DeadlineExceededError("late"));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(seen.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(limiter.Queued(kA), 0);
  limiter.Abandon(kA, ticket, absl::DeadlineExceededError("again"));
  EXPECT_EQ(runs, 1);
  limiter.Release(kA);
  EXPECT_EQ(limiter.InFlight(kA), 0);
}

TEST(ConcurrencyLimiterTest, CallbacksMayReenter) {
  ConcurrencyLimiter limiter({1, 10});
  int done = 0;
  limiter.Acquire(kA, [&](absl::Status) {
    limiter.Acquire(kA, [&](absl::Status) {
      ++done;
      limiter.Release(kA);
    });
  });
  limiter.Release(kA);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(limiter.InFlight(kA), 0);
}

TEST(ConcurrencyLimiterTest, NeverMoreThanTheCapFromManyThreads) {
  ConcurrencyLimiter limiter({3, 1000});
  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  std::atomic<int> finished{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        limiter.Acquire(kA, [&](absl::Status status) {
          if (!status.ok()) return;
          const int now = ++in_flight;
          int old = peak.load();
          while (now > old && !peak.compare_exchange_weak(old, now)) {
          }
          --in_flight;
          ++finished;
          limiter.Release(kA);
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(finished.load(), 800);
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(limiter.InFlight(kA), 0);
}

}  // namespace
}  // namespace twilio_gateway::twilio
