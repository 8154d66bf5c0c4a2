#include "client/loadgen/grpc_driver.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace twilio_gateway::loadgen {

namespace v1 = ::twilio_gateway::sip::v1;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

// One call's worth of state, reused call after call. Only the thread that
// runs the slot's current call touches it.
struct GrpcDriver::Slot {
  int channel = 0;
  absl::Time due;
  std::unique_ptr<grpc::ClientContext> context;

  v1::GetCredentialListMappingRequest get;
  v1::ListCredentialListMappingsRequest list;
  v1::CreateCredentialListMappingRequest create;
  v1::CredentialListMapping mapping;
  v1::ListCredentialListMappingsResponse page;
  HealthCheckRequest health;
  HealthCheckResponse health_response;
};

absl::StatusOr<std::unique_ptr<GrpcDriver>> GrpcDriver::Create(
    LoadPlan plan, GrpcDriverOptions options, RunStats* stats) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("the gRPC target is empty");
  }
  if (plan.concurrency < 1 || options.channels < 1) {
    return absl::InvalidArgumentError(
        "concurrency and channels must be at least 1");
  }
  std::unique_ptr<GrpcDriver> driver(new GrpcDriver(std::move(plan), stats));
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Each channel gets a connection of its own rather than sharing the
    // process-wide subchannel for the same address.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("twilio_gateway.loadgen.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(
        options.target, grpc::InsecureChannelCredentials(), args);
    driver->stubs_.push_back(
        v1::CredentialListMappingService::NewStub(channel));
    driver->health_stubs_.push_back(grpc::health::v1::Health::NewStub(channel));
    driver->channels_.push_back(std::move(channel));
  }

  const LoadPlan& p = driver->plan_;
  for (int i = 0; i < p.concurrency; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->channel = i % options.channels;
    slot->get.set_account_sid(p.account_sid);
    slot->get.set_domain_sid(p.domain_sid);
    slot->get.set_sid(p.sid);
    slot->list.set_account_sid(p.account_sid);
    slot->list.set_domain_sid(p.domain_sid);
    slot->list.set_page_size(p.page_size);
    slot->create.set_account_sid(p.account_sid);
    slot->create.set_domain_sid(p.domain_sid);
    driver->idle_.push_back(slot.get());
    driver->slots_.push_back(std::move(slot));
  }
  return driver;
}

GrpcDriver::GrpcDriver(LoadPlan plan, RunStats* stats)
    : plan_(std::move(plan)), stats_(stats) {}

GrpcDriver::~GrpcDriver() { Stop(absl::InfiniteDuration()); }

void GrpcDriver::Start() {
  // Connecting first keeps the handshake out of the first calls.
  for (auto& channel : channels_) {
    channel->WaitForConnected(
        absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }
  if (plan_.rate > 0) {
    pacer_ = std::thread([this] { Pace(); });
    return;
  }
  std::vector<Slot*> starting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!idle_.empty() && TakeCallLocked()) {
      starting.push_back(idle_.back());
      idle_.pop_back();
    }
  }
  const absl::Time now = absl::Now();
  for (Slot* slot : starting) Issue(slot, now);
}

bool GrpcDriver::TakeCallLocked() {
  if (stopping_) return false;
  if (plan_.total_calls > 0 && issued_ >= plan_.total_calls) return false;
  ++issued_;
  ++in_flight_;
  return true;
}

void GrpcDriver::Issue(Slot* slot, absl::Time due) {
  slot->due = due;
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + plan_.timeout));
  {
    // Stop may be cancelling the contexts of calls in flight right now.
    std::lock_guard<std::mutex> lock(mu_);
    slot->context = std::move(context);
  }
  auto done = [this, slot](grpc::Status status) { OnDone(slot, status); };
  auto* stub = stubs_[slot->channel]->async();
  switch (plan_.kind) {
    case CallKind::kGet:
      stub->GetCredentialListMapping(slot->context.get(), &slot->get,
                                     &slot->mapping, std::move(done));
      break;
    case CallKind::kList:
      stub->ListCredentialListMappings(slot->context.get(), &slot->list,
                                       &slot->page, std::move(done));
      break;
    case CallKind::kCreate:
      slot->create.set_credential_list_sid(
          SeedListSid(plan_.first_index + next_index_.fetch_add(1)));
      stub->CreateCredentialListMapping(slot->context.get(), &slot->create,
                                        &slot->mapping, std::move(done));
      break;
    case CallKind::kHealth:
      health_stubs_[slot->channel]->async()->Check(
          slot->context.get(), &slot->health, &slot->health_response,
          std::move(done));
      break;
  }
}

void GrpcDriver::OnDone(Slot* slot, const grpc::Status& status) {
  const absl::Duration latency = absl::Now() - slot->due;
  int64_t items = 0;
  const char* outcome = CodeName(status.error_code());
  if (status.ok() && plan_.kind == CallKind::kList) {
    items = slot->page.credential_list_mappings_size();
  }
  if (status.ok() && plan_.kind == CallKind::kHealth &&
      slot->health_response.status() != HealthCheckResponse::SERVING) {
    outcome = "OK (not SERVING)";
  }
  stats_->Record(outcome, latency, items);

  bool again = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (plan_.rate > 0) {
      idle_.push_back(slot);
    } else {
      again = TakeCallLocked();
    }
    if (in_flight_ == 0) changed_.notify_all();
  }
  if (again) Issue(slot, absl::Now());
}

void GrpcDriver::Pace() {
  const absl::Time start = absl::Now();
  const absl::Duration interval = absl::Seconds(1) / plan_.rate;
  for (int64_t n = 0;; ++n) {
    const absl::Time due = start + n * interval;
    const absl::Duration wait = due - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    Slot* slot = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      if (plan_.total_calls > 0 && issued_ >= plan_.total_calls) return;
      if (!idle_.empty()) {
        slot = idle_.back();
        idle_.pop_back();
        TakeCallLocked();
      }
    }
    if (slot == nullptr) {
      stats_->CountSkipped();
      continue;
    }
    Issue(slot, due);
  }
}

int64_t GrpcDriver::Stop(absl::Duration grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (pacer_.joinable()) pacer_.join();
  std::unique_lock<std::mutex> lock(mu_);
  const auto until = absl::ToChronoTime(absl::Now() + grace);
  if (grace == absl::InfiniteDuration()) {
    changed_.wait(lock, [this] { return in_flight_ == 0; });
  } else {
    changed_.wait_until(lock, until, [this] { return in_flight_ == 0; });
  }
  const int64_t left = in_flight_;
  if (left > 0) {
    // The calls still out must end before their slots go away.
    for (auto& slot : slots_) {
      if (slot->context != nullptr) slot->context->TryCancel();
    }
    changed_.wait(lock, [this] { return in_flight_ == 0; });
  }
  return left;
}

bool GrpcDriver::WaitAllDone(absl::Duration limit) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_until(
      lock, absl::ToChronoTime(absl::Now() + limit), [this] {
        return in_flight_ == 0 &&
               (plan_.total_calls == 0 || issued_ >= plan_.total_calls);
      });
}

}  // namespace twilio_gateway::loadgen
