#ifndef SERVICE_AUTH_GRPC_PEER_H_
#define SERVICE_AUTH_GRPC_PEER_H_

#include "grpcpp/server_context.h"
#include "service/auth/access_control.h"

namespace twilio_gateway::auth {

// What gRPC knows about the caller of one call: the SANs of a client
// certificate the TLS handshake verified (gRPC reports a certificate only
// when it checked it against the client CA), the "authorization" metadata
// and the peer address.
PeerFacts PeerFactsFrom(const grpc::ServerContextBase& context);

}  // namespace twilio_gateway::auth

#endif  // SERVICE_AUTH_GRPC_PEER_H_
