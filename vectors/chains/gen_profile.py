"""Certificate-profile cases for the chain corpus (issue 16, part B).

Imported by gen_chains.py (one hook line in its main): add_cases(corpus, g)
appends, after the other categories, one or more cases per rule of
core/verify/profile_rules.h, each with its expected verdict under three
presets as `preset NAME VERDICT` lines:

    webPkiStrict   the CA/Browser Forum profile (cabf_profile) on top of
    webPkiLenient  the RFC 5280 / OpenSSL-strict rules every preset has;
    privateMtls    like lenient here, but nonconforming serials refused.

The runner judges each preset with min_scts 0 and require_ocsp false (the
offline reading the issue asks for); every case is a root, one
intermediate and a leaf (privateMtls allows 3 certificates) over P-256 or
RSA-2048 keys (the algorithms webPkiStrict allows), with a serverAuth EKU,
the host as the first dNSName SAN and, for the CA/B rule on commonName,
the host as the leaf's CN. The `expect` line is the verdict under the
runner's own policy (webPkiLenient with accept_any_eku false), which here
equals the webPkiLenient one.

Certificates are built with python3-cryptography, then edited at the DER
level where the library refuses to write the fault (a pathLenConstraint
without cA, a GeneralizedTime before 2050, a zero serial, a critical
authorityKeyIdentifier, ...) and re-signed by their issuer's key.
Category names are unique per case, so a known difference can name one.
"""
import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PV, BAD_EKU, OK = "policyViolation", "badEku", "ok"
PRESETS = ("webPkiStrict", "webPkiLenient", "privateMtls")

OID_SKI = bytes.fromhex("551d0e")
OID_AKI = bytes.fromhex("551d23")
OID_SAN = bytes.fromhex("551d11")
OID_BC = bytes.fromhex("551d13")
OID_NC = bytes.fromhex("551d1e")
EMPTY_NAME = b"\x30\x00"


# ------------------------------------------------------------ DER edits
def _tlv(b, i):
    """(end of header, end of value) of the TLV at b[i]."""
    n, j = b[i + 1], i + 2
    if n & 0x80:
        k = n & 0x7F
        n, j = int.from_bytes(b[j:j + k], "big"), j + k
    return j, j + n


def _children(b):
    out, i = [], 0
    while i < len(b):
        _, e = _tlv(b, i)
        out.append(b[i:e])
        i = e
    return out


def _body(t):
    s, e = _tlv(t, 0)
    return t[s:e]


class Edit:
    """A certificate's TBS split into fields, edited, then re-signed."""

    def __init__(self, g, cert):
        self.g, self.cert = g, cert
        tbs, self.alg, _ = _children(_body(cert.der))
        self.parts = _children(_body(tbs))
        assert self.parts[0][0] == 0xA0, "v3 certificates only"
        self.exts = []
        if self.parts[-1][0] == 0xA3:
            for e in _children(_body(_body(self.parts.pop()))):
                f = _children(_body(e))
                crit = len(f) == 3
                self.exts.append([_body(f[0]), crit, _body(f[-1])])

    def drop(self, oid):
        self.exts = [e for e in self.exts if e[0] != oid]
        return self

    def critical(self, oid, crit=True):
        for e in self.exts:
            if e[0] == oid:
                e[1] = crit
        return self

    def put(self, oid, crit, value):
        self.drop(oid)
        self.exts.append([oid, crit, value])
        return self

    def serial(self, raw):
        self.parts[1] = self.g.der(0x02, raw)
        return self

    def names(self, issuer=None, subject=None):
        if issuer is not None:
            self.parts[3] = issuer
        if subject is not None:
            self.parts[5] = subject
        return self

    def validity(self, nb_der, na_der):
        self.parts[4] = self.g.der(0x30, nb_der + na_der)
        return self

    def sign(self, signer_key):
        g = self.g
        exts = b"".join(
            g.der(0x30, g.der(0x06, o) + (b"\x01\x01\xff" if c else b"") +
                  g.der(0x04, v)) for o, c, v in self.exts)
        parts = list(self.parts)
        if self.exts:
            parts.append(g.der(0xA3, g.der(0x30, exts)))
        tbs = g.der(0x30, b"".join(parts))
        if isinstance(signer_key, rsa.RSAPrivateKey):
            sig = signer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        else:
            sig = signer_key.sign(tbs, ec.ECDSA(hashes.SHA256()))
        c = self.cert
        return g.Cert(g.der(0x30, tbs + self.alg + g.der(0x03, b"\x00" + sig)),
                      c.key, c.name, c.ski, c.kind)


