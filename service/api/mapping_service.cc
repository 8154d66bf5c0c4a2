#include "service/api/mapping_service.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "service/api/page_token.h"
#include "service/api/request_validation.h"
#include "service/api/status_mapping.h"
#include "service/common/json_log.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {

namespace v1 = ::twilio_gateway::sip::v1;

// What one RPC needs from start to finish: its reactor, what to log, and the
// credentials resolved for it. Deletes itself once the reactor finishes.
class MappingService::Call {
 public:
  Call(grpc::CallbackServerContext* context, absl::string_view rpc,
       absl::string_view account_sid, absl::string_view domain_sid,
       absl::Duration max_call_timeout)
      : reactor_(context->DefaultReactor()),
        rpc_(rpc),
        start_(absl::Now()),
        account_sid_(account_sid),
        domain_sid_(domain_sid) {
    // gRPC gives "no deadline" as the far future, which absl maps to
    // InfiniteFuture; either way the server's maximum applies.
    const absl::Time caller = absl::FromChrono(context->deadline());
    deadline_ = std::min(caller, start_ + max_call_timeout);
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }

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
    twilio::CallScope scope;
    scope.account_sid = credential_.account_sid;
    scope.authorization = credential_.authorization_header;
    scope.domain_sid = domain_sid_;
    scope.deadline = deadline_;
    return scope;
  }

  const std::string& account_sid() const { return account_sid_; }

  // The callback the Twilio client runs when the call is over.
  twilio::TwilioClient::Done Done() {
    return [this](absl::Status status, const twilio::CallReport& report) {
      Finish(status, report);
    };
  }

  void Finish(const absl::Status& status, const twilio::CallReport& report) {
    const grpc::Status grpc_status = ToGrpcStatus(status);
    Log(status, report);
    reactor_->Finish(grpc_status);
    delete this;
  }

 private:
  void Log(const absl::Status& status, const twilio::CallReport& report) {
    const auto level = status.ok() ? spdlog::level::info : spdlog::level::warn;
    if (!LogEnabled(level)) return;
    LogLine line(level, "rpc finished");
    line.Field("rpc", rpc_)
        .Field("code", absl::StatusCodeToString(status.code()))
        .Field("account_sid", account_sid_)
        .Field("domain_sid", domain_sid_)
        .Field("attempts", report.attempts)
        .Field("latency_ms", absl::ToDoubleMilliseconds(absl::Now() - start_));
    if (report.http_status != 0) line.Field("http_status", report.http_status);
    if (!report.twilio_request_id.empty()) {
      line.Field("twilio_request_id", report.twilio_request_id);
    }
    if (!status.ok()) line.Field("error", status.message());
  }

  grpc::ServerUnaryReactor* const reactor_;
  const absl::string_view rpc_;
  const absl::Time start_;
  absl::Time deadline_;
  std::string account_sid_;
  std::string domain_sid_;
  std::shared_ptr<const credentials::CredentialSnapshot> snapshot_;
  credentials::AccountCredential credential_;
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
               request->domain_sid(), options_.max_call_timeout);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (absl::Status valid = ValidateRequest(*request); !valid.ok()) {
    call->Finish(valid, {});
    return reactor;
  }
  absl::StatusOr<twilio::CallScope> scope = call->Scope(*credentials_);
  if (!scope.ok()) {
    call->Finish(scope.status(), {});
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
               request->domain_sid(), options_.max_call_timeout);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (absl::Status valid = ValidateRequest(*request); !valid.ok()) {
    call->Finish(valid, {});
    return reactor;
  }
  absl::StatusOr<twilio::CallScope> scope = call->Scope(*credentials_);
  if (!scope.ok()) {
    call->Finish(scope.status(), {});
    return reactor;
  }
  twilio_->FetchMapping(*scope, request->sid(), response, call->Done());
  return reactor;
}

grpc::ServerUnaryReactor* MappingService::ListCredentialListMappings(
    grpc::CallbackServerContext* context,
    const v1::ListCredentialListMappingsRequest* request,
    v1::ListCredentialListMappingsResponse* response) {
  auto* call =
      new Call(context, "ListCredentialListMappings", request->account_sid(),
               request->domain_sid(), options_.max_call_timeout);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (absl::Status valid = ValidateRequest(*request); !valid.ok()) {
    call->Finish(valid, {});
    return reactor;
  }
  absl::StatusOr<twilio::CallScope> scope = call->Scope(*credentials_);
  if (!scope.ok()) {
    call->Finish(scope.status(), {});
    return reactor;
  }
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
               request->domain_sid(), options_.max_call_timeout);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (absl::Status valid = ValidateRequest(*request); !valid.ok()) {
    call->Finish(valid, {});
    return reactor;
  }
  absl::StatusOr<twilio::CallScope> scope = call->Scope(*credentials_);
  if (!scope.ok()) {
    call->Finish(scope.status(), {});
    return reactor;
  }
  twilio_->DeleteMapping(*scope, request->sid(), call->Done());
  return reactor;
}

}  // namespace twilio_gateway::api
