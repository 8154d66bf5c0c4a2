#include "service/twilio/rest_paths.h"

#include "gtest/gtest.h"

namespace twilio_gateway::twilio {
namespace {

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kList[] = "CL0123456789abcdef0123456789abcdef";

TEST(MappingPathsTest, MatchTwilioRegistrationsCollection) {
  EXPECT_EQ(MappingCollectionJsonPath(kAccount, kDomain),
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/SIP/"
            "Domains/SD0123456789abcdef0123456789abcdef/Auth/Registrations/"
            "CredentialListMappings.json");
  EXPECT_EQ(MappingInstancePath(kAccount, kDomain, kList),
            "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/SIP/"
            "Domains/SD0123456789abcdef0123456789abcdef/Auth/Registrations/"
            "CredentialListMappings/CL0123456789abcdef0123456789abcdef.json");
}

TEST(TwilioBaseUrlTest, DefaultsToApiTwilioCom) {
  EXPECT_EQ(*TwilioBaseUrl("", "", ""), "https://api.twilio.com");
}

TEST(TwilioBaseUrlTest, EdgeAndRegionAsTwilioLibrariesBuildThem) {
  EXPECT_EQ(*TwilioBaseUrl("", "ie1", "dublin"),
            "https://api.dublin.ie1.twilio.com");
  EXPECT_EQ(*TwilioBaseUrl("", "", "sydney"),
            "https://api.sydney.us1.twilio.com");
  EXPECT_EQ(*TwilioBaseUrl("", "us1", ""), "https://api.us1.twilio.com");
}

TEST(TwilioBaseUrlTest, RegionOutsideUs1NeedsAnEdge) {
  absl::StatusOr<std::string> url = TwilioBaseUrl("", "ie1", "");
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(url.status().message().find("--twilio_edge"), std::string::npos);
}

TEST(TwilioBaseUrlTest, BaseUrlOverridesAndLosesTrailingSlash) {
  EXPECT_EQ(*TwilioBaseUrl("http://127.0.0.1:8080/", "ie1", "dublin"),
            "http://127.0.0.1:8080");
  EXPECT_EQ(*TwilioBaseUrl("https://twilio.internal", "", ""),
            "https://twilio.internal");
}

TEST(TwilioBaseUrlTest, RejectsAnythingButSchemeHostAndPort) {
  for (const char* bad : {"ftp://x", "127.0.0.1:8080", "https://user:pw@host",
                          "https://host/path", "https://host?x=1",
                          "https://host#f", "https://", "https://ho st"}) {
    EXPECT_EQ(TwilioBaseUrl(bad, "", "").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(TwilioBaseUrl("", "IE1!", "dublin").ok());
  EXPECT_FALSE(TwilioBaseUrl("", "ie1", "dub/lin").ok());
}

}  // namespace
}  // namespace twilio_gateway::twilio
