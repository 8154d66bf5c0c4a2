#include "service/twilio/twilio_client.h"

#include <sys/utsname.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/common/json_log.h"
#include "service/twilio/mapping_decoder.h"
#include "service/twilio/rest_paths.h"
#include "service/twilio/retry_after.h"
#include "service/twilio/retry_policy.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

using ::twilio_gateway::sip::v1::CredentialListMapping;

// Retry-After values beyond this are read as this; the deadline bounds the
// wait anyway.
constexpr absl::Duration kMaxRetryAfter = absl::Hours(1);

// Percent-encodes a form value: everything but RFC 3986's unreserved
// characters.
std::string FormEncode(absl::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

void LogDecodeWarnings(const std::vector<std::string>& warnings,
                       absl::string_view operation,
                       absl::string_view request_id) {
  for (const std::string& warning : warnings) {
    LogLine(spdlog::level::warn, warning)
        .Field("operation", operation)
        .Field("twilio_request_id", request_id);
  }
}

}  // namespace

std::string MakeUserAgent(absl::string_view version,
                          absl::string_view runtime) {
  std::string os = "unknown";
  std::string arch = "unknown";
  struct utsname name;
  if (uname(&name) == 0) {
    os = absl::AsciiStrToLower(name.sysname);
    arch = name.machine;
  }
  return absl::StrCat("twilio-gateway/", version, " (", os, " ", arch, ") ",
                      runtime);
}

// One operation from its first attempt to `done`: the retry loop.
//
// A Call is owned by whatever waits for it next (the limiter's queue, a
// transfer, a timer), so exactly one of them holds it at any time and no
// lock is needed. Every path ends in Finish, which runs `done` once.
struct TwilioClient::Call {
  TwilioClient* client = nullptr;
  Operation operation = Operation::kFetch;
  // "fetch mapping CL… of domain SD…", the start of every error message.
  std::string description;
  HttpRequest request;
  // Create only: the fetch that checks whether an unclear POST took effect.
  HttpRequest verify;
  Decode decode;
  Done done;
  CallReport report;
  std::string account;
  absl::Time deadline = absl::InfiniteFuture();
  uint64_t cancel_key = 0;
  std::shared_ptr<CallCancellation> cancellation;

  // The next attempt is the check of an unclear create.
  bool verifying = false;
  // An earlier attempt may have taken effect without an answer.
  bool unclear = false;
  // Retries scheduled so far: the backoff's exponent.
  int retries = 0;
  // When the attempt in flight gives up, at the latest.
  absl::Time attempt_deadline = absl::InfiniteFuture();
  // Create only: why the last POST's outcome was unclear.
  absl::Status create_error;

  absl::Time Now() const { return client->options_.clock(); }

  bool Cancelled() const {
    return cancellation != nullptr && cancellation->cancelled();
  }

  // Waits for a slot of the account, then sends.
  static void Attempt(std::unique_ptr<Call> call) {
    if (call->Cancelled()) {
      FinishCancelled(std::move(call));
      return;
    }
    if (call->Now() >= call->deadline) {
      Fail(std::move(call),
           WithReason(absl::DeadlineExceededError(
                          "the deadline passed before Twilio could be asked"),
                      "UPSTREAM_TIMEOUT"),
           StopReason::kDeadline);
      return;
    }
    std::shared_ptr<ConcurrencyLimiter> limiter = call->client->limiter_;
    HttpTransport* transport = call->client->transport_.get();
    const std::string account = call->account;
    const absl::Time deadline = call->deadline;
    const uint64_t cancel_key = call->cancel_key;
    std::shared_ptr<CallCancellation> cancellation = call->cancellation;

    const ConcurrencyLimiter::Ticket ticket = limiter->Acquire(
        account, [call = std::move(call)](absl::Status admitted) mutable {
          if (admitted.ok()) {
            Send(std::move(call));
          } else if (call->Cancelled()) {
            FinishCancelled(std::move(call));
          } else {
            const StopReason why =
                admitted.code() == absl::StatusCode::kDeadlineExceeded
                    ? StopReason::kDeadline
                    : StopReason::kFinal;
            Fail(std::move(call), std::move(admitted), why);
          }
        });
    if (ticket == 0) return;
    // Queued: the wait ends at the deadline, or earlier on cancellation.
    transport->RunAfter(
        deadline, cancel_key,
        [limiter, account, ticket, cancellation = std::move(cancellation)] {
          absl::Status status =
              cancellation != nullptr && cancellation->cancelled()
                  ? absl::CancelledError("the call was cancelled")
                  : WithReason(absl::DeadlineExceededError(absl::StrCat(
                                   "no slot for account ", account,
                                   " freed up before the deadline")),
                               "ACCOUNT_QUEUE_TIMEOUT");
          limiter->Abandon(account, ticket, std::move(status));
        });
  }

