#ifndef CLIENT_LOADGEN_GRPC_DRIVER_H_
#define CLIENT_LOADGEN_GRPC_DRIVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/loadgen/driver.h"
#include "client/loadgen/load_plan.h"
#include "client/loadgen/run_stats.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

namespace twilio_gateway::loadgen {

struct GrpcDriverOptions {
  // "HOST:PORT" of the server under load, over plaintext HTTP/2.
  std::string target;
  // HTTP/2 connections to spread the calls over, round robin.
  int channels = 1;
};

// Drives a CredentialListMappingService (or its health service) through
// gRPC's callback client API: no thread per call, each ending starts the
// next (closed loop) or hands its slot back to a pacing thread (fixed
// rate). Latency at a fixed rate runs from when the call was due, so a
// server that falls behind shows it.
class GrpcDriver final : public Driver {
 public:
  // Fails with INVALID_ARGUMENT for a plan or options it cannot run.
  static absl::StatusOr<std::unique_ptr<GrpcDriver>> Create(
      LoadPlan plan, GrpcDriverOptions options, RunStats* stats);
  ~GrpcDriver() override;

  void Start() override;
  int64_t Stop(absl::Duration grace) override;
  bool WaitAllDone(absl::Duration limit) override;

 private:
  struct Slot;

  GrpcDriver(LoadPlan plan, RunStats* stats);

  // Starts the slot's next call; `due` is when latency counts from.
  void Issue(Slot* slot, absl::Time due);
  void OnDone(Slot* slot, const grpc::Status& status);
  // Takes one call from the budget; false when stopping or all are issued.
  bool TakeCallLocked();
  // The fixed-rate thread.
  void Pace();

  const LoadPlan plan_;
  RunStats* const stats_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<sip::v1::CredentialListMappingService::Stub>>
      stubs_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<int64_t> next_index_{0};
  std::thread pacer_;

  std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  int64_t issued_ = 0;
  int64_t in_flight_ = 0;
  // Slots with no call in flight; used at a fixed rate.
  std::vector<Slot*> idle_;
};

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_GRPC_DRIVER_H_
