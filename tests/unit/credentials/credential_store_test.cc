#include "service/credentials/credential_store.h"

#include <atomic>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::credentials {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kMain = "AC" + std::string(32, 'a');
const std::string kOther = "AC" + std::string(32, 'b');
const std::string kSub = "AC" + std::string(32, 'c');
const std::string kUnknown = "AC" + std::string(32, 'f');
const std::string kKey = "SK" + std::string(32, 'e');
const std::string kMainToken = "t0ken" + std::string(27, 'x');
const std::string kKeySecret = "Secret" + std::string(26, '9');

std::shared_ptr<const CredentialSnapshot> MakeSnapshot(
    const std::vector<AccountEntry>& accounts, const std::string& default_sid) {
  auto snapshot = CredentialSnapshot::Create(accounts, default_sid);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return snapshot.ok() ? *snapshot : nullptr;
}

std::shared_ptr<const CredentialSnapshot> ThreeAccounts() {
  return MakeSnapshot({AccountEntry::AuthToken(kMain, kMainToken),
                       AccountEntry::ApiKey(kOther, kKey, kKeySecret),
                       AccountEntry::Subaccount(kSub, kMain)},
                      kMain);
}

TEST(SidTest, AccountSidShape) {
  EXPECT_TRUE(IsAccountSid(kMain));
  EXPECT_TRUE(IsAccountSid("AC0123456789ABCDEFabcdef0123456789"));
  EXPECT_FALSE(IsAccountSid(""));
  EXPECT_FALSE(IsAccountSid("AC" + std::string(31, 'a')));
  EXPECT_FALSE(IsAccountSid("AC" + std::string(33, 'a')));
  EXPECT_FALSE(IsAccountSid("ac" + std::string(32, 'a')));
  EXPECT_FALSE(IsAccountSid("AC" + std::string(31, 'a') + "g"));
  EXPECT_FALSE(IsAccountSid(kKey));
}

TEST(SidTest, ApiKeySidShape) {
  EXPECT_TRUE(IsApiKeySid(kKey));
  EXPECT_TRUE(IsApiKeySid("SK0123456789ABCDEFabcdef0123456789"));
  EXPECT_FALSE(IsApiKeySid(kMain));
  EXPECT_FALSE(IsApiKeySid("SK" + std::string(31, 'e')));
}

TEST(ValidateSecretTest, AcceptsPrintableAndRejectsEmptyOrWhitespace) {
  EXPECT_TRUE(ValidateSecret(kMainToken, "x").ok());
  EXPECT_TRUE(ValidateSecret("p\xc3\xa4ss", "x").ok());

  absl::Status empty = ValidateSecret("", "TWILIO_AUTH_TOKEN");
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "TWILIO_AUTH_TOKEN is empty");

  for (const std::string& bad : std::vector<std::string>{
           "abc\n", " abc", "a b", std::string("a\0b", 3), "a\tb", "a\x7f"}) {
    absl::Status status = ValidateSecret(bad, "accounts[0].auth_token");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("accounts[0].auth_token contains whitespace"));
  }
}

TEST(CredentialSnapshotTest, AuthTokenHeaderIsKnownBase64WithTwoPads) {
  auto snapshot = ThreeAccounts();
  auto credential = snapshot->Resolve(kMain);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kMain);
  EXPECT_EQ(credential->username, kMain);
  // base64("AC" + 32*"a" + ":" + "t0ken" + 27*"x"), computed independently.
  EXPECT_EQ(credential->authorization_header,
            "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0MGtlbnh4eHh4"
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==");
}

TEST(CredentialSnapshotTest, HeaderPaddingForOtherLengths) {
  auto one_pad = MakeSnapshot(
      {AccountEntry::AuthToken(kMain, "t0ken" + std::string(28, 'x'))}, "");
  EXPECT_EQ(one_pad->Resolve(kMain)->authorization_header,
            "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0MGtlbnh4eHh4"
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=");

  auto no_pad = MakeSnapshot(
      {AccountEntry::AuthToken(kMain, "t0ken" + std::string(26, 'x'))}, "");
  EXPECT_EQ(no_pad->Resolve(kMain)->authorization_header,
            "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0MGtlbnh4eHh4"
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4");
}

TEST(CredentialSnapshotTest, ApiKeyUsesKeySidAsUser) {
  auto credential = ThreeAccounts()->Resolve(kOther);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kOther);
  EXPECT_EQ(credential->username, kKey);
  // base64("SK" + 32*"e" + ":" + "Secret" + 26*"9").
  EXPECT_EQ(credential->authorization_header,
            "Basic U0tlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZWVlZTpTZWNyZXQ5OTk5"
            "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==");
}

TEST(CredentialSnapshotTest, SubaccountUsesParentCredentialsButOwnSid) {
  auto snapshot = ThreeAccounts();
  auto parent = snapshot->Resolve(kMain);
  auto sub = snapshot->Resolve(kSub);
  ASSERT_TRUE(parent.ok() && sub.ok());
  EXPECT_EQ(sub->account_sid, kSub);
  EXPECT_EQ(sub->username, kMain);
  EXPECT_EQ(sub->authorization_header, parent->authorization_header);
}

TEST(CredentialSnapshotTest, SubaccountOfApiKeyAccountListedBeforeParent) {
  auto snapshot = MakeSnapshot({AccountEntry::Subaccount(kSub, kOther),
                                AccountEntry::ApiKey(kOther, kKey, kKeySecret)},
                               "");
  auto sub = snapshot->Resolve(kSub);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(sub->account_sid, kSub);
  EXPECT_EQ(sub->username, kKey);
  EXPECT_EQ(sub->authorization_header,
            snapshot->Resolve(kOther)->authorization_header);
}

TEST(CredentialSnapshotTest, EmptySidResolvesToDefault) {
  auto credential = ThreeAccounts()->Resolve("");
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kMain);
  EXPECT_EQ(credential->username, kMain);
}

