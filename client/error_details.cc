#include "client/error_details.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace twilio_gateway::client {
namespace {

std::optional<ErrorDetails> ParseDetails(absl::string_view serialized) {
  google::rpc::Status rich;
  if (serialized.empty() ||
      !rich.ParseFromArray(serialized.data(),
                           static_cast<int>(serialized.size()))) {
    return std::nullopt;
  }
  std::optional<ErrorDetails> details;
  std::string violated_field;
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad_request;
    // The first ErrorInfo counts; the gateway sends one.
    if (!details.has_value() && any.UnpackTo(&info)) {
      details.emplace();
      details->reason = info.reason();
      details->domain = info.domain();
      details->metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (violated_field.empty() && any.UnpackTo(&bad_request) &&
               bad_request.field_violations_size() > 0) {
      violated_field = bad_request.field_violations(0).field();
    }
  }
  if (!details.has_value()) return std::nullopt;

  const auto& metadata = details->metadata;
  auto value = [&metadata](const std::string& key) -> std::string {
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : it->second;
  };
  if (!absl::SimpleAtoi(value("twilio_code"), &details->twilio_code)) {
    details->twilio_code = 0;
  }
  if (!absl::SimpleAtoi(value("http_status"), &details->http_status)) {
    details->http_status = 0;
  }
  details->more_info = value("more_info");
  details->twilio_request_id = value("twilio_request_id");
  details->field = value("field");
  if (details->field.empty()) details->field = std::move(violated_field);
  return details;
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // gRPC and absl share the canonical code numbers.
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  if (!status.error_details().empty()) {
    converted.SetPayload(kRpcStatusTypeUrl, absl::Cord(status.error_details()));
  }
  return converted;
}

std::optional<ErrorDetails> GetErrorDetails(const absl::Status& status) {
  // absl::optional, which is not std::optional in this Abseil build.
  auto payload = status.GetPayload(kRpcStatusTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  return ParseDetails(std::string(*payload));
}

std::optional<ErrorDetails> GetErrorDetails(const grpc::Status& status) {
  return ParseDetails(status.error_details());
}

}  // namespace twilio_gateway::client
