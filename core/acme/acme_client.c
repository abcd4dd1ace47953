/* AcmeClient: the sans-I/O RFC 8555 engine. See acme_client.h. */
#include "core/acme/acme_client.h"

#include <string.h>

#include "core/acme/csr.h"
#include "core/acme/jws.h"
#include "core/base/base64url.h"
#include "core/base/ct.h"
#include "core/base/pem.h"
#include "core/base/sanitize.h"
#include "core/base/text.h"

#define ACME_MAGIC 0x41434d45u /* "ACME" */
#define JOSE_JSON "application/jose+json"
#define PEM_CHAIN "application/pem-certificate-chain"

enum { SENT_NONE = 0, SENT_MAIN = 1, SENT_DIRECTORY = 2, SENT_NONCE = 3 };

/* ---- small helpers ------------------------------------------------- */

static void progress(captls_acme_client *c, captls_acme_stage stage,
                     const char *a, const char *b, size_t blen)
{
    char raw[CAPTLS_ACME_URL_MAX + 64], out[2 * CAPTLS_ACME_URL_MAX];
    captls_text t;
    if (c->cfg.progress.event == NULL)
        return;
    captls_text_init(&t, raw, sizeof(raw));
    captls_text_str(&t, a);
    if (b != NULL)
        captls_text_mem(&t, b, blen);
    size_t n = captls_text_len(&t);
    if (n >= sizeof(raw))
        n = sizeof(raw) - 1;
    (void)captls_sanitize((const uint8_t *)raw, n, out, sizeof(out));
    c->cfg.progress.event(c->cfg.progress.ctx, stage, out);
}

static void solver_cleanup(captls_acme_client *c)
{
    if (!c->solved)
        return;
    c->solved = false;
    captls_acme_challenge ch;
    memset(&ch, 0, sizeof(ch));
    ch.type = c->chall_type;
    ch.identifier.type = c->authz_id.type;
    ch.identifier.type_len = strlen(c->authz_id.type);
    ch.identifier.value = c->authz_id.value;
    ch.identifier.value_len = c->authz_id.value_len;
    ch.wildcard = c->authz_wildcard;
    ch.token = c->token;
    ch.token_len = strlen(c->token);
    ch.key_authorization = c->key_auth;
    ch.key_authorization_len = strlen(c->key_auth);
    if (c->solver.cleanup != NULL)
        c->solver.cleanup(c->solver.ctx, &ch);
}

static void fail(captls_acme_client *c, captls_acme_error kind,
                 captls_result code, uint16_t status, const char *detail)
{
    solver_cleanup(c);
    captls_acme_failure_set(&c->fail, kind, code, status, detail,
                            detail != NULL ? strlen(detail) : 0);
    c->state = CAPTLS_ACME_ST_FAILED;
    c->wait_pending = 0;
}

/* fail() with a detail that is already sanitized (printable ASCII): copied
 * as is, so its escapes are not escaped twice. */
static void fail_sanitized(captls_acme_client *c, captls_acme_error kind,
                           captls_result code, uint16_t status,
                           const char *detail)
{
    fail(c, kind, code, status, NULL);
    size_t n = strlen(detail);
    if (n >= sizeof(c->fail.detail))
        n = sizeof(c->fail.detail) - 1;
    memcpy(c->fail.detail, detail, n);
    c->fail.detail[n] = '\0';
}

/* A failure carrying a server problem: "<type>: <detail>". */
static void fail_problem(captls_acme_client *c, captls_acme_error kind,
                         const captls_acme_failure *p)
{
    char d[CAPTLS_ACME_DETAIL_MAX];
    captls_text t;
    captls_text_init(&t, d, sizeof(d));
    captls_text_str(&t, captls_acme_error_name(p->kind));
    if (p->detail[0] != '\0') {
        captls_text_str(&t, ": ");
        captls_text_str(&t, p->detail);
    }
    fail_sanitized(c, kind, p->code, p->http_status, d);
}

static bool url_on_origin(const captls_acme_client *c, const char *u,
                          size_t n)
{
    captls_acme_origin o;
    return captls_acme_url_origin(u, n, &o) == CAPTLS_OK &&
           captls_acme_same_origin(&o, &c->origin);
}

static bool has_nul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            return true;
    return false;
}

/* String member `key` of obj into out (NUL-terminated). NOT_FOUND when
 * absent, MALFORMED for another type, LIMIT_EXCEEDED when too long or
 * holding a NUL. */
static captls_result member_str(const captls_json_doc *d, size_t obj,
                                const char *key, char *out, size_t cap)
{
    size_t n = 0;
    captls_result r =
        captls_json_member_string(d, obj, key, (uint8_t *)out, cap - 1, &n);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    if (r != CAPTLS_OK)
        return r;
    if (has_nul(out, n))
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    out[n] = '\0';
    return CAPTLS_OK;
}

/* A URL member on the directory's origin into out. Fails the operation
 * (and returns false) when required and absent, malformed or elsewhere. */
static bool member_url(captls_acme_client *c, const captls_json_doc *d,
                       size_t obj, const char *key, char *out, bool required)
{
    captls_result r = member_str(d, obj, key, out, CAPTLS_ACME_URL_MAX);
    if (r == CAPTLS_ERR_NOT_FOUND && !required) {
        out[0] = '\0';
        return true;
    }
    if (r != CAPTLS_OK) {
        out[0] = '\0';
        fail(c, r == CAPTLS_ERR_LIMIT_EXCEEDED ? CAPTLS_ACME_ERR_OVERSIZED
                                               : CAPTLS_ACME_ERR_BAD_RESPONSE,
             r == CAPTLS_ERR_NOT_FOUND ? CAPTLS_ERR_MALFORMED : r, 0, key);
        return false;
    }
    if (!url_on_origin(c, out, strlen(out))) {
        char d2[CAPTLS_ACME_DETAIL_MAX];
        captls_text t;
        captls_text_init(&t, d2, sizeof(d2));
        captls_text_str(&t, key);
        captls_text_str(&t, " not on the directory's origin: ");
        captls_text_str(&t, out);
        out[0] = '\0';
        fail(c, CAPTLS_ACME_ERR_CROSS_ORIGIN, CAPTLS_ERR_NO_AUTHORITY, 0, d2);
        return false;
    }
    return true;
}

static bool parse_body(captls_acme_client *c, const captls_acme_response *r,
                       captls_json_doc *doc)
{
    captls_json_error e;
    captls_result res = captls_json_parse((const char *)r->body, r->body_len,
                                          c->tok, CAPTLS_ACME_JSON_TOKENS, doc,
                                          &e);
    if (res == CAPTLS_OK && captls_json_type_of(doc, 0) == CAPTLS_JSON_OBJECT)
        return true;
    fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE,
         res == CAPTLS_OK ? CAPTLS_ERR_MALFORMED : res, r->status,
         res == CAPTLS_OK ? "response is not a JSON object" : e.reason);
    return false;
}

/* Schedules a wait before the next request; false (and failed) when the
 * operation's wait budget would be exceeded. */
static bool schedule_wait(captls_acme_client *c, uint32_t s)
{
    if (c->waited_total + s > CAPTLS_ACME_WAIT_BUDGET) {
        fail(c, CAPTLS_ACME_ERR_RETRIES_EXHAUSTED, CAPTLS_ERR_TIMEOUT, 0,
             "wait budget exhausted");
        return false;
    }
    c->waited_total += s;
    c->wait_pending = s;
    return true;
}

/* A poll wait from Retry-After: clamped to 1..MAX_WAIT (RFC 8555 §7.5.1:
 * "clients SHOULD NOT poll more often than Retry-After"). */
static bool poll_wait(captls_acme_client *c, int64_t retry_after)
{
    uint32_t s = CAPTLS_ACME_DEFAULT_POLL;
    if (retry_after >= 0)
        s = retry_after < 1 ? 1
            : retry_after > (int64_t)CAPTLS_ACME_MAX_WAIT
                ? CAPTLS_ACME_MAX_WAIT
                : (uint32_t)retry_after;
    if (++c->polls > CAPTLS_ACME_MAX_POLLS) {
        fail(c, CAPTLS_ACME_ERR_RETRIES_EXHAUSTED, CAPTLS_ERR_TIMEOUT, 0,
             "still pending after the poll budget");
        return false;
    }
    return schedule_wait(c, s);
}

