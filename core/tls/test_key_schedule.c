/* Unit tests of core/tls/suite.c, transcript.c and key_schedule.c.
 * RFC 8448 §3 "Simple 1-RTT Handshake" (vectors/rfc8448-simple-1rtt.txt,
 * read at run time from the repository root): the X25519 shared secret
 * from the RFC's private keys, every secret of the schedule (early,
 * handshake, c/s hs traffic, master, c/s ap traffic, exporter, resumption
 * master, the ticket PSK), the traffic keys and IVs, both Finished
 * verify_data over transcript hashes computed by feeding the RFC's
 * handshake messages into captls_tls_transcript, and every encrypted
 * record of the trace opened with the derived keys (nonce = iv XOR seq,
 * AAD = record header) and compared with the RFC's payload. ("derived"
 * stays inside the schedule: the handshake and master secrets matching
 * proves both "derived" values.) Then: the SHA-384 schedule end to end
 * against OpenSSL's HKDF (EVP_KDF), the HRR message_hash restart against a
 * hand-built transcript, KeyUpdate against OpenSSL HMAC, the binder key,
 * stage order (CAPTLS_ERR_INTERNAL, nothing written), the suite table and
 * the wipe functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "core/crypto/aead.h"
#include "core/crypto/test_vectors.h"
#include "core/crypto/x25519.h"
#include "core/tls/cipher_policy.h"
#include "core/tls/key_schedule.h"

#define RFC8448 "vectors/rfc8448-simple-1rtt.txt"

/* The RFC 8448 value of `label` into out (at most cap bytes); its length. */
static size_t v(const char *label, uint8_t *out, size_t cap)
{
    size_t n;
    uint8_t *b = tv_8448(RFC8448, label, &n);
    assert_true(n <= cap);
    memcpy(out, b, n);
    free(b);
    return n;
}

/* Asserts that buf[0..len) equals the RFC value of label. */
static void expect(const char *label, const uint8_t *buf, size_t len)
{
    uint8_t want[1024];
    size_t n = v(label, want, sizeof want);
    if (n != len || memcmp(want, buf, n) != 0) {
        fail_msg("mismatch for %s", label);
    }
}

static void feed(captls_tls_transcript *t, const char *label)
{
    uint8_t msg[1024];
    size_t n = v(label, msg, sizeof msg);
    captls_tls_transcript_update(t, msg, n);
}

/* Opens an RFC "complete record" with (key, iv, seq) and checks the inner
 * plaintext is the RFC payload followed by content type `type`. */
static void open_record(const captls_tls_suite_info *suite,
                        const uint8_t *key, const uint8_t iv[12],
                        uint64_t seq, const char *step, uint8_t type)
{
    char label[160];
    uint8_t rec[1024], payload[1024], nonce[12];
    size_t rn, pn, clen;

    snprintf(label, sizeof label, "%s / complete record", step);
    rn = v(label, rec, sizeof rec);
    snprintf(label, sizeof label, "%s / payload", step);
    pn = v(label, payload, sizeof payload);
    /* TLSCiphertext: opaque_type 23, legacy_record_version 0x0303, length */
    assert_true(rn > 5 + 16);
    assert_int_equal(rec[0], 23);
    assert_int_equal(((size_t)rec[3] << 8 | rec[4]), rn - 5);
    clen = rn - 5 - 16;
    /* RFC 8446 §5.3: the 64-bit sequence number, left-padded to iv_length,
     * XORed with the static IV. */
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
    /* §5.2: additional_data = the record header. */
    assert_int_equal(captls_aead_open(suite->aead, key, suite->key_len, nonce,
                                      rec, 5, rec + 5, clen, rec + 5 + clen),
                     CAPTLS_OK);
    assert_int_equal(clen, pn + 1);
    assert_memory_equal(rec + 5, payload, pn);
    assert_int_equal(rec[5 + pn], type);
    /* the wrong sequence number does not open it */
    snprintf(label, sizeof label, "%s / complete record", step);
    v(label, rec, sizeof rec);
    nonce[11] ^= 1;
    assert_int_equal(captls_aead_open(suite->aead, key, suite->key_len, nonce,
                                      rec, 5, rec + 5, clen, rec + 5 + clen),
                     CAPTLS_ERR_AUTH_FAILED);
}

