// The secret canary: the whole gateway runs with known fake secrets and the
// most verbose logging, every RPC and every error path is driven, the
// credentials are reloaded (well and badly), and then nothing the gateway
// said anywhere may contain a secret or its HTTP Basic encoding.

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "grpc/support/log.h"
#include "gtest/gtest.h"
#include "service/common/json_log.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credentials_file.h"
#include "service/server/gateway_server.h"
#include "tests/security/mapping_caller.h"
#include "tests/security/security_test_support.h"
#include "tests/twilio_emulator/emulator.h"

namespace twilio_gateway {
namespace {

using ::testing::HasSubstr;
using ::twilio_gateway::credentials::CredentialSources;
using ::twilio_gateway::credentials::CredentialStore;
using ::twilio_gateway::security_testing::HttpGet;
using ::twilio_gateway::security_testing::KeyPair;
using ::twilio_gateway::security_testing::KubernetesVolume;
using ::twilio_gateway::security_testing::MakeCertificateAuthority;
using ::twilio_gateway::security_testing::MakeChannel;
using ::twilio_gateway::security_testing::MakeLeafCertificate;
using ::twilio_gateway::security_testing::MappingCaller;
using ::twilio_gateway::security_testing::Sha256HexForTest;
using ::twilio_gateway::security_testing::StderrCapture;
using ::twilio_gateway::security_testing::TempFolder;
using ::twilio_gateway::security_testing::TlsCredentials;
using ::twilio_gateway::security_testing::WriteFileAtomically;
using ::twilio_gateway::server::GatewayConfig;
using ::twilio_gateway::server::GatewayServer;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::FindHeader;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;

constexpr char kAccountA[] = "AC0000000000000000000000000000000a";
constexpr char kAccountB[] = "AC0000000000000000000000000000000b";
constexpr char kAccountC[] = "AC0000000000000000000000000000000c";
constexpr char kSubaccount[] = "AC0000000000000000000000000000005a";
constexpr char kStranger[] = "AC000000000000000000000000000000ff";
constexpr char kApiKeyB[] = "SK0000000000000000000000000000000b";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kMissing[] = "CL000000000000000000000000000000ee";

// The canaries: fake secrets of every kind the gateway holds or sees.
constexpr char kTokenA[] = "CanaryAuthTokenA7f3c9e1d2b4a6f8e0c1";
constexpr char kSecretB[] = "CanaryApiSecretB5d8e2f1a3c7b9d4e6f0";
constexpr char kRejectedC[] = "CanaryRejectedTokenC0d9e8f7a6b5c4d3";
constexpr char kRotatedA[] = "CanaryRotatedTokenA1b2c3d4e5f6a7b8c9";
constexpr char kBrokenA[] = "CanaryBrokenTokenA9f8e7d6c5b4a3f2e1d";
constexpr char kWriterToken[] = "CanaryCallerWriterToken5e4d3c2b1a0f9";
constexpr char kReaderToken[] = "CanaryCallerReaderToken0a1b2c3d4e5f6";
constexpr char kRevokedToken[] = "CanaryCallerRevokedToken9a8b7c6d5e4f";
constexpr char kUnknownToken[] = "CanaryCallerUnknownToken1f2e3d4c5b6a";

std::string ListSid(int n) {
  return absl::StrCat("CL", std::string(30, '0'), n, n);
}

std::string CredentialsJson(const std::string& token_a) {
  return absl::StrCat(
      R"({"default_account_sid": ")", kAccountA, R"(", "accounts": [
      {"account_sid": ")",
      kAccountA, R"(", "auth_token": ")", token_a, R"("},
      {"account_sid": ")",
      kAccountB, R"(", "api_key_sid": ")", kApiKeyB,
      R"(", "api_key_secret": ")", kSecretB, R"("},
      {"account_sid": ")",
      kAccountC, R"(", "auth_token": ")", kRejectedC,
      R"("},
      {"account_sid": ")",
      kSubaccount, R"(", "parent_account_sid": ")", kAccountA, R"("}]})");
}

