#ifndef SERVICE_SERVER_CALLER_SECURITY_H_
#define SERVICE_SERVER_CALLER_SECURITY_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "service/auth/access_control.h"
#include "service/common/file_watcher.h"
#include "service/server/tls_config.h"

namespace twilio_gateway::server {

// Who may call the gRPC port, and over what.
struct SecurityConfig {
  // TLS on the gRPC port; a client CA adds mutual TLS, and a verified
  // client certificate names the caller. `tls.require_client_certificate`
  // is worked out here: required unless bearer tokens are accepted too.
  TlsConfig tls;
  // Hashes of the bearer tokens callers may present (see CallerTokens).
  std::string tokens_file;
  // Which caller may do what to which accounts (see AccessPolicy).
  // Required whenever callers are authenticated.
  std::string policy_file;
  // No caller authentication at all. Must be asked for: without it, a
  // gateway with neither a client CA nor a tokens file does not start.
  bool allow_unauthenticated = false;
  // Calls per second each caller may make; 0: no limit.
  double rate_limit_per_caller = 0;
  // How often the tokens and policy files are checked for changes; zero or
  // negative: only on ReloadNow (tests).
  absl::Duration reload_interval = absl::Seconds(5);
};

// The caller-facing security of the gateway, assembled: the gRPC server
// credentials (plaintext or TLS, with certificates re-read as they change)
// and the access control the handlers consult, whose tokens and policy
// follow their files. A tokens or policy file that turns bad keeps the last
// good version, logs why, and shows in Detail().
class CallerSecurity {
 public:
  // Checks that the settings make sense together, reads the tokens and
  // policy files, and logs at start-up how callers are identified (plainly
  // when they are not).
  //
  // Fails with INVALID_ARGUMENT for a combination that cannot be right (no
  // authentication without --allow_unauthenticated; authentication without
  // a policy; --allow_unauthenticated with a client CA, tokens or a
  // policy), and as MakeTlsServerCredentials and the file readers do.
  static absl::StatusOr<std::unique_ptr<CallerSecurity>> Start(
      const SecurityConfig& config);

  CallerSecurity(const CallerSecurity&) = delete;
  CallerSecurity& operator=(const CallerSecurity&) = delete;

  std::shared_ptr<grpc::ServerCredentials> server_credentials() const {
    return server_credentials_;
  }
  std::shared_ptr<auth::AccessControl> access() const { return access_; }

  // Re-reads the tokens and policy files now; returns the first failure.
  absl::Status ReloadNow();

  // "" while both files loaded last time; otherwise a line for readiness
  // detail saying which failed and why.
  std::string Detail() const;

 private:
  CallerSecurity() = default;

  // Reads one of the two files and swaps it in when good.
  absl::Status Reload(const std::string& path);

  SecurityConfig config_;
  std::shared_ptr<grpc::ServerCredentials> server_credentials_;
  std::shared_ptr<auth::AccessControl> access_;

  mutable std::mutex mu_;
  std::string tokens_error_;  // Guarded by mu_.
  std::string policy_error_;  // Guarded by mu_.

  // Last, so that its thread stops before the members it uses go.
  std::unique_ptr<FileWatcher> watcher_;
};

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_CALLER_SECURITY_H_