static void test_rfc8448_simple_1rtt(void **state)
{
    (void)state;
    const captls_tls_suite_info *suite = captls_tls_suite_get(0x1301);
    captls_tls_transcript t;
    captls_tls_key_schedule ks;
    uint8_t cpriv[32], spriv[32], cpub[32], spub[32], pub[32], dhe[32],
        dhe2[32];
    uint8_t th[CAPTLS_TLS_MAX_HASH], c_hs[CAPTLS_TLS_MAX_HASH],
        s_hs[CAPTLS_TLS_MAX_HASH], c_ap[CAPTLS_TLS_MAX_HASH],
        s_ap[CAPTLS_TLS_MAX_HASH], exp[CAPTLS_TLS_MAX_HASH],
        rms[CAPTLS_TLS_MAX_HASH], fin[CAPTLS_TLS_MAX_HASH],
        psk[CAPTLS_TLS_MAX_HASH], nonce[8];
    uint8_t key_shs[32], iv_shs[12], key_chs[32], iv_chs[12], key_sap[32],
        iv_sap[12], key_cap[32], iv_cap[12];
    size_t nn;

    assert_non_null(suite);
    assert_int_equal(suite->hash, CAPTLS_HASH_SHA256);

    /* X25519 key pairs and the shared secret (both directions) */
    v("{client} create an ephemeral x25519 key pair / private key", cpriv, 32);
    v("{server} create an ephemeral x25519 key pair / private key", spriv, 32);
    v("{client} create an ephemeral x25519 key pair / public key", cpub, 32);
    v("{server} create an ephemeral x25519 key pair / public key", spub, 32);
    captls_x25519_public(pub, cpriv);
    assert_memory_equal(pub, cpub, 32);
    captls_x25519_public(pub, spriv);
    assert_memory_equal(pub, spub, 32);
    {
        /* through the key share API, as the engine calls it */
        captls_tls_key_share share;
        memset(&share, 0, sizeof share);
        share.group = CAPTLS_TLS_GROUP_X25519;
        memcpy(share.priv, cpriv, 32);
        memcpy(share.pub, cpub, 32);
        share.pub_len = 32;
        assert_int_equal(captls_tls_key_share_agree(&share, spub, 32, dhe),
                         CAPTLS_OK);
        captls_tls_key_share_wipe(&share);
    }
    assert_int_equal(captls_x25519(dhe2, spriv, cpub), CAPTLS_OK);
    assert_memory_equal(dhe, dhe2, 32);
    expect("{server} extract secret \"handshake\" / IKM", dhe, 32);

    /* Early Secret */
    assert_int_equal(captls_tls_ks_init(&ks, suite->hash, NULL, 0), CAPTLS_OK);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_EARLY);
    assert_int_equal(ks.hash_len, 32);
    expect("{server} extract secret \"early\" / secret", ks.secret, 32);

    /* Transcript: ClientHello..ServerHello */
    captls_tls_transcript_init(&t);
    feed(&t, "{client} construct a ClientHello handshake message / "
             "ClientHello");
    /* the client hashes before the suite is known */
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, th), 0);
    feed(&t, "{server} construct a ServerHello handshake message / "
             "ServerHello");
    assert_int_equal(captls_tls_transcript_select(&t, suite->hash), CAPTLS_OK);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, th), 32);
    expect("{server} derive secret \"tls13 c hs traffic\" / hash", th, 32);

    /* Handshake Secret and the handshake traffic secrets */
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th, c_hs, s_hs),
                     CAPTLS_OK);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_HANDSHAKE);
    expect("{server} extract secret \"handshake\" / secret", ks.secret, 32);
    expect("{server} derive secret \"tls13 c hs traffic\" / expanded", c_hs,
           32);
    expect("{server} derive secret \"tls13 s hs traffic\" / expanded", s_hs,
           32);

    /* handshake traffic keys */
    assert_int_equal(captls_tls_traffic_keys(suite, s_hs, key_shs, iv_shs),
                     CAPTLS_OK);
    expect("{server} derive write traffic keys for handshake data / key "
           "expanded", key_shs, 16);
    expect("{server} derive write traffic keys for handshake data / iv "
           "expanded", iv_shs, 12);
    assert_int_equal(captls_tls_traffic_keys(suite, c_hs, key_chs, iv_chs),
                     CAPTLS_OK);
    expect("{server} derive read traffic keys for handshake data / key "
           "expanded", key_chs, 16);
    expect("{server} derive read traffic keys for handshake data / iv "
           "expanded", iv_chs, 12);

    /* server Finished over ClientHello..CertificateVerify */
    feed(&t, "{server} construct an EncryptedExtensions handshake message / "
             "EncryptedExtensions");
    feed(&t, "{server} construct a Certificate handshake message / "
             "Certificate");
    feed(&t, "{server} construct a CertificateVerify handshake message / "
             "CertificateVerify");
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA256, th),
                     32);
    assert_int_equal(captls_tls_finished_mac(suite->hash, s_hs, th, fin),
                     CAPTLS_OK);
    expect("{server} calculate finished \"tls13 finished\" / finished", fin,
           32);
    feed(&t, "{server} construct a Finished handshake message / Finished");

    /* Master Secret and the application traffic secrets over
     * ClientHello..server Finished */
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, th), 32);
    expect("{server} derive secret \"tls13 c ap traffic\" / hash", th, 32);
    assert_int_equal(captls_tls_ks_master(&ks, th, c_ap, s_ap, exp),
                     CAPTLS_OK);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_MASTER);
    expect("{server} extract secret \"master\" / secret", ks.secret, 32);
    expect("{server} derive secret \"tls13 c ap traffic\" / expanded", c_ap,
           32);
    expect("{server} derive secret \"tls13 s ap traffic\" / expanded", s_ap,
           32);
    expect("{server} derive secret \"tls13 exp master\" / expanded", exp, 32);

    /* client Finished over ClientHello..server Finished */
    assert_int_equal(captls_tls_finished_mac(suite->hash, c_hs, th, fin),
                     CAPTLS_OK);
    expect("{client} calculate finished \"tls13 finished\" / finished", fin,
           32);
    feed(&t, "{client} construct a Finished handshake message / Finished");

    /* application traffic keys */
    assert_int_equal(captls_tls_traffic_keys(suite, s_ap, key_sap, iv_sap),
                     CAPTLS_OK);
    expect("{server} derive write traffic keys for application data / key "
           "expanded", key_sap, 16);
    expect("{server} derive write traffic keys for application data / iv "
           "expanded", iv_sap, 12);
    assert_int_equal(captls_tls_traffic_keys(suite, c_ap, key_cap, iv_cap),
                     CAPTLS_OK);
    expect("{client} derive write traffic keys for application data / key "
           "expanded", key_cap, 16);
    expect("{client} derive write traffic keys for application data / iv "
           "expanded", iv_cap, 12);

    /* resumption master secret over ClientHello..client Finished, and the
     * ticket's PSK (ticket_nonce 00 00 in the NewSessionTicket) */
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, th), 32);
    expect("{client} derive secret \"tls13 res master\" / hash", th, 32);
    assert_int_equal(captls_tls_ks_resumption_master(&ks, th, rms), CAPTLS_OK);
    expect("{client} derive secret \"tls13 res master\" / expanded", rms, 32);
    nn = v("{server} generate resumption secret \"tls13 resumption\" / hash",
           nonce, sizeof nonce);
    assert_int_equal(nn, 2);
    assert_int_equal(captls_tls_resumption_psk(suite->hash, rms, nonce, nn,
                                               psk),
                     CAPTLS_OK);
    expect("{server} generate resumption secret \"tls13 resumption\" / "
           "expanded", psk, 32);

    /* every protected record of the trace */
    open_record(suite, key_shs, iv_shs, 0, "{server} send handshake record #2",
                22);
    open_record(suite, key_chs, iv_chs, 0, "{client} send handshake record #2",
                22);
    open_record(suite, key_sap, iv_sap, 0, "{server} send handshake record #3",
                22);
    open_record(suite, key_cap, iv_cap, 0,
                "{client} send application_data record", 23);
    open_record(suite, key_sap, iv_sap, 1,
                "{server} send application_data record", 23);
    open_record(suite, key_cap, iv_cap, 1, "{client} send alert record", 21);
    open_record(suite, key_sap, iv_sap, 2, "{server} send alert record", 21);

    captls_tls_ks_wipe(&ks);
    captls_tls_transcript_wipe(&t);
}

