#!/usr/bin/python3
"""sim/scenarios/pki/gen_acme.py — the root of the simulator's ACME CA
(sim/prog_acme_ca.c) and its key, for the acme_*.scn scenarios.

Deterministic like gen.py (Ed25519 from a fixed seed; Ed25519 signatures
are deterministic): rerunning writes the same bytes. Kept apart from gen.py
so that the trust/TLS PKI stays untouched.

  acme-root      CN=Sim ACME Root   CA, 2020-01-01 .. 2040-01-01
  acme-root.key  its Ed25519 key (seed 0x58 x 32), PKCS#8: the acme-ca
                 program signs the leaves it issues with it (test key only)

The leaves themselves are made at run time by the acme-ca program from the
client's CSR, dated by the CA host's clock.
Run: /usr/bin/python3 sim/scenarios/pki/gen_acme.py
"""
import os

from cryptography.hazmat.primitives import serialization

from gen import D, HERE, cert, key, name


def main():
    k = key(0x58)
    n = name("Sim ACME Root")
    c = cert(n, k, n, k, 88, D(2020, 1, 1), D(2040, 1, 1), True)
    with open(os.path.join(HERE, "acme-root.der"), "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.DER))
    with open(os.path.join(HERE, "acme-root.key.der"), "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.DER,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))


if __name__ == "__main__":
    main()
