/* core/acme/test_fake_ca.h — a scripted fake ACME CA for the AcmeClient
 * tests: it implements captls_acme_transport and checks every JWS it
 * receives the way an RFC 8555 server must (each nonce it issued used at
 * most once, the protected "url" equal to the request URL, "jwk" for
 * newAccount and "kid" = the account URL otherwise, the signature valid
 * under that key), validates http-01 by reading what the test solver
 * published, and issues real certificates with OpenSSL from the CSR it is
 * given (a root CA it generates; or, scripted, another root or another
 * key). The request checks (nonces, url, jwk/kid, signature) are
 * core/acme/acme_server.h's, shared with the simulator's CA
 * (sim/prog_acme_ca.c). Faults are scripted by counters (badNonce, 500, 429, pending
 * polls, invalid challenge / order, malformed or oversized bodies,
 * redirects and other origins). Host only (OpenSSL, stdio); header-only. */
#ifndef CAPTLS_ACME_TEST_FAKE_CA_H
#define CAPTLS_ACME_TEST_FAKE_CA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conformance/testkit.h"
#include "core/acme/acme_client.h"
#include "core/acme/acme_server.h"
#include "core/acme/jws.h"
#include "core/base/base64url.h"

#define CA_BASE "https://ca.test"
#define CA_ACCT CA_BASE "/acct/1"

/* ---- the test solver ------------------------------------------------ */
typedef struct test_solver {
    captls_acme_challenge_type types[3];
    size_t ntypes;
    int solves, cleanups, live;
    captls_result fail_with;
    char token[2][160];
    char key_auth[2][256];
    char ident[2][300];
    int n;
} test_solver;

static size_t ts_supports(void *ctx, captls_acme_challenge_type *t, size_t max)
{
    test_solver *s = ctx;
    size_t n = s->ntypes < max ? s->ntypes : max;
    memcpy(t, s->types, n * sizeof(*t));
    return n;
}

static captls_result ts_solve(void *ctx, const captls_acme_challenge *ch)
{
    test_solver *s = ctx;
    if (s->fail_with != CAPTLS_OK)
        return s->fail_with;
    int i = s->n++ % 2;
    snprintf(s->token[i], sizeof s->token[i], "%.*s", (int)ch->token_len,
             ch->token);
    snprintf(s->key_auth[i], sizeof s->key_auth[i], "%.*s",
             (int)ch->key_authorization_len, ch->key_authorization);
    snprintf(s->ident[i], sizeof s->ident[i], "%.*s",
             (int)ch->identifier.value_len, ch->identifier.value);
    s->solves++;
    s->live++;
    return CAPTLS_OK;
}

static void ts_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    test_solver *s = ctx;
    (void)ch;
    s->cleanups++;
    s->live--;
}

static void test_solver_init(test_solver *s, captls_acme_solver *vt)
{
    memset(s, 0, sizeof(*s));
    s->types[0] = CAPTLS_ACME_CHALLENGE_HTTP01;
    s->ntypes = 1;
    vt->ctx = s;
    vt->supports = ts_supports;
    vt->solve = ts_solve;
    vt->cleanup = ts_cleanup;
}

