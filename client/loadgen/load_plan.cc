#include "client/loadgen/load_plan.h"

#include "absl/strings/str_format.h"

namespace twilio_gateway::loadgen {

std::string SeedListSid(int64_t index) {
  return absl::StrFormat("CL%032x", static_cast<uint64_t>(index));
}

}  // namespace twilio_gateway::loadgen
