#include "bench/floor_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace twilio_gateway::bench {

namespace v1 = ::twilio_gateway::sip::v1;

namespace {

// Twilio's page size when the caller names none, and its largest.
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

// 2015-07-30T20:00:00Z, the date in Twilio's documented examples.
constexpr int64_t kExampleSeconds = 1438286400;

grpc::ServerUnaryReactor* FinishOk(grpc::CallbackServerContext* context) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace

FloorService::FloorService(std::string account_sid) {
  mapping_.set_account_sid(account_sid);
  mapping_.set_domain_sid("SD0123456789abcdef0123456789abcdef");
  mapping_.set_sid("CL0123456789abcdef0123456789abcdef");
  mapping_.set_friendly_name("floor");
  mapping_.mutable_create_time()->set_seconds(kExampleSeconds);
  mapping_.mutable_update_time()->set_seconds(kExampleSeconds);
  for (int i = 0; i < kMaxPageSize; ++i) {
    v1::CredentialListMapping* item = full_page_.add_credential_list_mappings();
    *item = mapping_;
    item->set_sid(absl::StrFormat("CL%032x", i));
  }
}

grpc::ServerUnaryReactor* FloorService::CreateCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::CreateCredentialListMappingRequest* request,
    v1::CredentialListMapping* response) {
  *response = mapping_;
  response->set_sid(request->credential_list_sid());
  response->set_domain_sid(request->domain_sid());
  return FinishOk(context);
}

grpc::ServerUnaryReactor* FloorService::GetCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::GetCredentialListMappingRequest* request,
    v1::CredentialListMapping* response) {
  *response = mapping_;
  response->set_sid(request->sid());
  response->set_domain_sid(request->domain_sid());
  return FinishOk(context);
}

grpc::ServerUnaryReactor* FloorService::ListCredentialListMappings(
    grpc::CallbackServerContext* context,
    const v1::ListCredentialListMappingsRequest* request,
    v1::ListCredentialListMappingsResponse* response) {
  const int size = request->page_size() <= 0
                       ? kDefaultPageSize
                       : std::min(request->page_size(), kMaxPageSize);
  response->mutable_credential_list_mappings()->Reserve(size);
  for (int i = 0; i < size; ++i) {
    *response->add_credential_list_mappings() =
        full_page_.credential_list_mappings(i);
  }
  return FinishOk(context);
}

grpc::ServerUnaryReactor* FloorService::DeleteCredentialListMapping(
    grpc::CallbackServerContext* context,
    const v1::DeleteCredentialListMappingRequest* request,
    google::protobuf::Empty* response) {
  return FinishOk(context);
}

}  // namespace twilio_gateway::bench
