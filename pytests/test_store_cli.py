"""`captls keygen`, `captls store` and `captls tls-server --store/--handle`:
the CLI contracts of issue 11 (key custody and certificate storage).

keygen: every type makes a PKCS#8 file OpenSSL accepts, mode 0600, never
over an existing file. store: put/get/list/delete/watch, versions, a bound
key refusing another key's chain, corrupted records reported (never
served), a second writer refused while one holds the store, audit lines for
every put and delete. Rotation without restart, with real `openssl
s_client` peers: a session open across the rotation keeps echoing; a new
connection sees the new certificate; a chain for another key is not served
(logged and audited); the production key profile refuses the development
KeySource.
"""
import os
import re
import select
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))


def need_captls():
    if not CAPTLS.exists():
        pytest.skip(f"{CAPTLS} not built")


def run(*args, env=None, timeout=60, check=None):
    need_captls()
    r = subprocess.run([str(CAPTLS), *map(str, args)], capture_output=True,
                       env=env, timeout=timeout)
    if check is not None:
        assert r.returncode == check, (args, r.stdout, r.stderr)
    return r


def self_signed(d, key, name, cn):
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", str(key),
                    "-subj", f"/CN={cn}", "-addext",
                    "subjectAltName=DNS:localhost", "-days", "2", "-out",
                    str(d / name)], check=True, capture_output=True)
    return d / name


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    for t in ("ed25519", "p256", "rsa2048"):
        run("keygen", "--type", t, "--out", d / f"{t}.pem", check=0)
    return d


# ---------------------------------------------------------------- keygen

@pytest.mark.parametrize("t,ossl", [("ed25519", "ED25519"),
                                    ("p256", "prime256v1"),
                                    ("rsa2048", "2048 bit")])
def test_keygen_types_openssl_reads(keys, t, ossl):
    p = keys / f"{t}.pem"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert p.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")
    r = subprocess.run(["openssl", "pkey", "-in", str(p), "-noout", "-text"],
                       capture_output=True, check=True)
    assert ossl in r.stdout.decode()
    if t == "rsa2048":
        subprocess.run(["openssl", "pkey", "-in", str(p), "-check",
                        "-noout"], check=True, capture_output=True)


def test_keygen_two_keys_differ(tmp_path):
    for i in (1, 2):
        run("keygen", "--type", "ed25519", "--out", tmp_path / f"{i}.pem",
            check=0)
    assert (tmp_path / "1.pem").read_bytes() != (tmp_path / "2.pem").read_bytes()


def test_keygen_refusals(keys, tmp_path):
    before = (keys / "p256.pem").read_bytes()
    r = run("keygen", "--type", "p256", "--out", keys / "p256.pem", check=1)
    assert b"File exists" in r.stderr
    assert (keys / "p256.pem").read_bytes() == before
    assert run("keygen", "--type", "dsa", "--out", tmp_path / "x",
               check=2).stderr.startswith(b"error: unknown --type")
    run("keygen", "--out", tmp_path / "x", check=2)
    run("keygen", "--type", "p256", check=2)
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------- store

def test_store_put_get_list_delete(keys, tmp_path):
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    c2 = self_signed(tmp_path, keys / "p256.pem", "c2.pem", "two")
    r = run("store", "--dir", st, "put", "web", c1, check=0)
    assert re.fullmatch(rb"web version 1 leaf [0-9a-f]{64}\n", r.stdout)
    r = run("store", "--dir", st, "put", "web", c2, check=0)
    assert r.stdout.startswith(b"web version 2 ")
    run("store", "--dir", st, "put", "mail", c1, check=0)
    assert run("store", "--dir", st, "list", check=0).stdout == b"web\nmail\n"
    got = run("store", "--dir", st, "get", "web", check=0).stdout
    assert got == c2.read_bytes().replace(b"\r\n", b"\n")
    run("store", "--dir", st, "delete", "web", check=0)
    assert run("store", "--dir", st, "list", check=0).stdout == b"mail\n"
    r = run("store", "--dir", st, "get", "web", check=1)
    assert b"no such handle" in r.stderr
    run("store", "--dir", st, "delete", "web", check=1)
    audit = (st / "audit.log").read_text().splitlines()
    assert sum("event=store.put " in a for a in audit) == 3
    assert sum("event=store.delete " in a for a in audit) == 2
    assert all("BEGIN" not in a for a in audit)


def test_store_bad_input(keys, tmp_path):
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    run("store", "--dir", st, "put", "../evil", c1, check=1)
    run("store", "--dir", st, "put", "web", keys / "p256.pem", check=1)
    run("store", "--dir", st, "get", "web", check=1)
    run("store", "--dir", tmp_path / "missing", "list", check=1)
    run("store", "put", "web", c1, check=2)
    run("store", "--dir", st, "frobnicate", check=2)
    run("store", "--dir", st, "get", check=2)


