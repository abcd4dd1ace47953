#!/usr/bin/env bash
# make demo: the main scenario, explained. Assumes `make all guest` ran.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
say() { fold -s -w 78 <<<"$*"; }

bold "1. The capability simulator: an echo service and a client on two simulated hosts"
say "build/captls-sim runs sim/scenarios/echo.scn: host alpha runs a client, host beta an echo service. They talk over a simulated TCP stream and call each other over IPC; the client hands the service a Notifier capability inside its IPC call, and the service calls back through it. Time, network delays and randomness all come from the seed, so every line below is reproducible."
echo
echo "\$ build/captls-sim run sim/scenarios/echo.scn --seed 1"
build/captls-sim run sim/scenarios/echo.scn --seed 1 | tee build/demo-seed1.txt
rc=${PIPESTATUS[0]}
h1=$(tail -1 build/demo-seed1.txt | awk '{print $NF}')
h1b=$(build/captls-sim run sim/scenarios/echo.scn --seed 1 | tail -1 | awk '{print $NF}')
h2=$(build/captls-sim run sim/scenarios/echo.scn --seed 2 | tail -1 | awk '{print $NF}')
echo
say "The last line is the SHA-256 of the transcript. Run it again with the same seed and with another one:"
printf '  seed 1 again: %s  %s\n' "$h1b" "$([ "$h1b" = "$h1" ] && echo '(identical: deterministic)' || echo '(DIFFERENT: determinism is broken)')"
printf '  seed 2:       %s  %s\n' "$h2" "$([ "$h2" != "$h1" ] && echo '(differs: the seed drives jitter and entropy)' || echo '(SAME: the seed has no effect)')"

bold "2. Why determinism matters: a seed sweep finds a rare failure, and one command replays it"
say "sim/scenarios/flaky/echo_close_race.scn is deliberately broken: the client closes 9ms after sending, and whether the echo comes back in time depends on the link's jitter. With the default seed it passes. A sweep runs 200 seeds (two worker processes) with a progress bar, then names every failing seed with the exact command that replays it."
echo
echo "\$ build/captls-sim sweep sim/scenarios/echo.scn --seeds 1..200 --jobs 2"
build/captls-sim sweep sim/scenarios/echo.scn --seeds 1..200 --jobs 2
src=$?
echo
echo "\$ build/captls-sim sweep sim/scenarios/flaky/echo_close_race.scn --seeds 1..200 --jobs 2 --trace build/demo-flaky.trace"
build/captls-sim sweep sim/scenarios/flaky/echo_close_race.scn --seeds 1..200 --jobs 2 \
  --trace build/demo-flaky.trace >build/demo-sweep.txt
frc=$?
sed -n '1,/failing seed/p' build/demo-sweep.txt
grep --no-group-separator -A1 '^  seed ' build/demo-sweep.txt | head -6
nfail=$(grep -c '^  seed ' build/demo-sweep.txt)
echo "  ... ($nfail failing seeds in all)"
replay_cmd=$(grep -m1 -E '^    \S+ run \S+ --seed [0-9]+$' build/demo-sweep.txt | sed 's/^ *//')
echo
say "Replay the first failing seed: the same transcript, down to the hash, every time. The trace file holds the scenario text and the seed, so 'replay' re-runs it even after the scenario file changes, and checks the transcript hash."
echo "\$ $replay_cmd | tail -4"
$replay_cmd | tail -4
echo "\$ build/captls-sim replay build/demo-flaky.trace | tail -2"
build/captls-sim replay build/demo-flaky.trace | tail -2
rrc=${PIPESTATUS[0]}
# the sweep must find some but not all seeds failing, and the replay must
# reproduce the failure (exit 1) with a matching hash
flaky_ok=0
[ "$frc" -eq 1 ] && [ "$nfail" -gt 0 ] && [ "$nfail" -lt 200 ] && [ "$rrc" -eq 1 ] && [ -n "$replay_cmd" ] && flaky_ok=1

