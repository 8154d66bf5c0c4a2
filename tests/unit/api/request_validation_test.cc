#include "service/api/request_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {
namespace {

using ::testing::HasSubstr;
using ::twilio_gateway::sip::v1::CreateCredentialListMappingRequest;
using ::twilio_gateway::sip::v1::DeleteCredentialListMappingRequest;
using ::twilio_gateway::sip::v1::GetCredentialListMappingRequest;
using ::twilio_gateway::sip::v1::ListCredentialListMappingsRequest;

constexpr char kAccount[] = "AC0123456789abcdef0123456789ABCDEF";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kList[] = "CL0123456789abcdef0123456789abcdef";

// The field the error names, read back from its payload.
std::string FieldOf(const absl::Status& status) {
  auto error = twilio::GetGatewayError(status);
  return error ? error->field() : "";
}

std::string ReasonOf(const absl::Status& status) {
  auto error = twilio::GetGatewayError(status);
  return error ? error->reason() : "";
}

TEST(IsSidTest, AcceptsEitherCaseOfHex) {
  EXPECT_TRUE(IsSid(kAccount, "AC"));
  EXPECT_TRUE(IsSid("CLABCDEFABCDEFABCDEFABCDEFABCDEFAB", "CL"));
}

TEST(IsSidTest, RejectsWrongPrefixLengthAndDigits) {
  EXPECT_FALSE(IsSid(kAccount, "SD"));
  EXPECT_FALSE(IsSid("ac0123456789abcdef0123456789abcdef", "AC"));
  EXPECT_FALSE(IsSid("AC0123456789abcdef0123456789abcde", "AC"));
  EXPECT_FALSE(IsSid("AC0123456789abcdef0123456789abcdef0", "AC"));
  EXPECT_FALSE(IsSid("AC0123456789abcdef0123456789abcdeg", "AC"));
  EXPECT_FALSE(IsSid("", "AC"));
  EXPECT_FALSE(
      IsSid(std::string("AC0123456789abcdef0123456789abcde\0", 34), "AC"));
}

TEST(ValidateRequestTest, CreateAcceptsValidAndEmptyAccount) {
  CreateCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_credential_list_sid(kList);
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.set_account_sid(kAccount);
  EXPECT_TRUE(ValidateRequest(request).ok());
}

TEST(ValidateRequestTest, CreateNamesEachBadField) {
  CreateCredentialListMappingRequest request;
  request.set_account_sid("AC123");
  request.set_domain_sid(kDomain);
  request.set_credential_list_sid(kList);
  absl::Status status = ValidateRequest(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(status), "account_sid");
  EXPECT_EQ(ReasonOf(status), "INVALID_SID");
  EXPECT_THAT(status.message(), HasSubstr("account_sid"));

  request.set_account_sid(kAccount);
  request.set_domain_sid(kList);  // A CL SID where an SD SID belongs.
  status = ValidateRequest(request);
  EXPECT_EQ(FieldOf(status), "domain_sid");

  request.set_domain_sid(kDomain);
  request.clear_credential_list_sid();
  status = ValidateRequest(request);
  EXPECT_EQ(FieldOf(status), "credential_list_sid");
  EXPECT_EQ(ReasonOf(status), "FIELD_REQUIRED");
}

TEST(ValidateRequestTest, MessagesDoNotEchoTheValue) {
  GetCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid("CL-this-is-not-a-sid-but-a-secret-perhaps");
  absl::Status status = ValidateRequest(request);
  EXPECT_EQ(FieldOf(status), "sid");
  EXPECT_THAT(std::string(status.message()),
              ::testing::Not(HasSubstr("secret")));
}

TEST(ValidateRequestTest, GetAndDeleteRequireDomainAndSid) {
  GetCredentialListMappingRequest get;
  get.set_sid(kList);
  EXPECT_EQ(FieldOf(ValidateRequest(get)), "domain_sid");
  get.set_domain_sid(kDomain);
  EXPECT_TRUE(ValidateRequest(get).ok());

  DeleteCredentialListMappingRequest del;
  del.set_domain_sid(kDomain);
  EXPECT_EQ(FieldOf(ValidateRequest(del)), "sid");
  del.set_sid(kList);
  EXPECT_TRUE(ValidateRequest(del).ok());
}

TEST(ValidateRequestTest, ListChecksPageSize) {
  ListCredentialListMappingsRequest request;
  request.set_domain_sid(kDomain);
  request.set_page_size(0);
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.set_page_size(5000);
  EXPECT_TRUE(ValidateRequest(request).ok());
  request.set_page_size(-1);
  absl::Status status = ValidateRequest(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(status), "page_size");
  EXPECT_EQ(ReasonOf(status), "INVALID_PAGE_SIZE");
}

TEST(EffectivePageSizeTest, KeepsZeroAndCapsAtTwilioMaximum) {
  EXPECT_EQ(EffectivePageSize(0), 0);
  EXPECT_EQ(EffectivePageSize(1), 1);
  EXPECT_EQ(EffectivePageSize(1000), 1000);
  EXPECT_EQ(EffectivePageSize(1001), 1000);
}

}  // namespace
}  // namespace twilio_gateway::api