static bool status_is(const captls_json_doc *d, size_t obj, const char *s)
{
    size_t v = 0;
    return captls_json_member_typed(d, obj, "status", CAPTLS_JSON_STRING,
                                    &v) == CAPTLS_OK &&
           captls_json_string_equal(d, v, s, strlen(s));
}

static bool wall_now(captls_acme_client *c, captls_wall_time *now)
{
    if (c->cfg.clock.wall_time == NULL ||
        c->cfg.clock.wall_time(c->cfg.clock.ctx, now) != CAPTLS_OK) {
        fail(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_CLOCK_UNAVAILABLE, 0,
             "no wall clock");
        return false;
    }
    return true;
}

/* ---- init and operations ------------------------------------------- */

captls_result captls_acme_client_init(captls_acme_client *c,
                                      const captls_acme_config *cfg)
{
    if (c == NULL || cfg == NULL || cfg->directory_url == NULL ||
        cfg->vault == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(c, 0, sizeof(*c));
    size_t n = strlen(cfg->directory_url);
    if (n >= sizeof(c->dir_url))
        return CAPTLS_ERR_MALFORMED;
    memcpy(c->dir_url, cfg->directory_url, n + 1);
    CAPTLS_TRY(captls_acme_url_origin(c->dir_url, n, &c->origin));
    c->cfg = *cfg;
    c->cfg.directory_url = c->dir_url;
    /* seed 000: JWS only through an acmeAccount key (refused and audited
     * by the vault for any other purpose) */
    CAPTLS_TRY(captls_private_key_acme_signer(
        cfg->vault, cfg->owner, cfg->account_key,
        CAPTLS_KEY_PURPOSE_ACME_ACCOUNT, &c->acct_ctx, &c->acct));
    c->magic = ACME_MAGIC;
    return CAPTLS_OK;
}

void captls_acme_client_fini(captls_acme_client *c)
{
    if (c == NULL)
        return;
    if (c->magic == ACME_MAGIC)
        solver_cleanup(c);
    captls_zeroize(c, sizeof(*c));
}

static bool busy(const captls_acme_client *c)
{
    return c->state != CAPTLS_ACME_ST_IDLE &&
           c->state != CAPTLS_ACME_ST_DONE &&
           c->state != CAPTLS_ACME_ST_FAILED;
}

static captls_result begin(captls_acme_client *c, captls_acme_op op,
                           captls_acme_state st)
{
    if (c == NULL || c->magic != ACME_MAGIC || busy(c))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    c->op = op;
    c->state = st;
    c->sent = SENT_NONE;
    c->wait_pending = c->waited_total = c->exchanges = c->polls = 0;
    c->bad_nonce = c->rate = c->server = 0;
    memset(&c->fail, 0, sizeof(c->fail));
    c->solved = false;
    c->csr_len = 0;
    c->ncerts = 0;
    c->stored_version = 0;
    c->order_url[0] = c->finalize_url[0] = c->cert_url[0] = '\0';
    c->replaces[0] = '\0';
    memset(&c->renewal, 0, sizeof(c->renewal));
    return CAPTLS_OK;
}

/* Refuses an operation: the engine reports FAILED with this failure. */
static captls_result refuse(captls_acme_client *c, captls_acme_error kind,
                            captls_result code, const char *detail)
{
    fail(c, kind, code, 0, detail);
    return code;
}

captls_result captls_acme_start_directory(captls_acme_client *c)
{
    CAPTLS_TRY(begin(c, CAPTLS_ACME_OP_DIRECTORY, CAPTLS_ACME_ST_DIRECTORY));
    c->have_dir = false;
    return CAPTLS_OK;
}

captls_result captls_acme_start_register(captls_acme_client *c,
                                         const char *const *contacts,
                                         size_t ncontacts, bool agree_tos,
                                         bool only_return_existing)
{
    CAPTLS_TRY(begin(c, CAPTLS_ACME_OP_REGISTER, CAPTLS_ACME_ST_ACCOUNT));
    if (ncontacts > CAPTLS_ACME_MAX_CONTACTS || (contacts == NULL && ncontacts))
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_LIMIT_EXCEEDED,
                      "too many contacts");
    for (size_t i = 0; i < ncontacts; i++) {
        size_t n = contacts[i] != NULL ? strlen(contacts[i]) : 0;
        if (n == 0 || n >= CAPTLS_ACME_CONTACT_MAX)
            return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                          "bad contact");
        memcpy(c->contacts[i], contacts[i], n + 1);
    }
    c->ncontacts = ncontacts;
    c->agree_tos = agree_tos;
    c->only_existing = only_return_existing;
    return CAPTLS_OK;
}

/* Common checks of order / renew: account, store, solver, cert key. */
static captls_result order_common(captls_acme_client *c,
                                  const captls_acme_order_params *p)
{
    if (p == NULL || p->solver == NULL || p->solver->supports == NULL ||
        p->solver->solve == NULL || p->store_handle == NULL ||
        !captls_cert_handle_valid(p->store_handle) || c->cfg.store == NULL ||
        c->cfg.verifier == NULL || c->cfg.ca_roots == NULL)
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                      "order needs a solver, a store handle, a verifier and "
                      "CA roots");
    if (c->kid[0] == '\0')
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                      "no account: register first");
    /* seed 000: the CSR only through a tls-purpose key */
    captls_result r = captls_private_key_acme_signer(
        c->cfg.vault, c->cfg.owner, p->cert_key, CAPTLS_KEY_PURPOSE_TLS,
        &c->cert_ctx, &c->cert);
    if (r != CAPTLS_OK)
        return refuse(c, CAPTLS_ACME_ERR_KEY, r,
                      "certificate key refused (a tls-purpose key is needed)");
    c->solver = *p->solver;
    c->have_solver = true;
    memcpy(c->store_handle, p->store_handle, strlen(p->store_handle) + 1);
    return CAPTLS_OK;
}

static bool ident_copy(captls_acme_ident_copy *dst, const char *type,
                       size_t type_len, const char *value, size_t value_len)
{
    if (type_len == 0 || type_len >= sizeof(dst->type) ||
        value_len == 0 || value_len > CAPTLS_CSR_MAX_NAME_LEN + 2)
        return false;
    memcpy(dst->type, type, type_len);
    dst->type[type_len] = '\0';
    memcpy(dst->value, value, value_len);
    dst->value[value_len] = '\0';
    dst->value_len = value_len;
    return true;
}

captls_result captls_acme_start_order(captls_acme_client *c,
                                      const captls_acme_order_params *p)
{
    CAPTLS_TRY(begin(c, CAPTLS_ACME_OP_ORDER, CAPTLS_ACME_ST_NEW_ORDER));
    CAPTLS_TRY(order_common(c, p));
    if (p->identifiers == NULL || p->count == 0 ||
        p->count > CAPTLS_ACME_MAX_IDENTIFIERS)
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                      "1..8 identifiers");
    for (size_t i = 0; i < p->count; i++) {
        const captls_acme_identifier *id = &p->identifiers[i];
        /* only DNS names: the CSR carries dNSName SANs only (csr.h) */
        if (id->type == NULL || id->type_len != 3 ||
            memcmp(id->type, "dns", 3) != 0 || id->value == NULL ||
            !captls_csr_dns_name_ok(id->value, id->value_len) ||
            !ident_copy(&c->ids[i], id->type, 3, id->value, id->value_len))
            return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_MALFORMED,
                          "identifier is not a DNS host name");
    }
    c->nids = p->count;
    return CAPTLS_OK;
}

/* RFC 9773 §4.1: certID = base64url(AKI keyIdentifier) "." base64url(serial
 * INTEGER contents). Empty when the leaf has no keyIdentifier. */
static void ari_cert_id(captls_acme_client *c, const captls_certificate *leaf)
{
    size_t a = 0, b = 0;
    c->replaces[0] = '\0';
    if (!leaf->aki_present || leaf->aki_key_id.len == 0 ||
        leaf->serial.len == 0)
        return;
    if (captls_base64url_encode(leaf->aki_key_id.ptr, leaf->aki_key_id.len,
                                c->replaces, sizeof(c->replaces) - 2,
                                &a) != CAPTLS_OK ||
        captls_base64url_encode(leaf->serial.ptr, leaf->serial.len,
                                c->replaces + a + 1,
                                sizeof(c->replaces) - a - 2, &b) != CAPTLS_OK) {
        c->replaces[0] = '\0';
        return;
    }
    c->replaces[a] = '.';
    c->replaces[a + 1 + b] = '\0';
}

