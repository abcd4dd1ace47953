#!/usr/bin/python3
"""Generate the X.509 chain corpus for the differential runner.

Usage: gen_chains.py OUTDIR [--seed N] [--random N]

Writes OUTDIR/cases.txt (the line format conformance/chains_diff.c reads)
and OUTDIR/manifest.json (the same cases with PEM, for people and other
tools). Nothing here touches the network; Debian's python3-cryptography
is the only dependency.

Determinism: one seed drives everything. EC and Ed25519 keys are derived
from the seeded RNG, RSA keys from seeded prime searches, serials, names,
validity windows and case choices from the same RNG; so a seed always
yields the same logical corpus (ECDSA and RSA-PSS signatures are
randomised by the library, so bytes differ between runs, verdicts do not).

Every case is built to have exactly one reason to fail (or none): the
targeted categories exercise the edge cases of issue 5, the random
category draws a clean chain (key types, depth 1-6, validity windows
around the check time, SAN sets and hosts) and injects at most one
fault. The expected outcome is the seed's FailureReason name or `ok`.

Line format of cases.txt (one field per line, a case ends with `end`):
    case ID CATEGORY
    expect ok|REASON
    host NAME | ip ADDR | none
    purpose serverAuth|clientAuth|codeSigning
    at EPOCH_SECONDS
    maxchain N          (certificates in the path, leaf and anchor included)
    root HEX_DER        (zero or more)
    pool HEX_DER        (zero or more; untrusted intermediates, in order)
    preset NAME VERDICT (zero or more; gen_profile.py's per-preset verdicts)
    leaf HEX_DER
    end
"""
import datetime
import ipaddress
import warnings
import json
import os
import random
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

AT = 1750000000              # 2025-06-15T15:06:40Z, the check time
DAY = 86400
YEAR = 365 * DAY
DEFAULT_MAXCHAIN = 10        # leaf + 8 intermediates + anchor
SKEW = 0                     # the runner's policy clockSkewSeconds (every
                             # preset's since issue 16)
# Hashes per key kind for a normal signature.
HASH_FOR = {"p256": hashes.SHA256, "p384": hashes.SHA384,
            "rsa2048": hashes.SHA256, "rsa1024": hashes.SHA256,
            "ed25519": None}

# ------------------------------------------------------------------ keys
_SMALL_PRIMES = [p for p in range(3, 2000)
                 if all(p % q for q in range(2, int(p ** 0.5) + 1))]


def _probable_prime(n, rng):
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(16):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits, rng):
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (c - 1) % 65537 and _probable_prime(c, rng):
            return c


def _rsa_key(bits, rng):
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        if p == q:
            continue
        n = p * q
        if n.bit_length() != bits:
            continue
        d = pow(e, -1, (p - 1) * (q - 1))
        pub = rsa.RSAPublicNumbers(e, n)
        return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1),
                                     pow(q, -1, p), pub).private_key()


class Keys:
    """Fresh EC/Ed25519 keys per certificate; RSA keys from a small pool
    (prime searches cost ~0.5 s a key) with distinct keys inside a case."""
    RSA_POOL = {"rsa2048": 8, "rsa1024": 3}

    def __init__(self, rng):
        self.rng = rng
        self.pool = {k: [_rsa_key(int(k[3:]), random.Random(rng.random()))
                         for _ in range(n)] for k, n in self.RSA_POOL.items()}
        self.used = set()

    def new_case(self):
        self.used = set()

    def make(self, kind):
        r = self.rng
        if kind == "p256":
            return ec.derive_private_key(r.randrange(1, 2 ** 255), ec.SECP256R1())
        if kind == "p384":
            return ec.derive_private_key(r.randrange(1, 2 ** 383), ec.SECP384R1())
        if kind == "ed25519":
            return ed25519.Ed25519PrivateKey.from_private_bytes(
                bytes(r.getrandbits(8) for _ in range(32)))
        pool = self.pool[kind]
        free = [i for i in range(len(pool)) if (kind, i) not in self.used]
        i = r.choice(free) if free else r.randrange(len(pool))
        self.used.add((kind, i))
        return pool[i]


def kind_of(key):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "p384" if key.curve.name == "secp384r1" else "p256"
    return "rsa%d" % key.key_size


# ------------------------------------------------------------ tiny DER
def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, body):
    return bytes([tag]) + _der_len(len(body)) + body


def der_split(seq):
    """Children of a DER SEQUENCE (no nesting beyond one level)."""
    assert seq[0] == 0x30
    i = 1
    n = seq[i]
    i += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(seq[i:i + k], "big")
        i += k
    body, out, j = seq[i:i + n], [], 0
    while j < len(body):
        start = j
        j += 1
        n = body[j]
        j += 1
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(body[j:j + k], "big")
            j += k
        j += n
        out.append(body[start:j])
    return out


_SHA256_ALG = der(0x30, der(0x06, bytes.fromhex("608648016503040201")) + b"\x05\x00")
PSS_SHA256_ALG = der(0x30, der(0x06, bytes.fromhex("2a864886f70d01010a")) + der(
    0x30,
    der(0xA0, _SHA256_ALG) +
    der(0xA1, der(0x30, der(0x06, bytes.fromhex("2a864886f70d010108")) + _SHA256_ALG)) +
    der(0xA2, der(0x02, b"\x20"))))


def resign_pss(cert_der, issuer_key):
    """Re-sign a certificate with RSASSA-PSS (SHA-256, MGF1-SHA-256, salt
    32): python3-cryptography 38 cannot sign certificates with PSS."""
    tbs, _, _ = der_split(cert_der)
    parts = der_split(tbs)
    # TBSCertificate: [0] version, serial, signature AlgorithmIdentifier, ...
    parts[2] = PSS_SHA256_ALG
    tbs = der(0x30, b"".join(parts))
    sig = issuer_key.sign(tbs, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                          hashes.SHA256())
    return der(0x30, tbs + PSS_SHA256_ALG + der(0x03, b"\x00" + sig))


