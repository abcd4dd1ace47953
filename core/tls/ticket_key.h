/* core/tls/ticket_key.h — the server's session-ticket key, with rotation
 * (seed 001 TlsServerConfig ticket key; RFC 8446 §4.6.1 leaves the ticket
 * format to the server, RFC 5077 §4 gives the recommended shape).
 *
 * Contract. A captls_tls_ticket_keys is caller-owned, fixed size
 * (sizeof(captls_tls_ticket_keys)), holds SECRET key material and must be
 * destroyed with captls_tls_ticket_keys_destroy (wipes it). It keeps the
 * entropy interface given at init (borrowed: its ctx must outlive the
 * object) and draws from it every key, every key name and every nonce.
 * It holds two keys: `current` seals and opens, `previous` (the key before
 * the last rotation) only opens. rotate() retires previous for good, moves
 * current to previous and draws a new current: a ticket sealed before two
 * rotations no longer opens. Not thread-safe (one event loop).
 *
 * Ticket = key_name(16) || nonce(12) || AES-256-GCM(plain) || tag(16),
 * CAPTLS_TLS_TICKET_KEY_OVERHEAD = 44 bytes over the plaintext (<=
 * CAPTLS_TLS_TICKET_OVERHEAD of tls_config.h). key_name is 16 random bytes
 * per key; the AAD is key_name, so a ticket cannot be moved to another name.
 * Nonces are 12 random bytes from the entropy interface rather than a
 * counter: a counter repeats whenever the object's state is duplicated or
 * restored (a forked worker, a snapshot, a restarted process that reloads
 * a persisted key), and a repeated GCM nonce under one key leaks the
 * authentication key; random 96-bit nonces stay within NIST SP 800-38D
 * §8.3's 2^-32 collision bound for 2^32 seals per key, which seal()
 * enforces (CAPTLS_ERR_LIMIT_EXCEEDED: rotate).
 *
 * Failure modes. init/rotate: ENTROPY_FAILURE (and a fresh key name equal
 * to the current one is treated as an entropy failure) — the object is
 * unchanged by a failed rotate, unusable after a failed init. seal:
 * BUFFER_TOO_SMALL (out_cap < plain_len + 44), ENTROPY_FAILURE,
 * LIMIT_EXCEEDED; nothing is written to out on failure. open: a ticket that
 * is shorter than 44 bytes, names no key we hold, or fails the tag is
 * AUTH_FAILED; *plain_len is then untouched and plain[0..len-44) is zero
 * (the AEAD decrypts in place and wipes on a bad tag: no unauthenticated
 * plaintext is released); BUFFER_TOO_SMALL (plain_cap < len - 44) writes
 * nothing. `plain` and `ticket` must not overlap.
 * NOT provided: persistence or sharing of keys between processes (keys
 * live in this object only), and any lifetime check — the ticket's
 * contents (issue time, age add) are the engine's to judge.
 */
#ifndef CAPTLS_TLS_TICKET_KEY_H
#define CAPTLS_TLS_TICKET_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/crypto/aead.h"
#include "core/tls/tls_config.h"
#include "port/port.h"

#define CAPTLS_TLS_TICKET_KEY_NAME_SIZE 16u
#define CAPTLS_TLS_TICKET_KEY_OVERHEAD                                          \
    (CAPTLS_TLS_TICKET_KEY_NAME_SIZE + CAPTLS_AEAD_NONCE_SIZE +                 \
     CAPTLS_AEAD_TAG_SIZE)
/* Seals allowed under one key (NIST SP 800-38D §8.3, random nonces). */
#define CAPTLS_TLS_TICKET_KEY_MAX_SEALS ((uint64_t)1 << 32)

typedef struct captls_tls_ticket_key_slot {
    bool present;
    uint8_t name[CAPTLS_TLS_TICKET_KEY_NAME_SIZE];
    uint64_t seals; /* tickets sealed under this key */
    captls_aead_ctx aead; /* AES-256-GCM, expanded key (secret) */
} captls_tls_ticket_key_slot;

typedef struct captls_tls_ticket_keys {
    captls_entropy entropy;
    captls_tls_ticket_key_slot current;
    captls_tls_ticket_key_slot previous;
} captls_tls_ticket_keys;

/* Draws the first key. INVALID_ARGUMENT if entropy.fill is NULL. */
CAPTLS_MUST_CHECK captls_result captls_tls_ticket_keys_init(
    captls_tls_ticket_keys *k, captls_entropy entropy);

/* current -> previous (the old previous is wiped), a new current drawn. */
CAPTLS_MUST_CHECK captls_result captls_tls_ticket_keys_rotate(
    captls_tls_ticket_keys *k);

/* Wipes the whole object. NULL is a no-op. */
void captls_tls_ticket_keys_destroy(captls_tls_ticket_keys *k);

CAPTLS_MUST_CHECK captls_result captls_tls_ticket_keys_seal(
    captls_tls_ticket_keys *k, const uint8_t *plain, size_t plain_len,
    uint8_t *out, size_t out_cap, size_t *out_len);

CAPTLS_MUST_CHECK captls_result captls_tls_ticket_keys_open(
    captls_tls_ticket_keys *k, const uint8_t *ticket, size_t len,
    uint8_t *plain, size_t plain_cap, size_t *plain_len);

/* The tls_config.h vtable over k (borrowed: k must outlive the config). */
void captls_tls_ticket_keys_iface(captls_tls_ticket_keys *k,
                                  captls_tls_ticket_key *out);

#endif
