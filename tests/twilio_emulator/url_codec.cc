#include "tests/twilio_emulator/url_codec.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace twilio_gateway {
namespace testing {
namespace {

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentEncode(absl::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size() * 3);
  for (char c : raw) {
    if (IsUnreserved(c)) {
      out.push_back(c);
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0F]);
  }
  return out;
}

absl::StatusOr<std::string> FormDecode(absl::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '+') {
      out.push_back(' ');
      continue;
    }
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= encoded.size()) {
      return absl::InvalidArgumentError("truncated percent escape");
    }
    const int high = HexValue(encoded[i + 1]);
    const int low = HexValue(encoded[i + 2]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError("malformed percent escape");
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::vector<RawParam> SplitParams(absl::string_view query) {
  std::vector<RawParam> params;
  for (absl::string_view piece :
       absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    params.push_back(RawParam{std::string(name_value.first),
                              std::string(name_value.second)});
  }
  return params;
}

std::optional<std::string> FindRawParam(const std::vector<RawParam>& params,
                                        absl::string_view name) {
  for (const RawParam& param : params) {
    absl::StatusOr<std::string> decoded = FormDecode(param.name);
    if (decoded.ok() && *decoded == name) return param.value;
  }
  return std::nullopt;
}

}  // namespace testing
}  // namespace twilio_gateway
