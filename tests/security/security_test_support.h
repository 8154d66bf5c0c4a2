#ifndef TESTS_SECURITY_SECURITY_TEST_SUPPORT_H_
#define TESTS_SECURITY_SECURITY_TEST_SUPPORT_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace twilio_gateway::security_testing {

// A fresh folder under the test's temporary folder; removed on destruction.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  std::string path_;
};

// Writes `contents` to `path` with `mode`, replacing the file in one rename
// so that a reader never sees it half written.
void WriteFileAtomically(const std::string& path, absl::string_view contents,
                         mode_t mode = 0600);

// Writes `contents` to `path` in place (truncate, then write), as a careless
// editor would: a reader may see the file empty or half written.
void WriteFileInPlace(const std::string& path, absl::string_view contents,
                      mode_t mode = 0600);

std::string ReadWholeFile(const std::string& path);

// A folder laid out as Kubernetes mounts a Secret or a ConfigMap:
//
//   <folder>/<key>          -> ..data/<key>
//   <folder>/..data         -> ..<version>
//   <folder>/..<version>/<key>
//
// Update() writes a new version folder and swaps "..data" with one rename,
// as the kubelet does, so every key changes at once.
class KubernetesVolume {
 public:
  // With `key`, the key Update(contents) writes.
  explicit KubernetesVolume(std::string folder, std::string key = "");

  // Writes `contents` as the new version of the one key, with `mode`.
  void Update(absl::string_view contents, mode_t mode = 0600);
  // Writes each (key, contents) as the new version, with `mode`.
  void Update(const std::vector<std::pair<std::string, std::string>>& files,
              mode_t mode = 0600);
  // The path a pod reads: <folder>/<key>.
  std::string path() const { return Path(key_); }
  std::string Path(const std::string& key) const;

 private:
  std::string folder_;
  std::string key_;
  int version_ = 0;
};

// Throwaway certificates made with the openssl command at test time.
struct KeyPair {
  std::string cert_file;
  std::string key_file;
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA in `folder`, named `name`.
absl::StatusOr<KeyPair> MakeCertificateAuthority(const std::string& folder,
                                                 const std::string& name);

// A certificate signed by `ca` with the subjectAltName extension `san`
// (such as "URI:spiffe://test/reader" or "DNS:localhost,IP:127.0.0.1"),
// usable by clients and servers.
absl::StatusOr<KeyPair> MakeLeafCertificate(const std::string& folder,
                                            const std::string& name,
                                            const KeyPair& ca,
                                            const std::string& san);

// Sends everything this process writes to its stderr (file descriptor 2,
// where the JSON logs go) into a file while it lives.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Everything written so far.
  std::string Text() const;

 private:
  std::string path_;
  int saved_fd_ = -1;
};

// GET http://127.0.0.1:`port``path`; the status code and body, or an error
// when nothing answered.
struct HttpAnswer {
  long status = 0;
  std::string body;
};
absl::StatusOr<HttpAnswer> HttpGet(int port, const std::string& path);

// The hex SHA-256 of `token`, as a tokens file stores it (computed with
// the openssl command, so that the test does not trust the code it tests).
std::string Sha256HexForTest(absl::string_view token);

}  // namespace twilio_gateway::security_testing

#endif  // TESTS_SECURITY_SECURITY_TEST_SUPPORT_H_
