#!/usr/bin/env bash
# make check-core: proves core/ is freestanding (DESIGN.md, "Rules of the core").
#  1. Compiles every core/**/*.c (tests excluded) with -ffreestanding -nostdinc
#     against the guest's headers only: a forbidden #include does not compile.
#  2. Reads each object's dependency list: every header must be core/'s own,
#     port/port.h, BearSSL's, or one of <stddef.h> <stdint.h> <stdbool.h>
#     <string.h> <limits.h>.
#  3. Reads each object's undefined symbols: each must be BearSSL (br_*), one
#     of memcpy memmove memset memcmp strlen, a captls_port_* function, or
#     defined by another core object.
# Names the file and the offending header or symbol; exits 1 on any.
# Usage: ci/check-core.sh [ROOT]   (ROOT defaults to the repository root)
set -uo pipefail

ROOT=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$ROOT" || exit 2
CC=${CHECK_CORE_CC:-gcc}
OUT=${CHECK_CORE_OUT:-build/check-core}
GCC_INC=$($CC -print-file-name=include)
GUEST_INC=port/capos/include
ALLOWED_HEADERS="stddef.h stdint.h stdbool.h string.h limits.h"
ALLOWED_SYMBOLS="memcpy memmove memset memcmp strlen"

for d in "$GUEST_INC" /usr/include/bearssl; do
  [ -d "$d" ] || { echo "check-core: error: missing $d" >&2; exit 2; }
done

rm -rf "$OUT"
mkdir -p "$OUT/include/bearssl" "$OUT/obj"
# Only BearSSL is visible from /usr/include: link its headers in alone.
ln -s /usr/include/bearssl.h "$OUT/include/bearssl.h"
for h in /usr/include/bearssl/*.h; do ln -s "$h" "$OUT/include/bearssl/"; done

CFLAGS=(-std=c11 -ffreestanding -nostdinc -fno-stack-protector -fno-pic
        -fno-pie -mno-red-zone -O1 -Wall -Wextra -Werror -I.
        -isystem "$OUT/include" -isystem "$GUEST_INC" -isystem "$GCC_INC")

mapfile -t SOURCES < <(find core -name '*.c' ! -name 'test_*.c' | sort)
fail=0
# Compile on every core (the files are independent), then check in order.
JOBS=${CHECK_CORE_JOBS:-$(nproc 2>/dev/null || echo 2)}
for src in "${SOURCES[@]}"; do
  obj="$OUT/obj/${src//\//_}.o"
  ( $CC "${CFLAGS[@]}" -MD -MF "${obj%.o}.d" -c "$src" -o "$obj" >"${obj%.o}.err" 2>&1
    echo $? >"${obj%.o}.rc" ) &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait

objs=()
declare -A source_of
for src in "${SOURCES[@]}"; do
  obj="$OUT/obj/${src//\//_}.o"
  dep="${obj%.o}.d"
  err=$(cat "${obj%.o}.err" 2>/dev/null)
  if [ "$(cat "${obj%.o}.rc" 2>/dev/null)" != 0 ]; then
    echo "check-core: $src: does not compile freestanding:"
    echo "$err" | grep -E 'error|fatal' | head -5 | sed 's/^/    /'
    fail=1
    continue
  fi
  objs+=("$obj")
  source_of[$obj]=$src
  # Dependency list: "obj: src h1 h2 \" ... one path per word.
  for h in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [ "$h" = "$src" ] && continue
    case "$h" in
      core/*.h|./core/*.h|port/port.h|./port/port.h) continue ;;
      "$OUT"/include/bearssl.h|"$OUT"/include/bearssl/*.h) continue ;;
      /usr/include/bearssl.h|/usr/include/bearssl/bearssl*.h) continue ;;
    esac
    base=$(basename "$h")
    dir=$(dirname "$h")
    if [ "$dir" = "$GUEST_INC" ] || [ "$dir" = "$GCC_INC" ]; then
      # stdint-gcc.h is how the compiler's <stdint.h> spells itself;
      # clang's <stddef.h> pulls in its own __stddef_*.h pieces.
      if [[ " $ALLOWED_HEADERS stdint-gcc.h " == *" $base "* ]]; then continue; fi
      if [ "$dir" = "$GCC_INC" ] && [[ $base == __stddef_*.h ]]; then continue; fi
    fi
    echo "check-core: $src: includes $h, which core/ may not use"
    fail=1
  done
done

# Symbols core defines, so calls between core files are allowed.
defined=$(for o in "${objs[@]}"; do nm --defined-only -g "$o" | awk '{print $3}'; done | sort -u)
for o in "${objs[@]}"; do
  src=${source_of[$o]}
  for sym in $(nm -u "$o" | awk '{print $2}'); do
    case "$sym" in br_*|captls_port_*) continue ;; esac
    if [[ " $ALLOWED_SYMBOLS " == *" $sym "* ]]; then continue; fi
    if grep -qx "$sym" <<<"$defined"; then continue; fi
    echo "check-core: $src: uses symbol '$sym', which core/ may not use"
    fail=1
  done
done

if [ $fail -ne 0 ]; then
  echo "check-core: FAIL (DESIGN.md, Rules of the core: freestanding, allowed headers and symbols only)"
  exit 1
fi
echo "check-core: ok (${#SOURCES[@]} files freestanding, headers and symbols allowed)"
