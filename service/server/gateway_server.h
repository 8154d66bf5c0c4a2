#ifndef SERVICE_SERVER_GATEWAY_SERVER_H_
#define SERVICE_SERVER_GATEWAY_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "service/api/mapping_service.h"
#include "service/credentials/credential_store.h"
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
  // Declared in dependency order; destroyed in reverse, so the server stops
  // before the service and the transport it calls go away.
  std::shared_ptr<twilio::CurlTransport> transport_;
  std::shared_ptr<twilio::TwilioClient> twilio_;
  std::unique_ptr<api::MappingService> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_GATEWAY_SERVER_H_
