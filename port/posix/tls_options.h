/* port/posix/tls_options.h — what `captls tls-server` and `captls
 * tls-client` share before a connection exists: option values (--alpn,
 * --suites, --groups, --record-size-limit, HOST:PORT), files (a signing key
 * and its certificate chain, a trust store from PEM roots or the compiled-in
 * Mozilla roots) and the capability wiring a TLS config needs.
 *
 * Contract.
 *  - Every function that can fail prints nothing itself: it writes one
 *    human line into the caller's `err` buffer ("--groups: unknown name
 *    'x'", "key.pem: cannot read: No such file or directory") and returns
 *    false. The programs print it as `error: <err>` and exit 2: a setup
 *    error always fails closed, nothing half-configured is ever used.
 *  - Objects are caller-owned (the programs keep them static or heap, for
 *    the whole run); what a TLS config points to (signer, chain source,
 *    caps, verify scratch, ALPN strings) lives inside these objects, so
 *    they must outlive every connection made from the config. File bytes
 *    are read once into the heap; the DER the trust store and the chain
 *    borrow is freed only by captls_tlsopt_trust_fini /
 *    captls_tlsopt_identity_free (the programs call them at exit; the
 *    identity's key is wiped then).
 *  - Trust (client: server certificates; server: client certificates) is a
 *    TrustStore + CertVerifier reached through a cap table, as `captls
 *    verify` does. Policy choice, documented here because it is a
 *    decision:
 *      * Mozilla roots (the client without --roots): webPkiStrict with its
 *        two fail-closed requirements (min_scts 2, require_ocsp) turned
 *        off, because neither SCT validation nor OCSP evaluation exists yet
 *        (the strict preset would fail every public site with
 *        insufficientScts); everything else is webPkiStrict (Mozilla Root
 *        Store Policy algorithms — no Ed25519 —, leaf EKU required, no
 *        anyEKU, conforming serials, 60 s skew). Named "webPkiStrict-noCT".
 *      * a private CA file (--roots, --client-ca): webPkiLenient — every
 *        algorithm captls verifies (Ed25519 included), no SCT or OCSP
 *        demands (a private CA has no CT logs), EKU optional (RFC 5280);
 *        privateMtls is not used because it demands OCSP and fails closed
 *        (ocspUnavailable) until the OCSP issue lands.
 *    Roots from a file serve what their EKU allows; Mozilla roots serve
 *    tlsServerAuth only (as Debian ships them).
 *  - What is NOT checked here: that a chain file is ordered leaf first
 *    beyond "the first certificate is the one the key matches" (the peer's
 *    path builder sorts the rest).
 */
#ifndef CAPTLS_PORT_POSIX_TLS_OPTIONS_H
#define CAPTLS_PORT_POSIX_TLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cap/cap_table.h"
#include "core/tls/peer_trust.h"
#include "core/tls/tls.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"

#define CAPTLS_TLSOPT_ERR 512u

/* ---- option values ------------------------------------------------------ */

/* Options both programs take; filled by captls_tlsopt_common_option. */
typedef struct captls_tlsopt_common {
    captls_cipher_policy policy;     /* modern preset, then --suites/--groups */
    char alpn_store[CAPTLS_TLS_MAX_ALPN][CAPTLS_TLS_MAX_ALPN_LEN + 1];
    size_t alpn_count;
    uint16_t record_size_limit;      /* 0: not sent */
    bool key_update;                 /* --key-update */
} captls_tlsopt_common;

void captls_tlsopt_common_init(captls_tlsopt_common *o);

/* If `opt` is one of the shared options (--alpn, --suites, --groups,
 * --record-size-limit, --key-update), applies it (value `val`, which may
 * be NULL when the option takes none) and returns 1, or 2 when it also
 * consumed `val`; 0 when `opt` is not a shared option; -1 with `err` set
 * on a bad value. */
int captls_tlsopt_common_option(captls_tlsopt_common *o, const char *opt,
                                const char *val, char *err, size_t errcap);

