#!/usr/bin/env bash
# Builds and starts twilio-gateway in the background, ready to call.
#
#   ./run.sh         install what is missing, build, (re)start
#   ./run.sh stop    stop what ./run.sh started
#
# Without Twilio credentials in the environment (no TWILIO_ACCOUNT_SID and no
# TWILIO_GATEWAY_CREDENTIALS_FILE) it also starts twilio-emulator, a local
# stand-in for Twilio's REST API, with a demo account, and points the gateway
# at it: every RPC works at once and nothing reaches Twilio. With credentials
# set, the gateway alone runs against Twilio itself.
#
# The gateway listens on 127.0.0.1:50051 unless TWILIO_GATEWAY_LISTEN says
# otherwise. Logs and process ids go to .run/ in the repository.
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
run_dir="$root/.run"
build_dir="$root/build"
gateway_bin="$build_dir/service/server/twilio-gateway"
emulator_bin="$build_dir/tests/twilio_emulator/twilio-emulator"
buf="$root/tools/node_modules/.bin/buf"
readonly demo_account_sid=ACdeadbeefdeadbeefdeadbeefdeadbeef
readonly wait_seconds=60
export BUF_CACHE_DIR="$root/tools/.buf-cache"

say() { echo "run.sh: $*"; }
die() { echo "run.sh: $*" >&2; exit 1; }

# is_ours PID NAME: the process is still the one we started (a pid can be
# reused once a process is gone).
is_ours() {
  local cmdline
  [ -r "/proc/$1/cmdline" ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$2"* ]]
}

# is_running PID: the process exists and has not exited (a zombie has).
is_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

# stop_one NAME: SIGTERM, then up to 25 s for calls in flight to finish (the
# gateway's --shutdown_grace is 20 s by default).
stop_one() {
  local name=$1 pid_file="$run_dir/$1.pid" pid i
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if is_ours "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 250; i++)); do
      is_ours "$pid" "$name" || break
      sleep 0.1
    done
    if is_ours "$pid" "$name"; then
      say "$name (pid $pid) did not stop after 25 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$pid_file" "$run_dir/$name.port"
}

stop_all() {
  stop_one twilio-gateway
  stop_one twilio-emulator
}

# show_log NAME: the end of a log, for when start-up fails.
show_log() {
  echo "----- last lines of $run_dir/$1.log -----" >&2
  tail -n 30 "$run_dir/$1.log" >&2 || true
}

# wait_port NAME: waits for the port file; prints the port.
wait_port() {
  local name=$1 pid i port
  pid=$(cat "$run_dir/$name.pid")
  for ((i = 0; i < wait_seconds * 10; i++)); do
    port=$(tr -d '[:space:]' 2>/dev/null <"$run_dir/$name.port" || true)
    if [[ "$port" =~ ^[0-9]+$ ]]; then
      echo "$port"
      return 0
    fi
    # Not is_ours: until the background job has exec'd the binary, its
    # command line is still this script's.
    if ! is_running "$pid"; then
      show_log "$name"
      die "$name exited during start-up (log above)"
    fi
    sleep 0.1
  done
  show_log "$name"
  die "$name did not start listening within ${wait_seconds}s"
}

# start NAME BINARY ARG...: runs BINARY in the background, detached from this
# terminal, with its output in .run/NAME.log.
start() {
  local name=$1 binary=$2
  shift 2
  rm -f "$run_dir/$name.port"
  setsid nohup "$binary" --port_file="$run_dir/$name.port" "$@" \
    >"$run_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

case "${1:-start}" in
  stop)
    stop_all
    exit 0
    ;;
  start | restart) ;;
  *)
    echo "usage: $0 [stop]" >&2
    exit 2
    ;;
esac

# 1. Install what is missing (system packages, the pinned Node tools).
"$root/deploy/setup.sh"

# 2. Build the gateway and sipmapctl (and the emulator when it is needed).
use_emulator=1
if [ -n "${TWILIO_ACCOUNT_SID:-}" ] || [ -n "${TWILIO_GATEWAY_CREDENTIALS_FILE:-}" ]; then
  use_emulator=0
fi
targets=(twilio-gateway sipmapctl)
[ "$use_emulator" = 1 ] && targets+=(twilio-emulator)
say "building ${targets[*]} in build/"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target "${targets[@]}"

# 3. (Re)start.
mkdir -p "$run_dir"
stop_all
# A failed start leaves nothing running (the logs stay).
trap stop_all EXIT
listen=${TWILIO_GATEWAY_LISTEN:-127.0.0.1:50051}
# Without a tokens file or a client CA in the environment, callers are not
# authenticated (local use); the gateway's log says so.
auth_flags=()
if [ -z "${TWILIO_GATEWAY_TOKENS_FILE:-}" ] &&
    [ -z "${TWILIO_GATEWAY_TLS_CLIENT_CA:-}" ]; then
  auth_flags=(--allow_unauthenticated)
