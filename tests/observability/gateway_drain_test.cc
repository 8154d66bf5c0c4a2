// The twilio-gateway binary on SIGTERM, as Kubernetes stops a pod: while a
// call is still held upstream, /readyz answers 503 (so no new traffic is
// sent) and /livez 200 (so the pod is not killed); once the call ends the
// process exits 0.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/observability/http_client.h"
#include "tests/twilio_emulator/emulator.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

extern char** environ;

namespace twilio_gateway {
namespace {

using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::LocalGet;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;
namespace v1 = ::twilio_gateway::sip::v1;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kToken[] = "drain-test-auth-token";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kList[] = "CL00000000000000000000000000000001";
// Every wait is bounded by this; none of them is expected to come close.
constexpr absl::Duration kPatience = absl::Seconds(30);

class GatewayDrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.credentials.push_back(EmulatorCredential{kAccount, kToken});
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);

    std::string pattern = absl::StrCat(
        std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp",
        "/gateway-drain-test.XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::string log;
    std::ifstream in(dir_ + "/gateway.log");
    for (std::string line; std::getline(in, line);) log += line + "\n";
    if (HasFailure()) std::cerr << "gateway log:\n" << log;
    std::remove((dir_ + "/gateway.log").c_str());
    std::remove((dir_ + "/grpc.port").c_str());
    std::remove((dir_ + "/admin.port").c_str());
    rmdir(dir_.c_str());
  }

  void SpawnGateway() {
    std::vector<std::string> args = {
        TWILIO_GATEWAY_BINARY,
        "--listen=127.0.0.1:0",
        absl::StrCat("--port_file=", dir_, "/grpc.port"),
        "--admin_listen=127.0.0.1:0",
        absl::StrCat("--admin_port_file=", dir_, "/admin.port"),
        absl::StrCat("--twilio_base_url=", emulator_->base_url()),
        "--shutdown_grace=120s",
        "--max_call_timeout=120s",
        // Caller authentication is not what this test is about.
        "--allow_unauthenticated",
    };
    // Only what the gateway needs: no developer settings leak in.
    std::vector<std::string> env = {
        absl::StrCat("TWILIO_ACCOUNT_SID=", kAccount),
        absl::StrCat("TWILIO_AUTH_TOKEN=", kToken),
    };
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& var : env) envp.push_back(var.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir_ + "/gateway.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error = posix_spawn(&pid_, argv[0], &actions, nullptr,
                                  argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(error, 0) << "cannot start " << argv[0];
  }

  // True while the gateway runs; reaps it and records its status once it
  // has exited.
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return false;
    }
    return true;
  }

  int WaitPort(const std::string& file) {
    const absl::Time give_up = absl::Now() + kPatience;
    while (absl::Now() < give_up && Running()) {
      std::ifstream in(file);
      std::string text;
      int port = 0;
      if (std::getline(in, text) &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) &&
          port > 0) {
        return port;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return 0;
  }

  std::unique_ptr<TwilioEmulator> emulator_;
  std::string dir_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

TEST_F(GatewayDrainTest, ReadyzTurns503OnSigtermBeforeTheProcessExits) {
  ScriptedAnswer hold;
  hold.method = "GET";
  hold.times = -1;
  hold.never_answer = true;
  emulator_->Script(hold);

  SpawnGateway();
  const int grpc_port = WaitPort(dir_ + "/grpc.port");
  const int admin_port = WaitPort(dir_ + "/admin.port");
  ASSERT_GT(grpc_port, 0) << "the gateway did not write its port";
  ASSERT_GT(admin_port, 0) << "the gateway did not write its admin port";
  auto ready = LocalGet(admin_port, "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  ASSERT_EQ(ready->status, 200) << ready->body;

  // A call Twilio holds keeps the drain going for as long as the test
  // needs it to.
  auto stub = v1::CredentialListMappingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port),
                          grpc::InsecureChannelCredentials()));
  // Owned by the callback too, so an early failed assertion leaves nothing
  // dangling for it.
  struct HeldCall {
    grpc::ClientContext context;
    v1::GetCredentialListMappingRequest request;
    v1::CredentialListMapping response;
    std::promise<grpc::Status> done;
  };
  auto call = std::make_shared<HeldCall>();
  call->context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(120));
  call->request.set_domain_sid(kDomain);
  call->request.set_sid(kList);
  std::future<grpc::Status> done = call->done.get_future();
  stub->async()->GetCredentialListMapping(
      &call->context, &call->request, &call->response,
      [call](grpc::Status status) { call->done.set_value(status); });
  const absl::Time give_up = absl::Now() + kPatience;
  while (emulator_->Requests().empty() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_FALSE(emulator_->Requests().empty())
      << "the call never reached Twilio";

  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  bool saw_503 = false;
  while (!saw_503 && Running() && absl::Now() < give_up + kPatience) {
    auto answer = LocalGet(admin_port, "/readyz");
    saw_503 = answer.ok() && answer->status == 503;
    if (!saw_503) absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(saw_503) << (Running() ? "/readyz never turned 503"
                                     : "the gateway exited before /readyz "
                                       "turned 503");
  ASSERT_TRUE(Running()) << "the drain ended while a call was held";
  auto live = LocalGet(admin_port, "/livez");
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->status, 200) << "/livez must hold during the drain";

  // Twilio going away ends the held call; then the gateway exits cleanly.
  emulator_.reset();
  const absl::Time exit_by = absl::Now() + kPatience;
  while (Running() && absl::Now() < exit_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_FALSE(Running()) << "the gateway did not exit after the drain";
  ASSERT_TRUE(WIFEXITED(exit_status_));
  EXPECT_EQ(WEXITSTATUS(exit_status_), 0);
  EXPECT_NE(done.get().error_code(), grpc::StatusCode::OK);
}

}  // namespace
}  // namespace twilio_gateway
