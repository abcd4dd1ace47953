#!/usr/bin/python3
"""vectors/verify/gen.py — focused path-validation cases for
core/verify/test_verify_chain.c (X4's vectors/ corpus is the 2,000-chain
differential one; these are the unit cases, one per behaviour).

Writes vectors/verify/certs/<name>.der and vectors/verify/cases.txt, one case
per line:
  name expect policy purpose at host leaf roots pool
expect is `ok` or a FailureReason name; host/roots/pool are `-` when empty (host `hex:..` = raw bytes);
roots and pool are comma-separated cert names. Deterministic except for key
generation (the cases, not the bytes, are the contract).
Usage: /usr/bin/python3 vectors/verify/gen.py
"""
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "certs")
AT = 1750000000  # 2025-06-15T15:06:40Z
DAY = 86400

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.unlink(os.path.join(OUT, f))

KEYS = {}


def key(kind):
    if kind not in KEYS:
        KEYS[kind] = newkey(kind)
    return KEYS[kind]


def newkey(kind):
    if kind.startswith("p256"):
        return ec.generate_private_key(ec.SECP256R1())
    if kind.startswith("p384"):
        return ec.generate_private_key(ec.SECP384R1())
    if kind.startswith("ed"):
        return ed25519.Ed25519PrivateKey.generate()
    if kind.startswith("rsa1024"):
        return rsa.generate_private_key(65537, 1024)
    return rsa.generate_private_key(65537, 2048)


def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


SERIAL = [1000]


def cert(cn, k, issuer_cn, ik, ca=False, pathlen=None, sans=None, ips=None,
         nb=AT - 30 * DAY, na=AT + 365 * DAY, eku="server", ku=True,
         hash_=hashes.SHA256(), nc=None, extra=None,
         must_staple=False, ski=True, aki=None, subject=None, issuer=None,
         bc_critical=True, ku_bits=None):
    """aki: the key whose identifier goes in the AKI (default: ik's).
    subject/issuer: x509.Name overrides; ku_bits: a KeyUsage to use."""
    b = x509.CertificateBuilder()
    b = b.subject_name(subject or name(cn)).issuer_name(issuer or name(issuer_cn))
    b = b.public_key(k.public_key())
    SERIAL[0] += 1
    b = b.serial_number(SERIAL[0])
    b = b.not_valid_before(ts(nb)).not_valid_after(ts(na))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), critical=bc_critical)
    if ku_bits is not None:
        b = b.add_extension(ku_bits, critical=True)
    elif ku:
        if ca:
            b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        else:
            b = b.add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key((aki or ik).public_key()), critical=False)
    ekus = {"server": [ExtendedKeyUsageOID.SERVER_AUTH],
            "client": [ExtendedKeyUsageOID.CLIENT_AUTH],
            "code": [ExtendedKeyUsageOID.CODE_SIGNING],
            "any": [ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE]}
    if eku and not (ca and eku == "server"):
        b = b.add_extension(x509.ExtendedKeyUsage(ekus[eku]), critical=False)
    gns = [x509.DNSName(s) for s in (sans or [])]
    gns += [x509.IPAddress(ipaddress.ip_address(s)) for s in (ips or [])]
    if gns:
        b = b.add_extension(x509.SubjectAlternativeName(gns), critical=False)
    if nc:
        b = b.add_extension(x509.NameConstraints(nc[0] or None, nc[1] or None), critical=True)
    if must_staple:
        b = b.add_extension(x509.TLSFeature([x509.TLSFeatureType.status_request]), critical=False)
    for e in extra or []:
        b = b.add_extension(e, critical=True)
    if isinstance(ik, ed25519.Ed25519PrivateKey):
        return b.sign(ik, None)
    return b.sign(ik, hash_)


def save(n, c):
    with open(os.path.join(OUT, n + ".der"), "wb") as f:
        f.write(c if isinstance(c, bytes) else c.public_bytes(Encoding.DER))


# ---- raw DER surgery (issue 16: encodings python3-cryptography refuses) ----
def der_tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + ln + body


