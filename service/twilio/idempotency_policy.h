#ifndef SERVICE_TWILIO_IDEMPOTENCY_POLICY_H_
#define SERVICE_TWILIO_IDEMPOTENCY_POLICY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/twilio/http_transport.h"

namespace twilio_gateway::twilio {

// The Twilio operations the client makes.
enum class Operation { kCreate, kFetch, kList, kDelete };

// What to do after one attempt.
enum class Verdict {
  // Success, or an error that no retry can fix: report it.
  kFinal,
  // Send the same request again after a backoff.
  kRetry,
  // A create whose outcome is unclear: fetch the mapping, after a backoff,
  // before deciding whether to send the POST again.
  kVerifyCreate,
};

// One attempt's outcome, as the retry loop needs to see it.
struct AttemptClass {
  Verdict verdict = Verdict::kFinal;
  // The request may have taken effect without the gateway learning the
  // result: a timeout or a lost connection after it may have left, or a
  // 5xx. A 429 is clear: Twilio did not act on the request.
  bool unclear = false;
};

// What may be repeated, per operation and outcome:
//
//   outcome                                 GET, DELETE   POST (create)
//   2xx, 4xx other than 429, 3xx            final         final
//   429                                     retry         retry
//   500, 502, 503, 504 (unclear)            retry         verify
//   UPSTREAM_NOT_SENT (refused, no DNS)     retry         retry
//   UPSTREAM_CONNECTION_LOST (unclear)      retry         verify
//   UPSTREAM_TIMEOUT (unclear)              retry         verify
//   UPSTREAM_TLS_FAILED, _BAD_RESPONSE,     final         final
//   _BAD_REQUEST, _CANCELLED, other codes
//
// TLS failures are final because they come from certificates or settings,
// which a retry within one call does not fix. A timeout is the caller's
// deadline (the transport bounds each attempt by it), so its retry is
// stopped by the deadline check; it is listed for completeness.
AttemptClass ClassifyAttempt(Operation operation,
                             const absl::StatusOr<HttpResponse>& result);

// Whether a DELETE answered 404 means success: only when an earlier attempt
// of the same call had an unclear outcome, since that attempt may have
// deleted the mapping itself.
bool DeleteNotFoundIsSuccess(int http_status, bool earlier_unclear);

// "create", "fetch", "list" or "delete", for logs and metrics.
absl::string_view OperationName(Operation operation);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_IDEMPOTENCY_POLICY_H_
