#ifndef TESTS_OBSERVABILITY_SAMPLE_VALUE_H_
#define TESTS_OBSERVABILITY_SAMPLE_VALUE_H_

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::testing {

// The value text of the sample line whose name and labels are exactly
// `series` (as written, e.g. `jobs_total{queue="email"}`) in Prometheus
// exposition text; nullopt when there is no such line.
inline std::optional<std::string> SampleValue(absl::string_view exposition,
                                              absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.size() > series.size() && absl::StartsWith(line, series) &&
        line[series.size()] == ' ') {
      return std::string(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace twilio_gateway::testing

#endif  // TESTS_OBSERVABILITY_SAMPLE_VALUE_H_
