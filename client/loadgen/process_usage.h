#ifndef CLIENT_LOADGEN_PROCESS_USAGE_H_
#define CLIENT_LOADGEN_PROCESS_USAGE_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace twilio_gateway::loadgen {

// What /proc says about a process at one moment.
struct ProcessSample {
  pid_t pid = 0;
  // User plus system CPU time of all its threads, live and finished
  // (utime + stime in /proc/PID/stat), in clock ticks' resolution.
  absl::Duration cpu;
  // Resident set now and at its peak (VmRSS, VmHWM), in KiB.
  int64_t rss_kib = 0;
  int64_t peak_rss_kib = 0;
  int threads = 0;
};

// Reads /proc/PID/stat and /proc/PID/status. Fails with NOT_FOUND when the
// process is gone, and INTERNAL when the files do not parse.
absl::StatusOr<ProcessSample> SampleProcess(pid_t pid);

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_PROCESS_USAGE_H_
