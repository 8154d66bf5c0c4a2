#include "client/loadgen/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace twilio_gateway::loadgen {
namespace {

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

const char* KindName(CallKind kind) {
  switch (kind) {
    case CallKind::kGet:
      return "get";
    case CallKind::kList:
      return "list";
    case CallKind::kCreate:
      return "create";
    case CallKind::kHealth:
      return "health";
  }
  return "?";
}

// CPU the process spent in the window, or nothing when a sample is missing.
std::optional<absl::Duration> CpuSpent(const WatchedProcess& process) {
  if (!process.before || !process.after) return std::nullopt;
  return process.after->cpu - process.before->cpu;
}

}  // namespace

nlohmann::ordered_json RunReportJson(const RunReport& report) {
  const StatsSummary& stats = report.stats;
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["label"] = report.label;
  json["mode"] = report.mode;
  json["target"] = report.target;
  json["call"] = KindName(report.plan.kind);
  json["concurrency"] = report.plan.concurrency;
  json["rate"] = report.plan.rate;
  json["page_size"] = report.plan.page_size;
  json["window_s"] = absl::ToDoubleSeconds(stats.window);
  json["calls"] = stats.calls;
  json["rps"] = stats.calls_per_second;
  json["items"] = stats.items;
  json["items_per_s"] = stats.items_per_second;
  json["skipped"] = stats.skipped;
  json["unfinished"] = report.unfinished;
  json["latency_ms"] = {{"p50", Ms(stats.latency.p50)},
                        {"p90", Ms(stats.latency.p90)},
                        {"p99", Ms(stats.latency.p99)},
                        {"max", Ms(stats.latency.max)},
                        {"mean", Ms(stats.latency.mean)}};
  nlohmann::ordered_json outcomes = nlohmann::ordered_json::object();
  for (const auto& [name, count] : stats.outcomes) outcomes[name] = count;
  json["outcomes"] = outcomes;
  nlohmann::ordered_json processes = nlohmann::ordered_json::array();
  for (const WatchedProcess& process : report.processes) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["name"] = process.name;
    entry["pid"] = process.pid;
    if (std::optional<absl::Duration> cpu = CpuSpent(process)) {
      const double us = absl::ToDoubleMicroseconds(*cpu);
      entry["cpu_ms"] = us / 1000;
      entry["cpu_us_per_call"] =
          stats.calls > 0 ? us / static_cast<double>(stats.calls) : 0.0;
      entry["cpu_us_per_item"] =
          stats.items > 0 ? us / static_cast<double>(stats.items) : 0.0;
      entry["cpu_cores"] =
          absl::ToDoubleSeconds(*cpu) / absl::ToDoubleSeconds(stats.window);
    }
    if (process.after) {
      entry["rss_kib"] = process.after->rss_kib;
      entry["peak_rss_kib"] = process.after->peak_rss_kib;
      entry["threads"] = process.after->threads;
    }
    processes.push_back(entry);
  }
  json["processes"] = processes;
  return json;
}

std::string RunReportText(const RunReport& report) {
  const StatsSummary& stats = report.stats;
  std::string text = absl::StrFormat(
      "%s: %s %s to %s, %d in flight, %s\n", report.label, report.mode,
      KindName(report.plan.kind), report.target, report.plan.concurrency,
      report.plan.rate > 0 ? absl::StrFormat("%.0f/s", report.plan.rate)
                           : std::string("closed loop"));
  absl::StrAppendFormat(&text, "  %d calls in %.2f s: %.0f calls/s",
                        stats.calls, absl::ToDoubleSeconds(stats.window),
                        stats.calls_per_second);
  if (stats.items > 0) {
    absl::StrAppendFormat(&text, ", %.0f items/s", stats.items_per_second);
  }
  if (stats.skipped > 0) {
    absl::StrAppendFormat(&text, ", %d skipped (cap)", stats.skipped);
  }
  if (report.unfinished > 0) {
    absl::StrAppendFormat(&text, ", %d unfinished", report.unfinished);
  }
  absl::StrAppendFormat(
      &text, "\n  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
      Ms(stats.latency.p50), Ms(stats.latency.p90), Ms(stats.latency.p99),
      Ms(stats.latency.max));
  text += "  outcomes:";
  for (const auto& [name, count] : stats.outcomes) {
    absl::StrAppend(&text, " ", name, "=", count);
  }
  text += "\n";
  for (const WatchedProcess& process : report.processes) {
    absl::StrAppendFormat(&text, "  %s (pid %d):", process.name, process.pid);
    if (std::optional<absl::Duration> cpu = CpuSpent(process)) {
      const double us = absl::ToDoubleMicroseconds(*cpu);
      absl::StrAppendFormat(
          &text, " cpu %.0f ms, %.1f us/call", us / 1000,
          stats.calls > 0 ? us / static_cast<double>(stats.calls) : 0.0);
    }
    if (process.after) {
      absl::StrAppendFormat(&text, ", rss %.1f MiB (peak %.1f), %d threads",
                            process.after->rss_kib / 1024.0,
                            process.after->peak_rss_kib / 1024.0,
                            process.after->threads);
    }
    text += "\n";
  }
  return text;
}

nlohmann::ordered_json StartupReportJson(const std::string& label,
                                         const StartupReport& report) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["label"] = label;
  json["mode"] = "startup";
  json["pid"] = report.pid;
  json["to_port_file_ms"] = Ms(report.to_port_file);
  json["to_serving_ms"] = Ms(report.to_serving);
  json["idle_rss_kib"] = report.idle.rss_kib;
  json["idle_peak_rss_kib"] = report.idle.peak_rss_kib;
  json["idle_threads"] = report.idle.threads;
  return json;
}

std::string StartupReportText(const std::string& label,
                              const StartupReport& report) {
  return absl::StrFormat(
      "%s: SERVING %.1f ms after start (port file %.1f ms); idle rss %.1f "
      "MiB (peak %.1f), %d threads\n",
      label, Ms(report.to_serving), Ms(report.to_port_file),
      report.idle.rss_kib / 1024.0, report.idle.peak_rss_kib / 1024.0,
      report.idle.threads);
}

}  // namespace twilio_gateway::loadgen
