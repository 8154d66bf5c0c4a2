#include "service/server/tls_config.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "service/common/json_log.h"

namespace twilio_gateway::server {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

// An encrypted key would make OpenSSL ask for a passphrase on the
// terminal; refusing to give one turns that into a plain failure.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::StatusOr<BioPtr> Open(const std::string& path, absl::string_view what) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  ERR_clear_error();
  if (bio == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", path, " cannot be read"));
  }
  return bio;
}

absl::StatusOr<X509Ptr> FirstCertificate(const std::string& path,
                                         absl::string_view what) {
  absl::StatusOr<BioPtr> bio = Open(path, what);
  if (!bio.ok()) return bio.status();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " ", path, " holds no PEM certificate"));
  }
  return cert;
}

absl::Status CheckFiles(const TlsConfig& config) {
  absl::StatusOr<X509Ptr> cert =
      FirstCertificate(config.cert_file, "--tls_cert");
  if (!cert.ok()) return cert.status();

  absl::StatusOr<BioPtr> key_bio = Open(config.key_file, "--tls_key");
  if (!key_bio.ok()) return key_bio.status();
  KeyPtr key(
      PEM_read_bio_PrivateKey(key_bio->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("--tls_key ", config.key_file,
                     " holds no unencrypted PEM private key"));
  }
  const int matches = X509_check_private_key(cert->get(), key.get());
  ERR_clear_error();
  if (matches != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls_key ", config.key_file,
        " is not the key of the certificate in --tls_cert ", config.cert_file));
  }

  struct stat info;
  if (::stat(config.key_file.c_str(), &info) == 0 &&
      (info.st_mode & S_IROTH) != 0) {
    LogLine(spdlog::level::warn,
            "the TLS private key is readable by other users; let only the "
            "gateway's user read it (chmod 600, or defaultMode: 0400 on a "
            "Kubernetes Secret volume)")
        .Field("tls_key", config.key_file)
        .Field("mode", absl::StrFormat("%04o", info.st_mode & 07777));
  }

  if (!config.client_ca_file.empty()) {
    absl::StatusOr<X509Ptr> ca =
        FirstCertificate(config.client_ca_file, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
MakeTlsServerCredentials(const TlsConfig& config) {
  if (config.cert_file.empty() || config.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls_cert and --tls_key (--tls_client_ca adds "
        "mutual TLS on top)");
  }
  if (absl::Status files = CheckFiles(config); !files.ok()) return files;

  const auto refresh_seconds = static_cast<unsigned int>(std::clamp<int64_t>(
      absl::ToInt64Seconds(config.refresh_interval), 1, 24 * 3600));
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (config.client_ca_file.empty()) {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            config.key_file, config.cert_file, refresh_seconds);
  } else {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            config.key_file, config.cert_file, config.client_ca_file,
            refresh_seconds);
  }

  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (config.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(
        config.require_client_certificate
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace twilio_gateway::server
