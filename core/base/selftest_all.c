/* See selftest.h. */
#include "core/base/selftest.h"
#include "core/cap/cap_table.h"
#include "core/crypto/selftest.h"
#include "core/crypto/selftest_curve25519.h"

void captls_selftest_all(const captls_selftest_report *r,
                         captls_selftest_counts *c)
{
    captls_crypto_selftest(r, c);
    captls_curve25519_selftest(r, c);
    captls_cap_selftest(r, c);
}