def der_children(tlv_bytes):
    """The element TLVs inside one constructed TLV."""
    def hdr(b, o):
        ln = b[o + 1]
        if ln < 0x80:
            return 2, ln
        k = ln & 0x7F
        return 2 + k, int.from_bytes(b[o + 2:o + 2 + k], "big")
    h, n = hdr(tlv_bytes, 0)
    body, out, o = tlv_bytes[h:h + n], [], 0
    while o < len(body):
        hh, nn = hdr(body, o)
        out.append(body[o:o + hh + nn])
        o += hh + nn
    return out


def resign(c, alg_der, sign, spki=None):
    """Rebuilds certificate c (DER or object) with alg_der as both
    signature AlgorithmIdentifiers (TBS and outer, byte-equal), optionally
    another SPKI, signed by sign(tbs_bytes) -> signature bytes."""
    d = c if isinstance(c, bytes) else c.public_bytes(Encoding.DER)
    tbs = der_children(d)[0]
    t = der_children(tbs)
    t[2] = alg_der              # [0] version, serial, signature, ...
    if spki is not None:
        t[6] = spki
    new_tbs = der_tlv(0x30, b"".join(t))
    return der_tlv(0x30, new_tbs + alg_der + der_tlv(0x03, b"\0" + sign(new_tbs)))


ALG_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")
OID_PSS = bytes.fromhex("06092a864886f70d01010a")
PSS_SHA256_PARAMS = der_tlv(0x30, bytes.fromhex(
    "a00f300d06096086480165030402010500"                          # SHA-256
    "a11c301a06092a864886f70d010108300d06096086480165030402010500"  # MGF1
    "a203020120"))                                                # salt 32
ALG_PSS_SHA256 = der_tlv(0x30, OID_PSS + PSS_SHA256_PARAMS)


CASES = []


def case(n, expect, leaf, roots, pool, host="www.example.com", policy="webPkiLenient",
         purpose="tlsServerAuth", at=AT):
    CASES.append(" ".join([n, expect, policy, purpose, str(at), host or "-", leaf,
                           ",".join(roots) or "-", ",".join(pool) or "-"]))


def simple(prefix, kind, **leafkw):
    """root -> int -> leaf, all of key kind; returns names."""
    rk, ik, lk = newkey(kind), newkey(kind), newkey(kind)
    save(prefix + "_root", cert(prefix + " Root", rk, prefix + " Root", rk, ca=True))
    save(prefix + "_int", cert(prefix + " Int", ik, prefix + " Root", rk, ca=True))
    kw = dict(sans=["www.example.com"])
    kw.update(leafkw)
    save(prefix + "_leaf", cert(prefix + " Leaf", lk, prefix + " Int", ik, **kw))
    return rk, ik, lk


for kind in ["p256", "p384", "ed", "rsa"]:
    simple(kind, kind)
    case("ok_" + kind, "ok", kind + "_leaf", [kind + "_root"], [kind + "_int"])
# the CA/B profile (webPkiStrict) refuses the subject CN "p256 Leaf", not a
# SAN, before SCTs are asked for (anchor_ok_strict covers insufficientScts)
case("p256_strict_cn_not_san", "policyViolation", "p256_leaf", ["p256_root"], ["p256_int"], policy="webPkiStrict")
case("ed_strict_disallowed", "policyViolation", "ed_leaf", ["ed_root"], ["ed_int"], policy="webPkiStrict")
case("mtls_ocsp_fail_closed", "ocspUnavailable", "p256_leaf", ["p256_root"], ["p256_int"], policy="privateMtls")
case("codesign_wrong_purpose", "policyViolation", "p256_leaf", ["p256_root"], ["p256_int"], policy="codeSigning")
case("unknown_anchor", "unknownAnchor", "p256_leaf", ["p384_root"], ["p256_int"])
case("missing_intermediate", "unknownAnchor", "p256_leaf", ["p256_root"], [])
case("host_mismatch", "nameMismatch", "p256_leaf", ["p256_root"], ["p256_int"], host="other.example.com")
case("host_non_ascii", "nameMismatch", "p256_leaf", ["p256_root"], ["p256_int"], host="hex:" + "www.ex\u00e4mple.com".encode().hex())
case("host_trailing_dot", "ok", "p256_leaf", ["p256_root"], ["p256_int"], host="WWW.Example.COM.")
case("host_none", "ok", "p256_leaf", ["p256_root"], ["p256_int"], host=None)