captls_result captls_acme_start_renew(captls_acme_client *c,
                                      const captls_acme_order_params *p,
                                      bool force)
{
    captls_cert_record rec;
    CAPTLS_TRY(begin(c, CAPTLS_ACME_OP_RENEW, CAPTLS_ACME_ST_ARI));
    CAPTLS_TRY(order_common(c, p));
    captls_result r =
        captls_cert_store_get(c->cfg.store, c->cfg.owner, c->cfg.store_cap,
                              c->store_handle, c->body, sizeof(c->body), &rec);
    if (r != CAPTLS_OK)
        return refuse(c, CAPTLS_ACME_ERR_STORE, r, "no stored chain to renew");
    captls_certificate *leaf = &c->certs[0];
    r = rec.count > 0 ? captls_certificate_parse(leaf, rec.certs[0].ptr,
                                                 rec.certs[0].len, NULL)
                      : CAPTLS_ERR_MALFORMED;
    if (r != CAPTLS_OK)
        return refuse(c, CAPTLS_ACME_ERR_STORE, r, "stored leaf unreadable");
    c->nids = 0;
    for (size_t i = 0; i < leaf->san_count; i++) {
        const captls_general_name *g = &leaf->san[i];
        if (g->type != CAPTLS_GN_DNS)
            continue;
        if (c->nids == CAPTLS_ACME_MAX_IDENTIFIERS ||
            !captls_csr_dns_name_ok((const char *)g->value.ptr, g->value.len) ||
            !ident_copy(&c->ids[c->nids], "dns", 3, (const char *)g->value.ptr,
                        g->value.len))
            return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_MALFORMED,
                          "stored leaf names cannot be renewed");
        c->nids++;
    }
    if (c->nids == 0)
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_MALFORMED,
                      "stored leaf has no DNS names");
    c->renewal.not_after = leaf->not_after;
    /* the documented threshold: under a third of the lifetime left */
    c->renewal.due_at =
        leaf->not_after -
        (leaf->not_after - leaf->not_before) / CAPTLS_ACME_RENEW_FRACTION;
    ari_cert_id(c, leaf);
    if (force)
        c->renewal.due_at = INT64_MIN;
    memset(leaf, 0, sizeof(*leaf)); /* it borrowed c->body */
    return CAPTLS_OK;
}

captls_result captls_acme_start_revoke(captls_acme_client *c,
                                       const uint8_t *der, size_t len,
                                       uint8_t reason)
{
    CAPTLS_TRY(begin(c, CAPTLS_ACME_OP_REVOKE, CAPTLS_ACME_ST_REVOKE));
    /* RFC 5280 §5.3.1 CRLReason: 0..10, 7 unused */
    if (der == NULL || len == 0 || len > sizeof(c->revoke_der) ||
        reason > 10 || reason == 7)
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                      "certificate (<= 6000 bytes) and reason 0-6, 8-10");
    if (c->kid[0] == '\0')
        return refuse(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT,
                      "no account: register first");
    memcpy(c->revoke_der, der, len);
    c->revoke_len = len;
    c->revoke_reason = reason;
    return CAPTLS_OK;
}

/* ---- requests ------------------------------------------------------ */

static void set_req(captls_acme_client *c, captls_acme_request *req,
                    captls_acme_method m, const char *url, const void *body,
                    size_t body_len, const char *ctype, const char *accept)
{
    size_t n = strlen(url);
    memmove(c->req_url, url, n + 1);
    memset(req, 0, sizeof(*req));
    req->method = m;
    req->url = c->req_url;
    req->url_len = n;
    req->body = body;
    req->body_len = body_len;
    req->content_type = ctype;
    req->accept = accept;
}

/* A JWS POST of payload[0..plen) to url (kid, or jwk for newAccount).
 * Consumes the nonce (RFC 8555 §6.5: never reused). */
static bool post(captls_acme_client *c, captls_acme_request *req,
                 const char *url, size_t plen, bool use_jwk)
{
    captls_jws_header h;
    size_t len = 0;
    if (!url_on_origin(c, url, strlen(url)) ||
        (!use_jwk && !url_on_origin(c, c->kid, strlen(c->kid)))) {
        fail(c, CAPTLS_ACME_ERR_CROSS_ORIGIN, CAPTLS_ERR_NO_AUTHORITY, 0,
             "request URL not on the directory's origin");
        return false;
    }
    memset(&h, 0, sizeof(h));
    h.nonce = c->nonce;
    h.nonce_len = strlen(c->nonce);
    h.url = url;
    h.url_len = strlen(url);
    if (!use_jwk) {
        h.kid = c->kid;
        h.kid_len = strlen(c->kid);
    }
    captls_result r = captls_jws_sign(&c->acct, &h, c->payload, plen, c->req,
                                      sizeof(c->req), &len);
    c->nonce[0] = '\0';
    if (r != CAPTLS_OK) {
        fail(c, r == CAPTLS_ERR_BUFFER_TOO_SMALL ? CAPTLS_ACME_ERR_OVERSIZED
                                                 : CAPTLS_ACME_ERR_KEY,
             r, 0, "signing the request failed");
        return false;
    }
    set_req(c, req, CAPTLS_ACME_POST, url, c->req, len, JOSE_JSON,
            NULL);
    return true;
}

static bool payload_done(captls_acme_client *c, captls_json_writer *w,
                         size_t *len)
{
    captls_result r = captls_json_writer_finish(w, len);
    if (r != CAPTLS_OK) {
        fail(c, CAPTLS_ACME_ERR_OVERSIZED, r, 0, "request payload");
        return false;
    }
    return true;
}

static bool build_account(captls_acme_client *c, captls_acme_request *req)
{
    captls_json_writer w;
    size_t len = 0;
    captls_json_writer_init(&w, (char *)c->payload, sizeof(c->payload));
    captls_json_begin_object(&w);
    if (c->only_existing) {
        /* RFC 8555 §7.3.1: find the account of this key, create none */
        captls_json_key_cstr(&w, "onlyReturnExisting");
        captls_json_bool(&w, true);
    } else {
        if (c->ncontacts > 0) {
            captls_json_key_cstr(&w, "contact");
            captls_json_begin_array(&w);
            for (size_t i = 0; i < c->ncontacts; i++)
                captls_json_string_cstr(&w, c->contacts[i]);
            captls_json_end_array(&w);
        }
        if (c->agree_tos) {
            captls_json_key_cstr(&w, "termsOfServiceAgreed");
            captls_json_bool(&w, true);
        }
    }
    captls_json_end_object(&w);
    /* §6.2: newAccount is signed with "jwk", every other request "kid" */
    return payload_done(c, &w, &len) &&
           post(c, req, c->dir.new_account, len, true);
}

static bool build_new_order(captls_acme_client *c, captls_acme_request *req)
{
    captls_json_writer w;
    size_t len = 0;
    captls_json_writer_init(&w, (char *)c->payload, sizeof(c->payload));
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, "identifiers");
    captls_json_begin_array(&w);
    for (size_t i = 0; i < c->nids; i++) {
        captls_json_begin_object(&w);
        captls_json_key_cstr(&w, "type");
        captls_json_string_cstr(&w, c->ids[i].type);
        captls_json_key_cstr(&w, "value");
        captls_json_string(&w, c->ids[i].value, c->ids[i].value_len);
        captls_json_end_object(&w);
    }
    captls_json_end_array(&w);
    if (c->replaces[0] != '\0') { /* RFC 9773 §5 */
        captls_json_key_cstr(&w, "replaces");
        captls_json_string_cstr(&w, c->replaces);
    }
    captls_json_end_object(&w);
    return payload_done(c, &w, &len) &&
           post(c, req, c->dir.new_order, len, false);
}

/* POSTs {"<key>":"<base64url(der)>"[,"reason":n]} to url: finalize
 * (RFC 8555 §7.4) and revokeCert (§7.6). reason < 0: no reason member.
 * The base64url text is staged in c->req, which post() then overwrites
 * with the JWS (the payload has been copied out by then). */
