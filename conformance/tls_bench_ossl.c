/* conformance/tls_bench_ossl.c — see tls_bench_ossl.h. */
#include "conformance/tls_bench_ossl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* ------------------------------------------------- heap counting by side */

static int cur_side = TB_SIDE_LIB;
static size_t live[4], peak[4];

/* 16-byte header before each block: its size and the side that made it. */
static void account(int side, size_t add, size_t sub)
{
    live[side] = live[side] + add - sub;
    if (live[side] > peak[side])
        peak[side] = live[side];
}

static void *count_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *p = malloc(n + 16);
    if (p == NULL)
        return NULL;
    p[0] = n;
    p[1] = (size_t)cur_side;
    account(cur_side, n, 0);
    return (char *)p + 16;
}

static void count_free(void *q, const char *file, int line)
{
    (void)file;
    (void)line;
    if (q == NULL)
        return;
    size_t *p = (size_t *)((char *)q - 16);
    account((int)p[1], 0, p[0]);
    free(p);
}

static void *count_realloc(void *q, size_t n, const char *file, int line)
{
    if (q == NULL)
        return count_malloc(n, file, line);
    if (n == 0) {
        count_free(q, file, line);
        return NULL;
    }
    size_t *p = (size_t *)((char *)q - 16);
    size_t old = p[0];
    int side = (int)p[1];
    size_t *np = realloc(p, n + 16);
    if (np == NULL)
        return NULL;
    np[0] = n;
    account(side, n, old);
    return (char *)np + 16;
}

int tb_ossl_count_init(void)
{
    return CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) ? 0 : -1;
}

/* ------------------------------------------------------------- setup */

