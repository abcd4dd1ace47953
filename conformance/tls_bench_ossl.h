/* conformance/tls_bench_ossl.h — the OpenSSL half of captls-tls-bench:
 * libssl TLS 1.3 client and server in one process over a BIO pair,
 * single-threaded, and OpenSSL's heap counted per side.
 *
 * Contract. tb_ossl_count_init() must be the first OpenSSL call of the
 * program (CRYPTO_set_mem_functions refuses once OpenSSL has allocated).
 * Every allocation is then tagged with the side that was running
 * (tb_ossl_side: the SSL_CTXs and the library, the server, the client, the
 * transport) so live bytes can be counted per side.
 *
 * A tb_ossl holds one client and one server SSL_CTX built from one
 * tb_pki's PEM files (SSL_CTX_use_certificate_chain_file,
 * SSL_CTX_use_PrivateKey_file, SSL_CTX_load_verify_locations): TLS 1.3
 * only, one cipher suite, group X25519, the client verifying the server
 * (SSL_VERIFY_PEER, the CA in its store, host name TB_PKI_HOST, SNI).
 * Without tickets the server sends none and neither side caches sessions
 * (every handshake is a full one); with tickets the server sends one
 * NewSessionTicket per handshake (as the captls server is set to).
 * Functions return -1 (message on stderr) when a handshake or a transfer
 * fails, so a wrong figure is never printed.
 */
#ifndef CAPTLS_CONFORMANCE_TLS_BENCH_OSSL_H
#define CAPTLS_CONFORMANCE_TLS_BENCH_OSSL_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "conformance/tls_bench_pki.h"

enum tb_ossl_side { TB_SIDE_LIB = 0, TB_SIDE_SERVER = 1, TB_SIDE_CLIENT = 2,
                    TB_SIDE_TRANSPORT = 3 };

int tb_ossl_count_init(void);

typedef struct tb_ossl_opts {
    const char *suite;      /* "TLS_AES_128_GCM_SHA256", ... */
    bool tickets;           /* server issues one ticket per handshake */
    unsigned max_fragment;  /* 0, or 512: the client asks RFC 6066
                               max_fragment_length (OpenSSL 3.0 has no
                               RFC 8449 record_size_limit) */
    bool release_buffers;   /* SSL_MODE_RELEASE_BUFFERS on both sides */
} tb_ossl_opts;

typedef struct tb_ossl {
    SSL_CTX *server, *client;
    tb_ossl_opts opts;
    SSL_SESSION *session;   /* the client's ticket, for resumption */
} tb_ossl;

int tb_ossl_setup(tb_ossl *o, const tb_pki *pki, const tb_ossl_opts *opts);
void tb_ossl_free(tb_ossl *o);

/* Handshakes per second of CPU time, run for `seconds` of this thread's
 * CPU time (fresh SSL objects and BIO pair
 * each time). resume: offer the session of a first full handshake (the
 * tickets option is needed) and check that every handshake resumed. */
double tb_ossl_handshakes(tb_ossl *o, double seconds, bool resume);
/* MB per CPU-second (1e6 bytes) of application data client -> server in
 * 16 KiB records over one connection. */
double tb_ossl_bulk(tb_ossl *o, double seconds);

/* Heap bytes per connection, per side ([TB_SIDE_SERVER], [TB_SIDE_CLIENT];
 * averages over n connection pairs alive at once; the BIO pairs are
 * counted apart, as transport). */
typedef struct tb_ossl_mem {
    double fresh[3];        /* after SSL_new, before the handshake */
    double hs_peak[3];      /* fresh + the peak growth during the handshake */
    double established[3];  /* after the handshake and one 16 KiB record
                               client -> server */
    double transport;       /* per BIO pair (not in the figures above) */
} tb_ossl_mem;
int tb_ossl_memory(tb_ossl *o, size_t n, tb_ossl_mem *out);

#endif
