#include "service/api/request_validation.h"

#include <initializer_list>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {
namespace {

using ::twilio_gateway::internal::v1::GatewayError;

constexpr size_t kSidHexDigits = 32;

absl::Status FieldError(absl::string_view field, absl::string_view reason,
                        std::string message) {
  absl::Status status = absl::InvalidArgumentError(std::move(message));
  GatewayError error;
  error.set_reason(std::string(reason));
  error.set_field(std::string(field));
  twilio::SetGatewayError(status, error);
  return status;
}

// The value itself is not echoed: it comes from the caller and may be long
// or hold anything.
absl::Status CheckSid(absl::string_view field, absl::string_view value,
                      absl::string_view prefix, bool required) {
  if (value.empty()) {
    if (!required) return absl::OkStatus();
    return FieldError(field, "FIELD_REQUIRED",
                      absl::StrCat(field, " is required"));
  }
  if (!IsSid(value, prefix)) {
    return FieldError(field, "INVALID_SID",
                      absl::StrCat(field, " must be \"", prefix,
                                   "\" followed by 32 hexadecimal digits (got ",
                                   value.size(), " characters)"));
  }
  return absl::OkStatus();
}

// One SID field of a request and what it must look like.
struct SidField {
  absl::string_view name;
  absl::string_view value;
  absl::string_view prefix;
  bool required;
};

// The first of `fields`, in order, that fails its check decides the error.
absl::Status CheckSids(std::initializer_list<SidField> fields) {
  for (const SidField& field : fields) {
    absl::Status status =
        CheckSid(field.name, field.value, field.prefix, field.required);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

bool IsSid(absl::string_view sid, absl::string_view prefix) {
  if (sid.size() != prefix.size() + kSidHexDigits) return false;
  if (sid.substr(0, prefix.size()) != prefix) return false;
  for (char c : sid.substr(prefix.size())) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status ValidateRequest(
    const sip::v1::CreateCredentialListMappingRequest& request) {
  return CheckSids(
      {{"account_sid", request.account_sid(), "AC", false},
       {"domain_sid", request.domain_sid(), "SD", true},
       {"credential_list_sid", request.credential_list_sid(), "CL", true}});
}

absl::Status ValidateRequest(
    const sip::v1::GetCredentialListMappingRequest& request) {
  return CheckSids({{"account_sid", request.account_sid(), "AC", false},
                    {"domain_sid", request.domain_sid(), "SD", true},
                    {"sid", request.sid(), "CL", true}});
}

absl::Status ValidateRequest(
    const sip::v1::ListCredentialListMappingsRequest& request) {
  absl::Status status =
      CheckSids({{"account_sid", request.account_sid(), "AC", false},
                 {"domain_sid", request.domain_sid(), "SD", true}});
  if (status.ok() && request.page_size() < 0) {
    status = FieldError("page_size", "INVALID_PAGE_SIZE",
                        "page_size must not be negative");
  }
  return status;
}

absl::Status ValidateRequest(
    const sip::v1::DeleteCredentialListMappingRequest& request) {
  return CheckSids({{"account_sid", request.account_sid(), "AC", false},
                    {"domain_sid", request.domain_sid(), "SD", true},
                    {"sid", request.sid(), "CL", true}});
}

int EffectivePageSize(int requested) {
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

}  // namespace twilio_gateway::api
