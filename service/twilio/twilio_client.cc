#include "service/twilio/twilio_client.h"

#include <sys/utsname.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/common/json_log.h"
#include "service/twilio/mapping_decoder.h"
#include "service/twilio/rest_paths.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {
namespace {

using ::twilio_gateway::sip::v1::CredentialListMapping;

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

// One operation from its first attempt to `done`.
//
// TODO(#3) - retries: classify each attempt's outcome, wait with jittered
// backoff on the transport's loop and attempt again within the deadline.
struct TwilioClient::Call {
  // Not owned: a pending transfer owns its Call, so owning the transport
  // here would let the transport's last reference drop on its own thread.
  HttpTransport* transport = nullptr;
  HttpRequest request;
  std::string operation;
  Decode decode;
  Done done;
  CallReport report;

  static void Attempt(std::unique_ptr<Call> call) {
    ++call->report.attempts;
    // Each attempt sends a copy, so a later attempt can send the same bytes.
    HttpRequest request = call->request;
    HttpTransport* transport = call->transport;
    transport->Send(
        std::move(request),
        [call = std::move(call)](absl::StatusOr<HttpResponse> result) mutable {
          OnAnswer(std::move(call), std::move(result));
        });
  }

  static void OnAnswer(std::unique_ptr<Call> call,
                       absl::StatusOr<HttpResponse> result) {
    if (!result.ok()) {
      absl::Status status(
          result.status().code(),
          absl::StrCat(call->operation, ": ", result.status().message()));
      if (auto error = GetGatewayError(result.status())) {
        SetGatewayError(status, *error);
      }
      Finish(std::move(call), std::move(status));
      return;
    }
    const HttpResponse& response = *result;
    call->report.http_status = response.status;
    call->report.twilio_request_id =
        std::string(response.Header("twilio-request-id"));
    if (response.status < 200 || response.status > 299) {
      Finish(
          std::move(call),
          TwilioErrorToStatus(response.status, response.body,
                              call->report.twilio_request_id, call->operation));
      return;
    }
    absl::Status decoded = call->decode(response);
    if (!decoded.ok()) {
      absl::Status status(decoded.code(), absl::StrCat(call->operation, ": ",
                                                       decoded.message()));
      internal::v1::GatewayError error;
      error.set_reason("TWILIO_BAD_RESPONSE");
      error.set_http_status(response.status);
      error.set_twilio_request_id(call->report.twilio_request_id);
      SetGatewayError(status, error);
      decoded = std::move(status);
    }
    Finish(std::move(call), std::move(decoded));
  }

  static void Finish(std::unique_ptr<Call> call, absl::Status status) {
    Done done = std::move(call->done);
    CallReport report = std::move(call->report);
    call.reset();
    std::move(done)(std::move(status), report);
  }
};

TwilioClient::TwilioClient(std::shared_ptr<HttpTransport> transport,
                           TwilioClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      user_agent_header_(absl::StrCat("User-Agent: ", options_.user_agent)) {}

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

void TwilioClient::Start(HttpRequest request, std::string operation,
                         Decode decode, Done done) {
  auto call = std::make_unique<Call>();
  call->transport = transport_.get();
  call->request = std::move(request);
  call->operation = std::move(operation);
  call->decode = std::move(decode);
  call->done = std::move(done);
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
  Start(
      std::move(request), operation,
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
      std::move(request), operation,
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
      std::move(request), operation,
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
      std::move(request),
      absl::StrCat("delete mapping ", sid, " of domain ", scope.domain_sid),
      [](const HttpResponse&) { return absl::OkStatus(); }, std::move(done));
}

}  // namespace twilio_gateway::twilio
