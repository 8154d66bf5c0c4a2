#include "client/sipmapctl_output.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "client/error_details.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.pb.h"

namespace twilio_gateway::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace v1 = ::twilio_gateway::sip::v1;

v1::CredentialListMapping Mapping(const std::string& sid,
                                  const std::string& name) {
  v1::CredentialListMapping mapping;
  mapping.set_sid(sid);
  mapping.set_account_sid("AC00000000000000000000000000000001");
  mapping.set_domain_sid("SD00000000000000000000000000000001");
  mapping.set_friendly_name(name);
  mapping.mutable_create_time()->set_seconds(1438286400);  // 2015-07-30 20:00
  return mapping;
}

TEST(SipmapctlOutputTest, ParsesOutputFormat) {
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("yaml").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOutputFormat("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SipmapctlOutputTest, TableAlignsColumns) {
  google::protobuf::RepeatedPtrField<v1::CredentialListMapping> mappings;
  *mappings.Add() = Mapping("CL1", "short");
  *mappings.Add() = Mapping("CL2", "a longer name");
  std::vector<std::string> lines =
      absl::StrSplit(FormatMappingTable(mappings), '\n');
  ASSERT_EQ(lines.size(), 4u);  // header, two rows, and the final newline
  EXPECT_EQ(lines[3], "");
  EXPECT_THAT(lines[0], HasSubstr("SID  ACCOUNT"));
  // Every column starts at the same offset on every line.
  const size_t created = lines[0].find("CREATED");
  EXPECT_EQ(lines[1].find("2015-07-30T20:00:00Z"), created);
  EXPECT_EQ(lines[2].find("2015-07-30T20:00:00Z"), created);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 1), "-");  // no update time
}

TEST(SipmapctlOutputTest, TableShowsDashForEmptyAndHidesControlCharacters) {
  v1::CredentialListMapping mapping = Mapping("CL1", "evil\x1b[2Jname\n");
  mapping.clear_account_sid();
  std::string table = FormatMappingTable(mapping);
  EXPECT_THAT(table, Not(HasSubstr("\x1b")));
  EXPECT_THAT(table, HasSubstr("evil [2Jname "));
  std::vector<std::string> lines = absl::StrSplit(table, '\n');
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], HasSubstr("CL1  -  "));
}

TEST(SipmapctlOutputTest, EmptyTableIsJustTheHeader) {
  google::protobuf::RepeatedPtrField<v1::CredentialListMapping> none;
  EXPECT_EQ(FormatMappingTable(none),
            "SID  ACCOUNT  DOMAIN  FRIENDLY NAME  CREATED  UPDATED\n");
}

TEST(SipmapctlOutputTest, JsonUsesProtobufMappingAndRoundTrips) {
  v1::ListCredentialListMappingsResponse page;
  *page.add_credential_list_mappings() = Mapping("CL1", "one");
  page.set_next_page_token("token");
  std::string json = FormatJson(page);
  EXPECT_THAT(json, HasSubstr("\"credentialListMappings\""));
  EXPECT_THAT(json, HasSubstr("\"nextPageToken\": \"token\""));
  EXPECT_THAT(json, HasSubstr("\"createTime\": \"2015-07-30T20:00:00Z\""));
  EXPECT_EQ(json.back(), '\n');

  v1::ListCredentialListMappingsResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), page.SerializeAsString());
}

TEST(SipmapctlOutputTest, ErrorListsTwilioDetails) {
  google::rpc::ErrorInfo info;
  info.set_reason("TWILIO_NOT_FOUND");
  (*info.mutable_metadata())["twilio_code"] = "20404";
  (*info.mutable_metadata())["http_status"] = "404";
  (*info.mutable_metadata())["more_info"] =
      "https://www.twilio.com/docs/errors/20404";
  (*info.mutable_metadata())["twilio_request_id"] = "RQ1";
  google::rpc::Status rich;
  rich.add_details()->PackFrom(info);
  absl::Status status = FromGrpcStatus(grpc::Status(
      grpc::StatusCode::NOT_FOUND, "gone\x07", rich.SerializeAsString()));

  std::vector<std::string> lines = absl::StrSplit(FormatError(status), '\n');
  EXPECT_THAT(
      lines,
      ElementsAre("NOT_FOUND: gone ", "  reason: TWILIO_NOT_FOUND",
                  "  twilio_code: 20404",
                  "  more_info: https://www.twilio.com/docs/errors/20404",
                  "  http_status: 404", "  twilio_request_id: RQ1", ""));
}

TEST(SipmapctlOutputTest, ErrorWithoutDetailsIsOneLine) {
  EXPECT_EQ(FormatError(absl::UnavailableError("connection refused")),
            "UNAVAILABLE: connection refused\n");
}

}  // namespace
}  // namespace twilio_gateway::client
