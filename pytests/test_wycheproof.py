"""Wycheproof test vectors through build/captls-shim (conformance/SHIM.md),
on every crypto dispatch tier: the CPU-selected one (CAPTLS_CRYPTO unset),
AVX-512 without IFMA (CAPTLS_CRYPTO=no-ifma), the AVX2 tier with AVX-512
hidden (CAPTLS_CRYPTO=no-avx512; the same as
the first on a CPU without AVX-512) and the portable one
(CAPTLS_CRYPTO=portable).

The vectors are vectors/wycheproof/*.json: excerpts of the upstream files
(same schema, a chosen subset of the test cases; see
vectors/wycheproof/README.md). With CAPTLS_WYCHEPROOF_DIR pointing at a
directory of complete upstream files (testvectors_v1/), the same driver
runs those instead. Files are recognised by their "algorithm" / "schema"
and group fields, not by name; a group whose parameters the shim cannot
express (another curve, hash, key size) is left out, and a file with no
usable group is not collected.

Every test case becomes shim request lines; one file is one batch (one
shim process) per dispatch path. Verdicts:

- "valid": the right answer ("valid", or the expected output bytes);
- "invalid": `invalid`. An `error:` answer is accepted only where
  SHIM.md makes the malformed thing an `error:` (the shape of a key or
  parameter) AND the case's flags say that this key or parameter is what
  is malformed. The mappings, all of them:
    * AEAD, flag InvalidNonceSize: the nonce is not 12 bytes, SHIM.md's
      `error: NONCE: wrong length`.
  Nothing else may be an `error:`: signatures, tags, ciphertexts and EC
  peer points are the things judged and get `invalid` (SHIM.md).
- "acceptable": either verdict, but an output must be the expected bytes,
  and never an `error:`.

A failure names the file, tcId, comment, flags, the request and the
answer."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIM = Path(os.environ.get("CAPTLS_SHIM", ROOT / "build" / "captls-shim"))
EXCERPTS = ROOT / "vectors" / "wycheproof"
VECTOR_DIR = Path(os.environ.get("CAPTLS_WYCHEPROOF_DIR") or EXCERPTS)

# CAPTLS_CRYPTO value per dispatch tier
PATHS = {"default": None, "no-ifma": "no-ifma", "no-avx512": "no-avx512",
         "portable": "portable"}

HASHES = {"SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
EC_CURVES = {"secp256r1": ("p256", 32), "secp384r1": ("p384", 48)}

# (flag, prefix of the `error:` answer SHIM.md gives for it); see the
# module docstring.
ERROR_OK = {
    "aead": [("InvalidNonceSize", "error: NONCE: wrong length")],
}


def h(x: str) -> str:
    """Wycheproof hex -> shim bytes argument."""
    return x.lower() if x else "-"


class Case:
    """One shim request and what it may be answered."""

    def __init__(self, t, line, kind, expect=None):
        self.t = t          # the Wycheproof test case
        self.line = line    # the request
        self.kind = kind    # "aead", "x25519", ...
        self.expect = expect  # expected output (hex or "-"), or None for a verdict

    def judge(self, answer):
        """None when the answer is right, else why it is not."""
        res = self.t["result"]
        if answer.startswith("error:"):
            if res == "invalid":
                for flag, prefix in ERROR_OK.get(self.kind, []):
                    if flag in self.t["flags"] and answer.startswith(prefix):
                        return None
            return f"{res} case answered {answer!r}"
        if answer == "invalid":
            return None if res in ("invalid", "acceptable") else "rejected a valid case"
        if self.expect is None:  # a verification: valid / invalid
            if answer != "valid":
                return f"not a verdict: {answer!r}"
            return None if res in ("valid", "acceptable") else "accepted an invalid case"
        if answer != self.expect:
            return f"wrong output {answer!r}, expected {self.expect!r}"
        return None if res in ("valid", "acceptable") else "produced an output for an invalid case"


# ------------------------------------------------------------ converters
# Each takes (file data, group) and returns a function test -> [Case], or
# None when the shim cannot express the group.

def conv_aead(data, g):
    if data["algorithm"] != "CHACHA20-POLY1305" or g.get("type") != "AeadTest":
        return None

    def cases(t):
        args = f"chacha20-poly1305 {h(t['key'])} {h(t['iv'])} {h(t['aad'])}"
        out = [Case(t, f"aead-open {args} {h(t['ct'] + t['tag'])}", "aead",
                    None if t["result"] == "invalid" else h(t["msg"]))]
        if t["result"] != "invalid":
            # sealing the plaintext must give the ciphertext and tag
            out.append(Case(t, f"aead-seal {args} {h(t['msg'])}", "aead",
                            h(t["ct"] + t["tag"])))
        return out
    return cases


def conv_x25519(data, g):
    if data["algorithm"] != "XDH" or g.get("type") != "XdhComp" or g.get("curve") != "curve25519":
        return None
    return lambda t: [Case(t, f"x25519 {h(t['private'])} {h(t['public'])}", "x25519",
                           h(t["shared"]))]


def conv_ed25519(data, g):
    if data["algorithm"] != "EDDSA" or g.get("type") != "EddsaVerify":
        return None
    if g["publicKey"].get("curve") != "edwards25519":
        return None
    pk = h(g["publicKey"]["pk"])
    return lambda t: [Case(t, f"ed25519-verify {pk} {h(t['msg'])} {h(t['sig'])}", "ed25519")]


def conv_ecdsa(data, g):
    if data["algorithm"] != "ECDSA" or g.get("type") not in ("EcdsaVerify", "EcdsaP1363Verify"):
        return None
    curve = EC_CURVES.get(g["publicKey"].get("curve"))
    hash_ = HASHES.get(g.get("sha"))
    if curve is None or hash_ is None:
        return None
    op = "ecdsa-verify-p1363" if g["type"] == "EcdsaP1363Verify" else "ecdsa-verify"
    point = h(g["publicKey"]["uncompressed"])
    return lambda t: [Case(t, f"{op} {curve[0]} {hash_} {point} {h(t['msg'])} {h(t['sig'])}",
                           "ecdsa")]


def conv_ecdh(data, g):
    # only the files whose public keys are bare SEC 1 points (…_ecpoint_test)
    if data["algorithm"] != "ECDH" or g.get("type") != "EcdhEcpointTest":
        return None
    curve = EC_CURVES.get(g.get("curve"))
    if curve is None:
        return None
    name, size = curve

    def cases(t):
        # Wycheproof writes the private key as an ASN.1 INTEGER's content
        # (a leading 00 when the top bit is set): the shim wants exactly the
        # field size, big-endian
        d = int(t["private"], 16)
        if d >= 1 << (8 * size):
            return []  # not expressible; no such case in the P-256/P-384 files
        scalar = d.to_bytes(size, "big").hex()
        return [Case(t, f"ecdh {name} {scalar} {h(t['public'])}", "ecdh", h(t["shared"]))]
    return cases


def conv_rsa(data, g):
    hash_ = HASHES.get(g.get("sha"))
    # the SPKI: "keyDer" in the newer files, "publicKeyDer" in the older ones
    der = g.get("keyDer", g.get("publicKeyDer"))
    if hash_ is None or der is None:
        return None
    key = h(der)
    if data["algorithm"] == "RSASSA-PKCS1-v1_5" and g.get("type") == "RsassaPkcs1Verify":
        return lambda t: [Case(t, f"rsa-pkcs1-verify {hash_} {key} {h(t['msg'])} {h(t['sig'])}",
                               "rsa")]
    if data["algorithm"] == "RSASSA-PSS" and g.get("type") == "RsassaPssVerify":
        mgf = HASHES.get(g.get("mgfSha"))
        if g.get("mgf") != "MGF1" or mgf is None:
            return None
        slen = int(g["sLen"])
        return lambda t: [Case(t, f"rsa-pss-verify {hash_} {mgf} {slen} {key} {h(t['msg'])} "
                                  f"{h(t['sig'])}", "rsa")]
    return None


CONVERTERS = [conv_aead, conv_x25519, conv_ed25519, conv_ecdsa, conv_ecdh, conv_rsa]


def convert(data):
    """All the cases of one file, and how many groups were left out."""
    cases, skipped = [], 0
    for g in data.get("testGroups", []):
        for conv in CONVERTERS:
            f = conv(data, g)
            if f is not None:
                for t in g["tests"]:
                    cases.extend(f(t))
                break
        else:
            skipped += 1
    return cases, skipped


def vector_files():
    out = []
    for p in sorted(VECTOR_DIR.glob("*.json")):
        try:
            data = json.loads(p.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(data, dict) or "testGroups" not in data:
            continue
        if convert(data)[0]:
            out.append(p.name)
    return out


FILES = vector_files()


def run_shim(lines, crypto):
    if not SHIM.exists():
        pytest.fail(f"{SHIM} is not built (make all)")
    env = dict(os.environ)
    env.pop("CAPTLS_CRYPTO", None)
    if crypto is not None:
        env["CAPTLS_CRYPTO"] = crypto
    data = "".join(ln + "\n" for ln in lines).encode()
    r = subprocess.run([str(SHIM)], input=data, capture_output=True, env=env,
                       timeout=600)
    assert r.returncode == 0, f"shim exited {r.returncode}: {r.stderr[-2000:]!r}"
    answers = r.stdout.decode("ascii").split("\n")
    assert answers[-1] == "" and len(answers) - 1 == len(lines), \
        f"{len(lines)} requests, {len(answers) - 1} answers"
    return answers[:-1]


def test_vector_files_found():
    """The excerpts are all recognised (a renamed field or a new file that
    the driver does not understand must not pass silently)."""
    assert FILES, f"no Wycheproof files in {VECTOR_DIR}"
    if VECTOR_DIR == EXCERPTS:
        names = {p.name for p in EXCERPTS.glob("*.json")}
        assert set(FILES) == names
        for name in names:
            data = json.loads((EXCERPTS / name).read_text())
            cases, skipped = convert(data)
            assert skipped == 0, f"{name}: {skipped} group(s) not understood"
            assert len({c.t["tcId"] for c in cases}) == data["numberOfTests"], name


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("name", FILES)
def test_wycheproof(name, path):
    data = json.loads((VECTOR_DIR / name).read_text())
    cases, _ = convert(data)
    answers = run_shim([c.line for c in cases], PATHS[path])
    failures = []
    for c, a in zip(cases, answers):
        why = c.judge(a)
        if why is not None:
            t = c.t
            req = c.line if len(c.line) <= 400 else c.line[:400] + "..."
            failures.append(f"{name} tcId {t['tcId']} ({t['result']}; comment "
                            f"{t['comment']!r}; flags {t['flags']}): {why}\n"
                            f"    request: {req}\n    answer:  {a}")
    assert not failures, (f"{len(failures)} of {len(cases)} requests failed "
                          f"(CAPTLS_CRYPTO={PATHS[path]}):\n" + "\n".join(failures))


def test_portable_path_is_selectable():
    """The portable parametrisation above only means something if the shim
    honours CAPTLS_CRYPTO. The project's one reader of the variable,
    captls_posix_crypto_from_env (port/posix/posix_port.c), warns on
    stderr about a value it does not know; a shim that calls it therefore
    says so for CAPTLS_CRYPTO=bogus, and a shim that never reads the
    variable stays silent."""
    if not SHIM.exists():
        pytest.fail(f"{SHIM} is not built (make all)")
    env = dict(os.environ, CAPTLS_CRYPTO="bogus")
    r = subprocess.run([str(SHIM)], input=b"sha256 -\n", capture_output=True,
                       env=env, timeout=60)
    assert r.returncode == 0
    assert r.stdout == b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    assert b"CAPTLS_CRYPTO=bogus ignored" in r.stderr, (
        "build/captls-shim does not read CAPTLS_CRYPTO (conformance/main_shim.c "
        "never calls captls_posix_crypto_from_env), so the 'portable' runs of "
        "test_wycheproof exercise the CPU-selected path again")
