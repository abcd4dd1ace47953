/* core/gateway/credential_store.h — the CredentialStore of the password
 * path (seed 004, "password fallback"): salted PBKDF2-HMAC-SHA256 user
 * records, the `--users` file, constant-time verification and a
 * per-connection attempt limiter with back-off.
 *
 * Users file (captls-telnetsd --users FILE; `captls passwd NAME` prints one
 * line):
 *     # comment                     (a line whose first byte is '#')
 *     NAME:pbkdf2-sha256$ITERATIONS$SALT$HASH
 *   NAME        1..32 bytes of A-Z a-z 0-9 '.' '_' '-', not starting with
 *               '.' or '-' (no ':' and no whitespace, so lines split
 *               unambiguously); each name at most once.
 *   ITERATIONS  decimal, no leading zero, between the caller's floor and
 *               CAPTLS_CRED_MAX_ITERATIONS.
 *   SALT        strict base64 (RFC 4648 §4, padded) of 16..64 bytes.
 *   HASH        strict base64 of exactly 32 bytes:
 *               PBKDF2-HMAC-SHA256(password, SALT, ITERATIONS, 32).
 *   Empty lines and a final line without "\n" are fine; "\r\n" endings are
 *   accepted; any other whitespace is an error. Errors give the line and
 *   column (1-based) of the first offending byte and a short reason.
 *
 * Iterations. CAPTLS_CRED_DEFAULT_ITERATIONS = 600,000: OWASP's 2023
 * recommendation for PBKDF2-HMAC-SHA256: 0.40 s per check on the
 * development machine with the SHA-NI SHA-256 path, 0.82 s with
 * CAPTLS_CRYPTO=portable (measured with `captls passwd`). CAPTLS_CRED_MIN_ITERATIONS (100,000) is the floor production
 * callers pass to the parser; tests may pass lower floors.
 *
 * Verification (captls_credential_store_verify) is the same work and the
 * same answer (CAPTLS_ERR_AUTH_FAILED) for an unknown user and a wrong
 * password: every record's name is compared in constant time, the matched
 * record's parameters are selected with masks (no branch or index on the
 * secret match), PBKDF2 runs with them — for an unknown name with the
 * parameters of the store's first record and a fixed dummy salt/hash that
 * no password matches — and the tags are compared with captls_ct_equal.
 * (The work is identical when all records share one iteration count, as
 * `captls passwd` writes them; otherwise an unknown name costs what the
 * first record costs.) What is NOT hidden: the number of records and the
 * password length (PBKDF2 time depends on neither beyond one block).
 *
 * Attempt limits (captls_login_limiter, one per connection): at most
 * max_attempts failures; after the k-th failure the next attempt is refused
 * until base_delay_ms << (k-1) (capped at max_delay_ms) has passed.
 * Refused attempts run no PBKDF2. The clock is the caller's (monotonic ms).
 * Global and per-source limits are the gateway's (issue 12 item 6).
 *
 * Memory: records are caller-owned and borrowed by the store for its life.
 * Passwords are never copied; derived keys are wiped.
 */
#ifndef CAPTLS_GATEWAY_CREDENTIAL_STORE_H
#define CAPTLS_GATEWAY_CREDENTIAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/gateway/parse_error.h"

#define CAPTLS_CRED_NAME_MAX 32u
#define CAPTLS_CRED_SALT_MIN 16u
#define CAPTLS_CRED_SALT_MAX 64u
#define CAPTLS_CRED_SALT_DEFAULT 16u
#define CAPTLS_CRED_HASH_LEN 32u
#define CAPTLS_CRED_DEFAULT_ITERATIONS 600000u
#define CAPTLS_CRED_MIN_ITERATIONS 100000u
#define CAPTLS_CRED_MAX_ITERATIONS 100000000u
#define CAPTLS_CRED_SCHEME "pbkdf2-sha256"
/* Longest hash string: scheme + 3 '$' + 9 digits + base64(64) + base64(32). */
#define CAPTLS_CRED_HASH_STRING_MAX (13u + 3u + 9u + 88u + 44u)
/* Longest users line: name ':' hash string. */
#define CAPTLS_CRED_LINE_MAX (CAPTLS_CRED_NAME_MAX + 1u + CAPTLS_CRED_HASH_STRING_MAX)

