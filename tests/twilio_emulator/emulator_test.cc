#include "tests/twilio_emulator/emulator.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/twilio_emulator/test_http_client.h"

namespace twilio_gateway {
namespace testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::Pair;

constexpr char kAccount[] = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kToken[] = "account-auth-token";
constexpr char kApiKey[] = "SKcccccccccccccccccccccccccccccccc";
constexpr char kApiSecret[] = "api-key-secret";
constexpr char kDomain[] = "SDbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kRequestIdPattern[] = "RQ[0-9a-f]{32}";
// Thu, 30 Jul 2015 20:00:00 +0000, the date in Twilio's own examples.
constexpr int64_t kFixedUnixSeconds = 1438286400;

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { curl_global_init(CURL_GLOBAL_DEFAULT); }
  void TearDown() override { curl_global_cleanup(); }
};
::testing::Environment* const kCurlEnvironment =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

std::string ClSid(int n) { return absl::StrFormat("CL%032x", n); }

std::string CollectionPath(const std::string& account = kAccount,
                           const std::string& domain = kDomain) {
  return absl::StrCat("/2010-04-01/Accounts/", account, "/SIP/Domains/", domain,
                      "/Auth/Registrations/CredentialListMappings.json");
}

std::string InstancePath(const std::string& sid) {
  return absl::StrCat("/2010-04-01/Accounts/", kAccount, "/SIP/Domains/",
                      kDomain, "/Auth/Registrations/CredentialListMappings/",
                      sid, ".json");
}

// Waits for a condition another thread makes true; the deadline only
// bounds a broken test, it is not what is being tested.
bool WaitFor(const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

std::vector<std::string> Sids(const nlohmann::json& page) {
  std::vector<std::string> sids;
  if (!page.contains("contents")) return sids;
  for (const auto& item : page["contents"]) {
    sids.push_back(item.value("sid", ""));
  }
  return sids;
}

void ExpectTwilioError(const TestReply& reply, long status, int code) {
  EXPECT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, status) << reply.body;
  const nlohmann::json body = reply.Json();
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body.value("code", 0), code) << reply.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_EQ(body.value("more_info", ""),
            absl::StrCat("https://www.twilio.com/docs/errors/", code));
  EXPECT_FALSE(body.value("message", "").empty());
  EXPECT_EQ(body.size(), 4u) << reply.body;
  EXPECT_EQ(reply.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_THAT(reply.Header("Twilio-Request-Id"),
              MatchesRegex(kRequestIdPattern));
}

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.credentials = {{kAccount, kToken}, {kApiKey, kApiSecret}};
    options.clock = [] { return absl::FromUnixSeconds(kFixedUnixSeconds); };
    absl::StatusOr<std::unique_ptr<TwilioEmulator>> emulator =
        TwilioEmulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    client_.SetCredentials(kAccount, kToken);
  }

  std::string Url(const std::string& path) const {
    return emulator_->base_url() + path;
  }
  TestReply Get(const std::string& path) {
    return client_.Send("GET", Url(path));
  }
  TestReply Post(const std::string& path, const std::string& body) {
    return client_.Send("POST", Url(path), body);
  }
  TestReply Delete(const std::string& path) {
    return client_.Send("DELETE", Url(path));
  }
  TestReply Create(const std::string& sid) {
    return Post(CollectionPath(), "CredentialListSid=" + sid);
  }

  std::unique_ptr<TwilioEmulator> emulator_;
  TestHttpClient client_;
};

TEST_F(EmulatorTest, StartsOnAnEphemeralPort) {
  EXPECT_GT(emulator_->port(), 0);
  EXPECT_EQ(emulator_->base_url(),
            absl::StrCat("http://127.0.0.1:", emulator_->port()));
}

