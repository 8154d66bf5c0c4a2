// validate_only on Create and Delete, through the client library against the
// real gateway in front of the emulator: the same answers as the real calls,
// and nothing sent to Twilio that could change anything.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "client/error_details.h"
#include "client/mapping_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/gateway_fixture.h"

namespace twilio_gateway::client {
namespace {

using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;
namespace v1 = ::twilio_gateway::sip::v1;

using ValidateOnlyTest = GatewayFixture;

v1::CreateCredentialListMappingRequest DryCreate(int list) {
  v1::CreateCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_credential_list_sid(ListSid(list));
  request.set_validate_only(true);
  return request;
}

v1::DeleteCredentialListMappingRequest DryDelete(int list) {
  v1::DeleteCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid(ListSid(list));
  request.set_validate_only(true);
  return request;
}

TEST_F(ValidateOnlyTest, CreateChangesNothing) {
  absl::StatusOr<v1::CredentialListMapping> mapping =
      client_->Create(DryCreate(1));
  ASSERT_TRUE(mapping.ok()) << mapping.status();

  v1::CredentialListMapping want;
  want.set_sid(ListSid(1));
  want.set_account_sid(kAccount);
  want.set_domain_sid(kDomain);
  EXPECT_EQ(mapping->DebugString(), want.DebugString());
  EXPECT_THAT(emulator_->Mappings(kAccount, kDomain), IsEmpty());
  EXPECT_THAT(UpstreamRequests(), SizeIs(1));
  EXPECT_THAT(UpstreamRequests(), Each(StartsWith("GET ")));
}

TEST_F(ValidateOnlyTest, CreateOfMappedListIsAlreadyExists) {
  emulator_->PutMapping(kAccount, kDomain, ListSid(2));
  absl::StatusOr<v1::CredentialListMapping> mapping =
      client_->Create(DryCreate(2));
  EXPECT_EQ(mapping.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(mapping.status().message()),
              StartsWith("validate only: "));
  std::optional<ErrorDetails> details = GetErrorDetails(mapping.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "TWILIO_ALREADY_MAPPED");
  EXPECT_THAT(details->twilio_request_id, StartsWith("RQ"));
  EXPECT_THAT(UpstreamRequests(), Each(StartsWith("GET ")));
}

TEST_F(ValidateOnlyTest, CreateForSubaccountNamesIt) {
  v1::CreateCredentialListMappingRequest request = DryCreate(3);
  request.set_account_sid(kSubaccount);
  absl::StatusOr<v1::CredentialListMapping> mapping = client_->Create(request);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->account_sid(), kSubaccount);
  ASSERT_THAT(UpstreamRequests(), SizeIs(1));
  EXPECT_THAT(UpstreamRequests()[0], HasSubstr(kSubaccount));
}

TEST_F(ValidateOnlyTest, DeleteKeepsTheMapping) {
  emulator_->PutMapping(kAccount, kDomain, ListSid(4));
  EXPECT_TRUE(client_->Delete(DryDelete(4)).ok());
  EXPECT_THAT(emulator_->Mappings(kAccount, kDomain), SizeIs(1));
  EXPECT_THAT(UpstreamRequests(), SizeIs(1));
  EXPECT_THAT(UpstreamRequests(), Each(StartsWith("GET ")));
}

TEST_F(ValidateOnlyTest, DeleteOfMissingMappingIsNotFoundWithTwilioDetails) {
  absl::Status deleted = client_->Delete(DryDelete(5));
  EXPECT_EQ(deleted.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(deleted.message()), StartsWith("validate only: "));
  std::optional<ErrorDetails> details = GetErrorDetails(deleted);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "TWILIO_NOT_FOUND");
  EXPECT_EQ(details->twilio_code, 20404);
  EXPECT_EQ(details->http_status, 404);
  EXPECT_THAT(UpstreamRequests(), Each(StartsWith("GET ")));
}

TEST_F(ValidateOnlyTest, RequestIsCheckedBeforeTwilioIsAsked) {
  v1::CreateCredentialListMappingRequest create = DryCreate(6);
  create.set_credential_list_sid("CL123");
  absl::StatusOr<v1::CredentialListMapping> mapping = client_->Create(create);
  EXPECT_EQ(mapping.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<ErrorDetails> details = GetErrorDetails(mapping.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field, "credential_list_sid");

  v1::DeleteCredentialListMappingRequest remove = DryDelete(6);
  remove.set_domain_sid("");
  EXPECT_EQ(client_->Delete(remove).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(UpstreamRequests(), IsEmpty());
}

TEST_F(ValidateOnlyTest, UnknownAccountIsPermissionDenied) {
  v1::CreateCredentialListMappingRequest create = DryCreate(7);
  create.set_account_sid(kStranger);
  EXPECT_EQ(client_->Create(create).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::DeleteCredentialListMappingRequest remove = DryDelete(7);
  remove.set_account_sid(kStranger);
  EXPECT_EQ(client_->Delete(remove).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(UpstreamRequests(), IsEmpty());
}

TEST_F(ValidateOnlyTest, TwilioRefusingTheGatewayIsReportedNotHidden) {
  // A 401 on the fetch means the real call would be refused too.
  twilio_gateway::testing::ScriptedAnswer refused;
  refused.method = "GET";
  refused.times = -1;
  refused.status = 401;
  refused.body = R"({"code": 20003, "message": "Authenticate", "status": 401})";
  emulator_->Script(refused);

  absl::StatusOr<v1::CredentialListMapping> mapping =
      client_->Create(DryCreate(8));
  EXPECT_EQ(mapping.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(mapping.status().message()),
              StartsWith("validate only: "));
  std::optional<ErrorDetails> details = GetErrorDetails(mapping.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->twilio_code, 20003);

  EXPECT_EQ(client_->Delete(DryDelete(8)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(UpstreamRequests(), Each(StartsWith("GET ")));
}

}  // namespace
}  // namespace twilio_gateway::client
