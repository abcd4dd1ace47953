"""build/captls-shim `x509-verify` (issue 5 item 8; conformance/SHIM.md):

  x509-verify ROOTS_DER_LIST UNTRUSTED_DER_LIST LEAF_DER HOST EPOCH PURPOSE
  -> ok | fail: <FailureReason> | error: <reason>

Chains are generated here with python3-cryptography (ECDSA P-256 and
Ed25519); every request of a test goes through one shim process, so the
one-answer-per-line framing is exercised too."""
import datetime
import ipaddress
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[1]
SHIM = Path(os.environ.get("CAPTLS_SHIM", ROOT / "build" / "captls-shim"))

D = datetime.datetime
MID = int(D(2025, 6, 1, tzinfo=datetime.timezone.utc).timestamp())
LATE = int(D(2027, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


def ask(*lines):
    if not SHIM.exists():
        pytest.fail(f"{SHIM} is not built (make all)")
    data = "".join(line + "\n" for line in lines).encode()
    r = subprocess.run([str(SHIM)], input=data, capture_output=True,
                       timeout=60)
    assert r.returncode == 0 and r.stderr == b""
    out = r.stdout.decode().splitlines()
    assert len(out) == len(lines)
    return out


def cert(cn, key, issuer_cn, issuer_key, ca, sans=(), ips=(), eku=None):
    def nm(c):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, c)])
    b = (x509.CertificateBuilder().subject_name(nm(cn)).issuer_name(nm(issuer_cn))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(D(2025, 1, 1) if not ca else D(2020, 1, 1))
         .not_valid_after(D(2026, 1, 1) if not ca else D(2040, 1, 1)))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    b = b.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=False,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=ca, crl_sign=ca, encipher_only=False,
        decipher_only=False), True)
    alt = [x509.DNSName(s) for s in sans] + \
          [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if alt:
        b = b.add_extension(x509.SubjectAlternativeName(alt), False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), False)
    # the key identifiers OpenSSL's profile (and every captls preset) wants
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    if cn != issuer_cn:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), False)
    alg = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(issuer_key, alg).public_bytes(serialization.Encoding.DER).hex()


@pytest.fixture(scope="module", params=["p256", "ed25519"])
def chain(request):
    def gen():
        if request.param == "p256":
            return ec.generate_private_key(ec.SECP256R1())
        return ed25519.Ed25519PrivateKey.generate()
    kr, ki, kl, ko = gen(), gen(), gen(), gen()
    srv = [ExtendedKeyUsageOID.SERVER_AUTH]
    return {
        "root": cert("Shim Root", kr, "Shim Root", kr, True),
        "inter": cert("Shim Inter", ki, "Shim Root", kr, True),
        "leaf": cert("svc.example.com", kl, "Shim Inter", ki, False,
                     sans=["svc.example.com"], ips=["198.51.100.7"], eku=srv),
        "other": cert("Other Root", ko, "Other Root", ko, True),
    }


def req(c, roots="root", pool="inter", host="svc.example.com", at=MID,
        purpose="serverAuth", leaf=None):
    r = ",".join(c[x] for x in roots.split(",")) if roots != "-" else "-"
    p = ",".join(c[x] for x in pool.split(",")) if pool != "-" else "-"
    return f"x509-verify {r} {p} {leaf or c['leaf']} {host} {at} {purpose}"


def test_verdicts(chain):
    assert ask(
        req(chain),
        req(chain, host="-"),
        req(chain, host="198.51.100.7"),
        req(chain, roots="other,root", pool="other,inter"),
        req(chain, at=LATE),
        req(chain, at=0),
        req(chain, roots="other"),
        req(chain, roots="-"),
        req(chain, pool="-"),
        req(chain, host="www.example.com"),
        req(chain, host="198.51.100.8"),
        req(chain, purpose="clientAuth"),
        req(chain, purpose="codeSigning"),
    ) == [
        "ok", "ok", "ok", "ok",
        "fail: expired", "fail: notYetValid",
        "fail: unknownAnchor", "fail: unknownAnchor", "fail: unknownAnchor",
        "fail: nameMismatch", "fail: nameMismatch",
        "fail: badEku", "fail: badEku",  # codeSigning: its own preset
    ]


def test_errors(chain):
    bad_leaf = chain["leaf"][:-4]
    out = ask(
        req(chain, leaf=bad_leaf),
        req(chain, leaf="zz"),
        req(chain, purpose="emailProtection"),
        req(chain, at="-5"),
        req(chain, at="12x"),
        f"x509-verify {chain['root']},,{chain['root']} - {chain['leaf']} - {MID} serverAuth",
        f"x509-verify {chain['root']},3003020101 - {chain['leaf']} - {MID} serverAuth",
        f"x509-verify {chain['root']} {chain['inter']},0 {chain['leaf']} - {MID} serverAuth",
        f"x509-verify - - {chain['leaf']} - {MID}",
    )
    assert out[0].startswith("error: LEAF_DER: ") and "at byte" in out[0]
    assert out[1] == "error: LEAF_DER: bad hex"
    assert out[2] == "error: PURPOSE: unknown purpose"
    assert out[3].startswith("error: EPOCH")
    assert out[4].startswith("error: EPOCH")
    assert out[5] == "error: ROOTS_DER_LIST: certificate 2: empty"
    assert out[6].startswith("error: ROOTS_DER_LIST: certificate 2: ")
    assert "at byte" in out[6]
    assert out[7].startswith("error: UNTRUSTED_DER_LIST: certificate 2: ")
    assert out[8] == "error: x509-verify takes 6 arguments"


def test_too_many_certificates(chain):
    roots = ",".join([chain["other"]] * 65)
    assert ask(f"x509-verify {roots} - {chain['leaf']} - {MID} serverAuth") \
        == ["error: ROOTS_DER_LIST: more than 64 certificates"]


def test_duplicate_roots_are_fine(chain):
    assert ask(req(chain, roots="root,root,root")) == ["ok"]
