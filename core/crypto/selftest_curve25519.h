/* core/crypto/selftest_curve25519.h — power-on known-answer tests of
 * Ed25519 and X25519 (see selftest_curve25519.c for the vectors).
 * Stack-only, no port access, every case run and counted. */
#ifndef CAPTLS_CRYPTO_SELFTEST_CURVE25519_H
#define CAPTLS_CRYPTO_SELFTEST_CURVE25519_H

#include "core/base/selftest.h"

void captls_curve25519_selftest(const captls_selftest_report *r,
                                captls_selftest_counts *c);

#endif
