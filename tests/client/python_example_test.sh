#!/usr/bin/env bash
# client/examples/python against the real gateway in front of the emulator:
# generates the example's modules with the system protoc into a temporary
# folder, runs it with /usr/bin/python3 (Debian's python3-grpcio), and checks
# what it printed and what the emulator holds afterwards.
#
# Usage: python_example_test.sh --repo=DIR --gateway=PATH --emulator=PATH
# shellcheck source=../e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh" "$@"

example="$REPO/client/examples/python"
e2e_require_file /usr/bin/python3 "python3 (Debian's, with python3-grpcio)"
e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
  e2e_fail "/usr/bin/python3 cannot import grpc (run deploy/setup.sh)"
e2e_use_test_credentials
account=$TWILIO_ACCOUNT_SID
domain="SD$(e2e_hex32)"
list="CL$(e2e_hex32)"
other1="CL$(e2e_hex32)"
other2="CL$(e2e_hex32)"
T=$E2E_TMP

e2e_step "generate the Python modules"
"$example/generate_stubs.sh" "$T/py" || e2e_fail "generate_stubs.sh failed"

e2e_step "start the emulator and the gateway; map two other lists first"
e2e_start_emulator
e2e_start_gateway "$EMU_URL"
# With the example's own, three mappings: two pages of its page size of 2.
for seeded in "$other1" "$other2"; do
  e2e_call_ok seed CreateCredentialListMapping \
    "{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"$seeded\"}"
done

e2e_step "run the example"
rc=0
PYTHONPATH="$T/py" /usr/bin/python3 "$example/mapping_example.py" \
  --target="127.0.0.1:$GW_PORT" --domain_sid="$domain" \
  --credential_list_sid="$list" >"$T/example.out" 2>&1 || rc=$?
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

echo "PASS: Python example"