def corrupt_signature(cert_der):
    """Flip one bit in the middle of the signature value."""
    tbs, alg, bits = der_split(cert_der)
    b = bytearray(bits)
    b[len(b) - 8] ^= 0x01
    return der(0x30, tbs + alg + bytes(b))


# ---------------------------------------------------------- certificates
class Cert:
    def __init__(self, der_bytes, key, name, ski, kind):
        self.der = der_bytes
        self.key = key          # the subject's private key
        self.name = name        # x509.Name
        self.ski = ski
        self.kind = kind


def ts(sec):
    return datetime.datetime.utcfromtimestamp(sec)


def name(cn, org="captls chains"):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Builder:
    def __init__(self, rng, keys):
        self.rng = rng
        self.keys = keys

    def cert(self, cn, key_kind=None, key=None, issuer=None, ca=False,
             pathlen=None, nb=None, na=None, sans=None, eku=None,
             nc=None, extra=(), hash_cls="auto", pss=False, sign_key=None,
             corrupt=False, ku="auto", bc="auto", subject=None):
        """issuer None = self-signed. sign_key overrides the issuer's key
        (a wrong-key signature). Returns a Cert."""
        key = key or self.keys.make(key_kind)
        pub = key.public_key()
        subj = subject or name(cn)
        iss_name = issuer.name if issuer else subj
        iss_key = sign_key or (issuer.key if issuer else key)
        ski = x509.SubjectKeyIdentifier.from_public_key(pub)
        if nb is None:
            nb = AT - (5 * YEAR if ca else 30 * DAY)
        if na is None:
            na = AT + (8 * YEAR if ca else 60 * DAY)
        b = (x509.CertificateBuilder().subject_name(subj).issuer_name(iss_name)
             .public_key(pub).serial_number(self.rng.getrandbits(63) | 1)
             .not_valid_before(ts(nb)).not_valid_after(ts(na)))
        b = b.add_extension(ski, critical=False)
        aki_ski = issuer.ski if issuer else ski
        b = b.add_extension(x509.AuthorityKeyIdentifier(
            aki_ski.digest, None, None), critical=False)
        if bc == "auto":
            bc = True if ca else self.rng.random() < 0.5
        if bc:
            b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen if ca else None),
                                critical=True)
        if ku == "auto":
            if ca:
                ku = {"key_cert_sign": True, "crl_sign": True}
            elif kind_of(key).startswith("rsa"):
                ku = {"digital_signature": True, "key_encipherment": True}
            else:
                ku = {"digital_signature": True}
        if ku:
            flags = dict(digital_signature=False, content_commitment=False,
                         key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=False,
                         crl_sign=False, encipher_only=False, decipher_only=False)
            flags.update(ku)
            b = b.add_extension(x509.KeyUsage(**flags), critical=True)
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        if nc:
            b = b.add_extension(x509.NameConstraints(nc[0] or None, nc[1] or None),
                                critical=True)
        for ext, crit in extra:
            b = b.add_extension(ext, critical=crit)
        ik = kind_of(iss_key)
        if hash_cls == "auto":
            hash_cls = HASH_FOR[ik]
        algo = None if ik == "ed25519" else hash_cls()
        c = b.sign(iss_key, algo)
        d = c.public_bytes(serialization.Encoding.DER)
        if pss:
            d = resign_pss(d, iss_key)
        if corrupt:
            d = corrupt_signature(d)
        return Cert(d, key, subj, ski, kind_of(key))


SERVER = [ExtendedKeyUsageOID.SERVER_AUTH]
CLIENT = [ExtendedKeyUsageOID.CLIENT_AUTH]
CODE = [ExtendedKeyUsageOID.CODE_SIGNING]
UNKNOWN_CRITICAL = x509.UnrecognizedExtension(
    ObjectIdentifier("1.3.6.1.4.1.55555.1.1"), b"\x05\x00")

KINDS = ["p256", "p384", "ed25519", "rsa2048"]


# ------------------------------------------------------- host matching
def dns_match(pattern, host):
    """RFC 6125 §6.4 as issue 5 asks: case-insensitive, wildcard only as
    the whole leftmost label, matching one label, and not directly above a
    single-label suffix (`*.com`)."""
    p, h = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if "*" not in p:
        return p == h
    pl, hl = p.split("."), h.split(".")
    if pl[0] != "*" or "*" in ".".join(pl[1:]) or len(pl) < 3:
        return False
    return len(hl) == len(pl) and hl[1:] == pl[1:] and hl[0] != ""


def host_matches(sans, host, is_ip):
    for s in sans:
        if is_ip and isinstance(s, x509.IPAddress):
            if s.value == ipaddress.ip_address(host):
                return True
        if not is_ip and isinstance(s, x509.DNSName) and dns_match(s.value, host):
            return True
    return False