static bool post_der_member(captls_acme_client *c, captls_acme_request *req,
                            const char *url, const char *key,
                            const uint8_t *der, size_t n, int reason)
{
    captls_json_writer w;
    size_t bl = 0, len = 0;
    if (captls_base64url_encode(der, n, c->req, sizeof(c->req), &bl) !=
        CAPTLS_OK) {
        fail(c, CAPTLS_ACME_ERR_OVERSIZED, CAPTLS_ERR_BUFFER_TOO_SMALL, 0,
             key);
        return false;
    }
    captls_json_writer_init(&w, (char *)c->payload, sizeof(c->payload));
    captls_json_begin_object(&w);
    captls_json_key_cstr(&w, key);
    captls_json_string(&w, c->req, bl);
    if (reason >= 0) {
        captls_json_key_cstr(&w, "reason");
        captls_json_int64(&w, reason);
    }
    captls_json_end_object(&w);
    return payload_done(c, &w, &len) && post(c, req, url, len, false);
}

static bool build_finalize(captls_acme_client *c, captls_acme_request *req)
{
    if (c->csr_len == 0) {
        const char *names[CAPTLS_ACME_MAX_IDENTIFIERS];
        for (size_t i = 0; i < c->nids; i++)
            names[i] = c->ids[i].value;
        /* RFC 8555 §7.4: the CSR, signed by the certificate key */
        captls_result r = captls_csr_build(&c->cert, names, c->nids, c->csr,
                                           sizeof(c->csr), &c->csr_len);
        if (r != CAPTLS_OK) {
            c->csr_len = 0;
            fail(c, CAPTLS_ACME_ERR_KEY, r, 0, "building the CSR failed");
            return false;
        }
        progress(c, CAPTLS_ACME_STAGE_FINALIZE, "finalize ", c->finalize_url,
                 strlen(c->finalize_url));
    }
    return post_der_member(c, req, c->finalize_url, "csr", c->csr, c->csr_len,
                           -1);
}

static bool build_revoke(captls_acme_client *c, captls_acme_request *req)
{
    if (c->dir.revoke_cert[0] == '\0') {
        fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_UNSUPPORTED, 0,
             "directory has no revokeCert");
        return false;
    }
    return post_der_member(c, req, c->dir.revoke_cert, "certificate",
                           c->revoke_der, c->revoke_len, c->revoke_reason);
}

/* Renewal decision without (more) requests: due -> order, else DONE. */
static void renew_decide(captls_acme_client *c)
{
    captls_wall_time now;
    if (!wall_now(c, &now))
        return;
    if (now.epoch_seconds < c->renewal.due_at) {
        progress(c, CAPTLS_ACME_STAGE_RENEWAL, "not due yet", NULL, 0);
        c->state = CAPTLS_ACME_ST_DONE;
        return;
    }
    progress(c, CAPTLS_ACME_STAGE_RENEWAL, "due: ordering ", c->ids[0].value,
             c->ids[0].value_len);
    c->state = CAPTLS_ACME_ST_NEW_ORDER;
}

static bool needs_nonce(captls_acme_state s)
{
    return s != CAPTLS_ACME_ST_DIRECTORY && s != CAPTLS_ACME_ST_ARI;
}

/* Builds the request of the current state; false when the operation
 * failed or finished without one. */
static bool build_main(captls_acme_client *c, captls_acme_request *req)
{
    switch (c->state) {
    case CAPTLS_ACME_ST_ACCOUNT:
        return build_account(c, req);
    case CAPTLS_ACME_ST_NEW_ORDER:
        return build_new_order(c, req);
    case CAPTLS_ACME_ST_AUTHZ:
    case CAPTLS_ACME_ST_AUTHZ_POLL:
        return post(c, req, c->authz[c->cur_authz], 0, false);
    case CAPTLS_ACME_ST_CHALLENGE:
        memcpy(c->payload, "{}", 2); /* §7.5.1: an empty object */
        return post(c, req, c->chall_url, 2, false);
    case CAPTLS_ACME_ST_FINALIZE:
        return build_finalize(c, req);
    case CAPTLS_ACME_ST_ORDER_POLL:
        return post(c, req, c->order_url, 0, false);
    case CAPTLS_ACME_ST_DOWNLOAD:
        if (!post(c, req, c->cert_url, 0, false))
            return false;
        req->accept = PEM_CHAIN; /* §7.4.2 */
        return true;
    case CAPTLS_ACME_ST_REVOKE:
        return build_revoke(c, req);
    default:
        fail(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INTERNAL, 0, "bad state");
        return false;
    }
}

captls_acme_step captls_acme_next(captls_acme_client *c,
                                  captls_acme_request *req,
                                  uint32_t *wait_seconds)
{
    if (c == NULL || req == NULL || c->magic != ACME_MAGIC)
        return CAPTLS_ACME_STEP_FAILED;
    if (wait_seconds != NULL)
        *wait_seconds = 0;
    /* at most three internal transitions (ARI skipped, decided) per call */
    for (int guard = 0; guard < 4; guard++) {
        if (c->state == CAPTLS_ACME_ST_DONE)
            return CAPTLS_ACME_STEP_DONE;
        if (c->state == CAPTLS_ACME_ST_FAILED ||
            c->state == CAPTLS_ACME_ST_IDLE)
            return CAPTLS_ACME_STEP_FAILED;
        if (c->sent != SENT_NONE) {
            fail(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INVALID_ARGUMENT, 0,
                 "next() with a request outstanding");
            return CAPTLS_ACME_STEP_FAILED;
        }
        if (c->wait_pending > 0) {
            if (wait_seconds != NULL)
                *wait_seconds = c->wait_pending;
            c->wait_pending = 0;
            return CAPTLS_ACME_STEP_WAIT;
        }
        if (c->exchanges >= CAPTLS_ACME_MAX_EXCHANGES) {
            fail(c, CAPTLS_ACME_ERR_RETRIES_EXHAUSTED, CAPTLS_ERR_LIMIT_EXCEEDED,
                 0, "exchange budget exhausted");
            return CAPTLS_ACME_STEP_FAILED;
        }
        if (!c->have_dir) {
            set_req(c, req, CAPTLS_ACME_GET, c->dir_url, NULL, 0, NULL, NULL);
            c->sent = SENT_DIRECTORY;
            c->exchanges++;
            return CAPTLS_ACME_STEP_SEND;
        }
        if (c->state == CAPTLS_ACME_ST_ARI) {
            if (c->renewal.due_at == INT64_MIN ||
                c->dir.renewal_info[0] == '\0' || c->replaces[0] == '\0') {
                if (c->dir.renewal_info[0] == '\0')
                    c->replaces[0] = '\0';
                renew_decide(c);
                continue;
            }
            /* RFC 9773 §4.1: GET <renewalInfo>/<certID>, unauthenticated */
            char url[CAPTLS_ACME_URL_MAX];
            captls_text t;
            captls_text_init(&t, url, sizeof(url));
            captls_text_str(&t, c->dir.renewal_info);
            captls_text_str(&t, "/");
            captls_text_str(&t, c->replaces);
            if (captls_text_len(&t) >= sizeof(url)) {
                c->replaces[0] = '\0';
                renew_decide(c);
                continue;
            }
            set_req(c, req, CAPTLS_ACME_GET, url, NULL, 0, NULL, NULL);
            c->sent = SENT_MAIN;
            c->exchanges++;
            return CAPTLS_ACME_STEP_SEND;
        }
        if (needs_nonce(c->state) && c->nonce[0] == '\0') {
            /* §7.2: HEAD newNonce */
            set_req(c, req, CAPTLS_ACME_HEAD, c->dir.new_nonce, NULL, 0, NULL,
                    NULL);
            c->sent = SENT_NONCE;
            c->exchanges++;
            return CAPTLS_ACME_STEP_SEND;
        }
        if (!build_main(c, req))
            continue; /* failed, or done: reported at the loop's top */
        c->sent = SENT_MAIN;
        c->exchanges++;
        return CAPTLS_ACME_STEP_SEND;
    }
    fail(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INTERNAL, 0, "no progress");
    return CAPTLS_ACME_STEP_FAILED;
}