/* ---- OpenSSL references ------------------------------------------------ */

static const char *md_name(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA384 ? "SHA384" : "SHA256";
}

static const EVP_MD *md_of(captls_hash_alg h)
{
    return h == CAPTLS_HASH_SHA384 ? EVP_sha384() : EVP_sha256();
}

/* OpenSSL EVP_KDF HKDF in mode `mode` (EXTRACT_ONLY / EXPAND_ONLY). */
static void ossl_hkdf(captls_hash_alg h, int mode, const uint8_t *key,
                      size_t key_len, const uint8_t *salt, size_t salt_len,
                      const uint8_t *info, size_t info_len, uint8_t *out,
                      size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *c = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM p[6], *q = p;
    static const uint8_t zsalt[48] = {0};

    assert_non_null(c);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                            (char *)md_name(h), 0);
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key,
                                             key_len);
    if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
        *q++ = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, (void *)(salt ? salt : zsalt),
            salt ? salt_len : (size_t)EVP_MD_get_size(md_of(h)));
    else
        *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                 (void *)info, info_len);
    *q = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(c, out, out_len, p), 1);
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
}

/* HkdfLabel (RFC 8446 §7.1) built by hand. */
static size_t hkdf_label(uint8_t *info, size_t len, const char *label,
                         const uint8_t *ctx, size_t ctx_len)
{
    size_t n = 0, l = strlen(label);
    info[n++] = (uint8_t)(len >> 8);
    info[n++] = (uint8_t)len;
    info[n++] = (uint8_t)(6 + l);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, l);
    n += l;
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len > 0)
        memcpy(info + n, ctx, ctx_len);
    return n + ctx_len;
}

