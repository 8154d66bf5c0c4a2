#!/usr/bin/python3
"""Scrapes the gateway's /metrics while calls go through it.

Starts twilio-emulator and twilio-gateway (admin port on 127.0.0.1:0), makes
calls with `buf curl` the way a caller would, and checks what Prometheus
would see, reading every scrape with Prometheus' own text parser
(python3-prometheus-client):

  - every scrape parses, each family has HELP and the expected TYPE;
  - after each call, grpc_server_handled_total for that method and code went
    up by exactly one and nothing else did, and the Twilio request counters
    moved with it;
  - a second thread scrapes without pause during all the calls, and no
    counter ever goes down between two of its scrapes;
  - histograms are cumulative, with +Inf equal to _count;
  - calls in flight are back to 0, /livez and /readyz answer 200.

Usage: metrics_scrape_test.py --gateway=PATH --emulator=PATH --buf=PATH
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit("metrics_scrape_test: python3-prometheus-client is missing; "
             "run deploy/setup.sh")

SERVICE = "twilio_gateway.sip.v1.CredentialListMappingService"
WAIT_SECONDS = 30

FAMILIES = {
    "grpc_server_started": "counter",
    "grpc_server_handled": "counter",
    "grpc_server_handling_seconds": "histogram",
    "gateway_calls_in_flight": "gauge",
    "twilio_requests": "counter",
    "twilio_request_duration_seconds": "histogram",
    "twilio_request_errors": "counter",
    "twilio_retries": "counter",
    "gateway_credential_reloads": "counter",
}

# buf prints codes in Connect's spelling; the metrics use gRPC's Go names.
CODES = {
    "ok": "OK",
    "not_found": "NotFound",
    "invalid_argument": "InvalidArgument",
    "already_exists": "AlreadyExists",
}


def fail(message):
    raise AssertionError(message)


def hex32():
    return secrets.token_hex(16)


class Processes:
    """Starts the binaries and stops them, whatever happens."""

    def __init__(self, folder):
        self.folder = folder
        self.running = []

    def start(self, name, argv, env):
        log = open(os.path.join(self.folder, name + ".log"), "wb")
        process = subprocess.Popen(argv, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        self.running.append((name, process))
        return process

    def stop_all(self):
        for _, process in self.running:
            if process.poll() is None:
                process.terminate()
        for _, process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def show_logs(self):
        for name, _ in self.running:
            path = os.path.join(self.folder, name + ".log")
            with open(path, "rb") as log:
                lines = log.read().decode("utf-8", "replace").splitlines()
            print(f"----- last lines of {name}.log -----", file=sys.stderr)
            print("\n".join(lines[-40:]), file=sys.stderr)


def wait_port(path, process, name):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"{name} exited with {process.returncode} during start-up")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text.isdigit():
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    fail(f"{name} did not write {path} within {WAIT_SECONDS}s")


def http_get(port, path):
    """(status, content type, body) of GET http://127.0.0.1:port/path."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as answer:
            return (answer.status, answer.headers.get("Content-Type", ""),
                    answer.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, "", error.read().decode("utf-8", "replace")


def parse(text):
    """{(sample name, sorted labels): value} and {family: type}, read by
    Prometheus' parser, which raises on anything malformed."""
    samples = {}
    types = {}
    helps = set()
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        if family.documentation:
            helps.add(family.name)
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in samples:
                fail(f"sample {key} appears twice")
            samples[key] = sample.value
    for name, kind in FAMILIES.items():
        if types.get(name) != kind:
            fail(f"family {name}: type {types.get(name)!r}, want {kind!r}")
        if name not in helps:
            fail(f"family {name} has no HELP")
    return samples


def handled_key(method, code):
    return ("grpc_server_handled_total",
            tuple(sorted({"grpc_service": SERVICE, "grpc_method": method,
                          "grpc_type": "unary", "grpc_code": code}.items())))


def twilio_key(operation, status):
    return ("twilio_requests_total",
            tuple(sorted({"operation": operation,
                          "http_status": status}.items())))


def counters(samples):
    """Samples that must never go down: counters and histogram parts."""
    return {key: value for key, value in samples.items()
            if key[0].endswith(("_total", "_bucket", "_count", "_sum"))}


def check_histograms(samples):
    series = {}
    for (name, labels), value in samples.items():
        if not name.endswith("_bucket"):
            continue
        base = name[:-len("_bucket")]
        rest = tuple(kv for kv in labels if kv[0] != "le")
        le = dict(labels)["le"]
        series.setdefault((base, rest), []).append(
            (float("inf") if le == "+Inf" else float(le), value))
    if not series:
        fail("no histogram buckets")
    for (base, rest), buckets in series.items():
        buckets.sort()
        values = [value for _, value in buckets]
        if values != sorted(values):
            fail(f"{base}{dict(rest)}: buckets are not cumulative: {values}")
        if buckets[-1][0] != float("inf"):
            fail(f"{base}{dict(rest)}: no +Inf bucket")
        count = samples.get((base + "_count", rest))
        if count != values[-1]:
            fail(f"{base}{dict(rest)}: _count {count} != +Inf {values[-1]}")


class Scraper(threading.Thread):
    """Scrapes without pause until stopped; every scrape must parse and no
    counter may go down between two of them."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stopped = threading.Event()
        self.scrapes = 0
        self.error = None

    def run(self):
        previous = {}
        try:
            while not self.stopped.is_set():
                status, _, body = http_get(self.port, "/metrics")
                if status != 200:
                    fail(f"/metrics answered {status}")
                current = counters(parse(body))
                for key, value in previous.items():
                    if current.get(key, 0) < value:
                        fail(f"{key} went down from {value} to "
                             f"{current.get(key)}")
                previous = current
                self.scrapes += 1
                time.sleep(0.01)
        except Exception as error:  # reported by the main thread
            self.error = error


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--buf", required=True)
    args = parser.parse_args()
    for path, what in ((args.gateway, "twilio-gateway"),
                       (args.emulator, "twilio-emulator"),
                       (args.buf, "buf (run deploy/setup.sh)")):
        if not os.access(path, os.X_OK):
            fail(f"{what} not found at {path}")

    folder = tempfile.mkdtemp(prefix="metrics-scrape-test.")
    processes = Processes(folder)
    ok = False
    try:
        account = "AC" + hex32()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("TWILIO_")}
        env.update(TWILIO_ACCOUNT_SID=account, TWILIO_AUTH_TOKEN=hex32(),
                   BUF_CACHE_DIR=os.path.join(folder, "buf-cache"))

        emulator = processes.start("emulator", [
            args.emulator, "--listen=127.0.0.1:0",
            f"--port_file={folder}/emulator.port"], env)
        emulator_port = wait_port(f"{folder}/emulator.port", emulator,
                                  "twilio-emulator")
        gateway = processes.start("gateway", [
            args.gateway, "--listen=127.0.0.1:0",
            f"--port_file={folder}/gateway.port",
            "--admin_listen=127.0.0.1:0",
            f"--admin_port_file={folder}/admin.port",
            f"--twilio_base_url=http://127.0.0.1:{emulator_port}",
            "--allow_unauthenticated"], env)
        grpc_port = wait_port(f"{folder}/gateway.port", gateway,
                              "twilio-gateway")
        admin_port = wait_port(f"{folder}/admin.port", gateway,
                               "twilio-gateway (admin port)")
        print(f"== gateway on {grpc_port}, admin port {admin_port}")

        for path in ("/livez", "/readyz"):
            status, _, body = http_get(admin_port, path)
            if status != 200:
                fail(f"{path} answered {status}: {body}")
        status, content_type, body = http_get(admin_port, "/metrics")
        if status != 200 or not content_type.startswith(
                "text/plain; version=0.0.4"):
            fail(f"/metrics answered {status} with {content_type!r}")
        before = parse(body)

        domain = "SD" + hex32()
        lists = ["CL" + hex32() for _ in range(3)]
        missing = "CL" + hex32()
        # (RPC, request, expected code, Twilio request it makes or None)
        calls = []
        for sid in lists:
            calls += [
                ("CreateCredentialListMapping",
                 {"domain_sid": domain, "credential_list_sid": sid}, "ok",
                 ("create", "201")),
                ("GetCredentialListMapping",
                 {"domain_sid": domain, "sid": sid}, "ok", ("fetch", "200")),
                ("CreateCredentialListMapping",
                 {"domain_sid": domain, "credential_list_sid": sid},
                 "already_exists", ("create", "400")),
            ]
        calls += [
            ("ListCredentialListMappings", {"domain_sid": domain}, "ok",
             ("list", "200")),
            ("GetCredentialListMapping", {"domain_sid": domain,
                                          "sid": missing}, "not_found",
             ("fetch", "404")),
            ("GetCredentialListMapping", {"domain_sid": domain,
                                          "sid": "not-a-sid"},
             "invalid_argument", None),
        ]
        calls += [("DeleteCredentialListMapping",
                   {"domain_sid": domain, "sid": sid}, "ok",
                   ("delete", "204")) for sid in lists]

        scraper = Scraper(admin_port)
        scraper.start()
        previous = before
        for rpc, request, code, twilio in calls:
            result = subprocess.run(
                [args.buf, "curl", "--protocol", "grpc",
                 "--http2-prior-knowledge", "--timeout", "30s",
                 "-d", json.dumps(request),
                 f"http://127.0.0.1:{grpc_port}/{SERVICE}/{rpc}"],
                env=env, capture_output=True, text=True, timeout=60)
            got = "ok"
            if result.returncode != 0:
                try:
                    got = json.loads(result.stderr)["code"]
                except (ValueError, KeyError):
                    fail(f"{rpc}: buf curl failed: {result.stderr}")
            if got != code:
                fail(f"{rpc} {request}: {got}, want {code}")

            _, _, body = http_get(admin_port, "/metrics")
            current = parse(body)
            key = handled_key(rpc, CODES[code])
            if current[key] != previous[key] + 1:
                fail(f"{rpc} {code}: handled went from {previous[key]} to "
                     f"{current[key]}, want +1")
            changed = [k for k, v in current.items()
                       if k[0] == "grpc_server_handled_total"
                       and v != previous.get(k, 0) and k != key]
            if changed:
                fail(f"{rpc} {code}: other series moved too: {changed}")
            if twilio is not None:
                tkey = twilio_key(*twilio)
                if current.get(tkey, 0) != previous.get(tkey, 0) + 1:
                    fail(f"{rpc}: {tkey} went from {previous.get(tkey, 0)} "
                         f"to {current.get(tkey, 0)}, want +1")
            previous = current
            print(f"ok {rpc} -> {code}")

        scraper.stopped.set()
        scraper.join(timeout=WAIT_SECONDS)
        if scraper.error is not None:
            fail(f"concurrent scrape: {scraper.error}")
        if scraper.scrapes == 0:
            fail("the concurrent scraper never finished a scrape")
        print(f"== {scraper.scrapes} concurrent scrapes parsed, none went "
              "down")

        _, _, body = http_get(admin_port, "/metrics")
        final = parse(body)
        check_histograms(final)
        started = sum(v - before.get(k, 0) for k, v in final.items()
                      if k[0] == "grpc_server_started_total")
        handled = sum(v - before.get(k, 0) for k, v in final.items()
                      if k[0] == "grpc_server_handled_total")
        if not started == handled == len(calls):
            fail(f"started {started}, handled {handled}, calls {len(calls)}")
        in_flight = [v for k, v in final.items()
                     if k[0] == "gateway_calls_in_flight"]
        if in_flight != [0]:
            fail(f"calls in flight after the traffic: {in_flight}")
        for path in ("/livez", "/readyz"):
            status, _, body = http_get(admin_port, path)
            if status != 200:
                fail(f"{path} answered {status}: {body}")

        gateway.send_signal(signal.SIGTERM)
        if gateway.wait(timeout=WAIT_SECONDS) != 0:
            fail(f"the gateway exited with {gateway.returncode} on SIGTERM")
        ok = True
        print("PASS: metrics_scrape_test")
    finally:
        processes.stop_all()
        if not ok:
            processes.show_logs()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        sys.exit(1)
