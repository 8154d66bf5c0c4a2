// MappingClient's bearer token, as a server sees it: on every call,
// pages of a listing included, and absent when none is set.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/mapping_client.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::client {
namespace {

using ::testing::ElementsAre;
namespace v1 = ::twilio_gateway::sip::v1;

// Records the authorization metadata of each call ("<none>" when absent).
// List answers two pages.
class RecordingService final
    : public v1::CredentialListMappingService::Service {
 public:
  grpc::Status GetCredentialListMapping(
      grpc::ServerContext* context, const v1::GetCredentialListMappingRequest*,
      v1::CredentialListMapping*) override {
    Record(*context);
    return grpc::Status::OK;
  }

  grpc::Status ListCredentialListMappings(
      grpc::ServerContext* context,
      const v1::ListCredentialListMappingsRequest* request,
      v1::ListCredentialListMappingsResponse* response) override {
    Record(*context);
    response->add_credential_list_mappings()->set_sid(
        request->page_token().empty() ? "CL1" : "CL2");
    if (request->page_token().empty()) response->set_next_page_token("next");
    return grpc::Status::OK;
  }

  std::vector<std::string> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void Record(const grpc::ServerContext& context) {
    std::string value = "<none>";
    auto range = context.client_metadata().equal_range("authorization");
    for (auto it = range.first; it != range.second; ++it) {
      value = std::string(it->second.data(), it->second.size());
    }
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(value);
  }

  std::mutex mu_;
  std::vector<std::string> seen_;
};

class BearerTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override { server_->Shutdown(); }

  MappingClient Client(const std::string& token) {
    MappingClientOptions options;
    options.timeout = absl::Seconds(10);
    options.bearer_token = token;
    return MappingClient(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                            grpc::InsecureChannelCredentials()),
        options);
  }

  RecordingService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(BearerTokenTest, SentOnEveryCallAndEveryPage) {
  MappingClient client = Client("s3cret-token");
  ASSERT_TRUE(client.Get(v1::GetCredentialListMappingRequest()).ok());
  auto all = client.ListAll(v1::ListCredentialListMappingsRequest());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 2u);
  EXPECT_THAT(service_.seen(),
              ElementsAre("Bearer s3cret-token", "Bearer s3cret-token",
                          "Bearer s3cret-token"));
}

TEST_F(BearerTokenTest, NoneWithoutAToken) {
  MappingClient client = Client("");
  ASSERT_TRUE(client.Get(v1::GetCredentialListMappingRequest()).ok());
  EXPECT_THAT(service_.seen(), ElementsAre("<none>"));
}

}  // namespace
}  // namespace twilio_gateway::client