# ---------------------------------------------------------------- cases
class Corpus:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.keys = Keys(self.rng)
        self.b = Builder(self.rng, self.keys)
        self.cases = []

    def add(self, category, expect, leaf, roots, pool, host=None, ip=None,
            purpose="serverAuth", at=AT, maxchain=DEFAULT_MAXCHAIN):
        self.cases.append(dict(
            id=len(self.cases), category=category, expect=expect,
            host=host, ip=ip, purpose=purpose, at=at, maxchain=maxchain,
            roots=[c.der for c in roots], pool=[c.der for c in pool],
            leaf=leaf.der))

    def tag(self):
        return "c%d" % len(self.cases)

    def chain(self, kinds, leaf_kind=None, sans=None, eku=SERVER, leaf_kw=None,
              ca_kw=None, hash_cls="auto", pss=False):
        """A clean root -> intermediates -> leaf chain; kinds[0] is the root's
        key kind, kinds[1:] the intermediates'. Returns (root, inters, leaf,
        host)."""
        self.keys.new_case()
        t = self.tag()
        host = "www.%s.example" % t
        if sans is None:
            sans = [x509.DNSName(host)]
        ca_kw = ca_kw or {}
        rkw = dict(nb=AT - 10 * YEAR, na=AT + 10 * YEAR)
        rkw.update(ca_kw.get(0, {}))
        root = self.b.cert("%s Root" % t, kinds[0], ca=True, **rkw)
        issuer, inters = root, []
        for i, k in enumerate(kinds[1:], 1):
            kw = dict(hash_cls=hash_cls, pss=pss and issuer.kind.startswith("rsa"), ca=True)
            kw.update(ca_kw.get(i, {}))
            c = self.b.cert("%s Intermediate %d" % (t, i), k, issuer=issuer, **kw)
            inters.append(c)
            issuer = c
        lk = leaf_kind or kinds[-1]
        kw = dict(hash_cls=hash_cls, pss=pss and issuer.kind.startswith("rsa"))
        kw.update(leaf_kw or {})
        leaf = self.b.cert("%s leaf" % t, lk, issuer=issuer, sans=sans, eku=eku, **kw)
        inters.reverse()   # pool order: closest to the leaf first
        return root, inters, leaf, host

    def other_root(self, kind):
        """A root unrelated to the current case: its own name and a key not
        used elsewhere in the case."""
        self.others = getattr(self, "others", 0) + 1
        return self.b.cert("%s Other Root %d" % (self.tag(), self.others), kind, ca=True)

    def rk(self, n=1):
        return [self.rng.choice(KINDS) for _ in range(n)]

    # -- targeted categories ------------------------------------------
    def ok_basic(self):
        for kind in KINDS:
            for depth in range(1, 5):
                for _ in range(4):
                    r, p, l, h = self.chain([kind] * depth)
                    self.add("ok-%s-depth%d" % (kind, depth), "ok", l, [r], p, host=h)
        for _ in range(20):  # mixed key types
            r, p, l, h = self.chain(self.rk(self.rng.randint(2, 4)))
            self.add("ok-mixed", "ok", l, [r], p, host=h)
        for _ in range(10):  # RSA-PSS signatures
            r, p, l, h = self.chain(["rsa2048"] * self.rng.randint(2, 3), pss=True)
            self.add("ok-rsa-pss", "ok", l, [r], p, host=h)
        for _ in range(6):   # P-384 root signing with SHA-384 over a P-256 leaf
            r, p, l, h = self.chain(["p384", "p384"], leaf_kind="p256")
            self.add("ok-p384-over-p256", "ok", l, [r], p, host=h)
        for hc in (hashes.SHA384, hashes.SHA512):
            for _ in range(4):
                r, p, l, h = self.chain(["rsa2048", "rsa2048"], hash_cls=hc)
                self.add("ok-rsa-%s" % hc.name, "ok", l, [r], p, host=h)
        for _ in range(8):   # client auth, no host
            r, p, l, h = self.chain(self.rk(2), eku=CLIENT)
            self.add("ok-client", "ok", l, [r], p, purpose="clientAuth")
        for _ in range(8):   # both EKUs
            r, p, l, h = self.chain(self.rk(2), eku=SERVER + CLIENT)
            purpose = self.rng.choice(["serverAuth", "clientAuth"])
            self.add("ok-both-eku", "ok", l, [r], p,
                     host=h if purpose == "serverAuth" else None, purpose=purpose)
        for _ in range(6):   # code signing
            r, p, l, h = self.chain(self.rk(2), eku=CODE)
            self.add("ok-codesign", "ok", l, [r], p, purpose="codeSigning")
        for _ in range(6):   # the pool holds unrelated junk too
            r, p, l, h = self.chain(self.rk(3))
            junk = [self.chain(self.rk(2))[1][0] for _ in range(3)]
            pool = p + junk
            self.rng.shuffle(pool)
            self.add("ok-noisy-pool", "ok", l, [r], pool, host=h)
        for _ in range(6):   # several roots, one the right one
            r, p, l, h = self.chain(self.rk(2))
            others = [self.other_root(self.rk(1)[0]) for _ in range(3)]
            roots = others + [r]
            self.rng.shuffle(roots)
            self.add("ok-many-roots", "ok", l, roots, p, host=h)
        for _ in range(6):   # several roots with the right root's name, other keys
            r, p, l, h = self.chain(self.rk(2))
            others = [self.b.cert("", self.rng.choice(KINDS), ca=True, subject=r.name)
                      for _ in range(2)]
            roots = others + [r]
            self.rng.shuffle(roots)
            self.add("ok-roots-same-name", "ok", l, roots, p, host=h)
        for _ in range(6):   # GeneralizedTime validity (notAfter after 2049)
            r, p, l, h = self.chain(self.rk(2), ca_kw={0: {"na": 2600000000}})
            self.add("ok-generalizedtime", "ok", l, [r], p, host=h)

    def unknown_anchor(self):
        for kind in KINDS:
            for _ in range(6):   # root not among the roots
                r, p, l, h = self.chain([kind] * 3)
                other = self.other_root(kind)
                self.add("unknown-wrong-root", "unknownAnchor", l, [other], p, host=h)
            for _ in range(4):   # intermediate missing from the pool
                r, p, l, h = self.chain([kind] * 3)
                self.add("unknown-missing-intermediate", "unknownAnchor", l, [r], p[1:], host=h)
            for _ in range(3):   # self-signed leaf, not trusted
                self.keys.new_case()
                t = self.tag()
                h = "www.%s.example" % t
                l = self.b.cert("%s self-signed" % t, kind, sans=[x509.DNSName(h)], eku=SERVER)
                r = self.other_root(kind)
                self.add("unknown-self-signed-leaf", "unknownAnchor", l, [r], [], host=h)
            for _ in range(3):   # no roots at all
                r, p, l, h = self.chain([kind] * 2)
                self.add("unknown-no-roots", "unknownAnchor", l, [], p + [r], host=h)
            for _ in range(2):   # same root name, different key
                r, p, l, h = self.chain([kind] * 2)
                imp = self.b.cert("", kind, ca=True, subject=r.name)
                self.add("unknown-root-name-other-key", "unknownAnchor", l, [imp], p, host=h)

    def loops(self):
        """A and B cross-certify each other; the leaf hangs under A; no
        anchor reachable. Also a loop with a real exit to a trusted root."""
        for n in range(24):
            self.keys.new_case()
            t = self.tag()
            h = "www.%s.example" % t
            ka, kb = self.rng.choice(KINDS), self.rng.choice(KINDS)
            a_key, b_key = self.keys.make(ka), self.keys.make(kb)
            a_self = self.b.cert("", key=a_key, ca=True, subject=name("%s CA A" % t))
            b_self = self.b.cert("", key=b_key, ca=True, subject=name("%s CA B" % t))
            a_by_b = self.b.cert("", key=a_key, issuer=b_self, ca=True, subject=a_self.name)
            b_by_a = self.b.cert("", key=b_key, issuer=a_self, ca=True, subject=b_self.name)
            leaf = self.b.cert("%s leaf" % t, self.rng.choice(KINDS), issuer=a_self,
                               sans=[x509.DNSName(h)], eku=SERVER)
            other_root = self.other_root(ka)
            if n % 2 == 0:
                self.add("loop-no-anchor", "unknownAnchor", leaf, [other_root],
                         [a_by_b, b_by_a], host=h)
            else:  # loop, but B is trusted: leaf <- A (by B) <- B
                self.add("loop-with-exit", "ok", leaf, [b_self], [b_by_a, a_by_b], host=h)

    def cross_signed(self):
        """An intermediate I (one key) certified by two roots R1 and R2;
        only one of them is trusted, or one of the two certificates is
        expired. A path builder that backtracks finds the valid path."""
        for n in range(60):
            self.keys.new_case()
            t = self.tag()
            h = "www.%s.example" % t
            k = self.rk(3)
            r1 = self.b.cert("%s Root 1" % t, k[0], ca=True)
            r2 = self.b.cert("%s Root 2" % t, k[1], ca=True)
            ikey = self.keys.make(k[2])
            iname = name("%s Intermediate" % t)
            variant = n % 4
            i_by_r1 = self.b.cert("", key=ikey, issuer=r1, ca=True, subject=iname,
                                  na=(AT - DAY if variant == 2 else None),
                                  nb=(AT - 3 * YEAR if variant == 2 else None))
            i_by_r2 = self.b.cert("", key=ikey, issuer=r2, ca=True, subject=iname)
            leaf = self.b.cert("%s leaf" % t, self.rng.choice(KINDS), issuer=i_by_r1,
                               sans=[x509.DNSName(h)], eku=SERVER)
            if variant == 0:    # R1 trusted, the R2 cross-cert listed first
                self.add("cross-first-untrusted", "ok", leaf, [r1], [i_by_r2, i_by_r1], host=h)
            elif variant == 1:  # R2 trusted, R1 version listed first
                self.add("cross-second-trusted", "ok", leaf, [r2], [i_by_r1, i_by_r2], host=h)
            elif variant == 2:  # both trusted, the R1 version expired, listed first
                self.add("cross-expired-alternative", "ok", leaf, [r1, r2],
                         [i_by_r1, i_by_r2], host=h)
            else:               # only the expired path exists in the pool
                i_exp = self.b.cert("", key=ikey, issuer=r1, ca=True, subject=iname,
                                    nb=AT - 3 * YEAR, na=AT - DAY)
                self.add("cross-only-expired", "expired", leaf, [r1], [i_exp], host=h)

    def validity(self):
        for kind in KINDS:
            for depth in (1, 2, 3):
                def leafv(nb, na):
                    return self.chain([kind] * depth, leaf_kw={"nb": nb, "na": na})
                r, p, l, h = leafv(AT - 30 * DAY, AT - 1 - SKEW)
                self.add("expired-leaf-by-1s-past-skew", "expired", l, [r], p, host=h)
                # without skew, 1 s and 150 s outside the window fail
                r, p, l, h = leafv(AT - 30 * DAY, AT - 1)
                self.add("noskew-expired-leaf-by-1s", "expired", l, [r], p, host=h)
                r, p, l, h = leafv(AT - 30 * DAY, AT - 150)
                self.add("noskew-expired-leaf-by-150s", "expired", l, [r], p, host=h)
                r, p, l, h = leafv(AT - 30 * DAY, AT)
                self.add("validity-last-second", "ok", l, [r], p, host=h)
                r, p, l, h = leafv(AT, AT + DAY)
                self.add("validity-first-second", "ok", l, [r], p, host=h)
                r, p, l, h = leafv(AT + 1 + SKEW, AT + DAY)
                self.add("notyet-leaf-by-1s-past-skew", "notYetValid", l, [r], p, host=h)
                r, p, l, h = leafv(AT + 1, AT + DAY)
                self.add("noskew-notyet-leaf-by-1s", "notYetValid", l, [r], p, host=h)
                r, p, l, h = leafv(AT + 150, AT + DAY)
                self.add("noskew-notyet-leaf-by-150s", "notYetValid", l, [r], p, host=h)
                r, p, l, h = leafv(AT - 2 * YEAR, AT - YEAR)
                self.add("expired-leaf-long-ago", "expired", l, [r], p, host=h)
                r, p, l, h = leafv(AT + YEAR, AT + 2 * YEAR)
                self.add("notyet-leaf-far", "notYetValid", l, [r], p, host=h)
            for _ in range(3):
                r, p, l, h = self.chain([kind] * 3, ca_kw={1: {"na": AT - DAY}})
                self.add("expired-intermediate", "expired", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"nb": AT + DAY}})
                self.add("notyet-intermediate", "notYetValid", l, [r], p, host=h)
            for _ in range(2):
                r, p, l, h = self.chain([kind] * 2, ca_kw={0: {"nb": AT - 20 * YEAR,
                                                             "na": AT - DAY}})
                # an expired anchor anchors nothing (issue 16, as OpenSSL)
                self.add("anchor-expired", "expired", l, [r], p, host=h)

    def signatures(self):
        for kind in KINDS:
            for _ in range(4):   # leaf signed by a key that is not its issuer's
                self.keys.new_case()
                r, p, _, h = self.chain([kind] * 2)
                wrong = self.keys.make(p[0].kind)
                t = self.tag()
                l = self.b.cert("%s leaf" % t, self.rng.choice(KINDS), issuer=p[0],
                                sans=[x509.DNSName(h)], eku=SERVER, sign_key=wrong)
                self.add("sig-leaf-wrong-key", "signatureMismatch", l, [r], p, host=h)
            for _ in range(4):   # leaf signature bits flipped
                r, p, l, h = self.chain([kind] * 2, leaf_kw={"corrupt": True})
                self.add("sig-leaf-corrupt", "signatureMismatch", l, [r], p, host=h)
            for _ in range(4):   # intermediate signature bits flipped
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"corrupt": True}})
                self.add("sig-intermediate-corrupt", "signatureMismatch", l, [r], p, host=h)
        for _ in range(6):       # PSS signature corrupted
            r, p, l, h = self.chain(["rsa2048"] * 2, pss=True, leaf_kw={"corrupt": True})
            self.add("sig-pss-corrupt", "signatureMismatch", l, [r], p, host=h)

    def names(self):
        def sanchain(sans, host=None, ip=None, cat="", expect="ok", kinds=None):
            r, p, l, _ = self.chain(kinds or self.rk(2), sans=sans)
            self.add(cat, expect, l, [r], p, host=host, ip=ip)

        for _ in range(8):
            t = self.tag()
            sanchain([x509.DNSName("www.%s.example" % t)], "mail.%s.example" % t,
                     cat="name-host-not-in-san", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("WWW.%s.Example" % t)], "www.%s.example" % t,
                     cat="name-case-insensitive")
            t = self.tag()
            sanchain([x509.DNSName("*.%s.example" % t)], "www.%s.example" % t,
                     cat="wildcard-ok")
            t = self.tag()
            sanchain([x509.DNSName("*.%s.example" % t)], "a.b.%s.example" % t,
                     cat="wildcard-multi-label", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("*.%s.example" % t)], "%s.example" % t,
                     cat="wildcard-bare-domain", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("w*.%s.example" % t)], "www.%s.example" % t,
                     cat="wildcard-partial", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("*w.%s.example" % t)], "www.%s.example" % t,
                     cat="wildcard-partial", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("www.*.%s.example" % t)], "www.x.%s.example" % t,
                     cat="wildcard-not-leftmost", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("*.example")], "%s.example" % t,
                     cat="wildcard-tld", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("*.*.%s.example" % t)], "a.b.%s.example" % t,
                     cat="wildcard-double", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.DNSName("a.%s.example" % t), x509.DNSName("b.%s.example" % t),
                      x509.DNSName("c.%s.example" % t)], "c.%s.example" % t,
                     cat="name-third-san")
            t = self.tag()
            sanchain([x509.DNSName("www.%s.example" % t)], "www.%s.example." % t,
                     cat="name-trailing-dot")
            # CN only, no SAN: RFC 6125 §6.4.4 / CA/B BR 7.1.4.2.2: never the CN
            t = self.tag()
            r, p, l, _ = self.chain(self.rk(2), sans=[],
                                    leaf_kw={"subject": name("www.%s.example" % t)})
            self.add("name-cn-only", "nameMismatch", l, [r], p, host="www.%s.example" % t)
            # IP addresses
            sanchain([x509.IPAddress(ipaddress.ip_address("192.0.2.7"))], ip="192.0.2.7",
                     cat="ip-ok")
            sanchain([x509.IPAddress(ipaddress.ip_address("2001:db8::7"))], ip="2001:db8::7",
                     cat="ip6-ok")
            sanchain([x509.IPAddress(ipaddress.ip_address("192.0.2.7"))], ip="192.0.2.8",
                     cat="ip-mismatch", expect="nameMismatch")
            sanchain([x509.DNSName("192.0.2.7")], ip="192.0.2.7",
                     cat="ip-only-in-dns-san", expect="nameMismatch")
            t = self.tag()
            sanchain([x509.IPAddress(ipaddress.ip_address("192.0.2.7")),
                      x509.DNSName("www.%s.example" % t)], ip="2001:db8::7",
                     cat="ip6-mismatch", expect="nameMismatch")

    def weak(self):
        for _ in range(8):
            r, p, l, h = self.chain(["rsa2048", "rsa2048"], leaf_kind="rsa1024")
            self.add("weak-rsa1024-leaf", "weakAlgorithm", l, [r], p, host=h)
            r, p, l, h = self.chain(["rsa2048", "rsa1024"], leaf_kind="p256")
            self.add("weak-rsa1024-intermediate", "weakAlgorithm", l, [r], p, host=h)
            r, p, l, h = self.chain([self.rng.choice(["rsa2048", "p256"])] * 2,
                                    leaf_kw={"hash_cls": hashes.SHA1})
            self.add("weak-sha1-leaf", "weakAlgorithm", l, [r], p, host=h)
            r, p, l, h = self.chain([self.rng.choice(["rsa2048", "p256"])] * 3,
                                    ca_kw={2: {"hash_cls": hashes.SHA1}})
            self.add("weak-sha1-intermediate", "weakAlgorithm", l, [r], p, host=h)
        for _ in range(4):
            r, p, l, h = self.chain(["rsa2048"] * 2, leaf_kw={"hash_cls": hashes.MD5})
            self.add("weak-md5-leaf", "weakAlgorithm", l, [r], p, host=h)
        for _ in range(4):  # the anchor's own SHA-1 self-signature is not checked
            r, p, l, h = self.chain(["rsa2048"] * 2, ca_kw={0: {"hash_cls": hashes.SHA1}})
            self.add("weak-sha1-anchor-selfsig", "ok", l, [r], p, host=h)

    def policy(self):
        for kind in KINDS:
            for _ in range(3):
                r, p, l, h = self.chain([kind] * 2, leaf_kw={"extra": [(UNKNOWN_CRITICAL, True)]})
                self.add("crit-ext-leaf", "policyViolation", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"extra": [(UNKNOWN_CRITICAL, True)]}})
                self.add("crit-ext-intermediate", "policyViolation", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 2, leaf_kw={"extra": [(UNKNOWN_CRITICAL, False)]})
                self.add("noncrit-ext-leaf", "ok", l, [r], p, host=h)
                # an intermediate that is not a CA (basicConstraints cA=FALSE)
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"ca": False, "ku": {"key_cert_sign": True}, "bc": True}})
                self.add("intermediate-not-ca", "policyViolation", l, [r], p, host=h)
                # an intermediate without keyCertSign
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"ku": {"digital_signature": True}}})
                self.add("intermediate-no-keycertsign", "policyViolation", l, [r], p, host=h)
                # an intermediate without basicConstraints at all
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"bc": False}})
                self.add("intermediate-no-basicconstraints", "policyViolation", l, [r], p, host=h)

    def eku(self):
        for kind in KINDS:
            for _ in range(3):
                r, p, l, h = self.chain([kind] * 2, eku=CLIENT)
                self.add("eku-client-for-server", "badEku", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 2, eku=SERVER)
                self.add("eku-server-for-client", "badEku", l, [r], p, purpose="clientAuth")
                r, p, l, h = self.chain([kind] * 2, eku=SERVER)
                self.add("eku-server-for-codesign", "badEku", l, [r], p, purpose="codeSigning")
                r, p, l, h = self.chain([kind] * 2, eku=CODE)
                self.add("eku-code-for-server", "badEku", l, [r], p, host=h)
                # no EKU: RFC 5280 §4.2.1.12 any purpose (the runner's
                # policy has require_leaf_eku false, as webPkiLenient)
                r, p, l, h = self.chain([kind] * 2, eku=None)
                self.add("eku-missing-leaf", "ok", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"eku": CLIENT}})
                self.add("eku-intermediate-client-only", "badEku", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 3, ca_kw={2: {"eku": SERVER}})
                self.add("eku-intermediate-server", "ok", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 2, eku=[ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE])
                self.add("eku-any-leaf", "badEku", l, [r], p, host=h)

    def lengths(self):
        for kind in KINDS:
            for _ in range(3):
                # pathLenConstraint 0 on the top intermediate, another below
                # it (RFC 5280 §6.1.4 (l)-(m); captls: policyViolation)
                r, p, l, h = self.chain([kind] * 3, ca_kw={1: {"pathlen": 0}})
                self.add("pathlen-exceeded", "policyViolation", l, [r], p, host=h)
                # the anchor's own pathLen: RFC 5937 lets a validator apply it
                # (captls and OpenSSL both do)
                r, p, l, h = self.chain([kind] * 4, ca_kw={0: {"pathlen": 1}})
                self.add("pathlen-root-exceeded", "policyViolation", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 3, ca_kw={1: {"pathlen": 1}})
                self.add("pathlen-exact", "ok", l, [r], p, host=h)
                r, p, l, h = self.chain([kind] * 2, ca_kw={1: {"pathlen": 0}})
                self.add("pathlen-zero-leaf", "ok", l, [r], p, host=h)
            for depth in (3, 5, 7):
                r, p, l, h = self.chain([kind] * depth)
                self.add("maxchain-exceeded", "chainTooLong", l, [r], p, host=h,
                         maxchain=depth)
                r, p, l, h = self.chain([kind] * depth)
                self.add("maxchain-exact", "ok", l, [r], p, host=h, maxchain=depth + 1)
            for _ in range(2):
                r, p, l, h = self.chain([kind] * 9)
                self.add("long-chain-ok", "ok", l, [r], p, host=h)

    def name_constraints(self):
        for kind in KINDS:
            for _ in range(3):
                def nc_chain(nc, sans, at_level=1, **kw):
                    self.keys.new_case()
                    return self.chain([kind] * 3, sans=sans, ca_kw={at_level: {"nc": nc}}, **kw)
                t = self.tag()
                ok_dom = "%s.example" % t
                r, p, l, _ = nc_chain(([x509.DNSName(ok_dom)], []),
                                      [x509.DNSName("www." + ok_dom)])
                self.add("nc-dns-permitted-ok", "ok", l, [r], p, host="www." + ok_dom)
                t = self.tag()
                r, p, l, _ = nc_chain(([x509.DNSName("%s.example" % t)], []),
                                      [x509.DNSName("www.%s.example" % t),
                                       x509.DNSName("www.%s.invalid" % t)])
                self.add("nc-dns-san-outside-permitted", "nameConstraintViolation", l, [r], p,
                         host="www.%s.example" % t)
                t = self.tag()
                r, p, l, _ = nc_chain(([], [x509.DNSName("bad.%s.example" % t)]),
                                      [x509.DNSName("www.bad.%s.example" % t)])
                self.add("nc-dns-excluded", "nameConstraintViolation", l, [r], p,
                         host="www.bad.%s.example" % t)
                t = self.tag()
                r, p, l, _ = nc_chain(([x509.DNSName("%s.example" % t)], []),
                                      [x509.DNSName("www.x%s.example" % t)])
                self.add("nc-dns-label-boundary", "nameConstraintViolation", l, [r], p,
                         host="www.x%s.example" % t)
                t = self.tag()
                r, p, l, _ = nc_chain(([x509.DNSName("%s.example" % t)], []),
                                      [x509.DNSName("www.%s.example" % t)], at_level=0)
                self.add("nc-dns-on-root-ok", "ok", l, [r], p, host="www.%s.example" % t)
                net = ipaddress.ip_network("10.%d.0.0/16" % self.rng.randrange(256))
                inside = net[self.rng.randrange(1, 65535)]
                r, p, l, _ = nc_chain(([x509.IPAddress(net)], []), [x509.IPAddress(inside)])
                self.add("nc-ip-permitted-ok", "ok", l, [r], p, ip=str(inside))
                outside = ipaddress.ip_address("192.0.2.%d" % self.rng.randrange(1, 255))
                r, p, l, _ = nc_chain(([x509.IPAddress(net)], []), [x509.IPAddress(outside)])
                self.add("nc-ip-outside-permitted", "nameConstraintViolation", l, [r], p,
                         ip=str(outside))
                r, p, l, _ = nc_chain(([], [x509.IPAddress(net)]), [x509.IPAddress(inside)])
                self.add("nc-ip-excluded", "nameConstraintViolation", l, [r], p, ip=str(inside))
                t = self.tag()
                # the violating name is an IP SAN, the host checked is a DNS SAN
                r, p, l, _ = nc_chain(([x509.IPAddress(net)], []),
                                      [x509.DNSName("www.%s.example" % t), x509.IPAddress(outside)])
                self.add("nc-ip-violated-dns-host", "nameConstraintViolation", l, [r], p,
                         host="www.%s.example" % t)
                t = self.tag()
                r, p, l, _ = nc_chain(([x509.IPAddress(ipaddress.ip_network("2001:db8:%x::/48" % self.rng.randrange(65536)))], []),
                                      [x509.IPAddress(ipaddress.ip_address("2001:db9::1"))])
                self.add("nc-ip6-outside-permitted", "nameConstraintViolation", l, [r], p,
                         ip="2001:db9::1")
                t = self.tag()
                # a DNS-only constraint does not constrain IP SANs (RFC 5280 §4.2.1.10)
                r, p, l, _ = nc_chain(([x509.DNSName("%s.example" % t)], []),
                                      [x509.IPAddress(outside)])
                self.add("nc-dns-only-ip-unconstrained", "ok", l, [r], p, ip=str(outside))
                t = self.tag()
                r, p, l, _ = nc_chain(([x509.DirectoryName(name("%s leaf" % t, "permitted org"))], []),
                                      [x509.DNSName("www.%s.example" % t)])
                self.add("nc-dirname-outside-permitted", "nameConstraintViolation", l, [r], p,
                         host="www.%s.example" % t)

    def random_cases(self, n):
        faults = ["none"] * 6 + ["expired", "notYetValid", "signatureMismatch",
                                 "nameMismatch", "unknownAnchor", "badEku",
                                 "chainTooLong", "nameConstraintViolation",
                                 "weakAlgorithm", "policyViolation"]
        for _ in range(n):
            self.random_case(self.rng.choice(faults))

    def random_case(self, fault):
        rng = self.rng
        self.keys.new_case()
        t = self.tag()
        depth = rng.randint(1, 6)
        kinds = self.rk(depth)
        # random SAN set: DNS names, wildcards, IPs
        dom = "%s.example" % t
        sans, labels = [], ["www", "api", "mail", "a", "b", "login"]
        for _ in range(rng.randint(1, 5)):
            r = rng.random()
            if r < 0.6:
                sans.append(x509.DNSName("%s.%s" % (rng.choice(labels), dom)))
            elif r < 0.8:
                sans.append(x509.DNSName("*.%s" % dom))
            else:
                sans.append(x509.IPAddress(ipaddress.ip_address(
                    "198.51.100.%d" % rng.randrange(1, 255))))
        use_ip = rng.random() < 0.2
        cands = (["198.51.100.%d" % rng.randrange(1, 255)] if use_ip else
                 ["%s.%s" % (rng.choice(labels + ["x", "zz"]), dom), "q.r.%s" % dom, dom])
        host = rng.choice(cands)
        match = host_matches(sans, host, use_ip)
        if fault == "nameMismatch":
            if match:
                return self.random_case("none")
        elif not match:
            # make the host match (a DNS host, always one SAN it matches)
            sans.append(x509.IPAddress(ipaddress.ip_address(host)) if use_ip
                        else x509.DNSName(host))
        # random validity windows around AT (clean unless the fault asks)
        def window(ca):
            span = (10 if ca else 1) * YEAR
            nb = AT - rng.randint(SKEW + 1, span)
            na = AT + rng.randint(SKEW + 1, span)
            return nb, na
        ca_kw = {i: dict(zip(("nb", "na"), window(True))) for i in range(depth)}
        leaf_kw = dict(zip(("nb", "na"), window(False)))
        victim = rng.randrange(depth + 1)   # depth = the leaf; 0 = the root
        target = leaf_kw if victim == depth else ca_kw[victim]
        if fault == "expired" and victim > 0:
            target["na"] = AT - rng.randint(SKEW + 1, 3 * YEAR)
            target["nb"] = target["na"] - YEAR
        elif fault == "notYetValid" and victim > 0:
            target["nb"] = AT + rng.randint(SKEW + 1, 3 * YEAR)
            target["na"] = target["nb"] + YEAR
        elif fault in ("expired", "notYetValid"):
            return self.random_case(fault)
        if fault == "policyViolation":
            target["extra"] = [(UNKNOWN_CRITICAL, True)]
            if victim == 0:
                return self.random_case(fault)
        if fault == "signatureMismatch":
            if victim == 0:
                return self.random_case(fault)
            target["corrupt"] = True
        if fault == "weakAlgorithm":
            if victim == 0:
                return self.random_case(fault)
            target["hash_cls"] = hashes.SHA1
            if kinds[victim - 1] == "ed25519":   # its issuer's key
                return self.random_case(fault)
        eku = SERVER if rng.random() < 0.7 else SERVER + CLIENT
        if fault == "badEku":
            eku = rng.choice([CLIENT, CODE, [ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE]])
        nc = None
        if fault == "nameConstraintViolation" and depth >= 2:
            # on an intermediate: whether an anchor's own constraints
            # apply is a separate, documented question (nc-dns-on-root)
            level = rng.randrange(1, depth)
            ca_kw[level]["nc"] = ([x509.DNSName("%s.invalid" % t),
                                   x509.IPAddress(ipaddress.ip_network("192.0.2.0/24"))], [])
        elif fault == "nameConstraintViolation":
            return self.random_case(fault)
        elif depth >= 2 and rng.random() < 0.3:
            level = rng.randrange(depth)
            ca_kw[level]["nc"] = ([x509.DNSName(dom),
                                   x509.IPAddress(ipaddress.ip_network("198.51.100.0/24"))], [])
        r, p, l, _ = self.chain(kinds, sans=sans, eku=eku, leaf_kw=leaf_kw, ca_kw=ca_kw)
        roots = [r]
        maxchain = DEFAULT_MAXCHAIN
        if fault == "unknownAnchor":
            if rng.random() < 0.5 or not p:
                roots = [self.other_root(self.rk(1)[0])]
            else:
                del p[rng.randrange(len(p))]
        if fault == "chainTooLong":
            maxchain = rng.randint(2, depth + 1) if depth >= 1 else 2
            if maxchain > depth:
                maxchain = depth
            if maxchain < 2:
                return self.random_case(fault)
        rng.shuffle(p)
        expect = "ok" if fault == "none" else fault
        self.add("random-" + fault, expect, l, roots, p,
                 host=None if use_ip else host, ip=host if use_ip else None,
                 maxchain=maxchain)


