#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/credentials/credentials_file.h"

namespace twilio_gateway::credentials {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Env = std::map<std::string, std::string>;

const std::string kMain = "AC" + std::string(32, 'a');
const std::string kOther = "AC" + std::string(32, 'b');
const std::string kSub = "AC" + std::string(32, 'c');
const std::string kKey = "SK" + std::string(32, 'e');
const std::string kEnvToken = "envToken1";
const std::string kEnvSecret = "envSecret2";
constexpr char kCanary[] = "Zq8mW2xY7pL0vB3nC6kD9fG1hJ4sT5rE";

// A fake environment; the map lives as long as the returned sources.
CredentialSources FromEnv(const Env& env, std::string file_path = "") {
  auto vars = std::make_shared<Env>(env);
  CredentialSources sources;
  sources.file_path = std::move(file_path);
  sources.getenv = [vars](const char* name) -> const char* {
    auto it = vars->find(name);
    return it == vars->end() ? nullptr : it->second.c_str();
  };
  return sources;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat(
      ::testing::TempDir(), "load_credentials_test_", ::getpid(), "_", name);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << absl::StrReplaceAll(
             text, {{"$MAIN", kMain}, {"$OTHER", kOther}, {"$SUB", kSub}});
  // The gateway refuses a credentials file other users may read.
  ::chmod(path.c_str(), 0600);
  return path;
}

// The header the snapshot should build for `user`:`secret`, via a
// one-account snapshot; header bytes themselves are pinned in
// credential_store_test.cc.
std::string HeaderFor(const AccountEntry& entry) {
  auto snapshot = CredentialSnapshot::Create({entry}, "");
  return (*snapshot)->Resolve(entry.account_sid)->authorization_header;
}

TEST(LoadCredentialsTest, EnvironmentWithAuthToken) {
  auto snapshot = LoadCredentials(FromEnv(
      {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}}));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->default_account_sid(), kMain);
  EXPECT_EQ((*snapshot)->account_count(), 1u);
  auto credential = (*snapshot)->Resolve("");
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->username, kMain);
  EXPECT_EQ(credential->authorization_header,
            HeaderFor(AccountEntry::AuthToken(kMain, kEnvToken)));
}

TEST(LoadCredentialsTest, EnvironmentWithApiKey) {
  auto snapshot = LoadCredentials(FromEnv({{"TWILIO_ACCOUNT_SID", kMain},
                                           {"TWILIO_API_KEY", kKey},
                                           {"TWILIO_API_SECRET", kEnvSecret}}));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto credential = (*snapshot)->Resolve(kMain);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kMain);
  EXPECT_EQ(credential->username, kKey);
  EXPECT_EQ(credential->authorization_header,
            HeaderFor(AccountEntry::ApiKey(kMain, kKey, kEnvSecret)));
}

TEST(LoadCredentialsTest, ApiKeyIsPreferredOverAuthToken) {
  auto snapshot = LoadCredentials(FromEnv({{"TWILIO_ACCOUNT_SID", kMain},
                                           {"TWILIO_AUTH_TOKEN", kEnvToken},
                                           {"TWILIO_API_KEY", kKey},
                                           {"TWILIO_API_SECRET", kEnvSecret}}));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->Resolve("")->username, kKey);
}

TEST(LoadCredentialsTest, EmptyVariableCountsAsUnset) {
  auto snapshot = LoadCredentials(FromEnv({{"TWILIO_ACCOUNT_SID", kMain},
                                           {"TWILIO_AUTH_TOKEN", kEnvToken},
                                           {"TWILIO_API_KEY", ""},
                                           {"TWILIO_API_SECRET", ""}}));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->Resolve("")->username, kMain);
}

