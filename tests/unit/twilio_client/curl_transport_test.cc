// CurlTransport against the emulator on 127.0.0.1: its timers, Cancel, and
// how it classifies answers that break off.

#include "service/twilio/curl_transport.h"

#include <atomic>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"
#include "tests/twilio_emulator/emulator.h"

namespace twilio_gateway::twilio {
namespace {

using ::twilio_gateway::testing::DeliveryFault;
using ::twilio_gateway::testing::RecordedRequest;
using ::twilio_gateway::testing::ScriptedAnswer;
using ::twilio_gateway::testing::TwilioEmulator;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kToken[] = "curl-transport-test-token";

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::EmulatorOptions options;
    options.credentials.push_back({kAccount, kToken});
    auto emulator = TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    auto transport = CurlTransport::Create({});
    ASSERT_TRUE(transport.ok()) << transport.status();
    transport_ = *std::move(transport);
  }

  HttpRequest Get() const {
    HttpRequest request;
    request.url = absl::StrCat(
        emulator_->base_url(), "/2010-04-01/Accounts/", kAccount,
        "/SIP/Domains/SD00000000000000000000000000000001/Auth/Registrations/"
        "CredentialListMappings.json");
    request.deadline = absl::Now() + absl::Seconds(20);
    return request;
  }

  // Sends and waits for the outcome.
  absl::StatusOr<HttpResponse> Exchange(HttpRequest request) {
    std::promise<absl::StatusOr<HttpResponse>> promise;
    auto future = promise.get_future();
    transport_->Send(std::move(request),
                     [&promise](absl::StatusOr<HttpResponse> result) {
                       promise.set_value(std::move(result));
                     });
    return future.get();
  }

  static std::string ReasonOf(const absl::Status& status) {
    auto error = GetGatewayError(status);
    return error.has_value() ? error->reason() : "";
  }

  std::unique_ptr<TwilioEmulator> emulator_;
  std::unique_ptr<CurlTransport> transport_;
};

TEST_F(CurlTransportTest, RunAfterRunsOnTheLoopWhenItIsTime) {
  std::promise<std::thread::id> ran;
  const absl::Time when = absl::Now() + absl::Milliseconds(50);
  transport_->RunAfter(when, 0,
                       [&ran] { ran.set_value(std::this_thread::get_id()); });
  auto future = ran.get_future();
  const std::thread::id loop = future.get();
  EXPECT_GE(absl::Now(), when);
  EXPECT_NE(loop, std::this_thread::get_id());
}

