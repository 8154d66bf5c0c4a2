#include "service/common/gateway_metrics.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace twilio_gateway::metrics {
namespace {

// Seconds; from a cache-speed answer to the longest deadline a call may
// have by default (30 s).
constexpr double kLatencyBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                     1,     2.5,  5,     10,   20,  30,   60};

// The failure reasons HttpTransport documents; anything else is "OTHER".
constexpr absl::string_view kTransportReasonNames[] = {
    "UPSTREAM_TIMEOUT",
    "UPSTREAM_NOT_SENT",
    "UPSTREAM_CONNECTION_LOST",
    "UPSTREAM_TLS_FAILED",
    "UPSTREAM_BAD_RESPONSE",
    "UPSTREAM_CANCELLED",
    "OTHER"};

// The names of gRPC's Go implementation, which the grpc_server_* metrics
// come from, so that existing dashboards and alerts work unchanged.
constexpr absl::string_view kGrpcCodeNames[] = {"OK",
                                                "Canceled",
                                                "Unknown",
                                                "InvalidArgument",
                                                "DeadlineExceeded",
                                                "NotFound",
                                                "AlreadyExists",
                                                "PermissionDenied",
                                                "ResourceExhausted",
                                                "FailedPrecondition",
                                                "Aborted",
                                                "OutOfRange",
                                                "Unimplemented",
                                                "Internal",
                                                "Unavailable",
                                                "DataLoss",
                                                "Unauthenticated"};

constexpr absl::string_view kOperationNames[] = {"create", "fetch", "list",
                                                 "delete", "other"};

int StatusSlot(int http_status) {
  if (http_status == 0) return 0;
  if (http_status < 100 || http_status > 599) return 1;
  return http_status;
}

int TransportReasonSlot(absl::string_view reason) {
  constexpr int kOther = std::size(kTransportReasonNames) - 1;
  for (int i = 0; i < kOther; ++i) {
    if (kTransportReasonNames[i] == reason) return i;
  }
  return kOther;
}

double Seconds(absl::Duration latency) {
  return absl::ToDoubleSeconds(latency);
}

}  // namespace

absl::string_view TwilioOperationName(TwilioOperation operation) {
  return kOperationNames[static_cast<int>(operation)];
}

absl::string_view GrpcCodeName(int code) {
  if (code < 0 || code >= GatewayMetrics::kGrpcCodes) return "Unknown";
  return kGrpcCodeNames[code];
}

GatewayMetrics::RpcMetrics::RpcMetrics() : latency(kLatencyBounds) {}

GatewayMetrics::OperationMetrics::OperationMetrics()
    : latency(kLatencyBounds) {}

GatewayMetrics::GatewayMetrics()
    : in_flight_(kMaxAccounts, "other"), retries_(kMaxRetryReasons, "other") {}

int GatewayMetrics::RpcIndex(absl::string_view rpc) {
  for (size_t i = 0; i < kRpcs.size(); ++i) {
    if (kRpcs[i] == rpc) return static_cast<int>(i);
  }
  return -1;
}

void GatewayMetrics::RpcStarted(int rpc) {
  if (rpc < 0 || rpc >= static_cast<int>(kRpcs.size())) return;
  rpcs_[rpc].started.Increment();
}

void GatewayMetrics::RpcHandled(int rpc, int grpc_code,
                                absl::Duration latency) {
  if (rpc < 0 || rpc >= static_cast<int>(kRpcs.size())) return;
  // An out-of-range code is gRPC's UNKNOWN, as gRPC itself treats it.
  if (grpc_code < 0 || grpc_code >= kGrpcCodes) grpc_code = 2;
  rpcs_[rpc].handled[grpc_code].Increment();
  rpcs_[rpc].latency.Observe(Seconds(latency));
}

Gauge* GatewayMetrics::CallsInFlight(absl::string_view account_sid) {
  return in_flight_.Get(account_sid);
}

void GatewayMetrics::TwilioRequestDone(TwilioOperation operation,
                                       int http_status,
                                       absl::string_view reason,
                                       absl::Duration latency) {
  OperationMetrics& metrics = operations_[static_cast<int>(operation)];
  metrics.by_status[StatusSlot(http_status)].Increment();
  if (http_status == 0) {
    metrics.errors[TransportReasonSlot(reason)].Increment();
  }
  metrics.latency.Observe(Seconds(latency));
}

void GatewayMetrics::TwilioRetry(absl::string_view reason) {
  retries_.Get(reason)->Increment();
}

void GatewayMetrics::CredentialReload(bool success) {
  (success ? reloads_succeeded_ : reloads_failed_).Increment();
}

