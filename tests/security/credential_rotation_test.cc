// Twilio credentials changed under a running gateway, as a Kubernetes
// Secret update does it, while calls keep coming: no call may fail.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credentials_file.h"
#include "service/server/gateway_server.h"
#include "tests/security/mapping_caller.h"
#include "tests/security/security_test_support.h"
#include "tests/twilio_emulator/emulator.h"

namespace twilio_gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::twilio_gateway::credentials::CredentialSources;
using ::twilio_gateway::credentials::CredentialStore;
using ::twilio_gateway::security_testing::HttpGet;
using ::twilio_gateway::security_testing::KubernetesVolume;
using ::twilio_gateway::security_testing::MakeChannel;
using ::twilio_gateway::security_testing::MappingCaller;
using ::twilio_gateway::security_testing::TempFolder;
using ::twilio_gateway::server::GatewayConfig;
using ::twilio_gateway::server::GatewayServer;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::FindHeader;
using ::twilio_gateway::testing::TwilioEmulator;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kList[] = "CL00000000000000000000000000000001";
constexpr char kOldToken[] = "rotation-old-auth-token-0123456789";
constexpr char kNewToken[] = "rotation-new-auth-token-9876543210";

std::string CredentialsJson(const std::string& token) {
  return absl::StrCat(R"({"default_account_sid": ")", kAccount,
                      R"(", "accounts": [{"account_sid": ")", kAccount,
                      R"(", "auth_token": ")", token, R"("}]})");
}

std::string HeaderFor(const std::string& token) {
  return absl::StrCat("Basic ",
                      absl::Base64Escape(absl::StrCat(kAccount, ":", token)));
}