  // Holds a slot: sends one request and gives the slot back on the answer.
  static void Send(std::unique_ptr<Call> call) {
    ++call->report.attempts;
    // Each attempt sends a copy, so a later attempt can send the same bytes.
    HttpRequest request = call->verifying ? call->verify : call->request;
    call->attempt_deadline = std::min(
        call->deadline, call->Now() + call->client->options_.attempt_timeout);
    request.deadline = call->attempt_deadline;
    request.cancel_key = call->cancel_key;
    HttpTransport* transport = call->client->transport_.get();
    transport->Send(
        std::move(request),
        [call = std::move(call)](absl::StatusOr<HttpResponse> result) mutable {
          call->client->limiter_->Release(call->account);
          OnAnswer(std::move(call), std::move(result));
        });
  }

  static void OnAnswer(std::unique_ptr<Call> call,
                       absl::StatusOr<HttpResponse> result) {
    if (call->Cancelled()) {
      FinishCancelled(std::move(call));
      return;
    }
    if (result.ok()) {
      call->report.http_status = result->status;
      call->report.twilio_request_id =
          std::string(result->Header("twilio-request-id"));
    } else {
      result = call->TransportError(result.status());
    }
    if (call->verifying) {
      OnVerifyAnswer(std::move(call), std::move(result));
      return;
    }

    const AttemptClass outcome = ClassifyAttempt(call->operation, result);
    if (call->operation == Operation::kDelete && result.ok() &&
        DeleteNotFoundIsSuccess(result->status, call->unclear)) {
      // An earlier attempt whose answer was lost deleted it.
      Finish(std::move(call), absl::OkStatus());
      return;
    }
    call->unclear = call->unclear || outcome.unclear;
    switch (outcome.verdict) {
      case Verdict::kFinal:
        FinishWithAnswer(std::move(call), result);
        return;
      case Verdict::kVerifyCreate:
        call->verifying = true;
        call->create_error = Describe(call.get(), result);
        [[fallthrough]];
      case Verdict::kRetry:
        Retry(std::move(call), result);
        return;
    }
  }

  // The answer to the fetch after an unclear create: the mapping is there
  // (the create took effect: that is the result), absent (send the POST
  // again), or still unknown (check again later).
  static void OnVerifyAnswer(std::unique_ptr<Call> call,
                             absl::StatusOr<HttpResponse> result) {
    if (result.ok() && result->status == 200) {
      FinishWithAnswer(std::move(call), result);
      return;
    }
    if (result.ok() && result->status == 404) {
      // Not created: the POST goes again at once, as a retry. Should the
      // loop stop here, the caller sees the POST's own failure, not the
      // fetch's 404.
      call->verifying = false;
      absl::Status last = call->create_error;
      Schedule(std::move(call), absl::ZeroDuration(), std::move(last),
               "create_not_applied");
      return;
    }
    if (ClassifyAttempt(Operation::kFetch, result).verdict == Verdict::kRetry) {
      Retry(std::move(call), result);
      return;
    }
    FinishWithAnswer(std::move(call), result);
  }

