#include "service/api/status_mapping.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {
namespace {

using ::twilio_gateway::internal::v1::GatewayError;

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details()));
  return rich;
}

google::rpc::ErrorInfo InfoOf(const google::rpc::Status& rich) {
  google::rpc::ErrorInfo info;
  for (const auto& detail : rich.details()) {
    if (detail.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo";
  return info;
}

TEST(ToGrpcStatusTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ToGrpcStatusTest, CarriesTwilioFactsInErrorInfo) {
  absl::Status status = absl::NotFoundError("fetch mapping CL…: not found");
  GatewayError error;
  error.set_reason("TWILIO_NOT_FOUND");
  error.set_twilio_code(20404);
  error.set_http_status(404);
  error.set_more_info("https://www.twilio.com/docs/errors/20404");
  error.set_twilio_request_id("RQ0123");
  twilio::SetGatewayError(status, error);

  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(grpc_status.error_message(), "fetch mapping CL…: not found");

  google::rpc::Status rich = Details(grpc_status);
  EXPECT_EQ(rich.code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(rich.message(), grpc_status.error_message());
  google::rpc::ErrorInfo info = InfoOf(rich);
  EXPECT_EQ(info.reason(), "TWILIO_NOT_FOUND");
  EXPECT_EQ(info.domain(), kErrorDomain);
  EXPECT_EQ(info.metadata().at("twilio_code"), "20404");
  EXPECT_EQ(info.metadata().at("http_status"), "404");
  EXPECT_EQ(info.metadata().at("more_info"),
            "https://www.twilio.com/docs/errors/20404");
  EXPECT_EQ(info.metadata().at("twilio_request_id"), "RQ0123");
  EXPECT_EQ(info.metadata().count("field"), 0u);
  EXPECT_EQ(rich.details_size(), 1);
}

TEST(ToGrpcStatusTest, FieldErrorsAddBadRequest) {
  absl::Status status = absl::InvalidArgumentError("sid is required");
  GatewayError error;
  error.set_reason("FIELD_REQUIRED");
  error.set_field("sid");
  twilio::SetGatewayError(status, error);

  google::rpc::Status rich = Details(ToGrpcStatus(status));
  ASSERT_EQ(rich.details_size(), 2);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(rich.details(1).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "sid");
  EXPECT_EQ(InfoOf(rich).metadata().at("field"), "sid");
}

TEST(ToGrpcStatusTest, WithoutPayloadReasonIsTheCodeName) {
  grpc::Status grpc_status =
      ToGrpcStatus(absl::DeadlineExceededError("too slow"));
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(InfoOf(Details(grpc_status)).reason(), "DEADLINE_EXCEEDED");
}

TEST(ToGrpcStatusTest, EveryCanonicalCodeKeepsItsNumber) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "x");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(status).error_code()), code);
  }
}

}  // namespace
}  // namespace twilio_gateway::api
