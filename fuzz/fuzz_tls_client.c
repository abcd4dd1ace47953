/* Fuzz harness: the TLS 1.3 client engine (core/tls/client.c, conn.c,
 * record.c, flight.c, hs_common.c) fed arbitrary server bytes.
 *
 * Input: one flags byte (FZ_C_* / FZ_RSL / FZ_CHUNK / FZ_SMALL_TX /
 * FZ_RECLAIM in fuzz/tls_fuzz_world.h: groups order, a client
 * certificate, ALPN, record_size_limit, delivery in small pieces, a
 * minimal TX buffer, buffers reclaimed whenever possible), then the byte
 * stream a server sends. The client's own ClientHello is produced and
 * discarded. Built with -DCAPTLS_FUZZING (identity records, any
 * well-formed Finished / CertificateVerify accepted), so the fuzzer gets
 * through the handshake with the sim PKI's real chain (verified for
 * www.alpha.test at the fixed clock) into application data, KeyUpdate,
 * NewSessionTicket and close_notify. The driver answers like an
 * application and checks the invariants listed in tls_fuzz_world.h.
 * Seeds in fuzz/corpus/tls_client/ are server streams recorded from
 * in-memory pairs built with -DCAPTLS_FUZZING (fuzz/tls_corpus_gen.sh).
 * Run from the repository root. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/tls_fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tp_end CLIENT;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_run r;
    if (size < 1)
        return 0;
    fz_world_reset();
    fz_apply_client(&FZ_W, data[0]);
    memset(&r, 0, sizeof r);
    r.e = &CLIENT;
    r.flags = data[0];
    if (captls_tls_client_init(&CLIENT.conn, &FZ_W.ccfg, "www.alpha.test", NULL,
                               tp_on_session, &FZ_W) != CAPTLS_OK)
        abort();
    /* the ClientHello goes nowhere */
    fz_drain(&r);
    fz_check(!r.failed, "ClientHello");
    fz_drive(&r, data + 1, size - 1);
    return 0;
}
