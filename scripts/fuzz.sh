#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz) with clang, ASan and UBSan, writes
# their seed corpora with the engine's own writers, and runs each target.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#       Fuzzes each target (all by default) for that many seconds (default
#       60), keeping what it finds in build-fuzz/corpus/<target>. A crash
#       stops with the reproducer in build-fuzz/artifacts/<target>/.
#   scripts/fuzz.sh --smoke
#       CI's run: every seed once, then 2000 mutations per target.
#
# Exit status: 0 if no target crashed or broke a property.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
seconds=60
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
elif [ -n "${1:-}" ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
all=(fuzz_log_reader fuzz_block fuzz_table fuzz_version_edit fuzz_manifest fuzz_options_file fuzz_write_batch
     fuzz_key_codec fuzz_key_extract)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

build=build-fuzz
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR=true
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -DFLOWDB_BUILD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang "${launcher[@]}" --log-level=WARNING
cmake --build "$build" --target fuzz -j "${FLOWDB_JOBS:-2}"

seeds="$build/seeds"
rm -rf "$seeds"
"$build/fuzz_seeds" "$seeds"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  start=$(date +%s)
  if [ "$smoke" -eq 1 ]; then
    args=(-runs=2000 -max_len=65536 "$corpus" "$seeds/$t")
  else
    args=(-max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "$corpus" "$seeds/$t")
  fi
  if "$build/$t" -artifact_prefix="$artifacts" -timeout=25 -rss_limit_mb=2048 "${args[@]}" \
      >"$build/$t.log" 2>&1; then
    echo "fuzz $t: ok ($(( $(date +%s) - start )) s, $(grep -c '' <(ls "$corpus")) corpus inputs)"
  else
    echo "fuzz $t: FAILED ($(( $(date +%s) - start )) s); log: $build/$t.log"
    tail -n 40 "$build/$t.log"
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ]