uint8_t *captls_acme_response_buffer(captls_acme_client *c, size_t *cap)
{
    if (c == NULL)
        return NULL;
    if (cap != NULL)
        *cap = sizeof(c->body);
    return c->body;
}

/* ---- responses ----------------------------------------------------- */

static void on_directory(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    captls_acme_directory *dir = &c->dir;
    size_t meta = 0;
    memset(dir, 0, sizeof(*dir));
    if (!parse_body(c, r, &d) ||
        !member_url(c, &d, 0, "newNonce", dir->new_nonce, true) ||
        !member_url(c, &d, 0, "newAccount", dir->new_account, true) ||
        !member_url(c, &d, 0, "newOrder", dir->new_order, true) ||
        !member_url(c, &d, 0, "revokeCert", dir->revoke_cert, false) ||
        !member_url(c, &d, 0, "keyChange", dir->key_change, false) ||
        !member_url(c, &d, 0, "renewalInfo", dir->renewal_info, false))
        return;
    if (captls_json_member_typed(&d, 0, "meta", CAPTLS_JSON_OBJECT, &meta) ==
        CAPTLS_OK) {
        /* shown to a user, never fetched: no origin rule, only a bound */
        if (member_str(&d, meta, "termsOfService", dir->terms_of_service,
                       sizeof(dir->terms_of_service)) != CAPTLS_OK)
            dir->terms_of_service[0] = '\0';
        bool b = false;
        if (captls_json_member_bool(&d, meta, "externalAccountRequired", &b) ==
            CAPTLS_OK)
            dir->external_account_required = b;
    }
    if (c->kid[0] != '\0' && !url_on_origin(c, c->kid, strlen(c->kid))) {
        fail(c, CAPTLS_ACME_ERR_CROSS_ORIGIN, CAPTLS_ERR_NO_AUTHORITY, 0,
             "account URL not on the directory's origin");
        return;
    }
    c->have_dir = true;
    progress(c, CAPTLS_ACME_STAGE_DIRECTORY, "directory ", c->dir_url,
             strlen(c->dir_url));
    if (c->op == CAPTLS_ACME_OP_DIRECTORY)
        c->state = CAPTLS_ACME_ST_DONE;
}

/* Copies the Location header (required, on the origin) into out. */
static bool location(captls_acme_client *c, const captls_acme_response *r,
                     char *out)
{
    if (r->location.ptr == NULL || r->location.len == 0 ||
        r->location.len >= CAPTLS_ACME_URL_MAX) {
        fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED, r->status,
             "missing or oversized Location");
        return false;
    }
    if (!url_on_origin(c, r->location.ptr, r->location.len)) {
        fail(c, CAPTLS_ACME_ERR_CROSS_ORIGIN, CAPTLS_ERR_NO_AUTHORITY,
             r->status, "Location not on the directory's origin");
        return false;
    }
    memcpy(out, r->location.ptr, r->location.len);
    out[r->location.len] = '\0';
    return true;
}

static void on_account(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    char url[CAPTLS_ACME_URL_MAX];
    if (!location(c, r, url) || !parse_body(c, r, &d))
        return;
    /* §7.1.6: only a "valid" account may act */
    if (!status_is(&d, 0, "valid")) {
        fail(c, CAPTLS_ACME_ERR_ACCOUNT_STATUS, CAPTLS_ERR_AUTH_FAILED,
             r->status, "account is not valid");
        return;
    }
    memcpy(c->kid, url, strlen(url) + 1);
    progress(c, CAPTLS_ACME_STAGE_ACCOUNT,
             r->status == 201 ? "account created " : "account found ", c->kid,
             strlen(c->kid));
    c->state = CAPTLS_ACME_ST_DONE;
}

/* The "error" problem member of obj (if any) as the failure detail. */
static void fail_with_error_member(captls_acme_client *c,
                                   const captls_json_doc *d, size_t obj,
                                   captls_acme_error kind, const char *what)
{
    size_t e = 0;
    captls_acme_failure p;
    memset(&p, 0, sizeof(p));
    if (captls_json_member_typed(d, obj, "error", CAPTLS_JSON_OBJECT, &e) ==
            CAPTLS_OK &&
        captls_acme_problem_from_doc(d, e, &p) == CAPTLS_OK) {
        p.code = kind == CAPTLS_ACME_ERR_AUTHZ_INVALID ? CAPTLS_ERR_AUTH_FAILED
                                                       : p.code;
        fail_problem(c, kind, &p);
        return;
    }
    fail(c, kind, CAPTLS_ERR_AUTH_FAILED, 0, what);
}

/* An order object (after newOrder, finalize, or a poll). */
static void on_order(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    size_t arr = 0;
    if (c->state == CAPTLS_ACME_ST_NEW_ORDER && !location(c, r, c->order_url))
        return;
    if (!parse_body(c, r, &d) ||
        !member_url(c, &d, 0, "finalize", c->finalize_url, true) ||
        !member_url(c, &d, 0, "certificate", c->cert_url, false))
        return;
    if (c->state == CAPTLS_ACME_ST_NEW_ORDER) {
        if (captls_json_member_typed(&d, 0, "authorizations",
                                     CAPTLS_JSON_ARRAY, &arr) != CAPTLS_OK ||
            c->tok[arr].size == 0 ||
            c->tok[arr].size > CAPTLS_ACME_MAX_IDENTIFIERS) {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "authorizations: 1..8 URLs expected");
            return;
        }
        c->nauthz = c->tok[arr].size;
        for (size_t i = 0, t = arr + 1; i < c->nauthz; i++, t = c->tok[t].next) {
            char *u = c->authz[i];
            size_t n = 0;
            if (captls_json_get_string(&d, t, (uint8_t *)u,
                                       CAPTLS_ACME_URL_MAX - 1,
                                       &n) != CAPTLS_OK ||
                has_nul(u, n)) {
                fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                     r->status, "authorization URL");
                return;
            }
            u[n] = '\0';
            if (!url_on_origin(c, u, n)) {
                fail(c, CAPTLS_ACME_ERR_CROSS_ORIGIN, CAPTLS_ERR_NO_AUTHORITY,
                     r->status, "authorization URL not on the origin");
                return;
            }
        }
        c->cur_authz = 0;
        progress(c, CAPTLS_ACME_STAGE_ORDER, "order ", c->order_url,
                 strlen(c->order_url));
    }
    if (status_is(&d, 0, "invalid")) {
        fail_with_error_member(c, &d, 0, CAPTLS_ACME_ERR_ORDER_INVALID,
                               "order is invalid");
        return;
    }
    if (status_is(&d, 0, "valid")) {
        if (c->cert_url[0] == '\0') {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "valid order without a certificate URL");
            return;
        }
        c->state = CAPTLS_ACME_ST_DOWNLOAD;
        return;
    }
    if (c->state == CAPTLS_ACME_ST_NEW_ORDER) {
        if (status_is(&d, 0, "pending")) {
            c->state = CAPTLS_ACME_ST_AUTHZ;
        } else if (status_is(&d, 0, "ready")) {
            c->state = CAPTLS_ACME_ST_FINALIZE;
        } else if (status_is(&d, 0, "processing")) {
            c->polls = 0;
            if (poll_wait(c, r->retry_after))
                c->state = CAPTLS_ACME_ST_ORDER_POLL;
        } else {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "order status");
        }
        return;
    }
    /* after finalize: processing (or ready, not yet picked up) -> poll */
    if (status_is(&d, 0, "processing") || status_is(&d, 0, "ready")) {
        if (c->state == CAPTLS_ACME_ST_FINALIZE)
            c->polls = 0;
        if (poll_wait(c, r->retry_after))
            c->state = CAPTLS_ACME_ST_ORDER_POLL;
        return;
    }
    fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED, r->status,
         "order status after finalize");
}

static void next_authz(captls_acme_client *c)
{
    c->cur_authz++;
    c->state = c->cur_authz < c->nauthz ? CAPTLS_ACME_ST_AUTHZ
                                        : CAPTLS_ACME_ST_FINALIZE;
}

/* Picks the first type in the solver's order the server offers pending,
 * publishes it and moves to CHALLENGE. */
