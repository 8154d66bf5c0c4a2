#ifndef SERVICE_SERVER_GATEWAY_SERVER_H_
#define SERVICE_SERVER_GATEWAY_SERVER_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "service/api/mapping_service.h"
#include "service/common/gateway_metrics.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credential_watcher.h"
#include "service/server/admin_server.h"
#include "service/server/caller_security.h"
#include "service/twilio/curl_transport.h"
#include "service/twilio/twilio_client.h"

namespace twilio_gateway::server {

// Everything the gateway needs to run, whatever it was read from.
struct GatewayConfig {
  // Where gRPC listens, "HOST:PORT"; port 0 picks a free one.
  std::string listen = "0.0.0.0:50051";
  // Twilio's host (see twilio::TwilioBaseUrl).
  std::string twilio_base_url;
  std::string twilio_region;
  std::string twilio_edge;
  // PEM bundle of CAs for Twilio's certificate; empty: the system store.
  std::string twilio_ca_bundle;
  // Deadline for calls that bring none, and the cap on any call.
  absl::Duration max_call_timeout = absl::Seconds(30);
  // How long calls in flight may take to finish at shutdown.
  absl::Duration shutdown_grace = absl::Seconds(20);
  // The Twilio client's retries and limits (see twilio::TwilioClientOptions
  // and the README's section on faults and retries).
  int twilio_max_attempts = 4;
  absl::Duration twilio_backoff_base = absl::Milliseconds(100);
  absl::Duration twilio_backoff_cap = absl::Seconds(2);
  absl::Duration twilio_attempt_timeout = absl::Seconds(10);
  double twilio_retry_budget = 0.2;
  int twilio_max_in_flight = 50;
  int twilio_max_queued = 500;
  // Where the admin HTTP port (probes, metrics) listens, "HOST:PORT"; port
  // 0 picks a free one. Empty: no admin port (the binary's flag defaults to
  // 0.0.0.0:9090).
  std::string admin_listen;
  // A connection is sent GOAWAY after this long, so that callers reconnect
  // and, through their load balancing, spread over new replicas. Zero: no
  // limit. gRPC adds +/-10% jitter.
  absl::Duration max_connection_age = absl::ZeroDuration();
  // How long calls on a connection that got GOAWAY may still take before it
  // is closed.
  absl::Duration max_connection_age_grace = absl::ZeroDuration();

  // Who may call, over what (TLS, client certificates, bearer tokens, the
  // policy, the per-caller rate limit). By default nobody is authenticated
  // and nothing is allowed: Start fails until authentication is configured
  // or `security.allow_unauthenticated` is set.
  SecurityConfig security;
  // The largest request message accepted; larger ones get
  // RESOURCE_EXHAUSTED before any handler runs.
  int max_request_bytes = 64 * 1024;
  // Streams (calls) one HTTP/2 connection may have open at once.
  int max_concurrent_streams = 100;
  // The credentials file the store was loaded from; when set it is watched
  // and reloaded into the store as it changes (see CredentialWatcher).
  std::string credentials_file;
  // How often the credentials file is checked for changes; zero or
  // negative: only on credential_watcher()->PollNow() (tests).
  absl::Duration credentials_reload_interval = absl::Seconds(5);
};

// The gateway, assembled: credentials, the Twilio client over libcurl, the
// gRPC service with health checking and reflection.
class GatewayServer {
 public:
  // Starts serving. Fails with INVALID_ARGUMENT for a bad setting and
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(
      const GatewayConfig& config,
      std::shared_ptr<credentials::CredentialStore> credentials);

  // Shuts down (see Shutdown) if that has not happened yet.
  ~GatewayServer();

  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // The port gRPC listens on; the one picked when the config said 0.
  int port() const { return port_; }
  // The Twilio host calls go to.
  const std::string& twilio_base_url() const { return base_url_; }
  // The admin port; 0 when there is none.
  int admin_port() const { return admin_ != nullptr ? admin_->port() : 0; }
  // What the admin port's /metrics shows.
  metrics::GatewayMetrics& metrics() { return *metrics_; }
  // Null when no credentials file is watched.
  credentials::CredentialWatcher* credential_watcher() {
    return credential_watcher_.get();
  }
  CallerSecurity& security() { return *security_; }

  // What readiness adds to its answer while the gateway serves on the last
  // good version of a file that has since turned bad; "" otherwise.
  std::string ReadyDetail() const;

  // OK while the gateway should get traffic: credentials are loaded, gRPC
  // serves, and no shutdown has begun. Otherwise FAILED_PRECONDITION
  // saying which is missing. What the admin port's /readyz answers.
  absl::Status Ready() const;

  // Health turns NOT_SERVING, new calls are refused, calls in flight get
  // until the grace period ends to finish; then the transport stops.
  // Returns once everything has stopped. Safe to call more than once.
  void Shutdown();

 private:
  GatewayServer() = default;

  absl::Duration shutdown_grace_;
  std::string base_url_;
  int port_ = 0;
  bool stopped_ = false;
  // Read by the admin thread for /readyz.
  std::atomic<bool> serving_{false};
  std::atomic<bool> draining_{false};
  std::shared_ptr<credentials::CredentialStore> credentials_;
  std::shared_ptr<metrics::GatewayMetrics> metrics_;
  std::unique_ptr<CallerSecurity> security_;
  std::unique_ptr<credentials::CredentialWatcher> credential_watcher_;
  // Declared in dependency order; destroyed in reverse, so the server stops
  // before the service and the transport it calls go away.
  std::shared_ptr<twilio::CurlTransport> transport_;
  std::shared_ptr<twilio::TwilioClient> twilio_;
  std::unique_ptr<api::MappingService> service_;
  std::unique_ptr<grpc::Server> server_;
  // Last, so that it stops first: its callbacks read the members above.
  std::unique_ptr<AdminServer> admin_;
};

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_GATEWAY_SERVER_H_
