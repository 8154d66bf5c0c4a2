#include "tests/security/security_test_support.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace twilio_gateway::security_testing {
namespace {

// Runs a shell command; the result is its exit status.
int Run(const std::string& command) {
  return std::system(absl::StrCat(command, " >/dev/null 2>&1").c_str());
}

std::string Quote(const std::string& text) {
  return absl::StrCat("'", text, "'");
}

}  // namespace

TempFolder::TempFolder() {
  std::string pattern =
      absl::StrCat(::testing::TempDir(), "/security_test.XXXXXX");
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempFolder::File(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

void WriteFileAtomically(const std::string& path, absl::string_view contents,
                         mode_t mode) {
  const std::string temporary = absl::StrCat(path, ".tmp");
  WriteFileInPlace(temporary, contents, mode);
  ASSERT_EQ(std::rename(temporary.c_str(), path.c_str()), 0) << path;
}

void WriteFileInPlace(const std::string& path, absl::string_view contents,
                      mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path;
  // open() applies the umask; the mode is what the test asked for.
  ASSERT_EQ(::fchmod(fd, mode), 0);
  std::size_t written = 0;
  while (written < contents.size()) {
    ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    ASSERT_GT(n, 0);
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

KubernetesVolume::KubernetesVolume(std::string folder, std::string key)
    : folder_(std::move(folder)), key_(std::move(key)) {}

std::string KubernetesVolume::Path(const std::string& key) const {
  return absl::StrCat(folder_, "/", key);
}

void KubernetesVolume::Update(absl::string_view contents, mode_t mode) {
  Update({{key_, std::string(contents)}}, mode);
}

void KubernetesVolume::Update(
    const std::vector<std::pair<std::string, std::string>>& files,
    mode_t mode) {
  ++version_;
  const std::string version = absl::StrCat("..2024_01_01_00_00_", version_);
  const std::string version_dir = absl::StrCat(folder_, "/", version);
  ASSERT_EQ(::mkdir(version_dir.c_str(), 0755), 0) << version_dir;
  for (const auto& [key, contents] : files) {
    WriteFileInPlace(absl::StrCat(version_dir, "/", key), contents, mode);
  }

  const std::string next = absl::StrCat(folder_, "/..data_tmp");
  ::unlink(next.c_str());
  ASSERT_EQ(::symlink(version.c_str(), next.c_str()), 0);
  ASSERT_EQ(std::rename(next.c_str(), absl::StrCat(folder_, "/..data").c_str()),
            0);
  for (const auto& [key, contents] : files) {
    const std::string link = Path(key);
    struct stat info;
    if (::lstat(link.c_str(), &info) != 0) {
      ASSERT_EQ(::symlink(absl::StrCat("..data/", key).c_str(), link.c_str()),
                0);
    }
  }
}

absl::StatusOr<KeyPair> MakeCertificateAuthority(const std::string& folder,
                                                 const std::string& name) {
  KeyPair pair;
  pair.cert_file = absl::StrCat(folder, "/", name, ".pem");
  pair.key_file = absl::StrCat(folder, "/", name, ".key");
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 2 -subj /CN=",
      name, " -keyout ", Quote(pair.key_file), " -out ", Quote(pair.cert_file));
  if (Run(command) != 0) {
    return absl::InternalError(absl::StrCat("openssl failed: ", command));
  }
  pair.cert_pem = ReadWholeFile(pair.cert_file);
  pair.key_pem = ReadWholeFile(pair.key_file);
  return pair;
}

absl::StatusOr<KeyPair> MakeLeafCertificate(const std::string& folder,
                                            const std::string& name,
                                            const KeyPair& ca,
                                            const std::string& san) {
  KeyPair pair;
  pair.cert_file = absl::StrCat(folder, "/", name, ".pem");
  pair.key_file = absl::StrCat(folder, "/", name, ".key");
  const std::string csr = absl::StrCat(folder, "/", name, ".csr");
  const std::string extensions = absl::StrCat(folder, "/", name, ".ext");
  std::ofstream(extensions) << "subjectAltName=" << san << "\n"
                            << "basicConstraints=CA:FALSE\n"
                            << "keyUsage=digitalSignature\n"
                            << "extendedKeyUsage=serverAuth,clientAuth\n";
  static int serial = 1000;
  const std::string request = absl::StrCat(
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-subj /CN=",
      name, " -keyout ", Quote(pair.key_file), " -out ", Quote(csr));
  const std::string sign =
      absl::StrCat("openssl x509 -req -days 2 -in ", Quote(csr), " -CA ",
                   Quote(ca.cert_file), " -CAkey ", Quote(ca.key_file),
                   " -set_serial ", ++serial, " -extfile ", Quote(extensions),
                   " -out ", Quote(pair.cert_file));
  if (Run(request) != 0 || Run(sign) != 0) {
    return absl::InternalError(
        absl::StrCat("openssl failed to make certificate ", name));
  }
  pair.cert_pem = ReadWholeFile(pair.cert_file);
  pair.key_pem = ReadWholeFile(pair.key_file);
  return pair;
}

StderrCapture::StderrCapture() {
  path_ = absl::StrCat(::testing::TempDir(), "/stderr_capture.", ::getpid(),
                       ".", reinterpret_cast<uintptr_t>(this));
  std::fflush(stderr);
  saved_fd_ = ::dup(STDERR_FILENO);
  int fd =
      ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

StderrCapture::~StderrCapture() {
  std::fflush(stderr);
  ::dup2(saved_fd_, STDERR_FILENO);
  ::close(saved_fd_);
  ::unlink(path_.c_str());
}

std::string StderrCapture::Text() const {
  std::fflush(stderr);
  return ReadWholeFile(path_);
}

absl::StatusOr<HttpAnswer> HttpGet(int port, const std::string& path) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpAnswer answer;
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char* data, size_t size, size_t count, void* out) -> size_t {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": ", curl_easy_strerror(code)));
  }
  return answer;
}

std::string Sha256HexForTest(absl::string_view token) {
  TempFolder folder;
  const std::string input = folder.File("token");
  const std::string output = folder.File("hash");
  WriteFileInPlace(input, token);
  const std::string command = absl::StrCat("openssl dgst -sha256 -r ",
                                           Quote(input), " > ", Quote(output));
  EXPECT_EQ(std::system(command.c_str()), 0);
  std::string text = ReadWholeFile(output);
  // "<hex> *<file>"
  return std::string(absl::StripAsciiWhitespace(text.substr(0, 64)));
}

}  // namespace twilio_gateway::security_testing
