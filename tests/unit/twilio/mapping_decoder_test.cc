#include "service/twilio/mapping_decoder.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::twilio {
namespace {

using ::google::protobuf::RepeatedPtrField;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::twilio_gateway::sip::v1::CredentialListMapping;

constexpr char kDomainSid[] = "SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kListSid[] = "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kAccountSid[] = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
// Thu, 30 Jul 2015 20:00:00 +0000.
constexpr int64_t kJul30Seconds = 1438286400;

// The 201 example of the create operation (and the 200 example of fetch,
// which is the same) in Twilio's OpenAPI file, verbatim.
constexpr char kCreateExample[] = R"json({
  "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
  "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
  "friendly_name": "friendly_name",
  "sid": "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
})json";

// The "readFull" example of the list operation, verbatim.
constexpr char kReadFullExample[] = R"json({
  "first_page_uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SIP/Domains/SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Auth/Registrations/CredentialListMappings.json?PageSize=50&Page=0",
  "end": 0,
  "previous_page_uri": null,
  "contents": [
    {
      "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
      "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
      "friendly_name": "friendly_name",
      "sid": "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    }
  ],
  "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SIP/Domains/SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Auth/Registrations/CredentialListMappings.json?PageSize=50&Page=0",
  "page_size": 50,
  "start": 0,
  "next_page_uri": null,
  "page": 0
})json";

// The "readEmpty" example of the list operation, verbatim.
constexpr char kReadEmptyExample[] = R"json({
  "first_page_uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SIP/Domains/SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Auth/Registrations/CredentialListMappings.json?PageSize=50&Page=0",
  "end": 0,
  "previous_page_uri": null,
  "contents": [],
  "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SIP/Domains/SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Auth/Registrations/CredentialListMappings.json?PageSize=50&Page=0",
  "page_size": 50,
  "start": 0,
  "next_page_uri": null,
  "page": 0
})json";

// What a caller held before a failed decode, to prove it was not touched.
CredentialListMapping Sentinel() {
  CredentialListMapping mapping;
  mapping.set_sid("CLsentinel");
  mapping.set_friendly_name("untouched");
  return mapping;
}

std::string Item(const std::string& sid) {
  return absl::StrFormat(
      "{\"account_sid\": \"%s\", "
      "\"date_created\": \"Thu, 30 Jul 2015 20:00:00 +0000\", "
      "\"date_updated\": \"Fri, 31 Jul 2015 20:00:00 +0000\", "
      "\"friendly_name\": \"list %s\", \"sid\": \"%s\"}",
      kAccountSid, sid, sid);
}

std::string Sid(int i) { return absl::StrFormat("CL%032x", i); }

void ExpectExampleMapping(const CredentialListMapping& mapping) {
  EXPECT_EQ(mapping.sid(), kListSid);
  EXPECT_EQ(mapping.account_sid(), kAccountSid);
  EXPECT_EQ(mapping.domain_sid(), kDomainSid);
  EXPECT_EQ(mapping.friendly_name(), "friendly_name");
  ASSERT_TRUE(mapping.has_create_time());
  EXPECT_EQ(mapping.create_time().seconds(), kJul30Seconds);
  EXPECT_EQ(mapping.create_time().nanos(), 0);
  ASSERT_TRUE(mapping.has_update_time());
  EXPECT_EQ(mapping.update_time().seconds(), kJul30Seconds);
}

// ---------------------------------------------------------------------------
// DecodeMapping