# RSA-PSS: Debian's python3-cryptography cannot sign PSS certificates
# (no rsa_padding); PSS is covered by X4's corpus and core/crypto tests.

# time: every preset's skew is 0 (issue 16); test_verify_chain.c re-runs
# the *_in_skew certificates with a 300 s skew set by the caller
R = key("p256_R")
save("R", cert("R", R, "R", R, ca=True))
L = key("p256_L")
for n, nb, na in [("exp_1s", AT - DAY, AT - 301), ("exp_in_skew", AT - DAY, AT - 300),
                  ("nyv_1s", AT + 301, AT + DAY), ("nyv_in_skew", AT + 300, AT + DAY),
                  ("exp_exact", AT - DAY, AT)]:
    save(n, cert(n, L, "R", R, sans=["www.example.com"], nb=nb, na=na))
case("expired_by_1s", "expired", "exp_1s", ["R"], [])
case("expired_inside_skew", "expired", "exp_in_skew", ["R"], [])
case("not_yet_valid_by_1s", "notYetValid", "nyv_1s", ["R"], [])
case("not_yet_valid_inside_skew", "notYetValid", "nyv_in_skew", ["R"], [])
case("expires_at_now", "ok", "exp_exact", ["R"], [])
case("expired_strict_skew", "expired", "exp_in_skew", ["R"], [], policy="webPkiStrict")

# CA constraints
I0, I1 = key("p256_I0"), key("p256_I1")
save("pl0_int", cert("PL0", I0, "R", R, ca=True, pathlen=0))
save("pl0_sub", cert("PL0 Sub", I1, "PL0", I0, ca=True))
save("pl0_leaf", cert("PL0 Leaf", L, "PL0 Sub", I1, sans=["www.example.com"]))
save("pl0_leaf_direct", cert("PL0 Leaf", L, "PL0", I0, sans=["www.example.com"]))
case("pathlen_exceeded", "policyViolation", "pl0_leaf", ["R"], ["pl0_int", "pl0_sub"])
case("pathlen_ok", "ok", "pl0_leaf_direct", ["R"], ["pl0_int"])
save("notca_int", cert("NotCA", I0, "R", R, ca=False, eku=None))
save("notca_leaf", cert("NotCA Leaf", L, "NotCA", I0, sans=["www.example.com"]))
case("issuer_not_ca", "policyViolation", "notca_leaf", ["R"], ["notca_int"])

# EKU
save("eku_client_leaf", cert("EKU client", L, "R", R, sans=["www.example.com"], eku="client"))
save("eku_any_leaf", cert("EKU any", L, "R", R, sans=["www.example.com"], eku="any"))
save("eku_none_leaf", cert("EKU none", L, "R", R, sans=["www.example.com"], eku=None))
save("eku_code_int", cert("EKU code int", I0, "R", R, ca=True, eku="code"))
save("eku_code_int_leaf", cert("EKU leaf", L, "EKU code int", I0, sans=["www.example.com"]))
case("eku_missing", "badEku", "eku_client_leaf", ["R"], [])
case("eku_client_ok", "ok", "eku_client_leaf", ["R"], [], purpose="tlsClientAuth")
case("eku_any_lenient", "ok", "eku_any_leaf", ["R"], [])
case("eku_absent_lenient", "ok", "eku_none_leaf", ["R"], [])
case("eku_intermediate_excludes", "badEku", "eku_code_int_leaf", ["R"], ["eku_code_int"])

