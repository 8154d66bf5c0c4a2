#include "service/api/mapping_service.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/api/page_token.h"
#include "service/api/request_validation.h"
#include "service/api/status_mapping.h"
#include "service/auth/audit_log.h"
#include "service/auth/grpc_peer.h"
#include "service/common/json_log.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {

namespace v1 = ::twilio_gateway::sip::v1;

namespace {

// `status` with "validate only: " in front of its message, so that an error
// of the fetch standing in for the real call is not read as the real call's.
absl::Status ValidateOnlyError(const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status marked(status.code(),
                      absl::StrCat("validate only: ", status.message()));
  status.ForEachPayload(
      [&marked](absl::string_view type_url, const absl::Cord& payload) {
        marked.SetPayload(type_url, payload);
      });
  return marked;
}

// The outcome of a Create with validate_only, from a fetch of the mapping it
// would make: found means the real call would fail as a duplicate; NOT_FOUND
// means it would succeed, and `response` gets the names it would have.
// Twilio answers 404 as well for a domain the account does not have, which
// the real call would reject; a fetch cannot tell the two apart.
absl::Status ValidateOnlyCreateOutcome(absl::Status fetched,
                                       const twilio::CallReport& report,
                                       absl::string_view account_sid,
                                       absl::string_view domain_sid,
                                       absl::string_view credential_list_sid,
                                       v1::CredentialListMapping* response) {
  if (fetched.ok()) {
    absl::Status status = absl::AlreadyExistsError(
        absl::StrCat("validate only: credential list ", credential_list_sid,
                     " is already mapped to domain ", domain_sid));
    internal::v1::GatewayError error;
    error.set_reason("TWILIO_ALREADY_MAPPED");
    error.set_twilio_request_id(report.twilio_request_id);
    twilio::SetGatewayError(status, error);
    return status;
  }
  if (fetched.code() != absl::StatusCode::kNotFound) {
    return ValidateOnlyError(fetched);
  }
  response->Clear();
  response->set_sid(std::string(credential_list_sid));
  response->set_account_sid(std::string(account_sid));
  response->set_domain_sid(std::string(domain_sid));
  return absl::OkStatus();
}

}  // namespace

// What one RPC needs from start to finish: its reactor, what to log, and the
// credentials resolved for it. Deletes itself once gRPC is done with the
// reactor (OnDone). When the caller goes away, the deadline passes or the
// server's shutdown grace ends, gRPC calls OnCancel, which cancels the call
// to Twilio so that the reactor finishes at once.
class MappingService::Call final : public grpc::ServerUnaryReactor {
 public:
  Call(grpc::CallbackServerContext* context, absl::string_view rpc,
       absl::string_view account_sid, absl::string_view domain_sid,
       const MappingServiceOptions& options)
      : reactor_(this),
        rpc_(rpc),
        start_(absl::Now()),
        account_sid_(account_sid),
        domain_sid_(domain_sid),
        metrics_(options.metrics.get()),
        rpc_index_(metrics::GatewayMetrics::RpcIndex(rpc)) {
    // gRPC gives "no deadline" as the far future, which absl maps to
    // InfiniteFuture; either way the server's maximum applies.
    const absl::Time caller = absl::FromChrono(context->deadline());
    deadline_ = std::min(caller, start_ + options.max_call_timeout);
    if (metrics_ != nullptr) metrics_->RpcStarted(rpc_index_);
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }

