#ifndef SERVICE_API_MAPPING_SERVICE_H_
#define SERVICE_API_MAPPING_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "service/auth/access_control.h"
#include "service/common/gateway_metrics.h"
#include "service/credentials/credential_store.h"
#include "service/twilio/twilio_client.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::api {

struct MappingServiceOptions {
  // The deadline given to a call that brings none, and the most any call
  // may wait for Twilio.
  absl::Duration max_call_timeout = absl::Seconds(30);
  // Where calls are counted (started, handled by code, latency, in flight
  // per account); null: not counted.
  std::shared_ptr<metrics::GatewayMetrics> metrics;
  // Who may call: checked first in every handler, before the request is
  // validated or the account looked up. Null: every call is admitted (the
  // gateway server always sets one).
  std::shared_ptr<auth::AccessControl> access;
};

// The gRPC service. Each handler checks the caller's access first, then
// validates its request, resolves the account's credentials, hands the call
// to the Twilio client and returns at once; the reactor finishes on the
// transport's thread when Twilio's answer is in. No gRPC thread waits for
// Twilio.
//
// Every finished call writes one JSON log line: rpc, code, caller,
// account_sid, domain_sid, attempts, http_status, twilio_request_id,
// latency_ms. Creates, deletes and refused calls also write an audit line
// (see auth::WriteAuditRecord).
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
