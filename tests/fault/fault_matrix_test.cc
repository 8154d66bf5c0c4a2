// The fault matrix (fault_matrix.cc): every fault the emulator injects,
// against every RPC of the real gateway, asserting the caller's code, the
// requests Twilio saw and what Twilio holds afterwards. Also deadlines and
// shutdown under faults.

#include "tests/fault/fault_matrix.h"

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "service/credentials/credential_store.h"
#include "service/server/gateway_server.h"
#include "tests/twilio_emulator/emulator.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::fault {
namespace {

using ::twilio_gateway::credentials::AccountEntry;
using ::twilio_gateway::credentials::CredentialSnapshot;
using ::twilio_gateway::credentials::CredentialStore;
using ::twilio_gateway::server::GatewayConfig;
using ::twilio_gateway::server::GatewayServer;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;
namespace v1 = ::twilio_gateway::sip::v1;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kToken[] = "fault-matrix-auth-token";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kList[] = "CL00000000000000000000000000000001";

std::unique_ptr<TwilioEmulator> StartEmulator(absl::Duration idle_timeout) {
  EmulatorOptions options;
  options.credentials.push_back({kAccount, kToken});
  options.idle_timeout = idle_timeout;
  auto emulator = TwilioEmulator::Start(std::move(options));
  EXPECT_TRUE(emulator.ok()) << emulator.status();
  return emulator.ok() ? *std::move(emulator) : nullptr;
}

// The base URL of a port where nothing listens: an emulator's, once it has
// stopped.
std::string DeadBaseUrl() {
  std::unique_ptr<TwilioEmulator> gone = StartEmulator(absl::ZeroDuration());
  return gone->base_url();
}

GatewayConfig MatrixConfig(const std::string& base_url) {
  const MatrixSettings settings;
  GatewayConfig config;
  config.listen = "127.0.0.1:0";
  // Caller authentication is not what these tests are about.
  config.security.allow_unauthenticated = true;
  config.twilio_base_url = base_url;
  config.max_call_timeout = absl::Seconds(30);
  config.shutdown_grace = absl::Seconds(1);
  config.twilio_max_attempts = settings.max_attempts;
  config.twilio_backoff_base = settings.backoff_base;
  config.twilio_backoff_cap = settings.backoff_cap;
  config.twilio_attempt_timeout = settings.attempt_timeout;
  return config;
}

std::unique_ptr<GatewayServer> StartGateway(const GatewayConfig& config) {
  auto snapshot = CredentialSnapshot::Create(
      {AccountEntry::AuthToken(kAccount, kToken)}, kAccount);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  auto gateway = GatewayServer::Start(
      config, std::make_shared<CredentialStore>(*std::move(snapshot)));
  EXPECT_TRUE(gateway.ok()) << gateway.status();
  return gateway.ok() ? *std::move(gateway) : nullptr;
}

std::unique_ptr<v1::CredentialListMappingService::Stub> Connect(
    const GatewayServer& gateway) {
  return v1::CredentialListMappingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway.port()),
                          grpc::InsecureChannelCredentials()));
}

grpc::Status Call(v1::CredentialListMappingService::Stub& stub, Rpc rpc,
                  absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  switch (rpc) {
    case Rpc::kCreate: {
      v1::CreateCredentialListMappingRequest request;
      request.set_domain_sid(kDomain);
      request.set_credential_list_sid(kList);
      v1::CredentialListMapping response;
      return stub.CreateCredentialListMapping(&context, request, &response);
    }
    case Rpc::kGet: {
      v1::GetCredentialListMappingRequest request;
      request.set_domain_sid(kDomain);
      request.set_sid(kList);
      v1::CredentialListMapping response;
      return stub.GetCredentialListMapping(&context, request, &response);
    }
    case Rpc::kList: {
      v1::ListCredentialListMappingsRequest request;
      request.set_domain_sid(kDomain);
      v1::ListCredentialListMappingsResponse response;
      return stub.ListCredentialListMappings(&context, request, &response);
    }
    case Rpc::kDelete: {
      v1::DeleteCredentialListMappingRequest request;
      request.set_domain_sid(kDomain);
      request.set_sid(kList);
      google::protobuf::Empty response;
      return stub.DeleteCredentialListMapping(&context, request, &response);
    }
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "no such RPC");
}

struct Cell {
  FaultRow row;
  Rpc rpc;
};

std::vector<Cell> AllCells() {
  std::vector<Cell> cells;
  for (const FaultRow& row : FaultMatrix()) {
    for (Rpc rpc : kAllRpcs) cells.push_back({row, rpc});
  }
  return cells;
}

