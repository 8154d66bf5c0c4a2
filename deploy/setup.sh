#!/usr/bin/env bash
# Installs everything twilio-gateway needs to build, run and test on Debian 12:
# the system packages, then the pinned Node tools (buf, Prism) in tools/.
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
  # Tests and their tools.
  libgtest-dev libgmock-dev python3 ca-certificates
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

# The Node tools are pinned by tools/package-lock.json.
if ! command -v npm >/dev/null; then
  echo "setup: npm is missing after the package install" >&2
  exit 1
fi
stamp="$root/tools/node_modules/.installed-lock"
if ! cmp -s "$root/tools/package-lock.json" "$stamp" 2>/dev/null; then
  echo "setup: installing the pinned Node tools in tools/"
  # `npm ci` wants every optional package in the lock file, including buf's
  # builds for other platforms; a registry mirror that lacks them makes it
  # refuse. `npm install --no-save` still installs the versions the lock
  # file pins, checks their hashes, and leaves the lock file as it is.
  if ! (cd "$root/tools" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null); then
    echo "setup: npm ci refused the lock file; installing it with npm install --no-save"
    (cd "$root/tools" &&
      npm install --no-save --no-audit --no-fund --loglevel=error)
  fi
  cp "$root/tools/package-lock.json" "$stamp"
fi
