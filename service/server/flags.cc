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
ABSL_FLAG(std::string, admin_listen, "0.0.0.0:9090",
          "Where the admin HTTP port (/livez, /readyz, /metrics) listens, "
          "HOST:PORT; port 0 picks a free port, empty turns it off. Env: "
          "TWILIO_GATEWAY_ADMIN_LISTEN.");
ABSL_FLAG(std::string, admin_port_file, "",
          "When set, the bound admin port is written to this file once the "
          "gateway serves. Env: TWILIO_GATEWAY_ADMIN_PORT_FILE.");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "A gRPC connection is asked to close (GOAWAY) after this long, so "
          "callers reconnect and spread over replicas; 0 for no limit. Env: "
          "TWILIO_GATEWAY_MAX_CONNECTION_AGE.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(60),
          "How long calls on a connection asked to close may still take; "
          "keep it above --max_call_timeout. Env: "
          "TWILIO_GATEWAY_MAX_CONNECTION_AGE_GRACE.");
ABSL_FLAG(int, twilio_max_attempts, 4,
          "Attempts per call to Twilio in all, retries included. Env: "
          "TWILIO_GATEWAY_TWILIO_MAX_ATTEMPTS.");
ABSL_FLAG(absl::Duration, twilio_backoff_base, absl::Milliseconds(100),
          "The first retry waits up to this long (full jitter); each later "
          "one up to twice as long. Env: TWILIO_GATEWAY_TWILIO_BACKOFF_BASE.");
ABSL_FLAG(absl::Duration, twilio_backoff_cap, absl::Seconds(2),
          "No retry waits longer, unless Twilio's Retry-After asks. Env: "
          "TWILIO_GATEWAY_TWILIO_BACKOFF_CAP.");
ABSL_FLAG(absl::Duration, twilio_attempt_timeout, absl::Seconds(10),
          "One request to Twilio gives up after this long, leaving the rest "
          "of the call's deadline for a retry. Env: "
          "TWILIO_GATEWAY_TWILIO_ATTEMPT_TIMEOUT.");
ABSL_FLAG(double, twilio_retry_budget, 0.2,
          "Retries may add at most this share of calls (over 10 s, plus 10), "
          "so an outage of Twilio does not multiply traffic. Env: "
          "TWILIO_GATEWAY_TWILIO_RETRY_BUDGET.");
ABSL_FLAG(int, twilio_max_in_flight, 50,
          "Requests in flight to Twilio per account, at most; the rest wait. "
          "Env: TWILIO_GATEWAY_TWILIO_MAX_IN_FLIGHT.");
ABSL_FLAG(int, twilio_max_queued, 500,
          "Requests that may wait per account; beyond, RESOURCE_EXHAUSTED. "
          "Env: TWILIO_GATEWAY_TWILIO_MAX_QUEUED.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain the gRPC port serves TLS with (needs "
          "--tls_key); re-read as it changes. Env: TWILIO_GATEWAY_TLS_CERT.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert, unencrypted. Env: "
          "TWILIO_GATEWAY_TLS_KEY.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM bundle of the CAs that sign client certificates: mutual TLS, "
          "and a verified certificate's URI SAN (else DNS SAN) names the "
          "caller. Env: TWILIO_GATEWAY_TLS_CLIENT_CA.");
ABSL_FLAG(std::string, tokens_file, "",
          "JSON file of the SHA-256 hashes of the bearer tokens callers may "
          "present, and whose they are. Env: TWILIO_GATEWAY_TOKENS_FILE.");
ABSL_FLAG(std::string, policy_file, "",
          "JSON file saying which caller may read or write which accounts; "
          "required when callers are authenticated. Env: "
          "TWILIO_GATEWAY_POLICY_FILE.");
ABSL_FLAG(bool, allow_unauthenticated, false,
          "Serve without authenticating callers: anyone who reaches the port "
          "may do anything. For local development only. Env: "
          "TWILIO_GATEWAY_ALLOW_UNAUTHENTICATED.");
ABSL_FLAG(absl::Duration, reload_interval, absl::Seconds(10),
          "How often the credentials, tokens, policy and TLS files are "
          "checked for changes. Env: TWILIO_GATEWAY_RELOAD_INTERVAL.");
ABSL_FLAG(int, max_request_bytes, 64 * 1024,
          "The largest request accepted, in bytes. Env: "
          "TWILIO_GATEWAY_MAX_REQUEST_BYTES.");
ABSL_FLAG(double, rate_limit_per_caller, 100,
          "Calls per second each caller may make (bursts of one second's "
          "worth); beyond, RESOURCE_EXHAUSTED. 0 for no limit. Env: "
          "TWILIO_GATEWAY_RATE_LIMIT_PER_CALLER.");
ABSL_FLAG(int, max_concurrent_streams, 100,
          "Calls one connection may have in flight at once. Env: "
          "TWILIO_GATEWAY_MAX_CONCURRENT_STREAMS.");
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info, warn, error or off. Env: "
          "TWILIO_GATEWAY_LOG_LEVEL.");

