#include "service/common/gateway_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/observability/sample_value.h"

namespace twilio_gateway::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::twilio_gateway::testing::SampleValue;

constexpr char kService[] =
    "grpc_service=\"twilio_gateway.sip.v1.CredentialListMappingService\"";

std::string Handled(absl::string_view method, absl::string_view code) {
  return absl::StrCat("grpc_server_handled_total{", kService, ",grpc_method=\"",
                      method, "\",grpc_type=\"unary\",grpc_code=\"", code,
                      "\"}");
}

std::string Started(absl::string_view method) {
  return absl::StrCat("grpc_server_started_total{", kService, ",grpc_method=\"",
                      method, "\",grpc_type=\"unary\"}");
}

TEST(GatewayMetricsTest, EveryMethodAndCodeIsThereFromTheStart) {
  GatewayMetrics metrics;
  const std::string text = metrics.Render();
  for (absl::string_view method : GatewayMetrics::kRpcs) {
    EXPECT_THAT(SampleValue(text, Started(method)), Optional(std::string("0")));
    for (int code = 0; code < GatewayMetrics::kGrpcCodes; ++code) {
      EXPECT_THAT(SampleValue(text, Handled(method, GrpcCodeName(code))),
                  Optional(std::string("0")))
          << method << " " << code;
    }
  }
  EXPECT_THAT(text, HasSubstr("# TYPE grpc_server_handling_seconds histogram"));
  EXPECT_THAT(SampleValue(text,
                          "gateway_credential_reloads_total{result="
                          "\"failure\"}"),
              Optional(std::string("0")));
}

TEST(GatewayMetricsTest, CountsCallsByMethodAndCode) {
  GatewayMetrics metrics;
  const int get = GatewayMetrics::RpcIndex("GetCredentialListMapping");
  ASSERT_GE(get, 0);
  metrics.RpcStarted(get);
  metrics.RpcStarted(get);
  metrics.RpcHandled(get, 0, absl::Milliseconds(20));
  metrics.RpcHandled(get, 5, absl::Seconds(2));

  const std::string text = metrics.Render();
  EXPECT_THAT(SampleValue(text, Started("GetCredentialListMapping")),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text, Handled("GetCredentialListMapping", "OK")),
              Optional(std::string("1")));
  EXPECT_THAT(
      SampleValue(text, Handled("GetCredentialListMapping", "NotFound")),
      Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text, Handled("ListCredentialListMappings", "OK")),
              Optional(std::string("0")));

  const std::string series = absl::StrCat(
      "grpc_server_handling_seconds_bucket{", kService,
      ",grpc_method=\"GetCredentialListMapping\",grpc_type=\"unary\",le=");
  EXPECT_THAT(SampleValue(text, series + "\"0.025\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text, series + "\"2.5\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text, series + "\"+Inf\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(
      SampleValue(text,
                  absl::StrCat("grpc_server_handling_seconds_sum{", kService,
                               ",grpc_method=\""
                               "GetCredentialListMapping\","
                               "grpc_type=\"unary\"}")),
      Optional(std::string("2.02")));
}

TEST(GatewayMetricsTest, UnknownMethodsAndCodesDoNotCorruptTheCounts) {
  GatewayMetrics metrics;
  EXPECT_EQ(GatewayMetrics::RpcIndex("NoSuchRpc"), -1);
  metrics.RpcStarted(-1);
  metrics.RpcHandled(-1, 0, absl::Seconds(1));
  metrics.RpcHandled(7, 0, absl::Seconds(1));
  const int create = GatewayMetrics::RpcIndex("CreateCredentialListMapping");
  metrics.RpcHandled(create, 99, absl::Seconds(1));  // counted as Unknown

  const std::string text = metrics.Render();
  EXPECT_THAT(
      SampleValue(text, Handled("CreateCredentialListMapping", "Unknown")),
      Optional(std::string("1")));
  EXPECT_THAT(text, Not(HasSubstr("NoSuchRpc")));
}

TEST(GatewayMetricsTest, CallsInFlightPerAccount) {
  GatewayMetrics metrics;
  Gauge* a = metrics.CallsInFlight("AC00000000000000000000000000000001");
  Gauge* b = metrics.CallsInFlight("AC00000000000000000000000000000002");
  a->Add(1);
  a->Add(1);
  b->Add(1);
  b->Add(-1);
  EXPECT_EQ(metrics.CallsInFlight("AC00000000000000000000000000000001"), a);

  const std::string text = metrics.Render();
  EXPECT_THAT(SampleValue(text,
                          "gateway_calls_in_flight{account_sid=\""
                          "AC00000000000000000000000000000001\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text,
                          "gateway_calls_in_flight{account_sid=\""
                          "AC00000000000000000000000000000002\"}"),
              Optional(std::string("0")));
}

