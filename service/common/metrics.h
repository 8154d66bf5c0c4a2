#ifndef SERVICE_COMMON_METRICS_H_
#define SERVICE_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace twilio_gateway::metrics {

// A count that only goes up. Increment is one relaxed atomic add, so it is
// cheap on any thread and never blocks.
class Counter {
 public:
  void Increment(uint64_t by = 1) {
    value_.fetch_add(by, std::memory_order_relaxed);
  }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down, such as calls in flight.
class Gauge {
 public:
  void Add(int64_t by) { value_.fetch_add(by, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Counts observations into buckets with fixed upper bounds, as Prometheus
// histograms do. Observe is a short search over the bounds and two atomic
// updates; it never blocks.
class Histogram {
 public:
  // What a scrape reads. `cumulative[i]` counts observations <= bounds[i];
  // the last entry, one past the bounds, is the +Inf bucket and equals
  // `count`.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    uint64_t count = 0;
    double sum = 0;
  };

  // `bounds` must be finite and strictly increasing; the +Inf bucket is
  // implicit.
  explicit Histogram(absl::Span<const double> bounds);

  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  // Count and +Inf bucket are derived from the same bucket reads, so they
  // agree even while other threads observe.
  Snapshot Read() const;

  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  // One per bound plus the +Inf bucket; not cumulative.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Values of one label that are not known in advance (accounts, retry
// reasons), each with its own metric, created on first use. At most
// `max_values` distinct values are kept; later ones share the metric of
// `overflow_value`, so a flood of new values cannot grow memory or the
// scrape without bound. Entries are never removed, so a pointer from Get
// stays valid for the family's life. Thread-safe; Get takes a shared lock
// when the value exists already.
template <typename Metric>
class DynamicFamily {
 public:
  DynamicFamily(size_t max_values, std::string overflow_value)
      : max_values_(max_values), overflow_value_(std::move(overflow_value)) {}

  Metric* Get(absl::string_view value) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = metrics_.find(value);
      if (it != metrics_.end()) return &it->second;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (metrics_.size() >= max_values_ && !metrics_.contains(value)) {
      value = overflow_value_;
    }
    return &metrics_.try_emplace(std::string(value)).first->second;
  }

  // Calls `visit` with each value and its metric, in no particular order.
  void ForEach(const std::function<void(const std::string&, const Metric&)>&
                   visit) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [value, metric] : metrics_) visit(value, metric);
  }

 private:
  const size_t max_values_;
  const std::string overflow_value_;
  // std::shared_mutex rather than absl::Mutex so that ThreadSanitizer sees
  // it (Debian's Abseil carries no TSan annotations).
  mutable std::shared_mutex mu_;
  // node_hash_map: addresses of values stay put as the map grows.
  absl::node_hash_map<std::string, Metric> metrics_;
};

// Name and value of one label. Values are escaped when written.
using Label = std::pair<absl::string_view, absl::string_view>;

// Writes Prometheus' text exposition format, version 0.0.4: for each
// family a HELP and a TYPE line, then its samples. The caller writes each
// family's samples right after its header, as the format requires.
//
// Example:
//   TextWriter out;
//   out.Family("jobs_total", "counter", "Jobs run.");
//   out.Sample("jobs_total", {{"queue", "email"}}, 3);
//   std::string text = out.Release();
class TextWriter {
 public:
  // The Content-Type of a scrape's answer.
  static constexpr char kContentType[] = "text/plain; version=0.0.4";

  // `type` is "counter", "gauge" or "histogram".
  void Family(absl::string_view name, absl::string_view type,
              absl::string_view help);

  void Sample(absl::string_view name, std::initializer_list<Label> labels,
              double value);
  void Sample(absl::string_view name, std::initializer_list<Label> labels,
              uint64_t value);
  void Sample(absl::string_view name, std::initializer_list<Label> labels,
              int64_t value);

  // The _bucket (with `le`), _sum and _count lines of one histogram.
  void HistogramSamples(absl::string_view name,
                        std::initializer_list<Label> labels,
                        const Histogram& histogram);

  // The text written so far; the writer is empty afterwards.
  std::string Release() { return std::move(out_); }

 private:
  void Labels(std::initializer_list<Label> labels,
              const Label* extra = nullptr);

  std::string out_;
};

// A number as the format wants it: shortest round-trip text, "+Inf",
// "-Inf" or "NaN".
std::string FormatValue(double value);

// A label value with backslash, double quote and line feed escaped.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace twilio_gateway::metrics

#endif  // SERVICE_COMMON_METRICS_H_
