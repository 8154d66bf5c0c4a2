#ifndef TESTS_TWILIO_EMULATOR_REST_HANDLER_H_
#define TESTS_TWILIO_EMULATOR_REST_HANDLER_H_

#include <functional>
#include <vector>

#include "absl/time/time.h"
#include "tests/twilio_emulator/basic_auth.h"
#include "tests/twilio_emulator/http_message.h"
#include "tests/twilio_emulator/mapping_store.h"

namespace twilio_gateway {
namespace testing {

/// Twilio error codes the emulator answers with. Where Twilio documents no
/// number for a case, the number is the emulator's choice (noted below);
/// clients should not depend on those numbers alone.
inline constexpr int kErrorInvalidParameter = 20001;  // emulator's choice
inline constexpr int kErrorAuthentication = 20003;
inline constexpr int kErrorMethodNotAllowed = 20004;
inline constexpr int kErrorNotFound = 20404;
inline constexpr int kErrorAlreadyMapped = 21231;  // inferred, see UPSTREAM
inline constexpr int kErrorInvalidPageToken = 21481;

/// Twilio's REST semantics for
/// `/2010-04-01/Accounts/{AC}/SIP/Domains/{SD}/Auth/Registrations/
/// CredentialListMappings`: Basic authentication, routing, validation,
/// create/fetch/list/delete against a `MappingStore`, and Twilio-shaped
/// JSON bodies and errors. No I/O: one request in, one answer out.
class RestHandler {
 public:
  /// `store` must outlive the handler.
  RestHandler(std::vector<EmulatorCredential> credentials,
              std::function<absl::Time()> clock, MappingStore* store);

  /// The answer Twilio would give to `request`. Never fails: every
  /// problem with the request becomes a Twilio error answer. Safe to call
  /// from several threads.
  HttpResponse Handle(const RecordedRequest& request) const;

 private:
  std::vector<EmulatorCredential> credentials_;
  std::function<absl::Time()> clock_;
  MappingStore* store_;
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_REST_HANDLER_H_
