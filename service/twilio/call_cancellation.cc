#include "service/twilio/call_cancellation.h"

#include <utility>

namespace twilio_gateway::twilio {

void CallCancellation::Cancel() {
  Hook hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    hook = std::move(hook_);
    hook_ = nullptr;
  }
  // Outside the lock: the hook may take other locks (the transport's).
  if (hook) std::move(hook)();
}

bool CallCancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void CallCancellation::OnCancel(Hook hook) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) {
      hook_ = std::move(hook);
      return;
    }
  }
  std::move(hook)();
}

}  // namespace twilio_gateway::twilio
