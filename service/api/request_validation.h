#ifndef SERVICE_API_REQUEST_VALIDATION_H_
#define SERVICE_API_REQUEST_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.pb.h"

namespace twilio_gateway::api {

// The largest page Twilio serves; larger requests are lowered to it.
inline constexpr int kMaxPageSize = 1000;

// True when `sid` is `prefix` followed by 32 hex digits of either case,
// Twilio's pattern for every SID this API takes.
bool IsSid(absl::string_view sid, absl::string_view prefix);

// Each checks its request before anything is sent to Twilio, field by field
// in declaration order, and fails with INVALID_ARGUMENT naming the first
// field at fault (reason FIELD_REQUIRED, INVALID_SID or INVALID_PAGE_SIZE,
// with the field in the GatewayError payload). An empty `account_sid` is
// valid: it means the default account.
absl::Status ValidateRequest(
    const twilio_gateway::sip::v1::CreateCredentialListMappingRequest& request);
absl::Status ValidateRequest(
    const twilio_gateway::sip::v1::GetCredentialListMappingRequest& request);
absl::Status ValidateRequest(
    const twilio_gateway::sip::v1::ListCredentialListMappingsRequest& request);
absl::Status ValidateRequest(
    const twilio_gateway::sip::v1::DeleteCredentialListMappingRequest& request);

// The PageSize to ask Twilio for: 0 (Twilio's default) stays 0, values
// above kMaxPageSize become kMaxPageSize. Call after validation.
int EffectivePageSize(int requested);

}  // namespace twilio_gateway::api

#endif  // SERVICE_API_REQUEST_VALIDATION_H_