TEST(GatewayMetricsTest, AccountsBeyondTheCapShareOneSeries) {
  GatewayMetrics metrics;
  for (size_t i = 0; i < GatewayMetrics::kMaxAccounts; ++i) {
    metrics.CallsInFlight(absl::StrFormat("AC%032x", i));
  }
  Gauge* late = metrics.CallsInFlight("AC" + std::string(32, 'f'));
  late->Add(1);
  EXPECT_EQ(metrics.CallsInFlight("AC" + std::string(32, 'e')), late);
  EXPECT_THAT(SampleValue(metrics.Render(),
                          "gateway_calls_in_flight{account_sid="
                          "\"other\"}"),
              Optional(std::string("1")));
}

TEST(GatewayMetricsTest, TwilioRequestsByOperationStatusAndReason) {
  GatewayMetrics metrics;
  metrics.TwilioRequestDone(TwilioOperation::kCreate, 201, "",
                            absl::Milliseconds(80));
  metrics.TwilioRequestDone(TwilioOperation::kCreate, 201, "",
                            absl::Milliseconds(80));
  metrics.TwilioRequestDone(TwilioOperation::kList, 503, "",
                            absl::Milliseconds(10));
  metrics.TwilioRequestDone(TwilioOperation::kFetch, 0, "UPSTREAM_TIMEOUT",
                            absl::Seconds(10));
  metrics.TwilioRequestDone(TwilioOperation::kFetch, 0, "SOMETHING_NEW",
                            absl::Seconds(1));
  metrics.TwilioRequestDone(TwilioOperation::kDelete, 42, "", absl::Seconds(1));

  const std::string text = metrics.Render();
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"create\","
                          "http_status=\"201\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"list\","
                          "http_status=\"503\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"fetch\","
                          "http_status=\"none\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_requests_total{operation=\"delete\","
                          "http_status=\"other\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_errors_total{operation="
                          "\"fetch\",reason=\"UPSTREAM_TIMEOUT\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_errors_total{operation="
                          "\"fetch\",reason=\"OTHER\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_duration_seconds_count{"
                          "operation=\"create\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(SampleValue(text,
                          "twilio_request_duration_seconds_bucket{"
                          "operation=\"create\",le=\"0.1\"}"),
              Optional(std::string("2")));
  // Nothing was counted as "other", so it is left out.
  EXPECT_THAT(text, Not(HasSubstr("operation=\"other\"")));
}

TEST(GatewayMetricsTest, RetriesAndCredentialReloads) {
  GatewayMetrics metrics;
  metrics.TwilioRetry("http_429");
  metrics.TwilioRetry("http_429");
  metrics.TwilioRetry("upstream_not_sent");
  metrics.CredentialReload(true);
  metrics.CredentialReload(false);
  metrics.CredentialReload(false);

  const std::string text = metrics.Render();
  EXPECT_THAT(SampleValue(text, "twilio_retries_total{reason=\"http_429\"}"),
              Optional(std::string("2")));
  EXPECT_THAT(
      SampleValue(text, "twilio_retries_total{reason=\"upstream_not_sent\"}"),
      Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "gateway_credential_reloads_total{result="
                          "\"success\"}"),
              Optional(std::string("1")));
  EXPECT_THAT(SampleValue(text,
                          "gateway_credential_reloads_total{result="
                          "\"failure\"}"),
              Optional(std::string("2")));
}

TEST(GrpcCodeNameTest, UsesGoNamesAndCoversOutOfRange) {
  EXPECT_EQ(GrpcCodeName(0), "OK");
  EXPECT_EQ(GrpcCodeName(1), "Canceled");
  EXPECT_EQ(GrpcCodeName(14), "Unavailable");
  EXPECT_EQ(GrpcCodeName(16), "Unauthenticated");
  EXPECT_EQ(GrpcCodeName(17), "Unknown");
  EXPECT_EQ(GrpcCodeName(-1), "Unknown");
}

}  // namespace
}  // namespace twilio_gateway::metrics
