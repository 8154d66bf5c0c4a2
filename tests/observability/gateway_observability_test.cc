// The gateway's admin port in front of the Twilio emulator: metrics move
// with real calls, readiness follows start-up and shutdown, connections are
// aged out, and the service config in deploy/ is one gRPC accepts.

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "service/credentials/credential_store.h"
#include "service/server/gateway_server.h"
#include "tests/observability/http_client.h"
#include "tests/observability/sample_value.h"
#include "tests/twilio_emulator/emulator.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::twilio_gateway::credentials::AccountEntry;
using ::twilio_gateway::credentials::CredentialSnapshot;
using ::twilio_gateway::credentials::CredentialStore;
using ::twilio_gateway::server::GatewayConfig;
using ::twilio_gateway::server::GatewayServer;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::LocalGet;
using ::twilio_gateway::testing::SampleValue;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;
namespace v1 = ::twilio_gateway::sip::v1;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kToken[] = "observability-test-auth-token";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kList[] = "CL00000000000000000000000000000001";
constexpr char kMissing[] = "CL000000000000000000000000000000ff";
constexpr char kService[] =
    "grpc_service=\"twilio_gateway.sip.v1.CredentialListMappingService\"";
// Every wait for something to happen is bounded by this.
constexpr absl::Duration kPatience = absl::Seconds(30);

std::string Handled(absl::string_view method, absl::string_view code) {
  return absl::StrCat("grpc_server_handled_total{", kService, ",grpc_method=\"",
                      method, "\",grpc_type=\"unary\",grpc_code=\"", code,
                      "\"}");
}

std::string InFlight() {
  return absl::StrCat("gateway_calls_in_flight{account_sid=\"", kAccount,
                      "\"}");
}

// Polls `check` every 20 ms until it holds or kPatience has passed.
template <typename Check>
bool Eventually(Check check) {
  const absl::Time give_up = absl::Now() + kPatience;
  while (absl::Now() < give_up) {
    if (check()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return check();
}

class GatewayObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.credentials.push_back(EmulatorCredential{kAccount, kToken});
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
  }

  void TearDown() override {
    stub_.reset();
    if (gateway_ != nullptr) gateway_->Shutdown();
    gateway_.reset();
    emulator_.reset();
  }

  GatewayConfig Config() const {
    GatewayConfig config;
    config.listen = "127.0.0.1:0";
    config.admin_listen = "127.0.0.1:0";
    config.twilio_base_url = emulator_->base_url();
    config.max_call_timeout = absl::Seconds(10);
    config.shutdown_grace = absl::Seconds(30);
    // Caller authentication has tests of its own (tests/security/).
    config.security.allow_unauthenticated = true;
    return config;
  }

  void StartGateway(const GatewayConfig& config, bool with_credentials = true) {
    std::shared_ptr<CredentialStore> store;
    if (with_credentials) {
      auto snapshot = CredentialSnapshot::Create(
          {AccountEntry::AuthToken(kAccount, kToken)}, kAccount);
      ASSERT_TRUE(snapshot.ok()) << snapshot.status();
      store = std::make_shared<CredentialStore>(*std::move(snapshot));
    } else {
      store = std::make_shared<CredentialStore>();
    }
    auto gateway = GatewayServer::Start(config, std::move(store));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    ASSERT_GT(gateway_->admin_port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::CredentialListMappingService::NewStub(channel_);
  }

  std::string Scrape() {
    auto answer = LocalGet(gateway_->admin_port(), "/metrics");
    EXPECT_TRUE(answer.ok()) << answer.status();
    if (!answer.ok()) return "";
    EXPECT_EQ(answer->status, 200);
    return answer->body;
  }

  long Probe(const std::string& path) {
    auto answer = LocalGet(gateway_->admin_port(), path);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? answer->status : 0;
  }

  grpc::Status Get(const std::string& sid) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::GetCredentialListMappingRequest request;
    request.set_domain_sid(kDomain);
    request.set_sid(sid);
    v1::CredentialListMapping response;
    return stub_->GetCredentialListMapping(&context, request, &response);
  }

  // A Get that the emulator holds without an answer; `done` is set when the
  // call ends. The callback owns it too, so that an early failed assertion
  // leaves nothing dangling.
  struct HeldCall {
    grpc::ClientContext context;
    v1::GetCredentialListMappingRequest request;
    v1::CredentialListMapping response;
    std::promise<grpc::Status> promise;
    std::shared_future<grpc::Status> done = promise.get_future().share();
  };
  std::shared_ptr<HeldCall> StartHeldGet(std::chrono::seconds deadline) {
    ScriptedAnswer hold;
    hold.method = "GET";
    hold.times = -1;
    hold.never_answer = true;
    emulator_->Script(hold);
    auto call = std::make_shared<HeldCall>();
    call->context.set_deadline(std::chrono::system_clock::now() + deadline);
    call->request.set_domain_sid(kDomain);
    call->request.set_sid(kList);
    stub_->async()->GetCredentialListMapping(
        &call->context, &call->request, &call->response,
        [call](grpc::Status status) { call->promise.set_value(status); });
    return call;
  }

  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CredentialListMappingService::Stub> stub_;
};

