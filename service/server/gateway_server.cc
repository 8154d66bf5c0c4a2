#include "service/server/gateway_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/twilio/rest_paths.h"

namespace twilio_gateway::server {
namespace {

constexpr char kServiceName[] =
    "twilio_gateway.sip.v1.CredentialListMappingService";
constexpr char kVersion[] = "0.1.0";

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    const GatewayConfig& config,
    std::shared_ptr<credentials::CredentialStore> credentials) {
  absl::StatusOr<std::string> base_url = twilio::TwilioBaseUrl(
      config.twilio_base_url, config.twilio_region, config.twilio_edge);
  if (!base_url.ok()) return base_url.status();

  std::unique_ptr<GatewayServer> gateway(new GatewayServer());
  gateway->shutdown_grace_ = config.shutdown_grace;
  gateway->base_url_ = *base_url;

  twilio::CurlTransportOptions transport_options;
  transport_options.ca_bundle = config.twilio_ca_bundle;
  absl::StatusOr<std::unique_ptr<twilio::CurlTransport>> transport =
      twilio::CurlTransport::Create(std::move(transport_options));
  if (!transport.ok()) return transport.status();
  gateway->transport_ = std::move(*transport);

  twilio::TwilioClientOptions client_options;
  client_options.base_url = *base_url;
  client_options.user_agent =
      twilio::MakeUserAgent(kVersion, twilio::CurlTransport::RuntimeName());
  gateway->twilio_ = std::make_shared<twilio::TwilioClient>(
      gateway->transport_, std::move(client_options));

  api::MappingServiceOptions service_options;
  service_options.max_call_timeout = config.max_call_timeout;
  gateway->service_ = std::make_unique<api::MappingService>(
      std::move(credentials), gateway->twilio_, service_options);

  // Reflection cannot describe gRPC's built-in health service, whose
  // messages are not registered with protobuf; naming one of the compiled-in
  // health messages keeps its descriptor linked and visible.
  grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  // TODO(#4) - TLS and caller authentication on the gRPC port.
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(),
                           &gateway->port_);
  builder.RegisterService(gateway->service_.get());
  gateway->server_ = builder.BuildAndStart();
  if (gateway->server_ == nullptr || gateway->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("could not listen on ", config.listen));
  }

  grpc::HealthCheckServiceInterface* health =
      gateway->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, true);
  health->SetServingStatus(true);
  return gateway;
}

GatewayServer::~GatewayServer() { Shutdown(); }

void GatewayServer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    // Refuses new calls at once; calls in flight are cancelled when the
    // grace period ends. Returns when every reactor has finished.
    server_->Shutdown(absl::ToChronoTime(absl::Now() + shutdown_grace_));
    server_->Wait();
  }
  server_.reset();
  service_.reset();
  twilio_.reset();
  transport_.reset();
}

}  // namespace twilio_gateway::server
