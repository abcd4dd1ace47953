/* core/acme/solver_dns01.h — the dns-01 challenge solver (RFC 8555 §8.4)
 * as a scoped capability: the only authority it holds is a DNS-update
 * capability (captls_acme_dns_updater) restricted to a configured list of
 * zones, and the only thing it ever asks that authority for is the TXT
 * record
 *   _acme-challenge.<name>.  TXT  base64url(SHA-256(key authorization))
 * of a challenge it was asked to solve, and its removal.
 *
 * Contract.
 *  - Memory: a captls_dns01_solver is caller-owned and fixed size
 *    (CAPTLS_DNS01_MAX_ZONES zones, CAPTLS_DNS01_MAX_RECORDS live
 *    records, each with its name and value copied in). No allocation. The
 *    updater is borrowed: its ctx must outlive the solver.
 *  - The updater (the DNS side, e.g. port/posix/dns01_challtestsrv.h):
 *      set_txt(fqdn, value)   ADDS value to the TXT RRset at fqdn (other
 *                             values there stay: the base-domain and the
 *                             wildcard authorization of one order publish
 *                             at the same name, RFC 8555 §8.4 allows
 *                             several TXT records);
 *      clear_txt(fqdn, value) removes that value (and should leave the
 *                             others at fqdn; a backend that cannot says
 *                             how it approximates this).
 *    fqdn is absolute, lower case, with the trailing dot DNS wants
 *    ("_acme-challenge.example.com."), LDH labels plus the one leading
 *    "_acme-challenge" label; value is 43 base64url characters. Neither
 *    is NUL-terminated. set_txt's error is returned by publish unchanged.
 *  - Zones: captls_dns01_add_zone() grants the solver authority over a
 *    zone and every name below it, on label boundaries ("example.com"
 *    covers example.com and www.example.com, not badexample.com). A
 *    solver with no zone has no authority at all. publish refuses a name
 *    outside every zone with CAPTLS_ERR_NO_AUTHORITY BEFORE any call to
 *    the updater (counted in `refused`).
 *  - publish(name, key_authorization): name is the identifier
 *    value, an LDH host name (1..CAPTLS_DNS01_NAME_MAX octets, labels of
 *    1..63, no leading/trailing '-', no trailing dot; compared and
 *    published in lower case). A wildcard authorization publishes for its
 *    base domain (RFC 8555 §8.4, §7.1.4): the identifier already is the
 *    base domain (with `wildcard` set, which changes nothing here); a
 *    leading "*." on the name is also stripped. Any other '*' is MALFORMED. The key authorization must be
 *    token "." 43-character base64url thumbprint (RFC 8555 §8.1), the
 *    token base64url of 1..CAPTLS_DNS01_TOKEN_MAX octets: MALFORMED
 *    otherwise. A name whose record name would exceed 254 octets (253 +
 *    the root dot) is LIMIT_EXCEEDED. Publishing a (name, value) that is
 *    live again only counts a reference (no updater call); a new one
 *    needs an empty slot (TABLE_FULL once CAPTLS_DNS01_MAX_RECORDS are
 *    live, before any updater call). The record is live only once
 *    set_txt returned CAPTLS_OK.
 *  - retire(name, key_authorization) drops one reference; the
 *    last one calls clear_txt for exactly the fqdn and value set_txt was
 *    given and empties the slot. A name/value that is not live (never
 *    published, refused, already retired) calls nothing: cleanup clears
 *    exactly what solve set. retire cannot fail: a clear_txt error is
 *    counted (clear_failed, last_clear_error) and the slot is emptied
 *    anyway (the backend's own error text says what is left in DNS).
 *  - captls_dns01_solver_cap() is the seed's ChallengeSolver
 *    (core/acme/acme_solver.h): supports = [dns-01] only, solve = publish
 *    (only type dns-01 and identifier type "dns": an "ip" identifier
 *    cannot use dns-01, RFC 8738 §7 — UNSUPPORTED), cleanup = retire.
 *    NOT thread-safe.
 *  - What is NOT checked: that the zones are really delegated where the
 *    updater writes, that the TXT record has propagated (the client
 *    tells the CA to validate right after solve; a backend with slow
 *    propagation waits in set_txt), IDNA (A-labels pass as LDH).
 */
#ifndef CAPTLS_ACME_SOLVER_DNS01_H
#define CAPTLS_ACME_SOLVER_DNS01_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_solver.h"
#include "core/base/result.h"