TEST(EmulatorStartTest, RequiresCredentials) {
  EXPECT_EQ(TwilioEmulator::Start(EmulatorOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EmulatorStartTest, RejectsABadPort) {
  EmulatorOptions options;
  options.credentials = {{kAccount, kToken}};
  options.port = 70000;
  EXPECT_EQ(TwilioEmulator::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EmulatorTest, MissingCredentialsAre401) {
  client_.SetCredentials("", "");
  const TestReply reply = Get(CollectionPath());
  ExpectTwilioError(reply, 401, 20003);
  EXPECT_EQ(reply.Header("WWW-Authenticate"), "Basic realm=\"Twilio API\"");
}

TEST_F(EmulatorTest, WrongCredentialsAre401) {
  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{
           {kAccount, "wrong-token"},
           {kAccount, kApiSecret},  // a real secret, not this user's
           {"ACdddddddddddddddddddddddddddddddd", kToken},
           {kApiKey, ""}}) {
    client_.SetCredentials(user, password);
    const TestReply reply = Get(CollectionPath());
    ExpectTwilioError(reply, 401, 20003);
    EXPECT_EQ(reply.Header("WWW-Authenticate"), "Basic realm=\"Twilio API\"");
  }
}

TEST_F(EmulatorTest, MalformedAuthorizationHeadersAre401) {
  client_.SetCredentials("", "");
  for (const std::string header :
       {"Authorization: Basic", "Authorization: Basic !!!not-base64",
        "Authorization: Basic bm8tY29sb24=",  // "no-colon"
        "Authorization: Bearer abc"}) {
    client_.SetHeaders({header});
    ExpectTwilioError(Get(CollectionPath()), 401, 20003);
  }
}

TEST_F(EmulatorTest, ApiKeysAndSubaccountPathsAreAccepted) {
  client_.SetCredentials(kApiKey, kApiSecret);
  EXPECT_EQ(Get(CollectionPath()).status, 200);
  // Main-account credentials may act on a subaccount named in the path.
  EXPECT_EQ(Get(CollectionPath("ACdddddddddddddddddddddddddddddddd")).status,
            200);
}

TEST_F(EmulatorTest, CreateAnswers201WithTheMapping) {
  const TestReply reply = Create(ClSid(1));
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_THAT(reply.Header("Twilio-Request-Id"),
              MatchesRegex(kRequestIdPattern));
  const nlohmann::json body = reply.Json();
  EXPECT_EQ(body["account_sid"], kAccount);
  EXPECT_EQ(body["sid"], ClSid(1));
  EXPECT_EQ(body["date_created"], "Thu, 30 Jul 2015 20:00:00 +0000");
  EXPECT_EQ(body["date_updated"], "Thu, 30 Jul 2015 20:00:00 +0000");
  EXPECT_TRUE(body["friendly_name"].is_string());
  EXPECT_FALSE(body["friendly_name"].get<std::string>().empty());

  const std::vector<StoredMapping> stored =
      emulator_->Mappings(kAccount, kDomain);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].sid, ClSid(1));
  EXPECT_EQ(stored[0].domain_sid, kDomain);
}

TEST_F(EmulatorTest, CreatingAnExistingMappingIs400With21231) {
  ASSERT_EQ(Create(ClSid(1)).status, 201);
  const TestReply reply = Create(ClSid(1));
  ExpectTwilioError(reply, 400, 21231);
  EXPECT_EQ(reply.Json().value("message", ""),
            absl::StrCat("CredentialList ", ClSid(1),
                         " is already mapped to this domain"));
  EXPECT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);
}

TEST_F(EmulatorTest, CreateWithoutCredentialListSidIs400) {
  for (const std::string body : {"", "FriendlyName=x", "CredentialListSid="}) {
    const TestReply reply = Post(CollectionPath(), body);
    ExpectTwilioError(reply, 400, kErrorInvalidParameter);
    EXPECT_THAT(reply.Json().value("message", ""),
                HasSubstr("Missing required parameter CredentialListSid"));
  }
}

TEST_F(EmulatorTest, CreateWithMalformedCredentialListSidIs400) {
  for (const std::string& sid :
       {std::string("CL123"), ClSid(1) + "0", "SD" + ClSid(1).substr(2),
        "CL" + std::string(32, 'g'), std::string("CL%zz"),
        "cl" + ClSid(1).substr(2)}) {
    ExpectTwilioError(Post(CollectionPath(), "CredentialListSid=" + sid), 400,
                      kErrorInvalidParameter);
  }
  EXPECT_TRUE(emulator_->Mappings(kAccount, kDomain).empty());
}

TEST_F(EmulatorTest, CreateDecodesTheFormBody) {
  // Percent-escapes are decoded; other parameters are ignored.
  const std::string escaped = absl::StrCat(
      "FriendlyName=a+b&CredentialListSid=%43%4C", ClSid(7).substr(2));
  const TestReply reply = Post(CollectionPath(), escaped);
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json()["sid"], ClSid(7));
}

TEST_F(EmulatorTest, FetchAnswers200OrNotFound) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(5));
  const TestReply found = Get(InstancePath(ClSid(5)));
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.Json()["sid"], ClSid(5));
  EXPECT_EQ(found.Json()["account_sid"], kAccount);

  const TestReply missing = Get(InstancePath(ClSid(6)));
  ExpectTwilioError(missing, 404, 20404);
  EXPECT_THAT(missing.Json().value("message", ""),
              HasSubstr(InstancePath(ClSid(6))));
}

TEST_F(EmulatorTest, MappingsAreScopedToAccountAndDomain) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(5));
  const std::string other_domain = "SDeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  EXPECT_EQ(Get(absl::StrReplaceAll(InstancePath(ClSid(5)),
                                    {{kDomain, other_domain}}))
                .status,
            404);
  EXPECT_TRUE(Sids(Get(CollectionPath(kAccount, other_domain)).Json()).empty());
}

