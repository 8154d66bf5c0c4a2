#ifndef SERVICE_API_MAPPING_SERVICE_H_
#define SERVICE_API_MAPPING_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "service/credentials/credential_store.h"
#include "service/twilio/twilio_client.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::api {

struct MappingServiceOptions {
  // The deadline given to a call that brings none, and the most any call
  // may wait for Twilio.
  absl::Duration max_call_timeout = absl::Seconds(30);
};

// The gRPC service. Each handler validates its request, resolves the
// account's credentials, hands the call to the Twilio client and returns at
// once; the reactor finishes on the transport's thread when Twilio's answer
// is in. No gRPC thread waits for Twilio.
//
// Every finished call writes one JSON log line: rpc, code, account_sid,
// domain_sid, attempts, http_status, twilio_request_id, latency_ms.
class MappingService final : public twilio_gateway::sip::v1::
                                 CredentialListMappingService::CallbackService {
 public:
  MappingService(std::shared_ptr<credentials::CredentialStore> credentials,
                 std::shared_ptr<twilio::TwilioClient> twilio,
                 MappingServiceOptions options);

  grpc::ServerUnaryReactor* CreateCredentialListMapping(
      grpc::CallbackServerContext* context,
      const twilio_gateway::sip::v1::CreateCredentialListMappingRequest*
          request,
      twilio_gateway::sip::v1::CredentialListMapping* response) override;

  grpc::ServerUnaryReactor* GetCredentialListMapping(
      grpc::CallbackServerContext* context,
      const twilio_gateway::sip::v1::GetCredentialListMappingRequest* request,
      twilio_gateway::sip::v1::CredentialListMapping* response) override;

  grpc::ServerUnaryReactor* ListCredentialListMappings(
      grpc::CallbackServerContext* context,
      const twilio_gateway::sip::v1::ListCredentialListMappingsRequest* request,
      twilio_gateway::sip::v1::ListCredentialListMappingsResponse* response)
      override;

  grpc::ServerUnaryReactor* DeleteCredentialListMapping(
      grpc::CallbackServerContext* context,
      const twilio_gateway::sip::v1::DeleteCredentialListMappingRequest*
          request,
      google::protobuf::Empty* response) override;

 private:
  class Call;

  std::shared_ptr<credentials::CredentialStore> credentials_;
  std::shared_ptr<twilio::TwilioClient> twilio_;
  MappingServiceOptions options_;
};

}  // namespace twilio_gateway::api

#endif  // SERVICE_API_MAPPING_SERVICE_H_
