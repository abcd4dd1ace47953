"""The guest's network capability over COM2 and the host bridge (issue 15).

Boots the guest under QEMU TCG with `serve=echo` (port/capos/main.c), its
COM2 on a UNIX socket, and build/captls-guest-bridge in front of it, then
talks TCP to the bridge: concurrent clients, a client killed mid-stream,
the bridge killed and restarted while the guest runs, and raw garbage on
the serial link before a real bridge connects. Then the configuration
module (QEMU -initrd): packed and checked on the host, checked again at
boot, and a missing, mismatched or truncated one means no listener and the
exact reason on the console.

Needs `make guest guest-bridge` first (skips otherwise). CAPTLS_GUEST_ELF
and CAPTLS_GUEST_BRIDGE point at other builds. About 30 s under TCG.
"""

import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ELF = Path(os.environ.get("CAPTLS_GUEST_ELF", ROOT / "build" / "guest" / "captls.elf"))
BRIDGE = Path(os.environ.get("CAPTLS_GUEST_BRIDGE", ROOT / "build" / "captls-guest-bridge"))
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")

pytestmark = [
    pytest.mark.skipif(not ELF.is_file(), reason=f"{ELF} missing: run `make guest`"),
    pytest.mark.skipif(not BRIDGE.is_file(), reason=f"{BRIDGE} missing: run `make guest-bridge`"),
    pytest.mark.skipif(shutil.which(QEMU) is None, reason="qemu-system-x86_64 not installed"),
]


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Guest:
    def __init__(self, tmp, append="serve=echo", initrd=None):
        self.tmp = tmp
        self.sock = str(tmp / "com2.sock")
        self.console = tmp / "console.log"
        self.start = time.monotonic()
        self.proc = subprocess.Popen(
            [QEMU, "-machine", "pc", "-accel", "tcg", "-cpu", "max", "-m", "128M",
             "-nographic", "-nodefaults", "-monitor", "none", "-no-reboot",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-serial", f"file:{self.console}",
             "-chardev", f"socket,id=br,path={self.sock},server=on,wait=off",
             "-serial", "chardev:br",
             "-kernel", str(ELF), "-append", append]
            + (["-initrd", str(initrd)] if initrd else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def text(self):
        try:
            return self.console.read_text(errors="replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def wait_line(self, pattern, timeout=60):
        rx = re.compile(pattern, re.M)
        return wait_for(lambda: rx.search(self.text()), timeout, f"console /{pattern}/:\n{self.text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


class Bridge:
    def __init__(self, guest, audit=None, store=None, host_time=False):
        self.log = guest.tmp / f"bridge-{time.monotonic_ns()}.log"
        args = [str(BRIDGE), "--listen", "127.0.0.1:0", "--guest", guest.sock]
        if audit:
            args += ["--audit", str(audit)]
        if store:
            args += ["--store", str(store)]
        if host_time:
            args.append("--host-time")
        self.f = open(self.log, "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.f, stderr=self.f)
        m = wait_for(lambda: re.search(r"listening on 127\.0\.0\.1:(\d+)", self.text()), 10, "bridge listen")
        self.port = int(m.group(1))

    def text(self):
        return self.log.read_text(errors="replace")

    def wait_up(self, timeout=60):
        wait_for(lambda: "guest link up" in self.text(), timeout, f"link up:\n{self.text()}")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(10)
        self.f.close()


@pytest.fixture
def guest(tmp_path):
    g = Guest(tmp_path)
    try:
        g.wait_line(r"^echo: listening 7$")
        yield g
    finally:
        g.stop()


def echo_roundtrip(port, payload, chunk=4096, timeout=60):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    got = bytearray()

    def reader():
        while len(got) < len(payload):
            b = s.recv(65536)
            if not b:
                break
            got.extend(b)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(0, len(payload), chunk):
        s.sendall(payload[i:i + chunk])
    t.join(timeout)
    s.shutdown(socket.SHUT_WR)
    tail = s.recv(10)
    s.close()
    return bytes(got), tail


def test_boot_to_listen_and_echo(guest):
    listen_s = time.monotonic() - guest.start
    b = Bridge(guest)
    try:
        b.wait_up()
        got, tail = echo_roundtrip(b.port, b"hello guest\n")
        assert got == b"hello guest\n"
        assert tail == b""  # the guest closed after our half-close
        guest.wait_line(r"^echo: close 1 eof$")
        print(f"\nfigure: QEMU start to echo listening under TCG: {listen_s:.2f} s")
        print(guest.wait_line(r"^serve: echo listening at \d+ ms from kernel entry$").group(0))
    finally:
        b.stop()
    assert "resync_bytes=0 " in b.text() and "bad_messages=0 " in b.text()


def test_three_clients_one_killed(guest, first=True):
    b = Bridge(guest)
    try:
        b.wait_up()
        rnd = random.Random(15)
        payloads = [bytes(rnd.getrandbits(8) for _ in range(24000)) for _ in range(2)]
        results = [None, None]

        def run(i):
            results[i] = echo_roundtrip(b.port, payloads[i], chunk=1500)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        # The third client sends, reads some of its echo, then dies with an
        # RST while the other two are mid-stream.
        victim = socket.create_connection(("127.0.0.1", b.port), timeout=30)
        for t in threads:
            t.start()
        victim.sendall(b"v" * 6000)
        seen = 0
        while seen < 1000:
            seen += len(victim.recv(4096))
        victim.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        victim.close()
        for t in threads:
            t.join(120)
        for i in range(2):
            got, tail = results[i]
            assert got == payloads[i], f"client {i}: {len(got)} of {len(payloads[i])} bytes"
            assert tail == b""
        text = guest.wait_line(r"^echo: close \d+ reset$").string
        opens = len(re.findall(r"^echo: open \d+ 127\.0\.0\.1:\d+$", text, re.M))
        assert opens == 3 if first else opens >= 3
        # and the guest still serves
        assert echo_roundtrip(b.port, b"after")[0] == b"after"
    finally:
        b.stop()
    assert "window_violations=0 " in b.text() and "unknown_stream=0 " in b.text()


def test_bridge_restart_while_guest_runs(guest):
    b1 = Bridge(guest)
    b1.wait_up()
    held = socket.create_connection(("127.0.0.1", b1.port), timeout=30)
    held.sendall(b"before")
    assert held.recv(100) == b"before"
    guest.wait_line(r"^echo: open 1 ")
    b1.stop(signal.SIGKILL)  # vanishes without a word
    assert held.recv(100) == b""  # the kernel closed our side with it
    held.close()
    b2 = Bridge(guest)
    try:
        b2.wait_up()
        # The new session reset the stream of the old one in the guest.
        guest.wait_line(r"^echo: close 1 reset$")
        got, _ = echo_roundtrip(b2.port, b"after restart" * 100)
        assert got == b"after restart" * 100
        assert guest.proc.poll() is None
    finally:
        b2.stop()


def test_garbage_on_the_link_then_a_real_bridge(guest):
    """Bytes that are not frames, a HELLO-less OPEN, an oversized header and
    a half frame on COM2: the guest skips them and serves the next bridge."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    wait_for(lambda: s.connect_ex(guest.sock) == 0, 10, "guest socket")

    def frame(iface, method, payload):
        return struct.pack(">I", 24 + len(payload)) + b"\xca\x9f\x01\x01" + \
            struct.pack(">IHHII", iface, method, 0, 0, 0) + payload

    junk = bytes(random.Random(1).getrandbits(8) for _ in range(3000))
    s.sendall(junk)
    s.sendall(frame(3, 3, struct.pack(">I", 1) + b"x:1"))             # OPEN before HELLO
    s.sendall(struct.pack(">I", 60000) + b"\xca\x9f\x01\x01" + b"\0" * 200)  # oversized
    s.sendall(frame(4, 1, struct.pack(">I", 1) + b"cut")[:15])        # half a frame
    time.sleep(1)
    s.close()
    b = Bridge(guest)
    try:
        b.wait_up()
        assert echo_roundtrip(b.port, b"still serving")[0] == b"still serving"
        assert guest.proc.poll() is None
    finally:
        b.stop()


# ----------------------------------------------------------- config module

def pki(tmp):
    """A development PKI, users and client map, made with openssl."""
    import base64
    import hashlib

    def run(*a):
        subprocess.run(a, cwd=tmp, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=dev CA", "-days", "30")
    run("openssl", "req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=guest.captls.test")
    run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "30")
    run("openssl", "req", "-x509", *ec, "-keyout", "cca.key", "-out", "cca.pem", "-subj", "/CN=client CA", "-days", "30")
    run("openssl", "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key")
    (tmp / "chain.pem").write_bytes((tmp / "leaf.pem").read_bytes() + (tmp / "ca.pem").read_bytes())
    salt = os.urandom(16)
    h = hashlib.pbkdf2_hmac("sha256", b"secret", salt, 100000, 32)
    (tmp / "users").write_text(
        f"alice:pbkdf2-sha256$100000${base64.b64encode(salt).decode()}${base64.b64encode(h).decode()}\n")
    (tmp / "client.map").write_text("subject:CN=Alice,O=Example alice default\n")


def container(tmp, key):
    """Packs the parts by hand (no host-side check), as a bad actor could."""
    names = ["chain.pem", key, "cca.pem", "client.map", "users"]
    out = b"CAPTLSGC" + bytes([1, 5, 0, 0])
    for t, n in enumerate(names, 1):
        b = (tmp / n).read_bytes()
        out += bytes([t, 0, 0, 0]) + struct.pack(">I", len(b)) + b
    return out


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing")
def test_config_module_pack_check_and_boot(tmp_path):
    pki(tmp_path)
    args = [str(BRIDGE), "pack", "--chain", "chain.pem", "--client-ca", "cca.pem",
            "--client-map", "client.map", "--users", "users"]
    bad = subprocess.run(args + ["--key", "other.key", "--out", "bad.cfg"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "config: key does not match the chain's leaf certificate" in bad.stderr
    assert not (tmp_path / "bad.cfg").exists()
    ok = subprocess.run(args + ["--key", "leaf.key", "--out", "good.cfg"], cwd=tmp_path,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert container(tmp_path, "leaf.key") == (tmp_path / "good.cfg").read_bytes()

    g = Guest(tmp_path, append="serve=echo config=required", initrd=tmp_path / "good.cfg")
    try:
        g.wait_line(r"^config: ok$")
        g.wait_line(r"^config: chain 2 certs, client CA 1, client map 1, users 1, key in KeyVault, module copy wiped$")
        g.wait_line(r"^echo: listening 7$")
        b = Bridge(g)
        try:
            b.wait_up()
            assert echo_roundtrip(b.port, b"configured")[0] == b"configured"
        finally:
            b.stop()
    finally:
        g.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing")
@pytest.mark.parametrize("case,reason", [
    ("none", "config: no module (boot with -initrd <config>)"),
    ("mismatch", "config: key does not match the chain's leaf certificate"),
    ("truncated", "config: part runs past the end of the module"),
])
def test_config_refused_means_no_listener(tmp_path, case, reason):
    initrd = None
    if case != "none":
        pki(tmp_path)
        m = container(tmp_path, "other.key" if case == "mismatch" else "leaf.key")
        if case == "truncated":
            m = m[:len(m) - 10]
        initrd = tmp_path / "cfg"
        initrd.write_bytes(m)
    g = Guest(tmp_path, append="serve=echo config=required", initrd=initrd)
    try:
        g.wait_line("^" + re.escape(reason) + "$")
        g.wait_line(r"^serve: not listening \(configuration refused\)$")
        time.sleep(0.5)
        assert "echo: listening" not in g.text()
        assert g.proc.poll() is None  # refuses, but does not crash
    finally:
        g.stop()