TEST_F(EmulatorTest, DeleteAnswers204ThenNotFound) {
  ASSERT_EQ(Create(ClSid(1)).status, 201);
  const TestReply deleted = Delete(InstancePath(ClSid(1)));
  EXPECT_EQ(deleted.code, CURLE_OK);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_THAT(deleted.Header("Twilio-Request-Id"),
              MatchesRegex(kRequestIdPattern));

  ExpectTwilioError(Get(InstancePath(ClSid(1))), 404, 20404);
  ExpectTwilioError(Delete(InstancePath(ClSid(1))), 404, 20404);
  EXPECT_TRUE(emulator_->Mappings(kAccount, kDomain).empty());
}

TEST_F(EmulatorTest, TestApiSeedsAndInspectsState) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(3));
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));  // no duplicate
  std::vector<std::string> sids;
  for (const StoredMapping& mapping : emulator_->Mappings(kAccount, kDomain)) {
    sids.push_back(mapping.sid);
  }
  EXPECT_THAT(sids, ElementsAre(ClSid(1), ClSid(3)));
  EXPECT_TRUE(emulator_->RemoveMapping(kAccount, kDomain, ClSid(1)));
  EXPECT_FALSE(emulator_->RemoveMapping(kAccount, kDomain, ClSid(1)));
  EXPECT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);
}

TEST_F(EmulatorTest, OtherPathsAre404) {
  const std::string registrations = absl::StrCat(
      "/2010-04-01/Accounts/", kAccount, "/SIP/Domains/", kDomain, "/Auth");
  for (const std::string& path : {
           std::string("/"),
           std::string("/2010-04-01/Accounts.json"),
           // The two look-alike sibling collections.
           absl::StrCat("/2010-04-01/Accounts/", kAccount, "/SIP/Domains/",
                        kDomain, "/CredentialListMappings.json"),
           registrations + "/Calls/CredentialListMappings.json",
           // Without .json the 2010 API would answer in XML.
           registrations + "/Registrations/CredentialListMappings",
           registrations + "/Registrations/CredentialListMappings.xml",
           registrations + "/Registrations/CredentialListMappings/" + ClSid(1),
           registrations + "/Registrations/CredentialListMappings.json/",
           registrations + "/Registrations/credentiallistmappings.json",
           registrations + "/Registrations//CredentialListMappings.json",
           registrations + "/Registrations/CredentialListMappings/" + ClSid(1) +
               ".json/extra",
           "/2010-04-01/Accounts/" + std::string(kAccount) + "/SIP/Domains/" +
               kDomain + "/Auth/Registrations/CredentialListMappings/x/" +
               ClSid(1) + ".json",
       }) {
    ExpectTwilioError(Get(path), 404, 20404);
  }
}

