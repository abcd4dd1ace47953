/* captls-tls-bench: TLS 1.3 connections, captls against OpenSSL's libssl
 * in one run (issue: TLS engine, `make bench`). Host-only: links OpenSSL's
 * libssl and libcrypto as the reference; nothing shipped does.
 *
 * Usage: captls-tls-bench [SECONDS_PER_CASE]   (default: $BENCH_SECONDS,
 * else 1). Output: CSV rows case,unit,captls,openssl,ratio,note, as
 * captls-bench (ratio = captls / openssl; above 1 is faster; "-" where a
 * ratio would not read as speed). Each speed case gives captls and OpenSSL
 * the same time, alternating in four slices so a change of load hits both
 * alike; time is this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so the
 * figures are per CPU-second and other processes on a shared machine do
 * not lower them. One thread, client and server in this process, no
 * sockets (captls: bytes copied from one engine's send_buf to the other's
 * recv_buf; OpenSSL: a BIO pair).
 *
 * Both stacks get the same setup: keys and certificates made at start with
 * OpenSSL's C API (conformance/tls_bench_pki.h: a CA and a leaf of one
 * algorithm, SAN bench.captls.test) written as PEM files in a temporary
 * directory and loaded by each stack's normal path; TLS 1.3 only; one
 * suite (TLS_AES_128_GCM_SHA256 for the handshakes); group x25519; the
 * client verifies the server's chain to the CA and its host name (captls:
 * CertVerifier + TrustStore caps; OpenSSL: SSL_VERIFY_PEER, the CA in its
 * store, SSL_set1_host) — the note column says "verify on". Full
 * handshakes: no tickets, no session cache. Resumed handshakes: PSK-DHE
 * (psk_dhe_ke + x25519) with the ticket of the previous connection, one
 * ticket issued per handshake on both sides. Bulk: one connection, 16 KiB
 * records client -> server, the receiver copies the plaintext out.
 *
 * Memory per connection (bytes, per side, x25519 + ed25519):
 *   captls  — CAPTLS_TLS_CONN_SIZE (the state) plus the most bytes of
 *             buffers lent at once (RX, TX, HS), with the buffers given
 *             back whenever the engine holds nothing in them (a pooled
 *             server): during the handshake, while one full record goes
 *             client -> server after it, and idle (all reclaimed).
 *   OpenSSL — live heap bytes counted through CRYPTO_set_mem_functions,
 *             tagged by the side that allocated them; 100 connection pairs
 *             alive at once (all servers' SSL objects made in one phase,
 *             then all clients'), after a warm-up pair so the library's
 *             one-time caches are not counted; the BIO pairs are left out
 *             (transport, as captls's copies are). Handshake peak: SSL
 *             object + the largest growth while its handshake runs; record
 *             in flight: the established connection after one 16 KiB
 *             record (default mode keeps its buffers); idle: the same with
 *             SSL_MODE_RELEASE_BUFFERS.
 *   With a small record size: captls advertises record_size_limit 512 on
 *   both sides (RFC 8449); OpenSSL 3.0 has no record_size_limit, so its
 *   client asks max_fragment_length 512 (RFC 6066), the nearest knob.
 *   Neither side's stack is measured. The note column carries the ratio
 *   captls/openssl (the aim: at most 0.25).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/tls_bench_captls.h"
#include "conformance/tls_bench_ossl.h"
#include "conformance/tls_bench_pki.h"

static double seconds = 1.0;
static int failures;

static const char *const bound_by[3] = {
    "",
    "; P-256 written here (64-bit field, mulx/adx)",
    "; RSA written here (CRT on AVX-512 IFMA where present, else mulx/adx)",
};

static void speed_row(const char *name, const char *unit, double mine,
                      double theirs, const char *note)
{
    if (mine < 0 || theirs < 0) {
        failures++;
        printf("%s,%s,%s,%s,-,FAILED (see stderr)\n", name, unit,
               mine < 0 ? "-" : "ok", theirs < 0 ? "-" : "ok");
    } else {
        printf("%s,%s,%.0f,%.0f,%.2f,%s\n", name, unit, mine, theirs,
               mine / theirs, note);
    }
    fflush(stdout);
}

static void mem_row(const char *name, double mine, double theirs,
                    const char *what)
{
    printf("%s,bytes,%.0f,%.0f,-,captls/openssl %.2f (aim <= 0.25); %s\n",
           name, mine, theirs, mine / theirs, what);
    fflush(stdout);
}

/* captls and OpenSSL alternate in ROUNDS slices of the case time, so a
 * change of machine load hits both alike; the figure is the mean. */
