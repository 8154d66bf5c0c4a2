#!/usr/bin/env bash
# The twilio-gateway binary with caller authentication, as an operator runs
# it: it will not start open by mistake, it refuses a credentials file other
# users may read, it checks bearer tokens against the policy, it reloads its
# credentials file when the Kubernetes "..data" link is swapped, and with
# trace logging on, nothing it writes (log, answers, metrics, readiness)
# holds a Twilio secret, its Basic encoding or a caller's token.
#
# Usage: gateway_binary_security_test.sh --repo=DIR --gateway=PATH
#          --emulator=PATH [--buf=PATH]
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"

e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
e2e_require_file "$GATEWAY" "twilio-gateway"
T=$E2E_TMP

account="AC$(e2e_hex32)"
domain="SD$(e2e_hex32)"
list="CL$(e2e_hex32)"
twilio_token="CanaryBinaryAuthToken$(e2e_hex32)"
broken_token="CanaryBinaryBrokenToken$(e2e_hex32)"
writer_token="CanaryBinaryWriter$(e2e_hex32)"
reader_token="CanaryBinaryReader$(e2e_hex32)"
stranger_token="CanaryBinaryStranger$(e2e_hex32)"

sha256() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

credentials_json() {
  printf '{"default_account_sid": "%s", "accounts": [{"account_sid": "%s", "auth_token": "%s"}]}\n' \
    "$account" "$account" "$1"
}

# A Kubernetes Secret volume: secret/credentials.json -> ..data/... and an
# update that swaps ..data in one rename.
mkdir -m 700 "$T/secret"
version=0
secret_update() {  # CONTENTS MODE
  version=$((version + 1))
  mkdir "$T/secret/..v$version"
  printf '%s' "$1" >"$T/secret/..v$version/credentials.json"
  chmod "$2" "$T/secret/..v$version/credentials.json"
  ln -sfn "..v$version" "$T/secret/..data_tmp"
  mv -T "$T/secret/..data_tmp" "$T/secret/..data"
  [ -L "$T/secret/credentials.json" ] ||
    ln -s ..data/credentials.json "$T/secret/credentials.json"
}
secret_update "$(credentials_json "$twilio_token")" 600

cat >"$T/tokens.json" <<JSON
{"tokens": [
  {"caller": "writer", "sha256": "$(sha256 "$writer_token")"},
  {"caller": "reader", "sha256": "$(sha256 "$reader_token")"}]}
JSON
cat >"$T/policy.json" <<JSON
{"grants": [
  {"caller": "writer", "accounts": ["*"], "operations": ["read", "write"]},
  {"caller": "reader", "accounts": ["$account"], "operations": ["read"]}]}
JSON

# run_refused NAME EXPECTED_TEXT ARGS...: the gateway must exit non-zero at
# start-up and say EXPECTED_TEXT.
run_refused() {
  local name=$1 want=$2 rc=0
  shift 2
  timeout 30 "$GATEWAY" --listen=127.0.0.1:0 --admin_listen= "$@" \
    >"$T/$name.log" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
    e2e_fail "$name: the gateway did not refuse to start (exit $rc)"
  grep -qF -- "$want" "$T/$name.log" ||
    e2e_fail "$name: the log does not say '$want': $(cat "$T/$name.log")"
}

e2e_step "without authentication or --allow_unauthenticated it does not start"
run_refused no_auth "--allow_unauthenticated" \
  --credentials_file="$T/secret/credentials.json" \
  --twilio_base_url=http://127.0.0.1:9

e2e_step "a credentials file other users may read is refused at start-up"
cp "$T/secret/credentials.json" "$T/open-credentials"
chmod 644 "$T/open-credentials"
run_refused open_file "chmod 600" --credentials_file="$T/open-credentials" \
  --allow_unauthenticated --twilio_base_url=http://127.0.0.1:9

e2e_step "plain http:// to a host that is not loopback is refused"
run_refused plain_http "loopback" \
  --credentials_file="$T/secret/credentials.json" --allow_unauthenticated \
  --twilio_base_url=http://twilio.example.com

e2e_step "--allow_unauthenticated says so plainly"
timeout 5 "$GATEWAY" --listen=127.0.0.1:0 --admin_listen= \
  --credentials_file="$T/secret/credentials.json" --allow_unauthenticated \
  --twilio_base_url=http://127.0.0.1:9 >"$T/open_mode.log" 2>&1 || true
grep -q "caller authentication is OFF" "$T/open_mode.log" ||
  e2e_fail "no plain warning: $(cat "$T/open_mode.log")"

e2e_step "start the emulator and the gateway with tokens, a policy and trace logs"
TWILIO_ACCOUNT_SID=$account TWILIO_AUTH_TOKEN=$twilio_token
export TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN
e2e_start_emulator
unset TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN
e2e_start_gateway "$EMU_URL" --allow_unauthenticated=false \
  --tokens_file="$T/tokens.json" --policy_file="$T/policy.json" \
  --credentials_file="$T/secret/credentials.json" --reload_interval=1s \
  --log_level=trace --admin_listen=127.0.0.1:0 \
  --admin_port_file="$T/admin.port"
e2e_wait_port_file "$T/admin.port" "$GW_PID" "twilio-gateway (admin port)"
ADMIN_PORT=$E2E_PORT

