#!/usr/bin/env bash
# The gateway as a caller sees it: the emulator stands in for Twilio, the
# gateway runs in front of it, and every call goes through `buf curl` (gRPC
# over plaintext HTTP/2, schema from server reflection). What the gateway
# answers is compared with what the emulator holds, read directly from the
# emulator's REST API.
#
# Usage: buf_curl_test.sh --repo=DIR --gateway=PATH --emulator=PATH [--buf=PATH]
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

e2e_require_file "$BUF" "buf (run deploy/setup.sh)"
e2e_use_test_credentials
account=$TWILIO_ACCOUNT_SID
domain="SD$(e2e_hex32)"
list1="CL$(e2e_hex32)"
list2="CL$(e2e_hex32)"
collection="/2010-04-01/Accounts/$account/SIP/Domains/$domain/Auth/Registrations/CredentialListMappings"
T=$E2E_TMP

# twilio_get NAME PATH: the emulator's own answer, into $T/NAME.twilio.json;
# prints the HTTP status.
twilio_get() {
  e2e_check twilio-get "$EMU_URL" "$2" --out="$T/$1.twilio.json"
}

e2e_step "start the emulator and the gateway"
e2e_start_emulator
e2e_start_gateway "$EMU_URL"

e2e_step "reflection lists the four RPCs and the health check"
e2e_buf_curl --list-methods "$GW_URL" >"$T/methods.txt" 2>"$T/methods.err" || {
  cat "$T/methods.err" >&2
  e2e_fail "buf curl --list-methods failed"
}
e2e_check methods "$T/methods.txt"

e2e_step "health: the server and the service are SERVING"
for service in "" "$E2E_SERVICE"; do
  e2e_buf_curl -d "{\"service\": \"$service\"}" \
    "$GW_URL/grpc.health.v1.Health/Check" >"$T/health.json"
  [ "$(e2e_check field "$T/health.json" status)" = SERVING ] ||
    e2e_fail "health of '$service': $(cat "$T/health.json")"
done

e2e_step "Create (default account) returns what the emulator now holds"
e2e_call_ok create1 CreateCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"$list1\"}"
[ "$(twilio_get list1 "$collection/$list1.json")" = 200 ] ||
  e2e_fail "the emulator does not hold $list1 after Create"
e2e_check mapping "$T/create1.json" "$T/list1.twilio.json" --domain-sid="$domain"
[ "$(e2e_check field "$T/create1.json" sid)" = "$list1" ] ||
  e2e_fail "Create returned sid $(e2e_check field "$T/create1.json" sid), want $list1"

e2e_step "Create (account named) returns what the emulator now holds"
e2e_call_ok create2 CreateCredentialListMapping \
  "{\"account_sid\": \"$account\", \"domain_sid\": \"$domain\", \"credential_list_sid\": \"$list2\"}"
[ "$(twilio_get list2 "$collection/$list2.json")" = 200 ] ||
  e2e_fail "the emulator does not hold $list2 after Create"
e2e_check mapping "$T/create2.json" "$T/list2.twilio.json" --domain-sid="$domain"

e2e_step "Create of a list already mapped is ALREADY_EXISTS"
e2e_call_error create_again CreateCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"credential_list_sid\": \"$list1\"}" \
  already_exists --metadata=http_status=400

e2e_step "Get returns the same mapping as Create and the emulator"
e2e_call_ok get1 GetCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"$list1\"}"
e2e_check mapping "$T/get1.json" "$T/list1.twilio.json" --domain-sid="$domain" \
  --same-as="$T/create1.json"

e2e_step "List returns the emulator's collection"
e2e_call_ok list ListCredentialListMappings "{\"domain_sid\": \"$domain\"}"
[ "$(twilio_get collection "$collection.json")" = 200 ] ||
  e2e_fail "the emulator did not list $collection.json"
e2e_check list "$T/list.json" "$T/collection.twilio.json" --domain-sid="$domain" --last-page
[ "$(e2e_check sids "$T/list.json" | sort)" = "$(printf '%s\n' "$list1" "$list2" | sort)" ] ||
  e2e_fail "List returned $(e2e_check sids "$T/list.json" | tr '\n' ' '), want $list1 $list2"

e2e_step "Delete removes the mapping from the emulator"
e2e_call_ok delete1 DeleteCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"$list1\"}"
e2e_check empty "$T/delete1.json"
[ "$(twilio_get deleted1 "$collection/$list1.json")" = 404 ] ||
  e2e_fail "the emulator still holds $list1 after Delete"

e2e_step "a second Delete is NOT_FOUND with Twilio's code 20404 in the details"
e2e_call_error delete1_again DeleteCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"$list1\"}" \
  not_found --metadata=twilio_code=20404 --metadata=http_status=404

e2e_step "Get of the deleted mapping is NOT_FOUND"
e2e_call_error get1_deleted GetCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"$list1\"}" \
  not_found --metadata=twilio_code=20404

e2e_step "a malformed SID is INVALID_ARGUMENT naming the field"
e2e_call_error get_bad_sid GetCredentialListMapping \
  "{\"domain_sid\": \"$domain\", \"sid\": \"CL123\"}" \
  invalid_argument --names-field=sid
e2e_call_error get_bad_domain GetCredentialListMapping \
  "{\"domain_sid\": \"XX$(e2e_hex32)\", \"sid\": \"$list2\"}" \
  invalid_argument --names-field=domain_sid
e2e_call_error list_bad_size ListCredentialListMappings \
  "{\"domain_sid\": \"$domain\", \"page_size\": -1}" \
  invalid_argument --names-field=page_size

e2e_step "an account the gateway holds no credentials for is PERMISSION_DENIED"
e2e_call_error get_other_account GetCredentialListMapping \
  "{\"account_sid\": \"AC$(e2e_hex32)\", \"domain_sid\": \"$domain\", \"sid\": \"$list2\"}" \
  permission_denied

e2e_step "the emulator still holds the mapping not deleted"
[ "$(twilio_get list2_end "$collection/$list2.json")" = 200 ] ||
  e2e_fail "$list2 disappeared from the emulator"

e2e_step "SIGTERM: the gateway and the emulator exit 0"
e2e_stop "$GW_PID" twilio-gateway
e2e_stop "$EMU_PID" twilio-emulator

e2e_step "the gateway's log: JSON lines, one per RPC, no auth token"
e2e_check logs "$T/gateway.log" \
  --rpc=CreateCredentialListMapping --rpc=GetCredentialListMapping \
  --rpc=ListCredentialListMappings --rpc=DeleteCredentialListMapping

echo "PASS: buf_curl_test.sh"
