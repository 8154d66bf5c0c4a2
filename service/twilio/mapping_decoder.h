#ifndef SERVICE_TWILIO_MAPPING_DECODER_H_
#define SERVICE_TWILIO_MAPPING_DECODER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::twilio {

// Decodes Twilio's JSON for one CredentialListMapping (the 201 answer of a
// create, the 200 answer of a fetch) into `out`.
//
// Twilio's body does not name the domain, so `domain_sid` (the one in the
// request path) fills `out->domain_sid()`. Unknown fields are ignored. A date
// that cannot be read leaves its Timestamp unset and adds a sentence to
// `warnings` (which may be null); it does not fail the call.
//
// Fails with INTERNAL, saying what was wrong, when the body is not JSON, is
// not an object of the documented shape (a field of the wrong type, such as
// a number for `sid`), or lacks the mapping's `sid`. Messages never quote
// more than about 100 bytes of the body. On failure `out` is left as it was.
absl::Status DecodeMapping(absl::string_view body, absl::string_view domain_sid,
                           twilio_gateway::sip::v1::CredentialListMapping* out,
                           std::vector<std::string>* warnings);

// Decodes one page of Twilio's list answer. Items come from `contents` and
// are appended to `items`; `next_page_uri` receives Twilio's value byte for
// byte, or "" when it is null or absent (the last page). Dates are read as
// in DecodeMapping, with one warning per unreadable date.
//
// Fails with INTERNAL, saying what was wrong, when the body is not JSON, is
// not an object of the documented shape, has no `contents` array (absent,
// null, or not an array), holds an item that is not an object or has no
// `sid`, or has a `next_page_uri` that is not a path under "/2010-04-01/"
// made of printable ASCII: the caller appends that value to the API host,
// so anything else could send the gateway's credentials elsewhere. On
// failure `items` and `next_page_uri` are left as they were.
absl::Status DecodeMappingPage(
    absl::string_view body, absl::string_view domain_sid,
    google::protobuf::RepeatedPtrField<
        twilio_gateway::sip::v1::CredentialListMapping>* items,
    std::string* next_page_uri, std::vector<std::string>* warnings);

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_MAPPING_DECODER_H_
