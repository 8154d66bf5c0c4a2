#include "service/twilio/rest_paths.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

// True for "localhost", an IPv4 address in 127.0.0.0/8 or "[::1]", each
// with an optional ":port": hosts where plain HTTP never leaves the machine.
bool IsLoopback(absl::string_view host_and_port) {
  absl::string_view host = host_and_port;
  if (absl::StartsWith(host, "[")) {
    const std::size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    host = host.substr(1, close - 1);
    return host == "::1";
  }
  host = host.substr(0, host.find(':'));
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value = 0;
    if (octet.empty() || octet.size() > 3 || !absl::SimpleAtoi(octet, &value) ||
        !absl::ascii_isdigit(static_cast<unsigned char>(octet[0])) ||
        value > 255) {
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
    const bool https = absl::ConsumePrefix(&rest, "https://");
    if (!https && !absl::ConsumePrefix(&rest, "http://")) {
      return absl::InvalidArgumentError(
          "--twilio_base_url must start with https:// or http://");
    }
    absl::ConsumeSuffix(&rest, "/");
    if (!IsHostAndPort(rest)) {
      return absl::InvalidArgumentError(
          "--twilio_base_url must be a scheme, a host and an optional port, "
          "with no path, query or user name");
    }
    // Plain HTTP would send the account's credentials readable to anyone
    // on the way; only a test double on this machine may have them so.
    if (!https && !IsLoopback(rest)) {
      return absl::InvalidArgumentError(
          "--twilio_base_url may use http:// only for a loopback host "
          "(127.0.0.0/8, [::1], localhost), such as the emulator in tests; "
          "anything else needs https://");
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
