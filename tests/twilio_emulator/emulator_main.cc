// twilio-emulator: serves the Twilio emulator on a port until SIGTERM or
// SIGINT. Credentials come from the environment under the names Twilio's
// own tools use. Logs one JSON object per line on stderr; never a secret.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/twilio_emulator/emulator.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "Address to serve on, HOST:PORT ([::1]:PORT for IPv6). Port 0 "
          "picks a free port; see --port_file.");
ABSL_FLAG(double, fault_share, 0,
          "Share of requests, 0 to 1, that get a random fault (5xx, 429 "
          "with Retry-After, a connection closed before the answer, a body "
          "cut short, a late answer), for soak tests.");
ABSL_FLAG(uint64_t, fault_seed, 1, "Seed of the random faults.");
ABSL_FLAG(absl::Duration, idle_timeout, absl::ZeroDuration(),
          "Close keep-alive connections idle this long (0: 50 s).");
ABSL_FLAG(absl::Duration, answer_delay, absl::ZeroDuration(),
          "Delay every answer by this long, as a slow Twilio would (for "
          "benchmarks); the request takes effect when it arrives.");
ABSL_FLAG(bool, log_requests, true,
          "Log one line per request; benchmarks turn it off so the "
          "emulator's own logging does not compete for the CPU.");
ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port and a newline are written to this file "
          "once the emulator listens. The file appears complete or not at "
          "all, so a script may poll for it.");

namespace {

using ::twilio_gateway::testing::AnswerEvent;
using ::twilio_gateway::testing::EmulatorCredential;
using ::twilio_gateway::testing::EmulatorOptions;
using ::twilio_gateway::testing::TwilioEmulator;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void Log(absl::string_view level, absl::string_view message,
         const nlohmann::json& fields = nlohmann::json::object()) {
  static std::mutex* const mu = new std::mutex;
  // Ordered, so every line starts with ts, level and msg.
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["ts"] = absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", absl::Now(),
                                absl::UTCTimeZone());
  line["level"] = std::string(level);
  line["msg"] = std::string(message);
  for (const auto& field : fields.items()) line[field.key()] = field.value();
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  std::lock_guard<std::mutex> lock(*mu);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

struct ListenAddress {
  std::string host;
  int port = 0;
};

absl::StatusOr<ListenAddress> ParseListen(absl::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen must be HOST:PORT, got '", text, "'"));
  }
  ListenAddress address;
  absl::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  address.host = std::string(host);
  const absl::string_view port = text.substr(colon + 1);
  if (address.host.empty() || port.empty() ||
      port.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port, &address.port) || address.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen must be HOST:PORT, got '", text, "'"));
  }
  return address;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Accepts TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN and TWILIO_API_KEY with
// TWILIO_API_SECRET, either pair or both. A half-set pair is an error, as
// it is almost always a typo.
absl::StatusOr<std::vector<EmulatorCredential>> CredentialsFromEnvironment() {
  const std::string account_sid = Env("TWILIO_ACCOUNT_SID");
  const std::string auth_token = Env("TWILIO_AUTH_TOKEN");
  const std::string api_key = Env("TWILIO_API_KEY");
  const std::string api_secret = Env("TWILIO_API_SECRET");

  std::vector<EmulatorCredential> credentials;
  if (!auth_token.empty()) {
    if (account_sid.empty()) {
      return absl::InvalidArgumentError(
          "TWILIO_AUTH_TOKEN is set but TWILIO_ACCOUNT_SID is not");
    }
    credentials.push_back({account_sid, auth_token});
  }
  if (api_key.empty() != api_secret.empty()) {
    return absl::InvalidArgumentError(
        "set both TWILIO_API_KEY and TWILIO_API_SECRET, or neither");
  }
  if (!api_key.empty()) credentials.push_back({api_key, api_secret});
  if (credentials.empty()) {
    return absl::InvalidArgumentError(
        "no credentials: set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, "
        "and/or TWILIO_API_KEY with TWILIO_API_SECRET; the emulator accepts "
        "exactly these");
  }
  return credentials;
}

// Writes a temporary file beside `path` and renames it over `path`, so a
// reader never sees a partial number.
absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
  }
  const bool written = std::fprintf(file, "%d\n", port) > 0;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed ||
      std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

void LogAnswer(const AnswerEvent& event) {
  nlohmann::json fields = nlohmann::json::object();
  fields["method"] = event.method;
  fields["path"] = event.path;
  fields["status"] = event.status;
  fields["twilio_request_id"] = event.twilio_request_id;
  if (event.scripted) fields["scripted"] = true;
  if (event.fault != twilio_gateway::testing::DeliveryFault::kNone) {
    fields["fault"] = twilio_gateway::testing::DeliveryFaultName(event.fault);
  }
  Log("info", event.status == 0 ? "request held" : "request", fields);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves a local stand-in for Twilio's REST API (SIP registration "
      "CredentialListMappings).\n"
      "Credentials: TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN and/or "
      "TWILIO_API_KEY + TWILIO_API_SECRET.\n"
      "Example: twilio-emulator --listen=127.0.0.1:0 --port_file=/tmp/port");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    Log("error", "unexpected argument", {{"argument", positional[1]}});
    return kExitUsage;
  }

  absl::StatusOr<ListenAddress> address =
      ParseListen(absl::GetFlag(FLAGS_listen));
  if (!address.ok()) {
    Log("error", address.status().message());
    return kExitUsage;
  }
  absl::StatusOr<std::vector<EmulatorCredential>> credentials =
      CredentialsFromEnvironment();
  if (!credentials.ok()) {
    Log("error", credentials.status().message());
    return kExitUsage;
  }

  // This thread takes the stop signals with sigwait, so shutdown runs as
  // ordinary code. Blocking them first also keeps them from the loop
  // thread, which inherits this mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  EmulatorOptions options;
  options.host = address->host;
  options.port = address->port;
  options.credentials = *std::move(credentials);
  if (absl::GetFlag(FLAGS_log_requests)) options.on_answer = &LogAnswer;
  options.random_fault_share = absl::GetFlag(FLAGS_fault_share);
  options.random_fault_seed = absl::GetFlag(FLAGS_fault_seed);
  options.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  options.record_requests = false;
  if (options.random_fault_share < 0 || options.random_fault_share > 1) {
    Log("error", "--fault_share must be between 0 and 1");
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<TwilioEmulator>> emulator =
      TwilioEmulator::Start(std::move(options));
  if (!emulator.ok()) {
    Log("error", emulator.status().message());
    return kExitFailure;
  }
  if (const absl::Duration delay = absl::GetFlag(FLAGS_answer_delay);
      delay > absl::ZeroDuration()) {
    twilio_gateway::testing::ScriptedAnswer slow;
    slow.times = -1;
    slow.delay = delay;
    (*emulator)->Script(std::move(slow));
  }

  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    if (absl::Status status = WritePortFile(port_file, (*emulator)->port());
        !status.ok()) {
      Log("error", status.message());
      return kExitFailure;
    }
  }
  Log("info", "listening",
      {{"base_url", (*emulator)->base_url()}, {"port", (*emulator)->port()}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log("info", "stopping",
      {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  emulator->reset();
  Log("info", "stopped");
  return 0;
}
