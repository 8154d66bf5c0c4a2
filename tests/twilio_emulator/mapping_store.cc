#include "tests/twilio_emulator/mapping_store.h"

#include <algorithm>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace twilio_gateway {
namespace testing {
namespace {

// Twilio copies the CredentialList's own friendly name; the emulator has no
// lists, so it derives a stable one from the SID.
std::string FriendlyNameFor(const std::string& sid) {
  const size_t tail = sid.size() > 8 ? sid.size() - 8 : 0;
  return absl::StrCat("Emulated list ",
                      absl::AsciiStrToLower(sid.substr(tail)));
}

}  // namespace

absl::StatusOr<StoredMapping> MappingStore::Create(
    const std::string& account_sid, const std::string& domain_sid,
    const std::string& sid, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Domain& domain = domains_[DomainKey(account_sid, domain_sid)];
  if (domain.count(sid) != 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("CredentialList ", sid, " is already mapped"));
  }
  StoredMapping mapping{account_sid,          domain_sid, sid,
                        FriendlyNameFor(sid), now,        now};
  domain.emplace(sid, mapping);
  return mapping;
}

std::optional<StoredMapping> MappingStore::Get(const std::string& account_sid,
                                               const std::string& domain_sid,
                                               const std::string& sid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domains_.find(DomainKey(account_sid, domain_sid));
  if (domain == domains_.end()) return std::nullopt;
  auto it = domain->second.find(sid);
  if (it == domain->second.end()) return std::nullopt;
  return it->second;
}

bool MappingStore::Remove(const std::string& account_sid,
                          const std::string& domain_sid,
                          const std::string& sid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domains_.find(DomainKey(account_sid, domain_sid));
  if (domain == domains_.end()) return false;
  const bool removed = domain->second.erase(sid) != 0;
  if (domain->second.empty()) domains_.erase(domain);
  return removed;
}

std::vector<StoredMapping> MappingStore::List(
    const std::string& account_sid, const std::string& domain_sid) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredMapping> out;
  auto domain = domains_.find(DomainKey(account_sid, domain_sid));
  if (domain == domains_.end()) return out;
  for (const auto& entry : domain->second) out.push_back(entry.second);
  return out;
}

MappingPage MappingStore::ItemsAfter(const std::string& account_sid,
                                     const std::string& domain_sid,
                                     const std::optional<std::string>& after,
                                     size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domains_.find(DomainKey(account_sid, domain_sid));
  if (domain == domains_.end()) return MappingPage{};
  auto it = after.has_value() ? domain->second.upper_bound(*after)
                              : domain->second.begin();
  std::vector<StoredMapping> items;
  for (; it != domain->second.end() && items.size() < limit; ++it) {
    items.push_back(it->second);
  }
  return Finish(domain->second, std::move(items));
}

MappingPage MappingStore::ItemsBefore(const std::string& account_sid,
                                      const std::string& domain_sid,
                                      const std::string& before,
                                      size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domains_.find(DomainKey(account_sid, domain_sid));
  if (domain == domains_.end()) return MappingPage{};
  const auto end = domain->second.lower_bound(before);
  const auto available =
      static_cast<size_t>(std::distance(domain->second.begin(), end));
  auto it =
      std::prev(end, static_cast<std::ptrdiff_t>(std::min(limit, available)));
  std::vector<StoredMapping> items;
  for (; it != end; ++it) items.push_back(it->second);
  return Finish(domain->second, std::move(items));
}

MappingPage MappingStore::Finish(const Domain& domain,
                                 std::vector<StoredMapping> items) {
  MappingPage page;
  page.more_after =
      !items.empty() && domain.upper_bound(items.back().sid) != domain.end();
  page.items = std::move(items);
  return page;
}

}  // namespace testing
}  // namespace twilio_gateway
