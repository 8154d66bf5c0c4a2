#include "service/credentials/credential_watcher.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "service/common/json_log.h"

namespace twilio_gateway::credentials {

CredentialWatcher::CredentialWatcher(CredentialWatcherOptions options,
                                     std::shared_ptr<CredentialStore> store)
    : options_(std::move(options)), store_(std::move(store)) {
  // The fingerprint is taken before the first read, so a change that lands
  // in between is seen by the next poll rather than missed.
  watcher_ = std::make_unique<FileWatcher>(
      std::vector<std::string>{options_.sources.file_path}, options_.interval,
      // The outcome is logged and kept for Detail(); nothing else to do.
      [this](const std::string&) { Load(/*count=*/true).IgnoreError(); });
  // The start-up load is not a reload, so it is not counted.
  Load(/*count=*/false).IgnoreError();
}

void CredentialWatcher::PollNow() { watcher_->PollNow(); }

absl::Status CredentialWatcher::ReloadNow() { return Load(/*count=*/true); }

absl::Status CredentialWatcher::Load(bool count) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  absl::StatusOr<std::shared_ptr<const CredentialSnapshot>> snapshot =
      LoadCredentials(options_.sources);
  const absl::Time now = absl::Now();
  if (!snapshot.ok()) {
    {
      std::lock_guard<std::mutex> status_lock(status_mu_);
      if (last_error_.ok()) failing_since_ = now;
      last_error_ = snapshot.status();
    }
    // The message names the place in the file, never a value from it.
    LogLine(spdlog::level::warn,
            "credentials reload failed; the last good credentials stay in use")
        .Field("credentials_file", options_.sources.file_path)
        .Field("error", snapshot.status().message());
    if (count && options_.on_reload) options_.on_reload(false);
    return snapshot.status();
  }

  const std::string accounts = absl::StrJoin((*snapshot)->account_sids(), ",");
  const std::string default_account = (*snapshot)->default_account_sid();
  store_->Replace(*std::move(snapshot));
  {
    std::lock_guard<std::mutex> status_lock(status_mu_);
    last_error_ = absl::OkStatus();
    last_good_ = now;
  }
  // The start-up load repeats what main() has just read and logged.
  if (count) {
    LogLine(spdlog::level::info, "credentials reloaded")
        .Field("credentials_file", options_.sources.file_path)
        .Field("default_account_sid", default_account)
        .Field("accounts", accounts);
    if (options_.on_reload) options_.on_reload(true);
  }
  return absl::OkStatus();
}

absl::Status CredentialWatcher::last_error() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return last_error_;
}

std::string CredentialWatcher::Detail() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  if (last_error_.ok()) return std::string();
  return absl::StrCat(
      "credentials: the file failed to load since ",
      absl::FormatTime(absl::RFC3339_sec, failing_since_, absl::UTCTimeZone()),
      " (", last_error_.message(), "); serving the credentials loaded at ",
      absl::FormatTime(absl::RFC3339_sec, last_good_, absl::UTCTimeZone()));
}

}  // namespace twilio_gateway::credentials
