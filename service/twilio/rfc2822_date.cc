#include "service/twilio/rfc2822_date.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace twilio_gateway::twilio {
namespace {

// Indexed by absl::Weekday, which counts from Monday.
constexpr absl::string_view kWeekdayNames[] = {"Mon", "Tue", "Wed", "Thu",
                                               "Fri", "Sat", "Sun"};
constexpr absl::string_view kMonthNames[] = {"Jan", "Feb", "Mar", "Apr",
                                             "May", "Jun", "Jul", "Aug",
                                             "Sep", "Oct", "Nov", "Dec"};

// RFC 2822 section 3.3 requires it; earlier years only come from garbage,
// and they would fall outside what a google.protobuf.Timestamp can hold.
constexpr int kMinYear = 1900;

// The longest token an error message repeats. Tokens are ASCII letters
// only, so they are safe to quote; the cap keeps a long run short.
constexpr std::size_t kMaxQuotedToken = 12;

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("not an RFC 2822 date: ", what));
}

std::string Quoted(absl::string_view token) {
  return absl::StrCat("\"", token.substr(0, kMaxQuotedToken), "\"");
}

// Returns the index of `token` in `names`, ignoring case as RFC 2822 does,
// or -1.
template <std::size_t N>
int IndexOfName(const absl::string_view (&names)[N], absl::string_view token) {
  for (std::size_t i = 0; i < N; ++i) {
    if (absl::EqualsIgnoreCase(names[i], token)) return static_cast<int>(i);
  }
  return -1;
}

// A cursor over the text. Every Read* consumes what it returns.
class Reader {
 public:
  explicit Reader(absl::string_view text) : rest_(text) {}

  bool AtEnd() const { return rest_.empty(); }

  // RFC 2822 lets folding white space separate the tokens; the text has
  // already lost its line breaks when it reaches us, so spaces and tabs are
  // all that is left of it.
  bool SkipSpace() {
    std::size_t n = 0;
    while (n < rest_.size() && (rest_[n] == ' ' || rest_[n] == '\t')) ++n;
    rest_.remove_prefix(n);
    return n > 0;
  }

