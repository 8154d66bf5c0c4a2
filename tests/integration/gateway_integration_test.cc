// The gateway in front of the Twilio emulator, over real gRPC and HTTP on
// 127.0.0.1: every RPC, paging, and every row of the error table.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "service/credentials/credential_store.h"
#include "service/server/gateway_server.h"
#include "tests/twilio_emulator/emulator.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::twilio_gateway::credentials::AccountEntry;
using ::twilio_gateway::credentials::CredentialSnapshot;
using ::twilio_gateway::credentials::CredentialStore;
using ::twilio_gateway::server::GatewayConfig;
using ::twilio_gateway::server::GatewayServer;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;
namespace v1 = ::twilio_gateway::sip::v1;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kSubaccount[] = "AC000000000000000000000000000000a2";
constexpr char kStranger[] = "AC000000000000000000000000000000ff";
constexpr char kToken[] = "integration-test-auth-token";
constexpr char kDomain[] = "SD00000000000000000000000000000001";
constexpr char kOtherDomain[] = "SD00000000000000000000000000000002";

std::string ListSid(int n) { return absl::StrFormat("CL%032x", n); }

// What a failed call's details say.
struct ErrorFacts {
  std::string reason;
  std::map<std::string, std::string> metadata;
};

ErrorFacts FactsOf(const grpc::Status& status) {
  ErrorFacts facts;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return facts;
  for (const auto& detail : rich.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) {
      facts.reason = info.reason();
      facts.metadata.insert(info.metadata().begin(), info.metadata().end());
    }
  }
  return facts;
}

class GatewayIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions emulator_options;
    emulator_options.credentials.push_back(
        EmulatorCredential{kAccount, kToken});
    auto emulator = TwilioEmulator::Start(std::move(emulator_options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    StartGateway(emulator_->base_url(), kToken);
  }

  void TearDown() override {
    stub_.reset();
    if (gateway_ != nullptr) gateway_->Shutdown();
    gateway_.reset();
    emulator_.reset();
  }

  void StartGateway(const std::string& base_url, const std::string& token,
                    absl::Duration max_call_timeout = absl::Seconds(10)) {
    auto snapshot = CredentialSnapshot::Create(
        {AccountEntry::AuthToken(kAccount, token),
         AccountEntry::Subaccount(kSubaccount, kAccount)},
        kAccount);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    GatewayConfig config;
    config.listen = "127.0.0.1:0";
    config.twilio_base_url = base_url;
    config.max_call_timeout = max_call_timeout;
    config.shutdown_grace = absl::Seconds(5);
    // Caller authentication has tests of its own (tests/security/).
    config.security.allow_unauthenticated = true;
    if (gateway_ != nullptr) gateway_->Shutdown();
    auto gateway = GatewayServer::Start(
        config, std::make_shared<CredentialStore>(*std::move(snapshot)));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    stub_ = v1::CredentialListMappingService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  grpc::Status Create(const std::string& list,
                      v1::CredentialListMapping* out = nullptr,
                      const std::string& account = "",
                      const std::string& domain = kDomain) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::CreateCredentialListMappingRequest request;
    request.set_account_sid(account);
    request.set_domain_sid(domain);
    request.set_credential_list_sid(list);
    v1::CredentialListMapping ignored;
    return stub_->CreateCredentialListMapping(&context, request,
                                              out ? out : &ignored);
  }

  grpc::Status Get(
      const std::string& sid, v1::CredentialListMapping* out,
      const std::string& account = "",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(20000)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    v1::GetCredentialListMappingRequest request;
    request.set_account_sid(account);
    request.set_domain_sid(kDomain);
    request.set_sid(sid);
    return stub_->GetCredentialListMapping(&context, request, out);
  }

  grpc::Status List(int page_size, const std::string& token,
                    v1::ListCredentialListMappingsResponse* out,
                    const std::string& domain = kDomain) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::ListCredentialListMappingsRequest request;
    request.set_domain_sid(domain);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub_->ListCredentialListMappings(&context, request, out);
  }

  grpc::Status Delete(const std::string& sid, const std::string& account = "") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    v1::DeleteCredentialListMappingRequest request;
    request.set_account_sid(account);
    request.set_domain_sid(kDomain);
    request.set_sid(sid);
    google::protobuf::Empty empty;
    return stub_->DeleteCredentialListMapping(&context, request, &empty);
  }

  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<v1::CredentialListMappingService::Stub> stub_;
};

