#include "service/credentials/credentials_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::credentials {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kMain = "AC" + std::string(32, 'a');
const std::string kOther = "AC" + std::string(32, 'b');
const std::string kSub = "AC" + std::string(32, 'c');
const std::string kKey = "SK" + std::string(32, 'e');

// Fills in $MAIN, $OTHER, $SUB and $KEY, so that cases stay readable.
std::string Doc(const std::string& text) {
  return absl::StrReplaceAll(
      text,
      {{"$MAIN", kMain}, {"$OTHER", kOther}, {"$SUB", kSub}, {"$KEY", kKey}});
}

const char kFullExample[] = R"({
  "default_account_sid": "$MAIN",
  "accounts": [
    {"account_sid": "$MAIN", "auth_token": "main-token-1"},
    {"account_sid": "$OTHER", "api_key_sid": "$KEY",
     "api_key_secret": "key-secret-2"},
    {"account_sid": "$SUB", "parent_account_sid": "$MAIN"}
  ]
})";

// One folder for every file the tests write, removed when they end.
class TempFolder : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string pattern =
        absl::StrCat(::testing::TempDir(), "credentials_file_test.XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TempFolder* const temp_folder = static_cast<TempFolder*>(
    ::testing::AddGlobalTestEnvironment(new TempFolder));

std::string TempPath(const std::string& name) {
  return absl::StrCat(temp_folder->path(), "/", name);
}

std::string WriteTempFile(const std::string& name,
                          const std::string& contents) {
  std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  // The gateway refuses a credentials file other users may read.
  ::chmod(path.c_str(), 0600);
  return path;
}

TEST(ParseCredentialsFileTest, FullExample) {
  auto file = ParseCredentialsFile(Doc(kFullExample));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->default_account_sid, kMain);
  ASSERT_EQ(file->accounts.size(), 3u);

  EXPECT_EQ(file->accounts[0].kind, AccountEntry::Kind::kAuthToken);
  EXPECT_EQ(file->accounts[0].account_sid, kMain);
  EXPECT_EQ(file->accounts[0].secret, "main-token-1");

  EXPECT_EQ(file->accounts[1].kind, AccountEntry::Kind::kApiKey);
  EXPECT_EQ(file->accounts[1].account_sid, kOther);
  EXPECT_EQ(file->accounts[1].api_key_sid, kKey);
  EXPECT_EQ(file->accounts[1].secret, "key-secret-2");

  EXPECT_EQ(file->accounts[2].kind, AccountEntry::Kind::kSubaccount);
  EXPECT_EQ(file->accounts[2].account_sid, kSub);
  EXPECT_EQ(file->accounts[2].parent_account_sid, kMain);
}

TEST(ParseCredentialsFileTest, DefaultIsOptional) {
  auto file = ParseCredentialsFile(
      Doc(R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "t"}]})"));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->default_account_sid, "");
  EXPECT_EQ(file->accounts.size(), 1u);
}

TEST(ParseCredentialsFileTest, SubaccountMayComeBeforeParent) {
  auto file = ParseCredentialsFile(Doc(R"({"accounts": [
      {"account_sid": "$SUB", "parent_account_sid": "$MAIN"},
      {"account_sid": "$MAIN", "auth_token": "t"}]})"));
  ASSERT_TRUE(file.ok()) << file.status();
}

TEST(ParseCredentialsFileTest, UpperCaseHexIsAccepted) {
  auto file = ParseCredentialsFile(
      absl::StrCat(R"({"accounts": [{"account_sid": "AC)", std::string(32, 'F'),
                   R"(", "api_key_sid": "SK)", std::string(32, 'D'),
                   R"(", "api_key_secret": "s"}]})"));
  ASSERT_TRUE(file.ok()) << file.status();
}

TEST(ParseCredentialsFileTest, ResultBuildsASnapshot) {
  auto file = ParseCredentialsFile(Doc(kFullExample));
  ASSERT_TRUE(file.ok()) << file.status();
  auto snapshot =
      CredentialSnapshot::Create(file->accounts, file->default_account_sid);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto sub = (*snapshot)->Resolve(kSub);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(sub->username, kMain);
}

TEST(ParseCredentialsFileTest, SyntaxErrorGivesLineAndColumn) {
  auto file = ParseCredentialsFile("{\n  \"accounts\": [\n    {\"x\": y}\n");
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(file.status().message(),
            "not valid JSON (syntax error at line 3, column 11)");
}

