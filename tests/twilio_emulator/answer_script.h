#ifndef TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_
#define TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/twilio_emulator/http_message.h"

namespace twilio_gateway {
namespace testing {

/// A rule that changes how the emulator answers matching requests: a
/// canned status, a delay, no answer at all, or an answer cut short.
///
/// With `status == 0` the emulator acts on the request as usual when it
/// arrives (a POST creates the mapping) and only the answer is delayed,
/// withheld or broken, which is how a client sees a lost or late response
/// from Twilio ("committed, answer lost"). With `status != 0` the request
/// has no effect and the canned answer is sent instead (or broken, with a
/// `fault`).
///
/// Per request or per operation: `method` and `path_contains` pick the
/// requests, `times` how many; rules are tried in the order added.
struct ScriptedAnswer {
  std::string method;         // "" matches any method
  std::string path_contains;  // "" matches any target (path and query)
  int times = 1;              // requests it applies to; negative: all
  int status = 0;             // 0: the emulator's own answer
  std::string body;           // with `status != 0`
  std::vector<std::pair<std::string, std::string>> headers;  // likewise
  absl::Duration delay = absl::ZeroDuration();
  bool never_answer = false;  // hold the request until the emulator stops
  /// Applied after `delay`; ignored with `never_answer`.
  DeliveryFault fault = DeliveryFault::kNone;
};

/// Scripted answers in the order they were added. Thread-safe.
class AnswerScript {
 public:
  void Add(ScriptedAnswer answer);
  void Clear();

  /// The first rule that matches `method` and `target`, after consuming one
  /// of its `times`; nullopt when no rule matches. `path_contains` is looked
  /// for in the raw target, so a rule may also pick a query.
  std::optional<ScriptedAnswer> Match(absl::string_view method,
                                      absl::string_view target);

 private:
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then could not see this lock.
  std::mutex mu_;
  std::deque<ScriptedAnswer> rules_;  // Guarded by mu_.
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_
