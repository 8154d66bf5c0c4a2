#ifndef SERVICE_AUTH_STRICT_JSON_H_
#define SERVICE_AUTH_STRICT_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace twilio_gateway::auth {

// Parses the text of an operator's configuration file (tokens, policy) as
// JSON, more strictly than nlohmann::json alone: a key given twice in one
// object is an error rather than silently resolved to its last value, since
// a repeated "operations" key could widen what a caller may do unseen.
//
// Returns InvalidArgument "not valid JSON (syntax error at line L, column
// C)" or "key \"K\" is given twice in one object". Never throws. Messages
// quote no excerpt of the text.
absl::StatusOr<nlohmann::json> ParseStrictJson(absl::string_view text);

// Reads a configuration file of at most 1 MiB. Returns the code matching
// errno (NOT_FOUND, PERMISSION_DENIED, ...) when it cannot be read and
// FAILED_PRECONDITION when it is not a regular file or is too large.
// Messages do not repeat the path; callers put it in front.
absl::StatusOr<std::string> ReadConfigFile(const std::string& path);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_STRICT_JSON_H_