  bool Consume(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  absl::string_view ReadLetters() {
    std::size_t n = 0;
    while (n < rest_.size() && absl::ascii_isalpha(rest_[n])) ++n;
    absl::string_view letters = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return letters;
  }

  // Reads the whole run of digits; fails unless it has `min` to `max` of
  // them, so "19999" is not read as the year 1999 followed by junk.
  bool ReadNumber(std::size_t min, std::size_t max, int* value) {
    std::size_t n = 0;
    while (n < rest_.size() && absl::ascii_isdigit(rest_[n])) ++n;
    if (n < min || n > max) return false;
    int result = 0;
    for (std::size_t i = 0; i < n; ++i) result = result * 10 + (rest_[i] - '0');
    rest_.remove_prefix(n);
    *value = result;
    return true;
  }

 private:
  absl::string_view rest_;
};

// Reads the zone into seconds east of UTC.
absl::Status ReadZone(Reader& reader, int* offset_seconds) {
  int sign = 0;
  if (reader.Consume('+')) {
    sign = 1;
  } else if (reader.Consume('-')) {
    sign = -1;
  }
  if (sign == 0) {
    absl::string_view name = reader.ReadLetters();
    if (name.empty()) return Invalid("expected a zone such as +0000");
    // RFC 2822 keeps these obsolete names for UTC; the American ones it
    // also lists are not accepted, as Twilio has never sent them.
    if (absl::EqualsIgnoreCase(name, "GMT") ||
        absl::EqualsIgnoreCase(name, "UT") ||
        absl::EqualsIgnoreCase(name, "Z")) {
      *offset_seconds = 0;
      return absl::OkStatus();
    }
    return Invalid(absl::StrCat("unknown zone ", Quoted(name)));
  }

  int hhmm = 0;
  if (!reader.ReadNumber(4, 4, &hhmm)) {
    return Invalid("expected four digits after the zone's sign");
  }
  const int hours = hhmm / 100;
  const int minutes = hhmm % 100;
  if (hours > 23 || minutes > 59) {
    return Invalid(absl::StrFormat("zone offset %c%04d is out of range",
                                   sign > 0 ? '+' : '-', hhmm));
  }
  *offset_seconds = sign * (hours * 3600 + minutes * 60);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::Time> ParseRfc2822Date(absl::string_view text) {
  // absl::ParseTime(absl::RFC1123_full, ...) is not enough here: it accepts
  // any weekday, and checking one needs the local date before the zone is
  // applied, which ParseTime does not give back. Reading the few tokens by
  // hand costs less than working around it.
  Reader reader(absl::StripAsciiWhitespace(text));
  if (reader.AtEnd()) return Invalid("the text is empty");

  int weekday = -1;
  absl::string_view word = reader.ReadLetters();
  if (!word.empty()) {
    weekday = IndexOfName(kWeekdayNames, word);
    if (weekday < 0) return Invalid(absl::StrCat("unknown day ", Quoted(word)));
    reader.SkipSpace();
    if (!reader.Consume(',')) return Invalid("expected ',' after the weekday");
    reader.SkipSpace();
  }

  int day = 0;
  if (!reader.ReadNumber(1, 2, &day)) {
    return Invalid("expected a one- or two-digit day of the month");
  }
  if (!reader.SkipSpace()) return Invalid("expected a space after the day");

  absl::string_view month_name = reader.ReadLetters();
  const int month = IndexOfName(kMonthNames, month_name) + 1;
  if (month == 0) {
    return Invalid(month_name.empty()
                       ? std::string("expected a month name")
                       : absl::StrCat("unknown month ", Quoted(month_name)));
  }
  if (!reader.SkipSpace()) return Invalid("expected a space after the month");

  // Two-digit years are obsolete in RFC 2822 and ambiguous; four it is.
  int year = 0;
  if (!reader.ReadNumber(4, 4, &year)) {
    return Invalid("expected a four-digit year");
  }
  if (year < kMinYear) {
    return Invalid(absl::StrCat("year ", year, " is before ", kMinYear));
  }
  if (!reader.SkipSpace()) return Invalid("expected a space after the year");

  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!reader.ReadNumber(2, 2, &hour) || !reader.Consume(':') ||
      !reader.ReadNumber(2, 2, &minute)) {
    return Invalid("expected a time of day such as 20:00:00");
  }
  // Seconds are optional in RFC 2822.
  if (reader.Consume(':') && !reader.ReadNumber(2, 2, &second)) {
    return Invalid("expected two digits of seconds");
  }
  // 60 is a leap second, which RFC 2822 allows; absl::CivilSecond turns it
  // into the first second of the next minute, as POSIX time does.
  if (hour > 23 || minute > 59 || second > 60) {
    return Invalid(absl::StrFormat("time %02d:%02d:%02d is out of range", hour,
                                   minute, second));
  }
  if (!reader.SkipSpace()) return Invalid("expected a space before the zone");

  int offset_seconds = 0;
  if (absl::Status status = ReadZone(reader, &offset_seconds); !status.ok()) {
    return status;
  }
  if (!reader.AtEnd()) return Invalid("unexpected text after the zone");

  // CivilDay normalizes 31 Apr to 1 May; a changed day means the date does
  // not exist.
  const absl::CivilDay date(year, month, day);
  if (day < 1 || date.day() != day) {
    return Invalid(absl::StrCat("day ", day, " does not exist in ",
                                kMonthNames[month - 1], " ", year));
  }
  // The weekday belongs to the local date, before the zone is applied.
  if (weekday >= 0 && static_cast<int>(absl::GetWeekday(date)) != weekday) {
    return Invalid(
        absl::StrCat(kWeekdayNames[weekday], " is the wrong weekday for ", day,
                     " ", kMonthNames[month - 1], " ", year, ", a ",
                     kWeekdayNames[static_cast<int>(absl::GetWeekday(date))]));
  }

  const absl::Time local =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  return local - absl::Seconds(offset_seconds);
}

std::string FormatRfc2822Date(absl::Time time) {
  // Built by hand rather than with absl::FormatTime's %a and %b, whose
  // names could follow the process's locale.
  const absl::CivilSecond utc = absl::ToCivilSecond(time, absl::UTCTimeZone());
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(utc)));
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d +0000",
                         kWeekdayNames[weekday], utc.day(),
                         kMonthNames[utc.month() - 1], utc.year(), utc.hour(),
                         utc.minute(), utc.second());
}

}  // namespace twilio_gateway::twilio
