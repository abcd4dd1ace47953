"""`captls tls-server` and `captls tls-client`: the CLI contracts.

Setup errors fail closed (exit 2, `error: ...`): usage, missing files, a
key that does not match its certificate, bad list names,
--require-client-cert without --client-ca. Then captls client <-> captls
server on 127.0.0.1 with certificates made here by the `openssl` CLI
(Ed25519 CA, Ed25519 and P-256 leaves with SAN localhost / 127.0.0.1):
--echo and --www round trips, the handshake summary and the per-connection
log lines, ALPN, suites, groups and HelloRetryRequest, client auth (verified,
required but missing), verification failures (unknownAnchor, nameMismatch),
resumption with --reconnect, KeyUpdate, SSLKEYLOGFILE, the handshake
timeout, a stalled connection not blocking another, SIGTERM -> exit 0.
The interop matrix against OpenSSL/GnuTLS peers is test_tls_interop.py."""
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))


def need_captls():
    if not CAPTLS.exists():
        pytest.fail(f"{CAPTLS} is not built (make all)")


def run(*args, stdin=None, env=None, timeout=30):
    need_captls()
    return subprocess.run([str(CAPTLS), *map(str, args)], input=stdin,
                          capture_output=True, timeout=timeout, env=env)


def ossl(*args, cwd):
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True,
                   capture_output=True)


# ---------------------------------------------------------------- PKI

