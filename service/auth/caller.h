#ifndef SERVICE_AUTH_CALLER_H_
#define SERVICE_AUTH_CALLER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::auth {

// Who made a call, as far as the gateway could tell.
struct Caller {
  enum class Via {
    // Not identified: the gateway runs with --allow_unauthenticated, or the
    // call was refused before an identity was found.
    kNone,
    // A client certificate verified against --tls_client_ca: `id` is its
    // URI SAN (such as a SPIFFE ID) or, without one, its first DNS SAN.
    kCertificate,
    // A bearer token found in the tokens file: `id` is the caller the file
    // names for it.
    kToken,
  };

  // Empty when `via` is kNone.
  std::string id;
  Via via = Via::kNone;
};

// "none", "certificate" or "token", for logs.
absl::string_view ViaName(Caller::Via via);

// How a caller appears in logs: its id, or "anonymous".
absl::string_view CallerLogName(const Caller& caller);

// Checks a caller name written in the tokens or the policy file: 1 to 256
// printable ASCII characters without spaces, and not "*", which the policy
// reserves for "any authenticated caller". Returns InvalidArgument with
// `where` in front.
absl::Status ValidateCallerName(absl::string_view name,
                                absl::string_view where);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_CALLER_H_
