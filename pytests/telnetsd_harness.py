"""Harness for the captls-telnetsd tests (test_telnetsd.py) and the load
bench (ci/bench_telnets.py): a development PKI made with the openssl CLI,
users lines from `captls passwd`, a gateway process started on 127.0.0.1
port 0 (its ports read from --port-file) whose counters are read with
SIGUSR1, and a small telnet-aware client over a plain or a TLS socket.

Binaries: $CAPTLS_TELNETSD and $CAPTLS when set, else
$CAPTLS_BUILD_DIR/captls-telnetsd and $CAPTLS_BUILD_DIR/captls
(CAPTLS_BUILD_DIR defaults to build/)."""
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / os.environ.get("CAPTLS_BUILD_DIR", "build")
CAPTLS = Path(os.environ.get("CAPTLS", BUILD / "captls"))
TELNETSD = Path(os.environ.get("CAPTLS_TELNETSD", BUILD / "captls-telnetsd"))

DEADLINE = 20.0          # seconds: the bound of every wait
ITERATIONS = 100000      # CAPTLS_CRED_MIN_ITERATIONS: the cheapest allowed
PASSWORDS = {"carol": "carol-pw-1", "erin": "erin secret"}

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
OPT_ECHO, OPT_SGA, OPT_TTYPE, OPT_NAWS = 1, 3, 24, 31

STATS_RX = re.compile(r"^stats: (.*)$", re.M)


class HarnessError(AssertionError):
    pass


# ----------------------------------------------------------------- the PKI

def _ossl(*args, cwd=None, input=None):
    r = subprocess.run(["openssl", *map(str, args)], capture_output=True,
                       cwd=cwd, input=input, timeout=60)
    if r.returncode != 0:
        raise HarnessError(f"openssl {' '.join(map(str, args))}: "
                           f"{r.stderr.decode(errors='replace')}")
    return r.stdout


def _ext_file(d, name, text):
    p = d / f"{name}.ext"
    p.write_text(text)
    return p


CA_EXT = ("basicConstraints=critical,CA:TRUE\n"
          "keyUsage=critical,keyCertSign,cRLSign\n"
          "subjectKeyIdentifier=hash\n")
SERVER_EXT = ("basicConstraints=critical,CA:FALSE\n"
              "keyUsage=critical,digitalSignature\n"
              "extendedKeyUsage=serverAuth\n"
              "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
              "authorityKeyIdentifier=keyid\n")
CLIENT_EXT = ("basicConstraints=critical,CA:FALSE\n"
              "keyUsage=critical,digitalSignature\n"
              "extendedKeyUsage=clientAuth\n"
              "authorityKeyIdentifier=keyid\n")
NO_CLIENT_EKU_EXT = CLIENT_EXT.replace("clientAuth", "serverAuth")


def _key(d, name, kind="ed25519"):
    p = d / f"{name}.key.pem"
    if kind == "ed25519":
        _ossl("genpkey", "-algorithm", "ED25519", "-out", p)
    elif kind == "p256":
        _ossl("genpkey", "-algorithm", "EC", "-pkeyopt",
              "ec_paramgen_curve:P-256", "-out", p)
    else:
        _ossl("genpkey", "-algorithm", "RSA", "-pkeyopt",
              "rsa_keygen_bits:2048", "-out", p)
    return p


def _root(d, name, cn):
    key = _key(d, name)
    crt = d / f"{name}.crt.pem"
    ext = _ext_file(d, name, CA_EXT)
    _ossl("req", "-x509", "-new", "-key", key, "-subj", f"/O=captls test/CN={cn}",
          "-days", "30", "-extensions", "v3", "-config", _req_conf(d, ext),
          "-out", crt)
    return key, crt


def _req_conf(d, ext):
    conf = d / f"{ext.stem}.cnf"
    conf.write_text("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n"
                    + ext.read_text())
    return conf