static void ossl_expand_label(captls_hash_alg h, const uint8_t *secret,
                              const char *label, const uint8_t *ctx,
                              size_t ctx_len, uint8_t *out, size_t len)
{
    uint8_t info[600];
    size_t hl = (size_t)EVP_MD_get_size(md_of(h));
    size_t n = hkdf_label(info, len, label, ctx, ctx_len);
    ossl_hkdf(h, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, hl, NULL, 0, info, n,
              out, len);
}

static void ossl_hash(captls_hash_alg h, const void *m, size_t n,
                      uint8_t *out)
{
    unsigned int ol;
    assert_int_equal(EVP_Digest(m, n, out, &ol, md_of(h), NULL), 1);
}

/* The whole schedule, independently: OpenSSL HKDF + hand-built labels. */
static void test_schedule_vs_openssl(void **state)
{
    (void)state;
    static const uint16_t ids[] = {0x1301, 0x1302, 0x1303};

    for (size_t s = 0; s < 3; s++) {
        const captls_tls_suite_info *suite = captls_tls_suite_get(ids[s]);
        captls_hash_alg h = suite->hash;
        size_t hl = suite->hash_len;
        uint8_t psk[48], dhe[32], th1[48], th2[48], th3[48], empty[48],
            zeros[48] = {0};
        uint8_t es[48], der[48], hs[48], ms[48], w[48], got[48], got2[48],
            got3[48], key[32], iv[12], wkey[32], wiv[12];
        captls_tls_key_schedule ks;

        for (int with_psk = 0; with_psk < 2; with_psk++) {
            assert_int_equal(RAND_bytes(psk, sizeof psk), 1);
            assert_int_equal(RAND_bytes(dhe, sizeof dhe), 1);
            assert_int_equal(RAND_bytes(th1, sizeof th1), 1);
            assert_int_equal(RAND_bytes(th2, sizeof th2), 1);
            assert_int_equal(RAND_bytes(th3, sizeof th3), 1);
            ossl_hash(h, "", 0, empty);

            /* reference */
            ossl_hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_ONLY,
                      with_psk ? psk : zeros, hl, NULL, 0, NULL, 0, es, hl);
            ossl_expand_label(h, es, "derived", empty, hl, der, hl);
            ossl_hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dhe, 32, der, hl,
                      NULL, 0, hs, hl);
            ossl_expand_label(h, hs, "derived", empty, hl, der, hl);
            ossl_hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, zeros, hl, der, hl,
                      NULL, 0, ms, hl);

            /* captls */
            assert_int_equal(captls_tls_ks_init(&ks, h,
                                                with_psk ? psk : NULL,
                                                with_psk ? hl : 0),
                             CAPTLS_OK);
            assert_memory_equal(ks.secret, es, hl);
            assert_int_equal(captls_tls_ks_binder_key(&ks, got), CAPTLS_OK);
            ossl_expand_label(h, es, "res binder", empty, hl, w, hl);
            assert_memory_equal(got, w, hl);

            assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th1, got,
                                                     got2),
                             CAPTLS_OK);
            assert_memory_equal(ks.secret, hs, hl);
            ossl_expand_label(h, hs, "c hs traffic", th1, hl, w, hl);
            assert_memory_equal(got, w, hl);
            ossl_expand_label(h, hs, "s hs traffic", th1, hl, w, hl);
            assert_memory_equal(got2, w, hl);

            /* traffic keys and Finished from s hs traffic */
            assert_int_equal(captls_tls_traffic_keys(suite, got2, key, iv),
                             CAPTLS_OK);
            ossl_expand_label(h, got2, "key", NULL, 0, wkey, suite->key_len);
            ossl_expand_label(h, got2, "iv", NULL, 0, wiv, 12);
            assert_memory_equal(key, wkey, suite->key_len);
            assert_memory_equal(iv, wiv, 12);
            {
                uint8_t fk[48], mac[64];
                unsigned int ml;
                ossl_expand_label(h, got2, "finished", NULL, 0, fk, hl);
                assert_non_null(HMAC(md_of(h), fk, (int)hl, th2, hl, mac,
                                     &ml));
                assert_int_equal(captls_tls_finished_mac(h, got2, th2, got3),
                                 CAPTLS_OK);
                assert_memory_equal(got3, mac, hl);
            }

            assert_int_equal(captls_tls_ks_master(&ks, th2, got, got2, got3),
                             CAPTLS_OK);
            assert_memory_equal(ks.secret, ms, hl);
            ossl_expand_label(h, ms, "c ap traffic", th2, hl, w, hl);
            assert_memory_equal(got, w, hl);
            ossl_expand_label(h, ms, "s ap traffic", th2, hl, w, hl);
            assert_memory_equal(got2, w, hl);
            ossl_expand_label(h, ms, "exp master", th2, hl, w, hl);
            assert_memory_equal(got3, w, hl);
            /* exp may be NULL: same secrets */
            {
                captls_tls_key_schedule ks2;
                uint8_t c2[48], s2[48];
                assert_int_equal(captls_tls_ks_init(&ks2, h,
                                                    with_psk ? psk : NULL,
                                                    with_psk ? hl : 0),
                                 CAPTLS_OK);
                assert_int_equal(captls_tls_ks_handshake(&ks2, dhe, 32, th1,
                                                         c2, s2),
                                 CAPTLS_OK);
                assert_int_equal(captls_tls_ks_master(&ks2, th2, c2, s2,
                                                      NULL),
                                 CAPTLS_OK);
                assert_memory_equal(c2, got, hl);
                assert_memory_equal(s2, got2, hl);
            }

            assert_int_equal(captls_tls_ks_resumption_master(&ks, th3, got),
                             CAPTLS_OK);
            ossl_expand_label(h, ms, "res master", th3, hl, w, hl);
            assert_memory_equal(got, w, hl);
            {
                uint8_t nonce[255];
                assert_int_equal(RAND_bytes(nonce, sizeof nonce), 1);
                for (size_t nl = 0; nl <= 255; nl += 85) {
                    assert_int_equal(captls_tls_resumption_psk(h, got, nonce,
                                                               nl, got2),
                                     CAPTLS_OK);
                    ossl_expand_label(h, got, "resumption", nonce, nl, w, hl);
                    assert_memory_equal(got2, w, hl);
                }
            }
            captls_tls_ks_wipe(&ks);
        }
    }
}

