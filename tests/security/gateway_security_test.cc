// The whole gateway in front of the Twilio emulator, over real gRPC on
// 127.0.0.1, with caller authentication on: who may call, with which
// credentials, over which transport, and what the audit log says.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/common/json_log.h"
#include "service/credentials/credential_store.h"
#include "service/server/gateway_server.h"
#include "tests/security/mapping_caller.h"
#include "tests/security/security_test_support.h"
#include "tests/twilio_emulator/emulator.h"

namespace twilio_gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::twilio_gateway::credentials::AccountEntry;
using ::twilio_gateway::credentials::CredentialSnapshot;
using ::twilio_gateway::credentials::CredentialStore;
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
using ::twilio_gateway::server::SecurityConfig;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;

namespace v1 = ::twilio_gateway::sip::v1;

constexpr char kAccountA[] = "AC0000000000000000000000000000000a";
constexpr char kAccountB[] = "AC0000000000000000000000000000000b";
constexpr char kStranger[] = "AC000000000000000000000000000000ff";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kList[] = "CL00000000000000000000000000000001";
constexpr char kMissingList[] = "CL000000000000000000000000000000ee";
constexpr char kTokenA[] = "twilio-token-of-account-a-0123456789";
constexpr char kTokenB[] = "twilio-token-of-account-b-0123456789";

constexpr char kReaderToken[] = "reader-bearer-token-0123456789abcdef";
constexpr char kWriterToken[] = "writer-bearer-token-0123456789abcdef";
constexpr char kAdminToken[] = "admin-bearer-token-0123456789abcdefg";
constexpr char kRevokedToken[] = "revoked-bearer-token-0123456789abcde";
constexpr char kUnknownToken[] = "unknown-bearer-token-0123456789abcde";
constexpr char kSpiffeReader[] = "spiffe://test/ns/a/sa/reader";

std::string TokensJson(bool writer_revoked = false) {
  return absl::StrCat(
      R"({"tokens": [{"caller": "reader", "sha256": ")",
      Sha256HexForTest(kReaderToken), R"("}, {"caller": "writer", "sha256": ")",
      Sha256HexForTest(kWriterToken), R"(", "revoked": )",
      writer_revoked ? "true" : "false",
      R"(}, {"caller": "admin", "sha256": ")", Sha256HexForTest(kAdminToken),
      R"("}, {"caller": "retired", "revoked": true, "sha256": ")",
      Sha256HexForTest(kRevokedToken), R"("}]})");
}

std::string PolicyJson() {
  return absl::StrCat(
      R"({"grants": [
      {"caller": "reader", "accounts": [")",
      kAccountA,
      R"("], "operations": ["read"]},
      {"caller": "writer", "accounts": [")",
      kAccountA,
      R"("], "operations": ["read", "write"]},
      {"caller": "admin", "accounts": ["*"], "operations": ["read", "write"]},
      {"caller": ")",
      kSpiffeReader,
      R"(", "accounts": ["*"], "operations": ["read"]},
      {"caller": "client.test", "accounts": [")",
      kAccountA, R"("], "operations": ["read", "write"]}]})");
}

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return "";
  for (const auto& detail : rich.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// The JSON lines of `log` that carry "log":"audit".
std::vector<nlohmann::json> AuditLines(const std::string& log) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (line.empty() || line.front() != '{') continue;
    nlohmann::json parsed =
        nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (parsed.is_object() && parsed.value("log", "") == "audit") {
      lines.push_back(parsed);
    }
  }
  return lines;
}

struct Certificates {
  TempFolder folder;
  KeyPair ca;
  KeyPair rogue_ca;
  KeyPair server;
  KeyPair server_renewed;
  KeyPair spiffe_reader;
  KeyPair dns_client;
  KeyPair rogue_client;
};

class GatewaySecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new Certificates();
    const std::string& dir = certs_->folder.path();
    auto ca = MakeCertificateAuthority(dir, "ca");
    auto rogue = MakeCertificateAuthority(dir, "rogue-ca");
    ASSERT_TRUE(ca.ok() && rogue.ok());
    certs_->ca = *ca;
    certs_->rogue_ca = *rogue;
    const std::string server_san = "DNS:localhost,IP:127.0.0.1";
    auto server = MakeLeafCertificate(dir, "server", *ca, server_san);
    auto renewed = MakeLeafCertificate(dir, "server-renewed", *ca, server_san);
    auto reader = MakeLeafCertificate(dir, "reader", *ca,
                                      absl::StrCat("URI:", kSpiffeReader));
    auto dns = MakeLeafCertificate(dir, "dns-client", *ca, "DNS:client.test");
    auto rogue_client = MakeLeafCertificate(
        dir, "rogue-client", *rogue, absl::StrCat("URI:", kSpiffeReader));
    ASSERT_TRUE(server.ok() && renewed.ok() && reader.ok() && dns.ok() &&
                rogue_client.ok());
    certs_->server = *server;
    certs_->server_renewed = *renewed;
    certs_->spiffe_reader = *reader;
    certs_->dns_client = *dns;
    certs_->rogue_client = *rogue_client;
  }

  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(certs_, nullptr);
    EmulatorOptions options;
    options.credentials = {EmulatorCredential{kAccountA, kTokenA},
                           EmulatorCredential{kAccountB, kTokenB}};
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    WriteFileAtomically(tokens_file(), TokensJson());
    WriteFileAtomically(policy_file(), PolicyJson());
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown();
    gateway_.reset();
    emulator_.reset();
  }

  std::string tokens_file() const { return folder_.File("tokens.json"); }
  std::string policy_file() const { return folder_.File("policy.json"); }

  SecurityConfig TokensOnly() const {
    SecurityConfig security;
    security.tokens_file = tokens_file();
    security.policy_file = policy_file();
    security.reload_interval = absl::ZeroDuration();
    return security;
  }

  SecurityConfig MutualTls(bool with_tokens) const {
    SecurityConfig security;
    security.tls.cert_file = certs_->server.cert_file;
    security.tls.key_file = certs_->server.key_file;
    security.tls.client_ca_file = certs_->ca.cert_file;
    if (with_tokens) security.tokens_file = tokens_file();
    security.policy_file = policy_file();
    security.reload_interval = absl::ZeroDuration();
    return security;
  }

  absl::Status StartGateway(const SecurityConfig& security,
                            int max_request_bytes = 64 * 1024,
                            int max_concurrent_streams = 100) {
    auto snapshot = CredentialSnapshot::Create(
        {AccountEntry::AuthToken(kAccountA, kTokenA),
         AccountEntry::AuthToken(kAccountB, kTokenB)},
        kAccountA);
    if (!snapshot.ok()) return snapshot.status();
    GatewayConfig config;
    config.listen = "127.0.0.1:0";
    config.twilio_base_url = emulator_->base_url();
    config.max_call_timeout = absl::Seconds(10);
    config.shutdown_grace = absl::Seconds(5);
    config.security = security;
    config.max_request_bytes = max_request_bytes;
    config.max_concurrent_streams = max_concurrent_streams;
    auto gateway = GatewayServer::Start(
        config, std::make_shared<CredentialStore>(*std::move(snapshot)));
    if (!gateway.ok()) return gateway.status();
    gateway_ = *std::move(gateway);
    return absl::OkStatus();
  }

  MappingCaller Plaintext(const std::string& token) {
    return MappingCaller(
        MakeChannel(gateway_->port(), grpc::InsecureChannelCredentials()),
        token);
  }

  MappingCaller OverTls(const KeyPair* client, const std::string& token = "",
                        const std::string& ca_pem = "") {
    return MappingCaller(
        MakeChannel(
            gateway_->port(),
            TlsCredentials(ca_pem.empty() ? certs_->ca.cert_pem : ca_pem,
                           client ? client->cert_pem : "",
                           client ? client->key_pem : "")),
        token);
  }

  static Certificates* certs_;
  TempFolder folder_;
  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<GatewayServer> gateway_;
};

Certificates* GatewaySecurityTest::certs_ = nullptr;

// --- Start-up: authentication must be configured or explicitly waived.

TEST_F(GatewaySecurityTest, RefusesToStartWithoutAuthenticationByDefault) {
  absl::Status started = StartGateway(SecurityConfig());
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(started.message(), HasSubstr("--allow_unauthenticated"));
  EXPECT_EQ(gateway_, nullptr);
}

TEST_F(GatewaySecurityTest, RefusesAuthenticationWithoutAPolicy) {
  SecurityConfig security = TokensOnly();
  security.policy_file.clear();
  absl::Status started = StartGateway(security);
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(started.message(), HasSubstr("--policy_file is required"));
}

