#ifndef SERVICE_TWILIO_RETRY_POLICY_H_
#define SERVICE_TWILIO_RETRY_POLICY_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::twilio {

// Why a call's retry loop ended without success; the final error says it.
enum class StopReason {
  // The answer is final: no retry can change it (a 404, a 400, ...).
  kFinal,
  // The attempt limit was reached.
  kAttemptsExhausted,
  // The next attempt could not start before the caller's deadline, or the
  // deadline passed during an attempt.
  kDeadline,
  // Retries are already too large a share of the traffic to Twilio.
  kBudgetExhausted,
  // The caller cancelled the call, or the gateway is shutting down.
  kCancelled,
};

// A short English phrase for error messages, such as "the attempt limit was
// reached".
absl::string_view StopReasonText(StopReason reason);

// When to stop: after `max_attempts` attempts in all (first attempt,
// retries and the checks that follow an unclear create), or when the next
// attempt would start at or after the deadline. Two limits, nothing else;
// what may be repeated and how long to wait are decided elsewhere
// (idempotency_policy.h, backoff_policy.h).
class RetryStopPolicy {
 public:
  // `max_attempts` below 1 counts as 1.
  RetryStopPolicy(int max_attempts, absl::Time deadline);

  // Whether another attempt may start at `next_start` after
  // `attempts_made`; nullopt when it may, else why not.
  std::optional<StopReason> Check(int attempts_made,
                                  absl::Time next_start) const;

  int max_attempts() const { return max_attempts_; }
  absl::Time deadline() const { return deadline_; }

 private:
  int max_attempts_;
  absl::Time deadline_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_RETRY_POLICY_H_
