// twilio-gateway: serves the CredentialListMappingService over gRPC and
// calls Twilio's REST API with the credentials it holds.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "service/common/json_log.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credentials_file.h"
#include "service/server/flags.h"
#include "service/server/gateway_server.h"

namespace {

using ::twilio_gateway::LogLine;

// Written whole under a temporary name and renamed, so a reader never sees
// a half-written port.
bool WritePortFile(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

int Fail(absl::string_view what, const absl::Status& status, int exit_code) {
  LogLine(spdlog::level::err, what).Field("error", status.message());
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGTERM and SIGINT are blocked before any thread starts, so every
  // thread inherits the mask and only the sigwait below receives them; the
  // shutdown then runs on an ordinary thread, never in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Debian builds Abseil with its lock-order checking on, which updates a
  // graph on every lock gRPC takes: about a tenth of the CPU of a call, for
  // a debugging aid. Tests keep it; the server turns it off.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  twilio_gateway::InitJsonLogging(spdlog::level::info);
  absl::StatusOr<twilio_gateway::server::ProcessConfig> config =
      twilio_gateway::server::ParseFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status(), 2);
  twilio_gateway::InitJsonLogging(config->log_level);

  twilio_gateway::credentials::CredentialSources sources;
  sources.file_path = config->credentials_file;
  auto snapshot = twilio_gateway::credentials::LoadCredentials(sources);
  if (!snapshot.ok()) {
    return Fail("cannot load Twilio credentials", snapshot.status(), 2);
  }
  const std::string default_account = (*snapshot)->default_account_sid();
  const std::string accounts = absl::StrJoin((*snapshot)->account_sids(), ",");
  auto store = std::make_shared<twilio_gateway::credentials::CredentialStore>(
      *std::move(snapshot));

  auto gateway =
      twilio_gateway::server::GatewayServer::Start(config->gateway, store);
  if (!gateway.ok()) return Fail("cannot start", gateway.status(), 1);

  if (!config->port_file.empty() &&
      !WritePortFile(config->port_file, (*gateway)->port())) {
    LogLine(spdlog::level::err, "cannot write the port file")
        .Field("port_file", config->port_file);
    (*gateway)->Shutdown();
    return 1;
  }
  if (!config->admin_port_file.empty() &&
      !WritePortFile(config->admin_port_file, (*gateway)->admin_port())) {
    LogLine(spdlog::level::err, "cannot write the admin port file")
        .Field("admin_port_file", config->admin_port_file);
    (*gateway)->Shutdown();
    return 1;
  }
  LogLine(spdlog::level::info, "serving")
      .Field("listen", config->gateway.listen)
      .Field("port", (*gateway)->port())
      .Field("admin_listen", config->gateway.admin_listen)
      .Field("admin_port", (*gateway)->admin_port())
      .Field("twilio_base_url", (*gateway)->twilio_base_url())
      .Field("default_account_sid", default_account)
      .Field("accounts", accounts);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogLine(spdlog::level::info, "shutting down")
      .Field("signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
      .Field("grace_ms",
             absl::ToDoubleMilliseconds(config->gateway.shutdown_grace));
  (*gateway)->Shutdown();
  LogLine(spdlog::level::info, "stopped");
  return 0;
}