namespace twilio_gateway::server {
namespace {

constexpr const char* kFlagNames[] = {
    "listen",
    "port_file",
    "twilio_base_url",
    "twilio_region",
    "twilio_edge",
    "credentials_file",
    "twilio_ca_bundle",
    "max_call_timeout",
    "shutdown_grace",
    "log_level",
    "tls_cert",
    "tls_key",
    "tls_client_ca",
    "tokens_file",
    "policy_file",
    "allow_unauthenticated",
    "reload_interval",
    "max_request_bytes",
    "rate_limit_per_caller",
    "max_concurrent_streams",
    "admin_listen",
    "admin_port_file",
    "max_connection_age",
    "max_connection_age_grace",
    "twilio_max_attempts",
    "twilio_backoff_base",
    "twilio_backoff_cap",
    "twilio_attempt_timeout",
    "twilio_retry_budget",
    "twilio_max_in_flight",
    "twilio_max_queued",
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
  config.gateway.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  config.admin_port_file = absl::GetFlag(FLAGS_admin_port_file);
  config.gateway.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  config.gateway.max_connection_age_grace =
      absl::GetFlag(FLAGS_max_connection_age_grace);

  if (config.gateway.max_call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--max_call_timeout must be positive");
  }
  if (config.gateway.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  // gRPC takes milliseconds as an int.
  constexpr absl::Duration kMaxChannelDuration = absl::Hours(24 * 24);
  if (config.gateway.max_connection_age < absl::ZeroDuration() ||
      config.gateway.max_connection_age > kMaxChannelDuration) {
    return absl::InvalidArgumentError(
        "--max_connection_age must be between 0 and 576h");
  }
  if (config.gateway.max_connection_age_grace < absl::ZeroDuration() ||
      config.gateway.max_connection_age_grace > kMaxChannelDuration) {
    return absl::InvalidArgumentError(
        "--max_connection_age_grace must be between 0 and 576h");
  }
  if (!config.admin_port_file.empty() && config.gateway.admin_listen.empty()) {
    return absl::InvalidArgumentError(
        "--admin_port_file needs an admin port (--admin_listen)");
  }
  config.gateway.twilio_max_attempts = absl::GetFlag(FLAGS_twilio_max_attempts);
  config.gateway.twilio_backoff_base = absl::GetFlag(FLAGS_twilio_backoff_base);
  config.gateway.twilio_backoff_cap = absl::GetFlag(FLAGS_twilio_backoff_cap);
  config.gateway.twilio_attempt_timeout =
      absl::GetFlag(FLAGS_twilio_attempt_timeout);
  config.gateway.twilio_retry_budget = absl::GetFlag(FLAGS_twilio_retry_budget);
  config.gateway.twilio_max_in_flight =
      absl::GetFlag(FLAGS_twilio_max_in_flight);
  config.gateway.twilio_max_queued = absl::GetFlag(FLAGS_twilio_max_queued);
  if (config.gateway.twilio_max_attempts < 1 ||
      config.gateway.twilio_max_attempts > 20) {
    return absl::InvalidArgumentError(
        "--twilio_max_attempts must be between 1 and 20");
  }
  if (config.gateway.twilio_backoff_base < absl::ZeroDuration() ||
      config.gateway.twilio_backoff_cap < config.gateway.twilio_backoff_base) {
    return absl::InvalidArgumentError(
        "--twilio_backoff_base must not be negative nor above "
        "--twilio_backoff_cap");
  }
  if (config.gateway.twilio_attempt_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--twilio_attempt_timeout must be positive");
  }
  if (!(config.gateway.twilio_retry_budget >= 0 &&
        config.gateway.twilio_retry_budget <= 10)) {
    return absl::InvalidArgumentError(
        "--twilio_retry_budget must be between 0 and 10");
  }
  if (config.gateway.twilio_max_in_flight < 1 ||
      config.gateway.twilio_max_queued < 0) {
    return absl::InvalidArgumentError(
        "--twilio_max_in_flight must be at least 1 and --twilio_max_queued "
        "not negative");
  }
  SecurityConfig& security = config.gateway.security;
  security.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  security.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  security.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  security.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  security.policy_file = absl::GetFlag(FLAGS_policy_file);
  security.allow_unauthenticated = absl::GetFlag(FLAGS_allow_unauthenticated);
  security.rate_limit_per_caller = absl::GetFlag(FLAGS_rate_limit_per_caller);
  const absl::Duration reload_interval = absl::GetFlag(FLAGS_reload_interval);
  security.reload_interval = reload_interval;
  security.tls.refresh_interval = reload_interval;
  config.gateway.credentials_file = config.credentials_file;
  config.gateway.credentials_reload_interval = reload_interval;
  config.gateway.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  config.gateway.max_concurrent_streams =
      absl::GetFlag(FLAGS_max_concurrent_streams);
  if (reload_interval < absl::Seconds(1) || reload_interval > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        "--reload_interval must be between 1s and 24h");
  }
  if (config.gateway.max_request_bytes < 1024) {
    return absl::InvalidArgumentError(
        "--max_request_bytes must be at least 1024");
  }
  if (!(security.rate_limit_per_caller >= 0)) {
    return absl::InvalidArgumentError(
        "--rate_limit_per_caller must not be negative");
  }
  if (config.gateway.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError(
        "--max_concurrent_streams must be at least 1");
  }
  if (!ParseLogLevel(absl::GetFlag(FLAGS_log_level), &config.log_level)) {
    return absl::InvalidArgumentError(
        "--log_level must be trace, debug, info, warn, error or off");
  }
  return config;
}

}  // namespace twilio_gateway::server
