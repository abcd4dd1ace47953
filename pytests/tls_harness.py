"""Process harness for the TLS interop tests (test_tls_interop.py,
test_tls_keylog.py): starts captls tls-server / tls-client and the real
peers (openssl s_server / s_client, gnutls-serv / gnutls-cli) on 127.0.0.1,
waits for them with bounded deadlines and stops every process it started
(the `procs` fixture kills them at the end of each test).

Each long-running process writes stdout and stderr to files under the
test's tmp_path (no pipe can fill up and stall a peer); stdin stays a pipe
so tests can type into it (openssl's interactive "k"/"K" commands)."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))

SUITES = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256")
KEY_TYPES = ("ed25519", "ecdsa_p256", "rsa2048")
# Group modes of the matrix: "hrr" ends on secp256r1 after a HelloRetryRequest.
GROUP_MODES = ("x25519", "secp256r1", "hrr")

SIG = {"ed25519": "ed25519", "ecdsa_p256": "ecdsa_secp256r1_sha256",
       "rsa2048": "rsa_pss_rsae_sha256"}
OSSL_GROUP = {"x25519": "X25519", "secp256r1": "P-256"}
# openssl s_client's "Server Temp Key:" and "Peer signature type:" wording.
OSSL_TEMP_KEY = {"x25519": "X25519, 253 bits",
                 "secp256r1": "ECDH, prime256v1, 256 bits"}
OSSL_SIG_TYPE = {"ed25519": "ed25519", "ecdsa_p256": "ECDSA",
                 "rsa2048": "RSA-PSS"}
# gnutls priority tokens and its "Description:" wording.
GNUTLS_CIPHER = {"TLS_AES_128_GCM_SHA256": "AES-128-GCM",
                 "TLS_AES_256_GCM_SHA384": "AES-256-GCM",
                 "TLS_CHACHA20_POLY1305_SHA256": "CHACHA20-POLY1305"}
GNUTLS_GROUP = {"x25519": "X25519", "secp256r1": "SECP256R1"}
GNUTLS_SIG = {"ed25519": "EdDSA-Ed25519",
              "ecdsa_p256": "ECDSA-SECP256R1-SHA256",
              "rsa2048": "RSA-PSS-RSAE-SHA256"}

DEADLINE = 20.0   # seconds: the bound of every wait in these tests


def final_group(mode):
    return "secp256r1" if mode == "hrr" else mode


def gnutls_priority(suite=None, groups=()):
    p = "NORMAL:-VERS-ALL:+VERS-TLS1.3"
    if suite:
        p += ":-CIPHER-ALL:+" + GNUTLS_CIPHER[suite]
    if groups:
        p += ":-GROUP-ALL" + "".join(":+GROUP-" + GNUTLS_GROUP[g]
                                     for g in groups)
    return p


def free_port():
    """An ephemeral port for peers that cannot bind port 0 and report it
    (gnutls-serv). The tiny reuse race is covered by start retries."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_captls():
    if not CAPTLS.exists():
        pytest.fail(f"{CAPTLS} is not built (make build/captls, or set CAPTLS)")


def summary(stderr, key_sep=": "):
    """captls tls-client's stderr summary as a list of dicts, one per
    handshake (a new one starts at each `handshake:` line)."""
    out = []
    for line in stderr.splitlines():
        if key_sep not in line:
            continue
        k, v = line.split(key_sep, 1)
        k = k.strip()
        if k == "handshake" or not out:
            out.append({})
        out[-1].setdefault(k, v.strip())
    return out


def conn_logs(stderr):
    """captls tls-server's per-connection lines: {N: {...}} where a
    handshake line's key=value fields are parsed and an error line gives
    {"error": text}."""
    logs = {}
    for m in re.finditer(r"^conn (\d+): (.*)$", stderr, re.M):
        n, rest = int(m.group(1)), m.group(2)
        d = logs.setdefault(n, {})
        if rest.startswith("handshake ok"):
            d["handshake"] = "ok"
            for kv in rest[len("handshake ok"):].split():
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    d[k] = v
        elif rest.startswith("error:"):
            # `error: <alert> [(alert sent)|...]`: the alert name first.
            text = rest[len("error:"):].strip()
            d["error"] = text.split()[0] if text else ""
            d["error_text"] = text
        else:
            d.setdefault("other", []).append(rest)
    return logs


