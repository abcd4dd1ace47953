#!/usr/bin/env bash
# make qemu-telnets: the telnets gateway inside the QEMU guest, reached
# from the host. Generates a development PKI (vectors/tls/gen_tls_pki.py)
# and a users file, packs the configuration module (captls-guest-bridge
# pack), boots build/guest/captls.elf under TCG with serve=telnets
# auth=mtls-or-password, starts captls-guest-bridge on a free loopback
# port, and logs in with openssl s_client twice, with a client
# certificate and with a password, running whoami, caps and exit. Prints
# the transcripts, the guest's console lines for the connections and the
# audit records the bridge wrote; stops QEMU and the bridge on every
# path. Exit 0 when both logins reached a shell and ended, else 1.
# Assumes `make guest guest-bridge programs`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
B=${BUILD_DIR:-build}
W=$B/qemu-telnets
P=$B/vectors/tls
QEMU=${QEMU:-qemu-system-x86_64}
rm -rf "$W"
mkdir -p "$W"
qpid=""; bpid=""
cleanup() {
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null
  [ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
}
trap cleanup EXIT
fail() { echo "qemu-telnets: $*" >&2; exit 1; }

[ -f "$P/manifest.json" ] || /usr/bin/python3 vectors/tls/gen_tls_pki.py "$P" >/dev/null ||
  fail "cannot generate the test PKI"
printf 'demo-pass\n' | "$B/captls" passwd --iterations 100000 demo > "$W/users" ||
  fail "captls passwd failed"
echo "subject:$(openssl x509 -in "$P/client-ed25519.crt.pem" -noout -subject -nameopt RFC2253 |
  sed 's/^subject=//') alice user" > "$W/clients.map"
"$B/captls-guest-bridge" pack --chain "$P/server-ed25519.chain.pem" \
  --key "$P/server-ed25519.key.pem" --client-ca "$P/client-ca.crt.pem" \
  --client-map "$W/clients.map" --users "$W/users" --out "$W/config" ||
  fail "the configuration module was refused"

t0=$(date +%s%N)
"$QEMU" -machine pc -accel tcg -cpu max -m 128M -nographic -nodefaults \
  -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -serial "file:$W/console.log" \
  -chardev "socket,id=br,path=$W/com2.sock,server=on,wait=off" \
  -serial chardev:br -kernel "$B/guest/captls.elf" \
  -append "serve=telnets auth=mtls-or-password" -initrd "$W/config" \
  </dev/null >/dev/null 2>&1 &
qpid=$!
for _ in $(seq 600); do
  grep -q "^telnets: listening\|not listening" "$W/console.log" 2>/dev/null && break
  sleep 0.05
done
t1=$(date +%s%N)
grep -q "^telnets: listening" "$W/console.log" 2>/dev/null || {
  tr -d '\r' < "$W/console.log" 2>/dev/null | tail -5; fail "the guest is not listening"; }
echo "guest: $(grep -a '^POST: [0-9]* passed' "$W/console.log" | tr -d '\r')"
echo "guest: $(grep -a '^telnets: listening' "$W/console.log" | tr -d '\r' | sed 's/^telnets: //')"
echo "guest: listening $(( (t1 - t0) / 1000000 )) ms after QEMU started (host clock, TCG)"

"$B/captls-guest-bridge" --listen 127.0.0.1:0 --guest "$W/com2.sock" \
  --audit "$W/audit.log" > "$W/bridge.log" 2>&1 &
bpid=$!
for _ in $(seq 200); do grep -q "guest link up" "$W/bridge.log" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/bridge.log" | head -1)
[ -n "$port" ] || fail "the bridge did not start: $(cat "$W/bridge.log")"
echo "bridge: 127.0.0.1:$port -> guest COM2"

# Telnet option negotiation (IAC ...) is binary: strip it and CRs.
untelnet() { /usr/bin/python3 -c 'import sys,re; d=sys.stdin.buffer.read(); d=re.sub(rb"\xff\xfa.*?\xff\xf0|\xff[\xfb-\xfe].|\xff[\xf0-\xfa]",b"",d,flags=re.S); sys.stdout.write(d.replace(b"\r",b"").decode("utf-8","replace"))'; }
echo
echo "\$ openssl s_client -quiet -connect 127.0.0.1:$port -cert client-ed25519.crt.pem -key client-ed25519.key.pem   (typing: whoami, caps, exit)"
(sleep 2; printf 'whoami\r\n'; sleep 1; printf 'caps\r\n'; sleep 1; printf 'exit\r\n'; sleep 2) |
  timeout 30 openssl s_client -quiet -connect "127.0.0.1:$port" -servername localhost \
  -CAfile "$P/root-ca.crt.pem" -cert "$P/client-ed25519.crt.pem" \
  -key "$P/client-ed25519.key.pem" 2>/dev/null | untelnet | tee "$W/cert.txt" | sed 's/^/  /'
echo
echo "\$ openssl s_client -quiet -connect 127.0.0.1:$port   (no certificate; typing: demo, demo-pass, whoami, caps, exit)"
(sleep 2; printf 'demo\r\n'; sleep 1; printf 'demo-pass\r\n'; sleep 8; printf 'whoami\r\n'; sleep 1; printf 'caps\r\n'; sleep 1; printf 'exit\r\n'; sleep 2) |
  timeout 40 openssl s_client -quiet -connect "127.0.0.1:$port" -servername localhost \
  -CAfile "$P/root-ca.crt.pem" 2>/dev/null | untelnet | tee "$W/password.txt" | sed 's/^/  /'
echo
echo "guest console:"
grep -a "^telnets: connection\|^telnets: stack" "$W/console.log" | tr -d '\r' | sed 's/^/  /'
echo "audit records from the guest: $(wc -l < "$W/audit.log" 2>/dev/null || echo 0) ($W/audit.log), e.g.:"
grep -m2 "gateway.session.open" "$W/audit.log" 2>/dev/null | sed 's/^/  /'
rc=0
grep -q "alice (tlsClientCert)" "$W/cert.txt" && grep -q "logout" "$W/cert.txt" || rc=1
grep -q "demo (password)" "$W/password.txt" && grep -q "logout" "$W/password.txt" || rc=1
[ $rc -eq 0 ] && echo "qemu-telnets: both logins reached the guest's shell and ended" ||
  echo "qemu-telnets: a login failed (see $W/)" >&2
exit $rc
