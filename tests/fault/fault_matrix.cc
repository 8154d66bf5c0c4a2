#include "tests/fault/fault_matrix.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace twilio_gateway::fault {
namespace {

using ::grpc::StatusCode;
using ::twilio_gateway::testing::DeliveryFault;
using ::twilio_gateway::testing::ScriptedAnswer;

std::string TwilioError(int code, int status, absl::string_view message) {
  return absl::StrFormat(
      R"({"code": %d, "message": "%s", "more_info": )"
      R"("https://www.twilio.com/docs/errors/%d", "status": %d})",
      code, message, code, status);
}

// A canned answer: the request has no effect on the emulator's state.
ScriptedAnswer Canned(int status, int times = 1) {
  ScriptedAnswer rule;
  rule.status = status;
  rule.times = times;
  rule.body = TwilioError(20000 + status, status, "scripted");
  rule.headers.emplace_back("Content-Type", "application/json");
  return rule;
}

// The emulator acts on the request; only the answer is touched.
ScriptedAnswer Applied() {
  ScriptedAnswer rule;
  rule.status = 0;
  return rule;
}

Outcome O(StatusCode code, int requests, int mappings) {
  return Outcome{code, requests, mappings};
}

// Every RPC recovers with one retry: Create, Get and List end as without
// the fault; `create_requests` says how many requests the create took.
FaultRow Recovers(std::string name, std::string description,
                  std::vector<ScriptedAnswer> rules, int create_requests) {
  FaultRow row;
  row.name = std::move(name);
  row.description = std::move(description);
  row.rules = std::move(rules);
  row.create = O(StatusCode::OK, create_requests, 1);
  row.get = O(StatusCode::OK, 2, 1);
  row.list = O(StatusCode::OK, 2, 1);
  row.del = O(StatusCode::OK, 2, 0);
  return row;
}

// Every RPC fails with `code` after `requests` requests, changing nothing.
FaultRow Fails(std::string name, std::string description,
               std::vector<ScriptedAnswer> rules, StatusCode code,
               int requests) {
  FaultRow row;
  row.name = std::move(name);
  row.description = std::move(description);
  row.rules = std::move(rules);
  row.create = O(code, requests, 0);
  row.get = O(code, requests, 1);
  row.list = O(code, requests, 1);
  row.del = O(code, requests, 1);
  return row;
}

std::string Cell(const Outcome& outcome) {
  const char* code = "?";
  switch (outcome.code) {
    case StatusCode::OK:
      code = "OK";
      break;
    case StatusCode::UNAVAILABLE:
      code = "UNAVAILABLE";
      break;
    case StatusCode::RESOURCE_EXHAUSTED:
      code = "RESOURCE_EXHAUSTED";
      break;
    case StatusCode::INTERNAL:
      code = "INTERNAL";
      break;
    case StatusCode::DEADLINE_EXCEEDED:
      code = "DEADLINE_EXCEEDED";
      break;
    default:
      break;
  }
  return absl::StrCat("`", code, "` · ", outcome.upstream_requests, " · ",
                      outcome.mappings_after);
}

}  // namespace

const char* RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kCreate:
      return "Create";
    case Rpc::kGet:
      return "Get";
    case Rpc::kList:
      return "List";
    case Rpc::kDelete:
      return "Delete";
  }
  return "?";
}

const Outcome& FaultRow::For(Rpc rpc) const {
  switch (rpc) {
    case Rpc::kCreate:
      return create;
    case Rpc::kGet:
      return get;
    case Rpc::kList:
      return list;
    case Rpc::kDelete:
      return del;
  }
  return get;
}

