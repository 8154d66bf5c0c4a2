#include "service/server/flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/common/json_log.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Where gRPC listens, HOST:PORT; port 0 picks a free port. "
          "Env: TWILIO_GATEWAY_LISTEN.");
ABSL_FLAG(std::string, port_file, "",
          "When set, the bound port is written to this file once the "
          "gateway serves. Env: TWILIO_GATEWAY_PORT_FILE.");
ABSL_FLAG(std::string, twilio_base_url, "",
          "Twilio's API host, such as http://127.0.0.1:8080 for the "
          "emulator; overrides region and edge. Default "
          "https://api.twilio.com. Env: TWILIO_GATEWAY_TWILIO_BASE_URL.");
ABSL_FLAG(std::string, twilio_region, "",
          "Twilio region, such as us1 or ie1 (needs an edge outside us1). "
          "Env: TWILIO_REGION.");
ABSL_FLAG(std::string, twilio_edge, "",
          "Twilio edge, such as dublin or ashburn. Env: TWILIO_EDGE.");
ABSL_FLAG(std::string, credentials_file, "",
          "JSON file of Twilio accounts and their credentials. Env: "
          "TWILIO_GATEWAY_CREDENTIALS_FILE.");
ABSL_FLAG(std::string, twilio_ca_bundle, "",
          "PEM file of the CAs trusted for Twilio's certificate; default "
          "the system store. Env: TWILIO_GATEWAY_TWILIO_CA_BUNDLE.");
ABSL_FLAG(absl::Duration, max_call_timeout, absl::Seconds(30),
          "Deadline for calls that bring none, and the most any call may "
          "take. Env: TWILIO_GATEWAY_MAX_CALL_TIMEOUT.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "How long calls in flight may take to finish after SIGTERM. Env: "
          "TWILIO_GATEWAY_SHUTDOWN_GRACE.");
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error or off. Env: "
          "TWILIO_GATEWAY_LOG_LEVEL.");

namespace twilio_gateway::server {
namespace {

constexpr const char* kFlagNames[] = {
    "listen",           "port_file",        "twilio_base_url",
    "twilio_region",    "twilio_edge",      "credentials_file",
    "twilio_ca_bundle", "max_call_timeout", "shutdown_grace",
    "log_level",
};

std::string EnvironmentName(absl::string_view flag) {
  if (flag == "twilio_region") return "TWILIO_REGION";
  if (flag == "twilio_edge") return "TWILIO_EDGE";
  return absl::StrCat("TWILIO_GATEWAY_", absl::AsciiStrToUpper(flag));
}

// Environment values are applied as flag defaults before the command line
// is parsed, so the command line overrides them.
absl::Status ApplyEnvironment() {
  for (const char* name : kFlagNames) {
    const std::string variable = EnvironmentName(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr || *value == '\0') continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", variable,
                       " is not a valid value for --", name));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ProcessConfig> ParseFlags(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "twilio-gateway: a gRPC gateway to Twilio's SIP registration "
      "CredentialListMappings.\nTwilio credentials come from "
      "TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
      "TWILIO_API_SECRET) and from --credentials_file.");
  if (absl::Status status = ApplyEnvironment(); !status.ok()) return status;
  absl::ParseCommandLine(argc, argv);

  ProcessConfig config;
  config.gateway.listen = absl::GetFlag(FLAGS_listen);
  config.gateway.twilio_base_url = absl::GetFlag(FLAGS_twilio_base_url);
  config.gateway.twilio_region = absl::GetFlag(FLAGS_twilio_region);
  config.gateway.twilio_edge = absl::GetFlag(FLAGS_twilio_edge);
  config.gateway.twilio_ca_bundle = absl::GetFlag(FLAGS_twilio_ca_bundle);
  config.gateway.max_call_timeout = absl::GetFlag(FLAGS_max_call_timeout);
  config.gateway.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.credentials_file = absl::GetFlag(FLAGS_credentials_file);
  config.port_file = absl::GetFlag(FLAGS_port_file);

  if (config.gateway.max_call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--max_call_timeout must be positive");
  }
  if (config.gateway.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  if (!ParseLogLevel(absl::GetFlag(FLAGS_log_level), &config.log_level)) {
    return absl::InvalidArgumentError(
        "--log_level must be trace, debug, info, warn, error or off");
  }
  return config;
}

}  // namespace twilio_gateway::server
