#include "tests/twilio_emulator/rest_handler.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/twilio_emulator/page_token.h"
#include "tests/twilio_emulator/sid.h"
#include "tests/twilio_emulator/url_codec.h"

namespace twilio_gateway {
namespace testing {
namespace {

using ::nlohmann::json;

constexpr char kJsonContentType[] = "application/json; charset=utf-8";
constexpr char kCollectionName[] = "CredentialListMappings";
constexpr absl::string_view kJsonSuffix = ".json";

constexpr int64_t kDefaultPageSize = 50;
constexpr int64_t kMaxPageSize = 1000;
// Keeps `start` and `end` (page * page_size) far from overflow.
constexpr int64_t kMaxPage = 1000000000;

// The two paths this resource has, with the SIDs taken from them.
struct Route {
  enum class Kind { kCollection, kInstance };
  Kind kind = Kind::kCollection;
  std::string account_sid;
  std::string domain_sid;
  std::string sid;  // kInstance only
};

// Matches the path segment by segment, so a sibling collection such as
// `…/Auth/Calls/CredentialListMappings` or the legacy
// `…/Domains/{SD}/CredentialListMappings` is not mistaken for this one.
std::optional<Route> ParseRoute(absl::string_view path) {
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() != 10 && parts.size() != 11) return std::nullopt;
  if (!parts[0].empty() || parts[1] != "2010-04-01" || parts[2] != "Accounts" ||
      !IsSid(parts[3], "AC") || parts[4] != "SIP" || parts[5] != "Domains" ||
      !IsSid(parts[6], "SD") || parts[7] != "Auth" ||
      parts[8] != "Registrations") {
    return std::nullopt;
  }
  Route route;
  route.account_sid = std::string(parts[3]);
  route.domain_sid = std::string(parts[6]);

  absl::string_view last = parts.back();
  // Without ".json" the 2010 API answers in XML, which is not emulated.
  if (!absl::ConsumeSuffix(&last, kJsonSuffix)) return std::nullopt;
  if (parts.size() == 10) {
    if (last != kCollectionName) return std::nullopt;
    route.kind = Route::Kind::kCollection;
    return route;
  }
  if (parts[9] != kCollectionName || !IsSid(last, "CL")) return std::nullopt;
  route.kind = Route::Kind::kInstance;
  route.sid = std::string(last);
  return route;
}

std::string CollectionPath(const Route& route) {
  return absl::StrCat("/2010-04-01/Accounts/", route.account_sid,
                      "/SIP/Domains/", route.domain_sid, "/Auth/Registrations/",
                      kCollectionName, kJsonSuffix);
}

// Bodies may echo bytes from the request (a path in a 404 message), which
// need not be UTF-8; replacing them keeps `dump` from throwing.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse JsonTextAnswer(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", kJsonContentType);
  response.body = std::move(body);
  return response;
}

HttpResponse JsonAnswer(int status, const json& body) {
  return JsonTextAnswer(status, Dump(body));
}

HttpResponse TwilioError(int status, int code, const std::string& message) {
  json body = json::object();
  body["code"] = code;
  body["message"] = message;
  body["more_info"] = absl::StrCat("https://www.twilio.com/docs/errors/", code);
  body["status"] = status;
  return JsonAnswer(status, body);
}

HttpResponse NotFound(absl::string_view path) {
  return TwilioError(
      404, kErrorNotFound,
      absl::StrCat("The requested resource ", path, " was not found"));
}

HttpResponse MethodNotAllowed(absl::string_view allowed) {
  HttpResponse response =
      TwilioError(405, kErrorMethodNotAllowed, "Method not allowed");
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

HttpResponse Unauthorized(AuthResult result) {
  HttpResponse response =
      TwilioError(401, kErrorAuthentication,
                  result == AuthResult::kMissing
                      ? "Authentication Error - No credentials provided"
                      : "Authentication Error - invalid username or password");
  response.headers.emplace_back("WWW-Authenticate",
                                "Basic realm=\"Twilio API\"");
  return response;
}

std::string FormatDate(absl::Time time) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", time,
                          absl::UTCTimeZone());
}

// Appends `text` as a JSON string, as Dump would write it.
void AppendJsonString(absl::string_view text, std::string* out) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    absl::StrAppend(out, "\"", text, "\"");
  } else {
    out->append(Dump(json(std::string(text))));
  }
}

void AppendJsonOrNull(const std::optional<std::string>& text,
                      std::string* out) {
  if (text.has_value()) {
    AppendJsonString(*text, out);
  } else {
    out->append("null");
  }
}

