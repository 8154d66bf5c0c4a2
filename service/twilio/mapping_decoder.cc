#include "service/twilio/mapping_decoder.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "service/twilio/rfc2822_date.h"
#include "service/twilio/twilio_error.h"
#include "twilio_gateway/internal/v1/twilio_json.pb.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::twilio {
namespace {

using ::twilio_gateway::internal::v1::TwilioMapping;
using ::twilio_gateway::internal::v1::TwilioMappingPage;
using ::twilio_gateway::sip::v1::CredentialListMapping;

// Bodies can be large and are not ours: no message quotes more than this
// much of one.
constexpr std::size_t kMaxExcerptBytes = 100;

// The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59Z.
constexpr std::int64_t kMinTimestampSeconds = -62135596800;
constexpr std::int64_t kMaxTimestampSeconds = 253402300799;

// Where every `*_uri` of Twilio's pages starts. The client appends
// `next_page_uri` to the API host, so anything else (a full URL, "@host",
// "//host") could send the gateway's credentials elsewhere.
constexpr absl::string_view kApiPathPrefix = "/2010-04-01/";

absl::Status Internal(absl::string_view what, absl::string_view problem) {
  return absl::InternalError(absl::StrCat("Twilio's ", what, " ", problem));
}

// protobuf's message without the lines it adds to point into the body.
std::string DescribeParseError(const google::protobuf::util::Status& status) {
  const absl::string_view message(status.message().data(),
                                  status.message().size());
  return SanitizeUntrustedText(message.substr(0, message.find('\n')),
                               kMaxExcerptBytes);
}

// Parses `body` into `out`, ignoring fields Twilio may add later. `what`
// names the body in error messages.
absl::Status ParseJsonObject(absl::string_view body, absl::string_view what,
                             google::protobuf::Message* out) {
  // protobuf calls every non-object "Root element must be a message"; a
  // plainer message is worth one look at the first byte.
  const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(body);
  if (trimmed.empty()) return Internal(what, "is empty");
  if (trimmed.front() != '{') return Internal(what, "is not a JSON object");

  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(body.data(), body.size()), out,
          options);
  if (!status.ok()) {
    return Internal(what, absl::StrCat("is not JSON of the documented shape: ",
                                       DescribeParseError(status)));
  }
  return absl::OkStatus();
}

absl::string_view KindName(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return "null";
    case google::protobuf::Value::kNumberValue:
      return "a number";
    case google::protobuf::Value::kStringValue:
      return "a string";
    case google::protobuf::Value::kBoolValue:
      return "a boolean";
    case google::protobuf::Value::kStructValue:
      return "an object";
    case google::protobuf::Value::kListValue:
      return "an array";
    case google::protobuf::Value::KIND_NOT_SET:
      break;
  }
  return "empty";
}

// protobuf's parser reads a page with no `contents`, or with `contents`
// null, as an empty list; it reads `"contents": {...}` as a list of that one
// object; and it drops null and array items. Telling those from a real
// list takes a second, untyped parse. It runs only for pages of at most one
// item, which are small, so large pages are parsed once.
absl::Status CheckContentsIsListOfObjects(absl::string_view body) {
  google::protobuf::Struct root;
  google::protobuf::util::JsonParseOptions options;
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(body.data(), body.size()), &root,
          options);
  if (!status.ok()) {
    return Internal("page answer",
                    absl::StrCat("is not JSON: ", DescribeParseError(status)));
  }

  const auto it = root.fields().find("contents");
  if (it == root.fields().end()) {
    return Internal("page answer", "has no `contents` array");
  }
  if (!it->second.has_list_value()) {
    return Internal("page answer",
                    absl::StrCat("has no `contents` array: `contents` is ",
                                 KindName(it->second)));
  }
  const google::protobuf::ListValue& list = it->second.list_value();
  for (int i = 0; i < list.values_size(); ++i) {
    if (!list.values(i).has_struct_value()) {
      return Internal("page answer",
                      absl::StrCat("holds a `contents` item that is not an "
                                   "object: item ",
                                   i, " is ", KindName(list.values(i))));
    }
  }
  return absl::OkStatus();
}

