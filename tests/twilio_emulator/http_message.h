#ifndef TESTS_TWILIO_EMULATOR_HTTP_MESSAGE_H_
#define TESTS_TWILIO_EMULATOR_HTTP_MESSAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {

/// Header fields in the order they were sent, names spelled as sent.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// A request as the emulator received it, before any interpretation.
struct RecordedRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query exactly as on the request line
  HeaderList headers;
  std::string body;
  /// The client's port: requests over one connection share it, so tests
  /// count connections without looking at the machine's socket table,
  /// which other processes share.
  int peer_port = 0;
};

/// An answer the emulator is about to send.
struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
};

/// How an answer reaches the client, or fails to: the faults a real
/// server and network produce.
enum class DeliveryFault {
  kNone,               ///< the whole answer
  kCloseBeforeAnswer,  ///< the connection closes without a byte of answer
  kCloseInHeaders,     ///< part of the status line and headers, then close
  kTruncateBody,       ///< the headers (announcing the whole body) and half
                       ///< the body, then close; like kCloseInHeaders when
                       ///< the body is empty
};

/// "close_before_answer", ..., for logs; "none" for kNone.
inline const char* DeliveryFaultName(DeliveryFault fault) {
  switch (fault) {
    case DeliveryFault::kNone:
      return "none";
    case DeliveryFault::kCloseBeforeAnswer:
      return "close_before_answer";
    case DeliveryFault::kCloseInHeaders:
      return "close_in_headers";
    case DeliveryFault::kTruncateBody:
      return "truncate_body";
  }
  return "unknown";
}

/// The value of the first header named `name` (compared without case), or
/// nullptr when there is none.
inline const std::string* FindHeader(const HeaderList& headers,
                                     absl::string_view name) {
  for (const auto& header : headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return &header.second;
  }
  return nullptr;
}

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_HTTP_MESSAGE_H_
