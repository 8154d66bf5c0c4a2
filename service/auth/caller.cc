#include "service/auth/caller.h"

#include "absl/strings/str_cat.h"

namespace twilio_gateway::auth {

absl::string_view ViaName(Caller::Via via) {
  switch (via) {
    case Caller::Via::kCertificate:
      return "certificate";
    case Caller::Via::kToken:
      return "token";
    case Caller::Via::kNone:
      break;
  }
  return "none";
}

absl::string_view CallerLogName(const Caller& caller) {
  if (caller.via == Caller::Via::kNone || caller.id.empty()) {
    return "anonymous";
  }
  return caller.id;
}

absl::Status ValidateCallerName(absl::string_view name,
                                absl::string_view where) {
  if (name.empty() || name.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must be 1 to 256 characters long"));
  }
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " must be printable ASCII without spaces"));
    }
  }
  if (name == "*") {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " must not be \"*\""));
  }
  return absl::OkStatus();
}

}  // namespace twilio_gateway::auth
