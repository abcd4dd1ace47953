"""captls-chains-diff must fail, naming the case, when (issue 16):
  - captls and OpenSSL agree with each other but not with the generator's
    expected verdict (EXPECT);
  - the two captls anchor paths disagree: roots as a certificate list vs
    the same roots in a TrustStore through a CertVerifier (ANCHOR-PATH; a
    fault planted with --plant-anchor-fault);
  - a disagreement is not named by a known row with the exact case id,
    category and pair of verdicts (DISAGREE) -- a row for another case of
    the same kind does not excuse it;
and pass a clean case. A tiny corpus is generated here with
python3-cryptography (the full corpus is `make chains-corpus`)."""
import datetime
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIFF = Path(os.environ.get("CAPTLS_CHAINS_DIFF", ROOT / "build" / "captls-chains-diff"))
T0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


def cert(x509, subj, key, issuer, ikey, ca, eku=None, san=None):
    from cryptography.hazmat.primitives import hashes, serialization as ser
    from cryptography.x509.oid import NameOID

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name(subj)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(T0).not_valid_after(T0 + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False)
         .add_extension(x509.KeyUsage(not ca, False, False, False, False, ca, ca,
                                      False, False), critical=True))
    if ikey is not key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ikey.public_key()), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]),
                            critical=False)
    return b.sign(ikey, hashes.SHA256()).public_bytes(ser.Encoding.DER).hex()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
    if not DIFF.exists():
        pytest.fail(f"{DIFF} is not built (make build/captls-chains-diff)")
    rk = ec.generate_private_key(ec.SECP256R1())
    lk = ec.generate_private_key(ec.SECP256R1())
    root = cert(x509, "Root", rk, "Root", rk, True)
    leaf = cert(x509, "leaf", lk, "Root", rk, False, eku=[EKU.SERVER_AUTH],
                san="www.example")
    at = int((T0 + datetime.timedelta(days=10)).timestamp())

    def case(i, cat, expect, r, host="www.example"):
        return (f"case {i} {cat}\nexpect {expect}\nhost {host}\npurpose serverAuth\n"
                f"at {at}\nmaxchain 10\nroot {r}\nleaf {leaf}\nend\n")
    d = tmp_path_factory.mktemp("chains")
    cases = {
        "clean": case(0, "plain-ok", "ok", root),
        # captls accepts the absolute name, OpenSSL does not (a real known
        # difference, section 5) -- but no row names this case
        "unlisted": case(1, "name-trailing-dot", "ok", root, "www.example."),
        "expect": case(2, "plain-wrong-expect", "expired", root),
    }
    known = d / "known.md"
    known.write_text("## 5. absolute host names\n```known\n"
                     "527 name-trailing-dot ok nameMismatch 5\n"
                     "1 plain-ok ok nameMismatch 5\n```\n")
    return d, cases, known


def run(d, known, *texts):
    path = d / "cases.txt"
    path.write_text("".join(texts))
    r = subprocess.run([str(DIFF), "--known", str(known), str(path)],
                       capture_output=True, text=True, timeout=120)
    return r, r.stdout.splitlines()


def test_clean_case_passes(corpus):
    d, cases, known = corpus
    r, lines = run(d, known, cases["clean"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines[-1] == "chains-diff: 1 passed, 0 failed"


def test_agreeing_with_openssl_against_the_generator_fails(corpus):
    d, cases, known = corpus
    r, lines = run(d, known, cases["expect"])
    assert r.returncode == 1
    assert any(l.startswith("EXPECT: case 2 (plain-wrong-expect) expected expired, "
                            "captls says ok") and "both wrong the same way" in l
               for l in lines), r.stdout
    assert lines[-1] == "chains-diff: 0 passed, 1 failed"


def test_known_rows_match_exact_case_ids(corpus):
    # rows for case 527 (same category) and for case 1 of another category
    # must not excuse case 1 of name-trailing-dot
    d, cases, known = corpus
    r, lines = run(d, known, cases["unlisted"])
    assert r.returncode == 1
    assert any(l.startswith("DISAGREE: case 1 (name-trailing-dot)") for l in lines), r.stdout
    # the same case, listed exactly: excused
    exact = d / "exact.md"
    exact.write_text("## 5. absolute host names\n```known\n"
                     "1 name-trailing-dot ok nameMismatch 5\n```\n")
    r, lines = run(d, exact, cases["unlisted"])
    assert r.returncode == 0, r.stdout
    assert "known differences 1" in r.stdout


def test_anchor_paths_must_agree(corpus):
    # a planted fault in the TrustStore path (its roots never added): the
    # clean case must now fail as ANCHOR-PATH, naming both verdicts
    d, cases, known = corpus
    path = d / "cases.txt"
    path.write_text(cases["clean"])
    r = subprocess.run([str(DIFF), "--known", str(known), "--plant-anchor-fault",
                        str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout
    assert ("ANCHOR-PATH: case 0 (plain-ok) expected ok: certificate list ok [] "
            "/ TrustStore unknownAnchor") in r.stdout, r.stdout
    assert r.stdout.splitlines()[-1] == "chains-diff: 0 passed, 1 failed"


def test_stale_known_row_is_reported(corpus):
    d, cases, known = corpus
    stale = d / "stale.md"
    stale.write_text("## 5. absolute host names\n```known\n"
                     "0 plain-ok ok nameMismatch 5\n```\n")
    r, lines = run(d, stale, cases["clean"])
    assert r.returncode == 0
    assert "note: known difference for case 0 (plain-ok) no longer seen" in r.stdout


def test_bad_known_file_is_an_error(corpus):
    d, cases, _ = corpus
    bad = d / "bad.md"
    bad.write_text("## 5. x\n```known\n1 name-trailing-dot ok nameMismatch\n```\n")
    r, lines = run(d, bad, cases["clean"])
    assert r.returncode == 2 and "bad.md:3:" in r.stderr
    r, lines = run(d, d / "missing.md", cases["clean"])
    assert r.returncode == 2 and lines[-1] == "chains-diff: 0 passed, 1 failed"