fi
# The admin port (/metrics, /livez, /readyz) stays on this machine unless
# TWILIO_GATEWAY_ADMIN_LISTEN says otherwise.
admin_flags=()
if [ -z "${TWILIO_GATEWAY_ADMIN_LISTEN:-}" ]; then
  admin_flags=(--admin_listen=127.0.0.1:9090)
fi

if [ "$use_emulator" = 1 ]; then
  # A demo account for this run only. The token never leaves the two
  # processes' environments: it is not printed and not written anywhere.
  demo_token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (
    unset "${!TWILIO_@}"
    export TWILIO_ACCOUNT_SID=$demo_account_sid TWILIO_AUTH_TOKEN=$demo_token
    start twilio-emulator "$emulator_bin" --listen=127.0.0.1:0
  )
  emulator_port=$(wait_port twilio-emulator)
  say "twilio-emulator is listening on 127.0.0.1:$emulator_port"
  (
    # Only the demo account; a stray Twilio setting must not point the
    # gateway elsewhere.
    unset TWILIO_API_KEY TWILIO_API_SECRET TWILIO_REGION TWILIO_EDGE \
      TWILIO_GATEWAY_TWILIO_BASE_URL TWILIO_GATEWAY_PORT_FILE \
      TWILIO_GATEWAY_LISTEN
    export TWILIO_ACCOUNT_SID=$demo_account_sid TWILIO_AUTH_TOKEN=$demo_token
    start twilio-gateway "$gateway_bin" --listen="$listen" \
      --twilio_base_url="http://127.0.0.1:$emulator_port" "${auth_flags[@]}" \
      "${admin_flags[@]}"
  )
  unset demo_token
else
  rm -f "$run_dir/twilio-emulator.log"
  (
    unset TWILIO_GATEWAY_PORT_FILE TWILIO_GATEWAY_LISTEN
    start twilio-gateway "$gateway_bin" --listen="$listen" "${auth_flags[@]}" \
      "${admin_flags[@]}"
  )
fi
gateway_port=$(wait_port twilio-gateway)

# 4. Wait until the health service answers SERVING.
host=${listen%:*}
case "$host" in
  "" | 0.0.0.0 | "[::]" | "::") host=127.0.0.1 ;;
esac
target="$host:$gateway_port"
gateway_pid=$(cat "$run_dir/twilio-gateway.pid")
for ((i = 0; ; i++)); do
  health=$("$buf" curl --protocol grpc --http2-prior-knowledge --timeout 5s \
    -d '{}' "http://$target/grpc.health.v1.Health/Check" 2>/dev/null || true)
  [[ "$health" == *'"SERVING"'* ]] && break
  if ! is_ours "$gateway_pid" twilio-gateway; then
    show_log twilio-gateway
    die "twilio-gateway exited during start-up (log above)"
  fi
  if ((i >= wait_seconds * 2)); then
    show_log twilio-gateway
    die "twilio-gateway did not report SERVING within ${wait_seconds}s"
  fi
  sleep 0.5
done

trap - EXIT

# 5. Say how to use it.
service=twilio_gateway.sip.v1.CredentialListMappingService
curl_cmd="$buf curl --protocol grpc --http2-prior-knowledge"
echo
if [ "$use_emulator" = 1 ]; then
  echo "twilio-gateway is serving on $target, calling twilio-emulator on" \
    "127.0.0.1:$emulator_port (demo account $demo_account_sid)."
else
  echo "twilio-gateway is serving on $target, calling Twilio."
fi
echo
echo "Logs:"
echo "  $run_dir/twilio-gateway.log"
[ "$use_emulator" = 1 ] && echo "  $run_dir/twilio-emulator.log"
echo
echo "Try it (README.md shows every RPC, and the same calls with grpcurl):"
echo "  export BUF_CACHE_DIR=$BUF_CACHE_DIR"
if [ "$use_emulator" = 1 ]; then
  domain=SD0123456789abcdef0123456789abcdef
  cat <<EOF
  $curl_cmd \\
    -d '{"domain_sid": "$domain", "credential_list_sid": "CL0123456789abcdef0123456789abcdef"}' \\
    http://$target/$service/CreateCredentialListMapping
  $curl_cmd \\
    -d '{"domain_sid": "$domain"}' \\
    http://$target/$service/ListCredentialListMappings
EOF
else
  cat <<EOF
  # Put one of your SIP Domains' SIDs in place of SDxxx...
  $curl_cmd \\
    -d '{"domain_sid": "SDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' \\
    http://$target/$service/ListCredentialListMappings
EOF
fi
echo
echo "Stop it:"
echo "  $root/run.sh stop"
