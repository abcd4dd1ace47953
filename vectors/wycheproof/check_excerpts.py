#!/usr/bin/python3
"""Checks the Wycheproof excerpts in this directory against OpenSSL
(python3-cryptography): every case the excerpt copied must get, from
OpenSSL, the verdict its "result" says ("acceptable" may go either way).
Covered: ChaCha20-Poly1305, X25519, Ed25519, ECDSA (DER and P1363), ECDH
(ecpoint), RSASSA-PSS and RSASSA-PKCS1-v1_5 verification; for every
group, the key encodings copied into the excerpt must agree.
A mismatch almost always means a value was mistyped when the excerpt was
made. A few cases where OpenSSL is knowingly more lenient or stricter than
Wycheproof are listed in KNOWN_OPENSSL (tcId -> explanation) and reported,
not counted as mismatches.

usage: /usr/bin/python3 vectors/wycheproof/check_excerpts.py [DIR]
Exit status 0 when every case agrees, 1 otherwise."""
import base64
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, x25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

HASHES = {"SHA-256": hashes.SHA256, "SHA-384": hashes.SHA384, "SHA-512": hashes.SHA512}

# (file, tcId) -> why OpenSSL's verdict differs from Wycheproof's "result".
KNOWN_OPENSSL = {}


def b(x):
    return bytes.fromhex(x)


def check_aead(g, t):
    """True = the case is a valid encryption according to OpenSSL."""
    if len(b(t["iv"])) != 12 or len(b(t["key"])) != 32:
        return False
    aead = ChaCha20Poly1305(b(t["key"]))
    ct, tag = b(t["ct"]), b(t["tag"])
    if len(tag) != 16:
        return False
    try:
        pt = aead.decrypt(b(t["iv"]), ct + tag, b(t["aad"]))
    except InvalidTag:
        return False
    assert pt == b(t["msg"]), "decrypts to another plaintext"
    assert aead.encrypt(b(t["iv"]), b(t["msg"]), b(t["aad"])) == ct + tag
    return True


def check_x25519(g, t):
    """OpenSSL refuses an all-zero shared secret; whatever it computes must
    be the file's "shared", whatever the verdict."""
    assert g["curve"] == "curve25519"
    priv = x25519.X25519PrivateKey.from_private_bytes(b(t["private"]))
    try:
        got = priv.exchange(x25519.X25519PublicKey.from_public_bytes(b(t["public"])))
    except ValueError:
        return False
    assert got == b(t["shared"]), f"OpenSSL computes {got.hex()}"
    return True


def b64url(x):
    return base64.urlsafe_b64encode(x).rstrip(b"=").decode()


def check_ed25519(g, t):
    pk = b(g["publicKey"]["pk"])
    if not g.get("_keys_checked"):
        # the key's other encodings copied into the excerpt must agree
        der = serialization.load_der_public_key(b(g["publicKeyDer"]))
        pem = serialization.load_pem_public_key(g["publicKeyPem"].encode())
        for k in (der, pem):
            assert k.public_bytes(serialization.Encoding.Raw,
                                  serialization.PublicFormat.Raw) == pk
        assert g["publicKeyJwk"]["x"] == b64url(pk)
        g["_keys_checked"] = True
    key = ed25519.Ed25519PublicKey.from_public_bytes(pk)
    try:
        key.verify(b(t["sig"]), b(t["msg"]))
        return True
    except InvalidSignature:
        return False


def check_ec_key(g):
    """The EC key's encodings in the group must all be the same point."""
    if g.get("_keys_checked"):
        return g["_key"]
    pk = g["publicKey"]
    assert pk["curve"] == "secp256r1"
    unc = b(pk["uncompressed"])
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unc)
    nums = key.public_numbers()
    assert int(pk["wx"], 16) == nums.x and int(pk["wy"], 16) == nums.y
    for k in (serialization.load_der_public_key(b(g["publicKeyDer"])),
              serialization.load_pem_public_key(g["publicKeyPem"].encode())):
        assert k.public_numbers() == nums
    if "publicKeyJwk" in g:
        assert g["publicKeyJwk"]["x"] == b64url(unc[1:33])
        assert g["publicKeyJwk"]["y"] == b64url(unc[33:])
    g["_keys_checked"], g["_key"] = True, key
    return key


def check_ecdsa(g, t, p1363):
    key = check_ec_key(g)
    h = HASHES[g["sha"]]()
    sig = b(t["sig"])
    if p1363:
        if len(sig) != 64:
            return False
        sig = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                   int.from_bytes(sig[32:], "big"))
    try:
        key.verify(sig, b(t["msg"]), ec.ECDSA(h))
        return True
    except InvalidSignature:
        return False