TEST_F(GatewaySecurityTest, RefusesAllowUnauthenticatedWithTokens) {
  SecurityConfig security = TokensOnly();
  security.allow_unauthenticated = true;
  EXPECT_EQ(StartGateway(security).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GatewaySecurityTest, RefusesABrokenPolicyOrTokensFileAtStart) {
  WriteFileAtomically(policy_file(), R"({"grants": [{"caller": "x"}]})");
  absl::Status started = StartGateway(TokensOnly());
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(started.message(), HasSubstr("policy file"));
}

TEST_F(GatewaySecurityTest, RefusesAKeyThatIsNotTheCertificates) {
  SecurityConfig security = MutualTls(false);
  security.tls.key_file = certs_->server_renewed.key_file;
  absl::Status started = StartGateway(security);
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(started.message(),
              HasSubstr("is not the key of the certificate"));
  EXPECT_THAT(started.message(),
              Not(HasSubstr(certs_->server_renewed.key_pem.substr(30, 40))));
}

TEST_F(GatewaySecurityTest, UnauthenticatedModeSaysSoPlainlyAtStart) {
  StderrCapture capture;
  SecurityConfig security;
  security.allow_unauthenticated = true;
  ASSERT_TRUE(StartGateway(security).ok());
  EXPECT_THAT(capture.Text(), HasSubstr("caller authentication is OFF"));
  MappingCaller anyone = Plaintext("");
  EXPECT_TRUE(anyone.Create(kAccountB, kDomain, kList).ok());
}

// --- Bearer tokens.

TEST_F(GatewaySecurityTest, NoCredentialsIsUnauthenticated) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller nobody = Plaintext("");
  for (grpc::Status status :
       {nobody.Get("", kDomain, kList), nobody.List("", kDomain, 0, ""),
        nobody.Create("", kDomain, kList), nobody.Delete("", kDomain, kList)}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ReasonOf(status), "CALLER_UNAUTHENTICATED");
  }
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(GatewaySecurityTest, UnknownTokenIsUnauthenticated) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller stranger = Plaintext(kUnknownToken);
  grpc::Status status = stranger.Get("", kDomain, kList);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kUnknownToken)));
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(GatewaySecurityTest, RevokedTokenIsUnauthenticated) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  grpc::Status status = Plaintext(kRevokedToken).Get("", kDomain, kList);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "TOKEN_REVOKED");
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(GatewaySecurityTest, TokenRevokedWhileServingStopsWorking) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller writer = Plaintext(kWriterToken);
  ASSERT_TRUE(writer.Create("", kDomain, kList).ok());

  WriteFileAtomically(tokens_file(), TokensJson(/*writer_revoked=*/true));
  ASSERT_TRUE(gateway_->security().ReloadNow().ok());
  grpc::Status status = writer.Delete("", kDomain, kList);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "TOKEN_REVOKED");
  EXPECT_EQ(emulator_->Mappings(kAccountA, kDomain).size(), 1u);
}

TEST_F(GatewaySecurityTest, BrokenTokensFileKeepsTheLastGoodTokens) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  WriteFileAtomically(tokens_file(), R"({"tokens": [)");
  EXPECT_FALSE(gateway_->security().ReloadNow().ok());
  EXPECT_TRUE(Plaintext(kReaderToken).List("", kDomain, 0, "").ok());
  EXPECT_THAT(gateway_->ReadyDetail(), HasSubstr("tokens: the last reload"));
  EXPECT_TRUE(gateway_->Ready().ok());
}

// --- The policy.

TEST_F(GatewaySecurityTest, ReadOnlyCallerTryingCreateIsPermissionDenied) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller reader = Plaintext(kReaderToken);
  EXPECT_TRUE(reader.List("", kDomain, 0, "").ok());
  emulator_->ClearRequests();

  for (bool validate_only : {false, true}) {
    grpc::Status status = reader.Create("", kDomain, kList, validate_only);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ReasonOf(status), "CALLER_NOT_PERMITTED");
    EXPECT_THAT(status.error_message(),
                HasSubstr("caller reader may not write"));
  }
  EXPECT_EQ(reader.Delete("", kDomain, kList).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
  EXPECT_THAT(emulator_->Mappings(kAccountA, kDomain), IsEmpty());
}