  // Checks who is calling and whether they may do `operation` on the
  // account before anything else is looked at, so a refused caller learns
  // nothing about what exists. `sid` names the mapping, for the audit log.
  // Finishes the call and returns false when it is refused; a null `access`
  // admits everyone.
  bool Admit(const auth::AccessControl* access,
             const credentials::CredentialStore& store,
             grpc::CallbackServerContext* context, auth::Operation operation,
             absl::string_view sid) {
    audited_ = operation == auth::Operation::kWrite;
    sid_ = std::string(sid);
    if (access == nullptr) return true;
    const auth::PeerFacts peer = auth::PeerFactsFrom(*context);
    peer_ = peer.address;
    // A call that names no account acts on the default one; the policy is
    // asked about that, and Scope then resolves the same account even if a
    // reload changes the default meanwhile.
    if (account_sid_.empty()) {
      account_sid_ = store.Current()->default_account_sid();
    }
    auth::AccessDecision decision =
        access->Check(peer, operation, account_sid_);
    caller_ = std::move(decision.caller);
    LogLine(spdlog::level::debug, "access checked")
        .Field("rpc", rpc_)
        .Field("caller", auth::CallerLogName(caller_))
        .Field("via", auth::ViaName(caller_.via))
        .Field("operation", auth::OperationName(operation))
        .Field("account_sid", account_sid_)
        .Field("code", absl::StatusCodeToString(decision.status.code()));
    if (decision.status.ok()) return true;
    Finish(twilio::WithReason(decision.status, decision.reason), {});
    return false;
  }

  // Resolves the account, then builds the scope of the upstream call.
  absl::StatusOr<twilio::CallScope> Scope(
      const credentials::CredentialStore& store) {
    // The snapshot is kept for the call so the credential's strings stay
    // valid even if a reload swaps in another.
    snapshot_ = store.Current();
    absl::StatusOr<credentials::AccountCredential> credential =
        snapshot_->Resolve(account_sid_);
    if (!credential.ok()) {
      switch (credential.status().code()) {
        case absl::StatusCode::kPermissionDenied:
          return twilio::WithReason(credential.status(),
                                    "NO_CREDENTIALS_FOR_ACCOUNT");
        case absl::StatusCode::kFailedPrecondition:
          return twilio::WithReason(credential.status(), "NO_DEFAULT_ACCOUNT");
        default:
          return twilio::WithReason(credential.status(), "INVALID_SID");
      }
    }
    credential_ = *std::move(credential);
    account_sid_ = credential_.account_sid;
    // Counted from here, where the account is known to be one the gateway
    // holds, so the gauge's label values stay among the configured ones.
    if (metrics_ != nullptr && in_flight_ == nullptr) {
      in_flight_ = metrics_->CallsInFlight(account_sid_);
      in_flight_->Add(1);
    }
    twilio::CallScope scope;
    scope.account_sid = credential_.account_sid;
    scope.authorization = credential_.authorization_header;
    scope.domain_sid = domain_sid_;
    scope.deadline = deadline_;
    scope.cancellation = cancellation_;
    return scope;
  }

  // The steps every RPC takes before it calls Twilio, in this order: admit
  // the caller, check the request, resolve the account. Returns the scope of
  // the upstream call, or nothing when the call is already finished with an
  // error.
  template <typename Request>
  std::optional<twilio::CallScope> Begin(
      const MappingServiceOptions& options,
      const credentials::CredentialStore& store,
      grpc::CallbackServerContext* context, const Request& request,
      auth::Operation operation, absl::string_view sid) {
    if (!Admit(options.access.get(), store, context, operation, sid)) {
      return std::nullopt;
    }
    if (absl::Status valid = ValidateRequest(request); !valid.ok()) {
      Finish(valid, {});
      return std::nullopt;
    }
    absl::StatusOr<twilio::CallScope> scope = Scope(store);
    if (!scope.ok()) {
      Finish(scope.status(), {});
      return std::nullopt;
    }
    return *std::move(scope);
  }

  const std::string& account_sid() const { return account_sid_; }

  // Logged, so that a dry run is not read as a change.
  void MarkValidateOnly() { validate_only_ = true; }

  // The callback the Twilio client runs when the call is over.
  twilio::TwilioClient::Done Done() {
    return [this](absl::Status status, const twilio::CallReport& report) {
      Finish(status, report);
    };
  }

  void Finish(const absl::Status& status, const twilio::CallReport& report) {
    const grpc::Status grpc_status = ToGrpcStatus(status);
    if (in_flight_ != nullptr) in_flight_->Add(-1);
    if (metrics_ != nullptr) {
      metrics_->RpcHandled(rpc_index_, grpc_status.error_code(),
                           absl::Now() - start_);
    }
    Log(status, report);
    Audit(status, report);
    // The last use of `this`: OnDone may run on another thread at once.
    reactor_->Finish(grpc_status);
  }

