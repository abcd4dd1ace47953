"""Issue 16 part A cases for the chain corpus (imported by gen_chains.py).

One category per rule, each with its expected verdict under the runner's
policy (webPkiLenient adjusted, conformance/chains_diff.h) and checked
against OpenSSL by the differential runner:
  - bug 1: a certificate whose signatureAlgorithm (outer and TBS, both)
    says ecdsa-with-SHA256 while an Ed25519 issuer made an Ed25519
    signature: signatureMismatch (the algorithm is bound to the key);
  - anchors are never laxer than OpenSSL: an expired / not-yet-valid root,
    a root with an unknown critical extension, with a non-critical
    basicConstraints, with cA FALSE: refused; the healthy twin: ok;
  - an anchor's own pathLenConstraint 0 refuses a CA below it;
  - RFC 5280 §6.1.4 (l): a self-issued intermediate below a pathLen-0 CA
    does not count (ok), a non-self-issued one does (policyViolation);
  - RFC 5280 §4.2.1.10: a subject emailAddress outside an rfc822Name
    constraint is a violation even when the leaf has a SAN;
  - directoryName constraints compare as RFC 5280 §7.1 (PrintableString
    constraint, UTF8String subject, other case and spacing).
Not here, because OpenSSL answers differently on purpose (captls is
stricter; the unit vectors in vectors/verify/ cover them): an excluded
IPv4 range catching an IPv4-mapped IPv6 SAN, and RSASSA-PSS key
parameters (OpenSSL 3.0 does not bind them on the X.509 path).
"""
from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

ALG_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")


def _relabel_ed25519(g, cert_der, issuer_key):
    """Both AlgorithmIdentifiers become ecdsa-with-SHA256; the signature
    stays a genuine Ed25519 signature over the new TBS."""
    tbs, _, _ = g.der_split(cert_der)
    parts = g.der_split(tbs)
    parts[2] = ALG_ECDSA_SHA256
    tbs = g.der(0x30, b"".join(parts))
    sig = issuer_key.sign(tbs)
    return g.der(0x30, tbs + ALG_ECDSA_SHA256 + g.der(0x03, b"\x00" + sig))


