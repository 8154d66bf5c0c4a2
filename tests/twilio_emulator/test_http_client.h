#ifndef TESTS_TWILIO_EMULATOR_TEST_HTTP_CLIENT_H_
#define TESTS_TWILIO_EMULATOR_TEST_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace twilio_gateway {
namespace testing {

/// What a test client got back.
struct TestReply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header of that name (compared without case), or "".
  std::string Header(const std::string& name) const;
  /// The body as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
};

/// A blocking HTTP client over one libcurl easy handle, so consecutive
/// calls reuse one keep-alive connection. The URL is sent as given: curl
/// does not re-encode it, which the page token tests rely on.
class TestHttpClient {
 public:
  TestHttpClient();
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  /// Basic credentials for later calls; an empty user sends none.
  void SetCredentials(std::string user, std::string password);
  /// Extra request headers for later calls, "Name: value" each.
  void SetHeaders(std::vector<std::string> headers);

  TestReply Send(const std::string& method, const std::string& url,
                 const std::string& body = "",
                 absl::Duration timeout = absl::Seconds(30));

 private:
  CURL* curl_;
  std::string user_;
  std::string password_;
  std::vector<std::string> headers_;
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_TEST_HTTP_CLIENT_H_