/* ---- the fake CA ----------------------------------------------------- */
typedef struct fake_ca {
    /* script */
    int bad_nonce;          /* the next N signed POSTs: badNonce */
    int server_errors;      /* the next N requests: 500 serverInternal */
    int rate_limited;       /* the next N POSTs: 429 rateLimited */
    int64_t rate_retry_after;
    int authz_pending_polls; /* polls answered "pending" after respond */
    int order_processing_polls;
    int challenge_fails;    /* authorizations end invalid */
    int order_invalid;      /* finalize turns the order invalid */
    int chain_mode;         /* 0 good, 1 another root, 2 another key */
    int malformed_order;    /* newOrder body is cut JSON */
    int oversized_authz;    /* authorization body larger than the buffer */
    int redirect_order;     /* newOrder: 302 to another host */
    int evil_directory;     /* directory's newOrder on another host */
    int evil_location;      /* newOrder's Location on another host */
    int offer_ari;          /* directory has renewalInfo */
    int64_t ari_start;
    /* state */
    int64_t *now;
    test_solver *solver;
    captls_acme_srv_nonces nonces;
    captls_acme_srv_scratch srv;
    int have_account;
    captls_jwk account;
    char names[8][256];
    int nnames;
    char tokens[8][48];
    int answered[8];
    int authz_polls[8];
    int order_status; /* 0 pending 1 ready 2 processing 3 valid 4 invalid */
    int order_polls;
    char pem[16384];
    size_t pem_len;
    unsigned char leaf_der[4096];
    int leaf_len;
    char replaces[512];
    char ari_seen[512];
    int revoked, revoke_reason;
    /* observations */
    int requests, posts, offorigin, jws_failures, nonce_rejects;
    int badnonce_sent, finalizes;
    /* response header storage */
    char h_nonce[CAPTLS_ACME_SRV_NONCE_MAX + 1], h_loc[512], h_ctype[64];
    /* keys */
    EVP_PKEY *ca_key, *other_key;
    X509 *ca_cert, *other_cert;
    unsigned char root_der[2048];
    int root_len;
} fake_ca;

static X509 *ca_make_root(EVP_PKEY *key, const char *cn, int64_t now)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX v3;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_NAME_free(n);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 86400));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + 3650 * 86400LL));
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    const char *exts[][2] = {{"basicConstraints", "critical,CA:TRUE"},
                             {"keyUsage", "critical,keyCertSign,cRLSign"},
                             {"subjectKeyIdentifier", "hash"}};
    for (size_t i = 0; i < 3; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, key, EVP_sha256());
    return x;
}

static void fake_ca_init(fake_ca *ca, int64_t *now, test_solver *s)
{
    memset(ca, 0, sizeof(*ca));
    ca->now = now;
    ca->solver = s;
    if (captls_acme_srv_nonces_init(&ca->nonces, "nonce") != CAPTLS_OK)
        abort();
    ca->ca_key = captls_test_keygen("EC", "P-256", 0);
    ca->other_key = captls_test_keygen("EC", "P-256", 0);
    ca->ca_cert = ca_make_root(ca->ca_key, "Fake ACME Root", *now);
    ca->other_cert = ca_make_root(ca->other_key, "Fake ACME Root", *now);
    unsigned char *p = ca->root_der;
    ca->root_len = i2d_X509(ca->ca_cert, &p);
}

static void fake_ca_free(fake_ca *ca)
{
    EVP_PKEY_free(ca->ca_key);
    EVP_PKEY_free(ca->other_key);
    X509_free(ca->ca_cert);
    X509_free(ca->other_cert);
}

static void ca_new_nonce(fake_ca *ca, captls_acme_response *r)
{
    size_t n = captls_acme_srv_nonce_issue(&ca->nonces, ca->h_nonce);
    r->replay_nonce.ptr = ca->h_nonce;
    r->replay_nonce.len = n;
}

static void ca_body(captls_acme_response *r, uint8_t *buf, size_t cap,
                    const char *text, size_t len)
{
    if (len > cap) {
        r->body_truncated = true;
        len = cap;
    }
    memcpy(buf, text, len);
    r->body = buf;
    r->body_len = len;
}

static void ca_problem(fake_ca *ca, captls_acme_response *r, uint8_t *buf,
                       size_t cap, uint16_t status, const char *type,
                       const char *detail)
{
    char t[512];
    int n = snprintf(t, sizeof t,
                     "{\"type\":\"urn:ietf:params:acme:error:%s\","
                     "\"detail\":\"%s\",\"status\":%u}",
                     type, detail, status);
    r->status = status;
    snprintf(ca->h_ctype, sizeof ca->h_ctype, "application/problem+json");
    r->content_type.ptr = ca->h_ctype;
    r->content_type.len = strlen(ca->h_ctype);
    ca_body(r, buf, cap, t, (size_t)n);
}

