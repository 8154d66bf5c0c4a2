#include "client/loadgen/process_usage.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace twilio_gateway::loadgen {
namespace {

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of a "Name:   1234 kB" line of /proc/PID/status, or -1.
int64_t StatusField(absl::string_view status, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, ":")) {
      continue;
    }
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, " kB");
    int64_t value = 0;
    if (absl::SimpleAtoi(line, &value)) return value;
  }
  return -1;
}

}  // namespace

absl::StatusOr<ProcessSample> SampleProcess(pid_t pid) {
  const std::string dir = absl::StrCat("/proc/", pid);
  absl::StatusOr<std::string> stat = ReadAll(dir + "/stat");
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> status = ReadAll(dir + "/status");
  if (!status.ok()) return status.status();

  // The command name in parentheses may hold spaces; the fields counted in
  // proc(5) start after its closing parenthesis, with field 3 (state).
  const size_t paren = stat->rfind(')');
  if (paren == std::string::npos) {
    return absl::InternalError(absl::StrCat(dir, "/stat does not parse"));
  }
  const std::vector<absl::string_view> fields = absl::StrSplit(
      absl::string_view(*stat).substr(paren + 2), ' ', absl::SkipEmpty());
  // utime and stime are fields 14 and 15, so 11 and 12 from state.
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InternalError(absl::StrCat(dir, "/stat does not parse"));
  }
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);

  ProcessSample sample;
  sample.pid = pid;
  sample.cpu = absl::Seconds(utime + stime) / ticks_per_second;
  sample.rss_kib = StatusField(*status, "VmRSS");
  sample.peak_rss_kib = StatusField(*status, "VmHWM");
  sample.threads = static_cast<int>(StatusField(*status, "Threads"));
  return sample;
}

}  // namespace twilio_gateway::loadgen