// One mapping as Twilio renders it, keys in alphabetical order.
void AppendMappingJson(const StoredMapping& mapping, std::string* out) {
  out->append("{\"account_sid\":");
  AppendJsonString(mapping.account_sid, out);
  out->append(",\"date_created\":");
  AppendJsonString(FormatDate(mapping.date_created), out);
  out->append(",\"date_updated\":");
  AppendJsonString(FormatDate(mapping.date_updated), out);
  out->append(",\"friendly_name\":");
  AppendJsonString(mapping.friendly_name, out);
  out->append(",\"sid\":");
  AppendJsonString(mapping.sid, out);
  out->push_back('}');
}

HttpResponse MappingAnswer(int status, const StoredMapping& mapping) {
  std::string body;
  AppendMappingJson(mapping, &body);
  return JsonTextAnswer(status, std::move(body));
}

// A decimal integer in [low, high], digits only: no sign, no spaces.
std::optional<int64_t> ParseBoundedInt(absl::string_view raw, int64_t low,
                                       int64_t high) {
  absl::StatusOr<std::string> decoded = FormDecode(raw);
  if (!decoded.ok() || decoded->empty() || decoded->size() > 12) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : *decoded) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  if (value < low || value > high) return std::nullopt;
  return value;
}

std::string PageUri(const std::string& collection, int64_t page_size,
                    int64_t page, const std::optional<PageToken>& token) {
  std::string uri =
      absl::StrCat(collection, "?PageSize=", page_size, "&Page=", page);
  if (token.has_value()) {
    absl::StrAppend(&uri,
                    "&PageToken=", PercentEncode(EncodePageToken(*token)));
  }
  return uri;
}

HttpResponse Create(MappingStore& store, absl::Time now, const Route& route,
                    absl::string_view body) {
  const std::optional<std::string> raw =
      FindRawParam(SplitParams(body), "CredentialListSid");
  absl::StatusOr<std::string> sid =
      raw.has_value() ? FormDecode(*raw)
                      : absl::StatusOr<std::string>(std::string());
  if (sid.ok() && sid->empty()) {
    // Twilio's newer APIs use 20001 for a missing form field; what the 2010
    // SIP API sends is not documented, so the number is the emulator's.
    return TwilioError(
        400, kErrorInvalidParameter,
        "Missing required parameter CredentialListSid in the post body");
  }
  if (!sid.ok() || !IsSid(*sid, "CL")) {
    // Likewise the emulator's choice of number.
    return TwilioError(400, kErrorInvalidParameter,
                       "Invalid parameter CredentialListSid: must be CL "
                       "followed by 32 hex digits");
  }

  absl::StatusOr<StoredMapping> created =
      store.Create(route.account_sid, route.domain_sid, *sid, now);
  if (!created.ok()) {
    return TwilioError(400, kErrorAlreadyMapped,
                       absl::StrCat("CredentialList ", *sid,
                                    " is already mapped to this domain"));
  }
  return MappingAnswer(201, *created);
}

HttpResponse Fetch(const MappingStore& store, const Route& route,
                   absl::string_view path) {
  std::optional<StoredMapping> mapping =
      store.Get(route.account_sid, route.domain_sid, route.sid);
  if (!mapping.has_value()) return NotFound(path);
  return MappingAnswer(200, *mapping);
}

HttpResponse Delete(MappingStore& store, const Route& route,
                    absl::string_view path) {
  if (!store.Remove(route.account_sid, route.domain_sid, route.sid)) {
    return NotFound(path);
  }
  HttpResponse response;
  response.status = 204;
  return response;
}