std::string GatewayMetrics::Render() const {
  TextWriter out;
  RenderRpcs(out);
  RenderTwilio(out);

  out.Family("gateway_credential_reloads_total", "counter",
             "Reloads of the credentials file, by result; a failed reload "
             "keeps the credentials loaded before.");
  out.Sample("gateway_credential_reloads_total", {{"result", "success"}},
             reloads_succeeded_.Value());
  out.Sample("gateway_credential_reloads_total", {{"result", "failure"}},
             reloads_failed_.Value());
  return out.Release();
}

void GatewayMetrics::RenderRpcs(TextWriter& out) const {
  // Every method and code is written, zero or not, so rate() and alerts
  // work from the first scrape.
  out.Family("grpc_server_started_total", "counter",
             "RPCs started on the server.");
  for (size_t i = 0; i < kRpcs.size(); ++i) {
    out.Sample("grpc_server_started_total",
               {{"grpc_service", kService},
                {"grpc_method", kRpcs[i]},
                {"grpc_type", "unary"}},
               rpcs_[i].started.Value());
  }

  out.Family("grpc_server_handled_total", "counter",
             "RPCs completed on the server, by gRPC status code.");
  for (size_t i = 0; i < kRpcs.size(); ++i) {
    for (int code = 0; code < kGrpcCodes; ++code) {
      out.Sample("grpc_server_handled_total",
                 {{"grpc_service", kService},
                  {"grpc_method", kRpcs[i]},
                  {"grpc_type", "unary"},
                  {"grpc_code", kGrpcCodeNames[code]}},
                 rpcs_[i].handled[code].Value());
    }
  }

  out.Family("grpc_server_handling_seconds", "histogram",
             "Time from an RPC's arrival to its status, in seconds.");
  for (size_t i = 0; i < kRpcs.size(); ++i) {
    out.HistogramSamples("grpc_server_handling_seconds",
                         {{"grpc_service", kService},
                          {"grpc_method", kRpcs[i]},
                          {"grpc_type", "unary"}},
                         rpcs_[i].latency);
  }

  out.Family("gateway_calls_in_flight", "gauge",
             "RPCs waiting for Twilio, by the account they act for.");
  in_flight_.ForEach([&out](const std::string& account, const Gauge& gauge) {
    out.Sample("gateway_calls_in_flight", {{"account_sid", account}},
               gauge.Value());
  });
}

void GatewayMetrics::RenderTwilio(TextWriter& out) const {
  // Only pairs that happened are written: 600 statuses per operation would
  // be mostly zeros.
  out.Family("twilio_requests_total", "counter",
             "HTTP requests sent to Twilio, each attempt counted, by "
             "operation and HTTP status (\"none\" when no answer came).");
  for (int op = 0; op < kOperations; ++op) {
    const absl::string_view operation = kOperationNames[op];
    for (int slot = 0; slot < kStatusSlots; ++slot) {
      const uint64_t value = operations_[op].by_status[slot].Value();
      if (value == 0) continue;
      const std::string status = slot == 0   ? std::string("none")
                                 : slot == 1 ? std::string("other")
                                             : absl::StrCat(slot);
      out.Sample("twilio_requests_total",
                 {{"operation", operation}, {"http_status", status}}, value);
    }
  }

  out.Family("twilio_request_duration_seconds", "histogram",
             "Time of one HTTP attempt to Twilio, in seconds.");
  for (int op = 0; op < kOperations; ++op) {
    const bool other = op == static_cast<int>(TwilioOperation::kOther);
    if (other && operations_[op].latency.Read().count == 0) continue;
    out.HistogramSamples("twilio_request_duration_seconds",
                         {{"operation", kOperationNames[op]}},
                         operations_[op].latency);
  }

  out.Family("twilio_request_errors_total", "counter",
             "HTTP attempts to Twilio that got no answer, by the transport's "
             "reason.");
  for (int op = 0; op < kOperations; ++op) {
    for (int reason = 0; reason < kTransportReasons; ++reason) {
      const uint64_t value = operations_[op].errors[reason].Value();
      if (value == 0) continue;
      out.Sample("twilio_request_errors_total",
                 {{"operation", kOperationNames[op]},
                  {"reason", kTransportReasonNames[reason]}},
                 value);
    }
  }

  out.Family("twilio_retries_total", "counter",
             "Requests to Twilio tried again, by the reason for the retry.");
  retries_.ForEach([&out](const std::string& reason, const Counter& counter) {
    out.Sample("twilio_retries_total", {{"reason", reason}}, counter.Value());
  });
}

}  // namespace twilio_gateway::metrics
