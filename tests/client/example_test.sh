#!/usr/bin/env bash
# One of client/examples against the real gateway in front of the emulator:
# runs the example (Python with Debian's python3-grpcio and modules generated
# by the system protoc; Node with the packages deploy/setup.sh installed from
# its lock file), and checks what it printed and what the emulator holds
# afterwards. Both examples make the same calls and print the same lines.
#
# Usage: example_test.sh python|node --repo=DIR --gateway=PATH --emulator=PATH
language=${1:-}
shift || true
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh" "$@"

example="$REPO/client/examples/$language"
case "$language" in
  python)
    e2e_require_file /usr/bin/python3 "python3 (Debian's, with python3-grpcio)"
    /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
      e2e_fail "/usr/bin/python3 cannot import grpc (run deploy/setup.sh)"
    ;;
  node)
    command -v node >/dev/null || e2e_fail "node is not installed (run deploy/setup.sh)"
    [ -d "$example/node_modules/@grpc/grpc-js" ] ||
      e2e_fail "$example/node_modules is missing (run deploy/setup.sh)"
    ;;
  *) e2e_fail "the first argument must be python or node, not '$language'" ;;
esac
e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
e2e_use_test_credentials
account=$TWILIO_ACCOUNT_SID
domain="SD$(e2e_hex32)"
list="CL$(e2e_hex32)"
other1="CL$(e2e_hex32)"
other2="CL$(e2e_hex32)"
T=$E2E_TMP

if [ "$language" = python ]; then
  e2e_step "generate the Python modules"
  "$example/generate_stubs.sh" "$T/py" || e2e_fail "generate_stubs.sh failed"
fi

e2e_step "start the emulator and the gateway; map two other lists first"
e2e_start_emulator
e2e_start_gateway "$EMU_URL"
# With the example's own, three mappings: two pages of its page size of 2.
for seeded in "$other1" "$other2"; do
  e2e_call_ok seed CreateCredentialListMapping \
    "{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"$seeded\"}"
done

e2e_step "run the $language example"
args=(--target="127.0.0.1:$GW_PORT" --domain_sid="$domain"
  --credential_list_sid="$list")
rc=0
if [ "$language" = python ]; then
  PYTHONPATH="$T/py" /usr/bin/python3 "$example/mapping_example.py" \
    "${args[@]}" >"$T/example.out" 2>&1 || rc=$?
else
  node "$example/mapping_example.js" "${args[@]}" >"$T/example.out" 2>&1 ||
    rc=$?
fi
cat "$T/example.out"
[ "$rc" -eq 0 ] || e2e_fail "the example exited $rc"

e2e_step "it created, listed and deleted, then showed Twilio's details"
for want in \
    "created $list on $domain (account $account" \
    "listed 3 mapping(s): " \
    "deleted $list" \
    "deleting $list again failed, as it should:" \
    "  code: NOT_FOUND" \
    "  reason: TWILIO_NOT_FOUND" \
    "  twilio_code: 20404" \
    "  more_info: https://www.twilio.com/docs/errors/20404" \
    "  http_status: 404" \
    "  twilio_request_id: RQ"; do
  grep -qF -- "$want" "$T/example.out" || e2e_fail "the example did not print: $want"
done
for seeded in "$other1" "$other2"; do
  grep -q "^listed .*$seeded" "$T/example.out" || e2e_fail "the listing lacks $seeded"
done

e2e_step "the emulator holds only the lists mapped before"
e2e_call_ok after ListCredentialListMappings "{\"domain_sid\": \"$domain\"}"
[ "$(e2e_check sids "$T/after.json" | sort)" = "$(printf '%s\n' "$other1" "$other2" | sort)" ] ||
  e2e_fail "after the example the domain holds $(e2e_check sids "$T/after.json" | tr '\n' ' ')"

echo "PASS: $language example"