TEST_F(CurlTransportTest, TimersRunInTimeOrder) {
  std::promise<void> done;
  std::vector<int> order;
  const absl::Time now = absl::Now();
  transport_->RunAfter(now + absl::Milliseconds(60), 0, [&] {
    order.push_back(2);
    done.set_value();
  });
  transport_->RunAfter(now + absl::Milliseconds(20), 0,
                       [&] { order.push_back(1); });
  done.get_future().wait();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST_F(CurlTransportTest, CancelRunsThatKeysTimersAtOnce) {
  std::promise<void> ran;
  transport_->RunAfter(absl::Now() + absl::Hours(1), 7,
                       [&ran] { ran.set_value(); });
  transport_->Cancel(7);
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
}

TEST_F(CurlTransportTest, CancelEndsATransferThatHangs) {
  ScriptedAnswer held;
  held.never_answer = true;
  emulator_->Script(held);
  HttpRequest request = Get();
  request.cancel_key = 42;
  std::promise<absl::StatusOr<HttpResponse>> promise;
  transport_->Send(std::move(request),
                   [&promise](absl::StatusOr<HttpResponse> result) {
                     promise.set_value(std::move(result));
                   });
  for (int i = 0; i < 500 && emulator_->Requests().empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  transport_->Cancel(41);  // another call's key: no effect
  transport_->Cancel(42);
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  const absl::StatusOr<HttpResponse> result = future.get();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_CANCELLED");
}

TEST_F(CurlTransportTest, OneHangingRequestDoesNotHoldUpOthers) {
  ScriptedAnswer held;
  held.never_answer = true;
  emulator_->Script(held);
  HttpRequest hanging = Get();
  hanging.deadline = absl::Now() + absl::Seconds(30);
  hanging.cancel_key = 1;
  std::promise<void> hung;
  transport_->Send(std::move(hanging),
                   [&hung](absl::StatusOr<HttpResponse>) { hung.set_value(); });
  for (int i = 0; i < 500 && emulator_->Requests().empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  // Plain HTTP has no multiplexing: the next request needs a connection of
  // its own rather than waiting for the first.
  HttpRequest next = Get();
  next.deadline = absl::Now() + absl::Seconds(5);
  const absl::StatusOr<HttpResponse> answer = Exchange(next);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 401);  // no credentials sent: still an answer
  transport_->Cancel(1);
  hung.get_future().wait();
}

// The connections that carried `requests`, each known by its client port.
std::set<int> ConnectionsOf(const std::vector<RecordedRequest>& requests) {
  std::set<int> ports;
  for (const RecordedRequest& request : requests) {
    ports.insert(request.peer_port);
  }
  return ports;
}

TEST_F(CurlTransportTest, GetsOneAfterAnotherReuseTheirConnections) {
  constexpr int kRequests = 40;
  for (int i = 0; i < kRequests; ++i) {
    const absl::StatusOr<HttpResponse> answer = Exchange(Get());
    ASSERT_TRUE(answer.ok()) << answer.status();
  }
  // One at a time, every request takes the connection the one before it
  // left in the pool; a connection per request would show forty, and
  // requests spread over the caches under so light a load up to eight.
  const std::vector<RecordedRequest> seen = emulator_->Requests();
  ASSERT_EQ(seen.size(), kRequests);
  EXPECT_EQ(ConnectionsOf(seen).size(), 1u);
}

TEST_F(CurlTransportTest, ManyInFlightAreAllAnsweredAndLeaveTheirConnections) {
  // Each answer waits, so that the requests are all in flight together and
  // spread over the connection caches.
  ScriptedAnswer slow;
  slow.times = -1;
  slow.delay = absl::Milliseconds(300);
  emulator_->Script(slow);
  constexpr int kRequests = 300;
  std::atomic<int> answered{0};
  std::atomic<int> left{kRequests};
  std::promise<void> all_done;
  for (int i = 0; i < kRequests; ++i) {
    transport_->Send(Get(), [&](absl::StatusOr<HttpResponse> result) {
      if (result.ok() && result->status == 401) ++answered;
      if (--left == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  EXPECT_EQ(answered.load(), kRequests);  // no credentials sent: a 401 each
  // The connections stay open for the next requests, whichever cache holds
  // them: what follows goes over connections opened above.
  emulator_->ClearScript();
  const std::set<int> opened = ConnectionsOf(emulator_->Requests());
  EXPECT_GT(opened.size(), 1u);  // the requests did not wait for each other
  emulator_->ClearRequests();
  for (int i = 0; i < 20; ++i) {
    const absl::StatusOr<HttpResponse> answer = Exchange(Get());
    ASSERT_TRUE(answer.ok()) << answer.status();
  }
  for (int port : ConnectionsOf(emulator_->Requests())) {
    EXPECT_EQ(opened.count(port), 1u) << "a new connection from " << port;
  }
}

TEST_F(CurlTransportTest, AnswerCutInTheHeadersIsAConnectionLoss) {
  ScriptedAnswer cut;
  cut.fault = DeliveryFault::kCloseInHeaders;
  emulator_->Script(cut);
  const absl::StatusOr<HttpResponse> result = Exchange(Get());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_CONNECTION_LOST");
}

TEST_F(CurlTransportTest, TruncatedBodyIsAConnectionLoss) {
  ScriptedAnswer cut;
  cut.fault = DeliveryFault::kTruncateBody;
  emulator_->Script(cut);
  const absl::StatusOr<HttpResponse> result = Exchange(Get());
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_CONNECTION_LOST");
}

TEST_F(CurlTransportTest, ClosedWithoutAnAnswerIsAConnectionLoss) {
  ScriptedAnswer cut;
  cut.fault = DeliveryFault::kCloseBeforeAnswer;
  emulator_->Script(cut);
  const absl::StatusOr<HttpResponse> result = Exchange(Get());
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_CONNECTION_LOST");
}

TEST_F(CurlTransportTest, RetryAfterReachesTheCaller) {
  ScriptedAnswer busy;
  busy.status = 429;
  busy.headers.emplace_back("Retry-After", "7");
  emulator_->Script(busy);
  const absl::StatusOr<HttpResponse> result = Exchange(Get());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 429);
  EXPECT_EQ(result->Header("retry-after"), "7");
}

TEST_F(CurlTransportTest, ShutdownRunsWaitingTimersAndFailsTheirSends) {
  std::promise<absl::Status> sent;
  CurlTransport* transport = transport_.get();
  HttpRequest request = Get();
  transport_->RunAfter(
      absl::Now() + absl::Hours(1), 0, [transport, request, &sent]() mutable {
        transport->Send(std::move(request),
                        [&sent](absl::StatusOr<HttpResponse> result) {
                          sent.set_value(result.status());
                        });
      });
  transport_.reset();
  const absl::Status status = sent.get_future().get();
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace twilio_gateway::twilio
