#include "service/twilio/metered_transport.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

constexpr absl::string_view kCollection = "/CredentialListMappings";

// The path of an absolute URL: from the first "/" after the host up to a
// query or fragment.
absl::string_view PathOf(absl::string_view url) {
  const size_t scheme = url.find("://");
  const size_t host = scheme == absl::string_view::npos ? 0 : scheme + 3;
  const size_t slash = url.find('/', host);
  if (slash == absl::string_view::npos) return "/";
  absl::string_view path = url.substr(slash);
  return path.substr(0, path.find_first_of("?#"));
}

}  // namespace

metrics::TwilioOperation OperationOf(HttpMethod method, absl::string_view url) {
  switch (method) {
    case HttpMethod::kPost:
      return metrics::TwilioOperation::kCreate;
    case HttpMethod::kDelete:
      return metrics::TwilioOperation::kDelete;
    case HttpMethod::kGet:
      break;
  }
  const absl::string_view path = PathOf(url);
  if (absl::EndsWith(path, absl::StrCat(kCollection, ".json"))) {
    return metrics::TwilioOperation::kList;
  }
  // ".../CredentialListMappings/{sid}.json": one segment after the
  // collection.
  const size_t collection = path.rfind(absl::StrCat(kCollection, "/"));
  if (collection != absl::string_view::npos) {
    const absl::string_view item =
        path.substr(collection + kCollection.size() + 1);
    if (absl::EndsWith(item, ".json") && item.size() > 5 &&
        item.find('/') == absl::string_view::npos) {
      return metrics::TwilioOperation::kFetch;
    }
  }
  return metrics::TwilioOperation::kOther;
}

MeteredTransport::MeteredTransport(
    std::shared_ptr<HttpTransport> inner,
    std::shared_ptr<metrics::GatewayMetrics> metrics,
    std::function<absl::Time()> clock)
    : inner_(std::move(inner)),
      meter_(std::make_shared<const Meter>(
          Meter{std::move(metrics), std::move(clock)})) {}

void MeteredTransport::Send(HttpRequest request, Callback done) {
  const metrics::TwilioOperation operation =
      OperationOf(request.method, request.url);
  const absl::Time start = meter_->clock();
  inner_->Send(std::move(request),
               [meter = meter_, operation, start, done = std::move(done)](
                   absl::StatusOr<HttpResponse> response) mutable {
                 const absl::Duration latency = meter->clock() - start;
                 if (response.ok()) {
                   meter->metrics->TwilioRequestDone(
                       operation, response->status, "", latency);
                 } else {
                   const std::optional<internal::v1::GatewayError> error =
                       GetGatewayError(response.status());
                   meter->metrics->TwilioRequestDone(
                       operation, 0, error ? error->reason() : "", latency);
                 }
                 std::move(done)(std::move(response));
               });
}

void MeteredTransport::RunAfter(absl::Time when, uint64_t cancel_key,
                                Task task) {
  inner_->RunAfter(when, cancel_key, std::move(task));
}

void MeteredTransport::Cancel(uint64_t cancel_key) {
  inner_->Cancel(cancel_key);
}

}  // namespace twilio_gateway::twilio
