#include "service/common/config_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace twilio_gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        absl::StrCat(::testing::TempDir(), "config_file_test.XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::string Write(const std::string& name, const std::string& contents,
                    mode_t mode) {
    const std::string path = absl::StrCat(folder_, "/", name);
    std::ofstream(path, std::ios::binary) << contents;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::string folder_;
};

TEST_F(ConfigFileTest, ReadsTheWholeFile) {
  const std::string text = "{\"tokens\": []}\n";
  absl::StatusOr<std::string> read =
      ReadConfigFile(Write("a.json", text, 0644), FileAccess::kAnyMode);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, text);
}

TEST_F(ConfigFileTest, ReadsAFileOfExactlyTheLimit) {
  const std::string text(1 << 20, ' ');
  absl::StatusOr<std::string> read =
      ReadConfigFile(Write("big.json", text, 0600), FileAccess::kAnyMode);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->size(), text.size());
}

TEST_F(ConfigFileTest, OneByteOverTheLimitIsRefused) {
  absl::StatusOr<std::string> read =
      ReadConfigFile(Write("huge.json", std::string((1 << 20) + 1, ' '), 0600),
                     FileAccess::kAnyMode);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(), "is larger than 1048576 bytes");
}

TEST_F(ConfigFileTest, MissingFileIsNotFoundWithoutThePath) {
  const std::string path = absl::StrCat(folder_, "/missing.json");
  absl::StatusOr<std::string> read = ReadConfigFile(path, FileAccess::kAnyMode);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(read.status().message()), StartsWith("cannot open"));
  EXPECT_THAT(std::string(read.status().message()),
              ::testing::Not(HasSubstr(path)));
}

TEST_F(ConfigFileTest, DirectoryIsNotARegularFile) {
  absl::StatusOr<std::string> read =
      ReadConfigFile(folder_, FileAccess::kAnyMode);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(), "is not a regular file");
}

TEST_F(ConfigFileTest, OwnerOnlyRefusesAFileOthersMayRead) {
  const std::string path = Write("open.json", "{}", 0644);
  absl::StatusOr<std::string> read =
      ReadConfigFile(path, FileAccess::kOwnerAndGroupOnly);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(read.status().message()),
              StartsWith("is readable or writable by other users (mode 0644)"));
  // The same file is fine where nothing secret is kept.
  EXPECT_TRUE(ReadConfigFile(path, FileAccess::kAnyMode).ok());
}

TEST_F(ConfigFileTest, OwnerOnlyRefusesAFileOthersMayWrite) {
  absl::StatusOr<std::string> read = ReadConfigFile(
      Write("writable.json", "{}", 0602), FileAccess::kOwnerAndGroupOnly);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("mode 0602"));
}

TEST_F(ConfigFileTest, OwnerOnlyAcceptsAGroupReadableFileThroughASymlink) {
  // Kubernetes mounts a Secret as symlinks; the mode that counts is the
  // target's.
  const std::string target = Write("secret.json", "{}", 0440);
  const std::string link = absl::StrCat(folder_, "/link.json");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  absl::StatusOr<std::string> read =
      ReadConfigFile(link, FileAccess::kOwnerAndGroupOnly);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "{}");
}

}  // namespace
}  // namespace twilio_gateway