def check_ecdh(g, t):
    """Whatever OpenSSL computes must be the file's "shared"."""
    assert g["curve"] == "secp256r1" and g["encoding"] == "ecpoint"
    priv = ec.derive_private_key(int(t["private"], 16), ec.SECP256R1())
    try:
        pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b(t["public"]))
        got = priv.exchange(ec.ECDH(), pub)
    except ValueError:
        return False
    assert got == b(t["shared"]), f"OpenSSL computes {got.hex()}"
    return True


def check_rsa_key(g):
    """The RSA key's encodings in the group (DER SPKI, PEM, the bare
    RSAPublicKey publicKeyAsn, JWK) must all be the same key."""
    if g.get("_keys_checked"):
        return g["_key"]
    key = serialization.load_der_public_key(b(g["publicKeyDer"]))
    nums = key.public_numbers()
    assert nums.n == int(g["publicKey"]["modulus"], 16)
    assert nums.e == int(g["publicKey"]["publicExponent"], 16)
    assert serialization.load_pem_public_key(g["publicKeyPem"].encode()).public_numbers() == nums
    if "publicKeyAsn" in g:
        assert serialization.load_der_public_key(b(g["publicKeyDer"])).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1) == b(g["publicKeyAsn"])
    jwk = g.get("publicKeyJwk", g.get("keyJwk"))  # the older files say keyJwk
    if jwk is not None:
        def be(i):
            return i.to_bytes((i.bit_length() + 7) // 8, "big")
        assert jwk["kty"] == "RSA"
        assert jwk["n"] == b64url(be(nums.n)) and jwk["e"] == b64url(be(nums.e))
    if "keySize" in g:
        assert nums.n.bit_length() == g["keySize"]
    g["_keys_checked"], g["_key"] = True, key
    return key


def check_rsa_pss(g, t):
    key = check_rsa_key(g)
    assert g["mgf"] == "MGF1"
    pad = padding.PSS(mgf=padding.MGF1(HASHES[g["mgfSha"]]()), salt_length=g["sLen"])
    try:
        key.verify(b(t["sig"]), b(t["msg"]), pad, HASHES[g["sha"]]())
        return True
    except InvalidSignature:
        return False


def check_rsa_pkcs1(g, t):
    key = check_rsa_key(g)
    try:
        key.verify(b(t["sig"]), b(t["msg"]), padding.PKCS1v15(), HASHES[g["sha"]]())
        return True
    except InvalidSignature:
        return False


CHECKERS = {
    ("RSASSA-PSS", "rsassa_pss_verify_schema.json"): check_rsa_pss,
    ("RSASSA-PKCS1-v1_5", "rsassa_pkcs1_verify_schema.json"): check_rsa_pkcs1,
    ("ECDH", "ecdh_ecpoint_test_schema.json"): check_ecdh,
    ("ECDSA", "ecdsa_p1363_verify_schema_v1.json"): lambda g, t: check_ecdsa(g, t, True),
    ("ECDSA", "ecdsa_verify_schema.json"): lambda g, t: check_ecdsa(g, t, False),
    "EDDSA": check_ed25519,
    "CHACHA20-POLY1305": check_aead,
    "XDH": check_x25519,
}


def main():
    d = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    bad = 0
    total = 0
    for path in sorted(d.glob("*.json")):
        data = json.loads(path.read_text())
        alg = data["algorithm"]
        schema = data.get("schema", "")
        checker = CHECKERS.get((alg, schema)) or CHECKERS.get(alg)
        if checker is None:
            print(f"{path.name}: no checker for {alg} / {schema}")
            bad += 1
            continue
        n = 0
        for g in data["testGroups"]:
            for t in g["tests"]:
                n += 1
                where = f"{path.name} tcId {t['tcId']} ({t['comment']}; {t['flags']})"
                try:
                    got = checker(g, t)
                    err = None
                except Exception as e:  # an exception is a mismatch
                    got, err = None, e
                res = t["result"]
                known = KNOWN_OPENSSL.get((path.name, t["tcId"]))
                if err is not None:
                    print(f"MISMATCH {where}: {type(err).__name__}: {err}")
                    bad += 1
                elif res == "acceptable":
                    continue
                elif got != (res == "valid"):
                    if known:
                        print(f"known: {where}: OpenSSL says "
                              f"{'valid' if got else 'invalid'}, Wycheproof {res}: {known}")
                    else:
                        print(f"MISMATCH {where}: OpenSSL says "
                              f"{'valid' if got else 'invalid'}, Wycheproof {res}")
                        bad += 1
                elif known:
                    print(f"STALE known entry {where}: OpenSSL agrees now")
                    bad += 1
        total += n
        print(f"{path.name}: {n} cases checked")
    print(f"{total} cases, {bad} mismatch(es)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
