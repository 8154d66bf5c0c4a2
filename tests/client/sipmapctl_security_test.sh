#!/usr/bin/env bash
# sipmapctl against gateways that identify their callers: by bearer token
# (--token_file), and over TLS with a client certificate (--ca_cert,
# --client_cert, --client_key), each in front of the emulator. Checks that
# the caller's rights apply to --validate_only too, and that the token never
# shows in anything sipmapctl prints. The certificates are made for the run
# with openssl.
#
# Usage: sipmapctl_security_test.sh --repo=DIR --gateway=PATH
#                                   --emulator=PATH --sipmapctl=PATH
SIPMAPCTL=''
lib_args=()
for arg in "$@"; do
  case "$arg" in
    --sipmapctl=*) SIPMAPCTL=${arg#*=} ;;
    *) lib_args+=("$arg") ;;
  esac
done
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh" "${lib_args[@]}"

e2e_require_file "$SIPMAPCTL" sipmapctl
e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
command -v openssl >/dev/null || e2e_fail "openssl is not installed (run deploy/setup.sh)"
e2e_use_test_credentials
domain="SD$(e2e_hex32)"
list1="CL$(e2e_hex32)"
list2="CL$(e2e_hex32)"
T=$E2E_TMP
TARGET=''

# ctl NAME WANT_STATUS ARG...: runs sipmapctl against $TARGET; stdout to
# $T/NAME.out, stderr to $T/NAME.err; the exit status must be WANT_STATUS.
ctl() {
  local name=$1 want=$2 rc=0
  shift 2
  "$SIPMAPCTL" --target="$TARGET" --domain_sid="$domain" "$@" \
    >"$T/$name.out" 2>"$T/$name.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "--- stdout:" >&2; cat "$T/$name.out" >&2
    echo "--- stderr:" >&2; cat "$T/$name.err" >&2
    e2e_fail "sipmapctl $* exited $rc, want $want"
  fi
}

has() {
  grep -qF -- "$2" "$T/$1" || {
    cat "$T/$1" >&2
    e2e_fail "$1 lacks: $2"
  }
}

