#ifndef BENCH_FLOOR_SERVICE_H_
#define BENCH_FLOOR_SERVICE_H_

#include <string>

#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::bench {

// The cheapest possible CredentialListMappingService: every call is
// answered at once, on the gRPC thread that received it, from mappings
// built in memory at start. It validates nothing, calls nothing and logs
// nothing, so its CPU per call is the floor that gRPC itself sets for the
// gateway's.
class FloorService final
    : public sip::v1::CredentialListMappingService::CallbackService {
 public:
  // `account_sid` goes into the answers; List pages hold up to 1000 items.
  explicit FloorService(std::string account_sid);

  grpc::ServerUnaryReactor* CreateCredentialListMapping(
      grpc::CallbackServerContext* context,
      const sip::v1::CreateCredentialListMappingRequest* request,
      sip::v1::CredentialListMapping* response) override;
  grpc::ServerUnaryReactor* GetCredentialListMapping(
      grpc::CallbackServerContext* context,
      const sip::v1::GetCredentialListMappingRequest* request,
      sip::v1::CredentialListMapping* response) override;
  grpc::ServerUnaryReactor* ListCredentialListMappings(
      grpc::CallbackServerContext* context,
      const sip::v1::ListCredentialListMappingsRequest* request,
      sip::v1::ListCredentialListMappingsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteCredentialListMapping(
      grpc::CallbackServerContext* context,
      const sip::v1::DeleteCredentialListMappingRequest* request,
      google::protobuf::Empty* response) override;

 private:
  sip::v1::CredentialListMapping mapping_;
  sip::v1::ListCredentialListMappingsResponse full_page_;
};

}  // namespace twilio_gateway::bench

#endif  // BENCH_FLOOR_SERVICE_H_
