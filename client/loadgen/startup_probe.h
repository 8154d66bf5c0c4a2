#ifndef CLIENT_LOADGEN_STARTUP_PROBE_H_
#define CLIENT_LOADGEN_STARTUP_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/loadgen/process_usage.h"

namespace twilio_gateway::loadgen {

struct StartupProbeOptions {
  // The server to start: program and arguments. It must write its port to
  // `port_file` once it serves, and answer grpc.health.v1 there.
  std::vector<std::string> command;
  std::string port_file;
  // Where the server's stdout and stderr go.
  std::string log_file = "/dev/null";
  // Give up when SERVING has not come by then.
  absl::Duration limit = absl::Seconds(20);
  // How long the server idles after SERVING before its memory is read.
  absl::Duration idle = absl::Seconds(1);
};

struct StartupReport {
  pid_t pid = 0;
  // From just before the process was spawned.
  absl::Duration to_port_file;
  absl::Duration to_serving;
  // After `idle`, with no call made but the health checks.
  ProcessSample idle;
};

// Starts the server, measures how long it takes until its health service
// answers SERVING, lets it idle, reads its memory, and stops it with
// SIGTERM (SIGKILL if it has not exited 30 s later).
//
// Fails with DEADLINE_EXCEEDED when SERVING does not come within `limit`,
// and with UNAVAILABLE when the server exits or cannot be started.
absl::StatusOr<StartupReport> ProbeStartup(const StartupProbeOptions& options);

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_STARTUP_PROBE_H_
