#!/usr/bin/env bash
# make test: every stage in order, each counted, then one closing line
# "N passed, M failed, K skipped" (the last line, for CI: it starts with
# "N passed, M failed"). Skips are counted, not dropped; under CI (CI=true)
# a skip for a missing required component is a failure (ci/run-unit.sh,
# pytests/conftest.py). Stages:
#   check-core (gcc and clang), unit (gcc), unit under ASan+UBSan (clang), ctgrind, pytest,
#   chains-diff (200 corpus chains against OpenSSL), fuzz-smoke (libFuzzer + AFL++ builds), qemu-test (guest POST).
# A stage that cannot even build counts as one failure; later stages still run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"
total_p=0; total_f=0; total_s=0
summary=()
t_start=$SECONDS

# count STAGE LOG: the last "N passed, M failed[, K skipped]" (or pytest's
# summary, which may name only some of passed/failed/errors/skipped)
count() {
  local stage=$1 log=$2 p f s line
  line=$(grep -E '[0-9]+ (passed|failed)' "$log" | tail -1)
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || true)
  s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
  f=0
  for n in $(grep -oE '[0-9]+ (failed|errors?)' <<<"$line" | grep -oE '^[0-9]+'); do f=$((f+n)); done
  p=${p:-0}; s=${s:-0}
  echo "$p $f $s"
}

stage() { # NAME COMMAND...
  local name=$1; shift
  local log=$LOGDIR/$name.log t0=$SECONDS
  echo "==== $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r p f s < <(count "$name" "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_p=$((total_p+p)); total_f=$((total_f+f)); total_s=$((total_s+s))
  summary+=("$(printf '%-12s %5d passed %4d failed %4d skipped  %4ds' "$name" "$p" "$f" "$s" $((SECONDS-t0)))")
}

# Once per compiler (their header pieces differ), each its own output dir.
check_core() {
  local cc p=0 f=0
  for cc in gcc clang; do
    if CHECK_CORE_CC=$cc CHECK_CORE_OUT=build/check-core/$cc ci/check-core.sh; then p=$((p+1)); else f=$((f+1)); fi
  done
  echo "check-core: $p passed, $f failed, 0 skipped"
  [ $f -eq 0 ]
}
unit() { $MAKE -s all tests && ci/run-unit.sh build unit; }
unit_asan() { $MAKE -s VARIANT=asan tests && ci/run-unit.sh build/asan unit-asan; }
# (pytests/test_chains_diff.py runs captls-chains-diff on planted cases)
pytests() { $MAKE -s all guest guest-bridge build/captls-chains-diff && /usr/bin/python3 -m pytest -q -p no:cacheprovider -n 2 --timeout=300 pytests; }
fuzz_smoke() { $MAKE -s fuzz-smoke; }
ctgrind() { $MAKE -s build/captls-ctgrind && ci/ctgrind.sh build; }
# A 200-case sample of the X.509 chain corpus, captls vs OpenSSL (make
# conformance runs all of it); last line "chains-diff: N passed, M failed".
chains_diff() { $MAKE -s build/captls-chains-diff build/vectors/chains/cases.txt && build/captls-chains-diff --sample 200 build/vectors/chains/cases.txt; }
qemu_test() { $MAKE -s qemu-test && echo "qemu-test: 1 passed, 0 failed, 0 skipped" || { echo "qemu-test: 0 passed, 1 failed, 0 skipped"; return 1; }; }

stage check-core check_core
stage unit unit
stage unit-asan unit_asan
stage ctgrind ctgrind
stage pytest pytests
stage chains-diff chains_diff
stage fuzz-smoke fuzz_smoke
stage qemu-test qemu_test

echo "==== summary ($((SECONDS-t_start)) s; logs in $LOGDIR/)"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ $total_f -eq 0 ]
