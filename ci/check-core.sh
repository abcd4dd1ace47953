#!/usr/bin/env bash
# make check-core: proves core/ is freestanding (DESIGN.md, "Rules of the core").
#  0. Reads every preprocessor branch (ci/check_core_scan.py): each #include
#     in any branch is on the allow-list below or names a file really in
#     core/ (no '..', no absolute path, no computed include, no
#     #include_next); no __STDC_HOSTED__ / __has_include; conditionals test
#     only core's own macros, the build-configuration macros and a short list
#     of compiler/target macros; no hosted libc call in any branch.
#  1. Compiles every core/**/*.c (tests excluded) with -ffreestanding -nostdinc
#     against the guest's headers only: a forbidden #include does not compile.
#     Files that mention a build-configuration macro (CAPTLS_PORTABLE_CRYPTO,
#     CAPTLS_FUZZING, __SANITIZE_ADDRESS__) are compiled again with it
#     defined, so the other side of those branches is checked too.
#  2. Reads each object's dependency list: every header must be core/'s own
#     (no '..' component, symlinks resolved), port/port.h, BearSSL's, or one
#     of <stddef.h> <stdint.h> <stdbool.h> <string.h> <limits.h> (the guest's
#     or the compiler's; the pieces these pull in are named per compiler:
#     gcc's stdint-gcc.h, clang's __stddef_*.h).
#  3. Reads each object's undefined symbols: each must be BearSSL (br_*), one
#     of memcpy memmove memset memcmp strlen, a captls_port_* function, or
#     defined by another core object.
# Names the file and the offending header, branch or symbol; exits 1 on any.
# Works with gcc and clang (CHECK_CORE_CC); make test runs both.
# Usage: ci/check-core.sh [ROOT]   (ROOT defaults to the repository root)
set -uo pipefail

ROOT=$(cd "${1:-$(dirname "$0")/..}" && pwd -P)
cd "$ROOT" || exit 2
CC=${CHECK_CORE_CC:-gcc}
OUT=${CHECK_CORE_OUT:-build/check-core}
CC_INC=$($CC -print-file-name=include)
[ -d "$CC_INC" ] || { echo "check-core: error: $CC has no include directory" >&2; exit 2; }
CC_INC=$(cd "$CC_INC" && pwd -P)
# Headers the compiler's allowed headers pull in, by the compiler's names.
if $CC --version 2>/dev/null | grep -qi clang; then
  CC_KIND=clang; CC_PIECES='__stddef_*.h'
else
  CC_KIND=gcc; CC_PIECES='stdint-gcc.h'
fi
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
        -isystem "$OUT/include" -isystem "$GUEST_INC" -isystem "$CC_INC")

mapfile -t SOURCES < <(find core -name '*.c' ! -name 'test_*.c' | sort)
fail=0
# 0. Every branch, read as text.
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/check_core_scan.py" . "$OUT/variants.txt" || fail=1

