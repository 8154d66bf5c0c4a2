#include "service/twilio/mapping_decoder.h"

#include <cmath>
#include <cstdint>
#include <limits>
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
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"
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

// The kinds of JSON value, for saying what was found instead.
enum class JsonKind { kNull, kBoolean, kNumber, kString, kObject, kArray };

absl::string_view KindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull:
      return "null";
    case JsonKind::kBoolean:
      return "a boolean";
    case JsonKind::kNumber:
      return "a number";
    case JsonKind::kString:
      return "a string";
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kArray:
      return "an array";
  }
  return "a value";
}

// The page's integer fields.
enum class PageNumber { kPage, kPageSize, kStart, kEnd };

// Reads one of Twilio's bodies straight into a TwilioMapping or a
// TwilioMappingPage as the parser meets each token: no document tree, no
// reflection. (protobuf's JSON reader, used before, spent most of a List's
// CPU time.) Values of the documented fields must have the documented JSON
// type, null standing for "absent"; fields it does not know, and whatever
// they hold, are skipped. The first problem stops the parse.
class TwilioJsonReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  // `what` names the body in error messages.
  TwilioJsonReader(TwilioMapping* mapping, absl::string_view what)
      : mapping_(mapping), what_(what) {}
  TwilioJsonReader(TwilioMappingPage* page, absl::string_view what)
      : page_(page), what_(what) {}

  // Fails with INTERNAL, saying what was wrong, when `body` is not one JSON
  // object whose known fields have their documented types.
  absl::Status Read(absl::string_view body) {
    // A plainer message than the parser's is worth one look at the first
    // byte.
    const absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(body);
    if (trimmed.empty()) return Internal(what_, "is empty");
    if (trimmed.front() != '{') return Internal(what_, "is not a JSON object");
    nlohmann::json::sax_parse(body.begin(), body.end(), this,
                              nlohmann::json::input_format_t::json,
                              /*strict=*/true);
    return error_;
  }

  // Page bodies: whether a `contents` array was read.
  bool saw_contents() const { return saw_contents_; }

  bool null() override { return Scalar(JsonKind::kNull); }
  bool boolean(bool) override { return Scalar(JsonKind::kBoolean); }
  bool number_integer(number_integer_t value) override {
    return Scalar(JsonKind::kNumber, nullptr, &value);
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Scalar(JsonKind::kNumber);
    }
    const int64_t signed_value = static_cast<int64_t>(value);
    return Scalar(JsonKind::kNumber, nullptr, &signed_value);
  }
  bool number_float(number_float_t value, const string_t&) override {
    // JSON does not tell 5 from 5.0; an integral value is an integer.
    if (value >= -9.2e18 && value <= 9.2e18 && std::trunc(value) == value) {
      const int64_t integral = static_cast<int64_t>(value);
      return Scalar(JsonKind::kNumber, nullptr, &integral);
    }
    return Scalar(JsonKind::kNumber);
  }
  bool string(string_t& value) override {
    return Scalar(JsonKind::kString, &value);
  }
  bool binary(binary_t&) override { return Scalar(JsonKind::kString); }

  bool start_object(std::size_t) override {
    if (frames_.empty()) {
      frames_.push_back(Frame::kRoot);
      slot_ = Slot::kIgnored;
      return true;
    }
    if (ignored_depth_ > 0 || slot_ == Slot::kIgnored) {
      ++ignored_depth_;
      return true;
    }
    if (slot_ != Slot::kItem) return WrongKind(JsonKind::kObject);
    frames_.push_back(Frame::kItem);
    item_ = page_->add_contents();
    ++items_read_;
    slot_ = Slot::kIgnored;
    return true;
  }

  bool end_object() override {
    if (ignored_depth_ > 0) {
      --ignored_depth_;
      return true;
    }
    frames_.pop_back();
    // Back in `contents`, the next value is the next item.
    slot_ = !frames_.empty() && frames_.back() == Frame::kContents
                ? Slot::kItem
                : Slot::kIgnored;
    return true;
  }

  bool start_array(std::size_t) override {
    if (ignored_depth_ > 0 || slot_ == Slot::kIgnored) {
      ++ignored_depth_;
      return true;
    }
    if (slot_ != Slot::kContents) return WrongKind(JsonKind::kArray);
    // A repeated `contents` key: the last one counts, as for any key.
    page_->clear_contents();
    items_read_ = 0;
    saw_contents_ = true;
    frames_.push_back(Frame::kContents);
    slot_ = Slot::kItem;
    return true;
  }

  bool end_array() override {
    if (ignored_depth_ > 0) {
      --ignored_depth_;
      return true;
    }
    frames_.pop_back();
    slot_ = Slot::kIgnored;
    return true;
  }

  bool key(string_t& name) override {
    if (ignored_depth_ > 0) return true;
    slot_ = Slot::kIgnored;
    if (frames_.back() == Frame::kItem) {
      SelectMappingField(item_, name);
    } else if (mapping_ != nullptr) {
      SelectMappingField(mapping_, name);
    } else {
      SelectPageField(name);
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    return Fail(
        Internal(what_, absl::StrCat("is not JSON of the documented shape: ",
                                     DescribeSyntaxError(error.what()),
                                     " (byte ", position, ")")));
  }

 private:
  // What the value being read is for.
  enum class Slot {
    kIgnored,   // a field not documented: any value, skipped
    kString,    // a string field: a string or null
    kInteger,   // one of the page's integers: an integer or null
    kContents,  // the page's items: an array
    kItem,      // one item of `contents`: an object
  };
  // The containers the reader steps into; others are skipped whole.
  enum class Frame { kRoot, kContents, kItem };

  // The parser's own description, without the excerpt of the body it adds
  // ("; last read: ...") and without its prefix.
  static std::string DescribeSyntaxError(absl::string_view what) {
    const size_t start = what.find("syntax error");
    if (start != absl::string_view::npos) what.remove_prefix(start);
    what = what.substr(0, what.find("; last read"));
    return SanitizeUntrustedText(what, kMaxExcerptBytes);
  }

  void SelectMappingField(TwilioMapping* mapping, absl::string_view name) {
    std::string* field = nullptr;
    if (name == "sid") {
      field = mapping->mutable_sid();
    } else if (name == "account_sid") {
      field = mapping->mutable_account_sid();
    } else if (name == "friendly_name") {
      field = mapping->mutable_friendly_name();
    } else if (name == "date_created") {
      field = mapping->mutable_date_created();
    } else if (name == "date_updated") {
      field = mapping->mutable_date_updated();
    } else {
      return;
    }
    SelectString(field, name);
  }

  void SelectPageField(absl::string_view name) {
    if (name == "contents") {
      slot_ = Slot::kContents;
    } else if (name == "next_page_uri") {
      SelectString(page_->mutable_next_page_uri(), name);
    } else if (name == "first_page_uri") {
      SelectString(page_->mutable_first_page_uri(), name);
    } else if (name == "previous_page_uri") {
      SelectString(page_->mutable_previous_page_uri(), name);
    } else if (name == "uri") {
      SelectString(page_->mutable_uri(), name);
    } else if (name == "page") {
      SelectInteger(PageNumber::kPage, name);
    } else if (name == "page_size") {
      SelectInteger(PageNumber::kPageSize, name);
    } else if (name == "start") {
      SelectInteger(PageNumber::kStart, name);
    } else if (name == "end") {
      SelectInteger(PageNumber::kEnd, name);
    }
  }

  void SelectString(std::string* field, absl::string_view name) {
    slot_ = Slot::kString;
    string_field_ = field;
    field_name_ = std::string(name);
  }

  void SelectInteger(PageNumber field, absl::string_view name) {
    slot_ = Slot::kInteger;
    integer_field_ = field;
    field_name_ = std::string(name);
  }

  void SetInteger(int64_t value) {
    switch (integer_field_) {
      case PageNumber::kPage:
        page_->set_page(value);
        break;
      case PageNumber::kPageSize:
        page_->set_page_size(value);
        break;
      case PageNumber::kStart:
        page_->set_start(value);
        break;
      case PageNumber::kEnd:
        page_->set_end(value);
        break;
    }
  }

  // A value that is not a container. `text` is set for strings, `integer`
  // for numbers that are integers.
  bool Scalar(JsonKind kind, std::string* text = nullptr,
              const int64_t* integer = nullptr) {
    if (ignored_depth_ > 0) return true;
    switch (slot_) {
      case Slot::kIgnored:
        return true;
      case Slot::kString:
        if (kind == JsonKind::kString) {
          *string_field_ = std::move(*text);
          return true;
        }
        if (kind == JsonKind::kNull) {
          string_field_->clear();
          return true;
        }
        return WrongKind(kind);
      case Slot::kInteger:
        if (integer != nullptr) {
          SetInteger(*integer);
          return true;
        }
        if (kind == JsonKind::kNull) return true;
        return WrongKind(kind);
      case Slot::kContents:
      case Slot::kItem:
        return WrongKind(kind);
    }
    return true;
  }

  // The value has a kind its slot does not allow.
  bool WrongKind(JsonKind kind) {
    switch (slot_) {
      case Slot::kContents:
        return Fail(Internal(what_, absl::StrCat("has no `contents` array: "
                                                 "`contents` is ",
                                                 KindName(kind))));
      case Slot::kItem:
        return Fail(Internal(
            what_, absl::StrCat("holds a `contents` item that is not an "
                                "object: item ",
                                items_read_, " is ", KindName(kind))));
      case Slot::kInteger:
        return Fail(Internal(
            what_,
            absl::StrCat(
                "is not JSON of the documented shape: `", field_name_, "` is ",
                kind == JsonKind::kNumber
                    ? "a number but not an integer"
                    : absl::StrCat(KindName(kind), ", not an integer"))));
      default:
        break;
    }
    std::string where;
    if (!frames_.empty() && frames_.back() == Frame::kItem) {
      where = absl::StrCat(" in item ", items_read_ - 1, " of `contents`");
    }
    return Fail(Internal(
        what_,
        absl::StrCat("is not JSON of the documented shape: `", field_name_, "`",
                     where, " is ", KindName(kind), ", not a string")));
  }

  bool Fail(absl::Status status) {
    if (error_.ok()) error_ = std::move(status);
    return false;
  }

  TwilioMapping* const mapping_ = nullptr;
  TwilioMappingPage* const page_ = nullptr;
  const absl::string_view what_;

  std::vector<Frame> frames_;
  // Containers open inside a skipped value.
  int ignored_depth_ = 0;
  Slot slot_ = Slot::kIgnored;
  std::string* string_field_ = nullptr;
  PageNumber integer_field_ = PageNumber::kPage;
  std::string field_name_;
  TwilioMapping* item_ = nullptr;
  int items_read_ = 0;
  bool saw_contents_ = false;
  absl::Status error_;
};

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
  if (absl::Status status =
          TwilioJsonReader(&mapping, "mapping answer").Read(body);
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
  TwilioJsonReader reader(&page, "page answer");
  if (absl::Status status = reader.Read(body); !status.ok()) return status;
  if (!reader.saw_contents()) {
    return Internal("page answer", "has no `contents` array");
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
