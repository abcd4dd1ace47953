/* core/tls/record.c — TLS 1.3 record protection (RFC 8446 §5): framing,
 * AEAD with the per-record nonce, inner content type and padding. See
 * conn_internal.h. */
#include <string.h>

#include "core/base/ct.h"
#include "core/tls/conn_internal.h"

captls_result captls_tls_record_keys_set(captls_tls_record_keys *k,
                                         const captls_tls_suite_info *suite,
                                         const uint8_t *secret)
{
    uint8_t key[CAPTLS_AEAD_MAX_KEY_SIZE];
    captls_result r;

    captls_aead_ctx_destroy(&k->aead);
    r = captls_tls_traffic_keys(suite, secret, key, k->iv);
    if (r == CAPTLS_OK)
        r = captls_aead_ctx_init(&k->aead, suite->aead, key, suite->key_len);
    captls_zeroize(key, sizeof key);
    if (r != CAPTLS_OK) {
        captls_tls_record_keys_wipe(k);
        return r;
    }
    if (k->secret != secret)
        memcpy(k->secret, secret, suite->hash_len);
    k->seq = 0;
    return CAPTLS_OK;
}

void captls_tls_record_keys_wipe(captls_tls_record_keys *k)
{
    captls_aead_ctx_destroy(&k->aead);
    captls_zeroize(k, sizeof *k);
}

/* RFC 8446 §5.3: nonce = iv XOR (seq as a 64-bit big-endian number,
 * left-padded with zeros to 12 bytes). */