def _utc(sec):
    return datetime.datetime.utcfromtimestamp(sec).strftime("%y%m%d%H%M%SZ").encode()


def _gen(sec):
    return datetime.datetime.utcfromtimestamp(sec).strftime("%Y%m%d%H%M%SZ").encode()


# ---------------------------------------------------------------- cases
class Profile:
    def __init__(self, corpus, g):
        self.c, self.g = corpus, g
        self.n = 0

    def kind(self):
        self.n += 1
        return ("p256", "rsa2048")[self.n % 2]

    def chain(self, sans=None, eku=None, leaf_kw=None, ca_kw=None, cn=True,
              leaf_kind=None):
        """root -> one intermediate -> leaf; the leaf's CN is the host.
        Returns (root, inter, leaf, host)."""
        g, t = self.g, self.c.tag()
        host = "www.%s.example" % t
        kw = dict(leaf_kw or {})
        if "subject" not in kw:
            kw["subject"] = g.name(host) if cn else x509.Name(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls chains")])
        k = self.kind()
        r, p, l, _ = self.c.chain([k, k], leaf_kind=leaf_kind,
                                  sans=sans or [x509.DNSName(host)],
                                  eku=eku or g.SERVER, leaf_kw=kw, ca_kw=ca_kw)
        return r, p[0], l, host

    def add(self, name, leaf, root, inter, host=None, ip=None,
            lenient=OK, strict=OK, mtls=None):
        presets = {"webPkiStrict": strict, "webPkiLenient": lenient,
                   "privateMtls": lenient if mtls is None else mtls}
        self.c.add("profile-" + name, lenient, leaf, [root], [inter],
                   host=host, ip=ip)
        self.c.cases[-1]["presets"] = presets

    def edit(self, cert):
        return Edit(self.g, cert)

    # -- every preset (RFC 5280 clauses OpenSSL's X509_STRICT enforces) --
    def rfc5280(self):
        g = self.g
        for _ in range(2):
            r, i, l, h = self.chain()
            self.add("good", l, r, i, host=h)
        r, i, l, h = self.chain()
        self.add("aki-missing-leaf", self.edit(l).drop(OID_AKI).sign(i.key), r, i,
                 host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        i2 = self.edit(i).drop(OID_AKI).sign(r.key)
        self.add("aki-missing-intermediate", l, r, i2, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        self.add("aki-critical-leaf", self.edit(l).critical(OID_AKI).sign(i.key), r, i,
                 host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        i2 = self.edit(i).drop(OID_SKI).sign(r.key)
        self.add("ski-missing-intermediate", l, r, i2, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        self.add("ski-critical-leaf", self.edit(l).critical(OID_SKI).sign(i.key), r, i,
                 host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        i2 = self.edit(i).names(subject=EMPTY_NAME).sign(r.key)
        l2 = self.edit(l).names(issuer=EMPTY_NAME).sign(i.key)
        self.add("ca-empty-subject", l2, r, i2, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain(leaf_kw={"bc": False, "ku": {
            "digital_signature": True, "key_cert_sign": True}})
        self.add("ee-keycertsign", l, r, i, host=h, lenient=PV, strict=PV)
        aia = x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier("http://ca.example/i.der"))])
        r, i, l, h = self.chain(leaf_kw={"extra": [(aia, True)]})
        self.add("aia-critical-leaf", l, r, i, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        self.add("empty-subject-san-noncritical",
                 self.edit(l).names(subject=EMPTY_NAME).sign(i.key), r, i, host=h,
                 lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        self.add("empty-subject-san-critical",
                 self.edit(l).names(subject=EMPTY_NAME).critical(OID_SAN).sign(i.key),
                 r, i, host=h)
        r, i, l, h = self.chain(leaf_kw={"bc": False})
        l2 = self.edit(l).put(OID_BC, True, bytes.fromhex("3003020100")).sign(i.key)
        self.add("pathlen-non-ca-leaf", l2, r, i, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain(ca_kw={1: {"ku": None}})
        self.add("ca-no-keyusage", l, r, i, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        i2 = self.edit(i).critical(OID_BC, False).sign(r.key)
        self.add("ca-bc-noncritical", l, r, i2, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain()
        l2 = self.edit(l).validity(g.der(0x18, _gen(g.AT - 30 * g.DAY)),
                                   g.der(0x17, _utc(g.AT + 60 * g.DAY))).sign(i.key)
        self.add("gentime-before-2050-leaf", l2, r, i, host=h, lenient=PV, strict=PV)
        r, i, l, h = self.chain(ca_kw={0: {"eku": g.CLIENT}})
        self.add("anchor-eku-excludes-purpose", l, r, i, host=h,
                 lenient="unknownAnchor", strict="unknownAnchor")

    # -- webPkiStrict: the CA/Browser Forum Baseline Requirements ---------
    def cabf(self):
        g = self.g
        r, i, l, h = self.chain(eku=g.SERVER + [ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE])
        self.add("cabf-leaf-anyeku", l, r, i, host=h, strict=BAD_EKU)
        r, i, l, h = self.chain(ca_kw={0: {"eku": g.SERVER}})
        self.add("cabf-root-with-eku", l, r, i, host=h, strict=PV)
        r, i, l, h = self.chain(leaf_kw={"ca": True, "ku": {"digital_signature": True}})
        self.add("cabf-leaf-is-ca", l, r, i, host=h, strict=PV)
        t = self.c.tag()
        r, i, l, h = self.chain(leaf_kw={"nc": ([x509.DNSName("%s.example" % t)], [])})
        self.add("cabf-nc-in-leaf", l, r, i, host=h, strict=PV)
        t = self.c.tag()
        r, i, l, h = self.chain(ca_kw={1: {"nc": ([x509.DNSName("%s.example" % t)], [])}})
        self.add("cabf-nc-noncritical", l, r, self.edit(i).critical(OID_NC, False).sign(r.key),
                 host=h, strict=PV)
        t = self.c.tag()
        r, i, l, h = self.chain(ca_kw={1: {"nc": ([x509.DNSName(".%s.example" % t)], [])}})
        self.add("cabf-nc-dns-leading-period", l, r, i, host=h, strict=PV)
        pc = x509.PolicyConstraints(require_explicit_policy=None, inhibit_policy_mapping=0)
        r, i, l, h = self.chain(ca_kw={1: {"extra": [(pc, False)]}})
        self.add("cabf-policy-constraints-noncritical", l, r, i, host=h, strict=PV)
        r, i, l, h = self.chain()
        e = self.edit(r)
        serial = _children(_body(_children(_body(r.der))[0]))[1]
        aki = g.der(0x30, g.der(0x80, r.ski.digest) +
                    g.der(0xA1, g.der(0xA4, _children(_body(_children(_body(r.der))[0]))[3])) +
                    g.der(0x82, _body(serial)))
        r2 = e.put(OID_AKI, False, aki).sign(r.key)
        self.add("cabf-root-aki-issuer-serial", l, r2, i, host=h, strict=PV)
        r, i, l, h = self.chain()
        r2 = self.edit(r).put(OID_AKI, False, g.der(0x30, g.der(0x80, b"\x01" * 20))).sign(r.key)
        self.add("root-aki-keyid-mismatch", l, r2, i, host=h,
                 lenient="unknownAnchor", strict="unknownAnchor")
        for nm, raw in (("negative", b"\xfb"), ("zero", b"\x00"),
                        ("21-octets", b"\x01" + b"\x22" * 20)):
            r, i, l, h = self.chain()
            self.add("cabf-serial-" + nm, self.edit(l).serial(raw).sign(i.key), r, i,
                     host=h, strict=PV, mtls=PV)
        r, i, l, h = self.chain()
        r2 = self.edit(r).serial(b"\x00").sign(r.key)
        self.add("cabf-root-serial-zero", l, r2, i, host=h, strict=PV)
        # subject CN vs SANs
        t = self.c.tag()
        r, i, l, h = self.chain(leaf_kw={"subject": g.name("other.%s.example" % t)})
        self.add("cabf-cn-not-a-san", l, r, i, host=h, strict=PV)
        t = self.c.tag()
        r, i, l, h = self.chain(leaf_kw={"subject": g.name("WWW.%s.example" % t)})
        self.add("cabf-cn-other-case", l, r, i, host=h, strict=PV)
        r, i, l, h = self.chain(cn=False)
        self.add("cabf-cn-absent", l, r, i, host=h)
        for nm, text, addr, verdict in (
                ("ipv4", "192.0.2.7", "192.0.2.7", OK),
                ("ipv4-leading-zero", "192.0.2.07", "192.0.2.7", PV),
                ("ipv6", "2001:db8::1", "2001:db8::1", OK),
                ("ipv6-noncanonical", "2001:0db8:0:0:0:0:0:1", "2001:db8::1", PV),
                ("ipv6-upper", "2001:DB8::1", "2001:db8::1", PV)):
            ip = ipaddress.ip_address(addr)
            r, i, l, h = self.chain(sans=[x509.IPAddress(ip)],
                                    leaf_kw={"subject": g.name(text)})
            self.add("cabf-cn-" + nm, l, r, i, ip=addr, strict=verdict)
        t = self.c.tag()
        r, i, l, h = self.chain(sans=[x509.DNSName("www.%s.example" % t),
                                      x509.DNSName("a_b.%s.example" % t)])
        self.add("cabf-dns-underscore", l, r, i, host=h, strict=PV)
        r, i, l, h = self.chain(leaf_kind="rsa2052")
        self.add("cabf-rsa-modulus-not-octets", l, r, i, host=h, strict=PV)
        # wildcards over public suffixes (Debian's publicsuffix list)
        for nm, wild, verdict in (("icann", "*.co.uk", PV),
                                  ("private", "*.github.io", PV),
                                  ("psl-wildcard-rule", "*.foo.ck", PV),
                                  ("psl-exception", "*.www.ck", OK),
                                  ("single-label", "*.example", PV),
                                  ("registrable", None, OK)):
            t = self.c.tag()
            wild = wild or "*.%s.example" % t
            r, i, l, h = self.chain(sans=[x509.DNSName("www.%s.example" % t),
                                          x509.DNSName(wild)])
            self.add("cabf-wildcard-" + nm, l, r, i, host=h, strict=verdict)


def add_cases(corpus, g):
    """Appends the profile cases to corpus (a gen_chains.Corpus); g is the
    gen_chains module (its DER helpers, names and constants)."""
    if "rsa2052" not in corpus.keys.pool:   # one odd-sized key (B9)
        corpus.keys.pool["rsa2052"] = [g._rsa_key(2052, corpus.rng)]
        g.HASH_FOR["rsa2052"] = hashes.SHA256
    p = Profile(corpus, g)
    p.rfc5280()
    p.cabf()