TEST_F(GatewayObservabilityTest, CountersMoveWithCalls) {
  StartGateway(Config());
  const std::string before = Scrape();
  EXPECT_THAT(SampleValue(before, Handled("GetCredentialListMapping", "OK")),
              Optional(std::string("0")));

  emulator_->PutMapping(kAccount, kDomain, kList);
  EXPECT_TRUE(Get(kList).ok());
  EXPECT_TRUE(Get(kList).ok());
  EXPECT_EQ(Get(kMissing).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("not-a-sid").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  const std::string after = Scrape();
  EXPECT_THAT(SampleValue(after, Handled("GetCredentialListMapping", "OK")),
              Optional(std::string("2")));
  EXPECT_THAT(
      SampleValue(after, Handled("GetCredentialListMapping", "NotFound")),
      Optional(std::string("1")));
  EXPECT_THAT(SampleValue(after, Handled("GetCredentialListMapping",
                                         "InvalidArgument")),
              Optional(std::string("1")));
  EXPECT_THAT(
      SampleValue(after, absl::StrCat("grpc_server_started_total{", kService,
                                      ",grpc_method=\""
                                      "GetCredentialListMapping\","
                                      "grpc_type=\"unary\"}")),
      Optional(std::string("4")));
  EXPECT_THAT(
      SampleValue(after,
                  absl::StrCat("grpc_server_handling_seconds_count{", kService,
                               ",grpc_method=\"GetCredentialListMapping\""
                               ",grpc_type=\"unary\"}")),
      Optional(std::string("4")));
  // The invalid SID never reached Twilio.
  EXPECT_THAT(SampleValue(after,
                          "twilio_requests_total{operation=\"fetch\","
                          "http_status=\"200\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(after,
                          "twilio_requests_total{operation=\"fetch\","
                          "http_status=\"404\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(after, InFlight()), Optional(std::string("0")));
}

TEST_F(GatewayObservabilityTest, CallsInFlightWhileTwilioHoldsTheAnswer) {
  StartGateway(Config());
  std::shared_ptr<HeldCall> call = StartHeldGet(std::chrono::seconds(2));
  EXPECT_TRUE(Eventually([&] {
    return SampleValue(Scrape(), InFlight()) == std::optional<std::string>("1");
  }));

  // The caller's deadline ends the held call.
  const grpc::Status status = call->done.get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(Eventually([&] {
    return SampleValue(Scrape(), InFlight()) == std::optional<std::string>("0");
  }));
}

TEST_F(GatewayObservabilityTest, ReadyzTurns503WhenShutdownBegins) {
  StartGateway(Config());
  EXPECT_EQ(Probe("/readyz"), 200);
  EXPECT_EQ(Probe("/livez"), 200);

  std::shared_ptr<HeldCall> call = StartHeldGet(std::chrono::seconds(60));
  ASSERT_TRUE(Eventually([&] { return !emulator_->Requests().empty(); }));
  std::thread shutdown([this] { gateway_->Shutdown(); });

  // The call is still held, so the drain cannot be over yet.
  EXPECT_TRUE(Eventually([&] { return Probe("/readyz") == 503; }));
  EXPECT_EQ(Probe("/livez"), 200);
  auto body = LocalGet(gateway_->admin_port(), "/readyz");
  EXPECT_TRUE(body.ok() && absl::StrContains(body->body, "shutting down"));
  EXPECT_EQ(call->done.wait_for(std::chrono::seconds(0)),
            std::future_status::timeout);

  // Twilio going away ends the held call, and with it the drain.
  emulator_.reset();
  shutdown.join();
  EXPECT_NE(call->done.get().error_code(), grpc::StatusCode::OK);
}

TEST_F(GatewayObservabilityTest, NotReadyWithoutCredentials) {
  StartGateway(Config(), /*with_credentials=*/false);
  auto answer = LocalGet(gateway_->admin_port(), "/readyz");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 503);
  EXPECT_THAT(answer->body, HasSubstr("no Twilio credentials"));
  EXPECT_EQ(Probe("/livez"), 200);
}

TEST_F(GatewayObservabilityTest, NoAdminPortWhenNotAsked) {
  GatewayConfig config = Config();
  config.admin_listen = "";
  auto snapshot = CredentialSnapshot::Create(
      {AccountEntry::AuthToken(kAccount, kToken)}, kAccount);
  ASSERT_TRUE(snapshot.ok());
  auto gateway = GatewayServer::Start(
      config, std::make_shared<CredentialStore>(*std::move(snapshot)));
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  EXPECT_EQ((*gateway)->admin_port(), 0);
  EXPECT_TRUE((*gateway)->Ready().ok());
}

TEST_F(GatewayObservabilityTest, ABadAdminAddressStopsTheStart) {
  GatewayConfig config = Config();
  config.admin_listen = "nonsense";
  auto gateway =
      GatewayServer::Start(config, std::make_shared<CredentialStore>());
  EXPECT_EQ(gateway.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GatewayObservabilityTest, ConnectionsAreAgedOut) {
  GatewayConfig config = Config();
  config.max_connection_age = absl::Milliseconds(300);
  config.max_connection_age_grace = absl::Seconds(1);
  StartGateway(config);
  emulator_->PutMapping(kAccount, kDomain, kList);
  ASSERT_TRUE(Get(kList).ok());
  ASSERT_EQ(channel_->GetState(false), GRPC_CHANNEL_READY);

  // GOAWAY takes the channel out of READY; without an age limit it would
  // stay there for the whole wait.
  EXPECT_TRUE(channel_->WaitForStateChange(
      GRPC_CHANNEL_READY,
      std::chrono::system_clock::now() + std::chrono::seconds(20)));
  // And the caller simply reconnects.
  EXPECT_TRUE(Get(kList).ok());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(GatewayObservabilityTest, CallersServiceConfigIsAcceptedByGrpc) {
  StartGateway(Config());
  emulator_->PutMapping(kAccount, kDomain, kList);
  const std::string service_config = ReadFile(TWILIO_GATEWAY_SERVICE_CONFIG);
  ASSERT_FALSE(service_config.empty());

  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(service_config);
  auto stub = v1::CredentialListMappingService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                                grpc::InsecureChannelCredentials(), arguments));

  grpc::ClientContext ok_context;
  v1::GetCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid(kList);
  v1::CredentialListMapping response;
  EXPECT_TRUE(
      stub->GetCredentialListMapping(&ok_context, request, &response).ok());

  // NOT_FOUND is not retried: Twilio sees the request once.
  emulator_->ClearRequests();
  grpc::ClientContext missing_context;
  request.set_sid(kMissing);
  EXPECT_EQ(stub->GetCredentialListMapping(&missing_context, request, &response)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(emulator_->Requests().size(), 1u);

  // gRPC does refuse a broken config, so the first call is a real check.
  grpc::ChannelArguments broken;
  broken.SetServiceConfigJSON(R"({"methodConfig": [{"timeout": "soon"}]})");
  auto broken_stub = v1::CredentialListMappingService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                                grpc::InsecureChannelCredentials(), broken));
  grpc::ClientContext broken_context;
  broken_context.set_deadline(std::chrono::system_clock::now() +
                              std::chrono::seconds(5));
  request.set_sid(kList);
  EXPECT_FALSE(
      broken_stub->GetCredentialListMapping(&broken_context, request, &response)
          .ok());
}

}  // namespace
}  // namespace twilio_gateway
