#include "service/twilio/retry_budget.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace twilio_gateway::twilio {
namespace {

constexpr int kSteps = 10;

}  // namespace

RetryBudget::RetryBudget(RetryBudgetOptions options,
                         std::function<absl::Time()> clock)
    : options_(options),
      step_(std::max(options.window / kSteps, absl::Milliseconds(1))),
      clock_(clock ? std::move(clock)
                   : std::function<absl::Time()>([] { return absl::Now(); })),
      buckets_(kSteps) {}

RetryBudget::Bucket& RetryBudget::Current(absl::Time now) {
  absl::Duration unused;
  const int64_t index =
      absl::IDivDuration(now - absl::UnixEpoch(), step_, &unused);
  Bucket& bucket =
      buckets_[static_cast<size_t>(((index % kSteps) + kSteps) % kSteps)];
  if (bucket.index != index) bucket = Bucket{index, 0, 0};
  return bucket;
}

void RetryBudget::RecordCall() {
  std::lock_guard<std::mutex> lock(mu_);
  ++Current(clock_()).calls;
}

bool RetryBudget::TryRetry() {
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& current = Current(clock_());
  int64_t calls = 0;
  int64_t retries = 0;
  for (const Bucket& bucket : buckets_) {
    // Only the steps of the current window count.
    if (bucket.index < 0 || bucket.index <= current.index - kSteps) continue;
    calls += bucket.calls;
    retries += bucket.retries;
  }
  const double allowed = options_.ratio * static_cast<double>(calls) +
                         static_cast<double>(options_.floor);
  if (static_cast<double>(retries) + 1 > allowed) return false;
  ++current.retries;
  return true;
}

}  // namespace twilio_gateway::twilio