TEST(DecodeMappingTest, ReadsOpenApiExample) {
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(
      DecodeMapping(kCreateExample, kDomainSid, &mapping, &warnings).ok());
  ExpectExampleMapping(mapping);
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(DecodeMappingTest, ReplacesWhatOutHeld) {
  CredentialListMapping mapping = Sentinel();
  ASSERT_TRUE(
      DecodeMapping(R"({"sid": "CLb"})", kDomainSid, &mapping, nullptr).ok());
  EXPECT_EQ(mapping.sid(), "CLb");
  EXPECT_EQ(mapping.friendly_name(), "");
}

TEST(DecodeMappingTest, NullFieldsAreAbsent) {
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMapping(R"({"account_sid": null, "date_created": null,
                                "date_updated": null, "friendly_name": null,
                                "sid": "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
                            kDomainSid, &mapping, &warnings)
                  .ok());
  EXPECT_EQ(mapping.sid(), kListSid);
  EXPECT_EQ(mapping.domain_sid(), kDomainSid);
  EXPECT_EQ(mapping.account_sid(), "");
  EXPECT_EQ(mapping.friendly_name(), "");
  EXPECT_FALSE(mapping.has_create_time());
  EXPECT_FALSE(mapping.has_update_time());
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(DecodeMappingTest, EmptyDateIsAbsentWithoutWarning) {
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMapping(R"({"sid": "CLa", "date_created": ""})", kDomainSid,
                            &mapping, &warnings)
                  .ok());
  EXPECT_FALSE(mapping.has_create_time());
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(DecodeMappingTest, IgnoresUnknownFields) {
  CredentialListMapping mapping;
  ASSERT_TRUE(DecodeMapping(R"({"sid": "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "uri": "/2010-04-01/Accounts/AC/x.json",
                        "subresource_uris": {"a": ["b", 1, null, {"c": []}]},
                        "new_number": 12.5, "new_flag": true, "gone": null,
                        "friendly_name": "kept"})",
                            kDomainSid, &mapping, nullptr)
                  .ok());
  EXPECT_EQ(mapping.sid(), kListSid);
  EXPECT_EQ(mapping.friendly_name(), "kept");
}

TEST(DecodeMappingTest, KeepsNonAsciiFriendlyName) {
  CredentialListMapping mapping;
  ASSERT_TRUE(DecodeMapping(
                  R"({"sid": "CLa", "friendly_name": "B\u00fcro \"\u2603\""})",
                  kDomainSid, &mapping, nullptr)
                  .ok());
  EXPECT_EQ(mapping.friendly_name(), "B\xC3\xBCro \"\xE2\x98\x83\"");
}

TEST(DecodeMappingTest, ConvertsOffsetDatesToUtc) {
  CredentialListMapping mapping;
  ASSERT_TRUE(DecodeMapping(R"({"sid": "CLa",
                                "date_created": "Thu, 30 Jul 2015 22:00:00 +0200",
                                "date_updated": "30 Jul 2015 20:00:00 GMT"})",
                            kDomainSid, &mapping, nullptr)
                  .ok());
  EXPECT_EQ(mapping.create_time().seconds(), kJul30Seconds);
  EXPECT_EQ(mapping.update_time().seconds(), kJul30Seconds);
}

TEST(DecodeMappingTest, UnreadableDateIsUnsetWithWarning) {
  CredentialListMapping mapping;
  std::vector<std::string> warnings = {"earlier warning"};
  ASSERT_TRUE(DecodeMapping(R"({"sid": "CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                "date_created": "2015-07-30T20:00:00Z",
                                "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000"})",
                            kDomainSid, &mapping, &warnings)
                  .ok());
  EXPECT_FALSE(mapping.has_create_time());
  EXPECT_EQ(mapping.update_time().seconds(), kJul30Seconds);
  ASSERT_THAT(warnings, SizeIs(2));
  EXPECT_EQ(warnings[0], "earlier warning");
  EXPECT_THAT(warnings[1], AllOf(HasSubstr("date_created"), HasSubstr(kListSid),
                                 HasSubstr("2015-07-30T20:00:00Z"),
                                 HasSubstr("not an RFC 2822 date")));
}

TEST(DecodeMappingTest, WrongWeekdayIsUnsetWithWarning) {
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMapping(
                  R"({"sid": "CLa",
                      "date_updated": "Wed, 30 Jul 2015 20:00:00 +0000"})",
                  kDomainSid, &mapping, &warnings)
                  .ok());
  EXPECT_FALSE(mapping.has_update_time());
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0],
              AllOf(HasSubstr("date_updated"), HasSubstr("wrong weekday")));
}

TEST(DecodeMappingTest, DateBeyondTimestampRangeIsUnsetWithWarning) {
  // A valid RFC 2822 date that is in the year 10000 once in UTC.
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMapping(
                  R"({"sid": "CLa",
                      "date_created": "Fri, 31 Dec 9999 23:00:00 -2300"})",
                  kDomainSid, &mapping, &warnings)
                  .ok());
  EXPECT_FALSE(mapping.has_create_time());
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("Timestamp"));
}

