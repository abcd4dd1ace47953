"""`captls verify` (issue 5 item 8): the exact CLI contract.

Chains are made here with python3-cryptography into temp files: the ok
path (with --untrusted and with a fullchain leaf file), each FailureReason
the CLI can produce (expired, notYetValid, unknownAnchor, nameMismatch,
badEku, chainTooLong via --max-chain, weakAlgorithm with RSA-1024,
nameConstraintViolation, and the fail-closed insufficientScts /
ocspUnavailable of webPkiStrict / privateMtls), --ip, --at in both forms,
malformed inputs (exit 2 with `error:` naming the file, certificate and
byte), bad usage (exit 2, usage on stderr), and real-world checks against
Debian's bundle and the compiled-in Mozilla roots."""
import datetime
import os
import re
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))
BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

D = datetime.datetime
MID = "2025-06-01T00:00:00Z"
MID_EPOCH = str(int(D(2025, 6, 1, tzinfo=datetime.timezone.utc).timestamp()))


def run(*args, check_rc=None):
    if not CAPTLS.exists():
        pytest.fail(f"{CAPTLS} is not built (make all)")
    r = subprocess.run([str(CAPTLS), "verify", *map(str, args)],
                       capture_output=True, text=True, timeout=60)
    if check_rc is not None:
        assert r.returncode == check_rc, (r.stdout, r.stderr)
    return r


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject, key, issuer, issuer_key, *, ca, nb=D(2020, 1, 1),
              na=D(2040, 1, 1), sans=None, ips=None, eku=None, nc=None,
              pathlen=None):
    b = (x509.CertificateBuilder().subject_name(name(subject))
         .issuer_name(name(issuer)).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), True)
    b = b.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=False,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=ca, crl_sign=ca, encipher_only=False,
        decipher_only=False), True)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(
        key.public_key()), False)
    if issuer_key is not key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), False)
    alt = [x509.DNSName(s) for s in (sans or [])]
    alt += [x509.IPAddress(__import__("ipaddress").ip_address(i))
            for i in (ips or [])]
    if alt:
        b = b.add_extension(x509.SubjectAlternativeName(alt), False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), False)
    if nc:
        b = b.add_extension(x509.NameConstraints(
            permitted_subtrees=[x509.DNSName(d) for d in nc],
            excluded_subtrees=None), True)
    return b.sign(issuer_key, hashes.SHA256())


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("verify_cli")
    k = {n: ec.generate_private_key(ec.SECP256R1())
         for n in ("root", "inter", "leaf", "other", "ncroot", "ncleaf")}
    root = make_cert("Test Root", k["root"], "Test Root", k["root"], ca=True)
    inter = make_cert("Test Intermediate", k["inter"], "Test Root", k["root"],
                      ca=True, pathlen=0)
    srv = [ExtendedKeyUsageOID.SERVER_AUTH]
    leaf = make_cert("www.example.com", k["leaf"], "Test Intermediate",
                     k["inter"], ca=False, nb=D(2025, 1, 1), na=D(2026, 1, 1),
                     sans=["www.example.com"], ips=["192.0.2.10"], eku=srv)
    client_leaf = make_cert("client", k["leaf"], "Test Intermediate",
                            k["inter"], ca=False, nb=D(2025, 1, 1),
                            na=D(2026, 1, 1), sans=["www.example.com"],
                            eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    other = make_cert("Other Root", k["other"], "Other Root", k["other"],
                      ca=True)
    rsa1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak_leaf = make_cert("weak.example.com", rsa1024, "Test Intermediate",
                          k["inter"], ca=False, nb=D(2025, 1, 1),
                          na=D(2026, 1, 1), sans=["weak.example.com"], eku=srv)
    ncroot = make_cert("NC Root", k["ncroot"], "NC Root", k["ncroot"],
                       ca=True, nc=["example.com"])
    ncleaf = make_cert("www.other.org", k["ncleaf"], "NC Root", k["ncroot"],
                       ca=False, nb=D(2025, 1, 1), na=D(2026, 1, 1),
                       sans=["www.other.org"], eku=srv)
    files = {
        "root": pem(root), "inter": pem(inter), "leaf": pem(leaf),
        "fullchain": pem(leaf, inter), "client": pem(client_leaf),
        "other": pem(other), "weak": pem(weak_leaf), "ncroot": pem(ncroot),
        "ncleaf": pem(ncleaf),
    }
    paths = {}
    for n, data in files.items():
        p = d / f"{n}.pem"
        p.write_bytes(data)
        paths[n] = p
    p = d / "leaf.der"
    p.write_bytes(leaf.public_bytes(serialization.Encoding.DER))
    paths["leaf_der"] = p
    paths["dir"] = d
    return paths


def base(pki, *extra):
    return ["--roots", pki["root"], "--untrusted", pki["inter"], *extra]


# ------------------------------------------------------------------ ok path

def test_ok_prints_chain_leaf_first_anchor_last(pki):
    r = run(*base(pki, "--host", "www.example.com", "--at", MID), pki["leaf"],
            check_rc=0)
    assert r.stdout.splitlines() == [
        "ok",
        "O=captls test, CN=www.example.com",
        "O=captls test, CN=Test Intermediate",
        "O=captls test, CN=Test Root",
    ]
    assert r.stderr == ""


def test_at_epoch_form_and_der_leaf(pki):
    r = run(*base(pki, "--at", MID_EPOCH), pki["leaf_der"], check_rc=0)
    assert r.stdout.splitlines()[0] == "ok"


def test_fullchain_leaf_file_needs_no_untrusted(pki):
    r = run("--roots", pki["root"], "--at", MID, "--host", "www.example.com",
            pki["fullchain"], check_rc=0)
    assert len(r.stdout.splitlines()) == 4


def test_ip(pki):
    assert run(*base(pki, "--ip", "192.0.2.10", "--at", MID),
               pki["leaf"]).stdout.startswith("ok\n")
    r = run(*base(pki, "--ip", "192.0.2.11", "--at", MID), pki["leaf"],
            check_rc=1)
    assert r.stdout.splitlines()[0] == "fail: nameMismatch"
    # an IP is never matched against DNS names
    r = run(*base(pki, "--ip", "2001:db8::1", "--at", MID), pki["leaf"],
            check_rc=1)
    assert r.stdout.splitlines()[0] == "fail: nameMismatch"


# ------------------------------------------------------------ failure reasons

def expect_fail(reason, *args):
    r = run(*args, check_rc=1)
    lines = r.stdout.splitlines()
    assert lines[0] == f"fail: {reason}", r.stdout
    assert all(line.startswith("detail: ") for line in lines[1:])
    assert len(lines) <= 2
    return r


def test_expired(pki):
    expect_fail("expired", *base(pki, "--at", "2027-01-01T00:00:00Z"),
                pki["leaf"])


def test_not_yet_valid(pki):
    expect_fail("notYetValid", *base(pki, "--at", "2024-06-01T00:00:00Z"),
                pki["leaf"])


def test_unknown_anchor(pki):
    expect_fail("unknownAnchor", "--roots", pki["other"], "--untrusted",
                pki["inter"], "--at", MID, pki["leaf"])
    # without the intermediate the root cannot be reached either
    expect_fail("unknownAnchor", "--roots", pki["root"], "--at", MID,
                pki["leaf"])


def test_name_mismatch(pki):
    r = expect_fail("nameMismatch",
                    *base(pki, "--host", "other.example.org", "--at", MID),
                    pki["leaf"])
    # the host is echoed only sanitized
    r = run(*base(pki, "--host", "x\x1b[31m.example.org", "--at", MID),
            pki["leaf"], check_rc=1)
    assert "\x1b" not in r.stdout


def test_bad_eku(pki):
    expect_fail("badEku", *base(pki, "--at", MID), pki["client"])
    # the same leaf is fine for client auth
    assert run(*base(pki, "--at", MID, "--purpose", "clientAuth"),
               pki["client"]).returncode == 0
    # --purpose codeSigning alone selects the codeSigning preset (lenient
    # does not serve that purpose): a TLS leaf then fails on its EKU
    expect_fail("badEku", *base(pki, "--at", MID, "--purpose", "codeSigning"),
                pki["leaf"])
    expect_fail("policyViolation", *base(pki, "--at", MID, "--purpose",
                                         "codeSigning", "--policy",
                                         "webPkiLenient"), pki["leaf"])


def test_help_states_defaults():
    r = subprocess.run([str(CAPTLS), "verify", "--help"], capture_output=True,
                       text=True)
    assert r.returncode == 0
    assert "webPkiLenient" in r.stdout and "--max-chain N" in r.stdout
    for opt in ("--clock-skew SECONDS", "--min-scts N",
                "--require-ocsp yes|no", "--audit FILE"):
        assert opt in r.stdout


def test_now_is_the_default_time(pki):
    # without --at the wall clock is used: today this leaf (2025) is expired
    # or valid depending on the date, but never an error
    r = run(*base(pki), pki["leaf"])
    assert r.returncode in (0, 1)
    assert r.stdout.splitlines()[0] in ("ok", "fail: expired")


def test_chain_too_long(pki):
    expect_fail("chainTooLong", *base(pki, "--at", MID, "--max-chain", "2"),
                pki["leaf"])
    assert run(*base(pki, "--at", MID, "--max-chain", "3"),
               pki["leaf"]).returncode == 0


def test_weak_algorithm_rsa1024(pki):
    expect_fail("weakAlgorithm", *base(pki, "--at", MID), pki["weak"])


def test_name_constraint_violation(pki):
    expect_fail("nameConstraintViolation", "--roots", pki["ncroot"], "--at",
                MID, pki["ncleaf"])


def test_policies_fail_closed(pki):
    # webPkiStrict demands SCTs, privateMtls OCSP: neither is evaluated yet
    expect_fail("insufficientScts", *base(pki, "--at", MID, "--policy",
                                          "webPkiStrict"), pki["leaf"])
    expect_fail("ocspUnavailable", *base(pki, "--at", MID, "--policy",
                                         "privateMtls"), pki["leaf"])


# ---------------------------------------------------------- malformed input

def expect_error(*args, must=()):
    r = run(*args, check_rc=2)
    assert r.stdout.startswith("error: "), r.stdout
    for m in must:
        assert m in r.stdout, r.stdout
    return r


def test_missing_file(pki):
    expect_error("--at", MID, pki["dir"] / "nope.pem",
                 must=("nope.pem", "cannot read"))


def test_garbage_der(pki):
    p = pki["dir"] / "garbage.der"
    p.write_bytes(b"\x30\x82\xff\xff" + b"\x00" * 10)
    expect_error("--at", MID, p, must=("garbage.der", "certificate 1",
                                       "byte"))


def test_truncated_der(pki):
    der = pki["leaf_der"].read_bytes()
    p = pki["dir"] / "trunc.der"
    p.write_bytes(der[:len(der) // 2])
    expect_error("--at", MID, p, must=("trunc.der", "byte"))


def test_bad_pem_and_bad_cert_in_pem(pki):
    p = pki["dir"] / "badb64.pem"
    p.write_bytes(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
    expect_error("--at", MID, p, must=("badb64.pem",))
    # second certificate of a roots bundle is not DER of a certificate
    import base64
    junk = base64.encodebytes(b"\x30\x03\x02\x01\x01").decode().strip()
    p = pki["dir"] / "roots2.pem"
    p.write_bytes(pki["root"].read_bytes() +
                  f"-----BEGIN CERTIFICATE-----\n{junk}\n"
                  "-----END CERTIFICATE-----\n".encode())
    expect_error("--roots", p, "--at", MID, pki["leaf"],
                 must=("roots2.pem", "certificate 2", "PEM block at byte"))


def test_empty_and_no_cert_block(pki):
    p = pki["dir"] / "empty.pem"
    p.write_bytes(b"")
    expect_error("--at", MID, p, must=("empty",))
    p = pki["dir"] / "key.pem"
    p.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    expect_error("--at", MID, p, must=("no CERTIFICATE block",))


@pytest.mark.parametrize("args", [
    [],
    ["--purpose", "emailProtection", "x.pem"],
    ["--policy", "lax", "x.pem"],
    ["--at", "2025-13-01T00:00:00Z", "x.pem"],
    ["--at", "yesterday", "x.pem"],
    ["--max-chain", "0", "x.pem"],
    ["--host", "a", "--ip", "192.0.2.1", "x.pem"],
    ["--ip", "999.1.1.1", "x.pem"],
    ["--bogus", "1", "x.pem"],
    ["a.pem", "b.pem"],
    ["--roots"],
])
def test_bad_usage(args):
    r = run(*args, check_rc=2)
    assert r.stdout == ""
    assert "usage: captls verify" in r.stderr


# ------------------------------------------------ issue 16: policy overrides

def test_clock_skew_is_zero_by_default_and_settable(pki):
    # the leaf's notAfter is 2026-01-01T00:00:00Z; 30 s later
    late = "2026-01-01T00:00:30Z"
    for policy in ("webPkiLenient", "privateMtls", "webPkiStrict"):
        expect_fail("expired", *base(pki, "--at", late, "--policy", policy),
                    pki["leaf"])
    assert run(*base(pki, "--at", late, "--clock-skew", "60"),
               pki["leaf"]).returncode == 0
    expect_fail("expired", *base(pki, "--at", late, "--clock-skew", "29"),
                pki["leaf"])
    # both ends: notBefore is 2025-01-01T00:00:00Z
    early = "2024-12-31T23:59:50Z"
    expect_fail("notYetValid", *base(pki, "--at", early), pki["leaf"])
    assert run(*base(pki, "--at", early, "--clock-skew", "10"),
               pki["leaf"]).returncode == 0


def test_strict_profile_offline_with_overrides(pki):
    strict = ("--policy", "webPkiStrict", "--host", "www.example.com")
    expect_fail("insufficientScts", *base(pki, "--at", MID, *strict),
                pki["leaf"])
    expect_fail("ocspUnavailable", *base(pki, "--at", MID, *strict,
                                         "--min-scts", "0"), pki["leaf"])
    r = run(*base(pki, "--at", MID, *strict, "--min-scts", "0",
                  "--require-ocsp", "no"), pki["leaf"])
    assert r.stdout.splitlines()[0] == "ok", r.stdout
    # and the other way round on the lenient preset
    expect_fail("insufficientScts", *base(pki, "--at", MID, "--min-scts", "1"),
                pki["leaf"])
    expect_fail("ocspUnavailable", *base(pki, "--at", MID, "--require-ocsp",
                                         "yes"), pki["leaf"])


def test_audit_appends_one_json_line_per_run(pki, tmp_path):
    import json
    log = tmp_path / "audit.jsonl"
    run(*base(pki, "--at", MID, "--audit", log), pki["leaf"], check_rc=0)
    run(*base(pki, "--at", "2027-01-01T00:00:00Z", "--audit", log),
        pki["leaf"], check_rc=1)
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    recs = [json.loads(line) for line in lines]
    assert [r["verdict"] for r in recs] == ["ok", "expired"]
    for r in recs:
        assert r["event"] == "verify.chain"
        assert r["iface"] == "CertVerifier"
        assert r["policy"] == "webPkiLenient"
        assert isinstance(r["wall"], int) and r["wall"] > 1700000000
    assert recs[0]["outcome"] == "ok" and recs[1]["outcome"] != "ok"
    assert "www.example.com" in recs[0]["detail"]
    # an unwritable audit file is an input error, not a silent loss
    r = run(*base(pki, "--at", MID, "--audit", tmp_path / "no" / "dir.jsonl"),
            pki["leaf"], check_rc=2)
    assert r.stdout.startswith("error: ") and "cannot append" in r.stdout


@pytest.mark.parametrize("args", [
    ["--clock-skew", "-1", "x.pem"],
    ["--clock-skew", "86401", "x.pem"],
    ["--clock-skew", "1s", "x.pem"],
    ["--min-scts", "256", "x.pem"],
    ["--require-ocsp", "true", "x.pem"],
    ["--audit"],
])
def test_bad_override_usage(args):
    r = run(*args, check_rc=2)
    assert r.stdout == ""
    assert "usage: captls verify" in r.stderr


# ------------------------------------- issue 16: malformed untrusted input

def junk_pem():
    import base64
    junk = base64.encodebytes(b"\x30\x03\x02\x01\x01").decode().strip()
    return (f"-----BEGIN CERTIFICATE-----\n{junk}\n"
            "-----END CERTIFICATE-----\n").encode()


def test_malformed_untrusted_certificate_is_skipped(pki):
    d = pki["dir"]
    pool = d / "pool_with_junk.pem"
    pool.write_bytes(junk_pem() + pki["inter"].read_bytes())
    r = run("--roots", pki["root"], "--untrusted", pool, "--at", MID,
            pki["leaf"], check_rc=0)
    assert r.stdout.splitlines()[0] == "ok"
    assert "skipped: " in r.stderr and "pool_with_junk.pem" in r.stderr
    assert "certificate 1" in r.stderr
    # only junk: no other path, so a verdict with its reason (not exit 2)
    only = d / "pool_only_junk.pem"
    only.write_bytes(junk_pem())
    r = run("--roots", pki["root"], "--untrusted", only, "--at", MID,
            pki["leaf"], check_rc=1)
    lines = r.stdout.splitlines()
    assert lines[0] == "fail: unknownAnchor"
    assert lines[-1] == "skipped: 1 malformed untrusted certificate (see stderr)"
    # a fullchain leaf file: the intermediate after the leaf may be junk
    full = d / "fullchain_junk.pem"
    full.write_bytes(pki["leaf"].read_bytes() + junk_pem() +
                     pki["inter"].read_bytes())
    r = run("--roots", pki["root"], "--at", MID, full, check_rc=0)
    assert "certificate 2" in r.stderr
    # but a malformed leaf stays an input error (exit 2)
    bad_leaf = d / "junk_leaf.pem"
    bad_leaf.write_bytes(junk_pem() + pki["leaf"].read_bytes())
    expect_error("--roots", pki["root"], "--at", MID, bad_leaf,
                 must=("junk_leaf.pem", "certificate 1"))


# --------------------------- issue 16: anchors are never laxer than OpenSSL

def test_expired_or_non_ca_anchor_is_refused(pki, tmp_path):
    k = ec.generate_private_key(ec.SECP256R1())
    leaf_k = ec.generate_private_key(ec.SECP256R1())
    srv = [ExtendedKeyUsageOID.SERVER_AUTH]
    leaf = make_cert("www.example.com", leaf_k, "Old Root", k, ca=False,
                     nb=D(2025, 1, 1), na=D(2026, 1, 1),
                     sans=["www.example.com"], eku=srv)
    lp = tmp_path / "leaf.pem"
    lp.write_bytes(pem(leaf))
    old = make_cert("Old Root", k, "Old Root", k, ca=True, nb=D(2015, 1, 1),
                    na=D(2025, 3, 1))
    rp = tmp_path / "old_root.pem"
    rp.write_bytes(pem(old))
    expect_fail("expired", "--roots", rp, "--at", MID, lp)
    assert run("--roots", rp, "--at", "2025-02-01T00:00:00Z",
               lp).returncode == 0
    notca = make_cert("Old Root", k, "Old Root", k, ca=False)
    rp.write_bytes(pem(notca))
    expect_fail("policyViolation", "--roots", rp, "--at", MID, lp)


# ------------------------------------------------------------- real world

def bundle_roots():
    text = BUNDLE.read_text()
    return re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n",
                      text, re.S)


def find_root(cn):
    for block in bundle_roots():
        c = x509.load_pem_x509_certificate(block.encode())
        names = c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if names and names[0].value == cn:
            return block
    pytest.skip(f"environment: {cn} is not in this bundle")


def test_roots_info_names_the_package():
    r = run("--roots-info", check_rc=0)
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}",
                              "ca-certificates"], capture_output=True,
                             text=True).stdout.strip()
    assert r.stdout.startswith(f"roots: Debian ca-certificates {version} (")
    n = len(bundle_roots())
    assert f"{n} roots" in r.stdout


