#!/usr/bin/env bash
# Installs everything twilio-gateway needs to build, run and test on Debian 12:
# the system packages, then the pinned Node tools (buf, Prism) in tools/ and
# the Node client example's packages in client/examples/node/.
# Safe to run again: it installs only what is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  # Build.
  cmake ninja-build pkg-config g++ git
  # gRPC, protobuf and the protos the gateway compiles in.
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  golang-github-gogo-googleapis-dev grpc-proto
  # Libraries.
  libabsl-dev libcurl4-openssl-dev libevent-dev libspdlog-dev
  nlohmann-json3-dev
  # OpenSSL's libcrypto: token hashes, TLS key checks; the openssl command
  # makes throwaway certificates in the security tests.
  libssl-dev openssl
  # Tests and their tools.
  libgtest-dev libgmock-dev python3 ca-certificates
  # Sanitizer builds and fuzzing (test.sh): clang and its runtimes.
  clang-14 libclang-rt-14-dev
  # The Python client example (run with Debian's python3) and the
  # certificates of the client's TLS tests.
  python3-grpcio python3-protobuf openssl
  # The metrics test parses /metrics with Prometheus' own parser; the checks
  # of deploy/ lint and read YAML.
  python3-prometheus-client yamllint python3-yaml
)
# Node and npm come from Debian unless the machine already has them (some
# images carry their own Node build, which conflicts with Debian's npm).
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  packages+=(nodejs npm)
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Node tools are pinned by tools/package-lock.json, the Node client
# example's packages by client/examples/node/package-lock.json, the schema
# check of deploy/ (kubernetes-models) by tests/deploy/package-lock.json.
if ! command -v npm >/dev/null; then
  echo "setup: npm is missing after the package install" >&2
  exit 1
fi
for dir in tools client/examples/node tests/deploy; do
  stamp="$root/$dir/node_modules/.installed-lock"
  if ! cmp -s "$root/$dir/package-lock.json" "$stamp" 2>/dev/null; then
    echo "setup: installing the pinned Node packages in $dir/"
    # `npm ci` wants every optional package in the lock file, including buf's
    # builds for other platforms; a registry mirror that lacks them makes it
    # refuse. `npm install --no-save` still installs the versions the lock
    # file pins, checks their hashes, and leaves the lock file as it is.
    if ! (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null); then
      echo "setup: npm ci refused the lock file; installing it with npm install --no-save"
      (cd "$root/$dir" &&
        npm install --no-save --no-audit --no-fund --loglevel=error)
    fi
    cp "$root/$dir/package-lock.json" "$stamp"
  fi
done
