#!/usr/bin/python3
"""Turns the load generator's JSON lines (bench/run.sh) into one table.

Usage: table.py RUNS_JSON

Each run is labelled SCENARIO.SIDE.REP (for example A.gateway.2); figures
are computed per repetition from runs of the same repetition, so ratios
compare runs made minutes apart on the same machine, and the table shows
every repetition, their median, and their spread.
"""

import json
import os
import platform
import statistics
import sys
import time

LITTLE_BOUND = 1000 / 0.100  # 1000 in flight, 100 ms each: 10,000 per second
MB = 1e6


def proc(run, name):
    for entry in run.get("processes", []):
        if entry["name"] == name:
            return entry
    return {}


def non_ok(run):
    return sum(n for code, n in run["outcomes"].items()
               if code not in ("OK", "200"))


# (scenario, figure, unit, target as (op, value) or None, function of the
# repetition's runs keyed by SCENARIO.SIDE)
FIGURES = [
    ("A", "gateway calls/s", "/s", None,
     lambda r: r["A.gateway"]["rps"]),
    ("A", "direct HTTP calls/s", "/s", None,
     lambda r: r["A.direct"]["rps"]),
    ("A", "gateway / direct calls/s", "", (">=", 0.4),
     lambda r: r["A.gateway"]["rps"] / r["A.direct"]["rps"]),
    ("A", "gateway CPU per call", "us", None,
     lambda r: proc(r["A.gateway"], "gateway")["cpu_us_per_call"]),
    ("A", "floor server CPU per call", "us", None,
     lambda r: proc(r["A.floor"], "floor")["cpu_us_per_call"]),
    ("A", "gateway / floor CPU per call", "", ("<=", 2.0),
     lambda r: proc(r["A.gateway"], "gateway")["cpu_us_per_call"] /
     proc(r["A.floor"], "floor")["cpu_us_per_call"]),
    ("A", "floor server CPU per call at the gateway's rate", "us", None,
     lambda r: proc(r["A.floorpaced"], "floor")["cpu_us_per_call"]),
    ("A", "gateway / floor CPU per call, same rate", "", ("<=", 2.0),
     lambda r: proc(r["A.gateway"], "gateway")["cpu_us_per_call"] /
     proc(r["A.floorpaced"], "floor")["cpu_us_per_call"]),
    ("A", "emulator CPU per call, via gateway", "us", None,
     lambda r: proc(r["A.gateway"], "emulator")["cpu_us_per_call"]),
    ("A", "emulator CPU per call, direct", "us", None,
     lambda r: proc(r["A.direct"], "emulator")["cpu_us_per_call"]),
    ("A", "gateway p99 latency", "ms", None,
     lambda r: r["A.gateway"]["latency_ms"]["p99"]),
    ("A", "direct p99 latency", "ms", None,
     lambda r: r["A.direct"]["latency_ms"]["p99"]),
    ("A", "gateway RSS", "MB", None,
     lambda r: proc(r["A.gateway"], "gateway")["rss_kib"] * 1024 / MB),
    ("A", "gateway calls not OK", "", ("<=", 0),
     lambda r: non_ok(r["A.gateway"])),
    ("B", "gateway calls/s", "/s", None,
     lambda r: r["B.gateway"]["rps"]),
    ("B", "share of Little's-law bound (10,000/s)", "%", (">=", 80),
     lambda r: 100 * r["B.gateway"]["rps"] / LITTLE_BOUND),
    ("B", "direct HTTP share of the bound", "%", None,
     lambda r: 100 * r["B.direct"]["rps"] / LITTLE_BOUND),
    ("B", "gateway p99 latency", "ms", ("<", 150),
     lambda r: r["B.gateway"]["latency_ms"]["p99"]),
    ("B", "gateway peak RSS", "MB", ("<", 150),
     lambda r: proc(r["B.gateway"], "gateway")["peak_rss_kib"] * 1024 / MB),
    ("B", "gateway threads", "", ("<", 16),
     lambda r: proc(r["B.gateway"], "gateway")["threads"]),
    ("B", "gateway CPU per call", "us", None,
     lambda r: proc(r["B.gateway"], "gateway")["cpu_us_per_call"]),
    ("B", "gateway calls not OK", "", ("<=", 0),
     lambda r: non_ok(r["B.gateway"])),
    ("C", "gateway items/s, end to end", "/s", (">=", 200000),
     lambda r: r["C.gateway"]["items_per_s"]),
    ("C", "gateway CPU per item", "us", None,
     lambda r: proc(r["C.gateway"], "gateway")["cpu_us_per_item"]),
    ("C", "gateway items per gateway CPU-second", "/s", (">=", 200000),
     lambda r: 1e6 / proc(r["C.gateway"], "gateway")["cpu_us_per_item"]),
    ("C", "decoding alone, items per CPU-second", "/s", (">=", 200000),
     lambda r: r["C.decode"]["items_per_cpu_second"]),
    ("C", "direct HTTP items/s (pages x 1000)", "/s", None,
     lambda r: r["C.direct"]["rps"] * r["C.direct"]["page_size"]),
    ("C", "floor server items/s", "/s", None,
     lambda r: r["C.floor"]["items_per_s"]),
    ("C", "floor server CPU per item", "us", None,
     lambda r: proc(r["C.floor"], "floor")["cpu_us_per_item"]),
    ("C", "gateway calls not OK", "", ("<=", 0),
     lambda r: non_ok(r["C.gateway"])),
    ("D", "gateway start to SERVING", "ms", ("<", 200),
     lambda r: r["D.gateway"]["to_serving_ms"]),
    ("D", "gateway idle RSS", "MB", ("<", 30),
     lambda r: r["D.gateway"]["idle_rss_kib"] * 1024 / MB),
    ("D", "gateway idle threads", "", None,
     lambda r: r["D.gateway"]["idle_threads"]),
    ("D", "floor server start to SERVING", "ms", None,
     lambda r: r["D.floor"]["to_serving_ms"]),
    ("D", "floor server idle RSS", "MB", None,
     lambda r: r["D.floor"]["idle_rss_kib"] * 1024 / MB),
]


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def verdict(target, value):
    if target is None or value is None:
        return ""
    op, bound = target
    met = {">=": value >= bound, "<=": value <= bound,
           "<": value < bound}[op]
    if bound == 0:
        return "met" if met else "missed"
    if op == ">=":
        margin = (value / bound - 1) * 100
    else:
        margin = (bound / value - 1) * 100 if value > 0 else float("inf")
    if met:
        return f"met ({margin:+.0f}%)" if margin != float("inf") else "met"
    return f"**missed** ({margin:+.0f}%)"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, {model}, Linux {platform.release()}; "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the "
            f"end; {time.strftime('%Y-%m-%d %H:%M %Z')}")


def main():
    reps = {}
    with open(sys.argv[1]) as lines:
        for line in lines:
            run = json.loads(line)
            parts = run["label"].split(".")
            if len(parts) != 3:
                continue
            reps.setdefault(int(parts[2]), {})[".".join(parts[:2])] = run
    order = sorted(reps)

    print(f"Machine: {machine()}")
    print()
    header = ["", "figure", "target"] + [f"run {i}" for i in order] + [
        "median", "spread", "verdict"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for scenario, name, unit, target, compute in FIGURES:
        values = []
        for i in order:
            try:
                values.append(compute(reps[i]))
            except (KeyError, ZeroDivisionError, TypeError):
                values.append(None)
        present = [v for v in values if v is not None]
        if not present:
            continue
        median = statistics.median(present)
        spread = ""
        if len(present) > 1 and median:
            spread = f"{(max(present) - min(present)) / abs(median) * 100:.0f}%"
        target_text = f"{target[0]} {fmt(target[1])}" if target else ""
        label = f"{name} ({unit})" if unit else name
        row = [scenario, label, target_text] + [fmt(v) for v in values] + [
            fmt(median), spread, verdict(target, median)]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
