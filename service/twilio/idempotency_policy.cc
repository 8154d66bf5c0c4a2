#include "service/twilio/idempotency_policy.h"

#include <optional>

#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

bool IsRetryableServerError(int status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

}  // namespace

AttemptClass ClassifyAttempt(Operation operation,
                             const absl::StatusOr<HttpResponse>& result) {
  const bool create = operation == Operation::kCreate;
  if (result.ok()) {
    const int status = result->status;
    if (status == 429) return {Verdict::kRetry, false};
    if (IsRetryableServerError(status)) {
      return {create ? Verdict::kVerifyCreate : Verdict::kRetry, true};
    }
    return {Verdict::kFinal, false};
  }

  const std::optional<internal::v1::GatewayError> error =
      GetGatewayError(result.status());
  const std::string reason = error.has_value() ? error->reason() : "";
  if (reason == "UPSTREAM_NOT_SENT") return {Verdict::kRetry, false};
  if (reason == "UPSTREAM_CONNECTION_LOST" || reason == "UPSTREAM_TIMEOUT") {
    return {create ? Verdict::kVerifyCreate : Verdict::kRetry, true};
  }
  return {Verdict::kFinal, false};
}

bool DeleteNotFoundIsSuccess(int http_status, bool earlier_unclear) {
  return http_status == 404 && earlier_unclear;
}

absl::string_view OperationName(Operation operation) {
  switch (operation) {
    case Operation::kCreate:
      return "create";
    case Operation::kFetch:
      return "fetch";
    case Operation::kList:
      return "list";
    case Operation::kDelete:
      return "delete";
  }
  return "unknown";
}

}  // namespace twilio_gateway::twilio
