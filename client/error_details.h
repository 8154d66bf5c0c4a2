#ifndef CLIENT_ERROR_DETAILS_H_
#define CLIENT_ERROR_DETAILS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace twilio_gateway::client {

// The payload type URL under which FromGrpcStatus keeps the serialized
// google.rpc.Status the gateway sent.
inline constexpr absl::string_view kRpcStatusTypeUrl =
    "type.googleapis.com/google.rpc.Status";

// What the gateway says about a failed call, from the google.rpc.ErrorInfo
// (and google.rpc.BadRequest) in its google.rpc.Status details.
struct ErrorDetails {
  // Stable, UPPER_SNAKE: what to branch on, such as TWILIO_NOT_FOUND,
  // TWILIO_ALREADY_MAPPED, INVALID_SID or NO_CREDENTIALS_FOR_ACCOUNT.
  std::string reason;
  // The service that raised it.
  std::string domain;
  // Twilio's error number, such as 20404; 0 when Twilio gave none.
  int64_t twilio_code = 0;
  // The HTTP status of Twilio's answer; 0 when none arrived.
  int http_status = 0;
  // Twilio's page about the error.
  std::string more_info;
  // Twilio's id for the request, which Twilio support asks for.
  std::string twilio_request_id;
  // The request field at fault, for a request the gateway rejected.
  std::string field;
  // Every ErrorInfo metadata entry as sent, the ones above included.
  std::map<std::string, std::string> metadata;
};

// `status` as an absl::Status: the same canonical code and message, and the
// serialized google.rpc.Status of its error details, when there are any, as
// the payload under kRpcStatusTypeUrl.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The details a failed call carried: those of a status FromGrpcStatus made
// (or one the MappingClient returned), or of a grpc::Status directly.
// nullopt when there is no google.rpc.Status or it holds no ErrorInfo; a
// number that does not parse is left 0.
std::optional<ErrorDetails> GetErrorDetails(const absl::Status& status);
std::optional<ErrorDetails> GetErrorDetails(const grpc::Status& status);

}  // namespace twilio_gateway::client

#endif  // CLIENT_ERROR_DETAILS_H_
