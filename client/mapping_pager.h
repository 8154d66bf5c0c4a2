#ifndef CLIENT_MAPPING_PAGER_H_
#define CLIENT_MAPPING_PAGER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.pb.h"

namespace twilio_gateway::client {

// Walks a domain's mappings one at a time, fetching page after page by
// passing each `next_page_token` back.
//
// The walk ends after the last page (no `next_page_token`), after `limit`
// mappings, after a page that holds no mappings, or when a page hands back a
// token the walk has already followed. The last two guard against a server
// that would otherwise keep a caller looping; stop_reason() tells them apart.
//
// Example:
//   MappingPager pager = client.List(request);
//   while (true) {
//     absl::StatusOr<std::optional<v1::CredentialListMapping>> next =
//         pager.Next();
//     if (!next.ok()) return next.status();
//     if (!next->has_value()) break;
//     Use(**next);
//   }
//
// Not thread-safe: one pager, one thread at a time.
class MappingPager {
 public:
  using Request = twilio_gateway::sip::v1::ListCredentialListMappingsRequest;
  using Response = twilio_gateway::sip::v1::ListCredentialListMappingsResponse;
  using FetchPage =
      absl::AnyInvocable<absl::StatusOr<Response>(const Request&)>;

  enum class StopReason {
    kNotStopped,
    kLastPage,       // the server said there is no page after
    kLimit,          // `limit` mappings were returned
    kEmptyPage,      // a page held no mappings
    kRepeatedToken,  // a page pointed back at a page already read
    kError,          // a fetch failed
  };

  // `first` is the request for the first page; its `page_token` may be set
  // to resume a listing. `limit` 0 means no limit. When `limit` is set and
  // `first` asks for no page size, pages are sized to the limit (at most
  // 1000), so no more is fetched than is needed.
  MappingPager(FetchPage fetch, Request first, int64_t limit = 0);

  // The next mapping, fetching a page when the current one is used up;
  // nullopt once the walk has ended. A failed fetch returns its error and
  // ends the walk; later calls return nullopt.
  absl::StatusOr<std::optional<twilio_gateway::sip::v1::CredentialListMapping>>
  Next();

  StopReason stop_reason() const { return stop_reason_; }
  int pages_fetched() const { return pages_fetched_; }
  // The token that would have been followed next when the walk stopped for
  // kLimit, kEmptyPage or kRepeatedToken; "" otherwise.
  const std::string& unfollowed_token() const { return unfollowed_token_; }

 private:
  // Fetches the page after the current one into page_; false when the walk
  // is over.
  absl::StatusOr<bool> FetchNextPage();

  FetchPage fetch_;
  Request request_;
  const int64_t limit_;
  Response page_;
  int next_index_ = 0;
  int64_t returned_ = 0;
  int pages_fetched_ = 0;
  // Whether another page is to be fetched once page_ is used up, and if
  // not, why.
  bool fetch_more_ = true;
  StopReason stop_after_page_ = StopReason::kNotStopped;
  StopReason stop_reason_ = StopReason::kNotStopped;
  std::string unfollowed_token_;
  absl::flat_hash_set<std::string> followed_tokens_;
};

}  // namespace twilio_gateway::client

#endif  // CLIENT_MAPPING_PAGER_H_
