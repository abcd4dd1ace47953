/* Fuzz harness: the HTTP/1.1 response parser incl. the chunked decoder
 * (core/http/http_response.c, http_fields.c).
 *
 * Input: byte 0 = flags (bit 0: response to HEAD, bit 1: small limits),
 * byte 1 = split seed, the rest = the byte stream. Properties beyond "no
 * crash": the result, the error detail, the status and the body are the
 * same whether the stream is fed at once or in pseudo-random pieces
 * (split invariance); every exposed slice lies inside the head buffer; the
 * body never exceeds its buffer; keep_alive implies HTTP/1.1 and a
 * delimited body. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http/http_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t h1[4096], h2[4096], b1[8192], b2[8192];

static captls_result run(captls_http_resp *r, uint8_t *h, size_t hcap,
                         uint8_t *b, size_t bcap, bool head_req,
                         const uint8_t *in, size_t n, unsigned seed)
{
    size_t off = 0;
    captls_result e = CAPTLS_NEED_MORE;

    captls_http_resp_init(r, h, hcap, b, bcap, 16, head_req);
    while (off < n && e == CAPTLS_NEED_MORE) {
        size_t take = n - off, used = 0;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u;
            take = 1u + (seed >> 16) % 17u;
            if (take > n - off)
                take = n - off;
        }
        e = captls_http_resp_feed(r, in + off, take, &used);
        if (used > take || (e == CAPTLS_NEED_MORE && used != take))
            abort();
        off += used;
    }
    if (e == CAPTLS_NEED_MORE)
        e = captls_http_resp_eof(r);
    return e;
}

static void in_head(const uint8_t *p, size_t n,
                    const uint8_t *h, size_t hcap)
{
    if (p != NULL && (p < h || p + n > h + hcap))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_http_resp r1, r2;
    captls_result e1, e2;
    bool head_req, small;
    size_t hcap, bcap;

    if (size < 2)
        return 0;
    head_req = (data[0] & 1) != 0;
    small = (data[0] & 2) != 0;
    hcap = small ? 256 : sizeof(h1);
    bcap = small ? 64 : sizeof(b1);
    e1 = run(&r1, h1, hcap, b1, bcap, head_req, data + 2, size - 2,
             (unsigned)data[1] | 0x100u);
    /* and all at once */
    {
        size_t used = 0;
        captls_http_resp_init(&r2, h2, hcap, b2, bcap, 16, head_req);
        e2 = captls_http_resp_feed(&r2, data + 2, size - 2, &used);
        if (e2 == CAPTLS_NEED_MORE)
            e2 = captls_http_resp_eof(&r2);
    }
    if (e1 != e2 || r1.why != r2.why || r1.status != r2.status ||
        r1.body_len != r2.body_len || memcmp(b1, b2, r1.body_len) != 0 ||
        r1.link_count != r2.link_count || r1.keep_alive != r2.keep_alive)
        abort();
    if (r1.body_len > bcap)
        abort();
    in_head(r1.replay_nonce.p, r1.replay_nonce.len, h1, hcap);
    in_head(r1.location.p, r1.location.len, h1, hcap);
    in_head(r1.content_type.p, r1.content_type.len, h1, hcap);
    for (size_t i = 0; i < r1.link_count; i++)
        in_head(r1.links[i].uri, r1.links[i].uri_len, h1, hcap);
    if (e1 == CAPTLS_OK) {
        captls_http_slice s;
        uint64_t d;
        if (!r1.complete || !r1.headers_done)
            abort();
        if (r1.keep_alive && r1.version_minor != 1)
            abort();
        if (captls_http_resp_field(&r1, "content-type", &s))
            in_head(s.p, s.len, h1, hcap);
        (void)captls_http_resp_retry_delay(&r1, 1700000000u, &d);
    }
    return 0;
}
