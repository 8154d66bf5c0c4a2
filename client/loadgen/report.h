#ifndef CLIENT_LOADGEN_REPORT_H_
#define CLIENT_LOADGEN_REPORT_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "client/loadgen/load_plan.h"
#include "client/loadgen/process_usage.h"
#include "client/loadgen/run_stats.h"
#include "client/loadgen/startup_probe.h"
#include "nlohmann/json.hpp"

namespace twilio_gateway::loadgen {

// A process whose CPU time and memory are read at both ends of the window.
struct WatchedProcess {
  std::string name;
  pid_t pid = 0;
  std::optional<ProcessSample> before;
  std::optional<ProcessSample> after;
};

// Everything one load run prints.
struct RunReport {
  std::string label;
  // "grpc" or "http".
  std::string mode;
  std::string target;
  LoadPlan plan;
  StatsSummary stats;
  std::vector<WatchedProcess> processes;
  // Calls still in flight when the run stopped waiting for them.
  int64_t unfinished = 0;
};

// One JSON object; durations in milliseconds, CPU per call in
// microseconds, memory in KiB.
nlohmann::ordered_json RunReportJson(const RunReport& report);
// A few lines for people.
std::string RunReportText(const RunReport& report);

nlohmann::ordered_json StartupReportJson(const std::string& label,
                                         const StartupReport& report);
std::string StartupReportText(const std::string& label,
                              const StartupReport& report);

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_REPORT_H_
