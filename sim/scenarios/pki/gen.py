#!/usr/bin/python3
"""sim/scenarios/pki/gen.py — the small fixed PKI the trust scenarios load
with `cert NAME "pki/FILE.der"` (sim/SCENARIOS.md).

Deterministic: every key is Ed25519 from a fixed seed and Ed25519
signatures are deterministic, so rerunning writes the same bytes.
Run from anywhere: /usr/bin/python3 sim/scenarios/pki/gen.py
(python3-cryptography from Debian). Writes the .der files beside itself.

The scenarios' hosts start at 2026-11-23T00:00:00Z ("T0"); the validity
windows are placed around T0 so that clock skew, jumps and an untrusted
clock change outcomes (webPkiLenient tolerates 300 s of skew):

  root-a      CN=Sim Root A       CA, 2020-01-01 .. 2040-01-01
  root-b      CN=Sim Root B       CA, 2020-01-01 .. 2040-01-01
  int-a       CN=Sim Issuing A    CA (pathlen 0) under root-a,
                                  2020-01-01 .. 2035-01-01
  leaf-a      www.alpha.test      under int-a, 2026-01-01 .. 2027-06-01
                                  (valid at T0)
  leaf-b      www.beta.test       under root-b, 2026-01-01 .. 2027-06-01
  leaf-edge   edge.alpha.test     under int-a, 2026-01-01 .. T0 exactly:
                                  ok up to T0 + 300 s, expired after
  leaf-old    old.alpha.test      under int-a, 2025-01-01 .. 2026-11-01
                                  (expired three weeks before T0)
  leaf-future new.alpha.test      under int-a, 2027-01-01 .. 2028-01-01
                                  (not yet valid at T0)

Client certificates for the telnets gateway scenarios (EKU clientAuth,
2026-01-01 .. 2027-06-01, keys in client-NAME.key.der):
  client-alice    CN=alice    under int-a (mapped by subject, profile user)
  client-dave     CN=dave     under int-a (mapped by fingerprint, profile dev)
  client-bob      CN=bob      under int-a (not in the client map)
  client-mallory  CN=mallory  under root-b (untrusted by a root-a client CA)

Keys (PKCS#8 DER, for the TLS scenarios' `key` lines; test keys only):
  leaf-a.key  the Ed25519 key of leaf-a (seed 0x60 x 32), the tls-server's
"""
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

D = datetime.datetime
T0 = D(2026, 11, 23)
HERE = os.path.dirname(os.path.abspath(__file__))


def key(n):
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls sim"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def cert(subject, skey, issuer, ikey, serial, nb, na, ca, pathlen=None,
         host=None, client=False):
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer)
         .public_key(skey.public_key())
         .serial_number(serial).not_valid_before(nb).not_valid_after(na))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen),
                        critical=True)
    b = b.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(skey.public_key()),
        critical=False)
    if subject != issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ikey.public_key()), critical=False)
    ku = dict(digital_signature=not ca, content_commitment=False,
              key_encipherment=False, data_encipherment=False,
              key_agreement=False, key_cert_sign=ca, crl_sign=ca,
              encipher_only=False, decipher_only=False)
    b = b.add_extension(x509.KeyUsage(**ku), critical=True)
    if host is not None:
        b = b.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False)
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]),
                            critical=False)
    if client:
        b = b.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False)
    return b.sign(ikey, None)


def main():
    k_ra, k_rb, k_ia = key(0x51), key(0x52), key(0x53)
    n_ra, n_rb, n_ia = name("Sim Root A"), name("Sim Root B"), \
        name("Sim Issuing A")
    far_nb, far_na = D(2020, 1, 1), D(2040, 1, 1)
    out = {
        "root-a": cert(n_ra, k_ra, n_ra, k_ra, 1, far_nb, far_na, True),
        "root-b": cert(n_rb, k_rb, n_rb, k_rb, 2, far_nb, far_na, True),
        "int-a": cert(n_ia, k_ia, n_ra, k_ra, 3, far_nb, D(2035, 1, 1), True,
                      pathlen=0),
    }
    leaves = [
        ("leaf-a", "www.alpha.test", D(2026, 1, 1), D(2027, 6, 1), n_ia,
         k_ia),
        ("leaf-b", "www.beta.test", D(2026, 1, 1), D(2027, 6, 1), n_rb, k_rb),
        ("leaf-edge", "edge.alpha.test", D(2026, 1, 1), T0, n_ia, k_ia),
        ("leaf-old", "old.alpha.test", D(2025, 1, 1), D(2026, 11, 1), n_ia,
         k_ia),
        ("leaf-future", "new.alpha.test", D(2027, 1, 1), D(2028, 1, 1), n_ia,
         k_ia),
    ]
    for i, (fname, host, nb, na, iname, ikey) in enumerate(leaves):
        out[fname] = cert(name(host), key(0x60 + i), iname, ikey, 16 + i, nb,
                          na, False, host=host)
    for fname, c in out.items():
        with open(os.path.join(HERE, fname + ".der"), "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.DER))
    keys = {"leaf-a": key(0x60)}
    clients = [("alice", n_ia, k_ia), ("dave", n_ia, k_ia),
               ("bob", n_ia, k_ia), ("mallory", n_rb, k_rb)]
    for i, (who, iname, ikey) in enumerate(clients):
        k = key(0x70 + i)
        c = cert(name(who), k, iname, ikey, 32 + i, D(2026, 1, 1),
                 D(2027, 6, 1), False, client=True)
        with open(os.path.join(HERE, "client-" + who + ".der"), "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.DER))
        keys["client-" + who] = k
    for fname, k in keys.items():
        with open(os.path.join(HERE, fname + ".key.der"), "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.DER,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))


if __name__ == "__main__":
    main()
