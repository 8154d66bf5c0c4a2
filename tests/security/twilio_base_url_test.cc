// Upstream TLS: plain http:// to Twilio only for a loopback host.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/rest_paths.h"

namespace twilio_gateway::twilio {
namespace {

using ::testing::HasSubstr;

TEST(TwilioBaseUrlSecurityTest, PlainHttpOnlyForLoopbackHosts) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:1",
        "http://LOCALHOST", "http://[::1]:8080", "http://127.0.0.1/"}) {
    EXPECT_TRUE(TwilioBaseUrl(url, "", "").ok()) << url;
  }
  for (const char* url :
       {"http://api.twilio.com", "http://10.0.0.1:8080", "http://128.0.0.1",
        "http://127.0.0.1.example.com", "http://localhost.example.com",
        "http://[::2]:80", "http://127.0.0.256", "http://127.0.0",
        "http://0x7f.0.0.1"}) {
    absl::StatusOr<std::string> result = TwilioBaseUrl(url, "", "");
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(
      TwilioBaseUrl("http://twilio.internal", "", "").status().message(),
      HasSubstr("http:// only for a loopback host"));
}

TEST(TwilioBaseUrlSecurityTest, HttpsIsAcceptedForAnyHost) {
  EXPECT_TRUE(TwilioBaseUrl("https://twilio.internal:8443", "", "").ok());
  EXPECT_EQ(*TwilioBaseUrl("", "", ""), "https://api.twilio.com");
}

}  // namespace
}  // namespace twilio_gateway::twilio
