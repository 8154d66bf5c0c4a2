#ifndef SERVICE_API_PAGE_TOKEN_H_
#define SERVICE_API_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::api {

// Page tokens carry Twilio's next_page_uri from one List call to the next.
//
// A token holds the account and domain it was issued for and the query of
// Twilio's next_page_uri, byte for byte; the path is not stored but rebuilt
// from the account and domain, so a token can only ever lead to the same
// collection on the configured Twilio host. A checksum catches truncation
// and corruption. Tokens are opaque to callers but not secret: all they can
// reach is a listing the caller may read anyway.

// Makes the token for the page after the current one. `next_page_uri` is
// Twilio's value: a path (or an absolute URL on `base_url`) that must be the
// collection of `account_sid` and `domain_sid`, with a query made only of
// characters a URI query allows.
//
// Fails with INTERNAL when Twilio's link leads anywhere else, since the
// gateway must not follow it.
absl::StatusOr<std::string> EncodePageToken(absl::string_view account_sid,
                                            absl::string_view domain_sid,
                                            absl::string_view base_url,
                                            absl::string_view next_page_uri);

// Returns the query (without "?") to send for the page a token names.
//
// Fails with INVALID_ARGUMENT (reason INVALID_PAGE_TOKEN, field page_token)
// when the token is not one EncodePageToken made, has been altered or cut,
// or was issued for another account or domain.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view account_sid,
                                            absl::string_view domain_sid);

}  // namespace twilio_gateway::api

#endif  // SERVICE_API_PAGE_TOKEN_H_
