/* core/tls/transcript.c — the TLS 1.3 transcript hash (RFC 8446 §4.4.1);
 * see key_schedule.h. */
#include "core/tls/key_schedule.h"

#include <string.h>

#include "core/base/ct.h"

void captls_tls_transcript_init(captls_tls_transcript *t)
{
    memset(t, 0, sizeof *t);
    /* Neither can fail: both algorithms are known. */
    if (captls_hash_init(&t->sha256, CAPTLS_HASH_SHA256) != CAPTLS_OK ||
        captls_hash_init(&t->sha384, CAPTLS_HASH_SHA384) != CAPTLS_OK)
        memset(t, 0, sizeof *t);
    t->chosen = CAPTLS_HASH_NONE;
}

void captls_tls_transcript_update(captls_tls_transcript *t, const void *data,
                                  size_t len)
{
    if (t->chosen != CAPTLS_HASH_SHA384)
        captls_hash_update(&t->sha256, data, len);
    if (t->chosen != CAPTLS_HASH_SHA256)
        captls_hash_update(&t->sha384, data, len);
}

captls_result captls_tls_transcript_select(captls_tls_transcript *t,
                                           captls_hash_alg hash)
{
    if (hash != CAPTLS_HASH_SHA256 && hash != CAPTLS_HASH_SHA384)
        return CAPTLS_ERR_INTERNAL;
    if (t->chosen != CAPTLS_HASH_NONE)
        return t->chosen == hash ? CAPTLS_OK : CAPTLS_ERR_INTERNAL;
    if (hash == CAPTLS_HASH_SHA256)
        captls_hash_ctx_wipe(&t->sha384);
    else
        captls_hash_ctx_wipe(&t->sha256);
    t->chosen = hash;
    return CAPTLS_OK;
}

size_t captls_tls_transcript_hash(const captls_tls_transcript *t,
                                  captls_hash_alg hash,
                                  uint8_t out[CAPTLS_TLS_MAX_HASH])
{
    uint8_t h[CAPTLS_HASH_MAX_SIZE];
    size_t n;

    if (hash == CAPTLS_HASH_NONE)
        hash = t->chosen;
    else if (t->chosen != CAPTLS_HASH_NONE && hash != t->chosen)
        return 0; /* the other one was dropped at select */
    if (hash == CAPTLS_HASH_SHA256)
        n = captls_hash_peek(&t->sha256, h);
    else if (hash == CAPTLS_HASH_SHA384)
        n = captls_hash_peek(&t->sha384, h);
    else
        return 0;
    memcpy(out, h, n);
    return n;
}

captls_result captls_tls_transcript_hrr_restart(captls_tls_transcript *t)
{
    /* RFC 8446 §4.4.1: "the value of ClientHello1 is replaced with a
     * special synthetic handshake message of handshake type
     * "message_hash" containing Hash(ClientHello1)":
     *   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
     *       Hash(message_hash ||        (handshake type)
     *            00 00 Hash.length  ||  (handshake message length (bytes))
     *            Hash(ClientHello1) ||  (hash of ClientHello1)
     *            HelloRetryRequest  || ... || Mn) */
    uint8_t msg[4 + CAPTLS_TLS_MAX_HASH];
    captls_hash_ctx *ctx;
    size_t n;

    if (t->chosen == CAPTLS_HASH_SHA256)
        ctx = &t->sha256;
    else if (t->chosen == CAPTLS_HASH_SHA384)
        ctx = &t->sha384;
    else
        return CAPTLS_ERR_INTERNAL;
    n = captls_tls_transcript_hash(t, t->chosen, msg + 4);
    msg[0] = 254; /* HandshakeType message_hash */
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)n;
    captls_hash_ctx_wipe(ctx);
    if (captls_hash_init(ctx, t->chosen) != CAPTLS_OK)
        return CAPTLS_ERR_INTERNAL; /* unreachable: chosen is known */
    captls_hash_update(ctx, msg, 4 + n);
    captls_zeroize(msg, sizeof msg);
    return CAPTLS_OK;
}

void captls_tls_transcript_wipe(captls_tls_transcript *t)
{
    captls_zeroize(t, sizeof *t);
}