def _leaf(d, name, subj, ca_key, ca_crt, ext_text, kind="ed25519",
          days=30, serial=None):
    key = _key(d, name, kind)
    csr = d / f"{name}.csr.pem"
    crt = d / f"{name}.crt.pem"
    _ossl("req", "-new", "-key", key, "-subj", subj, "-out", csr)
    ext = _ext_file(d, name, ext_text)
    args = ["x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
            "-days", days, "-extfile", ext, "-out", crt]
    args += ["-set_serial", serial] if serial else ["-CAcreateserial"]
    _ossl(*args, cwd=d)
    return key, crt


def _expired_leaf(d, name, subj, ca_key, ca_crt):
    """A client certificate whose notAfter is in the past (openssl ca with
    explicit dates: OpenSSL 3.0's x509 cannot backdate)."""
    key = _key(d, name)
    csr = d / f"{name}.csr.pem"
    _ossl("req", "-new", "-key", key, "-subj", subj, "-out", csr)
    cadir = d / f"{name}-ca"
    cadir.mkdir()
    (cadir / "index.txt").write_text("")
    (cadir / "serial").write_text("1001\n")
    conf = cadir / "ca.cnf"
    conf.write_text(
        "[ca]\ndefault_ca=c\n[c]\n"
        f"dir={cadir}\ndatabase=$dir/index.txt\nserial=$dir/serial\n"
        "new_certs_dir=$dir\ndefault_md=default\npolicy=p\n"
        "unique_subject=no\ncopy_extensions=none\n"
        "[p]\norganizationName=optional\ncommonName=supplied\n"
        "[ext]\n" + CLIENT_EXT)
    crt = d / f"{name}.crt.pem"
    _ossl("ca", "-batch", "-config", conf, "-cert", ca_crt, "-keyfile", ca_key,
          "-in", csr, "-out", crt, "-extensions", "ext", "-notext",
          "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")
    return key, crt


def _bad_signature(d, name, src_crt):
    """A copy of src_crt with one byte of its signature flipped: the
    signature value is the certificate's last bytes in DER."""
    der = bytearray(_ossl("x509", "-in", src_crt, "-outform", "DER"))
    der[-5] ^= 0x01
    p = d / f"{name}.crt.pem"
    p.write_bytes(_ossl("x509", "-inform", "DER", "-outform", "PEM",
                        input=bytes(der)))
    return p


def subject_rfc2253(crt):
    out = _ossl("x509", "-in", crt, "-noout", "-subject", "-nameopt",
                "RFC2253").decode().strip()
    assert out.startswith("subject="), out
    return out[len("subject="):].strip()


def sha256_fingerprint(crt):
    der = _ossl("x509", "-in", crt, "-outform", "DER")
    import hashlib
    return hashlib.sha256(der).hexdigest()


def serial_of(crt):
    return _ossl("x509", "-in", crt, "-noout", "-serial").decode() \
        .strip().split("=", 1)[1].upper()