# Compile on every core (the files are independent), then check in order.
# Variant objects (a configuration macro defined) are checked like the rest
# but not used for the "defined by another core object" symbol set.
JOBS=${CHECK_CORE_JOBS:-$(nproc 2>/dev/null || echo 2)}
compile() { # SRC OBJ [FLAGS...]
  local src=$1 obj=$2; shift 2
  ( $CC "${CFLAGS[@]}" "$@" -MD -MF "${obj%.o}.d" -c "$src" -o "$obj" >"${obj%.o}.err" 2>&1
    echo $? >"${obj%.o}.rc" ) &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
}
declare -A variant_of
UNITS=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/obj/${src//\//_}.o"
  compile "$src" "$obj"
  UNITS+=("$src|$obj")
done
while IFS=$'\t' read -r macro src; do
  [ -n "$src" ] || continue
  obj="$OUT/obj/${src//\//_}.$macro.o"
  compile "$src" "$obj" "-D$macro=1"
  UNITS+=("$src|$obj")
  variant_of[$obj]=" (with $macro defined)"
done < "$OUT/variants.txt"
wait

objs=()
declare -A source_of real_dir real_path
for unit in "${UNITS[@]}"; do
  src=${unit%%|*}; obj=${unit#*|}
  dep="${obj%.o}.d"
  err=$(cat "${obj%.o}.err" 2>/dev/null)
  if [ "$(cat "${obj%.o}.rc" 2>/dev/null)" != 0 ]; then
    echo "check-core: $src: does not compile freestanding${variant_of[$obj]:-} ($CC_KIND):"
    echo "$err" | grep -E 'error|fatal' | head -5 | sed 's/^/    /'
    fail=1
    continue
  fi
  objs+=("$obj")
  source_of[$obj]=$src
  # Dependency list: "obj: src h1 h2 \" ... one path per word.
  for h in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [ "$h" = "$src" ] && continue
    # "core/../sim/x.h" matches core/*.h: no '..' component at all, and
    # a header under core/ must really be there (no symlink out).
    if [[ "/$h/" == */../* ]]; then
      echo "check-core: $src: includes $h ('..' in an include path), which core/ may not use"
      fail=1; continue
    fi
    case "$h" in
      core/*.h|./core/*.h)
        [ -n "${real_path[$h]:-}" ] || real_path[$h]=$(realpath -m "$h")
        real=${real_path[$h]}
        if [[ "$real" != "$ROOT"/core/* ]]; then
          echo "check-core: $src: includes $h (really $real), which core/ may not use"
          fail=1
        fi
        continue ;;
    esac
    case "$h" in
      port/port.h|./port/port.h) continue ;;
      "$OUT"/include/bearssl.h|"$OUT"/include/bearssl/*.h) continue ;;
      /usr/include/bearssl.h|/usr/include/bearssl/bearssl*.h) continue ;;
    esac
    base=$(basename "$h")
    dir=$(dirname "$h")
    if [ -z "${real_dir[$dir]:-}" ]; then
      real_dir[$dir]=$(cd "$dir" 2>/dev/null && pwd -P || echo "$dir")
    fi
    dir=${real_dir[$dir]}
    if [ "$dir" = "$ROOT/$GUEST_INC" ] || [ "$dir" = "$CC_INC" ]; then
      if [[ " $ALLOWED_HEADERS " == *" $base "* ]]; then continue; fi
      # gcc's <stdint.h> is stdint-gcc.h; clang's <stddef.h> pulls in its
      # __stddef_*.h pieces (one per type from clang 16 on).
      # shellcheck disable=SC2053
      if [ "$dir" = "$CC_INC" ] && [[ $base == $CC_PIECES ]]; then continue; fi
    fi
    echo "check-core: $src: includes $h, which core/ may not use"
    fail=1
  done
done

# Symbols core defines, so calls between core files are allowed.
defined=$(for o in "${objs[@]}"; do [ -n "${variant_of[$o]:-}" ] && continue; nm --defined-only -g "$o" | awk '{print $3}'; done | sort -u)
for o in "${objs[@]}"; do
  src=${source_of[$o]}
  for sym in $(nm -u "$o" | awk '{print $2}'); do
    case "$sym" in br_*|captls_port_*) continue ;; esac
    if [[ " $ALLOWED_SYMBOLS " == *" $sym "* ]]; then continue; fi
    if grep -qx "$sym" <<<"$defined"; then continue; fi
    echo "check-core: $src: uses symbol '$sym'${variant_of[$o]:-}, which core/ may not use"
    fail=1
  done
done

if [ $fail -ne 0 ]; then
  echo "check-core: FAIL (DESIGN.md, Rules of the core: freestanding, allowed headers and symbols only)"
  exit 1
fi
echo "check-core: ok ($CC_KIND: ${#SOURCES[@]} files freestanding, $((${#UNITS[@]}-${#SOURCES[@]})) configuration variants, every branch read, headers and symbols allowed)"