  // A failed attempt that may be repeated: waits as Twilio asks
  // (Retry-After) or as the backoff says, within the limits.
  static void Retry(std::unique_ptr<Call> call,
                    const absl::StatusOr<HttpResponse>& result) {
    ++call->retries;
    absl::Duration wait = call->client->backoff_.Delay(call->retries);
    if (result.ok()) {
      const std::optional<absl::Duration> asked = ParseRetryAfter(
          result->Header("retry-after"), call->Now(), kMaxRetryAfter);
      if (asked.has_value()) wait = *asked;
    }
    absl::Status last = Describe(call.get(), result);
    Schedule(std::move(call), wait, std::move(last), RetryReason(result));
  }

  static void Schedule(std::unique_ptr<Call> call, absl::Duration wait,
                       absl::Status last, absl::string_view reason) {
    const absl::Time next = call->Now() + wait;
    const RetryStopPolicy stop(call->client->options_.max_attempts,
                               call->deadline);
    if (std::optional<StopReason> why =
            stop.Check(call->report.attempts, next)) {
      Fail(std::move(call), std::move(last), *why);
      return;
    }
    if (!call->client->budget_.TryRetry()) {
      absl::Status status = WithReason(
          absl::UnavailableError(absl::StrCat(
              "Twilio is failing too many requests to retry this one (",
              last.message(), ")")),
          "RETRY_BUDGET_EXHAUSTED");
      Fail(std::move(call), std::move(status), StopReason::kBudgetExhausted);
      return;
    }
    if (call->client->options_.on_retry)
      call->client->options_.on_retry(reason);
    HttpTransport* transport = call->client->transport_.get();
    const uint64_t cancel_key = call->cancel_key;
    transport->RunAfter(next, cancel_key, [call = std::move(call)]() mutable {
      Attempt(std::move(call));
    });
  }

  // The transport's failure, named after the operation. A timeout that is
  // the attempt's own, not the call's deadline, means Twilio did not answer
  // in time: UNAVAILABLE, as a retry may still succeed.
  absl::Status TransportError(const absl::Status& error) const {
    absl::StatusCode code = error.code();
    if (code == absl::StatusCode::kDeadlineExceeded &&
        attempt_deadline < deadline) {
      code = absl::StatusCode::kUnavailable;
    }
    absl::Status status(code, absl::StrCat(description, ": ", error.message()));
    if (auto payload = GetGatewayError(error))
      SetGatewayError(status, *payload);
    return status;
  }

  // The error an answer stands for, as the caller would see it.
  static absl::Status Describe(const Call* call,
                               const absl::StatusOr<HttpResponse>& result) {
    if (!result.ok()) return result.status();
    return TwilioErrorToStatus(result->status, result->body,
                               call->report.twilio_request_id,
                               call->description);
  }

  static std::string RetryReason(const absl::StatusOr<HttpResponse>& result) {
    if (result.ok()) return absl::StrCat("http_", result->status);
    const auto error = GetGatewayError(result.status());
    return error.has_value() ? absl::AsciiStrToLower(error->reason())
                             : "unknown";
  }

  static void FinishWithAnswer(std::unique_ptr<Call> call,
                               const absl::StatusOr<HttpResponse>& result) {
    if (!result.ok()) {
      Fail(std::move(call), result.status(), StopReason::kFinal);
      return;
    }
    const HttpResponse& response = *result;
    if (response.status < 200 || response.status > 299) {
      Fail(std::move(call), Describe(call.get(), result), StopReason::kFinal);
      return;
    }
    absl::Status decoded = call->decode(response);
    if (!decoded.ok()) {
      absl::Status status(decoded.code(), absl::StrCat(call->description, ": ",
                                                       decoded.message()));
      internal::v1::GatewayError error;
      error.set_reason("TWILIO_BAD_RESPONSE");
      error.set_http_status(response.status);
      error.set_twilio_request_id(call->report.twilio_request_id);
      SetGatewayError(status, error);
      Fail(std::move(call), std::move(status), StopReason::kFinal);
      return;
    }
    Finish(std::move(call), absl::OkStatus());
  }