TEST_F(EmulatorTest, MalformedSidsAre404) {
  const std::string good = CollectionPath();
  const std::string bad_account[] = {
      "ACaaaa",                                // short
      "acaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",    // prefix case
      "ACgaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",    // not hex
      "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",   // long
      "SDaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",    // wrong type
      "%41Caaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  // escaped
  };
  for (const std::string& account : bad_account) {
    ExpectTwilioError(Get(absl::StrReplaceAll(good, {{kAccount, account}})),
                      404, 20404);
  }
  ExpectTwilioError(Get(absl::StrReplaceAll(good, {{kDomain, "SDbbbb"}})), 404,
                    20404);
  ExpectTwilioError(
      Get(absl::StrReplaceAll(
          good, {{kDomain, "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}})),
      404, 20404);
  for (const std::string& sid :
       {std::string("CL1"), "CL" + std::string(32, 'z'),
        "SK" + ClSid(1).substr(2), ClSid(1) + "f"}) {
    ExpectTwilioError(Get(InstancePath(sid)), 404, 20404);
    ExpectTwilioError(Delete(InstancePath(sid)), 404, 20404);
  }
}

TEST_F(EmulatorTest, WrongMethodsAre405) {
  for (const auto& [method, path, allowed] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"PUT", CollectionPath(), "GET, POST"},
           {"PATCH", CollectionPath(), "GET, POST"},
           {"DELETE", CollectionPath(), "GET, POST"},
           {"POST", InstancePath(ClSid(1)), "GET, DELETE"},
           {"PUT", InstancePath(ClSid(1)), "GET, DELETE"},
       }) {
    const TestReply reply = client_.Send(method, Url(path));
    ExpectTwilioError(reply, 405, kErrorMethodNotAllowed);
    EXPECT_EQ(reply.Header("Allow"), allowed);
  }
}

TEST_F(EmulatorTest, EveryAnswerHasItsOwnRequestId) {
  std::set<std::string> ids;
  const std::vector<TestReply> replies = {
      Get(CollectionPath()), Create(ClSid(1)), Create(ClSid(1)),
      Get("/nowhere"), Delete(InstancePath(ClSid(1)))};
  for (const TestReply& reply : replies) {
    const std::string id = reply.Header("Twilio-Request-Id");
    EXPECT_THAT(id, MatchesRegex(kRequestIdPattern));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), replies.size());
}

TEST_F(EmulatorTest, ListAnswersOnePageInSidOrder) {
  for (int n : {3, 1, 2}) emulator_->PutMapping(kAccount, kDomain, ClSid(n));
  const TestReply reply = Get(CollectionPath());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const nlohmann::json page = reply.Json();
  EXPECT_THAT(Sids(page), ElementsAre(ClSid(1), ClSid(2), ClSid(3)));
  const std::string first = CollectionPath() + "?PageSize=50&Page=0";
  EXPECT_EQ(page["first_page_uri"], first);
  EXPECT_EQ(page["uri"], first);
  EXPECT_TRUE(page["next_page_uri"].is_null());
  EXPECT_TRUE(page["previous_page_uri"].is_null());
  EXPECT_EQ(page["page"], 0);
  EXPECT_EQ(page["page_size"], 50);
  EXPECT_EQ(page["start"], 0);
  EXPECT_EQ(page["end"], 2);
  EXPECT_EQ(page["contents"][0]["date_created"],
            "Thu, 30 Jul 2015 20:00:00 +0000");
  // The page is written out by hand; it must be the compact, key-ordered
  // JSON a json library would write.
  EXPECT_EQ(reply.body, page.dump());
}

TEST_F(EmulatorTest, ListOfNothingMatchesTwilioExample) {
  const nlohmann::json page = Get(CollectionPath()).Json();
  EXPECT_TRUE(page["contents"].is_array());
  EXPECT_TRUE(page["contents"].empty());
  EXPECT_EQ(page["start"], 0);
  EXPECT_EQ(page["end"], 0);
  EXPECT_TRUE(page["next_page_uri"].is_null());
}

TEST_F(EmulatorTest, PagingIsStableWhileTheCollectionChanges) {
  // Even SIDs 2..30 at the start; odd ones are added during the walk.
  std::set<std::string> present_throughout;
  for (int n = 2; n <= 30; n += 2) {
    emulator_->PutMapping(kAccount, kDomain, ClSid(n));
    present_throughout.insert(ClSid(n));
  }

  std::map<std::string, int> seen;
  std::string next = CollectionPath() + "?PageSize=4";
  int pages = 0;
  while (!next.empty()) {
    const TestReply reply = Get(next);
    ASSERT_EQ(reply.status, 200) << next << "\n" << reply.body;
    const nlohmann::json page = reply.Json();
    EXPECT_EQ(page["page"], pages);
    EXPECT_EQ(page["page_size"], 4);
    EXPECT_EQ(page["previous_page_uri"].is_null(), pages == 0);
    for (const std::string& sid : Sids(page)) ++seen[sid];
    ++pages;

    // Change the collection behind the cursor, ahead of it, and at it.
    const int step = pages;
    emulator_->PutMapping(kAccount, kDomain, ClSid(2 * step - 1));
    emulator_->PutMapping(kAccount, kDomain, ClSid(31 - 2 * step));
    const std::string removed_ahead = ClSid(30 - 4 * step);
    if (emulator_->RemoveMapping(kAccount, kDomain, removed_ahead)) {
      present_throughout.erase(removed_ahead);
    }
    if (!Sids(page).empty()) {
      const std::string last = Sids(page).back();
      if (emulator_->RemoveMapping(kAccount, kDomain, last)) {
        present_throughout.erase(last);
      }
    }

    next = page["next_page_uri"].is_null()
               ? std::string()
               : page["next_page_uri"].get<std::string>();
    ASSERT_LT(pages, 50) << "paging does not end";
  }

  EXPECT_GE(pages, 3);
  for (const std::string& sid : present_throughout) {
    EXPECT_EQ(seen[sid], 1) << sid;
  }
  for (const auto& [sid, count] : seen) EXPECT_EQ(count, 1) << sid;
}

TEST_F(EmulatorTest, NextPageTokenSurvivesOnlyWhenSentByteForByte) {
  for (int n = 1; n <= 5; ++n)
    emulator_->PutMapping(kAccount, kDomain, ClSid(n));
  const nlohmann::json first = Get(CollectionPath() + "?PageSize=2").Json();
  ASSERT_TRUE(first["next_page_uri"].is_string());
  const std::string next = first["next_page_uri"];
  EXPECT_THAT(next, HasSubstr("&Page=1&PageToken=PT"));
  const std::string token = next.substr(next.find("PageToken=") + 10);
  // The token needs escaping in a URI, so careless clients are caught.
  EXPECT_THAT(token, HasSubstr("%2B"));
  EXPECT_THAT(token, HasSubstr("%2F"));
  EXPECT_THAT(token, HasSubstr("%3D"));
  EXPECT_THAT(token, Not(HasSubstr("+")));
  EXPECT_THAT(token, Not(HasSubstr("/")));
  EXPECT_THAT(token, Not(HasSubstr("=")));

  emulator_->ClearRequests();
  const TestReply second = Get(next);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_THAT(Sids(second.Json()), ElementsAre(ClSid(3), ClSid(4)));
  EXPECT_EQ(second.Json()["uri"], next);
  ASSERT_EQ(emulator_->Requests().size(), 1u);
  EXPECT_EQ(emulator_->Requests()[0].target, next);

  const std::string prefix = next.substr(0, next.find("PageToken=") + 10);
  const std::string unescaped =
      absl::StrReplaceAll(token, {{"%2B", "+"}, {"%2F", "/"}, {"%3D", "="}});
  for (const std::string& garbled : {
           prefix + absl::StrReplaceAll(token, {{"%2B", "+"}}),  // '+' raw
           prefix + unescaped,                                   // all raw
           prefix + absl::StrReplaceAll(token, {{"%", "%25"}}),  // twice
           prefix + token.substr(0, token.size() - 3),           // cut
           prefix + token.substr(0, token.size() - 6),
           prefix + absl::StrReplaceAll(token, {{"PT", "PA"}}),
           prefix + "PT" + token.substr(2, 20),
           prefix + "garbage",
           prefix,  // empty
           prefix + token + "%3D",
           prefix + "%ZZ",
       }) {
    ExpectTwilioError(Get(garbled), 400, kErrorInvalidPageToken);
  }
  // Escapes with lower-case hex digits mean the same bytes.
  EXPECT_EQ(
      Get(prefix + absl::StrReplaceAll(token, {{"%2B", "%2b"}, {"%2F", "%2f"}}))
          .status,
      200);
}

TEST_F(EmulatorTest, PreviousPageUriLeadsBack) {
  for (int n = 1; n <= 7; ++n)
    emulator_->PutMapping(kAccount, kDomain, ClSid(n));
  const nlohmann::json first = Get(CollectionPath() + "?PageSize=3").Json();
  const TestReply middle = Get(first["next_page_uri"].get<std::string>());
  const nlohmann::json second = middle.Json();
  EXPECT_EQ(middle.body, second.dump());
  EXPECT_THAT(Sids(second), ElementsAre(ClSid(4), ClSid(5), ClSid(6)));
  EXPECT_EQ(second["start"], 3);
  EXPECT_EQ(second["end"], 5);
  ASSERT_TRUE(second["previous_page_uri"].is_string());

  const nlohmann::json back =
      Get(second["previous_page_uri"].get<std::string>()).Json();
  EXPECT_EQ(back["page"], 0);
  EXPECT_THAT(Sids(back), ElementsAre(ClSid(1), ClSid(2), ClSid(3)));
  EXPECT_EQ(back["next_page_uri"], first["next_page_uri"]);

  const nlohmann::json last =
      Get(second["next_page_uri"].get<std::string>()).Json();
  EXPECT_THAT(Sids(last), ElementsAre(ClSid(7)));
  EXPECT_TRUE(last["next_page_uri"].is_null());
}

TEST_F(EmulatorTest, BadPagingParametersAre400) {
  for (const std::string query :
       {"PageSize=0", "PageSize=1001", "PageSize=-1", "PageSize=abc",
        "PageSize=", "PageSize=1.5", "PageSize=+5", "Page=-1", "Page=x"}) {
    ExpectTwilioError(Get(CollectionPath() + "?" + query), 400,
                      kErrorInvalidParameter);
  }
  // An offset alone cannot page a changing collection; Twilio refuses it.
  ExpectTwilioError(Get(CollectionPath() + "?PageSize=2&Page=1"), 400,
                    kErrorInvalidPageToken);
  EXPECT_EQ(Get(CollectionPath() + "?PageSize=1000&Page=0").status, 200);
  EXPECT_EQ(Get(CollectionPath() + "?PageSize=1").status, 200);
}

TEST_F(EmulatorTest, RecordsRequestsAsReceived) {
  client_.SetHeaders(
      {"X-Custom-Header: Mixed Case", "Accept: application/json"});
  const std::string form =
      absl::StrCat("CredentialListSid=", ClSid(9), "&Note=a%2Bb+c");
  ASSERT_EQ(Post(CollectionPath(), form).status, 201);
  const std::string query = "?PageSize=2&Other=%2F%3d";
  ASSERT_EQ(Get(CollectionPath() + query).status, 200);

  const std::vector<RecordedRequest> requests = emulator_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, CollectionPath());
  EXPECT_EQ(requests[0].body, form);
  EXPECT_THAT(requests[0].headers,
              ::testing::Contains(Pair("X-Custom-Header", "Mixed Case")));
  const std::string* authorization =
      FindHeader(requests[0].headers, "authorization");
  ASSERT_NE(authorization, nullptr);
  EXPECT_THAT(*authorization, ::testing::StartsWith("Basic "));
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].target, CollectionPath() + query);
  EXPECT_TRUE(requests[1].body.empty());

  emulator_->ClearRequests();
  EXPECT_TRUE(emulator_->Requests().empty());
}