# name constraints
dns = x509.DNSName
ipn = x509.IPAddress
save("nc_int", cert("NC", I0, "R", R, ca=True,
                    nc=([dns("example.com"), ipn(ipaddress.ip_network("10.0.0.0/8"))],
                        [dns("bad.example.com")])))
for n, sans, ips in [("nc_ok", ["www.example.com"], ["10.1.2.3"]),
                     ("nc_dns_out", ["www.example.com", "evil.org"], []),
                     ("nc_ip_out", ["www.example.com"], ["192.168.1.1"]),
                     ("nc_excluded", ["bad.example.com"], []),
                     ("nc_wild_excluded", ["*.example.com"], [])]:
    save(n, cert(n, L, "NC", I0, sans=sans, ips=ips))
case("nc_permitted", "ok", "nc_ok", ["R"], ["nc_int"])
case("nc_violated_san", "nameConstraintViolation", "nc_dns_out", ["R"], ["nc_int"])
case("nc_violated_ip", "nameConstraintViolation", "nc_ip_out", ["R"], ["nc_int"], host="10.1.2.3")
case("nc_excluded_subtree", "nameConstraintViolation", "nc_excluded", ["R"], ["nc_int"], host="bad.example.com")
case("nc_wildcard_covers_excluded", "nameConstraintViolation", "nc_wild_excluded", ["R"], ["nc_int"])
case("ip_host_ok", "ok", "nc_ok", ["R"], ["nc_int"], host="10.1.2.3")
case("ip_host_not_in_dns_san", "nameMismatch", "nc_ok", ["R"], ["nc_int"], host="10.9.9.9")

# wildcards
save("wild", cert("wild", L, "R", R, sans=["*.example.com"]))
save("partial_wild", cert("pwild", L, "R", R, sans=["f*.example.com"]))
save("tld_wild", cert("tld", L, "R", R, sans=["*.com"]))
case("wildcard_ok", "ok", "wild", ["R"], [])
case("wildcard_two_labels", "nameMismatch", "wild", ["R"], [], host="a.b.example.com")
case("wildcard_bare_domain", "nameMismatch", "wild", ["R"], [], host="example.com")
case("wildcard_partial", "nameMismatch", "partial_wild", ["R"], [], host="foo.example.com")
case("wildcard_tld", "nameMismatch", "tld_wild", ["R"], [], host="example.com")

# weak algorithms
W = key("rsa1024_W")
save("rsa1024_int", cert("Weak Int", W, "R", R, ca=True))
save("rsa1024_int_leaf", cert("Weak leaf", L, "Weak Int", W, sans=["www.example.com"]))
save("rsa1024_leaf", cert("Weak key leaf", W, "R", R, sans=["www.example.com"]))
save("sha1_leaf", cert("SHA1 leaf", L, "R", R, sans=["www.example.com"], hash_=hashes.SHA1()))
case("rsa1024_intermediate", "weakAlgorithm", "rsa1024_int_leaf", ["R"], ["rsa1024_int"])
case("rsa1024_leaf", "weakAlgorithm", "rsa1024_leaf", ["R"], [])
case("sha1_signature", "weakAlgorithm", "sha1_leaf", ["R"], [])

# unknown critical extension, must-staple, bad signature
unk = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
save("crit_leaf", cert("crit", L, "R", R, sans=["www.example.com"], extra=[unk]))
case("unknown_critical_extension", "policyViolation", "crit_leaf", ["R"], [])
save("staple_leaf", cert("staple", L, "R", R, sans=["www.example.com"], must_staple=True))
case("must_staple", "mustStapleMissing", "staple_leaf", ["R"], [])
Evil = key("p256_evil")
# signed by Evil, but the AKI names R: R is the designated issuer
save("badsig_leaf", cert("badsig", L, "R", Evil, sans=["www.example.com"], aki=R))
case("signature_mismatch", "signatureMismatch", "badsig_leaf", ["R"], [])
save("badsig_noaki_leaf", cert("badsig noaki", L, "R", Evil, sans=["www.example.com"], ski=False))
case("signature_mismatch_no_aki", "signatureMismatch", "badsig_noaki_leaf", ["R"], [])
# a re-keyed root: same name as R, other key; the leaf's AKI names the new
# key, so the trusted R is not its issuer (OpenSSL: unable to get issuer)
R2 = key("p256_R2")
save("R_rekeyed", cert("R", R2, "R", R2, ca=True))
save("rekeyed_leaf", cert("rekeyed leaf", L, "R", R2, sans=["www.example.com"]))
case("anchor_same_name_other_key", "unknownAnchor", "rekeyed_leaf", ["R"], [])
case("anchor_same_name_both_keys", "ok", "rekeyed_leaf", ["R", "R_rekeyed"], [])

