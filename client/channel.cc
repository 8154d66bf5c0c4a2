#include "client/channel.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/create_channel.h"

namespace twilio_gateway::client {
namespace {

absl::StatusOr<std::string> ReadPemFile(absl::string_view option,
                                        const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        option, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, ": cannot read ", path));
  }
  if (contents.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, ": ", path, " is empty"));
  }
  return std::move(contents).str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ChannelOptions& options) {
  const bool tls = options.tls || !options.ca_cert_file.empty() ||
                   !options.client_cert_file.empty() ||
                   !options.client_key_file.empty();
  if (!tls) return grpc::InsecureChannelCredentials();

  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return absl::InvalidArgumentError(
        "client_cert and client_key go together: give both or neither");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_cert_file.empty()) {
    absl::StatusOr<std::string> roots =
        ReadPemFile("ca_cert", options.ca_cert_file);
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *std::move(roots);
  }
  if (!options.client_cert_file.empty()) {
    absl::StatusOr<std::string> cert =
        ReadPemFile("client_cert", options.client_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key =
        ReadPemFile("client_key", options.client_key_file);
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ChannelOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("target is empty");
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateChannel(options.target, *credentials);
}

}  // namespace twilio_gateway::client
