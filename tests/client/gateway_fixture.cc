#include "tests/client/gateway_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "service/credentials/credential_store.h"

namespace twilio_gateway::client {
namespace {

constexpr char kToken[] = "client-test-auth-token";

}  // namespace

std::string ListSid(int n) { return absl::StrFormat("CL%032x", n); }

void GatewayFixture::SetUp() {
  twilio_gateway::testing::EmulatorOptions emulator_options;
  emulator_options.credentials.push_back(
      twilio_gateway::testing::EmulatorCredential{kAccount, kToken});
  auto emulator = twilio_gateway::testing::TwilioEmulator::Start(
      std::move(emulator_options));
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  emulator_ = *std::move(emulator);

  auto snapshot = credentials::CredentialSnapshot::Create(
      {credentials::AccountEntry::AuthToken(kAccount, kToken),
       credentials::AccountEntry::Subaccount(kSubaccount, kAccount)},
      kAccount);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  server::GatewayConfig config;
  config.listen = "127.0.0.1:0";
  config.twilio_base_url = emulator_->base_url();
  config.max_call_timeout = absl::Seconds(10);
  config.shutdown_grace = absl::Seconds(5);
  // These tests are about the client, not about who may call.
  config.security.allow_unauthenticated = true;
  auto gateway = server::GatewayServer::Start(
      config,
      std::make_shared<credentials::CredentialStore>(*std::move(snapshot)));
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  gateway_ = *std::move(gateway);

  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                                 grpc::InsecureChannelCredentials());
  client_ = std::make_unique<MappingClient>(MakeClient());
}

void GatewayFixture::TearDown() {
  client_.reset();
  channel_.reset();
  // The emulator goes first: requests it holds unanswered then fail at
  // once, so the gateway need not wait for them.
  emulator_.reset();
  if (gateway_ != nullptr) gateway_->Shutdown();
  gateway_.reset();
}

MappingClient GatewayFixture::MakeClient(absl::Duration timeout) const {
  MappingClientOptions options;
  options.timeout = timeout;
  return MappingClient(channel_, options);
}

std::vector<std::string> GatewayFixture::UpstreamRequests() const {
  std::vector<std::string> requests;
  for (const auto& request : emulator_->Requests()) {
    requests.push_back(absl::StrCat(request.method, " ", request.target));
  }
  return requests;
}

}  // namespace twilio_gateway::client
