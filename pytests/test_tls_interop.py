"""captls TLS 1.3 against real peers on 127.0.0.1.

captls tls-client <-> openssl s_server and gnutls-serv; captls tls-server
<-> openssl s_client and gnutls-cli. Every case checks both ends: what
captls reports (client summary, server log and --www page) and what the
peer reports (openssl's session lines, gnutls's Description line).

The matrix: suite x group (x25519, secp256r1, secp256r1 reached through a
HelloRetryRequest) x server key type (ed25519, ecdsa_p256, rsa2048) x
with/without client certificates, in full with openssl, on a diagonal
with gnutls. Then resumption, KeyUpdate both ways, 16 MiB transfers,
close_notify both ways, ALPN, and the failures: bad server chains
(expired, not yet valid, wrong name, untrusted), missing or untrusted
client certificates, TLS 1.2-only peers, no common suite.

The PKI comes from vectors/tls/gen_tls_pki.py (fixture tls_pki in
conftest.py). The programs are found through $CAPTLS (default
build/captls). The test_peer_* cases run the peers against each other
with the same harness flags, so a failure in a captls case is not the
harness's."""
import hashlib
import random
import re
import threading
import time

import pytest

from tls_harness import (GNUTLS_GROUP, GNUTLS_SIG, GNUTLS_CIPHER, GROUP_MODES,
                         KEY_TYPES, OSSL_GROUP, OSSL_SIG_TYPE, OSSL_TEMP_KEY,
                         SIG, SUITES, captls_client_argv, conn_logs,
                         final_group, gnutls_client_argv, gnutls_priority,
                         openssl_client_argv, ossl_clean, procs, run, show,
                         summary, wait_until, www_fields)

GET = b"GET / HTTP/1.0\r\n\r\n"
MIB16 = 16 * 1024 * 1024


@pytest.fixture
def pki(tls_pki):
    return tls_pki


def ids(params):
    suite, gmode, kt, cc = params
    short = {"TLS_AES_128_GCM_SHA256": "aes128", "TLS_AES_256_GCM_SHA384":
             "aes256", "TLS_CHACHA20_POLY1305_SHA256": "chacha"}[suite]
    return f"{short}-{gmode}-{kt}-{'mtls' if cc else 'anon'}"


FULL = [(s, g, k, cc) for s in SUITES for g in GROUP_MODES for k in KEY_TYPES
        for cc in (False, True)]
# gnutls: a diagonal that still touches every suite, group mode, key type
# and both client-auth settings.
DIAG = [("TLS_AES_128_GCM_SHA256", "x25519", "ed25519", False),
        ("TLS_AES_256_GCM_SHA384", "secp256r1", "ecdsa_p256", True),
        ("TLS_CHACHA20_POLY1305_SHA256", "hrr", "rsa2048", True),
        ("TLS_AES_128_GCM_SHA256", "secp256r1", "rsa2048", False),
        ("TLS_CHACHA20_POLY1305_SHA256", "x25519", "ed25519", True)]


def page_of(text):
    """The HTTP response in a client's output (from the status line on)."""
    i = text.find("HTTP/1.0 200")
    assert i >= 0, f"no HTTP response in:\n{text[-3000:]}"
    return text[i:]


def server_conn(srv, n=1):
    """Wait for captls tls-server's log of connection n; return its dict."""
    srv.wait_for(rf"^conn {n}: (handshake ok|error:)")
    if not re.search(rf"^conn {n}: error:", srv.err(), re.M):
        # A handshake line may be followed by an error for the same conn
        # (e.g. certificate_required after the client's Finished).
        time.sleep(0.05)
    return conn_logs(srv.err())[n]


def check_captls_summary(r, *, suite, gmode, kt, resumed="no"):
    assert r.returncode == 0, show(r)
    s = summary(r.stderr)
    assert s, show(r)
    s = s[0]
    assert s.get("handshake") == "ok", show(r)
    assert s.get("version") == "TLSv1.3", show(r)
    assert s.get("suite") == suite, show(r)
    assert s.get("group") == final_group(gmode), show(r)
    assert s.get("signature") == SIG[kt], show(r)
    assert s.get("hello-retry") == ("yes" if gmode == "hrr" else "no"), show(r)
    assert s.get("resumed") == resumed, show(r)
    assert f"server-{kt}" in s.get("peer", ""), show(r)
    assert s.get("verify") == "ok", show(r)
    return s


