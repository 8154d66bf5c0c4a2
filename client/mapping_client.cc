#include "client/mapping_client.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/error_details.h"
#include "grpcpp/client_context.h"

namespace twilio_gateway::client {
namespace {

namespace v1 = ::twilio_gateway::sip::v1;
using Stub = v1::CredentialListMappingService::StubInterface;

// One unary call with a deadline `timeout` from now, and `authorization`
// metadata unless it is empty.
template <typename Request, typename Response>
absl::StatusOr<Response> Invoke(
    Stub& stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, absl::Duration timeout,
    const std::string& authorization) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!authorization.empty()) {
    context.AddMetadata("authorization", authorization);
  }
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace

MappingClient::MappingClient(std::shared_ptr<grpc::ChannelInterface> channel,
                             MappingClientOptions options)
    : stub_(v1::CredentialListMappingService::NewStub(std::move(channel))),
      options_(std::move(options)),
      authorization_(options_.bearer_token.empty()
                         ? ""
                         : absl::StrCat("Bearer ", options_.bearer_token)) {}

absl::Duration MappingClient::TimeoutOf(const CallOptions& call) const {
  return call.timeout > absl::ZeroDuration() ? call.timeout : options_.timeout;
}

absl::StatusOr<MappingClient::Mapping> MappingClient::Create(
    const v1::CreateCredentialListMappingRequest& request,
    const CallOptions& call) const {
  return Invoke(*stub_, &Stub::CreateCredentialListMapping, request,
                TimeoutOf(call), authorization_);
}

absl::StatusOr<MappingClient::Mapping> MappingClient::Get(
    const v1::GetCredentialListMappingRequest& request,
    const CallOptions& call) const {
  return Invoke(*stub_, &Stub::GetCredentialListMapping, request,
                TimeoutOf(call), authorization_);
}

absl::StatusOr<v1::ListCredentialListMappingsResponse> MappingClient::ListPage(
    const v1::ListCredentialListMappingsRequest& request,
    const CallOptions& call) const {
  return Invoke(*stub_, &Stub::ListCredentialListMappings, request,
                TimeoutOf(call), authorization_);
}

MappingPager MappingClient::List(v1::ListCredentialListMappingsRequest request,
                                 int64_t limit) const {
  return MappingPager(
      [stub = stub_, timeout = options_.timeout,
       authorization = authorization_](
          const v1::ListCredentialListMappingsRequest& page_request) {
        return Invoke(*stub, &Stub::ListCredentialListMappings, page_request,
                      timeout, authorization);
      },
      std::move(request), limit);
}

absl::StatusOr<std::vector<MappingClient::Mapping>> MappingClient::ListAll(
    v1::ListCredentialListMappingsRequest request, int64_t limit) const {
  MappingPager pager = List(std::move(request), limit);
  std::vector<Mapping> mappings;
  while (true) {
    absl::StatusOr<std::optional<Mapping>> next = pager.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) break;
    mappings.push_back(**std::move(next));
  }
  return mappings;
}

absl::Status MappingClient::Delete(
    const v1::DeleteCredentialListMappingRequest& request,
    const CallOptions& call) const {
  return Invoke(*stub_, &Stub::DeleteCredentialListMapping, request,
                TimeoutOf(call), authorization_)
      .status();
}

}  // namespace twilio_gateway::client