TEST(ParseCredentialsFileTest, DeepNestingDoesNotCrash) {
  const int depth = 200000;
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_EQ(ParseCredentialsFile(arrays).status().message(),
            "the top level must be a JSON object");

  std::string objects;
  for (int i = 0; i < depth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(depth, '}');
  EXPECT_THAT(std::string(ParseCredentialsFile(objects).status().message()),
              HasSubstr("unknown key \"a\""));

  EXPECT_EQ(ParseCredentialsFile(std::string(depth, '[')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseCredentialsFileTest, ArbitraryBytesNeverThrow) {
  // Every prefix of a valid file is a truncated file; none may throw or
  // succeed by accident except the whole text.
  std::string full = Doc(kFullExample);
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto file = ParseCredentialsFile(full.substr(0, n));
    EXPECT_FALSE(file.ok()) << n;
  }
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_FALSE(ParseCredentialsFile(bytes).ok());
}

struct ErrorCase {
  std::string name;
  std::string json;
  std::string expected_message;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ParseCredentialsFileErrorTest
    : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseCredentialsFileErrorTest, IsInvalidArgumentSayingWhere) {
  auto file = ParseCredentialsFile(Doc(GetParam().json));
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(file.status().message()),
              HasSubstr(GetParam().expected_message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParseCredentialsFileErrorTest,
    ::testing::Values(
        ErrorCase{"Empty", "", "not valid JSON (syntax error at line 1"},
        ErrorCase{"Truncated", "{", "not valid JSON"},
        ErrorCase{"TrailingGarbage", R"({"accounts": []} x)", "not valid JSON"},
        ErrorCase{"Comment", "// c\n{\"accounts\": []}", "not valid JSON"},
        ErrorCase{"InvalidUtf8",
                  "{\"accounts\": [{\"account_sid\": \"$MAIN\", "
                  "\"auth_token\": \"\xff\"}]}",
                  "not valid JSON"},
        ErrorCase{"TopLevelArray", "[]", "the top level must be a JSON object"},
        ErrorCase{"TopLevelNull", "null",
                  "the top level must be a JSON object"},
        ErrorCase{"UnknownTopLevelKey", R"({"acounts": []})",
                  "the top level has an unknown key \"acounts\""},
        ErrorCase{"AccountsMissing", "{}", "accounts is missing"},
        ErrorCase{"AccountsNotArray", R"({"accounts": {}})",
                  "accounts must be a JSON array"},
        ErrorCase{"AccountsEmpty", R"({"accounts": []})", "accounts is empty"},
        ErrorCase{"EntryNotObject", R"({"accounts": ["$MAIN"]})",
                  "accounts[0] must be a JSON object"},
        ErrorCase{"UnknownEntryKey",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "auth_tokn": "t"}]})",
                  "accounts[0] has an unknown key \"auth_tokn\""},
        ErrorCase{"TokenNotString",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "auth_token": 123}]})",
                  "accounts[0].auth_token must be a string"},
        ErrorCase{"TokenNull",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "auth_token": null}]})",
                  "accounts[0].auth_token must be a string"},
        ErrorCase{"AccountSidNotString",
                  R"({"accounts": [{"account_sid": ["$MAIN"],
                                    "auth_token": "t"}]})",
                  "accounts[0].account_sid must be a string"},
        ErrorCase{"AccountSidMissing", R"({"accounts": [{"auth_token": "t"}]})",
                  "accounts[0].account_sid is missing"},
        ErrorCase{"AccountSidMalformed",
                  R"({"accounts": [{"account_sid": "AC123",
                                    "auth_token": "t"}]})",
                  "accounts[0].account_sid is not an account SID"},
        ErrorCase{"AccountSidEmpty",
                  R"({"accounts": [{"account_sid": "", "auth_token": "t"}]})",
                  "accounts[0].account_sid is not an account SID"},
        ErrorCase{"NoCredential", R"({"accounts": [{"account_sid": "$MAIN"}]})",
                  "accounts[0] has no credential"},
        ErrorCase{"TokenAndParent",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$SUB", "auth_token": "t",
                       "parent_account_sid": "$MAIN"}]})",
                  "accounts[1] gives more than one kind of credential"},
        ErrorCase{"TokenAndKey",
                  R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "t",
                                    "api_key_sid": "$KEY",
                                    "api_key_secret": "s"}]})",
                  "accounts[0] gives more than one kind of credential"},
        ErrorCase{"KeyWithoutSecret",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "api_key_sid": "$KEY"}]})",
                  "accounts[0].api_key_secret is missing (api_key_sid needs "
                  "it)"},
        ErrorCase{"SecretWithoutKey",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "api_key_secret": "s"}]})",
                  "accounts[0].api_key_sid is missing (api_key_secret needs "
                  "it)"},
        ErrorCase{"KeySidMalformed",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "api_key_sid": "$OTHER",
                                    "api_key_secret": "s"}]})",
                  "accounts[0].api_key_sid is not an API key SID"},
        ErrorCase{"EmptyToken",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$OTHER", "auth_token": "t"},
                      {"account_sid": "$SUB", "auth_token": ""}]})",
                  "accounts[2].auth_token is empty"},
        ErrorCase{"TokenWithNewline",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "auth_token": "t\n"}]})",
                  "accounts[0].auth_token contains whitespace"},
        ErrorCase{"EmptyKeySecret",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "api_key_sid": "$KEY",
                                    "api_key_secret": ""}]})",
                  "accounts[0].api_key_secret is empty"},
        ErrorCase{"DuplicateAccount",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$MAIN", "auth_token": "u"}]})",
                  "accounts[1].account_sid " + kMain +
                      " is already listed as accounts[0]"},
        ErrorCase{"ParentMissing",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$SUB",
                       "parent_account_sid": "$OTHER"}]})",
                  "accounts[1].parent_account_sid " + kOther +
                      " is not among the accounts"},
        ErrorCase{"ParentMalformed",
                  R"({"accounts": [{"account_sid": "$SUB",
                                    "parent_account_sid": "main"}]})",
                  "accounts[0].parent_account_sid is not an account SID"},
        ErrorCase{"ParentIsSubaccount",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$OTHER", "parent_account_sid": "$MAIN"},
                      {"account_sid": "$SUB",
                       "parent_account_sid": "$OTHER"}]})",
                  "accounts[2].parent_account_sid " + kOther +
                      " is accounts[1], itself a subaccount"},
        ErrorCase{"SelfParent",
                  R"({"accounts": [{"account_sid": "$SUB",
                                    "parent_account_sid": "$SUB"}]})",
                  "accounts[0].parent_account_sid names the account itself"},
        ErrorCase{"ParentCycle",
                  R"({"accounts": [
                      {"account_sid": "$OTHER", "parent_account_sid": "$SUB"},
                      {"account_sid": "$SUB",
                       "parent_account_sid": "$OTHER"}]})",
                  "itself a subaccount"},
        ErrorCase{
            "DefaultNotListed",
            R"({"default_account_sid": "$OTHER", "accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"}]})",
            "default_account_sid " + kOther + " is not among the accounts"},
        ErrorCase{"DefaultEmpty",
                  R"({"default_account_sid": "", "accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"}]})",
                  "default_account_sid is empty"},
        ErrorCase{"DefaultNotString",
                  R"({"default_account_sid": 1, "accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"}]})",
                  "default_account_sid must be a string"},
        ErrorCase{"DefaultMalformed",
                  R"({"default_account_sid": "main", "accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"}]})",
                  "default_account_sid is not an account SID"},
        ErrorCase{"KeyTwiceInEntry",
                  R"({"accounts": [
                      {"account_sid": "$MAIN", "auth_token": "t"},
                      {"account_sid": "$OTHER", "auth_token": "t",
                       "auth_token": "u"}]})",
                  "accounts[1] gives the key \"auth_token\" twice"},
        ErrorCase{"KeyTwiceAtTopLevel",
                  R"({"accounts": [{"account_sid": "$MAIN",
                                    "auth_token": "t"}],
                      "accounts": [{"account_sid": "$OTHER",
                                    "auth_token": "t"}]})",
                  "the top-level object gives the key \"accounts\" twice"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