  static void FinishCancelled(std::unique_ptr<Call> call) {
    absl::Status status =
        WithReason(absl::CancelledError(absl::StrCat(
                       call->description, ": the call was cancelled")),
                   "UPSTREAM_CANCELLED");
    Fail(std::move(call), std::move(status), StopReason::kCancelled);
  }

  // Ends with `error`, its message completed with the attempts made and why
  // the loop stopped.
  static void Fail(std::unique_ptr<Call> call, absl::Status error,
                   StopReason why) {
    const int attempts = call->report.attempts;
    // Errors raised before an attempt do not name the operation yet.
    if (!absl::StartsWith(error.message(), call->description)) {
      absl::Status named(
          error.code(), absl::StrCat(call->description, ": ", error.message()));
      if (auto payload = GetGatewayError(error)) {
        SetGatewayError(named, *payload);
      }
      error = std::move(named);
    }
    absl::Status status(
        error.code(),
        absl::StrCat(error.message(), " (", attempts,
                     attempts == 1 ? " attempt" : " attempts",
                     ", stopped because ", StopReasonText(why), ")"));
    if (auto payload = GetGatewayError(error))
      SetGatewayError(status, *payload);
    Finish(std::move(call), std::move(status));
  }

  static void Finish(std::unique_ptr<Call> call, absl::Status status) {
    Done done = std::move(call->done);
    CallReport report = std::move(call->report);
    call.reset();
    std::move(done)(std::move(status), report);
  }
};

namespace {

// A uniform source of values in [0, 1) that any thread may draw from.
std::function<double()> DefaultRandom() {
  struct Source {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> uniform{0.0, 1.0};
  };
  auto source = std::make_shared<Source>();
  return [source] {
    std::lock_guard<std::mutex> lock(source->mu);
    return source->uniform(source->engine);
  };
}

TwilioClientOptions WithDefaults(TwilioClientOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  if (!options.random) options.random = DefaultRandom();
  return options;
}

}  // namespace

TwilioClient::TwilioClient(std::shared_ptr<HttpTransport> transport,
                           TwilioClientOptions options)
    : transport_(std::move(transport)),
      options_(WithDefaults(std::move(options))),
      user_agent_header_(absl::StrCat("User-Agent: ", options_.user_agent)),
      backoff_(options_.backoff, options_.random),
      budget_(options_.retry_budget, options_.clock),
      limiter_(std::make_shared<ConcurrencyLimiter>(options_.concurrency)) {}

HttpRequest TwilioClient::BaseRequest(const CallScope& scope, HttpMethod method,
                                      std::string path_and_query) const {
  HttpRequest request;
  request.method = method;
  request.url = absl::StrCat(options_.base_url, path_and_query);
  request.deadline = scope.deadline;
  request.headers.reserve(5);
  request.headers.push_back(user_agent_header_);
  request.headers.push_back("Accept: application/json");
  request.headers.push_back("Accept-Charset: utf-8");
  request.headers.push_back(
      absl::StrCat("Authorization: ", scope.authorization));
  return request;
}

void TwilioClient::Start(Operation operation, const CallScope& scope,
                         HttpRequest request, HttpRequest verify,
                         std::string description, Decode decode, Done done) {
  auto call = std::make_unique<Call>();
  call->client = this;
  call->operation = operation;
  call->description = std::move(description);
  call->request = std::move(request);
  call->verify = std::move(verify);
  call->decode = std::move(decode);
  call->done = std::move(done);
  call->account = std::string(scope.account_sid);
  call->deadline = scope.deadline;
  call->cancel_key = next_cancel_key_.fetch_add(1, std::memory_order_relaxed);
  call->cancellation = scope.cancellation;
  budget_.RecordCall();
  if (call->cancellation != nullptr) {
    // Ends the transfer in flight and cuts short any wait of this call.
    call->cancellation->OnCancel(
        [transport = transport_.get(), key = call->cancel_key] {
          transport->Cancel(key);
        });
  }
  Call::Attempt(std::move(call));
}