# cross-signed: X is issued by B (untrusted) and by A (trusted)
A, B, X = key("p256_A"), key("p256_B"), key("p256_X")
save("A", cert("A", A, "A", A, ca=True))
save("B", cert("B", B, "B", B, ca=True))
save("X_by_B", cert("X", X, "B", B, ca=True))
save("X_by_A", cert("X", X, "A", A, ca=True))
save("X_by_A_expired", cert("X", X, "A", A, ca=True, na=AT - 10 * DAY))
save("X_leaf", cert("X leaf", L, "X", X, sans=["www.example.com"]))
case("cross_signed_one_valid", "ok", "X_leaf", ["A"], ["X_by_B", "X_by_A"])
case("cross_signed_other_order", "ok", "X_leaf", ["A"], ["X_by_A", "X_by_B"])
case("cross_signed_only_expired", "expired", "X_leaf", ["A"], ["X_by_B", "X_by_A_expired"])
save("X_evil", cert("X", Evil, "A", A, ca=True))  # hostile pool filler (C test)
case("cross_signed_both_anchors", "ok", "X_leaf", ["B", "A"], ["X_by_A_expired", "X_by_B"])

# loop: C1 <-> C2 <-> C3 cross-certify each other, nothing reaches R
C = [key("p256_C%d" % i) for i in range(3)]
loop = []
for i in range(3):
    for j in range(3):
        if i != j:
            n = "loop_%d_by_%d" % (i, j)
            save(n, cert("Loop CA", C[i], "Loop CA", C[j], ca=True, ski=False))
            loop.append(n)
save("loop_leaf", cert("loop leaf", L, "Loop CA", C[0], sans=["www.example.com"]))
case("loop_pool", "unknownAnchor", "loop_leaf", ["R"], loop)

# long chains: R -> I1 .. In -> leaf
prev, prevk = "R", R
chain = []
for i in range(1, 10):
    k = key("p256_long%d" % i)
    n = "long_int%d" % i
    save(n, cert("Long %d" % i, k, prev, prevk, ca=True))
    chain.append(n)
    save("long_leaf%d" % i, cert("Long leaf", L, "Long %d" % i, k, sans=["www.example.com"]))
    prev, prevk = "Long %d" % i, k
case("long_chain_ok", "ok", "long_leaf7", ["R"], chain[:7])
case("long_chain_too_long", "chainTooLong", "long_leaf9", ["R"], chain)
case("mtls_chain_too_long", "chainTooLong", "long_leaf2", ["R"], chain[:2], policy="privateMtls")

# ---- issue 16 ---------------------------------------------------------
from cryptography.hazmat.primitives.asymmetric import padding as apad
from cryptography.x509.name import _ASN1Type  # noqa: E402 (string types)

# bug 1: the signature algorithm is bound to the issuer's key. An Ed25519
# signature by an Ed25519 root under an ecdsa-with-SHA256 label (both
# AlgorithmIdentifiers) must not verify; nor may a PSS signature outside
# the parameters of the issuer's id-RSASSA-PSS key (RFC 4055 §3.3).
EdR = key("ed_bind_root")
save("bind_ed_root", cert("Bind Ed Root", EdR, "Bind Ed Root", EdR, ca=True))
edl = cert("Bind leaf", L, "Bind Ed Root", EdR, sans=["www.example.com"])
save("bind_ecdsa_label_ed_sig", resign(edl, ALG_ECDSA_SHA256, EdR.sign))
save("bind_ed_leaf", edl)
case("sigalg_ed_ok", "ok", "bind_ed_leaf", ["bind_ed_root"], [])
case("sigalg_ecdsa_label_on_ed25519_sig", "signatureMismatch",
     "bind_ecdsa_label_ed_sig", ["bind_ed_root"], [])
