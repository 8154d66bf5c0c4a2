# Shared helpers for the end-to-end test scripts. Source it, do not run it.
#
# A test gets its own temporary folder, starts its servers on 127.0.0.1 with
# port 0 (each server writes the port it bound to a file), and stops every
# server it started when it exits, however it exits. Every wait is bounded.
#
# Flags every test accepts:
#   --repo=DIR        the repository (for proto/, tools/ and the spec copy)
#   --gateway=PATH    the twilio-gateway binary
#   --emulator=PATH   the twilio-emulator binary
#   --buf=PATH        buf (default: DIR/tools/node_modules/.bin/buf)
#   --prism=PATH      prism (default: DIR/tools/node_modules/.bin/prism)

# shellcheck disable=SC2034  # EMU_URL, GW_URL etc. are for the tests.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly E2E_DIR
readonly E2E_SERVICE=twilio_gateway.sip.v1.CredentialListMappingService
readonly E2E_WAIT_SECONDS=30

REPO='' GATEWAY='' EMULATOR='' BUF='' PRISM=''
for arg in "$@"; do
  case "$arg" in
    --repo=*) REPO=${arg#*=} ;;
    --gateway=*) GATEWAY=${arg#*=} ;;
    --emulator=*) EMULATOR=${arg#*=} ;;
    --buf=*) BUF=${arg#*=} ;;
    --prism=*) PRISM=${arg#*=} ;;
    *) echo "e2e: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ -n "$REPO" ] || REPO=$(cd "$E2E_DIR/../.." && pwd)
[ -n "$BUF" ] || BUF="$REPO/tools/node_modules/.bin/buf"
[ -n "$PRISM" ] || PRISM="$REPO/tools/node_modules/.bin/prism"

# The test must not pick up a developer's Twilio settings or credentials.
unset "${!TWILIO_@}"

# The test's own stderr, kept for messages from traps: a trap can run while
# a function's stderr points into a file of the temporary folder.
exec {E2E_STDERR}>&2

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/twilio-gateway-e2e.XXXXXX")
export BUF_CACHE_DIR="$E2E_TMP/buf-cache"
E2E_PIDS=()