def www_fields(page):
    """`key: value` lines of captls tls-server --www's page."""
    d = {}
    for line in page.splitlines():
        m = re.match(r"^([a-z-]+): (.*?)\r?$", line)
        if m:
            d.setdefault(m.group(1), m.group(2))
    return d


class Proc:
    def __init__(self, name, argv, workdir, cwd=None, env=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        with open(self.out_path, "wb") as o, open(self.err_path, "wb") as e:
            self.p = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                      stdout=o, stderr=e, cwd=cwd, env=env,
                                      start_new_session=True)

    def out(self):
        return self.out_path.read_bytes().decode("utf-8", "replace")

    def err(self):
        return self.err_path.read_bytes().decode("utf-8", "replace")

    def both(self):
        return self.out() + self.err()

    def describe(self):
        return (f"[{self.name}] {' '.join(self.argv)}\n rc={self.p.poll()}\n"
                f" stdout: {self.out()[-3000:]!r}\n"
                f" stderr: {self.err()[-3000:]!r}")

    def wait_for(self, pattern, where="err", timeout=DEADLINE):
        """Poll the chosen stream(s) until `pattern` (regex) appears; fail
        with the process's output when it exits first or time runs out."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            text = {"err": self.err, "out": self.out, "both": self.both}[where]()
            m = rx.search(text)
            if m:
                return m
            if self.p.poll() is not None:
                text = {"err": self.err, "out": self.out, "both": self.both}[where]()
                m = rx.search(text)
                if m:
                    return m
                pytest.fail(f"{self.name} exited before /{pattern}/:\n"
                            + self.describe())
            if time.monotonic() > end:
                pytest.fail(f"timeout waiting for /{pattern}/:\n" + self.describe())
            time.sleep(0.02)

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close_stdin(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass

    def wait(self, timeout=DEADLINE):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"{self.name} did not exit in {timeout}s:\n"
                        + self.describe())

    def stop(self):
        if self.p.poll() is None:
            for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
                try:
                    os.killpg(self.p.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.p.wait(grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass


class Procs:
    """Starts the test's processes; the fixture stops all of them."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.all = []
        self.n = 0

    def start(self, name, argv, **kw):
        self.n += 1
        p = Proc(f"{self.n:02d}-{name}", argv, self.workdir, **kw)
        self.all.append(p)
        return p

    def stop_all(self):
        for p in reversed(self.all):
            p.stop()

    # ---- servers -----------------------------------------------------
    def captls_server(self, pki, key_type="ecdsa_p256", *, chain=None,
                      key=None, client_auth=None, mode="--echo", extra=(),
                      env=None):
        """client_auth: None, "request" (--client-ca) or "require"."""
        need_captls()
        chain = chain or pki / f"server-{key_type}.chain.pem"
        key = key or pki / f"server-{key_type}.key.pem"
        argv = [CAPTLS, "tls-server", "--listen", "127.0.0.1:0",
                "--cert", chain, "--key", key]
        if client_auth:
            argv += ["--client-ca", pki / "client-ca.crt.pem"]
            if client_auth == "require":
                argv += ["--require-client-cert"]
        argv += [*extra, mode]
        p = self.start("captls-server", argv, env=env)
        p.port = int(p.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
        return p

    def openssl_server(self, pki, key_type="ecdsa_p256", *, base=None,
                       client_auth=None, mode="-www", extra=(), cwd=None):
        """base: a PKI file stem (e.g. "server-expired"); client_auth:
        None, "request" (-verify) or "require" (-Verify)."""
        base = base or f"server-{key_type}"
        argv = ["openssl", "s_server", "-accept", "127.0.0.1:0",
                "-cert", pki / f"{base}.crt.pem", "-key", pki / f"{base}.key.pem"]
        if base != "server-untrusted":
            argv += ["-cert_chain", pki / "intermediate-ca.crt.pem"]
        if client_auth:
            argv += ["-Verify" if client_auth == "require" else "-verify", "1",
                     "-CAfile", pki / "client-ca.crt.pem",
                     "-verify_return_error"]   # else s_server accepts any
        argv += [*extra]
        if mode:
            argv.append(mode)
        p = self.start("openssl-s_server", argv, cwd=cwd)
        p.port = int(p.wait_for(r"^ACCEPT 127\.0\.0\.1:(\d+)", "out").group(1))
        return p

    def gnutls_server(self, pki, key_type="ecdsa_p256", *, client_auth=None,
                      priority=None, mode="--http", extra=()):
        for attempt in range(5):
            port = free_port()
            argv = ["gnutls-serv", "-p", str(port),
                    "--x509certfile", pki / f"server-{key_type}.chain.pem",
                    "--x509keyfile", pki / f"server-{key_type}.key.pem"]
            if client_auth:
                argv += ["--x509cafile", pki / "client-ca.crt.pem",
                         "--verify-client-cert"]
                if client_auth == "require":
                    argv.append("--require-client-cert")
            else:
                argv.append("--disable-client-cert")
            if priority:
                argv += ["--priority", priority]
            argv += [*extra, mode]
            p = self.start("gnutls-serv", argv)
            m = p.wait_for(r"listening on IPv4 .* port \d+\.\.\.(done|failed)",
                           "both")
            if m.group(1) == "done":
                # "done" is printed after listen(): the port accepts.
                p.port = port
                return p
            p.stop()
        pytest.fail("gnutls-serv could not bind a port\n" + p.describe())


def run(argv, *, input=b"", timeout=DEADLINE, env=None, cwd=None):
    """Run a client to completion (bounded); returns CompletedProcess with
    text stdout/stderr. A hang fails the test with what it printed."""
    argv = [str(a) for a in argv]
    try:
        r = subprocess.run(argv, input=input, capture_output=True,
                           timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(argv)} did not finish in {timeout}s\n"
                    f"stdout: {(e.stdout or b'')[-3000:]!r}\n"
                    f"stderr: {(e.stderr or b'')[-3000:]!r}")
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


