#ifndef SERVICE_SERVER_FLAGS_H_
#define SERVICE_SERVER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/server/gateway_server.h"
#include "spdlog/common.h"

namespace twilio_gateway::server {

// Settings that concern the process rather than the gateway.
struct ProcessConfig {
  GatewayConfig gateway;
  std::string credentials_file;
  // Written with the bound port once serving, when not empty.
  std::string port_file;
  // Likewise with the admin port.
  std::string admin_port_file;
  spdlog::level::level_enum log_level = spdlog::level::info;
};

// Reads the flags. Each flag falls back to an environment variable when the
// command line does not set it: TWILIO_GATEWAY_ and the flag's name in upper
// case (TWILIO_GATEWAY_LISTEN for --listen), except --twilio_region and
// --twilio_edge, which read TWILIO_REGION and TWILIO_EDGE as Twilio's own
// tools do. The command line wins over the environment.
//
// Exits, as absl's flag parser does, for --help and for unknown or
// malformed flags. Fails with INVALID_ARGUMENT for a malformed environment
// variable (naming the variable, never quoting its value) or a bad value.
absl::StatusOr<ProcessConfig> ParseFlags(int argc, char** argv);

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_FLAGS_H_