def test_debian_root_as_its_own_leaf(tmp_path):
    # A self-signed root is its own anchor: against the bundle and against
    # the compiled-in Mozilla table, the chain is that one certificate.
    p = tmp_path / "amazon.pem"
    p.write_text(find_root("Amazon Root CA 1"))
    for args in (["--roots", BUNDLE], []):
        r = run(*args, "--at", MID, p, check_rc=0)
        assert r.stdout.splitlines() == ["ok", "C=US, O=Amazon, CN=Amazon Root CA 1"]
    # Mozilla roots are anchors for server auth only (Debian's selection)
    expect_fail("unknownAnchor", "--at", MID, "--purpose", "clientAuth", p)


def test_every_debian_root_gets_a_verdict(tmp_path):
    # no root makes the CLI error out or crash: each gets ok or fail
    seen = set()
    for i, block in enumerate(bundle_roots()[:40]):
        p = tmp_path / f"r{i}.pem"
        p.write_text(block)
        r = run("--roots", BUNDLE, "--at", MID, p)
        assert r.returncode in (0, 1), r.stdout
        seen.add(r.stdout.splitlines()[0])
    assert "ok" in seen


def test_own_chain_not_anchored_in_mozilla_roots(pki):
    expect_fail("unknownAnchor", "--untrusted", pki["inter"], "--at", MID,
                pki["leaf"])
