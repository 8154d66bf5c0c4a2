#include "service/auth/grpc_peer.h"

#include <memory>
#include <string>

#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace twilio_gateway::auth {
namespace {

std::vector<std::string> Property(const grpc::AuthContext& context,
                                  const char* name) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : context.FindPropertyValues(name)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

}  // namespace

PeerFacts PeerFactsFrom(const grpc::ServerContextBase& context) {
  PeerFacts facts;
  facts.address = context.peer();
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  // Insecure connections have no authenticated peer, and neither do TLS
  // connections whose client sent no certificate.
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    facts.uri_sans = Property(*auth, GRPC_PEER_URI_PROPERTY_NAME);
    facts.dns_sans = Property(*auth, GRPC_PEER_DNS_PROPERTY_NAME);
  }
  auto range = context.client_metadata().equal_range("authorization");
  for (auto it = range.first; it != range.second; ++it) {
    facts.authorization.emplace_back(it->second.data(), it->second.size());
  }
  return facts;
}

}  // namespace twilio_gateway::auth
