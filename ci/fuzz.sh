#!/usr/bin/env bash
# Fuzzing driver behind `make fuzz-smoke` and `make fuzz`.
#   ci/fuzz.sh smoke     each libFuzzer harness for FUZZ_SMOKE_SECONDS (default
#                        4) from its seed corpus, then each AFL++ build run once
#                        over the seeds (proves both builds work). Prints
#                        "fuzz-smoke: N passed, M failed".
#   ci/fuzz.sh campaign  a real campaign on both cores for FUZZ_SECONDS per
#                        harness (FUZZ=name for one): AFL++ -M/-S by default,
#                        FUZZ_ENGINE=libfuzzer for libFuzzer -fork=2. Progress
#                        every few seconds; new corpus entries are kept in
#                        build/fuzz/corpus/<name>, crashes in
#                        build/fuzz/crashes/<name>. Exit 1 if anything crashed.
# The committed seeds in fuzz/corpus/<name> are never written to.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

LF=build/fuzz/lf/bin
AFL=build/fuzz/afl/bin
mode=${1:-smoke}

harnesses() {
  local all=()
  for f in fuzz/fuzz_*.c; do
    local n=${f#fuzz/fuzz_}; all+=("${n%.c}")
  done
  if [ -n "${FUZZ:-}" ]; then
    if [[ " ${all[*]} " != *" $FUZZ "* ]]; then
      echo "fuzz: error: no harness named '$FUZZ' (have: ${all[*]})" >&2
      exit 2
    fi
    echo "$FUZZ"
  else
    printf '%s\n' "${all[@]}"
  fi
}

seeds_of() { # the seed corpus dir, or an empty one
  if [ -d "fuzz/corpus/$1" ]; then echo "fuzz/corpus/$1"; else mkdir -p "build/fuzz/empty"; echo build/fuzz/empty; fi
}

smoke() {
  local secs=${FUZZ_SMOKE_SECONDS:-4} passed=0 failed=0
  for h in $(harnesses); do
    local work=build/fuzz/smoke/$h; rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
    if [ ! -x "$LF/$h" ]; then echo "fuzz-smoke: $h: FAIL (no libFuzzer build at $LF/$h)"; failed=$((failed+1)); continue; fi
    if "$LF/$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$work/artifacts/" "$work/corpus" "$(seeds_of "$h")" >"$work/log" 2>&1; then
      local runs; runs=$(grep -oE 'Done [0-9]+ runs' "$work/log" | grep -oE '[0-9]+' || echo '?')
      echo "fuzz-smoke: $h: ok (libFuzzer, ${secs}s, $runs runs)"
      passed=$((passed+1))
    else
      echo "fuzz-smoke: $h: FAIL (libFuzzer; log $work/log, inputs in $work/artifacts/)"
      tail -30 "$work/log" | sed 's/^/    /'
      failed=$((failed+1))
    fi
    if [ ! -x "$AFL/$h" ]; then echo "fuzz-smoke: $h: FAIL (no AFL++ build at $AFL/$h)"; failed=$((failed+1)); continue; fi
    # An AFL++ libFuzzer-style binary runs the files it is given, once each.
    local seeds; seeds=$(seeds_of "$h")
    if find "$seeds" -type f -print0 | xargs -0 -r "$AFL/$h" >"$work/afl.log" 2>&1; then
      echo "fuzz-smoke: $h: ok (AFL++ build replays $(find "$seeds" -type f | wc -l) seeds)"
      passed=$((passed+1))
    else
      echo "fuzz-smoke: $h: FAIL (AFL++ build on seeds; log $work/afl.log)"
      failed=$((failed+1))
    fi
  done
  echo "fuzz-smoke: $passed passed, $failed failed"
  [ $failed -eq 0 ]
}

afl_stat() { # file key
  sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -1
}

campaign_afl() {
  local h=$1 secs=$2 out=build/fuzz/afl-out/$h
  command -v afl-fuzz >/dev/null || { echo "fuzz: error: afl-fuzz not found (Debian package afl++)" >&2; return 2; }
  mkdir -p "$out" build/fuzz/corpus/$h build/fuzz/crashes/$h
  local in; in=$(seeds_of "$h")
  # Resume from what earlier campaigns kept, plus the committed seeds.
  local seeddir=build/fuzz/seeds/$h; rm -rf "$seeddir"; mkdir -p "$seeddir"
  cp -n "$in"/* build/fuzz/corpus/"$h"/* "$seeddir"/ 2>/dev/null
  [ -n "$(ls -A "$seeddir")" ] || printf 'x' >"$seeddir/empty"
  export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
  afl-fuzz -V "$secs" -i "$seeddir" -o "$out" -M main -- "$AFL/$h" >"$out/main.log" 2>&1 &
  local m=$!
  afl-fuzz -V "$secs" -i "$seeddir" -o "$out" -S second -- "$AFL/$h" >"$out/second.log" 2>&1 &
  local s=$!
  local t0=$SECONDS
  while kill -0 $m 2>/dev/null || kill -0 $s 2>/dev/null; do
    sleep 5
    local ex=0 cr=0 q=0
    for inst in main second; do
      local st=$out/$inst/fuzzer_stats
      ex=$((ex + $(afl_stat "$st" execs_done || echo 0) + 0))
      cr=$((cr + $(afl_stat "$st" saved_crashes || echo 0) + 0))
      q=$((q + $(afl_stat "$st" corpus_count || echo 0) + 0))
    done
    printf 'fuzz: %-14s %4ss/%ss  execs %-10s corpus %-6s crashes %s\n' "$h" $((SECONDS-t0)) "$secs" "$ex" "$q" "$cr"
  done
  wait $m; wait $s
  cp -n "$out"/main/queue/id:* "$out"/second/queue/id:* build/fuzz/corpus/"$h"/ 2>/dev/null
  cp -n "$out"/*/crashes/id:* build/fuzz/crashes/"$h"/ 2>/dev/null
}

campaign_libfuzzer() {
  local h=$1 secs=$2
  mkdir -p build/fuzz/corpus/$h build/fuzz/crashes/$h
  # -fork=2 runs two workers (one per core) and prints progress lines.
  "$LF/$h" -fork=2 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -ignore_crashes=1 -artifact_prefix="build/fuzz/crashes/$h/" \
    build/fuzz/corpus/"$h" "$(seeds_of "$h")" 2>&1 | grep --line-buffered -E '#[0-9]+|crash|ERROR' | sed -u "s/^/fuzz: $h: /"
}

campaign() {
  local secs=${FUZZ_SECONDS:-600} engine=${FUZZ_ENGINE:-afl} status=0
  for h in $(harnesses); do
    echo "fuzz: $h for ${secs}s with $engine on 2 cores"
    if [ "$engine" = libfuzzer ]; then campaign_libfuzzer "$h" "$secs"; else campaign_afl "$h" "$secs"; fi
    local n c
    n=$(find build/fuzz/corpus/"$h" -type f | wc -l)
    c=$(find build/fuzz/crashes/"$h" -type f \( -name 'id:*' -o -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \) | wc -l)
    echo "fuzz: $h: corpus $n entries in build/fuzz/corpus/$h, $c crash(es) in build/fuzz/crashes/$h"
    [ "$c" -eq 0 ] || status=1
  done
  return $status
}

case "$mode" in
  smoke) smoke ;;
  campaign) campaign ;;
  *) echo "usage: ci/fuzz.sh smoke|campaign" >&2; exit 2 ;;
esac