TEST_F(GatewayIntegrationTest, CreateGetListDeleteRoundTrip) {
  v1::CredentialListMapping created;
  ASSERT_TRUE(Create(ListSid(1), &created).ok());
  EXPECT_EQ(created.sid(), ListSid(1));
  EXPECT_EQ(created.account_sid(), kAccount);
  EXPECT_EQ(created.domain_sid(), kDomain);
  EXPECT_FALSE(created.friendly_name().empty());
  EXPECT_GT(created.create_time().seconds(), 0);
  EXPECT_GT(created.update_time().seconds(), 0);
  ASSERT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);

  v1::CredentialListMapping fetched;
  ASSERT_TRUE(Get(ListSid(1), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  v1::ListCredentialListMappingsResponse page;
  ASSERT_TRUE(List(0, "", &page).ok());
  ASSERT_EQ(page.credential_list_mappings_size(), 1);
  EXPECT_EQ(page.credential_list_mappings(0).sid(), ListSid(1));
  EXPECT_TRUE(page.next_page_token().empty());

  ASSERT_TRUE(Delete(ListSid(1)).ok());
  EXPECT_TRUE(emulator_->Mappings(kAccount, kDomain).empty());

  grpc::Status again = Delete(ListSid(1));
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  ErrorFacts facts = FactsOf(again);
  EXPECT_EQ(facts.metadata["twilio_code"], "20404");
  EXPECT_EQ(facts.metadata["http_status"], "404");
  EXPECT_THAT(facts.metadata["twilio_request_id"], ::testing::StartsWith("RQ"));
  EXPECT_FALSE(facts.metadata["more_info"].empty());

  EXPECT_EQ(Get(ListSid(1), &fetched).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewayIntegrationTest, SendsTwilioWireFormat) {
  ASSERT_TRUE(Create(ListSid(7)).ok());
  auto requests = emulator_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(
      request.target,
      absl::StrCat("/2010-04-01/Accounts/", kAccount, "/SIP/Domains/", kDomain,
                   "/Auth/Registrations/CredentialListMappings.json"));
  EXPECT_EQ(request.body, absl::StrCat("CredentialListSid=", ListSid(7)));
  auto header = [&](absl::string_view name) -> std::string {
    for (const auto& [key, value] : request.headers) {
      if (absl::EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  };
  EXPECT_EQ(header("Accept"), "application/json");
  EXPECT_EQ(header("Accept-Charset"), "utf-8");
  EXPECT_EQ(header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_THAT(header("User-Agent"),
              ::testing::MatchesRegex(
                  "twilio-gateway/[0-9.]+ \\([a-z]+ [^)]+\\) libcurl/.*"));
  EXPECT_THAT(header("Authorization"), ::testing::StartsWith("Basic "));
  EXPECT_EQ(header("Expect"), "");
}

TEST_F(GatewayIntegrationTest, DefaultAndSubaccount) {
  ASSERT_TRUE(Create(ListSid(2), nullptr, kAccount).ok());
  v1::CredentialListMapping fetched;
  ASSERT_TRUE(Get(ListSid(2), &fetched, "").ok());
  EXPECT_EQ(fetched.account_sid(), kAccount);

  // A subaccount acts with its parent's credentials and its own path.
  ASSERT_TRUE(Create(ListSid(3), nullptr, kSubaccount).ok());
  EXPECT_EQ(emulator_->Mappings(kSubaccount, kDomain).size(), 1u);
  EXPECT_THAT(emulator_->Requests().back().target, HasSubstr(kSubaccount));
}

TEST_F(GatewayIntegrationTest, DuplicateCreateIsAlreadyExists) {
  ASSERT_TRUE(Create(ListSid(4)).ok());
  grpc::Status status = Create(ListSid(4));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(FactsOf(status).metadata["http_status"], "400");
  EXPECT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);
}

TEST_F(GatewayIntegrationTest, PagingIsStableWhileTheCollectionChanges) {
  // Twelve mappings; pages of three. Between pages one item is added ahead
  // of the reader and one already-read item is removed: every item present
  // throughout must appear exactly once, in order.
  for (int i = 10; i < 22; ++i) {
    emulator_->PutMapping(kAccount, kDomain, ListSid(i));
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  int added = 100;
  do {
    v1::ListCredentialListMappingsResponse page;
    grpc::Status status = List(3, token, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(page.credential_list_mappings_size(), 3);
    for (const auto& mapping : page.credential_list_mappings()) {
      seen.push_back(mapping.sid());
    }
    token = page.next_page_token();
    ++pages;
    if (!seen.empty()) {
      emulator_->RemoveMapping(kAccount, kDomain, seen.front());
    }
    emulator_->PutMapping(kAccount, kDomain, ListSid(added++));
  } while (!token.empty() && pages < 20);

  EXPECT_GE(pages, 4);
  for (int i = 10; i < 22; ++i) {
    EXPECT_EQ(std::count(seen.begin(), seen.end(), ListSid(i)), 1)
        << ListSid(i);
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an item was listed twice";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  // Every later page request carried Twilio's next_page_uri query as is.
  for (const auto& request : emulator_->Requests()) {
    if (absl::StrContains(request.target, "PageToken=")) {
      EXPECT_THAT(request.target, HasSubstr("%"));
    }
  }
}

TEST_F(GatewayIntegrationTest, PageSizeIsCappedAtOneThousand) {
  v1::ListCredentialListMappingsResponse page;
  ASSERT_TRUE(List(5000, "", &page).ok());
  EXPECT_THAT(emulator_->Requests().back().target, HasSubstr("?PageSize=1000"));
  ASSERT_TRUE(List(0, "", &page).ok());
  EXPECT_THAT(emulator_->Requests().back().target, Not(HasSubstr("PageSize")));
}

TEST_F(GatewayIntegrationTest, BadPageTokensSendNothing) {
  for (int i = 0; i < 3; ++i) {
    emulator_->PutMapping(kAccount, kDomain, ListSid(30 + i));
  }
  v1::ListCredentialListMappingsResponse page;
  ASSERT_TRUE(List(1, "", &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string token = page.next_page_token();
  const size_t sent = emulator_->Requests().size();

  std::vector<std::pair<std::string, std::string>> cases = {
      {token, kOtherDomain},
      {token.substr(0, token.size() - 3), kDomain},
      {absl::StrCat("x", token), kDomain},
      {"garbage!", kDomain},
  };
  for (const auto& [bad, domain] : cases) {
    grpc::Status status = List(1, bad, &page, domain);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(FactsOf(status).metadata["field"], "page_token");
  }
  EXPECT_EQ(emulator_->Requests().size(), sent);
}

TEST_F(GatewayIntegrationTest, InvalidRequestsAndUnknownAccountsSendNothing) {
  v1::CredentialListMapping mapping;
  grpc::Status status = Get("CL123", &mapping);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("sid"));
  EXPECT_EQ(FactsOf(status).metadata["field"], "sid");

  status = Create(ListSid(5), nullptr, "", "SDnot-a-domain");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FactsOf(status).metadata["field"], "domain_sid");

  v1::ListCredentialListMappingsResponse page;
  status = List(-1, "", &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FactsOf(status).metadata["field"], "page_size");

  status = Get(ListSid(5), &mapping, kStranger);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr(kStranger));

  EXPECT_TRUE(emulator_->Requests().empty());
}

// One row of the error table: what Twilio answers, what the caller sees.
struct ErrorRow {
  int http_status;
  std::string body;
  grpc::StatusCode expected;
};

TEST_F(GatewayIntegrationTest, TwilioAnswersMapToTheErrorTable) {
  auto twilio_error = [](int code, int status, absl::string_view message) {
    return absl::StrFormat(
        R"({"code": %d, "message": "%s", "more_info": )"
        R"("https://www.twilio.com/docs/errors/%d", "status": %d})",
        code, message, code, status);
  };
  const std::vector<ErrorRow> rows = {
      {400, twilio_error(21205, 400, "Invalid value"),
       grpc::StatusCode::INVALID_ARGUMENT},
      {400, twilio_error(21231, 400, "already mapped"),
       grpc::StatusCode::ALREADY_EXISTS},
      {401, twilio_error(20003, 401, "Authenticate"),
       grpc::StatusCode::FAILED_PRECONDITION},
      {403, twilio_error(20403, 403, "Forbidden"),
       grpc::StatusCode::PERMISSION_DENIED},
      {404, twilio_error(20404, 404, "Not found"), grpc::StatusCode::NOT_FOUND},
      {409, twilio_error(20409, 409, "Conflict"), grpc::StatusCode::ABORTED},
      {429, twilio_error(20429, 429, "Too Many Requests"),
       grpc::StatusCode::RESOURCE_EXHAUSTED},
      {500, twilio_error(20500, 500, "Internal Server Error"),
       grpc::StatusCode::UNAVAILABLE},
      {502, "<html>bad gateway</html>", grpc::StatusCode::UNAVAILABLE},
      {503, twilio_error(20503, 503, "Service Unavailable"),
       grpc::StatusCode::UNAVAILABLE},
      {301, "", grpc::StatusCode::INTERNAL},
  };
  for (const ErrorRow& row : rows) {
    ScriptedAnswer answer;
    answer.status = row.http_status;
    // Retried statuses come back on every attempt (four by default).
    const bool retried = row.http_status == 429 || row.http_status >= 500;
    answer.times = retried ? 4 : 1;
    answer.body = row.body;
    answer.headers.emplace_back("Content-Type", "application/json");
    answer.headers.emplace_back("Twilio-Request-Id",
                                "RQ0000000000000000000000000000abcd");
    emulator_->Script(answer);
    v1::CredentialListMapping mapping;
    grpc::Status status = Get(ListSid(6), &mapping);
    EXPECT_EQ(status.error_code(), row.expected) << row.http_status;
    ErrorFacts facts = FactsOf(status);
    EXPECT_EQ(facts.metadata["http_status"], absl::StrCat(row.http_status));
    EXPECT_EQ(facts.metadata["twilio_request_id"],
              "RQ0000000000000000000000000000abcd");
    if (absl::StartsWith(row.body, "{")) {
      EXPECT_FALSE(facts.metadata["twilio_code"].empty()) << row.http_status;
      EXPECT_FALSE(facts.metadata["more_info"].empty()) << row.http_status;
    }
  }
}

TEST_F(GatewayIntegrationTest, BrokenSuccessBodiesAreInternal) {
  for (const char* body :
       {"not json", "[]", R"({"sid": 5})", R"({"friendly_name": "x"})"}) {
    ScriptedAnswer answer;
    answer.status = 200;
    answer.body = body;
    emulator_->Script(answer);
    v1::CredentialListMapping mapping;
    grpc::Status status = Get(ListSid(8), &mapping);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL) << body;
    EXPECT_FALSE(status.error_message().empty());
  }
  ScriptedAnswer page;
  page.status = 200;
  page.body = R"({"contents": {"not": "a list"}})";
  emulator_->Script(page);
  v1::ListCredentialListMappingsResponse response;
  EXPECT_EQ(List(0, "", &response).error_code(), grpc::StatusCode::INTERNAL);

  // A next_page_uri that leads elsewhere is not followed.
  page.body = absl::StrCat(
      R"({"contents": [], "next_page_uri": "/2010-04-01/Accounts/)", kAccount,
      R"(/Calls.json?Page=1"})");
  emulator_->Script(page);
  EXPECT_EQ(List(0, "", &response).error_code(), grpc::StatusCode::INTERNAL);
}

TEST_F(GatewayIntegrationTest, UnreadableDateLeavesFieldUnset) {
  ScriptedAnswer answer;
  answer.status = 200;
  answer.body = absl::StrCat(
      R"({"sid": ")", ListSid(9), R"(", "account_sid": ")", kAccount,
      R"(", "date_created": "yesterday-ish", )"
      R"("date_updated": "Fri, 7 Aug 2015 09:30:00 -0700"})");
  emulator_->Script(answer);
  v1::CredentialListMapping mapping;
  grpc::Status status = Get(ListSid(9), &mapping);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(mapping.has_create_time());
  EXPECT_EQ(mapping.update_time().seconds(), 1438965000);
}

TEST_F(GatewayIntegrationTest,
       RejectedGatewayCredentialsAreFailedPrecondition) {
  StartGateway(emulator_->base_url(), "a-token-the-emulator-does-not-know");
  v1::CredentialListMapping mapping;
  grpc::Status status = Get(ListSid(1), &mapping);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FactsOf(status).metadata["twilio_code"], "20003");
  EXPECT_THAT(status.error_message(),
              Not(HasSubstr("a-token-the-emulator-does-not-know")));
}

