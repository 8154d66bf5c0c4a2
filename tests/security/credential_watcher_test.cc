// The credentials file followed while the gateway runs: Kubernetes' "..data"
// swap, broken and half-written files, files other users may read.

#include "service/credentials/credential_watcher.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/security/security_test_support.h"

namespace twilio_gateway::credentials {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::twilio_gateway::security_testing::KubernetesVolume;
using ::twilio_gateway::security_testing::StderrCapture;
using ::twilio_gateway::security_testing::TempFolder;
using ::twilio_gateway::security_testing::WriteFileAtomically;
using ::twilio_gateway::security_testing::WriteFileInPlace;

constexpr char kAccount[] = "AC00000000000000000000000000000001";
constexpr char kOldSecret[] = "OldSecretWatcherTest0123456789ab";
constexpr char kNewSecret[] = "NewSecretWatcherTest0123456789cd";

std::string CredentialsJson(const std::string& secret) {
  return absl::StrCat(R"({"default_account_sid": ")", kAccount,
                      R"(", "accounts": [{"account_sid": ")", kAccount,
                      R"(", "auth_token": ")", secret, R"("}]})");
}

std::string HeaderFor(const std::string& secret) {
  return absl::StrCat("Basic ",
                      absl::Base64Escape(absl::StrCat(kAccount, ":", secret)));
}

std::string CurrentHeader(const CredentialStore& store) {
  auto credential = store.Current()->Resolve("");
  return credential.ok() ? credential->authorization_header : "";
}

CredentialWatcherOptions Options(const std::string& path,
                                 std::vector<bool>* reloads = nullptr) {
  CredentialWatcherOptions options;
  options.sources.file_path = path;
  options.sources.getenv = nullptr;
  options.interval = absl::ZeroDuration();
  if (reloads != nullptr) {
    options.on_reload = [reloads](bool success) {
      reloads->push_back(success);
    };
  }
  return options;
}

class CredentialWatcherTest : public ::testing::Test {
 protected:
  CredentialWatcherTest() : volume_(folder_.path(), "credentials.json") {}

  TempFolder folder_;
  KubernetesVolume volume_;
  std::shared_ptr<CredentialStore> store_ = std::make_shared<CredentialStore>();
};

TEST_F(CredentialWatcherTest, KubernetesDataSwapIsPickedUp) {
  volume_.Update(CredentialsJson(kOldSecret));
  std::vector<bool> reloads;
  CredentialWatcher watcher(Options(volume_.path(), &reloads), store_);
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kOldSecret));

  watcher.PollNow();
  EXPECT_THAT(reloads, IsEmpty()) << "nothing changed, nothing reloaded";

  volume_.Update(CredentialsJson(kNewSecret));
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
  EXPECT_EQ(reloads, std::vector<bool>{true});
  EXPECT_TRUE(watcher.last_error().ok());
  EXPECT_EQ(watcher.Detail(), "");
}

TEST_F(CredentialWatcherTest, BrokenFileKeepsTheLastGoodSnapshot) {
  volume_.Update(CredentialsJson(kOldSecret));
  std::vector<bool> reloads;
  CredentialWatcher watcher(Options(volume_.path(), &reloads), store_);
  auto before = store_->Current();

  StderrCapture capture;
  // Cut off inside the secret, as a half-copied file would be.
  const std::string full = CredentialsJson(kNewSecret);
  const std::string broken = full.substr(0, full.find(kNewSecret) + 12);
  ASSERT_THAT(broken, HasSubstr("NewSecret"));
  volume_.Update(broken);
  watcher.PollNow();

  EXPECT_EQ(store_->Current(), before);
  EXPECT_EQ(reloads, std::vector<bool>{false});
  EXPECT_EQ(watcher.last_error().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(watcher.Detail(), HasSubstr("not valid JSON"));
  EXPECT_THAT(watcher.Detail(), HasSubstr("serving the credentials loaded"));
  const std::string log = capture.Text();
  EXPECT_THAT(log, HasSubstr("credentials reload failed"));
  EXPECT_THAT(log, Not(HasSubstr("NewSecret")));
  EXPECT_THAT(watcher.Detail(), Not(HasSubstr("NewSecret")));

  // The next good version loads and clears the report.
  volume_.Update(CredentialsJson(kNewSecret));
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
  EXPECT_EQ(watcher.Detail(), "");
}

TEST_F(CredentialWatcherTest, InPlaceRewriteOfTheSameSizeIsSeen) {
  const std::string path = folder_.File("plain.json");
  WriteFileAtomically(path, CredentialsJson(kOldSecret));
  CredentialWatcher watcher(Options(path), store_);
  // Same length, same second: only the content hash tells them apart.
  WriteFileInPlace(path, CredentialsJson(kNewSecret));
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
}

TEST_F(CredentialWatcherTest, EmptyThenCompleteFileAsAnEditorWritesIt) {
  const std::string path = folder_.File("plain.json");
  WriteFileAtomically(path, CredentialsJson(kOldSecret));
  CredentialWatcher watcher(Options(path), store_);
  WriteFileInPlace(path, "");
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kOldSecret));
  EXPECT_FALSE(watcher.last_error().ok());
  WriteFileInPlace(path, CredentialsJson(kNewSecret));
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
  EXPECT_TRUE(watcher.last_error().ok());
}

