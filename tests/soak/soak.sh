#!/usr/bin/env bash
# Soak: drives the real gateway, in front of an emulator that injects a
# share of faults, for a set time, and prints the calls served and their
# codes, and the gateway's resident memory (RSS) and open file descriptors
# at the start, after the first minute, and at the end.
#
#   tests/soak/soak.sh                          10 minutes, 10 % faults
#   tests/soak/soak.sh --seconds 60 --fault_share 0.2 --threads 16
#   tests/soak/soak.sh --check                  also fail unless RSS grew
#                                               < 10 % from the first minute
#                                               to the end and no fd leaked
#                                               (connections to Twilio, a
#                                               pool sized by the load, are
#                                               counted apart)
#
# Uses the binaries in --build (default build/): twilio-gateway,
# twilio-emulator, soak_driver (`cmake --build build --target soak_driver`).
# Everything listens on 127.0.0.1 only and stops by itself.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
seconds=600
fault_share=0.1
threads=8
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --fault_share) fault_share=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --check) check=1; shift ;;
    *) echo "soak: unknown argument $1" >&2; exit 2 ;;
  esac
done
gateway_bin="$build/service/server/twilio-gateway"
emulator_bin="$build/tests/twilio_emulator/twilio-emulator"
driver_bin="$build/tests/soak/soak_driver"
for bin in "$gateway_bin" "$emulator_bin" "$driver_bin"; do
  [ -x "$bin" ] || { echo "soak: $bin is missing; build it first" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() {
  local file=$1 i
  for ((i = 0; i < 300; i++)); do
    if [[ -s "$file" && $(cat "$file") =~ ^[0-9]+$ ]]; then
      cat "$file"
      return 0
    fi
    sleep 0.1
  done
  echo "soak: nothing listened (see $work)" >&2
  return 1
}

# A demo account made up for this run.
export TWILIO_ACCOUNT_SID=AC0000000000000000000000000000500a
TWILIO_AUTH_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
export TWILIO_AUTH_TOKEN
unset TWILIO_API_KEY TWILIO_API_SECRET TWILIO_REGION TWILIO_EDGE

"$emulator_bin" --listen=127.0.0.1:0 --port_file="$work/emulator.port" \
  --fault_share="$fault_share" --fault_seed=42 --idle_timeout=5s \
  >"$work/emulator.log" 2>&1 &
pids+=($!)
emulator_port=$(wait_port "$work/emulator.port")

"$gateway_bin" --listen=127.0.0.1:0 --port_file="$work/gateway.port" \
  --admin_listen= --allow_unauthenticated --rate_limit_per_caller=0 \
  --twilio_base_url="http://127.0.0.1:$emulator_port" --log_level=error \
  --shutdown_grace=5s >"$work/gateway.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
gateway_port=$(wait_port "$work/gateway.port")

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$gateway_pid/status"; }
fds() { ls "/proc/$gateway_pid/fd" | wc -l; }
# The gateway's connections to Twilio (the emulator): its pool, which holds
# as many as the load of the moment needed, up to its bound, and which the
# emulator's idle timeout and faults keep renewing. Their number goes up and
# down with the calls; a leak shows in the other descriptors.
twilio_connections() {
  local remote
  remote=$(printf '0100007F:%04X' "$emulator_port")
  ls -l "/proc/$gateway_pid/fd" 2>/dev/null |
    sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | sort >"$work/inodes"
  awk -v remote="$remote" 'NR > 1 && $3 == remote {print $10}' \
    "/proc/$gateway_pid/net/tcp" | sort | comm -12 - "$work/inodes" | wc -l
}

echo "soak: ${seconds} s, ${threads} callers, fault share ${fault_share}," \
  "gateway pid $gateway_pid on 127.0.0.1:$gateway_port"
"$driver_bin" --target="127.0.0.1:$gateway_port" --duration="${seconds}s" \
  --threads="$threads" >"$work/driver.json" &
driver_pid=$!

# The baseline is taken after a short warm-up, when pools and caches have
# filled; the first-minute sample (or a quarter of a short run) is what
# growth is measured from.
sleep 2
start_rss=$(rss_kb) start_fds=$(fds) start_pool=$(twilio_connections)
mark=$((seconds >= 240 ? 60 : seconds / 4))
sleep $((mark > 2 ? mark - 2 : 0))
mark_rss=$(rss_kb) mark_fds=$(fds) mark_pool=$(twilio_connections)
samples="$work/samples"
: >"$samples"
while kill -0 "$driver_pid" 2>/dev/null; do
  echo "$(rss_kb) $(fds)" >>"$samples"
  sleep 5
done
driver_rc=0
wait "$driver_pid" || driver_rc=$?
# After the last call and a quiet second, before the gateway stops.
sleep 1
end_rss=$(rss_kb) end_fds=$(fds) end_pool=$(twilio_connections)
peak_rss=$(sort -n "$samples" | tail -1 | cut -d' ' -f1)

kill -TERM "$gateway_pid"
gateway_rc=0
wait "$gateway_pid" || gateway_rc=$?

calls=$(sed -n 's/^{"calls": \([0-9]*\).*/\1/p' "$work/driver.json")
echo "soak: calls served: ${calls:-0}"
echo "soak: codes: $(cat "$work/driver.json")"
printf 'soak: %-22s %10s %6s %18s\n' "gateway" "RSS (kB)" "fds" \
  "of them to Twilio"
printf 'soak: %-22s %10s %6s %18s\n' "start (after 2 s)" "$start_rss" \
  "$start_fds" "$start_pool"
printf 'soak: %-22s %10s %6s %18s\n' "after ${mark} s" "$mark_rss" \
  "$mark_fds" "$mark_pool"
printf 'soak: %-22s %10s %6s %18s\n' "end" "$end_rss" "$end_fds" "$end_pool"
printf 'soak: %-22s %10s\n' "peak" "${peak_rss:-$end_rss}"
growth=$(awk -v a="$mark_rss" -v b="$end_rss" \
  'BEGIN { printf "%.1f", (b - a) * 100 / a }')
mark_other=$((mark_fds - mark_pool)) end_other=$((end_fds - end_pool))
echo "soak: RSS growth from ${mark} s to the end: ${growth} %;" \
  "open fds ${mark_fds} -> ${end_fds}, besides Twilio connections" \
  "${mark_other} -> ${end_other}; gateway exit code ${gateway_rc}"

status=0
if [ "$driver_rc" -ne 0 ] || [ "$gateway_rc" -ne 0 ] || [ "${calls:-0}" -eq 0 ]; then
  echo "soak: FAIL: driver exit ${driver_rc}, gateway exit ${gateway_rc}," \
    "${calls:-0} calls" >&2
  tail -5 "$work/gateway.log" >&2 || true
  status=1
fi
if ! grep -q '"OK": [1-9]' "$work/driver.json"; then
  echo "soak: FAIL: no call succeeded" >&2
  status=1
fi
if [ "$check" = 1 ]; then
  if awk -v g="$growth" 'BEGIN { exit !(g >= 10) }'; then
    echo "soak: FAIL: RSS grew ${growth} % (limit 10 %)" >&2
    status=1
  fi
  if [ "$end_other" -gt "$mark_other" ]; then
    echo "soak: FAIL: open fds besides Twilio connections grew from" \
      "${mark_other} to ${end_other}" >&2
    status=1
  fi
fi
[ "$status" -eq 0 ] && echo "soak: PASS"
exit "$status"
