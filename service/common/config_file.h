#ifndef SERVICE_COMMON_CONFIG_FILE_H_
#define SERVICE_COMMON_CONFIG_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace twilio_gateway {

// Who besides the gateway's own user may have access to a configuration
// file for it to be accepted.
enum class FileAccess {
  // Any mode: the file holds nothing secret (tokens hashes, a policy).
  kAnyMode,
  // Refused when other users may read or write it: a file of secrets they
  // could read is already leaked, and one they could write could be made
  // to hold credentials of their choosing.
  kOwnerAndGroupOnly,
};

// Reads an operator's configuration file of at most 1 MiB. The cap keeps a
// wrong path (a log file, /dev/zero) from being read into memory. The mode
// is checked on the file actually opened, after every symlink.
//
// Returns the code matching errno (NOT_FOUND, PERMISSION_DENIED, ...) when
// it cannot be read, and FAILED_PRECONDITION when it is not a regular file,
// is too large, or is open to other users against `access`. Messages do not
// repeat the path; callers put it in front.
absl::StatusOr<std::string> ReadConfigFile(const std::string& path,
                                           FileAccess access);

}  // namespace twilio_gateway

#endif  // SERVICE_COMMON_CONFIG_FILE_H_
