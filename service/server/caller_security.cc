#include "service/server/caller_security.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/auth/access_policy.h"
#include "service/auth/caller_tokens.h"
#include "service/common/json_log.h"

namespace twilio_gateway::server {
namespace {

absl::Status CheckCombination(const SecurityConfig& config) {
  if (config.rate_limit_per_caller < 0) {
    return absl::InvalidArgumentError(
        "--rate_limit_per_caller must not be negative");
  }
  const bool authenticates =
      !config.tls.client_ca_file.empty() || !config.tokens_file.empty();
  if (config.allow_unauthenticated) {
    if (authenticates || !config.policy_file.empty()) {
      return absl::InvalidArgumentError(
          "--allow_unauthenticated cannot be combined with --tls_client_ca, "
          "--tokens_file or --policy_file: either callers are identified "
          "and checked, or nobody is");
    }
    return absl::OkStatus();
  }
  if (!authenticates) {
    return absl::InvalidArgumentError(
        "callers are not authenticated: give --tls_client_ca (mutual TLS) "
        "and/or --tokens_file (bearer tokens), with --policy_file; or pass "
        "--allow_unauthenticated to let anyone who reaches the port call "
        "(local development only)");
  }
  if (config.policy_file.empty()) {
    return absl::InvalidArgumentError(
        "--policy_file is required when callers are authenticated: it says "
        "which caller may read or write which accounts (a grant with "
        "\"caller\": \"*\" and \"accounts\": [\"*\"] lets every "
        "authenticated caller do everything)");
  }
  return absl::OkStatus();
}

void LogStartup(const SecurityConfig& config) {
  if (config.allow_unauthenticated) {
    LogLine(spdlog::level::warn,
            "caller authentication is OFF (--allow_unauthenticated): anyone "
            "who can reach the gRPC port may read and change the mappings "
            "of every account this gateway holds credentials for");
    return;
  }
  std::vector<std::string> methods;
  if (!config.tls.client_ca_file.empty()) {
    methods.push_back("client certificate");
  }
  if (!config.tokens_file.empty()) methods.push_back("bearer token");
  LogLine(spdlog::level::info, "callers are authenticated")
      .Field("identified_by", absl::StrJoin(methods, ", "))
      .Field("tls", TlsEnabled(config.tls))
      .Field("client_certificate_required",
             config.tls.require_client_certificate)
      .Field("policy_file", config.policy_file)
      .Field("tokens_file", config.tokens_file)
      .Field("rate_limit_per_caller", config.rate_limit_per_caller);
  if (!config.tokens_file.empty() && !TlsEnabled(config.tls)) {
    LogLine(spdlog::level::warn,
            "bearer tokens arrive over plaintext gRPC; serve TLS (--tls_cert, "
            "--tls_key) unless a service mesh encrypts the connection");
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<CallerSecurity>> CallerSecurity::Start(
    const SecurityConfig& config) {
  if (absl::Status combination = CheckCombination(config); !combination.ok()) {
    return combination;
  }
  std::unique_ptr<CallerSecurity> security(new CallerSecurity());
  security->config_ = config;
  security->config_.tls.require_client_certificate =
      !config.tls.client_ca_file.empty() && config.tokens_file.empty();

  if (TlsEnabled(config.tls)) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        MakeTlsServerCredentials(security->config_.tls);
    if (!credentials.ok()) return credentials.status();
    security->server_credentials_ = *std::move(credentials);
  } else {
    security->server_credentials_ = grpc::InsecureServerCredentials();
  }

  auth::AccessControlOptions access_options;
  access_options.allow_unauthenticated = config.allow_unauthenticated;
  access_options.rate_limit_per_caller = config.rate_limit_per_caller;
  security->access_ =
      std::make_shared<auth::AccessControl>(std::move(access_options));

  // At start-up a bad file is fatal; later it only keeps the last good one.
  std::vector<std::string> files;
  if (!config.tokens_file.empty()) {
    absl::StatusOr<std::shared_ptr<const auth::CallerTokens>> tokens =
        auth::CallerTokens::Read(config.tokens_file);
    if (!tokens.ok()) return tokens.status();
    security->access_->ReplaceTokens(*std::move(tokens));
    files.push_back(config.tokens_file);
  }
  if (!config.policy_file.empty()) {
    absl::StatusOr<std::shared_ptr<const auth::AccessPolicy>> policy =
        auth::AccessPolicy::Read(config.policy_file);
    if (!policy.ok()) return policy.status();
    security->access_->ReplacePolicy(*std::move(policy));
    files.push_back(config.policy_file);
  }
  CallerSecurity* raw = security.get();
  security->watcher_ = std::make_unique<FileWatcher>(
      std::move(files), config.reload_interval,
      // The outcome is logged and kept for Detail(); nothing else to do.
      [raw](const std::string& path) { raw->Reload(path).IgnoreError(); });

  LogStartup(security->config_);
  return security;
}

absl::Status CallerSecurity::Reload(const std::string& path) {
  absl::Status status;
  std::string* error = nullptr;
  if (path == config_.tokens_file) {
    error = &tokens_error_;
    absl::StatusOr<std::shared_ptr<const auth::CallerTokens>> tokens =
        auth::CallerTokens::Read(path);
    status = tokens.status();
    if (tokens.ok()) {
      access_->ReplaceTokens(*std::move(tokens));
      LogLine(spdlog::level::info, "tokens file reloaded")
          .Field("tokens_file", path);
    }
  } else {
    error = &policy_error_;
    absl::StatusOr<std::shared_ptr<const auth::AccessPolicy>> policy =
        auth::AccessPolicy::Read(path);
    status = policy.status();
    if (policy.ok()) {
      LogLine(spdlog::level::info, "policy file reloaded")
          .Field("policy_file", path)
          .Field("grants", static_cast<int64_t>((*policy)->grant_count()));
      access_->ReplacePolicy(*std::move(policy));
    }
  }
  if (!status.ok()) {
    LogLine(spdlog::level::warn,
            "reload failed; the last good version stays in use")
        .Field("file", path)
        .Field("error", status.message());
  }
  std::lock_guard<std::mutex> lock(mu_);
  *error = status.ok() ? std::string() : std::string(status.message());
  return status;
}

absl::Status CallerSecurity::ReloadNow() {
  absl::Status first;
  for (const std::string* path : {&config_.tokens_file, &config_.policy_file}) {
    if (path->empty()) continue;
    absl::Status status = Reload(*path);
    if (first.ok()) first = status;
  }
  return first;
}

std::string CallerSecurity::Detail() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> parts;
  if (!tokens_error_.empty()) {
    parts.push_back(absl::StrCat("tokens: the last reload failed (",
                                 tokens_error_,
                                 "); the last good tokens stay in use"));
  }
  if (!policy_error_.empty()) {
    parts.push_back(absl::StrCat("policy: the last reload failed (",
                                 policy_error_,
                                 "); the last good policy stays in use"));
  }
  return absl::StrJoin(parts, "\n");
}

}  // namespace twilio_gateway::server
