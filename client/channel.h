#ifndef CLIENT_CHANNEL_H_
#define CLIENT_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"

namespace twilio_gateway::client {

// How to reach the gateway.
struct ChannelOptions {
  // gRPC target: "HOST:PORT", or any name scheme gRPC resolves, such as
  // "dns:///gateway.internal:50051".
  std::string target = "127.0.0.1:50051";

  // Speak TLS. Naming any of the files below implies it.
  bool tls = false;
  // PEM file of the CAs trusted for the gateway's certificate; empty: the
  // system's CAs.
  std::string ca_cert_file;
  // PEM files of a client certificate and its private key, for gateways
  // that ask callers for one (mutual TLS). Both or neither.
  std::string client_cert_file;
  std::string client_key_file;
};

// The channel credentials `options` ask for: insecure (plaintext HTTP/2)
// unless TLS is wanted, else TLS with the CA and client files read now.
//
// Fails with INVALID_ARGUMENT when only one of the client certificate and
// key is given, or when a file cannot be read or is empty; the message names
// the option and the file. The file contents are never quoted, since one of
// them is a private key.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ChannelOptions& options);

// A channel to `options.target` with MakeChannelCredentials. Connecting is
// lazy: an unreachable gateway shows up as UNAVAILABLE on the first call.
// Fails as MakeChannelCredentials does, and with INVALID_ARGUMENT for an
// empty target.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ChannelOptions& options);

}  // namespace twilio_gateway::client

#endif  // CLIENT_CHANNEL_H_