# call NAME TOKEN RPC JSON: buf curl with "authorization: Bearer TOKEN" (none
# when TOKEN is empty); output in NAME.json and NAME.err.
call() {
  local name=$1 token=$2 rpc=$3 data=$4 auth=()
  [ -n "$token" ] && auth=(-H "authorization: Bearer $token")
  e2e_buf_curl "${auth[@]}" -d "$data" "$GW_URL/$E2E_SERVICE/$rpc" \
    >"$T/$name.json" 2>"$T/$name.err"
}
call_ok() {  # NAME TOKEN RPC JSON
  call "$@" || { cat "$T/$1.err" >&2; e2e_fail "$1: $3 failed"; }
}
call_error() {  # NAME TOKEN RPC JSON CODE [CHECK...]
  local name=$1 code=$5
  if call "$1" "$2" "$3" "$4"; then e2e_fail "$name succeeded; want $code"; fi
  shift 5
  e2e_check error "$T/$name.err" --code="$code" "$@" ||
    e2e_fail "$name: wrong error"
}
mapping="{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"$list\"}"
one="{\"domain_sid\": \"$domain\", \"sid\": \"$list\"}"

e2e_step "the writer may create, read, list and delete"
call_ok create "$writer_token" CreateCredentialListMapping "$mapping"
call_ok get "$writer_token" GetCredentialListMapping "$one"
call_ok list "$writer_token" ListCredentialListMappings \
  "{\"domain_sid\": \"$domain\"}"

e2e_step "the reader may read but not create"
call_ok reader_get "$reader_token" GetCredentialListMapping "$one"
call_error reader_create "$reader_token" CreateCredentialListMapping \
  "$mapping" permission_denied
call_error reader_other_account "$reader_token" GetCredentialListMapping \
  "{\"account_sid\": \"AC$(e2e_hex32)\", \"domain_sid\": \"$domain\", \"sid\": \"$list\"}" \
  permission_denied

e2e_step "no token and an unknown token are unauthenticated"
call_error no_token "" GetCredentialListMapping "$one" unauthenticated
call_error unknown_token "$stranger_token" GetCredentialListMapping "$one" \
  unauthenticated

e2e_step "a broken credentials file keeps the last good one"
broken=$(credentials_json "$broken_token")
secret_update "${broken:0:150}" 600
for ((i = 0; i < E2E_WAIT_SECONDS * 10; i++)); do
  grep -q "credentials reload failed" "$T/gateway.log" && break
  sleep 0.1
done
grep -q "credentials reload failed" "$T/gateway.log" ||
  e2e_fail "the broken credentials file was not reported"
call_ok after_broken "$writer_token" GetCredentialListMapping "$one"
python3 - "$ADMIN_PORT" "$T" <<'PY' || e2e_fail "readiness or metrics"
import sys, urllib.request
port, folder = sys.argv[1], sys.argv[2]
for path in ("readyz", "metrics"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as r:
        body = r.read().decode()
        assert r.status == 200, (path, r.status)
    open(f"{folder}/{path}.txt", "w").write(body)
ready = open(f"{folder}/readyz.txt").read()
assert "credentials: the file failed to load" in ready, ready
PY

e2e_step "a good file again is reloaded, without a restart"
secret_update "$(credentials_json "$twilio_token")" 400
for ((i = 0; i < E2E_WAIT_SECONDS * 10; i++)); do
  grep -q '"credentials reloaded"' "$T/gateway.log" && break
  sleep 0.1
done
grep -q '"credentials reloaded"' "$T/gateway.log" ||
  e2e_fail "the good credentials file was not reloaded"
call_ok delete "$writer_token" DeleteCredentialListMapping "$one"

e2e_step "every create, delete and denial is in the audit log"
python3 - "$T/gateway.log" <<'PY' || e2e_fail "audit log"
import json, sys
audit = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        record = json.loads(line)
    except ValueError:
        continue
    if record.get("log") == "audit":
        audit.append(record)
outcomes = [(r["rpc"], r["caller"], r["outcome"]) for r in audit]
want = [("CreateCredentialListMapping", "writer", "OK"),
        ("CreateCredentialListMapping", "reader", "PERMISSION_DENIED"),
        ("GetCredentialListMapping", "reader", "PERMISSION_DENIED"),
        ("GetCredentialListMapping", "anonymous", "UNAUTHENTICATED"),
        ("GetCredentialListMapping", "anonymous", "UNAUTHENTICATED"),
        ("DeleteCredentialListMapping", "writer", "OK")]
assert outcomes == want, outcomes
assert all(r["twilio_request_id"].startswith("RQ") for r in audit
           if r["outcome"] == "OK"), audit
PY

e2e_step "SIGTERM stops it cleanly"
e2e_stop "$GW_PID" twilio-gateway

e2e_step "no secret in anything the gateway wrote or answered"
leaks=0
for secret in "$twilio_token" "$broken_token" "$writer_token" "$reader_token" \
    "$stranger_token"; do
  basic=$(printf '%s:%s' "$account" "$secret" | base64 -w0)
  for form in "$secret" "$basic" "${basic%%=*}" "$(printf %s "$secret" | base64 -w0)"; do
    if grep -rlF -- "$form" "$T"/*.log "$T"/*.json "$T"/*.err "$T"/*.txt \
        2>/dev/null | grep -v '/emulator.log$'; then
      echo "leaked: a form of a canary secret is in the files above" >&2
      leaks=1
    fi
  done
done
[ "$leaks" = 0 ] || e2e_fail "a secret leaked"
grep -q '"level":"debug"' "$T/gateway.log" ||
  e2e_fail "trace logging was not on, so the search proves little"
echo "PASS: $(basename "$0")"
