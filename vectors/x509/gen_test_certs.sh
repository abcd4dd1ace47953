#!/usr/bin/env bash
# vectors/x509/gen_test_certs.sh OUTDIR — certificates for the x509 parser
# tests (core/x509/test_certificate.c, pytests/test_x509_show.py), made
# fresh by the OpenSSL CLI on every run (nothing generated is committed).
# Writes OUTDIR/<name>.pem and OUTDIR/<name>.der for:
#   rsa_ca     RSA-2048 root, CA:TRUE pathlen:1 (critical), keyCertSign,
#              name constraints (DNS, IP, email; permitted and excluded),
#              certificate policies, SKI
#   p256_leaf  P-256 leaf signed by rsa_ca: SANs of every kind, EKU
#              serverAuth+clientAuth, KU digitalSignature, AKI, AIA
#              (OCSP + caIssuers), CRLDP, TLS feature status_request, an
#              unknown critical extension 1.2.3.4, serial 0x00ff..
#   p384_ca    P-384 self-signed CA, ecdsa-with-SHA384
#   ed25519    Ed25519 self-signed leaf, EKU codeSigning
#   pss_leaf   RSA-2048 leaf signed by rsa_ca with RSASSA-PSS/SHA-256
#   gt2050     P-256 self-signed, notAfter in 2051 (GeneralizedTime)
set -euo pipefail
out=${1:?usage: gen_test_certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"
export OPENSSL_CONF=/dev/null
q() { "$@" 2>/dev/null >/dev/null; }

q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_ca.key
q openssl req -x509 -new -key rsa_ca.key -sha256 -days 3650 \
  -subj "/C=US/O=Captls Test/OU=PKI/CN=Captls Test RSA Root" \
  -set_serial 0x0102030405060708090a \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:1" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -addext "nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,permitted;email:example.com,excluded;DNS:bad.example.com,excluded;IP:2001:db8::/ffff:ffff::" \
  -addext "certificatePolicies=2.23.140.1.2.1,1.3.6.1.4.1.99999.1" \
  -out rsa_ca.pem

q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256_leaf.key
q openssl req -new -key p256_leaf.key -subj "/CN=a.example.com/O=Example, Inc." -out p256_leaf.csr
cat > p256_leaf.ext <<'X'
subjectAltName=DNS:a.example.com,DNS:*.b.example.com,IP:10.1.2.3,IP:2001:db8::1,email:x@example.com,URI:https://example.com/p,dirName:dir_sect
extendedKeyUsage=serverAuth,clientAuth
keyUsage=critical,digitalSignature
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
authorityInfoAccess=OCSP;URI:http://ocsp.example.com,caIssuers;URI:http://ca.example.com/ca.der
crlDistributionPoints=URI:http://crl.example.com/ca.crl
tlsfeature=status_request
1.2.3.4=critical,DER:05:00
basicConstraints=CA:FALSE
[dir_sect]
C=US
O=Dir Org
CN=dir name
X
q openssl x509 -req -in p256_leaf.csr -CA rsa_ca.pem -CAkey rsa_ca.key \
  -set_serial 0x00ff0102 -days 90 -sha256 -extfile p256_leaf.ext -out p256_leaf.pem

q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384_ca.key
q openssl req -x509 -new -key p384_ca.key -sha384 -days 7300 \
  -subj "/C=DE/O=Captls Test/CN=Captls Test P-384 Root" -set_serial 7 \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
  -out p384_ca.pem

q openssl genpkey -algorithm ED25519 -out ed25519.key
q openssl req -x509 -new -key ed25519.key -days 30 \
  -subj "/CN=Captls Ed25519 Signer" -set_serial 1 \
  -addext "extendedKeyUsage=codeSigning" \
  -addext "keyUsage=digitalSignature" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -out ed25519.pem

q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pss_leaf.key
q openssl req -new -key pss_leaf.key -subj "/CN=pss.example.com" -out pss_leaf.csr
printf 'subjectAltName=DNS:pss.example.com\n' > pss_leaf.ext
q openssl x509 -req -in pss_leaf.csr -CA rsa_ca.pem -CAkey rsa_ca.key \
  -set_serial 42 -days 90 -sha256 -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:32 -extfile pss_leaf.ext -out pss_leaf.pem

q openssl req -x509 -new -key p256_leaf.key -sha256 -subj "/CN=far future" \
  -set_serial 9 -not_before 20250101000000Z -not_after 20510101000000Z \
  -out gt2050.pem 2>/dev/null ||
q openssl req -x509 -new -key p256_leaf.key -sha256 -subj "/CN=far future" \
  -set_serial 9 -days 10000 -out gt2050.pem

for n in rsa_ca p256_leaf p384_ca ed25519 pss_leaf gt2050; do
  openssl x509 -in $n.pem -outform DER -out $n.der
done
cat rsa_ca.pem p256_leaf.pem p384_ca.pem ed25519.pem pss_leaf.pem > bundle.pem
