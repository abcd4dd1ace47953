#!/usr/bin/python3
"""Generate the TLS test PKI for the interop tests (pytests/test_tls_*.py).

Usage: gen_tls_pki.py OUTDIR

Writes into OUTDIR (created if missing; the output is never committed, the
pytest fixture in pytests/conftest.py writes it to build/vectors/tls):

  root-ca.crt.pem            server root, ECDSA P-256 (the trust anchor)
  intermediate-ca.crt.pem    server intermediate, ECDSA P-256, under root-ca
  server-KT.crt.pem          server leaf (KT = ed25519 | ecdsa_p256 | rsa2048):
                             SAN DNS:localhost + IP:127.0.0.1, EKU serverAuth,
                             issued by intermediate-ca
  server-KT.chain.pem        leaf + intermediate (what a server sends)
  server-KT.key.pem          the leaf's key, PKCS#8 PEM, unencrypted
  client-ca.crt.pem          a separate root for client certificates (P-256)
  client-KT.crt.pem          client leaf, EKU clientAuth, CN client-KT,
  client-KT.chain.pem        issued directly by client-ca (chain = the leaf)
  client-KT.key.pem
  negative material (all ECDSA P-256 keys):
  server-expired.*           intermediate-issued, valid 2015-2016
  server-notyet.*            intermediate-issued, valid 2090-2095
  server-othername.*         intermediate-issued, SAN DNS:other.example only
  untrusted-ca.crt.pem       a root nobody trusts
  server-untrusted.*         issued by untrusted-ca (chain = leaf + nothing)
  client-untrusted.*         clientAuth leaf issued by untrusted-ca
  manifest.json              the list above with subjects and validity

Names, subjects, validity windows and the file set are fixed; keys and
serials are fresh on every run (nothing depends on their bytes). Debian's
python3-cryptography is the only dependency: run with /usr/bin/python3.
"""
import datetime
import ipaddress
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

D = datetime.datetime
VALID = (D(2020, 1, 1), D(2049, 12, 31))
KEY_TYPES = ("ed25519", "ecdsa_p256", "rsa2048")


def new_key(kind):
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ecdsa_p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(kind)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "captls test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(subject, key, issuer_name, issuer_key, *, ca, validity=VALID,
          dns=(), ips=(), eku=None, pathlen=None):
    nb, na = validity
    b = (x509.CertificateBuilder().subject_name(name(subject))
         .issuer_name(issuer_name).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), True)
    b = b.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=False,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=ca, crl_sign=ca, encipher_only=False,
        decipher_only=False), True)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(
        key.public_key()), False)
    if issuer_key is not key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), False)
    alt = [x509.DNSName(d) for d in dns] + [
        x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if alt:
        b = b.add_extension(x509.SubjectAlternativeName(alt), False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), False)
    algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) \
        else hashes.SHA256()
    return b.sign(issuer_key, algo)


def cert_pem(c):
    return c.public_bytes(serialization.Encoding.PEM)


def key_pem(k):
    return k.private_bytes(serialization.Encoding.PEM,
                           serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())


class Out:
    def __init__(self, outdir):
        self.dir = outdir
        self.manifest = {}

    def write(self, fname, data):
        tmp = os.path.join(self.dir, fname + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.dir, fname))

    def ca(self, base, cert):
        self.write(base + ".crt.pem", cert_pem(cert))
        self.note(base, cert, key_type="ecdsa_p256")

    def leaf(self, base, cert, key, chain_rest, key_type):
        self.write(base + ".crt.pem", cert_pem(cert))
        self.write(base + ".chain.pem",
                   cert_pem(cert) + b"".join(cert_pem(c) for c in chain_rest))
        self.write(base + ".key.pem", key_pem(key))
        self.note(base, cert, key_type=key_type)

    def note(self, base, cert, key_type):
        self.manifest[base] = {
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "not_before": cert.not_valid_before.isoformat() + "Z",
            "not_after": cert.not_valid_after.isoformat() + "Z",
            "key_type": key_type,
        }


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gen_tls_pki.py OUTDIR\n")
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    out = Out(outdir)
    server = [ExtendedKeyUsageOID.SERVER_AUTH]
    client = [ExtendedKeyUsageOID.CLIENT_AUTH]

    root_key = new_key("ecdsa_p256")
    root = issue("captls test root CA", root_key, name("captls test root CA"),
                 root_key, ca=True)
    int_key = new_key("ecdsa_p256")
    inter = issue("captls test intermediate CA", int_key, root.subject,
                  root_key, ca=True, pathlen=0)
    out.ca("root-ca", root)
    out.ca("intermediate-ca", inter)

    cca_key = new_key("ecdsa_p256")
    cca = issue("captls test client CA", cca_key, name("captls test client CA"),
                cca_key, ca=True)
    out.ca("client-ca", cca)

    for kt in KEY_TYPES:
        k = new_key(kt)
        c = issue("server-" + kt, k, inter.subject, int_key, ca=False,
                  dns=["localhost"], ips=["127.0.0.1"], eku=server)
        out.leaf("server-" + kt, c, k, [inter], kt)
        k = new_key(kt)
        c = issue("client-" + kt, k, cca.subject, cca_key, ca=False, eku=client)
        out.leaf("client-" + kt, c, k, [], kt)

    def bad_server(base, validity=VALID, dns=("localhost",), ips=("127.0.0.1",)):
        k = new_key("ecdsa_p256")
        c = issue(base, k, inter.subject, int_key, ca=False, validity=validity,
                  dns=dns, ips=ips, eku=server)
        out.leaf(base, c, k, [inter], "ecdsa_p256")

    bad_server("server-expired", validity=(D(2015, 1, 1), D(2016, 1, 1)))
    bad_server("server-notyet", validity=(D(2090, 1, 1), D(2095, 1, 1)))
    bad_server("server-othername", dns=("other.example",), ips=())

    ua_key = new_key("ecdsa_p256")
    ua = issue("captls untrusted CA", ua_key, name("captls untrusted CA"),
               ua_key, ca=True)
    out.ca("untrusted-ca", ua)
    k = new_key("ecdsa_p256")
    c = issue("server-untrusted", k, ua.subject, ua_key, ca=False,
              dns=["localhost"], ips=["127.0.0.1"], eku=server)
    out.leaf("server-untrusted", c, k, [], "ecdsa_p256")
    k = new_key("ecdsa_p256")
    c = issue("client-untrusted", k, ua.subject, ua_key, ca=False, eku=client)
    out.leaf("client-untrusted", c, k, [], "ecdsa_p256")

    # The manifest goes last: its presence marks a complete PKI.
    out.write("manifest.json",
              (json.dumps(out.manifest, indent=1, sort_keys=True) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