TEST(DecodeMappingTest, WarningQuotesOnlyShortCleanExcerpt) {
  const std::string date =
      absl::StrCat("bad\\n\\u001b[31m", std::string(5000, 'x'));
  CredentialListMapping mapping;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMapping(absl::StrCat(R"({"sid": "CLa", "date_created": ")",
                                         date, R"("})"),
                            kDomainSid, &mapping, &warnings)
                  .ok());
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_LT(warnings[0].size(), 400u);
  EXPECT_THAT(warnings[0], Not(HasSubstr("\n")));
  EXPECT_THAT(warnings[0], Not(HasSubstr("\x1b")));
}

TEST(DecodeMappingTest, NullWarningsAreAllowed) {
  CredentialListMapping mapping;
  ASSERT_TRUE(DecodeMapping(R"({"sid": "CLa", "date_created": "garbage"})",
                            kDomainSid, &mapping, nullptr)
                  .ok());
  EXPECT_EQ(mapping.sid(), "CLa");
  EXPECT_FALSE(mapping.has_create_time());
}

struct BadMapping {
  const char* name;
  std::string body;
  // A piece of the message that names the problem.
  const char* says;
};

void PrintTo(const BadMapping& bad, std::ostream* os) { *os << bad.name; }

class DecodeMappingRejectTest : public ::testing::TestWithParam<BadMapping> {};

TEST_P(DecodeMappingRejectTest, FailsWithInternalAndLeavesOutAlone) {
  CredentialListMapping mapping = Sentinel();
  std::vector<std::string> warnings;
  const absl::Status status =
      DecodeMapping(GetParam().body, kDomainSid, &mapping, &warnings);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("Twilio's mapping answer"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().says));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\n")));
  EXPECT_LT(status.message().size(), 250u);
  EXPECT_TRUE(MessageDifferencer::Equals(mapping, Sentinel()));
  EXPECT_THAT(warnings, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DecodeMappingRejectTest,
    ::testing::Values(
        BadMapping{"Empty", "", "is empty"},
        BadMapping{"WhiteSpace", " \r\n\t", "is empty"},
        BadMapping{"Html", "<html><body>502 Bad Gateway</body></html>",
                   "is not a JSON object"},
        BadMapping{"Text", "Internal Server Error", "is not a JSON object"},
        BadMapping{"Null", "null", "is not a JSON object"},
        BadMapping{"Number", "42", "is not a JSON object"},
        BadMapping{"String", R"("CLa")", "is not a JSON object"},
        BadMapping{"ArrayAtTop", R"([{"sid": "CLa"}])", "is not a JSON object"},
        BadMapping{"Truncated", R"({"sid": "CLa", "friendly_na)",
                   "not JSON of the documented shape"},
        BadMapping{"TrailingJunk", R"({"sid": "CLa"} {"sid": "CLb"})",
                   "not JSON of the documented shape"},
        BadMapping{"SidNumber", R"({"sid": 12345})", "sid"},
        BadMapping{"SidBool", R"({"sid": true})", "sid"},
        BadMapping{"SidObject", R"({"sid": {"value": "CLa"}})", "sid"},
        BadMapping{"SidArray", R"({"sid": ["CLa"]})", "sid"},
        BadMapping{"FriendlyNameNumber",
                   R"({"sid": "CLa", "friendly_name": 7})", "friendly_name"},
        BadMapping{"DateNumber",
                   R"({"sid": "CLa", "date_created": 1438286400})",
                   "date_created"},
        BadMapping{"NotUtf8", "{\"sid\": \"CL\xff\xfe\"}", "UTF-8"},
        BadMapping{"MissingSid", R"({"friendly_name": "x"})", "has no `sid`"},
        BadMapping{"NullSid", R"({"sid": null})", "has no `sid`"},
        BadMapping{"EmptySid", R"({"sid": ""})", "has no `sid`"},
        BadMapping{"EmptyObject", "{}", "has no `sid`"},
        BadMapping{"PageInstead", kReadFullExample, "has no `sid`"}),
    [](const ::testing::TestParamInfo<BadMapping>& info) {
      return info.param.name;
    });

