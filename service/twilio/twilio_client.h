#ifndef SERVICE_TWILIO_TWILIO_CLIENT_H_
#define SERVICE_TWILIO_TWILIO_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "service/twilio/backoff_policy.h"
#include "service/twilio/call_cancellation.h"
#include "service/twilio/concurrency_limiter.h"
#include "service/twilio/http_transport.h"
#include "service/twilio/idempotency_policy.h"
#include "service/twilio/retry_budget.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::twilio {

struct TwilioClientOptions {
  // From TwilioBaseUrl(): scheme and host, no trailing "/".
  std::string base_url = "https://api.twilio.com";
  // From MakeUserAgent().
  std::string user_agent;

  // Attempts per call in all: the first, the retries, and the fetches that
  // check whether an unclear create took effect.
  int max_attempts = 4;
  // The wait before each retry (exponential, full jitter), unless Twilio
  // says how long with Retry-After.
  BackoffOptions backoff;
  // Each attempt ends by then at the latest (and by the call's deadline),
  // so one request that Twilio never answers leaves time to try again.
  absl::Duration attempt_timeout = absl::Seconds(10);
  // The share of traffic retries may add (see RetryBudget).
  RetryBudgetOptions retry_budget;
  // Requests in flight and waiting per account (see ConcurrencyLimiter).
  ConcurrencyOptions concurrency;

  // Runs once per retry, just before its wait, with why the previous
  // attempt failed: "http_429", "http_503", "upstream_not_sent",
  // "upstream_connection_lost", "upstream_timeout", ... (a small, fixed
  // set, fit for a metric label). Runs on the transport's thread; must not
  // block.
  std::function<void(absl::string_view reason)> on_retry;
  // Injected for tests; default absl::Now and a seeded generator of
  // uniform values in [0, 1).
  std::function<absl::Time()> clock;
  std::function<double()> random;
};

// "twilio-gateway/{version} ({os} {arch}) {runtime}", the pattern of
// Twilio's own libraries, for example
// "twilio-gateway/0.1.0 (linux x86_64) libcurl/7.88.1".
std::string MakeUserAgent(absl::string_view version, absl::string_view runtime);

// Who a call acts for and until when. The views need only live until the
// call returns: the request is built before it does.
struct CallScope {
  // The account in the request path.
  absl::string_view account_sid;
  // The whole Authorization header value, "Basic …". Never logged.
  absl::string_view authorization;
  absl::string_view domain_sid;
  // Every attempt ends by then.
  absl::Time deadline = absl::InfiniteFuture();
  // When set, cancelling it ends the call early with CANCELLED.
  std::shared_ptr<CallCancellation> cancellation;
};

// What happened on the wire, for logs and error details.
struct CallReport {
  int attempts = 0;
  // Of the last answer; 0 when none arrived.
  int http_status = 0;
  std::string twilio_request_id;
};

// Twilio's REST API for SIP registration CredentialListMappings. Each
// operation sends its request through the transport, retrying when that is
// safe, and decodes the answer into the caller's message; `done` runs once
// the outcome is known (on the transport's thread, or on the caller's when
// the call fails before anything is sent), and the output must stay alive
// until then.
//
// Retries (three parts, each in its own file): RetryStopPolicy says when to
// stop (attempts, deadline), ExponentialBackoff how long to wait, and
// ClassifyAttempt what may be repeated. A create whose outcome is unclear
// is never resent blindly: the client first fetches the mapping, and only
// when it is absent sends the POST again. Waits are timers on the
// transport's loop. Retry-After is honoured; a wait that would pass the
// deadline ends the call at once with the last answer's error. Retries
// take from a RetryBudget, and every request waits for a slot of its
// account in a ConcurrencyLimiter.
//
// The client and its transport must outlive every call in flight.
//
// Errors: Twilio's error answers become the codes of TwilioErrorToStatus;
// transport failures keep the transport's codes, except that an attempt
// timeout before the call's deadline is UNAVAILABLE; a success answer whose
// body is not what Twilio's spec says is INTERNAL; a spent retry budget is
// UNAVAILABLE (RETRY_BUDGET_EXHAUSTED); a full account queue is
// RESOURCE_EXHAUSTED (ACCOUNT_QUEUE_FULL); a cancelled call is CANCELLED.
// Each carries a GatewayError payload, and the message ends by saying how
// many attempts were made and why the loop stopped.
class TwilioClient {
 public:
  using Done = absl::AnyInvocable<void(absl::Status, const CallReport&) &&>;

  TwilioClient(std::shared_ptr<HttpTransport> transport,
               TwilioClientOptions options);

  // POST {collection}.json with CredentialListSid.
  void CreateMapping(const CallScope& scope,
                     absl::string_view credential_list_sid,
                     twilio_gateway::sip::v1::CredentialListMapping* out,
                     Done done);

  // GET {collection}/{sid}.json.
  void FetchMapping(const CallScope& scope, absl::string_view sid,
                    twilio_gateway::sip::v1::CredentialListMapping* out,
                    Done done);

  // GET {collection}.json, either the first page (`page_size` 0 leaves the
  // size to Twilio) or, when `next_page_query` is not empty, the page that
  // query names: Twilio's next_page_uri query, sent byte for byte. Items are
  // appended to `items`; `next_page_uri` receives Twilio's link to the page
  // after, "" on the last page.
  void ListMappings(const CallScope& scope, int page_size,
                    absl::string_view next_page_query,
                    google::protobuf::RepeatedPtrField<
                        twilio_gateway::sip::v1::CredentialListMapping>* items,
                    std::string* next_page_uri, Done done);

  // DELETE {collection}/{sid}.json.
  void DeleteMapping(const CallScope& scope, absl::string_view sid, Done done);

  const std::string& base_url() const { return options_.base_url; }

  // For tests and metrics.
  const ConcurrencyLimiter& limiter() const { return *limiter_; }

 private:
  struct Call;
  using Decode = absl::AnyInvocable<absl::Status(const HttpResponse&)>;

  HttpRequest BaseRequest(const CallScope& scope, HttpMethod method,
                          std::string path_and_query) const;
  // `verify` is the fetch that checks an unclear create; empty otherwise.
  void Start(Operation operation, const CallScope& scope, HttpRequest request,
             HttpRequest verify, std::string description, Decode decode,
             Done done);

  std::shared_ptr<HttpTransport> transport_;
  TwilioClientOptions options_;
  std::string user_agent_header_;
  ExponentialBackoff backoff_;
  RetryBudget budget_;
  // Shared with the timers that end waits for a slot, which may outlive a
  // call.
  std::shared_ptr<ConcurrencyLimiter> limiter_;
  std::atomic<uint64_t> next_cancel_key_{1};
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_TWILIO_CLIENT_H_
