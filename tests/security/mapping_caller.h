#ifndef TESTS_SECURITY_MAPPING_CALLER_H_
#define TESTS_SECURITY_MAPPING_CALLER_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::security_testing {

// Calls the gateway's four RPCs as one caller (a bearer token, or none) and
// keeps everything that came back, so a test can look through it.
class MappingCaller {
 public:
  // `token` empty: no authorization metadata.
  MappingCaller(std::shared_ptr<grpc::Channel> channel, std::string token);

  grpc::Status Create(const std::string& account, const std::string& domain,
                      const std::string& list, bool validate_only = false);
  grpc::Status Get(const std::string& account, const std::string& domain,
                   const std::string& sid);
  grpc::Status List(const std::string& account, const std::string& domain,
                    int page_size, const std::string& page_token,
                    std::string* next_page_token = nullptr);
  grpc::Status Delete(const std::string& account, const std::string& domain,
                      const std::string& sid, bool validate_only = false);

  // Every status message, error detail, response and metadata value seen.
  const std::vector<std::string>& seen() const { return seen_; }
  // The PEM certificate of the server, from the last call over TLS.
  const std::string& server_certificate() const { return server_cert_; }

 private:
  void Prepare(grpc::ClientContext& context) const;
  grpc::Status Keep(grpc::ClientContext& context, grpc::Status status,
                    const google::protobuf::Message& response);

  std::unique_ptr<twilio_gateway::sip::v1::CredentialListMappingService::Stub>
      stub_;
  std::string token_;
  std::vector<std::string> seen_;
  std::string server_cert_;
};

// A channel to 127.0.0.1:`port` that opens its own connection (no sharing
// of connections between channels), so each channel does its own handshake.
std::shared_ptr<grpc::Channel> MakeChannel(
    int port, std::shared_ptr<grpc::ChannelCredentials> credentials);

// TLS channel credentials trusting `ca_pem`, with a client certificate when
// `cert_pem` is not empty.
std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(
    const std::string& ca_pem, const std::string& cert_pem = "",
    const std::string& key_pem = "");

}  // namespace twilio_gateway::security_testing

#endif  // TESTS_SECURITY_MAPPING_CALLER_H_
