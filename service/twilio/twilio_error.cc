#include "service/twilio/twilio_error.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "google/protobuf/util/json_util.h"
#include "twilio_gateway/internal/v1/gateway_error.pb.h"
#include "twilio_gateway/internal/v1/twilio_json.pb.h"

namespace twilio_gateway::twilio {
namespace {

using ::twilio_gateway::internal::v1::GatewayError;
using ::twilio_gateway::internal::v1::TwilioErrorBody;

// The URL google.protobuf.Any would use, so that tools reading payloads
// recognize the message.
constexpr absl::string_view kGatewayErrorTypeUrl =
    "type.googleapis.com/twilio_gateway.internal.v1.GatewayError";

// Twilio's messages are one sentence, at times quoting a resource path;
// this holds those, and more is not a sentence meant for people.
constexpr std::size_t kMaxTwilioMessageBytes = 256;
constexpr std::size_t kMaxMoreInfoBytes = 256;
// Twilio's request ids are 34 characters.
constexpr std::size_t kMaxRequestIdBytes = 64;

// Inferred, not documented: the code Twilio gives when the list is mapped
// already. The message is checked too, so a renumbering still maps to
// ALREADY_EXISTS.
constexpr std::int64_t kAlreadyMappedCode = 21231;

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The length of the well-formed UTF-8 sequence that starts `text` (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t Utf8SequenceLength(absl::string_view text, char32_t* code_point) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
    smallest = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte & 0x3F);
  }
  if (value < smallest || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code_point = value;
  return length;
}

bool IsControl(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

// Twilio's error JSON, or an empty message when the body is not that JSON.
TwilioErrorBody ReadErrorBody(absl::string_view body) {
  TwilioErrorBody parsed;
  // Proxies and load balancers in front of Twilio answer some errors with
  // HTML or plain text; there is nothing to read then, and no reason to
  // spend a parse on it.
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(body);
  if (trimmed.empty() || trimmed.front() != '{') return parsed;

  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &parsed,
           options)
           .ok()) {
    // A half-read body could pair a code with the wrong message.
    parsed.Clear();
  }
  return parsed;
}

bool SaysAlreadyMapped(absl::string_view message) {
  const std::string lower = absl::AsciiStrToLower(message);
  if (!absl::StrContains(lower, "already")) return false;
  return absl::StrContains(lower, "mapped") ||
         absl::StrContains(lower, "mapping") ||
         absl::StrContains(lower, "exist") ||
         absl::StrContains(lower, "associated");
}

struct Classification {
  absl::StatusCode code;
  absl::string_view reason;
};

// The gateway's error table (DESIGN.md section 4).
Classification Classify(int http_status, const TwilioErrorBody& body) {
  switch (http_status) {
    case 400:
      if (body.code() == kAlreadyMappedCode ||
          SaysAlreadyMapped(body.message())) {
        return {absl::StatusCode::kAlreadyExists, "TWILIO_ALREADY_MAPPED"};
      }
      return {absl::StatusCode::kInvalidArgument, "TWILIO_INVALID_REQUEST"};
    case 401:
      // The caller cannot fix the gateway's own credentials; operators can.
      return {absl::StatusCode::kFailedPrecondition,
              "TWILIO_CREDENTIALS_REJECTED"};
    case 403:
      return {absl::StatusCode::kPermissionDenied, "TWILIO_PERMISSION_DENIED"};
    case 404:
      return {absl::StatusCode::kNotFound, "TWILIO_NOT_FOUND"};
    case 409:
      return {absl::StatusCode::kAborted, "TWILIO_CONFLICT"};
    case 429:
      return {absl::StatusCode::kResourceExhausted, "TWILIO_RATE_LIMITED"};
    default:
      break;
  }
  if (http_status >= 500 && http_status <= 599) {
    return {absl::StatusCode::kUnavailable, "TWILIO_UNAVAILABLE"};
  }
  return {absl::StatusCode::kInternal, "TWILIO_UNEXPECTED_STATUS"};
}

}  // namespace

absl::Status TwilioErrorToStatus(int http_status, absl::string_view body,
                                 absl::string_view request_id,
                                 absl::string_view operation) {
  const TwilioErrorBody twilio = ReadErrorBody(body);
  const Classification classification = Classify(http_status, twilio);
  const std::string twilio_message =
      SanitizeUntrustedText(twilio.message(), kMaxTwilioMessageBytes);
  const std::string safe_request_id =
      SanitizeUntrustedText(request_id, kMaxRequestIdBytes);

  std::string message;
  if (!operation.empty()) absl::StrAppend(&message, operation, ": ");
  absl::StrAppend(&message, "Twilio answered HTTP ", http_status);
  if (twilio.code() != 0) {
    absl::StrAppend(&message, " with error ", twilio.code());
  }
  if (!twilio_message.empty()) absl::StrAppend(&message, ": ", twilio_message);
  // Twilio support asks for this id first.
  if (!safe_request_id.empty()) {
    absl::StrAppend(&message, " (Twilio-Request-Id ", safe_request_id, ")");
  }

  GatewayError error;
  error.set_reason(std::string(classification.reason));
  error.set_twilio_code(twilio.code());
  error.set_http_status(http_status);
  error.set_more_info(
      SanitizeUntrustedText(twilio.more_info(), kMaxMoreInfoBytes));
  error.set_twilio_request_id(safe_request_id);

  absl::Status status(classification.code, message);
  SetGatewayError(status, error);
  return status;
}

void SetGatewayError(absl::Status& status, const GatewayError& error) {
  // absl::Status drops payloads on OK itself; the check makes it explicit.
  if (status.ok()) return;
  status.SetPayload(kGatewayErrorTypeUrl,
                    absl::Cord(error.SerializeAsString()));
}

std::optional<GatewayError> GetGatewayError(const absl::Status& status) {
  // This Abseil build has its own optional, not std::optional.
  const absl::optional<absl::Cord> payload =
      status.GetPayload(kGatewayErrorTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  GatewayError error;
  if (!error.ParseFromString(std::string(*payload))) return std::nullopt;
  return error;
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  GatewayError error;
  error.set_reason(std::string(reason));
  SetGatewayError(status, error);
  return status;
}

std::string SanitizeUntrustedText(absl::string_view text,
                                  std::size_t max_bytes) {
  text = absl::StripAsciiWhitespace(text);
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  bool space_pending = false;
  bool cut = false;
  while (!text.empty()) {
    char32_t code_point = 0;
    std::size_t length = Utf8SequenceLength(text, &code_point);
    absl::string_view piece = text.substr(0, length);
    if (length == 0) {
      length = 1;
      piece = kReplacementCharacter;
    } else if (IsControl(code_point)) {
      // Runs collapse to one space so "a\r\nb" still reads as two words.
      space_pending = true;
      text.remove_prefix(length);
      continue;
    }
    const bool add_space = space_pending && !out.empty();
    if (out.size() + piece.size() + (add_space ? 1 : 0) > max_bytes) {
      cut = true;
      break;
    }
    if (add_space) out.push_back(' ');
    space_pending = false;
    out.append(piece.data(), piece.size());
    text.remove_prefix(length);
  }
  if (cut) {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out.append("...");
  }
  return out;
}

}  // namespace twilio_gateway::twilio
