#!/usr/bin/env bash
# Builds the C++ tests with a sanitizer (CMake option FLOWDB_SANITIZE) and
# runs them with ctest.
#
#   scripts/sanitize.sh asan     AddressSanitizer + UndefinedBehaviorSanitizer
#                                (build-asan/)
#   scripts/sanitize.sh tsan     ThreadSanitizer (build-tsan/)
#   extra arguments go to ctest, e.g. scripts/sanitize.sh asan -R LogTest
#
# Any report fails the test that triggered it (halt_on_error). The last
# lines are ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  asan) sanitize="address,undefined"; build=build-asan ;;
  tsan) sanitize="thread"; build=build-tsan ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan [ctest arguments]" >&2; exit 2 ;;
esac
shift

export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -DFLOWDB_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLOWDB_SANITIZE="$sanitize" "${launcher[@]}" --log-level=WARNING
cmake --build "$build" --target flowdb_tests -j "${FLOWDB_JOBS:-2}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
# Sanitized code runs several times slower: allow more per test.
ctest --test-dir "$build" --output-on-failure -j "${FLOWDB_JOBS:-2}" --timeout 1200 "$@"