TEST_F(GatewaySecurityTest, CallerOfAccountAAskingForAccountBIsDenied) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  emulator_->PutMapping(kAccountB, kDomain, kList);
  MappingCaller writer = Plaintext(kWriterToken);
  ASSERT_TRUE(writer.Create(kAccountA, kDomain, kList).ok());
  emulator_->ClearRequests();

  // Existing, missing, and an account the gateway holds nothing for: the
  // same answer, so a denied caller learns nothing about what exists.
  for (const auto& [account, sid] :
       std::vector<std::pair<std::string, std::string>>{
           {kAccountB, kList},
           {kAccountB, kMissingList},
           {kStranger, kMissingList}}) {
    grpc::Status status = writer.Get(account, kDomain, sid);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << account << " " << sid;
    EXPECT_EQ(ReasonOf(status), "CALLER_NOT_PERMITTED");
  }
  EXPECT_EQ(writer.Delete(kAccountB, kDomain, kList).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(writer.List(kAccountB, kDomain, 0, "").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
  EXPECT_EQ(emulator_->Mappings(kAccountB, kDomain).size(), 1u);
}

TEST_F(GatewaySecurityTest, PermissionIsCheckedBeforeTheRequestIsValidated) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller reader = Plaintext(kReaderToken);
  EXPECT_EQ(reader.Create("", "SDnot-a-domain", "junk").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reader.Get("ACnot-an-account", kDomain, kList).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A permitted caller gets the validation error.
  EXPECT_EQ(
      Plaintext(kAdminToken).Create("", "SDnot-a-domain", kList).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GatewaySecurityTest, DefaultAccountIsCheckedAsItself) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  // The reader may read account A, which is the default.
  EXPECT_TRUE(Plaintext(kReaderToken).List("", kDomain, 0, "").ok());
  EXPECT_EQ(
      Plaintext(kReaderToken).List(kAccountB, kDomain, 0, "").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GatewaySecurityTest, AllAccountsGrantStillNeedsHeldCredentials) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller admin = Plaintext(kAdminToken);
  EXPECT_TRUE(admin.Create(kAccountB, kDomain, kList).ok());
  grpc::Status stranger = admin.Get(kStranger, kDomain, kList);
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(stranger), "NO_CREDENTIALS_FOR_ACCOUNT");
}

TEST_F(GatewaySecurityTest, PolicyReloadTakesEffect) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  MappingCaller reader = Plaintext(kReaderToken);
  ASSERT_EQ(reader.Create("", kDomain, kList).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  WriteFileAtomically(policy_file(), R"({"grants": [
      {"caller": "reader", "accounts": ["*"], "operations": ["write"]}]})");
  ASSERT_TRUE(gateway_->security().ReloadNow().ok());
  EXPECT_TRUE(reader.Create("", kDomain, kList).ok());
  EXPECT_EQ(reader.List("", kDomain, 0, "").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// --- The audit log and the per-call log line.

TEST_F(GatewaySecurityTest, AuditLogHasEveryChangeAndEveryDenial) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  StderrCapture capture;
  MappingCaller writer = Plaintext(kWriterToken);
  ASSERT_TRUE(writer.Create("", kDomain, kList).ok());
  ASSERT_TRUE(writer.Get("", kDomain, kList).ok());
  ASSERT_TRUE(writer.Delete("", kDomain, kList).ok());
  ASSERT_FALSE(Plaintext(kReaderToken).Create("", kDomain, kList).ok());
  ASSERT_FALSE(Plaintext("").Get(kAccountB, kDomain, kList).ok());

  const std::string log = capture.Text();
  std::vector<nlohmann::json> audit = AuditLines(log);
  ASSERT_EQ(audit.size(), 4u) << log;

  const nlohmann::json& create = audit[0];
  EXPECT_EQ(create["rpc"], "CreateCredentialListMapping");
  EXPECT_EQ(create["caller"], "writer");
  EXPECT_EQ(create["via"], "token");
  EXPECT_EQ(create["account_sid"], kAccountA);
  EXPECT_EQ(create["domain_sid"], kDomain);
  EXPECT_EQ(create["sid"], kList);
  EXPECT_EQ(create["outcome"], "OK");
  EXPECT_THAT(create.value("twilio_request_id", ""),
              ::testing::StartsWith("RQ"));
  EXPECT_THAT(create.value("peer", ""), HasSubstr("127.0.0.1"));

  EXPECT_EQ(audit[1]["rpc"], "DeleteCredentialListMapping");
  EXPECT_EQ(audit[1]["outcome"], "OK");
  EXPECT_THAT(audit[1].value("twilio_request_id", ""),
              ::testing::StartsWith("RQ"));

  EXPECT_EQ(audit[2]["caller"], "reader");
  EXPECT_EQ(audit[2]["outcome"], "PERMISSION_DENIED");
  EXPECT_EQ(audit[2]["reason"], "CALLER_NOT_PERMITTED");
  EXPECT_FALSE(audit[2].contains("twilio_request_id"));

  EXPECT_EQ(audit[3]["rpc"], "GetCredentialListMapping");
  EXPECT_EQ(audit[3]["caller"], "anonymous");
  EXPECT_EQ(audit[3]["via"], "none");
  EXPECT_EQ(audit[3]["account_sid"], kAccountB);
  EXPECT_EQ(audit[3]["outcome"], "UNAUTHENTICATED");

  // Every call's own line names its caller.
  EXPECT_THAT(
      log,
      HasSubstr(
          R"("rpc":"GetCredentialListMapping","code":"OK","caller":"writer")"));
}