TEST(DecodeMappingTest, ErrorDoesNotEchoLargeBody) {
  const std::string huge_number = std::string(100000, '9');
  CredentialListMapping mapping;
  absl::Status status =
      DecodeMapping(absl::StrCat(R"({"sid": )", huge_number, "}"), kDomainSid,
                    &mapping, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_LT(status.message().size(), 250u);

  const std::string huge_text = std::string(100000, 'z');
  status = DecodeMapping(absl::StrCat(R"({"sid": ")", huge_text, R"(" oops})"),
                         kDomainSid, &mapping, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_LT(status.message().size(), 250u);
}

// ---------------------------------------------------------------------------
// DecodeMappingPage

TEST(DecodeMappingPageTest, ReadsOpenApiFullExample) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next = "stale";
  std::vector<std::string> warnings;
  ASSERT_TRUE(
      DecodeMappingPage(kReadFullExample, kDomainSid, &items, &next, &warnings)
          .ok());
  ASSERT_EQ(items.size(), 1);
  ExpectExampleMapping(items[0]);
  EXPECT_EQ(next, "");
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(DecodeMappingPageTest, ReadsOpenApiEmptyExample) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next = "stale";
  ASSERT_TRUE(
      DecodeMappingPage(kReadEmptyExample, kDomainSid, &items, &next, nullptr)
          .ok());
  EXPECT_TRUE(items.empty());
  EXPECT_EQ(next, "");
}

TEST(DecodeMappingPageTest, MinimalEmptyPageIsFine) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next = "stale";
  ASSERT_TRUE(DecodeMappingPage(R"({"contents": []})", kDomainSid, &items,
                                &next, nullptr)
                  .ok());
  EXPECT_TRUE(items.empty());
  EXPECT_EQ(next, "");
}

TEST(DecodeMappingPageTest, AppendsAfterExistingItems) {
  RepeatedPtrField<CredentialListMapping> items;
  *items.Add() = Sentinel();
  std::string next;
  ASSERT_TRUE(DecodeMappingPage(absl::StrCat(R"({"contents": [)", Item(Sid(1)),
                                             ", ", Item(Sid(2)), "]}"),
                                kDomainSid, &items, &next, nullptr)
                  .ok());
  ASSERT_EQ(items.size(), 3);
  EXPECT_EQ(items[0].sid(), "CLsentinel");
  EXPECT_EQ(items[1].sid(), Sid(1));
  EXPECT_EQ(items[2].sid(), Sid(2));
  EXPECT_EQ(items[2].friendly_name(), "list " + Sid(2));
  EXPECT_EQ(items[2].domain_sid(), kDomainSid);
  EXPECT_EQ(items[2].account_sid(), kAccountSid);
  EXPECT_EQ(items[2].create_time().seconds(), kJul30Seconds);
  EXPECT_EQ(items[2].update_time().seconds(), kJul30Seconds + 86400);
}

TEST(DecodeMappingPageTest, KeepsNextPageUriByteForByte) {
  const std::string uri =
      "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/SIP/Domains/"
      "SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Auth/Registrations/"
      "CredentialListMappings.json?PageSize=50&Page=1&PageToken=PA%2Bb%2Fc%"
      "3D%3D&Odd=%7e%2b+x;y";
  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  ASSERT_TRUE(
      DecodeMappingPage(
          absl::StrCat(R"({"contents": [], "next_page_uri": ")", uri, R"("})"),
          kDomainSid, &items, &next, nullptr)
          .ok());
  EXPECT_EQ(next, uri);
}

TEST(DecodeMappingPageTest, UndoesOnlyJsonEscapesInNextPageUri) {
  // "\/" and "\u0026" are JSON's own spelling of "/" and "&".
  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  ASSERT_TRUE(
      DecodeMappingPage(
          R"({"contents": [], "next_page_uri": "\/2010-04-01\/Accounts\/AC1\/x.json?Page=1\u0026PageToken=PA%2B"})",
          kDomainSid, &items, &next, nullptr)
          .ok());
  EXPECT_EQ(next, "/2010-04-01/Accounts/AC1/x.json?Page=1&PageToken=PA%2B");
}

