#include "tests/twilio_emulator/emulator.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/twilio_emulator/event_http_server.h"

namespace twilio_gateway {
namespace testing {
namespace {

EmulatorOptions WithDefaults(EmulatorOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TwilioEmulator>> TwilioEmulator::Start(
    EmulatorOptions options) {
  if (options.credentials.empty()) {
    return absl::InvalidArgumentError(
        "the emulator needs at least one credential to accept");
  }
  const std::string host = options.host;
  const int port = options.port;
  std::unique_ptr<TwilioEmulator> emulator(
      new TwilioEmulator(WithDefaults(std::move(options))));

  TwilioEmulator* raw = emulator.get();
  absl::StatusOr<std::unique_ptr<EventHttpServer>> server =
      EventHttpServer::Start(host, port, [raw](const RecordedRequest& request) {
        return raw->Decide(request);
      });
  if (!server.ok()) return server.status();
  emulator->server_ = *std::move(server);
  return emulator;
}

TwilioEmulator::TwilioEmulator(EmulatorOptions options)
    : options_(std::move(options)),
      handler_(options_.credentials, options_.clock, &store_) {}

TwilioEmulator::~TwilioEmulator() { server_.reset(); }

int TwilioEmulator::port() const { return server_->port(); }

std::string TwilioEmulator::base_url() const {
  // A literal IPv6 address needs brackets in a URL.
  const bool ipv6 = absl::StrContains(options_.host, ':');
  return absl::StrCat("http://", ipv6 ? "[" : "", options_.host,
                      ipv6 ? "]" : "", ":", port());
}

void TwilioEmulator::PutMapping(const std::string& account_sid,
                                const std::string& domain_sid,
                                const std::string& credential_list_sid) {
  // An AlreadyExists error leaves the existing mapping, as documented.
  store_.Create(account_sid, domain_sid, credential_list_sid, options_.clock())
      .IgnoreError();
}

bool TwilioEmulator::RemoveMapping(const std::string& account_sid,
                                   const std::string& domain_sid,
                                   const std::string& credential_list_sid) {
  return store_.Remove(account_sid, domain_sid, credential_list_sid);
}

std::vector<StoredMapping> TwilioEmulator::Mappings(
    const std::string& account_sid, const std::string& domain_sid) const {
  return store_.List(account_sid, domain_sid);
}

std::vector<RecordedRequest> TwilioEmulator::Requests() const {
  absl::MutexLock lock(&requests_mu_);
  return requests_;
}

void TwilioEmulator::ClearRequests() {
  absl::MutexLock lock(&requests_mu_);
  requests_.clear();
}

void TwilioEmulator::Script(ScriptedAnswer answer) {
  script_.Add(std::move(answer));
}

void TwilioEmulator::ClearScript() { script_.Clear(); }

PlannedAnswer TwilioEmulator::Decide(const RecordedRequest& request) {
  {
    absl::MutexLock lock(&requests_mu_);
    requests_.push_back(request);
  }
  // Deterministic, so tests can predict them; Twilio's are random.
  const std::string request_id = absl::StrFormat("RQ%032x", ++requests_seen_);

  const std::optional<ScriptedAnswer> rule =
      script_.Match(request.method, request.target);
  PlannedAnswer plan;
  if (rule.has_value() && rule->status != 0) {
    plan.response.status = rule->status;
    plan.response.headers = rule->headers;
    plan.response.body = rule->body;
  } else {
    plan.response = handler_.Handle(request);
  }
  if (FindHeader(plan.response.headers, "Twilio-Request-Id") == nullptr) {
    plan.response.headers.emplace_back("Twilio-Request-Id", request_id);
  }
  if (rule.has_value()) {
    plan.delay = rule->delay;
    plan.hold = rule->never_answer;
  }

  if (options_.on_answer) {
    AnswerEvent event;
    event.method = request.method;
    event.path = request.target.substr(0, request.target.find('?'));
    event.status = plan.hold ? 0 : plan.response.status;
    event.twilio_request_id =
        *FindHeader(plan.response.headers, "Twilio-Request-Id");
    event.scripted = rule.has_value();
    options_.on_answer(event);
  }
  return plan;
}

}  // namespace testing
}  // namespace twilio_gateway
