#include "service/twilio/twilio_error.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "twilio_gateway/internal/v1/gateway_error.pb.h"

namespace twilio_gateway::twilio {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::twilio_gateway::internal::v1::GatewayError;

constexpr char kTypeUrl[] =
    "type.googleapis.com/twilio_gateway.internal.v1.GatewayError";
constexpr char kRequestId[] = "RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kOperation[] =
    "create mapping CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

// The body Twilio sends with its errors.
std::string TwilioBody(int code, absl::string_view message, int status) {
  return absl::StrCat(R"({"code": )", code, R"(, "message": ")", message,
                      R"(", "more_info": "https://www.twilio.com/docs/errors/)",
                      code, R"(", "status": )", status, "}");
}

GatewayError PayloadOf(const absl::Status& status) {
  std::optional<GatewayError> error = GetGatewayError(status);
  EXPECT_TRUE(error.has_value()) << status;
  return error.value_or(GatewayError());
}

// ---------------------------------------------------------------------------
// The error table, one row per HTTP status.

struct Row {
  int http_status;
  absl::StatusCode code;
  const char* reason;
};

class ErrorTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(ErrorTableTest, MapsStatusToCodeAndReason) {
  const Row& row = GetParam();
  const absl::Status status = TwilioErrorToStatus(
      row.http_status, TwilioBody(20000, "Something happened", row.http_status),
      kRequestId, kOperation);
  EXPECT_EQ(status.code(), row.code) << status;
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.reason(), row.reason);
  EXPECT_EQ(error.http_status(), row.http_status);
  EXPECT_EQ(error.twilio_code(), 20000);
  EXPECT_THAT(
      std::string(status.message()),
      AllOf(StartsWith(absl::StrCat(kOperation, ": ")),
            HasSubstr(absl::StrCat("Twilio answered HTTP ", row.http_status))));
}