static void ca_json(captls_acme_response *r, uint8_t *buf, size_t cap,
                    uint16_t status, const char *text)
{
    r->status = status;
    r->content_type.ptr = "application/json";
    r->content_type.len = 16;
    ca_body(r, buf, cap, text, strlen(text));
}

static void ca_location(fake_ca *ca, captls_acme_response *r, const char *u)
{
    snprintf(ca->h_loc, sizeof ca->h_loc, "%s", u);
    r->location.ptr = ca->h_loc;
    r->location.len = strlen(ca->h_loc);
}

static const char *ca_order_status(int s)
{
    static const char *const names[] = {"pending", "ready", "processing",
                                        "valid", "invalid"};
    return names[s];
}

static void ca_order_json(fake_ca *ca, char *out, size_t cap)
{
    int n = snprintf(out, cap, "{\"status\":\"%s\",\"identifiers\":[",
                     ca_order_status(ca->order_status));
    for (int i = 0; i < ca->nnames; i++)
        n += snprintf(out + n, cap - (size_t)n,
                      "%s{\"type\":\"dns\",\"value\":\"%s\"}", i ? "," : "",
                      ca->names[i]);
    n += snprintf(out + n, cap - (size_t)n, "],\"authorizations\":[");
    for (int i = 0; i < ca->nnames; i++)
        n += snprintf(out + n, cap - (size_t)n, "%s\"" CA_BASE "/authz/%d\"",
                      i ? "," : "", i);
    n += snprintf(out + n, cap - (size_t)n,
                  "],\"finalize\":\"" CA_BASE "/finalize/1\"");
    if (ca->order_status == 3)
        n += snprintf(out + n, cap - (size_t)n,
                      ",\"certificate\":\"" CA_BASE "/cert/1\"");
    if (ca->order_status == 4)
        n += snprintf(out + n, cap - (size_t)n,
                      ",\"error\":{\"type\":\"urn:ietf:params:acme:error:"
                      "badCSR\",\"detail\":\"refused by policy\"}");
    snprintf(out + n, cap - (size_t)n, "}");
}

/* http-01 validation: what the solver published must be token "."
 * thumbprint(account key) (RFC 8555 §8.1, §8.3). */
static int ca_validate(fake_ca *ca, int i)
{
    uint8_t tp[32];
    char b64[64], want[256];
    size_t bl = 0;
    if (captls_jwk_thumbprint(&ca->account, tp) != CAPTLS_OK ||
        captls_base64url_encode(tp, 32, b64, sizeof b64, &bl) != CAPTLS_OK)
        return 0;
    snprintf(want, sizeof want, "%s.%.*s", ca->tokens[i], (int)bl, b64);
    for (int k = 0; k < 2; k++)
        if (strcmp(ca->solver->token[k], ca->tokens[i]) == 0 &&
            strcmp(ca->solver->key_auth[k], want) == 0 && ca->solver->live > 0)
            return 1;
    return 0;
}

static void ca_authz_json(fake_ca *ca, int i, char *out, size_t cap)
{
    const char *st = "pending", *cst = "pending";
    char err[200] = "";
    if (ca->answered[i]) {
        if (ca->authz_polls[i] < ca->authz_pending_polls) {
            ca->authz_polls[i]++;
            cst = "processing";
        } else if (!ca->challenge_fails && ca->answered[i] == 1 &&
                   ca_validate(ca, i)) {
            st = cst = "valid";
        } else {
            st = cst = "invalid";
            snprintf(err, sizeof err,
                     ",\"error\":{\"type\":\"urn:ietf:params:acme:error:"
                     "incorrectResponse\",\"detail\":\"key authorization "
                     "mismatch\\u0007\"}");
        }
    }
    const char *name = ca->names[i];
    int wild = strncmp(name, "*.", 2) == 0;
    snprintf(out, cap,
             "{\"status\":\"%s\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"%s\"},%s\"challenges\":[{\"type\":\"dns-01\",\"url\":\""
             CA_BASE "/chall/%d/dns\",\"token\":\"%s\",\"status\":\"pending\"},"
             "{\"type\":\"http-01\",\"url\":\"" CA_BASE "/chall/%d\","
             "\"token\":\"%s\",\"status\":\"%s\"%s}]}",
             st, wild ? name + 2 : name, wild ? "\"wildcard\":true," : "", i,
             ca->tokens[i], i, ca->tokens[i], cst, err);
}

