// Every RPC's request is checked before anything goes to Twilio. The input's
// first byte picks the request type and the rest is parsed as that message
// from the wire, as gRPC would; validation must answer OK or
// INVALID_ARGUMENT, and what it accepts must hold SIDs of Twilio's shape.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "service/api/request_validation.h"

namespace {

namespace v1 = ::twilio_gateway::sip::v1;
using ::twilio_gateway::api::IsSid;
using ::twilio_gateway::api::ValidateRequest;

void Check(const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
}

void CheckAccount(const std::string& account_sid) {
  if (!account_sid.empty() && !IsSid(account_sid, "AC")) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const void* bytes = data + 1;
  const int length = static_cast<int>(size - 1);
  switch (data[0] % 4) {
    case 0: {
      v1::CreateCredentialListMappingRequest request;
      if (!request.ParseFromArray(bytes, length)) return 0;
      const absl::Status status = ValidateRequest(request);
      Check(status);
      if (status.ok()) {
        CheckAccount(request.account_sid());
        if (!IsSid(request.domain_sid(), "SD") ||
            !IsSid(request.credential_list_sid(), "CL")) {
          __builtin_trap();
        }
      }
      break;
    }
    case 1: {
      v1::GetCredentialListMappingRequest request;
      if (!request.ParseFromArray(bytes, length)) return 0;
      const absl::Status status = ValidateRequest(request);
      Check(status);
      if (status.ok()) {
        CheckAccount(request.account_sid());
        if (!IsSid(request.sid(), "CL")) __builtin_trap();
      }
      break;
    }
    case 2: {
      v1::ListCredentialListMappingsRequest request;
      if (!request.ParseFromArray(bytes, length)) return 0;
      const absl::Status status = ValidateRequest(request);
      Check(status);
      if (status.ok()) {
        CheckAccount(request.account_sid());
        const int page_size =
            twilio_gateway::api::EffectivePageSize(request.page_size());
        if (page_size < 0 || page_size > twilio_gateway::api::kMaxPageSize) {
          __builtin_trap();
        }
      }
      break;
    }
    default: {
      v1::DeleteCredentialListMappingRequest request;
      if (!request.ParseFromArray(bytes, length)) return 0;
      const absl::Status status = ValidateRequest(request);
      Check(status);
      if (status.ok()) {
        CheckAccount(request.account_sid());
        if (!IsSid(request.sid(), "CL")) __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
