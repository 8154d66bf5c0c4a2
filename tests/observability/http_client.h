#ifndef TESTS_OBSERVABILITY_HTTP_CLIENT_H_
#define TESTS_OBSERVABILITY_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"

namespace twilio_gateway::testing {

// One HTTP answer as a test sees it.
struct HttpAnswer {
  long status = 0;
  std::string content_type;
  std::string body;
};

// Sends one request with libcurl (no proxy, 10 s timeout) and returns the
// answer of any status. Fails with UNAVAILABLE when no answer came.
absl::StatusOr<HttpAnswer> HttpFetch(const std::string& method,
                                     const std::string& url);

// GET http://127.0.0.1:{port}{path}.
absl::StatusOr<HttpAnswer> LocalGet(int port, const std::string& path);

}  // namespace twilio_gateway::testing

#endif  // TESTS_OBSERVABILITY_HTTP_CLIENT_H_
