#ifndef SERVICE_COMMON_GATEWAY_METRICS_H_
#define SERVICE_COMMON_GATEWAY_METRICS_H_

#include <array>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/metrics.h"

namespace twilio_gateway::metrics {

// What one Twilio request did, as told by its method and path.
enum class TwilioOperation { kCreate, kFetch, kList, kDelete, kOther };

// The gateway's metrics, with the names Prometheus users know:
//
//   grpc_server_started_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type}
//   gateway_calls_in_flight{account_sid}
//   twilio_requests_total{operation,http_status}
//   twilio_request_duration_seconds{operation}
//   twilio_request_errors_total{operation,reason}
//   twilio_retries_total{reason}
//   gateway_credential_reloads_total{result}
//
// Label values come from fixed sets (methods, codes, operations, HTTP
// statuses, transport failure reasons) or from capped families (accounts,
// retry reasons), so the scrape stays bounded whatever callers send.
// Recording is atomics only, except that the first call for an account or
// a retry reason takes a short lock. Thread-safe. No label ever carries a
// secret: account SIDs are identifiers, not credentials.
class GatewayMetrics {
 public:
  // The public service, the value of grpc_service.
  static constexpr char kService[] =
      "twilio_gateway.sip.v1.CredentialListMappingService";
  // The service's RPCs, the values of grpc_method.
  static constexpr std::array<absl::string_view, 4> kRpcs = {
      "CreateCredentialListMapping", "GetCredentialListMapping",
      "ListCredentialListMappings", "DeleteCredentialListMapping"};
  // gRPC's codes, 0 to 16.
  static constexpr int kGrpcCodes = 17;
  // Accounts beyond this many share account_sid="other".
  static constexpr size_t kMaxAccounts = 1000;
  // Retry reasons beyond this many share reason="other".
  static constexpr size_t kMaxRetryReasons = 64;

  GatewayMetrics();

  GatewayMetrics(const GatewayMetrics&) = delete;
  GatewayMetrics& operator=(const GatewayMetrics&) = delete;

  // The index of `rpc` in kRpcs, or -1. The Rpc* methods ignore -1, so an
  // unknown name is not counted rather than counted wrongly.
  static int RpcIndex(absl::string_view rpc);

  // A call arrived.
  void RpcStarted(int rpc);
  // A call finished with `grpc_code` (0 to 16) after `latency`.
  void RpcHandled(int rpc, int grpc_code, absl::Duration latency);
  // The in-flight gauge of one account; valid as long as these metrics.
  Gauge* CallsInFlight(absl::string_view account_sid);

  // One HTTP attempt to Twilio ended: with `http_status` when an answer
  // came, or with 0 and the transport's failure `reason` (see
  // HttpTransport) when none did.
  void TwilioRequestDone(TwilioOperation operation, int http_status,
                         absl::string_view reason, absl::Duration latency);
  // The Twilio client decided to try again, for `reason`.
  void TwilioRetry(absl::string_view reason);

  // A reload of the credentials file ended.
  void CredentialReload(bool success);

  // Everything, in Prometheus' text format.
  std::string Render() const;

 private:
  // Slot 0: no answer; slot 1: a status outside 100..599; else the status.
  static constexpr int kStatusSlots = 600;
  static constexpr int kOperations = 5;
  static constexpr int kTransportReasons = 7;

  struct RpcMetrics {
    RpcMetrics();
    Counter started;
    std::array<Counter, kGrpcCodes> handled;
    Histogram latency;
  };
  struct OperationMetrics {
    OperationMetrics();
    std::array<Counter, kStatusSlots> by_status;
    std::array<Counter, kTransportReasons> errors;
    Histogram latency;
  };

  void RenderRpcs(TextWriter& out) const;
  void RenderTwilio(TextWriter& out) const;

  std::array<RpcMetrics, kRpcs.size()> rpcs_;
  std::array<OperationMetrics, kOperations> operations_;
  DynamicFamily<Gauge> in_flight_;
  DynamicFamily<Counter> retries_;
  Counter reloads_succeeded_;
  Counter reloads_failed_;
};

// "create", "fetch", "list", "delete" or "other".
absl::string_view TwilioOperationName(TwilioOperation operation);

// gRPC's name of a code as Prometheus users know it ("OK", "NotFound",
// "Unavailable"); "Unknown" for a number outside 0..16.
absl::string_view GrpcCodeName(int code);

}  // namespace twilio_gateway::metrics

#endif  // SERVICE_COMMON_GATEWAY_METRICS_H_
