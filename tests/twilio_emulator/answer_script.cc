#include "tests/twilio_emulator/answer_script.h"

#include "absl/strings/match.h"

namespace twilio_gateway {
namespace testing {

void AnswerScript::Add(ScriptedAnswer answer) {
  if (answer.times == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(std::move(answer));
}

void AnswerScript::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::optional<ScriptedAnswer> AnswerScript::Match(absl::string_view method,
                                                  absl::string_view target) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!it->method.empty() && !absl::EqualsIgnoreCase(it->method, method)) {
      continue;
    }
    if (!absl::StrContains(target, it->path_contains)) continue;
    ScriptedAnswer match = *it;
    if (it->times > 0 && --it->times == 0) rules_.erase(it);
    return match;
  }
  return std::nullopt;
}

}  // namespace testing
}  // namespace twilio_gateway