static void ca_issue(fake_ca *ca, const uint8_t *csr_der, size_t len)
{
    const unsigned char *p = csr_der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    if (req == NULL || X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) {
        ca->jws_failures++; /* a CSR that does not verify is our bug */
        X509_REQ_free(req);
        return;
    }
    X509 *x = X509_new();
    X509V3_CTX v3;
    X509 *issuer = ca->chain_mode == 1 ? ca->other_cert : ca->ca_cert;
    EVP_PKEY *ikey = ca->chain_mode == 1 ? ca->other_key : ca->ca_key;
    EVP_PKEY *other = NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1000 + ca->finalizes);
    X509_set_subject_name(x, X509_REQ_get_subject_name(req));
    X509_set_issuer_name(x, X509_get_subject_name(issuer));
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(*ca->now - 60));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(*ca->now + 90 * 86400LL));
    if (ca->chain_mode == 2) {
        other = captls_test_keygen("EC", "P-256", 0);
        X509_set_pubkey(x, other);
    } else {
        X509_set_pubkey(x, X509_REQ_get0_pubkey(req));
    }
    char san[2048];
    int n = 0;
    for (int i = 0; i < ca->nnames; i++)
        n += snprintf(san + n, sizeof san - (size_t)n, "%sDNS:%s",
                      i ? "," : "", ca->names[i]);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    const char *exts[][2] = {{"basicConstraints", "critical,CA:FALSE"},
                             {"keyUsage", "critical,digitalSignature"},
                             {"extendedKeyUsage", "serverAuth"},
                             {"authorityKeyIdentifier", "keyid:always"},
                             {"subjectAltName", san}};
    for (size_t i = 0; i < 5; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, ikey, EVP_sha256());
    unsigned char *q = ca->leaf_der;
    ca->leaf_len = i2d_X509(x, &q);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    PEM_write_bio_X509(b, issuer);
    ca->pem_len = (size_t)BIO_read(b, ca->pem, sizeof ca->pem);
    BIO_free(b);
    X509_free(x);
    X509_REQ_free(req);
    EVP_PKEY_free(other);
}

/* The RFC 9773 certID of the last issued leaf. */
static void ca_cert_id(fake_ca *ca, char *out, size_t cap)
{
    const unsigned char *p = ca->leaf_der;
    X509 *x = d2i_X509(NULL, &p, ca->leaf_len);
    const ASN1_OCTET_STRING *kid = X509_get0_authority_key_id(x);
    const ASN1_INTEGER *ser = X509_get0_serialNumber(x);
    unsigned char sd[32];
    unsigned char *sp = sd;
    int sl = i2d_ASN1_INTEGER(ser, &sp); /* tag, length, contents */
    size_t a = 0, b = 0;
    if (captls_base64url_encode(ASN1_STRING_get0_data(kid),
                                (size_t)ASN1_STRING_length(kid), out, cap,
                                &a) != CAPTLS_OK ||
        captls_base64url_encode(sd + 2, (size_t)sl - 2, out + a + 1,
                                cap - a - 1, &b) != CAPTLS_OK)
        abort();
    out[a] = '.';
    out[a + 1 + b] = '\0';
    X509_free(x);
}

/* Checks the JWS as a server must (core/acme/acme_server.h); returns 0
 * with the payload JSON (NUL-ended), -1 for a bad JWS (no account known
 * counts as one here), -2 for a bad nonce. */
