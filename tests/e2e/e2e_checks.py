#!/usr/bin/env python3
"""Checks for the end-to-end test scripts (Python standard library only).

Each subcommand reads files that buf curl (or the emulator) produced, prints
what is wrong and exits 1 when a check fails, or prints a value the script
needs. Run with --help for the list.
"""

import argparse
import base64
import datetime
import email.utils
import json
import os
import re
import sys
import urllib.error
import urllib.request

SERVICE = "twilio_gateway.sip.v1.CredentialListMappingService"
RPCS = ("CreateCredentialListMapping", "GetCredentialListMapping",
        "ListCredentialListMappings", "DeleteCredentialListMapping")


class CheckError(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckError(message)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as e:
        raise CheckError(f"{path} is not JSON ({e}): {text[:500]!r}")


# --- google.rpc.ErrorInfo, decoded by hand so no generated code is needed.

def read_varint(data, pos):
    value = shift = 0
    while True:
        expect(pos < len(data), "truncated varint in error detail")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def read_fields(data):
    """Yields (field number, bytes) for the length-delimited fields."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, pos = read_varint(data, pos)
        elif wire_type == 2:
            length, pos = read_varint(data, pos)
            yield number, data[pos:pos + length]
            pos += length
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        else:
            raise CheckError(f"unexpected wire type {wire_type} in detail")


def decode_error_info(data):
    info = {"reason": "", "domain": "", "metadata": {}}
    for number, value in read_fields(data):
        if number == 1:
            info["reason"] = value.decode("utf-8")
        elif number == 2:
            info["domain"] = value.decode("utf-8")
        elif number == 3:
            entry = dict(read_fields(value))
            info["metadata"][entry.get(1, b"").decode("utf-8")] = (
                entry.get(2, b"").decode("utf-8"))
    return info


def decode_base64(text):
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except ValueError:
        return base64.urlsafe_b64decode(padded)


def parse_buf_error(path):
    """Reads the JSON error that buf curl prints to stderr on a failed RPC.

    buf prints {"code": "not_found", "message": ..., "details": [{"type":
    "google.rpc.ErrorInfo", "value": <base64 of the message>}]}; when it can
    resolve the type it may add the decoded message under "debug".
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("{")
    expect(start >= 0, f"no JSON error in buf's output: {text[:500]!r}")
    try:
        error, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as e:
        raise CheckError(f"buf's error output is not JSON ({e}): {text!r}")
    infos = []
    for detail in error.get("details", []):
        if detail.get("type") != "google.rpc.ErrorInfo":
            continue
        if isinstance(detail.get("debug"), dict):
            debug = detail["debug"]
            infos.append({"reason": debug.get("reason", ""),
                          "domain": debug.get("domain", ""),
                          "metadata": debug.get("metadata", {})})
        else:
            infos.append(decode_error_info(decode_base64(detail["value"])))
    return error, infos


def cmd_error(args):
    error, infos = parse_buf_error(args.file)
    shown = json.dumps({"error": error, "error_info": infos}, indent=1)
    expect(error.get("code") == args.code,
           f"code is {error.get('code')!r}, want {args.code!r}: {shown}")
    message = error.get("message", "")
    expect(message.strip(), f"the error has no message: {shown}")
    for field in args.names_field:
        # A whole word, so that "sid" is not found inside "domain_sid".
        expect(re.search(rf"(?<![A-Za-z0-9_]){re.escape(field)}"
                         rf"(?![A-Za-z0-9_])", message),
               f"message {message!r} does not name the field {field!r}")
    expect(len(infos) == 1,
           f"want exactly one google.rpc.ErrorInfo detail: {shown}")
    info = infos[0]
    expect(re.fullmatch(r"[A-Z][A-Z0-9_]*", info["reason"]),
           f"ErrorInfo.reason {info['reason']!r} is not UPPER_SNAKE")
    expect(info["domain"], f"ErrorInfo.domain is empty: {shown}")
    for pair in args.metadata:
        key, _, want = pair.partition("=")
        got = info["metadata"].get(key)
        expect(got == want,
               f"ErrorInfo.metadata[{key!r}] is {got!r}, want {want!r}: "
               f"{shown}")


# --- Mappings: what the gateway returned against what Twilio holds.

def rfc2822_to_utc(text):
    parsed = email.utils.parsedate_to_datetime(text)
    return parsed.astimezone(datetime.timezone.utc)


def rfc3339_to_utc(text):
    # protobuf's JSON form of a Timestamp: 2015-07-30T20:00:00Z, with 0, 3, 6
    # or 9 fractional digits.
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", text)
    expect(match, f"{text!r} is not an RFC 3339 UTC timestamp")
    parsed = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    return parsed.replace(tzinfo=datetime.timezone.utc)


def compare_mapping(got, want, domain_sid, where):
    """got: the gateway's CredentialListMapping (proto JSON, which leaves out
    empty fields); want: Twilio's JSON for the same mapping."""
    expect(got.get("sid", "") == (want.get("sid") or ""),
           f"{where}: sid {got.get('sid')!r}, Twilio has {want.get('sid')!r}")
    expect(got.get("accountSid", "") == (want.get("account_sid") or ""),
           f"{where}: accountSid {got.get('accountSid')!r}, Twilio has "
           f"{want.get('account_sid')!r}")
    expect(got.get("domainSid", "") == domain_sid,
           f"{where}: domainSid {got.get('domainSid')!r}, want {domain_sid!r}")
    expect(got.get("friendlyName", "") == (want.get("friendly_name") or ""),
           f"{where}: friendlyName {got.get('friendlyName')!r}, Twilio has "
           f"{want.get('friendly_name')!r}")
    for ours, theirs in (("createTime", "date_created"),
                         ("updateTime", "date_updated")):
        if not want.get(theirs):
            expect(ours not in got,
                   f"{where}: {ours} is set but Twilio has no {theirs}")
            continue
        expect(ours in got, f"{where}: {ours} is missing; Twilio has "
               f"{theirs} {want[theirs]!r}")
        expect(rfc3339_to_utc(got[ours]) == rfc2822_to_utc(want[theirs]),
               f"{where}: {ours} {got[ours]!r} differs from Twilio's "
               f"{theirs} {want[theirs]!r}")


def cmd_mapping(args):
    got = load_json(args.gateway_json)
    want = load_json(args.twilio_json)
    compare_mapping(got, want, args.domain_sid, args.gateway_json)
    for other in args.same_as:
        expect(load_json(other) == got,
               f"{args.gateway_json} differs from {other}")


def cmd_list(args):
    got = load_json(args.gateway_json)
    want = load_json(args.twilio_json)
    items = got.get("credentialListMappings", [])
    contents = want.get("contents") or []
    expect(len(items) == len(contents),
           f"the gateway listed {len(items)} mappings, Twilio has "
           f"{len(contents)}: {json.dumps(got)}")
    for i, (item, content) in enumerate(zip(items, contents)):
        compare_mapping(item, content, args.domain_sid,
                        f"{args.gateway_json}[{i}]")
    if args.last_page:
        expect(not got.get("nextPageToken"),
               f"nextPageToken is set on what should be the last page")


def cmd_sids(args):
    """Prints the mapping SIDs in a List response, one a line."""
    got = load_json(args.gateway_json)
    for item in got.get("credentialListMappings", []):
        print(item.get("sid", ""))


def cmd_field(args):
    """Prints one top-level field of a JSON file (empty when absent)."""
    value = load_json(args.file).get(args.name, "")
    print(value if isinstance(value, str) else json.dumps(value))


def cmd_empty(args):
    got = load_json(args.file)
    expect(got == {}, f"{args.file}: want an empty message, got {got}")


def cmd_methods(args):
    with open(args.file, encoding="utf-8") as f:
        listed = {line.strip() for line in f if line.strip()}
    want = {f"{SERVICE}/{rpc}" for rpc in RPCS}
    want.add("grpc.health.v1.Health/Check")
    missing = sorted(want - listed)
    expect(not missing, f"not listed: {missing}; listed: {sorted(listed)}")


def cmd_twilio_get(args):
    """GETs a path from the emulator with Basic auth; writes the body to
    --out and prints the HTTP status."""
    request = urllib.request.Request(args.base_url + args.path)
    user = os.environ["TWILIO_ACCOUNT_SID"]
    password = os.environ["TWILIO_AUTH_TOKEN"]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    with open(args.out, "wb") as f:
        f.write(body)
    print(status)


# gRPC's core library writes its own lines ("E1203 16:51:54.518316 ...") to
# stderr; they are not the gateway's log lines.
GRPC_CORE_LOG = re.compile(r"[DIWE]\d{4} \d\d:\d\d:\d\d")


def cmd_logs(args):
    """The gateway's log: one JSON object per line, a line for each RPC
    named, and never the auth token (read from TWILIO_AUTH_TOKEN)."""
    with open(args.file, encoding="utf-8", errors="replace") as f:
        text = f.read()
    secret = os.environ["TWILIO_AUTH_TOKEN"]
    expect(secret not in text, f"{args.file} contains the auth token")
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or GRPC_CORE_LOG.match(line):
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise CheckError(f"{args.file}:{number} is not JSON: {line!r}")
    for rpc in args.rpc:
        expect(any(rpc in json.dumps(r) for r in records),
               f"no log line mentions {rpc}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("error", help="check a buf curl error")
    p.add_argument("file")
    p.add_argument("--code", required=True)
    p.add_argument("--names-field", action="append", default=[],
                   help="a field name the message must mention")
    p.add_argument("--metadata", action="append", default=[],
                   help="KEY=VALUE expected in ErrorInfo.metadata")
    p.set_defaults(run=cmd_error)

    p = sub.add_parser("mapping", help="compare a mapping with Twilio's")
    p.add_argument("gateway_json")
    p.add_argument("twilio_json")
    p.add_argument("--domain-sid", required=True)
    p.add_argument("--same-as", action="append", default=[])
    p.set_defaults(run=cmd_mapping)

    p = sub.add_parser("list", help="compare a List page with Twilio's")
    p.add_argument("gateway_json")
    p.add_argument("twilio_json")
    p.add_argument("--domain-sid", required=True)
    p.add_argument("--last-page", action="store_true")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("sids", help="print the SIDs in a List response")
    p.add_argument("gateway_json")
    p.set_defaults(run=cmd_sids)

    p = sub.add_parser("field", help="print a top-level JSON field")
    p.add_argument("file")
    p.add_argument("name")
    p.set_defaults(run=cmd_field)

    p = sub.add_parser("empty", help="check for an empty message")
    p.add_argument("file")
    p.set_defaults(run=cmd_empty)

    p = sub.add_parser("methods", help="check buf curl --list-methods")
    p.add_argument("file")
    p.set_defaults(run=cmd_methods)

    p = sub.add_parser("twilio-get", help="GET from the emulator")
    p.add_argument("base_url")
    p.add_argument("path")
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_twilio_get)

    p = sub.add_parser("logs", help="check the gateway's log")
    p.add_argument("file")
    p.add_argument("--rpc", action="append", default=[])
    p.set_defaults(run=cmd_logs)

    args = parser.parse_args()
    try:
        args.run(args)
    except CheckError as e:
        print(f"check failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
