#include "service/auth/caller_tokens.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/auth/token_hash.h"
#include "tests/security/security_test_support.h"

namespace twilio_gateway::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::twilio_gateway::security_testing::Sha256HexForTest;
using ::twilio_gateway::security_testing::TempFolder;
using ::twilio_gateway::security_testing::WriteFileAtomically;

constexpr char kToken[] = "reader-token-0123456789abcdefghijklmnop";
constexpr char kOldToken[] = "old-token-0123456789abcdefghijklmnopqr";

std::string File(const std::string& body) {
  return absl::StrReplaceAll(body, {{"$READER", Sha256HexForTest(kToken)},
                                    {"$OLD", Sha256HexForTest(kOldToken)}});
}

TEST(TokenHashTest, MatchesTheOpensslCommand) {
  EXPECT_EQ(Sha256Hex(kToken), Sha256HexForTest(kToken));
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenHashTest, ConstantTimeEqualsComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(CallerTokensTest, FindsValidAndRevokedTokensByHash) {
  auto tokens = CallerTokens::Parse(File(R"({"tokens": [
      {"caller": "reader", "sha256": "$READER"},
      {"caller": "old-job", "sha256": "$OLD", "revoked": true}]})"));
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ((*tokens)->size(), 2u);

  CallerTokens::Match valid = (*tokens)->Find(kToken);
  EXPECT_EQ(valid.verdict, CallerTokens::Verdict::kValid);
  EXPECT_EQ(valid.caller, "reader");

  CallerTokens::Match revoked = (*tokens)->Find(kOldToken);
  EXPECT_EQ(revoked.verdict, CallerTokens::Verdict::kRevoked);
  EXPECT_EQ(revoked.caller, "old-job");

  EXPECT_EQ((*tokens)->Find("someone-else").verdict,
            CallerTokens::Verdict::kUnknown);
  EXPECT_EQ((*tokens)->Find("").verdict, CallerTokens::Verdict::kUnknown);
}

TEST(CallerTokensTest, UpperCaseHashesMatch) {
  auto tokens = CallerTokens::Parse(
      absl::StrCat(R"({"tokens": [{"caller": "reader", "sha256": ")",
                   absl::AsciiStrToUpper(Sha256HexForTest(kToken)), R"("}]})"));
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ((*tokens)->Find(kToken).verdict, CallerTokens::Verdict::kValid);
}

TEST(CallerTokensTest, ATokenPastedInPlaceOfItsHashIsRefusedUnquoted) {
  auto tokens = CallerTokens::Parse(absl::StrCat(
      R"({"tokens": [{"caller": "reader", "sha256": ")", kToken, R"("}]})"));
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(tokens.status().message(), HasSubstr("tokens[0].sha256"));
  EXPECT_THAT(tokens.status().message(), Not(HasSubstr(kToken)));
}

TEST(CallerTokensTest, RejectsWhatIsNotTheFormat) {
  const std::string hash = Sha256HexForTest(kToken);
  struct Case {
    std::string json;
    std::string message;
  } cases[] = {
      {"[]", "one JSON object"},
      {"{}", "\"tokens\" must be an array"},
      {R"({"tokens": [], "extra": 1})", "unknown key"},
      {R"({"tokens": [1]})", "tokens[0] must be an object"},
      {absl::StrCat(R"({"tokens": [{"caller": "a", "sha256": ")", hash,
                    R"(", "role": "x"}]})"),
       "tokens[0] has an unknown key"},
      {absl::StrCat(R"({"tokens": [{"sha256": ")", hash, R"("}]})"),
       "tokens[0].caller"},
      {absl::StrCat(R"({"tokens": [{"caller": "a b", "sha256": ")", hash,
                    R"("}]})"),
       "tokens[0].caller must be printable ASCII"},
      {absl::StrCat(R"({"tokens": [{"caller": "*", "sha256": ")", hash,
                    R"("}]})"),
       "must not be \"*\""},
      {absl::StrCat(R"({"tokens": [{"caller": "a", "sha256": ")", hash,
                    R"(", "revoked": "yes"}]})"),
       "tokens[0].revoked must be true or false"},
      {absl::StrCat(R"({"tokens": [{"caller": "a", "sha256": ")", hash,
                    R"("}, {"caller": "b", "sha256": ")", hash, R"("}]})"),
       "tokens[1].sha256 is listed twice"},
      {absl::StrCat(R"({"tokens": [{"caller": "a", "caller": "b", "sha256": ")",
                    hash, R"("}]})"),
       "key \"caller\" is given twice"},
      {R"({"tokens": [)", "not valid JSON (syntax error at line 1"},
  };
  for (const Case& c : cases) {
    auto tokens = CallerTokens::Parse(c.json);
    ASSERT_FALSE(tokens.ok()) << c.json;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(tokens.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(CallerTokensTest, ReadNamesTheFile) {
  TempFolder folder;
  const std::string path = folder.File("tokens.json");
  WriteFileAtomically(path, "{");
  auto tokens = CallerTokens::Read(path);
  ASSERT_FALSE(tokens.ok());
  EXPECT_THAT(tokens.status().message(),
              HasSubstr(absl::StrCat("tokens file ", path, ": not valid")));

  auto missing = CallerTokens::Read(folder.File("missing.json"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace twilio_gateway::auth