static void choose_and_solve(captls_acme_client *c, const captls_json_doc *d,
                             size_t chals)
{
    captls_acme_challenge_type types[4];
    size_t nt = c->solver.supports(c->solver.ctx, types, 4);
    if (nt > 4)
        nt = 4;
    for (size_t k = 0; k < nt; k++) {
        const char *name = captls_acme_challenge_type_name(types[k]);
        if (name == NULL)
            continue;
        for (size_t i = 0, t = chals + 1; i < c->tok[chals].size;
             i++, t = c->tok[t].next) {
            size_t ty = 0;
            if (captls_json_type_of(d, t) != CAPTLS_JSON_OBJECT ||
                captls_json_member_typed(d, t, "type", CAPTLS_JSON_STRING,
                                         &ty) != CAPTLS_OK ||
                !captls_json_string_equal(d, ty, name, strlen(name)))
                continue;
            if (!member_url(c, d, t, "url", c->chall_url, true))
                return;
            if (member_str(d, t, "token", c->token, sizeof(c->token)) !=
                CAPTLS_OK) {
                fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED, 0,
                     "challenge token");
                return;
            }
            size_t kl = 0;
            /* §8.1 keyAuthorization = token "." thumbprint(account key);
             * the token is checked to be base64url there (§8.3) */
            captls_result r = captls_acme_key_authorization(
                c->token, strlen(c->token), &c->acct.pub, c->key_auth,
                sizeof(c->key_auth) - 1, &kl);
            if (r != CAPTLS_OK) {
                fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, r, 0, "challenge token");
                return;
            }
            c->key_auth[kl] = '\0';
            c->chall_type = types[k];
            captls_acme_challenge ch;
            memset(&ch, 0, sizeof(ch));
            ch.type = types[k];
            ch.identifier.type = c->authz_id.type;
            ch.identifier.type_len = strlen(c->authz_id.type);
            ch.identifier.value = c->authz_id.value;
            ch.identifier.value_len = c->authz_id.value_len;
            ch.wildcard = c->authz_wildcard;
            ch.token = c->token;
            ch.token_len = strlen(c->token);
            ch.key_authorization = c->key_auth;
            ch.key_authorization_len = kl;
            r = c->solver.solve(c->solver.ctx, &ch);
            if (r != CAPTLS_OK) {
                fail(c, CAPTLS_ACME_ERR_SOLVER, r, 0, name);
                return;
            }
            c->solved = true;
            progress(c, CAPTLS_ACME_STAGE_CHALLENGE, name, " published", 10);
            c->state = CAPTLS_ACME_ST_CHALLENGE;
            return;
        }
    }
    fail(c, CAPTLS_ACME_ERR_NO_CHALLENGE, CAPTLS_ERR_UNSUPPORTED, 0,
         "no offered challenge type is supported by the solver");
}

/* True iff the authorization's identifier is one we asked for (a server
 * must not make our solver publish for another name). */
static bool authz_identifier_ok(captls_acme_client *c,
                                const captls_json_doc *d)
{
    size_t idt = 0;
    char type[8], value[CAPTLS_CSR_MAX_NAME_LEN + 1];
    bool wild = false;
    if (captls_json_member_typed(d, 0, "identifier", CAPTLS_JSON_OBJECT,
                                 &idt) != CAPTLS_OK ||
        member_str(d, idt, "type", type, sizeof(type)) != CAPTLS_OK ||
        member_str(d, idt, "value", value, sizeof(value)) != CAPTLS_OK)
        return false;
    captls_result wr = captls_json_member_bool(d, 0, "wildcard", &wild);
    if (wr != CAPTLS_OK && wr != CAPTLS_ERR_NOT_FOUND)
        return false;
    size_t vl = strlen(value);
    for (size_t i = 0; i < c->nids; i++) {
        const captls_acme_ident_copy *id = &c->ids[i];
        /* §7.1.4: a wildcard's authorization names the base domain */
        const char *want = id->value;
        size_t wl = id->value_len;
        bool is_wild = wl > 2 && want[0] == '*' && want[1] == '.';
        if (is_wild != wild)
            continue;
        if (is_wild) {
            want += 2;
            wl -= 2;
        }
        if (strlen(type) != strlen(id->type) ||
            memcmp(type, id->type, strlen(type)) != 0 || wl != vl)
            continue;
        bool eq = true;
        for (size_t k = 0; k < vl && eq; k++) {
            char a = want[k], b = value[k];
            a = a >= 'A' && a <= 'Z' ? (char)(a + 32) : a;
            b = b >= 'A' && b <= 'Z' ? (char)(b + 32) : b;
            eq = a == b;
        }
        if (eq) {
            c->authz_wildcard = wild;
            return ident_copy(&c->authz_id, type, strlen(type), value, vl);
        }
    }
    return false;
}

static void on_authz(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    size_t chals = 0;
    if (!parse_body(c, r, &d))
        return;
    if (c->state == CAPTLS_ACME_ST_AUTHZ) {
        if (!authz_identifier_ok(c, &d)) {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "authorization for an identifier not ordered");
            return;
        }
        progress(c, CAPTLS_ACME_STAGE_AUTHORIZATION, "authorization ",
                 c->authz_id.value, c->authz_id.value_len);
    }
    if (status_is(&d, 0, "valid")) {
        solver_cleanup(c);
        next_authz(c);
        return;
    }
    if (status_is(&d, 0, "pending")) {
        if (c->state == CAPTLS_ACME_ST_AUTHZ_POLL) {
            (void)poll_wait(c, r->retry_after);
            return;
        }
        if (captls_json_member_typed(&d, 0, "challenges", CAPTLS_JSON_ARRAY,
                                     &chals) != CAPTLS_OK) {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "authorization without challenges");
            return;
        }
        choose_and_solve(c, &d, chals);
        return;
    }
    /* invalid, deactivated, expired, revoked: the detail is the error of
     * the challenge we answered, when the server gives one */
    if (captls_json_member_typed(&d, 0, "challenges", CAPTLS_JSON_ARRAY,
                                 &chals) == CAPTLS_OK) {
        for (size_t i = 0, t = chals + 1; i < c->tok[chals].size;
             i++, t = c->tok[t].next) {
            size_t u = 0;
            if (captls_json_type_of(&d, t) == CAPTLS_JSON_OBJECT &&
                captls_json_member_typed(&d, t, "url", CAPTLS_JSON_STRING,
                                         &u) == CAPTLS_OK &&
                captls_json_string_equal(&d, u, c->chall_url,
                                         strlen(c->chall_url))) {
                fail_with_error_member(c, &d, t, CAPTLS_ACME_ERR_AUTHZ_INVALID,
                                       "authorization is not valid");
                return;
            }
        }
    }
    fail(c, CAPTLS_ACME_ERR_AUTHZ_INVALID, CAPTLS_ERR_AUTH_FAILED, r->status,
         "authorization is not valid");
}

static void on_challenge(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    if (!parse_body(c, r, &d))
        return;
    if (status_is(&d, 0, "invalid")) {
        fail_with_error_member(c, &d, 0, CAPTLS_ACME_ERR_AUTHZ_INVALID,
                               "challenge is invalid");
        return;
    }
    c->polls = 0;
    if (poll_wait(c, r->retry_after))
        c->state = CAPTLS_ACME_ST_AUTHZ_POLL;
}

static bool ctype_is(const captls_acme_text *t, const char *want)
{
    size_t n = strlen(want);
    if (t->ptr == NULL || t->len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = t->ptr[i];
        a = a >= 'A' && a <= 'Z' ? (char)(a + 32) : a;
        if (a != want[i])
            return false;
    }
    /* RFC 9110 §8.3.1: parameters may follow after ';' */
    return t->len == n || t->ptr[n] == ';' || t->ptr[n] == ' ';
}

/* The leaf's key is the certificate key's (the CSR's). */
static bool leaf_key_matches(const captls_acme_client *c,
                             const captls_certificate *leaf)
{
    uint8_t pt[65];
    if (c->cert.pub.type == CAPTLS_JWK_EC_P256)
        return leaf->key.type == CAPTLS_KEY_EC_P256 &&
               leaf->key.point.len == 65 &&
               captls_jwk_p256_point(&c->cert.pub, pt) == CAPTLS_OK &&
               memcmp(pt, leaf->key.point.ptr, 65) == 0;
    if (c->cert.pub.type == CAPTLS_JWK_ED25519)
        return leaf->key.type == CAPTLS_KEY_ED25519 &&
               leaf->key.point.len == 32 &&
               memcmp(c->cert.pub.x, leaf->key.point.ptr, 32) == 0;
    return false;
}

