#!/usr/bin/env bash
# Smoke test of the benchmark's tools: the load generator puts a second of
# load on the floor server (Get, then List of full pages) and times its
# start-up. Passes when every run ends and counts only OK answers; the
# figures themselves are not checked.
#
#   loadgen_smoke_test.sh LOADGEN FLOOR_SERVER
set -euo pipefail

loadgen=$1
floor=$2
work=$(mktemp -d)
floor_pid=
cleanup() {
  if [ -n "$floor_pid" ]; then
    kill -TERM "$floor_pid" 2>/dev/null || true
    wait "$floor_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$floor" --listen=127.0.0.1:0 --port_file="$work/port" 2>"$work/floor.log" &
floor_pid=$!
for _ in $(seq 100); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
port=$(cat "$work/port")

"$loadgen" --target="127.0.0.1:$port" --call=get --concurrency=4 \
  --warmup=200ms --duration=1s --label=get --json_out="$work/runs.json" \
  --watch="floor:$floor_pid"
"$loadgen" --target="127.0.0.1:$port" --call=list --page_size=1000 \
  --concurrency=2 --warmup=100ms --duration=500ms --label=list \
  --json_out="$work/runs.json"
"$loadgen" --mode=startup --label=startup --port_file="$work/probe.port" \
  --idle=100ms --json_out="$work/runs.json" -- \
  "$floor" --listen=127.0.0.1:0 --port_file="$work/probe.port"

/usr/bin/python3 - "$work/runs.json" <<'PY'
import json, sys
runs = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
for label in ("get", "list"):
    run = runs[label]
    outcomes = run["outcomes"]
    assert outcomes.get("OK", 0) > 0, f"{label}: no OK answers: {outcomes}"
    assert set(outcomes) == {"OK"}, f"{label}: not only OK: {outcomes}"
assert runs["list"]["items"] == 1000 * runs["list"]["calls"], runs["list"]
floor = runs["get"]["processes"][0]
assert floor["name"] == "floor" and floor["threads"] > 0, floor
assert runs["startup"]["to_serving_ms"] > 0, runs["startup"]
print("loadgen smoke test: ok")
PY