// Reads one of Twilio's dates. Null, absent and "" all mean Twilio gave no
// date, which is not worth a warning.
std::optional<google::protobuf::Timestamp> ReadDate(
    absl::string_view text, absl::string_view json_name, absl::string_view sid,
    std::vector<std::string>* warnings) {
  if (text.empty()) return std::nullopt;

  std::string problem;
  const absl::StatusOr<absl::Time> time = ParseRfc2822Date(text);
  if (!time.ok()) {
    problem = std::string(time.status().message());
  } else if (absl::ToUnixSeconds(*time) < kMinTimestampSeconds ||
             absl::ToUnixSeconds(*time) > kMaxTimestampSeconds) {
    problem = "outside the range of google.protobuf.Timestamp";
  }
  if (problem.empty()) {
    google::protobuf::Timestamp timestamp;
    timestamp.set_seconds(absl::ToUnixSeconds(*time));
    return timestamp;
  }

  if (warnings != nullptr) {
    warnings->push_back(absl::StrCat(
        "Twilio's `", json_name, "` of mapping ",
        SanitizeUntrustedText(sid, kMaxExcerptBytes), " is left unset: \"",
        SanitizeUntrustedText(text, kMaxExcerptBytes), "\" is ", problem));
  }
  return std::nullopt;
}

// Moves what `in` holds into `out`; `in` is spent afterwards.
void ConvertMapping(TwilioMapping& in, absl::string_view domain_sid,
                    CredentialListMapping* out,
                    std::vector<std::string>* warnings) {
  out->set_sid(std::move(*in.mutable_sid()));
  out->set_account_sid(std::move(*in.mutable_account_sid()));
  out->set_domain_sid(std::string(domain_sid));
  out->set_friendly_name(std::move(*in.mutable_friendly_name()));
  if (std::optional<google::protobuf::Timestamp> created =
          ReadDate(in.date_created(), "date_created", out->sid(), warnings)) {
    *out->mutable_create_time() = *created;
  }
  if (std::optional<google::protobuf::Timestamp> updated =
          ReadDate(in.date_updated(), "date_updated", out->sid(), warnings)) {
    *out->mutable_update_time() = *updated;
  }
}

absl::Status CheckNextPageUri(absl::string_view uri) {
  // Null and absent both mean this is the last page.
  if (uri.empty()) return absl::OkStatus();
  if (!absl::StartsWith(uri, kApiPathPrefix)) {
    return Internal("page answer",
                    absl::StrCat("has a `next_page_uri` that is not a path "
                                 "under ",
                                 kApiPathPrefix));
  }
  // RFC 3986 allows only printable ASCII in a URI; anything else would
  // have to be escaped by us, and the value is meant to be sent as given.
  for (const char c : uri) {
    if (c <= ' ' || c > '~') {
      return Internal("page answer",
                      "has a `next_page_uri` with characters a URI cannot "
                      "hold");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeMapping(absl::string_view body, absl::string_view domain_sid,
                           CredentialListMapping* out,
                           std::vector<std::string>* warnings) {
  TwilioMapping mapping;
  if (absl::Status status = ParseJsonObject(body, "mapping answer", &mapping);
      !status.ok()) {
    return status;
  }
  if (mapping.sid().empty()) return Internal("mapping answer", "has no `sid`");

  out->Clear();
  ConvertMapping(mapping, domain_sid, out, warnings);
  return absl::OkStatus();
}

absl::Status DecodeMappingPage(
    absl::string_view body, absl::string_view domain_sid,
    google::protobuf::RepeatedPtrField<CredentialListMapping>* items,
    std::string* next_page_uri, std::vector<std::string>* warnings) {
  TwilioMappingPage page;
  if (absl::Status status = ParseJsonObject(body, "page answer", &page);
      !status.ok()) {
    return status;
  }
  if (page.contents_size() <= 1) {
    if (absl::Status status = CheckContentsIsListOfObjects(body);
        !status.ok()) {
      return status;
    }
  }
  // Everything is checked before `items` changes, so a bad page adds
  // nothing.
  for (int i = 0; i < page.contents_size(); ++i) {
    if (page.contents(i).sid().empty()) {
      return Internal("page answer",
                      absl::StrCat("holds an item without a `sid` (item ", i,
                                   " of `contents`)"));
    }
  }
  if (absl::Status status = CheckNextPageUri(page.next_page_uri());
      !status.ok()) {
    return status;
  }

  items->Reserve(items->size() + page.contents_size());
  for (TwilioMapping& mapping : *page.mutable_contents()) {
    ConvertMapping(mapping, domain_sid, items->Add(), warnings);
  }
  *next_page_uri = std::move(*page.mutable_next_page_uri());
  return absl::OkStatus();
}

}  // namespace twilio_gateway::twilio
