#ifndef SERVICE_AUTH_RATE_LIMITER_H_
#define SERVICE_AUTH_RATE_LIMITER_H_

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::auth {

// A token bucket per caller: each caller may make `per_second` calls a
// second on average, and up to one second's worth (at least one call) at
// once after a quiet spell. One caller's burst never slows another.
//
// Thread-safe. Memory is bounded: past `max_callers` tracked callers, those
// whose bucket has refilled (idle callers) are forgotten, which costs them
// nothing since a new bucket starts full.
class CallerRateLimiter {
 public:
  // `per_second` must be positive. `clock` defaults to absl::Now; tests
  // inject their own.
  explicit CallerRateLimiter(double per_second,
                             std::function<absl::Time()> clock = nullptr,
                             std::size_t max_callers = 10000);

  CallerRateLimiter(const CallerRateLimiter&) = delete;
  CallerRateLimiter& operator=(const CallerRateLimiter&) = delete;

  // Takes one call from `caller`'s bucket; false when it is empty.
  bool TryAcquire(absl::string_view caller);

  double per_second() const { return per_second_; }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };

  void ForgetIdle(absl::Time now);

  const double per_second_;
  const double burst_;
  const std::function<absl::Time()> clock_;
  const std::size_t max_callers_;
  // std::mutex rather than absl::Mutex so that TSan sees it (see
  // CredentialStore).
  std::mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_;  // Guarded by mu_.
};

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_RATE_LIMITER_H_
