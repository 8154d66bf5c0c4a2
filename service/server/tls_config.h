#ifndef SERVICE_SERVER_TLS_CONFIG_H_
#define SERVICE_SERVER_TLS_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"

namespace twilio_gateway::server {

// TLS on the gRPC port.
struct TlsConfig {
  // PEM files: the server's certificate chain and its private key
  // (unencrypted). Both or neither.
  std::string cert_file;
  std::string key_file;
  // PEM bundle of the CAs that sign client certificates. Set: mutual TLS,
  // and a verified client certificate names the caller.
  std::string client_ca_file;
  // Without a client certificate the handshake fails. When false (bearer
  // tokens are accepted too), a client may come without one, but a
  // certificate it does present must still verify.
  bool require_client_certificate = false;
  // How often gRPC re-reads the three files, so that a renewed certificate
  // (cert-manager, a Secret update) is served without a restart.
  absl::Duration refresh_interval = absl::Seconds(60);
};

// True when `config` asks for TLS at all.
inline bool TlsEnabled(const TlsConfig& config) {
  return !config.cert_file.empty() || !config.key_file.empty() ||
         !config.client_ca_file.empty();
}

// Checks the files once now, so that a mistake stops start-up with a clear
// message rather than failing every handshake later, and builds gRPC
// server credentials that re-read them every `refresh_interval`.
//
// Fails with INVALID_ARGUMENT when the certificate or the key is missing
// from the config, or a client CA comes without them; FAILED_PRECONDITION
// when a file cannot be read, holds no PEM certificate (or key), or the key
// does not belong to the certificate. Messages name the file, never its
// contents.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
MakeTlsServerCredentials(const TlsConfig& config);

}  // namespace twilio_gateway::server

#endif  // SERVICE_SERVER_TLS_CONFIG_H_
