#!/usr/bin/env bash
# sipmapctl end to end: the real gateway in front of the emulator, driven
# with the sipmapctl binary as a person at a terminal would. Checks what it
# prints (table and JSON) against what the emulator holds, its exit status
# (the gRPC code, 64 for a command line it refuses), Twilio's details on
# stderr, and that --validate_only sends nothing that changes anything.
#
# Usage: sipmapctl_test.sh --repo=DIR --gateway=PATH --emulator=PATH
#                          --sipmapctl=PATH [--buf=PATH]
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
e2e_use_test_credentials
account=$TWILIO_ACCOUNT_SID
domain="SD$(e2e_hex32)"
list1="CL$(e2e_hex32)"
list2="CL$(e2e_hex32)"
list3="CL$(e2e_hex32)"
collection="/2010-04-01/Accounts/$account/SIP/Domains/$domain/Auth/Registrations/CredentialListMappings"
T=$E2E_TMP

# ctl NAME WANT_STATUS ARG...: runs sipmapctl against the gateway; stdout to
# $T/NAME.out, stderr to $T/NAME.err; the exit status must be WANT_STATUS.
ctl() {
  local name=$1 want=$2 rc=0
  shift 2
  "$SIPMAPCTL" --target="127.0.0.1:$GW_PORT" "$@" \
    >"$T/$name.out" 2>"$T/$name.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "--- stdout:" >&2; cat "$T/$name.out" >&2
    echo "--- stderr:" >&2; cat "$T/$name.err" >&2
    e2e_fail "sipmapctl $* exited $rc, want $want"
  fi
}

# has NAME.EXT TEXT: the file must contain TEXT (fixed string).
has() {
  grep -qF -- "$2" "$T/$1" || {
    cat "$T/$1" >&2
    e2e_fail "$1 lacks: $2"
  }
}

# held SID: prints the emulator's HTTP status for the mapping of SID.
held() {
  e2e_check twilio-get "$EMU_URL" "$collection/$1.json" --out="$T/$1.twilio.json"
}

# Requests the emulator answered with METHOD so far.
upstream_count() {
  grep -c "\"method\":\"$1\"" "$T/emulator.log" || true
}

e2e_step "start the emulator and the gateway"
e2e_start_emulator
e2e_start_gateway "$EMU_URL"

e2e_step "create prints the mapping as a table; the emulator holds it"
ctl create1 0 create "$list1" --domain_sid="$domain"
has create1.out "SID"
has create1.out "$list1"
has create1.out "$account"
[ "$(held "$list1")" = 200 ] || e2e_fail "the emulator does not hold $list1"

e2e_step "create --output=json (flags before the command) is the mapping"
ctl create2 0 --output=json --domain_sid="$domain" create "$list2"
[ "$(held "$list2")" = 200 ] || e2e_fail "the emulator does not hold $list2"
e2e_check mapping "$T/create2.out" "$T/$list2.twilio.json" --domain-sid="$domain"

e2e_step "create of a mapped list: exit 6, Twilio's code and link on stderr"
ctl dup 6 create "$list1" --domain_sid="$domain"
has dup.err "sipmapctl: create failed: ALREADY_EXISTS: "
has dup.err "  reason: TWILIO_ALREADY_MAPPED"
has dup.err "  twilio_code: 21231"
has dup.err "  more_info: https://www.twilio.com/docs/errors/21231"
has dup.err "  twilio_request_id: RQ"
[ ! -s "$T/dup.out" ] || e2e_fail "a failed create printed to stdout"

e2e_step "create --validate_only: exit 0 or 6, and nothing is sent but GETs"
posts=$(upstream_count POST)
ctl dry_create 0 create "$list3" --domain_sid="$domain" --validate_only --output=json
[ "$(e2e_check field "$T/dry_create.out" sid)" = "$list3" ] ||
  e2e_fail "validate_only create returned $(cat "$T/dry_create.out")"
[ "$(e2e_check field "$T/dry_create.out" friendlyName)" = "" ] ||
  e2e_fail "validate_only create returned more than the SIDs"
has dry_create.err "nothing was changed"
[ "$(held "$list3")" = 404 ] || e2e_fail "validate_only create mapped $list3"
ctl dry_dup 6 create "$list1" --domain_sid="$domain" --validate_only
has dry_dup.err "ALREADY_EXISTS: validate only: "
[ "$(upstream_count POST)" = "$posts" ] || e2e_fail "validate_only sent a POST"

e2e_step "get --output=json matches the emulator"
ctl get1 0 get "$list1" --domain_sid="$domain" --output=json
e2e_check mapping "$T/get1.out" "$T/$list1.twilio.json" --domain-sid="$domain"

