"""build/captls-shim: the conformance line protocol (conformance/SHIM.md).

Published vectors (RFC 5869, RFC 7748, RFC 8032, RFC 8439, the GCM paper)
from vectors/, answers cross-checked with Python's hashlib/hmac and
python3-cryptography for random inputs, every error of the vocabulary, and
the framing contract: exactly one answer line per input line whatever the
input (garbage, binary junk, NULs, CRLF, over-long lines, a last line
without newline, empty lines), flushed per line so a driver can
interleave."""
import hashlib
import hmac
import os
import random
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIM = Path(os.environ.get("CAPTLS_SHIM", ROOT / "build" / "captls-shim"))
VECTORS = ROOT / "vectors"
MAX_LINE = 1 << 20


def shim_bytes(data: bytes, timeout=60) -> bytes:
    if not SHIM.exists():
        pytest.fail(f"{SHIM} is not built (make all)")
    r = subprocess.run([str(SHIM)], input=data, capture_output=True,
                       timeout=timeout)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    return r.stdout


def expected_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def ask_raw(data: bytes):
    out = shim_bytes(data)
    assert out == b"" or out.endswith(b"\n")
    answers = out.decode("ascii").split("\n")[:-1] if out else []
    assert len(answers) == expected_lines(data), (data[:200], answers[:20])
    return answers


def ask(*lines):
    return ask_raw("".join(ln + "\n" for ln in lines).encode())


def ask1(line):
    (a,) = ask(line)
    return a


def h(b: bytes) -> str:
    return b.hex() if b else "-"


