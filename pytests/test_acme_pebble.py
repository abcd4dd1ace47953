"""`captls acme` end to end against Pebble (issue 13): account, issuance
with http-01, the issued chain verified by `captls verify` and OpenSSL,
served by `captls tls-server --store`, renewed and rotated into the running
server (a session open across the rotation keeps working), revoked; and the
refusals: no account, terms not agreed, a CA endpoint we do not trust, an
issued chain that does not verify, a validation that fails — each with
nothing stored. Pebble and challtestsrv run once for the module."""
import re
import socket
import subprocess
import time

import pytest

from acme_harness import Pebble, acme_argv, stages
from test_store_cli import StoreServer, echo_line
from tls_harness import CAPTLS, free_port, run, show

DOMAIN = "www.example.org"


@pytest.fixture(scope="module")
def pebble(tmp_path_factory, tls_pki):
    p = Pebble(tmp_path_factory.mktemp("pebble"), tls_pki).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def account_key(pebble, tmp_path_factory):
    """An account registered once for the module."""
    key = tmp_path_factory.mktemp("acct") / "account.pem"
    r = run(acme_argv(pebble, "account", "--agree-tos", "--contact",
                      "mailto:ops@example.org", account_key=key), timeout=60)
    assert r.returncode == 0, show(r)
    return key


def issue(pebble, account_key, store, handle="web", *extra, domain=DOMAIN,
          challenge="http-01", timeout=90):
    argv = acme_argv(pebble, "issue", "--domain", domain, "--challenge",
                     challenge, "--store", store, "--handle", handle,
                     account_key=account_key)
    if challenge == "http-01":
        argv += ["--http-listen", f"127.0.0.1:{pebble.http_port}"]
    elif challenge == "dns-01":
        argv += ["--dns-api", pebble.dns_api]
    elif challenge == "tls-alpn-01":
        argv += ["--tls-listen", f"127.0.0.1:{pebble.tls_port}"]
    return run(argv + list(extra), timeout=timeout)


def leaf_sans(leaf):
    r = run(["openssl", "x509", "-in", leaf, "-noout", "-ext",
             "subjectAltName"])
    assert r.returncode == 0, show(r)
    return sorted(re.findall(r"DNS:([^,\s]+)", r.stdout))


def verify_both(pebble, leaf, rest, host):
    r = run([CAPTLS, "verify", "--roots", pebble.issuer_roots, "--untrusted",
             rest, "--host", host, leaf])
    assert r.returncode == 0 and r.stdout.startswith("ok"), show(r)
    r = run(["openssl", "verify", "-CAfile", pebble.issuer_roots, "-untrusted",
             rest, "-verify_hostname", host, leaf])
    assert r.returncode == 0, show(r)


def store_chain(store, handle, tmp_path):
    r = run([CAPTLS, "store", "--dir", store, "get", handle])
    assert r.returncode == 0, show(r)
    pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n",
                      r.stdout, re.S)
    leaf, rest = tmp_path / f"{handle}-leaf.pem", tmp_path / f"{handle}-rest.pem"
    leaf.write_text(pems[0])
    rest.write_text("".join(pems[1:]))
    return leaf, rest, len(pems)


def store_handles(store):
    r = run([CAPTLS, "store", "--dir", store, "list"])
    return r.stdout.split() if r.returncode == 0 else []


def served_leaf_sha256(port):
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                        "-servername", DOMAIN],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    f = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                       input=r.stdout, capture_output=True, timeout=30)
    m = re.search(rb"=([0-9A-F:]{95})", f.stdout)
    assert m, r.stdout + r.stderr
    return m.group(1).decode().replace(":", "").lower()


# ------------------------------------------------------------ the good path

