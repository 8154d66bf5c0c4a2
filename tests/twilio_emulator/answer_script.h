#ifndef TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_
#define TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace twilio_gateway {
namespace testing {

/// A rule that changes how the emulator answers matching requests: a
/// canned status, a delay, or no answer at all.
///
/// With `status == 0` the emulator acts on the request as usual when it
/// arrives (a POST creates the mapping) and only the answer is delayed or
/// withheld, which is how a client sees a lost or late response from
/// Twilio. With `status != 0` the request has no effect and the canned
/// answer is sent instead.
struct ScriptedAnswer {
  std::string method;         // "" matches any method
  std::string path_contains;  // "" matches any target (path and query)
  int times = 1;              // requests it applies to; negative: all
  int status = 0;             // 0: the emulator's own answer
  std::string body;           // with `status != 0`
  std::vector<std::pair<std::string, std::string>> headers;  // likewise
  absl::Duration delay = absl::ZeroDuration();
  bool never_answer = false;  // hold the request until the emulator stops
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
  absl::Mutex mu_;
  std::deque<ScriptedAnswer> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_ANSWER_SCRIPT_H_
