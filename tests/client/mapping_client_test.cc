// The C++ client library against the real gateway in front of the Twilio
// emulator: each call, its errors and their details, deadlines, and paging.

#include "client/mapping_client.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "client/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/gateway_fixture.h"

namespace twilio_gateway::client {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
namespace v1 = ::twilio_gateway::sip::v1;

using MappingClientTest = GatewayFixture;

v1::CreateCredentialListMappingRequest CreateRequest(int list) {
  v1::CreateCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_credential_list_sid(ListSid(list));
  return request;
}

v1::GetCredentialListMappingRequest GetRequest(int list) {
  v1::GetCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid(ListSid(list));
  return request;
}

v1::DeleteCredentialListMappingRequest DeleteRequest(int list) {
  v1::DeleteCredentialListMappingRequest request;
  request.set_domain_sid(kDomain);
  request.set_sid(ListSid(list));
  return request;
}

v1::ListCredentialListMappingsRequest ListRequest(int page_size = 0) {
  v1::ListCredentialListMappingsRequest request;
  request.set_domain_sid(kDomain);
  request.set_page_size(page_size);
  return request;
}

std::vector<std::string> Sids(
    const std::vector<v1::CredentialListMapping>& mappings) {
  std::vector<std::string> sids;
  for (const auto& mapping : mappings) sids.push_back(mapping.sid());
  return sids;
}

TEST_F(MappingClientTest, CreateGetListDeleteRoundTrip) {
  absl::StatusOr<v1::CredentialListMapping> created =
      client_->Create(CreateRequest(1));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->sid(), ListSid(1));
  EXPECT_EQ(created->account_sid(), kAccount);
  EXPECT_EQ(created->domain_sid(), kDomain);
  EXPECT_GT(created->create_time().seconds(), 0);
  ASSERT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);

  absl::StatusOr<v1::CredentialListMapping> fetched =
      client_->Get(GetRequest(1));
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(fetched->SerializeAsString(), created->SerializeAsString());

  auto page = client_->ListPage(ListRequest());
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->credential_list_mappings_size(), 1);
  EXPECT_EQ(page->credential_list_mappings(0).sid(), ListSid(1));
  EXPECT_TRUE(page->next_page_token().empty());

  EXPECT_TRUE(client_->Delete(DeleteRequest(1)).ok());
  EXPECT_THAT(emulator_->Mappings(kAccount, kDomain), IsEmpty());
}

TEST_F(MappingClientTest, FailedCallCarriesTwilioDetails) {
  absl::Status deleted = client_->Delete(DeleteRequest(2));
  EXPECT_EQ(deleted.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(deleted.message()), HasSubstr("20404"));

  std::optional<ErrorDetails> details = GetErrorDetails(deleted);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "TWILIO_NOT_FOUND");
  EXPECT_EQ(details->domain,
            "twilio_gateway.sip.v1.CredentialListMappingService");
  EXPECT_EQ(details->twilio_code, 20404);
  EXPECT_EQ(details->http_status, 404);
  EXPECT_THAT(details->more_info, HasSubstr("20404"));
  EXPECT_THAT(details->twilio_request_id, StartsWith("RQ"));
  EXPECT_EQ(details->metadata["twilio_code"], "20404");
}

TEST_F(MappingClientTest, DuplicateCreateIsAlreadyExistsWithTwilioCode) {
  ASSERT_TRUE(client_->Create(CreateRequest(3)).ok());
  absl::StatusOr<v1::CredentialListMapping> again =
      client_->Create(CreateRequest(3));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  std::optional<ErrorDetails> details = GetErrorDetails(again.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "TWILIO_ALREADY_MAPPED");
  EXPECT_EQ(details->http_status, 400);
}

TEST_F(MappingClientTest, RejectedRequestNamesTheField) {
  v1::GetCredentialListMappingRequest request = GetRequest(1);
  request.set_domain_sid("SD-not-a-sid");
  absl::StatusOr<v1::CredentialListMapping> fetched = client_->Get(request);
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<ErrorDetails> details = GetErrorDetails(fetched.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "INVALID_SID");
  EXPECT_EQ(details->field, "domain_sid");
  EXPECT_EQ(details->twilio_code, 0);
  EXPECT_THAT(emulator_->Requests(), IsEmpty());
}

TEST_F(MappingClientTest, UnknownAccountIsPermissionDenied) {
  v1::GetCredentialListMappingRequest request = GetRequest(1);
  request.set_account_sid(kStranger);
  absl::StatusOr<v1::CredentialListMapping> fetched = client_->Get(request);
  EXPECT_EQ(fetched.status().code(), absl::StatusCode::kPermissionDenied);
  std::optional<ErrorDetails> details = GetErrorDetails(fetched.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "NO_CREDENTIALS_FOR_ACCOUNT");
}

