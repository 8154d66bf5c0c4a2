#include "tests/security/mapping_caller.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/support/channel_arguments.h"

namespace twilio_gateway::security_testing {

namespace v1 = ::twilio_gateway::sip::v1;

MappingCaller::MappingCaller(std::shared_ptr<grpc::Channel> channel,
                             std::string token)
    : stub_(v1::CredentialListMappingService::NewStub(std::move(channel))),
      token_(std::move(token)) {}

void MappingCaller::Prepare(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
  if (!token_.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  }
}

grpc::Status MappingCaller::Keep(grpc::ClientContext& context,
                                 grpc::Status status,
                                 const google::protobuf::Message& response) {
  seen_.push_back(status.error_message());
  seen_.push_back(status.error_details());
  seen_.push_back(response.SerializeAsString());
  seen_.push_back(response.DebugString());
  for (const auto& [key, value] : context.GetServerInitialMetadata()) {
    seen_.push_back(absl::StrCat(std::string(key.data(), key.size()), ": ",
                                 std::string(value.data(), value.size())));
  }
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    seen_.push_back(absl::StrCat(std::string(key.data(), key.size()), ": ",
                                 std::string(value.data(), value.size())));
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr) {
    for (const grpc::string_ref& pem :
         auth->FindPropertyValues("x509_pem_cert")) {
      server_cert_.assign(pem.data(), pem.size());
    }
  }
  return status;
}

grpc::Status MappingCaller::Create(const std::string& account,
                                   const std::string& domain,
                                   const std::string& list,
                                   bool validate_only) {
  grpc::ClientContext context;
  Prepare(context);
  v1::CreateCredentialListMappingRequest request;
  request.set_account_sid(account);
  request.set_domain_sid(domain);
  request.set_credential_list_sid(list);
  request.set_validate_only(validate_only);
  v1::CredentialListMapping response;
  grpc::Status status =
      stub_->CreateCredentialListMapping(&context, request, &response);
  return Keep(context, status, response);
}

grpc::Status MappingCaller::Get(const std::string& account,
                                const std::string& domain,
                                const std::string& sid) {
  grpc::ClientContext context;
  Prepare(context);
  v1::GetCredentialListMappingRequest request;
  request.set_account_sid(account);
  request.set_domain_sid(domain);
  request.set_sid(sid);
  v1::CredentialListMapping response;
  grpc::Status status =
      stub_->GetCredentialListMapping(&context, request, &response);
  return Keep(context, status, response);
}

grpc::Status MappingCaller::List(const std::string& account,
                                 const std::string& domain, int page_size,
                                 const std::string& page_token,
                                 std::string* next_page_token) {
  grpc::ClientContext context;
  Prepare(context);
  v1::ListCredentialListMappingsRequest request;
  request.set_account_sid(account);
  request.set_domain_sid(domain);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  v1::ListCredentialListMappingsResponse response;
  grpc::Status status =
      stub_->ListCredentialListMappings(&context, request, &response);
  if (next_page_token != nullptr) *next_page_token = response.next_page_token();
  return Keep(context, status, response);
}

grpc::Status MappingCaller::Delete(const std::string& account,
                                   const std::string& domain,
                                   const std::string& sid, bool validate_only) {
  grpc::ClientContext context;
  Prepare(context);
  v1::DeleteCredentialListMappingRequest request;
  request.set_account_sid(account);
  request.set_domain_sid(domain);
  request.set_sid(sid);
  request.set_validate_only(validate_only);
  google::protobuf::Empty response;
  grpc::Status status =
      stub_->DeleteCredentialListMapping(&context, request, &response);
  return Keep(context, status, response);
}

std::shared_ptr<grpc::Channel> MakeChannel(
    int port, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   std::move(credentials), arguments);
}

std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(
    const std::string& ca_pem, const std::string& cert_pem,
    const std::string& key_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem;
  options.pem_cert_chain = cert_pem;
  options.pem_private_key = key_pem;
  return grpc::SslCredentials(options);
}

}  // namespace twilio_gateway::security_testing
