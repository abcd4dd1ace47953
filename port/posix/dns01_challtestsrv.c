/* pebble-challtestsrv DNS-update backend — see dns01_challtestsrv.h. */
#include "port/posix/dns01_challtestsrv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/http/http_client.h"
#include "core/http/http_url.h"
#include "port/posix/captls_version.h"
#include "port/posix/posix_port.h"

#define HEAD_BYTES 4096u
#define BODY_BYTES 1024u
#define REQ_BYTES 2048u
#define SNIPPET 80u

typedef struct ctsrv_value {
    bool live;
    size_t host_len;
    char host[CAPTLS_DNS01_FQDN_MAX];
    char value[CAPTLS_DNS01_VALUE_LEN];
} ctsrv_value;

struct captls_challtestsrv {
    captls_http_url base;   /* path: without trailing '/' ("" for root) */
    char url_text[CAPTLS_HTTP_HOST_MAX + CAPTLS_HTTP_PATH_MAX + 16];
    unsigned timeout_ms;
    captls_posix_net_ctx net_ctx;
    captls_net net;
    ctsrv_value values[CAPTLS_CHALLTESTSRV_MAX_VALUES];
    char err[CAPTLS_CHALLTESTSRV_ERR];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool captls_challtestsrv_new(const char *api_url, unsigned timeout_ms,
                             captls_challtestsrv **out, char *err,
                             size_t errcap)
{
    captls_challtestsrv *c;
    captls_http_url u;
    size_t n;

    *out = NULL;
    if (api_url == NULL) {
        snprintf(err, errcap, "no challtestsrv API URL");
        return false;
    }
    n = strlen(api_url);
    /* Checked before parsing for a message that says why: an https or a
     * remote URL is not a typo but a request for authority this test
     * backend must not have (see the header). */
    if (n < 7 || memcmp(api_url, "http://", 7) != 0) {
        snprintf(err, errcap,
                 "challtestsrv API URL %.200s: only http:// on loopback "
                 "(pebble-challtestsrv's management API is a plain-HTTP test "
                 "fixture)",
                 api_url);
        return false;
    }
    if (captls_http_url_parse(api_url, n, CAPTLS_HTTP_URL_ALLOW_HTTP_LOOPBACK,
                              &u) != CAPTLS_OK ||
        u.https) {
        snprintf(err, errcap,
                 "challtestsrv API URL %.200s: not an http:// URL on a "
                 "loopback host (localhost, 127.0.0.0/8, ::1)",
                 api_url);
        return false;
    }
    if (memchr(u.path, '?', u.path_len) != NULL) {
        snprintf(err, errcap, "challtestsrv API URL %.200s: no query allowed",
                 api_url);
        return false;
    }
    while (u.path_len > 0 && u.path[u.path_len - 1] == '/')
        u.path[--u.path_len] = '\0';
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    c->base = u;
    snprintf(c->url_text, sizeof(c->url_text), "http://%s%s%s:%u%s",
             u.host_is_ipv6 ? "[" : "", u.host, u.host_is_ipv6 ? "]" : "",
             (unsigned)u.port, u.path);
    c->timeout_ms = timeout_ms != 0 ? timeout_ms : CAPTLS_CHALLTESTSRV_TIMEOUT_MS;
    captls_posix_net_init(&c->net_ctx, &c->net);
    *out = c;
    return true;
}

void captls_challtestsrv_free(captls_challtestsrv *c)
{
    if (c == NULL)
        return;
    captls_posix_net_fini(&c->net_ctx);
    free(c);
}

const char *captls_challtestsrv_last_error(const captls_challtestsrv *c)
{
    return c != NULL ? c->err : "";
}

/* Waits for `want` on s until the deadline: OK, or TIMEOUT. */
static captls_result wait_for(captls_challtestsrv *c, captls_stream_id s,
                              unsigned want, uint64_t deadline)
{
    captls_poll_item it;
    size_t nready = 0;
    uint64_t now = now_ns();

    if (now >= deadline)
        return CAPTLS_ERR_TIMEOUT;
    it.stream = s;
    it.want = want;
    it.ready = 0;
    CAPTLS_TRY(c->net.poll(c->net.ctx, &it, 1, deadline - now, &nready));
    return nready == 0 ? CAPTLS_ERR_TIMEOUT : CAPTLS_OK;
}

/* The first bytes of a body as one printable line. */
static void snippet(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k + 1 < cap && k < SNIPPET; i++) {
        uint8_t ch = p[i];
        out[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

static captls_result fail(captls_challtestsrv *c, const char *op,
                          captls_result r, const char *what)
{
    snprintf(c->err, sizeof(c->err), "challtestsrv POST %.160s/%.16s: %.200s%s",
             c->url_text, op, what,
             r == CAPTLS_ERR_CONN_REFUSED
                 ? " (is pebble-challtestsrv running with -management there?)"
                 : "");
    return r;
}

/* The exchange on an open stream: send req, read one response into
 * head/body. */
static captls_result exchange(captls_challtestsrv *c, captls_stream_id s,
                              const uint8_t *req, size_t req_len,
                              captls_http_resp *resp, uint64_t deadline)
{
    uint8_t buf[1024];
    size_t off = 0;

    while (off < req_len) {
        size_t put = 0;
        captls_result r = c->net.write(c->net.ctx, s, req + off,
                                       req_len - off, &put);
        if (r == CAPTLS_WOULD_BLOCK) {
            CAPTLS_TRY(wait_for(c, s, CAPTLS_POLL_WRITE, deadline));
            continue;
        }
        CAPTLS_TRY(r);
        off += put;
    }
    for (;;) {
        size_t got = 0, used = 0;
        captls_result r = c->net.read(c->net.ctx, s, buf, sizeof(buf), &got);
        if (r == CAPTLS_WOULD_BLOCK) {
            CAPTLS_TRY(wait_for(c, s, CAPTLS_POLL_READ, deadline));
            continue;
        }
        if (r == CAPTLS_EOF)
            return captls_http_resp_eof(resp);
        CAPTLS_TRY(r);
        r = captls_http_resp_feed(resp, buf, got, &used);
        if (r != CAPTLS_NEED_MORE)
            return r; /* OK: complete (anything after it is ignored) */
    }
}

static captls_result post(captls_challtestsrv *c, const char *op,
                          const char *json, size_t json_len)
{
    captls_http_url u = c->base;
    captls_http_request req;
    captls_http_resp resp;
    uint8_t reqbuf[REQ_BYTES], head[HEAD_BYTES], body[BODY_BYTES];
    size_t req_len = 0, oplen = strlen(op);
    captls_stream_id s = -1;
    uint64_t deadline = now_ns() + (uint64_t)c->timeout_ms * 1000000u;
    captls_result r;
    char what[200];

    c->err[0] = '\0';
    if (u.path_len + 1 + oplen > CAPTLS_HTTP_PATH_MAX)
        return fail(c, op, CAPTLS_ERR_LIMIT_EXCEEDED, "path too long");
    u.path[u.path_len] = '/';
    memcpy(u.path + u.path_len + 1, op, oplen + 1);
    u.path_len += 1 + oplen;
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = &u;
    req.version = CAPTLS_VERSION;
    req.content_type = "application/json";
    req.body = (const uint8_t *)json;
    req.body_len = json_len;
    req.close = true;
    r = captls_http_request_write(&req, reqbuf, sizeof(reqbuf), &req_len);
    if (r != CAPTLS_OK)
        return fail(c, op, r, "cannot write the request");
    r = c->net.connect(c->net.ctx, u.host, u.port, &s);
    if (r != CAPTLS_OK) {
        snprintf(what, sizeof(what), "cannot connect: %s",
                 captls_result_name(r));
        return fail(c, op, r, what);
    }
    captls_http_resp_init(&resp, head, sizeof(head), body, sizeof(body), 0,
                          false);
    r = exchange(c, s, reqbuf, req_len, &resp, deadline);
    (void)c->net.close(c->net.ctx, s);
    if (r == CAPTLS_ERR_CONN_REFUSED)
        return fail(c, op, r, "connection refused");
    if (r == CAPTLS_ERR_TIMEOUT) {
        snprintf(what, sizeof(what), "no answer within %u ms", c->timeout_ms);
        return fail(c, op, r, what);
    }
    if (r != CAPTLS_OK) {
        snprintf(what, sizeof(what), "%s%s%s", captls_result_name(r),
                 resp.headers_done ? " reading the response" : "",
                 r == CAPTLS_ERR_MALFORMED ? " (not HTTP/1.1)" : "");
        return fail(c, op, r, what);
    }
    if (resp.status < 200 || resp.status > 299) {
        char text[SNIPPET + 1];
        snippet(resp.body, resp.body_len, text, sizeof(text));
        snprintf(what, sizeof(what), "answered HTTP %u%s%s", resp.status,
                 text[0] != '\0' ? ": " : "", text);
        return fail(c, op, CAPTLS_ERR_IO, what);
    }
    return CAPTLS_OK;
}

/* Names and values the core solver gives: lower-case LDH labels, '_' and
 * '.', and base64url. Anything else would need JSON escaping, and cannot
 * come from the solver. */
static bool plain(const char *s, size_t n, bool name)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '_' ||
                  (name ? ch == '.' : (ch >= 'A' && ch <= 'Z'));
        if (!ok)
            return false;
    }
    return true;
}

static int find_value(const captls_challtestsrv *c, const char *fqdn,
                      size_t fl, const char *value, size_t vl)
{
    for (size_t i = 0; i < CAPTLS_CHALLTESTSRV_MAX_VALUES; i++) {
        const ctsrv_value *v = &c->values[i];
        if (v->live && v->host_len == fl && memcmp(v->host, fqdn, fl) == 0 &&
            (value == NULL || (vl == CAPTLS_DNS01_VALUE_LEN &&
                               memcmp(v->value, value, vl) == 0)))
            return (int)i;
    }
    return -1;
}

static captls_result check_args(captls_challtestsrv *c, const char *op,
                                const char *fqdn, size_t fl, const char *value,
                                size_t vl)
{
    if (fqdn == NULL || value == NULL || fl > CAPTLS_DNS01_FQDN_MAX ||
        vl != CAPTLS_DNS01_VALUE_LEN || !plain(fqdn, fl, true) ||
        fqdn[fl - 1] != '.' || !plain(value, vl, false))
        return fail(c, op, CAPTLS_ERR_MALFORMED,
                    "refused: not a dns-01 record name and value");
    return CAPTLS_OK;
}

static captls_result ct_set_txt(void *ctx, const char *fqdn, size_t fl,
                                const char *value, size_t vl)
{
    captls_challtestsrv *c = ctx;
    char json[64 + CAPTLS_DNS01_FQDN_MAX + CAPTLS_DNS01_VALUE_LEN];
    int n, slot = -1;

    CAPTLS_TRY(check_args(c, "set-txt", fqdn, fl, value, vl));
    if (find_value(c, fqdn, fl, value, vl) >= 0)
        return CAPTLS_OK; /* set already (set-txt would add a duplicate) */
    for (size_t i = 0; i < CAPTLS_CHALLTESTSRV_MAX_VALUES && slot < 0; i++)
        if (!c->values[i].live)
            slot = (int)i;
    if (slot < 0)
        return fail(c, "set-txt", CAPTLS_ERR_TABLE_FULL,
                    "too many values published and not cleared");
    n = snprintf(json, sizeof(json), "{\"host\":\"%.*s\",\"value\":\"%.*s\"}",
                 (int)fl, fqdn, (int)vl, value);
    if (n < 0 || (size_t)n >= sizeof(json))
        return fail(c, "set-txt", CAPTLS_ERR_INTERNAL, "request too long");
    CAPTLS_TRY(post(c, "set-txt", json, (size_t)n));
    c->values[slot].live = true;
    c->values[slot].host_len = fl;
    memcpy(c->values[slot].host, fqdn, fl);
    memcpy(c->values[slot].value, value, vl);
    return CAPTLS_OK;
}

static captls_result ct_clear_txt(void *ctx, const char *fqdn, size_t fl,
                                  const char *value, size_t vl)
{
    captls_challtestsrv *c = ctx;
    char json[32 + CAPTLS_DNS01_FQDN_MAX];
    int n, at;

    CAPTLS_TRY(check_args(c, "clear-txt", fqdn, fl, value, vl));
    at = find_value(c, fqdn, fl, value, vl);
    if (at >= 0)
        memset(&c->values[at], 0, sizeof(c->values[at]));
    /* clear-txt drops every value at the name: wait for the last one. */
    if (find_value(c, fqdn, fl, NULL, 0) >= 0)
        return CAPTLS_OK;
    n = snprintf(json, sizeof(json), "{\"host\":\"%.*s\"}", (int)fl, fqdn);
    if (n < 0 || (size_t)n >= sizeof(json))
        return fail(c, "clear-txt", CAPTLS_ERR_INTERNAL, "request too long");
    return post(c, "clear-txt", json, (size_t)n);
}

captls_acme_dns_updater captls_challtestsrv_updater(captls_challtestsrv *c)
{
    captls_acme_dns_updater u;

    u.ctx = c;
    u.set_txt = ct_set_txt;
    u.clear_txt = ct_clear_txt;
    return u;
}

/* ---- the solver for the CLI ----------------------------------------- */
typedef struct ctsrv_solver {
    captls_dns01_solver solver; /* first: the capability's ctx */
    captls_challtestsrv *backend;
} ctsrv_solver;

bool captls_dns01_challtestsrv_solver(const char *api_url,
                                      const char *const *zones, size_t nzones,
                                      captls_acme_solver *out, char *err,
                                      size_t errcap)
{
    ctsrv_solver *w;
    captls_acme_dns_updater u;
    captls_result r;

    memset(out, 0, sizeof(*out));
    if (nzones == 0 || zones == NULL) {
        snprintf(err, errcap, "dns-01: no zone to publish under (give the "
                              "domains the solver may answer for)");
        return false;
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL) {
        snprintf(err, errcap, "out of memory");
        return false;
    }
    if (!captls_challtestsrv_new(api_url, 0, &w->backend, err, errcap)) {
        free(w);
        return false;
    }
    u = captls_challtestsrv_updater(w->backend);
    r = captls_dns01_init(&w->solver, &u);
    for (size_t i = 0; i < nzones && r == CAPTLS_OK; i++) {
        const char *z = zones[i] != NULL ? zones[i] : "";
        r = captls_dns01_add_zone(&w->solver, z, strlen(z));
        if (r != CAPTLS_OK)
            snprintf(err, errcap, "dns-01: zone \"%.200s\": %s", z,
                     r == CAPTLS_ERR_LIMIT_EXCEEDED ? "too many zones"
                                                    : "not a DNS name");
    }
    if (r != CAPTLS_OK) {
        if (err[0] == '\0')
            snprintf(err, errcap, "dns-01: %s", captls_result_name(r));
        captls_challtestsrv_free(w->backend);
        free(w);
        return false;
    }
    *out = captls_dns01_solver_cap(&w->solver);
    return true;
}

const char *captls_dns01_challtestsrv_solver_error(const captls_acme_solver *s)
{
    const ctsrv_solver *w = s != NULL ? s->ctx : NULL;

    return w != NULL ? captls_challtestsrv_last_error(w->backend) : "";
}

void captls_dns01_challtestsrv_solver_free(captls_acme_solver *s)
{
    ctsrv_solver *w;

    if (s == NULL || s->ctx == NULL)
        return;
    w = s->ctx;
    /* Anything the client did not clean up (it should have) is cleared
     * now, so a dead order leaves no TXT record behind. */
    for (size_t i = 0; i < CAPTLS_DNS01_MAX_RECORDS; i++) {
        captls_dns01_record *rec = &w->solver.rec[i];
        if (rec->live)
            (void)w->solver.updater.clear_txt(w->solver.updater.ctx,
                                              rec->fqdn, rec->fqdn_len,
                                              rec->value,
                                              CAPTLS_DNS01_VALUE_LEN);
    }
    captls_dns01_wipe(&w->solver);
    captls_challtestsrv_free(w->backend);
    free(w);
    memset(s, 0, sizeof(*s));
}