TEST_F(EmulatorTest, ScriptedAnswersReplaceTheNextMatches) {
  ScriptedAnswer outage;
  outage.method = "GET";
  outage.path_contains = "CredentialListMappings.json";
  outage.times = 2;
  outage.status = 503;
  outage.body = R"({"code":20503,"message":"Service unavailable"})";
  outage.headers = {{"Retry-After", "1"}, {"X-Scripted", "yes"}};
  emulator_->Script(outage);

  // Another method is not matched and acts as usual.
  EXPECT_EQ(Create(ClSid(1)).status, 201);
  for (int i = 0; i < 2; ++i) {
    const TestReply reply = Get(CollectionPath());
    EXPECT_EQ(reply.status, 503);
    EXPECT_EQ(reply.body, outage.body);
    EXPECT_EQ(reply.Header("Retry-After"), "1");
    EXPECT_EQ(reply.Header("X-Scripted"), "yes");
    EXPECT_THAT(reply.Header("Twilio-Request-Id"),
                MatchesRegex(kRequestIdPattern));
  }
  EXPECT_EQ(Get(CollectionPath()).status, 200);
  EXPECT_EQ(emulator_->Requests().size(), 4u);
}

TEST_F(EmulatorTest, ScriptedErrorsHaveNoEffect) {
  ScriptedAnswer failure;
  failure.method = "POST";
  failure.status = 500;
  emulator_->Script(failure);
  EXPECT_EQ(Create(ClSid(1)).status, 500);
  EXPECT_TRUE(emulator_->Mappings(kAccount, kDomain).empty());
}

