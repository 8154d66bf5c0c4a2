#ifndef SERVICE_TWILIO_METERED_TRANSPORT_H_
#define SERVICE_TWILIO_METERED_TRANSPORT_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/gateway_metrics.h"
#include "service/twilio/http_transport.h"

namespace twilio_gateway::twilio {

// An HttpTransport that counts each attempt of the transport it wraps: by
// operation and HTTP status (or the failure reason when no answer came),
// and how long it took. It changes neither requests nor answers.
//
// Example:
//   auto metered = std::make_shared<MeteredTransport>(curl, metrics);
//   TwilioClient client(metered, options);
class MeteredTransport final : public HttpTransport {
 public:
  // `inner` and `metrics` must not be null. `clock` is for tests.
  MeteredTransport(std::shared_ptr<HttpTransport> inner,
                   std::shared_ptr<metrics::GatewayMetrics> metrics,
                   std::function<absl::Time()> clock = absl::Now);

  void Send(HttpRequest request, Callback done) override;
  // Passed on to the wrapped transport unchanged: timers are not requests.
  void RunAfter(absl::Time when, uint64_t cancel_key, Task task) override;
  void Cancel(uint64_t cancel_key) override;

 private:
  // Shared with each request's callback, so that a late answer finds it
  // even when the transport has gone.
  struct Meter {
    std::shared_ptr<metrics::GatewayMetrics> metrics;
    std::function<absl::Time()> clock;
  };

  std::shared_ptr<HttpTransport> inner_;
  std::shared_ptr<const Meter> meter_;
};

// Which mapping operation a request is: POST is create, DELETE is delete,
// GET of the collection (".../CredentialListMappings.json", with or without
// a query) is list, GET of one mapping (".../CredentialListMappings/
// {sid}.json") is fetch; anything else is other.
metrics::TwilioOperation OperationOf(HttpMethod method, absl::string_view url);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_METERED_TRANSPORT_H_
