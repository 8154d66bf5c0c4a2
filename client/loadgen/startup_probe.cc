#include "client/loadgen/startup_probe.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

extern char** environ;

namespace twilio_gateway::loadgen {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

// How often the port file and the health service are polled: well below
// the resolution the figure is quoted in.
constexpr absl::Duration kPollInterval = absl::Milliseconds(1);

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// The port in the file, or 0 while it is not there yet.
int ReadPort(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return 0;
  int port = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port)) return 0;
  return port;
}

void StopServer(pid_t pid) {
  kill(pid, SIGTERM);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    if (Exited(pid)) return;
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

absl::StatusOr<pid_t> Spawn(const StartupProbeOptions& options) {
  std::vector<char*> argv;
  for (const std::string& arg : options.command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                   options.log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int error =
      posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot start ", options.command[0], ": errno ", error));
  }
  return pid;
}

}  // namespace

absl::StatusOr<StartupReport> ProbeStartup(const StartupProbeOptions& options) {
  if (options.command.empty() || options.port_file.empty()) {
    return absl::InvalidArgumentError(
        "the startup probe needs a command and a port file");
  }
  unlink(options.port_file.c_str());

  const absl::Time start = absl::Now();
  absl::StatusOr<pid_t> pid = Spawn(options);
  if (!pid.ok()) return pid.status();
  StartupReport report;
  report.pid = *pid;
  const absl::Time give_up = start + options.limit;
  auto fail = [&](absl::Status status) {
    StopServer(report.pid);
    return status;
  };

  int port = 0;
  while ((port = ReadPort(options.port_file)) == 0) {
    if (Exited(report.pid)) {
      return absl::UnavailableError(absl::StrCat(options.command[0],
                                                 " exited before serving; see ",
                                                 options.log_file));
    }
    if (absl::Now() > give_up) {
      return fail(absl::DeadlineExceededError("no port file in time"));
    }
    absl::SleepFor(kPollInterval);
  }
  report.to_port_file = absl::Now() - start;

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
    context.set_wait_for_ready(true);
    HealthCheckRequest request;
    HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    if (status.ok() && response.status() == HealthCheckResponse::SERVING) {
      break;
    }
    if (absl::Now() > give_up) {
      return fail(absl::DeadlineExceededError("not SERVING in time"));
    }
    absl::SleepFor(kPollInterval);
  }
  report.to_serving = absl::Now() - start;

  absl::SleepFor(options.idle);
  absl::StatusOr<ProcessSample> idle = SampleProcess(report.pid);
  if (!idle.ok()) return fail(idle.status());
  report.idle = *idle;
  StopServer(report.pid);
  return report;
}

}  // namespace twilio_gateway::loadgen
