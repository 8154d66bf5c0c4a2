#ifndef TESTS_TWILIO_EMULATOR_EMULATOR_H_
#define TESTS_TWILIO_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/twilio_emulator/answer_script.h"
#include "tests/twilio_emulator/basic_auth.h"
#include "tests/twilio_emulator/http_message.h"
#include "tests/twilio_emulator/mapping_store.h"
#include "tests/twilio_emulator/rest_handler.h"

namespace twilio_gateway {
namespace testing {

class EventHttpServer;
struct PlannedAnswer;

/// One request the emulator has decided on, for logs.
struct AnswerEvent {
  std::string method;
  std::string path;  // the target without its query
  int status = 0;    // 0 when the request is held without an answer
  std::string twilio_request_id;
  bool scripted = false;  // a `ScriptedAnswer` matched
  DeliveryFault fault = DeliveryFault::kNone;
};

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  /// Accepted Basic credentials; at least one is required.
  std::vector<EmulatorCredential> credentials;
  /// Source of `date_created` / `date_updated`; defaults to absl::Now.
  std::function<absl::Time()> clock;
  /// Called on the emulator's loop thread once per request when its answer
  /// is decided; must not block. Carries no header values, so no secrets.
  std::function<void(const AnswerEvent&)> on_answer;
  /// Keep-alive connections left idle this long are closed by the
  /// emulator; zero keeps evhttp's default (50 s).
  absl::Duration idle_timeout = absl::ZeroDuration();
  /// For soak tests: this share (0 to 1) of the requests that no script
  /// rule matches gets a fault drawn at random, evenly among: 503 and 500
  /// (no effect), 429 with Retry-After 1, the request applied but the
  /// connection closed before the answer, the request applied and the
  /// answer's body cut short, the request applied and answered 300 ms late.
  double random_fault_share = 0;
  uint64_t random_fault_seed = 1;
  /// Whether Requests() keeps every request seen. The standalone binary
  /// turns it off: nothing reads them there, and a long or busy run would
  /// hold every request in memory.
  bool record_requests = true;
};

/// A local, stateful stand-in for Twilio's REST API, limited to SIP domain
/// registration CredentialListMappings (create, fetch, list, delete), for
/// tests and for running the gateway without a Twilio account.
///
/// It speaks HTTP/1.1 on one loop thread, checks Basic credentials, answers
/// with Twilio's status codes, bodies and `Twilio-Request-Id` headers, and
/// pages with opaque `PageToken`s that stay stable while the collection
/// changes. Tests can seed and inspect state, read every request as
/// received, and script failures, delays and lost answers.
///
/// Example:
///   EmulatorOptions options;
///   options.credentials = {{"AC…", "token"}};
///   auto emulator = TwilioEmulator::Start(std::move(options));
///   if (!emulator.ok()) return emulator.status();
///   ScriptedAnswer outage;
///   outage.status = 503;
///   (*emulator)->Script(outage);  // the next request gets a 503
///
/// All public methods are thread-safe.
class TwilioEmulator {
 public:
  /// Binds `options.host:options.port` and starts serving. Fails with
  /// `InvalidArgumentError` without credentials or with a bad address, and
  /// with `UnavailableError` when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<TwilioEmulator>> Start(
      EmulatorOptions options);

  /// Stops serving: answers not yet sent are dropped, connections are
  /// closed, and the loop thread is joined.
  ~TwilioEmulator();

  TwilioEmulator(const TwilioEmulator&) = delete;
  TwilioEmulator& operator=(const TwilioEmulator&) = delete;

  int port() const;
  /// "http://HOST:PORT", to put in front of Twilio's paths.
  std::string base_url() const;

  /// Maps `credential_list_sid` to the domain as if a POST had done it;
  /// does nothing when it is already mapped. SIDs are not validated.
  void PutMapping(const std::string& account_sid, const std::string& domain_sid,
                  const std::string& credential_list_sid);
  /// Returns false when the list was not mapped.
  bool RemoveMapping(const std::string& account_sid,
                     const std::string& domain_sid,
                     const std::string& credential_list_sid);
  /// The domain's mappings in the order the list operation returns them.
  std::vector<StoredMapping> Mappings(const std::string& account_sid,
                                      const std::string& domain_sid) const;

  /// Every request received since the start or the last `ClearRequests`,
  /// scripted ones included, in arrival order.
  std::vector<RecordedRequest> Requests() const;
  void ClearRequests();

  /// Adds a rule after the existing ones; see `ScriptedAnswer`.
  void Script(ScriptedAnswer answer);
  /// Removes every rule that has not run out yet.
  void ClearScript();

 private:
  explicit TwilioEmulator(EmulatorOptions options);

  // Runs on the loop thread for each request.
  PlannedAnswer Decide(const RecordedRequest& request);
  // A fault for a request no rule matched, per `random_fault_share`.
  std::optional<ScriptedAnswer> RandomFault();

  EmulatorOptions options_;
  MappingStore store_;
  AnswerScript script_;
  RestHandler handler_;

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then could not see this lock.
  mutable std::mutex requests_mu_;
  std::vector<RecordedRequest> requests_;  // Guarded by requests_mu_.

  uint64_t requests_seen_ = 0;  // loop thread only
  std::mt19937_64 random_;      // loop thread only

  // Declared last so that it stops before the state it calls into goes.
  std::unique_ptr<EventHttpServer> server_;
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_EMULATOR_H_