def passwd_line(name, password, iterations=ITERATIONS):
    r = subprocess.run([str(CAPTLS), "passwd", "--iterations", str(iterations),
                        name], input=password.encode() + b"\n",
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise HarnessError(f"captls passwd {name}: {r.stderr!r}")
    return r.stdout.decode().strip()


class Pki:
    """Paths of the development PKI; built once per test module."""

    def __init__(self, d):
        d = Path(d)
        d.mkdir(parents=True, exist_ok=True)
        self.dir = d
        self.ca_key, self.ca = _root(d, "root", "captls telnets test root")
        self.server_key, self.server = _leaf(
            d, "server", "/O=captls test/CN=localhost", self.ca_key, self.ca,
            SERVER_EXT, serial="0x5e01")
        self.server_chain = d / "server.chain.pem"
        self.server_chain.write_bytes(self.server.read_bytes())
        # the same key, a second leaf (the rotation's new certificate)
        self.server2 = d / "server2.crt.pem"
        csr = d / "server2.csr.pem"
        _ossl("req", "-new", "-key", self.server_key, "-subj",
              "/O=captls test/CN=localhost", "-out", csr)
        _ossl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey",
              self.ca_key, "-days", "30", "-extfile",
              _ext_file(d, "server2", SERVER_EXT), "-set_serial", "0x5e02",
              "-out", self.server2)
        self.server_serials = ("5E01", "5E02")
        # server keys outside the reviewed policy
        self.rsa_key, self.rsa = _leaf(d, "server-rsa",
                                       "/CN=localhost", self.ca_key, self.ca,
                                       SERVER_EXT, kind="rsa")
        self.p256_key, self.p256 = _leaf(d, "server-p256",
                                         "/CN=localhost", self.ca_key,
                                         self.ca, SERVER_EXT, kind="p256")
        self.clients = {}
        for who in ("alice", "dave", "bob"):
            self.clients[who] = _leaf(d, who, f"/O=captls test/CN={who}",
                                      self.ca_key, self.ca, CLIENT_EXT)
        self.clients["noeku"] = _leaf(d, "noeku", "/O=captls test/CN=alice",
                                      self.ca_key, self.ca, NO_CLIENT_EKU_EXT)
        self.clients["expired"] = _expired_leaf(
            d, "expired", "/O=captls test/CN=alice", self.ca_key, self.ca)
        self.other_ca_key, self.other_ca = _root(d, "other-root",
                                                 "someone else's root")
        self.clients["untrusted"] = _leaf(d, "untrusted",
                                          "/O=captls test/CN=alice",
                                          self.other_ca_key, self.other_ca,
                                          CLIENT_EXT)
        akey, acrt = self.clients["alice"]
        self.clients["badsig"] = (akey, _bad_signature(d, "badsig", acrt))
        self.alice_subject = subject_rfc2253(acrt)
        self.dave_fp = sha256_fingerprint(self.clients["dave"][1])
        self.client_map = d / "clients.map"
        self.client_map.write_text(
            "# captls-telnetsd client map (test)\n"
            f"subject:{self.alice_subject} alice user\n"
            f"sha256:{self.dave_fp} dave dev\n")
        self.users = d / "users"
        self.users.write_text("".join(passwd_line(n, p) + "\n"
                                      for n, p in PASSWORDS.items()))

    def cert(self, who):
        return self.clients[who][1]

    def key(self, who):
        return self.clients[who][0]


# ----------------------------------------------------------------- gateway

def proc_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise HarnessError("no VmRSS")


def parse_stats(line):
    d = {}
    for kv in line.split():
        k, v = kv.split("=", 1)
        if "/" in v:
            d[k] = tuple(int(x) for x in v.split("/"))
        else:
            d[k] = int(v)
    return d


