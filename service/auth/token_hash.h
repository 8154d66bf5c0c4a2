#ifndef SERVICE_AUTH_TOKEN_HASH_H_
#define SERVICE_AUTH_TOKEN_HASH_H_

#include <string>

#include "absl/strings/string_view.h"

namespace twilio_gateway::auth {

// SHA-256 of `token` as 64 lower-case hex digits: what a tokens file stores
// in place of the token (`printf %s "$TOKEN" | sha256sum` prints the same).
//
// A plain hash, not a slow password hash, on purpose: bearer tokens are
// random strings of 32 bytes or more, so there is nothing to guess, and a
// hash per call must stay cheap.
std::string Sha256Hex(absl::string_view token);

// True when `a` and `b` hold the same bytes, in time that depends only on
// their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_TOKEN_HASH_H_
