/* core/tls/key_schedule.h — the TLS 1.3 key schedule (RFC 8446 §7.1), the
 * transcript hash (§4.4.1), traffic keys (§7.3), Finished MACs (§4.4.4),
 * resumption PSKs (§4.6.1) and KeyUpdate (§7.2), and the cipher suite
 * table they run on.
 *
 * Contract. Every object is caller-owned and fixed size; secrets are wiped
 * by the *_wipe functions and every temporary is wiped before return. The
 * schedule moves forward only: early -> handshake -> master; a call out of
 * order is CAPTLS_ERR_INTERNAL (an engine bug, never peer-reachable). All
 * outputs are Hash.length bytes unless said otherwise; on any error nothing
 * is written to them and the schedule's stage does not move. Transcript
 * hashes (th) are Hash.length bytes and never NULL (NULL is INTERNAL).
 * Hash arguments are SHA256 or SHA384 only (Hash.length must fit
 * CAPTLS_TLS_MAX_HASH): anything else is CAPTLS_ERR_UNSUPPORTED.
 * The transcript runs SHA-256 and SHA-384 side by side until the suite is
 * known (a client hashes its ClientHello before the server picks), then
 * keeps only the chosen one.
 */
#ifndef CAPTLS_TLS_KEY_SCHEDULE_H
#define CAPTLS_TLS_KEY_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/aead.h"
#include "core/crypto/hash.h"

#define CAPTLS_TLS_MAX_HASH 48u /* SHA-384 */
#define CAPTLS_TLS_IV_SIZE 12u

/* ---- cipher suites ------------------------------------------------------ */
typedef struct captls_tls_suite_info {
    uint16_t id;
    const char *name;        /* "TLS_AES_128_GCM_SHA256" */
    captls_aead_alg aead;
    size_t key_len;          /* 16 or 32 */
    captls_hash_alg hash;
    size_t hash_len;         /* 32 or 48 */
} captls_tls_suite_info;

/* The row for a TLS 1.3 suite id, NULL for anything else. */
const captls_tls_suite_info *captls_tls_suite_get(uint16_t id);

/* ---- transcript --------------------------------------------------------- */
typedef struct captls_tls_transcript {
    captls_hash_ctx sha256;
    captls_hash_ctx sha384;
    captls_hash_alg chosen;  /* NONE until select */
} captls_tls_transcript;

void captls_tls_transcript_init(captls_tls_transcript *t);
void captls_tls_transcript_update(captls_tls_transcript *t, const void *data,
                                  size_t len);
/* Keeps only `hash` (SHA256 or SHA384; INTERNAL otherwise). Selecting
 * the same hash again is OK; a different one after select is INTERNAL. */
CAPTLS_MUST_CHECK captls_result captls_tls_transcript_select(
    captls_tls_transcript *t, captls_hash_alg hash);
/* Current hash of the chosen algorithm (0 and nothing written if none is
 * chosen yet); `hash` picks one explicitly before selection (after it,
 * an explicit `hash` other than the chosen one gives 0). Returns the
 * number of bytes written. */
size_t captls_tls_transcript_hash(const captls_tls_transcript *t,
                                  captls_hash_alg hash,
                                  uint8_t out[CAPTLS_TLS_MAX_HASH]);
/* RFC 8446 §4.4.1 HelloRetryRequest: replaces the transcript so far
 * (ClientHello1, which must be all it holds) by
 * message_hash(254) 00 00 Hash.length Hash(ClientHello1). Needs select(). */
CAPTLS_MUST_CHECK captls_result captls_tls_transcript_hrr_restart(
    captls_tls_transcript *t);
void captls_tls_transcript_wipe(captls_tls_transcript *t);

/* ---- key schedule ------------------------------------------------------- */
typedef enum captls_tls_ks_stage {
    CAPTLS_TLS_KS_NONE = 0,
    CAPTLS_TLS_KS_EARLY = 1,
    CAPTLS_TLS_KS_HANDSHAKE = 2,
    CAPTLS_TLS_KS_MASTER = 3,
} captls_tls_ks_stage;

typedef struct captls_tls_key_schedule {
    captls_hash_alg hash;
    size_t hash_len;
    captls_tls_ks_stage stage;
    uint8_t secret[CAPTLS_TLS_MAX_HASH]; /* early, handshake or master secret */
} captls_tls_key_schedule;

/* Early Secret = HKDF-Extract(0, PSK or zeros). psk NULL: no PSK.
 * Starts over from any stage (ks is wiped first, also on error). */
CAPTLS_MUST_CHECK captls_result captls_tls_ks_init(
    captls_tls_key_schedule *ks, captls_hash_alg hash, const uint8_t *psk,
    size_t psk_len);
/* binder_key = Derive-Secret(Early Secret, "res binder", "") (resumption
 * PSKs only: captls has no external PSKs). Stage must be EARLY. */
CAPTLS_MUST_CHECK captls_result captls_tls_ks_binder_key(
    const captls_tls_key_schedule *ks, uint8_t out[CAPTLS_TLS_MAX_HASH]);
