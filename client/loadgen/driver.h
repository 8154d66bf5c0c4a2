#ifndef CLIENT_LOADGEN_DRIVER_H_
#define CLIENT_LOADGEN_DRIVER_H_

#include <cstdint>

#include "absl/time/time.h"

namespace twilio_gateway::loadgen {

// Starts calls by a LoadPlan and records each ending in a RunStats. The
// caller opens and closes the stats' window; a driver only keeps calls
// going.
class Driver {
 public:
  virtual ~Driver() = default;

  // Starts issuing calls and returns.
  virtual void Start() = 0;
  // Stops issuing new calls and waits, at most `grace`, for those in
  // flight to end. Returns how many had not ended by then.
  virtual int64_t Stop(absl::Duration grace) = 0;
  // With a total_calls plan: waits until every call has ended, at most
  // `limit`. False when the limit came first.
  virtual bool WaitAllDone(absl::Duration limit) = 0;
};

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_DRIVER_H_
