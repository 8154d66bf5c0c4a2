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

std::string TwilioErrorBody(int code, int status, absl::string_view message) {
  return absl::StrFormat(
      R"({"code":%d,"message":"%s","more_info":)"
      R"("https://www.twilio.com/docs/errors/%d","status":%d})",
      code, message, code, status);
}

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
      EventHttpServer::Start(
          host, port,
          [raw](const RecordedRequest& request) {
            return raw->Decide(request);
          },
          emulator->options_.idle_timeout);
  if (!server.ok()) return server.status();
  emulator->server_ = *std::move(server);
  return emulator;
}

TwilioEmulator::TwilioEmulator(EmulatorOptions options)
    : options_(std::move(options)),
      handler_(options_.credentials, options_.clock, &store_),
      random_(options_.random_fault_seed) {}

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
  std::lock_guard<std::mutex> lock(requests_mu_);
  return requests_;
}

void TwilioEmulator::ClearRequests() {
  std::lock_guard<std::mutex> lock(requests_mu_);
  requests_.clear();
}

void TwilioEmulator::Script(ScriptedAnswer answer) {
  script_.Add(std::move(answer));
}

void TwilioEmulator::ClearScript() { script_.Clear(); }

std::optional<ScriptedAnswer> TwilioEmulator::RandomFault() {
  if (options_.random_fault_share <= 0) return std::nullopt;
  std::uniform_real_distribution<double> share(0.0, 1.0);
  if (share(random_) >= options_.random_fault_share) return std::nullopt;
  ScriptedAnswer fault;
  switch (std::uniform_int_distribution<int>(0, 5)(random_)) {
    case 0:
      fault.status = 503;
      fault.body = TwilioErrorBody(20503, 503, "Service Unavailable");
      break;
    case 1:
      fault.status = 500;
      fault.body = TwilioErrorBody(20500, 500, "Internal Server Error");
      break;
    case 2:
      fault.status = 429;
      fault.body = TwilioErrorBody(20429, 429, "Too Many Requests");
      fault.headers.emplace_back("Retry-After", "1");
      break;
    case 3:
      fault.fault = DeliveryFault::kCloseBeforeAnswer;
      break;
    case 4:
      fault.fault = DeliveryFault::kTruncateBody;
      break;
    default:
      fault.delay = absl::Milliseconds(300);
      break;
  }
  if (fault.status != 0) {
    fault.headers.emplace_back("Content-Type",
                               "application/json; charset=utf-8");
  }
  return fault;
}

PlannedAnswer TwilioEmulator::Decide(const RecordedRequest& request) {
  if (options_.record_requests) {
    std::lock_guard<std::mutex> lock(requests_mu_);
    requests_.push_back(request);
  }
  // Deterministic, so tests can predict them; Twilio's are random.
  const std::string request_id = absl::StrFormat("RQ%032x", ++requests_seen_);

  std::optional<ScriptedAnswer> rule =
      script_.Match(request.method, request.target);
  if (!rule.has_value()) rule = RandomFault();
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
    plan.fault = rule->fault;
  }

  if (options_.on_answer) {
    AnswerEvent event;
    event.method = request.method;
    event.path = request.target.substr(0, request.target.find('?'));
    event.status = plan.hold ? 0 : plan.response.status;
    event.twilio_request_id =
        *FindHeader(plan.response.headers, "Twilio-Request-Id");
    event.scripted = rule.has_value();
    event.fault = plan.fault;
    options_.on_answer(event);
  }
  return plan;
}

}  // namespace testing
}  // namespace twilio_gateway