def bench_cases(corpus):
    """Three 3-certificate chains (root, intermediate, leaf) for the bench:
    ECDSA P-256, RSA-2048, Ed25519 (the corpus's keys and RNG, continued)."""
    c = Corpus.__new__(Corpus)
    c.rng, c.keys, c.b, c.cases = corpus.rng, corpus.keys, corpus.b, []
    for kind in ("p256", "rsa2048", "ed25519"):
        r, p, l, h = c.chain([kind] * 2)
        c.add("bench-" + kind, "ok", l, [r], p, host=h)
    return c.cases


def write_cases(path, cases, header):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(header)
        for k in cases:
            f.write("case %d %s\nexpect %s\n" % (k["id"], k["category"], k["expect"]))
            f.write("host %s\n" % k["host"] if k["host"] else
                    "ip %s\n" % k["ip"] if k["ip"] else "host none\n")
            f.write("purpose %s\nat %d\nmaxchain %d\n" % (k["purpose"], k["at"], k["maxchain"]))
            for d in k["roots"]:
                f.write("root %s\n" % d.hex())
            for d in k["pool"]:
                f.write("pool %s\n" % d.hex())
            for name, verdict in sorted(k.get("presets", {}).items()):
                f.write("preset %s %s\n" % (name, verdict))
            f.write("leaf %s\nend\n" % k["leaf"].hex())
    os.replace(tmp, path)


