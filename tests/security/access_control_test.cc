#include "service/auth/access_control.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/auth/token_hash.h"

namespace twilio_gateway::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccountA[] = "AC0000000000000000000000000000000a";
constexpr char kAccountB[] = "AC0000000000000000000000000000000b";
constexpr char kReaderToken[] = "reader-token-aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kWriterToken[] = "writer-token-bbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kRevokedToken[] = "revoked-token-cccccccccccccccccccccc";
constexpr char kSpiffeReader[] = "spiffe://test/ns/a/sa/reader";

std::shared_ptr<const CallerTokens> Tokens() {
  auto tokens = CallerTokens::Parse(absl::StrCat(
      R"({"tokens": [{"caller": "reader", "sha256": ")",
      Sha256Hex(kReaderToken), R"("}, {"caller": "writer", "sha256": ")",
      Sha256Hex(kWriterToken),
      R"("}, {"caller": "gone", "revoked": true, "sha256": ")",
      Sha256Hex(kRevokedToken), R"("}]})"));
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return *tokens;
}

std::shared_ptr<const AccessPolicy> Policy() {
  auto policy = AccessPolicy::Parse(R"({"grants": [
      {"caller": "reader", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read"]},
      {"caller": "writer", "accounts": ["AC0000000000000000000000000000000a"],
       "operations": ["read", "write"]},
      {"caller": "spiffe://test/ns/a/sa/reader", "accounts": ["*"],
       "operations": ["read"]},
      {"caller": "client.test", "accounts": ["*"], "operations": ["read"]}]})");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *policy;
}

PeerFacts Bearer(const std::string& token) {
  PeerFacts peer;
  peer.authorization.push_back(absl::StrCat("Bearer ", token));
  peer.address = "ipv4:127.0.0.1:40000";
  return peer;
}

class AccessControlTest : public ::testing::Test {
 protected:
  AccessControlTest() : access_(AccessControlOptions{}) {
    access_.ReplaceTokens(Tokens());
    access_.ReplacePolicy(Policy());
  }
  AccessControl access_;
};