TEST_F(EmulatorTest, RulesMatchInOrder) {
  ScriptedAnswer first;
  first.path_contains = ClSid(1);
  first.status = 429;
  ScriptedAnswer second;
  second.status = 500;
  emulator_->Script(first);
  emulator_->Script(second);
  EXPECT_EQ(Get(InstancePath(ClSid(2))).status, 500);  // only the 2nd fits
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 429);
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 404);  // both used up

  emulator_->Script(second);
  emulator_->ClearScript();
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 404);
}

TEST_F(EmulatorTest, DelayedAnswerStillArrives) {
  ScriptedAnswer slow;
  slow.method = "POST";
  slow.delay = absl::Milliseconds(20);
  emulator_->Script(slow);
  const TestReply reply = Create(ClSid(1));
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json()["sid"], ClSid(1));

  ScriptedAnswer slow_error;
  slow_error.status = 429;
  slow_error.delay = absl::Milliseconds(20);
  emulator_->Script(slow_error);
  EXPECT_EQ(Get(CollectionPath()).status, 429);
}

TEST_F(EmulatorTest, AnswerWithheldUntilClientGivesUp) {
  ScriptedAnswer lost;
  lost.method = "POST";
  lost.never_answer = true;
  emulator_->Script(lost);
  const TestReply reply =
      client_.Send("POST", Url(CollectionPath()),
                   "CredentialListSid=" + ClSid(1), absl::Milliseconds(200));
  EXPECT_EQ(reply.code, CURLE_OPERATION_TIMEDOUT);
  // Twilio acted on the request; only the answer was lost.
  EXPECT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 200);
}

TEST_F(EmulatorTest, LateAnswerToAClientThatLeftIsHarmless) {
  ScriptedAnswer slow;
  slow.delay = absl::Milliseconds(100);
  emulator_->Script(slow);
  EXPECT_EQ(
      client_.Send("GET", Url(CollectionPath()), "", absl::Milliseconds(10))
          .code,
      CURLE_OPERATION_TIMEDOUT);
  // Lets the timer fire into the closed connection; the test passes, only
  // less usefully, if a slow machine has not got there yet.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(Get(CollectionPath()).status, 200);
}

TEST_F(EmulatorTest, WaitingAnswersDoNotBlockOthersAndStopDropsThem) {
  ScriptedAnswer held;
  held.path_contains = ClSid(1);
  held.delay = absl::Hours(1);
  emulator_->Script(held);
  ScriptedAnswer lost;
  lost.path_contains = ClSid(2);
  lost.never_answer = true;
  emulator_->Script(lost);

  std::vector<TestReply> waiting(2);
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    // The URL is made here: the threads must not touch `emulator_`, which
    // this thread resets while they wait.
    clients.emplace_back([url = Url(InstancePath(ClSid(i + 1))), i, &waiting] {
      TestHttpClient client;
      client.SetCredentials(kAccount, kToken);
      waiting[i] = client.Send("GET", url);
    });
  }
  ASSERT_TRUE(WaitFor([this] { return emulator_->Requests().size() == 2; }));

  EXPECT_EQ(Get(CollectionPath()).status, 200);
  emulator_.reset();
  for (std::thread& client : clients) client.join();
  for (const TestReply& reply : waiting) {
    EXPECT_NE(reply.code, CURLE_OK);
    EXPECT_NE(reply.code, CURLE_OPERATION_TIMEDOUT);
  }
}

