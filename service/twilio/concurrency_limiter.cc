#include "service/twilio/concurrency_limiter.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {

ConcurrencyLimiter::ConcurrencyLimiter(ConcurrencyOptions options)
    : options_(options) {}

ConcurrencyLimiter::Ticket ConcurrencyLimiter::Acquire(
    absl::string_view account, Admitted admitted) {
  absl::Status refusal;
  Ticket ticket = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Account& state = accounts_[account];
    if (state.in_flight < std::max(1, options_.max_in_flight_per_account)) {
      ++state.in_flight;
    } else if (static_cast<int>(state.waiting.size()) <
               options_.max_queued_per_account) {
      ticket = next_ticket_++;
      state.waiting.emplace_back(ticket, std::move(admitted));
      return ticket;
    } else {
      refusal =
          WithReason(absl::ResourceExhaustedError(absl::StrCat(
                         "too many requests to Twilio for account ", account,
                         ": ", state.in_flight, " in flight and ",
                         state.waiting.size(), " waiting")),
                     "ACCOUNT_QUEUE_FULL");
    }
  }
  std::move(admitted)(std::move(refusal));
  return 0;
}

void ConcurrencyLimiter::Abandon(absl::string_view account, Ticket ticket,
                                 absl::Status status) {
  std::optional<Admitted> admitted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(account);
    if (it == accounts_.end()) return;
    auto& waiting = it->second.waiting;
    auto entry = std::find_if(waiting.begin(), waiting.end(),
                              [&](const auto& w) { return w.first == ticket; });
    if (entry == waiting.end()) return;
    admitted = std::move(entry->second);
    waiting.erase(entry);
  }
  std::move (*admitted)(std::move(status));
}

void ConcurrencyLimiter::Release(absl::string_view account) {
  std::optional<Admitted> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(account);
    if (it == accounts_.end()) return;
    Account& state = it->second;
    if (!state.waiting.empty()) {
      // The slot passes to the next waiter; in_flight stays as it is.
      next = std::move(state.waiting.front().second);
      state.waiting.pop_front();
    } else if (--state.in_flight <= 0) {
      accounts_.erase(it);
    }
  }
  if (next.has_value()) std::move (*next)(absl::OkStatus());
}

int ConcurrencyLimiter::InFlight(absl::string_view account) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = accounts_.find(account);
  return it == accounts_.end() ? 0 : it->second.in_flight;
}

int ConcurrencyLimiter::Queued(absl::string_view account) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = accounts_.find(account);
  return it == accounts_.end() ? 0
                               : static_cast<int>(it->second.waiting.size());
}

}  // namespace twilio_gateway::twilio
