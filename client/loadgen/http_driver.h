#ifndef CLIENT_LOADGEN_HTTP_DRIVER_H_
#define CLIENT_LOADGEN_HTTP_DRIVER_H_

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

namespace twilio_gateway::loadgen {

struct HttpDriverOptions {
  // Twilio's API or a stand-in: "http://127.0.0.1:PORT".
  std::string base_url;
  // HTTP Basic credentials: an Account SID and its auth token.
  std::string username;
  std::string password;
};

// Sends the Twilio REST request a gateway call stands for (GET of one
// mapping, or of a page) straight to Twilio, with libcurl's multi
// interface on one thread: the direct path a gateway is measured against.
// Each slot keeps its own keep-alive connection, so N in flight means N
// connections, as N callers of Twilio's REST API would have. The thread
// waits in epoll and hands libcurl only the sockets that are ready, so a
// thousand slots cost no more per call than a few.
class HttpDriver final : public Driver {
 public:
  // Fails with INVALID_ARGUMENT for a call kind that has no REST request
  // here (create, health), and INTERNAL when libcurl cannot be set up.
  static absl::StatusOr<std::unique_ptr<HttpDriver>> Create(
      LoadPlan plan, HttpDriverOptions options, RunStats* stats);
  ~HttpDriver() override;

  void Start() override;
  int64_t Stop(absl::Duration grace) override;
  bool WaitAllDone(absl::Duration limit) override;

 private:
  struct Slot;
  // libcurl's socket and timer callbacks, which reach the members below.
  struct CurlCallbacks;

  HttpDriver(LoadPlan plan, HttpDriverOptions options, RunStats* stats);

  void Run();
  // Adds the slot's transfer to the multi handle; `due` is when its latency
  // counts from.
  void Issue(Slot* slot, absl::Time due);
  bool TakeCall();
  // Records finished transfers and starts the next ones.
  void Reap(std::vector<Slot*>* idle);
  // Waits for ready sockets, a wakeup or `timeout_ms`, and lets libcurl
  // act on the sockets.
  void WaitForEvents(int timeout_ms);

  const LoadPlan plan_;
  const HttpDriverOptions options_;
  RunStats* const stats_;
  std::string url_;
  void* multi_ = nullptr;  // CURLM*, kept out of this header
  int epoll_fd_ = -1;
  // An eventfd in the epoll set; Stop writes it to wake the loop.
  int wake_fd_ = -1;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable finished_changed_;
  // Set by other threads, read by the loop.
  bool stopping_ = false;
  absl::Time stop_by_ = absl::InfiniteFuture();
  // Set by the loop when it ends.
  bool finished_ = false;
  int64_t left_in_flight_ = 0;

  // Loop thread only.
  absl::Time curl_deadline_ = absl::InfiniteFuture();
  int64_t issued_ = 0;
  int64_t in_flight_ = 0;
};

}  // namespace twilio_gateway::loadgen

#endif  // CLIENT_LOADGEN_HTTP_DRIVER_H_
