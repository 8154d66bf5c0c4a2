#include "service/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace twilio_gateway::metrics {

Histogram::Histogram(absl::Span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double value) {
  // The first bound not below the value is its bucket; le is inclusive.
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  // No fetch_add for atomic<double> before C++20.
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value,
                                     std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(total);
  }
  snapshot.count = total;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        escaped += "\\\\";
        break;
      case '"':
        escaped += "\\\"";
        break;
      case '\n':
        escaped += "\\n";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

namespace {

// HELP text escapes only backslash and line feed.
std::string EscapeHelp(absl::string_view help) {
  std::string escaped;
  for (const char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

void TextWriter::Family(absl::string_view name, absl::string_view type,
                        absl::string_view help) {
  absl::StrAppend(&out_, "# HELP ", name, " ", EscapeHelp(help), "\n",
                  "# TYPE ", name, " ", type, "\n");
}

void TextWriter::Labels(std::initializer_list<Label> labels,
                        const Label* extra) {
  if (labels.size() == 0 && extra == nullptr) return;
  out_ += '{';
  bool first = true;
  auto append = [&](const Label& label) {
    if (!first) out_ += ',';
    first = false;
    absl::StrAppend(&out_, label.first, "=\"", EscapeLabelValue(label.second),
                    "\"");
  };
  for (const Label& label : labels) append(label);
  if (extra != nullptr) append(*extra);
  out_ += '}';
}

void TextWriter::Sample(absl::string_view name,
                        std::initializer_list<Label> labels, double value) {
  out_.append(name.data(), name.size());
  Labels(labels);
  absl::StrAppend(&out_, " ", FormatValue(value), "\n");
}

void TextWriter::Sample(absl::string_view name,
                        std::initializer_list<Label> labels, uint64_t value) {
  out_.append(name.data(), name.size());
  Labels(labels);
  absl::StrAppend(&out_, " ", value, "\n");
}

void TextWriter::Sample(absl::string_view name,
                        std::initializer_list<Label> labels, int64_t value) {
  out_.append(name.data(), name.size());
  Labels(labels);
  absl::StrAppend(&out_, " ", value, "\n");
}

void TextWriter::HistogramSamples(absl::string_view name,
                                  std::initializer_list<Label> labels,
                                  const Histogram& histogram) {
  const Histogram::Snapshot snapshot = histogram.Read();
  const std::string bucket_name = absl::StrCat(name, "_bucket");
  for (size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    const std::string le = i < histogram.bounds().size()
                               ? FormatValue(histogram.bounds()[i])
                               : std::string("+Inf");
    const Label le_label("le", le);
    out_ += bucket_name;
    Labels(labels, &le_label);
    absl::StrAppend(&out_, " ", snapshot.cumulative[i], "\n");
  }
  absl::StrAppend(&out_, name, "_sum");
  Labels(labels);
  absl::StrAppend(&out_, " ", FormatValue(snapshot.sum), "\n");
  absl::StrAppend(&out_, name, "_count");
  Labels(labels);
  absl::StrAppend(&out_, " ", snapshot.count, "\n");
}

}  // namespace twilio_gateway::metrics
