/* captls-chain-bench: chains verified per second, captls vs OpenSSL's
 * X509_verify_cert in one run, and memory per verification (issue 5 item
 * 11). Host-only: links OpenSSL as the reference.
 *
 * Usage: captls-chain-bench [SECONDS_PER_CASE] BENCH_FILE
 * BENCH_FILE is build/vectors/chains/bench.txt (gen_chains.py): three
 * 3-certificate chains (root, intermediate, leaf) — ECDSA P-256 with
 * SHA-256, RSA-2048 PKCS#1 v1.5 with SHA-256, Ed25519 — with a host name.
 *
 * What one "chain" costs on each side (the same work, both parse+verify):
 *   captls  — captls_certificate_parse of the leaf and the intermediate,
 *             then captls_verify_chain (path building, two signature checks
 *             — leaf by intermediate, intermediate by root —, RFC 5280
 *             validation, host match) with the chains-diff policy. The root
 *             is parsed once, outside the loop (it is the TrustStore's).
 *             cold: no signature cache. warm: a sig cache primed by one
 *             verification, so both signature checks are cache hits (the
 *             TrustStore version does not move).
 *   OpenSSL — d2i_X509 of the leaf and the intermediate, an untrusted
 *             stack, X509_STORE_CTX_new/init, the same parameters as the
 *             differential runner (strict, check time, depth, security
 *             level 2, SSL server purpose, host), X509_verify_cert, and the
 *             frees. The X509_STORE holding the parsed root is built once.
 *             OpenSSL has no signature cache: its one figure is the
 *             reference for both the cold and the warm captls rows.
 * Memory per verification:
 *   captls  — bytes: CAPTLS_VERIFY_SCRATCH_SIZE + the outcome struct + two
 *             parsed certificates (CAPTLS_CERTIFICATE_SIZE each) — all the
 *             memory a verification is handed — plus the measured stack
 *             high-water of parse+verify (run on a thread whose stack was
 *             painted with a pattern; the baseline of an empty thread is
 *             subtracted). Printed separately as -stack and -total rows.
 *   OpenSSL — the peak of live heap bytes above the baseline during one
 *             parse+verify, counted through CRYPTO_set_mem_functions (the
 *             stack is not measured on that side).
 * Output: CSV rows case,unit,captls,openssl,ratio (ratio = captls/openssl
 * for speed: above 1 is faster; "-" for memory rows), as captls-bench.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "conformance/chains_corpus.h"
#include "conformance/chains_diff.h"
#include "core/verify/verify_chain.h"
#include "core/x509/certificate.h"

/* ---------------------------------------------- OpenSSL heap counting */

static size_t live_bytes, peak_bytes;

static void *count_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    p[0] = n;
    live_bytes += n;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
    return (char *)p + 16;
}

static void count_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (!q)
        return;
    size_t *p = (size_t *)((char *)q - 16);
    live_bytes -= p[0];
    free(p);
}

static void *count_realloc(void *q, size_t n, const char *file, int line)
{
    if (!q)
        return count_malloc(n, file, line);
    if (n == 0) {
        count_free(q, file, line);
        return NULL;
    }
    size_t *p = (size_t *)((char *)q - 16);
    size_t old = p[0];
    size_t *np = realloc(p, n + 16);
    if (!np)
        return NULL;
    np[0] = n;
    live_bytes = live_bytes - old + n;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
    return (char *)np + 16;
}

/* ------------------------------------------------------------- timing */

static double seconds_per_case = 1.0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------- one chain */

typedef struct bench_chain {
    const chains_case *c;
    /* captls */
    captls_certificate *root, *leaf, *inter;
    const captls_certificate *roots[1];
    const captls_certificate *pool[1];
    captls_anchor_cert_list list;
    captls_verification_policy pol;
    captls_verify_scratch scratch;
    captls_verification_outcome out;
    captls_sig_cache cache;
    captls_sig_cache_entry entries[64];
    /* OpenSSL */
    X509_STORE *store;
    int failures;
} bench_chain;

