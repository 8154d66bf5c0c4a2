#ifndef SERVICE_TWILIO_CALL_CANCELLATION_H_
#define SERVICE_TWILIO_CALL_CANCELLATION_H_

#include <mutex>

#include "absl/functional/any_invocable.h"

namespace twilio_gateway::twilio {

// Lets whoever started a Twilio call end it early, from any thread: the
// client stops its retry loop and cancels the request in flight, so the
// call finishes within milliseconds instead of at its deadline. The gRPC
// layer cancels when its caller goes away or when the server's shutdown
// grace ends. Shared by the caller and the client; thread-safe.
class CallCancellation {
 public:
  using Hook = absl::AnyInvocable<void() &&>;

  // Marks the call cancelled and runs the hook, once; later calls do
  // nothing.
  void Cancel();

  bool cancelled() const;

  // Sets what Cancel runs (the client sets it when the call starts); runs
  // it at once, on this thread, when the call is already cancelled. A later
  // hook replaces an earlier one that has not run.
  void OnCancel(Hook hook);

 private:
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then could not see this lock.
  mutable std::mutex mu_;
  bool cancelled_ = false;
  Hook hook_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_CALL_CANCELLATION_H_