// The canary: broken files that carry a known secret in every place one
// could end up, including where nlohmann's own messages would quote it.
constexpr char kCanary[] = "Zq8mW2xY7pL0vB3nC6kD9fG1hJ4sT5rE";

class SecretCanaryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SecretCanaryTest, ErrorNeverQuotesTheSecret) {
  std::string json = absl::StrReplaceAll(
      GetParam(), {{"$SECRET", kCanary}, {"$MAIN", kMain}, {"$KEY", kKey}});
  auto file = ParseCredentialsFile(json);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(file.status().message());
  EXPECT_FALSE(message.empty());
  // Neither the secret nor an excerpt of it.
  EXPECT_THAT(message, Not(HasSubstr(std::string(kCanary).substr(0, 6))));
  EXPECT_THAT(message, Not(HasSubstr(std::string(kCanary).substr(13, 6))));
  EXPECT_THAT(message, Not(HasSubstr(std::string(kCanary).substr(26))));
}

INSTANTIATE_TEST_SUITE_P(
    BrokenFiles, SecretCanaryTest,
    ::testing::Values(
        // Syntax errors right after, inside and around the secret.
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET")",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET)",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET"]})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": $SECRET}]})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET\q"}]})",
        "{\"accounts\": [{\"account_sid\": \"$MAIN\", \"auth_token\": "
        "\"$SECRET\n\"}]}",
        "{\"accounts\": [{\"account_sid\": \"$MAIN\", \"auth_token\": "
        "\"$SECRET\xc3\"}]}",
        R"($SECRET)", R"("$SECRET")",
        // Well-formed JSON with the secret in the wrong place.
        R"({"accounts": [{"account_sid": "$MAIN", "$SECRET": "t"}]})",
        R"({"$SECRET": [], "accounts": []})",
        R"({"accounts": [{"account_sid": "$SECRET", "auth_token": "t"}]})",
        R"({"accounts": [{"account_sid": "$MAIN", "api_key_sid": "$SECRET",
                          "api_key_secret": "s"}]})",
        R"({"accounts": [{"account_sid": "$MAIN",
                          "parent_account_sid": "$SECRET"}]})",
        R"({"default_account_sid": "$SECRET", "accounts": [
            {"account_sid": "$MAIN", "auth_token": "t"}]})",
        R"({"accounts": ["$SECRET"]})", R"({"accounts": "$SECRET"})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "t",
                          "$SECRET": 1, "$SECRET": 2}]})",
        R"({"$SECRET": {"a": 1, "a": 2}, "accounts": []})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET",
                          "auth_token": "$SECRET"}]})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": "$SECRET ",
                          "api_key_secret": "$SECRET"}]})",
        R"({"accounts": [{"account_sid": "$MAIN", "auth_token": " $SECRET"}]})",
        R"({"accounts": [{"account_sid": "$MAIN",
                          "auth_token": ["$SECRET"]}]})",
        R"({"accounts": [{"account_sid": "$MAIN", "api_key_sid": "$KEY",
                          "api_key_secret": "$SECRET\t"}]})"));

