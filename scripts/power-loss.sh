#!/usr/bin/env bash
# Large runs of the power-loss and corruption tests (npm test runs them at CI
# size). Usage:
#
#   scripts/power-loss.sh [TRIALS] [FIRST_SEED]
#
# TRIALS (default 1000) is the number of trials per power-loss case (each
# trial cuts the power up to 3 times) and, times 4, the number of damage
# trials of the corruption test. Every case prints a line with its cut
# points or damage trials and their outcomes. Failures print their seed; to
# replay one: FLOWDB_POWER_LOSS_SEED=<seed> FLOWDB_POWER_LOSS_TRIALS=1
# build-tests/flowdb_tests --gtest_filter='PowerLossTest.*'.
# FLOWDB_POWER_LOSS_KEEP_GOING=1 keeps running after a failed trial.
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-1000}"
seed="${2:-1}"
cmake -S . -B build-tests -DFLOWDB_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tests --target flowdb_tests -j2
status=0
FLOWDB_POWER_LOSS_TRIALS="$trials" FLOWDB_POWER_LOSS_SEED="$seed" \
  build-tests/flowdb_tests --gtest_filter='PowerLossTest.*' || status=1
FLOWDB_CORRUPTION_TRIALS="$((trials * 4))" FLOWDB_CORRUPTION_SEED="$seed" \
  build-tests/flowdb_tests --gtest_filter='CorruptionTest.*' || status=1
exit "$status"