# Stops what the test started; on failure shows the servers' logs first.
e2e_cleanup() {
  local rc=$? pid i
  trap - EXIT
  for pid in "${E2E_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${E2E_PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    local log
    for log in "$E2E_TMP"/*.log; do
      [ -f "$log" ] || continue
      echo "----- last lines of $(basename "$log") -----"
      tail -n 40 "$log"
    done >&"$E2E_STDERR"
    echo "FAIL: $(basename "$0")" >&"$E2E_STDERR"
  fi
  if [ -n "${E2E_KEEP_TMP:-}" ]; then
    echo "e2e: kept $E2E_TMP" >&"$E2E_STDERR"
  else
    rm -rf "$E2E_TMP"
  fi
  exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

e2e_fail() {
  echo "e2e: FAIL: $*" >&"$E2E_STDERR"
  exit 1
}

e2e_step() {
  echo "== $*"
}

e2e_require_file() {
  [ -x "$1" ] || e2e_fail "$2 not found at $1"
}

# Runs the checks in e2e_checks.py (stdlib-only Python).
e2e_check() {
  python3 "$E2E_DIR/e2e_checks.py" "$@"
}

# Prints 32 random hex digits, the tail of a Twilio SID.
e2e_hex32() {
  od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

# e2e_wait_port_file FILE PID NAME: waits until the process writes its port,
# then sets E2E_PORT. Fails if the process exits or the wait runs out.
e2e_wait_port_file() {
  local file=$1 pid=$2 name=$3 i
  for ((i = 0; i < E2E_WAIT_SECONDS * 10; i++)); do
    if [ -s "$file" ]; then
      # Read twice a moment apart so a write in progress is not taken.
      E2E_PORT=$(tr -d '[:space:]' <"$file")
      sleep 0.05
      if [[ "$E2E_PORT" =~ ^[0-9]+$ ]] &&
          [ "$E2E_PORT" = "$(tr -d '[:space:]' <"$file")" ]; then
        return 0
      fi
    fi
    kill -0 "$pid" 2>/dev/null || e2e_fail "$name exited before it was listening"
    sleep 0.1
  done
  e2e_fail "$name did not write $file within ${E2E_WAIT_SECONDS}s"
}

# Sets a demo account for the emulator and the gateway: a fresh Account SID
# and auth token for each test run.
e2e_use_test_credentials() {
  TWILIO_ACCOUNT_SID="AC$(e2e_hex32)"
  TWILIO_AUTH_TOKEN=$(e2e_hex32)
  export TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN
}

# Starts the emulator on an ephemeral port; sets EMU_PID, EMU_PORT, EMU_URL.
e2e_start_emulator() {
  e2e_require_file "$EMULATOR" "twilio-emulator"
  "$EMULATOR" --listen=127.0.0.1:0 --port_file="$E2E_TMP/emulator.port" \
    >"$E2E_TMP/emulator.log" 2>&1 &
  EMU_PID=$!
  E2E_PIDS+=("$EMU_PID")
  e2e_wait_port_file "$E2E_TMP/emulator.port" "$EMU_PID" twilio-emulator
  EMU_PORT=$E2E_PORT
  EMU_URL="http://127.0.0.1:$EMU_PORT"
}

# e2e_start_gateway TWILIO_BASE_URL [FLAG...]: starts the gateway on an
# ephemeral port and waits until its health check answers SERVING; sets
# GW_PID, GW_PORT, GW_URL. Callers are not authenticated unless the FLAGs
# say --allow_unauthenticated=false and configure authentication.
e2e_start_gateway() {
  local base_url=$1 i
  shift
  e2e_require_file "$GATEWAY" "twilio-gateway"
  # The admin port too gets a free port, so tests running side by side do
  # not fight over the default 9090.
  "$GATEWAY" --listen=127.0.0.1:0 --port_file="$E2E_TMP/gateway.port" \
    --admin_listen=127.0.0.1:0 \
    --twilio_base_url="$base_url" --allow_unauthenticated "$@" \
    >"$E2E_TMP/gateway.log" 2>&1 &
  GW_PID=$!
  E2E_PIDS+=("$GW_PID")
  e2e_wait_port_file "$E2E_TMP/gateway.port" "$GW_PID" twilio-gateway
  GW_PORT=$E2E_PORT
  GW_URL="http://127.0.0.1:$GW_PORT"
  for ((i = 0; i < E2E_WAIT_SECONDS * 2; i++)); do
    if e2e_buf_curl -d '{}' "$GW_URL/grpc.health.v1.Health/Check" \
        >"$E2E_TMP/health.json" 2>/dev/null &&
        grep -q '"SERVING"' "$E2E_TMP/health.json"; then
      return 0
    fi
    kill -0 "$GW_PID" 2>/dev/null || e2e_fail "twilio-gateway exited during start-up"
    sleep 0.5
  done
  e2e_fail "twilio-gateway was not SERVING within ${E2E_WAIT_SECONDS}s"
}

# Drops a pid that has been waited for, so cleanup cannot signal a process
# that later reuses the number.
e2e_forget_pid() {
  local pid kept=()
  for pid in "${E2E_PIDS[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  E2E_PIDS=("${kept[@]}")
}

# e2e_stop PID NAME: sends SIGTERM and expects exit status 0 within the wait.
e2e_stop() {
  local pid=$1 name=$2 i rc=0
  kill -TERM "$pid" 2>/dev/null || e2e_fail "$name was no longer running"
  for ((i = 0; i < E2E_WAIT_SECONDS * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && e2e_fail "$name did not exit within ${E2E_WAIT_SECONDS}s of SIGTERM"
  wait "$pid" || rc=$?
  e2e_forget_pid "$pid"
  [ "$rc" -eq 0 ] || e2e_fail "$name exited with status $rc after SIGTERM (want 0)"
}

# buf curl speaking gRPC over plaintext HTTP/2, as a caller would.
e2e_buf_curl() {
  "$BUF" curl --protocol grpc --http2-prior-knowledge --timeout 30s "$@"
}

# e2e_call NAME RPC JSON: calls RPC on the gateway with request JSON. The
# response goes to $E2E_TMP/NAME.json and buf's error output to NAME.err.
# Returns buf curl's exit status.
e2e_call() {
  local name=$1 rpc=$2 data=$3
  e2e_buf_curl -d "$data" "$GW_URL/$E2E_SERVICE/$rpc" \
    >"$E2E_TMP/$name.json" 2>"$E2E_TMP/$name.err"
}

# e2e_call_ok NAME RPC JSON: the call must succeed.
e2e_call_ok() {
  local rc=0
  e2e_call "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$E2E_TMP/$1.err" >&2
    e2e_fail "$2 $3 failed (buf curl exit status $rc)"
  fi
}

# e2e_call_error NAME RPC JSON CODE [CHECK...]: the call must fail with the
# gRPC code CODE (as buf prints it, e.g. not_found); CHECKs are passed on to
# `e2e_checks.py error` (e.g. --metadata=twilio_code=20404).
e2e_call_error() {
  local name=$1 rpc=$2 data=$3 code=$4
  shift 4
  if e2e_call "$name" "$rpc" "$data"; then
    cat "$E2E_TMP/$name.json" >&2
    e2e_fail "$rpc $data succeeded; want $code"
  fi
  e2e_check error "$E2E_TMP/$name.err" --code="$code" "$@" ||
    e2e_fail "$rpc $data: wrong error"
}