/* SHA-384 path: the PSK-less, DHE-less schedule (psk_ke shape) still moves
 * through every stage, and 48-byte outputs are written in full and no
 * further (a canary after them). */
static void test_sha384_lengths(void **state)
{
    (void)state;
    captls_tls_key_schedule ks;
    uint8_t th[48], a[CAPTLS_TLS_MAX_HASH + 4], b[CAPTLS_TLS_MAX_HASH + 4],
        e[CAPTLS_TLS_MAX_HASH + 4], w[48];
    uint8_t empty[48], zeros[48] = {0}, es[48], der[48], hs[48];

    memset(th, 0x33, sizeof th);
    memset(a, 0xa5, sizeof a);
    memset(b, 0xa5, sizeof b);
    memset(e, 0xa5, sizeof e);
    assert_int_equal(captls_tls_ks_init(&ks, CAPTLS_HASH_SHA384, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(ks.hash_len, 48);
    assert_int_equal(captls_tls_ks_handshake(&ks, NULL, 0, th, a, b),
                     CAPTLS_OK);
    for (int i = 48; i < 52; i++)
        assert_true(a[i] == 0xa5 && b[i] == 0xa5);
    /* dhe NULL = 48 zero bytes of IKM */
    ossl_hash(CAPTLS_HASH_SHA384, "", 0, empty);
    ossl_hkdf(CAPTLS_HASH_SHA384, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, zeros, 48,
              NULL, 0, NULL, 0, es, 48);
    ossl_expand_label(CAPTLS_HASH_SHA384, es, "derived", empty, 48, der, 48);
    ossl_hkdf(CAPTLS_HASH_SHA384, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, zeros, 48,
              der, 48, NULL, 0, hs, 48);
    assert_memory_equal(ks.secret, hs, 48);
    ossl_expand_label(CAPTLS_HASH_SHA384, hs, "s hs traffic", th, 48, w, 48);
    assert_memory_equal(b, w, 48);
    assert_int_equal(captls_tls_ks_master(&ks, th, a, b, e), CAPTLS_OK);
    for (int i = 48; i < 52; i++)
        assert_true(a[i] == 0xa5 && b[i] == 0xa5 && e[i] == 0xa5);
    captls_tls_ks_wipe(&ks);
}

/* ---- transcript ---------------------------------------------------------- */

static void test_transcript_select(void **state)
{
    (void)state;
    captls_tls_transcript t;
    uint8_t msg[301], out[CAPTLS_TLS_MAX_HASH], want[48];

    assert_int_equal(RAND_bytes(msg, sizeof msg), 1);
    captls_tls_transcript_init(&t);
    captls_tls_transcript_update(&t, msg, 100);
    captls_tls_transcript_update(&t, msg + 100, 200);
    /* both run until select */
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, out), 0);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA256, out),
                     32);
    ossl_hash(CAPTLS_HASH_SHA256, msg, 300, want);
    assert_memory_equal(out, want, 32);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA384, out),
                     48);
    ossl_hash(CAPTLS_HASH_SHA384, msg, 300, want);
    assert_memory_equal(out, want, 48);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA512, out),
                     0);
    /* SHA-512 or NONE is no TLS 1.3 transcript hash */
    assert_int_equal(captls_tls_transcript_select(&t, CAPTLS_HASH_SHA512),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_transcript_select(&t, CAPTLS_HASH_NONE),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_transcript_select(&t, CAPTLS_HASH_SHA384),
                     CAPTLS_OK);
    /* selecting again: same is fine, the other is an engine bug */
    assert_int_equal(captls_tls_transcript_select(&t, CAPTLS_HASH_SHA384),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_transcript_select(&t, CAPTLS_HASH_SHA256),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA256, out),
                     0);
    captls_tls_transcript_update(&t, "x", 1);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, out), 48);
    memcpy(msg + 300, "x", 1);
    ossl_hash(CAPTLS_HASH_SHA384, msg, 301, want);
    assert_memory_equal(out, want, 48);
    /* init starts afresh */
    captls_tls_transcript_init(&t);
    captls_tls_transcript_update(&t, "x", 1);
    assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_SHA256, out),
                     32);
    ossl_hash(CAPTLS_HASH_SHA256, "x", 1, want);
    assert_memory_equal(out, want, 32);
    captls_tls_transcript_wipe(&t);
}