TEST(DecodeMappingPageTest, AbsentNextPageUriMeansLastPage) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next = "stale";
  ASSERT_TRUE(
      DecodeMappingPage(absl::StrCat(R"({"contents": [)", Item(Sid(1)), "]}"),
                        kDomainSid, &items, &next, nullptr)
          .ok());
  EXPECT_EQ(next, "");
  EXPECT_EQ(items.size(), 1);
}

TEST(DecodeMappingPageTest, IgnoresUnknownAndNullFields) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  ASSERT_TRUE(DecodeMappingPage(
                  absl::StrCat(R"({"meta": {"key": "mappings"}, "page": null,
                                  "page_size": null, "uri": null,
                                  "contents": [)",
                               Item(Sid(7)), R"(], "extra": [1, 2, 3]})"),
                  kDomainSid, &items, &next, nullptr)
                  .ok());
  ASSERT_EQ(items.size(), 1);
  EXPECT_EQ(items[0].sid(), Sid(7));
}

TEST(DecodeMappingPageTest, WarnsPerUnreadableDateNamingTheItem) {
  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  std::vector<std::string> warnings;
  ASSERT_TRUE(DecodeMappingPage(absl::StrCat(R"({"contents": [)", Item(Sid(1)),
                                             R"(, {"sid": ")", Sid(2),
                                             R"(", "date_created": "soon",
                                 "date_updated": "later"}]})"),
                                kDomainSid, &items, &next, &warnings)
                  .ok());
  ASSERT_EQ(items.size(), 2);
  EXPECT_TRUE(items[0].has_create_time());
  EXPECT_FALSE(items[1].has_create_time());
  EXPECT_FALSE(items[1].has_update_time());
  ASSERT_THAT(warnings, SizeIs(2));
  EXPECT_THAT(warnings[0], AllOf(HasSubstr("date_created"), HasSubstr(Sid(2)),
                                 HasSubstr("soon")));
  EXPECT_THAT(warnings[1], AllOf(HasSubstr("date_updated"), HasSubstr(Sid(2)),
                                 HasSubstr("later")));
}

TEST(DecodeMappingPageTest, ReadsThousandItemsInOrder) {
  std::string body = R"({"contents": [)";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) body += ",";
    body += Item(Sid(i));
  }
  body += R"(], "page_size": 1000, "next_page_uri": "/2010-04-01/next?x=1"})";

  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  std::vector<std::string> warnings;
  ASSERT_TRUE(
      DecodeMappingPage(body, kDomainSid, &items, &next, &warnings).ok());
  ASSERT_EQ(items.size(), 1000);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(items[i].sid(), Sid(i));
    ASSERT_EQ(items[i].domain_sid(), kDomainSid);
    ASSERT_EQ(items[i].create_time().seconds(), kJul30Seconds);
  }
  EXPECT_EQ(next, "/2010-04-01/next?x=1");
  EXPECT_THAT(warnings, IsEmpty());
}

struct BadPage {
  const char* name;
  std::string body;
  // A piece of the message that names the problem.
  const char* says;
};

void PrintTo(const BadPage& bad, std::ostream* os) { *os << bad.name; }

class DecodeMappingPageRejectTest : public ::testing::TestWithParam<BadPage> {};

