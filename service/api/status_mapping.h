#ifndef SERVICE_API_STATUS_MAPPING_H_
#define SERVICE_API_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace twilio_gateway::api {

// The ErrorInfo domain of every error the gateway returns.
inline constexpr absl::string_view kErrorDomain =
    "twilio_gateway.sip.v1.CredentialListMappingService";

// Turns an absl::Status into the gRPC status a caller sees: the same
// canonical code and message, and a serialized google.rpc.Status whose
// details hold a google.rpc.ErrorInfo (reason, kErrorDomain, and metadata
// twilio_code, http_status, more_info, twilio_request_id, field: those that
// are known) and, for errors about a request field, a google.rpc.BadRequest
// naming it. A status without a GatewayError payload gets its code's name as
// the reason.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace twilio_gateway::api

#endif  // SERVICE_API_STATUS_MAPPING_H_