def make_ca(d, name, cn):
    ossl("genpkey", "-algorithm", "ed25519", "-out", f"{name}.key", cwd=d)
    ossl("req", "-x509", "-new", "-key", f"{name}.key", "-subj",
         f"/O=captls test/CN={cn}", "-days", "30", "-out", f"{name}.pem",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def make_leaf(d, name, ca, cn, alg="ed25519", sans="DNS:localhost,IP:127.0.0.1",
              eku="serverAuth,clientAuth"):
    if alg == "ed25519":
        ossl("genpkey", "-algorithm", "ed25519", "-out", f"{name}.key", cwd=d)
    else:
        ossl("genpkey", "-algorithm", "EC", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-out", f"{name}.key", cwd=d)
    ossl("req", "-new", "-key", f"{name}.key", "-subj",
         f"/O=captls test/CN={cn}", "-out", f"{name}.csr", cwd=d)
    (d / f"{name}.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        f"extendedKeyUsage={eku}\n"
        + (f"subjectAltName={sans}\n" if sans else ""))
    ossl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey",
         f"{ca}.key", "-set_serial", str(abs(hash(name)) % 10**12 + 1),
         "-days", "30", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
         cwd=d)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    make_ca(d, "ca", "captls test CA")
    make_ca(d, "other", "captls other CA")
    make_leaf(d, "server", "ca", "localhost")
    make_leaf(d, "server_p256", "ca", "localhost", alg="p256")
    make_leaf(d, "client", "ca", "captls client", sans="DNS:client.test",
              eku="clientAuth")
    make_leaf(d, "stranger", "other", "captls stranger", sans=None,
              eku="clientAuth")
    return d


# ------------------------------------------------------------ servers

class Server:
    def __init__(self, pki, *extra, cert="server", mode="--echo"):
        need_captls()
        port_file = pki / f"port.{os.getpid()}.{time.monotonic_ns()}"
        self.args = [str(CAPTLS), "tls-server", "--listen", "127.0.0.1:0",
                     "--cert", str(pki / f"{cert}.pem"), "--key",
                     str(pki / f"{cert}.key"), "--port-file", str(port_file),
                     *([mode] if mode else []), *map(str, extra)]
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.port = None
        self.err_lines = []
        # wait for "listening on 127.0.0.1:PORT"
        line = self.proc.stderr.readline().decode()
        self.err_lines.append(line)
        m = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", line)
        assert m, (line, self.proc.poll())
        self.port = int(m.group(1))
        assert port_file.read_text().strip() == str(self.port)
        # the rest of stderr, read as it comes (wait_for)
        self.cv = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            with self.cv:
                self.err_lines.append(raw.decode(errors="replace"))
                self.cv.notify_all()

    def wait_for(self, pattern, timeout=10):
        """A log line matching pattern, or None after timeout: the server
        logs a connection's end after the client may already have gone."""
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for ln in self.err_lines:
                    m = re.search(pattern, ln)
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("server did not stop on SIGTERM")
        self.reader.join(timeout=10)
        self.stderr = "".join(self.err_lines)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def client(pki, port, *extra, stdin=b"", roots="ca", env=None, timeout=30):
    args = ["tls-client", "--connect", f"127.0.0.1:{port}"]
    if roots:
        args += ["--roots", pki / f"{roots}.pem"]
    return run(*args, *extra, stdin=stdin, env=env, timeout=timeout)


def summary(stderr):
    d = {}
    for line in stderr.decode().splitlines():
        k, sep, v = line.partition(": ")
        if sep and k not in d:
            d[k] = v
    return d


# ------------------------------------------------------- setup errors

def test_help_and_registration():
    for cmd in ("tls-server", "tls-client"):
        r = run(cmd, "--help")
        assert r.returncode == 0
        assert r.stdout.decode().startswith(f"usage: captls {cmd} ")
    r = run("help")
    assert re.search(r"^\s+tls-server\b", r.stdout.decode(), re.M)
    assert re.search(r"^\s+tls-client\b", r.stdout.decode(), re.M)


@pytest.mark.parametrize("args,needle", [
    ([], "--listen"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K"], "--echo or --www"),
    (["--listen", "127.0.0.1:0", "--key", "K", "--echo"], "--cert"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--www"], "exclusive"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--require-client-cert"], "--client-ca"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--frob"], "unknown option"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--groups", "x448"], "--groups: unknown name"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--suites", "TLS_RSA_WITH_RC4_128_SHA"], "--suites: unknown name"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--alpn", "h2,,http/1.1"], "--alpn"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--tickets", "9"], "--tickets"),
    (["--listen", "127.0.0.1:0", "--cert", "C", "--key", "K", "--echo",
      "--record-size-limit", "63"], "--record-size-limit"),
    (["--listen", "nocolon", "--cert", "C", "--key", "K", "--echo"],
     "HOST:PORT"),
    (["--listen", "127.0.0.1:", "--cert", "C", "--key", "K", "--echo"],
     "bad port"),
    (["--listen", "127.0.0.1:99999", "--cert", "C", "--key", "K", "--echo"],
     "bad port"),
])
def test_server_usage_errors(args, needle):
    r = run("tls-server", *args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr.decode()
    assert r.stderr.decode().startswith("error: ")


@pytest.mark.parametrize("args,needle", [
    ([], "--connect"),
    (["--connect", "127.0.0.1"], "HOST:PORT"),
    (["--connect", "127.0.0.1:0"], "port 0"),
    (["--connect", "127.0.0.1:1", "--cert", "C"], "--key"),
    (["--connect", "127.0.0.1:1", "--key", "K"], "--cert"),
    (["--connect", "127.0.0.1:1", "--timeout", "0"], "--timeout"),
    (["--connect", "127.0.0.1:1", "--groups", "ffdhe2048"], "--groups"),
    (["--connect", "127.0.0.1:1", "--alpn", "x" * 40], "--alpn"),
    (["--connect", "127.0.0.1:1", "--bogus"], "unknown option"),
])
def test_client_usage_errors(args, needle):
    r = run("tls-client", *args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr.decode()


def test_server_missing_files(pki, tmp_path):
    base = ["tls-server", "--listen", "127.0.0.1:0", "--echo"]
    r = run(*base, "--cert", tmp_path / "nope.pem", "--key", pki / "server.key")
    assert r.returncode == 2
    assert re.search(r"^error: .*nope\.pem.*(cannot read|No such file)",
                     r.stderr.decode(), re.M), r.stderr
    r = run(*base, "--cert", pki / "server.pem", "--key", tmp_path / "nokey")
    assert r.returncode == 2
    assert "nokey" in r.stderr.decode()
    r = run(*base, "--cert", pki / "server.pem", "--key", pki / "server.key",
            "--client-ca", tmp_path / "noca.pem")
    assert r.returncode == 2
    assert "noca.pem" in r.stderr.decode()
    # a file that is not PEM certificates
    junk = tmp_path / "junk.pem"
    junk.write_text("hello\n")
    r = run(*base, "--cert", junk, "--key", pki / "server.key")
    assert r.returncode == 2
    assert r.stderr.decode().startswith("error: ")
    assert "listening" not in r.stderr.decode()


def test_server_key_cert_mismatch(pki):
    r = run("tls-server", "--listen", "127.0.0.1:0", "--echo",
            "--cert", pki / "server.pem", "--key", pki / "client.key")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith("error: ") and "match" in err, err
    assert "listening" not in err
    # the same for a client identity, and across algorithms
    r = run("tls-client", "--connect", "127.0.0.1:1", "--roots",
            pki / "ca.pem", "--cert", pki / "server_p256.pem", "--key",
            pki / "server.key")
    assert r.returncode == 2
    assert "match" in r.stderr.decode()


def test_client_missing_roots_file(tmp_path):
    r = run("tls-client", "--connect", "127.0.0.1:1", "--roots",
            tmp_path / "absent.pem")
    assert r.returncode == 2
    assert "absent.pem" in r.stderr.decode()


def test_client_connection_refused():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    r = run("tls-client", "--connect", f"127.0.0.1:{port}")
    assert r.returncode == 1
    assert "error: connection refused" in r.stderr.decode()


def test_listen_port_in_use(pki):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        r = run("tls-server", "--listen", f"127.0.0.1:{port}", "--echo",
                "--cert", pki / "server.pem", "--key", pki / "server.key")
    finally:
        s.close()
    assert r.returncode == 2
    assert "in use" in r.stderr.decode()


# ------------------------------------------------------- round trips

def test_echo_round_trip(pki):
    with Server(pki) as srv:
        data = b"hello captls\n" + bytes(range(256)) * 300
        r = client(pki, srv.port, stdin=data)
        assert r.returncode == 0, r.stderr
        assert r.stdout == data
        s = summary(r.stderr)
        assert s["handshake"] == "ok"
        assert s["version"] == "TLSv1.3"
        assert s["suite"] == "TLS_AES_128_GCM_SHA256"
        assert s["group"] == "x25519"
        assert s["signature"] == "ed25519"
        assert s["hello-retry"] == "no"
        assert s["resumed"] == "no"
        assert s["alpn"] == "none"
        assert "CN=localhost" in s["peer"]
        assert s["verify"] == "ok"
    assert srv.proc.returncode == 0
    log = srv.stderr
    assert re.search(r"^conn 1: accepted from 127\.0\.0\.1:\d+$", log, re.M), log
    assert re.search(
        r"^conn 1: handshake ok version=TLSv1\.3 suite=TLS_AES_128_GCM_SHA256 "
        r"group=x25519 sig=ed25519 resumed=no alpn=none client-auth=none$",
        log, re.M), log
    assert re.search(r"^conn 1: closed$", log, re.M), log
    assert "error" not in log


def test_www_page(pki):
    with Server(pki, "--alpn", "http/1.1", mode="--www") as srv:
        r = client(pki, srv.port, "--servername", "localhost", "--alpn",
                   "h2,http/1.1", stdin=b"GET / HTTP/1.0\r\n\r\n")
        assert r.returncode == 0, r.stderr
        out = r.stdout.decode()
        head, _, body = out.partition("\r\n\r\n")
        assert head == "HTTP/1.0 200 OK\r\nContent-Type: text/plain"
        page = dict(ln.split(": ", 1) for ln in body.splitlines())
        assert page == {
            "version": "TLSv1.3", "suite": "TLS_AES_128_GCM_SHA256",
            "group": "x25519", "signature": "ed25519", "resumed": "no",
            "alpn": "http/1.1", "client-auth": "none",
            "client-identity": "none"}
        assert summary(r.stderr)["alpn"] == "http/1.1"


def test_www_waits_for_the_whole_request_head(pki):
    """The page comes only after \\r\\n\\r\\n, even split over records."""
    with Server(pki, mode="--www") as srv:
        p = subprocess.Popen(
            [str(CAPTLS), "tls-client", "--connect", f"127.0.0.1:{srv.port}",
             "--roots", str(pki / "ca.pem")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(b"GET / HTTP/1.0\r\n")
        p.stdin.flush()
        time.sleep(0.5)
        assert p.poll() is None  # no answer yet: the head is incomplete
        out, err = p.communicate(input=b"Host: x\r\n\r\n", timeout=20)
        assert p.returncode == 0, err
        assert out.startswith(b"HTTP/1.0 200 OK\r\n")


@pytest.mark.parametrize("suite", ["TLS_AES_128_GCM_SHA256",
                                   "TLS_AES_256_GCM_SHA384",
                                   "TLS_CHACHA20_POLY1305_SHA256"])
def test_each_suite(pki, suite):
    with Server(pki) as srv:
        r = client(pki, srv.port, "--suites", suite, stdin=b"x" * 20000)
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"x" * 20000
        assert summary(r.stderr)["suite"] == suite
    assert f"suite={suite} " in srv.stderr


def test_group_and_hello_retry(pki):
    with Server(pki, "--groups", "secp256r1") as srv:
        # key share for x25519 first: the server asks for secp256r1 (HRR)
        r = client(pki, srv.port, "--groups", "x25519:secp256r1",
                   stdin=b"hrr\n")
        assert r.returncode == 0, r.stderr
        s = summary(r.stderr)
        assert (s["group"], s["hello-retry"]) == ("secp256r1", "yes")
        assert r.stdout == b"hrr\n"
        r = client(pki, srv.port, "--groups", "secp256r1", stdin=b"p\n")
        assert r.returncode == 0, r.stderr
        s = summary(r.stderr)
        assert (s["group"], s["hello-retry"]) == ("secp256r1", "no")
        # no group in common: the server refuses
        r = client(pki, srv.port, "--groups", "x25519", stdin=b"")
        assert r.returncode == 1
        assert re.search(r"^error: handshake_failure \(alert received\)$",
                         r.stderr.decode(), re.M), r.stderr
    assert re.search(r"^conn \d+: error: handshake_failure \(alert sent\)$",
                     srv.stderr, re.M), srv.stderr


def test_ecdsa_server_certificate(pki):
    with Server(pki, cert="server_p256") as srv:
        r = client(pki, srv.port, stdin=b"ec\n")
        assert r.returncode == 0, r.stderr
        assert summary(r.stderr)["signature"] == "ecdsa_secp256r1_sha256"


def test_ip_literal_is_checked_against_ip_sans(pki):
    with Server(pki) as srv:
        # --servername defaults to 127.0.0.1: matched with the IP SAN
        r = client(pki, srv.port, stdin=b"ip\n")
        assert r.returncode == 0, r.stderr


# ------------------------------------------------------ verification

def test_unknown_anchor(pki):
    with Server(pki) as srv:
        r = client(pki, srv.port, roots="other", stdin=b"x")
        assert r.returncode == 1
        assert re.search(r"^fail: unknownAnchor$", r.stderr.decode(), re.M), \
            r.stderr
        assert "handshake: ok" not in r.stderr.decode()
        assert r.stdout == b""
        srv.wait_for(r"^conn 1: error: ")
    assert re.search(r"^conn 1: error: \S+ \(alert received\)$", srv.stderr,
                     re.M), srv.stderr


def test_name_mismatch(pki):
    with Server(pki) as srv:
        r = client(pki, srv.port, "--servername", "other.example", stdin=b"")
        assert r.returncode == 1
        assert re.search(r"^fail: nameMismatch$", r.stderr.decode(), re.M), \
            r.stderr


def test_default_roots_do_not_trust_a_private_ca(pki):
    with Server(pki) as srv:
        r = client(pki, srv.port, roots=None, stdin=b"")
        assert r.returncode == 1
        assert re.search(r"^fail: \w+$", r.stderr.decode(), re.M), r.stderr


# ------------------------------------------------------- client auth

def test_client_auth_verified(pki):
    with Server(pki, "--client-ca", pki / "ca.pem", "--require-client-cert",
                mode="--www") as srv:
        r = client(pki, srv.port, "--cert", pki / "client.pem", "--key",
                   pki / "client.key", stdin=b"GET / HTTP/1.0\r\n\r\n")
        assert r.returncode == 0, r.stderr
        body = r.stdout.decode()
        assert "\nclient-auth: verified\n" in body
        assert re.search(r"^client-identity: .*CN=captls client", body, re.M)
    assert "client-auth=verified" in srv.stderr


def test_client_auth_required_but_missing(pki):
    with Server(pki, "--client-ca", pki / "ca.pem", "--require-client-cert") \
            as srv:
        r = client(pki, srv.port, stdin=b"x")
        assert r.returncode == 1
        assert re.search(r"^error: certificate_required \(alert received\)$",
                         r.stderr.decode(), re.M), r.stderr
    assert re.search(r"^conn 1: error: certificate_required \(alert sent\)$",
                     srv.stderr, re.M), srv.stderr


def test_client_auth_optional(pki):
    with Server(pki, "--client-ca", pki / "ca.pem", mode="--www") as srv:
        r = client(pki, srv.port, stdin=b"GET / HTTP/1.0\r\n\r\n")
        assert r.returncode == 0, r.stderr
        assert "\nclient-auth: no-certificate\n" in r.stdout.decode()
        assert "\nclient-identity: none\n" in r.stdout.decode()


def test_client_auth_untrusted_client(pki):
    with Server(pki, "--client-ca", pki / "ca.pem", "--require-client-cert") \
            as srv:
        r = client(pki, srv.port, "--cert", pki / "stranger.pem", "--key",
                   pki / "stranger.key", stdin=b"x")
        assert r.returncode == 1
        assert re.search(r"^error: \w+ \(alert received\)$",
                         r.stderr.decode(), re.M), r.stderr
    assert re.search(r"^conn 1: error: \w+ \(alert sent\)", srv.stderr, re.M)


# ------------------------------------------- resumption, key update, log

def test_reconnect_resumes(pki):
    with Server(pki, mode="--www") as srv:
        r = client(pki, srv.port, "--reconnect",
                   stdin=b"GET / HTTP/1.0\r\n\r\n")
        assert r.returncode == 0, r.stderr
        err = r.stderr.decode()
        assert re.findall(r"^resumed: (\w+)$", err, re.M) == ["no", "yes"], err
        # no CertificateVerify in a resumed handshake; the identity is the
        # one verified when the ticket was issued
        assert re.findall(r"^signature: (\S+)$", err, re.M) == \
            ["ed25519", "none"], err
        assert re.findall(r"^peer: (.*)$", err, re.M) == \
            ["O=captls test, CN=localhost"] * 2, err
        pages = r.stdout.decode().split("HTTP/1.0 200 OK")
        assert len(pages) == 3
        assert "\nresumed: no\n" in pages[1] and "\nresumed: yes\n" in pages[2]
    assert "resumed=yes" in srv.stderr


def test_no_tickets_no_resumption(pki):
    with Server(pki, "--tickets", "0") as srv:
        r = client(pki, srv.port, "--reconnect", stdin=b"a")
        assert r.returncode == 0, r.stderr
        assert re.findall(r"^resumed: (\w+)$", r.stderr.decode(), re.M) == \
            ["no", "no"]
        assert r.stdout == b"aa"


def test_key_update_both_sides(pki):
    with Server(pki, "--key-update") as srv:
        data = os.urandom(50000)
        r = client(pki, srv.port, "--key-update", stdin=data)
        assert r.returncode == 0, r.stderr
        assert r.stdout == data


def test_record_size_limit(pki):
    with Server(pki, "--record-size-limit", "256") as srv:
        data = os.urandom(10000)
        r = client(pki, srv.port, "--record-size-limit", "512", stdin=data)
        assert r.returncode == 0, r.stderr
        assert r.stdout == data


def test_sslkeylogfile(pki, tmp_path):
    ck, sk = tmp_path / "client.keys", tmp_path / "server.keys"
    env_s = dict(os.environ, SSLKEYLOGFILE=str(sk))
    need_captls()
    srv = subprocess.Popen(
        [str(CAPTLS), "tls-server", "--listen", "127.0.0.1:0", "--cert",
         str(pki / "server.pem"), "--key", str(pki / "server.key"), "--echo"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env_s)
    try:
        m = re.search(r":(\d+)$", srv.stderr.readline().decode().strip())
        port = int(m.group(1))
        r = client(pki, port, stdin=b"k",
                   env=dict(os.environ, SSLKEYLOGFILE=str(ck)))
        assert r.returncode == 0, r.stderr
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.communicate(timeout=10)
    labels = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
              "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0"}
    for f in (ck, sk):
        lines = f.read_text().splitlines()
        for ln in lines:
            assert re.fullmatch(r"[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}", ln)
        assert labels <= {ln.split()[0] for ln in lines}, lines
    # both ends logged the same secrets for the same ClientHello random
    assert set(ck.read_text().splitlines()) & set(sk.read_text().splitlines())


# --------------------------------------------- robustness of the loop

def test_stalled_connection_does_not_block_others(pki):
    with Server(pki, "--handshake-timeout", "2") as srv:
        silent = socket.create_connection(("127.0.0.1", srv.port))
        half = socket.create_connection(("127.0.0.1", srv.port))
        half.sendall(b"\x16\x03\x01\x02\x00\x01")  # a record header, then nothing
        try:
            t0 = time.monotonic()
            r = client(pki, srv.port, stdin=b"still here\n")
            assert r.returncode == 0, r.stderr
            assert r.stdout == b"still here\n"
            assert time.monotonic() - t0 < 2
            time.sleep(3)  # both stalled handshakes time out
        finally:
            silent.close()
            half.close()
    assert len(re.findall(r"^conn \d+: error: handshake timeout$", srv.stderr,
                          re.M)) == 2, srv.stderr
    assert srv.proc.returncode == 0


def test_garbage_from_a_client(pki):
    with Server(pki) as srv:
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(5)
        data = b""
        try:
            while True:
                chunk = s.recv(100)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        s.close()
        # an alert record (content type 21), or nothing: never a crash
        assert data == b"" or data[0] == 21
        r = client(pki, srv.port, stdin=b"ok\n")
        assert r.returncode == 0 and r.stdout == b"ok\n"
    assert re.search(r"^conn 1: error: ", srv.stderr, re.M), srv.stderr


def test_sigint_stops_the_server(pki):
    srv = Server(pki)
    srv.proc.send_signal(signal.SIGINT)
    assert srv.proc.wait(timeout=10) == 0


def test_client_handshake_timeout():
    """A server that accepts and never answers: --timeout ends it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        t0 = time.monotonic()
        r = run("tls-client", "--connect", f"127.0.0.1:{s.getsockname()[1]}",
                "--timeout", "1", timeout=20)
        assert time.monotonic() - t0 < 10
    finally:
        s.close()
    assert r.returncode == 1
    assert re.search(r"^error: handshake timeout$", r.stderr.decode(), re.M), \
        r.stderr


def test_max_conns_queues_the_next_connection(pki):
    """With --max-conns 1 a stalled handshake holds the only slot; the next
    client waits in the listen queue and is served once the stalled one
    times out."""
    with Server(pki, "--max-conns", "1", "--handshake-timeout", "1") as srv:
        silent = socket.create_connection(("127.0.0.1", srv.port))
        try:
            time.sleep(0.2)
            t0 = time.monotonic()
            r = client(pki, srv.port, stdin=b"queued\n")
            waited = time.monotonic() - t0
        finally:
            silent.close()
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"queued\n"
        assert waited >= 0.5, waited
    assert re.search(r"^conn 1: error: handshake timeout$", srv.stderr, re.M)
    assert re.search(r"^conn 2: handshake ok ", srv.stderr, re.M)


def test_ipv6_loopback(pki):
    if not socket.has_ipv6:
        pytest.skip("environment: no IPv6")
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("environment: no ::1")
    need_captls()
    p = subprocess.Popen(
        [str(CAPTLS), "tls-server", "--listen", "[::1]:0", "--cert",
         str(pki / "server.pem"), "--key", str(pki / "server.key"), "--echo"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        m = re.fullmatch(r"listening on \[::1\]:(\d+)\n",
                         p.stderr.readline().decode())
        assert m
        # the certificate names localhost and 127.0.0.1, not ::1
        r = run("tls-client", "--connect", f"[::1]:{m.group(1)}", "--roots",
                pki / "ca.pem", "--servername", "localhost", stdin=b"six\n")
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"six\n"
        r = run("tls-client", "--connect", f"[::1]:{m.group(1)}", "--roots",
                pki / "ca.pem", stdin=b"")
        assert r.returncode == 1
        assert "fail: nameMismatch" in r.stderr.decode()
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=10)
    assert p.returncode == 0


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_peer_that_does_not_read_gets_backpressure(pki):
    """An echo client that writes but never reads: the server stops
    reading from it (no busy loop: its CPU stays idle) and keeps serving
    others."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(str(pki / "ca.pem"))
    with Server(pki) as srv:
        raw = socket.create_connection(("127.0.0.1", srv.port))
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
        tls.setblocking(False)
        sent = 0
        chunk = b"z" * 16384
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sent += tls.send(chunk)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError,
                    BlockingIOError):
                time.sleep(0.2)
                try:
                    sent += tls.send(chunk)
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError,
                        BlockingIOError):
                    break  # both directions are full: backpressure
        assert sent > 0
        before = cpu_seconds(srv.proc.pid)
        time.sleep(1.0)
        r = client(pki, srv.port, stdin=b"meanwhile\n")
        used = cpu_seconds(srv.proc.pid) - before
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"meanwhile\n"
        assert used < 0.5, f"server used {used} s of CPU while stalled"
        raw.close()
