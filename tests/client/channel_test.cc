// MakeChannel's plaintext and TLS channels, against a small gRPC server of
// the mapping service on 127.0.0.1 that speaks plaintext, TLS, or TLS that
// requires a client certificate. The certificates are made for each run
// with the openssl command.

#include "client/channel.h"

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/mapping_client.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::client {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::twilio_gateway::sip::v1;

// Answers Get with the client certificate's common name as friendly name,
// so a test can see which certificate the server got.
class EchoPeerService final : public v1::CredentialListMappingService::Service {
 public:
  grpc::Status GetCredentialListMapping(
      grpc::ServerContext* context,
      const v1::GetCredentialListMappingRequest* request,
      v1::CredentialListMapping* response) override {
    response->set_sid(request->sid());
    for (const auto& name :
         context->auth_context()->FindPropertyValues("x509_common_name")) {
      response->set_friendly_name(std::string(name.data(), name.size()));
    }
    return grpc::Status::OK;
  }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

class ChannelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir_template = ::testing::TempDir() + "channel_test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    dir_ = new std::string(dir_template);
    // A CA, a server certificate for 127.0.0.1 and localhost, and a client
    // certificate, all signed by the CA; P-256 keys, made in well under a
    // second.
    const std::string script = absl::StrCat(
        "set -e; cd '", *dir_, "'\n",
        "key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n",
        "openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=client-test-ca 2>/dev/null\n",
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext\n",
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n",
        "for who in server client; do\n",
        "  openssl req $key -keyout $who.key -out $who.csr "
        "-subj /CN=client-test-$who 2>/dev/null\n",
        "  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile $who.ext -out $who.pem "
        "2>/dev/null\n",
        "done\n");
    std::ofstream(File("make_certs.sh")) << script;
    ASSERT_EQ(
        std::system(absl::StrCat("bash '", File("make_certs.sh"), "'").c_str()),
        0)
        << "openssl could not make the test certificates";
  }

  static void TearDownTestSuite() {
    if (dir_ != nullptr) {
      std::system(absl::StrCat("rm -rf '", *dir_, "'").c_str());
      delete dir_;
      dir_ = nullptr;
    }
  }

  static std::string File(const std::string& name) {
    return absl::StrCat(*dir_, "/", name);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  enum class ServerSecurity { kPlaintext, kTls, kMutualTls };

  // Starts the server; returns its port.
  int StartServer(ServerSecurity security) {
    std::shared_ptr<grpc::ServerCredentials> credentials =
        grpc::InsecureServerCredentials();
    if (security != ServerSecurity::kPlaintext) {
      grpc::SslServerCredentialsOptions options(
          security == ServerSecurity::kMutualTls
              ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
      options.pem_root_certs = ReadFile(File("ca.pem"));
      options.pem_key_cert_pairs.push_back(
          {ReadFile(File("server.key")), ReadFile(File("server.pem"))});
      credentials = grpc::SslServerCredentials(options);
    }
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    return port;
  }

  // Calls Get through a channel made from `options`.
  absl::StatusOr<v1::CredentialListMapping> Get(const ChannelOptions& options) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel(options);
    if (!channel.ok()) return channel.status();
    MappingClientOptions client_options;
    client_options.timeout = absl::Seconds(10);
    MappingClient client(*channel, client_options);
    v1::GetCredentialListMappingRequest request;
    request.set_sid("CL1");
    return client.Get(request);
  }

  static std::string* dir_;
  EchoPeerService service_;
  std::unique_ptr<grpc::Server> server_;
};

std::string* ChannelTest::dir_ = nullptr;

TEST_F(ChannelTest, PlaintextByDefault) {
  ChannelOptions options;
  options.target =
      absl::StrCat("127.0.0.1:", StartServer(ServerSecurity::kPlaintext));
  auto mapping = Get(options);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->sid(), "CL1");
}

TEST_F(ChannelTest, TlsWithTheServersCa) {
  ChannelOptions options;
  options.target =
      absl::StrCat("127.0.0.1:", StartServer(ServerSecurity::kTls));
  options.tls = true;
  options.ca_cert_file = File("ca.pem");
  auto mapping = Get(options);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->sid(), "CL1");
}

TEST_F(ChannelTest, CaCertImpliesTls) {
  ChannelOptions options;
  options.target =
      absl::StrCat("localhost:", StartServer(ServerSecurity::kTls));
  options.ca_cert_file = File("ca.pem");
  auto mapping = Get(options);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
}

TEST_F(ChannelTest, TlsClientRefusesAPlaintextServer) {
  ChannelOptions options;
  options.target =
      absl::StrCat("127.0.0.1:", StartServer(ServerSecurity::kPlaintext));
  options.ca_cert_file = File("ca.pem");
  EXPECT_EQ(Get(options).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ChannelTest, TlsRefusesAServerOfAnotherCa) {
  // The client's own certificate is no CA: the server's cannot chain to it.
  ChannelOptions options;
  options.target =
      absl::StrCat("127.0.0.1:", StartServer(ServerSecurity::kTls));
  options.ca_cert_file = File("client.pem");
  EXPECT_EQ(Get(options).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ChannelTest, ClientCertificateForMutualTls) {
  ChannelOptions options;
  options.target =
      absl::StrCat("127.0.0.1:", StartServer(ServerSecurity::kMutualTls));
  options.ca_cert_file = File("ca.pem");
  options.client_cert_file = File("client.pem");
  options.client_key_file = File("client.key");
  auto mapping = Get(options);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->friendly_name(), "client-test-client");

  ChannelOptions without = options;
  without.client_cert_file.clear();
  without.client_key_file.clear();
  EXPECT_EQ(Get(without).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ChannelTest, BadSettingsAreInvalidArgument) {
  ChannelOptions cert_only;
  cert_only.client_cert_file = File("client.pem");
  EXPECT_EQ(MakeChannel(cert_only).status().code(),
            absl::StatusCode::kInvalidArgument);

  ChannelOptions missing;
  missing.ca_cert_file = File("no-such.pem");
  absl::Status status = MakeChannel(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("ca_cert"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("no-such.pem"));

  std::ofstream(File("empty.pem")).close();
  ChannelOptions empty;
  empty.ca_cert_file = File("empty.pem");
  EXPECT_THAT(std::string(MakeChannel(empty).status().message()),
              HasSubstr("empty"));

  ChannelOptions no_key;
  no_key.client_cert_file = File("client.pem");
  no_key.client_key_file = File("no-such.key");
  status = MakeChannel(no_key).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("client_key"));

  ChannelOptions no_target;
  no_target.target = "";
  EXPECT_EQ(MakeChannel(no_target).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ChannelTest, KeyContentsAreNeverQuoted) {
  // A key given where a certificate belongs is read, not echoed.
  ChannelOptions swapped;
  swapped.client_cert_file = File("client.key");
  swapped.client_key_file = File("no-such.key");
  absl::Status status = MakeChannel(swapped).status();
  EXPECT_THAT(std::string(status.message()),
              ::testing::Not(HasSubstr("PRIVATE KEY")));
}

}  // namespace
}  // namespace twilio_gateway::client