HttpResponse List(const MappingStore& store, const Route& route,
                  absl::string_view query) {
  const std::vector<RawParam> params = SplitParams(query);

  int64_t page_size = kDefaultPageSize;
  if (std::optional<std::string> raw = FindRawParam(params, "PageSize")) {
    std::optional<int64_t> value = ParseBoundedInt(*raw, 1, kMaxPageSize);
    if (!value.has_value()) {
      return TwilioError(400, kErrorInvalidParameter,
                         "PageSize must be an integer from 1 to 1000");
    }
    page_size = *value;
  }

  int64_t page = 0;
  if (std::optional<std::string> raw = FindRawParam(params, "Page")) {
    std::optional<int64_t> value = ParseBoundedInt(*raw, 0, kMaxPage);
    if (!value.has_value()) {
      return TwilioError(400, kErrorInvalidParameter,
                         "Page must be a non-negative integer");
    }
    page = *value;
  }

  // The token is read from the raw query: it must survive the client's
  // URL handling byte for byte, so only one exact decoding is accepted.
  std::optional<PageToken> token;
  if (std::optional<std::string> raw = FindRawParam(params, "PageToken")) {
    absl::StatusOr<std::string> text = FormDecode(*raw);
    absl::StatusOr<PageToken> decoded =
        text.ok() ? DecodePageToken(*text)
                  : absl::StatusOr<PageToken>(text.status());
    if (!decoded.ok()) {
      return TwilioError(400, kErrorInvalidPageToken, "Invalid PageToken");
    }
    token = *std::move(decoded);
  }
  // Twilio rejects a Page past the first without the PageToken from its own
  // page links, since an offset alone cannot page a changing collection.
  // The number (21481 rather than 20001) is the emulator's choice.
  if (page > 0 && !token.has_value()) {
    return TwilioError(400, kErrorInvalidPageToken,
                       "Page > 0 requires the PageToken of a page link");
  }

  const auto limit = static_cast<size_t>(page_size);
  MappingPage items;
  if (!token.has_value()) {
    items = store.ItemsAfter(route.account_sid, route.domain_sid, std::nullopt,
                             limit);
  } else if (token->direction == PageToken::Direction::kAfter) {
    items = store.ItemsAfter(route.account_sid, route.domain_sid, token->sid,
                             limit);
  } else {
    items = store.ItemsBefore(route.account_sid, route.domain_sid, token->sid,
                              limit);
  }

  const std::string collection = CollectionPath(route);
  const int64_t start = page * page_size;
  const auto count = static_cast<int64_t>(items.items.size());
  std::optional<std::string> next_page_uri;
  if (items.more_after) {
    next_page_uri = PageUri(
        collection, page_size, page + 1,
        PageToken{PageToken::Direction::kAfter, items.items.back().sid});
  }
  // An empty page past the first has no item to anchor a backward link on,
  // so it has no previous page either.
  std::optional<std::string> previous_page_uri;
  if (page > 0 && count > 0) {
    previous_page_uri = PageUri(
        collection, page_size, page - 1,
        PageToken{PageToken::Direction::kBefore, items.items.front().sid});
  }

  // Written out directly rather than through a json tree, which made a
  // 1,000-item page cost the emulator milliseconds; the bytes are the same
  // as nlohmann's compact dump (keys in order, no spaces).
  std::string body = "{\"contents\":[";
  for (size_t i = 0; i < items.items.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendMappingJson(items.items[i], &body);
  }
  absl::StrAppend(&body, "],\"end\":", count == 0 ? start : start + count - 1,
                  ",\"first_page_uri\":");
  AppendJsonString(PageUri(collection, page_size, 0, std::nullopt), &body);
  body.append(",\"next_page_uri\":");
  AppendJsonOrNull(next_page_uri, &body);
  absl::StrAppend(&body, ",\"page\":", page, ",\"page_size\":", page_size,
                  ",\"previous_page_uri\":");
  AppendJsonOrNull(previous_page_uri, &body);
  absl::StrAppend(&body, ",\"start\":", start, ",\"uri\":");
  AppendJsonString(PageUri(collection, page_size, page, token), &body);
  body.push_back('}');

  return JsonTextAnswer(200, std::move(body));
}

}  // namespace

RestHandler::RestHandler(std::vector<EmulatorCredential> credentials,
                         std::function<absl::Time()> clock, MappingStore* store)
    : credentials_(std::move(credentials)),
      clock_(std::move(clock)),
      store_(store) {}

HttpResponse RestHandler::Handle(const RecordedRequest& request) const {
  const AuthResult auth = CheckBasicAuth(
      FindHeader(request.headers, "Authorization"), credentials_);
  if (auth != AuthResult::kAccepted) return Unauthorized(auth);

  const size_t question = request.target.find('?');
  const absl::string_view target = request.target;
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query = question == absl::string_view::npos
                                      ? absl::string_view()
                                      : target.substr(question + 1);

  const std::optional<Route> route = ParseRoute(path);
  if (!route.has_value()) return NotFound(path);

  // HEAD is GET without a body; the HTTP layer drops the body.
  const absl::string_view method =
      request.method == "HEAD" ? absl::string_view("GET") : request.method;
  if (route->kind == Route::Kind::kCollection) {
    if (method == "POST")
      return Create(*store_, clock_(), *route, request.body);
    if (method == "GET") return List(*store_, *route, query);
    return MethodNotAllowed("GET, POST");
  }
  if (method == "GET") return Fetch(*store_, *route, path);
  if (method == "DELETE") return Delete(*store_, *route, path);
  return MethodNotAllowed("GET, DELETE");
}

}  // namespace testing
}  // namespace twilio_gateway
