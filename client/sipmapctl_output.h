#ifndef CLIENT_SIPMAPCTL_OUTPUT_H_
#define CLIENT_SIPMAPCTL_OUTPUT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::client {

// What sipmapctl prints: mappings as a table or as JSON on stdout, and
// errors on stderr.

enum class OutputFormat { kTable, kJson };

// "table" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// A header line, then one line per mapping, columns aligned with two spaces
// between them: SID, ACCOUNT, DOMAIN, FRIENDLY NAME, CREATED, UPDATED. Times
// are RFC 3339 in UTC; an empty or unset value shows as "-". Control
// characters in values become spaces, since they come from the network and
// could drive the terminal.
std::string FormatMappingTable(
    const google::protobuf::RepeatedPtrField<
        twilio_gateway::sip::v1::CredentialListMapping>& mappings);
std::string FormatMappingTable(
    const twilio_gateway::sip::v1::CredentialListMapping& mapping);

// `message` as protobuf's JSON mapping (lowerCamel field names, RFC 3339
// times), indented, with a final newline.
std::string FormatJson(const google::protobuf::Message& message);

// The report of a failed call: "CODE: message", then one line for each
// detail the gateway gave (reason, field, Twilio's code, its link, HTTP
// status, request id), each ending in a newline. Control characters become
// spaces.
std::string FormatError(const absl::Status& status);

}  // namespace twilio_gateway::client

#endif  // CLIENT_SIPMAPCTL_OUTPUT_H_
