/* conformance/testkit.h — helpers the cmocka unit tests (test_*.c) share:
 * reading a vectors/ file, OpenSSL key generation, and the X25519
 * small-order u table. Host only: the object calls cmocka and OpenSSL's
 * libcrypto, so only cmocka tests use it (fuzz harnesses link neither
 * cmocka nor this; seeded byte streams are in diff_rng.h, hex and vectors
 * parsing in core/crypto/test_vectors.h). A failure here fails the calling
 * test through cmocka. Tests run from the repository root (ci/run-unit.sh). */
#ifndef CAPTLS_CONFORMANCE_TESTKIT_H
#define CAPTLS_CONFORMANCE_TESTKIT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Reads the file at path into buf; fails the test when it cannot be opened,
 * is empty, or does not fit in cap - 1 bytes. Returns its size. */
size_t captls_test_slurp(const char *path, uint8_t *buf, size_t cap);

/* A fresh OpenSSL key of algorithm alg ("EC", "RSA", "ED25519", ...).
 * param "bits" sets the RSA modulus size to value; any other non-NULL param
 * is a group name ("P-256"); NULL sets nothing. Never NULL (fails the test
 * instead); the caller frees it with EVP_PKEY_free. */
EVP_PKEY *captls_test_keygen(const char *alg, const char *param, int value);

/* u-coordinates of small order (RFC 7748 §7 / libsodium's blocklist):
 * 0, 1, the two order-8 points, p - 1, p, p + 1. X25519 with any of them
 * (bit 255 set or not) gives the all-zero secret. */
extern const uint8_t captls_test_x25519_small_u[7][32];

#endif
