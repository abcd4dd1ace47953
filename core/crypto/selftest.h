/* core/crypto/selftest.h — known-answer tests of the crypto primitives.
 *
 * Runs every case (see selftest.c for the vectors and their sources) through
 * the same BearSSL code paths the rest of captls uses, reporting each through
 * the sink. Stack-only, no port access; safe at boot before anything else.
 */
#ifndef CAPTLS_CRYPTO_SELFTEST_H
#define CAPTLS_CRYPTO_SELFTEST_H

#include "core/base/selftest.h"

void captls_crypto_selftest(const captls_selftest_report *r,
                            captls_selftest_counts *c);

#endif
