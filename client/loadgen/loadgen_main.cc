// loadgen: puts load on the gateway, on a bare gRPC server, or straight on
// Twilio's REST API (or the emulator), and prints calls per second, latency
// percentiles and a count per status, as text and as JSON.
//
//   loadgen --mode=grpc --target=127.0.0.1:50051 --call=get
//       --domain_sid=SD... --sid=CL... --concurrency=32 --duration=10s
//   loadgen --mode=http --http_base_url=http://127.0.0.1:8080 --call=get ...
//   loadgen --mode=startup --port_file=P -- twilio-gateway --port_file=P
//
// The direct HTTP mode authenticates with TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN from the environment. --watch=NAME:PID,... reads those
// processes' CPU time, memory and threads at both ends of the timed window.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/loadgen/driver.h"
#include "client/loadgen/grpc_driver.h"
#include "client/loadgen/http_driver.h"
#include "client/loadgen/load_plan.h"
#include "client/loadgen/process_usage.h"
#include "client/loadgen/report.h"
#include "client/loadgen/run_stats.h"
#include "client/loadgen/startup_probe.h"

ABSL_FLAG(std::string, mode, "grpc",
          "grpc: call a gRPC server; http: send the REST request straight "
          "to --http_base_url; startup: start the command after -- and time "
          "it until its health service answers SERVING");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "gRPC server, HOST:PORT");
ABSL_FLAG(std::string, http_base_url, "",
          "Twilio or the emulator, e.g. http://127.0.0.1:8080 (mode http)");
ABSL_FLAG(std::string, call, "get", "get, list, create or health");
ABSL_FLAG(int, concurrency, 32,
          "Calls in flight (closed loop), or the cap at a fixed rate");
ABSL_FLAG(double, rate, 0, "Calls started per second; 0: closed loop");
ABSL_FLAG(int, channels, 1, "gRPC connections to spread the calls over");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "Load before the timed window, not counted");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "The timed window");
ABSL_FLAG(int64_t, requests, 0,
          "Make exactly this many calls, all counted, then stop (no warm-up, "
          "no time limit); for seeding data with --call=create");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline per call");
ABSL_FLAG(std::string, account_sid, "",
          "Account SID in requests; empty: the gateway's default (mode "
          "grpc) or TWILIO_ACCOUNT_SID (mode http)");
ABSL_FLAG(std::string, domain_sid, "SD0123456789abcdef0123456789abcdef",
          "Domain SID in requests");
ABSL_FLAG(std::string, sid, "CL0123456789abcdef0123456789abcdef",
          "Credential list SID for get");
ABSL_FLAG(int, page_size, 0, "Page size for list; 0: the server's default");
ABSL_FLAG(int64_t, first_index, 0,
          "create: the first call maps CL%032x of this, the next one more");
ABSL_FLAG(std::vector<std::string>, watch, {},
          "NAME:PID,... processes whose CPU, memory and threads to report");
ABSL_FLAG(std::string, label, "run", "Name of this run in the report");
ABSL_FLAG(std::string, json_out, "",
          "Append the report as one JSON line to this file");
ABSL_FLAG(std::string, port_file, "",
          "mode startup: the file the started server writes its port to");
ABSL_FLAG(std::string, child_log, "/dev/null",
          "mode startup: where the started server's output goes");
ABSL_FLAG(absl::Duration, idle, absl::Seconds(1),
          "mode startup: idle time after SERVING before memory is read");

namespace {

using namespace ::twilio_gateway::loadgen;  // NOLINT: one program's main

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Usage(absl::string_view message) {
  std::fprintf(stderr, "loadgen: %.*s\n", static_cast<int>(message.size()),
               message.data());
  return kExitUsage;
}

bool ParseCall(absl::string_view text, CallKind* kind) {
  if (text == "get") {
    *kind = CallKind::kGet;
  } else if (text == "list") {
    *kind = CallKind::kList;
  } else if (text == "create") {
    *kind = CallKind::kCreate;
  } else if (text == "health") {
    *kind = CallKind::kHealth;
  } else {
    return false;
  }
  return true;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool ParseWatch(const std::vector<std::string>& specs,
                std::vector<WatchedProcess>* processes) {
  for (const std::string& spec : specs) {
    std::vector<std::string> parts = absl::StrSplit(spec, ':');
    int pid = 0;
    if (parts.size() != 2 || parts[0].empty() ||
        !absl::SimpleAtoi(parts[1], &pid) || pid <= 0) {
      return false;
    }
    WatchedProcess process;
    process.name = parts[0];
    process.pid = static_cast<pid_t>(pid);
    processes->push_back(std::move(process));
  }
  return true;
}

void Sample(std::vector<WatchedProcess>* processes, bool before) {
  for (WatchedProcess& process : *processes) {
    absl::StatusOr<ProcessSample> sample = SampleProcess(process.pid);
    if (!sample.ok()) continue;
    (before ? process.before : process.after) = *sample;
  }
}

void AppendJson(const std::string& path, const std::string& line) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::app);
  out << line << "\n";
}

