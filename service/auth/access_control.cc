#include "service/auth/access_control.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/credentials/credential_store.h"

namespace twilio_gateway::auth {
namespace {

constexpr char kUnauthenticated[] = "CALLER_UNAUTHENTICATED";

AccessDecision Refuse(Caller caller, absl::Status status,
                      absl::string_view reason) {
  AccessDecision decision;
  decision.caller = std::move(caller);
  decision.status = std::move(status);
  decision.reason = std::string(reason);
  return decision;
}

AccessDecision Unauthenticated(absl::string_view message) {
  return Refuse(Caller(), absl::UnauthenticatedError(message),
                kUnauthenticated);
}

// "ipv4:10.0.0.7:53012" -> "ipv4:10.0.0.7", so that an anonymous caller's
// rate does not reset with each new connection.
absl::string_view WithoutPort(absl::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon + 1 == address.size()) {
    return address;
  }
  for (char c : address.substr(colon + 1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return address;
  }
  return address.substr(0, colon);
}

}  // namespace

AccessControl::AccessControl(AccessControlOptions options)
    : allow_unauthenticated_(options.allow_unauthenticated) {
  if (options.rate_limit_per_caller > 0) {
    limiter_ = std::make_unique<CallerRateLimiter>(
        options.rate_limit_per_caller, std::move(options.clock));
  }
}

void AccessControl::ReplaceTokens(std::shared_ptr<const CallerTokens> tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.swap(tokens);
}

void AccessControl::ReplacePolicy(std::shared_ptr<const AccessPolicy> policy) {
  std::lock_guard<std::mutex> lock(mu_);
  policy_.swap(policy);
}

AccessDecision AccessControl::Identify(const PeerFacts& peer) const {
  AccessDecision decision;
  if (allow_unauthenticated_) return decision;

  // A certificate the handshake verified is the stronger proof, so it
  // names the caller even when a token comes along.
  if (!peer.uri_sans.empty()) {
    // SPIFFE allows exactly one URI SAN; with several, which one names the
    // caller would be a guess.
    if (peer.uri_sans.size() > 1) {
      return Unauthenticated(
          "the client certificate has more than one URI SAN, so it does not "
          "name one caller");
    }
    decision.caller = Caller{peer.uri_sans.front(), Caller::Via::kCertificate};
    return decision;
  }
  if (!peer.dns_sans.empty()) {
    decision.caller = Caller{peer.dns_sans.front(), Caller::Via::kCertificate};
    return decision;
  }

  if (peer.authorization.empty()) {
    return Unauthenticated(
        "no caller credentials: call with a client certificate (mutual TLS) "
        "or with \"authorization: Bearer <token>\" metadata");
  }
  if (peer.authorization.size() > 1) {
    return Unauthenticated("more than one authorization metadata value");
  }
  absl::string_view value = peer.authorization.front();
  if (value.size() < 7 ||
      !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return Unauthenticated(
        "the authorization metadata is not \"Bearer <token>\"");
  }
  const absl::string_view token = absl::StripAsciiWhitespace(value.substr(7));
  if (token.empty()) {
    return Unauthenticated("the bearer token is empty");
  }

  std::shared_ptr<const CallerTokens> tokens;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tokens = tokens_;
  }
  if (tokens == nullptr) {
    return Unauthenticated(
        "this gateway accepts no bearer tokens; call with a client "
        "certificate");
  }
  CallerTokens::Match match = tokens->Find(token);
  switch (match.verdict) {
    case CallerTokens::Verdict::kValid:
      decision.caller = Caller{std::move(match.caller), Caller::Via::kToken};
      return decision;
    case CallerTokens::Verdict::kRevoked:
      // The caller is named in the audit log, not in the answer: the
      // holder of a revoked token learns nothing new.
      return Refuse(Caller{std::move(match.caller), Caller::Via::kToken},
                    absl::UnauthenticatedError("the bearer token is revoked"),
                    "TOKEN_REVOKED");
    case CallerTokens::Verdict::kUnknown:
      break;
  }
  return Unauthenticated("the bearer token is not known to this gateway");
}

AccessDecision AccessControl::Check(const PeerFacts& peer, Operation operation,
                                    absl::string_view account_sid) const {
  AccessDecision decision = Identify(peer);
  if (!decision.status.ok()) return decision;

  if (limiter_ != nullptr) {
    const std::string key =
        decision.caller.via == Caller::Via::kNone
            ? absl::StrCat("anonymous@", WithoutPort(peer.address))
            : decision.caller.id;
    if (!limiter_->TryAcquire(key)) {
      absl::Status status = absl::ResourceExhaustedError(
          absl::StrCat("caller ", CallerLogName(decision.caller),
                       " is over its rate limit of ", limiter_->per_second(),
                       " calls per second; retry with backoff"));
      return Refuse(std::move(decision.caller), std::move(status),
                    "CALLER_RATE_LIMITED");
    }
  }

  if (allow_unauthenticated_) return decision;

  std::shared_ptr<const AccessPolicy> policy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    policy = policy_;
  }
  if (policy != nullptr &&
      policy->Allows(decision.caller.id, operation, account_sid)) {
    return decision;
  }
  // The same answer whatever exists, so a denied caller learns nothing.
  std::string account;
  if (account_sid.empty()) {
    account = "the default account";
  } else if (credentials::IsAccountSid(account_sid)) {
    account = absl::StrCat("account ", account_sid);
  } else {
    account = "a malformed account_sid";
  }
  absl::Status status = absl::PermissionDeniedError(
      absl::StrCat("caller ", decision.caller.id, " may not ",
                   OperationName(operation), " mappings of ", account));
  return Refuse(std::move(decision.caller), std::move(status),
                "CALLER_NOT_PERMITTED");
}

}  // namespace twilio_gateway::auth