 private:
  void Log(const absl::Status& status, const twilio::CallReport& report) {
    const auto level = status.ok() ? spdlog::level::info : spdlog::level::warn;
    if (!LogEnabled(level)) return;
    LogLine line(level, "rpc finished");
    line.Field("rpc", rpc_)
        .Field("code", absl::StatusCodeToString(status.code()))
        .Field("caller", auth::CallerLogName(caller_))
        .Field("account_sid", account_sid_)
        .Field("domain_sid", domain_sid_)
        .Field("attempts", report.attempts)
        .Field("latency_ms", absl::ToDoubleMilliseconds(absl::Now() - start_));
    if (report.http_status != 0) line.Field("http_status", report.http_status);
    if (!report.twilio_request_id.empty()) {
      line.Field("twilio_request_id", report.twilio_request_id);
    }
    if (!status.ok()) line.Field("error", status.message());
    if (validate_only_) line.Field("validate_only", true);
  }

  // Changes, and calls refused for who made them, go to the audit log.
  void Audit(const absl::Status& status, const twilio::CallReport& report) {
    const bool refused = status.code() == absl::StatusCode::kUnauthenticated ||
                         status.code() == absl::StatusCode::kPermissionDenied;
    if (!audited_ && !refused) return;
    std::optional<internal::v1::GatewayError> error =
        twilio::GetGatewayError(status);
    auth::AuditRecord record;
    record.rpc = rpc_;
    record.caller = auth::CallerLogName(caller_);
    record.via = auth::ViaName(caller_.via);
    record.peer = peer_;
    record.account_sid = account_sid_;
    record.domain_sid = domain_sid_;
    record.sid = sid_;
    const std::string outcome = absl::StatusCodeToString(status.code());
    record.outcome = outcome;
    if (error.has_value()) record.reason = error->reason();
    record.twilio_request_id = report.twilio_request_id;
    record.validate_only = validate_only_;
    auth::WriteAuditRecord(record);
  }

  grpc::ServerUnaryReactor* const reactor_;
  const absl::string_view rpc_;
  const absl::Time start_;
  absl::Time deadline_;
  std::string account_sid_;
  std::string domain_sid_;
  // Not owned; null when the service is not measured.
  metrics::GatewayMetrics* const metrics_;
  const int rpc_index_;
  metrics::Gauge* in_flight_ = nullptr;
  bool validate_only_ = false;
  // Who called and what for, once Admit has run.
  auth::Caller caller_;
  std::string peer_;
  std::string sid_;
  bool audited_ = false;
  std::shared_ptr<const credentials::CredentialSnapshot> snapshot_;
  credentials::AccountCredential credential_;
  const std::shared_ptr<twilio::CallCancellation> cancellation_ =
      std::make_shared<twilio::CallCancellation>();

  void OnCancel() override { cancellation_->Cancel(); }
  void OnDone() override { delete this; }
};

MappingService::MappingService(
    std::shared_ptr<credentials::CredentialStore> credentials,
    std::shared_ptr<twilio::TwilioClient> twilio, MappingServiceOptions options)
    : credentials_(std::move(credentials)),
      twilio_(std::move(twilio)),
      options_(options) {}

grpc::ServerUnaryReactor* MappingService::CreateCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::CreateCredentialListMappingRequest* request,
    v1::CredentialListMapping* response) {
  auto* call =
      new Call(context, "CreateCredentialListMapping", request->account_sid(),
               request->domain_sid(), options_);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  std::optional<twilio::CallScope> scope =
      call->Begin(options_, *credentials_, context, *request,
                  auth::Operation::kWrite, request->credential_list_sid());
  if (!scope.has_value()) return reactor;
  if (request->validate_only()) {
    // Twilio has no dry run, so whether the list is mapped is read with a
    // fetch; nothing is sent that could change anything.
    call->MarkValidateOnly();
    twilio_->FetchMapping(
        *scope, request->credential_list_sid(), response,
        [call, response, domain_sid = request->domain_sid(),
         list_sid = request->credential_list_sid()](
            absl::Status status, const twilio::CallReport& report) {
          call->Finish(ValidateOnlyCreateOutcome(
                           std::move(status), report, call->account_sid(),
                           domain_sid, list_sid, response),
                       report);
        });
    return reactor;
  }
  twilio_->CreateMapping(*scope, request->credential_list_sid(), response,
                         call->Done());
  return reactor;
}

