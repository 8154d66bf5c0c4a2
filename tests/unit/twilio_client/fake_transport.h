#ifndef TESTS_UNIT_TWILIO_CLIENT_FAKE_TRANSPORT_H_
#define TESTS_UNIT_TWILIO_CLIENT_FAKE_TRANSPORT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/twilio/http_transport.h"
#include "service/twilio/twilio_error.h"

namespace twilio_gateway::twilio {

// An HttpTransport for tests, on the test's own thread and clock: Send
// records the request and answers from a queue, at once; RunAfter keeps
// the task until the test advances time with RunNextTimer. A Send with no
// answer queued is held until Cancel or the end of the test, like a
// request Twilio never answers.
class FakeTransport : public HttpTransport {
 public:
  void Send(HttpRequest request, Callback done) override {
    requests.push_back(request);
    if (answers.empty()) {
      held.emplace_back(request.cancel_key, std::move(done));
      return;
    }
    absl::StatusOr<HttpResponse> answer = std::move(answers.front());
    answers.pop_front();
    std::move(done)(std::move(answer));
  }

  void RunAfter(absl::Time when, uint64_t cancel_key, Task task) override {
    timers.emplace(std::make_pair(when, next_timer_++),
                   std::make_pair(cancel_key, std::move(task)));
  }

  void Cancel(uint64_t cancel_key) override {
    cancels.push_back(cancel_key);
    for (auto it = held.begin(); it != held.end();) {
      if (it->first != cancel_key) {
        ++it;
        continue;
      }
      Callback done = std::move(it->second);
      it = held.erase(it);
      std::move(done)(
          WithReason(absl::CancelledError("cancelled"), "UPSTREAM_CANCELLED"));
    }
    for (auto it = timers.begin(); it != timers.end();) {
      if (it->second.first != cancel_key) {
        ++it;
        continue;
      }
      Task task = std::move(it->second.second);
      it = timers.erase(it);
      std::move(task)();
    }
  }

  // Sets `*now` to the earliest timer's time and runs it; false when none
  // is waiting.
  bool RunNextTimer(absl::Time* now) {
    if (timers.empty()) return false;
    auto it = timers.begin();
    if (it->first.first > *now) *now = it->first.first;
    Task task = std::move(it->second.second);
    timers.erase(it);
    std::move(task)();
    return true;
  }

  std::vector<HttpRequest> requests;
  std::deque<absl::StatusOr<HttpResponse>> answers;
  std::vector<std::pair<uint64_t, Callback>> held;
  std::map<std::pair<absl::Time, int>, std::pair<uint64_t, Task>> timers;
  std::vector<uint64_t> cancels;

 private:
  int next_timer_ = 0;
};

}  // namespace twilio_gateway::twilio

#endif  // TESTS_UNIT_TWILIO_CLIENT_FAKE_TRANSPORT_H_