TEST(LoadCredentialsTest, NothingConfiguredIsFailedPrecondition) {
  auto snapshot = LoadCredentials(FromEnv({{"TWILIO_ACCOUNT_SID", ""}}));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(snapshot.status().message(),
            "no Twilio credentials configured: set TWILIO_ACCOUNT_SID and "
            "TWILIO_AUTH_TOKEN, or --credentials_file");

  CredentialSources no_env;
  no_env.getenv = nullptr;
  EXPECT_EQ(LoadCredentials(no_env).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

struct EnvCase {
  std::string name;
  Env env;
  std::string expected_message;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const EnvCase& c, std::ostream* os) { *os << c.name; }

class PartialEnvironmentTest : public ::testing::TestWithParam<EnvCase> {};

TEST_P(PartialEnvironmentTest, IsInvalidArgumentNamingTheVariable) {
  auto snapshot = LoadCredentials(FromEnv(GetParam().env));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(), GetParam().expected_message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, PartialEnvironmentTest,
    ::testing::Values(
        EnvCase{"TokenWithoutSid",
                {{"TWILIO_AUTH_TOKEN", kEnvToken}},
                "TWILIO_AUTH_TOKEN is set but TWILIO_ACCOUNT_SID is not"},
        EnvCase{"KeyWithoutSid",
                {{"TWILIO_API_KEY", kKey}, {"TWILIO_API_SECRET", kEnvSecret}},
                "TWILIO_API_KEY is set but TWILIO_ACCOUNT_SID is not"},
        EnvCase{"SecretWithoutSid",
                {{"TWILIO_API_SECRET", kEnvSecret}},
                "TWILIO_API_SECRET is set but TWILIO_ACCOUNT_SID is not"},
        EnvCase{"SidWithoutSecret",
                {{"TWILIO_ACCOUNT_SID", kMain}},
                "TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor "
                "TWILIO_API_KEY with TWILIO_API_SECRET is"},
        EnvCase{"SidWithEmptyToken",
                {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", ""}},
                "TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor "
                "TWILIO_API_KEY with TWILIO_API_SECRET is"},
        EnvCase{"KeyWithoutSecret",
                {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_API_KEY", kKey}},
                "TWILIO_API_KEY is set but TWILIO_API_SECRET is not"},
        EnvCase{"KeyWithoutSecretEvenWithToken",
                {{"TWILIO_ACCOUNT_SID", kMain},
                 {"TWILIO_AUTH_TOKEN", kEnvToken},
                 {"TWILIO_API_KEY", kKey}},
                "TWILIO_API_KEY is set but TWILIO_API_SECRET is not"},
        EnvCase{"SecretWithoutKey",
                {{"TWILIO_ACCOUNT_SID", kMain},
                 {"TWILIO_AUTH_TOKEN", kEnvToken},
                 {"TWILIO_API_SECRET", kEnvSecret}},
                "TWILIO_API_SECRET is set but TWILIO_API_KEY is not"},
        EnvCase{
            "MalformedSid",
            {{"TWILIO_ACCOUNT_SID", "AC123"}, {"TWILIO_AUTH_TOKEN", kEnvToken}},
            "TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 "
            "hex digits)"},
        EnvCase{"MalformedKey",
                {{"TWILIO_ACCOUNT_SID", kMain},
                 {"TWILIO_API_KEY", kMain},
                 {"TWILIO_API_SECRET", kEnvSecret}},
                "TWILIO_API_KEY is not an API key SID (SK followed by 32 hex "
                "digits)"},
        EnvCase{"TokenWithNewline",
                {{"TWILIO_ACCOUNT_SID", kMain},
                 {"TWILIO_AUTH_TOKEN", kEnvToken + "\n"}},
                "TWILIO_AUTH_TOKEN contains whitespace or control characters "
                "(a trailing newline is the usual cause)"},
        EnvCase{"SecretWithSpace",
                {{"TWILIO_ACCOUNT_SID", kMain},
                 {"TWILIO_API_KEY", kKey},
                 {"TWILIO_API_SECRET", " " + kEnvSecret}},
                "TWILIO_API_SECRET contains whitespace or control characters "
                "(a trailing newline is the usual cause)"}),
    [](const ::testing::TestParamInfo<EnvCase>& info) {
      return info.param.name;
    });

TEST(LoadCredentialsTest, EnvironmentErrorsNeverQuoteValues) {
  const std::string canary(kCanary);
  for (const Env& env : std::vector<Env>{
           {{"TWILIO_ACCOUNT_SID", canary}, {"TWILIO_AUTH_TOKEN", "t"}},
           {{"TWILIO_AUTH_TOKEN", canary}},
           {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_API_KEY", canary}},
           {{"TWILIO_ACCOUNT_SID", kMain},
            {"TWILIO_API_KEY", canary},
            {"TWILIO_API_SECRET", canary}},
           {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_API_SECRET", canary}},
           {{"TWILIO_ACCOUNT_SID", kMain},
            {"TWILIO_AUTH_TOKEN", canary + "\n"}}}) {
    auto snapshot = LoadCredentials(FromEnv(env));
    ASSERT_FALSE(snapshot.ok());
    EXPECT_THAT(std::string(snapshot.status().message()),
                Not(HasSubstr(canary.substr(0, 6))));
  }
}

const char kFile[] = R"({
  "default_account_sid": "$OTHER",
  "accounts": [
    {"account_sid": "$OTHER", "auth_token": "fileToken"},
    {"account_sid": "$SUB", "parent_account_sid": "$OTHER"}
  ]
})";

const char kFileWithoutDefault[] = R"({"accounts": [
    {"account_sid": "$OTHER", "auth_token": "fileToken"}]})";

TEST(LoadCredentialsTest, FileOnly) {
  auto snapshot = LoadCredentials(FromEnv({}, WriteFile("only.json", kFile)));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->account_count(), 2u);
  EXPECT_EQ((*snapshot)->default_account_sid(), kOther);
  EXPECT_EQ((*snapshot)->Resolve(kSub)->username, kOther);
}

