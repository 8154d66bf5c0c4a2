#ifndef SERVICE_TWILIO_BACKOFF_POLICY_H_
#define SERVICE_TWILIO_BACKOFF_POLICY_H_

#include <functional>

#include "absl/time/time.h"

namespace twilio_gateway::twilio {

struct BackoffOptions {
  // The ceiling of the first retry's wait; each later retry doubles it.
  absl::Duration base = absl::Milliseconds(100);
  // No wait is ever longer.
  absl::Duration cap = absl::Seconds(2);
};

// How long to wait before a retry: exponential backoff with full jitter.
// Retry n (1 for the first retry) waits a uniformly random time in
// [0, min(cap, base * 2^(n-1))), so that callers who failed together do not
// come back together.
//
// The randomness is injected: `uniform` returns a value in [0, 1). The
// policy holds no other state and is as thread-safe as `uniform`.
class ExponentialBackoff {
 public:
  ExponentialBackoff(BackoffOptions options, std::function<double()> uniform);

  // The upper bound of retry n's wait.
  absl::Duration Ceiling(int retry) const;

  // A wait for retry n, in [0, Ceiling(n)).
  absl::Duration Delay(int retry) const;

  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::function<double()> uniform_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_BACKOFF_POLICY_H_