def add_cases(c, g):
    b, AT, DAY, YEAR = c.b, g.AT, g.DAY, g.YEAR

    # bug 1: algorithm bound to the issuer key
    for _ in range(4):
        r, p, l, h = c.chain(["ed25519"])
        l.der = _relabel_ed25519(g, l.der, r.key)
        c.add("bug-sigalg-ecdsa-label-ed25519-sig", "signatureMismatch", l,
              [r], p, host=h)
        r, p, l, h = c.chain(["ed25519", "ed25519"])
        p[0].der = _relabel_ed25519(g, p[0].der, r.key)
        c.add("bug-sigalg-ecdsa-label-ed25519-sig-int", "signatureMismatch",
              l, [r], p, host=h)

    # anchors
    for kind in g.KINDS:
        for cat, expect, kw in [
                ("anchor-not-yet-valid", "notYetValid",
                 {"nb": AT + DAY, "na": AT + 10 * YEAR}),
                ("anchor-unknown-critical", "policyViolation",
                 {"extra": [(g.UNKNOWN_CRITICAL, True)]}),
                ("anchor-bc-not-critical", "policyViolation",
                 {"bc": False, "extra": [(x509.BasicConstraints(True, None),
                                          False)]}),
                ("anchor-not-ca", "policyViolation",
                 {"ca": False, "ku": {"digital_signature": True,
                                      "key_cert_sign": False}}),
                ("anchor-healthy", "ok", {})]:
            c.keys.new_case()
            t = c.tag()
            host = "www.%s.example" % t
            rk = dict(nb=AT - 10 * YEAR, na=AT + 10 * YEAR, ca=True)
            rk.update(kw)
            root = b.cert("%s Root" % t, kind, **rk)
            leaf = b.cert("%s leaf" % t, kind, issuer=root,
                          sans=[x509.DNSName(host)], eku=g.SERVER)
            c.add(cat, expect, leaf, [root], [], host=host)

    # pathLenConstraint: the anchor's own, and self-issued intermediates
    for kind in g.KINDS:
        c.keys.new_case()
        t = c.tag()
        host = "www.%s.example" % t
        root = b.cert("%s Root" % t, kind, ca=True, pathlen=0,
                      nb=AT - 10 * YEAR, na=AT + 10 * YEAR)
        sub = b.cert("%s Sub" % t, kind, issuer=root, ca=True)
        leaf = b.cert("%s leaf" % t, kind, issuer=sub,
                      sans=[x509.DNSName(host)], eku=g.SERVER)
        c.add("anchor-pathlen0-exceeded", "policyViolation", leaf, [root],
              [sub], host=host)

        c.keys.new_case()
        t = c.tag()
        host = "www.%s.example" % t
        root = b.cert("%s Root" % t, kind, ca=True, nb=AT - 10 * YEAR,
                      na=AT + 10 * YEAR)
        ca0 = b.cert("%s CA" % t, kind, issuer=root, ca=True, pathlen=0)
        # key rollover: same name, new key, certified by the old key
        rolled = b.cert("%s CA" % t, kind, issuer=ca0, ca=True,
                        subject=ca0.name)
        leaf = b.cert("%s leaf" % t, kind, issuer=rolled,
                      sans=[x509.DNSName(host)], eku=g.SERVER)
        c.add("pathlen-self-issued-not-counted", "ok", leaf, [root],
              [rolled, ca0], host=host)
        other = b.cert("%s Other CA" % t, kind, issuer=ca0, ca=True)
        leaf2 = b.cert("%s leaf" % t, kind, issuer=other,
                       sans=[x509.DNSName(host)], eku=g.SERVER)
        c.add("pathlen-non-self-issued-counted", "policyViolation", leaf2,
              [root], [other, ca0], host=host)

    # name constraints: subject emailAddress with a SAN; directoryName
    for kind in ("p256", "rsa2048"):
        for inside in (False, True):
            c.keys.new_case()
            t = c.tag()
            host = "www.%s.example" % t
            root = b.cert("%s Root" % t, kind, ca=True, nb=AT - 10 * YEAR,
                          na=AT + 10 * YEAR,
                          nc=([x509.DNSName("%s.example" % t),
                               x509.RFC822Name("%s.example" % t)], []))
            mail = "someone@%s" % ("%s.example" % t if inside else "evil.example")
            subj = x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls chains"),
                x509.NameAttribute(NameOID.COMMON_NAME, "%s leaf" % t),
                x509.NameAttribute(NameOID.EMAIL_ADDRESS, mail)])
            leaf = b.cert("%s leaf" % t, kind, issuer=root, subject=subj,
                          sans=[x509.DNSName(host)], eku=g.SERVER)
            c.add("nc-subject-email-with-san-" + ("in" if inside else "out"),
                  "ok" if inside else "nameConstraintViolation", leaf,
                  [root], [], host=host)
        for inside in (False, True):
            c.keys.new_case()
            t = c.tag()
            host = "www.%s.example" % t
            excl = x509.Name([x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "Evil Corp",
                _type=_ASN1Type.PrintableString)])
            root = b.cert("%s Root" % t, kind, ca=True, nb=AT - 10 * YEAR,
                          na=AT + 10 * YEAR,
                          nc=([], [x509.DirectoryName(excl)]))
            org = "Good Corp" if inside else "evil  CORP"
            subj = x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org,
                                   _type=_ASN1Type.UTF8String),
                x509.NameAttribute(NameOID.COMMON_NAME, "%s leaf" % t)])
            leaf = b.cert("%s leaf" % t, kind, issuer=root, subject=subj,
                          sans=[x509.DNSName(host)], eku=g.SERVER)
            c.add("nc-dirname-string-type-" + ("other" if inside else "same"),
                  "ok" if inside else "nameConstraintViolation", leaf,
                  [root], [], host=host)