TEST_P(DecodeMappingPageRejectTest, FailsWithInternalAndChangesNothing) {
  RepeatedPtrField<CredentialListMapping> items;
  *items.Add() = Sentinel();
  std::string next = "/2010-04-01/previous";
  std::vector<std::string> warnings;
  const absl::Status status =
      DecodeMappingPage(GetParam().body, kDomainSid, &items, &next, &warnings);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("Twilio's page answer"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().says));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\n")));
  EXPECT_LT(status.message().size(), 250u);
  ASSERT_EQ(items.size(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(items[0], Sentinel()));
  EXPECT_EQ(next, "/2010-04-01/previous");
  EXPECT_THAT(warnings, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DecodeMappingPageRejectTest,
    ::testing::Values(
        BadPage{"Empty", "", "is empty"},
        BadPage{"Html", "<!DOCTYPE html><p>Service Unavailable</p>",
                "is not a JSON object"},
        BadPage{"Null", "null", "is not a JSON object"},
        BadPage{"ArrayAtTop", absl::StrCat("[", Item(Sid(1)), "]"),
                "is not a JSON object"},
        BadPage{"Truncated", R"({"contents": [{"sid": "CLa"},)",
                "not JSON of the documented shape"},
        BadPage{"NoContents", R"({"next_page_uri": null, "page": 0})",
                "has no `contents` array"},
        BadPage{"EmptyObject", "{}", "has no `contents` array"},
        BadPage{"ContentsMisspelt", R"({"content": []})",
                "has no `contents` array"},
        BadPage{"NullContents", R"({"contents": null})",
                "has no `contents` array: `contents` is null"},
        BadPage{"ContentsObject",
                absl::StrCat(R"({"contents": )", Item(Sid(1)), "}"),
                "has no `contents` array: `contents` is an object"},
        BadPage{"ContentsEmptyObject", R"({"contents": {}})",
                "`contents` is an object"},
        BadPage{"ContentsString", R"({"contents": "CLa"})", "contents"},
        BadPage{"ContentsNumber", R"({"contents": 3})", "contents"},
        BadPage{"NullItem", R"({"contents": [null]})", "item 0 is null"},
        BadPage{"ArrayItem", R"({"contents": [[]]})", "item 0 is an array"},
        BadPage{"NumberItem", R"({"contents": [1]})", "contents"},
        BadPage{"NullItemBesideOne",
                absl::StrCat(R"({"contents": [)", Item(Sid(1)), ", null]}"),
                "item 1 is null"},
        BadPage{"ItemWithoutSid",
                absl::StrCat(R"({"contents": [)", Item(Sid(1)), ", ",
                             Item(Sid(2)), R"(, {"friendly_name": "x"}]})"),
                "item without a `sid` (item 2"},
        BadPage{"ItemWithNullSid", R"({"contents": [{"sid": null}]})",
                "item without a `sid` (item 0"},
        BadPage{"ItemSidNumber", R"({"contents": [{"sid": 5}]})", "sid"},
        BadPage{"PageNotNumber", R"({"contents": [], "page": "first"})",
                "page"},
        BadPage{"NextPageUriNumber", R"({"contents": [], "next_page_uri": 2})",
                "next_page_uri"},
        BadPage{
            "NextPageUriFullUrl",
            R"({"contents": [], "next_page_uri": "https://evil.example/2010-04-01/x"})",
            "`next_page_uri` that is not a path under /2010-04-01/"},
        BadPage{
            "NextPageUriUserInfo",
            R"({"contents": [], "next_page_uri": "@evil.example/2010-04-01/x"})",
            "not a path under"},
        BadPage{"NextPageUriOtherVersion",
                R"({"contents": [], "next_page_uri": "/v1/Services"})",
                "not a path under"},
        BadPage{"NextPageUriWithSpace",
                R"({"contents": [], "next_page_uri": "/2010-04-01/x?a=b c"})",
                "characters a URI cannot hold"},
        BadPage{
            "NextPageUriWithLineBreak",
            R"({"contents": [], "next_page_uri": "/2010-04-01/x\r\nHost: evil"})",
            "characters a URI cannot hold"},
        BadPage{"MappingInstead", kCreateExample, "has no `contents` array"}),
    [](const ::testing::TestParamInfo<BadPage>& info) {
      return info.param.name;
    });

TEST(DecodeMappingPageTest, ErrorDoesNotEchoLargeBody) {
  std::string body = R"({"contents": [)";
  for (int i = 0; i < 200; ++i) body += Item(Sid(i)) + ",";
  body += R"({"sid": )" + std::string(50000, '1') + "}]}";
  RepeatedPtrField<CredentialListMapping> items;
  std::string next;
  const absl::Status status =
      DecodeMappingPage(body, kDomainSid, &items, &next, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_LT(status.message().size(), 250u);
  EXPECT_TRUE(items.empty());
}

}  // namespace
}  // namespace twilio_gateway::twilio