grpc::ServerUnaryReactor* MappingService::GetCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::GetCredentialListMappingRequest* request,
    v1::CredentialListMapping* response) {
  auto* call =
      new Call(context, "GetCredentialListMapping", request->account_sid(),
               request->domain_sid(), options_);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  std::optional<twilio::CallScope> scope =
      call->Begin(options_, *credentials_, context, *request,
                  auth::Operation::kRead, request->sid());
  if (!scope.has_value()) return reactor;
  twilio_->FetchMapping(*scope, request->sid(), response, call->Done());
  return reactor;
}

grpc::ServerUnaryReactor* MappingService::ListCredentialListMappings(
    grpc::CallbackServerContext* context,
    const v1::ListCredentialListMappingsRequest* request,
    v1::ListCredentialListMappingsResponse* response) {
  auto* call =
      new Call(context, "ListCredentialListMappings", request->account_sid(),
               request->domain_sid(), options_);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  std::optional<twilio::CallScope> scope = call->Begin(
      options_, *credentials_, context, *request, auth::Operation::kRead, "");
  if (!scope.has_value()) return reactor;
  // The token is checked against the resolved account, so a token issued
  // for the default account works whether or not the caller names it.
  std::string next_page_query;
  if (!request->page_token().empty()) {
    absl::StatusOr<std::string> query = DecodePageToken(
        request->page_token(), call->account_sid(), request->domain_sid());
    if (!query.ok()) {
      call->Finish(query.status(), {});
      return reactor;
    }
    next_page_query = *std::move(query);
  }

  // Twilio's link to the next page lands here and becomes the token on the
  // way out. It lives in the response's own field until then, so nothing
  // else needs to outlive the call.
  std::string* next_page_uri = response->mutable_next_page_token();
  twilio_->ListMappings(
      *scope, EffectivePageSize(request->page_size()), next_page_query,
      response->mutable_credential_list_mappings(), next_page_uri,
      [call, response, domain_sid = request->domain_sid(),
       base_url = twilio_->base_url()](
          absl::Status status, const twilio::CallReport& report) mutable {
        if (status.ok() && !response->next_page_token().empty()) {
          absl::StatusOr<std::string> token =
              EncodePageToken(call->account_sid(), domain_sid, base_url,
                              response->next_page_token());
          if (token.ok()) {
            response->set_next_page_token(*std::move(token));
          } else {
            status = twilio::WithReason(token.status(), "TWILIO_BAD_RESPONSE");
          }
        }
        call->Finish(status, report);
      });
  return reactor;
}

grpc::ServerUnaryReactor* MappingService::DeleteCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::DeleteCredentialListMappingRequest* request,
    google::protobuf::Empty* response) {
  auto* call =
      new Call(context, "DeleteCredentialListMapping", request->account_sid(),
               request->domain_sid(), options_);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  std::optional<twilio::CallScope> scope =
      call->Begin(options_, *credentials_, context, *request,
                  auth::Operation::kWrite, request->sid());
  if (!scope.has_value()) return reactor;
  if (request->validate_only()) {
    // A fetch answers what the delete would: NOT_FOUND, with Twilio's
    // details, when the list is not mapped. The fetched mapping is not
    // needed, but must live until the fetch is done.
    call->MarkValidateOnly();
    auto fetched = std::make_unique<v1::CredentialListMapping>();
    v1::CredentialListMapping* out = fetched.get();
    twilio_->FetchMapping(
        *scope, request->sid(), out,
        [call, fetched = std::move(fetched)](absl::Status status,
                                             const twilio::CallReport& report) {
          call->Finish(ValidateOnlyError(status), report);
        });
    return reactor;
  }
  twilio_->DeleteMapping(*scope, request->sid(), call->Done());
  return reactor;
}

}  // namespace twilio_gateway::api