def check_www_page(page, *, suite, gmode, kt, client_auth, resumed="no"):
    f = www_fields(page)
    assert f.get("version") == "TLSv1.3", page
    assert f.get("suite") == suite, page
    assert f.get("group") == final_group(gmode), page
    assert f.get("signature") == SIG[kt], page
    assert f.get("resumed") == resumed, page
    assert f.get("client-auth") == client_auth, page
    return f


# --------------------------------------------------------------------------
# The peers against each other: validates the harness flags and the PKI.

@pytest.mark.parametrize("kt", KEY_TYPES)
def test_peer_openssl_pair(pki, procs, kt):
    srv = procs.openssl_server(pki, kt, client_auth="require",
                               extra=["-tls1_3", "-groups", "P-256"])
    r = run(openssl_client_argv(pki, srv.port, client_key=kt,
                                extra=["-groups", "X25519:P-256", "-msg",
                                       "-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "Verification: OK" in r.stdout
    assert f"Peer signature type: {OSSL_SIG_TYPE[kt]}" in r.stdout
    assert f"Server Temp Key: {OSSL_TEMP_KEY['secp256r1']}" in r.stdout
    assert r.stdout.count(", ClientHello") == 2          # HelloRetryRequest
    assert f"Subject: O=captls test, CN=client-{kt}" in r.stdout
    assert re.search(r"^closed$", r.stdout, re.M)


@pytest.mark.parametrize("kt", KEY_TYPES)
def test_peer_gnutls_server_openssl_client(pki, procs, kt):
    srv = procs.gnutls_server(pki, kt, client_auth="require",
                              priority=gnutls_priority("TLS_AES_128_GCM_SHA256"))
    r = run(openssl_client_argv(pki, srv.port, client_key=kt,
                                extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "Verification: OK" in r.stdout
    assert "Cipher is TLS_AES_128_GCM_SHA256" in r.stdout
    assert f"-({GNUTLS_SIG[kt]})-(AES-128-GCM)" in r.stdout
    srv.wait_for(f"Client Signature: {GNUTLS_SIG[kt]}", "both")


@pytest.mark.parametrize("kt", KEY_TYPES)
def test_peer_gnutls_client_openssl_server(pki, procs, kt):
    srv = procs.openssl_server(pki, kt, client_auth="require",
                               extra=["-tls1_3"])
    r = run(gnutls_client_argv(pki, srv.port, client_key=kt,
                               priority=gnutls_priority("TLS_CHACHA20_POLY1305_SHA256",
                                                        ["secp256r1"])),
            input=GET)
    assert r.returncode == 0, show(r)
    assert (f"(TLS1.3-X.509)-(ECDHE-SECP256R1)-({GNUTLS_SIG[kt]})"
            "-(CHACHA20-POLY1305)") in r.stdout, show(r)
    assert f"Subject: O=captls test, CN=client-{kt}" in r.stdout
    assert "Peer has closed the GnuTLS connection" in r.stdout


def test_peer_key_update_openssl_pair(pki, procs):
    """The interactive "K" of s_client against s_server: the exchange the
    captls KeyUpdate tests expect (KEYUPDATE, a KeyUpdate each way)."""
    srv = procs.openssl_server(pki, "ecdsa_p256", mode=None,
                               extra=["-tls1_3", "-msg"])
    cli = procs.start("openssl-s_client", openssl_client_argv(
        pki, srv.port, extra=["-msg"]))
    cli.wait_for(r"^Verify return code: 0", "out")
    cli.write("from-client\n")
    srv.wait_for(r"^from-client$", "out")
    cli.write("K\n")
    cli.wait_for(r"^KEYUPDATE$", "both")
    srv.wait_for(r"<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate", "out")
    # OpenSSL answers update_requested before its next write (RFC 8446
    # section 4.6.3 allows waiting until then).
    srv.write("from-server\n")
    cli.wait_for(r"^from-server$", "out")
    cli.wait_for(r"<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate", "out")
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    srv.wait_for(r"^DONE$", "out")
    assert ossl_clean(srv.both()), srv.describe()


# --------------------------------------------------------------------------
# The matrix with openssl.

@pytest.mark.parametrize("suite,gmode,kt,cc", FULL, ids=map(ids, FULL))
def test_captls_client_openssl_server(pki, procs, suite, gmode, kt, cc):
    srv_group = OSSL_GROUP[final_group(gmode)]
    srv = procs.openssl_server(pki, kt, client_auth="require" if cc else None,
                               extra=["-tls1_3", "-groups", srv_group])
    groups = "x25519,secp256r1" if gmode == "hrr" else gmode
    r = run(captls_client_argv(pki, srv.port, client_key=kt if cc else None,
                               extra=["--suites", suite, "--groups", groups]),
            input=GET)
    check_captls_summary(r, suite=suite, gmode=gmode, kt=kt)
    page = page_of(r.stdout)
    assert f"New, TLSv1.3, Cipher is {suite}" in page
    if cc:
        assert f"Subject: O=captls test, CN=client-{kt}" in page
    else:
        assert "no client certificate available" in page
    assert ossl_clean(srv.both()), srv.describe()


@pytest.mark.parametrize("suite,gmode,kt,cc", FULL, ids=map(ids, FULL))
def test_captls_server_openssl_client(pki, procs, suite, gmode, kt, cc):
    srv = procs.captls_server(pki, kt, client_auth="require" if cc else None,
                              mode="--www",
                              extra=["--groups", final_group(gmode)])
    groups = "X25519:P-256" if gmode == "hrr" else OSSL_GROUP[gmode]
    r = run(openssl_client_argv(pki, srv.port, client_key=kt if cc else None,
                                extra=["-ciphersuites", suite, "-groups", groups,
                                       "-msg", "-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r) + srv.describe()
    out = r.stdout
    assert f"New, TLSv1.3, Cipher is {suite}" in out, show(r)
    assert f"Server Temp Key: {OSSL_TEMP_KEY[final_group(gmode)]}" in out
    assert f"Peer signature type: {OSSL_SIG_TYPE[kt]}" in out
    assert "Verification: OK" in out
    assert out.count(", ClientHello") == (2 if gmode == "hrr" else 1), show(r)
    f = check_www_page(page_of(out), suite=suite, gmode=gmode, kt=kt,
                       client_auth="verified" if cc else "none")
    if cc:
        assert f"client-{kt}" in f.get("client-identity", ""), out
    else:
        assert f.get("client-identity") == "none", out
    # The server closed with close_notify: s_client saw a clean EOF.
    assert re.search(r"^closed$", out, re.M), show(r)
    assert "unexpected eof" not in out + r.stderr
    log = server_conn(srv)
    assert log.get("handshake") == "ok" and "error" not in log, srv.describe()
    assert log.get("suite") == suite and log.get("group") == final_group(gmode)
    assert log.get("sig") == SIG[kt] and log.get("resumed") == "no"


# --------------------------------------------------------------------------
# The diagonal with gnutls.

@pytest.mark.parametrize("suite,gmode,kt,cc", DIAG, ids=map(ids, DIAG))
def test_captls_client_gnutls_server(pki, procs, suite, gmode, kt, cc):
    srv = procs.gnutls_server(pki, kt, client_auth="require" if cc else None,
                              priority=gnutls_priority(None, [final_group(gmode)]))
    groups = "x25519,secp256r1" if gmode == "hrr" else gmode
    r = run(captls_client_argv(pki, srv.port, client_key=kt if cc else None,
                               extra=["--suites", suite, "--groups", groups]),
            input=GET)
    check_captls_summary(r, suite=suite, gmode=gmode, kt=kt)
    page = re.sub(r"<[^>]*>", " ", page_of(r.stdout))
    want = (f"(TLS1.3-X.509)-(ECDHE-{GNUTLS_GROUP[final_group(gmode)]})-"
            f"({GNUTLS_SIG[kt]})-({GNUTLS_CIPHER[suite]})")
    assert want in page, page
    if cc:
        srv.wait_for(f"Client Signature: {GNUTLS_SIG[kt]}", "both")


@pytest.mark.parametrize("suite,gmode,kt,cc", DIAG, ids=map(ids, DIAG))
def test_captls_server_gnutls_client(pki, procs, suite, gmode, kt, cc):
    srv = procs.captls_server(pki, kt, client_auth="require" if cc else None,
                              mode="--www",
                              extra=["--groups", final_group(gmode)])
    offer = ["x25519", "secp256r1"] if gmode == "hrr" else [gmode]
    r = run(gnutls_client_argv(pki, srv.port, client_key=kt if cc else None,
                               priority=gnutls_priority(suite, offer)),
            input=GET)
    assert r.returncode == 0, show(r) + srv.describe()
    want = (f"(TLS1.3-X.509)-(ECDHE-{GNUTLS_GROUP[final_group(gmode)]})-"
            f"({GNUTLS_SIG[kt]})-({GNUTLS_CIPHER[suite]})")
    assert want in r.stdout, show(r)
    assert "The certificate is trusted" in r.stdout
    f = check_www_page(page_of(r.stdout), suite=suite, gmode=gmode, kt=kt,
                       client_auth="verified" if cc else "none")
    if cc:
        assert f"client-{kt}" in f.get("client-identity", "")
    assert "Peer has closed the GnuTLS connection" in r.stdout, show(r)
    log = server_conn(srv)
    assert log.get("handshake") == "ok" and "error" not in log, srv.describe()


# --------------------------------------------------------------------------
# Server-side suite choice and the missing common suite.

def test_captls_server_suite_restriction(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--www",
                              extra=["--suites", "TLS_CHACHA20_POLY1305_SHA256"])
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "Cipher is TLS_CHACHA20_POLY1305_SHA256" in r.stdout
    # No common suite: handshake_failure (RFC 8446 section 4.1.1).
    r = run(openssl_client_argv(pki, srv.port, extra=[
        "-ciphersuites", "TLS_AES_256_GCM_SHA384", "-ign_eof"]), input=GET)
    assert r.returncode != 0, show(r)
    assert "alert handshake failure" in r.stdout + r.stderr, show(r)
    assert server_conn(srv, 2).get("error") == "handshake_failure", srv.describe()


def test_captls_client_no_common_group(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_3", "-groups", "X448"])
    r = run(captls_client_argv(pki, srv.port, extra=["--groups", "x25519,secp256r1"]),
            input=GET)
    assert r.returncode != 0, show(r)
    assert "handshake_failure" in r.stderr, show(r)


# --------------------------------------------------------------------------
# Resumption.

def test_resumption_captls_client_reconnect(pki, procs):
    srv = procs.openssl_server(pki, "ed25519", extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port, extra=["--reconnect"]), input=GET)
    assert r.returncode == 0, show(r)
    s = summary(r.stderr)
    assert len(s) == 2, show(r)
    assert s[0].get("resumed") == "no" and s[1].get("resumed") == "yes", show(r)
    assert s[1].get("version") == "TLSv1.3", show(r)
    # A PSK resumption carries no certificate: no peer/signature claims.
    # When the request went out on both connections, s_server's second
    # page must agree.
    pages = r.stdout.split("HTTP/1.0 200 ok")
    assert "New, TLSv1.3" in pages[1], show(r)
    if len(pages) > 2:
        assert "Reused, TLSv1.3" in pages[2], show(r)


def test_resumption_openssl_sess_in(pki, procs, tmp_path):
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--www")
    sess = tmp_path / "sess.pem"
    r1 = run(openssl_client_argv(pki, srv.port, extra=[
        "-sess_out", sess, "-ign_eof"]), input=GET)
    assert r1.returncode == 0, show(r1)
    assert "New, TLSv1.3" in r1.stdout
    assert www_fields(page_of(r1.stdout)).get("resumed") == "no"
    assert sess.exists() and sess.stat().st_size > 0, show(r1)
    r2 = run(openssl_client_argv(pki, srv.port, extra=[
        "-sess_in", sess, "-ign_eof"]), input=GET)
    assert r2.returncode == 0, show(r2)
    assert "Reused, TLSv1.3" in r2.stdout, show(r2)
    assert www_fields(page_of(r2.stdout)).get("resumed") == "yes", r2.stdout
    assert server_conn(srv, 2).get("resumed") == "yes", srv.describe()


def test_resumption_gnutls_resume(pki, procs):
    srv = procs.captls_server(pki, "ed25519", mode="--www")
    r = run(gnutls_client_argv(pki, srv.port, extra=["--resume"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "This is a resumed session" in r.stdout, show(r)


# --------------------------------------------------------------------------
# KeyUpdate.

def test_key_update_from_openssl_client(pki, procs):
    """s_client's interactive "K" (update_requested) and "k": the captls
    echo server must answer K with its own KeyUpdate, and data must keep
    flowing both ways under the new keys."""
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--echo")
    cli = procs.start("openssl-s_client", openssl_client_argv(
        pki, srv.port, extra=["-msg"]))
    cli.wait_for(r"^Verify return code: 0", "out")
    cli.write("ping-one\n")
    cli.wait_for(r"^ping-one$", "out")
    cli.write("K\n")
    cli.wait_for(r"^KEYUPDATE$", "both")
    cli.write("ping-two\n")
    cli.wait_for(r"^ping-two$", "out")
    # The server's answering KeyUpdate, sent at the latest before the echo
    # of ping-two (RFC 8446 section 4.6.3).
    cli.wait_for(r"<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate", "out")
    cli.write("k\n")
    # s_client treats a whole stdin read starting with "k\n" as the
    # command: wait until it ran before typing more.
    wait_until(lambda: cli.err().count("KEYUPDATE") == 2, "second KEYUPDATE",
               on_fail=cli.describe)
    cli.write("ping-three\n")
    cli.wait_for(r"^ping-three$", "out")
    out = cli.out()
    assert out.count(">>> TLS 1.3, Handshake [length 0005], KeyUpdate") == 2
    assert out.count("<<< TLS 1.3, Handshake [length 0005], KeyUpdate") >= 1
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    time.sleep(0.2)
    assert "error" not in conn_logs(srv.err()).get(1, {}), srv.describe()


def test_key_update_from_openssl_server(pki, procs):
    """s_server's "K": the captls client must answer with a KeyUpdate of
    its own and keep reading and writing."""
    srv = procs.openssl_server(pki, "ed25519", mode=None,
                               extra=["-tls1_3", "-msg"])
    cli = procs.start("captls-client", captls_client_argv(pki, srv.port))
    cli.write("from-client-1\n")
    srv.wait_for(r"^from-client-1$", "out")
    srv.write("K\n")     # s_server sends KeyUpdate(update_requested)
    srv.wait_for(r">>> TLS 1.3, Handshake \[length 0005\], KeyUpdate\n"
                 r"    18 00 00 01 01", "out")
    srv.write("from-server-1\n")
    cli.wait_for(r"^from-server-1$", "out")
    cli.write("from-client-2\n")
    srv.wait_for(r"^from-client-2$", "out")
    # The client's answering KeyUpdate came before its next data.
    out = srv.out()
    ku = out.find("<<< TLS 1.3, Handshake [length 0005], KeyUpdate")
    assert 0 <= ku < out.find("from-client-2"), srv.describe()
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    srv.wait_for(r"^DONE$", "out")
    assert ossl_clean(srv.both()), srv.describe()


def test_key_update_from_captls_client(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", mode=None,
                               extra=["-tls1_3", "-msg"])
    cli = procs.start("captls-client", captls_client_argv(
        pki, srv.port, extra=["--key-update"]))
    cli.write("after-update\n")
    srv.wait_for(r"^after-update$", "out")
    srv.wait_for(r"<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate", "out")
    srv.write("reply\n")
    cli.wait_for(r"^reply$", "out")
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    srv.wait_for(r"^DONE$", "out")
    assert ossl_clean(srv.both()), srv.describe()


def test_key_update_from_captls_server(pki, procs):
    srv = procs.captls_server(pki, "ed25519", mode="--echo",
                              extra=["--key-update"])
    cli = procs.start("openssl-s_client", openssl_client_argv(
        pki, srv.port, extra=["-msg"]))
    cli.wait_for(r"^Verify return code: 0", "out")
    cli.write("ping\n")
    cli.wait_for(r"^ping$", "out")
    cli.wait_for(r"<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate", "out")
    cli.write("pong\n")
    cli.wait_for(r"^pong$", "out")
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()


# --------------------------------------------------------------------------
# 16 MiB transfers.

def feed_random(proc, data, seed):
    """Write `data` to proc's stdin in random-size chunks (1 B .. 64 KiB)
    from a thread; returns the thread."""
    rng = random.Random(seed)

    def go():
        i = 0
        try:
            while i < len(data):
                n = rng.choice((rng.randint(1, 64), rng.randint(1, 4096),
                                rng.randint(1, 65536)))
                proc.p.stdin.write(data[i:i + n])
                proc.p.stdin.flush()
                i += n
        except (BrokenPipeError, OSError):
            pass

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def echo_16mib(procs, srv, argv, name):
    data = random.Random(7).randbytes(MIB16)
    cli = procs.start(name, argv)
    t = feed_random(cli, data, 11)
    wait_until(lambda: cli.out_path.stat().st_size >= MIB16 or cli.p.poll() is not None,
               "16 MiB echoed", timeout=60, on_fail=cli.describe)
    t.join(10)
    assert not t.is_alive()
    cli.close_stdin()
    rc = cli.wait(30)
    got = cli.out_path.read_bytes()
    assert len(got) == MIB16, cli.describe() + srv.describe()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    return rc, cli


def test_16mib_echo_openssl_client(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--echo")
    argv = openssl_client_argv(pki, srv.port, extra=[
        "-quiet", "-no_ign_eof", "-nocommands"])
    rc, cli = echo_16mib(procs, srv, argv, "openssl-s_client")
    assert rc == 0, cli.describe()
    time.sleep(0.2)
    assert "error" not in conn_logs(srv.err()).get(1, {}), srv.describe()


def test_16mib_echo_captls_client(pki, procs):
    srv = procs.captls_server(pki, "ed25519", mode="--echo")
    rc, cli = echo_16mib(procs, srv, captls_client_argv(pki, srv.port),
                         "captls-client")
    assert rc == 0, cli.describe()          # close_notify both ways
    assert "error" not in conn_logs(srv.err()).get(1, {}), srv.describe()


def test_16mib_from_openssl_server(pki, procs, tmp_path):
    docroot = tmp_path / "www"
    docroot.mkdir()
    data = random.Random(5).randbytes(MIB16)
    (docroot / "big.bin").write_bytes(data)
    srv = procs.openssl_server(pki, "rsa2048", mode="-WWW",
                               extra=["-tls1_3"], cwd=docroot)
    r = subprocess_run_bytes(captls_client_argv(pki, srv.port),
                             b"GET /big.bin HTTP/1.0\r\n\r\n")
    assert r.returncode == 0, r.stderr[-2000:]
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ok"), head[:200]
    assert len(body) == MIB16
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()


def subprocess_run_bytes(argv, input):
    import subprocess
    try:
        return subprocess.run([str(a) for a in argv], input=input,
                              capture_output=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"timeout: {argv}\nstderr: {(e.stderr or b'')[-2000:]!r}")


# --------------------------------------------------------------------------
# close_notify both ways.

def test_close_notify_captls_client_first(pki, procs):
    """captls client sends close_notify on stdin EOF; s_server reads it as a
    clean close (DONE, no unexpected eof), answers with its own, and the
    client exits 0."""
    srv = procs.openssl_server(pki, "ecdsa_p256", mode=None, extra=["-tls1_3"])
    cli = procs.start("captls-client", captls_client_argv(pki, srv.port))
    cli.write("hello\n")
    srv.wait_for(r"^hello$", "out")
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    srv.wait_for(r"^DONE$", "out")
    assert ossl_clean(srv.both()), srv.describe()


def test_close_notify_openssl_client_first(pki, procs):
    """gnutls-cli sends close_notify on stdin EOF and waits for the peer's:
    "Peer has closed the GnuTLS connection" proves the captls server
    answered with close_notify (an abrupt close prints "terminated the
    connection abnormally")."""
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--echo")
    r = run(gnutls_client_argv(pki, srv.port), input=b"")
    assert r.returncode == 0, show(r)
    assert "Peer has closed the GnuTLS connection" in r.stdout, show(r)
    assert "abnormally" not in r.stdout + r.stderr
    # And openssl: s_client's close_notify must not be logged as an error.
    cli = procs.start("openssl-s_client", openssl_client_argv(pki, srv.port))
    cli.wait_for(r"^Verify return code: 0", "out")
    cli.write("x\n")
    cli.wait_for(r"^x$", "out")
    cli.close_stdin()
    assert cli.wait() == 0, cli.describe()
    srv.wait_for(r"^conn 2: handshake ok")
    time.sleep(0.2)
    assert "error" not in conn_logs(srv.err()).get(2, {}), srv.describe()


def test_close_notify_captls_server_first(pki, procs):
    srv = procs.captls_server(pki, "ed25519", mode="--www")
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert re.search(r"^closed$", r.stdout, re.M), show(r)
    assert "unexpected eof" not in r.stdout + r.stderr


# --------------------------------------------------------------------------
# ALPN.

def test_alpn_captls_client(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_3", "-alpn", "http/1.1"])
    r = run(captls_client_argv(pki, srv.port, extra=["--alpn", "h2,http/1.1"]),
            input=GET)
    assert r.returncode == 0, show(r)
    assert summary(r.stderr)[0].get("alpn") == "http/1.1", show(r)


def test_alpn_captls_client_mismatch(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_3", "-alpn", "imap"])
    r = run(captls_client_argv(pki, srv.port, extra=["--alpn", "h2,http/1.1"]),
            input=GET)
    assert r.returncode != 0, show(r)
    assert "no_application_protocol" in r.stderr, show(r)
    assert "handshake: ok" not in r.stderr


def test_alpn_captls_server(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--www",
                              extra=["--alpn", "h2,http/1.1"])
    r = run(openssl_client_argv(pki, srv.port, extra=[
        "-alpn", "foo,http/1.1", "-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "ALPN protocol: http/1.1" in r.stdout, show(r)
    assert www_fields(page_of(r.stdout)).get("alpn") == "http/1.1"
    # A client without ALPN still connects; the page says none.
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    assert "No ALPN negotiated" in r.stdout
    assert www_fields(page_of(r.stdout)).get("alpn") == "none"


def test_alpn_captls_server_mismatch(pki, procs):
    """RFC 7301 section 3.2: no overlap -> no_application_protocol."""
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--www",
                              extra=["--alpn", "h2,http/1.1"])
    r = run(openssl_client_argv(pki, srv.port, extra=["-alpn", "imap", "-ign_eof"]),
            input=GET)
    assert r.returncode != 0, show(r)
    assert "no application protocol" in r.stdout + r.stderr, show(r)
    assert server_conn(srv).get("error") == "no_application_protocol", srv.describe()


# --------------------------------------------------------------------------
# Bad server chains: the captls client must refuse, name the reason, and
# alert the server.

@pytest.mark.parametrize("base,reason,alert", [
    ("server-expired", "expired", "certificate expired"),
    ("server-notyet", "notYetValid", "certificate expired"),
    ("server-othername", "nameMismatch", "bad certificate"),
    ("server-untrusted", "unknownAnchor", "unknown ca"),
])
def test_captls_client_rejects_bad_chain(pki, procs, base, reason, alert):
    srv = procs.openssl_server(pki, base=base, extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port), input=GET)
    assert r.returncode != 0, show(r)
    assert re.search(rf"^fail: {reason}$", r.stderr, re.M), show(r)
    assert "HTTP/1.0" not in r.stdout
    # The server got an alert, not a silent close.
    wait_until(lambda: "alert" in srv.both(), "alert at s_server",
               on_fail=srv.describe)
    # Which one: core/tls/alert.c's FailureReason -> alert table (RFC 8446
    # section 6.2): expired and not yet valid -> certificate_expired, a name
    # mismatch -> bad_certificate, an unknown anchor -> unknown_ca.
    assert alert in srv.both(), srv.describe()


def test_captls_client_verifies_ip_san(pki, procs):
    """Without --servername the client checks the --connect address: the
    leaf's SAN IP:127.0.0.1 matches (RFC 5280 iPAddress)."""
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port, servername=None), input=GET)
    assert r.returncode == 0, show(r)
    assert summary(r.stderr)[0].get("verify") == "ok"
    # The other-name leaf has no IP SAN: the same client must refuse it.
    srv = procs.openssl_server(pki, base="server-othername", extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port, servername=None), input=GET)
    assert r.returncode != 0, show(r)
    assert re.search(r"^fail: nameMismatch$", r.stderr, re.M), show(r)


# --------------------------------------------------------------------------
# Client certificates: missing and untrusted.

def test_captls_server_requires_client_cert(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", client_auth="require",
                              mode="--www")
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert "HTTP/1.0 200" not in r.stdout, show(r)
    assert "alert certificate required" in r.stdout + r.stderr, show(r)
    assert server_conn(srv).get("error") == "certificate_required", srv.describe()


def test_captls_server_untrusted_client_cert(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", client_auth="require",
                              mode="--www")
    r = run(openssl_client_argv(pki, srv.port, client_key="client-untrusted",
                                extra=["-ign_eof"]), input=GET)
    assert "HTTP/1.0 200" not in r.stdout, show(r)
    assert "alert unknown ca" in r.stdout + r.stderr, show(r)
    assert server_conn(srv).get("error") == "unknown_ca", srv.describe()


def test_captls_server_optional_client_cert(pki, procs):
    """--client-ca without --require-client-cert: the handshake completes
    and the page says what happened to the client's identity."""
    srv = procs.captls_server(pki, "ecdsa_p256", client_auth="request",
                              mode="--www")
    r = run(openssl_client_argv(pki, srv.port, extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    f = www_fields(page_of(r.stdout))
    assert f.get("client-auth") == "no-certificate", r.stdout
    assert f.get("client-identity") == "none"
    r = run(openssl_client_argv(pki, srv.port, client_key="client-untrusted",
                                extra=["-ign_eof"]), input=GET)
    if r.returncode == 0 and "HTTP/1.0 200" in r.stdout:
        f = www_fields(page_of(r.stdout))
        assert f.get("client-auth") == "failed: unknownAnchor", r.stdout
        assert f.get("client-identity") == "none"
    else:   # aborting is also allowed (RFC 8446 section 4.4.2.4)
        assert "alert unknown ca" in r.stdout + r.stderr, show(r)
    r = run(openssl_client_argv(pki, srv.port, client_key="rsa2048",
                                extra=["-ign_eof"]), input=GET)
    assert r.returncode == 0, show(r)
    f = www_fields(page_of(r.stdout))
    assert f.get("client-auth") == "verified", r.stdout
    assert "client-rsa2048" in f.get("client-identity", "")


def test_captls_client_without_cert_to_requiring_server(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", client_auth="require",
                               extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port), input=GET)
    assert r.returncode != 0, show(r)
    assert "certificate_required" in r.stderr, show(r)
    assert "HTTP/1.0 200" not in r.stdout


def test_captls_client_untrusted_cert_to_requiring_server(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", client_auth="require",
                               extra=["-tls1_3"])
    r = run(captls_client_argv(pki, srv.port, client_key="client-untrusted"),
            input=GET)
    assert r.returncode != 0, show(r)
    assert "unknown_ca" in r.stderr, show(r)


# --------------------------------------------------------------------------
# TLS 1.2-only peers.

def test_captls_server_refuses_tls12_client(pki, procs):
    srv = procs.captls_server(pki, "ecdsa_p256", mode="--www")
    r = run(openssl_client_argv(pki, srv.port, extra=["-tls1_2", "-ign_eof"]),
            input=GET)
    assert r.returncode != 0, show(r)
    assert "alert protocol version" in r.stdout + r.stderr, show(r)
    assert server_conn(srv).get("error") == "protocol_version", srv.describe()


def test_captls_client_refuses_tls12_server(pki, procs):
    srv = procs.openssl_server(pki, "ecdsa_p256", extra=["-tls1_2"])
    r = run(captls_client_argv(pki, srv.port), input=GET)
    assert r.returncode != 0, show(r)
    assert "protocol_version" in r.stderr, show(r)