/* Handshake Secret = HKDF-Extract(Derive-Secret(ES, "derived", ""), DHE)
 * (dhe NULL: psk_ke, zeros); then client/server handshake traffic secrets
 * over th = Transcript-Hash(ClientHello..ServerHello). */
CAPTLS_MUST_CHECK captls_result captls_tls_ks_handshake(
    captls_tls_key_schedule *ks, const uint8_t *dhe, size_t dhe_len,
    const uint8_t *th, uint8_t c_hs[CAPTLS_TLS_MAX_HASH],
    uint8_t s_hs[CAPTLS_TLS_MAX_HASH]);
/* Master Secret = HKDF-Extract(Derive-Secret(HS, "derived", ""), 0); then
 * c ap / s ap traffic and the exporter master secret over
 * th = Transcript-Hash(ClientHello..server Finished). exp may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_tls_ks_master(
    captls_tls_key_schedule *ks, const uint8_t *th,
    uint8_t c_ap[CAPTLS_TLS_MAX_HASH], uint8_t s_ap[CAPTLS_TLS_MAX_HASH],
    uint8_t *exp);
/* resumption_master_secret over th = Transcript-Hash(ClientHello..client
 * Finished). Stage must be MASTER. */
CAPTLS_MUST_CHECK captls_result captls_tls_ks_resumption_master(
    const captls_tls_key_schedule *ks, const uint8_t *th,
    uint8_t out[CAPTLS_TLS_MAX_HASH]);
void captls_tls_ks_wipe(captls_tls_key_schedule *ks);

/* PSK = HKDF-Expand-Label(resumption_master_secret, "resumption",
 * ticket_nonce, Hash.length) (§4.6.1). */
CAPTLS_MUST_CHECK captls_result captls_tls_resumption_psk(
    captls_hash_alg hash, const uint8_t *rms, const uint8_t *nonce,
    size_t nonce_len, uint8_t out[CAPTLS_TLS_MAX_HASH]);

/* finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length);
 * verify_data = HMAC(finished_key, th). Also for PSK binders (base_key =
 * binder_key, th = hash of the truncated ClientHello). */
CAPTLS_MUST_CHECK captls_result captls_tls_finished_mac(
    captls_hash_alg hash, const uint8_t *base_key, const uint8_t *th,
    uint8_t out[CAPTLS_TLS_MAX_HASH]);

/* key = Expand-Label(secret, "key", "", key_len), iv = Expand-Label(secret,
 * "iv", "", 12) (§7.3). */
CAPTLS_MUST_CHECK captls_result captls_tls_traffic_keys(
    const captls_tls_suite_info *suite, const uint8_t *secret,
    uint8_t key[CAPTLS_AEAD_MAX_KEY_SIZE], uint8_t iv[CAPTLS_TLS_IV_SIZE]);

/* application_traffic_secret_N+1 = Expand-Label(secret_N, "traffic upd",
 * "", Hash.length), in place (§7.2). */
CAPTLS_MUST_CHECK captls_result captls_tls_next_traffic_secret(
    captls_hash_alg hash, uint8_t secret[CAPTLS_TLS_MAX_HASH]);

/* ---- key shares (x25519, secp256r1) ------------------------------------ */
typedef struct captls_tls_key_share {
    uint16_t group;          /* 0: none */
    uint8_t priv[32];        /* secret */
    uint8_t pub[65];         /* x25519: 32 bytes; P-256: 0x04||X||Y */
    size_t pub_len;
} captls_tls_key_share;

/* Draws a private key from entropy (P-256: rejection-sampled into
 * [1, n-1], at most 8 draws) and computes the public share.
 * ENTROPY_FAILURE fails closed (ks wiped) when fill fails or 8 draws in a
 * row are out of range (a stuck source); UNSUPPORTED for another group
 * (no entropy drawn, ks wiped); fill NULL is INTERNAL. */
CAPTLS_MUST_CHECK captls_result captls_tls_key_share_generate(
    captls_tls_key_share *ks, uint16_t group, captls_result (*fill)(void *,
    uint8_t *, size_t), void *fill_ctx);
/* Shared secret with the peer's share (32 bytes for both groups: the P-256
 * x-coordinate). The peer share is validated: x25519 exactly 32 bytes and
 * a non-zero result; P-256 exactly 65 bytes, uncompressed, on the curve.
 * Any failure is CAPTLS_TLS_ERR(ILLEGAL_PARAMETER) (RFC 8446 §4.2.8.2)
 * with nothing written — except a local share that generate() did not
 * make (group 0, P-256 scalar out of range): CAPTLS_ERR_INTERNAL, never
 * peer-reachable. */
CAPTLS_MUST_CHECK captls_result captls_tls_key_share_agree(
    const captls_tls_key_share *ks, const uint8_t *peer, size_t peer_len,
    uint8_t shared[32]);
void captls_tls_key_share_wipe(captls_tls_key_share *ks);

#endif
