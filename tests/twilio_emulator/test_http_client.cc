#include "tests/twilio_emulator/test_http_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway {
namespace testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* out) {
  const absl::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    static_cast<TestReply*>(out)->headers.emplace_back(
        std::string(line.substr(0, colon)),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return size * count;
}

}  // namespace

std::string TestReply::Header(const std::string& name) const {
  for (const auto& header : headers) {
    if (absl::EqualsIgnoreCase(header.first, name)) return header.second;
  }
  return "";
}

nlohmann::json TestReply::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

TestHttpClient::TestHttpClient() : curl_(curl_easy_init()) {}

TestHttpClient::~TestHttpClient() { curl_easy_cleanup(curl_); }

void TestHttpClient::SetCredentials(std::string user, std::string password) {
  user_ = std::move(user);
  password_ = std::move(password);
}

void TestHttpClient::SetHeaders(std::vector<std::string> headers) {
  headers_ = std::move(headers);
}

TestReply TestHttpClient::Send(const std::string& method,
                               const std::string& url, const std::string& body,
                               absl::Duration timeout) {
  TestReply reply;
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply);
  if (!user_.empty()) {
    curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl_, CURLOPT_USERNAME, user_.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, password_.c_str());
  }
  if (method == "POST") {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
  } else if (method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_slist* headers = nullptr;
  for (const std::string& header : headers_) {
    headers = curl_slist_append(headers, header.c_str());
  }
  if (headers != nullptr) curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);

  reply.code = curl_easy_perform(curl_);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  return reply;
}

}  // namespace testing
}  // namespace twilio_gateway
