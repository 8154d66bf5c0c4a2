// decode-bench: how fast the gateway reads Twilio's answers, alone: a
// 1000-item page and a single mapping, decoded over and over on one
// thread. Prints CPU time per item and items per CPU-second, the figure
// scenario C's end-to-end rate is bounded by on the gateway's side.

#include <time.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "service/twilio/mapping_decoder.h"

ABSL_FLAG(int, page_size, 1000, "Items per page");
ABSL_FLAG(double, seconds, 2, "CPU seconds to spend on each body");

namespace {

using ::twilio_gateway::sip::v1::CredentialListMapping;

constexpr char kDomainSid[] = "SD0123456789abcdef0123456789abcdef";

double CpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9;
}

// An item as Twilio (and the emulator) write it.
std::string Item(int i) {
  return absl::StrFormat(
      R"({"account_sid": "ACdeadbeefdeadbeefdeadbeefdeadbeef", )"
      R"("date_created": "Thu, 30 Jul 2015 20:00:00 +0000", )"
      R"("date_updated": "Thu, 30 Jul 2015 20:00:00 +0000", )"
      R"("friendly_name": "list %d", "sid": "CL%032x"})",
      i, i);
}

std::string Page(int size) {
  std::string body = R"({"contents": [)";
  for (int i = 0; i < size; ++i) {
    if (i > 0) body += ", ";
    body += Item(i);
  }
  absl::StrAppend(
      &body, R"(], "end": )", size - 1,
      R"(, "first_page_uri": "/2010-04-01/Accounts/ACdeadbeefdeadbeefdeadbeefdeadbeef/SIP/Domains/SD0123456789abcdef0123456789abcdef/Auth/Registrations/CredentialListMappings.json?PageSize=1000&Page=0", )"
      R"("next_page_uri": null, "page": 0, "page_size": )",
      size,
      R"(, "previous_page_uri": null, "start": 0, "uri": "/2010-04-01/Accounts/ACdeadbeefdeadbeefdeadbeefdeadbeef/SIP/Domains/SD0123456789abcdef0123456789abcdef/Auth/Registrations/CredentialListMappings.json?PageSize=1000&Page=0"})");
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int size = absl::GetFlag(FLAGS_page_size);
  const double budget = absl::GetFlag(FLAGS_seconds);

  const std::string page = Page(size);
  long pages = 0;
  double start = CpuSeconds();
  while (CpuSeconds() - start < budget) {
    google::protobuf::RepeatedPtrField<CredentialListMapping> items;
    std::string next;
    if (!twilio_gateway::twilio::DecodeMappingPage(page, kDomainSid, &items,
                                                   &next, nullptr)
             .ok() ||
        items.size() != size) {
      std::fprintf(stderr, "decode-bench: the page did not decode\n");
      return 1;
    }
    ++pages;
  }
  const double page_seconds = CpuSeconds() - start;
  const double per_item_us = page_seconds / (pages * size) * 1e6;

  const std::string one = Item(7);
  long mappings = 0;
  start = CpuSeconds();
  while (CpuSeconds() - start < budget) {
    CredentialListMapping mapping;
    if (!twilio_gateway::twilio::DecodeMapping(one, kDomainSid, &mapping,
                                               nullptr)
             .ok()) {
      std::fprintf(stderr, "decode-bench: the mapping did not decode\n");
      return 1;
    }
    ++mappings;
  }
  const double mapping_us = (CpuSeconds() - start) / mappings * 1e6;

  std::printf(
      "page of %d (%zu bytes): %.3f us per item, %.0f items per CPU-second\n"
      "single mapping (%zu bytes): %.3f us per answer\n",
      size, page.size(), per_item_us, 1e6 / per_item_us, one.size(),
      mapping_us);
  std::printf(
      "{\"label\": \"decode\", \"page_us_per_item\": %.4f, "
      "\"items_per_cpu_second\": %.0f, \"mapping_us\": %.4f}\n",
      per_item_us, 1e6 / per_item_us, mapping_us);
  return 0;
}