#define CAPTLS_DNS01_MAX_ZONES 8u
#define CAPTLS_DNS01_MAX_RECORDS 16u
#define CAPTLS_DNS01_NAME_MAX 253u /* a host name, no trailing dot */
#define CAPTLS_DNS01_LABEL "_acme-challenge"
/* "_acme-challenge." name "." : at most 254 octets (RFC 1035 §2.3.4:
 * 255 on the wire, one less in text with the root dot). */
#define CAPTLS_DNS01_FQDN_MAX 254u
#define CAPTLS_DNS01_VALUE_LEN 43u /* base64url of a SHA-256 digest */
#define CAPTLS_DNS01_TOKEN_MAX 128u
#define CAPTLS_DNS01_THUMBPRINT_LEN 43u

/* The DNS-update capability (see the contract above). */
typedef struct captls_acme_dns_updater {
    void *ctx;
    captls_result (*set_txt)(void *ctx, const char *fqdn, size_t fqdn_len,
                             const char *value, size_t value_len);
    captls_result (*clear_txt)(void *ctx, const char *fqdn, size_t fqdn_len,
                               const char *value, size_t value_len);
} captls_acme_dns_updater;

typedef struct captls_dns01_record {
    bool live;
    uint16_t refs;
    uint16_t fqdn_len;
    char fqdn[CAPTLS_DNS01_FQDN_MAX];
    char value[CAPTLS_DNS01_VALUE_LEN];
} captls_dns01_record;

typedef struct captls_dns01_solver {
    captls_acme_dns_updater updater;
    size_t zone_count;
    uint8_t zone_len[CAPTLS_DNS01_MAX_ZONES];
    char zone[CAPTLS_DNS01_MAX_ZONES][CAPTLS_DNS01_NAME_MAX];
    captls_dns01_record rec[CAPTLS_DNS01_MAX_RECORDS];
    /* counters */
    uint64_t published, cleared, refused, clear_failed;
    captls_result last_clear_error; /* CAPTLS_OK until a clear fails */
} captls_dns01_solver;

/* No zone yet (no authority). INVALID_ARGUMENT if u or one of its
 * functions is NULL. */
CAPTLS_MUST_CHECK captls_result captls_dns01_init(
    captls_dns01_solver *s, const captls_acme_dns_updater *u);
/* Wipes every record (without calling the updater) and the zones. */
void captls_dns01_wipe(captls_dns01_solver *s);

/* Grants zone[0..len): an LDH name as publish takes it, or with a
 * trailing dot, or "*." name (the "*." is dropped, so a CLI may pass its
 * --domain list). Adding a zone twice is a no-op. MALFORMED, or
 * LIMIT_EXCEEDED beyond CAPTLS_DNS01_MAX_ZONES. */
CAPTLS_MUST_CHECK captls_result captls_dns01_add_zone(captls_dns01_solver *s,
                                                      const char *zone,
                                                      size_t len);

/* base64url(SHA-256(key_authorization)) without padding: exactly
 * CAPTLS_DNS01_VALUE_LEN characters into out. INVALID_ARGUMENT on NULL. */
CAPTLS_MUST_CHECK captls_result captls_dns01_txt_value(
    const char *key_authorization, size_t key_authorization_len,
    char out[CAPTLS_DNS01_VALUE_LEN]);

/* "_acme-challenge." lower(name without "*.") "." into out[0..cap);
 * *out_len its length (no NUL). MALFORMED, LIMIT_EXCEEDED (see the
 * contract), BUFFER_TOO_SMALL. */
CAPTLS_MUST_CHECK captls_result captls_dns01_record_name(const char *name,
                                                         size_t name_len,
                                                         char *out, size_t cap,
                                                         size_t *out_len);

CAPTLS_MUST_CHECK captls_result captls_dns01_publish(
    captls_dns01_solver *s, const char *name, size_t name_len,
    const char *key_authorization, size_t key_authorization_len);
void captls_dns01_retire(captls_dns01_solver *s, const char *name,
                         size_t name_len, const char *key_authorization,
                         size_t key_authorization_len);
size_t captls_dns01_live_count(const captls_dns01_solver *s);

/* The ChallengeSolver capability over s (s must outlive it). */
captls_acme_solver captls_dns01_solver_cap(captls_dns01_solver *s);

#endif
