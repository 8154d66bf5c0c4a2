#include "service/twilio/rest_paths.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace twilio_gateway::twilio {
namespace {

constexpr absl::string_view kDefaultBaseUrl = "https://api.twilio.com";

// Hosts and ports only: letters, digits, '.', '-', '_', ':' and the
// brackets of an IPv6 literal. Anything else (a path, a query, userinfo)
// could send requests somewhere the operator did not mean.
bool IsHostAndPort(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '-' && c != '_' && c != ':' && c != '[' && c != ']') {
      return false;
    }
  }
  return true;
}

// Region and edge names are lower-case words: "us1", "ie1", "sao-paulo".
bool IsName(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return false;
    }
  }
  return !text.empty();
}

}  // namespace

absl::StatusOr<std::string> TwilioBaseUrl(absl::string_view base_url,
                                          absl::string_view region,
                                          absl::string_view edge) {
  if (!base_url.empty()) {
    absl::string_view rest = base_url;
    if (!absl::ConsumePrefix(&rest, "https://") &&
        !absl::ConsumePrefix(&rest, "http://")) {
      return absl::InvalidArgumentError(
          "--twilio_base_url must start with https:// or http://");
    }
    absl::ConsumeSuffix(&rest, "/");
    if (!IsHostAndPort(rest)) {
      return absl::InvalidArgumentError(
          "--twilio_base_url must be a scheme, a host and an optional port, "
          "with no path, query or user name");
    }
    return std::string(absl::StripSuffix(base_url, "/"));
  }
  if (!region.empty() && !IsName(region)) {
    return absl::InvalidArgumentError(
        "--twilio_region must be a Twilio region such as us1 or ie1");
  }
  if (!edge.empty() && !IsName(edge)) {
    return absl::InvalidArgumentError(
        "--twilio_edge must be a Twilio edge such as dublin or ashburn");
  }
  if (edge.empty() && region.empty()) return std::string(kDefaultBaseUrl);
  if (edge.empty()) {
    if (region != "us1") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--twilio_region=", region,
          " needs --twilio_edge too: Twilio no longer serves region-only "
          "hosts outside us1"));
    }
    return std::string("https://api.us1.twilio.com");
  }
  return absl::StrCat("https://api.", edge, ".",
                      region.empty() ? "us1" : region, ".twilio.com");
}

std::string MappingCollectionPath(absl::string_view account_sid,
                                  absl::string_view domain_sid) {
  return absl::StrCat("/2010-04-01/Accounts/", account_sid, "/SIP/Domains/",
                      domain_sid, "/Auth/Registrations/CredentialListMappings");
}

std::string MappingCollectionJsonPath(absl::string_view account_sid,
                                      absl::string_view domain_sid) {
  return absl::StrCat(MappingCollectionPath(account_sid, domain_sid), ".json");
}

std::string MappingInstancePath(absl::string_view account_sid,
                                absl::string_view domain_sid,
                                absl::string_view sid) {
  return absl::StrCat(MappingCollectionPath(account_sid, domain_sid), "/", sid,
                      ".json");
}

}  // namespace twilio_gateway::twilio
