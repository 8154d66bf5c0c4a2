#!/usr/bin/env bash
# Benchmarks the gateway against the direct HTTP path and a bare gRPC
# server, and prints one table (see bench/README.md).
#
#   bench/run.sh                 install what is missing, build (Release),
#                                run scenarios A-D twice, print the table
#   bench/run.sh --repeat=3 --duration=10s --scenarios=AB
#
# Options:
#   --repeat=N        runs of each scenario (default 2), to see the noise
#   --duration=D      timed window of each load run (default 5s)
#   --warmup=D        load before each window, not counted (default 1s)
#   --scenarios=ABCD  which scenarios to run
#   --build_dir=DIR   where to build (default build-bench in the repository)
#   --gateway_flag=F  extra flag for every gateway started (repeatable)
#   --no_setup        skip deploy/setup.sh (packages already installed)
#   --no_build        use the binaries already in the build folder
#   --out=DIR         also copy the table and the raw JSON lines there
#
# Everything runs on 127.0.0.1 with ports picked by the kernel; the
# emulator gets a demo account and a token made up for this run. The load
# generator, the gateway and the emulator share the machine's cores, so
# figures are compared as ratios within the same run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$root/build-bench"
repeat=2
duration=5s
warmup=1s
scenarios=ABCD
setup=1
build=1
out_dir=
gateway_flags=()

