#!/usr/bin/env bash
# make conformance: the differential tests against OpenSSL at full size
# (CAPTLS_DIFF_CASES, default 100000 per primitive; RSA and ECDSA scale it
# down as their tests document), then the shim's pytest suite. One line per
# test binary; last line "conformance: N passed, M failed". Reproduce a
# failure with the CAPTLS_DIFF_SEED the failing test printed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${1:-build}
export CAPTLS_DIFF_CASES=${CAPTLS_DIFF_CASES:-100000}
export CAPTLS_DIFF_RSA_CASES=${CAPTLS_DIFF_RSA_CASES:-2000}
export CAPTLS_DIFF_RSA_BITS=${CAPTLS_DIFF_RSA_BITS:-2048 3072 4096}
export CAPTLS_DIFF_SEED=${CAPTLS_DIFF_SEED:-$(( ($(date +%s) * 65536 + $$) % 1000000007 ))}
echo "conformance: CAPTLS_DIFF_SEED=$CAPTLS_DIFF_SEED CAPTLS_DIFF_CASES=$CAPTLS_DIFF_CASES" \
     "CAPTLS_DIFF_RSA_CASES=$CAPTLS_DIFF_RSA_CASES CAPTLS_DIFF_RSA_BITS='$CAPTLS_DIFF_RSA_BITS'"
passed=0; failed=0
mapfile -t bins < <(find "$B/tests/conformance" -type f -name 'test_diff_*' -perm -u+x 2>/dev/null | sort)
if [ ${#bins[@]} -eq 0 ]; then
  echo "conformance: error: no test_diff_* binaries under $B/tests/conformance (make tests)"
  echo "conformance: 0 passed, 1 failed"; exit 1
fi
for t in "${bins[@]}"; do
  t0=$SECONDS
  out=$("$t" 2>&1); rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$' | tail -1)
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed+p)); failed=$((failed+f))
  grep -E '^diff ' <<<"$out" | sed 's/^/  /'
  if [ "$f" -eq 0 ]; then
    echo "conformance: ${t##*/}: $p ok ($((SECONDS-t0)) s)"
  else
    echo "conformance: ${t##*/}: $f FAILED (exit $rc)"
    grep -vE '^\[ (RUN|      OK) ' <<<"$out" | tail -40 | sed 's/^/    /'
  fi
done
if out=$(/usr/bin/python3 -m pytest -q -p no:cacheprovider pytests/test_shim.py 2>&1); then
  p=$(grep -oE '[0-9]+ passed' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  passed=$((passed+${p:-0})); echo "conformance: pytests/test_shim.py: ${p:-0} ok"
else
  f=$(grep -oE '[0-9]+ failed' <<<"$out" | grep -oE '[0-9]+' | tail -1)
  failed=$((failed+${f:-1})); echo "conformance: pytests/test_shim.py: ${f:-1} FAILED"
  tail -30 <<<"$out" | sed 's/^/    /'
fi
# The X.509 chain corpus (vectors/chains/gen_chains.py, >= 2,000 chains)
# through captls and OpenSSL X509_verify_cert; disagreements not excused by
# conformance/KNOWN_DIFFERENCES.md are failures.
if out=$("$B/captls-chains-diff" build/vectors/chains/cases.txt 2>&1); then rc=0; else rc=$?; fi
p=$(sed -n 's/^chains-diff: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$out" | tail -1)
f=$(sed -n 's/^chains-diff: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$out" | tail -1)
p=${p:-0}; f=${f:-0}
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
passed=$((passed+p)); failed=$((failed+f))
grep -E '^(DISAGREE|  )' <<<"$out" | sed 's/^/    /'
echo "conformance: captls-chains-diff: $p agree or known, $f disagree"
echo "conformance: $passed passed, $failed failed"
[ $failed -eq 0 ]
