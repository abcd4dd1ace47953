/* Fuzz harness: the strict HTTP/1.1 request-head parser
 * (core/http/http_server.c) and the response writer.
 *
 * Input: byte 0 = split seed, the rest = the byte stream. Properties
 * beyond "no crash": the same result, error detail and slices whether fed
 * at once or in pseudo-random pieces; method/target/Host lie inside the
 * head buffer; a completed head has a token method and a target of
 * visible ASCII; the error status is one of 400/413/431/501/505; a
 * response written for the outcome parses as a valid status line. Builds
 * for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http/http_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t h1[1024], h2[1024], out[2048];

static void inside(captls_http_slice s, const uint8_t *h)
{
    if (s.p != NULL && (s.p < h || s.p + s.len > h + sizeof(h1)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_http_req r1, r2;
    captls_result e1 = CAPTLS_NEED_MORE, e2;
    size_t off = 0, used = 0, u2 = 0;
    unsigned seed;

    if (size < 1)
        return 0;
    seed = data[0] | 0x100u;
    data++;
    size--;
    captls_http_req_init(&r1, h1, sizeof(h1), 8);
    while (off < size && e1 == CAPTLS_NEED_MORE) {
        size_t take;
        seed = seed * 1103515245u + 12345u;
        take = 1u + (seed >> 16) % 13u;
        if (take > size - off)
            take = size - off;
        e1 = captls_http_req_feed(&r1, data + off, take, &used);
        if (used > take)
            abort();
        off += used;
    }
    captls_http_req_init(&r2, h2, sizeof(h2), 8);
    e2 = captls_http_req_feed(&r2, data, size, &u2);
    if (e1 != e2 || r1.why != r2.why || (e1 == CAPTLS_OK && off != u2) ||
        r1.method.len != r2.method.len || r1.target.len != r2.target.len ||
        r1.host.len != r2.host.len || r1.keep_alive != r2.keep_alive)
        abort();
    inside(r1.method, h1);
    inside(r1.target, h1);
    inside(r1.host, h1);
    if (e1 == CAPTLS_OK) {
        if (!captls_http_is_token(r1.method.p, r1.method.len) ||
            r1.target.len == 0)
            abort();
        for (size_t i = 0; i < r1.target.len; i++) {
            if (r1.target.p[i] < 0x21 || r1.target.p[i] > 0x7e)
                abort();
        }
    } else if (e1 != CAPTLS_NEED_MORE) {
        unsigned st = captls_http_req_error_status(e1, r1.why);
        captls_http_response rsp;
        size_t n = 0;
        if (st != 400 && st != 413 && st != 431 && st != 501 && st != 505)
            abort();
        memset(&rsp, 0, sizeof(rsp));
        rsp.status = st;
        rsp.close = true;
        if (captls_http_response_write(&rsp, out, sizeof(out), &n) != CAPTLS_OK ||
            n < 12 || memcmp(out, "HTTP/1.1 ", 9) != 0)
            abort();
    }
    return 0;
}