def blocks(name):
    """key: value blocks of a vectors/ file, separated by blank lines."""
    path = VECTORS / name
    if not path.exists():
        path = Path("/work/shared/vectors") / name
    out, cur = [], {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if cur:
                out.append(cur)
            cur = {}
            continue
        k, _, v = raw.partition(":")
        cur[k.strip()] = v.strip()
    if cur:
        out.append(cur)
    return out


# ------------------------------------------------------------- hashes

ABC = {
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "sha384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7",
    "sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
}


@pytest.mark.parametrize("alg", ["sha256", "sha384", "sha512"])
def test_hash_fips_abc_and_random(alg):
    assert ask1(f"{alg} 616263") == ABC[alg]
    rnd = random.Random(alg)
    msgs = [b""] + [rnd.randbytes(rnd.randrange(0, 3000)) for _ in range(60)]
    answers = ask(*[f"{alg} {h(m)}" for m in msgs])
    assert answers == [hashlib.new(alg, m).hexdigest() for m in msgs]


def test_hmac_rfc4231_and_random():
    # RFC 4231 test cases 1 and 2
    assert ask1("hmac-sha256 " + "0b" * 20 + " 4869205468657265") == \
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert ask1("hmac-sha256 4a656665 "
                "7768617420646f2079612077616e7420666f72206e6f7468696e673f") == \
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    rnd = random.Random(4231)
    cases = [(rnd.randbytes(rnd.randrange(0, 200)),
              rnd.randbytes(rnd.randrange(0, 500))) for _ in range(60)]
    answers = ask(*[f"hmac-sha256 {h(k)} {h(m)}" for k, m in cases])
    assert answers == [hmac.new(k, m, "sha256").hexdigest() for k, m in cases]


def test_hkdf_rfc5869():
    vs = blocks("rfc5869-hkdf-sha256.txt")
    assert len(vs) == 3
    for v in vs:
        line = f"hkdf-sha256 {v['IKM'] or '-'} {v['salt'] or '-'} " \
               f"{v['info'] or '-'} {v['L']}"
        assert ask1(line) == v["OKM"], v["case"]


def test_hkdf_lengths():
    a = ask("hkdf-sha256 00 - - 0", "hkdf-sha256 00 - - 8160",
            "hkdf-sha256 00 - - 8161", "hkdf-sha256 00 - - 99999999999999999999999")
    assert a[0] == "-"
    assert len(a[1]) == 2 * 8160
    assert a[2] == "invalid"
    assert a[3] == "invalid"


# ------------------------------------------------------------- AEAD

def aead_vectors():
    out = []
    for v in blocks("gcm-test-cases.txt"):
        if len(v["IV"]) != 24:
            continue  # 8- and 60-byte IVs: not expressible (12-byte nonces)
        alg = "aes-128-gcm" if len(v["K"]) == 32 else "aes-256-gcm"
        out.append((alg, v))
    for v in blocks("rfc8439-aead.txt"):
        out.append(("chacha20-poly1305", v))
    return out


def test_aead_published_vectors():
    vs = aead_vectors()
    assert len(vs) >= 9
    for alg, v in vs:
        key, iv, aad, pt = v["K"], v["IV"], v["A"] or "-", v["P"] or "-"
        ct_tag = v["C"] + v["T"]
        assert ask1(f"aead-seal {alg} {key} {iv} {aad} {pt}") == ct_tag
        assert ask1(f"aead-open {alg} {key} {iv} {aad} {ct_tag}") == pt
        bad = ct_tag[:-1] + ("0" if ct_tag[-1] != "0" else "1")
        assert ask1(f"aead-open {alg} {key} {iv} {aad} {bad}") == "invalid"


def test_aead_against_cryptography():
    aead = pytest.importorskip("cryptography.hazmat.primitives.ciphers.aead")
    rnd = random.Random(8439)
    lines, want = [], []
    for alg, klen, cls in [("aes-128-gcm", 16, aead.AESGCM),
                           ("aes-256-gcm", 32, aead.AESGCM),
                           ("chacha20-poly1305", 32, aead.ChaCha20Poly1305)]:
        for _ in range(20):
            k, n = rnd.randbytes(klen), rnd.randbytes(12)
            a, p = rnd.randbytes(rnd.randrange(0, 40)), rnd.randbytes(rnd.randrange(0, 300))
            ct = cls(k).encrypt(n, p, a)
            lines += [f"aead-seal {alg} {h(k)} {h(n)} {h(a)} {h(p)}",
                      f"aead-open {alg} {h(k)} {h(n)} {h(a)} {h(ct)}",
                      f"aead-open {alg} {h(k)} {h(n)} {h(a)} {h(ct[:-1])}",
                      f"aead-open {alg} {h(k)} {h(n)} {h(a + b'x')} {h(ct)}"]
            want += [ct.hex(), h(p), "invalid", "invalid"]
    assert ask(*lines) == want


def test_aead_open_short_is_invalid():
    k, n = "00" * 16, "00" * 12
    assert ask("aead-open aes-128-gcm %s %s - -" % (k, n),
               "aead-open aes-128-gcm %s %s - %s" % (k, n, "00" * 15)) == \
        ["invalid", "invalid"]


# ------------------------------------------------------------- X25519

def test_x25519_rfc7748():
    vs = blocks("rfc7748-x25519.txt")
    plain = [v for v in vs if "vector" in v]
    assert len(plain) == 2
    for v in plain:
        assert ask1(f"x25519 {v['scalar']} {v['u']}") == v["output"]
    iters = {int(v["iterations"]): v["k"] for v in vs if "iterations" in v}
    base = "09" + "00" * 31
    assert ask1(f"x25519 {base} {base}") == iters[1]
    dh = [v for v in vs if "alice_private" in v][0]
    assert ask("x25519 %s 09%s" % (dh["alice_private"], "00" * 31),
               "x25519 %s 09%s" % (dh["bob_private"], "00" * 31),
               "x25519 %s %s" % (dh["alice_private"], dh["bob_public"]),
               "x25519 %s %s" % (dh["bob_private"], dh["alice_public"])) == \
        [dh["alice_public"], dh["bob_public"], dh["shared"], dh["shared"]]


def test_x25519_iterated_1000_interleaved():
    """1000 dependent requests over one pipe: each answer must arrive
    before the next request can be written (proves per-line flushing)."""
    vs = blocks("rfc7748-x25519.txt")
    want = {int(v["iterations"]): v["k"] for v in vs if "iterations" in v}
    p = subprocess.Popen([str(SHIM)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        k = u = "09" + "00" * 31
        for i in range(1, 1001):
            p.stdin.write(f"x25519 {k} {u}\n")
            p.stdin.flush()
            k, u = p.stdout.readline().strip(), k
            if i in want:
                assert k == want[i], i
        p.stdin.close()
        assert p.wait(timeout=30) == 0
    finally:
        p.kill()


def test_x25519_low_order_is_invalid():
    scalar = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    low = ["00" * 32, "01" + "00" * 31,
           "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
           "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
           "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"]
    assert ask(*[f"x25519 {scalar} {u}" for u in low]) == ["invalid"] * len(low)


# ------------------------------------------------------------- Ed25519

def test_ed25519_rfc8032():
    vs = blocks("rfc8032-ed25519.txt")
    assert len(vs) == 5
    for v in vs:
        seed, pub, msg, sig = v["secret"], v["public"], v["message"] or "-", v["signature"]
        assert ask(f"ed25519-pub {seed}", f"ed25519-sign {seed} {msg}",
                   f"ed25519-verify {pub} {msg} {sig}") == [pub, sig, "valid"]
        badsig = sig[:2] + ("%02x" % (int(sig[2:4], 16) ^ 1)) + sig[4:]
        badmsg = (msg + "00") if msg != "-" else "00"
        assert ask(f"ed25519-verify {pub} {msg} {badsig}",
                   f"ed25519-verify {pub} {badmsg} {sig}",
                   f"ed25519-verify {pub} {msg} {sig[:-2]}",
                   f"ed25519-verify {pub} {msg} {sig}00",
                   f"ed25519-verify {pub} {msg} -") == ["invalid"] * 5


L = 2**252 + 27742317777372353535851937790883648493


def test_ed25519_strictness():
    v = blocks("rfc8032-ed25519.txt")[0]
    pub, sig = v["public"], v["signature"]
    s = int.from_bytes(bytes.fromhex(sig[64:]), "little")
    # S + L: the same signature, non-canonical: strict verifiers reject it
    s_plus_l = (s + L).to_bytes(32, "little").hex()
    # small-order public key (the identity point, y = 1)
    ident = "01" + "00" * 31
    # y = p (non-canonical encoding of y = 0), p = 2^255 - 19
    noncanon = "ed" + "ff" * 30 + "7f"
    assert ask(f"ed25519-verify {pub} - {sig[:64]}{s_plus_l}",
               f"ed25519-verify {ident} - {sig}",
               f"ed25519-verify {noncanon} - {sig}") == ["invalid"] * 3


def test_ed25519_against_cryptography():
    ed = pytest.importorskip(
        "cryptography.hazmat.primitives.asymmetric.ed25519")
    ser = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    rnd = random.Random(8032)
    lines, want = [], []
    for _ in range(40):
        seed, msg = rnd.randbytes(32), rnd.randbytes(rnd.randrange(0, 200))
        k = ed.Ed25519PrivateKey.from_private_bytes(seed)
        pub = k.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
        sig = k.sign(msg)
        lines += [f"ed25519-pub {seed.hex()}", f"ed25519-sign {seed.hex()} {h(msg)}",
                  f"ed25519-verify {pub.hex()} {h(msg)} {sig.hex()}"]
        want += [pub.hex(), sig.hex(), "valid"]
    assert ask(*lines) == want


# ------------------------------------------------------------- ECDSA, RSA

def test_ecdsa_against_cryptography():
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    from cryptography.hazmat.primitives import hashes, serialization as ser
    rnd = random.Random(5480)
    lines, want = [], []
    for curve, cname in [(ec.SECP256R1(), "p256"), (ec.SECP384R1(), "p384")]:
        k = ec.generate_private_key(curve)
        point = k.public_key().public_bytes(ser.Encoding.X962,
                                            ser.PublicFormat.UncompressedPoint)
        for hname, hobj in [("sha256", hashes.SHA256()), ("sha384", hashes.SHA384()),
                            ("sha512", hashes.SHA512())]:
            for _ in range(4):
                msg = rnd.randbytes(rnd.randrange(0, 100))
                sig = k.sign(msg, ec.ECDSA(hobj))
                lines += [f"ecdsa-verify {cname} {hname} {point.hex()} {h(msg)} {sig.hex()}",
                          f"ecdsa-verify {cname} {hname} {point.hex()} {h(msg + b'!')} {sig.hex()}",
                          f"ecdsa-verify {cname} {hname} {point.hex()} {h(msg)} {sig[:-1].hex()}",
                          f"ecdsa-verify {cname} {hname} {point.hex()} {h(msg)} -"]
                want += ["valid", "invalid", "invalid", "invalid"]
        # a well-formed point that is not on the curve: invalid, not error
        off = bytearray(point)
        off[-1] ^= 1
        lines.append(f"ecdsa-verify {cname} sha256 {off.hex()} - {sig.hex()}")
        want.append("invalid")
    assert ask(*lines) == want


def rsa_key(bits):
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    from cryptography.hazmat.primitives import serialization as ser
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    spki = k.public_key().public_bytes(ser.Encoding.DER,
                                       ser.PublicFormat.SubjectPublicKeyInfo)
    return k, spki


def test_rsa_against_cryptography():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    hs = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
    rnd = random.Random(8017)
    lines, want = [], []
    for bits in (2048, 3072):
        k, spki = rsa_key(bits)
        for hname, hobj in hs.items():
            msg = rnd.randbytes(rnd.randrange(0, 100))
            sig = k.sign(msg, padding.PKCS1v15(), hobj)
            lines += [f"rsa-pkcs1-verify {hname} {spki.hex()} {h(msg)} {sig.hex()}",
                      f"rsa-pkcs1-verify {hname} {spki.hex()} {h(msg + b'!')} {sig.hex()}",
                      f"rsa-pkcs1-verify {hname} {spki.hex()} {h(msg)} {sig[1:].hex()}"]
            want += ["valid", "invalid", "invalid"]
            for mname, mobj in hs.items():
                salt = rnd.choice([0, 20, hobj.digest_size])
                sig = k.sign(msg, padding.PSS(padding.MGF1(mobj), salt), hobj)
                lines += [f"rsa-pss-verify {hname} {mname} {salt} {spki.hex()} {h(msg)} {sig.hex()}",
                          f"rsa-pss-verify {hname} {mname} {salt + 1} {spki.hex()} {h(msg)} {sig.hex()}",
                          f"rsa-pss-verify {hname} {mname} {salt} {spki.hex()} {h(msg + b'!')} {sig.hex()}"]
                want += ["valid", "invalid", "invalid"]
    assert ask(*lines) == want


# ------------------------------------------------------------- errors

K16, K32, N12 = "00" * 16, "00" * 32, "00" * 12
ED_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

ERRORS = [
    ("", "error: empty line"),
    (" \t ", "error: empty line"),
    ("frobnicate 00", "error: unknown operation"),
    ("SHA256 00", "error: unknown operation"),
    ("sha256", "error: sha256 takes 1 argument"),
    ("sha256 00 00", "error: sha256 takes 1 argument"),
    ("sha256 1 2 3 4 5 6 7 8 9", "error: sha256 takes 1 argument"),
    ("hmac-sha256 00", "error: hmac-sha256 takes 2 arguments"),
    ("rsa-pss-verify sha256", "error: rsa-pss-verify takes 6 arguments"),
    ("sha256 abc", "error: MSG: odd-length hex"),
    ("sha256 0g", "error: MSG: bad hex"),
    ("sha256 AB", "error: MSG: bad hex"),
    ("sha256 --", "error: MSG: bad hex"),
    ("sha256 0x00", "error: MSG: bad hex"),
    ("hmac-sha256 zz 00", "error: KEY: bad hex"),
    ("hkdf-sha256 - - - -1", "error: LEN: bad number"),
    ("hkdf-sha256 - - - 12a", "error: LEN: bad number"),
    ("hkdf-sha256 - 0 - 1", "error: SALT: odd-length hex"),
    (f"aead-seal aes-512-gcm {K16} {N12} - -", "error: ALG: unknown aead"),
    (f"aead-seal aes-128-gcm {K32} {N12} - -", "error: KEY: wrong length"),
    (f"aead-seal aes-256-gcm {K16} {N12} - -", "error: KEY: wrong length"),
    (f"aead-seal chacha20-poly1305 {K16} {N12} - -", "error: KEY: wrong length"),
    (f"aead-open aes-128-gcm {K16} {'00' * 8} - -", "error: NONCE: wrong length"),
    (f"aead-seal aes-128-gcm {K16} - - -", "error: NONCE: wrong length"),
    (f"x25519 {K16} {K32}", "error: SCALAR: wrong length"),
    (f"x25519 {K32} {K32}00", "error: UCOORD: wrong length"),
    (f"ed25519-pub {K16}", "error: SEED: wrong length"),
    ("ed25519-sign - -", "error: SEED: wrong length"),
    (f"ed25519-verify {ED_PUB}00 - {'00' * 64}", "error: PUB: wrong length"),
    (f"ecdsa-verify p521 sha256 04{'00' * 64} - 00", "error: CURVE: unknown curve"),
    (f"ecdsa-verify p256 md5 04{'00' * 64} - 00", "error: HASH: unknown hash"),
    (f"ecdsa-verify p256 sha256 04{'00' * 96} - 00", "error: POINT: wrong length"),
    (f"ecdsa-verify p384 sha256 04{'00' * 64} - 00", "error: POINT: wrong length"),
    (f"ecdsa-verify p256 sha256 02{'00' * 32} - 00", "error: POINT: wrong length"),
    (f"ecdsa-verify p256 sha256 02{'00' * 64} - 00", "error: POINT: not uncompressed"),
    ("rsa-pkcs1-verify sha1 3000 - 00", "error: HASH: unknown hash"),
    ("rsa-pkcs1-verify sha256 3000 - 00", "error: SPKI: malformed"),
    ("rsa-pss-verify sha256 shake 32 3000 - 00", "error: MGFHASH: unknown hash"),
    ("rsa-pss-verify sha256 sha256 x 3000 - 00", "error: SALTLEN: bad number"),
]


@pytest.mark.parametrize("line,answer", ERRORS, ids=[a for _, a in ERRORS])
def test_error_vocabulary(line, answer):
    assert ask1(line) == answer


def test_all_errors_in_one_session_keep_alignment():
    lines = [ln for ln, _ in ERRORS]
    assert ask(*lines) == [a for _, a in ERRORS]


def test_rsa_spki_errors():
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    from cryptography.hazmat.primitives import serialization as ser
    k = ec.generate_private_key(ec.SECP256R1())
    spki = k.public_key().public_bytes(ser.Encoding.DER,
                                       ser.PublicFormat.SubjectPublicKeyInfo)
    _, rsa_spki = rsa_key(2048)
    assert ask(f"rsa-pkcs1-verify sha256 {spki.hex()} - 00",
               f"rsa-pkcs1-verify sha256 {rsa_spki.hex()}00 - 00",
               f"rsa-pkcs1-verify sha256 {rsa_spki[:-1].hex()} - 00",
               f"rsa-pkcs1-verify sha256 {rsa_spki.hex()} - 00") == \
        ["error: SPKI: not an rsa key", "error: SPKI: malformed",
         "error: SPKI: malformed", "invalid"]


# ------------------------------------------------------------- framing

def test_crlf_and_last_line_without_newline():
    out = ask_raw(b"sha256 616263\r\nsha384 616263\r\n\r\nsha512 616263")
    assert out == [ABC["sha256"], ABC["sha384"], "error: empty line", ABC["sha512"]]


def test_blank_separators():
    assert ask1("  sha256\t\t616263   ") == ABC["sha256"]


def test_empty_input_gives_no_output():
    assert shim_bytes(b"") == b""


def test_only_newlines():
    assert ask_raw(b"\n\n\n") == ["error: empty line"] * 3


def test_line_length_limit_and_resync():
    # exactly at the limit: accepted (hex of half the bytes)
    prefix = b"sha256 "
    n = (MAX_LINE - len(prefix)) // 2
    msg = bytes(range(256)) * (n // 256) + bytes(n % 256)
    line = prefix + msg.hex().encode()
    assert len(line) <= MAX_LINE
    pad = MAX_LINE - len(line)  # trailing blanks fill the line exactly
    exact = line + b" " * pad
    assert len(exact) == MAX_LINE
    over = exact + b" "
    overcr = exact + b"\r"  # CR is not part of the line: still fits
    out = ask_raw(exact + b"\n" + over + b"\n" + overcr + b"\n" +
                  b"sha256 616263\n" + b"x" * (3 * MAX_LINE) + b"\nsha256 -")
    assert out == [hashlib.sha256(msg).hexdigest(), "error: line too long",
                   hashlib.sha256(msg).hexdigest(), ABC["sha256"],
                   "error: line too long",
                   hashlib.sha256(b"").hexdigest()]


def test_unterminated_too_long_last_line():
    assert ask_raw(b"sha256 -\n" + b"0" * (MAX_LINE + 5)) == \
        [hashlib.sha256(b"").hexdigest(), "error: line too long"]


def test_large_aead_round_trip():
    pt = os.urandom(200_000)
    ct = ask1(f"aead-seal chacha20-poly1305 {K32} {N12} - {pt.hex()}")
    assert len(ct) == 2 * (len(pt) + 16)
    assert ask1(f"aead-open chacha20-poly1305 {K32} {N12} - {ct}") == pt.hex()


@pytest.mark.parametrize("seed", range(8))
def test_binary_junk_one_line_each(seed):
    rnd = random.Random(seed)
    data = rnd.randbytes(20000)
    # sprinkle newlines, CRs, NULs and fragments of real requests
    parts = []
    for _ in range(300):
        parts.append(rnd.choice([b"\n", b"\r\n", b"\0", b" ", b"sha256 ", b"-",
                                 b"x25519 ", b"aead-open ", b"00", b"\xff\xfe",
                                 data[rnd.randrange(0, 19000):][:rnd.randrange(0, 200)]]))
    junk = b"".join(parts)
    answers = ask_raw(junk)
    for a in answers:
        assert a.startswith("error: ") or a in ("valid", "invalid", "-") or \
            all(c in "0123456789abcdef" for c in a), a


def test_nul_inside_a_line():
    assert ask_raw(b"sha256\x00 00\nsha256 00\x00\n") == \
        ["error: unknown operation", "error: MSG: bad hex"]


def test_usage():
    r = subprocess.run([str(SHIM), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("usage: captls-shim")
    for op in ("sha256", "aead-open", "rsa-pss-verify", "ed25519-verify", "hmac-sha512",
               "hkdf-sha384", "ecdh", "ecdh-pub", "ecdsa-sign-p1363", "ecdsa-verify-p1363"):
        assert op in r.stdout
    r = subprocess.run([str(SHIM), "extra"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "" and "usage" in r.stderr


# ------------------------------------------- HMAC/HKDF SHA-384/512, ECDH, P1363
# (issue 16: the operations external crypto suites need next; answers
# checked against Python's hmac and python3-cryptography, i.e. OpenSSL)

HLEN = {"sha256": 32, "sha384": 48, "sha512": 64}


@pytest.mark.parametrize("alg", ["sha384", "sha512"])
def test_hmac_sha384_sha512(alg):
    # RFC 4231 test case 2 ("Jefe"), then random keys (longer than the
    # block too) and messages against Python's hmac
    jefe = {"sha384": "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec373"
                      "6322445e8e2240ca5e69e2c78b3239ecfab21649",
            "sha512": "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
                      "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b"
                      "636e070a38bce737"}
    assert ask1(f"hmac-{alg} 4a656665 "
                "7768617420646f2079612077616e7420666f72206e6f7468696e673f") == jefe[alg]
    rnd = random.Random(alg + "hmac")
    cases = [(rnd.randbytes(rnd.randrange(0, 300)),
              rnd.randbytes(rnd.randrange(0, 500))) for _ in range(60)]
    answers = ask(*[f"hmac-{alg} {h(k)} {h(m)}" for k, m in cases])
    assert answers == [hmac.new(k, m, alg).hexdigest() for k, m in cases]


@pytest.mark.parametrize("alg", ["sha384", "sha512"])
def test_hkdf_sha384_sha512_against_cryptography(alg):
    hkdf_mod = pytest.importorskip("cryptography.hazmat.primitives.kdf.hkdf")
    from cryptography.hazmat.primitives import hashes
    hobj = {"sha384": hashes.SHA384, "sha512": hashes.SHA512}[alg]
    rnd = random.Random(alg + "hkdf")
    lines, want = [], []
    limit = 255 * HLEN[alg]
    for i in range(40):
        ikm = rnd.randbytes(rnd.randrange(0, 80))
        salt = rnd.randbytes(rnd.choice([0, 1, 13, HLEN[alg], 200]))
        info = rnd.randbytes(rnd.randrange(0, 60))
        n = rnd.choice([1, 16, HLEN[alg], HLEN[alg] + 1, 1000, limit])
        okm = hkdf_mod.HKDF(hobj(), n, salt or None, info).derive(ikm)
        lines.append(f"hkdf-{alg} {h(ikm)} {h(salt)} {h(info)} {n}")
        want.append(okm.hex())
    lines += [f"hkdf-{alg} 00 - - 0", f"hkdf-{alg} 00 - - {limit + 1}"]
    want += ["-", "invalid"]
    assert ask(*lines) == want


def ec_curves():
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    return ec, [(ec.SECP256R1(), "p256", 32), (ec.SECP384R1(), "p384", 48)]


EC_ORDER = {
    "p256": 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
    "p384": int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                "581a0db248b0a77aecec196accc52973", 16),
}
EC_PRIME = {
    "p256": 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
    "p384": 2**384 - 2**128 - 2**96 + 2**32 - 1,
}


def ec_point(key):
    from cryptography.hazmat.primitives import serialization as ser
    return key.public_key().public_bytes(ser.Encoding.X962,
                                         ser.PublicFormat.UncompressedPoint)


def ec_scalar(key, size):
    return key.private_numbers().private_value.to_bytes(size, "big")


def test_ecdh_against_cryptography():
    ec, curves = ec_curves()
    lines, want = [], []
    for curve, cname, size in curves:
        for _ in range(12):
            a = ec.generate_private_key(curve)
            b = ec.generate_private_key(curve)
            lines += [f"ecdh-pub {cname} {ec_scalar(a, size).hex()}",
                      f"ecdh {cname} {ec_scalar(a, size).hex()} {ec_point(b).hex()}"]
            want += [ec_point(a).hex(), a.exchange(ec.ECDH(), b.public_key()).hex()]
    assert ask(*lines) == want


def test_ecdh_refuses_bad_peers_and_scalars():
    ec, curves = ec_curves()
    from cryptography.hazmat.primitives import serialization as ser
    for curve, cname, size in curves:
        a = ec.generate_private_key(curve)
        b = ec.generate_private_key(curve)
        x = ec_scalar(a, size).hex()
        pt = ec_point(b)
        off = bytearray(pt)
        off[-1] ^= 1
        comp = b.public_key().public_bytes(ser.Encoding.X962,
                                           ser.PublicFormat.CompressedPoint)
        p = EC_PRIME[cname]
        # x = p (a coordinate not below p) with the original y
        big_x = b"\x04" + p.to_bytes(size, "big") + pt[1 + size:]
        n = EC_ORDER[cname]
        lines = [f"ecdh {cname} {x} {off.hex()}",        # off the curve
                 f"ecdh {cname} {x} {comp.hex()}",       # compressed
                 f"ecdh {cname} {x} {pt[:-1].hex()}",    # truncated
                 f"ecdh {cname} {x} 00",                 # infinity
                 f"ecdh {cname} {x} -",
                 f"ecdh {cname} {x} {big_x.hex()}",
                 f"ecdh {cname} {bytes(size).hex()} {pt.hex()}",           # 0
                 f"ecdh {cname} {n.to_bytes(size, 'big').hex()} {pt.hex()}",  # n
                 f"ecdh-pub {cname} {bytes(size).hex()}",
                 f"ecdh {cname} {x[:-2]} {pt.hex()}",
                 f"ecdh-pub {cname} {x}00",
                 f"ecdh p521 {x} {pt.hex()}"]
        assert ask(*lines) == ["invalid"] * 9 + [
            "error: SCALAR: wrong length", "error: SCALAR: wrong length",
            "error: CURVE: unknown curve"], cname
        # n - 1 is the largest valid scalar: (n-1)G = -G
        assert ask1(f"ecdh-pub {cname} {(n - 1).to_bytes(size, 'big').hex()}") \
            .startswith("04")


def p1363(der_sig, size):
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    r, s = decode_dss_signature(der_sig)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def test_ecdsa_p1363_against_cryptography():
    ec, curves = ec_curves()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    hs = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
    rnd = random.Random(1363)
    for curve, cname, size in curves:
        k = ec.generate_private_key(curve)
        x, pt = ec_scalar(k, size).hex(), ec_point(k).hex()
        lines, want, signed = [], [], []
        for hname, hobj in hs.items():
            for _ in range(4):
                msg = rnd.randbytes(rnd.randrange(0, 100))
                sig = p1363(k.sign(msg, ec.ECDSA(hobj)), size)
                lines += [f"ecdsa-verify-p1363 {cname} {hname} {pt} {h(msg)} {sig.hex()}",
                          f"ecdsa-verify-p1363 {cname} {hname} {pt} {h(msg + b'!')} {sig.hex()}",
                          f"ecdsa-verify-p1363 {cname} {hname} {pt} {h(msg)} {sig[:-1].hex()}",
                          f"ecdsa-verify-p1363 {cname} {hname} {pt} {h(msg)} {sig.hex()}00",
                          f"ecdsa-verify-p1363 {cname} {hname} {pt} {h(msg)} -",
                          f"ecdsa-sign-p1363 {cname} {hname} {x} {h(msg)}"]
                want += ["valid", "invalid", "invalid", "invalid", "invalid", None]
                signed.append((hname, msg))
        answers = ask(*lines)
        mine = [a for a, w in zip(answers, want) if w is None]
        assert [a for a, w in zip(answers, want) if w is not None] == \
            [w for w in want if w is not None], cname
        # captls's signatures: verified by OpenSSL and by captls, and
        # deterministic (RFC 6979: the same request, the same answer)
        again = ask(*[f"ecdsa-sign-p1363 {cname} {hn} {x} {h(m)}" for hn, m in signed])
        assert again == mine
        for sig_hex, (hname, msg) in zip(mine, signed):
            sig = bytes.fromhex(sig_hex)
            assert len(sig) == 2 * size
            r, s = int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
            k.public_key().verify(encode_dss_signature(r, s), msg, ec.ECDSA(hs[hname]))
        assert ask(*[f"ecdsa-verify-p1363 {cname} {hn} {pt} {h(m)} {s}"
                     for s, (hn, m) in zip(mine, signed)]) == ["valid"] * len(mine)


def test_ecdsa_p1363_out_of_range_r_s():
    ec, curves = ec_curves()
    from cryptography.hazmat.primitives import hashes
    for curve, cname, size in curves:
        k = ec.generate_private_key(curve)
        pt = ec_point(k).hex()
        sig = p1363(k.sign(b"m", ec.ECDSA(hashes.SHA256())), size)
        r, s = sig[:size], sig[size:]
        n = EC_ORDER[cname].to_bytes(size, "big")
        s_plus_n = (int.from_bytes(s, "big") + EC_ORDER[cname])
        cases = [bytes(size) + s, r + bytes(size), n + s, r + n]
        if s_plus_n < 2 ** (8 * size):
            cases.append(r + s_plus_n.to_bytes(size, "big"))
        lines = [f"ecdsa-verify-p1363 {cname} sha256 {pt} 6d {c.hex()}" for c in cases]
        assert ask(*lines) == ["invalid"] * len(cases), cname
        assert ask1(f"ecdsa-verify-p1363 {cname} sha256 {pt} 6d {sig.hex()}") == "valid"


def test_ecdsa_sign_p1363_rfc6979_and_errors():
    # RFC 6979 A.2.5 (P-256, SHA-256, "sample"): the published signatures
    x = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
    sig = ask1(f"ecdsa-sign-p1363 p256 sha256 {x} {b'sample'.hex()}")
    assert sig == ("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                   "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")
    # RFC 6979 A.2.6 (P-384, SHA-384, "sample")
    x384 = ("6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d8"
            "96d5724e4c70a825f872c9ea60d2edf5")
    assert ask1(f"ecdsa-sign-p1363 p384 sha384 {x384} {b'sample'.hex()}") == (
        "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c"
        "81a648152e44acf96e36dd1e80fabe46"
        "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94f"
        "a329c145786e679e7b82c71a38628ac8")
    assert ask(f"ecdsa-sign-p1363 p256 sha256 {'00' * 32} 00",
               f"ecdsa-sign-p1363 p384 sha256 {'00' * 48} 00",
               f"ecdsa-sign-p1363 p256 sha256 {x}00 00",
               f"ecdsa-sign-p1363 p256 md5 {x} 00",
               f"ecdsa-sign-p1363 p224 sha256 {x} 00",
               f"ecdsa-verify-p1363 p256 sha256 {'04' + '00' * 63} 00 {'00' * 64}",
               f"ecdsa-verify-p1363 p256 sha256 {'02' + '00' * 64} 00 {'00' * 64}") == \
        ["invalid", "invalid", "error: SCALAR: wrong length",
         "error: HASH: unknown hash", "error: CURVE: unknown curve",
         "error: POINT: wrong length", "error: POINT: not uncompressed"]