#define ROUNDS 4

typedef enum { FULL, RESUMED, BULK } speed_kind;

static void speed_case(const tb_pki *pki, speed_kind kind, const char *suite,
                       const char *name, const char *unit, const char *note)
{
    tb_captls_opts co = {suite, kind == RESUMED, 0};
    tb_ossl_opts oo = {suite, kind == RESUMED, 0, false};
    tb_captls *c = tb_captls_new(pki, &co);
    tb_ossl o;
    int ossl_ok = tb_ossl_setup(&o, pki, &oo) == 0;
    double mine = c ? 0 : -1, theirs = ossl_ok ? 0 : -1;
    for (int r = 0; r < ROUNDS; r++) {
        double slice = seconds / ROUNDS, a, b;
        if (mine >= 0) {
            a = kind == BULK ? tb_captls_bulk(c, slice)
                             : tb_captls_handshakes(c, slice, kind == RESUMED);
            mine = a < 0 ? -1 : mine + a / ROUNDS;
        }
        if (theirs >= 0) {
            b = kind == BULK ? tb_ossl_bulk(&o, slice)
                             : tb_ossl_handshakes(&o, slice, kind == RESUMED);
            theirs = b < 0 ? -1 : theirs + b / ROUNDS;
        }
    }
    tb_ossl_free(&o);
    tb_captls_free(c);
    speed_row(name, unit, mine, theirs, note);
}

static void handshake_rows(const tb_pki *pki)
{
    char name[64], note[160];
    snprintf(name, sizeof(name), "tls-handshake-x25519-%s", pki->name);
    snprintf(note, sizeof(note), "full; verify on (chain to CA + host)%s",
             bound_by[pki->alg]);
    speed_case(pki, FULL, "TLS_AES_128_GCM_SHA256", name, "handshakes/s", note);
}

static int ossl_mem(const tb_pki *pki, unsigned mfl, bool release, tb_ossl_mem *m)
{
    tb_ossl o;
    tb_ossl_opts oo = {"TLS_AES_128_GCM_SHA256", false, mfl, release};
    int rc = tb_ossl_setup(&o, pki, &oo);
    if (rc == 0)
        rc = tb_ossl_memory(&o, 100, m);
    tb_ossl_free(&o);
    return rc;
}