TEST(CredentialSnapshotTest, DefaultMayBeASubaccount) {
  auto snapshot = MakeSnapshot({AccountEntry::AuthToken(kMain, kMainToken),
                                AccountEntry::Subaccount(kSub, kMain)},
                               kSub);
  auto credential = snapshot->Resolve("");
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kSub);
  EXPECT_EQ(credential->username, kMain);
}

TEST(CredentialSnapshotTest, EmptySidWithoutDefaultIsFailedPrecondition) {
  auto snapshot =
      MakeSnapshot({AccountEntry::AuthToken(kMain, kMainToken)}, "");
  auto credential = snapshot->Resolve("");
  EXPECT_EQ(credential.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(credential.status().message()),
              HasSubstr("no default account is configured"));
  EXPECT_EQ(snapshot->default_account_sid(), "");
}

TEST(CredentialSnapshotTest, UnknownAccountIsPermissionDeniedNamingIt) {
  auto credential = ThreeAccounts()->Resolve(kUnknown);
  EXPECT_EQ(credential.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(credential.status().message(),
            "the gateway holds no Twilio credentials for account " + kUnknown);
}

TEST(CredentialSnapshotTest, MalformedSidIsInvalidArgumentAndNotQuoted) {
  const std::string looks_secret = "Zq8mW2xY7pL0vB3nC6kD9fG1hJ4sT5rE";
  auto credential = ThreeAccounts()->Resolve(looks_secret);
  EXPECT_EQ(credential.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(credential.status().message()),
              Not(HasSubstr(looks_secret)));
}

TEST(CredentialSnapshotTest, HexCaseDoesNotMatterAndConfiguredSpellingWins) {
  const std::string upper = "AC" + std::string(32, 'A');
  auto credential = ThreeAccounts()->Resolve(upper);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->account_sid, kMain);
}

TEST(CredentialSnapshotTest, ListsAccountsSortedForLogs) {
  auto snapshot = ThreeAccounts();
  EXPECT_EQ(snapshot->account_count(), 3u);
  EXPECT_EQ(snapshot->default_account_sid(), kMain);
  EXPECT_EQ(snapshot->account_sids(),
            (std::vector<std::string>{kMain, kOther, kSub}));
}

