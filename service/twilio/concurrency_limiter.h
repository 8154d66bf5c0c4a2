#ifndef SERVICE_TWILIO_CONCURRENCY_LIMITER_H_
#define SERVICE_TWILIO_CONCURRENCY_LIMITER_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::twilio {

struct ConcurrencyOptions {
  // Requests in flight to Twilio per account, at most. Twilio limits each
  // account's concurrent requests (error 20429), and every replica of the
  // gateway shares that limit, so each takes a part of it.
  int max_in_flight_per_account = 50;
  // Requests that may wait for a slot per account; beyond them a request is
  // refused with RESOURCE_EXHAUSTED.
  int max_queued_per_account = 500;
};

// At most N requests in flight per account, with a bounded first-come
// first-served queue for the rest.
//
// Every admission ends in exactly one run of its `Admitted` callback: with
// OK once a slot is held (the holder must call Release), or with the error
// that ended the wait. Callbacks never run under the limiter's lock, so they
// may call back into it. Thread-safe.
//
// The limiter has no timers: a waiter's owner ends an overlong wait with
// Abandon (the Twilio client does so at the call's deadline, on the
// transport's timer).
class ConcurrencyLimiter {
 public:
  using Admitted = absl::AnyInvocable<void(absl::Status) &&>;
  // Names a waiting admission; 0 names none.
  using Ticket = uint64_t;

  explicit ConcurrencyLimiter(ConcurrencyOptions options);

  // Asks for a slot for `account`. When one is free, `admitted(OK)` runs at
  // once on this thread and the result is 0. When the account's queue is
  // full, `admitted(RESOURCE_EXHAUSTED)` runs at once and the result is 0.
  // Otherwise the request waits: the result is its ticket, and `admitted`
  // runs later, on the thread of the Release that hands it a slot or of the
  // Abandon that ends its wait.
  Ticket Acquire(absl::string_view account, Admitted admitted);

  // Ends a wait: when `ticket` is still queued, removes it and runs its
  // `admitted(status)`. Does nothing otherwise, so it is safe to call after
  // the slot was granted.
  void Abandon(absl::string_view account, Ticket ticket, absl::Status status);

  // Gives back a slot that Acquire granted; the next waiter, if any, gets
  // it.
  void Release(absl::string_view account);

  // For tests and metrics.
  int InFlight(absl::string_view account) const;
  int Queued(absl::string_view account) const;

 private:
  struct Account {
    int in_flight = 0;
    std::deque<std::pair<Ticket, Admitted>> waiting;
  };

  const ConcurrencyOptions options_;

  // std::mutex: see RetryBudget.
  mutable std::mutex mu_;
  Ticket next_ticket_ = 1;
  absl::flat_hash_map<std::string, Account> accounts_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_CONCURRENCY_LIMITER_H_
