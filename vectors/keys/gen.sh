#!/usr/bin/env bash
# Regenerates the sample keys in this directory with the openssl CLI (see
# README). Keys differ on every run; tests only rely on their structure.
set -euo pipefail
cd "$(dirname "$0")"
gen() { # name, genpkey args...
  local name=$1; shift
  openssl genpkey "$@" -out "$name.key.pem" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$name.key.pem" -outform DER -out "$name.key.der"
  openssl pkey -in "$name.key.pem" -pubout -out "$name.pub.pem"
  openssl pkey -in "$name.key.pem" -pubout -outform DER -out "$name.pub.der"
}
gen rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
gen rsapss2048 -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
gen rsapss2048-sha256 -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 \
  -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha256 \
  -pkeyopt rsa_pss_keygen_saltlen:32
gen p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
gen p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
gen ed25519 -algorithm ED25519
gen x25519 -algorithm X25519
# SEC1 ("EC PRIVATE KEY") forms of the EC keys
for c in p256 p384; do
  openssl ec -in "$c.key.pem" -out "$c.sec1.pem" 2>/dev/null
  openssl ec -in "$c.key.pem" -outform DER -out "$c.sec1.der" 2>/dev/null
done
# an encrypted PKCS#8 key (must be refused as unsupported)
openssl pkcs8 -topk8 -in p256.key.pem -passout pass:test -out p256.enc.pem
chmod 644 ./*.pem ./*.der
