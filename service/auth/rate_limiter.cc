#include "service/auth/rate_limiter.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace twilio_gateway::auth {

CallerRateLimiter::CallerRateLimiter(double per_second,
                                     std::function<absl::Time()> clock,
                                     std::size_t max_callers)
    : per_second_(per_second),
      burst_(std::max(1.0, per_second)),
      clock_(clock ? std::move(clock) : [] { return absl::Now(); }),
      max_callers_(std::max<std::size_t>(1, max_callers)) {}

bool CallerRateLimiter::TryAcquire(absl::string_view caller) {
  const absl::Time now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_callers_) ForgetIdle(now);
    it = buckets_.emplace(std::string(caller), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  // A clock that steps back refills nothing rather than draining.
  const double elapsed =
      std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

void CallerRateLimiter::ForgetIdle(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double refilled =
        it->second.tokens +
        std::max(0.0, absl::ToDoubleSeconds(now - it->second.updated)) *
            per_second_;
    if (refilled >= burst_) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  // Every caller is busy: a flood of identities. Starting over forgives
  // some calls, but keeps memory bounded.
  if (buckets_.size() >= max_callers_) buckets_.clear();
}

}  // namespace twilio_gateway::auth
