"""The telnets gateway inside the QEMU guest (issue 15): the guest boots
under TCG with `serve=telnets` and its configuration module (the
development PKI of telnetsd_harness: an Ed25519 server chain, the client
CA, the client map and the users file, packed by `captls-guest-bridge
pack`), and `captls-guest-bridge` carries TCP from the host to it. Then
real clients log in from the host: `openssl s_client` with a client
certificate and with a password, telnet-ssl with a password (it cannot do
mTLS under the reviewed policy: it loads RSA client keys only); the four
mTLS stages; three sessions at once with a client killed mid-handshake;
the audit records arriving on the host; the bridge killed and restarted
under a session; a rotation pushed from the host through the bridge's
store view; and a guest booted without its module refusing to listen.

One guest serves most of the module's tests (booting is the slow part
under TCG). Needs `make guest guest-bridge` (skips otherwise, a failure under
CI)."""
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pexpect
import pytest

import telnetsd_harness as h
from telnetsd_harness import Client
from test_guest_bridge import BRIDGE, ELF, QEMU, Bridge, Guest

pytestmark = [
    pytest.mark.skipif(not ELF.is_file(), reason=f"{ELF} missing: run `make guest`"),
    pytest.mark.skipif(not BRIDGE.is_file(),
                       reason=f"{BRIDGE} missing: run `make guest-bridge`"),
    pytest.mark.skipif(shutil.which(QEMU) is None,
                       reason="qemu-system-x86_64 not installed"),
]

PROMPT = r"{}@captls-guest\$ "
WAIT = 60  # seconds: TCG is slow, the PBKDF2 of a password login more so


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return h.Pki(tmp_path_factory.mktemp("pki"))


def pack(pki, out):
    r = subprocess.run([str(BRIDGE), "pack", "--chain", str(pki.server_chain),
                        "--key", str(pki.server_key), "--client-ca", str(pki.ca),
                        "--client-map", str(pki.client_map), "--users",
                        str(pki.users), "--out", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return out


class GuestGateway:
    def __init__(self, tmp, pki, append, store=None, host_time=False):
        self.audit = tmp / "audit.log"
        self.guest = Guest(tmp, append=append, initrd=pack(pki, tmp / "cfg"))
        try:
            self.guest.wait_line(r"^telnets: listening on port 992 ", WAIT)
            self.bridge = Bridge(self.guest, audit=self.audit, store=store,
                                 host_time=host_time)
            self.bridge.wait_up(WAIT)
        except BaseException:
            self.guest.stop()
            raise
        self.port = self.bridge.port

    def console(self):
        return self.guest.text()

    def wait_console(self, pattern, timeout=WAIT):
        return self.guest.wait_line(pattern, timeout)

    def audit_text(self):
        try:
            return self.audit.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self):
        self.bridge.stop()
        self.guest.stop()


@pytest.fixture(scope="module")
def gw(tmp_path_factory, pki):
    g = GuestGateway(tmp_path_factory.mktemp("guest"), pki,
                     "serve=telnets auth=mtls-or-password")
    yield g
    g.stop()


def conn_lines(g, n):
    """Console lines of gateway connection n."""
    return re.findall(rf"^telnets: connection {n} from \S+: .*$", g.console(),
                      re.M)


def spawn(argv):
    return pexpect.spawn(str(argv[0]), [str(a) for a in argv[1:]],
                         encoding="utf-8", codec_errors="replace",
                         timeout=WAIT, echo=False)


def s_client(pki, port, who=None):
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
            "-servername", "localhost", "-CAfile", pki.ca,
            "-verify_return_error", "-quiet", "-crlf"]
    if who:
        argv += ["-cert", pki.cert(who), "-key", pki.key(who)]
    return spawn(argv)


def test_boot_to_listening_is_reported(gw):
    m = re.search(r"^telnets: listening on port 992 \(auth mtls-or-password, "
                  r"profile production\) at (\d+) ms from kernel entry$",
                  gw.console(), re.M)
    assert m, gw.console()
    assert re.search(r"^config: chain 1 certs, client CA 1, client map 2, "
                     r"users 2, key in KeyVault, module copy wiped$",
                     gw.console(), re.M), gw.console()


