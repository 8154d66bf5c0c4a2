#include "service/twilio/metered_transport.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"
#include "tests/observability/sample_value.h"

namespace twilio_gateway::twilio {
namespace {

using ::testing::Optional;
using ::twilio_gateway::metrics::GatewayMetrics;
using ::twilio_gateway::metrics::TwilioOperation;
using ::twilio_gateway::testing::SampleValue;

constexpr char kCollection[] =
    "https://api.twilio.com/2010-04-01/Accounts/"
    "AC00000000000000000000000000000001/SIP/Domains/"
    "SD00000000000000000000000000000001/Auth/Registrations/"
    "CredentialListMappings";

// Keeps what it is given, so the test decides when and how each request
// ends.
class FakeTransport : public HttpTransport {
 public:
  void Send(HttpRequest request, Callback done) override {
    requests.push_back(std::move(request));
    callbacks.push_back(std::move(done));
  }
  void RunAfter(absl::Time when, uint64_t cancel_key, Task task) override {
    run_after_keys.push_back(cancel_key);
    std::move(task)();
  }
  void Cancel(uint64_t cancel_key) override { cancelled.push_back(cancel_key); }

  std::vector<HttpRequest> requests;
  std::vector<Callback> callbacks;
  std::vector<uint64_t> run_after_keys;
  std::vector<uint64_t> cancelled;
};

TEST(OperationOfTest, NamesEachOperationByMethodAndPath) {
  const std::string collection = kCollection;
  EXPECT_EQ(OperationOf(HttpMethod::kPost, collection + ".json"),
            TwilioOperation::kCreate);
  EXPECT_EQ(OperationOf(HttpMethod::kGet, collection + ".json"),
            TwilioOperation::kList);
  EXPECT_EQ(OperationOf(HttpMethod::kGet,
                        collection + ".json?PageSize=50&Page=1&PageToken=PA1"),
            TwilioOperation::kList);
  EXPECT_EQ(
      OperationOf(HttpMethod::kGet,
                  collection + "/CL00000000000000000000000000000001.json"),
      TwilioOperation::kFetch);
  EXPECT_EQ(
      OperationOf(HttpMethod::kDelete,
                  collection + "/CL00000000000000000000000000000001.json"),
      TwilioOperation::kDelete);
  EXPECT_EQ(OperationOf(HttpMethod::kGet, "http://127.0.0.1:1/other.json"),
            TwilioOperation::kOther);
  EXPECT_EQ(OperationOf(HttpMethod::kGet, collection + "/CL1/extra.json"),
            TwilioOperation::kOther);
  EXPECT_EQ(OperationOf(HttpMethod::kGet, collection + "/.json"),
            TwilioOperation::kOther);
  EXPECT_EQ(OperationOf(HttpMethod::kGet, "not a url"),
            TwilioOperation::kOther);
}

class MeteredTransportTest : public ::testing::Test {
 protected:
  MeteredTransportTest()
      : inner_(std::make_shared<FakeTransport>()),
        metrics_(std::make_shared<GatewayMetrics>()),
        metered_(inner_, metrics_, [this] { return now_; }) {}

  absl::Time now_ = absl::FromUnixSeconds(1000);
  std::shared_ptr<FakeTransport> inner_;
  std::shared_ptr<GatewayMetrics> metrics_;
  MeteredTransport metered_;
};

TEST_F(MeteredTransportTest, CountsAnAnswerWithItsStatusAndLatency) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = std::string(kCollection) + ".json";
  request.body = "CredentialListSid=CL00000000000000000000000000000001";
  std::optional<absl::StatusOr<HttpResponse>> seen;
  metered_.Send(request, [&seen](absl::StatusOr<HttpResponse> response) {
    seen = std::move(response);
  });

  // The request goes on unchanged and nothing is counted before it ends.
  ASSERT_EQ(inner_->requests.size(), 1u);
  EXPECT_EQ(inner_->requests[0].url, request.url);
  EXPECT_EQ(inner_->requests[0].body, request.body);
  EXPECT_EQ(SampleValue(metrics_->Render(),
                        "twilio_requests_total{operation=\"create\","
                        "http_status=\"201\"}"),
            std::nullopt);

  now_ += absl::Milliseconds(300);
  HttpResponse response;
  response.status = 201;
  response.body = "{}";
  std::move(inner_->callbacks[0])(response);

  ASSERT_TRUE(seen.has_value());
  ASSERT_TRUE(seen->ok());
  EXPECT_EQ((*seen)->status, 201);
  EXPECT_EQ((*seen)->body, "{}");
  const std::string text = metrics_->Render();
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"create\","
                          "http_status=\"201\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_duration_seconds_sum{"
                          "operation=\"create\"}"),
              Optional(std::string("0.3")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_duration_seconds_bucket{"
                          "operation=\"create\",le=\"0.25\"}"),
              Optional(std::string("0")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_duration_seconds_bucket{"
                          "operation=\"create\",le=\"0.5\"}"),
              Optional(std::string("1")));
}

TEST_F(MeteredTransportTest, CountsAFailureByTheTransportsReason) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = std::string(kCollection) + ".json";
  absl::Status seen;
  metered_.Send(request, [&seen](absl::StatusOr<HttpResponse> response) {
    seen = response.status();
  });
  std::move(inner_->callbacks[0])(WithReason(
      absl::UnavailableError("connection refused"), "UPSTREAM_NOT_SENT"));

  EXPECT_EQ(seen.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetGatewayError(seen)->reason(), "UPSTREAM_NOT_SENT");
  const std::string text = metrics_->Render();
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"list\","
                          "http_status=\"none\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_errors_total{operation="
                          "\"list\",reason=\"UPSTREAM_NOT_SENT\"}"),
              Optional(std::string("1")));
}

TEST_F(MeteredTransportTest, AnAnswerAfterTheTransportIsGoneIsStillCounted) {
  auto metered = std::make_unique<MeteredTransport>(inner_, metrics_);
  HttpRequest request;
  request.method = HttpMethod::kDelete;
  request.url = std::string(kCollection) + "/CL1.json";
  metered->Send(request, [](absl::StatusOr<HttpResponse>) {});
  metered.reset();
  HttpResponse response;
  response.status = 204;
  std::move(inner_->callbacks[0])(response);
  EXPECT_THAT(SampleValue(metrics_->Render(),
                          "twilio_requests_total{operation=\"delete\","
                          "http_status=\"204\"}"),
              Optional(std::string("1")));
}

TEST_F(MeteredTransportTest, TimersAndCancelPassThrough) {
  bool ran = false;
  metered_.RunAfter(now_, 7, [&ran] { ran = true; });
  metered_.Cancel(9);
  EXPECT_TRUE(ran);
  EXPECT_THAT(inner_->run_after_keys, ::testing::ElementsAre(7u));
  EXPECT_THAT(inner_->cancelled, ::testing::ElementsAre(9u));
}

}  // namespace
}  // namespace twilio_gateway::twilio
