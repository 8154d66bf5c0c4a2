#ifndef TESTS_FAULT_FAULT_MATRIX_H_
#define TESTS_FAULT_FAULT_MATRIX_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "tests/twilio_emulator/answer_script.h"

namespace twilio_gateway::fault {

// The four RPCs, in the table's column order.
enum class Rpc { kCreate, kGet, kList, kDelete };
inline constexpr Rpc kAllRpcs[] = {Rpc::kCreate, Rpc::kGet, Rpc::kList,
                                   Rpc::kDelete};
const char* RpcName(Rpc rpc);

// What a caller and Twilio end up with after one RPC under one fault.
struct Outcome {
  grpc::StatusCode code = grpc::StatusCode::OK;
  // Requests the emulator received for the RPC: the gateway's attempts.
  int upstream_requests = 1;
  // Mappings the domain holds afterwards. Create starts from none, the
  // others from the one mapping they name.
  int mappings_after = 0;
};

// How a row reaches its fault.
enum class Setup {
  kScript,       // the rules below, added to the emulator's script
  kUnreachable,  // nothing listens where Twilio should be
  kIdleClose,    // the emulator closes idle keep-alive connections quickly,
                 // and the RPC comes after one was closed
};

// One fault, and what each RPC must do under it.
struct FaultRow {
  std::string name;         // for test names: letters and underscores
  std::string description;  // for the table
  Setup setup = Setup::kScript;
  std::vector<testing::ScriptedAnswer> rules;
  Outcome create, get, list, del;

  const Outcome& For(Rpc rpc) const;
};

// The gateway's settings under which the matrix holds: 4 attempts, a short
// backoff and attempt timeout, so slow rows stay fast.
struct MatrixSettings {
  int max_attempts = 4;
  absl::Duration backoff_base = absl::Milliseconds(2);
  absl::Duration backoff_cap = absl::Milliseconds(10);
  absl::Duration attempt_timeout = absl::Milliseconds(400);
  absl::Duration call_deadline = absl::Seconds(5);
};

// Every fault the emulator can inject, against every RPC: the single source
// of the fault matrix test and of the table in FAULT_MATRIX.md.
std::vector<FaultRow> FaultMatrix();

// The matrix as a Markdown document (the committed FAULT_MATRIX.md).
std::string FaultMatrixMarkdown();

}  // namespace twilio_gateway::fault

#endif  // TESTS_FAULT_FAULT_MATRIX_H_