typedef struct captls_user_record {
    char name[CAPTLS_CRED_NAME_MAX + 1]; /* NUL-terminated */
    uint8_t name_len;
    uint8_t salt_len;
    uint32_t iterations;
    uint8_t salt[CAPTLS_CRED_SALT_MAX];
    uint8_t hash[CAPTLS_CRED_HASH_LEN];
} captls_user_record;

/* True if name[0..len) is a valid user name (rules above). */
bool captls_user_name_valid(const char *name, size_t len);

/* Derives a record: PBKDF2-HMAC-SHA256(password, salt, iterations). */
CAPTLS_MUST_CHECK captls_result captls_user_record_make(
    captls_user_record *rec, const char *name, size_t name_len,
    const uint8_t *password, size_t password_len, const uint8_t *salt,
    size_t salt_len, uint32_t iterations);

/* Writes "NAME:pbkdf2-sha256$I$SALT$HASH" (no newline, NUL-terminated);
 * BUFFER_TOO_SMALL with *len the length needed. */
CAPTLS_MUST_CHECK captls_result captls_user_record_format(
    const captls_user_record *rec, char *out, size_t cap, size_t *len);

/* Parses one hash string (without "NAME:"); on MALFORMED *err_offset is
 * the 0-based offset of the offending byte and *what the reason. */
CAPTLS_MUST_CHECK captls_result captls_user_hash_parse(
    const char *s, size_t len, uint32_t min_iterations,
    captls_user_record *rec, size_t *err_offset, const char **what);

/* Parses a whole users file into recs[0..cap); *count records. MALFORMED
 * (err says where), LIMIT_EXCEEDED (more than cap records: err names the
 * line), ALREADY_EXISTS (a name twice: err names the second). */
CAPTLS_MUST_CHECK captls_result captls_users_parse(
    const char *text, size_t len, uint32_t min_iterations,
    captls_user_record *recs, size_t cap, size_t *count,
    captls_parse_error *err);

typedef struct captls_credential_store {
    const captls_user_record *recs; /* borrowed */
    size_t count;
    captls_user_record dummy;       /* unknown names are checked against it */
} captls_credential_store;

/* recs may be NULL with count 0 (every login then fails, with the work of
 * CAPTLS_CRED_DEFAULT_ITERATIONS). */
CAPTLS_MUST_CHECK captls_result captls_credential_store_init(
    captls_credential_store *store, const captls_user_record *recs,
    size_t count);

/* CAPTLS_OK if name/password match a record, else CAPTLS_ERR_AUTH_FAILED
 * (unknown user and wrong password alike); INVALID_ARGUMENT for NULL
 * pointers only. */
CAPTLS_MUST_CHECK captls_result captls_credential_store_verify(
    const captls_credential_store *store, const char *name, size_t name_len,
    const uint8_t *password, size_t password_len);

typedef struct captls_login_limiter {
    uint32_t max_attempts;
    uint32_t base_delay_ms, max_delay_ms;
    uint32_t failures;
    uint64_t not_before_ms;
} captls_login_limiter;

#define CAPTLS_LOGIN_MAX_ATTEMPTS 3u
#define CAPTLS_LOGIN_BASE_DELAY_MS 1000u
#define CAPTLS_LOGIN_MAX_DELAY_MS 8000u

/* 0 for any parameter means the default above. */
void captls_login_limiter_init(captls_login_limiter *l, uint32_t max_attempts,
                               uint32_t base_delay_ms, uint32_t max_delay_ms);
/* CAPTLS_OK: an attempt may run now. CAPTLS_WOULD_BLOCK: back-off, retry
 * in *wait_ms. CAPTLS_ERR_LIMIT_EXCEEDED: no attempts left (close). */
CAPTLS_MUST_CHECK captls_result captls_login_limiter_check(
    const captls_login_limiter *l, uint64_t now_ms, uint64_t *wait_ms);
void captls_login_limiter_failed(captls_login_limiter *l, uint64_t now_ms);

/* check + verify + record the outcome: the password path's one call.
 * Returns CAPTLS_OK, CAPTLS_ERR_AUTH_FAILED, CAPTLS_WOULD_BLOCK (*wait_ms;
 * nothing verified) or CAPTLS_ERR_LIMIT_EXCEEDED. */
CAPTLS_MUST_CHECK captls_result captls_credential_store_login(
    const captls_credential_store *store, captls_login_limiter *l,
    uint64_t now_ms, const char *name, size_t name_len,
    const uint8_t *password, size_t password_len, uint64_t *wait_ms);

#endif