std::string TokensJson() {
  return absl::StrCat(
      R"({"tokens": [{"caller": "writer", "sha256": ")",
      Sha256HexForTest(kWriterToken), R"("}, {"caller": "reader", "sha256": ")",
      Sha256HexForTest(kReaderToken),
      R"("}, {"caller": "retired", "revoked": true, "sha256": ")",
      Sha256HexForTest(kRevokedToken), R"("}]})");
}

constexpr char kPolicy[] = R"({"grants": [
    {"caller": "writer", "accounts": ["*"], "operations": ["read", "write"]},
    {"caller": "reader", "accounts": ["AC0000000000000000000000000000000a"],
     "operations": ["read"]},
    {"caller": "spiffe://canary/reader", "accounts": ["*"],
     "operations": ["read"]}]})";

// Every form in which a secret could leak: as is, base64 alone, and as
// the Authorization header's Basic value for its user.
std::vector<std::string> Forms(const std::string& user,
                               const std::string& secret) {
  std::vector<std::string> forms = {secret, absl::Base64Escape(secret)};
  if (!user.empty()) {
    const std::string basic =
        absl::Base64Escape(absl::StrCat(user, ":", secret));
    forms.push_back(basic);
    // Also without base64's padding, as a log might trim it.
    forms.push_back(basic.substr(0, basic.find('=')));
  }
  return forms;
}

class SecretCanaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG);
    InitJsonLogging(spdlog::level::trace);

    auto ca = MakeCertificateAuthority(certs_.path(), "ca");
    ASSERT_TRUE(ca.ok());
    ca_ = *ca;
    auto server = MakeLeafCertificate(certs_.path(), "server", ca_,
                                      "DNS:localhost,IP:127.0.0.1");
    auto reader = MakeLeafCertificate(certs_.path(), "reader", ca_,
                                      "URI:spiffe://canary/reader");
    ASSERT_TRUE(server.ok() && reader.ok());
    server_ = *server;
    reader_cert_ = *reader;

    EmulatorOptions options;
    options.credentials = {EmulatorCredential{kAccountA, kTokenA},
                           EmulatorCredential{kAccountA, kRotatedA},
                           EmulatorCredential{kApiKeyB, kSecretB}};
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);

    WriteFileAtomically(folder_.File("tokens.json"), TokensJson());
    WriteFileAtomically(folder_.File("policy.json"), kPolicy);
    volume_ = std::make_unique<KubernetesVolume>(folder_.File("secret"),
                                                 "credentials.json");
    ASSERT_EQ(::mkdir(folder_.File("secret").c_str(), 0700), 0);
    volume_->Update(CredentialsJson(kTokenA));
  }

  void TearDown() override {
    InitJsonLogging(spdlog::level::info);
    gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
  }

  GatewayConfig Config() const {
    GatewayConfig config;
    config.listen = "127.0.0.1:0";
    config.admin_listen = "127.0.0.1:0";
    config.twilio_base_url = emulator_->base_url();
    config.max_call_timeout = absl::Seconds(2);
    config.shutdown_grace = absl::Seconds(5);
    config.twilio_backoff_base = absl::Milliseconds(1);
    config.twilio_backoff_cap = absl::Milliseconds(5);
    config.security.tls.cert_file = server_.cert_file;
    config.security.tls.key_file = server_.key_file;
    config.security.tls.client_ca_file = ca_.cert_file;
    config.security.tokens_file = folder_.File("tokens.json");
    config.security.policy_file = folder_.File("policy.json");
    config.security.reload_interval = absl::ZeroDuration();
    config.credentials_file = volume_->path();
    config.credentials_reload_interval = absl::ZeroDuration();
    config.max_request_bytes = 4096;
    return config;
  }

  std::unique_ptr<GatewayServer> Start(const GatewayConfig& config) {
    CredentialSources sources;
    sources.file_path = volume_->path();
    sources.getenv = nullptr;
    auto snapshot = credentials::LoadCredentials(sources);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    auto gateway = GatewayServer::Start(
        config, std::make_shared<CredentialStore>(*std::move(snapshot)));
    EXPECT_TRUE(gateway.ok()) << gateway.status();
    return gateway.ok() ? *std::move(gateway) : nullptr;
  }

  MappingCaller Caller(int port, const std::string& token,
                       const KeyPair* cert = nullptr) {
    return MappingCaller(
        MakeChannel(port,
                    TlsCredentials(ca_.cert_pem, cert ? cert->cert_pem : "",
                                   cert ? cert->key_pem : "")),
        token);
  }

  // Everything a caller, an operator or a scraper could read, gathered.
  void Gather(const GatewayServer& gateway, std::vector<std::string>& out) {
    for (const char* path : {"/metrics", "/readyz", "/livez", "/nothing"}) {
      auto answer = HttpGet(gateway.admin_port(), path);
      ASSERT_TRUE(answer.ok()) << answer.status();
      out.push_back(answer->body);
    }
    out.push_back(gateway.ReadyDetail());
  }

  TempFolder certs_;
  TempFolder folder_;
  KeyPair ca_;
  KeyPair server_;
  KeyPair reader_cert_;
  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<KubernetesVolume> volume_;
};

