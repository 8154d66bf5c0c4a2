#include "service/twilio/rfc2822_date.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

TEST(ParseRfc2822DateTest, ReadsTwilioExample) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));
  EXPECT_EQ(absl::ToUnixSeconds(*time), 1438286400);
}

TEST(ParseRfc2822DateTest, ReadsSingleDigitDay) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 2 Jul 2015 08:09:10 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 2, 8, 9, 10));
}

TEST(ParseRfc2822DateTest, ReadsZeroPaddedDay) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 02 Jul 2015 08:09:10 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 2, 8, 9, 10));
}

TEST(ParseRfc2822DateTest, SubtractsPositiveOffset) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 +0530");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 14, 30, 0));
}

TEST(ParseRfc2822DateTest, AddsNegativeOffsetAcrossMidnight) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 -0800");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 31, 4, 0, 0));
}

TEST(ParseRfc2822DateTest, ChecksWeekdayAgainstLocalDate) {
  // 01:00 on Friday in +0200 is still Thursday in UTC; the weekday names
  // the local date.
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Fri, 31 Jul 2015 01:00:00 +0200");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 23, 0, 0));

  EXPECT_EQ(ParseRfc2822Date("Thu, 31 Jul 2015 01:00:00 +0200").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseRfc2822DateTest, MinusZeroIsUtc) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 -0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));
}

TEST(ParseRfc2822DateTest, ReadsLargestOffsets) {
  absl::StatusOr<absl::Time> east =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 +2359");
  ASSERT_TRUE(east.ok()) << east.status();
  EXPECT_EQ(*east, Utc(2015, 7, 29, 20, 1, 0));
  absl::StatusOr<absl::Time> west =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:00:00 -2359");
  ASSERT_TRUE(west.ok()) << west.status();
  EXPECT_EQ(*west, Utc(2015, 7, 31, 19, 59, 0));
}

class ParseRfc2822DateZoneTest : public ::testing::TestWithParam<const char*> {
};

TEST_P(ParseRfc2822DateZoneTest, MeansUtc) {
  const std::string text =
      std::string("Thu, 30 Jul 2015 20:00:00 ") + GetParam();
  absl::StatusOr<absl::Time> time = ParseRfc2822Date(text);
  ASSERT_TRUE(time.ok()) << text << ": " << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));
}

INSTANTIATE_TEST_SUITE_P(Names, ParseRfc2822DateZoneTest,
                         ::testing::Values("GMT", "UT", "Z", "gmt", "ut", "z"));

TEST(ParseRfc2822DateTest, WeekdayIsOptional) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("30 Jul 2015 20:00:00 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));
}

TEST(ParseRfc2822DateTest, SecondsAreOptional) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Thu, 30 Jul 2015 20:07 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 7, 0));
}

TEST(ParseRfc2822DateTest, NamesIgnoreCase) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("THU, 30 jul 2015 20:00:00 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));
}

TEST(ParseRfc2822DateTest, ToleratesExtraWhiteSpace) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("  Thu ,\t30  Jul 2015   20:00:00  +0000 \r\n");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 30, 20, 0, 0));

  absl::StatusOr<absl::Time> no_space =
      ParseRfc2822Date("Thu,30 Jul 2015 20:00:00 +0000");
  ASSERT_TRUE(no_space.ok()) << no_space.status();
  EXPECT_EQ(*no_space, Utc(2015, 7, 30, 20, 0, 0));
}

TEST(ParseRfc2822DateTest, ReadsLeapDay) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Mon, 29 Feb 2016 12:00:00 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2016, 2, 29, 12, 0, 0));
}

TEST(ParseRfc2822DateTest, LeapSecondReadsAsNextMinute) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Tue, 30 Jun 2015 23:59:60 +0000");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, Utc(2015, 7, 1, 0, 0, 0));
}

TEST(ParseRfc2822DateTest, ReadsEndsOfRange) {
  absl::StatusOr<absl::Time> first =
      ParseRfc2822Date("Mon, 1 Jan 1900 00:00:00 +0000");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, Utc(1900, 1, 1, 0, 0, 0));
  absl::StatusOr<absl::Time> last =
      ParseRfc2822Date("Fri, 31 Dec 9999 23:59:59 +0000");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, Utc(9999, 12, 31, 23, 59, 59));
}

TEST(ParseRfc2822DateTest, WrongWeekdayIsRejectedAndNamed) {
  absl::StatusOr<absl::Time> time =
      ParseRfc2822Date("Wed, 30 Jul 2015 20:00:00 +0000");
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(time.status().message()), HasSubstr("wrong weekday"));
  EXPECT_THAT(std::string(time.status().message()), HasSubstr("Thu"));
}

struct RejectCase {
  const char* text;
  // A piece of the message that names the problem.
  const char* says;
};

void PrintTo(const RejectCase& reject, std::ostream* os) {
  *os << '"' << reject.text << '"';
}

class ParseRfc2822DateRejectTest : public ::testing::TestWithParam<RejectCase> {
};

