#!/usr/bin/env bash
# Installs the Debian packages captls builds and tests with (DESIGN.md, "Real
# peers and tools"), only those missing, with at most one `apt-get update`.
# Idempotent: on a machine that has everything it only checks and exits.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  make gcc libc6-dev binutils clang libclang-rt-14-dev llvm
  libbearssl-dev libcmocka-dev
  # tests, fuzzing, guest
  python3 python3-pytest python3-pytest-xdist python3-pytest-timeout
  python3-pexpect python3-cryptography valgrind afl++ qemu-system-x86
  # host references and real peers
  openssl libssl-dev gnutls-bin telnet-ssl pebble tshark
  # the Mozilla roots build step (ci/gen_roots.py) reads its bundle
  ca-certificates
  # the Public Suffix List build step (ci/gen_public_suffix.py) reads its list
  publicsuffix
  # misc tools the scripts use; curl is the http-01 validator of
  # port/posix/test_http01_server.c
  coreutils procps iproute2 curl
)

missing=()
for p in "${PACKAGES[@]}"; do
  # `dpkg-query` states "install ok installed" only for a complete install.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "deps: error: these packages are missing and this is not root (no sudo): ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Retry once: mirrors on fresh machines occasionally fail a first fetch.
for attempt in 1 2; do
  if $SUDO apt-get update -q >/tmp/captls-apt-update.log 2>&1 &&
     $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/captls-apt-install.log 2>&1; then
    echo "deps: installed ${missing[*]}"
    exit 0
  fi
  echo "deps: apt-get attempt $attempt failed (logs: /tmp/captls-apt-update.log, /tmp/captls-apt-install.log)" >&2
  sleep 5
done
tail -20 /tmp/captls-apt-install.log >&2 || true
echo "deps: error: could not install: ${missing[*]}" >&2
exit 1
