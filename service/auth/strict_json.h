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

// For a file that must hold one JSON object whose only key is `key`, an
// array: parses `text` as ParseStrictJson does and returns that array.
// Fails with InvalidArgument when the shape differs, naming the key.
absl::StatusOr<nlohmann::json> ParseListDocument(absl::string_view text,
                                                 absl::string_view key);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_STRICT_JSON_H_