TEST_F(MappingClientTest, DefaultTimeoutBoundsEveryCall) {
  twilio_gateway::testing::ScriptedAnswer hold;
  hold.method = "GET";
  hold.never_answer = true;
  emulator_->Script(hold);

  MappingClient impatient = MakeClient(absl::Milliseconds(200));
  EXPECT_EQ(impatient.Get(GetRequest(4)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(MappingClientTest, CallTimeoutOverridesTheDefault) {
  twilio_gateway::testing::ScriptedAnswer hold;
  hold.method = "GET";
  hold.never_answer = true;
  emulator_->Script(hold);

  CallOptions call;
  call.timeout = absl::Milliseconds(200);
  EXPECT_EQ(client_->Get(GetRequest(4), call).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(MappingClientTest, ListFollowsPagesToTheEnd) {
  for (int i = 1; i <= 7; ++i)
    emulator_->PutMapping(kAccount, kDomain, ListSid(i));
  std::vector<std::string> want;
  for (const auto& mapping : emulator_->Mappings(kAccount, kDomain)) {
    want.push_back(mapping.sid);
  }

  MappingPager pager = client_->List(ListRequest(3));
  std::vector<std::string> got;
  while (true) {
    auto next = pager.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    got.push_back((*next)->sid());
  }
  EXPECT_THAT(got, ElementsAreArray(want));
  EXPECT_EQ(pager.pages_fetched(), 3);
  EXPECT_EQ(pager.stop_reason(), MappingPager::StopReason::kLastPage);

  auto all = client_->ListAll(ListRequest(3));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(Sids(*all), ElementsAreArray(want));
}

TEST_F(MappingClientTest, ListStopsAtTheLimitAndCanResume) {
  for (int i = 1; i <= 7; ++i)
    emulator_->PutMapping(kAccount, kDomain, ListSid(i));
  std::vector<std::string> want;
  for (const auto& mapping : emulator_->Mappings(kAccount, kDomain)) {
    want.push_back(mapping.sid);
  }

  // Mid-page: no exact place to resume from.
  MappingPager mid = client_->List(ListRequest(2), 5);
  int count = 0;
  while (true) {
    auto next = mid.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    ++count;
  }
  EXPECT_EQ(count, 5);
  EXPECT_EQ(mid.pages_fetched(), 3);
  EXPECT_EQ(mid.stop_reason(), MappingPager::StopReason::kLimit);
  EXPECT_EQ(mid.unfollowed_token(), "");

  // At a page boundary: the token resumes where the walk stopped.
  MappingPager first = client_->List(ListRequest(2), 4);
  std::vector<std::string> got;
  while (true) {
    auto next = first.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    got.push_back((*next)->sid());
  }
  ASSERT_FALSE(first.unfollowed_token().empty());
  v1::ListCredentialListMappingsRequest rest = ListRequest();
  rest.set_page_token(first.unfollowed_token());
  auto remaining = client_->ListAll(rest);
  ASSERT_TRUE(remaining.ok()) << remaining.status();
  for (const std::string& sid : Sids(*remaining)) got.push_back(sid);
  EXPECT_THAT(got, ElementsAreArray(want));
}

TEST_F(MappingClientTest, ListLimitSizesThePages) {
  for (int i = 1; i <= 7; ++i)
    emulator_->PutMapping(kAccount, kDomain, ListSid(i));
  auto five = client_->ListAll(ListRequest(), 5);
  ASSERT_TRUE(five.ok()) << five.status();
  EXPECT_EQ(five->size(), 5u);
  std::vector<std::string> requests = UpstreamRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0], HasSubstr("PageSize=5"));
}

TEST_F(MappingClientTest, ListErrorEndsTheWalk) {
  for (int i = 1; i <= 4; ++i)
    emulator_->PutMapping(kAccount, kDomain, ListSid(i));
  twilio_gateway::testing::ScriptedAnswer gone;
  gone.method = "GET";
  gone.path_contains = "PageToken";
  gone.times = -1;
  gone.status = 404;
  gone.body = R"({"code": 20404, "message": "gone", "status": 404})";
  emulator_->Script(gone);

  MappingPager pager = client_->List(ListRequest(2));
  ASSERT_TRUE(pager.Next().ok());
  ASSERT_TRUE(pager.Next().ok());
  auto third = pager.Next();
  EXPECT_EQ(third.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(pager.stop_reason(), MappingPager::StopReason::kError);
  auto after = pager.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());

  EXPECT_EQ(client_->ListAll(ListRequest(2)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MappingClientTest, StoppedGatewayIsUnavailable) {
  gateway_->Shutdown();
  EXPECT_EQ(client_->Get(GetRequest(1)).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace twilio_gateway::client
