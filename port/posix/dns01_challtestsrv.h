/* port/posix/dns01_challtestsrv.h — the DNS-update capability of the
 * dns-01 solver (core/acme/solver_dns01.h) backed by the management API of
 * Pebble's test DNS server, pebble-challtestsrv, for
 * `captls acme issue --challenge dns-01 --dns-api URL` against Pebble.
 *
 * Contract.
 *  - The API (pebble-challtestsrv -management ADDR, default :8055) is
 *    plain HTTP/1.1, JSON bodies:
 *      POST <api>/set-txt    {"host":"_acme-challenge.example.com.","value":"..."}
 *      POST <api>/clear-txt  {"host":"_acme-challenge.example.com."}
 *    set-txt ADDS a value to the name's TXT set; clear-txt drops EVERY
 *    value at the name (challtestsrv has no per-value delete). The mock DNS
 *    server (-dns01 ADDR, default :8053) then answers TXT queries for the
 *    name; it matches names octet for octet, hence the lower-case,
 *    trailing-dot names the core solver always gives.
 *  - api_url must be http://HOST[:PORT][/PATH] with HOST a loopback
 *    address (localhost, 127.0.0.0/8, ::1); no query, no fragment, no
 *    userinfo. https and any other host are refused: challtestsrv is a test
 *    fixture whose API has no authentication and no TLS, so whoever can
 *    reach it can publish TXT records, i.e. pass dns-01 for any name at a
 *    CA that trusts it. Talking to it over anything but loopback would hand
 *    that authority to the network. A real DNS provider is another
 *    backend behind the same captls_acme_dns_updater.
 *  - One request per connection ("Connection: close"), over the POSIX
 *    port's non-blocking sockets (port/posix/posix_port.h, no DNS
 *    resolution) with one deadline of timeout_ms for connect, request and
 *    response (0: CAPTLS_CHALLTESTSRV_TIMEOUT_MS).
 *  - Errors (returned by set_txt/clear_txt, one human line in last_error,
 *    naming the URL): CONN_REFUSED (nothing listens: "is
 *    pebble-challtestsrv running?"), TIMEOUT, CONN_RESET, IO, a non-2xx
 *    status as CAPTLS_ERR_IO with the status and the start of the body,
 *    MALFORMED for a response that breaks HTTP/1.1 or for a name/value
 *    outside the character set the core solver produces (so nothing ever
 *    needs JSON escaping), TABLE_FULL past CAPTLS_CHALLTESTSRV_MAX_VALUES
 *    values set and not cleared.
 *  - Per-value clear: the backend remembers the (name, value) pairs it set.
 *    clear_txt(name, value) forgets the pair and posts clear-txt only when
 *    no other remembered value is left at that name, so a base-domain and
 *    a wildcard authorization of one order (same name, two values) never
 *    lose the value still being validated; a cleared value can thus stay
 *    published until its siblings are cleared (harmless: an extra TXT
 *    value satisfies no challenge but its own, RFC 8555 §8.4).
 *  - captls_dns01_challtestsrv_solver() is the one constructor the CLI
 *    calls: backend + core solver granted `zones` (each as
 *    captls_dns01_add_zone takes it, so the --domain list can be passed as
 *    is, "*." included), heap memory released by
 *    captls_dns01_challtestsrv_solver_free(), which first clears anything
 *    still published (best effort). The error of the last failed request
 *    is captls_dns01_challtestsrv_solver_error().
 *  - Not thread-safe; a backend serves one solver.
 */
#ifndef CAPTLS_PORT_POSIX_DNS01_CHALLTESTSRV_H
#define CAPTLS_PORT_POSIX_DNS01_CHALLTESTSRV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/acme/acme_solver.h"
#include "core/acme/solver_dns01.h"

#define CAPTLS_CHALLTESTSRV_TIMEOUT_MS 10000u
#define CAPTLS_CHALLTESTSRV_MAX_VALUES (2u * CAPTLS_DNS01_MAX_RECORDS)
#define CAPTLS_CHALLTESTSRV_ERR 512u

typedef struct captls_challtestsrv captls_challtestsrv;

/* false (err set) for a refused api_url or out of memory. Nothing is
 * contacted yet. */
bool captls_challtestsrv_new(const char *api_url, unsigned timeout_ms,
                             captls_challtestsrv **out, char *err,
                             size_t errcap);
/* Releases c (NULL ok). Does not clear anything. */
void captls_challtestsrv_free(captls_challtestsrv *c);
/* The DNS-update capability over c (c must outlive it). */
captls_acme_dns_updater captls_challtestsrv_updater(captls_challtestsrv *c);
/* The last failure, one line ("" if none). Valid until the next call. */
const char *captls_challtestsrv_last_error(const captls_challtestsrv *c);

/* The dns-01 ChallengeSolver for `--challenge dns-01 --dns-api URL`.
 * zones: nzones >= 1 names the solver may publish under (nzones == 0 is
 * refused: a solver without zones could solve nothing). false (err set,
 * *out zeroed) on a refused URL or zone, or out of memory. */
bool captls_dns01_challtestsrv_solver(const char *api_url,
                                      const char *const *zones, size_t nzones,
                                      captls_acme_solver *out, char *err,
                                      size_t errcap);
/* The last failure of the backend behind s ("" if none). */
const char *captls_dns01_challtestsrv_solver_error(const captls_acme_solver *s);
/* Clears what is still published (best effort), releases and zeroes *s. */
void captls_dns01_challtestsrv_solver_free(captls_acme_solver *s);

#endif
