#include "client/sipmapctl_output.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/error_details.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace twilio_gateway::client {
namespace {

constexpr size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;

std::string Printable(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return out;
}

std::string Cell(absl::string_view value) {
  return value.empty() ? "-" : Printable(value);
}

std::string TimeCell(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat(
      "output must be table or json, not \"", Printable(text), "\""));
}

std::string FormatMappingTable(const sip::v1::CredentialListMapping& mapping) {
  google::protobuf::RepeatedPtrField<sip::v1::CredentialListMapping> one;
  *one.Add() = mapping;
  return FormatMappingTable(one);
}

std::string FormatMappingTable(
    const google::protobuf::RepeatedPtrField<sip::v1::CredentialListMapping>&
        mappings) {
  std::vector<Row> rows;
  rows.reserve(mappings.size() + 1);
  rows.push_back(
      {"SID", "ACCOUNT", "DOMAIN", "FRIENDLY NAME", "CREATED", "UPDATED"});
  for (const auto& mapping : mappings) {
    rows.push_back({Cell(mapping.sid()), Cell(mapping.account_sid()),
                    Cell(mapping.domain_sid()), Cell(mapping.friendly_name()),
                    TimeCell(mapping.create_time()),
                    TimeCell(mapping.update_time())});
  }
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < kColumns; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < kColumns; ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < kColumns) {
        line.append(widths[i] - row[i].size() + 2, ' ');
      }
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  // Printing a generated message of this API cannot fail: it has no Any
  // fields to resolve and no maps with non-string keys.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

std::string FormatError(const absl::Status& status) {
  std::string out = absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                 Printable(status.message()), "\n");
  std::optional<ErrorDetails> details = GetErrorDetails(status);
  if (!details.has_value()) return out;

  std::vector<std::pair<absl::string_view, std::string>> lines;
  lines.emplace_back("reason", details->reason);
  lines.emplace_back("field", details->field);
  if (details->twilio_code != 0) {
    lines.emplace_back("twilio_code", absl::StrCat(details->twilio_code));
  }
  lines.emplace_back("more_info", details->more_info);
  if (details->http_status != 0) {
    lines.emplace_back("http_status", absl::StrCat(details->http_status));
  }
  lines.emplace_back("twilio_request_id", details->twilio_request_id);
  for (const auto& [name, value] : lines) {
    if (value.empty()) continue;
    absl::StrAppend(&out, "  ", name, ": ", Printable(value), "\n");
  }
  return out;
}

}  // namespace twilio_gateway::client