static void memory_rows(const tb_pki *pki, uint16_t limit)
{
    tb_captls_opts co = {"TLS_AES_128_GCM_SHA256", false, limit};
    tb_captls *c = tb_captls_new(pki, &co);
    tb_captls_mem cm;
    tb_ossl_mem kept, released;
    unsigned mfl = limit ? 512 : 0;
    if (c == NULL || tb_captls_memory(c, &cm) != 0 || ossl_mem(pki, mfl, false, &kept) != 0 ||
        ossl_mem(pki, mfl, true, &released) != 0) {
        failures++;
        printf("tls-mem%s,bytes,-,-,-,FAILED (see stderr)\n", limit ? "-rsl512" : "");
        tb_captls_free(c);
        return;
    }
    tb_captls_free(c);
    static const char *const side_name[2] = {"server", "client"};
    static const int ossl_side[2] = {TB_SIDE_SERVER, TB_SIDE_CLIENT};
    const char *tag = limit ? "-rsl512" : "";
    char name[80], what[200];
    for (int i = 0; i < 2; i++) {
        int s = ossl_side[i];
        snprintf(name, sizeof(name), "tls-mem%s-%s-handshake-peak", tag, side_name[i]);
        snprintf(what, sizeof(what), "captls: state %zu + RX %zu + TX %zu + HS %zu",
                 cm.state, cm.rx_hs, cm.tx, cm.hs);
        mem_row(name, (double)cm.hs_peak[i], kept.hs_peak[s], what);
        snprintf(name, sizeof(name), "tls-mem%s-%s-record-in-flight", tag, side_name[i]);
        snprintf(what, sizeof(what), "%s; captls: state + %s %zu; OpenSSL: established%s "
                 "with its buffers kept", limit ? "one record of the limit" : "one 16 KiB record",
                 i == 0 ? "RX" : "TX", i == 0 ? cm.rx : cm.tx,
                 limit ? " with max_fragment_length 512" : "");
        mem_row(name, (double)cm.in_flight[i], kept.established[s], what);
        snprintf(name, sizeof(name), "tls-mem%s-%s-idle", tag, side_name[i]);
        mem_row(name, (double)cm.idle[i], released.established[s],
                "captls: state only; OpenSSL: SSL_MODE_RELEASE_BUFFERS");
    }
}

static void remove_pki(const char *dir, tb_pki *p)
{
    unlink(p->ca_pem);
    unlink(p->leaf_pem);
    unlink(p->key_pem);
    tb_pki_free(p);
    (void)dir;
}

int main(int argc, char **argv)
{
    /* before OpenSSL allocates anything */
    if (tb_ossl_count_init() != 0) {
        fprintf(stderr, "captls-tls-bench: CRYPTO_set_mem_functions failed\n");
        return 2;
    }
    const char *arg = argc > 1 ? argv[1] : getenv("BENCH_SECONDS");
    if (argc > 2 || (arg != NULL && ((seconds = atof(arg)) <= 0 || seconds > 60))) {
        fprintf(stderr, "usage: captls-tls-bench [SECONDS_PER_CASE 0..60] "
                        "(default $BENCH_SECONDS, else 1)\n");
        return 2;
    }
    char dir[] = "/tmp/captls-tls-bench.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("captls-tls-bench: mkdtemp");
        return 2;
    }
    tb_pki pki[3];
    int made = 0;
    for (; made < 3; made++)
        if (tb_pki_make(dir, (tb_key_alg)made, &pki[made]) != 0)
            break;
    int rc = 2;
    if (made == 3) {
        printf("case,unit,captls,openssl,ratio,note\n");
        for (int i = 0; i < 3; i++)
            handshake_rows(&pki[i]);
        speed_case(&pki[TB_ED25519], RESUMED, "TLS_AES_128_GCM_SHA256",
                   "tls-resume-x25519-ed25519", "handshakes/s",
                   "PSK-DHE with the previous connection's ticket; one ticket "
                   "issued per handshake");
        speed_case(&pki[TB_ED25519], BULK, "TLS_AES_128_GCM_SHA256",
                   "tls-bulk-aes-128-gcm-16KiB", "MB/s", "one direction; 16 KiB records");
        speed_case(&pki[TB_ED25519], BULK, "TLS_AES_256_GCM_SHA384",
                   "tls-bulk-aes-256-gcm-16KiB", "MB/s", "one direction; 16 KiB records");
        speed_case(&pki[TB_ED25519], BULK, "TLS_CHACHA20_POLY1305_SHA256",
                   "tls-bulk-chacha20-poly1305-16KiB", "MB/s",
                   "one direction; 16 KiB records; ChaCha20 on AVX-512 (else "
                   "AVX2), Poly1305 on AVX-512 IFMA (else 64-bit)");
        memory_rows(&pki[TB_ED25519], 0);
        memory_rows(&pki[TB_ED25519], 512);
        rc = failures ? 1 : 0;
    }
    for (int i = 0; i < made; i++)
        remove_pki(dir, &pki[i]);
    rmdir(dir);
    return rc;
}
