#!/usr/bin/env bash
# ctgrind (issue 4, item 4): runs each case of build/captls-ctgrind under
# valgrind memcheck with the secret bytes marked undefined, so a branch or
# memory index that depends on a secret is reported and fails the case.
# The "canary" case leaks on purpose and must be caught (it counts as
# passed only when valgrind fails it): proof the check has teeth.
# Prints one line per case and "ctgrind: N passed, M failed" last.
# Usage: ci/ctgrind.sh [BUILD_DIR]   (default build; run `make programs` first)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
BIN=$B/captls-ctgrind
passed=0; failed=0
if ! command -v valgrind >/dev/null || [ ! -x "$BIN" ]; then
  echo "ctgrind: error: need valgrind and $BIN (make programs)"
  echo "ctgrind: 0 passed, 1 failed"
  exit 1
fi
# An empty case list, or one without the canary, would pass with nothing
# checked: fail loudly instead.
cases=$("$BIN" list); list_rc=$?
if [ $list_rc -ne 0 ] || [ -z "${cases//[[:space:]]/}" ]; then
  echo "ctgrind: error: '$BIN list' gave no cases (exit $list_rc): nothing would be checked"
  echo "ctgrind: 0 passed, 1 failed"
  exit 1
fi
if ! grep -qx canary <<<"$cases"; then
  echo "ctgrind: error: no canary case in '$BIN list': the check's teeth are unproven"
  failed=$((failed+1))
fi
for c in $cases; do
  out=$(valgrind --quiet --error-exitcode=99 --track-origins=yes \
        "$BIN" "$c" 2>&1); rc=$?
  if [ "$c" = canary ]; then
    if [ $rc -eq 99 ] && grep -q 'uninitialised' <<<"$out"; then
      echo "ctgrind: canary: secret-dependent branch caught, as it must be"
      passed=$((passed+1))
    else
      echo "ctgrind: canary: NOT caught (exit $rc): the check is blind"
      failed=$((failed+1))
    fi
  elif [ $rc -eq 0 ]; then
    echo "ctgrind: $c: constant time, answers match"
    passed=$((passed+1))
  else
    echo "ctgrind: $c: FAILED (exit $rc)"
    sed 's/^/    /' <<<"$out" | head -40
    failed=$((failed+1))
  fi
done
echo "ctgrind: $passed passed, $failed failed"
[ $failed -eq 0 ]
