#include "client/mapping_pager.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Request = MappingPager::Request;
using Response = MappingPager::Response;
using StopReason = MappingPager::StopReason;

// Pages keyed by the token that asks for them ("" is the first page).
class FakePages {
 public:
  FakePages& Add(const std::string& token, std::vector<std::string> sids,
                 std::string next) {
    Response page;
    for (auto& sid : sids) page.add_credential_list_mappings()->set_sid(sid);
    page.set_next_page_token(std::move(next));
    pages_[token] = std::move(page);
    return *this;
  }
  FakePages& Fail(const std::string& token, absl::Status status) {
    failures_[token] = std::move(status);
    return *this;
  }

  MappingPager::FetchPage Fetcher() {
    return [this](const Request& request) -> absl::StatusOr<Response> {
      requests_.push_back(request);
      auto failure = failures_.find(request.page_token());
      if (failure != failures_.end()) return failure->second;
      auto page = pages_.find(request.page_token());
      if (page == pages_.end()) return absl::NotFoundError("no such page");
      return page->second;
    };
  }

  const std::vector<Request>& requests() const { return requests_; }

 private:
  std::map<std::string, Response> pages_;
  std::map<std::string, absl::Status> failures_;
  std::vector<Request> requests_;
};

Request First(int page_size = 0, std::string token = "") {
  Request request;
  request.set_domain_sid("SD00000000000000000000000000000001");
  request.set_page_size(page_size);
  request.set_page_token(std::move(token));
  return request;
}

// Every sid until the walk ends; fails the test on an error.
std::vector<std::string> Drain(MappingPager& pager) {
  std::vector<std::string> sids;
  while (true) {
    auto next = pager.Next();
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || !next->has_value()) return sids;
    sids.push_back((*next)->sid());
  }
}

TEST(MappingPagerTest, FollowsTokensToTheLastPage) {
  FakePages pages;
  pages.Add("", {"a", "b"}, "t1").Add("t1", {"c"}, "t2").Add("t2", {"d"}, "");
  MappingPager pager(pages.Fetcher(), First(2));
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kLastPage);
  EXPECT_EQ(pager.pages_fetched(), 3);
  ASSERT_EQ(pages.requests().size(), 3u);
  EXPECT_EQ(pages.requests()[1].page_token(), "t1");
  EXPECT_EQ(pages.requests()[2].page_token(), "t2");
  EXPECT_EQ(pages.requests()[2].page_size(), 2);
  EXPECT_EQ(pages.requests()[2].domain_sid(), First().domain_sid());

  // Once over, it stays over without fetching again.
  auto after = pager.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  EXPECT_EQ(pages.requests().size(), 3u);
}

TEST(MappingPagerTest, EmptyFirstPageEndsAtOnce) {
  FakePages pages;
  pages.Add("", {}, "");
  MappingPager pager(pages.Fetcher(), First());
  EXPECT_THAT(Drain(pager), IsEmpty());
  EXPECT_EQ(pager.stop_reason(), StopReason::kLastPage);
}

TEST(MappingPagerTest, StopsOnAnEmptyPageThatPointsFurther) {
  FakePages pages;
  pages.Add("", {"a"}, "t1").Add("t1", {}, "t2").Add("t2", {"never"}, "");
  MappingPager pager(pages.Fetcher(), First());
  EXPECT_THAT(Drain(pager), ElementsAre("a"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kEmptyPage);
  EXPECT_EQ(pager.unfollowed_token(), "t2");
  EXPECT_EQ(pages.requests().size(), 2u);
}

TEST(MappingPagerTest, StopsOnATokenAlreadyFollowed) {
  FakePages pages;
  pages.Add("", {"a"}, "t1").Add("t1", {"b"}, "t2").Add("t2", {"c"}, "t1");
  MappingPager pager(pages.Fetcher(), First());
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b", "c"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kRepeatedToken);
  EXPECT_EQ(pager.unfollowed_token(), "t1");
  EXPECT_EQ(pages.requests().size(), 3u);
}

TEST(MappingPagerTest, PageThatPointsAtItselfIsReadOnce) {
  FakePages pages;
  pages.Add("", {"a"}, "t1").Add("t1", {"b"}, "t1");
  MappingPager pager(pages.Fetcher(), First());
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kRepeatedToken);
}

TEST(MappingPagerTest, ResumedWalkDoesNotLoopBackToItsStart) {
  FakePages pages;
  pages.Add("t1", {"b"}, "t2").Add("t2", {"c"}, "t1");
  MappingPager pager(pages.Fetcher(), First(0, "t1"));
  EXPECT_THAT(Drain(pager), ElementsAre("b", "c"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kRepeatedToken);
  EXPECT_EQ(pages.requests()[0].page_token(), "t1");
}

TEST(MappingPagerTest, LimitMidPageLeavesNoToken) {
  FakePages pages;
  pages.Add("", {"a", "b"}, "t1").Add("t1", {"c", "d"}, "t2");
  MappingPager pager(pages.Fetcher(), First(2), 3);
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b", "c"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kLimit);
  EXPECT_EQ(pager.unfollowed_token(), "");
  EXPECT_EQ(pages.requests().size(), 2u);
}

TEST(MappingPagerTest, LimitAtPageEndLeavesTheNextToken) {
  FakePages pages;
  pages.Add("", {"a", "b"}, "t1").Add("t1", {"c", "d"}, "t2");
  MappingPager pager(pages.Fetcher(), First(2), 2);
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kLimit);
  EXPECT_EQ(pager.unfollowed_token(), "t1");
  EXPECT_EQ(pages.requests().size(), 1u);
}

TEST(MappingPagerTest, LimitOnTheLastPageLeavesNoToken) {
  FakePages pages;
  pages.Add("", {"a", "b"}, "");
  MappingPager pager(pages.Fetcher(), First(2), 2);
  EXPECT_THAT(Drain(pager), ElementsAre("a", "b"));
  EXPECT_EQ(pager.unfollowed_token(), "");
}

TEST(MappingPagerTest, LimitSizesPagesWhenNoSizeIsAsked) {
  FakePages pages;
  pages.Add("", {"a"}, "");
  MappingPager small(pages.Fetcher(), First(), 5);
  Drain(small);
  MappingPager large(pages.Fetcher(), First(), 5000);
  Drain(large);
  MappingPager sized(pages.Fetcher(), First(7), 5);
  Drain(sized);
  MappingPager unlimited(pages.Fetcher(), First());
  Drain(unlimited);
  ASSERT_EQ(pages.requests().size(), 4u);
  EXPECT_EQ(pages.requests()[0].page_size(), 5);
  EXPECT_EQ(pages.requests()[1].page_size(), 1000);
  EXPECT_EQ(pages.requests()[2].page_size(), 7);
  EXPECT_EQ(pages.requests()[3].page_size(), 0);
}

TEST(MappingPagerTest, FetchErrorIsReturnedAndEndsTheWalk) {
  FakePages pages;
  pages.Add("", {"a"}, "t1").Fail("t1", absl::UnavailableError("down"));
  MappingPager pager(pages.Fetcher(), First());
  auto first = pager.Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto second = pager.Next();
  EXPECT_EQ(second.status(), absl::UnavailableError("down"));
  EXPECT_EQ(pager.stop_reason(), StopReason::kError);
  auto third = pager.Next();
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());
  EXPECT_EQ(pages.requests().size(), 2u);
}

}  // namespace
}  // namespace twilio_gateway::client
