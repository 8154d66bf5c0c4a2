#include "service/twilio/idempotency_policy.h"

#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

absl::StatusOr<HttpResponse> Http(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

absl::StatusOr<HttpResponse> Failure(absl::string_view reason) {
  return WithReason(absl::UnavailableError("x"), reason);
}

// One row of the table in idempotency_policy.h.
struct Row {
  absl::StatusOr<HttpResponse> outcome;
  Verdict read;    // GET and DELETE
  Verdict create;  // POST
  bool unclear;
};

TEST(ClassifyAttemptTest, FollowsTheTable) {
  const Row rows[] = {
      {Http(200), Verdict::kFinal, Verdict::kFinal, false},
      {Http(201), Verdict::kFinal, Verdict::kFinal, false},
      {Http(204), Verdict::kFinal, Verdict::kFinal, false},
      {Http(301), Verdict::kFinal, Verdict::kFinal, false},
      {Http(400), Verdict::kFinal, Verdict::kFinal, false},
      {Http(401), Verdict::kFinal, Verdict::kFinal, false},
      {Http(404), Verdict::kFinal, Verdict::kFinal, false},
      {Http(409), Verdict::kFinal, Verdict::kFinal, false},
      {Http(429), Verdict::kRetry, Verdict::kRetry, false},
      {Http(500), Verdict::kRetry, Verdict::kVerifyCreate, true},
      {Http(501), Verdict::kFinal, Verdict::kFinal, false},
      {Http(502), Verdict::kRetry, Verdict::kVerifyCreate, true},
      {Http(503), Verdict::kRetry, Verdict::kVerifyCreate, true},
      {Http(504), Verdict::kRetry, Verdict::kVerifyCreate, true},
      {Failure("UPSTREAM_NOT_SENT"), Verdict::kRetry, Verdict::kRetry, false},
      {Failure("UPSTREAM_CONNECTION_LOST"), Verdict::kRetry,
       Verdict::kVerifyCreate, true},
      {Failure("UPSTREAM_TIMEOUT"), Verdict::kRetry, Verdict::kVerifyCreate,
       true},
      {Failure("UPSTREAM_TLS_FAILED"), Verdict::kFinal, Verdict::kFinal, false},
      {Failure("UPSTREAM_BAD_RESPONSE"), Verdict::kFinal, Verdict::kFinal,
       false},
      {Failure("UPSTREAM_CANCELLED"), Verdict::kFinal, Verdict::kFinal, false},
      {absl::UnavailableError("no payload"), Verdict::kFinal, Verdict::kFinal,
       false},
  };
  for (const Row& row : rows) {
    const std::string name = row.outcome.ok()
                                 ? std::to_string(row.outcome->status)
                                 : GetGatewayError(row.outcome.status())
                                       .value_or(internal::v1::GatewayError())
                                       .reason();
    for (Operation operation :
         {Operation::kFetch, Operation::kList, Operation::kDelete}) {
      AttemptClass got = ClassifyAttempt(operation, row.outcome);
      EXPECT_EQ(got.verdict, row.read)
          << name << " " << OperationName(operation);
      EXPECT_EQ(got.unclear, row.unclear) << name;
    }
    AttemptClass got = ClassifyAttempt(Operation::kCreate, row.outcome);
    EXPECT_EQ(got.verdict, row.create) << name << " create";
    EXPECT_EQ(got.unclear, row.unclear) << name;
  }
}

TEST(DeleteNotFoundIsSuccessTest, OnlyAfterAnUnclearAttempt) {
  EXPECT_TRUE(DeleteNotFoundIsSuccess(404, true));
  EXPECT_FALSE(DeleteNotFoundIsSuccess(404, false));
  EXPECT_FALSE(DeleteNotFoundIsSuccess(403, true));
}

}  // namespace
}  // namespace twilio_gateway::twilio