std::vector<FaultRow> FaultMatrix() {
  std::vector<FaultRow> rows;

  FaultRow none;
  none.name = "none";
  none.description = "no fault";
  none.create = O(StatusCode::OK, 1, 1);
  none.get = O(StatusCode::OK, 1, 1);
  none.list = O(StatusCode::OK, 1, 1);
  none.del = O(StatusCode::OK, 1, 0);
  rows.push_back(none);

  ScriptedAnswer busy = Canned(429);
  busy.headers.emplace_back("Retry-After", "1");
  rows.push_back(Recovers(
      "http_429_retry_after",
      "429 once, with `Retry-After: 1` (honoured: the retry waits 1 s)", {busy},
      2));

  rows.push_back(Fails("http_429_always", "429 on every request",
                       {Canned(429, -1)}, StatusCode::RESOURCE_EXHAUSTED, 4));

  ScriptedAnswer far = Canned(429);
  far.headers.emplace_back("Retry-After", "60");
  rows.push_back(Fails("retry_after_past_deadline",
                       "429 once, with `Retry-After: 60`, beyond the 5 s "
                       "deadline: no wait, the 429 is the answer",
                       {far}, StatusCode::RESOURCE_EXHAUSTED, 1));

  // A 5xx leaves a create unclear: the gateway fetches before it resends.
  for (int status : {502, 503, 504}) {
    rows.push_back(
        Recovers(absl::StrCat("http_", status, "_once"),
                 absl::StrCat(status, " once (the request had no effect)"),
                 {Canned(status)}, 3));
  }

  rows.push_back(Fails("http_500_always", "500 on every request",
                       {Canned(500, -1)}, StatusCode::UNAVAILABLE, 4));

  ScriptedAnswer slow = Applied();
  slow.delay = absl::Milliseconds(100);
  FaultRow delayed = none;
  delayed.name = "delay";
  delayed.description = "answer 100 ms late, within the attempt timeout";
  delayed.rules = {slow};
  rows.push_back(delayed);

  ScriptedAnswer late = Applied();
  late.delay = absl::Seconds(1);
  rows.push_back(Recovers("late_answer_applied",
                          "request applied, answer 1 s late: past the "
                          "attempt timeout (400 ms)",
                          {late}, 2));

  ScriptedAnswer closed = Applied();
  closed.fault = DeliveryFault::kCloseBeforeAnswer;
  rows.push_back(Recovers("close_before_answer_applied",
                          "request applied, connection closed before the "
                          "answer (answer lost)",
                          {closed}, 2));

  ScriptedAnswer refused = Canned(503);
  refused.fault = DeliveryFault::kCloseBeforeAnswer;
  rows.push_back(Recovers("close_before_answer_not_applied",
                          "connection closed before the answer, request not "
                          "applied",
                          {refused}, 3));

  ScriptedAnswer cut = Applied();
  cut.fault = DeliveryFault::kCloseInHeaders;
  rows.push_back(Recovers("close_in_headers_applied",
                          "request applied, connection closed in the middle "
                          "of the answer's headers",
                          {cut}, 2));

  ScriptedAnswer truncated = Applied();
  truncated.fault = DeliveryFault::kTruncateBody;
  rows.push_back(Recovers("truncated_body_applied",
                          "request applied, answer's body cut short "
                          "(connection closed mid-body)",
                          {truncated}, 2));

  ScriptedAnswer malformed;
  malformed.status = 200;
  malformed.body = "{\"sid\": ";
  FaultRow broken;
  broken.name = "malformed_body";
  broken.description =
      "200 with a body that is not JSON (canned: Twilio did nothing); a "
      "delete has no body to read, so it believes the 200";
  broken.rules = {malformed};
  broken.create = O(StatusCode::INTERNAL, 1, 0);
  broken.get = O(StatusCode::INTERNAL, 1, 1);
  broken.list = O(StatusCode::INTERNAL, 1, 1);
  broken.del = O(StatusCode::OK, 1, 1);
  rows.push_back(broken);

  ScriptedAnswer silent = Canned(503);
  silent.never_answer = true;
  rows.push_back(Recovers("never_answered_once",
                          "connection accepted, never answered, request not "
                          "applied (attempt timeout, 400 ms)",
                          {silent}, 3));

  ScriptedAnswer lost = Applied();
  lost.never_answer = true;
  rows.push_back(Recovers("answer_lost_applied",
                          "request applied, answer never sent (attempt "
                          "timeout, 400 ms)",
                          {lost}, 2));

  ScriptedAnswer dead = Canned(503, -1);
  dead.never_answer = true;
  rows.push_back(Fails("never_answered_always",
                       "no request ever answered (4 attempt timeouts, well "
                       "inside the 5 s deadline)",
                       {dead}, StatusCode::UNAVAILABLE, 4));

  FaultRow unreachable = Fails("unreachable",
                               "nothing listens at Twilio's address "
                               "(connection refused: 4 attempts, none "
                               "arrives)",
                               {}, StatusCode::UNAVAILABLE, 0);
  unreachable.setup = Setup::kUnreachable;
  rows.push_back(unreachable);

  FaultRow idle = none;
  idle.name = "idle_close";
  idle.description =
      "pooled keep-alive connection closed by the server while idle: a new "
      "connection, not a retry";
  idle.setup = Setup::kIdleClose;
  rows.push_back(idle);

  return rows;
}

std::string FaultMatrixMarkdown() {
  std::string out =
      "# Fault matrix\n\n"
      "Generated from `tests/fault/fault_matrix.cc` by `fault_matrix_table`;"
      " the test\n`fault_matrix.doc_is_current` fails when this file and the"
      " code disagree.\nEach row is checked by `fault_matrix_test` against"
      " the real gateway in front of\nthe Twilio emulator"
      " (`FaultMatrix/FaultMatrixTest.*`).\n\n"
      "Each cell: the gRPC code the caller gets · the requests Twilio (the"
      " emulator)\nreceived for the call · the mappings the domain holds"
      " afterwards. Create starts\nwith none; Get, List and Delete with the"
      " one mapping they name. Settings: 4\nattempts in all, backoff 2-10 ms"
      " (full jitter), attempt timeout 400 ms, the\ncaller's deadline 5 s."
      " A create whose outcome is unclear is followed by a GET\nof the"
      " mapping, counted among the requests; it is never sent twice while"
      " its\nfate is unknown. Faults hit the first request of the call"
      " unless the row\nsays otherwise.\n\n"
      "| fault | Create | Get | List | Delete |\n"
      "|---|---|---|---|---|\n";
  for (const FaultRow& row : FaultMatrix()) {
    absl::StrAppend(&out, "| ", row.description, " (`", row.name, "`) | ",
                    Cell(row.create), " | ", Cell(row.get), " | ",
                    Cell(row.list), " | ", Cell(row.del), " |\n");
  }
  return out;
}

}  // namespace twilio_gateway::fault