bold "3. Trust as a capability: captls verify, and a TrustStore behind IPC"
say "captls verify builds and validates a chain (RFC 5280) and answers ok with the chain, or fail: with the seed's FailureReason. The certificates are the simulator's small test PKI (sim/scenarios/pki/)."
pki=sim/scenarios/pki
v() { echo "\$ build/captls verify $*"; build/captls verify "$@"; echo "(exit $?)"; }
v --roots $pki/root-a.der --untrusted $pki/int-a.der --at 2026-11-23T00:00:00Z --host www.alpha.test $pki/leaf-a.der
v --roots $pki/root-a.der --untrusted $pki/int-a.der --at 2026-11-23T00:00:00Z --host www.beta.test $pki/leaf-a.der
v --roots $pki/root-a.der --untrusted $pki/int-a.der --at 2026-11-23T00:00:00Z $pki/leaf-old.der
echo
say "In the simulator, a trust service holds a TrustStore; a relying party holds only a restricted view of it (a snapshot), an admin holds the separate writer cap. The admin removes root A; the stale view keeps trusting it until its holder refreshes, exactly as the seed describes. Key lines of the transcript:"
build/captls-sim run sim/scenarios/trust_stale_view.scn | tee build/demo-trust.txt | grep -E "remove-anchor|verify #|refresh of view|audit|done:"
trc=${PIPESTATUS[0]}


bold "4. TLS 1.3 with real peers: the captls server and client against OpenSSL and GnuTLS"
say "A test PKI is generated (vectors/tls/gen_tls_pki.py: a root, an intermediate, server and client leaves for Ed25519, P-256 and RSA-2048). captls tls-server serves a status page (--www) and asks for client certificates; openssl s_client connects with a client certificate, gnutls-cli without one. Then captls tls-client talks to openssl s_server, which only accepts secp256r1, so the client's x25519 share is refused and a HelloRetryRequest follows; --reconnect resumes with the ticket it received."
tpki=build/vectors/tls
[ -f $tpki/manifest.json ] || /usr/bin/python3 vectors/tls/gen_tls_pki.py $tpki >/dev/null
rm -f build/demo-tls.port
build/captls tls-server --listen 127.0.0.1:0 --port-file build/demo-tls.port \
  --cert $tpki/server-rsa2048.chain.pem --key $tpki/server-rsa2048.key.pem \
  --client-ca $tpki/client-ca.crt.pem --www 2>build/demo-tls-server.log &
tls_pid=$!
for _ in $(seq 50); do [ -s build/demo-tls.port ] && break; sleep 0.1; done
tport=$(cat build/demo-tls.port 2>/dev/null)
echo
echo "\$ openssl s_client -connect 127.0.0.1:$tport -servername localhost -CAfile root-ca.crt.pem -cert client-ecdsa_p256.crt.pem ... (GET /)"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect 127.0.0.1:$tport \
  -servername localhost -CAfile $tpki/root-ca.crt.pem -cert $tpki/client-ecdsa_p256.crt.pem \
  -key $tpki/client-ecdsa_p256.key.pem -cert_chain $tpki/client-ecdsa_p256.chain.pem -quiet 2>/dev/null \
  | tr -d '\r' | sed 's/^/  /'
echo "\$ gnutls-cli --port $tport --x509cafile root-ca.crt.pem localhost (GET /)"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 gnutls-cli --port $tport --x509cafile $tpki/root-ca.crt.pem \
  localhost 2>/dev/null | tr -d '\r' | grep -E '^(version|suite|group|signature|client-auth):' | sed 's/^/  /'
kill $tls_pid 2>/dev/null; wait $tls_pid 2>/dev/null
echo "  server log:"; sed 's/^/    /' build/demo-tls-server.log
oport=$((20000 + RANDOM % 20000))
openssl s_server -accept 127.0.0.1:$oport -cert $tpki/server-ed25519.crt.pem \
  -cert_chain $tpki/server-ed25519.chain.pem -key $tpki/server-ed25519.key.pem \
  -groups P-256 -www -naccept 2 >/dev/null 2>&1 &
