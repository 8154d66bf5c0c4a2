#include "service/auth/access_policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::auth {
namespace {

using ::testing::HasSubstr;

constexpr char kAccountA[] = "AC0000000000000000000000000000000a";
constexpr char kAccountB[] = "AC0000000000000000000000000000000b";

std::shared_ptr<const AccessPolicy> Policy(const std::string& json) {
  auto policy = AccessPolicy::Parse(json);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : nullptr;
}

TEST(AccessPolicyTest, ReadOnlyCallerMayReadButNotWrite) {
  auto policy = Policy(R"({"grants": [
      {"caller": "reader", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->Allows("reader", Operation::kRead, kAccountA));
  EXPECT_FALSE(policy->Allows("reader", Operation::kWrite, kAccountA));
}

TEST(AccessPolicyTest, CallerOfAccountAIsNotACallerOfAccountB) {
  auto policy = Policy(R"({"grants": [
      {"caller": "team-a", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read", "write"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->Allows("team-a", Operation::kWrite, kAccountA));
  EXPECT_FALSE(policy->Allows("team-a", Operation::kRead, kAccountB));
  EXPECT_FALSE(policy->Allows("team-a", Operation::kWrite, kAccountB));
}

TEST(AccessPolicyTest, WriteDoesNotImplyRead) {
  auto policy = Policy(R"({"grants": [
      {"caller": "writer", "accounts": ["*"], "operations": ["write"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->Allows("writer", Operation::kWrite, kAccountB));
  EXPECT_FALSE(policy->Allows("writer", Operation::kRead, kAccountB));
}

TEST(AccessPolicyTest, EverythingNotGrantedIsDenied) {
  auto policy = Policy(R"({"grants": []})");
  ASSERT_NE(policy, nullptr);
  EXPECT_FALSE(policy->Allows("anyone", Operation::kRead, kAccountA));
  EXPECT_FALSE(policy->Allows("", Operation::kRead, kAccountA));
}

TEST(AccessPolicyTest, StarCallerCoversEveryAuthenticatedCallerButNoOne) {
  auto policy = Policy(R"({"grants": [
      {"caller": "*", "accounts": ["AC0000000000000000000000000000000A"],
       "operations": ["read"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->Allows("whoever", Operation::kRead, kAccountA));
  EXPECT_FALSE(policy->Allows("whoever", Operation::kWrite, kAccountA));
  EXPECT_FALSE(policy->Allows("", Operation::kRead, kAccountA));
}

TEST(AccessPolicyTest, SidsCompareWithoutCase) {
  auto policy = Policy(R"({"grants": [
      {"caller": "c", "accounts": ["AC00000000000000000000000000000ABC"],
       "operations": ["read"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_TRUE(policy->Allows("c", Operation::kRead,
                             "AC00000000000000000000000000000abc"));
}

TEST(AccessPolicyTest, MalformedOrMissingAccountNeedsAnAllAccountsGrant) {
  auto narrow = Policy(R"({"grants": [
      {"caller": "c", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read"]}]})");
  ASSERT_NE(narrow, nullptr);
  EXPECT_FALSE(narrow->Allows("c", Operation::kRead, ""));
  EXPECT_FALSE(narrow->Allows("c", Operation::kRead, "ACnot-a-sid"));

  auto wide = Policy(R"({"grants": [
      {"caller": "c", "accounts": ["*"], "operations": ["read"]}]})");
  ASSERT_NE(wide, nullptr);
  EXPECT_TRUE(wide->Allows("c", Operation::kRead, ""));
}

TEST(AccessPolicyTest, GrantsAddUp) {
  auto policy = Policy(R"({"grants": [
      {"caller": "c", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read"]},
      {"caller": "c", "accounts": ["AC0000000000000000000000000000000b"],
       "operations": ["write"]}]})");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->grant_count(), 2u);
  EXPECT_TRUE(policy->Allows("c", Operation::kRead, kAccountA));
  EXPECT_TRUE(policy->Allows("c", Operation::kWrite, kAccountB));
  EXPECT_FALSE(policy->Allows("c", Operation::kWrite, kAccountA));
  EXPECT_FALSE(policy->Allows("c", Operation::kRead, kAccountB));
}

TEST(AccessPolicyTest, RejectsWhatIsNotTheFormat) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"{}", "\"grants\" must be an array"},
      {R"({"grant": []})", "unknown key at the top level"},
      {R"({"grants": [{"caller": "c", "accounts": ["*"]}]})",
       "grants[0].operations is missing"},
      {R"({"grants": [{"caller": "c", "operations": ["read"]}]})",
       "grants[0].accounts is missing"},
      {R"({"grants": [{"caller": "c", "accounts": [],
           "operations": ["read"]}]})",
       "grants[0].accounts must be a non-empty array"},
      {R"({"grants": [{"caller": "c", "accounts": ["AC12"],
           "operations": ["read"]}]})",
       "grants[0].accounts[0] is not an Account SID"},
      {R"({"grants": [{"caller": "c", "accounts": ["*"],
           "operations": ["delete"]}]})",
       "grants[0].operations[0] must be \"read\" or \"write\""},
      {R"({"grants": [{"caller": "c", "accounts": ["*"],
           "operations": ["read"], "effect": "deny"}]})",
       "grants[0] has an unknown key"},
      {R"({"grants": [{"caller": "", "accounts": ["*"],
           "operations": ["read"]}]})",
       "grants[0].caller must be 1 to 256"},
      {R"({"grants": [{"caller": "c", "accounts": ["*"],
           "operations": ["read"], "operations": ["write"]}]})",
       "key \"operations\" is given twice"},
  };
  for (const Case& c : cases) {
    auto policy = AccessPolicy::Parse(c.json);
    ASSERT_FALSE(policy.ok()) << c.json;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message)) << c.json;
  }
}

}  // namespace
}  // namespace twilio_gateway::auth