/* CPU time of this thread: the figures are per CPU-second, so other
 * processes on a shared machine do not skew them. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
    fprintf(stderr, "captls-tls-bench: OpenSSL: %s\n", what);
    ERR_print_errors_fp(stderr);
    return -1;
}

static int common_ctx(SSL_CTX *ctx, const tb_ossl_opts *opts)
{
    return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
           SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
           SSL_CTX_set_ciphersuites(ctx, opts->suite) &&
           SSL_CTX_set1_groups_list(ctx, "X25519") &&
           (!opts->release_buffers ||
            (SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS) & SSL_MODE_RELEASE_BUFFERS));
}

int tb_ossl_setup(tb_ossl *o, const tb_pki *pki, const tb_ossl_opts *opts)
{
    memset(o, 0, sizeof(*o));
    o->opts = *opts;
    cur_side = TB_SIDE_LIB;
    o->server = SSL_CTX_new(TLS_server_method());
    o->client = SSL_CTX_new(TLS_client_method());
    if (o->server == NULL || o->client == NULL || !common_ctx(o->server, opts) ||
        !common_ctx(o->client, opts))
        return fail("SSL_CTX set-up");
    if (SSL_CTX_use_certificate_chain_file(o->server, pki->leaf_pem) != 1 ||
        SSL_CTX_use_PrivateKey_file(o->server, pki->key_pem, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(o->server) != 1)
        return fail("loading the server's certificate and key");
    if (SSL_CTX_load_verify_locations(o->client, pki->ca_pem, NULL) != 1)
        return fail("loading the CA");
    SSL_CTX_set_verify(o->client, SSL_VERIFY_PEER, NULL);
    if (opts->tickets) {
        /* stateless tickets; the client keeps its newest session itself */
        SSL_CTX_set_session_cache_mode(o->client, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_session_cache_mode(o->server, SSL_SESS_CACHE_OFF);
        if (SSL_CTX_set_num_tickets(o->server, 1) != 1)
            return fail("num_tickets");
    } else {
        SSL_CTX_set_session_cache_mode(o->client, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_session_cache_mode(o->server, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(o->server, SSL_OP_NO_TICKET);
        if (SSL_CTX_set_num_tickets(o->server, 0) != 1)
            return fail("num_tickets");
    }
    if (opts->max_fragment == 512 &&
        SSL_CTX_set_tlsext_max_fragment_length(o->client, TLSEXT_max_fragment_length_512) != 1)
        return fail("max_fragment_length");
    return 0;
}

void tb_ossl_free(tb_ossl *o)
{
    cur_side = TB_SIDE_LIB;
    SSL_SESSION_free(o->session);
    SSL_CTX_free(o->server);
    SSL_CTX_free(o->client);
    memset(o, 0, sizeof(*o));
}

/* ---------------------------------------------------------- one pair */

typedef struct pair {
    SSL *c, *s;
} pair;

/* BIO pair big enough for a 16 KiB record in flight with room to spare. */
#define PIPE_BYTES 40000

static int pair_transport(pair *p, BIO **bc, BIO **bs)
{
    cur_side = TB_SIDE_TRANSPORT;
    (void)p;
    return BIO_new_bio_pair(bc, PIPE_BYTES, bs, PIPE_BYTES) == 1;
}

static int pair_server(tb_ossl *o, pair *p, BIO *bs)
{
    cur_side = TB_SIDE_SERVER;
    p->s = SSL_new(o->server);
    if (p->s == NULL)
        return 0;
    SSL_set_bio(p->s, bs, bs);
    SSL_set_accept_state(p->s);
    return 1;
}

static int pair_client(tb_ossl *o, pair *p, BIO *bc, bool resume)
{
    cur_side = TB_SIDE_CLIENT;
    p->c = SSL_new(o->client);
    if (p->c == NULL)
        return 0;
    SSL_set_bio(p->c, bc, bc);
    SSL_set_connect_state(p->c);
    return SSL_set_tlsext_host_name(p->c, TB_PKI_HOST) == 1 &&
           SSL_set1_host(p->c, TB_PKI_HOST) == 1 &&
           (!resume || SSL_set_session(p->c, o->session) == 1);
}

static int pair_new(tb_ossl *o, pair *p, bool resume)
{
    BIO *bc = NULL, *bs = NULL;
    memset(p, 0, sizeof(*p));
    if (!pair_transport(p, &bc, &bs))
        return 0;
    if (!pair_server(o, p, bs)) {
        BIO_free(bs);
        BIO_free(bc);
        return 0;
    }
    if (!pair_client(o, p, bc, resume)) {
        if (p->c == NULL)
            BIO_free(bc);
        return 0;
    }
    return 1;
}

/* Both sides are marked shut down (as after close_notify both ways):
 * SSL_free of a connection that was not shut down marks its session not
 * resumable, and the client's session is the one the next connections
 * resume. */
static void pair_free(pair *p)
{
    cur_side = TB_SIDE_CLIENT;
    if (p->c != NULL)
        SSL_set_shutdown(p->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(p->c);
    cur_side = TB_SIDE_SERVER;
    if (p->s != NULL)
        SSL_set_shutdown(p->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(p->s);
    cur_side = TB_SIDE_LIB;
    p->c = p->s = NULL;
}

static int want_more(SSL *s, int rc)
{
    int e = SSL_get_error(s, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* Drives both sides until each has finished its handshake and nothing is
 * left in flight (the client has read the server's tickets, if any). */
static int pair_handshake(pair *p, bool resume)
{
    int cd = 0, sd = 0;
    for (int round = 0; round < 64 && !(cd && sd); round++) {
        if (!cd) {
            cur_side = TB_SIDE_CLIENT;
            int r = SSL_do_handshake(p->c);
            if (r == 1)
                cd = 1;
            else if (!want_more(p->c, r))
                return 0;
        }
        if (!sd) {
            cur_side = TB_SIDE_SERVER;
            int r = SSL_do_handshake(p->s);
            if (r == 1)
                sd = 1;
            else if (!want_more(p->s, r))
                return 0;
        }
    }
    if (!(cd && sd))
        return 0;
    /* post-handshake messages (NewSessionTicket) */
    cur_side = TB_SIDE_CLIENT;
    unsigned char b;
    int r = SSL_read(p->c, &b, 1);
    if (r > 0 || SSL_get_error(p->c, r) != SSL_ERROR_WANT_READ)
        return 0;
    /* the client verified the server: chain to the CA and the host name */
    if (SSL_get_verify_result(p->c) != X509_V_OK || SSL_get0_peer_certificate(p->c) == NULL)
        return 0;
    if (resume != (SSL_session_reused(p->c) == 1))
        return 0;
    /* an x25519 exchange (PSK-DHE when resumed) */
    if (SSL_get_negotiated_group(p->c) != NID_X25519)
        return 0;
    cur_side = TB_SIDE_LIB;
    return 1;
}

/* First full handshake of a tickets config: keep the client's session. */
static int get_session(tb_ossl *o)
{
    pair p;
    int ok = pair_new(o, &p, false) && pair_handshake(&p, false);
    if (ok) {
        cur_side = TB_SIDE_LIB;
        o->session = SSL_get1_session(p.c);
        ok = o->session != NULL && SSL_SESSION_is_resumable(o->session);
    }
    pair_free(&p);
    return ok;
}

double tb_ossl_handshakes(tb_ossl *o, double seconds, bool resume)
{
    if (resume && o->session == NULL && (!o->opts.tickets || !get_session(o)))
        return fail("no session to resume"), -1;
    double t0 = now(), t;
    unsigned long n = 0;
    do {
        pair p;
        int ok = pair_new(o, &p, resume) && pair_handshake(&p, resume);
        if (ok && resume) {
            /* TLS 1.3 tickets are for one use (RFC 8446 §C.4): the next
             * connection offers the ticket this one received. */
            cur_side = TB_SIDE_LIB;
            SSL_SESSION_free(o->session);
            o->session = SSL_get1_session(p.c);
            ok = o->session != NULL;
        }
        pair_free(&p);
        if (!ok)
            return fail(resume ? "resumed handshake" : "full handshake"), -1;
        n++;
        t = now();
    } while (t - t0 < seconds);
    return (double)n / (t - t0);
}

#define RECORD 16384
static unsigned char app_out[RECORD], app_in[RECORD];

/* One 16 KiB record client -> server, read whole by the server. */
static int one_record(pair *p)
{
    cur_side = TB_SIDE_CLIENT;
    if (SSL_write(p->c, app_out, RECORD) != RECORD)
        return 0;
    cur_side = TB_SIDE_SERVER;
    size_t got = 0;
    while (got < RECORD) {
        int r = SSL_read(p->s, app_in + got, (int)(RECORD - got));
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    cur_side = TB_SIDE_LIB;
    return 1;
}

double tb_ossl_bulk(tb_ossl *o, double seconds)
{
    pair p;
    for (size_t i = 0; i < RECORD; i++)
        app_out[i] = (unsigned char)(i * 7u + 1u);
    if (!pair_new(o, &p, false) || !pair_handshake(&p, false)) {
        pair_free(&p);
        return fail("bulk handshake"), -1;
    }
    double t0 = now(), t;
    unsigned long n = 0;
    do {
        for (int i = 0; i < 16; i++)
            if (!one_record(&p)) {
                pair_free(&p);
                return fail("bulk record"), -1;
            }
        n += 16;
        t = now();
    } while (t - t0 < seconds);
    int same = memcmp(app_in, app_out, RECORD) == 0;
    pair_free(&p);
    if (!same)
        return fail("bulk data differs"), -1;
    return (double)n * RECORD / 1e6 / (t - t0);
}

/* ----------------------------------------------------------- memory */

int tb_ossl_memory(tb_ossl *o, size_t n, tb_ossl_mem *out)
{
    static const int sides[2] = {TB_SIDE_SERVER, TB_SIDE_CLIENT};
    memset(out, 0, sizeof(*out));
    /* A warm-up pair first: OpenSSL fills its global caches (algorithm
     * fetches, ...) on the first handshake; they are not per connection. */
    pair w;
    int ok = pair_new(o, &w, false) && pair_handshake(&w, false) && one_record(&w);
    pair_free(&w);
    pair *ps = calloc(n, sizeof(*ps));
    BIO **bc = calloc(n, sizeof(*bc)), **bs = calloc(n, sizeof(*bs));
    if (!ok || ps == NULL || bc == NULL || bs == NULL) {
        free(ps);
        free(bc);
        free(bs);
        return fail("memory warm-up");
    }
    size_t base[4];
    memcpy(base, live, sizeof(base));
    /* phase by phase, all servers' objects then all clients' */
    for (size_t i = 0; i < n && ok; i++)
        ok = pair_transport(&ps[i], &bc[i], &bs[i]);
    out->transport = (double)(live[TB_SIDE_TRANSPORT] - base[TB_SIDE_TRANSPORT]) / (double)n;
    for (size_t i = 0; i < n && ok; i++)
        ok = pair_server(o, &ps[i], bs[i]);
    for (size_t i = 0; i < n && ok; i++)
        ok = pair_client(o, &ps[i], bc[i], false);
    for (int k = 0; k < 2; k++)
        out->fresh[sides[k]] = (double)(live[sides[k]] - base[sides[k]]) / (double)n;
    double growth[3] = {0, 0, 0};
    for (size_t i = 0; i < n && ok; i++) {
        size_t before[4];
        memcpy(before, live, sizeof(before));
        memcpy(peak, live, sizeof(peak));
        ok = pair_handshake(&ps[i], false);
        /* the server took the client's max_fragment_length */
        if (ok && o->opts.max_fragment == 512)
            ok = SSL_SESSION_get_max_fragment_length(SSL_get_session(ps[i].s)) ==
                 TLSEXT_max_fragment_length_512;
        for (int k = 0; k < 2; k++)
            growth[sides[k]] += (double)(peak[sides[k]] - before[sides[k]]);
    }
    for (size_t i = 0; i < n && ok; i++)
        ok = one_record(&ps[i]);
    for (int k = 0; k < 2; k++) {
        int s = sides[k];
        out->hs_peak[s] = out->fresh[s] + growth[s] / (double)n;
        out->established[s] = (double)(live[s] - base[s]) / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        if (ps[i].s == NULL) { /* never given to an SSL */
            cur_side = TB_SIDE_TRANSPORT;
            BIO_free(bs[i]);
        }
        if (ps[i].c == NULL) {
            cur_side = TB_SIDE_TRANSPORT;
            BIO_free(bc[i]);
        }
        pair_free(&ps[i]);
    }
    free(ps);
    free(bc);
    free(bs);
    return ok ? 0 : fail("memory run");
}