os_pid=$!
sleep 0.5
echo
echo "\$ build/captls tls-client --connect 127.0.0.1:$oport --servername localhost --roots root-ca.crt.pem --reconnect  (openssl s_server -groups P-256)"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 15 build/captls tls-client --connect 127.0.0.1:$oport \
  --servername localhost --roots $tpki/root-ca.crt.pem --reconnect 2>&1 >/dev/null | sed 's/^/  /'
tlsrc=${PIPESTATUS[1]}
kill $os_pid 2>/dev/null; wait $os_pid 2>/dev/null
echo
say "The same engine in the simulator: sim/scenarios/tls_handshake.scn (client, server and trust service on simulated hosts; the chain is judged at the client's simulated clock):"
build/captls-sim run sim/scenarios/tls_handshake.scn --seed 1 | grep -E "handshake ok|close_notify|done:|transcript sha256" | head -8
simtlsrc=${PIPESTATUS[0]}

bold "5. The same core, booted as a capOS-style guest in QEMU"
say "build/guest/captls.elf is a freestanding x86_64 kernel image: core/ compiled unchanged with BearSSL, a serial console, a timer, RDRAND/RDSEED entropy and a memory arena. At boot it runs power-on self-tests (known answers for every crypto primitive, the capability table's refusals, the entropy source) and reports through QEMU's isa-debug-exit device."
echo
ci/qemu-test.sh build/guest/captls.elf
qrc=$?

bold "6. The telnets gateway (seed 004): TLS 1.3, staged mutual TLS, password fallback"
say "build/captls-telnetsd serves a Telnet shell over TLS 1.3 with the reviewed policy (x25519, TLS_AES_128_GCM_SHA256, an Ed25519 server key). Client certificates are verified against a client CA, then mapped to a user by --client-map (subject or SHA-256 fingerprint); a client without a certificate gets login: / Password: against a PBKDF2 users file. Two real openssl s_client sessions follow: one with a mapped client certificate, one with a password; then an unmapped certificate is refused after its handshake."
printf 'demo-pass\n' | build/captls passwd demo > build/demo-telnets.users
echo "subject:$(openssl x509 -in $tpki/client-ed25519.crt.pem -noout -subject -nameopt RFC2253 | sed 's/^subject=//') alice user" > build/demo-telnets.map
rm -f build/demo-telnets.port build/demo-telnets.audit
build/captls-telnetsd --listen 127.0.0.1:0 --port-file build/demo-telnets.port \
  --cert $tpki/server-ed25519.chain.pem --key $tpki/server-ed25519.key.pem \
  --client-ca $tpki/client-ca.crt.pem --client-map build/demo-telnets.map \
  --users build/demo-telnets.users --auth mtls-or-password \
  --audit build/demo-telnets.audit 2>build/demo-telnets.log &
tn_pid=$!
for _ in $(seq 50); do [ -s build/demo-telnets.port ] && break; sleep 0.1; done
tnport=$(head -1 build/demo-telnets.port 2>/dev/null)
# Telnet option negotiation (IAC ...) is binary: strip it and CRs for display.
untelnet() { /usr/bin/python3 -c 'import sys,re; d=sys.stdin.buffer.read(); d=re.sub(rb"\xff\xfa.*?\xff\xf0|\xff[\xfb-\xfe].|\xff[\xf0-\xfa]",b"",d,flags=re.S); sys.stdout.write(d.replace(b"\r",b"").decode("utf-8","replace"))'; }
echo
echo "\$ openssl s_client -quiet -connect 127.0.0.1:$tnport -cert client-ed25519.crt.pem -key client-ed25519.key.pem   (typing: whoami, caps, session, exit)"
(sleep 1; printf 'whoami\r\n'; sleep 0.4; printf 'caps\r\n'; sleep 0.4; printf 'session\r\n'; sleep 0.4; printf 'exit\r\n'; sleep 0.8) | \
  timeout 15 openssl s_client -quiet -connect 127.0.0.1:$tnport -CAfile $tpki/root-ca.crt.pem \
  -cert $tpki/client-ed25519.crt.pem -key $tpki/client-ed25519.key.pem 2>/dev/null | untelnet | sed 's/^/  /'
