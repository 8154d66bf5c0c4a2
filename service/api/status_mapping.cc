#include "service/api/status_mapping.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {
namespace {

std::string CodeName(absl::StatusCode code) {
  return absl::AsciiStrToUpper(absl::StatusCodeToString(code));
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;

  google::rpc::ErrorInfo info;
  info.set_domain(std::string(kErrorDomain));
  google::rpc::BadRequest bad_request;
  auto& metadata = *info.mutable_metadata();
  if (auto error = twilio::GetGatewayError(status)) {
    info.set_reason(error->reason().empty() ? CodeName(status.code())
                                            : error->reason());
    if (error->twilio_code() != 0) {
      metadata["twilio_code"] = absl::StrCat(error->twilio_code());
    }
    if (error->http_status() != 0) {
      metadata["http_status"] = absl::StrCat(error->http_status());
    }
    if (!error->more_info().empty()) {
      metadata["more_info"] = error->more_info();
    }
    if (!error->twilio_request_id().empty()) {
      metadata["twilio_request_id"] = error->twilio_request_id();
    }
    if (!error->field().empty()) {
      metadata["field"] = error->field();
      auto* violation = bad_request.add_field_violations();
      violation->set_field(error->field());
      violation->set_description(std::string(status.message()));
    }
  } else {
    info.set_reason(CodeName(status.code()));
  }

  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(std::string(status.message()));
  rich.add_details()->PackFrom(info);
  if (bad_request.field_violations_size() > 0) {
    rich.add_details()->PackFrom(bad_request);
  }
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), rich.SerializeAsString());
}

}  // namespace twilio_gateway::api
