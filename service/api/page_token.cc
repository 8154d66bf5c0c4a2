#include "service/api/page_token.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/twilio/rest_paths.h"
#include "service/twilio/twilio_error.h"
#include "twilio_gateway/internal/v1/page_token.pb.h"

namespace twilio_gateway::api {
namespace {

using ::twilio_gateway::internal::v1::GatewayError;
using ::twilio_gateway::internal::v1::PageTokenState;

// The first byte of every token; a new layout gets a new value.
constexpr char kVersion = 1;
constexpr size_t kChecksumBytes = 8;
// Twilio's queries are a few dozen bytes; anything near this is not one.
constexpr size_t kMaxQueryBytes = 2048;

// FNV-1a, 64 bits: catches cut and altered tokens. It is not a signature;
// see the header for why tokens need none.
uint64_t Checksum(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void AppendChecksum(std::string& bytes) {
  uint64_t hash = Checksum(bytes);
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    bytes.push_back(static_cast<char>(hash & 0xFF));
    hash >>= 8;
  }
}

bool IsHexDigit(char c) {
  return absl::ascii_isxdigit(static_cast<unsigned char>(c));
}

// RFC 3986 query characters: unreserved, sub-delims, ':', '@', '/', '?' and
// complete percent escapes. No '#', blank, control or non-ASCII byte can
// pass, so the query cannot end the URL early or change where it goes.
bool IsUriQuery(absl::string_view query) {
  for (size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    if (c == '%') {
      if (i + 2 >= query.size() || !IsHexDigit(query[i + 1]) ||
          !IsHexDigit(query[i + 2])) {
        return false;
      }
      i += 2;
      continue;
    }
    if (absl::string_view("-._~!$&'()*+,;=:@/?").find(c) ==
        absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::Status InvalidToken(absl::string_view why) {
  absl::Status status =
      absl::InvalidArgumentError(absl::StrCat("page_token ", why));
  GatewayError error;
  error.set_reason("INVALID_PAGE_TOKEN");
  error.set_field("page_token");
  twilio::SetGatewayError(status, error);
  return status;
}

}  // namespace

absl::StatusOr<std::string> EncodePageToken(absl::string_view account_sid,
                                            absl::string_view domain_sid,
                                            absl::string_view base_url,
                                            absl::string_view next_page_uri) {
  absl::string_view uri = next_page_uri;
  if (!base_url.empty()) absl::ConsumePrefix(&uri, base_url);
  const size_t question = uri.find('?');
  const absl::string_view path = uri.substr(0, question);
  const absl::string_view query = question == absl::string_view::npos
                                      ? absl::string_view()
                                      : uri.substr(question + 1);
  if (path != twilio::MappingCollectionJsonPath(account_sid, domain_sid)) {
    return absl::InternalError(
        "Twilio's next_page_uri does not lead to the collection being listed");
  }
  if (query.empty() || query.size() > kMaxQueryBytes || !IsUriQuery(query)) {
    return absl::InternalError(
        "Twilio's next_page_uri has a query the gateway cannot pass on");
  }

  PageTokenState state;
  state.set_account_sid(std::string(account_sid));
  state.set_domain_sid(std::string(domain_sid));
  state.set_next_page_query(std::string(query));
  std::string bytes(1, kVersion);
  if (!state.AppendToString(&bytes)) {
    return absl::InternalError("could not serialize a page token");
  }
  AppendChecksum(bytes);
  return absl::WebSafeBase64Escape(bytes);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view account_sid,
                                            absl::string_view domain_sid) {
  // Base64 of the longest valid token, with room to spare.
  if (token.size() > 2 * kMaxQueryBytes) return InvalidToken("is too long");
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(token, &bytes) ||
      bytes.size() < 1 + kChecksumBytes || bytes[0] != kVersion) {
    return InvalidToken("is not a token this gateway issued");
  }
  const absl::string_view body(bytes.data(), bytes.size() - kChecksumBytes);
  std::string expected(body);
  AppendChecksum(expected);
  if (expected != bytes) {
    return InvalidToken("is damaged: it was cut short or altered");
  }

  PageTokenState state;
  if (!state.ParseFromArray(body.data() + 1,
                            static_cast<int>(body.size() - 1))) {
    return InvalidToken("is not a token this gateway issued");
  }
  if (state.account_sid() != account_sid || state.domain_sid() != domain_sid) {
    return InvalidToken(
        "was issued for another account or domain; pass the same "
        "account_sid and domain_sid as the call that returned it");
  }
  // Checked again: the checksum is no signature, so a crafted token must
  // meet the same bar as Twilio's link did.
  if (state.next_page_query().empty() ||
      state.next_page_query().size() > kMaxQueryBytes ||
      !IsUriQuery(state.next_page_query())) {
    return InvalidToken("is not a token this gateway issued");
  }
  return std::move(*state.mutable_next_page_query());
}

}  // namespace twilio_gateway::api
