/* Fuzz harness: the http-01 route table (core/acme/solver_http01.c)
 * behind the request parser, as the listener runs it.
 *
 * Two tokens are live (one published, one published then retired, one
 * live again under a fresh name). Input: raw request bytes. Properties
 * beyond "no crash": a 200 only ever answers GET of exactly
 * CAPTLS_HTTP01_PREFIX + a live token, with that token's key
 * authorization as the body; the retired token is never served; every
 * other method gets 405 with Allow; nothing else gets anything but 404.
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/solver_http01.h"
#include "core/http/http_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define THUMB "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
static const char *live_tok = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
static const char *live_ka = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0." THUMB;
static const char *old_tok = "retired-token_1";
static const char *old_ka = "retired-token_1." THUMB;
static const char *b_tok = "b";
static const char *b_ka = "b." THUMB;

static captls_http01_solver solver;
static uint8_t head[CAPTLS_HTTP_SERVER_HEADER_BYTES];

static bool target_is(const captls_http_req *r, const char *tok)
{
    size_t p = sizeof(CAPTLS_HTTP01_PREFIX) - 1, t = strlen(tok);
    return r->target.len == p + t &&
           memcmp(r->target.p, CAPTLS_HTTP01_PREFIX, p) == 0 &&
           memcmp(r->target.p + p, tok, t) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_http_req r;
    captls_http01_answer a;
    size_t used = 0;
    bool get;

    captls_http01_init(&solver);
    if (captls_http01_publish(&solver, live_tok, strlen(live_tok), live_ka,
                              strlen(live_ka)) != CAPTLS_OK ||
        captls_http01_publish(&solver, old_tok, strlen(old_tok), old_ka,
                              strlen(old_ka)) != CAPTLS_OK ||
        captls_http01_publish(&solver, b_tok, 1, b_ka, strlen(b_ka)) != CAPTLS_OK)
        abort();
    captls_http01_retire(&solver, old_tok, strlen(old_tok));
    captls_http_req_init(&r, head, sizeof(head), 0);
    if (captls_http_req_feed(&r, data, size, &used) != CAPTLS_OK) {
        /* and the router alone on the raw bytes as a target */
        captls_http01_route(&solver, (const uint8_t *)"GET", 3, data, size, &a);
        if (a.status == 200 &&
            !((size == sizeof(CAPTLS_HTTP01_PREFIX) - 1 + strlen(live_tok) &&
               memcmp(data + sizeof(CAPTLS_HTTP01_PREFIX) - 1, live_tok,
                      strlen(live_tok)) == 0) ||
              (size == sizeof(CAPTLS_HTTP01_PREFIX) &&
               data[size - 1] == 'b')))
            abort();
        if (a.status != 200 && a.status != 404)
            abort();
        return 0;
    }
    captls_http01_route(&solver, r.method.p, r.method.len, r.target.p,
                        r.target.len, &a);
    get = r.method.len == 3 && memcmp(r.method.p, "GET", 3) == 0;
    if (!get) {
        if (a.status != 405 || a.allow == NULL || strcmp(a.allow, "GET") != 0)
            abort();
        return 0;
    }
    if (target_is(&r, live_tok)) {
        if (a.status != 200 || a.body_len != strlen(live_ka) ||
            memcmp(a.body, live_ka, a.body_len) != 0)
            abort();
    } else if (target_is(&r, b_tok)) {
        if (a.status != 200 || a.body_len != strlen(b_ka))
            abort();
    } else if (a.status != 404) {
        abort();
    }
    return 0;
}
