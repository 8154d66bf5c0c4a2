#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test.
#
#   ./test.sh                 all tests
#   ./test.sh -L e2e          extra arguments go to ctest (here: one label)
#
# Exits with ctest's status.
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

deploy/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build

rc=0
ctest --test-dir build --output-on-failure -j2 --timeout 300 "$@" || rc=$?
exit "$rc"
