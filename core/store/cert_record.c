/* CertificateStore record codec. See cert_record.h. */
#include "core/store/cert_record.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/crypto/hash.h"

static const uint8_t MAGIC[8] = {'C', 'T', 'L', 'S', 'C', 'R', '0', '1'};
#define SUM_LEN 32u

bool captls_cert_handle_valid(const char *h)
{
    size_t i;
    if (h == NULL || h[0] == '\0' || h[0] == '.')
        return false;
    for (i = 0; h[i] != '\0'; i++) {
        char c = h[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok || i + 1 >= CAPTLS_CERT_HANDLE_MAX)
            return false;
    }
    return true;
}

typedef struct rd {
    const uint8_t *p;
    size_t left;
} rd;

static bool take(rd *r, size_t n, const uint8_t **out)
{
    if (r->left < n)
        return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool take_be(rd *r, size_t n, uint64_t *v)
{
    const uint8_t *b;
    if (!take(r, n, &b))
        return false;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = (*v << 8) | b[i];
    return true;
}

captls_result captls_cert_record_parse(const uint8_t *buf, size_t len,
                                       captls_cert_record *out)
{
    uint8_t sum[CAPTLS_HASH_MAX_SIZE];
    captls_cert_record rec;
    const uint8_t *b;
    uint64_t v;
    rd r;

    if (out == NULL || (buf == NULL && len != 0))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (len < sizeof MAGIC + SUM_LEN || len > CAPTLS_CERT_RECORD_MAX ||
        memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        return CAPTLS_ERR_MALFORMED;
    /* Integrity first: nothing of a record whose checksum fails is
     * interpreted. */
    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, buf, len - SUM_LEN, sum));
    if (!captls_ct_equal(sum, buf + len - SUM_LEN, SUM_LEN))
        return CAPTLS_ERR_AUTH_FAILED;
    memset(&rec, 0, sizeof rec);
    r.p = buf + sizeof MAGIC;
    r.left = len - sizeof MAGIC - SUM_LEN;
    if (!take_be(&r, 8, &rec.version) || rec.version == 0 ||
        !take_be(&r, 8, &v))
        return CAPTLS_ERR_MALFORMED;
    rec.rotated_at = (int64_t)v;
    if (!take_be(&r, 1, &v) || v == 0 || v >= CAPTLS_CERT_HANDLE_MAX ||
        !take(&r, (size_t)v, &b))
        return CAPTLS_ERR_MALFORMED;
    memcpy(rec.handle, b, (size_t)v);
    rec.handle[v] = '\0';
    if (!captls_cert_handle_valid(rec.handle))
        return CAPTLS_ERR_MALFORMED;
    if (!take_be(&r, 2, &v) || v > CAPTLS_CERT_SPKI_MAX ||
        !take(&r, (size_t)v, &rec.bound_spki.ptr))
        return CAPTLS_ERR_MALFORMED;
    rec.bound_spki.len = (size_t)v;
    if (!take_be(&r, 1, &v) || v == 0 || v > CAPTLS_TLS_MAX_CHAIN)
        return CAPTLS_ERR_MALFORMED;
    rec.count = (size_t)v;
    for (size_t i = 0; i < rec.count; i++) {
        if (!take_be(&r, 4, &v) || v == 0 || v > CAPTLS_CERT_DER_MAX ||
            !take(&r, (size_t)v, &rec.certs[i].ptr))
            return CAPTLS_ERR_MALFORMED;
        rec.certs[i].len = (size_t)v;
    }
    if (r.left != 0)
        return CAPTLS_ERR_MALFORMED;
    *out = rec;
    return CAPTLS_OK;
}

typedef struct wr {
    uint8_t *p;
    size_t cap, len;
} wr;

static void put_bytes(wr *w, const void *src, size_t n)
{
    if (w->len + n <= w->cap && n != 0)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_be(wr *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    put_bytes(w, b, n);
}

captls_result captls_cert_record_encode(const captls_cert_record *rec,
                                        uint8_t *out, size_t cap, size_t *len)
{
    wr w = {out, out != NULL ? cap : 0, 0};
    size_t hl;
    if (rec == NULL || len == NULL || rec->version == 0 ||
        !captls_cert_handle_valid(rec->handle) || rec->count == 0 ||
        rec->count > CAPTLS_TLS_MAX_CHAIN ||
        rec->bound_spki.len > CAPTLS_CERT_SPKI_MAX)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < rec->count; i++)
        if (rec->certs[i].len == 0 || rec->certs[i].len > CAPTLS_CERT_DER_MAX)
            return CAPTLS_ERR_INVALID_ARGUMENT;
    hl = strlen(rec->handle);
    put_bytes(&w, MAGIC, sizeof MAGIC);
    put_be(&w, rec->version, 8);
    put_be(&w, (uint64_t)rec->rotated_at, 8);
    put_be(&w, hl, 1);
    put_bytes(&w, rec->handle, hl);
    put_be(&w, rec->bound_spki.len, 2);
    put_bytes(&w, rec->bound_spki.ptr, rec->bound_spki.len);
    put_be(&w, rec->count, 1);
    for (size_t i = 0; i < rec->count; i++) {
        put_be(&w, rec->certs[i].len, 4);
        put_bytes(&w, rec->certs[i].ptr, rec->certs[i].len);
    }
    *len = w.len + SUM_LEN;
    if (*len > CAPTLS_CERT_RECORD_MAX)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (*len > w.cap)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    uint8_t sum[CAPTLS_HASH_MAX_SIZE];
    CAPTLS_TRY(captls_hash(CAPTLS_HASH_SHA256, out, w.len, sum));
    memcpy(out + w.len, sum, SUM_LEN);
    return CAPTLS_OK;
}
