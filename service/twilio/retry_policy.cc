#include "service/twilio/retry_policy.h"

#include <algorithm>

namespace twilio_gateway::twilio {

absl::string_view StopReasonText(StopReason reason) {
  switch (reason) {
    case StopReason::kFinal:
      return "the answer is final";
    case StopReason::kAttemptsExhausted:
      return "the attempt limit was reached";
    case StopReason::kDeadline:
      return "no further attempt fits in the deadline";
    case StopReason::kBudgetExhausted:
      return "the retry budget is exhausted";
    case StopReason::kCancelled:
      return "the call was cancelled";
  }
  return "unknown";
}

RetryStopPolicy::RetryStopPolicy(int max_attempts, absl::Time deadline)
    : max_attempts_(std::max(1, max_attempts)), deadline_(deadline) {}

std::optional<StopReason> RetryStopPolicy::Check(int attempts_made,
                                                 absl::Time next_start) const {
  if (attempts_made >= max_attempts_) return StopReason::kAttemptsExhausted;
  if (next_start >= deadline_) return StopReason::kDeadline;
  return std::nullopt;
}

}  // namespace twilio_gateway::twilio
