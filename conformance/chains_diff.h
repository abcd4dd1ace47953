/* conformance/chains_diff.h — one chain case through captls and through
 * OpenSSL's X509_verify_cert, and the comparison of their verdicts.
 *
 * Host-only; links OpenSSL's libcrypto (the reference). What each side is
 * given for a case (chains_corpus.h):
 *   captls  — captls_verify_chain with the leaf, the pool as untrusted
 *             intermediates, the roots as anchors (an anchor source over
 *             parsed certificates), a trusted clock at `at`, the host (or
 *             the binary IP), the purpose, and chains_diff_policy();
 *   OpenSSL — an X509_STORE with the roots, the pool as the untrusted
 *             stack, X509_V_FLAG_X509_STRICT, check time `at`, depth
 *             maxchain - 2 (OpenSSL counts neither leaf nor anchor), auth
 *             (security) level 2 (112 bits: RSA >= 2048, no SHA-1/MD5
 *             signatures, anchors' self-signatures excepted), host flags
 *             NO_PARTIAL_WILDCARDS | NEVER_CHECK_SUBJECT (RFC 6125 and
 *             CA/B BR 7.1.4.2.2: never the CN) or set1_ip_asc, purpose
 *             SSL_SERVER / SSL_CLIENT; codeSigning (no OpenSSL 3.0 purpose)
 *             is X509_PURPOSE_ANY plus an EKU check of every non-anchor
 *             certificate of the built chain done here. X509_V_ERR_* codes
 *             map to FailureReason names through one table
 *             (chains_diff_openssl_reason).
 * Verdicts: "ok", a FailureReason name, or "error" (a side could not even
 * run, e.g. a certificate that does not parse: detail says why).
 */
#ifndef CAPTLS_CONFORMANCE_CHAINS_DIFF_H
#define CAPTLS_CONFORMANCE_CHAINS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conformance/chains_corpus.h"
#include "core/verify/policy.h"
#include "core/verify/sig_cache.h"

typedef struct chains_verdict {
    char verdict[32];   /* "ok", a FailureReason name, or "error" */
    char detail[224];   /* captls: outcome detail; OpenSSL: X509_V_ERR text */
    int openssl_error;  /* X509_V_ERR_* (OpenSSL side) */
} chains_verdict;

/* The runner's policy: webPkiLenient (no SCTs, no OCSP, skew 300 s,
 * every algorithm captls verifies, RSA >= 2048, absent leaf EKU accepted as
 * RFC 5280 §4.2.1.12 says) with three changes so both sides judge the same
 * thing: max_chain_length = the case's maxchain; purposes widened to
 * codeSigning; accept_any_eku false (OpenSSL's SSL purposes refuse a leaf
 * whose only EKU is anyExtendedKeyUsage, as the CA/B BRs 7.1.2.7.10 do). */
void chains_diff_policy(captls_verification_policy *p, unsigned maxchain);

/* Shared by the runners (chains_store.c): sets a verdict and its detail;
 * parses one certificate of the case (0, or -1 with v = "error" naming
 * what[i] and the byte offset); the case's reference identity, a host name
 * (*host, *host_len) or an IP address (decoded into ip[16], *ip_out and
 * *ip_len set), nothing for "none" (0, or -1 with v = "error" for an IP
 * literal that does not decode). */
struct captls_certificate;
void chains_verdict_set(chains_verdict *v, const char *verdict,
                        const char *detail);
int chains_parse_cert(const chains_blob *b, struct captls_certificate *cert,
                      const char *what, size_t i, chains_verdict *v);
int chains_case_identity(const chains_case *c, const char **host,
                         size_t *host_len, uint8_t ip[16], const uint8_t **ip_out,
                         size_t *ip_len, chains_verdict *v);

/* Runs the captls side. cache may be NULL (cold). */
void chains_run_captls(const chains_case *c, captls_sig_cache *cache,
                       chains_verdict *v);
/* The same under the given policy (the per-preset runs, chains_presets.h);
 * chains_run_captls is this with chains_diff_policy(). */
void chains_run_captls_policy(const chains_case *c,
                              const captls_verification_policy *pol,
                              captls_sig_cache *cache, chains_verdict *v);
/* Runs the OpenSSL side. */
void chains_run_openssl(const chains_case *c, chains_verdict *v);

/* The X509_V_ERR_* -> FailureReason table ("error" for codes with no
 * meaning for a chain, e.g. X509_V_ERR_OUT_OF_MEM). */
const char *chains_diff_openssl_reason(int x509_v_err);

/* Known differences: conformance/chains_known.h (by exact case id). */

#endif