// Gets the same mapping over and over from several threads, counting
// what comes back, until stopped.
class Load {
 public:
  Load(int port, int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, port] {
        MappingCaller caller(
            MakeChannel(port, grpc::InsecureChannelCredentials()), "");
        while (!stop_) {
          grpc::Status status = caller.Get("", kDomain, kList);
          absl::MutexLock lock(&mu_);
          ++codes_[status.error_code()];
          if (!status.ok() && first_error_.empty()) {
            first_error_ = status.error_message();
          }
        }
      });
    }
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  int ok() const {
    absl::MutexLock lock(&mu_);
    auto it = codes_.find(grpc::StatusCode::OK);
    return it == codes_.end() ? 0 : it->second;
  }
  int failed() const {
    absl::MutexLock lock(&mu_);
    int failed = 0;
    for (const auto& [code, count] : codes_) {
      if (code != grpc::StatusCode::OK) failed += count;
    }
    return failed;
  }
  std::string first_error() const {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

  // Waits until `more` further calls have succeeded; false if that takes
  // longer than a generous bound (something is stuck).
  bool WaitForMore(int more) const {
    const int target = ok() + more;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (ok() < target) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

 private:
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::map<grpc::StatusCode, int> codes_;
  std::string first_error_;
  std::vector<std::thread> threads_;
};

class CredentialRotationTest : public ::testing::Test {
 protected:
  CredentialRotationTest() : volume_(folder_.path(), "credentials.json") {}

  void StartEmulator(std::vector<std::string> accepted_tokens) {
    EmulatorOptions options;
    for (const std::string& token : accepted_tokens) {
      options.credentials.push_back(EmulatorCredential{kAccount, token});
    }
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    emulator_->PutMapping(kAccount, kDomain, kList);
  }

  // Starts the gateway as main() does: the store from the file, then the
  // gateway watching that file.
  void StartGateway(absl::Duration reload_interval) {
    CredentialSources sources;
    sources.file_path = volume_.path();
    sources.getenv = nullptr;
    auto snapshot = credentials::LoadCredentials(sources);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    GatewayConfig config;
    config.listen = "127.0.0.1:0";
    config.admin_listen = "127.0.0.1:0";
    config.twilio_base_url = emulator_->base_url();
    config.max_call_timeout = absl::Seconds(10);
    config.shutdown_grace = absl::Seconds(5);
    config.security.allow_unauthenticated = true;
    config.credentials_file = volume_.path();
    config.credentials_reload_interval = reload_interval;
    auto gateway = GatewayServer::Start(
        config, std::make_shared<CredentialStore>(*std::move(snapshot)));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown();
    gateway_.reset();
    emulator_.reset();
  }

  // How many requests the emulator got with each Authorization header.
  std::map<std::string, int> HeadersSeen() const {
    std::map<std::string, int> seen;
    for (const auto& request : emulator_->Requests()) {
      const std::string* header = FindHeader(request.headers, "Authorization");
      ++seen[header != nullptr ? *header : ""];
    }
    return seen;
  }

  TempFolder folder_;
  KubernetesVolume volume_;
  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<GatewayServer> gateway_;
};

TEST_F(CredentialRotationTest, RotatedSecretIsPickedUpWithoutRestart) {
  // Twilio already accepts only the new token; the gateway still has the
  // old one.
  StartEmulator({kNewToken});
  volume_.Update(CredentialsJson(kOldToken));
  StartGateway(absl::ZeroDuration());
  MappingCaller caller(
      MakeChannel(gateway_->port(), grpc::InsecureChannelCredentials()), "");
  EXPECT_EQ(caller.Get("", kDomain, kList).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  volume_.Update(CredentialsJson(kNewToken));
  gateway_->credential_watcher()->PollNow();
  EXPECT_TRUE(caller.Get("", kDomain, kList).ok());
  EXPECT_THAT(
      gateway_->metrics().Render(),
      HasSubstr(R"(gateway_credential_reloads_total{result="success"} 1)"));
}

TEST_F(CredentialRotationTest, RotationUnderLoadFailsNoCall) {
  // As Twilio rotates: the new secret is valid before the Secret changes,
  // and the old one stays valid until every replica has moved.
  StartEmulator({kOldToken, kNewToken});
  volume_.Update(CredentialsJson(kOldToken));
  StartGateway(absl::Milliseconds(10));

  Load load(gateway_->port(), 6);
  ASSERT_TRUE(load.WaitForMore(100)) << load.first_error();
  volume_.Update(CredentialsJson(kNewToken));

  // The watcher's own thread picks the swap up while calls run.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (HeadersSeen()[HeaderFor(kNewToken)] < 100 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(load.WaitForMore(100)) << load.first_error();
  load.Stop();

  EXPECT_EQ(load.failed(), 0) << load.first_error();
  std::map<std::string, int> seen = HeadersSeen();
  EXPECT_GT(seen[HeaderFor(kOldToken)], 0);
  EXPECT_GE(seen[HeaderFor(kNewToken)], 100);
  EXPECT_EQ(seen.size(), 2u);
  // Once swapped, only the new secret is sent.
  auto requests = emulator_->Requests();
  ASSERT_FALSE(requests.empty());
  const std::string* last =
      FindHeader(requests.back().headers, "Authorization");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(*last, HeaderFor(kNewToken));
}

TEST_F(CredentialRotationTest, BrokenFileDuringLoadFailsNoCall) {
  StartEmulator({kOldToken});
  volume_.Update(CredentialsJson(kOldToken));
  StartGateway(absl::Milliseconds(10));

  Load load(gateway_->port(), 6);
  ASSERT_TRUE(load.WaitForMore(100)) << load.first_error();

  // Half a file, cut inside the secret; then one readable by everyone.
  const std::string full = CredentialsJson(kNewToken);
  volume_.Update(full.substr(0, full.find(kNewToken) + 8));
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (gateway_->credential_watcher()->last_error().ok() &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(load.WaitForMore(100)) << load.first_error();
  const std::string broken_detail = gateway_->ReadyDetail();

  volume_.Update(CredentialsJson(kNewToken), 0644);
  while (gateway_->ReadyDetail().find("other users") == std::string::npos &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(load.WaitForMore(100)) << load.first_error();
  load.Stop();

  EXPECT_EQ(load.failed(), 0) << load.first_error();
  EXPECT_EQ(HeadersSeen().size(), 1u) << "only the old, good secret was sent";
  EXPECT_THAT(broken_detail, HasSubstr("credentials: the file failed to load"));
  EXPECT_THAT(broken_detail, HasSubstr("not valid JSON"));
  EXPECT_THAT(broken_detail, Not(HasSubstr("rotation-new")));

  // Readiness stays up, serving the last good credentials, and says why.
  EXPECT_TRUE(gateway_->Ready().ok());
  auto readyz = HttpGet(gateway_->admin_port(), "/readyz");
  ASSERT_TRUE(readyz.ok()) << readyz.status();
  EXPECT_EQ(readyz->status, 200);
  EXPECT_THAT(readyz->body, HasSubstr("readable or writable by other users"));
  EXPECT_THAT(readyz->body, Not(HasSubstr("rotation-new")));
  auto metrics = HttpGet(gateway_->admin_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(metrics->body,
              Not(HasSubstr(
                  R"(gateway_credential_reloads_total{result="failure"} 0)")));

  // A good file clears the report.
  volume_.Update(CredentialsJson(kOldToken));
  gateway_->credential_watcher()->PollNow();
  EXPECT_EQ(gateway_->ReadyDetail(), "");
}

}  // namespace
}  // namespace twilio_gateway
