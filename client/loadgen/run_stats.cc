#include "client/loadgen/run_stats.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/time/clock.h"

namespace twilio_gateway::loadgen {
namespace {

// The nearest-rank percentile of sorted samples.
absl::Duration Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return absl::ZeroDuration();
  const size_t rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  const size_t index = std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1);
  return absl::Nanoseconds(sorted[index]);
}

}  // namespace

void RunStats::Open() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    opened_ = absl::Now();
  }
  open_.store(true, std::memory_order_relaxed);
}

void RunStats::Close() {
  open_.store(false, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = absl::Now();
}

void RunStats::Record(absl::string_view outcome, absl::Duration latency,
                      int64_t items) {
  if (!is_open()) return;
  std::lock_guard<std::mutex> lock(mu_);
  latencies_ns_.push_back(absl::ToInt64Nanoseconds(latency));
  items_ += items;
  auto it = outcomes_.find(outcome);
  if (it == outcomes_.end()) {
    outcomes_.emplace(std::string(outcome), 1);
  } else {
    ++it->second;
  }
}

void RunStats::CountSkipped() {
  if (!is_open()) return;
  std::lock_guard<std::mutex> lock(mu_);
  ++skipped_;
}

StatsSummary RunStats::Summarize() const {
  std::vector<int64_t> sorted;
  StatsSummary summary;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sorted = latencies_ns_;
    summary.window = closed_ - opened_;
    summary.items = items_;
    summary.skipped = skipped_;
    summary.outcomes.insert(outcomes_.begin(), outcomes_.end());
  }
  std::sort(sorted.begin(), sorted.end());
  summary.calls = static_cast<int64_t>(sorted.size());
  const double seconds = absl::ToDoubleSeconds(summary.window);
  if (seconds > 0) {
    summary.calls_per_second = static_cast<double>(summary.calls) / seconds;
    summary.items_per_second = static_cast<double>(summary.items) / seconds;
  }
  summary.latency.p50 = Percentile(sorted, 50);
  summary.latency.p90 = Percentile(sorted, 90);
  summary.latency.p99 = Percentile(sorted, 99);
  summary.latency.max = Percentile(sorted, 100);
  if (!sorted.empty()) {
    long double total = 0;
    for (int64_t ns : sorted) total += ns;
    summary.latency.mean = absl::Nanoseconds(
        static_cast<int64_t>(total / static_cast<long double>(sorted.size())));
  }
  return summary;
}

}  // namespace twilio_gateway::loadgen
