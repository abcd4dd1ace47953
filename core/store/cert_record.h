/* core/store/cert_record.h — the on-disk record of one CertificateStore
 * entry (a blob of the port's blob store), its encoder and its parser.
 *
 * Layout (all integers big-endian):
 *   magic     8 bytes  "CTLSCR01"
 *   version   u64      1, 2, ... (put increments it)
 *   rotatedAt i64      wall-clock seconds of the put
 *   handle    u8 len + bytes (1..CAPTLS_CERT_HANDLE_MAX-1, [A-Za-z0-9._-])
 *   bound key u16 len + SubjectPublicKeyInfo DER (len 0: no key bound)
 *   count     u8       1..CAPTLS_TLS_MAX_CHAIN certificates, leaf first
 *   count x   u32 len + certificate DER (each 1..CAPTLS_CERT_DER_MAX)
 *   checksum  32 bytes SHA-256 of everything before it
 *
 * Contract. captls_cert_record_parse checks the structure and the
 * checksum: MALFORMED for a wrong magic, length, count, handle or trailing
 * bytes; AUTH_FAILED (the integrity band) for a checksum mismatch — a torn
 * or bit-flipped record is reported, never served. Certificates are NOT
 * parsed here (cert_store.c does that before storing); the parsed record
 * borrows the input buffer. captls_cert_record_encode writes into the
 * caller's buffer (BUFFER_TOO_SMALL with *len = the size needed).
 */
#ifndef CAPTLS_STORE_CERT_RECORD_H
#define CAPTLS_STORE_CERT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/tls/tls_config.h"

#define CAPTLS_CERT_HANDLE_MAX 48u  /* including NUL */
#define CAPTLS_CERT_DER_MAX 16384u  /* one certificate */
#define CAPTLS_CERT_SPKI_MAX 1152u  /* bound key */
/* Largest record: header, SPKI, 8 certificates of 8 KiB in practice; the
 * parser accepts anything up to this. */
#define CAPTLS_CERT_RECORD_MAX 65536u

typedef struct captls_cert_record {
    uint64_t version;
    int64_t rotated_at;
    char handle[CAPTLS_CERT_HANDLE_MAX];
    captls_slice bound_spki; /* empty: no key bound */
    captls_slice certs[CAPTLS_TLS_MAX_CHAIN];
    size_t count;
} captls_cert_record;

bool captls_cert_handle_valid(const char *handle);

CAPTLS_MUST_CHECK captls_result captls_cert_record_parse(
    const uint8_t *buf, size_t len, captls_cert_record *out);

CAPTLS_MUST_CHECK captls_result captls_cert_record_encode(
    const captls_cert_record *rec, uint8_t *out, size_t cap, size_t *len);

#endif
