// The credentials file is operator input, re-read whenever it changes. A
// broken file must become a clean error (the last good file stays), never a
// crash, and an error must not quote the file, which holds secrets.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credentials_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<twilio_gateway::credentials::CredentialsFile> file =
      twilio_gateway::credentials::ParseCredentialsFile(text);
  if (file.ok()) {
    // What parses must also pass the store's own checks, as documented.
    if (!twilio_gateway::credentials::ValidateAccountEntries(
             file->accounts, file->default_account_sid)
             .ok()) {
      __builtin_trap();
    }
    return 0;
  }
  if (file.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