for arg in "$@"; do
  case "$arg" in
    --repeat=*) repeat=${arg#*=} ;;
    --duration=*) duration=${arg#*=} ;;
    --warmup=*) warmup=${arg#*=} ;;
    --scenarios=*) scenarios=${arg#*=} ;;
    --build_dir=*) build_dir=${arg#*=} ;;
    --gateway_flag=*) gateway_flags+=("${arg#*=}") ;;
    --no_setup) setup=0 ;;
    --no_build) build=0 ;;
    --out=*) out_dir=${arg#*=} ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "bench: bad --repeat" >&2; exit 2; }

say() { echo "bench: $*" >&2; }

if [ "$setup" = 1 ]; then
  "$root/deploy/setup.sh"
fi
if [ "$build" = 1 ]; then
  say "building (Release) in $build_dir"
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    >/dev/null
  ninja -C "$build_dir" -j2 twilio-gateway twilio-emulator loadgen \
    floor-server decode-bench >/dev/null
fi
gateway_bin="$build_dir/service/server/twilio-gateway"
emulator_bin="$build_dir/tests/twilio_emulator/twilio-emulator"
loadgen_bin="$build_dir/client/loadgen/loadgen"
floor_bin="$build_dir/bench/floor-server"
decode_bin="$build_dir/bench/decode-bench"

work=$(mktemp -d /tmp/twilio-gateway-bench.XXXXXX)
runs="$work/runs.json"
: >"$runs"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# The variables of Twilio's tools, and only ours: nothing from the caller's
# environment reaches Twilio or changes the gateway's settings.
while read -r name; do unset "$name"; done < <(
  env | sed -n 's/^\(TWILIO_[A-Z_]*\)=.*/\1/p')
export TWILIO_ACCOUNT_SID=ACdeadbeefdeadbeefdeadbeefdeadbeef
TWILIO_AUTH_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export TWILIO_AUTH_TOKEN

readonly get_domain=SD0123456789abcdef0123456789abcdef
readonly list_domain=SDbeefbeefbeefbeefbeefbeefbeefbeef
readonly get_sid=CL00000000000000000000000000000000

# start NAME PORT_FILE COMMAND...: runs it in the background, logging to
# $work/NAME.log, waits for its port file; sets $started_pid, $started_port.
start() {
  local name=$1 port_file=$2 i
  shift 2
  rm -f "$port_file"
  "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  for ((i = 0; i < 300; i++)); do
    if [ -s "$port_file" ]; then
      started_port=$(tr -d '[:space:]' <"$port_file")
      return 0
    fi
    if ! kill -0 "$started_pid" 2>/dev/null; then break; fi
    sleep 0.05
  done
  say "$name did not start; the end of its log:"
  tail -n 20 "$work/$name.log" >&2
  exit 1
}

stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

start_emulator() {
  local name=$1
  shift
  start "$name" "$work/$name.port" "$emulator_bin" --listen=127.0.0.1:0 \
    --port_file="$work/$name.port" --log_requests=false "$@"
}

# The load generator is one anonymous caller: the gateway is told to serve
# callers without credentials and not to rate-limit them, so the benchmark
# measures the gateway's own cost, not its refusals.
gateway_help=$("$gateway_bin" --helpfull 2>/dev/null || true)
open_flags=()
for flag in --allow_unauthenticated --rate_limit_per_caller=0; do
  if [[ "$gateway_help" == *"${flag%%=*}"* ]]; then open_flags+=("$flag"); fi
done

# gateway_args PORT_FILE EMULATOR_PORT: the gateway's command line.
gateway_args() {
  gateway_cmd=("$gateway_bin" --listen=127.0.0.1:0 --port_file="$1"
    --admin_listen=127.0.0.1:0 --twilio_base_url="http://127.0.0.1:$2"
    ${open_flags[@]+"${open_flags[@]}"}
    ${gateway_flags[@]+"${gateway_flags[@]}"})
}

# start_gateway NAME EMULATOR_PORT [FLAG...]
start_gateway() {
  local name=$1 emulator_port=$2
  shift 2
  gateway_args "$work/$name.port" "$emulator_port"
  start "$name" "$work/$name.port" "${gateway_cmd[@]}" "$@"
}

# load LABEL ARGS...: one loadgen run, its JSON line appended to $runs.
load() {
  local label=$1
  shift
  "$loadgen_bin" --label="$label" --json_out="$runs" --warmup="$warmup" \
    --duration="$duration" "$@" >>"$work/loadgen.txt" || {
    say "$label: the load generator failed; see $work/loadgen.txt"
    exit 1
  }
  tail -n 1 "$runs" | sed 's/^/  /' | cut -c1-160 >&2
}

say "work folder $work"
start_emulator emulator
emulator_pid=$started_pid
emulator_port=$started_port
start_gateway gateway "$emulator_port"
gateway_pid=$started_pid
gateway_port=$started_port
start floor "$work/floor.port" "$floor_bin" --listen=127.0.0.1:0 \
  --port_file="$work/floor.port"
floor_pid=$started_pid
floor_port=$started_port

# Seed data through the gateway: the mapping every Get reads, and 1000
# mappings for the List pages.
"$loadgen_bin" --label=seed.get --call=create --requests=1 \
  --domain_sid="$get_domain" --first_index=0 \
  --target="127.0.0.1:$gateway_port" >>"$work/loadgen.txt"
if [[ "$scenarios" == *C* ]]; then
  "$loadgen_bin" --label=seed.list --call=create --requests=1000 \
    --concurrency=16 --domain_sid="$list_domain" --first_index=4096 \
    --target="127.0.0.1:$gateway_port" --json_out="$work/seed.json" \
    >>"$work/loadgen.txt"
fi

for ((rep = 1; rep <= repeat; rep++)); do
  if [[ "$scenarios" == *A* ]]; then
    say "A, run $rep: Get, 32 in flight"
    get=(--call=get --concurrency=32 --domain_sid="$get_domain"
      --sid="$get_sid")
    load "A.gateway.$rep" "${get[@]}" --target="127.0.0.1:$gateway_port" \
      --watch="gateway:$gateway_pid,emulator:$emulator_pid"
    load "A.direct.$rep" "${get[@]}" --mode=http \
      --http_base_url="http://127.0.0.1:$emulator_port" \
      --watch="emulator:$emulator_pid"
    load "A.floor.$rep" "${get[@]}" --target="127.0.0.1:$floor_port" \
      --watch="floor:$floor_pid"
    # A server's CPU per call falls as its rate rises (more work per wakeup),
    # and the floor runs many times faster than the gateway here: the floor
    # is also measured at the rate the gateway reached, for a like-for-like
    # figure.
    gateway_rps=$(grep "\"A.gateway.$rep\"" "$runs" | /usr/bin/python3 -c \
      'import json, sys; print(max(1, round(json.load(sys.stdin)["rps"])))')
    load "A.floorpaced.$rep" "${get[@]}" --rate="$gateway_rps" \
      --target="127.0.0.1:$floor_port" --watch="floor:$floor_pid"
  fi

  if [[ "$scenarios" == *B* ]]; then
    say "B, run $rep: Get, Twilio answering after 100 ms, 1000 in flight"
    # A gateway of its own, fresh, so its memory and threads are this
    # scenario's.
    start_emulator slow_emulator --answer_delay=100ms
    slow_pid=$started_pid
    slow_port=$started_port
    # Little's law asks for 1000 requests in flight to Twilio; the
    # per-account cap (50 by default, a share of Twilio's own limit) would
    # hold them to 50, so it is raised to see what the gateway can carry.
    start_gateway slow_gateway "$slow_port" --twilio_max_in_flight=1000
    slow_gateway_pid=$started_pid
    slow_gateway_port=$started_port
    "$loadgen_bin" --call=create --requests=1 --domain_sid="$get_domain" \
      --first_index=0 --target="127.0.0.1:$slow_gateway_port" \
      >>"$work/loadgen.txt"
    # Spread over 16 connections, as many callers would be: the gateway
    # lets one connection have 100 calls in flight.
    b=(--call=get --concurrency=1000 --channels=16 --domain_sid="$get_domain"
      --sid="$get_sid" --warmup=2s)
    load "B.gateway.$rep" "${b[@]}" \
      --target="127.0.0.1:$slow_gateway_port" \
      --watch="gateway:$slow_gateway_pid,emulator:$slow_pid"
    load "B.direct.$rep" "${b[@]}" --mode=http \
      --http_base_url="http://127.0.0.1:$slow_port" \
      --watch="emulator:$slow_pid"
    stop "$slow_gateway_pid"
    stop "$slow_pid"
  fi

  if [[ "$scenarios" == *C* ]]; then
    say "C, run $rep: List, 1000-item pages, 4 in flight"
    c=(--call=list --page_size=1000 --concurrency=4
      --domain_sid="$list_domain")
    load "C.gateway.$rep" "${c[@]}" --target="127.0.0.1:$gateway_port" \
      --watch="gateway:$gateway_pid,emulator:$emulator_pid"
    load "C.direct.$rep" "${c[@]}" --mode=http \
      --http_base_url="http://127.0.0.1:$emulator_port" \
      --watch="emulator:$emulator_pid"
    load "C.floor.$rep" "${c[@]}" --target="127.0.0.1:$floor_port" \
      --watch="floor:$floor_pid"
    # The gateway's decoding of a 1000-item page alone, on one thread.
    "$decode_bin" --seconds=1 | tail -n 1 |
      sed "s/\"decode\"/\"C.decode.$rep\"/" >>"$runs"
    tail -n 1 "$runs" | sed 's/^/  /' >&2
  fi

  if [[ "$scenarios" == *D* ]]; then
    say "D, run $rep: start-up to SERVING, idle memory"
    gateway_args "$work/startup.port" "$emulator_port"
    "$loadgen_bin" --mode=startup --label="D.gateway.$rep" \
      --json_out="$runs" --port_file="$work/startup.port" --idle=2s \
      --child_log="$work/startup.log" -- "${gateway_cmd[@]}" \
      >>"$work/loadgen.txt"
    "$loadgen_bin" --mode=startup --label="D.floor.$rep" \
      --json_out="$runs" --port_file="$work/startup.port" --idle=2s \
      --child_log="$work/startup.log" -- "$floor_bin" \
      --listen=127.0.0.1:0 --port_file="$work/startup.port" \
      >>"$work/loadgen.txt"
    tail -n 2 "$runs" | sed 's/^/  /' >&2
  fi
done

/usr/bin/python3 "$root/bench/table.py" "$runs" | tee "$work/table.md"
if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"
  cp "$work/table.md" "$work/runs.json" "$out_dir/"
  say "table and raw runs copied to $out_dir"
fi
say "logs and raw runs in $work"