def test_store_bound_key(keys, tmp_path):
    st = tmp_path / "st"
    a = self_signed(tmp_path, keys / "p256.pem", "a.pem", "a")
    b = self_signed(tmp_path, keys / "ed25519.pem", "b.pem", "b")
    run("store", "--dir", st, "put", "web", a, "--bind", check=0)
    r = run("store", "--dir", st, "put", "web", b, check=1)
    assert b"not the entry's bound key" in r.stderr
    assert b"CN = a" in subprocess.run(
        ["openssl", "x509", "-noout", "-subject"],
        input=run("store", "--dir", st, "get", "web").stdout,
        capture_output=True).stdout.replace(b"CN=", b"CN = ")
    assert "event=store.put.refused" in (st / "audit.log").read_text()


def test_store_corrupted_record_never_served(keys, tmp_path):
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    run("store", "--dir", st, "put", "web", c1, check=0)
    rec = st / "cert.web"
    data = bytearray(rec.read_bytes())
    data[len(data) // 2] ^= 0x01
    rec.write_bytes(bytes(data))
    r = run("store", "--dir", st, "get", "web", check=1)
    assert b"corrupted record" in r.stderr and r.stdout == b""
    assert "event=store.record.corrupt" in (st / "audit.log").read_text()
    rec.write_bytes(bytes(data[:40]))  # torn
    run("store", "--dir", st, "get", "web", check=1)
    # a put repairs it
    run("store", "--dir", st, "put", "web", c1, check=0)
    run("store", "--dir", st, "get", "web", check=0)


def test_store_second_writer_refused(keys, tmp_path):
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    run("store", "--dir", st, "put", "web", c1, check=0)
    import fcntl
    with open(st / ".lock", "r") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        r = run("store", "--dir", st, "put", "web", c1, check=1)
        assert b"being written by another process" in r.stderr
        run("store", "--dir", st, "delete", "web", check=1)
    run("store", "--dir", st, "put", "web", c1, check=0)
    assert run("store", "--dir", st, "get", "web", check=0).stdout


def test_store_watch(keys, tmp_path):
    need_captls()
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    c2 = self_signed(tmp_path, keys / "ed25519.pem", "c2.pem", "two")
    run("store", "--dir", st, "put", "web", c1, check=0)
    w = subprocess.Popen([str(CAPTLS), "store", "--dir", str(st), "watch",
                          "web"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        assert w.stderr.readline() == b"watching web\n"
        run("store", "--dir", st, "put", "web", c2, check=0)
        line = w.stdout.readline().decode()
        assert re.fullmatch(r"web 2 [0-9a-f]{64} \d{4}-\d\d-\d\dT\d\d:\d\d:"
                            r"\d\dZ\n", line), line
        run("store", "--dir", st, "delete", "web", check=0)
        assert w.stdout.readline().decode().startswith("web 0 - ")
    finally:
        w.terminate()
        assert w.wait(timeout=10) == 0


# -------------------------------------------------------------- rotation

class StoreServer:
    """captls tls-server --store/--handle with stderr collected by a
    thread."""

    def __init__(self, st, handle, key, env=None):
        need_captls()
        self.proc = subprocess.Popen(
            [str(CAPTLS), "tls-server", "--listen", "127.0.0.1:0", "--store",
             str(st), "--handle", handle, "--key", str(key), "--echo",
             "--tickets", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        m = self.wait_for(r"listening on 127\.0\.0\.1:(\d+)")
        self.port = int(m.group(1)) if m else None

    def _read(self):
        for raw in self.proc.stderr:
            with self.cv:
                self.lines.append(raw.decode(errors="replace"))
                self.cv.notify_all()
        with self.cv:
            self.lines.append(None)
            self.cv.notify_all()

    def wait_for(self, pattern, timeout=10, start=0):
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for ln in self.lines[start:]:
                    if ln is None:
                        return None
                    m = re.search(pattern, ln)
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        time.sleep(0.05)
        return "".join(x for x in self.lines if x)


def s_client_subject(port):
    r = subprocess.run(["openssl", "s_client", "-connect",
                        f"127.0.0.1:{port}", "-servername", "localhost"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    m = re.search(rb"subject=\s*CN\s*=\s*(\S+)", r.stdout)
    assert m, r.stdout + r.stderr
    return m.group(1).decode()


def echo_line(proc, text, timeout=10):
    proc.stdin.write(text)
    proc.stdin.flush()
    got = b""
    end = time.monotonic() + timeout
    while not got.endswith(b"\n") and time.monotonic() < end:
        rd, _, _ = select.select([proc.stdout], [], [], 0.2)
        if rd:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            got += chunk
    return got


def test_rotation_without_restart(keys, tmp_path):
    st = tmp_path / "st"
    key = keys / "p256.pem"
    v1 = self_signed(tmp_path, key, "v1.pem", "v1")
    v2 = self_signed(tmp_path, key, "v2.pem", "v2")
    stranger = self_signed(tmp_path, keys / "ed25519.pem", "x.pem", "stranger")
    run("store", "--dir", st, "put", "web", v1, check=0)
    srv = StoreServer(st, "web", key)
    try:
        assert srv.port, srv.lines
        assert srv.wait_for(r"serving: web version 1 leaf [0-9a-f]{64}")
        # session A: open across the rotation
        a = subprocess.Popen(["openssl", "s_client", "-connect",
                              f"127.0.0.1:{srv.port}", "-quiet"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        assert echo_line(a, b"before rotation\n") == b"before rotation\n"
        assert s_client_subject(srv.port) == "v1"
        n = len(srv.lines)
        run("store", "--dir", st, "put", "web", v2, check=0)
        assert srv.wait_for(r"rotation: web version 2 ", start=n), srv.lines
        # a new connection sees the new certificate ...
        assert s_client_subject(srv.port) == "v2"
        # ... and the session opened before the rotation keeps working
        assert echo_line(a, b"after rotation\n") == b"after rotation\n"
        # a chain for another key: not served, logged and audited
        n = len(srv.lines)
        run("store", "--dir", st, "put", "web", stranger, check=0)
        assert srv.wait_for(r"rotation refused: web", start=n), srv.lines
        assert srv.wait_for(r"event=tls\.rotation\.refused", start=n)
        assert s_client_subject(srv.port) == "v2"
        assert echo_line(a, b"still here\n") == b"still here\n"
        a.terminate()  # -quiet ignores EOF on stdin
        a.wait(timeout=10)
        # the same key again: served
        n = len(srv.lines)
        run("store", "--dir", st, "put", "web", v1, check=0)
        assert srv.wait_for(r"rotation: web version 4 ", start=n)
        assert s_client_subject(srv.port) == "v1"
    finally:
        err = srv.stop()
    assert srv.proc.returncode == 0, err


def test_store_server_setup_errors(keys, tmp_path):
    st = tmp_path / "st"
    key = keys / "p256.pem"
    other = self_signed(tmp_path, keys / "ed25519.pem", "o.pem", "o")
    base = ["tls-server", "--listen", "127.0.0.1:0", "--echo", "--key", key]
    r = run(*base, "--store", st, "--handle", "web", check=2)
    assert b"error:" in r.stderr
    run("store", "--dir", st, "put", "web", other, check=0)
    r = run(*base, "--store", st, "--handle", "web", check=2)
    assert b"does not match the key" in r.stderr
    r = run(*base, "--store", st, "--handle", "nope", check=2)
    assert b"no such entry" in r.stderr
    run(*base, "--store", st, check=2)
    run(*base, "--handle", "web", check=2)
    # production profile: the development KeySource is refused and audited
    good = self_signed(tmp_path, key, "g.pem", "g")
    run("store", "--dir", st, "put", "good", good, check=0)
    env = dict(os.environ, CAPTLS_KEY_PROFILE="production")
    r = run(*base, "--store", st, "--handle", "good", env=env, check=2)
    assert b"refused by the production profile" in r.stderr
    assert b"event=keysource.dev.refused" in r.stderr


def test_store_full_disk_keeps_old_chain(keys, tmp_path):
    """A put that hits the file size limit (EFBIG -> DISK_FULL, SIGXFSZ
    ignored as posix_port.h asks) fails cleanly and leaves the old chain."""
    import resource
    import signal as sig
    st = tmp_path / "st"
    c1 = self_signed(tmp_path, keys / "p256.pem", "c1.pem", "one")
    big = self_signed(tmp_path, keys / "rsa2048.pem", "big.pem", "x" * 60)
    run("store", "--dir", st, "put", "web", c1, check=0)
    old = run("store", "--dir", st, "get", "web", check=0).stdout
    size = (st / "cert.web").stat().st_size

    def limit():
        sig.signal(sig.SIGXFSZ, sig.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 16, size + 16))

    r = subprocess.run([str(CAPTLS), "store", "--dir", str(st), "put", "web",
                        str(big)], capture_output=True, preexec_fn=limit,
                       timeout=30)
    assert r.returncode == 1, r.stderr
    assert b"disk full (old chain kept)" in r.stderr
    assert run("store", "--dir", st, "get", "web", check=0).stdout == old
    assert not [p for p in st.iterdir() if p.name.endswith(".tmp")]
