#ifndef TESTS_TWILIO_EMULATOR_PAGE_TOKEN_H_
#define TESTS_TWILIO_EMULATOR_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {

/// Where a page of the emulated list starts. Anchoring on a SID rather
/// than an offset keeps paging stable while the collection changes: an item
/// present throughout a walk is neither skipped nor repeated.
struct PageToken {
  enum class Direction {
    kAfter,   // the page holds the first items with a SID above `sid`
    kBefore,  // the page holds the last items with a SID below `sid`
  };
  Direction direction = Direction::kAfter;
  std::string sid;  // a CredentialList SID, `CL` + 32 hex digits
};

/// Encodes `token` as `PT` + standard base64 (with `+`, `/` and `=`).
///
/// The result is not URL-safe on purpose: it must be percent-encoded in a
/// URI, so a client that re-encodes or un-escapes Twilio's `next_page_uri`
/// instead of using it byte for byte sends a token that no longer decodes.
std::string EncodePageToken(const PageToken& token);

/// Reads back a token made by `EncodePageToken`, already percent-decoded.
///
/// Fails with `InvalidArgumentError` unless the text is exactly what
/// `EncodePageToken` produces for some token: wrong prefix, non-canonical
/// base64, stray characters or a malformed SID all fail.
absl::StatusOr<PageToken> DecodePageToken(absl::string_view text);

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_PAGE_TOKEN_H_