def show(r):
    return (f"{' '.join(map(str, r.args))}\n rc={r.returncode}\n"
            f" stdout: {r.stdout[-4000:]!r}\n stderr: {r.stderr[-4000:]!r}")


def captls_client_argv(pki, port, *, roots=True, client_key=None,
                       servername="localhost", extra=()):
    need_captls()
    argv = [CAPTLS, "tls-client", "--connect", f"127.0.0.1:{port}",
            "--timeout", "15"]
    if servername:
        argv += ["--servername", servername]
    if roots:
        argv += ["--roots", pki / "root-ca.crt.pem" if roots is True else roots]
    if client_key:
        base = client_key if client_key.startswith("client-") \
            else f"client-{client_key}"
        argv += ["--cert", pki / f"{base}.chain.pem",
                 "--key", pki / f"{base}.key.pem"]
    return argv + list(extra)


def openssl_client_argv(pki, port, *, client_key=None, extra=()):
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
            "-servername", "localhost", "-CAfile", pki / "root-ca.crt.pem",
            "-verify_return_error"]
    if client_key:
        base = client_key if client_key.startswith("client-") \
            else f"client-{client_key}"
        argv += ["-cert", pki / f"{base}.crt.pem", "-key", pki / f"{base}.key.pem"]
    return argv + list(extra)


def gnutls_client_argv(pki, port, *, client_key=None, priority=None, extra=()):
    argv = ["gnutls-cli", "-p", str(port), "--x509cafile",
            pki / "root-ca.crt.pem", "--sni-hostname", "localhost",
            "--verify-hostname", "localhost"]
    if client_key:
        argv += ["--x509certfile", pki / f"client-{client_key}.chain.pem",
                 "--x509keyfile", pki / f"client-{client_key}.key.pem"]
    if priority:
        argv += ["--priority", priority]
    return argv + list(extra) + ["127.0.0.1"]


def wait_until(pred, what, timeout=DEADLINE, on_fail=lambda: ""):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            pytest.fail(f"timeout: {what}\n{on_fail()}")
        time.sleep(0.02)


OSSL_ERROR_MARKERS = ("unexpected eof", "error:", ":error:", "ERROR")


def ossl_clean(text):
    """True when an openssl s_client/s_server log shows no error line (an
    unexpected EOF instead of close_notify prints `... unexpected eof while
    reading` in OpenSSL 3)."""
    return not any(m in text for m in OSSL_ERROR_MARKERS)


@pytest.fixture
def procs(tmp_path):
    """Every process a test starts; all are stopped (SIGTERM, then
    SIGKILL to the process group) when the test ends, pass or fail."""
    ps = Procs(tmp_path)
    yield ps
    ps.stop_all()
