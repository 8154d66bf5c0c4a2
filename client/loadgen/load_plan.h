#ifndef CLIENT_LOADGEN_LOAD_PLAN_H_
#define CLIENT_LOADGEN_LOAD_PLAN_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace twilio_gateway::loadgen {

// Which call every request makes.
enum class CallKind {
  kGet,     // GetCredentialListMapping / GET …/{Sid}.json
  kList,    // ListCredentialListMappings / GET ….json?PageSize=N
  kCreate,  // CreateCredentialListMapping, a new list SID per call
  kHealth,  // grpc.health.v1.Health/Check
};

// How hard and how long to push, shared by both drivers.
struct LoadPlan {
  CallKind kind = CallKind::kGet;
  // Calls in flight at most. In a closed loop exactly this many are kept
  // going; at a fixed rate it is the cap beyond which a call is skipped.
  int concurrency = 32;
  // Calls started per second; 0 means a closed loop.
  double rate = 0;
  // Stop after this many calls (0: run until stopped). Used to seed data.
  int64_t total_calls = 0;
  // Each call's deadline.
  absl::Duration timeout = absl::Seconds(10);

  // What the calls name.
  std::string account_sid;
  std::string domain_sid;
  std::string sid;
  int page_size = 0;
  // kCreate: the i-th call maps CL followed by i + first_index in 32 hex
  // digits, so runs can seed distinct, predictable lists.
  int64_t first_index = 0;
};

// The i-th credential list SID of a kCreate run.
std::string SeedListSid(int64_t index);

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_LOAD_PLAN_H_
