#!/usr/bin/env bash
# Runs every cmocka unit test binary under BUILD/tests (default build/) and
# prints one line per binary and "unit[LABEL]: N passed, M failed, K skipped"
# last. A binary that dies before cmocka's summary (a sanitizer report, a
# signal) counts as one failure and its output is shown.
# Skips are counted, never dropped. Under CI (CI=true) a skipped test is a
# failure -- a missing required component (the CA bundle, ...) must not
# pass quietly -- unless the binary printed, before skipping,
#   captls-test: skip (environment): REASON
# for a skip that depends on the machine, not on an installed component
# (no IPv6 loopback, a CPU without the instructions a path needs).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
label=${2:-unit}
passed=0; failed=0; skipped=0
ci=false; case "${CI:-}" in true|1|yes) ci=true ;; esac
mapfile -t bins < <(find "$B/tests" -type f -name 'test_*' -perm -u+x 2>/dev/null | sort)
if [ ${#bins[@]} -eq 0 ]; then
  echo "$label: error: no unit test binaries under $B/tests (run make tests)"
  echo "$label: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
for t in "${bins[@]}"; do
  out=$(timeout 120 "$t" 2>&1); rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  s=$(grep -oE '^\[  SKIPPED \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0}; f=${f:-0}; s=${s:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  name=${t#"$B"/tests/}
  env_skips=$(grep -c '^captls-test: skip (environment): ' <<<"$out")
  if $ci && [ "$s" -gt "$env_skips" ]; then
    echo "$label: $name: $((s-env_skips)) skipped under CI (a required component is missing): FAILED"
    f=$((f+s-env_skips)); s=$env_skips
  fi
  passed=$((passed+p)); failed=$((failed+f)); skipped=$((skipped+s))
  if [ "$f" -eq 0 ]; then
    if [ "$s" -gt 0 ]; then echo "$label: $name: $p ok, $s skipped"
    else echo "$label: $name: $p ok"; fi
  else
    echo "$label: $name: $f FAILED (exit $rc)"
    grep -vE '^\[ (RUN|      OK) ' <<<"$out" | tail -40 | sed 's/^/    /'
  fi
done
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
