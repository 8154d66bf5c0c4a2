#include "service/twilio/twilio_client.h"

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"
#include "tests/unit/twilio_client/fake_transport.h"

namespace twilio_gateway::twilio {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::twilio_gateway::sip::v1::CredentialListMapping;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kList[] = "CL0123456789abcdef0123456789abcdef";
constexpr char kAuth[] = "Basic QUMwMTIzOnNlY3JldA==";
constexpr char kPrefix[] =
    "https://api.twilio.com/2010-04-01/Accounts/"
    "AC0123456789abcdef0123456789abcdef/SIP/Domains/"
    "SD0123456789abcdef0123456789abcdef/Auth/Registrations/"
    "CredentialListMappings";

constexpr char kMappingJson[] = R"({
  "account_sid": "AC0123456789abcdef0123456789abcdef",
  "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
  "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
  "friendly_name": "office phones",
  "sid": "CL0123456789abcdef0123456789abcdef"
})";

HttpResponse Answer(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("twilio-request-id",
                                "RQ00000000000000000000000000000001");
  return response;
}

class TwilioClientTest : public ::testing::Test {
 protected:
  TwilioClientTest()
      : transport_(std::make_shared<FakeTransport>()),
        client_(transport_, Options()) {
    scope_.account_sid = kAccount;
    scope_.authorization = kAuth;
    scope_.domain_sid = kDomain;
    scope_.deadline = absl::FromUnixSeconds(2000000000);
  }

  TwilioClientOptions Options() {
    TwilioClientOptions options;
    options.base_url = "https://api.twilio.com";
    options.user_agent = "twilio-gateway/9.9.9 (linux x86_64) test/1";
    options.clock = [this] { return now_; };
    options.random = [] { return 0.5; };
    return options;
  }

  // Runs an operation, and its retries' timers, and keeps what `done` saw.
  template <typename Operation>
  void Run(Operation operation) {
    done_ = false;
    operation([this](absl::Status status, const CallReport& report) {
      done_ = true;
      status_ = std::move(status);
      report_ = report;
    });
    while (!done_ && transport_->RunNextTimer(&now_)) {
    }
    ASSERT_TRUE(done_);
  }

  absl::Time now_ = absl::FromUnixSeconds(1900000000);

  std::shared_ptr<FakeTransport> transport_;
  TwilioClient client_;
  CallScope scope_;
  bool done_ = false;
  absl::Status status_;
  CallReport report_;
};

void ExpectCommonHeaders(const HttpRequest& request) {
  EXPECT_THAT(request.headers,
              Contains("User-Agent: twilio-gateway/9.9.9 (linux x86_64) "
                       "test/1"));
  EXPECT_THAT(request.headers, Contains("Accept: application/json"));
  EXPECT_THAT(request.headers, Contains("Accept-Charset: utf-8"));
  EXPECT_THAT(request.headers,
              Contains(absl::StrCat("Authorization: ", kAuth)));
  // The call's deadline, or the attempt timeout if that comes first.
  EXPECT_LE(request.deadline, absl::FromUnixSeconds(2000000000));
}

TEST_F(TwilioClientTest, CreatePostsTheFormToTheCollection) {
  transport_->answers.push_back(Answer(201, kMappingJson));
  CredentialListMapping mapping;
  Run([&](auto done) {
    client_.CreateMapping(scope_, kList, &mapping, std::move(done));
  });
  ASSERT_TRUE(status_.ok()) << status_;
  ASSERT_EQ(transport_->requests.size(), 1u);
  const HttpRequest& request = transport_->requests[0];
  EXPECT_EQ(request.method, HttpMethod::kPost);
  EXPECT_EQ(request.url, absl::StrCat(kPrefix, ".json"));
  EXPECT_EQ(request.body, absl::StrCat("CredentialListSid=", kList));
  EXPECT_THAT(request.headers,
              Contains("Content-Type: application/x-www-form-urlencoded"));
  ExpectCommonHeaders(request);
  EXPECT_EQ(mapping.sid(), kList);
  EXPECT_EQ(mapping.domain_sid(), kDomain);
  EXPECT_EQ(mapping.friendly_name(), "office phones");
  EXPECT_EQ(mapping.create_time().seconds(), 1438286400);
  EXPECT_EQ(report_.attempts, 1);
  EXPECT_EQ(report_.http_status, 201);
  EXPECT_EQ(report_.twilio_request_id, "RQ00000000000000000000000000000001");
}

TEST_F(TwilioClientTest, FetchGetsTheInstancePath) {
  transport_->answers.push_back(Answer(200, kMappingJson));
  CredentialListMapping mapping;
  Run([&](auto done) {
    client_.FetchMapping(scope_, kList, &mapping, std::move(done));
  });
  ASSERT_TRUE(status_.ok()) << status_;
  const HttpRequest& request = transport_->requests[0];
  EXPECT_EQ(request.method, HttpMethod::kGet);
  EXPECT_EQ(request.url, absl::StrCat(kPrefix, "/", kList, ".json"));
  EXPECT_TRUE(request.body.empty());
  EXPECT_THAT(request.headers, Not(Contains(StartsWith("Content-Type"))));
  ExpectCommonHeaders(request);
  EXPECT_EQ(mapping.account_sid(), kAccount);
}