class Gateway:
    """One captls-telnetsd on 127.0.0.1 port 0; stderr goes to a file."""

    def __init__(self, pki, workdir, *, auth="mtls-or-password", extra=(),
                 plaintext=False, store=None, audit=True, quiet=False,
                 client_map=True, users=True, client_ca=True, cert=None,
                 key=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        n = len(list(self.workdir.glob("gw*.err")))
        self.err_path = self.workdir / f"gw{n}.err"
        self.port_file = self.workdir / f"gw{n}.ports"
        self.audit_path = self.workdir / f"gw{n}.audit" if audit else None
        argv = [TELNETSD, "--listen", "127.0.0.1:0", "--port-file",
                self.port_file, "--auth", auth]
        if store is not None:
            argv += ["--store", store[0], "--handle", store[1]]
        else:
            argv += ["--cert", cert or pki.server_chain]
        argv += ["--key", key or pki.server_key]
        if client_ca:
            argv += ["--client-ca", pki.ca]
        if client_map:
            argv += ["--client-map", pki.client_map]
        if users:
            argv += ["--users", pki.users]
        if plaintext:
            argv += ["--plaintext-listen", "127.0.0.1:0"]
        if audit:
            argv += ["--audit", self.audit_path]
        if quiet:
            argv.append("--quiet")
        argv += list(extra)
        self.argv = [str(a) for a in argv]
        self._err = open(self.err_path, "wb")
        self.p = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                  stdout=self._err, stderr=self._err,
                                  start_new_session=True)
        self.pid = self.p.pid
        self.port = self.pport = None
        end = time.monotonic() + DEADLINE
        while True:
            if self.p.poll() is not None:
                raise HarnessError("captls-telnetsd exited at start:\n"
                                   + self.describe())
            if "listening on" in self.err() and self.port_file.exists():
                lines = self.port_file.read_text().split()
                if len(lines) >= (2 if plaintext else 1):
                    self.port = int(lines[0])
                    if plaintext:
                        self.pport = int(lines[1])
                    break
            if time.monotonic() > end:
                raise HarnessError("captls-telnetsd did not start:\n"
                                   + self.describe())
            time.sleep(0.02)
        self.baseline = self.stats()

    def err(self):
        return self.err_path.read_bytes().decode("utf-8", "replace")

    def audit(self):
        if self.audit_path is None or not self.audit_path.exists():
            return ""
        return self.audit_path.read_text(errors="replace")

    def describe(self):
        return (f"{' '.join(self.argv)}\n rc={self.p.poll()}\n"
                f" stderr: {self.err()[-4000:]}")

    def stats(self):
        """SIGUSR1, then the new `stats:` line, parsed."""
        before = len(STATS_RX.findall(self.err()))
        os.kill(self.pid, signal.SIGUSR1)
        end = time.monotonic() + DEADLINE
        while True:
            found = STATS_RX.findall(self.err())
            if len(found) > before:
                return parse_stats(found[before])
            if self.p.poll() is not None or time.monotonic() > end:
                raise HarnessError("no stats line:\n" + self.describe())
            time.sleep(0.01)

    def wait_stats(self, pred, what, timeout=DEADLINE):
        """Poll the counters until pred(stats) holds."""
        end = time.monotonic() + timeout
        while True:
            s = self.stats()
            if pred(s):
                return s
            if time.monotonic() > end:
                raise HarnessError(f"timeout: {what}; last stats {s}\n"
                                   + self.describe())
            time.sleep(0.05)

    def wait_idle(self, timeout=DEADLINE):
        """No connection left and the buffers and caps back to their
        baseline (the value right after start)."""
        base = self.baseline["caps_live"]
        return self.wait_stats(
            lambda s: s["live"] == 0 and s["buffers_out"] == (0, 0, 0)
            and s["caps_live"] == base,
            f"gateway back to its baseline (caps_live={base})", timeout)

    def fds(self):
        return proc_fds(self.pid)

    def rss_kb(self):
        return proc_rss_kb(self.pid)

    def stop(self, sig=signal.SIGTERM, timeout=DEADLINE):
        """Signal, wait, return (rc, final stats or None)."""
        if self.p.poll() is None:
            os.kill(self.pid, sig)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.p.wait(5)
            raise HarnessError("captls-telnetsd ignored SIGTERM:\n"
                               + self.describe())
        finally:
            self._err.close()
        found = STATS_RX.findall(self.err())
        return rc, (parse_stats(found[-1]) if found else None)

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.p.wait(5)
        if not self._err.closed:
            self._err.close()