TEST(ReadCredentialsFileTest, ReadsAFile) {
  std::string path = WriteTempFile("good.json", Doc(kFullExample));
  auto file = ReadCredentialsFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->accounts.size(), 3u);
}

TEST(ReadCredentialsFileTest, FollowsSymlinksAsKubernetesMountsThem) {
  std::string target = WriteTempFile("target.json", Doc(kFullExample));
  std::string link = TempPath("link.json");
  ::unlink(link.c_str());
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_TRUE(ReadCredentialsFile(link).ok());
}

TEST(ReadCredentialsFileTest, MissingFileIsNotFoundWithPath) {
  std::string path = TempPath("does-not-exist.json");
  auto file = ReadCredentialsFile(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(file.status().message()),
              StartsWith("credentials file " + path + ": cannot open"));
}

TEST(ReadCredentialsFileTest, DirectoryIsRejected) {
  std::string path = TempPath("a-directory");
  ::mkdir(path.c_str(), 0700);
  auto file = ReadCredentialsFile(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(file.status().message(),
            "credentials file " + path + ": is not a regular file");
}

TEST(ReadCredentialsFileTest, HugeFileIsRejected) {
  std::string path =
      WriteTempFile("huge.json", std::string((1 << 20) + 1, ' '));
  auto file = ReadCredentialsFile(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(file.status().message()),
              HasSubstr("is larger than"));
}

TEST(ReadCredentialsFileTest, ContentErrorsNameThePathButNotTheSecret) {
  std::string path = WriteTempFile(
      "broken.json",
      Doc(absl::StrCat(R"({"accounts": [{"account_sid": "$MAIN", )",
                       R"("auth_token": ")", kCanary, "\n")));
  auto file = ReadCredentialsFile(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(file.status().message()),
              StartsWith("credentials file " + path + ": not valid JSON"));
  EXPECT_THAT(std::string(file.status().message()), Not(HasSubstr(kCanary)));
}

}  // namespace
}  // namespace twilio_gateway::credentials