TEST_F(AccessControlTest, NoCredentialsIsUnauthenticated) {
  AccessDecision decision =
      access_.Check(PeerFacts(), Operation::kRead, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(decision.reason, "CALLER_UNAUTHENTICATED");
  EXPECT_EQ(decision.caller.via, Caller::Via::kNone);
  EXPECT_THAT(decision.status.message(), HasSubstr("Bearer"));
}

TEST_F(AccessControlTest, UnknownTokenIsUnauthenticatedAndNotQuoted) {
  const std::string token = "unknown-token-dddddddddddddddddddddd";
  AccessDecision decision =
      access_.Check(Bearer(token), Operation::kRead, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(decision.reason, "CALLER_UNAUTHENTICATED");
  EXPECT_THAT(decision.status.message(), Not(HasSubstr(token)));
}

TEST_F(AccessControlTest, RevokedTokenIsUnauthenticatedButNamedForTheAudit) {
  AccessDecision decision =
      access_.Check(Bearer(kRevokedToken), Operation::kRead, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(decision.reason, "TOKEN_REVOKED");
  EXPECT_EQ(decision.caller.id, "gone");
  EXPECT_THAT(decision.status.message(), Not(HasSubstr("gone")));
  EXPECT_THAT(decision.status.message(), Not(HasSubstr(kRevokedToken)));
}

TEST_F(AccessControlTest, TokenRemovedFromTheFileStopsWorking) {
  ASSERT_TRUE(access_.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                  .status.ok());
  auto fewer = CallerTokens::Parse(R"({"tokens": []})");
  ASSERT_TRUE(fewer.ok());
  access_.ReplaceTokens(*fewer);
  EXPECT_EQ(access_.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                .status.code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AccessControlTest, MalformedAuthorizationIsUnauthenticated) {
  for (const char* value :
       {"Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "bearer", "Token abc"}) {
    PeerFacts peer;
    peer.authorization.push_back(value);
    EXPECT_EQ(access_.Check(peer, Operation::kRead, kAccountA).status.code(),
              absl::StatusCode::kUnauthenticated)
        << value;
  }
  PeerFacts two = Bearer(kReaderToken);
  two.authorization.push_back(absl::StrCat("Bearer ", kWriterToken));
  EXPECT_EQ(access_.Check(two, Operation::kRead, kAccountA).status.code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AccessControlTest, SchemeIsCaseInsensitive) {
  PeerFacts peer;
  peer.authorization.push_back(absl::StrCat("bEaReR ", kReaderToken));
  EXPECT_TRUE(access_.Check(peer, Operation::kRead, kAccountA).status.ok());
}

TEST_F(AccessControlTest, ReadOnlyCallerTryingToWriteIsPermissionDenied) {
  AccessDecision decision =
      access_.Check(Bearer(kReaderToken), Operation::kWrite, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(decision.reason, "CALLER_NOT_PERMITTED");
  EXPECT_EQ(decision.caller.id, "reader");
  EXPECT_EQ(decision.caller.via, Caller::Via::kToken);
  EXPECT_THAT(decision.status.message(),
              HasSubstr("caller reader may not write mappings of account"));
}

TEST_F(AccessControlTest, CallerOfAccountAAskingForAccountBIsDenied) {
  EXPECT_TRUE(access_.Check(Bearer(kWriterToken), Operation::kWrite, kAccountA)
                  .status.ok());
  EXPECT_EQ(access_.Check(Bearer(kWriterToken), Operation::kRead, kAccountB)
                .status.code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AccessControlTest, WithoutAPolicyEverythingIsDenied) {
  access_.ReplacePolicy(nullptr);
  EXPECT_EQ(access_.Check(Bearer(kWriterToken), Operation::kRead, kAccountA)
                .status.code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AccessControlTest, CertificateUriSanNamesTheCaller) {
  PeerFacts peer;
  peer.uri_sans = {kSpiffeReader};
  peer.dns_sans = {"ignored.test"};
  AccessDecision decision = access_.Check(peer, Operation::kRead, kAccountB);
  ASSERT_TRUE(decision.status.ok()) << decision.status;
  EXPECT_EQ(decision.caller.id, kSpiffeReader);
  EXPECT_EQ(decision.caller.via, Caller::Via::kCertificate);
}

TEST_F(AccessControlTest, CertificateWinsOverAToken) {
  PeerFacts peer = Bearer(kWriterToken);
  peer.uri_sans = {kSpiffeReader};
  AccessDecision decision = access_.Check(peer, Operation::kWrite, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(decision.caller.id, kSpiffeReader);
}

TEST_F(AccessControlTest, DnsSanNamesTheCallerWithoutAUri) {
  PeerFacts peer;
  peer.dns_sans = {"client.test", "other.test"};
  AccessDecision decision = access_.Check(peer, Operation::kRead, kAccountA);
  ASSERT_TRUE(decision.status.ok()) << decision.status;
  EXPECT_EQ(decision.caller.id, "client.test");
}

TEST_F(AccessControlTest, SeveralUriSansAreRefused) {
  PeerFacts peer;
  peer.uri_sans = {kSpiffeReader, "spiffe://test/other"};
  EXPECT_EQ(access_.Check(peer, Operation::kRead, kAccountA).status.code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AccessControlTest, NoTokensFileRefusesTokens) {
  access_.ReplaceTokens(nullptr);
  AccessDecision decision =
      access_.Check(Bearer(kReaderToken), Operation::kRead, kAccountA);
  EXPECT_EQ(decision.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(decision.status.message(), HasSubstr("accepts no bearer tokens"));
}

TEST(AccessControlUnauthenticatedTest, AllowsEveryoneAsAnonymous) {
  AccessControlOptions options;
  options.allow_unauthenticated = true;
  AccessControl access(options);
  AccessDecision decision =
      access.Check(PeerFacts(), Operation::kWrite, kAccountB);
  EXPECT_TRUE(decision.status.ok());
  EXPECT_EQ(decision.caller.via, Caller::Via::kNone);
  EXPECT_EQ(CallerLogName(decision.caller), "anonymous");
}

TEST(AccessControlRateTest, PastTheRateIsResourceExhaustedPerCaller) {
  absl::Time now = absl::FromUnixSeconds(1000);
  AccessControlOptions options;
  options.rate_limit_per_caller = 2;
  options.clock = [&now] { return now; };
  AccessControl access(options);
  access.ReplaceTokens(Tokens());
  access.ReplacePolicy(Policy());

  EXPECT_TRUE(access.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                  .status.ok());
  EXPECT_TRUE(access.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                  .status.ok());
  AccessDecision third =
      access.Check(Bearer(kReaderToken), Operation::kRead, kAccountA);
  EXPECT_EQ(third.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(third.reason, "CALLER_RATE_LIMITED");
  EXPECT_EQ(third.caller.id, "reader");
  // Another caller has a bucket of its own.
  EXPECT_TRUE(access.Check(Bearer(kWriterToken), Operation::kRead, kAccountA)
                  .status.ok());

  now += absl::Milliseconds(500);
  EXPECT_TRUE(access.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                  .status.ok());
  EXPECT_EQ(access.Check(Bearer(kReaderToken), Operation::kRead, kAccountA)
                .status.code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(AccessControlRateTest, AnonymousCallersAreLimitedPerAddress) {
  absl::Time now = absl::FromUnixSeconds(1000);
  AccessControlOptions options;
  options.allow_unauthenticated = true;
  options.rate_limit_per_caller = 1;
  options.clock = [&now] { return now; };
  AccessControl access(options);
  PeerFacts first;
  first.address = "ipv4:10.0.0.1:1000";
  PeerFacts same_host_new_port;
  same_host_new_port.address = "ipv4:10.0.0.1:1001";
  PeerFacts other;
  other.address = "ipv4:10.0.0.2:1000";
  EXPECT_TRUE(access.Check(first, Operation::kRead, "").status.ok());
  EXPECT_EQ(
      access.Check(same_host_new_port, Operation::kRead, "").status.code(),
      absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(access.Check(other, Operation::kRead, "").status.ok());
}

}  // namespace
}  // namespace twilio_gateway::auth