TEST_P(ParseRfc2822DateRejectTest, FailsWithInvalidArgument) {
  absl::StatusOr<absl::Time> time = ParseRfc2822Date(GetParam().text);
  ASSERT_FALSE(time.ok()) << "accepted \"" << GetParam().text << "\" as "
                          << *time;
  EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(time.status().message()),
              HasSubstr("not an RFC 2822 date"));
  EXPECT_THAT(std::string(time.status().message()), HasSubstr(GetParam().says));
}

INSTANTIATE_TEST_SUITE_P(
    Texts, ParseRfc2822DateRejectTest,
    ::testing::Values(
        RejectCase{"", "empty"}, RejectCase{" \t ", "empty"},
        RejectCase{"garbage", "unknown day \"garbage\""},
        RejectCase{"12345", "day of the month"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +0000 junk",
                   "unexpected text after the zone"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +0000,", "unexpected text"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00", "space before the zone"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 ", "space before the zone"},
        RejectCase{"Thu 30 Jul 2015 20:00:00 +0000", "','"},
        RejectCase{"Thx, 30 Jul 2015 20:00:00 +0000", "unknown day \"Thx\""},
        RejectCase{"Thursday, 30 Jul 2015 20:00:00 +0000", "unknown day"},
        RejectCase{"Thu, 30 Jux 2015 20:00:00 +0000", "unknown month \"Jux\""},
        RejectCase{"Thu, 30 July 2015 20:00:00 +0000", "unknown month"},
        RejectCase{"Thu, 30 7 2015 20:00:00 +0000", "month name"},
        RejectCase{"Thu, 30Jul 2015 20:00:00 +0000", "space after the day"},
        RejectCase{"Thu, 030 Jul 2015 20:00:00 +0000", "day of the month"},
        RejectCase{"Thu, 32 Jul 2015 20:00:00 +0000", "day 32 does not exist"},
        RejectCase{"Thu, 0 Jul 2015 20:00:00 +0000", "day 0 does not exist"},
        RejectCase{"Thu, 31 Apr 2015 20:00:00 +0000", "day 31 does not exist"},
        RejectCase{"Sun, 29 Feb 2015 20:00:00 +0000", "does not exist"},
        RejectCase{"Thu, 30 Jul 15 20:00:00 +0000", "four-digit year"},
        RejectCase{"Thu, 30 Jul 20155 20:00:00 +0000", "four-digit year"},
        RejectCase{"30 Jul 1899 20:00:00 +0000", "before 1900"},
        RejectCase{"Thu, 30 Jul 2015 24:00:00 +0000", "out of range"},
        RejectCase{"Thu, 30 Jul 2015 20:60:00 +0000", "out of range"},
        RejectCase{"Thu, 30 Jul 2015 20:00:61 +0000", "out of range"},
        RejectCase{"Thu, 30 Jul 2015 2:00:00 +0000", "time of day"},
        RejectCase{"Thu, 30 Jul 2015 20:00:0 +0000", "seconds"},
        RejectCase{"Thu, 30 Jul 2015 20-00-00 +0000", "time of day"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +2400", "zone offset"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +0060", "zone offset"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +00:00", "four digits"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +000", "four digits"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +00000", "four digits"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 EST", "unknown zone \"EST\""},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 UTC", "unknown zone"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 ?", "zone such as"},
        RejectCase{"2015-07-30T20:00:00Z", "day of the month"},
        RejectCase{"Thu, 30 Jul 2015 20:00:00 +0000\xff", "unexpected text"}));

TEST(ParseRfc2822DateTest, MessageDoesNotQuoteLongTokens) {
  const std::string text = std::string(5000, 'x');
  absl::StatusOr<absl::Time> time = ParseRfc2822Date(text);
  ASSERT_FALSE(time.ok());
  EXPECT_LT(time.status().message().size(), 100u);
}

TEST(FormatRfc2822DateTest, WritesTwilioExample) {
  EXPECT_EQ(FormatRfc2822Date(Utc(2015, 7, 30, 20, 0, 0)),
            "Thu, 30 Jul 2015 20:00:00 +0000");
}

TEST(FormatRfc2822DateTest, PadsDayAndTimeWithZeros) {
  EXPECT_EQ(FormatRfc2822Date(Utc(2015, 7, 2, 3, 4, 5)),
            "Thu, 02 Jul 2015 03:04:05 +0000");
}

TEST(FormatRfc2822DateTest, DropsFractionsOfSeconds) {
  EXPECT_EQ(
      FormatRfc2822Date(Utc(2015, 7, 30, 20, 0, 0) + absl::Milliseconds(999)),
      "Thu, 30 Jul 2015 20:00:00 +0000");
}

TEST(FormatRfc2822DateTest, RoundTripsThroughParse) {
  // A step that is not a whole number of days walks through every weekday,
  // month and hour over the years.
  const absl::Duration step = absl::Hours(24 * 37 + 5) + absl::Seconds(61);
  for (absl::Time time = Utc(1900, 1, 1, 0, 0, 0);
       time < Utc(2100, 1, 1, 0, 0, 0); time += step) {
    const std::string text = FormatRfc2822Date(time);
    absl::StatusOr<absl::Time> parsed = ParseRfc2822Date(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    ASSERT_EQ(*parsed, time) << text;
  }
}

}  // namespace
}  // namespace twilio_gateway::twilio
