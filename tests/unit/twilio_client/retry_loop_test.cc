// The Twilio client's retry loop against a scripted transport: what is
// repeated, how long it waits, when it stops, and what the caller sees.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_client.h"
#include "service/twilio/twilio_error.h"
#include "tests/unit/twilio_client/fake_transport.h"

namespace twilio_gateway::twilio {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::twilio_gateway::sip::v1::CredentialListMapping;

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kList[] = "CL0123456789abcdef0123456789abcdef";
constexpr char kMappingJson[] =
    R"({"account_sid": "AC0123456789abcdef0123456789abcdef",
        "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
        "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
        "friendly_name": "office phones",
        "sid": "CL0123456789abcdef0123456789abcdef"})";

HttpResponse Answer(
    int status, std::string body = "",
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

absl::Status Transport(absl::StatusCode code, absl::string_view reason) {
  return WithReason(absl::Status(code, "scripted failure"), reason);
}

std::string MethodOf(const HttpRequest& request) {
  return std::string(HttpMethodName(request.method));
}

class RetryLoopTest : public ::testing::Test {
 protected:
  RetryLoopTest() { scope_.deadline = now_ + absl::Seconds(30); }

  TwilioClient& client() {
    if (client_ == nullptr) {
      TwilioClientOptions options = options_;
      options.base_url = "https://api.twilio.com";
      options.clock = [this] { return now_; };
      options.random = [this] { return random_; };
      options.on_retry = [this](absl::string_view reason) {
        retry_reasons_.emplace_back(reason);
      };
      client_ = std::make_unique<TwilioClient>(transport_, options);
      scope_.account_sid = kAccount;
      scope_.domain_sid = kDomain;
      scope_.authorization = "Basic eDp5";
    }
    return *client_;
  }

  TwilioClient::Done Capture() {
    done_ = false;
    return [this](absl::Status status, const CallReport& report) {
      done_ = true;
      status_ = std::move(status);
      report_ = report;
    };
  }

  // Lets time pass until the call is over.
  void Drain() {
    while (!done_ && transport_->RunNextTimer(&now_)) {
    }
    ASSERT_TRUE(done_);
  }

  void Fetch() {
    client().FetchMapping(scope_, kList, &mapping_, Capture());
    Drain();
  }
  void Create() {
    client().CreateMapping(scope_, kList, &mapping_, Capture());
    Drain();
  }
  void Delete() {
    client().DeleteMapping(scope_, kList, Capture());
    Drain();
  }

  std::vector<std::string> Methods() const {
    std::vector<std::string> methods;
    for (const auto& request : transport_->requests) {
      methods.push_back(MethodOf(request));
    }
    return methods;
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  TwilioClientOptions options_;
  std::unique_ptr<TwilioClient> client_;
  absl::Time now_ = absl::FromUnixSeconds(1438286400);
  double random_ = 0.5;
  CallScope scope_;
  CredentialListMapping mapping_;
  std::vector<std::string> retry_reasons_;
  bool done_ = false;
  absl::Status status_;
  CallReport report_;
};

TEST_F(RetryLoopTest, FetchRetriesEveryTransientFailureThenSucceeds) {
  transport_->answers.push_back(Answer(503));
  transport_->answers.push_back(Answer(429));
  transport_->answers.push_back(
      Transport(absl::StatusCode::kUnavailable, "UPSTREAM_CONNECTION_LOST"));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Fetch();
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_EQ(report_.attempts, 4);
  EXPECT_EQ(mapping_.sid(), kList);
  EXPECT_THAT(Methods(), ElementsAre("GET", "GET", "GET", "GET"));
  EXPECT_THAT(retry_reasons_,
              ElementsAre("http_503", "http_429", "upstream_connection_lost"));
}

TEST_F(RetryLoopTest, EveryRetryableHttpStatusIsRetried) {
  for (int status : {429, 500, 502, 503, 504}) {
    transport_->requests.clear();
    transport_->answers.push_back(Answer(status));
    transport_->answers.push_back(Answer(200, kMappingJson));
    Fetch();
    EXPECT_TRUE(status_.ok()) << status;
    EXPECT_EQ(report_.attempts, 2) << status;
  }
}

TEST_F(RetryLoopTest, FinalAnswersAreNotRetried) {
  for (int status : {400, 401, 403, 404, 409, 301}) {
    transport_->requests.clear();
    transport_->answers.push_back(Answer(status));
    Fetch();
    EXPECT_FALSE(status_.ok()) << status;
    EXPECT_EQ(report_.attempts, 1) << status;
    EXPECT_THAT(status_.message(), HasSubstr("1 attempt, stopped because "
                                             "the answer is final"));
  }
  EXPECT_TRUE(retry_reasons_.empty());
}

TEST_F(RetryLoopTest, GivesUpAfterFourAttemptsWithTheLastAnswersCode) {
  for (int i = 0; i < 4; ++i) transport_->answers.push_back(Answer(503));
  Fetch();
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(report_.attempts, 4);
  EXPECT_THAT(status_.message(),
              HasSubstr("fetch mapping " + std::string(kList)));
  EXPECT_THAT(status_.message(),
              HasSubstr("4 attempts, stopped because the attempt limit was "
                        "reached"));
}

TEST_F(RetryLoopTest, MaxAttemptsIsConfigurable) {
  options_.max_attempts = 2;
  for (int i = 0; i < 2; ++i) transport_->answers.push_back(Answer(500));
  Fetch();
  EXPECT_EQ(report_.attempts, 2);
}

TEST_F(RetryLoopTest, BackoffDoublesWithFullJitter) {
  options_.backoff.base = absl::Milliseconds(100);
  options_.backoff.cap = absl::Milliseconds(300);
  random_ = 0.5;
  for (int i = 0; i < 3; ++i) transport_->answers.push_back(Answer(503));
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  const absl::Time start = now_;
  std::vector<absl::Duration> waits;
  while (!done_) {
    ASSERT_FALSE(transport_->timers.empty());
    waits.push_back(transport_->timers.begin()->first.first - now_);
    if (waits.size() == 3)
      transport_->answers.push_back(Answer(200, kMappingJson));
    transport_->RunNextTimer(&now_);
  }
  // Half of 100, 200, then 300 (the cap rather than 400) milliseconds.
  EXPECT_THAT(waits,
              ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                          absl::Milliseconds(150)));
  EXPECT_EQ(now_ - start, absl::Milliseconds(300));
  EXPECT_TRUE(status_.ok());
}

TEST_F(RetryLoopTest, RetryAfterSecondsIsHonoured) {
  transport_->answers.push_back(Answer(429, "", {{"retry-after", "3"}}));
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_EQ(transport_->timers.size(), 1u);
  EXPECT_EQ(transport_->timers.begin()->first.first, now_ + absl::Seconds(3));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Drain();
  EXPECT_TRUE(status_.ok());
}

TEST_F(RetryLoopTest, RetryAfterHttpDateIsHonoured) {
  // now_ is Thu, 30 Jul 2015 20:00:00 GMT.
  transport_->answers.push_back(
      Answer(503, "", {{"retry-after", "Thu, 30 Jul 2015 20:00:07 GMT"}}));
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_EQ(transport_->timers.size(), 1u);
  EXPECT_EQ(transport_->timers.begin()->first.first, now_ + absl::Seconds(7));
}

TEST_F(RetryLoopTest, WaitPastTheDeadlineStopsAtOnceWithTheLastCode) {
  scope_.deadline = now_ + absl::Seconds(2);
  transport_->answers.push_back(Answer(429, "", {{"retry-after", "5"}}));
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_TRUE(done_) << "must not wait into the deadline";
  EXPECT_TRUE(transport_->timers.empty());
  EXPECT_EQ(status_.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(report_.attempts, 1);
  EXPECT_THAT(status_.message(), HasSubstr("no further attempt fits in the "
                                           "deadline"));
}

TEST_F(RetryLoopTest, AttemptTimeoutBeforeTheDeadlineIsRetriedAsUnavailable) {
  options_.attempt_timeout = absl::Seconds(1);
  transport_->answers.push_back(
      Transport(absl::StatusCode::kDeadlineExceeded, "UPSTREAM_TIMEOUT"));
  transport_->answers.push_back(
      Transport(absl::StatusCode::kDeadlineExceeded, "UPSTREAM_TIMEOUT"));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Fetch();
  EXPECT_TRUE(status_.ok()) << status_;
  EXPECT_EQ(report_.attempts, 3);
  EXPECT_EQ(transport_->requests[0].deadline,
            absl::FromUnixSeconds(1438286401));
}

TEST_F(RetryLoopTest, TimeoutAtTheCallsDeadlineIsDeadlineExceeded) {
  scope_.deadline = now_ + absl::Milliseconds(500);
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_EQ(transport_->held.size(), 1u);
  EXPECT_EQ(transport_->requests[0].deadline, scope_.deadline);
  // The transport gives up at the deadline.
  now_ = scope_.deadline;
  auto done = std::move(transport_->held[0].second);
  transport_->held.clear();
  std::move(done)(
      Transport(absl::StatusCode::kDeadlineExceeded, "UPSTREAM_TIMEOUT"));
  ASSERT_TRUE(done_);
  EXPECT_EQ(status_.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(report_.attempts, 1);
  EXPECT_THAT(status_.message(), HasSubstr("deadline"));
}

TEST_F(RetryLoopTest, CreateRetriesA429AndARefusedConnectionAsIs) {
  transport_->answers.push_back(Answer(429));
  transport_->answers.push_back(
      Transport(absl::StatusCode::kUnavailable, "UPSTREAM_NOT_SENT"));
  transport_->answers.push_back(Answer(201, kMappingJson));
  Create();
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_THAT(Methods(), ElementsAre("POST", "POST", "POST"));
}

TEST_F(RetryLoopTest, UnclearCreateThatTookEffectIsNotSentAgain) {
  transport_->answers.push_back(Answer(503));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Create();
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_THAT(Methods(), ElementsAre("POST", "GET"));
  EXPECT_EQ(transport_->requests[1].url,
            absl::StrCat(transport_->requests[0].url.substr(
                             0, transport_->requests[0].url.size() - 5),
                         "/", kList, ".json"));
  EXPECT_EQ(mapping_.sid(), kList);
  EXPECT_EQ(mapping_.friendly_name(), "office phones");
}

TEST_F(RetryLoopTest, UnclearCreateThatDidNotTakeEffectIsSentAgain) {
  transport_->answers.push_back(
      Transport(absl::StatusCode::kUnavailable, "UPSTREAM_CONNECTION_LOST"));
  transport_->answers.push_back(Answer(404));
  transport_->answers.push_back(Answer(201, kMappingJson));
  Create();
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_THAT(Methods(), ElementsAre("POST", "GET", "POST"));
  EXPECT_EQ(report_.attempts, 3);
}

TEST_F(RetryLoopTest, UnclearCreateKeepsCheckingWhileTheCheckFails) {
  options_.attempt_timeout = absl::Seconds(1);
  transport_->answers.push_back(
      Transport(absl::StatusCode::kDeadlineExceeded, "UPSTREAM_TIMEOUT"));
  transport_->answers.push_back(Answer(502));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Create();
  ASSERT_TRUE(status_.ok()) << status_;
  EXPECT_THAT(Methods(), ElementsAre("POST", "GET", "GET"));
}

TEST_F(RetryLoopTest, UnclearCreatesThatNeverClearUpEndUnavailable) {
  for (int i = 0; i < 4; ++i) transport_->answers.push_back(Answer(500));
  Create();
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable);
  // Never a second POST while the first one's fate is unknown.
  EXPECT_THAT(Methods(), ElementsAre("POST", "GET", "GET", "GET"));
}

TEST_F(RetryLoopTest, CreateThatRanOutOfAttemptsReportsThePostsFailure) {
  transport_->answers.push_back(Answer(503));
  transport_->answers.push_back(Answer(502));
  transport_->answers.push_back(Answer(500));
  transport_->answers.push_back(Answer(404));
  Create();
  // The fetch's 404 only said the POST did not take effect.
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable) << status_;
  EXPECT_THAT(status_.message(), HasSubstr("HTTP 503"));
  EXPECT_THAT(Methods(), ElementsAre("POST", "GET", "GET", "GET"));
}

TEST_F(RetryLoopTest, CreateRejectedByTwilioIsFinal) {
  transport_->answers.push_back(Answer(
      400, R"({"code": 21231, "message": "already mapped", "status": 400})"));
  Create();
  EXPECT_EQ(status_.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Methods(), ElementsAre("POST"));
}

TEST_F(RetryLoopTest, DeleteNotFoundAfterAnUnclearAttemptIsSuccess) {
  transport_->answers.push_back(
      Transport(absl::StatusCode::kUnavailable, "UPSTREAM_CONNECTION_LOST"));
  transport_->answers.push_back(Answer(404));
  Delete();
  EXPECT_TRUE(status_.ok()) << status_;
  EXPECT_THAT(Methods(), ElementsAre("DELETE", "DELETE"));
}

TEST_F(RetryLoopTest, DeleteNotFoundAfterAClearRefusalIsNotFound) {
  transport_->answers.push_back(Answer(429));
  transport_->answers.push_back(Answer(404));
  Delete();
  EXPECT_EQ(status_.code(), absl::StatusCode::kNotFound);
}

TEST_F(RetryLoopTest, DeleteNotFoundAtFirstIsNotFound) {
  transport_->answers.push_back(Answer(404));
  Delete();
  EXPECT_EQ(status_.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(report_.attempts, 1);
}

TEST_F(RetryLoopTest, TlsFailureIsFinal) {
  transport_->answers.push_back(
      Transport(absl::StatusCode::kUnavailable, "UPSTREAM_TLS_FAILED"));
  Fetch();
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(report_.attempts, 1);
}

TEST_F(RetryLoopTest, SpentBudgetFailsFastWithUnavailable) {
  options_.retry_budget.ratio = 0;
  options_.retry_budget.floor = 1;
  transport_->answers.push_back(Answer(503));
  transport_->answers.push_back(Answer(200, kMappingJson));
  Fetch();
  EXPECT_TRUE(status_.ok()) << "the floor allows one retry";

  transport_->answers.push_back(Answer(429));
  Fetch();
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(report_.attempts, 1);
  EXPECT_EQ(GetGatewayError(status_)->reason(), "RETRY_BUDGET_EXHAUSTED");
  EXPECT_THAT(status_.message(), HasSubstr("retry budget is exhausted"));
}

TEST_F(RetryLoopTest, CancelEndsTheRequestInFlight) {
  scope_.cancellation = std::make_shared<CallCancellation>();
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_FALSE(done_);
  ASSERT_EQ(transport_->held.size(), 1u);
  scope_.cancellation->Cancel();
  ASSERT_TRUE(done_);
  EXPECT_EQ(status_.code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(status_.message(), HasSubstr("cancelled"));
  EXPECT_EQ(transport_->cancels.size(), 1u);
}

TEST_F(RetryLoopTest, CancelEndsTheBackoffWait) {
  scope_.cancellation = std::make_shared<CallCancellation>();
  transport_->answers.push_back(Answer(503));
  client().FetchMapping(scope_, kList, &mapping_, Capture());
  ASSERT_EQ(transport_->timers.size(), 1u);
  scope_.cancellation->Cancel();
  ASSERT_TRUE(done_);
  EXPECT_EQ(status_.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(report_.attempts, 1);
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(RetryLoopTest, CallCancelledBeforeItStartsSendsNothing) {
  scope_.cancellation = std::make_shared<CallCancellation>();
  scope_.cancellation->Cancel();
  Fetch();
  EXPECT_EQ(status_.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(transport_->requests.empty());
}

class ConcurrencyCapTest : public RetryLoopTest {
 protected:
  ConcurrencyCapTest() {
    options_.concurrency.max_in_flight_per_account = 1;
    options_.concurrency.max_queued_per_account = 1;
  }
};

TEST_F(ConcurrencyCapTest, QueuesThenRefusesBeyondTheQueue) {
  std::vector<absl::Status> results(3);
  std::vector<bool> finished(3, false);
  CredentialListMapping out[3];
  for (int i = 0; i < 3; ++i) {
    client().FetchMapping(scope_, kList, &out[i],
                          [&, i](absl::Status status, const CallReport&) {
                            finished[i] = true;
                            results[i] = std::move(status);
                          });
  }
  // One in flight (held by the fake), one waiting, one refused.
  EXPECT_EQ(transport_->requests.size(), 1u);
  EXPECT_EQ(client().limiter().InFlight(kAccount), 1);
  EXPECT_EQ(client().limiter().Queued(kAccount), 1);
  ASSERT_TRUE(finished[2]);
  EXPECT_EQ(results[2].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GetGatewayError(results[2])->reason(), "ACCOUNT_QUEUE_FULL");

  // The first answer frees the slot for the waiting call.
  transport_->answers.push_back(Answer(200, kMappingJson));
  transport_->answers.push_back(Answer(200, kMappingJson));
  auto first = std::move(transport_->held.front().second);
  transport_->held.clear();
  std::move(first)(Answer(200, kMappingJson));
  EXPECT_TRUE(finished[0] && finished[1]);
  EXPECT_TRUE(results[0].ok() && results[1].ok());
  EXPECT_EQ(client().limiter().InFlight(kAccount), 0);
}

TEST_F(ConcurrencyCapTest, AWaitEndsAtTheCallsDeadline) {
  client().FetchMapping(scope_, kList, &mapping_,
                        [](absl::Status, const CallReport&) {});
  CallScope later = scope_;
  later.deadline = now_ + absl::Seconds(1);
  client().FetchMapping(later, kList, &mapping_, Capture());
  ASSERT_FALSE(done_);
  ASSERT_TRUE(transport_->RunNextTimer(&now_));
  ASSERT_TRUE(done_);
  EXPECT_EQ(status_.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(GetGatewayError(status_)->reason(), "ACCOUNT_QUEUE_TIMEOUT");
  EXPECT_EQ(report_.attempts, 0);
  EXPECT_EQ(client().limiter().Queued(kAccount), 0);
}

TEST_F(ConcurrencyCapTest, OtherAccountsAreNotHeldUp) {
  client().FetchMapping(scope_, kList, &mapping_,
                        [](absl::Status, const CallReport&) {});
  CallScope other = scope_;
  other.account_sid = "AC11111111111111111111111111111111";
  transport_->answers.push_back(Answer(200, kMappingJson));
  client().FetchMapping(other, kList, &mapping_, Capture());
  EXPECT_TRUE(done_);
  EXPECT_TRUE(status_.ok());
}

}  // namespace
}  // namespace twilio_gateway::twilio
