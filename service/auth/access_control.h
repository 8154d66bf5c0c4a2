#ifndef SERVICE_AUTH_ACCESS_CONTROL_H_
#define SERVICE_AUTH_ACCESS_CONTROL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "service/auth/access_policy.h"
#include "service/auth/caller.h"
#include "service/auth/caller_tokens.h"
#include "service/auth/rate_limiter.h"

namespace twilio_gateway::auth {

// What the transport tells about one call, before anything is decided.
struct PeerFacts {
  // SANs of the client certificate, present only when the TLS handshake
  // verified it against the client CA.
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  // Every value of the call's "authorization" metadata.
  std::vector<std::string> authorization;
  // gRPC's peer string, such as "ipv4:127.0.0.1:53012"; for logs and for
  // the rate limit of anonymous callers.
  std::string address;
};

// The outcome of AccessControl::Check.
struct AccessDecision {
  // Who called, as far as known; also set when the call is refused for
  // lack of permission or for its rate, so the audit log can name them.
  Caller caller;
  // OK, or UNAUTHENTICATED, RESOURCE_EXHAUSTED or PERMISSION_DENIED with a
  // message for the caller that quotes no token.
  absl::Status status;
  // An UPPER_SNAKE reason for the error details; empty when OK.
  std::string reason;
};

struct AccessControlOptions {
  // No caller authentication at all: every call is anonymous and allowed.
  // Only for local development; never together with tokens or a policy.
  bool allow_unauthenticated = false;
  // Calls per second each caller may make; 0 for no limit.
  double rate_limit_per_caller = 0;
  // For the rate limiter; defaults to absl::Now.
  std::function<absl::Time()> clock;
};

// Decides, at the start of each call and before anything else happens,
// whether the caller may go on: who is calling (a verified client
// certificate, else a bearer token from the tokens file), whether they are
// within their rate, and whether the policy grants the operation on the
// account. The tokens and the policy can be replaced while calls run.
//
// Thread-safe.
class AccessControl {
 public:
  explicit AccessControl(AccessControlOptions options);

  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  // The bearer tokens callers may present; null: none are accepted.
  void ReplaceTokens(std::shared_ptr<const CallerTokens> tokens);
  // The grants; null: everything is denied to authenticated callers.
  void ReplacePolicy(std::shared_ptr<const AccessPolicy> policy);

  // Checks one call that does `operation` on `account_sid` (the account the
  // call will act on, the default account already filled in; empty when
  // there is none).
  //
  // Refuses with:
  //   UNAUTHENTICATED     no client certificate and no bearer token, a
  //                       malformed authorization value, an unknown or
  //                       revoked token (reasons CALLER_UNAUTHENTICATED,
  //                       TOKEN_REVOKED);
  //   RESOURCE_EXHAUSTED  the caller is past its rate limit
  //                       (CALLER_RATE_LIMITED);
  //   PERMISSION_DENIED   the policy does not grant the operation on the
  //                       account (CALLER_NOT_PERMITTED). Whether the
  //                       account or anything in it exists plays no part.
  AccessDecision Check(const PeerFacts& peer, Operation operation,
                       absl::string_view account_sid) const;

  bool allow_unauthenticated() const { return allow_unauthenticated_; }

 private:
  // Who is calling, or why that cannot be told.
  AccessDecision Identify(const PeerFacts& peer) const;

  const bool allow_unauthenticated_;
  std::unique_ptr<CallerRateLimiter> limiter_;  // Null: no limit.

  // std::mutex rather than absl::Mutex so that TSan sees it; it guards two
  // pointer copies only.
  mutable std::mutex mu_;
  std::shared_ptr<const CallerTokens> tokens_;  // Guarded by mu_.
  std::shared_ptr<const AccessPolicy> policy_;  // Guarded by mu_.
};

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_ACCESS_CONTROL_H_