TEST_F(SecretCanaryTest, NoSecretLeavesTheGateway) {
  StderrCapture capture;
  std::vector<std::string> said;
  std::vector<std::vector<std::string>*> callers_seen;

  {
    std::unique_ptr<GatewayServer> gateway = Start(Config());
    ASSERT_NE(gateway, nullptr);
    const int port = gateway->port();
    MappingCaller writer = Caller(port, kWriterToken);
    MappingCaller reader = Caller(port, kReaderToken);
    MappingCaller cert_reader = Caller(port, "", &reader_cert_);
    MappingCaller nobody = Caller(port, "");
    MappingCaller unknown = Caller(port, kUnknownToken);
    MappingCaller revoked = Caller(port, kRevokedToken);

    // Every RPC, succeeding.
    for (int n = 1; n <= 3; ++n) {
      EXPECT_TRUE(writer.Create("", kDomain, ListSid(n)).ok());
    }
    EXPECT_TRUE(writer.Get("", kDomain, ListSid(1)).ok());
    std::string next;
    EXPECT_TRUE(writer.List("", kDomain, 1, "", &next).ok());
    EXPECT_FALSE(next.empty());
    EXPECT_TRUE(writer.List("", kDomain, 1, next).ok());
    EXPECT_TRUE(writer.Create("", kDomain, ListSid(4), true).ok());
    EXPECT_TRUE(writer.Delete("", kDomain, ListSid(3), true).ok());
    EXPECT_TRUE(writer.Delete("", kDomain, ListSid(3)).ok());
    EXPECT_TRUE(writer.Create(kAccountB, kDomain, ListSid(5)).ok());
    EXPECT_TRUE(writer.List(kSubaccount, kDomain, 0, "").ok());
    EXPECT_TRUE(cert_reader.List(kAccountB, kDomain, 0, "").ok());
    EXPECT_TRUE(reader.Get("", kDomain, ListSid(1)).ok());

    // Every error the gateway or Twilio can give.
    EXPECT_FALSE(writer.Create("", kDomain, ListSid(1)).ok());  // exists
    EXPECT_FALSE(writer.Get("", kDomain, kMissing).ok());
    EXPECT_FALSE(writer.Delete("", kDomain, kMissing).ok());
    EXPECT_FALSE(writer.Delete("", kDomain, kMissing, true).ok());
    EXPECT_FALSE(writer.Create("", kDomain, ListSid(1), true).ok());
    EXPECT_FALSE(writer.Create("", "SDbad", ListSid(1)).ok());
    EXPECT_FALSE(writer.List("", kDomain, -1, "").ok());
    EXPECT_FALSE(writer.List("", kDomain, 0, "not-a-token").ok());
    EXPECT_FALSE(writer.List(kAccountB, kDomain, 1, next).ok());
    EXPECT_FALSE(writer.Get(kStranger, kDomain, kMissing).ok());
    EXPECT_FALSE(writer.Get(kAccountC, kDomain, kMissing).ok());  // 401
    EXPECT_FALSE(writer.Get(kAccountA, kDomain, std::string(3000, 'x')).ok());
    EXPECT_FALSE(writer.List("", kDomain, 0, std::string(8192, 'x')).ok());
    EXPECT_FALSE(reader.Create("", kDomain, ListSid(6)).ok());
    EXPECT_FALSE(reader.Get(kAccountB, kDomain, ListSid(5)).ok());
    EXPECT_FALSE(cert_reader.Delete("", kDomain, ListSid(1)).ok());
    EXPECT_FALSE(nobody.Get("", kDomain, ListSid(1)).ok());
    EXPECT_FALSE(unknown.Get("", kDomain, ListSid(1)).ok());
    EXPECT_FALSE(revoked.Delete("", kDomain, ListSid(1)).ok());

    ScriptedAnswer outage;
    outage.status = 503;
    outage.times = 10;
    emulator_->Script(outage);
    EXPECT_FALSE(writer.Get("", kDomain, ListSid(1)).ok());
    emulator_->ClearScript();
    ScriptedAnswer throttled;
    throttled.status = 429;
    throttled.headers = {{"Retry-After", "0"}};
    throttled.times = 10;
    emulator_->Script(throttled);
    EXPECT_FALSE(writer.List("", kDomain, 0, "").ok());
    emulator_->ClearScript();
    ScriptedAnswer garbage;
    garbage.status = 200;
    garbage.body = "this is not JSON";
    emulator_->Script(garbage);
    EXPECT_FALSE(writer.Get("", kDomain, ListSid(1)).ok());
    emulator_->ClearScript();
    ScriptedAnswer forbidden;
    forbidden.status = 403;
    forbidden.body =
        R"({"code": 20403, "message": "Forbidden", "status": 403})";
    emulator_->Script(forbidden);
    EXPECT_FALSE(writer.Delete("", kDomain, ListSid(1)).ok());
    emulator_->ClearScript();
    ScriptedAnswer cut;
    cut.fault = testing::DeliveryFault::kTruncateBody;
    cut.times = 10;
    emulator_->Script(cut);
    EXPECT_FALSE(writer.Get("", kDomain, ListSid(1)).ok());
    emulator_->ClearScript();
    ScriptedAnswer slow;
    slow.delay = absl::Seconds(5);
    emulator_->Script(slow);
    EXPECT_FALSE(writer.Get("", kDomain, ListSid(2)).ok());  // deadline
    emulator_->ClearScript();

    // Reloads: a rotation, a half-written file, one with a stray newline
    // in its secret, one readable by everyone, a broken tokens file.
    volume_->Update(CredentialsJson(kRotatedA));
    gateway->credential_watcher()->PollNow();
    EXPECT_TRUE(writer.Get("", kDomain, ListSid(1)).ok());
    const std::string broken = CredentialsJson(kBrokenA);
    volume_->Update(broken.substr(0, broken.find(kBrokenA) + 20));
    gateway->credential_watcher()->PollNow();
    Gather(*gateway, said);
    volume_->Update(
        absl::StrReplaceAll(CredentialsJson(kBrokenA),
                            {{kBrokenA, absl::StrCat(kBrokenA, "\\n")}}));
    gateway->credential_watcher()->PollNow();
    Gather(*gateway, said);
    volume_->Update(CredentialsJson(kBrokenA), 0644);
    gateway->credential_watcher()->PollNow();
    WriteFileAtomically(folder_.File("tokens.json"),
                        absl::StrCat(R"({"tokens": [")", kWriterToken, "\""));
    EXPECT_FALSE(gateway->security().ReloadNow().ok());
    EXPECT_TRUE(writer.Get("", kDomain, ListSid(1)).ok());
    Gather(*gateway, said);

    gateway->Shutdown();
    for (MappingCaller* caller :
         {&writer, &reader, &cert_reader, &nobody, &unknown, &revoked}) {
      said.insert(said.end(), caller->seen().begin(), caller->seen().end());
    }
  }

  // A second gateway for the per-caller rate limit, and one that cannot
  // start because its credentials file is broken.
  {
    volume_->Update(CredentialsJson(kRotatedA));
    WriteFileAtomically(folder_.File("tokens.json"), TokensJson());
    GatewayConfig config = Config();
    config.security.rate_limit_per_caller = 0.001;
    std::unique_ptr<GatewayServer> gateway = Start(config);
    ASSERT_NE(gateway, nullptr);
    MappingCaller writer = Caller(gateway->port(), kWriterToken);
    EXPECT_TRUE(writer.Get("", kDomain, ListSid(1)).ok());
    EXPECT_EQ(writer.Get("", kDomain, ListSid(1)).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
    Gather(*gateway, said);
    gateway->Shutdown();
    said.insert(said.end(), writer.seen().begin(), writer.seen().end());

    const std::string broken = CredentialsJson(kBrokenA);
    volume_->Update(broken.substr(0, broken.find(kBrokenA) + 10));
    CredentialSources sources;
    sources.file_path = volume_->path();
    sources.getenv = nullptr;
    auto failed = credentials::LoadCredentials(sources);
    EXPECT_FALSE(failed.ok());
    said.push_back(std::string(failed.status().message()));
  }

  said.push_back(capture.Text());
  const std::string& log = said.back();

  // The run did what it should, so finding nothing means something.
  EXPECT_GT(std::count(log.begin(), log.end(), '\n'), 60);
  EXPECT_THAT(log, HasSubstr("\"msg\":\"rpc finished\""));
  EXPECT_THAT(log, HasSubstr("\"log\":\"audit\""));
  EXPECT_THAT(log, HasSubstr("credentials reload failed"));
  EXPECT_THAT(log, HasSubstr("credentials reloaded"));
  EXPECT_THAT(log, HasSubstr("\"code\":\"UNAVAILABLE\""));
  EXPECT_THAT(log, HasSubstr("\"code\":\"DEADLINE_EXCEEDED\""));
  EXPECT_THAT(log, HasSubstr("\"code\":\"FAILED_PRECONDITION\""));
  EXPECT_THAT(log, HasSubstr("\"code\":\"RESOURCE_EXHAUSTED\""));
  EXPECT_THAT(log, HasSubstr("\"code\":\"UNAUTHENTICATED\""));
  EXPECT_THAT(log, HasSubstr("\"level\":\"debug\",\"msg\":\"access checked\""));
  // The emulator did receive the Basic forms this test looks for, so the
  // forms are computed right.
  bool basic_seen = false;
  for (const auto& request : emulator_->Requests()) {
    const std::string* header = FindHeader(request.headers, "Authorization");
    if (header != nullptr &&
        *header == absl::StrCat("Basic ", Forms(kAccountA, kTokenA)[2])) {
      basic_seen = true;
    }
  }
  EXPECT_TRUE(basic_seen);

  std::vector<std::string> canaries;
  for (const auto& [user, secret] :
       std::vector<std::pair<std::string, std::string>>{{kAccountA, kTokenA},
                                                        {kApiKeyB, kSecretB},
                                                        {kAccountC, kRejectedC},
                                                        {kAccountA, kRotatedA},
                                                        {kAccountA, kBrokenA},
                                                        {"", kWriterToken},
                                                        {"", kReaderToken},
                                                        {"", kRevokedToken},
                                                        {"", kUnknownToken}}) {
    for (const std::string& form : Forms(user, secret))
      canaries.push_back(form);
  }
  // The gateway's TLS private key, by a line from its middle.
  const std::string key_line =
      server_.key_pem.substr(server_.key_pem.find('\n') + 1, 40);
  canaries.push_back(key_line);

  // The first canary found in `text`, or "".
  auto leaked = [&canaries](const std::string& text) -> std::string {
    for (const std::string& canary : canaries) {
      if (text.find(canary) != std::string::npos) return canary;
    }
    return "";
  };
  // The search does find a leak, in each form.
  EXPECT_EQ(leaked(absl::StrCat("Authorization: Basic ",
                                Forms(kAccountA, kRotatedA)[2])),
            Forms(kAccountA, kRotatedA)[2]);
  EXPECT_EQ(leaked(absl::StrCat("token=", kUnknownToken, "&")), kUnknownToken);

  for (const std::string& text : said) {
    const std::string found = leaked(text);
    EXPECT_EQ(found, "") << "leaked: " << found
                         << "\nin: " << text.substr(0, 2000);
  }
  EXPECT_GT(said.size(), 100u);
}

}  // namespace
}  // namespace twilio_gateway