class FaultMatrixTest : public ::testing::TestWithParam<Cell> {};

TEST_P(FaultMatrixTest, CodeAttemptsAndFinalState) {
  const FaultRow& row = GetParam().row;
  const Rpc rpc = GetParam().rpc;
  const Outcome& expected = row.For(rpc);
  const MatrixSettings settings;

  std::unique_ptr<TwilioEmulator> emulator =
      StartEmulator(row.setup == Setup::kIdleClose ? absl::Milliseconds(100)
                                                   : absl::ZeroDuration());
  ASSERT_NE(emulator, nullptr);
  if (rpc != Rpc::kCreate) emulator->PutMapping(kAccount, kDomain, kList);

  const std::string base_url =
      row.setup == Setup::kUnreachable ? DeadBaseUrl() : emulator->base_url();
  std::unique_ptr<GatewayServer> gateway = StartGateway(MatrixConfig(base_url));
  ASSERT_NE(gateway, nullptr);
  auto stub = Connect(*gateway);

  if (row.setup == Setup::kIdleClose) {
    // Opens a pooled connection, then lets the emulator close it.
    ASSERT_TRUE(Call(*stub, Rpc::kList, settings.call_deadline).ok());
    absl::SleepFor(absl::Milliseconds(400));
    emulator->ClearRequests();
  }
  for (const ScriptedAnswer& rule : row.rules) emulator->Script(rule);

  const grpc::Status status = Call(*stub, rpc, settings.call_deadline);

  EXPECT_EQ(status.error_code(), expected.code) << status.error_message();
  const auto requests = emulator->Requests();
  EXPECT_EQ(static_cast<int>(requests.size()), expected.upstream_requests);
  EXPECT_EQ(static_cast<int>(emulator->Mappings(kAccount, kDomain).size()),
            expected.mappings_after);
  if (!status.ok()) {
    // The final error names the operation, the attempts and the reason.
    EXPECT_THAT(status.error_message(),
                ::testing::HasSubstr("stopped because"));
  }

  stub.reset();
  gateway->Shutdown();
}

INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultMatrixTest,
                         ::testing::ValuesIn(AllCells()),
                         [](const ::testing::TestParamInfo<Cell>& info) {
                           return absl::StrCat(info.param.row.name, "_",
                                               RpcName(info.param.rpc));
                         });

TEST(FaultMatrixDocTest, RowsHaveUniqueNames) {
  std::set<std::string> names;
  for (const FaultRow& row : FaultMatrix()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
  }
}

