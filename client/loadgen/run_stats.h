#ifndef CLIENT_LOADGEN_RUN_STATS_H_
#define CLIENT_LOADGEN_RUN_STATS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace twilio_gateway::loadgen {

// Latency percentiles of the calls counted in a window.
struct LatencySummary {
  absl::Duration p50;
  absl::Duration p90;
  absl::Duration p99;
  absl::Duration max;
  absl::Duration mean;
};

// What a window of calls came to.
struct StatsSummary {
  absl::Duration window;
  int64_t calls = 0;
  // Items carried by the answers (a List's mappings); 0 for other calls.
  int64_t items = 0;
  double calls_per_second = 0;
  double items_per_second = 0;
  // Calls per outcome: a gRPC code name ("OK", "UNAVAILABLE") or an HTTP
  // status ("200"), or "curl: ..." for a transfer that failed.
  std::map<std::string, int64_t> outcomes;
  // At a fixed rate: calls not started because `concurrency` were already
  // in flight.
  int64_t skipped = 0;
  LatencySummary latency;
};

// Collects the outcome and latency of every call that ends while the window
// is open; calls ending before Open (the warm-up) or after Close are not
// counted. Thread-safe: drivers record from whichever thread a call ends on.
class RunStats {
 public:
  // Starts counting; the window's length runs from here.
  void Open();
  // Stops counting and fixes the window's length.
  void Close();
  bool is_open() const { return open_.load(std::memory_order_relaxed); }

  void Record(absl::string_view outcome, absl::Duration latency,
              int64_t items = 0);

  // A call the rate asked for but the in-flight cap did not allow.
  void CountSkipped();

  // Valid after Close.
  StatsSummary Summarize() const;

 private:
  std::atomic<bool> open_{false};
  absl::Time opened_;
  absl::Time closed_;

  mutable std::mutex mu_;
  std::vector<int64_t> latencies_ns_;
  std::map<std::string, int64_t, std::less<>> outcomes_;
  int64_t items_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_RUN_STATS_H_