static int captls_once(bench_chain *b, captls_sig_cache *cache)
{
    const chains_case *c = b->c;
    if (captls_certificate_parse(b->leaf, c->leaf.der, c->leaf.len, NULL) != CAPTLS_OK ||
        captls_certificate_parse(b->inter, c->pool[0].der, c->pool[0].len, NULL) !=
            CAPTLS_OK)
        return 0;
    captls_verify_input in;
    memset(&in, 0, sizeof(in));
    in.leaf = b->leaf;
    in.intermediates = b->pool;
    in.intermediate_count = 1;
    captls_anchor_source_from_certs(&in.anchors, &b->list, 1);
    in.policy = &b->pol;
    in.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    in.at_epoch_seconds = c->at;
    in.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    in.hostname = c->host;
    in.hostname_len = strlen(c->host);
    in.cache = cache;
    if (captls_verify_chain(&in, &b->scratch, &b->out) != CAPTLS_OK)
        return 0;
    return b->out.valid;
}

static int openssl_once(bench_chain *b)
{
    const chains_case *c = b->c;
    const unsigned char *p = c->leaf.der;
    X509 *leaf = d2i_X509(NULL, &p, (long)c->leaf.len);
    p = c->pool[0].der;
    X509 *inter = d2i_X509(NULL, &p, (long)c->pool[0].len);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok = 0;
    if (leaf && inter && untrusted && ctx && sk_X509_push(untrusted, inter)) {
        inter = NULL; /* owned by the stack now */
        if (X509_STORE_CTX_init(ctx, b->store, leaf, untrusted)) {
            X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
            X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
            X509_VERIFY_PARAM_set_time(param, (time_t)c->at);
            X509_VERIFY_PARAM_set_depth(param, (int)c->maxchain - 2);
            X509_VERIFY_PARAM_set_auth_level(param, 2);
            X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                                       X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
            X509_VERIFY_PARAM_set1_host(param, c->host, strlen(c->host));
            ok = X509_verify_cert(ctx) == 1;
        }
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(inter);
    X509_free(leaf);
    return ok;
}

enum mode { CAPTLS_COLD, CAPTLS_WARM, OPENSSL };

static double rate(bench_chain *b, enum mode m)
{
    double t0 = now(), t;
    unsigned long calls = 0;
    do {
        for (int i = 0; i < 16; i++) {
            int ok = m == OPENSSL ? openssl_once(b)
                                  : captls_once(b, m == CAPTLS_WARM ? &b->cache : NULL);
            if (!ok)
                b->failures++;
        }
        calls += 16;
        t = now();
    } while (t - t0 < seconds_per_case);
    return (double)calls / (t - t0);
}

/* ------------------------------------------------- stack high-water */

#define PAINT_STACK (1u << 20)
#define PAINT 0xA5

struct stack_job {
    bench_chain *b;
    int work;
};

static void *stack_thread(void *arg)
{
    struct stack_job *j = arg;
    if (j->work)
        (void)captls_once(j->b, NULL);
    return NULL;
}

/* Bytes of the painted stack touched by one job (-1 on error). */
static long stack_used(bench_chain *b, int work)
{
    unsigned char *stk = aligned_alloc(4096, PAINT_STACK);
    if (!stk)
        return -1;
    memset(stk, PAINT, PAINT_STACK);
    pthread_attr_t attr;
    pthread_t th;
    struct stack_job j = {b, work};
    long used = -1;
    if (pthread_attr_init(&attr) == 0 &&
        pthread_attr_setstack(&attr, stk, PAINT_STACK) == 0 &&
        pthread_create(&th, &attr, stack_thread, &j) == 0) {
        pthread_join(th, NULL);
        size_t i = 0;
        while (i < PAINT_STACK && stk[i] == PAINT)
            i++;
        used = (long)(PAINT_STACK - i);
    }
    pthread_attr_destroy(&attr);
    free(stk);
    return used;
}

/* ------------------------------------------------------------------ main */

static void row(const char *name, const char *unit, double mine, double theirs,
                int ratio)
{
    if (ratio)
        printf("%s,%s,%.0f,%.0f,%.2f\n", name, unit, mine, theirs, mine / theirs);
    else if (theirs >= 0)
        printf("%s,%s,%.0f,%.0f,-\n", name, unit, mine, theirs);
    else
        printf("%s,%s,%.0f,-,-\n", name, unit, mine);
    fflush(stdout);
}

static const char *short_name(const char *category)
{
    return strncmp(category, "bench-", 6) == 0 ? category + 6 : category;
}

int main(int argc, char **argv)
{
    /* before OpenSSL allocates anything */
    if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free)) {
        fprintf(stderr, "captls-chain-bench: CRYPTO_set_mem_functions failed\n");
        return 2;
    }
    const char *path = NULL;
    if (argc == 3) {
        seconds_per_case = atof(argv[1]);
        path = argv[2];
    } else if (argc == 2) {
        path = argv[1];
    }
    if (!path || seconds_per_case <= 0 || seconds_per_case > 60) {
        fprintf(stderr, "usage: captls-chain-bench [SECONDS_PER_CASE 0..60] BENCH_FILE\n");
        return 2;
    }
    chains_corpus corpus;
    char err[300];
    if (chains_corpus_load(path, &corpus, err, sizeof(err))) {
        fprintf(stderr, "captls-chain-bench: %s\n", err);
        return 2;
    }
    printf("case,unit,captls,openssl,ratio\n");
    int bad = 0;
    for (size_t k = 0; k < corpus.count; k++) {
        const chains_case *c = &corpus.cases[k];
        if (c->nroots != 1 || c->npool != 1 || !c->host[0] || c->is_ip) {
            fprintf(stderr, "captls-chain-bench: case %u is not root+intermediate+leaf "
                            "with a host\n", c->id);
            bad = 1;
            continue;
        }
        bench_chain *b = calloc(1, sizeof(*b));
        captls_certificate *certs = calloc(3, sizeof(*certs));
        if (!b || !certs) {
            fprintf(stderr, "captls-chain-bench: out of memory\n");
            return 2;
        }
        b->c = c;
        b->root = &certs[0];
        b->leaf = &certs[1];
        b->inter = &certs[2];
        b->roots[0] = b->root;
        b->pool[0] = b->inter;
        b->list.certs = b->roots;
        b->list.count = 1;
        chains_diff_policy(&b->pol, c->maxchain);
        captls_sig_cache_init(&b->cache, b->entries, 64, 1);
        const unsigned char *p = c->roots[0].der;
        X509 *root = d2i_X509(NULL, &p, (long)c->roots[0].len);
        b->store = X509_STORE_new();
        if (captls_certificate_parse(b->root, c->roots[0].der, c->roots[0].len, NULL) !=
                CAPTLS_OK ||
            !root || !b->store || !X509_STORE_add_cert(b->store, root)) {
            fprintf(stderr, "captls-chain-bench: case %u: root setup failed\n", c->id);
            return 2;
        }
        X509_free(root);
        if (!captls_once(b, &b->cache) || !openssl_once(b)) { /* also primes */
            fprintf(stderr, "captls-chain-bench: case %u (%s) does not verify: "
                            "captls %s, OpenSSL %s\n", c->id, c->category,
                    b->out.valid ? "ok" : captls_failure_reason_name(b->out.reason),
                    openssl_once(b) ? "ok" : "fail");
            bad = 1;
            continue;
        }
        const char *n = short_name(c->category);
        char name[96];
        double theirs = rate(b, OPENSSL);
        snprintf(name, sizeof(name), "chain-%s-cold", n);
        row(name, "chains/s", rate(b, CAPTLS_COLD), theirs, 1);
        snprintf(name, sizeof(name), "chain-%s-warm", n);
        row(name, "chains/s", rate(b, CAPTLS_WARM), theirs, 1);
        if (b->failures) {
            fprintf(stderr, "captls-chain-bench: %s: %d verifications failed\n",
                    c->category, b->failures);
            bad = 1;
        }
        /* memory per verification */
        long base = stack_used(b, 0), used = stack_used(b, 1);
        long stack = (base >= 0 && used >= base) ? used - base : -1;
        size_t handed = CAPTLS_VERIFY_SCRATCH_SIZE + sizeof(captls_verification_outcome) +
                        2 * sizeof(captls_certificate);
        size_t before = live_bytes;
        peak_bytes = live_bytes;
        (void)openssl_once(b);
        size_t theirs_mem = peak_bytes - before;
        snprintf(name, sizeof(name), "chain-%s-mem-stack", n);
        row(name, "bytes", (double)stack, -1, 0);
        snprintf(name, sizeof(name), "chain-%s-mem-total", n);
        row(name, "bytes", (double)(handed + (size_t)(stack > 0 ? stack : 0)),
            (double)theirs_mem, 0);
        X509_STORE_free(b->store);
        free(certs);
        free(b);
    }
    chains_corpus_free(&corpus);
    return bad;
}