def test_account_needs_agreement_then_is_created_and_found(pebble, tmp_path):
    key = tmp_path / "acct.pem"
    r = run(acme_argv(pebble, "account", account_key=key), timeout=60)
    assert r.returncode == 2, show(r)
    assert "terms of service" in r.stderr and "--agree-tos" in r.stderr
    assert key.exists()  # the key was made; no account was
    r = run(acme_argv(pebble, "issue", "--domain", DOMAIN, "--challenge",
                      "http-01", "--store", tmp_path / "st", "--handle", "x",
                      account_key=key), timeout=60)
    assert r.returncode == 2, show(r)
    assert "no account for the key" in r.stderr
    assert store_handles(tmp_path / "st") == []
    r1 = run(acme_argv(pebble, "account", "--agree-tos", account_key=key),
             timeout=60)
    assert r1.returncode == 0, show(r1)
    url = re.search(r"^account: (https://\S+)$", r1.stdout, re.M).group(1)
    assert url.startswith(f"https://localhost:{pebble.acme_port}/")
    r2 = run(acme_argv(pebble, "account", "--agree-tos", account_key=key),
             timeout=60)
    assert r2.returncode == 0, show(r2)
    assert f"account: {url}" in r2.stdout  # the same account, found again
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_issue_http01_verify_serve_renew_rotate_revoke(pebble, account_key,
                                                      tmp_path):
    st = tmp_path / "st"
    t0 = time.monotonic()
    r = issue(pebble, account_key, st)
    took = time.monotonic() - t0
    assert r.returncode == 0, show(r)
    print(f"issuance against Pebble (http-01): {took:.2f} s")
    seen = stages(r.stdout)
    order = ["directory", "account", "order", "authorization", "challenge",
             "finalize", "download", "verified", "stored", "issued"]
    pos = [seen.index(s) for s in order]
    assert pos == sorted(pos), seen
    v1 = re.search(r"^issued: web version 1 leaf ([0-9a-f]{64}) notAfter \S+$",
                   r.stdout, re.M)
    assert v1, r.stdout
    key = st / "web.key.pem"
    assert oct(key.stat().st_mode & 0o777) == "0o600"

    # the stored chain verifies with captls and with OpenSSL
    leaf, rest, n = store_chain(st, "web", tmp_path)
    assert n >= 2
    r = run([CAPTLS, "verify", "--roots", pebble.issuer_roots, "--untrusted",
             rest, "--host", DOMAIN, leaf])
    assert r.returncode == 0 and r.stdout.startswith("ok"), show(r)
    r = run(["openssl", "verify", "-CAfile", pebble.issuer_roots, "-untrusted",
             rest, "-verify_hostname", DOMAIN, leaf])
    assert r.returncode == 0, show(r)
    # the leaf carries our key
    pub_leaf = run(["openssl", "x509", "-in", leaf, "-noout", "-pubkey"]).stdout
    pub_key = run(["openssl", "pkey", "-in", key, "-pubout"]).stdout
    assert pub_leaf == pub_key and "PUBLIC KEY" in pub_key

    # served by tls-server from the store
    srv = StoreServer(st, "web", key)
    try:
        assert srv.port, srv.lines
        assert served_leaf_sha256(srv.port) == v1.group(1)
        held = subprocess.Popen(["openssl", "s_client", "-connect",
                                 f"127.0.0.1:{srv.port}", "-quiet"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert echo_line(held, b"before renewal\n") == b"before renewal\n"

        # not due: nothing ordered, nothing stored
        r = run(acme_argv(pebble, "renew", "--challenge", "http-01",
                          "--http-listen", f"127.0.0.1:{pebble.http_port}",
                          "--store", st, "--handle", "web",
                          account_key=account_key), timeout=90)
        assert r.returncode == 0, show(r)
        assert re.search(r"^renewal: not due until \d{4}-", r.stdout, re.M)
        assert "order:" not in r.stdout

        # forced: a new certificate, rotated into the running server
        n0 = len(srv.lines)
        r = run(acme_argv(pebble, "renew", "--force", "--challenge", "http-01",
                          "--http-listen", f"127.0.0.1:{pebble.http_port}",
                          "--store", st, "--handle", "web",
                          account_key=account_key), timeout=90)
        assert r.returncode == 0, show(r)
        v2 = re.search(r"^renewed: web version 2 leaf ([0-9a-f]{64}) ",
                       r.stdout, re.M)
        assert v2 and v2.group(1) != v1.group(1), r.stdout
        assert srv.wait_for(r"rotation: web version 2 leaf " + v2.group(1),
                            start=n0), srv.lines
        assert served_leaf_sha256(srv.port) == v2.group(1)
        # the session opened before the rotation is untouched
        assert echo_line(held, b"after renewal\n") == b"after renewal\n"
        held.terminate()
        held.wait(timeout=10)
    finally:
        err = srv.stop()
    assert srv.proc.returncode == 0, err

    # revoked: Pebble's management interface agrees
    r = run(acme_argv(pebble, "revoke", "--reason", "4", "--store", st,
                      "--handle", "web", account_key=account_key), timeout=60)
    assert r.returncode == 0, show(r)
    m = re.search(r"^revoked: web serial ([0-9a-f]+) reason 4$", r.stdout, re.M)
    assert m, r.stdout
    status = pebble.mgmt_get(f"/cert-status-by-serial/{m.group(1)}").decode()
    assert '"Status": "Revoked"' in status, status
    r = run(acme_argv(pebble, "revoke", "--store", st, "--handle", "web",
                      account_key=account_key), timeout=60)
    assert r.returncode == 1, show(r)
    assert "alreadyRevoked" in r.stderr


# ------------------------------------------------------------- refusals

def test_issue_dns01_with_a_wildcard(pebble, account_key, tmp_path):
    """dns-01 through challtestsrv's API: a wildcard and its base name in
    one order (two authorizations, one TXT name, two values)."""
    st = tmp_path / "st"
    names = ["example.net", "*.example.net"]
    r = issue(pebble, account_key, st, "wild", "--domain", names[1],
              domain=names[0], challenge="dns-01")
    assert r.returncode == 0, show(r)
    assert re.search(r"^solver: dns-01 records through http://127\.0\.0\.1:"
                     r"\d+ \(2 zones\)$", r.stdout, re.M), r.stdout
    assert re.search(r"^issued: wild version 1 ", r.stdout, re.M), r.stdout
    leaf, rest, _ = store_chain(st, "wild", tmp_path)
    assert leaf_sans(leaf) == sorted(names)
    verify_both(pebble, leaf, rest, "www.example.net")
    # renew takes the names (and so the zones) from the stored leaf
    r = run(acme_argv(pebble, "renew", "--force", "--challenge", "dns-01",
                      "--dns-api", pebble.dns_api, "--store", st, "--handle",
                      "wild", account_key=account_key), timeout=90)
    assert r.returncode == 0, show(r)
    assert "(2 zones)" in r.stdout
    assert re.search(r"^renewed: wild version 2 ", r.stdout, re.M), r.stdout


def test_dns01_api_unreachable_fails_cleanly(pebble, account_key, tmp_path):
    st = tmp_path / "st"
    dead = f"http://127.0.0.1:{free_port()}"
    argv = acme_argv(pebble, "issue", "--domain", "dead.example.net",
                     "--challenge", "dns-01", "--dns-api", dead, "--store", st,
                     "--handle", "web", account_key=account_key)
    r = run(argv, timeout=60)
    assert r.returncode == 1, show(r)
    # the solver's failure, with the DNS API's own account of it
    assert re.search(r"^error: issue: solver: .*127\.0\.0\.1", r.stderr,
                     re.M), r.stderr
    assert "finalize:" not in r.stdout
    assert store_handles(st) == []
    # a DNS API that is not loopback http:// is refused before anything
    argv[argv.index(dead)] = "https://dns.example.net"
    r = run(argv, timeout=30)
    assert r.returncode == 2 and "order:" not in r.stdout, show(r)


def test_issue_tls_alpn01_and_serve(pebble, account_key, tmp_path):
    st = tmp_path / "st"
    r = issue(pebble, account_key, st, "alpn", domain="alpn.example.org",
              challenge="tls-alpn-01")
    assert r.returncode == 0, show(r)
    assert re.search(r"^solver: tls-alpn-01 responder on 127\.0\.0\.1:\d+ "
                     rf"\(port {pebble.tls_port}\)$", r.stdout, re.M), r.stdout
    leaf, rest, _ = store_chain(st, "alpn", tmp_path)
    assert leaf_sans(leaf) == ["alpn.example.org"]
    verify_both(pebble, leaf, rest, "alpn.example.org")
    r = run(acme_argv(pebble, "renew", "--force", "--challenge",
                      "tls-alpn-01", "--tls-listen",
                      f"127.0.0.1:{pebble.tls_port}", "--store", st,
                      "--handle", "alpn", account_key=account_key), timeout=90)
    assert r.returncode == 0, show(r)
    assert re.search(r"^renewed: alpn version 2 ", r.stdout, re.M), r.stdout
    # the validation certificate's responder is gone once the order ends
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", pebble.tls_port),
                                 timeout=5).close()


def test_tls_alpn01_listen_address_in_use(pebble, account_key, tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        argv = acme_argv(pebble, "issue", "--domain", "busy.example.org",
                         "--challenge", "tls-alpn-01", "--tls-listen",
                         f"127.0.0.1:{busy.getsockname()[1]}", "--store",
                         tmp_path / "st", "--handle", "web",
                         account_key=account_key)
        r = run(argv, timeout=30)
    finally:
        busy.close()
    assert r.returncode == 2, show(r)
    assert re.search(r"^error: --tls-listen 127\.0\.0\.1:\d+: Address "
                     "already in use$", r.stderr, re.M), show(r)
    # refused before the order, and before a certificate key was made
    assert "order:" not in r.stdout and "key: created" not in r.stdout
    assert store_handles(tmp_path / "st") == []
    assert not (tmp_path / "st" / "web.key.pem").exists()


def test_untrusted_ca_endpoint_fails_before_anything(pebble, account_key,
                                                     tmp_path, tls_pki):
    st = tmp_path / "st"
    argv = acme_argv(pebble, "issue", "--domain", DOMAIN, "--challenge",
                     "http-01", "--http-listen", f"127.0.0.1:{pebble.http_port}",
                     "--store", st, "--handle", "web", account_key=account_key)
    i = argv.index("--ca-roots")
    argv[i + 1] = tls_pki / "untrusted-ca.crt.pem"
    r = run(argv, timeout=60)
    assert r.returncode == 1, show(r)
    assert re.search(r"^error: directory: transport: .*unknownAnchor", r.stderr,
                     re.M), r.stderr
    assert "order:" not in r.stdout
    assert store_handles(st) == []


def test_chain_that_does_not_verify_is_not_stored(pebble, account_key,
                                                  tmp_path, tls_pki):
    st = tmp_path / "st"
    argv = acme_argv(pebble, "issue", "--domain", DOMAIN, "--challenge",
                     "http-01", "--http-listen", f"127.0.0.1:{pebble.http_port}",
                     "--store", st, "--handle", "web", account_key=account_key,
                     issuer=False)
    # the issued chain checked against the wrong roots (the test PKI's)
    argv += ["--issuer-roots", tls_pki / "root-ca.crt.pem"]
    r = run(argv, timeout=90)
    assert r.returncode == 1, show(r)
    assert re.search(r"^error: issue: chain-unverified: no path", r.stderr, re.M), r.stderr
    assert "download:" in r.stdout and "stored:" not in r.stdout
    assert store_handles(st) == []


def test_failed_validation_stores_nothing_and_closes_the_responder(
        pebble, account_key, tmp_path):
    st = tmp_path / "st"
    # our responder on a port Pebble does not validate: connection refused
    port = free_port()
    argv = acme_argv(pebble, "issue", "--domain", "nobody.example.org",
                     "--challenge", "http-01", "--http-listen", f"127.0.0.1:{port}",
                     "--store", st, "--handle", "web", account_key=account_key)
    r = run(argv, timeout=120)
    assert r.returncode == 1, show(r)
    assert re.search(r"^error: issue: authorization-invalid: connection: ",
                     r.stderr, re.M), r.stderr
    assert "finalize:" not in r.stdout
    assert store_handles(st) == []
    with pytest.raises(ConnectionRefusedError):  # the responder is gone
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_usage_errors(pebble, account_key, tmp_path):
    for extra, want in (
            ((), "missing --domain"),
            (("--domain", DOMAIN), "missing --challenge"),
            (("--domain", DOMAIN, "--challenge", "smtp-01"), "--challenge"),
            (("--domain", DOMAIN, "--challenge", "dns-01"), "--dns-api")):
        r = run(acme_argv(pebble, "issue", "--store", tmp_path / "st",
                          "--handle", "web", *extra), timeout=30)
        assert r.returncode == 2 and want in r.stderr, show(r)
    r = run(acme_argv(pebble, "revoke", "--store", tmp_path / "st", "--handle",
                      "web", "--reason", "7"), timeout=30)
    assert r.returncode == 2 and "--reason" in r.stderr, show(r)
    r = run([CAPTLS, "acme", "issue", "--directory", "http://localhost/dir",
             "--ca-roots", pebble.ca_roots, "--account-key", account_key,
             "--domain", DOMAIN, "--challenge", "http-01", "--store",
             tmp_path / "st", "--handle", "web"], timeout=30)
    assert r.returncode == 2, show(r)


def test_ed25519_certificate_rotates_into_the_telnets_gateway(
        pebble, account_key, tmp_path):
    """The gateway's reviewed policy wants an Ed25519 leaf: Pebble issues
    one for an Ed25519 key, captls-telnetsd serves it from the store, and a
    renewal is served from the next handshake without a restart."""
    from telnetsd_harness import Gateway, Pki
    st = tmp_path / "st"
    r = issue(pebble, account_key, st, "telnets", "--key-type", "ed25519")
    assert r.returncode == 0, show(r)
    v1 = re.search(r"^issued: telnets version 1 leaf ([0-9a-f]{64}) ",
                   r.stdout, re.M).group(1)
    key = st / "telnets.key.pem"
    assert "ED25519" in run(["openssl", "pkey", "-in", key, "-noout",
                             "-text"]).stdout.upper()
    gw = Gateway(Pki(tmp_path / "pki"), tmp_path / "gw", auth="password",
                 store=(st, "telnets"), key=key, client_map=False,
                 client_ca=False)
    try:
        assert served_leaf_sha256(gw.port) == v1
        r = run(acme_argv(pebble, "renew", "--force", "--challenge", "http-01",
                          "--http-listen", f"127.0.0.1:{pebble.http_port}",
                          "--store", st, "--handle", "telnets",
                          account_key=account_key), timeout=90)
        assert r.returncode == 0, show(r)
        v2 = re.search(r"^renewed: telnets version 2 leaf ([0-9a-f]{64}) ",
                       r.stdout, re.M).group(1)
        end = time.monotonic() + 20
        while "rotation: telnets version 2" not in gw.err():
            assert time.monotonic() < end, gw.describe()
            time.sleep(0.05)
        assert served_leaf_sha256(gw.port) == v2 != v1
    finally:
        gw.stop()