TEST(LoadCredentialsTest, FileAndEnvironmentBothContributeFileDefaultWins) {
  auto snapshot = LoadCredentials(
      FromEnv({{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}},
              WriteFile("both.json", kFile)));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->account_sids(),
            (std::vector<std::string>{kMain, kOther, kSub}));
  EXPECT_EQ((*snapshot)->default_account_sid(), kOther);
  EXPECT_EQ((*snapshot)->Resolve(kMain)->authorization_header,
            HeaderFor(AccountEntry::AuthToken(kMain, kEnvToken)));
}

TEST(LoadCredentialsTest, EnvironmentAccountIsDefaultWhenFileHasNone) {
  auto snapshot = LoadCredentials(
      FromEnv({{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}},
              WriteFile("nodefault.json", kFileWithoutDefault)));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->default_account_sid(), kMain);
  EXPECT_EQ((*snapshot)->account_count(), 2u);
}

TEST(LoadCredentialsTest, FileEntryWinsForTheSameAccount) {
  auto snapshot =
      LoadCredentials(FromEnv({{"TWILIO_ACCOUNT_SID", kOther},
                               {"TWILIO_API_KEY", kKey},
                               {"TWILIO_API_SECRET", kEnvSecret}},
                              WriteFile("same.json", kFileWithoutDefault)));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->account_count(), 1u);
  // No default in the file, so the environment's account is the default,
  // but with the file's credential.
  auto credential = (*snapshot)->Resolve("");
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kOther);
  EXPECT_EQ(credential->username, kOther);
  EXPECT_EQ(credential->authorization_header,
            HeaderFor(AccountEntry::AuthToken(kOther, "fileToken")));
}

TEST(LoadCredentialsTest, FileEntryWinsWhateverTheHexCase) {
  auto snapshot = LoadCredentials(
      FromEnv({{"TWILIO_ACCOUNT_SID", "AC" + std::string(32, 'B')},
               {"TWILIO_AUTH_TOKEN", kEnvToken}},
              WriteFile("case.json", kFileWithoutDefault)));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->account_count(), 1u);
  EXPECT_EQ((*snapshot)->Resolve("")->authorization_header,
            HeaderFor(AccountEntry::AuthToken(kOther, "fileToken")));
}

TEST(LoadCredentialsTest, BrokenFileFailsEvenWithGoodEnvironment) {
  std::string path = WriteFile("broken.json", R"({"accounts": []})");
  auto snapshot = LoadCredentials(FromEnv(
      {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}}, path));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(),
            "credentials file " + path + ": accounts is empty");
}

TEST(LoadCredentialsTest, MissingFileFailsWithPath) {
  std::string path = ::testing::TempDir() + "load_credentials_test_missing";
  auto snapshot = LoadCredentials(FromEnv(
      {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}}, path));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(snapshot.status().message()),
              StartsWith("credentials file " + path));
}

TEST(LoadCredentialsTest, BrokenEnvironmentFailsEvenWithGoodFile) {
  auto snapshot = LoadCredentials(FromEnv({{"TWILIO_AUTH_TOKEN", kEnvToken}},
                                          WriteFile("good.json", kFile)));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(snapshot.status().message()),
              HasSubstr("TWILIO_ACCOUNT_SID"));
}

TEST(LoadCredentialsTest, FileSubaccountCannotUseEnvironmentParent) {
  std::string path = WriteFile("orphan.json", R"({"accounts": [
      {"account_sid": "$SUB", "parent_account_sid": "$MAIN"}]})");
  auto snapshot = LoadCredentials(FromEnv(
      {{"TWILIO_ACCOUNT_SID", kMain}, {"TWILIO_AUTH_TOKEN", kEnvToken}}, path));
  EXPECT_EQ(snapshot.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(snapshot.status().message()),
              HasSubstr("accounts[0].parent_account_sid " + kMain +
                        " is not among the accounts"));
}

TEST(LoadCredentialsTest, RealProcessEnvironmentByDefault) {
  // The default getenv is the process's own; set the variables for real.
  ::setenv("TWILIO_ACCOUNT_SID", kMain.c_str(), 1);
  ::setenv("TWILIO_AUTH_TOKEN", kEnvToken.c_str(), 1);
  ::unsetenv("TWILIO_API_KEY");
  ::unsetenv("TWILIO_API_SECRET");
  auto snapshot = LoadCredentials(CredentialSources{});
  ::unsetenv("TWILIO_ACCOUNT_SID");
  ::unsetenv("TWILIO_AUTH_TOKEN");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ((*snapshot)->default_account_sid(), kMain);
}

}  // namespace
}  // namespace twilio_gateway::credentials
