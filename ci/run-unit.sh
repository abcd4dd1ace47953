#!/usr/bin/env bash
# Runs every cmocka unit test binary under BUILD/tests (default build/) and
# prints one line per binary and "unit[LABEL]: N passed, M failed" last.
# A binary that dies before cmocka's summary (a sanitizer report, a signal)
# counts as one failure and its output is shown.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
label=${2:-unit}
passed=0; failed=0
mapfile -t bins < <(find "$B/tests" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort)
if [ ${#bins[@]} -eq 0 ]; then
  echo "$label: error: no unit test binaries under $B/tests (run make tests)"
  echo "$label: 0 passed, 1 failed"
  exit 1
fi
for t in "${bins[@]}"; do
  out=$(timeout 120 "$t" 2>&1); rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed+p)); failed=$((failed+f))
  name=${t#"$B"/tests/}
  if [ "$f" -eq 0 ]; then
    echo "$label: $name: $p ok"
  else
    echo "$label: $name: $f FAILED (exit $rc)"
    grep -vE '^\[ (RUN|      OK) ' <<<"$out" | tail -40 | sed 's/^/    /'
  fi
done
echo "$label: $passed passed, $failed failed"
[ $failed -eq 0 ]
