#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test.
#
#   ./test.sh                       what CI runs: the whole suite under
#                                   AddressSanitizer + UBSan (build-asan/),
#                                   the concurrent tests under
#                                   ThreadSanitizer (build-tsan/), and each
#                                   fuzz target briefly (build-fuzz/)
#   ./test.sh -L e2e                extra arguments go to each ctest run
#   TEST_SANITIZERS=0 ./test.sh     the whole suite in the ordinary build
#                                   (build/) only: quicker, for development
#
# Exits non-zero if any part failed.
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
sanitizers="$root/tests/sanitizers"

deploy/setup.sh

if [ "${TEST_SANITIZERS:-1}" = 0 ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build build
  rc=0
  ctest --test-dir build --output-on-failure -j2 --timeout 300 "$@" || rc=$?
  exit "$rc"
fi

rc=0

# The whole suite under ASan + UBSan; any report fails its test (recovery
# is off). -O1 keeps the build and the run quick enough for CI.
echo "test.sh: the whole suite under AddressSanitizer + UBSan (build-asan/)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DTWILIO_GATEWAY_SANITIZE=address,undefined >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  LSAN_OPTIONS=suppressions="$sanitizers/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 \
  "$@" || rc=$?

# The tests that run threads, under TSan. Only their targets are built.
echo "test.sh: the concurrent tests under ThreadSanitizer (build-tsan/)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DTWILIO_GATEWAY_SANITIZE=thread >/dev/null
cmake --build build-tsan --target retry_budget_test \
  concurrency_limiter_test call_cancellation_test curl_transport_test \
  twilio_emulator_test twilio-emulator gateway_integration_test \
  fault_matrix_test
TSAN_OPTIONS="suppressions=$sanitizers/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir build-tsan --output-on-failure -j2 --timeout 600 \
  -L concurrent "$@" || rc=$?

echo "test.sh: each fuzz target for 3 s (build-fuzz/)"
fuzz/run_fuzzers.sh 3 || rc=$?

exit "$rc"