def test_certificate_login_whoami_caps_exit(gw, pki):
    c = s_client(pki, gw.port, "alice")
    try:
        c.expect(r"Welcome to captls-guest, alice \(tlsClientCert\)")
        c.expect(PROMPT.format("alice"))
        c.sendline("whoami")
        c.expect(PROMPT.format("alice"))
        assert "strength: tlsClientCert, profile: user" in c.before, c.before
        c.sendline("caps")
        c.expect(PROMPT.format("alice"))
        assert "TerminalSession (call,write)" in c.before, c.before
        assert re.search(r"3 capabilities; nothing else is reachable",
                         c.before), c.before
        c.sendline("session")
        c.expect(PROMPT.format("alice"))
        assert "TLS 1.3, TLS_AES_128_GCM_SHA256, x25519" in c.before, c.before
        c.sendline("exit")
        c.expect("logout")
        c.expect(pexpect.EOF)
    finally:
        c.close(force=True)
    gw.wait_console(r"^telnets: connection \d+ from 127\.0\.0\.1:\d+: "
                    r"session open: user=alice "
                    r"profile=user strength=tlsClientCert$")
    # the stack's high-water mark after a session, within the boot stack
    m = gw.wait_console(r"^telnets: stack high-water (\d+) of (\d+) bytes$")
    assert 0 < int(m.group(1)) < int(m.group(2)), m.group(0)
    # the guest's audit records reach the host, with the clock they used
    end = time.monotonic() + WAIT
    while "gateway.session.open" not in gw.audit_text():
        assert time.monotonic() < end, gw.audit_text()
        time.sleep(0.1)
    line = next(ln for ln in gw.audit_text().splitlines()
                if "gateway.session.open" in ln)
    assert "clock=untrusted" in line and "peer=127.0.0.1:" in line, line
    # the certificate's verification names the clock it used: the guest's
    # RTC, untrusted (read as a lower bound)
    v = [ln for ln in gw.audit_text().splitlines()
         if "iface=CertVerifier" in ln and "event=verify.chain" in ln]
    assert v and all("clock=untrusted" in ln and "outcome=ok" in ln
                     for ln in v), gw.audit_text()


@pytest.mark.parametrize("client", ["s_client", "telnet-ssl"])
def test_password_login(gw, pki, client):
    if client == "telnet-ssl" and shutil.which("telnet-ssl") is None:
        pytest.fail("telnet-ssl is not installed (Debian package telnet-ssl)")
    argv = (["telnet-ssl", "-z", "ssl", "-z", "secure", "-z",
             f"cacert={pki.ca}", "127.0.0.1", str(gw.port)]
            if client == "telnet-ssl" else None)
    c = spawn(argv) if argv else s_client(pki, gw.port)
    try:
        c.expect("login: ")
        c.sendline("carol")
        c.expect("Password: ")
        c.sendline(h.PASSWORDS["carol"])
        c.expect(r"Welcome to captls-guest, carol \(password\)")
        c.expect(PROMPT.format("carol"))
        c.sendline("whoami")
        c.expect(PROMPT.format("carol"))
        assert "authentication: password" in c.before, c.before
        c.sendline("exit")
        c.expect("logout")
        c.expect(pexpect.EOF)
    finally:
        c.close(force=True)


@pytest.mark.parametrize("who,want_client,want_console", [
    # (a) the trust path fails: an alert, no SessionManager call
    ("untrusted", r"alert|error", r"handshake failed"),
    # (b) verified but not mapped: denied, never offered the password path
    ("bob", r"access denied: certificate not authorized", r"denied"),
    # (c) mapped, but `dev` is not granted under the production profile
    ("dave", r"access denied: profile not permitted", r"denied"),
])
def test_mtls_stages_refused(gw, pki, who, want_client, want_console):
    before = len(re.findall(r"^telnets: connection \d+ from \S+: accepted",
                            gw.console(), re.M))
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{gw.port}",
            "-servername", "localhost", "-CAfile", str(pki.ca), "-ign_eof",
            "-cert", str(pki.cert(who)), "-key", str(pki.key(who))]
    r = subprocess.run(argv, input=b"", capture_output=True, timeout=WAIT)
    out = (r.stdout + r.stderr).decode(errors="replace")
    assert re.search(want_client, out), out
    assert "login:" not in out
    n = before + 1
    end = time.monotonic() + WAIT
    while not any("closed" in ln for ln in conn_lines(gw, n)):
        assert time.monotonic() < end, gw.console()
        time.sleep(0.1)
    lines = "\n".join(conn_lines(gw, n))
    assert re.search(want_console, lines), lines
    assert "session open" not in lines, lines


def test_three_sessions_and_a_client_killed_mid_handshake(gw, pki):
    ctx = h.tls_context(pki, "alice")
    clients = [Client.tls(gw.port, ctx, timeout=WAIT) for _ in range(3)]
    try:
        for c in clients:
            c.expect(PROMPT.format("alice"), timeout=WAIT)
        # a client that starts a handshake and vanishes (RST)
        victim = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
        victim.sendall(bytes.fromhex("16030100c8010000c40303") + b"\0" * 20)
        victim.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          (1).to_bytes(4, "little") + (0).to_bytes(4, "little"))
        victim.close()
        # every session still answers, each on its own stream
        threads, errors = [], []

        def work(c, i):
            try:
                c.command(f"echo session-{i}",
                          rf"session-{i}\r?\n{PROMPT.format('alice')}",
                          timeout=WAIT)
            except Exception as e:   # reported below
                errors.append(repr(e))

        for i, c in enumerate(clients):
            t = threading.Thread(target=work, args=(c, i))
            t.start()
            threads.append(t)
        for t in threads:
            t.join(WAIT)
        assert errors == [], errors
        for c in clients:
            c.logout(timeout=WAIT)
    finally:
        for c in clients:
            c.close()
    assert "POST" in gw.console()  # the guest is still the one we booted