TEST_F(GatewaySecurityTest, AuditLogIsWrittenEvenWithLoggingOff) {
  ASSERT_TRUE(StartGateway(TokensOnly()).ok());
  InitJsonLogging(spdlog::level::off);
  StderrCapture capture;
  ASSERT_TRUE(Plaintext(kWriterToken).Create("", kDomain, kList).ok());
  const std::string log = capture.Text();
  InitJsonLogging(spdlog::level::info);
  EXPECT_EQ(AuditLines(log).size(), 1u) << log;
  EXPECT_THAT(log, Not(HasSubstr("rpc finished")));
}

// --- Limits.

TEST_F(GatewaySecurityTest, PastTheRateLimitIsResourceExhausted) {
  SecurityConfig security = TokensOnly();
  // One call, then the next token comes after a quarter of an hour.
  security.rate_limit_per_caller = 0.001;
  ASSERT_TRUE(StartGateway(security).ok());
  MappingCaller reader = Plaintext(kReaderToken);
  EXPECT_TRUE(reader.List("", kDomain, 0, "").ok());
  grpc::Status limited = reader.List("", kDomain, 0, "");
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(limited), "CALLER_RATE_LIMITED");
  // Another caller is not held back.
  EXPECT_TRUE(Plaintext(kWriterToken).List("", kDomain, 0, "").ok());
}