def pem(d):
    import base64
    b = base64.b64encode(d).decode()
    return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % "\n".join(
        b[i:i + 64] for i in range(0, len(b), 64))


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out = argv[1]
    seed, nrandom = 20250615, 1500
    i = 2
    while i < len(argv):
        if argv[i] == "--seed":
            seed = int(argv[i + 1])
        elif argv[i] == "--random":
            nrandom = int(argv[i + 1])
        else:
            print("gen_chains: unknown argument %s" % argv[i], file=sys.stderr)
            return 2
        i += 2
    t0 = time.time()
    warnings.simplefilter("ignore")   # SHA-1 and MD5 are wanted here
    c = Corpus(seed)
    for step in (c.ok_basic, c.unknown_anchor, c.loops, c.cross_signed, c.validity,
                 c.signatures, c.names, c.weak, c.policy, c.eku, c.lengths,
                 c.name_constraints):
        step()
    c.random_cases(nrandom)
    __import__("gen_bugs").add_cases(c, sys.modules[__name__])
    __import__("gen_profile").add_cases(c, sys.modules[__name__])
    os.makedirs(out, exist_ok=True)
    write_cases(os.path.join(out, "cases.txt"), c.cases,
                "# captls chain corpus: seed %d, %d cases, check time %d\n"
                % (seed, len(c.cases), AT))
    write_cases(os.path.join(out, "bench.txt"), bench_cases(c),
                "# captls chain bench: P-256, RSA-2048, Ed25519 (3 certificates)\n")
    man = dict(seed=seed, check_time=AT, skew_seconds=SKEW, cases=[dict(
        id=k["id"], category=k["category"], expect=k["expect"], host=k["host"],
        ip=k["ip"], purpose=k["purpose"], atEpochSeconds=k["at"],
        maxChainLength=k["maxchain"], presets=k.get("presets", {}), roots=[pem(d) for d in k["roots"]],
        untrusted=[pem(d) for d in k["pool"]], leaf=pem(k["leaf"])) for k in c.cases])
    tmp = os.path.join(out, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(man, f, indent=1)
    os.replace(tmp, os.path.join(out, "manifest.json"))
    per = {}
    for k in c.cases:
        per[k["expect"]] = per.get(k["expect"], 0) + 1
    print("gen_chains: %d cases in %.1f s (%s)" % (len(c.cases), time.time() - t0,
          ", ".join("%s %d" % kv for kv in sorted(per.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
