#ifndef SERVICE_TWILIO_RETRY_BUDGET_H_
#define SERVICE_TWILIO_RETRY_BUDGET_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/time/time.h"

namespace twilio_gateway::twilio {

struct RetryBudgetOptions {
  // Retries may be at most this share of the calls started in the window...
  double ratio = 0.2;
  // ...plus this many, so a quiet gateway can still retry.
  int floor = 10;
  // The sliding window over which both are counted.
  absl::Duration window = absl::Seconds(10);
};

// Keeps retries a bounded share of the traffic to Twilio, so an outage of
// Twilio does not multiply the gateway's load on it: within any window,
// retries <= ratio * calls + floor. Past that, TryRetry refuses and the call
// fails at once with the error it had.
//
// The window slides in ten steps. Thread-safe; the clock is injected.
class RetryBudget {
 public:
  RetryBudget(RetryBudgetOptions options, std::function<absl::Time()> clock);

  // Counts a call's first attempt.
  void RecordCall();

  // Takes one retry from the budget; false, taking nothing, when the budget
  // is spent.
  bool TryRetry();

 private:
  struct Bucket {
    int64_t index = -1;  // which window step it counts; -1: none yet
    int64_t calls = 0;
    int64_t retries = 0;
  };

  // The bucket for now, emptied if it last counted an older step.
  Bucket& Current(absl::Time now);

  const RetryBudgetOptions options_;
  const absl::Duration step_;
  const std::function<absl::Time()> clock_;

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then could not see this lock.
  std::mutex mu_;
  std::vector<Bucket> buckets_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_RETRY_BUDGET_H_