TEST_F(GatewaySecurityTest, OversizedRequestIsRefusedBeforeAnyHandler) {
  ASSERT_TRUE(StartGateway(TokensOnly(), /*max_request_bytes=*/2048).ok());
  MappingCaller reader = Plaintext(kReaderToken);
  grpc::Status status = reader.List("", kDomain, 0, std::string(4096, 'x'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
  EXPECT_TRUE(reader.List("", kDomain, 0, "").ok());
}

TEST_F(GatewaySecurityTest, ConcurrentCallsPerConnectionAreCapped) {
  SecurityConfig security;
  security.allow_unauthenticated = true;
  ASSERT_TRUE(
      StartGateway(security, 64 * 1024, /*max_concurrent_streams=*/1).ok());
  emulator_->PutMapping(kAccountA, kDomain, kList);
  ScriptedAnswer hold;
  hold.never_answer = true;
  emulator_->Script(hold);

  // Two callers on one connection: the second call must wait for the
  // first, which Twilio never answers, to end at its deadline.
  std::shared_ptr<grpc::Channel> channel =
      MakeChannel(gateway_->port(), grpc::InsecureChannelCredentials());
  // A finished call first: its answer follows the server's SETTINGS on the
  // connection, so the client knows of the one-stream limit before the
  // calls below start. Without it, a fast enough first call leaves the
  // second racing the SETTINGS frame.
  {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse health;
    ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel)
                    ->Check(&context, request, &health)
                    .ok());
  }
  grpc::Status first;
  std::thread held([&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(3));
    v1::GetCredentialListMappingRequest request;
    request.set_domain_sid(kDomain);
    request.set_sid(kList);
    v1::CredentialListMapping response;
    first = v1::CredentialListMappingService::NewStub(channel)
                ->GetCredentialListMapping(&context, request, &response);
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (emulator_->Requests().empty() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(emulator_->Requests().size(), 1u);

  grpc::Status second;
  std::thread queued(
      [&] { second = MappingCaller(channel, "").Get("", kDomain, kList); });
  // However long this waits, a second request cannot reach Twilio while
  // the first call holds the connection's only stream.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(emulator_->Requests().size(), 1u);

  held.join();
  queued.join();
  EXPECT_EQ(first.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(second.ok()) << second.error_message();
  EXPECT_EQ(emulator_->Requests().size(), 2u);
}

// --- Mutual TLS.

TEST_F(GatewaySecurityTest, ClientCertificateUriSanNamesTheCaller) {
  ASSERT_TRUE(StartGateway(MutualTls(false)).ok());
  StderrCapture capture;
  MappingCaller reader = OverTls(&certs_->spiffe_reader);
  EXPECT_TRUE(reader.List(kAccountB, kDomain, 0, "").ok());
  grpc::Status denied = reader.Create("", kDomain, kList);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  std::vector<nlohmann::json> audit = AuditLines(capture.Text());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["caller"], kSpiffeReader);
  EXPECT_EQ(audit[0]["via"], "certificate");
}

TEST_F(GatewaySecurityTest, ClientCertificateDnsSanNamesTheCaller) {
  ASSERT_TRUE(StartGateway(MutualTls(false)).ok());
  MappingCaller client = OverTls(&certs_->dns_client);
  EXPECT_TRUE(client.Create("", kDomain, kList).ok());
  EXPECT_EQ(client.Get(kAccountB, kDomain, kList).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(GatewaySecurityTest, WrongCertificateIsRefusedAtTheHandshake) {
  ASSERT_TRUE(StartGateway(MutualTls(false)).ok());
  grpc::Status status = OverTls(&certs_->rogue_client).List("", kDomain, 0, "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(GatewaySecurityTest, NoClientCertificateIsRefusedWhenRequired) {
  ASSERT_TRUE(StartGateway(MutualTls(false)).ok());
  EXPECT_EQ(OverTls(nullptr, kAdminToken).List("", kDomain, 0, "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Plaintext(kAdminToken).List("", kDomain, 0, "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(GatewaySecurityTest, TokensOverTlsWithOptionalClientCertificates) {
  ASSERT_TRUE(StartGateway(MutualTls(/*with_tokens=*/true)).ok());
  // A token alone is enough now.
  EXPECT_TRUE(OverTls(nullptr, kWriterToken).Create("", kDomain, kList).ok());
  EXPECT_EQ(OverTls(nullptr, "").Get("", kDomain, kList).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A certificate is still verified when one is presented.
  EXPECT_EQ(OverTls(&certs_->rogue_client, kWriterToken)
                .Get("", kDomain, kList)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(OverTls(&certs_->spiffe_reader).Get("", kDomain, kList).ok());
}

TEST_F(GatewaySecurityTest, RenewedServerCertificateIsServedWithoutRestart) {
  KubernetesVolume volume(folder_.path());
  volume.Update({{"tls.crt", certs_->server.cert_pem},
                 {"tls.key", certs_->server.key_pem},
                 {"ca.crt", certs_->ca.cert_pem}});
  SecurityConfig security = MutualTls(false);
  security.tls.cert_file = volume.Path("tls.crt");
  security.tls.key_file = volume.Path("tls.key");
  security.tls.client_ca_file = volume.Path("ca.crt");
  security.tls.refresh_interval = absl::Seconds(1);
  ASSERT_TRUE(StartGateway(security).ok());

  MappingCaller before = OverTls(&certs_->spiffe_reader);
  ASSERT_TRUE(before.List("", kDomain, 0, "").ok());
  ASSERT_EQ(before.server_certificate(), certs_->server.cert_pem);

  volume.Update({{"tls.crt", certs_->server_renewed.cert_pem},
                 {"tls.key", certs_->server_renewed.key_pem},
                 {"ca.crt", certs_->ca.cert_pem}});
  // gRPC re-reads the files every second; each try is a new connection.
  std::string served;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    MappingCaller after = OverTls(&certs_->spiffe_reader);
    ASSERT_TRUE(after.List("", kDomain, 0, "").ok());
    served = after.server_certificate();
    if (served == certs_->server_renewed.cert_pem) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(served, certs_->server_renewed.cert_pem);
}

}  // namespace
}  // namespace twilio_gateway