static int ca_check_jws(fake_ca *ca, const captls_acme_request *req,
                        char *payload, size_t cap, int *payload_empty)
{
    size_t pl = 0;
    captls_jwk jwk;
    if (req->content_type == NULL ||
        strcmp(req->content_type, "application/jose+json") != 0)
        return -1;
    const char *path = req->url + strlen(CA_BASE);
    captls_acme_srv_request q;
    memset(&q, 0, sizeof q);
    q.url = req->url;
    q.url_len = req->url_len;
    q.body = req->body;
    q.body_len = req->body_len;
    q.new_account = strcmp(path, "/new-acct") == 0;
    q.account = ca->have_account ? &ca->account : NULL;
    q.account_url = CA_ACCT;
    q.account_url_len = strlen(CA_ACCT);
    captls_acme_srv_verdict v = captls_acme_srv_check(
        &ca->nonces, &ca->srv, &q, (uint8_t *)payload, cap - 1, &pl, &jwk);
    if (v == CAPTLS_ACME_SRV_BAD_NONCE)
        return -2;
    if (v != CAPTLS_ACME_SRV_OK)
        return -1;
    if (q.new_account && !ca->have_account)
        ca->account = jwk;
    payload[pl] = '\0';
    *payload_empty = pl == 0;
    return 0;
}