static void test_transcript_hrr(void **state)
{
    (void)state;
    static const captls_hash_alg hs[] = {CAPTLS_HASH_SHA256,
                                         CAPTLS_HASH_SHA384};

    for (size_t k = 0; k < 2; k++) {
        captls_hash_alg h = hs[k];
        size_t hl = h == CAPTLS_HASH_SHA384 ? 48 : 32;
        captls_tls_transcript t;
        uint8_t ch1[200], hrr[90], ch2[230], out[CAPTLS_TLS_MAX_HASH];
        uint8_t synth[4 + 48 + sizeof hrr + sizeof ch2], want[48];
        size_t n = 0;

        assert_int_equal(RAND_bytes(ch1, sizeof ch1), 1);
        assert_int_equal(RAND_bytes(hrr, sizeof hrr), 1);
        assert_int_equal(RAND_bytes(ch2, sizeof ch2), 1);

        captls_tls_transcript_init(&t);
        captls_tls_transcript_update(&t, ch1, sizeof ch1);
        /* restart needs the hash chosen */
        assert_int_equal(captls_tls_transcript_hrr_restart(&t),
                         CAPTLS_ERR_INTERNAL);
        assert_int_equal(captls_tls_transcript_select(&t, h), CAPTLS_OK);
        assert_int_equal(captls_tls_transcript_hrr_restart(&t), CAPTLS_OK);
        captls_tls_transcript_update(&t, hrr, sizeof hrr);
        captls_tls_transcript_update(&t, ch2, sizeof ch2);
        assert_int_equal(captls_tls_transcript_hash(&t, CAPTLS_HASH_NONE, out),
                         hl);

        /* RFC 8446 §4.4.1, by hand: message_hash(254) 00 00 Hash.length
         * Hash(ClientHello1) || HelloRetryRequest || ClientHello2 */
        synth[n++] = 0xfe;
        synth[n++] = 0;
        synth[n++] = 0;
        synth[n++] = (uint8_t)hl;
        ossl_hash(h, ch1, sizeof ch1, synth + n);
        n += hl;
        memcpy(synth + n, hrr, sizeof hrr);
        n += sizeof hrr;
        memcpy(synth + n, ch2, sizeof ch2);
        n += sizeof ch2;
        ossl_hash(h, synth, n, want);
        assert_memory_equal(out, want, hl);
        captls_tls_transcript_wipe(&t);
    }
}