echo
echo "\$ openssl s_client -quiet -connect 127.0.0.1:$tnport   (no certificate; typing: demo, demo-pass, whoami, exit)"
(sleep 1; printf 'demo\r\n'; sleep 0.4; printf 'demo-pass\r\n'; sleep 2.5; printf 'whoami\r\n'; sleep 0.4; printf 'exit\r\n'; sleep 0.8) | \
  timeout 20 openssl s_client -quiet -connect 127.0.0.1:$tnport -CAfile $tpki/root-ca.crt.pem 2>/dev/null | untelnet | sed 's/^/  /'
echo
echo "\$ openssl s_client -quiet -connect 127.0.0.1:$tnport -cert client-ecdsa_p256.crt.pem ...   (verified, but not in the client map)"
(sleep 1.5) | timeout 15 openssl s_client -quiet -connect 127.0.0.1:$tnport -CAfile $tpki/root-ca.crt.pem \
  -cert $tpki/client-ecdsa_p256.crt.pem -key $tpki/client-ecdsa_p256.key.pem 2>/dev/null | untelnet | sed 's/^/  /'
kill $tn_pid 2>/dev/null; wait $tn_pid 2>/dev/null
echo "  gateway log:"; sed 's/^/    /' build/demo-telnets.log
echo "  audit records: $(wc -l < build/demo-telnets.audit) (build/demo-telnets.audit), e.g.:"
grep -m2 -E "session.open|cert.unmapped" build/demo-telnets.audit | sed 's/^/    /'
tnrc=0
grep -q "session open: user=alice" build/demo-telnets.log || tnrc=1
grep -q "password login ok, user demo" build/demo-telnets.log || tnrc=1
grep -q "denied: certificate not mapped" build/demo-telnets.log || tnrc=1

bold "7. ACME: a certificate from a real ACME CA (Pebble), served, renewed into the running server"
say "pytests/acme_harness.py starts Pebble (the Let's Encrypt team's RFC 8555 test CA) and its DNS on loopback. captls acme registers an account, orders a certificate for www.example.org, proves control with an http-01 responder that serves only the published token, verifies the issued chain and stores it; captls tls-server serves it from the store; a forced renewal rotates the new chain into the running server without a restart."
rm -rf build/demo-acme
/usr/bin/python3 pytests/acme_harness.py build/demo-acme $tpki > build/demo-acme.log 2>&1 < /dev/null &
pb_pid=$!
for _ in $(seq 150); do grep -q '^ready' build/demo-acme.log 2>/dev/null && break; sleep 0.1; done
acmerc=1
if [ -s build/demo-acme/pebble.env ]; then
  . build/demo-acme/pebble.env
  acme() { build/captls acme "$@" --directory "$DIRECTORY" --ca-roots "$CA_ROOTS" --account-key build/demo-acme/account.pem 2>/dev/null; }
  echo "\$ captls acme account --directory $DIRECTORY --ca-roots root-ca.crt.pem --agree-tos --contact mailto:ops@example.org"
  acme account --agree-tos --contact mailto:ops@example.org | sed 's/^/  /'
  echo "\$ captls acme issue ... --domain www.example.org --challenge http-01 --store build/demo-acme/st --handle web"
  acme issue --issuer-roots "$ISSUER_ROOTS" --domain www.example.org --challenge http-01 \
    --http-listen 127.0.0.1:$HTTP_PORT --store build/demo-acme/st --handle web | sed 's/^/  /'
  rm -f build/demo-acme/srv.log
  build/captls tls-server --listen 127.0.0.1:0 --store build/demo-acme/st --handle web \
    --key build/demo-acme/st/web.key.pem --echo --tickets 0 2> build/demo-acme/srv.log &
  srv_pid=$!
  for _ in $(seq 50); do grep -q "listening on" build/demo-acme/srv.log && break; sleep 0.1; done
  sport=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' build/demo-acme/srv.log | head -1)
  served() { openssl s_client -connect 127.0.0.1:$sport -servername www.example.org </dev/null 2>/dev/null | openssl x509 -noout -serial -enddate 2>/dev/null | tr '\n' ' '; }
  s1=$(served); echo "  tls-server serves: $s1"
  echo "\$ captls acme renew --force ... --store build/demo-acme/st --handle web"
  acme renew --force --issuer-roots "$ISSUER_ROOTS" --challenge http-01 \
    --http-listen 127.0.0.1:$HTTP_PORT --store build/demo-acme/st --handle web | grep -E '^(renewal|stored|renewed):' | sed 's/^/  /'
  for _ in $(seq 50); do grep -q "rotation: web version 2" build/demo-acme/srv.log && break; sleep 0.1; done
  s2=$(served); echo "  tls-server now serves (same process): $s2"
  kill $srv_pid 2>/dev/null; wait $srv_pid 2>/dev/null
  [ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ] && acmerc=0