def run_telnetsd(args, timeout=30):
    """The program run to completion (setup failures)."""
    r = subprocess.run([str(TELNETSD), *map(str, args)], capture_output=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode(errors="replace"), \
        r.stderr.decode(errors="replace")


# ------------------------------------------------------- telnet-aware client

def strip_telnet(data):
    """Application text of a server byte stream: IAC commands and
    subnegotiations removed, IAC IAC kept as one 0xff."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b != IAC:
            out.append(b)
            i += 1
            continue
        if i + 1 >= n:
            break
        c = data[i + 1]
        if c == IAC:
            out.append(IAC)
            i += 2
        elif c in (DO, DONT, WILL, WONT):
            i += 3
        elif c == SB:
            j = data.find(bytes([IAC, SE]), i + 2)
            i = n if j < 0 else j + 2
        else:
            i += 2
    return bytes(out)


def tls_context(pki, who=None, *, max_version=ssl.TLSVersion.TLSv1_3,
                min_version=ssl.TLSVersion.TLSv1_3):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = min_version
    ctx.maximum_version = max_version
    ctx.load_verify_locations(str(pki.ca))
    if who is not None:
        ctx.load_cert_chain(str(pki.cert(who)), str(pki.key(who)))
    return ctx


class Client:
    """A passive telnet client: it never answers the server's option
    negotiation (so its byte stream is the same on every transport), and
    records every byte the server sent."""

    def __init__(self, sock):
        self.sock = sock
        self.raw = bytearray()
        self.closed = False

    @classmethod
    def tls(cls, port, ctx, timeout=DEADLINE):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            t = ctx.wrap_socket(s, server_hostname="localhost")
        except Exception:
            s.close()
            raise
        return cls(t)

    @classmethod
    def plain(cls, port, timeout=DEADLINE):
        return cls(socket.create_connection(("127.0.0.1", port),
                                            timeout=timeout))

    def text(self):
        return strip_telnet(bytes(self.raw)).decode("utf-8", "replace")

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except (ssl.SSLZeroReturnError, ConnectionResetError):
            chunk = b""
        if not chunk:
            self.closed = True
        self.raw += chunk
        return chunk

    def expect(self, pattern, timeout=DEADLINE, start=0):
        """Wait until the application text (from offset start) matches."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(), start)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                raise HarnessError(f"no /{pattern}/ (closed={self.closed}) in "
                                   f"{self.text()[-2000:]!r}")
            try:
                self._recv(min(left, 1.0))
            except socket.timeout:
                pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self, text):
        self.send(text.encode() + b"\r\n")

    def wait_closed(self, timeout=DEADLINE):
        end = time.monotonic() + timeout
        while not self.closed:
            left = end - time.monotonic()
            if left <= 0:
                raise HarnessError("server did not close: "
                                   f"{self.text()[-2000:]!r}")
            try:
                self._recv(min(left, 1.0))
            except socket.timeout:
                pass
            except (ssl.SSLError, OSError):
                self.closed = True

    def command(self, text, pattern, timeout=DEADLINE):
        """Type a line; wait for pattern in what follows it."""
        start = len(self.text())
        self.line(text)
        return self.expect(pattern, timeout, start)

    def logout(self, timeout=DEADLINE):
        """`exit`, then the server's close."""
        self.line("exit")
        self.wait_closed(timeout)
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def hold_sessions(g, ctx, n, prompt, timeout=120):
    """n TLS sessions (one thread each) logged in at once; with all of them
    open, read the gateway's counters, RSS and descriptors; then all
    `exit`. Returns those figures and the workers' errors."""
    barrier = threading.Barrier(n + 1, timeout=timeout)
    errors = []

    def worker():
        try:
            c = Client.tls(g.port, ctx, timeout=timeout)
            c.expect(prompt, timeout=timeout)
            barrier.wait()
            barrier.wait()
            c.logout(timeout=timeout)
        except Exception as e:      # returned to the caller
            errors.append(repr(e))
            barrier.abort()

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    res = {"errors": errors}
    try:
        barrier.wait()
        res.update(open_s=time.monotonic() - t0, stats_open=g.stats(),
                   rss_open_kb=g.rss_kb(), fds_open=g.fds())
        barrier.wait()
    except threading.BrokenBarrierError:
        errors.append("barrier broken")
    for t in ts:
        t.join(timeout)
    return res
