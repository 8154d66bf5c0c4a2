#ifndef SERVICE_CREDENTIALS_CREDENTIAL_WATCHER_H_
#define SERVICE_CREDENTIALS_CREDENTIAL_WATCHER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/common/file_watcher.h"
#include "service/credentials/credential_store.h"
#include "service/credentials/credentials_file.h"

namespace twilio_gateway::credentials {

struct CredentialWatcherOptions {
  // The credentials file (required) and the environment, as at start-up;
  // see LoadCredentials.
  CredentialSources sources;
  // How often the file is looked at; zero or negative: only when PollNow
  // is called (tests).
  absl::Duration interval = absl::Seconds(5);
  // Called after each reload attempt with its outcome (for metrics), on
  // the watcher's thread.
  std::function<void(bool success)> on_reload;
};

// Keeps a CredentialStore in step with the credentials file while the
// gateway serves. When the file changes (a Kubernetes Secret update swaps
// its "..data" link; see FileWatcher) it is read and validated whole, and
// only then swapped into the store, atomically: a call in flight keeps the
// snapshot it started with, the next call gets the new one.
//
// A file that is broken, half written, missing or readable by other users
// leaves the last good snapshot in place. The failure is logged (the error
// names the place, never a secret value) and shows in Detail() until a
// later version of the file loads.
//
// Thread-safe.
class CredentialWatcher {
 public:
  // Loads the file once at once (into `store` when it is good), then
  // watches it. `store` must not be null.
  CredentialWatcher(CredentialWatcherOptions options,
                    std::shared_ptr<CredentialStore> store);

  CredentialWatcher(const CredentialWatcher&) = delete;
  CredentialWatcher& operator=(const CredentialWatcher&) = delete;

  // Looks at the file now and reloads it if it changed.
  void PollNow();

  // Reads the file now, whether or not it changed; returns the outcome.
  absl::Status ReloadNow();

  // OK when the latest read of the file loaded; otherwise why it did not.
  absl::Status last_error() const;

  // "" when the latest read loaded; otherwise a line for readiness
  // detail: the error and since when the last good credentials serve.
  std::string Detail() const;

 private:
  // Reads the file and swaps it in when good; logs either way. `count`:
  // tell `on_reload`.
  absl::Status Load(bool count);

  const CredentialWatcherOptions options_;
  const std::shared_ptr<CredentialStore> store_;

  // Serializes reloads, which may come from the thread and from PollNow.
  std::mutex reload_mu_;

  mutable std::mutex status_mu_;
  absl::Status last_error_;             // Guarded by status_mu_.
  absl::Time last_good_ = absl::Now();  // Guarded by status_mu_.
  absl::Time failing_since_;            // Guarded by status_mu_.

  // Last, so that its thread stops before the members it uses go.
  std::unique_ptr<FileWatcher> watcher_;
};

}  // namespace twilio_gateway::credentials

#endif  // SERVICE_CREDENTIALS_CREDENTIAL_WATCHER_H_
