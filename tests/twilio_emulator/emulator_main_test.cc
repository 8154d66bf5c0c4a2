// Runs the real twilio-emulator program: flags, environment, port file,
// logs and signals.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/twilio_emulator/test_http_client.h"

namespace twilio_gateway {
namespace testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccount[] = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kToken[] = "token-that-must-not-be-logged";
constexpr char kApiKey[] = "SKcccccccccccccccccccccccccccccccc";
constexpr char kApiSecret[] = "secret-that-must-not-be-logged";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EmulatorMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "emulator_main_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(PortFile().c_str());
    std::remove(LogFile().c_str());
    rmdir(dir_.c_str());
  }

  std::string PortFile() const { return dir_ + "/port"; }
  std::string LogFile() const { return dir_ + "/stderr.log"; }

  // Starts the program with exactly `env` as its environment and its
  // stderr in LogFile().
  void Spawn(std::vector<std::string> args, std::vector<std::string> env) {
    args.insert(args.begin(), TWILIO_EMULATOR_BINARY);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& var : env) envp.push_back(var.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, LogFile().c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int error = posix_spawn(&pid_, TWILIO_EMULATOR_BINARY, &actions,
                                  nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(error, 0) << "cannot start " << TWILIO_EMULATOR_BINARY;
  }

  // The exit code, or -1 when the program did not exit normally. The
  // deadline only catches a hung program.
  int WaitForExit() {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (absl::Now() > deadline) return -1;
      absl::SleepFor(absl::Milliseconds(5));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  int WaitForPort() {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      const std::string text = ReadFile(PortFile());
      int port = 0;
      if (!text.empty()) {
        EXPECT_EQ(text.back(), '\n');
        if (absl::SimpleAtoi(absl::StripSuffix(text, "\n"), &port)) {
          return port;
        }
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    return 0;
  }

  std::string dir_;
  pid_t pid_ = -1;
};

TEST_F(EmulatorMainTest, ExitsWith2WithoutCredentials) {
  Spawn({"--listen=127.0.0.1:0"}, {});
  EXPECT_EQ(WaitForExit(), 2);
  EXPECT_THAT(ReadFile(LogFile()), HasSubstr("TWILIO_ACCOUNT_SID"));
}

TEST_F(EmulatorMainTest, ExitsWith2OnAHalfSetPair) {
  Spawn({"--listen=127.0.0.1:0"}, {absl::StrCat("TWILIO_API_KEY=", kApiKey)});
  EXPECT_EQ(WaitForExit(), 2);
  EXPECT_THAT(ReadFile(LogFile()), HasSubstr("TWILIO_API_SECRET"));
}

TEST_F(EmulatorMainTest, ExitsWith2OnABadListenAddress) {
  for (const char* listen : {"--listen=nonsense", "--listen=127.0.0.1:",
                             "--listen=127.0.0.1:99999", "--listen=:80"}) {
    Spawn({listen}, {absl::StrCat("TWILIO_ACCOUNT_SID=", kAccount),
                     absl::StrCat("TWILIO_AUTH_TOKEN=", kToken)});
    EXPECT_EQ(WaitForExit(), 2) << listen;
  }
}

TEST_F(EmulatorMainTest, ServesBothCredentialPairsAndStopsOnSigterm) {
  Spawn({"--listen=127.0.0.1:0", "--port_file=" + PortFile()},
        {absl::StrCat("TWILIO_ACCOUNT_SID=", kAccount),
         absl::StrCat("TWILIO_AUTH_TOKEN=", kToken),
         absl::StrCat("TWILIO_API_KEY=", kApiKey),
         absl::StrCat("TWILIO_API_SECRET=", kApiSecret)});
  const int port = WaitForPort();
  ASSERT_GT(port, 0);

  const std::string url = absl::StrCat(
      "http://127.0.0.1:", port, "/2010-04-01/Accounts/", kAccount,
      "/SIP/Domains/SDbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/Auth/Registrations/"
      "CredentialListMappings.json");
  TestHttpClient client;
  client.SetCredentials(kAccount, kToken);
  EXPECT_EQ(client.Send("GET", url).status, 200);
  client.SetCredentials(kApiKey, kApiSecret);
  EXPECT_EQ(client.Send("GET", url).status, 200);
  client.SetCredentials(kAccount, kApiSecret);
  EXPECT_EQ(client.Send("GET", url).status, 401);

  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  EXPECT_EQ(WaitForExit(), 0);

  const std::string log = ReadFile(LogFile());
  EXPECT_THAT(log, HasSubstr(R"("msg":"listening")"));
  EXPECT_THAT(log, HasSubstr(R"("method":"GET")"));
  EXPECT_THAT(log, HasSubstr(R"("status":200)"));
  EXPECT_THAT(log, HasSubstr(R"("status":401)"));
  EXPECT_THAT(log, Not(HasSubstr(kToken)));
  EXPECT_THAT(log, Not(HasSubstr(kApiSecret)));
  EXPECT_THAT(log, Not(HasSubstr("Basic ")));
}

TEST_F(EmulatorMainTest, StopsOnSigint) {
  Spawn({"--listen=127.0.0.1:0", "--port_file=" + PortFile()},
        {absl::StrCat("TWILIO_API_KEY=", kApiKey),
         absl::StrCat("TWILIO_API_SECRET=", kApiSecret)});
  ASSERT_GT(WaitForPort(), 0);
  ASSERT_EQ(kill(pid_, SIGINT), 0);
  EXPECT_EQ(WaitForExit(), 0);
}

}  // namespace
}  // namespace testing
}  // namespace twilio_gateway