// Raw sockets, since a thousand connections must stay open at once.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&address),
                                     sizeof(address)) == 0;
    timeval timeout{30, 0};
    if (fd_ >= 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n =
          send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response with a Content-Length body; returns its status line
  // plus headers and body, or "" when the connection ended first.
  std::string ReadResponse() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return "";
    }
    size_t length = 0;
    const std::string head =
        absl::AsciiStrToLower(buffer_.substr(0, header_end));
    const size_t at = head.find("content-length:");
    if (at != std::string::npos) {
      const size_t end = head.find("\r\n", at);
      (void)absl::SimpleAtoi(
          absl::StripAsciiWhitespace(head.substr(at + 15, end - at - 15)),
          &length);
    }
    while (buffer_.size() < header_end + 4 + length) {
      if (!Fill()) return "";
    }
    std::string response = buffer_.substr(0, header_end + 4 + length);
    buffer_.erase(0, response.size());
    return response;
  }

  // True once the server has closed the connection.
  bool ReadsEof() {
    char byte;
    return recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

std::string RawGet(const std::string& target, bool authenticated = true) {
  const std::string authorization =
      authenticated
          ? absl::StrCat(
                "Authorization: Basic ",
                absl::Base64Escape(absl::StrCat(kAccount, ":", kToken)), "\r\n")
          : "";
  return absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: test\r\n",
                      authorization, "\r\n");
}

TEST_F(EmulatorTest, OneLoopServesAThousandKeepAliveConnections) {
  constexpr int kConnections = 1000;
  // Each connection costs a descriptor here and one in the emulator.
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  const rlim_t needed = 2 * kConnections + 100;
  if (limit.rlim_cur < needed && limit.rlim_max >= needed) {
    limit.rlim_cur = needed;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < needed) GTEST_SKIP() << "too few file descriptors";

  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < kConnections; ++i) {
    connections.push_back(std::make_unique<RawConnection>(emulator_->port()));
    ASSERT_TRUE(connections.back()->connected()) << i;
  }
  // Two rounds: the second proves every connection was kept alive.
  for (int round = 0; round < 2; ++round) {
    for (auto& connection : connections) {
      ASSERT_TRUE(connection->SendAll(RawGet(CollectionPath())));
    }
    for (auto& connection : connections) {
      const std::string response = connection->ReadResponse();
      ASSERT_TRUE(absl::StartsWith(response, "HTTP/1.1 200 ")) << response;
    }
  }
  EXPECT_EQ(emulator_->Requests().size(), 2u * kConnections);
}

TEST_F(EmulatorTest, MalformedRequestsDoNotHurtTheEmulator) {
  const std::vector<std::string> hostile = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/1.1\r\nNo-Colon-Header\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Big: " + std::string(100 * 1024, 'x') + "\r\n\r\n",
      "POST " + CollectionPath() +
          " HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
      "POST " + CollectionPath() +
          " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      RawGet("/2010-04-01/\xff\xfe/\x01%00.json"),
      RawGet(CollectionPath() + "?PageSize=%&Page=%%&PageToken=%ff%fe"),
      RawGet("*"),
  };
  for (const std::string& request : hostile) {
    RawConnection connection(emulator_->port());
    ASSERT_TRUE(connection.connected());
    connection.SendAll(request);
    const std::string response = connection.ReadResponse();
    // Whatever the answer, the emulator must still serve others.
    if (!response.empty()) {
      EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.")) << response;
      EXPECT_FALSE(absl::StartsWith(response, "HTTP/1.1 200")) << request;
    }
    EXPECT_EQ(Get(CollectionPath()).status, 200);
  }
  // The invalid UTF-8 in a path still yields a JSON body.
  RawConnection connection(emulator_->port());
  ASSERT_TRUE(connection.SendAll(RawGet("/\xff.json")));
  const std::string response = connection.ReadResponse();
  const nlohmann::json body = nlohmann::json::parse(
      response.substr(response.find("\r\n\r\n") + 4), nullptr, false);
  EXPECT_EQ(body.value("code", 0), 20404) << response;
}

TEST_F(EmulatorTest, UnauthenticatedRequestsSeeNoState) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));
  RawConnection connection(emulator_->port());
  ASSERT_TRUE(connection.SendAll(RawGet(InstancePath(ClSid(1)), false)));
  EXPECT_TRUE(absl::StartsWith(connection.ReadResponse(), "HTTP/1.1 401 "));
}

