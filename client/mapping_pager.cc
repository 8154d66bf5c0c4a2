#include "client/mapping_pager.h"

#include <algorithm>
#include <utility>

namespace twilio_gateway::client {
namespace {

// The largest page the gateway serves.
constexpr int64_t kMaxPageSize = 1000;

}  // namespace

MappingPager::MappingPager(FetchPage fetch, Request first, int64_t limit)
    : fetch_(std::move(fetch)),
      request_(std::move(first)),
      limit_(std::max<int64_t>(limit, 0)) {
  if (limit_ > 0 && request_.page_size() == 0) {
    request_.set_page_size(static_cast<int>(std::min(limit_, kMaxPageSize)));
  }
  // A resumed listing must not loop back to where it started.
  if (!request_.page_token().empty()) {
    followed_tokens_.insert(request_.page_token());
  }
}

absl::StatusOr<std::optional<sip::v1::CredentialListMapping>>
MappingPager::Next() {
  if (stop_reason_ != StopReason::kNotStopped) return std::nullopt;
  const bool page_used_up =
      next_index_ >= page_.credential_list_mappings_size();
  if (limit_ > 0 && returned_ >= limit_) {
    stop_reason_ = StopReason::kLimit;
    // Resuming is only exact from a page boundary.
    if (page_used_up && fetch_more_) {
      unfollowed_token_ = request_.page_token();
    }
    return std::nullopt;
  }
  if (page_used_up) {
    absl::StatusOr<bool> fetched = FetchNextPage();
    if (!fetched.ok()) return fetched.status();
    if (!*fetched) return std::nullopt;
  }
  ++returned_;
  return std::move(*page_.mutable_credential_list_mappings(next_index_++));
}

absl::StatusOr<bool> MappingPager::FetchNextPage() {
  if (!fetch_more_) {
    stop_reason_ = stop_after_page_;
    if (stop_reason_ == StopReason::kRepeatedToken) {
      unfollowed_token_ = page_.next_page_token();
    }
    return false;
  }
  absl::StatusOr<Response> page = fetch_(request_);
  if (!page.ok()) {
    stop_reason_ = StopReason::kError;
    return page.status();
  }
  ++pages_fetched_;
  page_ = *std::move(page);
  next_index_ = 0;

  const std::string& token = page_.next_page_token();
  if (page_.credential_list_mappings_size() == 0) {
    stop_reason_ =
        token.empty() ? StopReason::kLastPage : StopReason::kEmptyPage;
    unfollowed_token_ = token;
    return false;
  }
  if (token.empty()) {
    fetch_more_ = false;
    stop_after_page_ = StopReason::kLastPage;
  } else if (!followed_tokens_.insert(token).second) {
    // This page's mappings are still returned; the walk ends after them.
    fetch_more_ = false;
    stop_after_page_ = StopReason::kRepeatedToken;
  } else {
    request_.set_page_token(token);
  }
  return true;
}

}  // namespace twilio_gateway::client
