#include "service/server/gateway_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/twilio/metered_transport.h"
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
  gateway->credentials_ = credentials;
  gateway->metrics_ = std::make_shared<metrics::GatewayMetrics>();

  // Checked before anything listens, so a gateway left open by mistake
  // never serves.
  absl::StatusOr<std::unique_ptr<CallerSecurity>> security =
      CallerSecurity::Start(config.security);
  if (!security.ok()) return security.status();
  gateway->security_ = *std::move(security);
  if (!config.credentials_file.empty()) {
    credentials::CredentialWatcherOptions watch;
    watch.sources.file_path = config.credentials_file;
    watch.interval = config.credentials_reload_interval;
    watch.on_reload = [metrics = gateway->metrics_](bool success) {
      metrics->CredentialReload(success);
    };
    gateway->credential_watcher_ =
        std::make_unique<credentials::CredentialWatcher>(std::move(watch),
                                                         credentials);
  }

  // The admin port comes up first, so that liveness answers during start-up
  // and a bad address fails before gRPC binds; /readyz stays 503 until gRPC
  // serves.
  if (!config.admin_listen.empty()) {
    AdminServerOptions admin_options;
    admin_options.listen = config.admin_listen;
    GatewayServer* raw = gateway.get();
    admin_options.metrics = [raw] { return raw->metrics_->Render(); };
    admin_options.ready = [raw] { return raw->Ready(); };
    admin_options.ready_detail = [raw] { return raw->ReadyDetail(); };
    absl::StatusOr<std::unique_ptr<AdminServer>> admin =
        AdminServer::Start(std::move(admin_options));
    if (!admin.ok()) return admin.status();
    gateway->admin_ = *std::move(admin);
  }

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
  client_options.max_attempts = config.twilio_max_attempts;
  client_options.backoff.base = config.twilio_backoff_base;
  client_options.backoff.cap = config.twilio_backoff_cap;
  client_options.attempt_timeout = config.twilio_attempt_timeout;
  client_options.retry_budget.ratio = config.twilio_retry_budget;
  client_options.concurrency.max_in_flight_per_account =
      config.twilio_max_in_flight;
  client_options.concurrency.max_queued_per_account = config.twilio_max_queued;
  client_options.on_retry = [metrics =
                                 gateway->metrics_](absl::string_view reason) {
    metrics->TwilioRetry(reason);
  };
  // Each attempt is counted where it leaves, below the retry loop.
  gateway->twilio_ = std::make_shared<twilio::TwilioClient>(
      std::make_shared<twilio::MeteredTransport>(gateway->transport_,
                                                 gateway->metrics_),
      std::move(client_options));

  api::MappingServiceOptions service_options;
  service_options.max_call_timeout = config.max_call_timeout;
  service_options.metrics = gateway->metrics_;
  service_options.access = gateway->security_->access();
  gateway->service_ = std::make_unique<api::MappingService>(
      std::move(credentials), gateway->twilio_, service_options);

  // Reflection cannot describe gRPC's built-in health service, whose
  // messages are not registered with protobuf; naming one of the compiled-in
  // health messages keeps its descriptor linked and visible.
  grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(
      config.listen, gateway->security_->server_credentials(), &gateway->port_);
  // Requests are a few hundred bytes; the caps keep one caller from tying
  // up memory or a connection's worth of handlers.
  builder.SetMaxReceiveMessageSize(config.max_request_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             config.max_concurrent_streams);
  builder.RegisterService(gateway->service_.get());
  // Long-lived HTTP/2 connections would pin each caller to the replica it
  // met first; a bounded age makes callers reconnect and spread over new
  // replicas as they come.
  if (config.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(
                                   config.max_connection_age_grace)));
  }
  gateway->server_ = builder.BuildAndStart();
  if (gateway->server_ == nullptr || gateway->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("could not listen on ", config.listen));
  }

  grpc::HealthCheckServiceInterface* health =
      gateway->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, true);
  health->SetServingStatus(true);
  gateway->serving_ = true;
  return gateway;
}

absl::Status GatewayServer::Ready() const {
  if (draining_) return absl::FailedPreconditionError("shutting down");
  if (!serving_) return absl::FailedPreconditionError("gRPC is not serving");
  if (credentials_ == nullptr ||
      credentials_->Current()->account_count() == 0) {
    return absl::FailedPreconditionError("no Twilio credentials loaded");
  }
  return absl::OkStatus();
}

std::string GatewayServer::ReadyDetail() const {
  std::string detail;
  if (credential_watcher_ != nullptr) detail = credential_watcher_->Detail();
  if (security_ != nullptr) {
    const std::string security = security_->Detail();
    if (!detail.empty() && !security.empty()) detail += "\n";
    detail += security;
  }
  return detail;
}

GatewayServer::~GatewayServer() { Shutdown(); }

void GatewayServer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  // Readiness drops first, so that Kubernetes stops sending traffic while
  // calls in flight finish.
  draining_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    // Refuses new calls at once (they get UNAVAILABLE); calls in flight are
    // cancelled when the grace period ends, and a cancelled call cancels its
    // request to Twilio, so every reactor finishes within milliseconds of
    // it. Returns when every reactor has finished.
    server_->Shutdown(absl::ToChronoTime(absl::Now() + shutdown_grace_));
    server_->Wait();
  }
  // The transport's thread ends before anything it calls into goes away;
  // joining it also orders those objects' destruction after its last use
  // of them, where ThreadSanitizer can see it.
  if (transport_ != nullptr) transport_->Stop();
  server_.reset();
  service_.reset();
  twilio_.reset();
  transport_.reset();
  // Last: probes and scrapes are answered for the whole drain.
  admin_.reset();
  // Their threads stop; nothing reads them any more.
  credential_watcher_.reset();
  security_.reset();
}

}  // namespace twilio_gateway::server