sha256() {
  printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

e2e_step "start the emulator"
e2e_start_emulator

e2e_step "a gateway that takes bearer tokens"
writer_token="w-$(e2e_hex32)"
reader_token="r-$(e2e_hex32)"
# A trailing newline, as `echo` leaves it, must not count.
printf '%s\n' "$writer_token" >"$T/writer.token"
printf '%s' "$reader_token" >"$T/reader.token"
: >"$T/empty.token"
cat >"$T/tokens.json" <<JSON
{"tokens": [
  {"caller": "writer", "sha256": "$(sha256 "$writer_token")"},
  {"caller": "reader", "sha256": "$(sha256 "$reader_token")"}
]}
JSON
cat >"$T/policy.json" <<JSON
{"grants": [
  {"caller": "writer", "accounts": ["*"], "operations": ["read", "write"]},
  {"caller": "reader", "accounts": ["*"], "operations": ["read"]},
  {"caller": "spiffe://client-test/sipmapctl", "accounts": ["*"],
   "operations": ["read", "write"]}
]}
JSON
e2e_start_gateway "$EMU_URL" --allow_unauthenticated=false \
  --tokens_file="$T/tokens.json" --policy_file="$T/policy.json"
TARGET="127.0.0.1:$GW_PORT"

e2e_step "no token: exit 16 (UNAUTHENTICATED)"
ctl none 16 get "$list1"
has none.err "UNAUTHENTICATED: "

e2e_step "the writer creates; the reader reads, page by page"
ctl writer_create 0 create "$list1" --token_file="$T/writer.token"
ctl writer_create2 0 create "$list2" --token_file="$T/writer.token"
ctl reader_get 0 get "$list1" --token_file="$T/reader.token" --output=json
ctl reader_list 0 list --all --page_size=1 --token_file="$T/reader.token" --output=json
[ "$(e2e_check sids "$T/reader_list.out" | wc -l)" = 2 ] ||
  e2e_fail "the reader's list --all returned $(cat "$T/reader_list.out")"

e2e_step "the caller's rights apply to --validate_only: exit 7 for the reader"
ctl reader_dry_create 7 create "CL$(e2e_hex32)" --validate_only --token_file="$T/reader.token"
has reader_dry_create.err "PERMISSION_DENIED: "
ctl reader_dry_delete 7 delete "$list1" --validate_only --token_file="$T/reader.token"
ctl writer_dry_delete 0 delete "$list1" --validate_only --token_file="$T/writer.token"

e2e_step "an unknown token: exit 16; an empty or missing token file: exit 64"
printf '%s' "x-$(e2e_hex32)" >"$T/stranger.token"
ctl stranger 16 get "$list1" --token_file="$T/stranger.token"
ctl empty_token 64 get "$list1" --token_file="$T/empty.token"
has empty_token.err "holds no token"
ctl missing_token 64 get "$list1" --token_file="$T/no-such.token"

e2e_step "no token shows in anything sipmapctl printed"
if grep -rqF -e "$writer_token" -e "$reader_token" "$T"/*.out "$T"/*.err; then
  e2e_fail "a token shows in sipmapctl's output"
fi
e2e_stop "$GW_PID" twilio-gateway

e2e_step "make a CA, a server certificate and a client certificate"
key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
(
  cd "$T"
  openssl req -x509 "${key[@]}" -keyout ca.key -out ca.pem -days 2 \
    -subj /CN=client-test-ca
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
  printf 'subjectAltName=URI:spiffe://client-test/sipmapctl\nextendedKeyUsage=clientAuth\n' >client.ext
  for who in server client; do
    openssl req "${key[@]}" -keyout "$who.key" -out "$who.csr" -subj "/CN=$who"
    openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
      -days 2 -extfile "$who.ext" -out "$who.pem"
  done
) >"$T/openssl.log" 2>&1 || { cat "$T/openssl.log" >&2; e2e_fail "openssl failed"; }

e2e_step "a gateway that speaks TLS and asks for client certificates"
"$GATEWAY" --listen=127.0.0.1:0 --port_file="$T/tls-gateway.port" \
  --admin_listen=127.0.0.1:0 --twilio_base_url="$EMU_URL" \
  --tls_cert="$T/server.pem" --tls_key="$T/server.key" \
  --tls_client_ca="$T/ca.pem" --policy_file="$T/policy.json" \
  >"$T/tls-gateway.log" 2>&1 &
TLS_PID=$!
E2E_PIDS+=("$TLS_PID")
e2e_wait_port_file "$T/tls-gateway.port" "$TLS_PID" "twilio-gateway (TLS)"
TARGET="127.0.0.1:$E2E_PORT"
mtls=(--ca_cert="$T/ca.pem" --client_cert="$T/client.pem" --client_key="$T/client.key")
for ((i = 0; i < E2E_WAIT_SECONDS * 2; i++)); do
  "$SIPMAPCTL" --target="$TARGET" --domain_sid="$domain" "${mtls[@]}" \
    --timeout=5s get "$list1" >/dev/null 2>&1 && break
  kill -0 "$TLS_PID" 2>/dev/null || e2e_fail "the TLS gateway exited during start-up"
  sleep 0.5
done

e2e_step "with the CA and a client certificate: the calls work"
ctl mtls_get 0 get "$list1" "${mtls[@]}" --output=json
[ "$(e2e_check field "$T/mtls_get.out" sid)" = "$list1" ] ||
  e2e_fail "get over mutual TLS returned $(cat "$T/mtls_get.out")"
ctl mtls_delete 0 delete "$list1" "${mtls[@]}"

e2e_step "without a client certificate, plaintext, or the wrong CA: exit 14"
ctl no_client_cert 14 get "$list2" --ca_cert="$T/ca.pem" --timeout=10s
ctl plaintext 14 get "$list2" --timeout=10s
ctl wrong_ca 14 get "$list2" --ca_cert="$T/client.pem" \
  --client_cert="$T/client.pem" --client_key="$T/client.key" --timeout=10s

echo "PASS: sipmapctl with tokens and TLS"