// A request Twilio never answers cannot hold a call past its deadline,
// whatever the retry settings: the caller gets DEADLINE_EXCEEDED, at its
// deadline and not much later.
TEST(DeadlineTest, NoCallOutlivesItsDeadline) {
  std::unique_ptr<TwilioEmulator> emulator =
      StartEmulator(absl::ZeroDuration());
  ASSERT_NE(emulator, nullptr);
  emulator->PutMapping(kAccount, kDomain, kList);
  ScriptedAnswer dead;
  dead.times = -1;
  dead.never_answer = true;
  emulator->Script(dead);
  GatewayConfig config = MatrixConfig(emulator->base_url());
  config.twilio_attempt_timeout = absl::Seconds(10);
  std::unique_ptr<GatewayServer> gateway = StartGateway(config);
  ASSERT_NE(gateway, nullptr);
  auto stub = Connect(*gateway);
  for (Rpc rpc : kAllRpcs) {
    const grpc::Status status = Call(*stub, rpc, absl::Milliseconds(300));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << RpcName(rpc);
  }
  // The gateway's own calls ended too: nothing holds up its shutdown.
  const absl::Time start = absl::Now();
  stub.reset();
  gateway->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

// SIGTERM while calls hang upstream: the shutdown ends within its grace
// (the calls are cancelled, and so are their requests to Twilio), and calls
// that arrive after it began are refused with UNAVAILABLE.
TEST(ShutdownTest, EndsWithinGraceWhileCallsHangUpstream) {
  std::unique_ptr<TwilioEmulator> emulator =
      StartEmulator(absl::ZeroDuration());
  ASSERT_NE(emulator, nullptr);
  emulator->PutMapping(kAccount, kDomain, kList);
  ScriptedAnswer dead;
  dead.times = -1;
  dead.never_answer = true;
  emulator->Script(dead);
  GatewayConfig config = MatrixConfig(emulator->base_url());
  config.twilio_attempt_timeout = absl::Seconds(60);
  config.shutdown_grace = absl::Milliseconds(500);
  std::unique_ptr<GatewayServer> gateway = StartGateway(config);
  ASSERT_NE(gateway, nullptr);
  auto stub = Connect(*gateway);

  constexpr int kHanging = 8;
  std::vector<grpc::Status> results(kHanging);
  std::vector<std::thread> callers;
  for (int i = 0; i < kHanging; ++i) {
    callers.emplace_back([&, i] {
      results[i] = Call(*stub, static_cast<Rpc>(i % 4), absl::Seconds(30));
    });
  }
  // Every call is waiting on Twilio before the shutdown starts.
  for (int i = 0; i < 500 && emulator->Requests().size() < kHanging; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(emulator->Requests().size(), static_cast<size_t>(kHanging));

  const absl::Time start = absl::Now();
  std::thread stopper([&] { gateway->Shutdown(); });
  absl::SleepFor(absl::Milliseconds(100));
  // A call that arrives after the shutdown began.
  grpc::Status late = Call(*stub, Rpc::kGet, absl::Seconds(5));
  stopper.join();
  const absl::Duration took = absl::Now() - start;
  for (auto& caller : callers) caller.join();

  EXPECT_EQ(late.error_code(), grpc::StatusCode::UNAVAILABLE)
      << late.error_message();
  // Grace 500 ms; without cancelling upstream it would take 30 s.
  EXPECT_LT(took, absl::Seconds(3));
  for (const grpc::Status& status : results) {
    EXPECT_FALSE(status.ok());
  }
  EXPECT_EQ(emulator->Requests().size(), static_cast<size_t>(kHanging));
}

// Beyond the per-account cap, calls wait; beyond the queue, they are
// refused at once with RESOURCE_EXHAUSTED.
TEST(ConcurrencyTest, FullAccountQueueIsResourceExhausted) {
  std::unique_ptr<TwilioEmulator> emulator =
      StartEmulator(absl::ZeroDuration());
  ASSERT_NE(emulator, nullptr);
  emulator->PutMapping(kAccount, kDomain, kList);
  ScriptedAnswer slow;
  slow.times = -1;
  slow.delay = absl::Milliseconds(500);
  emulator->Script(slow);
  GatewayConfig config = MatrixConfig(emulator->base_url());
  config.twilio_attempt_timeout = absl::Seconds(5);
  config.twilio_max_in_flight = 2;
  config.twilio_max_queued = 2;
  std::unique_ptr<GatewayServer> gateway = StartGateway(config);
  ASSERT_NE(gateway, nullptr);
  auto stub = Connect(*gateway);

  constexpr int kCalls = 8;
  std::vector<grpc::Status> results(kCalls);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back(
        [&, i] { results[i] = Call(*stub, Rpc::kGet, absl::Seconds(10)); });
  }
  for (auto& caller : callers) caller.join();
  int ok = 0;
  int exhausted = 0;
  for (const grpc::Status& status : results) {
    ok += status.ok();
    exhausted += status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  // Two in flight and two waiting at any time; the rest refused.
  EXPECT_GE(ok, 4);
  EXPECT_GE(exhausted, 1);
  EXPECT_EQ(ok + exhausted, kCalls);
  EXPECT_EQ(static_cast<int>(emulator->Requests().size()), ok);
}

// When Twilio fails everything, retries stop once they pass the budget:
// the remaining calls fail fast with UNAVAILABLE after one request each.
TEST(RetryBudgetTest, OutageDoesNotMultiplyTraffic) {
  std::unique_ptr<TwilioEmulator> emulator =
      StartEmulator(absl::ZeroDuration());
  ASSERT_NE(emulator, nullptr);
  emulator->Script([] {
    ScriptedAnswer down;
    down.times = -1;
    down.status = 503;
    return down;
  }());
  std::unique_ptr<GatewayServer> gateway =
      StartGateway(MatrixConfig(emulator->base_url()));
  ASSERT_NE(gateway, nullptr);
  auto stub = Connect(*gateway);
  constexpr int kCalls = 100;
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(Call(*stub, Rpc::kGet, absl::Seconds(5)).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  // 100 calls, each allowed 3 retries: without a budget 400 requests; with
  // it at most 100 + 20 % of 100 + the floor of 10.
  EXPECT_LE(emulator->Requests().size(), 130u);
  EXPECT_GE(emulator->Requests().size(), 100u);
}

}  // namespace
}  // namespace twilio_gateway::fault
