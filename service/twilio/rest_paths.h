#ifndef SERVICE_TWILIO_REST_PATHS_H_
#define SERVICE_TWILIO_REST_PATHS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::twilio {

// Twilio's API host, as Twilio's own libraries choose it:
//   - `base_url` when set (tests and the emulator): "http" or "https", a
//     host and an optional port, nothing after them but an optional "/";
//     "http" only for a loopback host (127.0.0.0/8, [::1], localhost), since
//     the request carries the account's credentials;
//   - else "https://api.{edge}.{region}.twilio.com", the region defaulting to
//     us1 when only an edge is set;
//   - a region alone: "https://api.us1.twilio.com" for us1; other regions
//     need an edge, since Twilio retired region-only hosts outside us1;
//   - neither: "https://api.twilio.com".
// Returns the URL without a trailing "/". Fails with INVALID_ARGUMENT naming
// the setting that is wrong.
absl::StatusOr<std::string> TwilioBaseUrl(absl::string_view base_url,
                                          absl::string_view region,
                                          absl::string_view edge);

// "/2010-04-01/Accounts/{account}/SIP/Domains/{domain}/Auth/Registrations/
// CredentialListMappings", without ".json": the prefix of every path of the
// resource. The SIDs must already be valid.
std::string MappingCollectionPath(absl::string_view account_sid,
                                  absl::string_view domain_sid);

// The collection path with ".json": where mappings are created and listed.
std::string MappingCollectionJsonPath(absl::string_view account_sid,
                                      absl::string_view domain_sid);

// The path of one mapping: the collection path, "/", `sid`, ".json".
std::string MappingInstancePath(absl::string_view account_sid,
                                absl::string_view domain_sid,
                                absl::string_view sid);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_REST_PATHS_H_
