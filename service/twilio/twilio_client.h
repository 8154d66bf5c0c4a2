#ifndef SERVICE_TWILIO_TWILIO_CLIENT_H_
#define SERVICE_TWILIO_TWILIO_CLIENT_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "service/twilio/http_transport.h"
#include "twilio_gateway/sip/v1/credential_list_mapping.pb.h"

namespace twilio_gateway::twilio {

struct TwilioClientOptions {
  // From TwilioBaseUrl(): scheme and host, no trailing "/".
  std::string base_url = "https://api.twilio.com";
  // From MakeUserAgent().
  std::string user_agent;
};

// "twilio-gateway/{version} ({os} {arch}) {runtime}", the pattern of
// Twilio's own libraries, for example
// "twilio-gateway/0.1.0 (linux x86_64) libcurl/7.88.1".
std::string MakeUserAgent(absl::string_view version, absl::string_view runtime);

// Who a call acts for and until when. The views need only live until the
// call returns: the request is built before it does.
struct CallScope {
  // The account in the request path.
  absl::string_view account_sid;
  // The whole Authorization header value, "Basic …". Never logged.
  absl::string_view authorization;
  absl::string_view domain_sid;
  // Every attempt ends by then.
  absl::Time deadline = absl::InfiniteFuture();
};

// What happened on the wire, for logs and error details.
struct CallReport {
  int attempts = 0;
  // Of the last answer; 0 when none arrived.
  int http_status = 0;
  std::string twilio_request_id;
};

// Twilio's REST API for SIP registration CredentialListMappings. Each
// operation sends one request through the transport and decodes the answer
// into the caller's message; `done` runs on the transport's thread once the
// outcome is known, and the output must stay alive until then.
//
// The client and its transport must outlive every call in flight.
//
// Errors: Twilio's error answers become the codes of TwilioErrorToStatus;
// transport failures keep the transport's codes; a success answer whose body
// is not what Twilio's spec says is INTERNAL. Each carries a GatewayError
// payload.
class TwilioClient {
 public:
  using Done = absl::AnyInvocable<void(absl::Status, const CallReport&) &&>;

  TwilioClient(std::shared_ptr<HttpTransport> transport,
               TwilioClientOptions options);

  // POST {collection}.json with CredentialListSid.
  void CreateMapping(const CallScope& scope,
                     absl::string_view credential_list_sid,
                     twilio_gateway::sip::v1::CredentialListMapping* out,
                     Done done);

  // GET {collection}/{sid}.json.
  void FetchMapping(const CallScope& scope, absl::string_view sid,
                    twilio_gateway::sip::v1::CredentialListMapping* out,
                    Done done);

  // GET {collection}.json, either the first page (`page_size` 0 leaves the
  // size to Twilio) or, when `next_page_query` is not empty, the page that
  // query names: Twilio's next_page_uri query, sent byte for byte. Items are
  // appended to `items`; `next_page_uri` receives Twilio's link to the page
  // after, "" on the last page.
  void ListMappings(const CallScope& scope, int page_size,
                    absl::string_view next_page_query,
                    google::protobuf::RepeatedPtrField<
                        twilio_gateway::sip::v1::CredentialListMapping>* items,
                    std::string* next_page_uri, Done done);

  // DELETE {collection}/{sid}.json.
  void DeleteMapping(const CallScope& scope, absl::string_view sid, Done done);

  const std::string& base_url() const { return options_.base_url; }

 private:
  struct Call;
  using Decode = absl::AnyInvocable<absl::Status(const HttpResponse&)>;

  HttpRequest BaseRequest(const CallScope& scope, HttpMethod method,
                          std::string path_and_query) const;
  void Start(HttpRequest request, std::string operation, Decode decode,
             Done done);

  std::shared_ptr<HttpTransport> transport_;
  TwilioClientOptions options_;
  std::string user_agent_header_;
};

}  // namespace twilio_gateway::twilio

#endif  // SERVICE_TWILIO_TWILIO_CLIENT_H_