TEST_F(GatewayIntegrationTest, CallerDeadlineEndsTheUpstreamWait) {
  ScriptedAnswer answer;
  answer.never_answer = true;
  emulator_->Script(answer);
  v1::CredentialListMapping mapping;
  grpc::Status status =
      Get(ListSid(1), &mapping, "", std::chrono::milliseconds(300));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(GatewayIntegrationTest, ServerMaximumBoundsCallsWithoutDeadline) {
  StartGateway(emulator_->base_url(), kToken, absl::Milliseconds(300));
  ScriptedAnswer answer;
  answer.never_answer = true;
  emulator_->Script(answer);
  grpc::ClientContext context;  // No deadline.
  v1::GetCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid(ListSid(1));
  v1::CredentialListMapping mapping;
  grpc::Status status =
      stub_->GetCredentialListMapping(&context, request, &mapping);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(GatewayIntegrationTest, UnreachableTwilioIsUnavailable) {
  // The emulator's port, once it has stopped, refuses connections.
  const std::string base_url = emulator_->base_url();
  emulator_.reset();
  StartGateway(base_url, kToken);
  v1::CredentialListMapping mapping;
  grpc::Status status = Get(ListSid(1), &mapping);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(FactsOf(status).reason, "UPSTREAM_NOT_SENT");
}

}  // namespace
}  // namespace twilio_gateway
