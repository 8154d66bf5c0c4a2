#include "client/error_details.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace twilio_gateway::client {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

google::rpc::ErrorInfo TwilioNotFound() {
  google::rpc::ErrorInfo info;
  info.set_reason("TWILIO_NOT_FOUND");
  info.set_domain("twilio_gateway.sip.v1.CredentialListMappingService");
  auto& metadata = *info.mutable_metadata();
  metadata["twilio_code"] = "20404";
  metadata["http_status"] = "404";
  metadata["more_info"] = "https://www.twilio.com/docs/errors/20404";
  metadata["twilio_request_id"] = "RQ0123";
  return info;
}

grpc::Status WithDetails(grpc::StatusCode code, const std::string& message,
                         const google::rpc::Status& rich) {
  return grpc::Status(code, message, rich.SerializeAsString());
}

TEST(ErrorDetailsTest, OkStaysOk) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(ErrorDetailsTest, KeepsCodeMessageAndDetails) {
  google::rpc::Status rich;
  rich.set_code(5);
  rich.add_details()->PackFrom(TwilioNotFound());
  absl::Status status = FromGrpcStatus(
      WithDetails(grpc::StatusCode::NOT_FOUND, "no such mapping", rich));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "no such mapping");

  std::optional<ErrorDetails> details = GetErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->reason, "TWILIO_NOT_FOUND");
  EXPECT_EQ(details->domain,
            "twilio_gateway.sip.v1.CredentialListMappingService");
  EXPECT_EQ(details->twilio_code, 20404);
  EXPECT_EQ(details->http_status, 404);
  EXPECT_EQ(details->more_info, "https://www.twilio.com/docs/errors/20404");
  EXPECT_EQ(details->twilio_request_id, "RQ0123");
  EXPECT_EQ(details->field, "");
  EXPECT_THAT(details->metadata,
              UnorderedElementsAre(Pair("twilio_code", "20404"),
                                   Pair("http_status", "404"),
                                   Pair("more_info", ::testing::_),
                                   Pair("twilio_request_id", "RQ0123")));
}

TEST(ErrorDetailsTest, ReadsGrpcStatusDirectly) {
  google::rpc::Status rich;
  rich.add_details()->PackFrom(TwilioNotFound());
  std::optional<ErrorDetails> details =
      GetErrorDetails(WithDetails(grpc::StatusCode::NOT_FOUND, "gone", rich));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->twilio_code, 20404);
}

TEST(ErrorDetailsTest, FieldFromMetadataOrBadRequest) {
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_SID");
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("domain_sid");
  google::rpc::Status rich;
  // The BadRequest first: order must not matter.
  rich.add_details()->PackFrom(bad_request);
  rich.add_details()->PackFrom(info);
  std::optional<ErrorDetails> details = GetErrorDetails(
      WithDetails(grpc::StatusCode::INVALID_ARGUMENT, "bad", rich));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field, "domain_sid");

  (*info.mutable_metadata())["field"] = "sid";
  google::rpc::Status with_metadata;
  with_metadata.add_details()->PackFrom(info);
  with_metadata.add_details()->PackFrom(bad_request);
  details = GetErrorDetails(
      WithDetails(grpc::StatusCode::INVALID_ARGUMENT, "bad", with_metadata));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field, "sid");
}

TEST(ErrorDetailsTest, NumbersThatDoNotParseAreZero) {
  google::rpc::ErrorInfo info = TwilioNotFound();
  (*info.mutable_metadata())["twilio_code"] = "20404x";
  (*info.mutable_metadata())["http_status"] = "";
  google::rpc::Status rich;
  rich.add_details()->PackFrom(info);
  std::optional<ErrorDetails> details =
      GetErrorDetails(WithDetails(grpc::StatusCode::NOT_FOUND, "gone", rich));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->twilio_code, 0);
  EXPECT_EQ(details->http_status, 0);
}

TEST(ErrorDetailsTest, NoErrorInfoMeansNoDetails) {
  EXPECT_FALSE(GetErrorDetails(absl::NotFoundError("plain")).has_value());
  EXPECT_FALSE(
      GetErrorDetails(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                  "no details")))
          .has_value());
  EXPECT_FALSE(GetErrorDetails(grpc::Status(grpc::StatusCode::INTERNAL, "x",
                                            "\xff\xff not a proto"))
                   .has_value());

  google::rpc::Status only_bad_request;
  only_bad_request.add_details()->PackFrom(google::rpc::BadRequest());
  EXPECT_FALSE(GetErrorDetails(WithDetails(grpc::StatusCode::INVALID_ARGUMENT,
                                           "x", only_bad_request))
                   .has_value());
}

}  // namespace
}  // namespace twilio_gateway::client