static bool san_has(const captls_certificate *leaf, const char *name,
                    size_t n)
{
    for (size_t i = 0; i < leaf->san_count; i++) {
        const captls_general_name *g = &leaf->san[i];
        if (g->type != CAPTLS_GN_DNS || g->value.len != n)
            continue;
        bool eq = true;
        for (size_t k = 0; k < n && eq; k++) {
            char a = (char)g->value.ptr[k], b = name[k];
            a = a >= 'A' && a <= 'Z' ? (char)(a + 32) : a;
            b = b >= 'A' && b <= 'Z' ? (char)(b + 32) : b;
            eq = a == b;
        }
        if (eq)
            return true;
    }
    return false;
}

static bool parse_chain(captls_acme_client *c, const captls_acme_response *r)
{
    size_t pos = 0, used = 0;
    captls_pem_block b;
    c->ncerts = 0;
    for (;;) {
        captls_result res = captls_pem_next(r->body, r->body_len, &pos, &b);
        if (res == CAPTLS_EOF)
            break;
        size_t n = 0;
        if (res != CAPTLS_OK || !captls_pem_label_is(&b, "CERTIFICATE")) {
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "certificate chain is not PEM certificates");
            return false;
        }
        if (c->ncerts == CAPTLS_ACME_MAX_CHAIN) {
            fail(c, CAPTLS_ACME_ERR_OVERSIZED, CAPTLS_ERR_LIMIT_EXCEEDED,
                 r->status, "more than 4 certificates");
            return false;
        }
        res = captls_pem_decode(&b, c->chain_der + used,
                                sizeof(c->chain_der) - used, &n);
        if (res == CAPTLS_OK)
            res = captls_certificate_parse(&c->certs[c->ncerts],
                                           c->chain_der + used, n, NULL);
        if (res != CAPTLS_OK) {
            fail(c, res == CAPTLS_ERR_BUFFER_TOO_SMALL
                        ? CAPTLS_ACME_ERR_OVERSIZED
                        : CAPTLS_ACME_ERR_BAD_RESPONSE,
                 res, r->status, "certificate in the chain");
            return false;
        }
        used += n;
        c->ncerts++;
    }
    if (c->ncerts == 0) {
        fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED, r->status,
             "empty certificate chain");
        return false;
    }
    return true;
}

static void on_certificate(captls_acme_client *c,
                           const captls_acme_response *r)
{
    captls_wall_time now;
    const captls_certificate *pool[CAPTLS_ACME_MAX_CHAIN];
    captls_verify_request vr;
    if (!ctype_is(&r->content_type, PEM_CHAIN)) {
        fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED, r->status,
             "certificate is not application/pem-certificate-chain");
        return;
    }
    if (!parse_chain(c, r) || !wall_now(c, &now))
        return;
    progress(c, CAPTLS_ACME_STAGE_DOWNLOAD, "downloaded ", c->cert_url,
             strlen(c->cert_url));
    const captls_certificate *leaf = &c->certs[0];
    for (size_t i = 1; i < c->ncerts; i++)
        pool[i - 1] = &c->certs[i];
    memset(&vr, 0, sizeof(vr));
    vr.leaf = leaf;
    vr.intermediates = pool;
    vr.intermediate_count = c->ncerts - 1;
    vr.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    vr.at_epoch_seconds = now.epoch_seconds;
    vr.clock_provenance = now.provenance;
    /* the verifier's name check runs for the first non-wildcard name (a
     * reference name has no '*'); every ordered name, wildcards included,
     * must then be in the leaf's SAN as ordered (san_has below) */
    for (size_t i = 0; i < c->nids; i++)
        if (c->ids[i].value[0] != '*') {
            vr.hostname = c->ids[i].value;
            vr.hostname_len = c->ids[i].value_len;
            break;
        }
    captls_result res = captls_cert_verifier_verify_chain(
        c->cfg.verifier, c->cfg.owner, c->cfg.ca_roots, &vr, &c->outcome);
    if (res != CAPTLS_OK || !c->outcome.valid) {
        fail_sanitized(c, CAPTLS_ACME_ERR_CHAIN_UNVERIFIED,
                       res != CAPTLS_OK ? res : CAPTLS_ERR_VERIFY_FAILED,
                       r->status,
                       res != CAPTLS_OK ? "verifier refused"
                                        : c->outcome.detail);
        return;
    }
    for (size_t i = 0; i < c->nids; i++)
        if (!san_has(leaf, c->ids[i].value, c->ids[i].value_len)) {
            fail(c, CAPTLS_ACME_ERR_CHAIN_UNVERIFIED, CAPTLS_ERR_VERIFY_FAILED,
                 r->status, "leaf lacks an ordered name");
            return;
        }
    if (!leaf_key_matches(c, leaf)) {
        fail(c, CAPTLS_ACME_ERR_KEY_MISMATCH, CAPTLS_ERR_PIN_MISMATCH,
             r->status, "leaf key is not the certificate key");
        return;
    }
    progress(c, CAPTLS_ACME_STAGE_VERIFIED, "chain verified for ",
             c->ids[0].value, c->ids[0].value_len);
    captls_slice slices[CAPTLS_ACME_MAX_CHAIN];
    for (size_t i = 0; i < c->ncerts; i++)
        slices[i] = c->certs[i].der;
    res = captls_cert_store_put(c->cfg.store, c->cfg.owner, c->cfg.store_cap,
                                c->store_handle, slices, c->ncerts,
                                leaf->spki_raw.ptr, leaf->spki_raw.len,
                                &c->stored_version);
    if (res != CAPTLS_OK) {
        fail(c, CAPTLS_ACME_ERR_STORE, res, 0, "CertificateStore.put refused");
        return;
    }
    progress(c, CAPTLS_ACME_STAGE_STORED, "stored as ", c->store_handle,
             strlen(c->store_handle));
    if (c->op == CAPTLS_ACME_OP_RENEW)
        c->renewal.renewed = true;
    c->state = CAPTLS_ACME_ST_DONE;
}

static void on_ari(captls_acme_client *c, const captls_acme_response *r)
{
    captls_json_doc d;
    captls_json_error e;
    size_t w = 0, s = 0;
    int64_t start = 0;
    /* RFC 9773 §4.2: suggestedWindow {start, end}; anything unusable
     * falls back to the lifetime fraction */
    if (r->status == 200 &&
        captls_json_parse((const char *)r->body, r->body_len, c->tok,
                          CAPTLS_ACME_JSON_TOKENS, &d, &e) == CAPTLS_OK &&
        captls_json_member_typed(&d, 0, "suggestedWindow", CAPTLS_JSON_OBJECT,
                                 &w) == CAPTLS_OK &&
        captls_json_member_typed(&d, w, "start", CAPTLS_JSON_STRING, &s) ==
            CAPTLS_OK &&
        captls_acme_rfc3339_parse(d.text + d.tok[s].start,
                                  d.tok[s].end - d.tok[s].start,
                                  &start) == CAPTLS_OK) {
        c->renewal.due_at = start;
        c->renewal.ari_used = true;
    } else {
        c->replaces[0] = '\0';
    }
    renew_decide(c);
}

