// floor-server: serves FloorService (answers from memory) and
// grpc.health.v1 until SIGTERM or SIGINT; the benchmark's gRPC floor.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/floor_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "HOST:PORT; port 0 picks one");
ABSL_FLAG(std::string, port_file, "",
          "File the bound port is written to once serving");
ABSL_FLAG(std::string, account_sid, "ACdeadbeefdeadbeefdeadbeefdeadbeef",
          "Account SID in the answers");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "A CredentialListMappingService that answers from memory, for "
      "benchmarks.\nExample: floor-server --listen=127.0.0.1:0 "
      "--port_file=/tmp/floor.port");
  absl::ParseCommandLine(argc, argv);
  // As the gateway does, so that the two are compared on equal terms.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Taken by sigwait below, so shutdown runs on an ordinary thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  twilio_gateway::bench::FloorService service(absl::GetFlag(FLAGS_account_sid));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen),
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "floor-server: cannot listen on %s\n",
                 absl::GetFlag(FLAGS_listen).c_str());
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(true);

  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    const std::string temporary = port_file + ".tmp";
    {
      std::ofstream out(temporary, std::ios::trunc);
      out << port << "\n";
    }
    std::rename(temporary.c_str(), port_file.c_str());
  }
  std::fprintf(stderr, "floor-server: serving on port %d\n", port);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  server->Wait();
  return 0;
}