PssK = key("rsa_pss_root")
rsa_root = cert("PSS Root", PssK, "PSS Root", PssK, ca=True)
rsa_spki = der_children(der_children(rsa_root.public_bytes(Encoding.DER))[0])[6]
pss_spki = der_tlv(0x30, der_tlv(0x30, OID_PSS + PSS_SHA256_PARAMS) +
                   der_children(rsa_spki)[1])
pss_sign = lambda tbs: PssK.sign(tbs, apad.PSS(apad.MGF1(hashes.SHA256()), 32),
                                 hashes.SHA256())
save("pss_root", resign(rsa_root, ALG_PSS_SHA256, pss_sign, spki=pss_spki))
# Debian's python3-cryptography signs PKCS#1 only: re-sign as PSS by hand
ALG_PSS_SHA384 = der_tlv(0x30, OID_PSS + der_tlv(0x30, bytes.fromhex(
    "a00f300d06096086480165030402020500"
    "a11c301a06092a864886f70d010108300d06096086480165030402020500"
    "a203020130")))
pss_leaf = cert("PSS leaf", L, "PSS Root", PssK, sans=["www.example.com"])
save("pss_leaf_sha256", resign(pss_leaf, ALG_PSS_SHA256, pss_sign))
save("pss_leaf_sha384", resign(pss_leaf, ALG_PSS_SHA384, lambda tbs: PssK.sign(
    tbs, apad.PSS(apad.MGF1(hashes.SHA384()), 48), hashes.SHA384())))
case("pss_key_params_ok", "ok", "pss_leaf_sha256", ["pss_root"], [])
case("pss_key_params_other_hash", "signatureMismatch", "pss_leaf_sha384", ["pss_root"], [])

# anchors are never laxer than OpenSSL (issue 16): validity, unknown
# critical extensions, a v3 critical basicConstraints cA TRUE, keyCertSign
AK = key("p256_anchor_rules")
for n, kw in [("anchor_expired", dict(na=AT - DAY)),
              ("anchor_not_yet_valid", dict(nb=AT + DAY)),
              ("anchor_unknown_critical", dict(extra=[unk])),
              ("anchor_bc_not_critical", dict(bc_critical=False)),
              ("anchor_not_ca", dict(ca=False, eku=None)),
              ("anchor_ku_no_certsign", dict(ku_bits=x509.KeyUsage(
                  True, False, False, False, False, False, True, False, False))),
              ("anchor_ok", dict())]:
    kw.setdefault("ca", True)
    save(n, cert("Anchor Rules", AK, "Anchor Rules", AK, **kw))
save("anchor_rules_leaf", cert("www.example.com", L, "Anchor Rules", AK, sans=["www.example.com"]))
for n, expect in [("anchor_expired", "expired"), ("anchor_not_yet_valid", "notYetValid"),
                  ("anchor_unknown_critical", "policyViolation"),
                  ("anchor_bc_not_critical", "policyViolation"),
                  ("anchor_not_ca", "policyViolation"),
                  ("anchor_ku_no_certsign", "policyViolation"), ("anchor_ok", "ok")]:
    case(n, expect, "anchor_rules_leaf", [n], [])
    case(n + "_strict", expect if expect != "ok" else "insufficientScts",
         "anchor_rules_leaf", [n], [], policy="webPkiStrict")
