#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/fuzz_acme_response.c into
fuzz/corpus/acme_response/: whole conversations (directory, nonce,
account, order, authorization, challenge, finalize, poll, certificate) in
the harness's frame format, plus error, redirect and malformed variants."""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "acme_response")
B = "https://ca.test"

# flags: nonce (1 fresh), location (4 on origin, 8 elsewhere), ctype
# (0x10 json, 0x20 problem, 0x30 pem), 0x40 truncated, 0x80 retry-after
def frame(status, flags, body=b"", retry=0):
    if isinstance(body, str):
        body = body.encode()
    return struct.pack(">HBBH", status, flags, retry, len(body)) + body

DIR = ('{"newNonce":"%s/nonce","newAccount":"%s/acct","newOrder":"%s/order",'
       '"revokeCert":"%s/revoke","keyChange":"%s/kc","renewalInfo":"%s/ari",'
       '"meta":{"termsOfService":"%s/tos"}}') % ((B,) * 7)
ACCT = '{"status":"valid","contact":["mailto:a@example"]}'
ORDER = ('{"status":"pending","identifiers":[{"type":"dns","value":"a.example"}],'
         '"authorizations":["%s/authz/0"],"finalize":"%s/fin"}') % (B, B)
AUTHZ = ('{"status":"pending","identifier":{"type":"dns","value":"a.example"},'
         '"challenges":[{"type":"http-01","url":"%s/ch/0","token":"tok_0-A",'
         '"status":"pending"}]}') % B
CHAL = '{"type":"http-01","url":"%s/ch/0","token":"tok_0-A","status":"processing"}' % B
AUTHZ_OK = AUTHZ.replace('"status":"pending","identifier"', '"status":"valid","identifier"')
AUTHZ_BAD = AUTHZ.replace('"status":"pending"}]}',
                          '"status":"invalid","error":{"type":"urn:ietf:params:acme:error:'
                          'incorrectResponse","detail":"no"}}]}').replace(
                              '{"status":"pending","identifier"', '{"status":"invalid","identifier"')
FIN = ORDER.replace('"pending"', '"processing"')
VALID = FIN.replace('"processing"', '"valid"')[:-1] + ',"certificate":"%s/cert/1"}' % B
PEM = ("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")


def pem_of(*names):
    """Real certificates from vectors/verify (they never verify here: the
    harness's trust store is empty), to reach the verifier."""
    import base64
    out = ""
    root = os.path.join(os.path.dirname(__file__), "..", "vectors", "verify", "certs")
    for n in names:
        with open(os.path.join(root, n), "rb") as f:
            b = base64.b64encode(f.read()).decode()
        out += "-----BEGIN CERTIFICATE-----\n"
        out += "\n".join(b[i:i + 64] for i in range(0, len(b), 64))
        out += "\n-----END CERTIFICATE-----\n"
    return out
PROB = '{"type":"urn:ietf:params:acme:error:%s","detail":"%s"}'

seeds = {
    "directory": bytes([0]) + frame(200, 0x10, DIR),
    "register": bytes([1]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x15, ACCT),
    "rediscover_missing": bytes([9]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(400, 0x21, PROB % ("accountDoesNotExist", "none")),
    "order_full": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x15, ORDER) + frame(200, 0x11, AUTHZ) +
                frame(200, 0x91, CHAL, 1) + frame(200, 0x11, AUTHZ_OK) +
                frame(200, 0x91, FIN, 2) + frame(200, 0x11, VALID) +
                frame(200, 0x31, PEM),
    "order_real_chain": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x15, ORDER) + frame(200, 0x11, AUTHZ) +
                frame(200, 0x91, CHAL, 1) + frame(200, 0x11, AUTHZ_OK) +
                frame(200, 0x91, VALID, 2) +
                frame(200, 0x31, pem_of("p256_leaf.der", "p256_int.der")),
    "order_invalid_authz": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x15, ORDER) + frame(200, 0x11, AUTHZ) +
                frame(200, 0x11, CHAL) + frame(200, 0x11, AUTHZ_BAD),
    "bad_nonce": bytes([1]) + frame(200, 0x10, DIR) + frame(200, 1) +
                b"".join(frame(400, 0x21, PROB % ("badNonce", "again")) for _ in range(6)),
    "rate_limited": bytes([1]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(429, 0xa1, PROB % ("rateLimited", "slow"), 30) +
                frame(201, 0x15, ACCT),
    "server_500": bytes([0]) + frame(500, 0x21, PROB % ("serverInternal", "x")) +
                frame(503, 0x80, "", 2) + frame(200, 0x10, DIR),
    "redirect": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(302, 0x09),
    "location_elsewhere": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x19, ORDER),
    "malformed": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x15, '{"status":"pending","authoriz'),
    "truncated": bytes([2]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(201, 0x55, ORDER),
    "revoke": bytes([0x23]) + frame(200, 0x10, DIR) + frame(200, 1) +
                frame(200, 0x01),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote", len(seeds), "seeds to", OUT)
