#!/usr/bin/env bash
# make bench: speed against OpenSSL in one run, plus simulator and guest
# figures. Prints a table; writes build/bench/results.csv and
# build/bench/ratios.svg. BENCH_SECONDS sets the time per case (default 1).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
OUT=build/bench
mkdir -p "$OUT"
csv=$OUT/results.csv
secs=${BENCH_SECONDS:-1}

build/captls-bench "$secs" >"$csv" || { echo "bench: captls-bench failed" >&2; exit 1; }
# X.509 chains (3 certificates: P-256, RSA-2048, Ed25519): chains/s cold and
# warm (signature cache primed) vs OpenSSL X509_verify_cert, memory per
# verification (see conformance/main_chain_bench.c for what each side does).
build/captls-chain-bench "$secs" build/vectors/chains/bench.txt | tail -n +2 >>"$csv" ||
  { echo "bench: captls-chain-bench failed" >&2; exit 1; }
# TLS 1.3 connections against libssl in one process: full handshakes/s per
# key type (client verifying the chain), resumed handshakes/s, bulk MB/s
# per suite, memory per connection (conformance/main_tls_bench.c). Its rows
# add a sixth column: a note (what bounds a figure, memory ratios).
build/captls-tls-bench "$secs" | tail -n +2 >>"$csv" ||
  { echo "bench: captls-tls-bench failed" >&2; exit 1; }

# Instruction counts of the captls side of each crypto case: callgrind
# counts only inside callgrind_run (setup and key generation excluded);
# one row per case, unit instr/op. BENCH_CALLGRIND_RUNS sets N (default 20).
if command -v valgrind >/dev/null; then
  runs=${BENCH_CALLGRIND_RUNS:-20}
  for c in $(build/captls-bench --list); do
    cg=$OUT/callgrind.$c.out
    if valgrind --tool=callgrind --collect-atstart=no --toggle-collect=callgrind_run \
         --callgrind-out-file="$cg" build/captls-bench --callgrind "$c" "$runs" >/dev/null 2>&1; then
      ir=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$cg" | tail -1)
      [ -n "$ir" ] && echo "$c,instr/op,$((ir / runs)),-,-" >>"$csv"
    else
      echo "bench: callgrind on $c failed" >&2
    fi
  done
fi

# Simulator: the echo scenario run many times in one process (a fresh
# kernel each run, as a seed sweep will do).
if [ -x build/captls-sim ] && [ -f sim/scenarios/echo.scn ]; then
  line=$(build/captls-sim bench sim/scenarios/echo.scn --runs 5000) || { echo "bench: captls-sim bench failed" >&2; exit 1; }
  # "N runs, E events in T s: R events/s, U us per run"
  evs=$(sed -n 's/.*: \([0-9]*\) events\/s.*/\1/p' <<<"$line")
  us=$(sed -n 's/.*, \([0-9.]*\) us per run.*/\1/p' <<<"$line")
  echo "sim-echo-events,events/s,$evs,-,-" >>"$csv"
  echo "sim-echo-runs,runs/s,$(awk -v u="$us" 'BEGIN{printf "%.0f", 1e6/u}'),-,-" >>"$csv"
  # A seed sweep as a developer runs it: 1,000 seeds, two worker processes.
  t0=$(date +%s.%N)
  if build/captls-sim sweep sim/scenarios/echo.scn --seeds 1..1000 --jobs 2 >/dev/null 2>&1; then
    t1=$(date +%s.%N)
    echo "sim-sweep-1000-seeds,seeds/s,$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", 1000/(b-a)}'),-,-" >>"$csv"
  else
    echo "bench: captls-sim sweep failed" >&2
  fi
fi

# The telnets gateway under load (ci/bench_telnets.py: 10,000 sequential
# mTLS sessions, 500 concurrent, password logins; checks that descriptors,
# memory and counters return to their baseline).
if [ -x build/captls-telnetsd ]; then
  if CAPTLS_BUILD_DIR=build /usr/bin/python3 ci/bench_telnets.py --json "$OUT/telnets.json" >"$OUT/telnets.txt" 2>&1; then
    /usr/bin/python3 - "$OUT/telnets.json" >>"$csv" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
seq = f["connections_per_second"]
print(f"telnets-sequential-mtls-sessions,sessions/s,{seq},-,-")
print(f"telnets-mtls-login-p99,ms,{f['mtls_login_ms_p99']},-,-")
print(f"telnets-password-login-p99,ms,{f['password_login_ms_p99']},-,-")
print(f"telnets-peak-memory-per-session,kB,{f['peak_kb_per_session']},-,-")
PY
  else
    echo "bench: ci/bench_telnets.py failed (see $OUT/telnets.txt)" >&2
  fi
fi

# Guest: image size and boot-to-POST time under TCG.
if [ -f build/guest/captls.elf ]; then
  size=$(stat -c %s build/guest/captls.elf)
  t0=$(date +%s.%N)
  ci/qemu-test.sh build/guest/captls.elf >/dev/null 2>&1; rc=$?
  t1=$(date +%s.%N)
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", (b-a)*1000}')
  echo "guest-image,bytes,$size,-,-" >>"$csv"
  [ $rc -eq 0 ] && echo "guest-boot-to-post,ms,$ms,-,-" >>"$csv"
fi

echo "captls bench ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, OpenSSL $(openssl version | awk '{print $2}'), BearSSL $(dpkg-query -W -f='${Version}' libbearssl-dev 2>/dev/null))"
column -s, -t <"$csv"
/usr/bin/python3 ci/bench_plot.py "$csv" "$OUT/ratios.svg" && echo "bench: wrote $csv and $OUT/ratios.svg"
