#include "service/twilio/backoff_policy.h"

#include <algorithm>
#include <utility>

namespace twilio_gateway::twilio {

ExponentialBackoff::ExponentialBackoff(BackoffOptions options,
                                       std::function<double()> uniform)
    : options_(options), uniform_(std::move(uniform)) {
  options_.base = std::max(options_.base, absl::ZeroDuration());
  options_.cap = std::max(options_.cap, absl::ZeroDuration());
}

absl::Duration ExponentialBackoff::Ceiling(int retry) const {
  absl::Duration ceiling = options_.base;
  // Doubling stops at the cap, so a large retry number cannot overflow.
  for (int i = 1; i < retry && ceiling < options_.cap; ++i) ceiling *= 2;
  return std::min(ceiling, options_.cap);
}

absl::Duration ExponentialBackoff::Delay(int retry) const {
  double fraction = uniform_ ? uniform_() : 0.0;
  // A misbehaving source must not stretch the wait past its ceiling.
  fraction = std::clamp(fraction, 0.0, 1.0);
  return Ceiling(retry) * fraction;
}

}  // namespace twilio_gateway::twilio
