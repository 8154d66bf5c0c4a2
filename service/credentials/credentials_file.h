#ifndef SERVICE_CREDENTIALS_CREDENTIALS_FILE_H_
#define SERVICE_CREDENTIALS_CREDENTIALS_FILE_H_

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/credentials/credential_store.h"

namespace twilio_gateway::credentials {

// Where the gateway's Twilio credentials come from: a JSON file (usually a
// mounted Kubernetes Secret) and the environment.
//
// The file
// --------
// One JSON object:
//
//   {
//     "default_account_sid": "AC00000000000000000000000000000001",
//     "accounts": [
//       {"account_sid": "AC00000000000000000000000000000001",
//        "auth_token": "<auth token>"},
//       {"account_sid": "AC00000000000000000000000000000002",
//        "api_key_sid": "SK00000000000000000000000000000003",
//        "api_key_secret": "<API key secret>"},
//       {"account_sid": "AC00000000000000000000000000000004",
//        "parent_account_sid": "AC00000000000000000000000000000001"}
//     ]
//   }
//
// - `accounts` (required, at least one entry). Each entry has `account_sid`
//   and exactly one kind of credential:
//     `auth_token`                     the account's own auth token;
//     `api_key_sid` + `api_key_secret` an API key (SK…) of the account;
//     `parent_account_sid`             a subaccount, which acts with the
//                                      credentials of that parent entry.
//   A parent must be another entry of the same file that holds its own
//   credentials: no chains, no cycles, no parent from the environment.
// - `default_account_sid` (optional): the account used when a caller names
//   none; it must be one of `accounts`. Without it (and without an account
//   from the environment) callers must always name the account.
// - SIDs are "AC" or "SK" followed by 32 hex digits of either case; an
//   account may be listed once. Secrets must be non-empty and free of
//   whitespace and control characters.
// - Anything else is an error: unknown keys (a misspelt "auth_tokn" must not
//   pass silently), a key given twice in one object, values that are not
//   strings, JSON `null`.
//
// The environment
// ---------------
// Twilio's own names: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or with
// TWILIO_API_KEY and TWILIO_API_SECRET. An empty variable counts as unset.
// When the auth token and a complete API key pair are both set, the API key
// is used: it is the credential Twilio recommends for servers and can be
// revoked alone. A half-given pair is an error even then.
//
// Errors never quote a secret or any excerpt of the file; they name the
// place (a JSON path, a line and column, an environment variable).

// The accounts a credentials file lists, in file order, and its default
// account ("" when it names none). Holds secrets; never print it.
struct CredentialsFile {
  std::string default_account_sid;
  std::vector<AccountEntry> accounts;
};

// Parses and validates the text of a credentials file (format above). The
// result passes ValidateAccountEntries on its own.
//
// Returns InvalidArgument saying where the problem is, such as
// "accounts[2].auth_token is empty" or "not valid JSON (syntax error at
// line 3, column 17)". Never throws, whatever the input.
absl::StatusOr<CredentialsFile> ParseCredentialsFile(absl::string_view json);

// Reads the file at `path` and parses it with ParseCredentialsFile. Every
// message starts with "credentials file <path>: ".
//
// Returns the code matching errno when the file cannot be read (NOT_FOUND,
// PERMISSION_DENIED, …), FAILED_PRECONDITION when `path` is not a regular
// file, exceeds 1 MiB, or is readable or writable by other users (its mode
// has o+r or o+w; the message says how to fix it), and INVALID_ARGUMENT for
// its contents.
absl::StatusOr<CredentialsFile> ReadCredentialsFile(const std::string& path);

// What LoadCredentials reads from.
struct CredentialSources {
  // The credentials file; empty means none.
  std::string file_path;
  // Looks up an environment variable; tests substitute a fake. Returns null
  // for an unset variable. An empty function means no environment.
  std::function<const char*(const char*)> getenv = ::getenv;
};

// Builds the snapshot the gateway starts with (or reloads) from `sources`.
//
// The file and the environment both contribute. For an account in both, the
// file's entry wins. The file's default account wins; otherwise the
// environment's account is the default.
//
// Fails with:
//   FAILED_PRECONDITION  neither source holds credentials; or the file
//                        cannot be used (see ReadCredentialsFile).
//   INVALID_ARGUMENT     the file is invalid, or the environment is half
//                        given or malformed; the message names the variable
//                        ("TWILIO_API_KEY is set but TWILIO_API_SECRET is
//                        not"), never its value.
//   NOT_FOUND, PERMISSION_DENIED, …  the file cannot be read.
absl::StatusOr<std::shared_ptr<const CredentialSnapshot>> LoadCredentials(
    const CredentialSources& sources);

}  // namespace twilio_gateway::credentials

#endif  // SERVICE_CREDENTIALS_CREDENTIALS_FILE_H_
