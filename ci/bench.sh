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

# Simulator: whole runs of the echo scenario, one process per seed, so
# this counts start-up too (the honest figure for a sweep today).
if [ -x build/captls-sim ] && [ -f sim/scenarios/echo.scn ]; then
  n=200; t0=$(date +%s.%N)
  for s in $(seq 1 $n); do build/captls-sim run sim/scenarios/echo.scn --seed "$s" >/dev/null || { echo "bench: sim seed $s failed" >&2; exit 1; }; done
  t1=$(date +%s.%N)
  seeds=$(awk -v n=$n -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')
  events=$(build/captls-sim run sim/scenarios/echo.scn --seed 1 --stats 2>/dev/null | sed -n 's/.*events=\([0-9]*\).*/\1/p' | tail -1)
  echo "sim-echo-seeds,seeds/s,$seeds,-,-" >>"$csv"
  [ -n "$events" ] && echo "sim-echo-events-per-run,events,$events,-,-" >>"$csv"
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