fi
kill $pb_pid 2>/dev/null; wait $pb_pid 2>/dev/null
[ $acmerc -eq 0 ] || { echo "  ACME step failed:"; sed 's/^/    /' build/demo-acme.log; }

bold "8. The telnets gateway inside the QEMU guest, logged in to from the host"
say "make qemu-telnets: the guest boots under TCG with its configuration module (chain, key, client CA, client map, users: checked at boot, the key into the guest's KeyVault and the module's copy wiped) and serve=telnets; captls-guest-bridge carries TCP from the host over the guest's second serial port (the guest has no TCP/IP stack: the network is a capability over IPC frames). openssl s_client logs in with a client certificate, then with a password."
ci/qemu-telnets.sh
qtrc=$?

bold "What you just saw"
say "- A deterministic simulation: the transcript and its hash depend only on the scenario and the seed, so any failure a sweep finds once replays exactly, from the printed command or from a trace file."
say "- Capabilities crossing IPC: the Notifier handle was granted by the kernel's cap table, owner-bound and revocable; a forged or stale handle would have been refused."
say "- Trust that follows capabilities: verification outcomes are the seed's FailureReasons, a restricted view is a snapshot its holder refreshes on purpose, and every write is audited."
say "- TLS 1.3 from one sans-I/O engine: interoperating with OpenSSL and GnuTLS (mutual TLS, HelloRetryRequest, resumption), and the same code deterministic in the simulator."
say "- A telnets gateway that real clients log in to: staged mutual TLS (verify, map, grant) before any shell, a password path with PBKDF2 and back-off, and an audit record for each step."
say "- ACME end to end: an account, an order proved by a responder that serves nothing but its token, a chain verified before it is stored, and a renewal picked up by a running server at its next handshake."
say "- The same gateway code inside the guest: the TLS engine, the staged mTLS and the shell run over a network capability the host bridge provides, and its audit records come back out to the host."
say "- The same portable core running on bare (virtual) metal: 'POST: N passed, 0 failed' comes from the guest itself."
echo
say "Next: make test runs every check (freestanding core, unit tests plain and under ASan+UBSan, pytest suites, fuzz smoke runs, the guest boot)."
[ "$rc" -eq 0 ] && [ "$tnrc" -eq 0 ] && [ "$acmerc" -eq 0 ] && [ "$qtrc" -eq 0 ] && [ "$trc" -eq 0 ] && [ "$tlsrc" -eq 0 ] && [ "$simtlsrc" -eq 0 ] && [ "$qrc" -eq 0 ] && [ "$h1" = "$h1b" ] && [ "$h1" != "$h2" ] && [ "$src" -eq 0 ] && [ "$flaky_ok" -eq 1 ]