TEST_F(TwilioClientTest, DeleteSendsDeleteAndAcceptsEmpty204) {
  transport_->answers.push_back(Answer(204, ""));
  Run([&](auto done) {
    client_.DeleteMapping(scope_, kList, std::move(done));
  });
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_EQ(transport_->requests[0].method, HttpMethod::kDelete);
  EXPECT_EQ(transport_->requests[0].url,
            absl::StrCat(kPrefix, "/", kList, ".json"));
  ExpectCommonHeaders(transport_->requests[0]);
}

TEST_F(TwilioClientTest, ListFirstPageSendsPageSizeOnlyWhenAsked) {
  const std::string page = R"({"contents": [], "next_page_uri": null})";
  transport_->answers.push_back(Answer(200, page));
  transport_->answers.push_back(Answer(200, page));
  google::protobuf::RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  Run([&](auto done) {
    client_.ListMappings(scope_, 0, "", &items, &next, std::move(done));
  });
  EXPECT_EQ(transport_->requests[0].url, absl::StrCat(kPrefix, ".json"));
  Run([&](auto done) {
    client_.ListMappings(scope_, 20, "", &items, &next, std::move(done));
  });
  EXPECT_EQ(transport_->requests[1].url,
            absl::StrCat(kPrefix, ".json?PageSize=20"));
}

TEST_F(TwilioClientTest, ListNextPageSendsQueryByteForByte) {
  const std::string query = "PageSize=2&Page=1&PageToken=PT%2Ba%2F%3D";
  transport_->answers.push_back(Answer(
      200,
      absl::StrCat(R"({"contents": [)", kMappingJson,
                   R"(], "next_page_uri": "/2010-04-01/next.json?x=%2B"})")));
  google::protobuf::RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  Run([&](auto done) {
    client_.ListMappings(scope_, 50, query, &items, &next, std::move(done));
  });
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_EQ(transport_->requests[0].url,
            absl::StrCat(kPrefix, ".json?", query));
  ASSERT_EQ(items.size(), 1);
  EXPECT_EQ(items[0].domain_sid(), kDomain);
  EXPECT_EQ(next, "/2010-04-01/next.json?x=%2B");
}

TEST_F(TwilioClientTest, TwilioErrorBecomesStatusWithDetails) {
  transport_->answers.push_back(Answer(
      404,
      R"({"code": 20404, "message": "The requested resource was not found",
          "more_info": "https://www.twilio.com/docs/errors/20404",
          "status": 404})"));
  CredentialListMapping mapping;
  Run([&](auto done) {
    client_.FetchMapping(scope_, kList, &mapping, std::move(done));
  });
  EXPECT_EQ(status_.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status_.message(), HasSubstr(kList));
  auto error = GetGatewayError(status_);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->twilio_code(), 20404);
  EXPECT_EQ(error->http_status(), 404);
  EXPECT_EQ(error->twilio_request_id(), "RQ00000000000000000000000000000001");
}

TEST_F(TwilioClientTest, BrokenSuccessBodyIsInternal) {
  transport_->answers.push_back(Answer(200, "<html>oops</html>"));
  CredentialListMapping mapping;
  Run([&](auto done) {
    client_.FetchMapping(scope_, kList, &mapping, std::move(done));
  });
  EXPECT_EQ(status_.code(), absl::StatusCode::kInternal);
  auto error = GetGatewayError(status_);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->reason(), "TWILIO_BAD_RESPONSE");
  EXPECT_EQ(error->http_status(), 200);
}

TEST_F(TwilioClientTest, TransportFailureKeepsCodeAndReason) {
  for (int i = 0; i < 4; ++i) {
    transport_->answers.push_back(WithReason(
        absl::UnavailableError("connection refused"), "UPSTREAM_NOT_SENT"));
  }
  Run([&](auto done) {
    client_.DeleteMapping(scope_, kList, std::move(done));
  });
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status_.message(), HasSubstr("delete mapping"));
  EXPECT_THAT(status_.message(), HasSubstr("4 attempts"));
  EXPECT_THAT(status_.message(), HasSubstr("attempt limit"));
  EXPECT_EQ(GetGatewayError(status_)->reason(), "UPSTREAM_NOT_SENT");
  EXPECT_EQ(report_.attempts, 4);
  EXPECT_EQ(report_.http_status, 0);
}

TEST(MakeUserAgentTest, FollowsTwilioLibraryPattern) {
  const std::string agent = MakeUserAgent("1.2.3", "libcurl/7.88.1");
  EXPECT_THAT(agent, StartsWith("twilio-gateway/1.2.3 ("));
  EXPECT_THAT(agent, testing::EndsWith(") libcurl/7.88.1"));
  EXPECT_THAT(agent, testing::MatchesRegex(
                         "twilio-gateway/1\\.2\\.3 \\([a-z]+ [^ )]+\\) "
                         "libcurl/7\\.88\\.1"));
}

}  // namespace
}  // namespace twilio_gateway::twilio