def served_serial(pki, port):
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                        "-servername", "localhost", "-CAfile", str(pki.ca)],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=WAIT)
    x = subprocess.run(["openssl", "x509", "-noout", "-serial"],
                       input=r.stdout, capture_output=True, timeout=30)
    m = re.search(rb"serial=([0-9A-F]+)", x.stdout)
    assert m, r.stdout + r.stderr
    return m.group(1).decode()


def store_put(st, handle, chain):
    r = subprocess.run([str(h.CAPTLS), "store", "--dir", str(st), "put",
                        handle, str(chain)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr


def test_rotation_pushed_from_the_host(tmp_path, pki):
    """The guest's chain follows a CertificateStore entry in the bridge's
    --store directory: `captls store put` on the host rotates it into the
    running guest gateway; a session open across the rotation carries on;
    a chain for another key is refused and the old one stays. The bridge
    also gives the guest its time (--host-time)."""
    st = tmp_path / "st"
    store_put(st, "web", pki.server_chain)
    g = GuestGateway(tmp_path, pki, "serve=telnets auth=mtls-or-password "
                     "store=web", store=st, host_time=True)
    try:
        g.wait_console(r"^telnets: store: web serving version 1 leaf ")
        first, second = pki.server_serials
        assert served_serial(pki, g.port) == first
        held = Client.tls(g.port, h.tls_context(pki, "alice"), timeout=WAIT)
        held.expect(PROMPT.format("alice"), timeout=WAIT)
        chain2 = tmp_path / "chain2.pem"
        chain2.write_bytes(pki.server2.read_bytes())
        store_put(st, "web", chain2)
        g.wait_console(r"^telnets: store: web rotation: serving version 2 ")
        assert served_serial(pki, g.port) == second
        held.command("whoami", r"strength: tlsClientCert", timeout=WAIT)
        # a chain for another key: refused, version 2 is still served
        store_put(st, "web", pki.p256)
        g.wait_console(r"^telnets: store: web rotation refused: the old "
                       r"chain stays")
        assert served_serial(pki, g.port) == second
        held.logout(timeout=WAIT)
    finally:
        g.stop()
    audit = g.audit_text()
    assert "event=tls.rotation.refused" in audit, audit
    # with --host-time the guest's clock is the host's, trusted: the client
    # certificate's verification says so
    v = [ln for ln in audit.splitlines() if "event=verify.chain" in ln]
    assert v and all("clock=trusted" in ln for ln in v), audit
    assert "clock: the bridge's host time (trusted)" in g.console()


def test_bridge_restarted_while_the_guest_serves(tmp_path, pki):
    """The bridge dies with a session open: the guest's gateway sees the
    stream reset and releases it; a new bridge brings logins back, and the
    guest never restarted."""
    g = GuestGateway(tmp_path, pki, "serve=telnets auth=mtls-or-password")
    try:
        c = Client.tls(g.port, h.tls_context(pki, "alice"), timeout=WAIT)
        c.expect(PROMPT.format("alice"), timeout=WAIT)
        g.bridge.stop(signal.SIGKILL)
        g.wait_console(r"^bridge: down$")
        g.wait_console(r"^telnets: connection 1 from \S+: closed: ")
        c.close()
        g.bridge = Bridge(g.guest, audit=g.audit)
        g.bridge.wait_up(WAIT)
        c = Client.tls(g.bridge.port, h.tls_context(pki, "alice"),
                       timeout=WAIT)
        c.expect(PROMPT.format("alice"), timeout=WAIT)
        c.logout(timeout=WAIT)
        # one boot, one listener: the guest kept running throughout
        assert g.console().count("captls guest: booting") == 1 and \
            g.console().count("telnets: listening") == 1, g.console()
    finally:
        g.stop()


def test_no_module_means_no_listener(tmp_path):
    g = Guest(tmp_path, append="serve=telnets")
    try:
        g.wait_line(r"^config: no module \(boot with -initrd <config>\)$", WAIT)
        g.wait_line(r"^serve: not listening \(configuration refused\)$", WAIT)
        time.sleep(0.5)
        assert "telnets: listening" not in g.text(), g.text()
    finally:
        g.stop()
