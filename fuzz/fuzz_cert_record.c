/* Fuzz harness: the CertificateStore's on-disk record parser
 * (core/store/cert_record.c) and the store's read path over it.
 *
 * Properties beyond "no crash": a rejected record leaves the output
 * untouched; an accepted one has a valid handle, 1..8 certificates inside
 * the input, and re-encodes to exactly the input bytes (one encoding per
 * record). The same bytes stored under "cert.web" of an in-memory blob
 * store are then read through captls_cert_store_get: it succeeds iff the
 * record parses with handle "web", and a corrupted record is never
 * returned. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/cert_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *blob_data;
static size_t blob_len;

static captls_result mem_get(void *ctx, const char *key, uint8_t *buf,
                             size_t cap, size_t *len)
{
    (void)ctx;
    if (strcmp(key, "cert.web") != 0)
        return CAPTLS_ERR_NOT_FOUND;
    *len = blob_len;
    if (cap < blob_len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, blob_data, blob_len);
    return CAPTLS_OK;
}

static captls_result mem_put(void *ctx, const char *key, const uint8_t *d,
                             size_t len)
{
    (void)ctx;
    (void)key;
    (void)d;
    (void)len;
    return CAPTLS_ERR_DISK_FULL;
}

static captls_result mem_remove(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return CAPTLS_ERR_NOT_FOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_cert_store store;
    static uint8_t out[CAPTLS_CERT_RECORD_MAX];
    static captls_cap_slot slots[4];
    captls_cap_table caps;
    captls_cap_handle h;
    captls_cert_record rec, rec2;
    size_t len = 0;
    captls_result r;

    memset(&rec, 0x5A, sizeof rec);
    r = captls_cert_record_parse(data, size, &rec);
    if (r != CAPTLS_OK) {
        const uint8_t *p = (const uint8_t *)&rec;
        for (size_t i = 0; i < sizeof rec; i++)
            if (p[i] != 0x5A)
                abort(); /* output written on failure */
    } else {
        if (!captls_cert_handle_valid(rec.handle) || rec.count == 0 ||
            rec.count > CAPTLS_TLS_MAX_CHAIN || rec.version == 0)
            abort();
        for (size_t i = 0; i < rec.count; i++)
            if (rec.certs[i].ptr < data ||
                rec.certs[i].ptr + rec.certs[i].len > data + size)
                abort();
        if (captls_cert_record_encode(&rec, out, sizeof out, &len) !=
                CAPTLS_OK ||
            len != size || memcmp(out, data, size) != 0)
            abort(); /* not canonical */
    }

    /* the store's read path */
    blob_data = data;
    blob_len = size;
    captls_blob_store b = {NULL, mem_get, mem_put, mem_remove};
    captls_clock clock = {0};
    captls_audit_sink audit = {0};
    if (captls_cap_table_init(&caps, slots, 4) != CAPTLS_OK ||
        captls_cert_store_init(&store, b, &caps, NULL, 0, clock, audit) !=
            CAPTLS_OK ||
        captls_cert_store_mint(&store, 1, CAPTLS_RIGHTS_ALL, &h) != CAPTLS_OK)
        abort();
    captls_result g = captls_cert_store_get(&store, 1, h, "web", out,
                                           sizeof out, &rec2);
    bool want = r == CAPTLS_OK && strcmp(rec.handle, "web") == 0;
    if ((g == CAPTLS_OK) != want)
        abort();
    if (g == CAPTLS_OK && (rec2.version != rec.version ||
                           rec2.count != rec.count))
        abort();
    return 0;
}