TEST_P(ErrorTableTest, MapsStatusWithoutBody) {
  const Row& row = GetParam();
  const absl::Status status =
      TwilioErrorToStatus(row.http_status, "", "", kOperation);
  EXPECT_EQ(status.code(), row.code) << status;
  EXPECT_EQ(PayloadOf(status).reason(), row.reason);
  EXPECT_EQ(
      status.message(),
      absl::StrCat(kOperation, ": Twilio answered HTTP ", row.http_status));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ErrorTableTest,
    ::testing::Values(
        Row{400, absl::StatusCode::kInvalidArgument, "TWILIO_INVALID_REQUEST"},
        Row{401, absl::StatusCode::kFailedPrecondition,
            "TWILIO_CREDENTIALS_REJECTED"},
        Row{403, absl::StatusCode::kPermissionDenied,
            "TWILIO_PERMISSION_DENIED"},
        Row{404, absl::StatusCode::kNotFound, "TWILIO_NOT_FOUND"},
        Row{409, absl::StatusCode::kAborted, "TWILIO_CONFLICT"},
        Row{429, absl::StatusCode::kResourceExhausted, "TWILIO_RATE_LIMITED"},
        Row{500, absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"},
        Row{502, absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"},
        Row{503, absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"},
        Row{504, absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"},
        Row{599, absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"},
        Row{301, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{302, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{304, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{307, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{402, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{405, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{410, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{422, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{499, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{600, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{200, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{100, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{0, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"},
        Row{-1, absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"}),
    [](const ::testing::TestParamInfo<Row>& info) {
      return absl::StrCat("Http", info.param.http_status < 0
                                      ? std::string("Negative")
                                      : absl::StrCat(info.param.http_status));
    });

// ---------------------------------------------------------------------------
// 400: already mapped, or a plain invalid request.

TEST(TwilioErrorToStatusTest, AlreadyMappedByCode) {
  const absl::Status status = TwilioErrorToStatus(
      400, TwilioBody(21231, "Some wording we do not know", 400), kRequestId,
      kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(PayloadOf(status).reason(), "TWILIO_ALREADY_MAPPED");
  EXPECT_EQ(PayloadOf(status).twilio_code(), 21231);
}

class AlreadyMappedMessageTest : public ::testing::TestWithParam<const char*> {
};

TEST_P(AlreadyMappedMessageTest, AlreadyMappedByMessage) {
  const absl::Status status = TwilioErrorToStatus(
      400, TwilioBody(21999, GetParam(), 400), kRequestId, kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(PayloadOf(status).reason(), "TWILIO_ALREADY_MAPPED");
}

INSTANTIATE_TEST_SUITE_P(
    Messages, AlreadyMappedMessageTest,
    ::testing::Values(
        "Credential List already mapped to this domain",
        "This CredentialList is ALREADY MAPPED",
        "The CredentialListMapping already exists",
        "A mapping for CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa is already present",
        "Credential list is already associated with the SIP domain"));

TEST(TwilioErrorToStatusTest, AlreadyMappedWithoutCode) {
  const absl::Status status = TwilioErrorToStatus(
      400, R"({"message": "Credential list already mapped", "status": 400})",
      "", kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(PayloadOf(status).twilio_code(), 0);
}

TEST(TwilioErrorToStatusTest, OtherBadRequestIsInvalidArgument) {
  const absl::Status status = TwilioErrorToStatus(
      400,
      TwilioBody(20001, "Invalid PageToken: the page was already expired", 400),
      kRequestId, "list mappings");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PayloadOf(status).reason(), "TWILIO_INVALID_REQUEST");
}

TEST(TwilioErrorToStatusTest, AlreadyMappedOnlyAppliesTo400) {
  const absl::Status status = TwilioErrorToStatus(
      409, TwilioBody(21231, "Credential list already mapped", 409), kRequestId,
      kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(PayloadOf(status).reason(), "TWILIO_CONFLICT");
}

// ---------------------------------------------------------------------------
// The message and the payload.

TEST(TwilioErrorToStatusTest, MessageQuotesOperationStatusCodeAndText) {
  const absl::Status status = TwilioErrorToStatus(
      404,
      TwilioBody(20404,
                 "The requested resource /2010-04-01/Accounts/AC1/x.json was "
                 "not found",
                 404),
      kRequestId, "fetch mapping CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(status.message(),
            "fetch mapping CLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: Twilio answered "
            "HTTP 404 with error 20404: The requested resource "
            "/2010-04-01/Accounts/AC1/x.json was not found (Twilio-Request-Id "
            "RQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)");
}

TEST(TwilioErrorToStatusTest, PayloadCarriesWhatTwilioSaid) {
  const absl::Status status = TwilioErrorToStatus(
      429, TwilioBody(20429, "Too many requests", 429), kRequestId, kOperation);
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.reason(), "TWILIO_RATE_LIMITED");
  EXPECT_EQ(error.twilio_code(), 20429);
  EXPECT_EQ(error.http_status(), 429);
  EXPECT_EQ(error.more_info(), "https://www.twilio.com/docs/errors/20429");
  EXPECT_EQ(error.twilio_request_id(), kRequestId);
}

TEST(TwilioErrorToStatusTest, PayloadUsesDocumentedTypeUrl) {
  const absl::Status status =
      TwilioErrorToStatus(404, "", kRequestId, kOperation);
  const absl::optional<absl::Cord> payload = status.GetPayload(kTypeUrl);
  ASSERT_TRUE(payload.has_value());
  GatewayError error;
  ASSERT_TRUE(error.ParseFromString(std::string(*payload)));
  EXPECT_EQ(error.reason(), "TWILIO_NOT_FOUND");
  EXPECT_EQ(error.twilio_request_id(), kRequestId);
}

TEST(TwilioErrorToStatusTest, HttpStatusWinsOverBodyStatus) {
  const absl::Status status = TwilioErrorToStatus(
      503, TwilioBody(20404, "Not found", 404), kRequestId, kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(PayloadOf(status).http_status(), 503);
  EXPECT_THAT(std::string(status.message()), HasSubstr("HTTP 503"));
}

TEST(TwilioErrorToStatusTest, NullFieldsAreAbsent) {
  const absl::Status status = TwilioErrorToStatus(
      500,
      R"({"code": null, "message": null, "more_info": null, "status": null})",
      "", kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            absl::StrCat(kOperation, ": Twilio answered HTTP 500"));
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.twilio_code(), 0);
  EXPECT_EQ(error.more_info(), "");
  EXPECT_EQ(error.twilio_request_id(), "");
}

TEST(TwilioErrorToStatusTest, IgnoresUnknownFields) {
  const absl::Status status = TwilioErrorToStatus(
      400,
      R"({"code": 21201, "message": "No called number", "status": 400,
          "details": {"field": "To", "more": [1, 2]}, "new": true})",
      kRequestId, kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("error 21201: No called number"));
}

TEST(TwilioErrorToStatusTest, EmptyOperationStartsWithTwilio) {
  const absl::Status status = TwilioErrorToStatus(403, "", "", "");
  EXPECT_EQ(status.message(), "Twilio answered HTTP 403");
}

class GarbageBodyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GarbageBodyTest, YieldsErrorForStatusAlone) {
  const absl::Status status =
      TwilioErrorToStatus(502, GetParam(), kRequestId, kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            absl::StrCat(kOperation, ": Twilio answered HTTP 502 ",
                         "(Twilio-Request-Id ", kRequestId, ")"));
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.reason(), "TWILIO_UNAVAILABLE");
  EXPECT_EQ(error.twilio_code(), 0);
  EXPECT_EQ(error.more_info(), "");
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, GarbageBodyTest,
    ::testing::Values("", "   \r\n",
                      "<html><body>502 Bad Gateway</body></html>",
                      "Bad Gateway", "null", "[]", "42", R"("text")",
                      R"({"code": 20500, "message": "cut sho)",
                      R"({"code": "not a number", "message": "wrong type"})",
                      R"({"code": 20500, "message": ["not", "a", "string"]})",
                      "{\"message\": \"\xff\xfe\"}"));

TEST(TwilioErrorToStatusTest, StripsControlCharactersFromTwilioText) {
  const absl::Status status = TwilioErrorToStatus(
      400,
      R"({"code": 21201, "message": "bad\r\nX-Injected: yes\u001b[31m\u0000red\u0085end",
          "more_info": "https://example.com/\nnext"})",
      "RQ1\r\nX: y", kOperation);
  EXPECT_THAT(
      std::string(status.message()),
      AllOf(Not(HasSubstr("\r")), Not(HasSubstr("\n")), Not(HasSubstr("\x1b")),
            Not(HasSubstr(std::string(1, '\0'))), Not(HasSubstr("\xC2\x85")),
            HasSubstr("bad X-Injected: yes [31m red end"),
            HasSubstr("(Twilio-Request-Id RQ1 X: y)")));
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.more_info(), "https://example.com/ next");
  EXPECT_EQ(error.twilio_request_id(), "RQ1 X: y");
}

TEST(TwilioErrorToStatusTest, CapsLongTwilioText) {
  const std::string long_message(100000, 'm');
  const std::string long_id(5000, 'r');
  const absl::Status status = TwilioErrorToStatus(
      400, TwilioBody(21201, long_message, 400), long_id, kOperation);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(status.message().size(), 500u);
  EXPECT_THAT(std::string(status.message()), HasSubstr("mmm..."));
  EXPECT_LT(PayloadOf(status).twilio_request_id().size(), 100u);
}

// ---------------------------------------------------------------------------
// SetGatewayError, GetGatewayError, WithReason.

TEST(GatewayErrorPayloadTest, RoundTrips) {
  GatewayError error;
  error.set_reason("TWILIO_NOT_FOUND");
  error.set_twilio_code(20404);
  error.set_http_status(404);
  error.set_more_info("https://www.twilio.com/docs/errors/20404");
  error.set_twilio_request_id(kRequestId);
  absl::Status status = absl::NotFoundError("gone");
  SetGatewayError(status, error);

  std::optional<GatewayError> read = GetGatewayError(status);
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*read, error));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "gone");

  // The payload travels with copies of the Status.
  const absl::Status copy = status;
  ASSERT_TRUE(GetGatewayError(copy).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*GetGatewayError(copy), error));
}

TEST(GatewayErrorPayloadTest, SetReplacesEarlierPayload) {
  absl::Status status = absl::InternalError("x");
  GatewayError first;
  first.set_reason("FIRST");
  first.set_twilio_code(1);
  SetGatewayError(status, first);
  GatewayError second;
  second.set_reason("SECOND");
  SetGatewayError(status, second);

  const GatewayError read = PayloadOf(status);
  EXPECT_EQ(read.reason(), "SECOND");
  EXPECT_EQ(read.twilio_code(), 0);
}

TEST(GatewayErrorPayloadTest, OkStatusGetsNoPayload) {
  absl::Status status = absl::OkStatus();
  GatewayError error;
  error.set_reason("IGNORED");
  SetGatewayError(status, error);
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(GetGatewayError(status).has_value());
}

TEST(GatewayErrorPayloadTest, AbsentPayloadIsNullopt) {
  EXPECT_FALSE(GetGatewayError(absl::UnavailableError("down")).has_value());
  absl::Status other = absl::UnavailableError("down");
  other.SetPayload("type.googleapis.com/google.rpc.RetryInfo", absl::Cord("x"));
  EXPECT_FALSE(GetGatewayError(other).has_value());
}

TEST(GatewayErrorPayloadTest, UnparsablePayloadIsNullopt) {
  absl::Status status = absl::UnavailableError("down");
  status.SetPayload(kTypeUrl, absl::Cord("\xff\xff\xff"));
  EXPECT_FALSE(GetGatewayError(status).has_value());
}

TEST(WithReasonTest, KeepsCodeAndMessageAndSetsOnlyReason) {
  const absl::Status status = WithReason(
      absl::DeadlineExceededError("deadline spent"), "DEADLINE_SPENT");
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(), "deadline spent");
  GatewayError expected;
  expected.set_reason("DEADLINE_SPENT");
  EXPECT_TRUE(MessageDifferencer::Equals(PayloadOf(status), expected));
}

TEST(WithReasonTest, ReplacesEarlierPayload) {
  const absl::Status status =
      WithReason(TwilioErrorToStatus(404, TwilioBody(20404, "x", 404),
                                     kRequestId, kOperation),
                 "MAPPING_NOT_FOUND");
  const GatewayError error = PayloadOf(status);
  EXPECT_EQ(error.reason(), "MAPPING_NOT_FOUND");
  EXPECT_EQ(error.twilio_code(), 0);
}

TEST(WithReasonTest, LeavesOkAlone) {
  const absl::Status status = WithReason(absl::OkStatus(), "NOTHING");
  EXPECT_TRUE(status.ok());
  EXPECT_FALSE(GetGatewayError(status).has_value());
}

// ---------------------------------------------------------------------------
// SanitizeUntrustedText

TEST(SanitizeUntrustedTextTest, KeepsPlainAndNonAsciiText) {
  EXPECT_EQ(SanitizeUntrustedText("B\xC3\xBCro \xE2\x98\x83 ok", 100),
            "B\xC3\xBCro \xE2\x98\x83 ok");
}

TEST(SanitizeUntrustedTextTest, CollapsesControlRunsToOneSpace) {
  EXPECT_EQ(SanitizeUntrustedText("a\r\n\tb\x7f"
                                  "c\xC2\x9F"
                                  "d",
                                  100),
            "a b c d");
  EXPECT_EQ(SanitizeUntrustedText(std::string("x\0y", 3), 100), "x y");
}

TEST(SanitizeUntrustedTextTest, DropsSurroundingWhiteSpaceAndControls) {
  EXPECT_EQ(SanitizeUntrustedText("  \x01hello\x02  ", 100), "hello");
  EXPECT_EQ(SanitizeUntrustedText("\n\r\t", 100), "");
}

TEST(SanitizeUntrustedTextTest, ReplacesInvalidUtf8) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(SanitizeUntrustedText("a\xff"
                                  "b",
                                  100),
            "a" + replacement + "b");
  // Overlong "/", a UTF-16 surrogate, and a lead byte cut short.
  EXPECT_EQ(SanitizeUntrustedText("\xC0\xAF", 100), replacement + replacement);
  EXPECT_EQ(SanitizeUntrustedText("\xED\xA0\x80", 100),
            replacement + replacement + replacement);
  EXPECT_EQ(SanitizeUntrustedText("z\xE2\x98", 100),
            "z" + replacement + replacement);
}

TEST(SanitizeUntrustedTextTest, CutsAtCharacterBoundaryAndMarksIt) {
  EXPECT_EQ(SanitizeUntrustedText("abcdefgh", 8), "abcdefgh");
  EXPECT_EQ(SanitizeUntrustedText("abcdefghi", 8), "abcdefgh...");
  // The snowman takes three bytes and does not fit in the fifth to seventh.
  EXPECT_EQ(SanitizeUntrustedText("abcd\xE2\x98\x83", 6), "abcd...");
  EXPECT_EQ(SanitizeUntrustedText("abc def", 4), "abc...");
}

}  // namespace
}  // namespace twilio_gateway::twilio