TEST_F(EmulatorTest, HeadIsAnsweredLikeGetWithoutABody) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));
  const TestReply reply = client_.Send("HEAD", Url(InstancePath(ClSid(1))));
  EXPECT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(EmulatorTest, CloseBeforeAnswerAfterApplyingTheRequest) {
  ScriptedAnswer lost;
  lost.method = "POST";
  lost.fault = DeliveryFault::kCloseBeforeAnswer;
  emulator_->Script(lost);
  const TestReply reply = Create(ClSid(1));
  EXPECT_EQ(reply.code, CURLE_GOT_NOTHING);
  // Committed: only the answer was lost.
  EXPECT_EQ(emulator_->Mappings(kAccount, kDomain).size(), 1u);
  // The next request gets a connection of its own and a normal answer.
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 200);
}

TEST_F(EmulatorTest, CannedStatusWithAFaultHasNoEffect) {
  ScriptedAnswer refused;
  refused.status = 503;
  refused.fault = DeliveryFault::kCloseBeforeAnswer;
  emulator_->Script(refused);
  EXPECT_NE(Create(ClSid(1)).code, CURLE_OK);
  EXPECT_TRUE(emulator_->Mappings(kAccount, kDomain).empty());
}

TEST_F(EmulatorTest, CloseInHeadersBreaksTheAnswer) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));
  ScriptedAnswer cut;
  cut.fault = DeliveryFault::kCloseInHeaders;
  emulator_->Script(cut);
  // libcurl takes a close in the headers as their end (the gateway's
  // transport does not): what matters here is that no body came.
  const TestReply reply = Get(InstancePath(ClSid(1)));
  EXPECT_TRUE(reply.body.empty()) << reply.body;
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 200);
}

TEST_F(EmulatorTest, TruncatedBodyEndsEarly) {
  emulator_->PutMapping(kAccount, kDomain, ClSid(1));
  ScriptedAnswer cut;
  cut.fault = DeliveryFault::kTruncateBody;
  emulator_->Script(cut);
  const TestReply reply = Get(InstancePath(ClSid(1)));
  EXPECT_EQ(reply.code, CURLE_PARTIAL_FILE);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(Get(InstancePath(ClSid(1))).status, 200);
}

TEST_F(EmulatorTest, FaultAfterADelay) {
  ScriptedAnswer late;
  late.delay = absl::Milliseconds(50);
  late.fault = DeliveryFault::kCloseBeforeAnswer;
  emulator_->Script(late);
  EXPECT_EQ(Get(CollectionPath()).code, CURLE_GOT_NOTHING);
}

TEST_F(EmulatorTest, RetryAfterHeaderIsSent) {
  ScriptedAnswer busy;
  busy.status = 429;
  busy.headers.emplace_back("Retry-After", "2");
  emulator_->Script(busy);
  const TestReply reply = Get(CollectionPath());
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.Header("Retry-After"), "2");
}

TEST(EmulatorIdleTest, IdleKeepAliveConnectionsAreClosed) {
  EmulatorOptions options;
  options.credentials = {{kAccount, kToken}};
  options.idle_timeout = absl::Milliseconds(100);
  auto emulator = TwilioEmulator::Start(std::move(options));
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  RawConnection connection((*emulator)->port());
  ASSERT_TRUE(connection.SendAll(RawGet(CollectionPath())));
  EXPECT_TRUE(absl::StartsWith(connection.ReadResponse(), "HTTP/1.1 200 "));
  // The server closes the idle connection: reading sees its end.
  EXPECT_TRUE(connection.ReadsEof());
}

TEST(EmulatorRecordingTest, RequestsAreNotKeptWhenRecordingIsOff) {
  EmulatorOptions options;
  options.credentials = {{kAccount, kToken}};
  options.record_requests = false;
  auto emulator = TwilioEmulator::Start(std::move(options));
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  RawConnection connection((*emulator)->port());
  ASSERT_TRUE(connection.SendAll(RawGet(CollectionPath())));
  // Still answered as usual; only the record is skipped.
  EXPECT_TRUE(absl::StartsWith(connection.ReadResponse(), "HTTP/1.1 200 "));
  EXPECT_TRUE((*emulator)->Requests().empty());
}

TEST(EmulatorRandomFaultTest, AboutTheShareOfRequestsFails) {
  EmulatorOptions options;
  options.credentials = {{kAccount, kToken}};
  options.random_fault_share = 0.5;
  options.random_fault_seed = 7;
  int faults = 0;
  options.on_answer = [&faults](const AnswerEvent& event) {
    faults += event.scripted;
  };
  auto emulator = TwilioEmulator::Start(std::move(options));
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  TestHttpClient client;
  client.SetCredentials(kAccount, kToken);
  for (int i = 0; i < 40; ++i) {
    client.Send("GET", (*emulator)->base_url() + CollectionPath(), "",
                absl::Seconds(5));
  }
  emulator->reset();  // joins the loop thread, so `faults` is final
  EXPECT_GT(faults, 8);
  EXPECT_LT(faults, 32);
}

}  // namespace
}  // namespace testing
}  // namespace twilio_gateway
