// soak_driver: calls the gateway from several threads for a set time, each
// thread cycling Create, Get, List and Delete over mappings of its own, and
// prints how many calls ended with each gRPC code, per RPC, as JSON.
//
//   soak_driver --target=127.0.0.1:50051 --duration=600s --threads=8
//
// Every loop is bounded by --duration; each call by --call_timeout.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "twilio_gateway/sip/v1/credential_list_mapping_service.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "The gateway, HOST:PORT.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(60), "How long to run.");
ABSL_FLAG(int, threads, 8, "Callers working at once.");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(5),
          "Deadline of each call.");
ABSL_FLAG(std::string, domain_sid, "SD00000000000000000000000000005a4e",
          "The SIP domain the calls work on.");

namespace {

namespace v1 = ::twilio_gateway::sip::v1;

const char* const kRpcs[] = {"Create", "Get", "List", "Delete"};

// Counts per RPC and code, shared by the threads.
class Tally {
 public:
  void Add(int rpc, grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[rpc][code];
    ++total_;
  }

  std::string Json() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = absl::StrCat("{\"calls\": ", total_, ", \"by_rpc\": {");
    for (int rpc = 0; rpc < 4; ++rpc) {
      absl::StrAppend(&out, rpc ? ", " : "", "\"", kRpcs[rpc], "\": {");
      auto it = counts_.find(rpc);
      bool first = true;
      if (it != counts_.end()) {
        for (const auto& [code, count] : it->second) {
          absl::StrAppend(&out, first ? "" : ", ", "\"", CodeName(code),
                          "\": ", count);
          first = false;
        }
      }
      absl::StrAppend(&out, "}");
    }
    absl::StrAppend(&out, "}}");
    return out;
  }

 private:
  static const char* CodeName(grpc::StatusCode code) {
    switch (code) {
      case grpc::StatusCode::OK:
        return "OK";
      case grpc::StatusCode::CANCELLED:
        return "CANCELLED";
      case grpc::StatusCode::INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
      case grpc::StatusCode::NOT_FOUND:
        return "NOT_FOUND";
      case grpc::StatusCode::ALREADY_EXISTS:
        return "ALREADY_EXISTS";
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case grpc::StatusCode::FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
      case grpc::StatusCode::INTERNAL:
        return "INTERNAL";
      case grpc::StatusCode::UNAVAILABLE:
        return "UNAVAILABLE";
      default:
        return "OTHER";
    }
  }

  mutable std::mutex mu_;
  std::map<int, std::map<grpc::StatusCode, long>> counts_;
  long total_ = 0;
};

void Work(int worker, v1::CredentialListMappingService::Stub* stub,
          absl::Time end, Tally* tally) {
  const absl::Duration timeout = absl::GetFlag(FLAGS_call_timeout);
  const std::string domain = absl::GetFlag(FLAGS_domain_sid);
  for (int round = 0; absl::Now() < end; ++round) {
    // Each thread owns its lists, so no two threads race on one mapping.
    const std::string list =
        absl::StrFormat("CL%016x%016x", worker + 1, round % 64);
    for (int rpc = 0; rpc < 4 && absl::Now() < end; ++rpc) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
      grpc::Status status;
      switch (rpc) {
        case 0: {
          v1::CreateCredentialListMappingRequest request;
          request.set_domain_sid(domain);
          request.set_credential_list_sid(list);
          v1::CredentialListMapping response;
          status =
              stub->CreateCredentialListMapping(&context, request, &response);
          break;
        }
        case 1: {
          v1::GetCredentialListMappingRequest request;
          request.set_domain_sid(domain);
          request.set_sid(list);
          v1::CredentialListMapping response;
          status = stub->GetCredentialListMapping(&context, request, &response);
          break;
        }
        case 2: {
          v1::ListCredentialListMappingsRequest request;
          request.set_domain_sid(domain);
          request.set_page_size(20);
          v1::ListCredentialListMappingsResponse response;
          status =
              stub->ListCredentialListMappings(&context, request, &response);
          break;
        }
        default: {
          v1::DeleteCredentialListMappingRequest request;
          request.set_domain_sid(domain);
          request.set_sid(list);
          google::protobuf::Empty response;
          status =
              stub->DeleteCredentialListMapping(&context, request, &response);
          break;
        }
      }
      tally->Add(rpc, status.error_code());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::CredentialListMappingService::NewStub(channel);
  const absl::Time end = absl::Now() + absl::GetFlag(FLAGS_duration);
  Tally tally;
  std::vector<std::thread> workers;
  for (int i = 0; i < absl::GetFlag(FLAGS_threads); ++i) {
    workers.emplace_back(Work, i, stub.get(), end, &tally);
  }
  for (auto& worker : workers) worker.join();
  std::printf("%s\n", tally.Json().c_str());
  return 0;
}
