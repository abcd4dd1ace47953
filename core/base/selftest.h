/* core/base/selftest.h — power-on self-test reporting.
 *
 * Known-answer tests live beside the code they test (core/crypto/selftest.c,
 * core/cap/cap_selftest.c, ...) and report each case through a caller-given
 * sink, so the guest prints them on COM1, `captls selftest` prints them on
 * stdout and the unit tests assert on them. Self-tests use only stack memory,
 * touch no port, and never stop early: every case is run and counted.
 */
#ifndef CAPTLS_BASE_SELFTEST_H
#define CAPTLS_BASE_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct captls_selftest_report {
    void *ctx;
    /* Called once per case; name is a static string. May be NULL. */
    void (*result)(void *ctx, const char *name, bool passed);
} captls_selftest_report;

typedef struct captls_selftest_counts {
    unsigned passed;
    unsigned failed;
} captls_selftest_counts;

/* Counts one case and forwards it to the sink. */
static inline void captls_selftest_record(const captls_selftest_report *r,
                                          captls_selftest_counts *c,
                                          const char *name, bool passed)
{
    if (passed)
        c->passed++;
    else
        c->failed++;
    if (r != NULL && r->result != NULL)
        r->result(r->ctx, name, passed);
}

/* Every power-on self-test of the core, in a fixed order. New modules add
 * their suite here (core/base/selftest_all.c). */
void captls_selftest_all(const captls_selftest_report *r,
                         captls_selftest_counts *c);

#endif
