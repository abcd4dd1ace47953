/* Fuzz harness: the TLS 1.3 server engine (core/tls/server.c, conn.c,
 * record.c, flight.c, hs_common.c) fed arbitrary client bytes.
 *
 * Input: one flags byte (FZ_S_* / FZ_RSL / FZ_CHUNK / FZ_SMALL_TX /
 * FZ_RECLAIM in fuzz/tls_fuzz_world.h: server groups, client-certificate
 * request, ALPN, record_size_limit, delivery in small pieces, a minimal TX
 * buffer, buffers reclaimed whenever possible), then the byte stream a
 * client sends: the record headers in it split it into records. Built
 * with -DCAPTLS_FUZZING (the Makefile's fuzz variants), so protected
 * records are the identity with a zero tag and Finished / binders /
 * CertificateVerify accept any well-formed value: the fuzzer reaches
 * every state, application data, KeyUpdate and close_notify. The driver
 * answers like an application (echo, one message and one KeyUpdate once
 * connected, close at the end of the input) and checks the invariants
 * listed in tls_fuzz_world.h. Seeds in fuzz/corpus/tls_server/ are client
 * streams recorded from in-memory pairs built with -DCAPTLS_FUZZING
 * (fuzz/tls_corpus_gen.sh). Run from the repository root. Builds for
 * libFuzzer and, unchanged, for AFL++. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/tls_fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tp_end SERVER;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_run r;
    if (size < 1)
        return 0;
    fz_world_reset();
    fz_apply_server(&FZ_W, data[0]);
    memset(&r, 0, sizeof r);
    r.e = &SERVER;
    r.flags = data[0];
    if (captls_tls_server_init(&SERVER.conn, &FZ_W.scfg) != CAPTLS_OK)
        abort();
    fz_drive(&r, data + 1, size - 1);
    return 0;
}
