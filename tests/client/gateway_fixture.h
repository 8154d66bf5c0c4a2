#ifndef TESTS_CLIENT_GATEWAY_FIXTURE_H_
#define TESTS_CLIENT_GATEWAY_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/mapping_client.h"
#include "grpcpp/channel.h"
#include "gtest/gtest.h"
#include "service/server/gateway_server.h"
#include "tests/twilio_emulator/emulator.h"

namespace twilio_gateway::client {

inline constexpr char kAccount[] = "AC00000000000000000000000000000001";
inline constexpr char kSubaccount[] = "AC000000000000000000000000000000a2";
inline constexpr char kStranger[] = "AC000000000000000000000000000000ff";
inline constexpr char kDomain[] = "SD00000000000000000000000000000001";

// The SID of CredentialList number `n`.
std::string ListSid(int n);

// The real gateway on 127.0.0.1 (port 0) in front of the in-process Twilio
// emulator, which accepts kAccount's token; the gateway holds kAccount (the
// default) and kSubaccount, which acts with kAccount's credentials. A
// MappingClient is connected to it.
class GatewayFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A client of the running gateway with the given default timeout.
  MappingClient MakeClient(absl::Duration timeout = absl::Seconds(20)) const;

  // Methods and targets of the requests the emulator has seen.
  std::vector<std::string> UpstreamRequests() const;

  std::unique_ptr<twilio_gateway::testing::TwilioEmulator> emulator_;
  std::unique_ptr<server::GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<MappingClient> client_;
};

}  // namespace twilio_gateway::client

#endif  // TESTS_CLIENT_GATEWAY_FIXTURE_H_
