#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs
# each for a while from its committed seed corpus.
#
#   fuzz/run_fuzzers.sh                 every target, 3 s each (what CI runs)
#   fuzz/run_fuzzers.sh 600             every target, 10 minutes each
#   fuzz/run_fuzzers.sh 600 page_token  one target
#
# New inputs that widen coverage go to build-fuzz/fuzz-work/NAME/ (not
# committed; copy the good ones into fuzz/corpus/NAME/ by hand). A crash
# stops the run with the input saved as build-fuzz/fuzz-findings/NAME-*;
# fix the bug, then commit that input as fuzz/corpus/NAME/regression-* so
# every ctest run replays it (fuzz_replay.NAME).
#
# Prints one line per target: its executions, and "no finding" or the crash.
# Exits 1 on a finding. Set FUZZ_NO_BUILD=1 to skip the build, and
# FUZZ_BUILD_DIR to build elsewhere than build-fuzz/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds=${1:-3}
shift || true
all=(mapping_decoder page_decoder twilio_error rfc2822_date retry_after
  page_token request_validation credentials_file)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTWILIO_GATEWAY_FUZZ=ON \
      -DTWILIO_GATEWAY_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$build" -j2 --target "${targets[@]/%/_fuzzer}" >/dev/null
fi

mkdir -p "$build/fuzz-findings"
status=0
for name in "${targets[@]}"; do
  work="$build/fuzz-work/$name"
  mkdir -p "$work"
  log="$build/fuzz-findings/$name.log"
  rc=0
  # The first folder receives new inputs; the committed seeds are only read.
  "$build/fuzz/${name}_fuzzer" "$work" "$root/fuzz/corpus/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-findings/$name-" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name FINDING after ${execs:-?} executions (log: $log)"
    grep -m3 -E 'ERROR|SUMMARY|Test unit written' "$log" || true
    status=1
  else
    echo "fuzz: $name ${execs:-0} executions in ${seconds} s, no finding"
  fi
done
exit "$status"