/* ---- KeyUpdate ----------------------------------------------------------- */

static void test_key_update(void **state)
{
    (void)state;
    static const captls_hash_alg hs[] = {CAPTLS_HASH_SHA256,
                                         CAPTLS_HASH_SHA384};

    for (size_t k = 0; k < 2; k++) {
        captls_hash_alg h = hs[k];
        size_t hl = h == CAPTLS_HASH_SHA384 ? 48 : 32;
        uint8_t secret[CAPTLS_TLS_MAX_HASH], ref[48], info[64], buf[80],
            mac[64];
        unsigned int ml;
        size_t n;

        assert_int_equal(RAND_bytes(secret, sizeof secret), 1);
        memcpy(ref, secret, hl);
        for (int gen = 0; gen < 3; gen++) {
            /* Independently: HKDF-Expand with L = Hash.length is one block,
             * T(1) = HMAC(secret, HkdfLabel || 0x01) (RFC 5869 §2.3). */
            n = hkdf_label(info, hl, "traffic upd", NULL, 0);
            memcpy(buf, info, n);
            buf[n++] = 0x01;
            assert_non_null(HMAC(md_of(h), ref, (int)hl, buf, n, mac, &ml));
            assert_int_equal(ml, hl);
            memcpy(ref, mac, hl);
            assert_int_equal(captls_tls_next_traffic_secret(h, secret),
                             CAPTLS_OK);
            assert_memory_equal(secret, ref, hl);
        }
    }
    {
        uint8_t s[CAPTLS_TLS_MAX_HASH] = {1}, copy[CAPTLS_TLS_MAX_HASH];
        memcpy(copy, s, sizeof s);
        assert_int_equal(captls_tls_next_traffic_secret(CAPTLS_HASH_SHA512, s),
                         CAPTLS_ERR_UNSUPPORTED);
        assert_memory_equal(s, copy, sizeof s);
    }
}

/* ---- order, arguments, wipes ------------------------------------------- */