static captls_result ca_exchange(void *ctx, const captls_acme_request *req,
                                 uint8_t *buf, size_t cap,
                                 captls_acme_response *r)
{
    fake_ca *ca = ctx;
    static char t[80000], payload[16384];
    int empty = 0;
    ca->requests++;
    memset(r, 0, sizeof(*r));
    r->retry_after = -1;
    if (strncmp(req->url, CA_BASE "/", strlen(CA_BASE) + 1) != 0) {
        ca->offorigin++;
        return CAPTLS_ERR_CONN_REFUSED;
    }
    const char *path = req->url + strlen(CA_BASE);
    ca_new_nonce(ca, r);
    if (ca->server_errors > 0) {
        ca->server_errors--;
        ca_problem(ca, r, buf, cap, 500, "serverInternal", "try later");
        return CAPTLS_OK;
    }
    if (req->method == CAPTLS_ACME_GET && strcmp(path, "/dir") == 0) {
        snprintf(t, sizeof t,
                 "{\"newNonce\":\"" CA_BASE "/nonce\",\"newAccount\":\""
                 CA_BASE "/new-acct\",\"newOrder\":\"%s/new-order\","
                 "\"revokeCert\":\"" CA_BASE "/revoke\",\"keyChange\":\""
                 CA_BASE "/key-change\"%s,\"meta\":{\"termsOfService\":"
                 "\"https://ca.test/tos\",\"externalAccountRequired\":false}}",
                 ca->evil_directory ? "https://evil.test" : CA_BASE,
                 ca->offer_ari ? ",\"renewalInfo\":\"" CA_BASE "/ari\"" : "");
        ca_json(r, buf, cap, 200, t);
        return CAPTLS_OK;
    }
    if (req->method == CAPTLS_ACME_HEAD && strcmp(path, "/nonce") == 0) {
        r->status = 200;
        return CAPTLS_OK;
    }
    if (req->method == CAPTLS_ACME_GET && strncmp(path, "/ari/", 5) == 0) {
        char s[64];
        struct tm tmv;
        time_t st = (time_t)ca->ari_start, en = st + 86400;
        snprintf(ca->ari_seen, sizeof ca->ari_seen, "%s", path + 5);
        gmtime_r(&st, &tmv);
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        int n = snprintf(t, sizeof t, "{\"suggestedWindow\":{\"start\":\"%s\",",
                         s);
        gmtime_r(&en, &tmv);
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        snprintf(t + n, sizeof t - (size_t)n, "\"end\":\"%s\"}}", s);
        ca_json(r, buf, cap, 200, t);
        return CAPTLS_OK;
    }
    if (req->method != CAPTLS_ACME_POST) {
        ca_problem(ca, r, buf, cap, 405, "malformed", "method");
        return CAPTLS_OK;
    }
    ca->posts++;
    int jr = ca_check_jws(ca, req, payload, sizeof payload, &empty);
    if (jr == -1) {
        ca->jws_failures++;
        ca_problem(ca, r, buf, cap, 400, "malformed", "bad JWS");
        return CAPTLS_OK;
    }
    if (jr == -2) {
        ca->nonce_rejects++;
        ca_problem(ca, r, buf, cap, 400, "badNonce", "nonce reused");
        return CAPTLS_OK;
    }
    if (ca->bad_nonce > 0) {
        ca->bad_nonce--;
        ca->badnonce_sent++;
        ca_problem(ca, r, buf, cap, 400, "badNonce", "scripted");
        return CAPTLS_OK;
    }
    if (ca->rate_limited > 0) {
        ca->rate_limited--;
        r->retry_after = ca->rate_retry_after;
        ca_problem(ca, r, buf, cap, 429, "rateLimited", "slow down");
        return CAPTLS_OK;
    }
    if (strcmp(path, "/new-acct") == 0) {
        int existing = ca->have_account;
        if (strstr(payload, "\"onlyReturnExisting\":true") && !existing) {
            ca_problem(ca, r, buf, cap, 400, "accountDoesNotExist", "none");
            return CAPTLS_OK;
        }
        ca->have_account = 1;
        ca_location(ca, r, CA_ACCT);
        ca_json(r, buf, cap, existing ? 200 : 201,
                "{\"status\":\"valid\",\"contact\":[]}");
        return CAPTLS_OK;
    }
    if (strcmp(path, "/new-order") == 0) {
        if (ca->redirect_order) {
            r->status = 302;
            ca_location(ca, r, "https://evil.test/order");
            return CAPTLS_OK;
        }
        /* identifiers, in the client's canonical form */
        ca->nnames = 0;
        const char *p = payload;
        while ((p = strstr(p, "\"value\":\"")) != NULL && ca->nnames < 8) {
            p += 9;
            const char *e = strchr(p, '"');
            snprintf(ca->names[ca->nnames], sizeof ca->names[0], "%.*s",
                     (int)(e - p), p);
            snprintf(ca->tokens[ca->nnames], sizeof ca->tokens[0],
                     "tok%d_%u-abcDEF", ca->nnames, ca->nonces.counter);
            ca->answered[ca->nnames] = 0;
            ca->authz_polls[ca->nnames] = 0;
            ca->nnames++;
        }
        const char *rp = strstr(payload, "\"replaces\":\"");
        ca->replaces[0] = '\0';
        if (rp != NULL)
            snprintf(ca->replaces, sizeof ca->replaces, "%.*s",
                     (int)(strchr(rp + 12, '"') - rp - 12), rp + 12);
        ca->order_status = 0;
        ca->order_polls = 0;
        ca_location(ca, r, ca->evil_location ? "https://evil.test/order/1"
                                             : CA_BASE "/order/1");
        if (ca->malformed_order) {
            ca_json(r, buf, cap, 201, "{\"status\":\"pending\",\"authoriz");
            return CAPTLS_OK;
        }
        ca_order_json(ca, t, sizeof t);
        ca_json(r, buf, cap, 201, t);
        return CAPTLS_OK;
    }
    if (strncmp(path, "/authz/", 7) == 0 && empty) {
        int i = atoi(path + 7);
        if (ca->oversized_authz) {
            memset(t, 'A', 70000);
            memcpy(t, "{\"x\":\"", 6);
            memcpy(t + 69998, "\"}", 3);
            ca_json(r, buf, cap, 200, t);
            return CAPTLS_OK;
        }
        ca_authz_json(ca, i, t, sizeof t);
        if (strstr(t, "\"processing\"") != NULL)
            r->retry_after = 3;
        ca_json(r, buf, cap, 200, t);
        int all = 1;
        for (int k = 0; k < ca->nnames; k++) {
            char tmp[2048];
            if (k == i) {
                all &= strncmp(t, "{\"status\":\"valid\"", 17) == 0;
                continue;
            }
            int save = ca->authz_polls[k];
            ca_authz_json(ca, k, tmp, sizeof tmp);
            ca->authz_polls[k] = save;
            all &= strncmp(tmp, "{\"status\":\"valid\"", 17) == 0;
        }
        if (all && ca->order_status == 0)
            ca->order_status = 1;
        return CAPTLS_OK;
    }
    if (strncmp(path, "/chall/", 7) == 0 && strcmp(payload, "{}") == 0) {
        int i = atoi(path + 7);
        /* only http-01 is validated here: a dns-01 answer fails */
        ca->answered[i] = strstr(path, "/dns") != NULL ? 2 : 1;
        snprintf(t, sizeof t,
                 "{\"type\":\"http-01\",\"url\":\"" CA_BASE "/chall/%d\","
                 "\"token\":\"%s\",\"status\":\"processing\"}",
                 i, ca->tokens[i]);
        r->retry_after = 1;
        ca_json(r, buf, cap, 200, t);
        return CAPTLS_OK;
    }
    if (strcmp(path, "/finalize/1") == 0) {
        ca->finalizes++;
        if (ca->order_status != 1) {
            ca_problem(ca, r, buf, cap, 403, "orderNotReady", "not ready");
            return CAPTLS_OK;
        }
        const char *cp = strstr(payload, "\"csr\":\"");
        uint8_t der[4096];
        size_t dl = 0;
        if (cp == NULL ||
            captls_base64url_decode(cp + 7, (size_t)(strchr(cp + 7, '"') - cp - 7),
                                    der, sizeof der, &dl) != CAPTLS_OK) {
            ca_problem(ca, r, buf, cap, 400, "badCSR", "no csr");
            return CAPTLS_OK;
        }
        if (ca->order_invalid) {
            ca->order_status = 4;
        } else {
            ca_issue(ca, der, dl);
            ca->order_status = 2;
        }
        ca_order_json(ca, t, sizeof t);
        r->retry_after = 2;
        ca_json(r, buf, cap, 200, t);
        return CAPTLS_OK;
    }
    if (strcmp(path, "/order/1") == 0 && empty) {
        if (ca->order_status == 2 && ca->order_polls++ >= ca->order_processing_polls)
            ca->order_status = 3;
        ca_order_json(ca, t, sizeof t);
        ca_json(r, buf, cap, 200, t);
        return CAPTLS_OK;
    }
    if (strcmp(path, "/cert/1") == 0 && empty) {
        if (req->accept == NULL ||
            strcmp(req->accept, "application/pem-certificate-chain") != 0) {
            ca_problem(ca, r, buf, cap, 406, "malformed", "accept");
            return CAPTLS_OK;
        }
        r->status = 200;
        snprintf(ca->h_ctype, sizeof ca->h_ctype,
                 "application/pem-certificate-chain");
        r->content_type.ptr = ca->h_ctype;
        r->content_type.len = strlen(ca->h_ctype);
        ca_body(r, buf, cap, ca->pem, ca->pem_len);
        return CAPTLS_OK;
    }
    if (strcmp(path, "/revoke") == 0) {
        const char *rp = strstr(payload, "\"reason\":");
        const char *cp = strstr(payload, "\"certificate\":\"");
        uint8_t der[4096];
        size_t dl = 0;
        if (rp == NULL || cp == NULL ||
            captls_base64url_decode(cp + 15, (size_t)(strchr(cp + 15, '"') - cp - 15),
                                    der, sizeof der, &dl) != CAPTLS_OK ||
            (int)dl != ca->leaf_len || memcmp(der, ca->leaf_der, dl) != 0) {
            ca_problem(ca, r, buf, cap, 404, "malformed", "unknown cert");
            return CAPTLS_OK;
        }
        if (ca->revoked) {
            ca_problem(ca, r, buf, cap, 400, "alreadyRevoked", "again");
            return CAPTLS_OK;
        }
        ca->revoked = 1;
        ca->revoke_reason = atoi(rp + 9);
        r->status = 200;
        return CAPTLS_OK;
    }
    ca_problem(ca, r, buf, cap, 404, "malformed", "no such resource");
    return CAPTLS_OK;
}

#endif