# an anchor's own pathLenConstraint (pl0_int trusted directly): a CA below
# it exceeds it, through either anchor path
case("anchor_pathlen_exceeded", "policyViolation", "pl0_leaf", ["pl0_int"], ["pl0_sub"])
case("anchor_pathlen_ok", "ok", "pl0_leaf_direct", ["pl0_int"], [])
# a directly trusted self-signed end-entity certificate: no CA rules
save("self_leaf", cert("self leaf", L, "self leaf", L, sans=["www.example.com"]))
case("anchor_is_the_leaf", "ok", "self_leaf", ["self_leaf"], [])

# RFC 5280 §6.1.4 (l): a self-issued intermediate (key rollover) below a
# pathLenConstraint 0 CA does not count; a non-self-issued one does.
I2 = key("p256_I2")
save("pl0_rollover", cert("PL0", I2, "PL0", I0, ca=True))
save("pl0_rollover_leaf", cert("PL0 rolled leaf", L, "PL0", I2, sans=["www.example.com"]))
case("pathlen_self_issued_not_counted", "ok", "pl0_rollover_leaf", ["R"],
     ["pl0_int", "pl0_rollover"])

# name constraints: emailAddress in the subject is an rfc822Name even when
# a SAN is present (RFC 5280 §4.2.1.10); an IPv4 exclusion catches the
# IPv4-mapped IPv6 form; directoryName compares as RFC 5280 §7.1.
save("nc_mail_int", cert("NC mail", I0, "R", R, ca=True,
                         nc=([dns("example.com"), x509.RFC822Name("example.com")], [])))
def mail_subject(addr):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "mail leaf"),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, addr)])
save("nc_mail_out", cert("m", L, "NC mail", I0, sans=["www.example.com"],
                         subject=mail_subject("someone@evil.org")))
save("nc_mail_in", cert("m", L, "NC mail", I0, sans=["www.example.com"],
                        subject=mail_subject("someone@example.com")))
case("nc_subject_email_with_san_out", "nameConstraintViolation", "nc_mail_out", ["R"], ["nc_mail_int"])
case("nc_subject_email_with_san_in", "ok", "nc_mail_in", ["R"], ["nc_mail_int"])
save("nc_v4ex_int", cert("NC v4ex", I0, "R", R, ca=True,
                         nc=([], [ipn(ipaddress.ip_network("10.0.0.0/8"))])))
save("nc_mapped_out", cert("mapped", L, "NC v4ex", I0, sans=["www.example.com"],
                           ips=["::ffff:10.1.2.3"]))
save("nc_mapped_in", cert("mapped", L, "NC v4ex", I0, sans=["www.example.com"],
                          ips=["::ffff:192.0.2.1"]))
case("nc_ipv4_excluded_mapped_v6", "nameConstraintViolation", "nc_mapped_out", ["R"], ["nc_v4ex_int"])
case("nc_ipv4_excluded_mapped_v6_other", "ok", "nc_mapped_in", ["R"], ["nc_v4ex_int"])
def dn(org, t):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, _type=t)])
save("nc_dn_int", cert("NC dn", I0, "R", R, ca=True,
                       nc=([], [x509.DirectoryName(dn("Evil Corp", _ASN1Type.PrintableString))])))
def dn_leaf(org):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, _type=_ASN1Type.UTF8String),
                      x509.NameAttribute(NameOID.COMMON_NAME, "dn leaf")])
save("nc_dn_out", cert("d", L, "NC dn", I0, sans=["www.example.com"], subject=dn_leaf("evil  corp")))
save("nc_dn_in", cert("d", L, "NC dn", I0, sans=["www.example.com"], subject=dn_leaf("Good Corp")))
case("nc_dirname_other_string_type", "nameConstraintViolation", "nc_dn_out", ["R"], ["nc_dn_int"])
case("nc_dirname_other_name", "ok", "nc_dn_in", ["R"], ["nc_dn_int"])

with open(os.path.join(HERE, "cases.txt"), "w") as f:
    f.write("# name expect policy purpose at host leaf roots pool (gen.py)\n")
    f.write("\n".join(CASES) + "\n")
print("%d cases, %d certificates" % (len(CASES), len(os.listdir(OUT))))
