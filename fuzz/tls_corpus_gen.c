/* fuzz/tls_corpus_gen.c — writes the seed corpora of fuzz_tls_server and
 * fuzz_tls_client: in-memory client/server pairs (core/tls/test_tls_pair.h
 * through fuzz/tls_fuzz_world.h) run with the engine built with
 * -DCAPTLS_FUZZING (identity record protection), each direction's bytes
 * recorded. A server seed is the flags byte the server ran with followed by
 * the client's stream; a client seed is the client's flags byte followed by
 * the server's stream. Built and run by fuzz/tls_corpus_gen.sh (not a
 * harness: the Makefile builds only fuzz/fuzz_*.c). After the handshake the
 * client sends data, asks for a KeyUpdate, the server echoes and both
 * close. */
#include <stdio.h>

#include "fuzz/tls_fuzz_world.h"

#ifndef CAPTLS_FUZZING
#error "build with -DCAPTLS_FUZZING (fuzz/tls_corpus_gen.sh)"
#endif

static tp_pair P;
static uint8_t C2S[1 << 17], S2C[1 << 17];
static size_t C2S_LEN, S2C_LEN;

static bool step(tp_end *from, tp_end *to, uint8_t *log, size_t *log_len)
{
    bool moved = false;
    size_t n, room;
    const uint8_t *p;
    uint8_t *q;

    tp_lend(from);
    tp_lend(to);
    p = captls_tls_send_buf(&from->conn, &n);
    if (p != NULL && n > 0) {
        q = captls_tls_recv_buf(&to->conn, &room);
        if (q != NULL && room > 0) {
            if (n > room)
                n = room;
            memcpy(q, p, n);
            memcpy(log + *log_len, p, n);
            *log_len += n;
            captls_tls_send_ack(&from->conn, n);
            if (captls_tls_recv_ack(&to->conn, n) != CAPTLS_OK) {}
            moved = true;
        }
    }
    p = captls_tls_app_recv_buf(&to->conn, &n);
    if (p != NULL && n > 0) {
        memcpy(to->got + to->got_len, p, n);
        to->got_len += n;
        captls_tls_app_recv_ack(&to->conn, n);
        moved = true;
    }
    return moved;
}

static void run(void)
{
    for (int i = 0; i < 100000; i++) {
        bool a = step(&P.c, &P.s, C2S, &C2S_LEN);
        bool b = step(&P.s, &P.c, S2C, &S2C_LEN);
        if (!a && !b)
            return;
    }
}

static void put(const char *dir, const char *name, unsigned flags,
                const uint8_t *p, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fputc((int)flags, f);
    fwrite(p, 1, n, f);
    fclose(f);
    printf("%s: %zu bytes\n", path, n + 1);
}

typedef struct scenario {
    const char *name;
    unsigned sflags, cflags;
    const char *client_suites; /* NULL: default */
    bool resume;               /* second connection with the first's ticket */
    bool client_seed;          /* the harness client can replay it */
} scenario;

static void one(const scenario *sc, const char *sdir, const char *cdir)
{
    static const uint8_t msg[] = "GET / HTTP/1.1\r\nHost: www.alpha.test\r\n\r\n";
    captls_tls_session s;

    fz_world_reset();
    fz_apply_server(&FZ_W, sc->sflags);
    fz_apply_client(&FZ_W, sc->cflags);
    if (sc->client_suites != NULL &&
        captls_cipher_policy_set_suites(&FZ_W.ccfg.common.policy,
                                        sc->client_suites) != CAPTLS_OK)
        abort();
    memset(&P, 0, sizeof P);
    if (sc->resume) {
        /* a first connection for the ticket (the harness's ticket keys are
         * the same: rng_t restarts at the same state) */
        if (tp_start(&P, &FZ_W, "www.alpha.test", NULL) != CAPTLS_OK ||
            FZ_W.sessions == 0)
            abort();
        s = FZ_W.session;
        memset(&P, 0, sizeof P);
    }
    C2S_LEN = S2C_LEN = 0;
    if (captls_tls_server_init(&P.s.conn, &FZ_W.scfg) != CAPTLS_OK ||
        captls_tls_client_init(&P.c.conn, &FZ_W.ccfg, "www.alpha.test",
                               sc->resume ? &s : NULL, tp_on_session,
                               &FZ_W) != CAPTLS_OK)
        abort();
    run();
    if (captls_tls_error(&P.c.conn) != CAPTLS_OK ||
        captls_tls_error(&P.s.conn) != CAPTLS_OK || !P.c.conn.info.handshake_done) {
        fprintf(stderr, "%s: handshake failed (%d / %d)\n", sc->name,
                (int)captls_tls_error(&P.c.conn), (int)captls_tls_error(&P.s.conn));
        exit(1);
    }
    if (sc->resume && !P.c.conn.info.resumed) {
        fprintf(stderr, "%s: not resumed\n", sc->name);
        exit(1);
    }
    if (tp_write(&P.c, msg, sizeof msg) != sizeof msg)
        abort();
    run();
    if (captls_tls_key_update(&P.c.conn, true) != CAPTLS_OK)
        abort();
    run();
    if (tp_write(&P.s, P.s.got, P.s.got_len) != P.s.got_len)
        abort();
    run();
    if (tp_write(&P.c, msg, 5) != 5)
        abort();
    run();
    captls_tls_close(&P.c.conn);
    run();
    captls_tls_close(&P.s.conn);
    run();
    if (captls_tls_error(&P.c.conn) != CAPTLS_OK ||
        captls_tls_error(&P.s.conn) != CAPTLS_OK ||
        !captls_tls_peer_closed(&P.s.conn) || !captls_tls_peer_closed(&P.c.conn)) {
        fprintf(stderr, "%s: did not end cleanly\n", sc->name);
        exit(1);
    }
    put(sdir, sc->name, sc->sflags, C2S, C2S_LEN);
    if (sc->client_seed)
        put(cdir, sc->name, sc->cflags, S2C, S2C_LEN);
}

int main(int argc, char **argv)
{
    static const scenario all[] = {
        {"basic", 0, 0, NULL, false, true},
        {"hrr", FZ_S_P256_ONLY, 0, NULL, false, true},
        {"p256", 0, FZ_C_P256_FIRST, NULL, false, true},
        {"mtls", FZ_S_ASK_CERT, FZ_C_CERT, NULL, false, true},
        {"mtls_empty", FZ_S_ASK_CERT, 0, NULL, false, true},
        {"alpn", FZ_S_ALPN, FZ_C_ALPN, NULL, false, true},
        {"rsl", FZ_RSL, FZ_RSL, NULL, false, true},
        {"aes256", 0, 0, "TLS_AES_256_GCM_SHA384", false, false},
        {"chacha", 0, 0, "TLS_CHACHA20_POLY1305_SHA256", false, false},
        {"resume", 0, 0, NULL, true, false},
        {"chunked_small_tx", FZ_CHUNK | FZ_SMALL_TX | FZ_RECLAIM,
         FZ_CHUNK | FZ_SMALL_TX | FZ_RECLAIM, NULL, false, true},
        {"hrr_mtls_chunked", FZ_S_P256_ONLY | FZ_S_ASK_CERT | FZ_CHUNK,
         FZ_C_CERT | FZ_CHUNK, NULL, false, true},
    };
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVER_CORPUS_DIR CLIENT_CORPUS_DIR\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        one(&all[i], argv[1], argv[2]);
    return 0;
}
