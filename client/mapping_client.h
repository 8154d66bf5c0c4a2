#ifndef CLIENT_MAPPING_CLIENT_H_
#define CLIENT_MAPPING_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/mapping_pager.h"
#include "grpcpp/channel.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::client {

struct MappingClientOptions {
  // The deadline of every call that sets none of its own, counted from the
  // call's start; for a pager, of each page.
  absl::Duration timeout = absl::Seconds(30);
  // Sent on every call as "authorization: Bearer <token>" metadata, for a
  // gateway that identifies callers by token; empty: none. A secret: the
  // client never prints it. Use it over TLS, since over plaintext anyone on
  // the path can read it.
  std::string bearer_token;
};

struct CallOptions {
  // This call's deadline from its start; zero or less: the client's
  // timeout.
  absl::Duration timeout = absl::ZeroDuration();
};

// A blocking C++ client of the gateway's CredentialListMappingService.
//
// Each method makes one RPC and returns the gateway's answer, or its error
// as an absl::Status with the same canonical code and message. The error
// carries the gateway's details (Twilio's error code and link, Twilio's
// request id, the reason, the field at fault); read them with
// GetErrorDetails from client/error_details.h:
//
//   absl::Status deleted = client.Delete(request);
//   if (auto details = GetErrorDetails(deleted)) {
//     std::cerr << details->twilio_code << " " << details->more_info;
//   }
//
// Codes: those of the gateway (see its README), DEADLINE_EXCEEDED when the
// deadline passes, UNAVAILABLE when the gateway cannot be reached.
//
// Thread-safe; calls may run on several threads at once.
class MappingClient {
 public:
  using Mapping = twilio_gateway::sip::v1::CredentialListMapping;

  explicit MappingClient(std::shared_ptr<grpc::ChannelInterface> channel,
                         MappingClientOptions options = {});

  // Maps a CredentialList to a SIP Domain's registrations. With
  // `validate_only` set, changes nothing and returns only the new mapping's
  // SIDs, or the error the real call would get.
  absl::StatusOr<Mapping> Create(
      const twilio_gateway::sip::v1::CreateCredentialListMappingRequest&
          request,
      const CallOptions& call = {}) const;

  absl::StatusOr<Mapping> Get(
      const twilio_gateway::sip::v1::GetCredentialListMappingRequest& request,
      const CallOptions& call = {}) const;

  // One page, as the gateway returns it.
  absl::StatusOr<twilio_gateway::sip::v1::ListCredentialListMappingsResponse>
  ListPage(
      const twilio_gateway::sip::v1::ListCredentialListMappingsRequest& request,
      const CallOptions& call = {}) const;

  // The mappings from `request`'s page on, page after page; at most `limit`
  // of them unless `limit` is 0. See MappingPager for when the walk stops.
  // The pager shares the client's connection and may outlive the client.
  MappingPager List(
      twilio_gateway::sip::v1::ListCredentialListMappingsRequest request,
      int64_t limit = 0) const;

  // Drains List(request, limit). Fails with the first error, dropping what
  // was read before it.
  absl::StatusOr<std::vector<Mapping>> ListAll(
      twilio_gateway::sip::v1::ListCredentialListMappingsRequest request,
      int64_t limit = 0) const;

  // Removes a mapping. With `validate_only` set, removes nothing and
  // returns the error the real call would get, if any.
  absl::Status Delete(
      const twilio_gateway::sip::v1::DeleteCredentialListMappingRequest&
          request,
      const CallOptions& call = {}) const;

 private:
  using Stub =
      twilio_gateway::sip::v1::CredentialListMappingService::StubInterface;

  absl::Duration TimeoutOf(const CallOptions& call) const;

  // Shared with the pagers this client hands out.
  std::shared_ptr<Stub> stub_;
  MappingClientOptions options_;
  // "Bearer <token>", or empty.
  std::string authorization_;
};

}  // namespace twilio_gateway::client

#endif  // CLIENT_MAPPING_CLIENT_H_