e2e_step "list: a table, one page with its token, --page_token, --all, --limit"
ctl list_table 0 list --domain_sid="$domain"
has list_table.out "$list1"
has list_table.out "$list2"
ctl page1 0 list --domain_sid="$domain" --page_size=1 --output=json
token=$(e2e_check field "$T/page1.out" nextPageToken)
[ -n "$token" ] || e2e_fail "a page of 1 of 2 mappings has no nextPageToken"
ctl page2 0 list --domain_sid="$domain" --page_token="$token" --output=json
[ "$( (e2e_check sids "$T/page1.out"; e2e_check sids "$T/page2.out") | sort)" = \
  "$(printf '%s\n' "$list1" "$list2" | sort)" ] ||
  e2e_fail "the two pages do not hold $list1 and $list2"
ctl page1_table 0 list --domain_sid="$domain" --page_size=1
has page1_table.err "--page_token="
ctl all 0 list --domain_sid="$domain" --all --page_size=1 --output=json
[ "$(e2e_check sids "$T/all.out" | sort)" = "$(printf '%s\n' "$list1" "$list2" | sort)" ] ||
  e2e_fail "list --all returned $(e2e_check sids "$T/all.out" | tr '\n' ' ')"
ctl limit 0 list --domain_sid="$domain" --limit=1 --output=json
[ "$(e2e_check sids "$T/limit.out" | wc -l)" = 1 ] ||
  e2e_fail "list --limit=1 returned $(cat "$T/limit.out")"

e2e_step "delete --validate_only keeps the mapping; delete removes it"
deletes=$(upstream_count DELETE)
ctl dry_delete 0 delete "$list1" --domain_sid="$domain" --validate_only
has dry_delete.out "nothing was changed"
[ "$(held "$list1")" = 200 ] || e2e_fail "validate_only delete removed $list1"
[ "$(upstream_count DELETE)" = "$deletes" ] || e2e_fail "validate_only sent a DELETE"
ctl delete1 0 delete "$list1" --domain_sid="$domain"
has delete1.out "deleted $list1"
[ "$(held "$list1")" = 404 ] || e2e_fail "delete left $list1 mapped"

e2e_step "delete of a missing mapping: exit 5 with Twilio's details"
ctl delete_again 5 delete "$list1" --domain_sid="$domain"
has delete_again.err "sipmapctl: delete failed: NOT_FOUND: "
has delete_again.err "  reason: TWILIO_NOT_FOUND"
has delete_again.err "  twilio_code: 20404"
has delete_again.err "  more_info: https://www.twilio.com/docs/errors/20404"
has delete_again.err "  http_status: 404"
has delete_again.err "  twilio_request_id: RQ"
ctl dry_delete_missing 5 delete "$list1" --domain_sid="$domain" --validate_only
has dry_delete_missing.err "  twilio_code: 20404"

e2e_step "errors the gateway decides: exit 3 naming the field, exit 7"
ctl bad_sid 3 get CL123 --domain_sid="$domain"
has bad_sid.err "INVALID_ARGUMENT: "
has bad_sid.err "  field: sid"
ctl stranger 7 get "$list2" --domain_sid="$domain" --account_sid="AC$(e2e_hex32)"
has stranger.err "PERMISSION_DENIED: "

e2e_step "the gateway logged the dry runs as such"
grep -q '"validate_only":true' "$T/gateway.log" ||
  e2e_fail "no log line marks a validate_only call"

e2e_step "command lines sipmapctl refuses: exit 64, nothing sent"
ctl help 0 --help
has help.out "usage:"
has help.out "--validate_only"
ctl no_command 64
ctl unknown_command 64 frobnicate --domain_sid="$domain"
ctl unknown_flag 64 get "$list2" --domain_sid="$domain" --frobnicate
has unknown_flag.err "unknown flag --frobnicate"
ctl no_sid 64 get --domain_sid="$domain"
ctl two_sids 64 delete "$list1" "$list2" --domain_sid="$domain"
ctl no_domain 64 get "$list2"
ctl bad_output 64 get "$list2" --domain_sid="$domain" --output=yaml
ctl bad_timeout 64 get "$list2" --domain_sid="$domain" --timeout=soon
ctl zero_timeout 64 get "$list2" --domain_sid="$domain" --timeout=0s
ctl validate_get 64 get "$list2" --domain_sid="$domain" --validate_only
ctl all_get 64 get "$list2" --domain_sid="$domain" --all
ctl negative_limit 64 list --domain_sid="$domain" --limit=-1
ctl cert_only 64 get "$list2" --domain_sid="$domain" --client_cert="$T/gateway.log"
has cert_only.err "client_key"
ctl missing_ca 64 get "$list2" --domain_sid="$domain" --ca_cert="$T/no-such.pem"
has missing_ca.err "no-such.pem"

e2e_step "TLS to the plaintext gateway fails: exit 14"
ctl tls 14 get "$list2" --domain_sid="$domain" --tls --timeout=10s
has tls.err "UNAVAILABLE: "

e2e_step "a stopped gateway: exit 14"
e2e_stop "$GW_PID" twilio-gateway
ctl down 14 get "$list2" --domain_sid="$domain" --timeout=10s
has down.err "UNAVAILABLE: "

echo "PASS: sipmapctl end to end"