static void record_nonce(const captls_tls_record_keys *k,
                         uint8_t nonce[CAPTLS_AEAD_NONCE_SIZE])
{
    memcpy(nonce, k->iv, CAPTLS_AEAD_NONCE_SIZE);
    for (unsigned i = 0; i < 8; i++)
        nonce[CAPTLS_AEAD_NONCE_SIZE - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
}

static bool keys_on(const captls_tls_record_keys *k)
{
    return k->aead.alg != CAPTLS_AEAD_NONE;
}

size_t captls_tls_record_room(const captls_tls_conn *c)
{
    size_t overhead = CAPTLS_TLS_RECORD_HEADER;
    size_t free_bytes;

    if (c->tx == NULL)
        return 0;
    if (keys_on(&c->wr))
        overhead += 1u + CAPTLS_AEAD_TAG_SIZE;
    free_bytes = c->tx_cap - c->tx_len;
    if (free_bytes <= overhead)
        return 0;
    free_bytes -= overhead;
    return free_bytes < c->send_limit ? free_bytes : c->send_limit;
}

captls_result captls_tls_record_write(captls_tls_conn *c, uint8_t type,
                                      const uint8_t *p, size_t n)
{
    uint8_t *rec, nonce[CAPTLS_AEAD_NONCE_SIZE];
    size_t len;
    captls_result r;

    if (n > captls_tls_record_room(c) && !(n == 0 && c->tx != NULL))
        return CAPTLS_ERR_INTERNAL;
    rec = c->tx + c->tx_len;
    if (!keys_on(&c->wr)) {
        /* RFC 8446 §5.1: legacy_record_version 0x0301 for an initial
         * ClientHello, 0x0303 for everything else. */
        rec[0] = type;
        rec[1] = 0x03;
        rec[2] = (c->step == STEP_C_WAIT_SH && !c->is_server &&
                  !c->info.hello_retry) ? 0x01 : 0x03;
        rec[3] = (uint8_t)(n >> 8);
        rec[4] = (uint8_t)n;
        if (n > 0 && p != rec + CAPTLS_TLS_RECORD_HEADER)
            memmove(rec + CAPTLS_TLS_RECORD_HEADER, p, n);
        c->tx_len += CAPTLS_TLS_RECORD_HEADER + n;
        if (c->tx_len > c->tx_hw)
            c->tx_hw = c->tx_len;
        return CAPTLS_OK;
    }
    /* RFC 8446 §5.2: TLSCiphertext with opaque_type application_data,
     * legacy_record_version 0x0303, the AAD is the record header. No
     * padding is added: length hiding is not a goal of this engine. */
    len = n + 1u + CAPTLS_AEAD_TAG_SIZE;
    rec[0] = CAPTLS_CT_APPLICATION_DATA;
    rec[1] = 0x03;
    rec[2] = 0x03;
    rec[3] = (uint8_t)(len >> 8);
    rec[4] = (uint8_t)len;
    if (n > 0 && p != rec + CAPTLS_TLS_RECORD_HEADER)
        memmove(rec + CAPTLS_TLS_RECORD_HEADER, p, n);
    rec[CAPTLS_TLS_RECORD_HEADER + n] = type;
    record_nonce(&c->wr, nonce);
#ifdef CAPTLS_FUZZING
    /* Fuzzing mode (the fuzz variants only; nothing that ships defines
     * it): protection is the identity with an all-zero tag, so that a
     * fuzzer can write protected records (BoringSSL's fuzzer mode). */
    memset(rec + CAPTLS_TLS_RECORD_HEADER + n + 1u, 0, CAPTLS_AEAD_TAG_SIZE);
    r = CAPTLS_OK;
#else
    r = captls_aead_ctx_seal(&c->wr.aead, nonce, rec, CAPTLS_TLS_RECORD_HEADER,
                             rec + CAPTLS_TLS_RECORD_HEADER, n + 1u,
                             rec + CAPTLS_TLS_RECORD_HEADER + n + 1u);
#endif
    if (r != CAPTLS_OK)
        return r;
    c->wr.seq++;
    c->tx_len += CAPTLS_TLS_RECORD_HEADER + len;
    if (c->tx_len > c->tx_hw)
        c->tx_hw = c->tx_len;
    return CAPTLS_OK;
}

captls_result captls_tls_record_open(captls_tls_conn *c, uint8_t *type,
                                     size_t *len)
{
    uint8_t *rec = c->rx, nonce[CAPTLS_AEAD_NONCE_SIZE];
    size_t n = c->rx_len - CAPTLS_TLS_RECORD_HEADER;
    size_t i;
    captls_result r;

    *type = rec[0];
    /* RFC 8446 §5: a change_cipher_spec record is never protected; it is
     * handled by the caller whatever the read keys. */
    /* A peer that fails before it has our keys (a client refusing our
     * ServerHello) can only send its alert in plaintext: accept a 2-byte
     * plaintext alert while nothing protected has been read yet, so the
     * real reason is reported. An on-path attacker gains nothing by it:
     * it can end a handshake by dropping packets anyway. */
    bool early_alert = rec[0] == CAPTLS_CT_ALERT && n == 2 &&
                       keys_on(&c->rd) && c->rd.seq == 0 &&
                       !c->peer_finished;
    if (!keys_on(&c->rd) || rec[0] == CAPTLS_CT_CHANGE_CIPHER_SPEC ||
        early_alert) {
        /* §5.1: TLSPlaintext.length MUST NOT exceed 2^14. */
        if (n > CAPTLS_TLS_MAX_PLAINTEXT)
            return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
        *len = n;
        return CAPTLS_OK;
    }
    /* §5.2: once keys are in use every record is application_data on the
     * outside; anything else is unexpected. */
    if (rec[0] != CAPTLS_CT_APPLICATION_DATA)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    if (n < 1u + CAPTLS_AEAD_TAG_SIZE)
        return CAPTLS_TLS_ERR(BAD_RECORD_MAC);
    record_nonce(&c->rd, nonce);
#ifdef CAPTLS_FUZZING
    /* Fuzzing mode (see record_write): identity; the tag must be there
     * (length checked above), its value is not checked. */
    r = CAPTLS_OK;
#else
    r = captls_aead_ctx_open(&c->rd.aead, nonce, rec, CAPTLS_TLS_RECORD_HEADER,
                             rec + CAPTLS_TLS_RECORD_HEADER,
                             n - CAPTLS_AEAD_TAG_SIZE,
                             rec + CAPTLS_TLS_RECORD_HEADER + n -
                                 CAPTLS_AEAD_TAG_SIZE);
#endif
    if (r != CAPTLS_OK)
        return CAPTLS_TLS_ERR(BAD_RECORD_MAC);
    c->rd.seq++;
    /* §5.4: strip the zero padding; the last non-zero byte is the type. An
     * all-zero plaintext is unexpected_message. */
    i = n - CAPTLS_AEAD_TAG_SIZE;
    /* RFC 8449 §4: the limit covers the whole TLSInnerPlaintext. */
    if (i > (size_t)c->recv_limit)
        return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
    while (i > 0 && rec[CAPTLS_TLS_RECORD_HEADER + i - 1] == 0)
        i--;
    if (i == 0)
        return CAPTLS_TLS_ERR(UNEXPECTED_MESSAGE);
    *type = rec[CAPTLS_TLS_RECORD_HEADER + i - 1];
    *len = i - 1;
    if (*len > CAPTLS_TLS_MAX_PLAINTEXT)
        return CAPTLS_TLS_ERR(RECORD_OVERFLOW);
    return CAPTLS_OK;
}