static void on_error(captls_acme_client *c, const captls_acme_response *r,
                     bool post_req)
{
    captls_acme_failure p;
    memset(&p, 0, sizeof(p));
    p.http_status = r->status;
    if (captls_acme_problem_parse(r->body, r->body_len, c->tok,
                                  CAPTLS_ACME_JSON_TOKENS, &p) != CAPTLS_OK)
        captls_acme_failure_set(&p, CAPTLS_ACME_ERR_HTTP_STATUS,
                                r->status >= 500 ? CAPTLS_ERR_IO
                                                 : CAPTLS_ERR_MALFORMED,
                                r->status, "HTTP error without a problem",
                                sizeof("HTTP error without a problem") - 1);
    p.http_status = r->status;
    if (p.kind == CAPTLS_ACME_ERR_BAD_NONCE && post_req) {
        /* RFC 8555 §6.5: retry with the nonce this response carried */
        if (c->bad_nonce < CAPTLS_ACME_BAD_NONCE_RETRIES) {
            c->bad_nonce++;
            progress(c, CAPTLS_ACME_STAGE_RETRY, "badNonce: retrying", NULL, 0);
            return;
        }
        fail_problem(c, CAPTLS_ACME_ERR_BAD_NONCE, &p);
        return;
    }
    if (p.kind == CAPTLS_ACME_ERR_RATE_LIMITED || r->status == 429) {
        int64_t ra = r->retry_after >= 0 ? r->retry_after
                                         : CAPTLS_ACME_DEFAULT_BACKOFF;
        if (c->rate >= CAPTLS_ACME_RATE_RETRIES ||
            ra > (int64_t)CAPTLS_ACME_MAX_WAIT) {
            fail_problem(c, CAPTLS_ACME_ERR_RATE_LIMITED, &p);
            return;
        }
        c->rate++;
        progress(c, CAPTLS_ACME_STAGE_RETRY, "rateLimited: backing off", NULL,
                 0);
        (void)schedule_wait(c, ra < 1 ? 1 : (uint32_t)ra);
        return;
    }
    if (r->status >= 500 || p.kind == CAPTLS_ACME_ERR_SERVER_INTERNAL) {
        if (c->server >= CAPTLS_ACME_SERVER_RETRIES) {
            fail_problem(c, p.kind, &p);
            return;
        }
        int64_t ra = r->retry_after >= 0 ? r->retry_after
                                         : (int64_t)1 << c->server;
        if (ra > (int64_t)CAPTLS_ACME_MAX_WAIT)
            ra = CAPTLS_ACME_MAX_WAIT;
        c->server++;
        progress(c, CAPTLS_ACME_STAGE_RETRY, "server error: retrying", NULL,
                 0);
        (void)schedule_wait(c, ra < 1 ? 1 : (uint32_t)ra);
        return;
    }
    fail_problem(c, p.kind, &p);
}

captls_result captls_acme_on_response(captls_acme_client *c,
                                      const captls_acme_response *r)
{
    if (c == NULL || c->magic != ACME_MAGIC || c->sent == SENT_NONE)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    uint8_t sent = c->sent;
    c->sent = SENT_NONE;
    if (r == NULL) {
        fail(c, CAPTLS_ACME_ERR_TRANSPORT, CAPTLS_ERR_INVALID_ARGUMENT, 0,
             "no response");
        return CAPTLS_OK;
    }
    if (r->body_truncated || r->body_len > CAPTLS_ACME_BODY_MAX ||
        (r->body == NULL && r->body_len > 0)) {
        fail(c, CAPTLS_ACME_ERR_OVERSIZED, CAPTLS_ERR_LIMIT_EXCEEDED,
             r->status, "response body over its bound");
        return CAPTLS_OK;
    }
    /* §6.5: every response may carry the next nonce, errors included */
    if (captls_acme_nonce_valid(r->replay_nonce.ptr, r->replay_nonce.len)) {
        memcpy(c->nonce, r->replay_nonce.ptr, r->replay_nonce.len);
        c->nonce[r->replay_nonce.len] = '\0';
    }
    if (r->status >= 300 && r->status < 400) {
        bool elsewhere =
            r->location.ptr != NULL &&
            !url_on_origin(c, r->location.ptr, r->location.len);
        fail(c, elsewhere ? CAPTLS_ACME_ERR_CROSS_ORIGIN
                          : CAPTLS_ACME_ERR_REDIRECT,
             CAPTLS_ERR_NO_AUTHORITY, r->status,
             elsewhere ? "redirect to another origin refused"
                       : "redirect refused");
        return CAPTLS_OK;
    }
    if (sent == SENT_MAIN && c->state == CAPTLS_ACME_ST_ARI) {
        on_ari(c, r);
        return CAPTLS_OK;
    }
    if (r->status < 200 || r->status >= 300) {
        on_error(c, r, sent == SENT_MAIN);
        return CAPTLS_OK;
    }
    if (sent == SENT_DIRECTORY) {
        on_directory(c, r);
        return CAPTLS_OK;
    }
    if (sent == SENT_NONCE) {
        if (c->nonce[0] == '\0')
            fail(c, CAPTLS_ACME_ERR_BAD_RESPONSE, CAPTLS_ERR_MALFORMED,
                 r->status, "newNonce gave no Replay-Nonce");
        return CAPTLS_OK;
    }
    c->bad_nonce = c->rate = c->server = 0;
    switch (c->state) {
    case CAPTLS_ACME_ST_ACCOUNT:
        on_account(c, r);
        break;
    case CAPTLS_ACME_ST_NEW_ORDER:
    case CAPTLS_ACME_ST_FINALIZE:
    case CAPTLS_ACME_ST_ORDER_POLL:
        on_order(c, r);
        break;
    case CAPTLS_ACME_ST_AUTHZ:
    case CAPTLS_ACME_ST_AUTHZ_POLL:
        on_authz(c, r);
        break;
    case CAPTLS_ACME_ST_CHALLENGE:
        on_challenge(c, r);
        break;
    case CAPTLS_ACME_ST_DOWNLOAD:
        on_certificate(c, r);
        break;
    case CAPTLS_ACME_ST_REVOKE:
        progress(c, CAPTLS_ACME_STAGE_REVOKED, "revoked", NULL, 0);
        c->state = CAPTLS_ACME_ST_DONE;
        break;
    default:
        fail(c, CAPTLS_ACME_ERR_USAGE, CAPTLS_ERR_INTERNAL, 0, "bad state");
        break;
    }
    return CAPTLS_OK;
}

void captls_acme_transport_failed(captls_acme_client *c, captls_result code)
{
    if (c == NULL || c->magic != ACME_MAGIC || c->sent == SENT_NONE)
        return;
    c->sent = SENT_NONE;
    fail(c, CAPTLS_ACME_ERR_TRANSPORT, code, 0, captls_result_name(code));
}

captls_acme_step captls_acme_run(captls_acme_client *c,
                                 const captls_acme_transport *t,
                                 uint32_t *wait_seconds)
{
    captls_acme_request req;
    captls_acme_response resp;
    if (c == NULL || t == NULL || t->exchange == NULL)
        return CAPTLS_ACME_STEP_FAILED;
    for (;;) { /* bounded by CAPTLS_ACME_MAX_EXCHANGES inside next() */
        captls_acme_step s = captls_acme_next(c, &req, wait_seconds);
        if (s != CAPTLS_ACME_STEP_SEND)
            return s;
        memset(&resp, 0, sizeof(resp));
        resp.retry_after = -1;
        captls_result r =
            t->exchange(t->ctx, &req, c->body, sizeof(c->body), &resp);
        if (r != CAPTLS_OK)
            captls_acme_transport_failed(c, r);
        else if (captls_acme_on_response(c, &resp) != CAPTLS_OK)
            return CAPTLS_ACME_STEP_FAILED;
    }
}

/* ---- results ------------------------------------------------------- */

const captls_acme_failure *captls_acme_last_failure(const captls_acme_client *c)
{
    return c != NULL ? &c->fail : NULL;
}

const captls_acme_directory *captls_acme_directory_info(
    const captls_acme_client *c)
{
    return c != NULL && c->have_dir ? &c->dir : NULL;
}

const char *captls_acme_account_url(const captls_acme_client *c)
{
    return c != NULL ? c->kid : "";
}

captls_result captls_acme_set_account_url(captls_acme_client *c,
                                          const char *url)
{
    if (c == NULL || c->magic != ACME_MAGIC || url == NULL || busy(c))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t n = strlen(url);
    if (n >= sizeof(c->kid) || !url_on_origin(c, url, n))
        return CAPTLS_ERR_MALFORMED;
    memcpy(c->kid, url, n + 1);
    return CAPTLS_OK;
}

uint64_t captls_acme_stored_version(const captls_acme_client *c)
{
    return c != NULL ? c->stored_version : 0;
}

const char *captls_acme_certificate_url(const captls_acme_client *c)
{
    return c != NULL ? c->cert_url : "";
}

const captls_acme_renewal *captls_acme_renewal_result(
    const captls_acme_client *c)
{
    return c != NULL ? &c->renewal : NULL;
}