TEST(CredentialSnapshotTest, EmptySnapshotResolvesNothing) {
  auto snapshot = MakeSnapshot({}, "");
  EXPECT_EQ(snapshot->account_count(), 0u);
  EXPECT_EQ(snapshot->Resolve(kMain).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(snapshot->Resolve("").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

struct EntriesCase {
  std::string name;
  std::vector<AccountEntry> accounts;
  std::string default_sid;
  std::string expected_message;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const EntriesCase& c, std::ostream* os) { *os << c.name; }

class ValidateAccountEntriesTest
    : public ::testing::TestWithParam<EntriesCase> {};

TEST_P(ValidateAccountEntriesTest, RejectsWithPosition) {
  const EntriesCase& c = GetParam();
  absl::Status status = ValidateAccountEntries(c.accounts, c.default_sid);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(c.expected_message));

  // Create must refuse the same input.
  EXPECT_FALSE(CredentialSnapshot::Create(c.accounts, c.default_sid).ok());
}

AccountEntry Mixed() {
  AccountEntry entry = AccountEntry::AuthToken(kOther, kMainToken);
  entry.parent_account_sid = kMain;
  return entry;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ValidateAccountEntriesTest,
    ::testing::Values(
        EntriesCase{"BadAccountSid",
                    {AccountEntry::AuthToken("AC123", kMainToken)},
                    "",
                    "accounts[0].account_sid is not an account SID"},
        EntriesCase{"EmptyToken",
                    {AccountEntry::AuthToken(kMain, "")},
                    "",
                    "accounts[0].auth_token is empty"},
        EntriesCase{"BadKeySid",
                    {AccountEntry::AuthToken(kMain, kMainToken),
                     AccountEntry::ApiKey(kOther, kMain, kKeySecret)},
                    "",
                    "accounts[1].api_key_sid is not an API key SID"},
        EntriesCase{"EmptyKeySecret",
                    {AccountEntry::ApiKey(kOther, kKey, "")},
                    "",
                    "accounts[0].api_key_secret is empty"},
        EntriesCase{"Duplicate",
                    {AccountEntry::AuthToken(kMain, kMainToken),
                     AccountEntry::ApiKey(kMain, kKey, kKeySecret)},
                    "",
                    "accounts[1].account_sid " + kMain +
                        " is already listed as accounts[0]"},
        EntriesCase{
            "DuplicateDifferingInCase",
            {AccountEntry::AuthToken(kMain, kMainToken),
             AccountEntry::AuthToken("AC" + std::string(32, 'A'), kMainToken)},
            "",
            "is already listed as accounts[0]"},
        EntriesCase{"MissingParent",
                    {AccountEntry::Subaccount(kSub, kOther)},
                    "",
                    "accounts[0].parent_account_sid " + kOther +
                        " is not among the accounts"},
        EntriesCase{"BadParentSid",
                    {AccountEntry::Subaccount(kSub, "parent")},
                    "",
                    "accounts[0].parent_account_sid is not an account SID"},
        EntriesCase{"SelfParent",
                    {AccountEntry::Subaccount(kSub, kSub)},
                    "",
                    "accounts[0].parent_account_sid names the account itself"},
        EntriesCase{"Chain",
                    {AccountEntry::AuthToken(kMain, kMainToken),
                     AccountEntry::Subaccount(kOther, kMain),
                     AccountEntry::Subaccount(kSub, kOther)},
                    "",
                    "accounts[2].parent_account_sid " + kOther +
                        " is accounts[1], itself a subaccount"},
        EntriesCase{"Cycle",
                    {AccountEntry::Subaccount(kOther, kSub),
                     AccountEntry::Subaccount(kSub, kOther)},
                    "",
                    "itself a subaccount"},
        EntriesCase{
            "TwoKinds", {Mixed()}, "", "accounts[0] holds an auth token"},
        EntriesCase{
            "DefaultMissing",
            {AccountEntry::AuthToken(kMain, kMainToken)},
            kOther,
            "default_account_sid " + kOther + " is not among the accounts"},
        EntriesCase{"DefaultMalformed",
                    {AccountEntry::AuthToken(kMain, kMainToken)},
                    "main",
                    "default_account_sid is not an account SID"}),
    [](const ::testing::TestParamInfo<EntriesCase>& info) {
      return info.param.name;
    });

TEST(CredentialStoreTest, StartsEmptyAndReplaces) {
  CredentialStore store;
  ASSERT_NE(store.Current(), nullptr);
  EXPECT_EQ(store.Current()->account_count(), 0u);

  auto snapshot = ThreeAccounts();
  store.Replace(snapshot);
  EXPECT_EQ(store.Current(), snapshot);
}

TEST(CredentialStoreTest, NullMeansNoCredentials) {
  CredentialStore store(ThreeAccounts());
  store.Replace(nullptr);
  ASSERT_NE(store.Current(), nullptr);
  EXPECT_EQ(store.Current()->Resolve(kMain).status().code(),
            absl::StatusCode::kPermissionDenied);

  CredentialStore from_null(nullptr);
  ASSERT_NE(from_null.Current(), nullptr);
}

TEST(CredentialStoreTest, HeldSnapshotOutlivesReplace) {
  CredentialStore store(ThreeAccounts());
  auto held = store.Current();
  store.Replace(MakeSnapshot({}, ""));
  // The RPC that took `held` finishes with it, unchanged.
  EXPECT_TRUE(held->Resolve(kMain).ok());
  EXPECT_FALSE(store.Current()->Resolve(kMain).ok());
}

// Readers must always see one whole snapshot: each version pairs one user
// with one header, so a torn or freed snapshot shows up as a mismatch.
// Run under ThreadSanitizer to check the locking itself.
TEST(CredentialStoreTest, ReplaceWhileReadersRun) {
  auto token_snapshot =
      MakeSnapshot({AccountEntry::AuthToken(kMain, kMainToken)}, kMain);
  auto key_snapshot =
      MakeSnapshot({AccountEntry::ApiKey(kMain, kKey, kKeySecret)}, kMain);
  const std::string token_header =
      token_snapshot->Resolve(kMain)->authorization_header;
  const std::string key_header =
      key_snapshot->Resolve(kMain)->authorization_header;

  CredentialStore store(token_snapshot);
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::atomic<long> reads{0};

  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      // At least one read per thread, however the threads are scheduled.
      do {
        auto credential = store.Current()->Resolve("");
        bool consistent = credential.ok() &&
                          ((credential->username == kMain &&
                            credential->authorization_header == token_header) ||
                           (credential->username == kKey &&
                            credential->authorization_header == key_header));
        if (!consistent) ++mismatches;
        ++reads;
      } while (!stop.load());
    });
  }

  for (int i = 0; i < 2000; ++i) {
    // Fresh snapshots each time, so old ones are really freed while
    // readers may still hold them.
    store.Replace(
        i % 2 == 0 ? MakeSnapshot(
                         {AccountEntry::ApiKey(kMain, kKey, kKeySecret)}, kMain)
                   : MakeSnapshot({AccountEntry::AuthToken(kMain, kMainToken)},
                                  kMain));
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GE(reads.load(), 4);
}

}  // namespace
}  // namespace twilio_gateway::credentials
