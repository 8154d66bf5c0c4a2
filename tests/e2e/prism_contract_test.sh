#!/usr/bin/env bash
# Every request the gateway sends to Twilio, and every answer it accepts,
# matches Twilio's own OpenAPI description of the resource.
#
#   buf curl --> gateway --> Prism proxy --errors --> emulator
#
# With --errors, Prism answers any request or response that breaks the spec
# with an error instead of passing it on, so each of the four operations
# (including a List continued with next_page_token) must succeed, and
# Prism's log must report no violation.
#
# Usage: prism_contract_test.sh --repo=DIR --gateway=PATH --emulator=PATH
#                               [--buf=PATH] [--prism=PATH]
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
e2e_require_file "$PRISM" "prism (run deploy/setup.sh)"
spec="$REPO/tests/e2e/twilio_openapi/credential_list_mappings.openapi.json"
[ -f "$spec" ] || e2e_fail "the OpenAPI spec is missing: $spec"
e2e_use_test_credentials
domain="SD$(e2e_hex32)"
lists=("CL$(e2e_hex32)" "CL$(e2e_hex32)" "CL$(e2e_hex32)")
T=$E2E_TMP

# Twilio declares the page fields (uri, first_page_uri, ...) as format "uri",
# which means an absolute URI, but answers with paths such as
# /2010-04-01/Accounts/... (as the spec's own examples show). Check them as
# "uri-reference", which is what they are; see twilio_openapi/README.md.
python3 - "$spec" "$T/spec.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
path = ("/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}"
        "/Auth/Registrations/CredentialListMappings.json")
page = (spec["paths"][path]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"]["properties"])
for name in ("uri", "first_page_uri", "next_page_uri", "previous_page_uri"):
    assert page[name].get("format") == "uri", (name, page[name])
    page[name]["format"] = "uri-reference"
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY

e2e_step "start the emulator"
e2e_start_emulator

e2e_step "start Prism as a validating proxy in front of it"
prism_port=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
"$PRISM" proxy --errors "$T/spec.json" "$EMU_URL" \
  -h 127.0.0.1 -p "$prism_port" >"$T/prism.log" 2>&1 &
prism_pid=$!
E2E_PIDS+=("$prism_pid")
for ((i = 0; ; i++)); do
  grep -q "Prism is listening" "$T/prism.log" && break
  kill -0 "$prism_pid" 2>/dev/null || e2e_fail "Prism exited during start-up"
  ((i < E2E_WAIT_SECONDS * 10)) || e2e_fail "Prism did not start within ${E2E_WAIT_SECONDS}s"
  sleep 0.1
done

e2e_step "start the gateway against Prism"
e2e_start_gateway "http://127.0.0.1:$prism_port"

e2e_step "Create three mappings"
for i in 0 1 2; do
  e2e_call_ok "create$i" CreateCredentialListMapping \
    "{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"${lists[$i]}\"}"
  [ "$(e2e_check field "$T/create$i.json" sid)" = "${lists[$i]}" ] ||
    e2e_fail "Create returned $(cat "$T/create$i.json"), want sid ${lists[$i]}"
done

e2e_step "Get one"
e2e_call_ok get GetCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"${lists[1]}\"}"
[ "$(e2e_check field "$T/get.json" sid)" = "${lists[1]}" ] ||
  e2e_fail "Get returned $(cat "$T/get.json"), want sid ${lists[1]}"

e2e_step "List with Twilio's default page size"
e2e_call_ok list_all ListCredentialListMappings "{\"domain_sid\": \"$domain\"}"
[ "$(e2e_check sids "$T/list_all.json" | wc -l)" -eq 3 ] ||
  e2e_fail "List returned $(cat "$T/list_all.json"), want 3 mappings"

e2e_step "List two at a time, then the next page by next_page_token"
e2e_call_ok page1 ListCredentialListMappings \
  "{\"domain_sid\": \"$domain\", \"page_size\": 2}"
[ "$(e2e_check sids "$T/page1.json" | wc -l)" -eq 2 ] ||
  e2e_fail "the first page is $(cat "$T/page1.json"), want 2 mappings"
token=$(e2e_check field "$T/page1.json" nextPageToken)
[ -n "$token" ] || e2e_fail "the first page has no nextPageToken"
e2e_call_ok page2 ListCredentialListMappings \
  "$(python3 -c 'import json, sys; print(json.dumps({"domain_sid": sys.argv[1], "page_token": sys.argv[2]}))' "$domain" "$token")"
[ "$(e2e_check sids "$T/page2.json" | wc -l)" -eq 1 ] ||
  e2e_fail "the second page is $(cat "$T/page2.json"), want 1 mapping"
[ -z "$(e2e_check field "$T/page2.json" nextPageToken)" ] ||
  e2e_fail "the last page has a nextPageToken"
[ "$(cat <(e2e_check sids "$T/page1.json") <(e2e_check sids "$T/page2.json") | sort)" = \
  "$(printf '%s\n' "${lists[@]}" | sort)" ] ||
  e2e_fail "the two pages do not hold the three mappings exactly once"

e2e_step "Delete all three"
for i in 0 1 2; do
  e2e_call_ok "delete$i" DeleteCredentialListMapping \
    "{\"domain_sid\": \"$domain\", \"sid\": \"${lists[$i]}\"}"
done
e2e_call_ok list_none ListCredentialListMappings "{\"domain_sid\": \"$domain\"}"
[ "$(e2e_check sids "$T/list_none.json" | wc -l)" -eq 0 ] ||
  e2e_fail "List after Delete returned $(cat "$T/list_none.json")"

e2e_step "every call went through Prism, and Prism saw no violation"
for method in post get delete; do
  grep -q "Forwarding \"$method\" request" "$T/prism.log" ||
    e2e_fail "Prism forwarded no $method request"
done
if grep -n -E 'Violation|violation|✖|⚠|\b(error|warning)\b' "$T/prism.log" >&2; then
  e2e_fail "Prism reported the lines above"
fi

echo "PASS: prism_contract_test.sh"
