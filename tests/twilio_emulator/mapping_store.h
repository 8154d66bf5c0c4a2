#ifndef TESTS_TWILIO_EMULATOR_MAPPING_STORE_H_
#define TESTS_TWILIO_EMULATOR_MAPPING_STORE_H_

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace twilio_gateway {
namespace testing {

/// One CredentialList mapped to one SIP domain's registrations.
struct StoredMapping {
  std::string account_sid;
  std::string domain_sid;
  std::string sid;  // the mapped CredentialList's SID
  std::string friendly_name;
  absl::Time date_created;
  absl::Time date_updated;
};

/// Some mappings of one domain in SID order, and whether more follow.
struct MappingPage {
  std::vector<StoredMapping> items;
  bool more_after = false;  // some SID above the last item exists
};

/// The emulator's state: mappings per (account, domain), ordered by SID.
/// Thread-safe; each call sees one consistent state.
class MappingStore {
 public:
  /// Adds a mapping. Fails with `AlreadyExistsError` when the list is
  /// already mapped to this domain, leaving the existing one unchanged.
  absl::StatusOr<StoredMapping> Create(const std::string& account_sid,
                                       const std::string& domain_sid,
                                       const std::string& sid, absl::Time now);

  std::optional<StoredMapping> Get(const std::string& account_sid,
                                   const std::string& domain_sid,
                                   const std::string& sid) const;

  /// Returns false when there was nothing to remove.
  bool Remove(const std::string& account_sid, const std::string& domain_sid,
              const std::string& sid);

  /// All mappings of a domain, in SID order.
  std::vector<StoredMapping> List(const std::string& account_sid,
                                  const std::string& domain_sid) const;

  /// Up to `limit` mappings with a SID above `after` (from the start when
  /// `after` is nullopt), in SID order.
  MappingPage ItemsAfter(const std::string& account_sid,
                         const std::string& domain_sid,
                         const std::optional<std::string>& after,
                         size_t limit) const;

  /// The last `limit` mappings with a SID below `before`, in SID order.
  MappingPage ItemsBefore(const std::string& account_sid,
                          const std::string& domain_sid,
                          const std::string& before, size_t limit) const;

 private:
  using DomainKey = std::pair<std::string, std::string>;
  using Domain = std::map<std::string, StoredMapping>;

  // Fills `more_after` for `items` taken from `domain`.
  static MappingPage Finish(const Domain& domain,
                            std::vector<StoredMapping> items);

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then could not see this lock.
  mutable std::mutex mu_;
  std::map<DomainKey, Domain> domains_;  // Guarded by mu_.
};

}  // namespace testing
}  // namespace twilio_gateway

#endif  // TESTS_TWILIO_EMULATOR_MAPPING_STORE_H_
