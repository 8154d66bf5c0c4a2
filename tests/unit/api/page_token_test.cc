#include "service/api/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/twilio/rest_paths.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::api {
namespace {

constexpr char kAccount[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kOtherAccount[] = "AC11111111111111111111111111111111";
constexpr char kDomain[] = "SD0123456789abcdef0123456789abcdef";
constexpr char kOtherDomain[] = "SD22222222222222222222222222222222";
constexpr char kBase[] = "https://api.twilio.com";

// A query with the characters a careless client would re-encode or drop.
constexpr char kQuery[] =
    "PageSize=2&Page=1&PageToken=PTYWZ0ZXI6Q0w%2Bxx%2F%3D%3D&x=a+b~*'()";

std::string NextUri(absl::string_view query) {
  return absl::StrCat(twilio::MappingCollectionJsonPath(kAccount, kDomain), "?",
                      query);
}

void ExpectInvalidToken(const absl::StatusOr<std::string>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  auto error = twilio::GetGatewayError(result.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->reason(), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(error->field(), "page_token");
}

TEST(PageTokenTest, RoundTripKeepsQueryByteForByte) {
  absl::StatusOr<std::string> token =
      EncodePageToken(kAccount, kDomain, kBase, NextUri(kQuery));
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<std::string> query =
      DecodePageToken(*token, kAccount, kDomain);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(*query, kQuery);
}

TEST(PageTokenTest, TokenIsUrlSafe) {
  absl::StatusOr<std::string> token =
      EncodePageToken(kAccount, kDomain, kBase, NextUri(kQuery));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(
      token->find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(PageTokenTest, AcceptsAbsoluteUriOnTheConfiguredHost) {
  absl::StatusOr<std::string> token = EncodePageToken(
      kAccount, kDomain, kBase, absl::StrCat(kBase, NextUri(kQuery)));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*DecodePageToken(*token, kAccount, kDomain), kQuery);
}

TEST(PageTokenTest, RefusesLinksOutsideTheCollection) {
  const std::string bad_links[] = {
      absl::StrCat("https://evil.example", NextUri(kQuery)),
      absl::StrCat(twilio::MappingCollectionJsonPath(kAccount, kOtherDomain),
                   "?", kQuery),
      absl::StrCat("/2010-04-01/Accounts/", kAccount, "/SIP/Domains/", kDomain,
                   "/Auth/Calls/CredentialListMappings.json?", kQuery),
      absl::StrCat(twilio::MappingCollectionPath(kAccount, kDomain), "?",
                   kQuery),
      NextUri("Page=1#fragment"),
      NextUri("Page=1 2"),
      NextUri("Page=%zz"),
      NextUri("Page=%2"),
      NextUri(""),
  };
  for (const std::string& link : bad_links) {
    absl::StatusOr<std::string> token =
        EncodePageToken(kAccount, kDomain, kBase, link);
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInternal) << link;
  }
}

TEST(PageTokenTest, BoundToAccountAndDomain) {
  absl::StatusOr<std::string> token =
      EncodePageToken(kAccount, kDomain, kBase, NextUri(kQuery));
  ASSERT_TRUE(token.ok());
  ExpectInvalidToken(DecodePageToken(*token, kOtherAccount, kDomain));
  ExpectInvalidToken(DecodePageToken(*token, kAccount, kOtherDomain));
}

TEST(PageTokenTest, RejectsTruncatedAndAlteredTokens) {
  absl::StatusOr<std::string> token =
      EncodePageToken(kAccount, kDomain, kBase, NextUri(kQuery));
  ASSERT_TRUE(token.ok());
  for (size_t length = 0; length < token->size(); ++length) {
    ExpectInvalidToken(
        DecodePageToken(token->substr(0, length), kAccount, kDomain));
  }
  for (size_t i = 0; i < token->size(); ++i) {
    std::string altered = *token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    ExpectInvalidToken(DecodePageToken(altered, kAccount, kDomain));
  }
}

TEST(PageTokenTest, RejectsGarbage) {
  ExpectInvalidToken(DecodePageToken("not a token!", kAccount, kDomain));
  ExpectInvalidToken(DecodePageToken("AAAA", kAccount, kDomain));
  ExpectInvalidToken(
      DecodePageToken(std::string(10000, 'A'), kAccount, kDomain));
}

// A token built by hand, with a valid checksum, that would steer the request
// elsewhere: the query check still stops it.
TEST(PageTokenTest, RejectsForgedQueryWithValidChecksum) {
  // Encode a legitimate token, then rebuild one with a hostile query using
  // the same layout: version byte, serialized state, checksum.
  absl::StatusOr<std::string> good =
      EncodePageToken(kAccount, kDomain, kBase, NextUri("Page=1"));
  ASSERT_TRUE(good.ok());
  std::string bytes;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(*good, &bytes));
  // The query is the last field of the state; swap "Page=1" for "a#b=1"
  // in place (same length), then recompute the checksum the same way.
  const size_t at = bytes.find("Page=1");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 6, "a#b=1/");
  bytes.resize(bytes.size() - 8);
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  for (int i = 0; i < 8; ++i) {
    bytes.push_back(static_cast<char>(hash & 0xFF));
    hash >>= 8;
  }
  ExpectInvalidToken(
      DecodePageToken(absl::WebSafeBase64Escape(bytes), kAccount, kDomain));
}

}  // namespace
}  // namespace twilio_gateway::api
