#!/usr/bin/env bash
# ci/qemu-test.sh — boot the captls guest under QEMU (TCG, no KVM) and check
# its power-on self-test.
#
# usage: ci/qemu-test.sh <guest.elf> [extra QEMU arguments...]
#        e.g. ci/qemu-test.sh build/guest/captls.elf --append post=fail
# env:   QEMU          QEMU binary (default: qemu-system-x86_64 on PATH)
#        QEMU_TIMEOUT  seconds before a silent guest counts as hung (default 60)
#        QEMU_CPU      -cpu model (default max: the crypto fast paths where
#                      TCG emulates their instructions; "qemu64,+rdrand" has
#                      none of AVX2/SHA-NI/ADX, so the guest runs the portable
#                      ones; +rdrand because the guest's entropy needs RDRAND)
#
# The guest's console (COM1) is echoed live, minus carriage returns and the
# firmware's terminal escape sequences. A pass needs both signals the guest
# gives (port/capos/main.c, trap.h): the line `POST: N passed, 0 failed`
# and QEMU exit status 33 (isa-debug-exit code 0x10). The last line is
# `qemu-test: pass` or `qemu-test: fail (<why>)`.
#
# exit: 0 pass; 1 fail (failed POST case, guest panic, hang, odd exit);
#       2 cannot run (no QEMU or older than 7.0, no image, bad usage).
set -u

die_setup() {
    echo "qemu-test: $*" >&2
    exit 2
}

[ $# -ge 1 ] || die_setup "usage: $0 <guest.elf> [extra qemu args...]"
elf=$1
shift

qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${QEMU_TIMEOUT:-60}
qemu_cpu=${QEMU_CPU:-max}
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] ||
    die_setup "QEMU_TIMEOUT must be a whole number of seconds, got '$timeout_s'"

install_hint="install the Debian package qemu-system-x86 (apt-get install qemu-system-x86), or point QEMU= at a qemu-system-x86_64 >= 7.0"
if ! command -v "$qemu" >/dev/null 2>&1; then
    die_setup "QEMU not found ('$qemu'): $install_hint"
fi
version_line=$("$qemu" --version 2>/dev/null | head -n 1)
if [[ $version_line =~ version\ ([0-9]+)\.([0-9]+) ]]; then
    major=${BASH_REMATCH[1]}
    if [ "$major" -lt 7 ]; then
        die_setup "QEMU too old ('$version_line'; need >= 7.0): $install_hint"
    fi
else
    die_setup "cannot tell the version of '$qemu' (--version said '$version_line'): $install_hint"
fi
[ -f "$elf" ] || die_setup "no guest image at '$elf' (run: make guest)"

log=$(mktemp "${TMPDIR:-/tmp}/qemu-test.XXXXXX")
trap 'rm -f "$log"' EXIT

# Carriage returns and SeaBIOS's ESC c / ESC [..m / ESC [2J would garble
# (or clear) the terminal or CI log the console is echoed to.
clean() {
    sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'
}

echo "qemu-test: $version_line"
echo "qemu-test: booting $elf (-cpu $qemu_cpu, timeout ${timeout_s} s)"
start_ns=$(date +%s%N)
# -nodefaults: no NIC/VGA to probe; -monitor none + stdin from /dev/null:
# nothing reads the terminal, so QEMU never puts it in raw mode.
timeout -k 5 "$timeout_s" "$qemu" \
    -machine pc -accel tcg -cpu "$qemu_cpu" -m 128M \
    -nographic -nodefaults -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -serial stdio \
    -kernel "$elf" "$@" </dev/null | tee "$log" | clean
status=${PIPESTATUS[0]}
end_ns=$(date +%s%N)
elapsed_ms=$(((end_ns - start_ns) / 1000000))
echo "qemu-test: QEMU exit status $status after $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s"

console=$(clean <"$log")
summary=$(grep -E '^POST: [0-9]+ passed, [0-9]+ failed$' <<<"$console" | tail -n 1)
failed_cases=$(grep -E '^POST: .* FAIL$' <<<"$console" |
    sed -e 's/^POST: //' -e 's/ FAIL$//' | paste -sd, - | sed 's/,/, /g')

fail() {
    echo "qemu-test: fail ($*)"
    exit 1
}

if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "qemu-test: guest hung: no result after ${timeout_s} s"
    fail "guest hung"
fi
case $status in
33)
    [ -n "$summary" ] || fail "exit status 33 (pass) but no POST summary line"
    [[ $summary =~ ,\ 0\ failed$ ]] || fail "exit status 33 (pass) but '$summary'"
    echo "qemu-test: pass"
    exit 0
    ;;
35)
    fail "POST failed: ${summary:-no summary line}${failed_cases:+; failing: $failed_cases}"
    ;;
37)
    fatal=$(grep -E '^FATAL: ' <<<"$console" | tail -n 1)
    fail "guest panic: ${fatal:-no FATAL line}"
    ;;
0)
    fail "QEMU exited 0: the guest reset (triple fault?) or shut down without a result"
    ;;
*)
    fail "QEMU exit status $status${summary:+; $summary}"
    ;;
esac
