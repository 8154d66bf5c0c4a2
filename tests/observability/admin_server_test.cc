#include "service/server/admin_server.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/observability/http_client.h"

namespace twilio_gateway::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::twilio_gateway::testing::HttpFetch;
using ::twilio_gateway::testing::LocalGet;

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AdminServerOptions options;
    options.listen = "127.0.0.1:0";
    options.metrics = [this]() -> std::string {
      if (throw_) throw std::runtime_error("render failed");
      return "# HELP up Up.\n# TYPE up gauge\nup 1\n";
    };
    options.ready = [this] {
      return ready_ ? absl::OkStatus()
                    : absl::FailedPreconditionError("shutting down");
    };
    auto server = AdminServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }

  std::atomic<bool> ready_{true};
  std::atomic<bool> throw_{false};
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, LivezAlwaysAnswersOk) {
  ready_ = false;
  auto answer = LocalGet(server_->port(), "/livez");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "ok\n");
}

TEST_F(AdminServerTest, ReadyzFollowsTheCallback) {
  auto ready = LocalGet(server_->port(), "/readyz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->status, 200);

  ready_ = false;
  auto draining = LocalGet(server_->port(), "/readyz");
  ASSERT_TRUE(draining.ok()) << draining.status();
  EXPECT_EQ(draining->status, 503);
  EXPECT_EQ(draining->body, "not ready: shutting down\n");
}

TEST(AdminServerDetailTest, ReadyzAddsTheDetailOnlyWhenReady) {
  std::atomic<bool> ready{true};
  AdminServerOptions options;
  options.listen = "127.0.0.1:0";
  options.metrics = [] { return std::string(); };
  options.ready = [&ready] {
    return ready ? absl::OkStatus() : absl::FailedPreconditionError("down");
  };
  options.ready_detail = [] {
    return std::string("credentials: the last reload failed");
  };
  auto server = AdminServer::Start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();

  auto serving = LocalGet((*server)->port(), "/readyz");
  ASSERT_TRUE(serving.ok()) << serving.status();
  EXPECT_EQ(serving->status, 200);
  EXPECT_EQ(serving->body, "ok\ncredentials: the last reload failed\n");

  ready = false;
  auto down = LocalGet((*server)->port(), "/readyz");
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(down->body, "not ready: down\n");
}

TEST_F(AdminServerTest, MetricsInTheTextFormat) {
  auto answer = LocalGet(server_->port(), "/metrics");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
  EXPECT_THAT(answer->content_type, StartsWith("text/plain; version=0.0.4"));
  EXPECT_EQ(answer->body, "# HELP up Up.\n# TYPE up gauge\nup 1\n");
}

TEST_F(AdminServerTest, AQueryDoesNotChangeThePath) {
  auto answer = LocalGet(server_->port(), "/metrics?name[]=up");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
}

TEST_F(AdminServerTest, AFailingRenderIsA500AndTheServerGoesOn) {
  throw_ = true;
  auto failed = LocalGet(server_->port(), "/metrics");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->status, 500);
  throw_ = false;
  auto answer = LocalGet(server_->port(), "/metrics");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
}

TEST_F(AdminServerTest, UnknownPathsAre404AndOtherMethods405) {
  auto missing = LocalGet(server_->port(), "/");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr("/metrics"));

  auto post = HttpFetch(
      "POST", absl::StrCat("http://127.0.0.1:", server_->port(), "/readyz"));
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->status, 405);

  auto head = HttpFetch(
      "HEAD", absl::StrCat("http://127.0.0.1:", server_->port(), "/livez"));
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
}

TEST(AdminServerStartTest, RejectsBadAddressesAndMissingCallbacks) {
  for (const char* listen :
       {"", "9090", "127.0.0.1:", ":9090", "127.0.0.1:99999", "127.0.0.1:-1",
        "127.0.0.1:80a"}) {
    AdminServerOptions options;
    options.listen = listen;
    options.metrics = [] { return std::string(); };
    options.ready = [] { return absl::OkStatus(); };
    EXPECT_EQ(AdminServer::Start(std::move(options)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << listen;
  }
  AdminServerOptions no_callbacks;
  no_callbacks.listen = "127.0.0.1:0";
  EXPECT_EQ(AdminServer::Start(std::move(no_callbacks)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AdminServerStartTest, APortInUseIsUnavailable) {
  AdminServerOptions first;
  first.listen = "127.0.0.1:0";
  first.metrics = [] { return std::string(); };
  first.ready = [] { return absl::OkStatus(); };
  auto taken = AdminServer::Start(first);
  ASSERT_TRUE(taken.ok()) << taken.status();

  AdminServerOptions second = first;
  second.listen = absl::StrCat("127.0.0.1:", (*taken)->port());
  EXPECT_EQ(AdminServer::Start(std::move(second)).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(AdminServerStartTest, ListensOnIpv6Brackets) {
  AdminServerOptions options;
  options.listen = "[::1]:0";
  options.metrics = [] { return std::string(); };
  options.ready = [] { return absl::OkStatus(); };
  auto server = AdminServer::Start(std::move(options));
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback: " << server.status();
  auto answer = HttpFetch(
      "GET", absl::StrCat("http://[::1]:", (*server)->port(), "/livez"));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
}

}  // namespace
}  // namespace twilio_gateway::server
