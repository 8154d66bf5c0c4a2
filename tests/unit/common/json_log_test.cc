#include "service/common/json_log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace twilio_gateway {
namespace {

std::string Encoded(absl::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

// What a full JSON encoder makes of `text`, invalid UTF-8 replaced.
std::string Reference(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false,
                                   nlohmann::json::error_handler_t::replace);
}

TEST(AppendJsonStringTest, CopiesPlainTextBetweenQuotes) {
  EXPECT_EQ(Encoded("GetCredentialListMapping"),
            "\"GetCredentialListMapping\"");
  EXPECT_EQ(Encoded(""), "\"\"");
  EXPECT_EQ(Encoded(" ~"), "\" ~\"");
}

TEST(AppendJsonStringTest, AppendsToWhatIsThere) {
  std::string out = "\"msg\":";
  AppendJsonString("rpc finished", out);
  EXPECT_EQ(out, "\"msg\":\"rpc finished\"");
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Encoded("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(Encoded("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(Encoded("line\nbreak"), "\"line\\nbreak\"");
  EXPECT_EQ(Encoded(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(Encoded(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
}

TEST(AppendJsonStringTest, KeepsUtf8AndReplacesWhatIsNot) {
  EXPECT_EQ(Encoded("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Encoded("CL\xff"), "\"CL\xef\xbf\xbd\"");
}

TEST(AppendJsonStringTest, AgreesWithAFullEncoder) {
  const std::vector<std::string> texts = {
      "ACdeadbeefdeadbeefdeadbeefdeadbeef",
      "error: \"quoted\" \\ and \t tab",
      "\x7f",
      "\x1b[31mred",
      "\xe2\x82\xac euro",
      "\xc3",
      "mixed \xf0\x9f\x98\x80 and \x80 bad",
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(Encoded(text), Reference(text)) << text;
  }
}

}  // namespace
}  // namespace twilio_gateway
