"""status_request (RFC 6066 §8, RFC 8446 §4.4.2.1) with real peers: a
stapled OCSP response travels in the leaf's CertificateEntry both ways.
`captls tls-server --ocsp` staples a response made by `openssl ocsp`, and
`openssl s_client -status` reads it; `openssl s_server -status_file`
staples one and `captls tls-client` reports it. The response is carried,
not judged (its evaluation belongs to the OCSP issue)."""
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = str(ROOT / os.environ.get("CAPTLS", "build/captls"))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=30, check=True, **kw)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("ocsp")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", d / "ca.key", "-out",
        d / "ca.pem", "-subj", "/CN=OCSP test CA", "-days", "30", "-addext",
        "basicConstraints=critical,CA:TRUE", "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature")
    run("openssl", "req", *ec, "-keyout", d / "leaf.key", "-out",
        d / "leaf.csr", "-subj", "/CN=localhost")
    (d / "ext").write_text("subjectAltName=DNS:localhost\n"
                           "extendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", d / "leaf.csr", "-CA", d / "ca.pem",
        "-CAkey", d / "ca.key", "-set_serial", "0x1234", "-out",
        d / "leaf.pem", "-days", "30", "-extfile", d / "ext")
    expiry = time.strftime("%y%m%d%H%M%SZ", time.gmtime(time.time() + 30 * 86400))
    (d / "index.txt").write_text(f"V\t{expiry}\t\t1234\tunknown\t/CN=localhost\n")
    run("openssl", "ocsp", "-issuer", d / "ca.pem", "-cert", d / "leaf.pem",
        "-reqout", d / "req.der", "-no_nonce")
    run("openssl", "ocsp", "-index", d / "index.txt", "-rsigner", d / "ca.pem",
        "-rkey", d / "ca.key", "-CA", d / "ca.pem", "-reqin", d / "req.der",
        "-respout", d / "resp.der", "-ndays", "1")
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proc, port_file):
    for _ in range(100):
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text())
        if proc.poll() is not None:
            pytest.fail("server exited: " + proc.stderr.read())
        time.sleep(0.05)
    pytest.fail("server did not listen")


def test_captls_server_staples_for_openssl(pki, tmp_path):
    port_file = tmp_path / "port"
    srv = subprocess.Popen([CAPTLS, "tls-server", "--listen", "127.0.0.1:0",
                            "--port-file", str(port_file), "--cert",
                            str(pki / "leaf.pem"), "--key", str(pki / "leaf.key"),
                            "--ocsp", str(pki / "resp.der"), "--echo"],
                           stderr=subprocess.PIPE, text=True)
    try:
        port = wait_listening(srv, port_file)
        r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                            "-servername", "localhost", "-CAfile",
                            str(pki / "ca.pem"), "-status"],
                           input="", capture_output=True, text=True, timeout=20)
        assert "OCSP Response Status: successful" in r.stdout
        assert "Cert Status: good" in r.stdout
        # without -status the client asks for nothing and gets nothing
        r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                            "-servername", "localhost", "-CAfile",
                            str(pki / "ca.pem")],
                           input="", capture_output=True, text=True, timeout=20)
        assert "OCSP Response Status" not in r.stdout
        assert "Verify return code: 0 (ok)" in r.stdout
    finally:
        srv.terminate()
        srv.wait(timeout=10)


def test_captls_client_reports_openssl_staple(pki):
    port = free_port()
    srv = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}",
                            "-cert", str(pki / "leaf.pem"), "-key",
                            str(pki / "leaf.key"), "-status_file",
                            str(pki / "resp.der"), "-www", "-naccept", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = None
        for _ in range(50):
            r = subprocess.run([CAPTLS, "tls-client", "--connect",
                                f"127.0.0.1:{port}", "--servername", "localhost",
                                "--roots", str(pki / "ca.pem")],
                               input="GET / HTTP/1.0\r\n\r\n", capture_output=True,
                               text=True, timeout=20)
            if "connection refused" not in r.stderr:
                break
            time.sleep(0.1)
        assert r.returncode == 0, r.stderr
        assert "ocsp: stapled (not evaluated)" in r.stderr.splitlines()
    finally:
        srv.kill()
        srv.wait(timeout=10)


def test_ocsp_option_refuses_non_der(pki, tmp_path):
    bad = tmp_path / "resp.pem"
    bad.write_text("-----BEGIN OCSP RESPONSE-----\n")
    r = subprocess.run([CAPTLS, "tls-server", "--listen", "127.0.0.1:0",
                        "--cert", str(pki / "leaf.pem"), "--key",
                        str(pki / "leaf.key"), "--ocsp", str(bad), "--echo"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert "not a DER OCSP response" in r.stderr