static void test_stage_order(void **state)
{
    (void)state;
    captls_tls_key_schedule ks;
    uint8_t th[48] = {7}, dhe[32] = {9}, a[48], b[48], c[48];
    uint8_t canary[48];

    memset(canary, 0x5c, sizeof canary);
    memset(a, 0x5c, sizeof a);
    memset(b, 0x5c, sizeof b);
    memset(c, 0x5c, sizeof c);

    /* a never-initialised (zeroed) schedule: every stage is out of order */
    memset(&ks, 0, sizeof ks);
    assert_int_equal(captls_tls_ks_binder_key(&ks, a), CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th, a, b),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_master(&ks, th, a, b, c),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_resumption_master(&ks, th, a),
                     CAPTLS_ERR_INTERNAL);

    /* EARLY: master and resumption are too early */
    assert_int_equal(captls_tls_ks_init(&ks, CAPTLS_HASH_SHA256, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_ks_master(&ks, th, a, b, c),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_resumption_master(&ks, th, a),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_EARLY);
    /* th NULL is an engine bug too */
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, NULL, a, b),
                     CAPTLS_ERR_INTERNAL);
    assert_memory_equal(a, canary, 48);
    assert_memory_equal(b, canary, 48);
    assert_memory_equal(c, canary, 48);

    /* HANDSHAKE: a second handshake, the binder key and resumption are
     * refused; the stage does not move */
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th, a, b),
                     CAPTLS_OK);
    memset(a, 0x5c, sizeof a);
    memset(b, 0x5c, sizeof b);
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th, a, b),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_binder_key(&ks, a), CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_resumption_master(&ks, th, a),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_HANDSHAKE);
    assert_memory_equal(a, canary, 48);
    assert_memory_equal(b, canary, 48);

    /* MASTER: only resumption_master remains */
    assert_int_equal(captls_tls_ks_master(&ks, th, a, b, c), CAPTLS_OK);
    memset(a, 0x5c, sizeof a);
    memset(b, 0x5c, sizeof b);
    memset(c, 0x5c, sizeof c);
    assert_int_equal(captls_tls_ks_master(&ks, th, a, b, c),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_handshake(&ks, dhe, 32, th, a, b),
                     CAPTLS_ERR_INTERNAL);
    assert_int_equal(captls_tls_ks_binder_key(&ks, a), CAPTLS_ERR_INTERNAL);
    assert_memory_equal(a, canary, 48);
    assert_memory_equal(b, canary, 48);
    assert_memory_equal(c, canary, 48);
    assert_int_equal(captls_tls_ks_resumption_master(&ks, th, a), CAPTLS_OK);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_MASTER);

    /* init restarts from any stage */
    assert_int_equal(captls_tls_ks_init(&ks, CAPTLS_HASH_SHA384, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_EARLY);

    /* hashes other than SHA-256/384 */
    assert_int_equal(captls_tls_ks_init(&ks, CAPTLS_HASH_SHA512, NULL, 0),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(ks.stage, CAPTLS_TLS_KS_NONE);
    assert_int_equal(captls_tls_finished_mac(CAPTLS_HASH_SHA512, th, th, a),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_tls_resumption_psk(CAPTLS_HASH_NONE, th, NULL, 0,
                                               a),
                     CAPTLS_ERR_UNSUPPORTED);
    assert_int_equal(captls_tls_traffic_keys(NULL, th, a, b),
                     CAPTLS_ERR_INTERNAL);
    /* a ticket nonce over 255 bytes cannot be an Expand-Label context */
    {
        uint8_t nonce[256] = {0};
        memset(a, 0x5c, sizeof a);
        assert_int_equal(captls_tls_resumption_psk(CAPTLS_HASH_SHA256, th,
                                                   nonce, 256, a),
                         CAPTLS_ERR_INVALID_ARGUMENT);
        assert_memory_equal(a, canary, 48);
    }
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void test_wipes(void **state)
{
    (void)state;
    captls_tls_key_schedule ks;
    captls_tls_transcript t;
    captls_tls_key_share share;
    uint8_t th[32] = {1}, a[48], b[48];

    assert_int_equal(captls_tls_ks_init(&ks, CAPTLS_HASH_SHA256, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_tls_ks_handshake(&ks, NULL, 0, th, a, b),
                     CAPTLS_OK);
    assert_false(all_zero(ks.secret, sizeof ks.secret));
    captls_tls_ks_wipe(&ks);
    assert_true(all_zero(&ks, sizeof ks));

    captls_tls_transcript_init(&t);
    captls_tls_transcript_update(&t, "hello", 5);
    assert_false(all_zero(&t, sizeof t));
    captls_tls_transcript_wipe(&t);
    assert_true(all_zero(&t, sizeof t));

    memset(&share, 0x77, sizeof share);
    captls_tls_key_share_wipe(&share);
    assert_true(all_zero(&share, sizeof share));
}

static void test_suite_table(void **state)
{
    (void)state;
    const captls_tls_suite_info *s;

    s = captls_tls_suite_get(0x1301);
    assert_non_null(s);
    assert_string_equal(s->name, "TLS_AES_128_GCM_SHA256");
    assert_int_equal(s->aead, CAPTLS_AEAD_AES_128_GCM);
    assert_int_equal(s->key_len, 16);
    assert_int_equal(s->hash, CAPTLS_HASH_SHA256);
    assert_int_equal(s->hash_len, 32);
    s = captls_tls_suite_get(0x1302);
    assert_non_null(s);
    assert_string_equal(s->name, "TLS_AES_256_GCM_SHA384");
    assert_int_equal(s->aead, CAPTLS_AEAD_AES_256_GCM);
    assert_int_equal(s->key_len, 32);
    assert_int_equal(s->hash, CAPTLS_HASH_SHA384);
    assert_int_equal(s->hash_len, 48);
    s = captls_tls_suite_get(0x1303);
    assert_non_null(s);
    assert_string_equal(s->name, "TLS_CHACHA20_POLY1305_SHA256");
    assert_int_equal(s->aead, CAPTLS_AEAD_CHACHA20_POLY1305);
    assert_int_equal(s->key_len, 32);
    assert_int_equal(s->hash, CAPTLS_HASH_SHA256);
    assert_int_equal(s->hash_len, 32);
    for (uint32_t id = 0; id <= 0xffff; id++)
        if (id < 0x1301 || id > 0x1303)
            assert_null(captls_tls_suite_get((uint16_t)id));
    /* key sizes agree with the AEAD facade */
    for (uint16_t id = 0x1301; id <= 0x1303; id++)
        assert_int_equal(captls_tls_suite_get(id)->key_len,
                         captls_aead_key_size(captls_tls_suite_get(id)->aead));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_simple_1rtt),
        cmocka_unit_test(test_schedule_vs_openssl),
        cmocka_unit_test(test_sha384_lengths),
        cmocka_unit_test(test_transcript_select),
        cmocka_unit_test(test_transcript_hrr),
        cmocka_unit_test(test_key_update),
        cmocka_unit_test(test_stage_order),
        cmocka_unit_test(test_wipes),
        cmocka_unit_test(test_suite_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
