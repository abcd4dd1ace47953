"""SSLKEYLOGFILE: a loopback capture of a captls session decrypts in
tshark with the key log captls wrote (NSS format), and does not without it.

The capture runs as root (`tshark -i lo`), started before the connection
and stopped after it. test_peer_keylog_openssl runs the same pipeline with
openssl's own -keylogfile, so a failure of the captls cases is not the
pipeline's."""
import os
import re
import subprocess

import pytest

from tls_harness import (DEADLINE, captls_client_argv, openssl_client_argv,
                         procs, run, show, summary)

GET = b"GET / HTTP/1.0\r\n\r\n"


@pytest.fixture
def pki(tls_pki):
    return tls_pki


@pytest.fixture(autouse=True)
def need_capture():
    if os.geteuid() != 0:
        pytest.skip("environment: tshark cannot capture on lo: not root")


def start_capture(procs, tmp_path, port):
    """tshark on lo for `port`; returns once packets are really being
    captured: "Capturing on" comes before the filter is live, so UDP probes
    to a second port are sent until tshark prints one (-P -l)."""
    import socket
    import time
    pcap = tmp_path / "cap.pcapng"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.bind(("127.0.0.1", 0))
        probe = u.getsockname()[1]
        cap = procs.start("tshark", [
            "tshark", "-i", "lo", "-f", f"tcp port {port} or udp port {probe}",
            "-w", pcap, "-P", "-l"])
        cap.wait_for(r"Capturing on")
        end = time.monotonic() + DEADLINE
        while str(probe) not in cap.out():
            if cap.p.poll() is not None or time.monotonic() > end:
                pytest.fail("tshark captures nothing on lo\n" + cap.describe())
            u.sendto(b"probe", ("127.0.0.1", probe))
            time.sleep(0.1)
    return cap, pcap


def stop_capture(cap, pcap, packets_min=8):
    """Stop tshark (SIGINT flushes and closes the file) and return the
    packet count it reports."""
    import signal
    import time
    time.sleep(0.3)                   # let the last segments be written
    os.killpg(cap.p.pid, signal.SIGINT)
    cap.wait()
    m = re.search(r"(\d+) packets? captured", cap.err())
    assert m and int(m.group(1)) >= packets_min, cap.describe()
    assert pcap.exists()


def decode(pcap, keylog=None, extra=("-V",)):
    argv = ["tshark", "-r", str(pcap)]
    if keylog is not None:
        argv += ["-o", f"tls.keylog_file:{keylog}"]
    argv += list(extra)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def keylog_labels(path):
    return {line.split()[0] for line in path.read_text().splitlines()
            if line and not line.startswith("#")}


TLS13_LABELS = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}


FOLLOW = ("-q", "-z", "follow,tls,ascii,0")


def check_decrypts(pcap, keylog, marker):
    """The HTTP dissector sees the decrypted GET; the decrypted TLS stream
    (tshark's follow,tls) holds the whole response page."""
    http = decode(pcap, keylog, ("-Y", "http"))
    assert re.search(r"HTTP \d+ GET / HTTP/1\.0", http), http
    stream = decode(pcap, keylog, FOLLOW)
    assert "HTTP/1.0 200" in stream, stream[-3000:]
    assert marker in stream, stream[-3000:]
    # Control: without the key log nothing decrypts.
    assert "GET /" not in decode(pcap, None, ("-Y", "http"))
    blind = decode(pcap, None, FOLLOW)
    assert "HTTP/1.0 200" not in blind and marker not in blind


def test_peer_keylog_openssl(pki, procs, tmp_path):
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_3"])
    cap, pcap = start_capture(procs, tmp_path, srv.port)
    keylog = tmp_path / "openssl.keylog"
    r = run(openssl_client_argv(pki, srv.port, extra=[
        "-keylogfile", keylog, "-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    stop_capture(cap, pcap)
    check_decrypts(pcap, keylog, "Ciphers common between both SSL end points")


def test_keylog_captls_client(pki, procs, tmp_path):
    srv = procs.openssl_server(pki, "ed25519", extra=["-tls1_3"])
    cap, pcap = start_capture(procs, tmp_path, srv.port)
    keylog = tmp_path / "captls-client.keylog"
    env = dict(os.environ, SSLKEYLOGFILE=str(keylog))
    r = run(captls_client_argv(pki, srv.port), input=GET, env=env)
    assert r.returncode == 0, show(r)
    assert summary(r.stderr)[0].get("handshake") == "ok", show(r)
    stop_capture(cap, pcap)
    assert TLS13_LABELS <= keylog_labels(keylog), keylog.read_text()
    check_decrypts(pcap, keylog, "Ciphers common between both SSL end points")


def test_keylog_captls_server(pki, procs, tmp_path):
    keylog = tmp_path / "captls-server.keylog"
    env = dict(os.environ, SSLKEYLOGFILE=str(keylog))
    srv = procs.captls_server(pki, "rsa2048", mode="--www", env=env)
    cap, pcap = start_capture(procs, tmp_path, srv.port)
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    stop_capture(cap, pcap)
    assert TLS13_LABELS <= keylog_labels(keylog), keylog.read_text()
    check_decrypts(pcap, keylog, "client-identity: none")