void TwilioClient::CreateMapping(const CallScope& scope,
                                 absl::string_view credential_list_sid,
                                 CredentialListMapping* out, Done done) {
  HttpRequest request = BaseRequest(
      scope, HttpMethod::kPost,
      MappingCollectionJsonPath(scope.account_sid, scope.domain_sid));
  request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  request.body =
      absl::StrCat("CredentialListSid=", FormEncode(credential_list_sid));
  std::string operation =
      absl::StrCat("create mapping of ", credential_list_sid, " on domain ",
                   scope.domain_sid);
  // After an unclear outcome, this fetch tells whether the POST took
  // effect; its answer decodes like the POST's own.
  HttpRequest verify =
      BaseRequest(scope, HttpMethod::kGet,
                  MappingInstancePath(scope.account_sid, scope.domain_sid,
                                      credential_list_sid));
  Start(
      Operation::kCreate, scope, std::move(request), std::move(verify),
      operation,
      [out, domain = std::string(scope.domain_sid),
       operation](const HttpResponse& response) {
        std::vector<std::string> warnings;
        absl::Status status =
            DecodeMapping(response.body, domain, out, &warnings);
        LogDecodeWarnings(warnings, operation,
                          response.Header("twilio-request-id"));
        return status;
      },
      std::move(done));
}

void TwilioClient::FetchMapping(const CallScope& scope, absl::string_view sid,
                                CredentialListMapping* out, Done done) {
  HttpRequest request = BaseRequest(
      scope, HttpMethod::kGet,
      MappingInstancePath(scope.account_sid, scope.domain_sid, sid));
  std::string operation =
      absl::StrCat("fetch mapping ", sid, " of domain ", scope.domain_sid);
  Start(
      Operation::kFetch, scope, std::move(request), {}, operation,
      [out, domain = std::string(scope.domain_sid),
       operation](const HttpResponse& response) {
        std::vector<std::string> warnings;
        absl::Status status =
            DecodeMapping(response.body, domain, out, &warnings);
        LogDecodeWarnings(warnings, operation,
                          response.Header("twilio-request-id"));
        return status;
      },
      std::move(done));
}

void TwilioClient::ListMappings(
    const CallScope& scope, int page_size, absl::string_view next_page_query,
    google::protobuf::RepeatedPtrField<CredentialListMapping>* items,
    std::string* next_page_uri, Done done) {
  std::string path =
      MappingCollectionJsonPath(scope.account_sid, scope.domain_sid);
  if (!next_page_query.empty()) {
    absl::StrAppend(&path, "?", next_page_query);
  } else if (page_size > 0) {
    absl::StrAppend(&path, "?PageSize=", page_size);
  }
  HttpRequest request = BaseRequest(scope, HttpMethod::kGet, std::move(path));
  std::string operation =
      absl::StrCat("list mappings of domain ", scope.domain_sid);
  Start(
      Operation::kList, scope, std::move(request), {}, operation,
      [items, next_page_uri, domain = std::string(scope.domain_sid),
       operation](const HttpResponse& response) {
        std::vector<std::string> warnings;
        absl::Status status = DecodeMappingPage(response.body, domain, items,
                                                next_page_uri, &warnings);
        LogDecodeWarnings(warnings, operation,
                          response.Header("twilio-request-id"));
        return status;
      },
      std::move(done));
}

void TwilioClient::DeleteMapping(const CallScope& scope, absl::string_view sid,
                                 Done done) {
  HttpRequest request = BaseRequest(
      scope, HttpMethod::kDelete,
      MappingInstancePath(scope.account_sid, scope.domain_sid, sid));
  // Twilio answers 204 with no body; nothing to decode.
  Start(
      Operation::kDelete, scope, std::move(request), {},
      absl::StrCat("delete mapping ", sid, " of domain ", scope.domain_sid),
      [](const HttpResponse&) { return absl::OkStatus(); }, std::move(done));
}

}  // namespace twilio_gateway::twilio