TEST_F(CredentialWatcherTest, MissingFileKeepsTheLastGoodSnapshot) {
  const std::string path = folder_.File("plain.json");
  WriteFileAtomically(path, CredentialsJson(kOldSecret));
  CredentialWatcher watcher(Options(path), store_);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kOldSecret));
  EXPECT_EQ(watcher.last_error().code(), absl::StatusCode::kNotFound);
}

TEST_F(CredentialWatcherTest, FileReadableByOthersIsRefusedWithAFix) {
  volume_.Update(CredentialsJson(kOldSecret));
  CredentialWatcher watcher(Options(volume_.path()), store_);
  volume_.Update(CredentialsJson(kNewSecret), 0644);
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kOldSecret));
  const absl::Status error = watcher.last_error();
  EXPECT_EQ(error.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(error.message(),
              HasSubstr("readable or writable by other users"));
  EXPECT_THAT(error.message(), HasSubstr("mode 0644"));
  EXPECT_THAT(error.message(), HasSubstr("chmod 600"));
  EXPECT_THAT(error.message(), HasSubstr("defaultMode: 0400"));

  // Group-readable (a Secret with an fsGroup) is fine.
  volume_.Update(CredentialsJson(kNewSecret), 0440);
  watcher.PollNow();
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
}

TEST_F(CredentialWatcherTest, StartUpLoadRefusesAWorldReadableFileToo) {
  volume_.Update(CredentialsJson(kOldSecret), 0604);
  CredentialSources sources;
  sources.file_path = volume_.path();
  sources.getenv = nullptr;
  auto loaded = LoadCredentials(sources);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(), HasSubstr("credentials file "));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr(kOldSecret)));
}

TEST_F(CredentialWatcherTest, ItsOwnThreadNoticesTheSwap) {
  volume_.Update(CredentialsJson(kOldSecret));
  CredentialWatcherOptions options = Options(volume_.path());
  options.interval = absl::Milliseconds(20);
  CredentialWatcher watcher(options, store_);
  volume_.Update(CredentialsJson(kNewSecret));
  // Bounded wait for the thread; the test asserts what, not how fast.
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (CurrentHeader(*store_) != HeaderFor(kNewSecret) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(CurrentHeader(*store_), HeaderFor(kNewSecret));
}

TEST_F(CredentialWatcherTest, ReadersDuringReloadsSeeOneWholeSnapshot) {
  volume_.Update(CredentialsJson(kOldSecret));
  CredentialWatcher watcher(Options(volume_.path()), store_);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        const std::string header = CurrentHeader(*store_);
        if (header != HeaderFor(kOldSecret) &&
            header != HeaderFor(kNewSecret)) {
          ++bad;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    volume_.Update(CredentialsJson(i % 2 == 0 ? kNewSecret : kOldSecret));
    watcher.PollNow();
    volume_.Update("{\"accounts\": [");
    watcher.PollNow();
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace twilio_gateway::credentials