int RunStartup(const std::vector<char*>& positional) {
  StartupProbeOptions options;
  for (size_t i = 1; i < positional.size(); ++i) {
    options.command.emplace_back(positional[i]);
  }
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.log_file = absl::GetFlag(FLAGS_child_log);
  options.idle = absl::GetFlag(FLAGS_idle);
  if (options.command.empty() || options.port_file.empty()) {
    return Usage("mode startup needs --port_file and a command after --");
  }
  absl::StatusOr<StartupReport> report = ProbeStartup(options);
  if (!report.ok()) return Usage(report.status().ToString());
  const std::string label = absl::GetFlag(FLAGS_label);
  std::fputs(StartupReportText(label, *report).c_str(), stdout);
  AppendJson(absl::GetFlag(FLAGS_json_out),
             StartupReportJson(label, *report).dump());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Load generator for the gateway, a bare gRPC server, or the Twilio "
      "REST API directly.\n"
      "Example: loadgen --target=127.0.0.1:50051 --call=get "
      "--concurrency=32 --duration=10s");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "startup") return RunStartup(positional);
  if (positional.size() > 1) return Usage("unexpected arguments");

  LoadPlan plan;
  if (!ParseCall(absl::GetFlag(FLAGS_call), &plan.kind)) {
    return Usage("--call must be get, list, create or health");
  }
  plan.concurrency = absl::GetFlag(FLAGS_concurrency);
  plan.rate = absl::GetFlag(FLAGS_rate);
  plan.total_calls = absl::GetFlag(FLAGS_requests);
  plan.timeout = absl::GetFlag(FLAGS_timeout);
  plan.account_sid = absl::GetFlag(FLAGS_account_sid);
  plan.domain_sid = absl::GetFlag(FLAGS_domain_sid);
  plan.sid = absl::GetFlag(FLAGS_sid);
  plan.page_size = absl::GetFlag(FLAGS_page_size);
  plan.first_index = absl::GetFlag(FLAGS_first_index);
  if (plan.concurrency < 1 || plan.rate < 0 || plan.total_calls < 0) {
    return Usage(
        "--concurrency must be positive, --rate and --requests not "
        "negative");
  }

  RunReport report;
  report.label = absl::GetFlag(FLAGS_label);
  report.mode = mode;
  if (!ParseWatch(absl::GetFlag(FLAGS_watch), &report.processes)) {
    return Usage("--watch takes NAME:PID,...");
  }
  WatchedProcess self;
  self.name = "loadgen";
  self.pid = getpid();
  report.processes.push_back(std::move(self));

  RunStats stats;
  std::unique_ptr<Driver> driver;
  if (mode == "grpc") {
    GrpcDriverOptions options;
    options.target = absl::GetFlag(FLAGS_target);
    options.channels = absl::GetFlag(FLAGS_channels);
    report.target = options.target;
    auto created = GrpcDriver::Create(plan, options, &stats);
    if (!created.ok()) return Usage(created.status().message());
    driver = *std::move(created);
  } else if (mode == "http") {
    HttpDriverOptions options;
    options.base_url = absl::GetFlag(FLAGS_http_base_url);
    options.username = Env("TWILIO_ACCOUNT_SID");
    options.password = Env("TWILIO_AUTH_TOKEN");
    if (options.username.empty() || options.password.empty()) {
      return Usage("mode http needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
    }
    if (plan.account_sid.empty()) plan.account_sid = options.username;
    report.target = options.base_url;
    auto created = HttpDriver::Create(plan, options, &stats);
    if (!created.ok()) return Usage(created.status().message());
    driver = *std::move(created);
  } else {
    return Usage("--mode must be grpc, http or startup");
  }
  report.plan = plan;

  if (plan.total_calls > 0) {
    Sample(&report.processes, /*before=*/true);
    stats.Open();
    driver->Start();
    const bool all_done = driver->WaitAllDone(
        plan.timeout * static_cast<double>(plan.total_calls));
    stats.Close();
    Sample(&report.processes, /*before=*/false);
    report.unfinished = driver->Stop(absl::ZeroDuration());
    if (!all_done) std::fputs("loadgen: not every call ended\n", stderr);
  } else {
    driver->Start();
    absl::SleepFor(absl::GetFlag(FLAGS_warmup));
    Sample(&report.processes, /*before=*/true);
    stats.Open();
    absl::SleepFor(absl::GetFlag(FLAGS_duration));
    stats.Close();
    Sample(&report.processes, /*before=*/false);
    report.unfinished = driver->Stop(plan.timeout + absl::Seconds(1));
  }
  driver.reset();
  report.stats = stats.Summarize();

  std::fputs(RunReportText(report).c_str(), stdout);
  AppendJson(absl::GetFlag(FLAGS_json_out), RunReportJson(report).dump());
  return report.stats.calls > 0 ? 0 : kExitFailure;
}
