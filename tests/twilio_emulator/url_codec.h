#ifndef TESTS_TWILIO_EMULATOR_URL_CODEC_H_
#define TESTS_TWILIO_EMULATOR_URL_CODEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {

/// One `name=value` piece of a query string or form body, still encoded.
struct RawParam {
  std::string name;
  std::string value;
};

/// Percent-encodes every byte outside RFC 3986's unreserved set
/// (`A-Z a-z 0-9 - . _ ~`), so the result means the same thing to every
/// reader of a query string, including ones that treat `+` as a space.
std::string PercentEncode(absl::string_view raw);

/// Decodes `%XX` escapes and, as HTML forms do, `+` as a space.
///
/// Fails with `InvalidArgumentError` when a `%` is not followed by two hex
/// digits: a value that cannot be read back exactly is an error, never a
/// guess.
absl::StatusOr<std::string> FormDecode(absl::string_view encoded);

/// Splits `a=1&b=2` into raw pairs without decoding them. Empty pieces are
/// skipped; a piece without `=` has an empty value.
std::vector<RawParam> SplitParams(absl::string_view query);

/// The still-encoded value of the first parameter whose decoded name is
/// `name`, or nullopt when there is none.
std::optional<std::string> FindRawParam(const std::vector<RawParam>& params,
                                        absl::string_view name);

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_URL_CODEC_H_