/* Copies the options into a config's common part (ALPN pointers point into
 * `o`, which must outlive the config). Entropy, clock and keylog are the
 * caller's. */
void captls_tlsopt_apply(const captls_tlsopt_common *o,
                         captls_tls_common_config *out);

/* "HOST:PORT", "[v6]:PORT". host gets the name without brackets. */
bool captls_tlsopt_split_hostport(const char *s, char *host, size_t hostcap,
                                  char *port, size_t portcap, char *err,
                                  size_t errcap);

/* Decimal in [lo, hi]. */
bool captls_tlsopt_parse_uint(const char *s, unsigned long lo,
                              unsigned long hi, unsigned long *out);

/* The TLS 1.3 SignatureScheme name ("ed25519", "rsa_pss_rsae_sha256"),
 * "none" for 0, "unknown" otherwise. */
const char *captls_tlsopt_scheme_name(uint16_t scheme);

/* ---- files ------------------------------------------------------------ */

/* Whole file into a fresh heap buffer (NUL added after the end, not
 * counted). Empty files and files over 16 MiB are errors. */
bool captls_tlsopt_read_file(const char *path, uint8_t **data, size_t *len,
                             char *err, size_t errcap);

/* A signing key and the chain it belongs to (--cert/--key). */
typedef struct captls_tlsopt_identity captls_tlsopt_identity;

/* Loads CHAIN.pem (leaf first) and KEY.pem and checks that the key is the
 * leaf's key (key_signer's match check). On success *out is heap memory
 * living for the program. */
bool captls_tlsopt_identity_load(const char *cert_path, const char *key_path,
                                 captls_tlsopt_identity **out, char *err,
                                 size_t errcap);
/* Wipes the key (captls_tls_key_signer_destroy) and frees; NULL is a
 * no-op. Only after every config using it is gone. */
void captls_tlsopt_identity_free(captls_tlsopt_identity *id);
const captls_tls_signer *captls_tlsopt_identity_signer(
    const captls_tlsopt_identity *id);
const captls_tls_chain_source *captls_tlsopt_identity_chain(
    const captls_tlsopt_identity *id);
/* Staples the DER OCSPResponse in FILE to the leaf's CertificateEntry (sent
 * to clients that ask with status_request). The file is not judged here
 * (its evaluation belongs to the OCSP issue); it must be a DER SEQUENCE. */
bool captls_tlsopt_identity_staple(captls_tlsopt_identity *id,
                                   const char *ocsp_path, char *err,
                                   size_t errcap);

/* ---- trust ---------------------------------------------------------------- */

typedef struct captls_tlsopt_trust {
    captls_tls_peer_trust pt;        /* pt.peer: ready for a config */
    /* heap the store borrows (freed by captls_tlsopt_trust_fini) */
    captls_trust_anchor_info *anchor_slots;
    uint8_t *arena;
    captls_certificate *certs;
    uint8_t *der;
} captls_tlsopt_trust;

/* roots_path NULL: the Mozilla roots (tlsServerAuth) with
 * webPkiStrict-noCT; a file: its CERTIFICATE blocks with webPkiLenient
 * (see the contract). clock: for audit timestamps only. */
bool captls_tlsopt_trust_init(captls_tlsopt_trust *t, const char *roots_path,
                              const captls_clock *clock, char *err,
                              size_t errcap);

/* Frees what trust_init allocated; only after every config using it is
 * gone. */
void captls_tlsopt_trust_fini(captls_tlsopt_trust *t);

/* ---- key log ------------------------------------------------------------ */

/* When SSLKEYLOGFILE is set, opens it (O_APPEND|O_CREAT, 0600) and points
 * the config at a writer of NSS key log lines; unset: nothing. false (with
 * err) if the file cannot be opened. */
bool captls_tlsopt_keylog_from_env(captls_tls_common_config *cfg, char *err,
                                   size_t errcap);

#endif
