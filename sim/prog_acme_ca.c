/* sim/prog_acme_ca.c — a scripted ACME CA (RFC 8555) on the simulator:
 * the server half the acme-client program (prog_acme_client.c) talks to,
 * built to drive core/acme/acme_client.c's failure paths deterministically.
 *
 * What it serves, on port=N of its host, as HTTP/1.1 (one request per
 * connection, answered and closed; see prog_acme_client.c for why the
 * exchange is plaintext inside the simulator):
 *   GET  /dir           the directory (newNonce, newAccount, newOrder,
 *                       revokeCert, keyChange; meta.termsOfService)
 *   HEAD /nonce         a fresh Replay-Nonce
 *   POST /new-acct      jwk-signed; Location /acct/1
 *   POST /new-order     kid-signed; one order at a time (/order/1) with one
 *                       authorization per identifier (/authz/I)
 *   POST /authz/I       POST-as-GET: pending, processing while the
 *                       validation runs, then valid or invalid (+ error)
 *   POST /chall/I       "{}": starts the http-01 validation
 *   POST /finalize/1    the CSR (its signature checked) -> a certificate
 *                       issued under root= and signed with key=
 *   POST /order/1       POST-as-GET; POST /cert/1 the PEM chain (leaf, root)
 *   POST /revoke        the last issued certificate, with a reason
 * The request checks are core/acme/acme_server.h's, the same the unit
 * tests' fake CA (core/acme/test_fake_ca.h) makes: every nonce it issued
 * is accepted once, the protected "url" must equal the request URL, "jwk"
 * only for newAccount and "kid" = the account URL otherwise (no account
 * yet: accountDoesNotExist), the signature must verify under that key. A
 * JWS that fails is counted (`jws-failures`; a correct client never
 * causes one).
 *
 * http-01 is validated like a real CA does: `validate-delay` after the
 * challenge POST (default 20ms), the CA connects over the simulated network
 * to the host the identifier resolves to (`resolve=NAME:HOST+...`; an
 * identifier not listed resolves to nothing: invalid, dns) on
 * `http-port` (default 80), sends GET /.well-known/acme-challenge/TOKEN
 * (written with core/http's request writer, the answer parsed with its
 * response parser) and compares the body with token "." thumbprint(account
 * key). Refused, reset or silent for `validate-timeout` (default 2s): the
 * authorization becomes invalid with a `connection` problem. The issued
 * leaf is dated by THIS host's wall clock (notBefore = now - 60 s, notAfter
 * = now + 90 days), so a CA host clock ahead of the client's makes a chain
 * the client must refuse as notYetValid.
 *
 * Faults (verbs a scenario schedules with `at T ca VERB ...`):
 *   bad-nonce N              the next N signed POSTs: 400 badNonce
 *   server-error RES N       the next N requests to resource RES: 500
 *                            serverInternal (RES: dir nonce new-acct
 *                            new-order authz chall finalize order cert
 *                            revoke, or any)
 *   rate-limit RES SECONDS   the next POST to RES: 429 rateLimited with
 *                            Retry-After SECONDS
 *   invalid-challenge        validations still connect, but end invalid
 *                            (incorrectResponse) whatever the answer
 * Facts: requests, posts, nonces (issued), bad-nonce-sent, server-errors,
 * rate-limited, jws-failures, nonce-rejects, validations,
 * validations-ok, validations-failed, validation (the last outcome:
 * "valid", or the problem type and detail), issued, revoked, authz (the
 * status of authorization 0), order (the order's status), last-not-before
 * (the issued leaf's notBefore, epoch seconds).
 * Everything the client sends that reaches the transcript is sanitized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/acme_client.h"
#include "core/acme/acme_server.h"
#include "core/acme/jws.h"
#include "core/acme/solver_http01.h"
#include "core/base/base64url.h"
#include "core/base/der.h"
#include "core/base/pem.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/sig_scheme.h"
#include "core/crypto/spki.h"
#include "core/http/http_client.h"
#include "core/http/http_server.h"
#include "core/x509/certificate.h"
#include "sim/programs.h"
#include "sim/tls_identity.h"

#define CA_CONNS 8u
#define CA_IN_MAX 24576u
#define CA_OUT_MAX 24576u
#define CA_NAMES 4u
#define CA_TAG_VALIDATE 0x100u  /* + authorization */
#define CA_TAG_VTIMEOUT 0x200u  /* + validation number */
#define CA_RESOLVE 8u

typedef enum ca_res {
    RES_DIR = 0, RES_NONCE, RES_NEW_ACCT, RES_NEW_ORDER, RES_AUTHZ, RES_CHALL,
    RES_FINALIZE, RES_ORDER, RES_CERT, RES_REVOKE, RES_OTHER, RES_COUNT_
} ca_res;

static const char *const RES_NAMES[RES_COUNT_] = {
    "dir", "nonce", "new-acct", "new-order", "authz", "chall", "finalize",
    "order", "cert", "revoke", "other",
};

typedef enum az_status { AZ_PENDING = 0, AZ_PROCESSING, AZ_VALID, AZ_INVALID } az_status;
static const char *const AZ_NAMES[] = {"pending", "processing", "valid",
                                       "invalid"};
typedef enum or_status { OR_PENDING = 0, OR_READY, OR_PROCESSING, OR_VALID, OR_INVALID } or_status;
static const char *const OR_NAMES[] = {"pending", "ready", "processing",
                                       "valid", "invalid"};

typedef struct ca_conn {
    bool used;
    captls_stream_id s;
    uint32_t id;
    uint8_t in[CA_IN_MAX];
    size_t in_len;
    uint8_t out[CA_OUT_MAX];
    size_t out_len, out_off;
    bool answered;
} ca_conn;

/* The one http-01 validation in flight (the CA as an HTTP client). */
typedef struct ca_val {
    bool active, connected, have_s;
    unsigned authz;
    uint32_t number;
    captls_stream_id s;
    uint8_t req[1024];
    size_t req_len, req_off;
    captls_http_resp resp;
    uint8_t head[4096], body[1024];
} ca_val;

typedef struct ca_state {
    captls_sim_proc *self;
    bool listening;
    captls_stream_id listener;
    uint16_t port, http_port;
    char base[128];           /* "https://HOST:PORT" */
    uint64_t validate_delay_ns, validate_timeout_ns;
    char resolve_name[CA_RESOLVE][254];
    char resolve_host[CA_RESOLVE][CAPTLS_SIM_NAME_MAX];
    size_t nresolve;
    /* issuing identity */
    sim_tls_identity id;      /* key= (Ed25519 seed) */
    bool have_key, have_root;
    const uint8_t *root_der;
    size_t root_len;
    captls_certificate root;
    ca_conn conns[CA_CONNS];
    uint32_t next_conn;
    /* script */
    uint32_t bad_nonce;
    uint32_t server_errors[RES_COUNT_ + 1]; /* [RES_COUNT_]: any */
    uint32_t rate_limited[RES_COUNT_ + 1];
    uint32_t rate_after;
    bool invalid_challenge;
    /* ACME state */
    captls_acme_srv_nonces nonces;
    bool have_account;
    captls_jwk account;
    char names[CA_NAMES][254];
    unsigned nnames;
    char tokens[CA_NAMES][48];
    az_status az[CA_NAMES];
    char az_err[CA_NAMES][200];
    or_status order;
    bool have_order;
    char pem[8192];
    size_t pem_len;
    uint8_t leaf[2048];
    size_t leaf_len;
    int64_t last_not_before;
    bool revoked_flag;
    ca_val val;
    uint32_t val_number;
    char validation[160];
    /* counters */
    uint64_t requests, posts, bad_nonce_sent, server_errs, rate_sent,
        jws_failures, nonce_rejects, validations, val_ok, val_failed,
        issued_count, revoked;
    /* scratch */
    char text[40000];
    char payload[16384];
    captls_acme_srv_scratch srv;
} ca_state;

/* ------------------------------------------------------------ helpers */

static uint64_t parse_dur(const char *s, uint64_t dflt)
{
    uint64_t v = 0;
    if (s == NULL || *s < '0' || *s > '9')
        return dflt;
    while (*s >= '0' && *s <= '9' && v < 1000000000000ull)
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (strcmp(s, "ns") == 0)
        return v;
    if (strcmp(s, "us") == 0)
        return v * CAPTLS_SIM_NS_PER_US;
    if (strcmp(s, "ms") == 0)
        return v * CAPTLS_SIM_NS_PER_MS;
    if (strcmp(s, "s") == 0)
        return v * CAPTLS_SIM_NS_PER_S;
    return dflt;
}

static bool parse_u32(const captls_sim_arg *a, uint32_t *out)
{
    uint64_t v = 0;
    if (a->len == 0 || a->len > 9)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        if (a->p[i] < '0' || a->p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(a->p[i] - '0');
    }
    *out = (uint32_t)v;
    return true;
}

static int64_t ca_now(captls_sim_proc *p)
{
    captls_wall_time w;
    captls_sim_host_wall(captls_sim_proc_host(p), &w);
    return w.epoch_seconds;
}

#define LOG(st, ...) \
    captls_sim_log(captls_sim_proc_kernel((st)->self), (st)->self, NULL, \
                   __VA_ARGS__)

/* --------------------------------------------------- response building */

typedef struct ca_resp {
    unsigned status;
    const char *ctype;
    const char *location; /* path on our base, or NULL */
    long retry_after;     /* -1: none */
    bool nonce;
    bool link_index;
    const uint8_t *body;
    size_t body_len;
} ca_resp;

static void respond(ca_state *st, ca_conn *c, const ca_resp *r)
{
    char nonce[CAPTLS_ACME_SRV_NONCE_MAX + 1];
    int n = snprintf((char *)c->out, CA_OUT_MAX,
                     "HTTP/1.1 %u %s\r\nConnection: close\r\n"
                     "Cache-Control: no-store\r\n",
                     r->status, captls_http_reason(r->status));
    if (r->nonce) {
        (void)captls_acme_srv_nonce_issue(&st->nonces, nonce);
        n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                      "Replay-Nonce: %s\r\n", nonce);
    }
    if (r->ctype != NULL)
        n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                      "Content-Type: %s\r\n", r->ctype);
    if (r->location != NULL)
        n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                      "Location: %s%s\r\n", st->base, r->location);
    if (r->retry_after >= 0)
        n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                      "Retry-After: %ld\r\n", r->retry_after);
    if (r->link_index)
        n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                      "Link: <%s/dir>;rel=\"index\"\r\n", st->base);
    n += snprintf((char *)c->out + n, CA_OUT_MAX - (size_t)n,
                  "Content-Length: %zu\r\n\r\n", r->body_len);
    size_t len = (size_t)n;
    if (len + r->body_len > CA_OUT_MAX) { /* our own bodies are bounded */
        len = 0;
        n = snprintf((char *)c->out, CA_OUT_MAX,
                     "HTTP/1.1 500 Internal Server Error\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
        len = (size_t)n;
    } else if (r->body_len > 0) {
        memcpy(c->out + len, r->body, r->body_len);
        len += r->body_len;
    }
    c->out_len = len;
    c->out_off = 0;
    c->answered = true;
}

static void json(ca_state *st, ca_conn *c, unsigned status, const char *loc,
                 long retry_after, const char *text)
{
    ca_resp r = {status, "application/json", loc, retry_after, true, true,
                 (const uint8_t *)text, strlen(text)};
    respond(st, c, &r);
}

static void problem(ca_state *st, ca_conn *c, unsigned status,
                    const char *type, const char *detail, long retry_after)
{
    char t[512];
    int n = snprintf(t, sizeof t,
                     "{\"type\":\"urn:ietf:params:acme:error:%s\","
                     "\"detail\":\"%s\",\"status\":%u}",
                     type, detail, status);
    ca_resp r = {status, "application/problem+json", NULL, retry_after, true,
                 true, (const uint8_t *)t, (size_t)n};
    respond(st, c, &r);
}

/* ------------------------------------------------------------ objects */

static void order_json(ca_state *st, char *out, size_t cap)
{
    int n = snprintf(out, cap, "{\"status\":\"%s\",\"identifiers\":[",
                     OR_NAMES[st->order]);
    for (unsigned i = 0; i < st->nnames; i++)
        n += snprintf(out + n, cap - (size_t)n,
                      "%s{\"type\":\"dns\",\"value\":\"%s\"}", i ? "," : "",
                      st->names[i]);
    n += snprintf(out + n, cap - (size_t)n, "],\"authorizations\":[");
    for (unsigned i = 0; i < st->nnames; i++)
        n += snprintf(out + n, cap - (size_t)n, "%s\"%s/authz/%u\"",
                      i ? "," : "", st->base, i);
    n += snprintf(out + n, cap - (size_t)n, "],\"finalize\":\"%s/finalize/1\"",
                  st->base);
    if (st->order == OR_VALID)
        n += snprintf(out + n, cap - (size_t)n, ",\"certificate\":\"%s/cert/1\"",
                      st->base);
    if (st->order == OR_INVALID)
        n += snprintf(out + n, cap - (size_t)n,
                      ",\"error\":{\"type\":\"urn:ietf:params:acme:error:"
                      "unauthorized\",\"detail\":\"an authorization failed\"}");
    snprintf(out + n, cap - (size_t)n, "}");
}

static void authz_json(ca_state *st, unsigned i, char *out, size_t cap)
{
    const char *cst = st->az[i] == AZ_PENDING ? "pending" : AZ_NAMES[st->az[i]];
    char err[260] = "";
    if (st->az[i] == AZ_INVALID)
        snprintf(err, sizeof err, ",\"error\":%s", st->az_err[i]);
    snprintf(out, cap,
             "{\"status\":\"%s\",\"identifier\":{\"type\":\"dns\",\"value\":"
             "\"%s\"},\"challenges\":[{\"type\":\"http-01\",\"url\":\"%s/chall/"
             "%u\",\"token\":\"%s\",\"status\":\"%s\"%s}]}",
             st->az[i] == AZ_PROCESSING ? "pending" : AZ_NAMES[st->az[i]],
             st->names[i], st->base, i, st->tokens[i], cst, err);
}

static void update_order(ca_state *st)
{
    if (!st->have_order || st->order != OR_PENDING)
        return;
    bool all = true;
    for (unsigned i = 0; i < st->nnames; i++) {
        if (st->az[i] == AZ_INVALID) {
            st->order = OR_INVALID;
            return;
        }
        all &= st->az[i] == AZ_VALID;
    }
    if (all)
        st->order = OR_READY;
}

/* ------------------------------------------------------ certificates */

static const uint8_t OID_ED25519[] = {0x2b, 0x65, 0x70};
static const uint8_t OID_AKI[] = {0x55, 0x1d, 0x23};
static const uint8_t OID_KP_SERVER[] = {0x2b, 0x06, 0x01, 0x05,
                                        0x05, 0x07, 0x03, 0x01};

static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

/* RFC 5280 §4.1.2.5: UTCTime through 2049 (the scenarios' years). */
static void write_time(captls_der_writer *w, int64_t t)
{
    int64_t y;
    unsigned m, d;
    char buf[48];
    civil(t / 86400, &y, &m, &d);
    int64_t s = t % 86400;
    snprintf(buf, sizeof buf, "%02u%02u%02u%02u%02u%02uZ",
             (unsigned)(y % 100), m, d, (unsigned)(s / 3600),
             (unsigned)(s / 60 % 60), (unsigned)(s % 60));
    captls_der_write_tlv(w, CAPTLS_DER_UTC_TIME, (const uint8_t *)buf, 13);
}

static void write_ext(captls_der_writer *w, const uint8_t *oid, size_t oid_len,
                      bool critical, size_t m_val_start)
{
    /* the value's contents were written just before: wrap them */
    captls_der_write_wrap(w, CAPTLS_DER_OCTET_STRING, m_val_start);
    if (critical)
        captls_der_write_bool(w, true);
    captls_der_write_oid(w, oid, oid_len);
}

static void sig_alg(captls_der_writer *w)
{
    size_t m = captls_der_writer_mark(w);
    captls_der_write_oid(w, OID_ED25519, sizeof OID_ED25519);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m);
}

/* The leaf's TBSCertificate, written backwards (core/base/der.h). */
static void write_leaf_tbs(ca_state *st, captls_der_writer *w,
                           const uint8_t *spki, size_t spki_len,
                           uint32_t serial, int64_t nb, int64_t na)
{
    size_t m_x = captls_der_writer_mark(w);
    size_t m_exts = captls_der_writer_mark(w);
    size_t m_ext, m_v, m_s;
    /* subjectAltName: the ordered names */
    m_ext = captls_der_writer_mark(w);
    m_v = captls_der_writer_mark(w);
    m_s = captls_der_writer_mark(w);
    for (unsigned i = st->nnames; i-- > 0;)
        captls_der_write_tlv(w, CAPTLS_DER_CONTEXT_PRIM(2),
                             (const uint8_t *)st->names[i],
                             strlen(st->names[i]));
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_s);
    write_ext(w, captls_oid_ext_san, sizeof captls_oid_ext_san, true, m_v);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    /* authorityKeyIdentifier: keyIdentifier [0] = the root's SKI */
    if (st->root.ski_present) {
        m_ext = captls_der_writer_mark(w);
        m_v = captls_der_writer_mark(w);
        m_s = captls_der_writer_mark(w);
        captls_der_write_tlv(w, CAPTLS_DER_CONTEXT_PRIM(0), st->root.ski.ptr,
                             st->root.ski.len);
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_s);
        write_ext(w, OID_AKI, sizeof OID_AKI, false, m_v);
        captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    }
    /* extendedKeyUsage: serverAuth */
    m_ext = captls_der_writer_mark(w);
    m_v = captls_der_writer_mark(w);
    m_s = captls_der_writer_mark(w);
    captls_der_write_oid(w, OID_KP_SERVER, sizeof OID_KP_SERVER);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_s);
    write_ext(w, captls_oid_ext_eku, sizeof captls_oid_ext_eku, false, m_v);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    /* keyUsage: digitalSignature (bit 0), critical */
    m_ext = captls_der_writer_mark(w);
    m_v = captls_der_writer_mark(w);
    uint8_t ku = 0x80;
    captls_der_write_bit_string(w, &ku, 1, 7);
    write_ext(w, captls_oid_ext_key_usage, sizeof captls_oid_ext_key_usage,
              true, m_v);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    /* basicConstraints: cA FALSE (the empty SEQUENCE), critical */
    m_ext = captls_der_writer_mark(w);
    m_v = captls_der_writer_mark(w);
    m_s = captls_der_writer_mark(w);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_s);
    write_ext(w, captls_oid_ext_basic_constraints,
              sizeof captls_oid_ext_basic_constraints, true, m_v);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_ext);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_exts);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(3), m_x);
    /* the CSR's SubjectPublicKeyInfo, as it came */
    captls_der_write_raw(w, spki, spki_len);
    /* subject: empty (the names are in the critical SAN, RFC 5280 4.2.1.6) */
    size_t m_subj = captls_der_writer_mark(w);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_subj);
    size_t m_val = captls_der_writer_mark(w);
    write_time(w, na);
    write_time(w, nb);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, m_val);
    captls_der_write_raw(w, st->root.subject.raw.ptr, st->root.subject.raw.len);
    sig_alg(w);
    uint8_t ser[4] = {(uint8_t)(serial >> 24), (uint8_t)(serial >> 16),
                      (uint8_t)(serial >> 8), (uint8_t)serial};
    captls_der_write_uint(w, ser, sizeof ser);
    size_t m_ver = captls_der_writer_mark(w);
    captls_der_write_int64(w, 2);
    captls_der_write_wrap(w, CAPTLS_DER_CONTEXT(0), m_ver);
    captls_der_write_wrap(w, CAPTLS_DER_SEQUENCE, 0);
}

/* Checks the CSR's signature (RFC 2986: over CertificationRequestInfo,
 * with the key it carries) and returns its SPKI TLV. */
static captls_result csr_spki(const uint8_t *der, size_t len,
                              const uint8_t **spki, size_t *spki_len)
{
    captls_der top, req, cri, alg;
    captls_der_tlv cri_tlv, t;
    captls_slice oid, sig;
    captls_public_key key;
    captls_der_init(&top, der, len, NULL);
    CAPTLS_TRY(captls_der_enter(&top, CAPTLS_DER_SEQUENCE, &req));
    CAPTLS_TRY(captls_der_finish(&top));
    CAPTLS_TRY(captls_der_expect(&req, CAPTLS_DER_SEQUENCE, &cri_tlv));
    CAPTLS_TRY(captls_der_open(&req, &cri_tlv, &cri));
    CAPTLS_TRY(captls_der_expect(&cri, CAPTLS_DER_INTEGER, &t));
    CAPTLS_TRY(captls_der_expect(&cri, CAPTLS_DER_SEQUENCE, &t)); /* subject */
    size_t at = captls_der_offset(&cri);
    CAPTLS_TRY(captls_spki_read(&cri, &key));
    *spki = der + at;
    *spki_len = captls_der_offset(&cri) - at;
    CAPTLS_TRY(captls_der_enter(&req, CAPTLS_DER_SEQUENCE, &alg));
    CAPTLS_TRY(captls_der_read_oid(&alg, &oid));
    CAPTLS_TRY(captls_der_read_bit_octets(&req, &sig));
    CAPTLS_TRY(captls_der_finish(&req));
    static const uint8_t ECDSA_SHA256[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x03, 0x02};
    uint16_t scheme;
    if (CAPTLS_DER_OID_IS(oid, ECDSA_SHA256))
        scheme = 0x0403; /* ecdsa_secp256r1_sha256 */
    else if (CAPTLS_DER_OID_IS(oid, OID_ED25519))
        scheme = 0x0807;
    else
        return CAPTLS_ERR_UNSUPPORTED;
    return captls_sig_verify(scheme, &key, cri_tlv.raw.ptr, cri_tlv.raw.len,
                             sig.ptr, sig.len);
}

static captls_result issue(ca_state *st, const uint8_t *csr, size_t csr_len)
{
    const uint8_t *spki = NULL;
    size_t spki_len = 0, tbs_len = 0, n = 0;
    uint8_t tbs[2048], sig[64], tail[128];
    captls_der_writer w;
    CAPTLS_TRY(csr_spki(csr, csr_len, &spki, &spki_len));
    int64_t now = ca_now(st->self);
    int64_t nb = now - 60, na = now + 90 * 86400;
    captls_der_writer_init(&w, tbs, sizeof tbs);
    write_leaf_tbs(st, &w, spki, spki_len, 0x1000u + (uint32_t)st->issued_count,
                   nb, na);
    CAPTLS_TRY(captls_der_writer_finish(&w, &tbs_len));
    captls_ed25519_sign(sig, st->id.seed, st->id.pub, tbs, tbs_len);
    captls_der_writer_init(&w, tail, sizeof tail);
    captls_der_write_bit_string(&w, sig, 64, 0);
    sig_alg(&w);
    CAPTLS_TRY(captls_der_writer_finish(&w, &n));
    captls_der_writer_init(&w, st->leaf, sizeof st->leaf);
    captls_der_write_raw(&w, tail, n);
    captls_der_write_raw(&w, tbs, tbs_len);
    captls_der_write_header(&w, CAPTLS_DER_SEQUENCE, tbs_len + n);
    CAPTLS_TRY(captls_der_writer_finish(&w, &st->leaf_len));
    size_t a = 0, b = 0;
    CAPTLS_TRY(captls_pem_encode("CERTIFICATE", st->leaf, st->leaf_len,
                                 st->pem, sizeof st->pem, &a));
    CAPTLS_TRY(captls_pem_encode("CERTIFICATE", st->root_der, st->root_len,
                                 st->pem + a, sizeof st->pem - a, &b));
    st->pem_len = a + b;
    st->last_not_before = nb;
    st->issued_count++;
    return CAPTLS_OK;
}

/* ------------------------------------------------------- validation */

static const char *resolve(ca_state *st, const char *name)
{
    for (size_t i = 0; i < st->nresolve; i++)
        if (strcmp(st->resolve_name[i], name) == 0)
            return st->resolve_host[i];
    return NULL;
}

static void val_finish(ca_state *st, bool ok, const char *type,
                       const char *detail)
{
    ca_val *v = &st->val;
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    unsigned i = v->authz;
    if (v->have_s) {
        captls_result r = net->close(net->ctx, v->s);
        (void)r;
    }
    v->active = v->connected = v->have_s = false;
    if (ok && st->invalid_challenge) {
        ok = false;
        type = "incorrectResponse";
        detail = "scripted: challenge marked invalid";
    }
    if (ok) {
        st->az[i] = AZ_VALID;
        st->val_ok++;
        snprintf(st->validation, sizeof st->validation, "valid");
    } else {
        st->az[i] = AZ_INVALID;
        st->val_failed++;
        snprintf(st->az_err[i], sizeof st->az_err[i],
                 "{\"type\":\"urn:ietf:params:acme:error:%s\",\"detail\":"
                 "\"%s\"}", type, detail);
        snprintf(st->validation, sizeof st->validation, "%s: %s", type,
                 detail);
    }
    LOG(st, "validation of authz %u (%s): %s", i, st->names[i],
        st->validation);
    update_order(st);
}

static void val_start(ca_state *st, unsigned i)
{
    ca_val *v = &st->val;
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    if (v->active || i >= st->nnames || st->az[i] != AZ_PROCESSING)
        return;
    memset(v, 0, sizeof(*v));
    v->authz = i;
    v->active = true;
    v->number = ++st->val_number;
    st->validations++;
    const char *host = resolve(st, st->names[i]);
    if (host == NULL) {
        val_finish(st, false, "dns", "no address for the identifier");
        return;
    }
    LOG(st, "validating http-01 for %s: GET %s%s via %s:%u", st->names[i],
        CAPTLS_HTTP01_PREFIX, st->tokens[i], host, (unsigned)st->http_port);
    captls_http_url url;
    memset(&url, 0, sizeof url);
    snprintf(url.host, sizeof url.host, "%s", st->names[i]);
    url.port = 80;
    url.path_len = (size_t)snprintf(url.path, sizeof url.path, "%s%s",
                                    CAPTLS_HTTP01_PREFIX, st->tokens[i]);
    captls_http_request hr = {"GET", &url, NULL, NULL, NULL, 0, NULL, true};
    captls_result r = captls_http_request_write(&hr, v->req, sizeof v->req,
                                                &v->req_len);
    if (r == CAPTLS_OK)
        r = net->connect(net->ctx, host, st->http_port, &v->s);
    if (r != CAPTLS_OK) {
        val_finish(st, false, "connection", "cannot connect");
        return;
    }
    v->have_s = true;
    captls_http_resp_init(&v->resp, v->head, sizeof v->head, v->body,
                          sizeof v->body, 0, false);
    r = captls_sim_proc_timer(st->self, st->validate_timeout_ns,
                              CA_TAG_VTIMEOUT + v->number);
    (void)r;
}

static void val_wake(ca_state *st)
{
    ca_val *v = &st->val;
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    if (!v->active)
        return;
    captls_result r;
    if (!v->connected) {
        size_t put = 0;
        r = net->write(net->ctx, v->s, NULL, 0, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            val_finish(st, false, "connection", r == CAPTLS_ERR_CONN_REFUSED
                                                    ? "connection refused"
                                                    : "connection failed");
            return;
        }
        v->connected = true;
    }
    while (v->req_off < v->req_len) {
        size_t put = 0;
        r = net->write(net->ctx, v->s, v->req + v->req_off,
                       v->req_len - v->req_off, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            break;
        if (r != CAPTLS_OK) {
            val_finish(st, false, "connection", "connection reset");
            return;
        }
        v->req_off += put;
    }
    for (;;) {
        uint8_t buf[2048];
        size_t got = 0, used = 0;
        r = net->read(net->ctx, v->s, buf, sizeof buf, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r == CAPTLS_EOF) {
            r = captls_http_resp_eof(&v->resp);
            if (r != CAPTLS_OK) {
                val_finish(st, false, "connection",
                           "connection closed before the answer");
                return;
            }
            break;
        }
        if (r != CAPTLS_OK) {
            val_finish(st, false, "connection", "connection reset");
            return;
        }
        r = captls_http_resp_feed(&v->resp, buf, got, &used);
        if (r == CAPTLS_NEED_MORE)
            continue;
        if (r != CAPTLS_OK) {
            val_finish(st, false, "incorrectResponse", "malformed answer");
            return;
        }
        break;
    }
    /* complete: compare with token "." thumbprint(account key) */
    char want[CAPTLS_HTTP01_KEYAUTH_MAX + 1];
    size_t wl = 0;
    unsigned i = v->authz;
    r = captls_acme_key_authorization(st->tokens[i], strlen(st->tokens[i]),
                                      &st->account, want, sizeof want, &wl);
    if (v->resp.status != 200) {
        char d[64];
        snprintf(d, sizeof d, "the responder answered %u", v->resp.status);
        val_finish(st, false, "unauthorized", d);
    } else if (r != CAPTLS_OK || v->resp.body_len != wl ||
               memcmp(v->resp.body, want, wl) != 0) {
        val_finish(st, false, "incorrectResponse", "key authorization mismatch");
    } else {
        val_finish(st, true, NULL, NULL);
    }
}

/* ------------------------------------------------------ the ACME core */

static bool fault_hit(uint32_t *table, ca_res res)
{
    if (table[res] > 0) {
        table[res]--;
        return true;
    }
    if (table[RES_COUNT_] > 0) {
        table[RES_COUNT_]--;
        return true;
    }
    return false;
}

static ca_res classify(const char *path)
{
    if (strcmp(path, "/dir") == 0) return RES_DIR;
    if (strcmp(path, "/nonce") == 0) return RES_NONCE;
    if (strcmp(path, "/new-acct") == 0) return RES_NEW_ACCT;
    if (strcmp(path, "/new-order") == 0) return RES_NEW_ORDER;
    if (strncmp(path, "/authz/", 7) == 0) return RES_AUTHZ;
    if (strncmp(path, "/chall/", 7) == 0) return RES_CHALL;
    if (strcmp(path, "/finalize/1") == 0) return RES_FINALIZE;
    if (strcmp(path, "/order/1") == 0) return RES_ORDER;
    if (strcmp(path, "/cert/1") == 0) return RES_CERT;
    if (strcmp(path, "/revoke") == 0) return RES_REVOKE;
    return RES_OTHER;
}

/* core/acme/acme_server.h's verdict on a POST; the payload NUL-ended. */
static captls_acme_srv_verdict check_jws(ca_state *st, const char *url,
                                         const char *ctype,
                                         const uint8_t *body, size_t len,
                                         bool new_acct, bool *empty)
{
    char acct[200];
    size_t pl = 0;
    captls_jwk jwk;
    if (ctype == NULL || strcmp(ctype, "application/jose+json") != 0)
        return CAPTLS_ACME_SRV_BAD_JWS;
    snprintf(acct, sizeof acct, "%s/acct/1", st->base);
    captls_acme_srv_request q;
    memset(&q, 0, sizeof q);
    q.url = url;
    q.url_len = strlen(url);
    q.body = body;
    q.body_len = len;
    q.new_account = new_acct;
    q.account = st->have_account ? &st->account : NULL;
    q.account_url = acct;
    q.account_url_len = strlen(acct);
    captls_acme_srv_verdict v = captls_acme_srv_check(
        &st->nonces, &st->srv, &q, (uint8_t *)st->payload,
        sizeof st->payload - 1, &pl, &jwk);
    if (v != CAPTLS_ACME_SRV_OK)
        return v;
    if (new_acct && !st->have_account)
        st->account = jwk;
    st->payload[pl] = '\0';
    *empty = pl == 0;
    return v;
}

static void handle(ca_state *st, ca_conn *c, const char *method,
                   const char *path, const char *ctype, const char *accept,
                   const uint8_t *body, size_t body_len)
{
    char *t = st->text;
    size_t tcap = sizeof st->text;
    char url[400];
    bool empty = false;
    ca_res res = classify(path);
    st->requests++;
    snprintf(url, sizeof url, "%s%s", st->base, path);
    if (fault_hit(st->server_errors, res)) {
        st->server_errs++;
        LOG(st, "fault: 500 serverInternal on %s", RES_NAMES[res]);
        problem(st, c, 500, "serverInternal", "scripted failure", -1);
        return;
    }
    if (strcmp(method, "GET") == 0 && res == RES_DIR) {
        snprintf(t, tcap,
                 "{\"newNonce\":\"%s/nonce\",\"newAccount\":\"%s/new-acct\","
                 "\"newOrder\":\"%s/new-order\",\"revokeCert\":\"%s/revoke\","
                 "\"keyChange\":\"%s/key-change\",\"meta\":{"
                 "\"termsOfService\":\"%s/tos\","
                 "\"externalAccountRequired\":false}}",
                 st->base, st->base, st->base, st->base, st->base, st->base);
        ca_resp r = {200, "application/json", NULL, -1, false, false,
                     (const uint8_t *)t, strlen(t)};
        respond(st, c, &r);
        return;
    }
    if ((strcmp(method, "HEAD") == 0 || strcmp(method, "GET") == 0) &&
        res == RES_NONCE) {
        ca_resp r = {strcmp(method, "HEAD") == 0 ? 200u : 204u, NULL, NULL, -1,
                     true, true, NULL, 0};
        respond(st, c, &r);
        return;
    }
    if (strcmp(method, "POST") != 0) {
        problem(st, c, 405, "malformed", "method not allowed", -1);
        return;
    }
    st->posts++;
    captls_acme_srv_verdict jr = check_jws(st, url, ctype, body, body_len,
                                           res == RES_NEW_ACCT, &empty);
    if (jr == CAPTLS_ACME_SRV_NO_ACCOUNT) {
        st->jws_failures++;
        LOG(st, "refused a JWS to %s: no such account", RES_NAMES[res]);
        problem(st, c, 400, "accountDoesNotExist", "no such account", -1);
        return;
    }
    if (jr == CAPTLS_ACME_SRV_BAD_JWS || jr == CAPTLS_ACME_SRV_TOO_LARGE) {
        st->jws_failures++;
        LOG(st, "refused a JWS to %s", RES_NAMES[res]);
        problem(st, c, 400, "malformed", "bad JWS", -1);
        return;
    }
    if (jr == CAPTLS_ACME_SRV_BAD_NONCE) {
        st->nonce_rejects++;
        problem(st, c, 400, "badNonce", "nonce unknown or reused", -1);
        return;
    }
    if (st->bad_nonce > 0) {
        st->bad_nonce--;
        st->bad_nonce_sent++;
        LOG(st, "fault: badNonce on %s (%u more)", RES_NAMES[res],
            st->bad_nonce);
        problem(st, c, 400, "badNonce", "scripted", -1);
        return;
    }
    if (fault_hit(st->rate_limited, res)) {
        st->rate_sent++;
        LOG(st, "fault: 429 rateLimited on %s, Retry-After %u",
            RES_NAMES[res], st->rate_after);
        problem(st, c, 429, "rateLimited", "scripted", (long)st->rate_after);
        return;
    }
    switch (res) {
    case RES_NEW_ACCT: {
        bool existing = st->have_account;
        if (strstr(st->payload, "\"onlyReturnExisting\":true") != NULL &&
            !existing) {
            problem(st, c, 400, "accountDoesNotExist", "none", -1);
            return;
        }
        st->have_account = true;
        LOG(st, "account %s", existing ? "found" : "created");
        json(st, c, existing ? 200 : 201, "/acct/1", -1,
             "{\"status\":\"valid\",\"contact\":[]}");
        return;
    }
    case RES_NEW_ORDER: {
        const char *p = st->payload;
        st->nnames = 0;
        while ((p = strstr(p, "\"value\":\"")) != NULL &&
               st->nnames < CA_NAMES) {
            p += 9;
            const char *e = strchr(p, '"');
            if (e == NULL || (size_t)(e - p) >= sizeof st->names[0])
                break;
            snprintf(st->names[st->nnames], sizeof st->names[0], "%.*s",
                     (int)(e - p), p);
            snprintf(st->tokens[st->nnames], sizeof st->tokens[0],
                     "tok%u_%u-simACME", st->nnames, st->nonces.counter);
            st->az[st->nnames] = AZ_PENDING;
            st->nnames++;
        }
        if (st->nnames == 0) {
            problem(st, c, 400, "malformed", "no identifiers", -1);
            return;
        }
        st->have_order = true;
        st->order = OR_PENDING;
        LOG(st, "order 1 for %u name(s), first %s", st->nnames, st->names[0]);
        order_json(st, t, tcap);
        json(st, c, 201, "/order/1", -1, t);
        return;
    }
    case RES_AUTHZ: {
        unsigned i = (unsigned)atoi(path + 7);
        if (!empty || !st->have_order || i >= st->nnames)
            break;
        authz_json(st, i, t, tcap);
        json(st, c, 200, NULL, st->az[i] == AZ_PROCESSING ? 1 : -1, t);
        return;
    }
    case RES_CHALL: {
        unsigned i = (unsigned)atoi(path + 7);
        if (strcmp(st->payload, "{}") != 0 || !st->have_order ||
            i >= st->nnames)
            break;
        if (st->az[i] == AZ_PENDING) {
            st->az[i] = AZ_PROCESSING;
            captls_result r = captls_sim_proc_timer(
                st->self, st->validate_delay_ns, CA_TAG_VALIDATE + i);
            (void)r;
            LOG(st, "challenge %u answered: validating in %llu ms", i,
                (unsigned long long)(st->validate_delay_ns /
                                     CAPTLS_SIM_NS_PER_MS));
        }
        snprintf(t, tcap,
                 "{\"type\":\"http-01\",\"url\":\"%s/chall/%u\",\"token\":"
                 "\"%s\",\"status\":\"%s\"}",
                 st->base, i, st->tokens[i], AZ_NAMES[st->az[i]]);
        json(st, c, 200, NULL, 1, t);
        return;
    }
    case RES_FINALIZE: {
        if (!st->have_order || st->order != OR_READY) {
            problem(st, c, 403, "orderNotReady", "not ready", -1);
            return;
        }
        const char *cp = strstr(st->payload, "\"csr\":\"");
        const char *ce = cp != NULL ? strchr(cp + 7, '"') : NULL;
        uint8_t der[4096];
        size_t dl = 0;
        captls_result r = CAPTLS_ERR_MALFORMED;
        if (ce != NULL &&
            captls_base64url_decode(cp + 7, (size_t)(ce - cp - 7), der,
                                    sizeof der, &dl) == CAPTLS_OK)
            r = issue(st, der, dl);
        if (r != CAPTLS_OK) {
            LOG(st, "finalize: CSR refused: %s", captls_result_name(r));
            problem(st, c, 400, "badCSR", "CSR refused", -1);
            return;
        }
        st->order = OR_VALID;
        char nb[64];
        captls_wall_time w = {st->last_not_before, 0, CAPTLS_CLOCK_TRUSTED};
        captls_sim_wall_iso(&w, nb);
        LOG(st, "issued certificate %u for %s, notBefore %s (CA clock)",
            (unsigned)st->issued_count, st->names[0], nb);
        order_json(st, t, tcap);
        json(st, c, 200, "/order/1", -1, t);
        return;
    }
    case RES_ORDER:
        if (!empty || !st->have_order)
            break;
        order_json(st, t, tcap);
        json(st, c, 200, NULL, -1, t);
        return;
    case RES_CERT: {
        if (!empty || st->pem_len == 0)
            break;
        if (accept == NULL ||
            strcmp(accept, "application/pem-certificate-chain") != 0) {
            problem(st, c, 406, "malformed", "accept", -1);
            return;
        }
        ca_resp r = {200, "application/pem-certificate-chain", NULL, -1,
                     true, true, (const uint8_t *)st->pem, st->pem_len};
        respond(st, c, &r);
        return;
    }
    case RES_REVOKE: {
        const char *rp = strstr(st->payload, "\"reason\":");
        const char *cp = strstr(st->payload, "\"certificate\":\"");
        const char *ce = cp != NULL ? strchr(cp + 15, '"') : NULL;
        uint8_t der[4096];
        size_t dl = 0;
        if (rp == NULL || ce == NULL ||
            captls_base64url_decode(cp + 15, (size_t)(ce - cp - 15), der,
                                    sizeof der, &dl) != CAPTLS_OK ||
            dl != st->leaf_len || memcmp(der, st->leaf, dl) != 0) {
            problem(st, c, 404, "malformed", "unknown certificate", -1);
            return;
        }
        if (st->revoked_flag) {
            problem(st, c, 400, "alreadyRevoked", "again", -1);
            return;
        }
        st->revoked_flag = true;
        st->revoked++;
        LOG(st, "revoked certificate, reason %d", atoi(rp + 9));
        ca_resp r = {200, NULL, NULL, -1, true, true, NULL, 0};
        respond(st, c, &r);
        return;
    }
    default:
        break;
    }
    problem(st, c, 404, "malformed", "no such resource", -1);
}

/* --------------------------------------------------------- HTTP side */

/* Finds "Name:" in the head (case-insensitive) and copies its value. */
static bool header(const char *head, size_t head_len, const char *name,
                   char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = head;
    const char *end = head + head_len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (e == NULL)
            break;
        if ((size_t)(e - p) > nl && strncasecmp(p, name, nl) == 0 &&
            p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < e && *v == ' ')
                v++;
            size_t vl = (size_t)(e - v);
            if (vl > 0 && v[vl - 1] == '\r')
                vl--;
            if (vl >= cap)
                return false;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p = e + 1;
    }
    return false;
}

static void conn_drop(ca_state *st, ca_conn *c)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    captls_result r = net->close(net->ctx, c->s);
    (void)r;
    memset(c, 0, sizeof(*c));
}

/* A complete request in c->in? Then answer it. */
static void conn_try(ca_state *st, ca_conn *c)
{
    char q[CAPTLS_SIM_LINE_MAX / 2];
    uint8_t *end = NULL;
    for (size_t i = 3; i < c->in_len; i++)
        if (memcmp(c->in + i - 3, "\r\n\r\n", 4) == 0) {
            end = c->in + i + 1;
            break;
        }
    if (end == NULL) {
        if (c->in_len == CA_IN_MAX) {
            ca_resp r = {431, NULL, NULL, -1, false, false, NULL, 0};
            respond(st, c, &r);
        }
        return;
    }
    size_t head_len = (size_t)(end - c->in);
    char line[600], method[8], target[400], ctype[80], accept[80], cl[24];
    const uint8_t *nl = memchr(c->in, '\n', head_len);
    size_t ll = (size_t)(nl - c->in);
    if (ll >= sizeof line || ll < 2) {
        ca_resp r = {400, NULL, NULL, -1, false, false, NULL, 0};
        respond(st, c, &r);
        return;
    }
    memcpy(line, c->in, ll - 1);
    line[ll - 1] = '\0';
    size_t lenl = strlen(line);
    int end_at = -1;
    if (lenl < 9 || strcmp(line + lenl - 9, " HTTP/1.1") != 0 ||
        sscanf(line, "%7s %399s%n", method, target, &end_at) != 2 ||
        (size_t)end_at != lenl - 9) {
        LOG(st, "connection %u: bad request line %s", c->id,
            captls_sim_quote((const uint8_t *)line, strlen(line), q,
                             sizeof q));
        ca_resp r = {400, NULL, NULL, -1, false, false, NULL, 0};
        respond(st, c, &r);
        return;
    }
    size_t blen = 0;
    if (header((const char *)c->in, head_len, "Content-Length", cl, sizeof cl))
        blen = (size_t)strtoul(cl, NULL, 10);
    if (blen > CA_IN_MAX - head_len) {
        ca_resp r = {413, NULL, NULL, -1, false, false, NULL, 0};
        respond(st, c, &r);
        return;
    }
    if (c->in_len < head_len + blen)
        return; /* body still coming */
    bool has_ct = header((const char *)c->in, head_len, "Content-Type", ctype,
                         sizeof ctype);
    bool has_acc = header((const char *)c->in, head_len, "Accept", accept,
                          sizeof accept);
    LOG(st, "connection %u: %s %s", c->id, method,
        captls_sim_quote((const uint8_t *)target, strlen(target), q,
                         sizeof q));
    handle(st, c, method, target, has_ct ? ctype : NULL,
           has_acc ? accept : NULL, end, blen);
}

static void conn_service(ca_state *st, ca_conn *c)
{
    const captls_net *net = &captls_sim_proc_port(st->self)->net;
    captls_result r;
    while (!c->answered) {
        size_t got = 0;
        if (c->in_len == CA_IN_MAX) {
            conn_try(st, c);
            break;
        }
        r = net->read(net->ctx, c->s, c->in + c->in_len,
                      CA_IN_MAX - c->in_len, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) { /* EOF or reset before a whole request */
            conn_drop(st, c);
            return;
        }
        c->in_len += got;
        conn_try(st, c);
    }
    while (c->out_off < c->out_len) {
        size_t put = 0;
        r = net->write(net->ctx, c->s, c->out + c->out_off,
                       c->out_len - c->out_off, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            conn_drop(st, c);
            return;
        }
        c->out_off += put;
    }
    conn_drop(st, c); /* answered and written: Connection: close */
}

static void ca_wake(captls_sim_proc *p)
{
    ca_state *st = captls_sim_proc_state(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    while (st->listening) {
        captls_stream_id s;
        captls_result r = net->accept(net->ctx, st->listener, &s);
        if (r != CAPTLS_OK)
            break;
        ca_conn *c = NULL;
        for (unsigned i = 0; i < CA_CONNS && c == NULL; i++)
            if (!st->conns[i].used)
                c = &st->conns[i];
        if (c == NULL) {
            r = net->close(net->ctx, s);
            (void)r;
            continue;
        }
        memset(c, 0, sizeof(*c));
        c->used = true;
        c->s = s;
        c->id = ++st->next_conn;
    }
    for (unsigned i = 0; i < CA_CONNS; i++)
        if (st->conns[i].used)
            conn_service(st, &st->conns[i]);
    val_wake(st);
}

static void ca_timer(captls_sim_proc *p, uint32_t tag)
{
    ca_state *st = captls_sim_proc_state(p);
    if (tag >= CA_TAG_VALIDATE && tag < CA_TAG_VALIDATE + CA_NAMES) {
        val_start(st, tag - CA_TAG_VALIDATE);
        val_wake(st);
    } else if (tag >= CA_TAG_VTIMEOUT && st->val.active &&
               tag == CA_TAG_VTIMEOUT + st->val.number) {
        val_finish(st, false, "connection", "validation timed out");
    }
}

static bool parse_resolve(ca_state *st, const char *s)
{
    while (s != NULL && *s != '\0') {
        const char *plus = strchr(s, '+');
        size_t n = plus != NULL ? (size_t)(plus - s) : strlen(s);
        const char *colon = memchr(s, ':', n);
        if (colon == NULL || st->nresolve == CA_RESOLVE ||
            (size_t)(colon - s) >= sizeof st->resolve_name[0] ||
            n - (size_t)(colon - s) - 1 >= CAPTLS_SIM_NAME_MAX)
            return false;
        snprintf(st->resolve_name[st->nresolve], sizeof st->resolve_name[0],
                 "%.*s", (int)(colon - s), s);
        snprintf(st->resolve_host[st->nresolve], CAPTLS_SIM_NAME_MAX, "%.*s",
                 (int)(n - (size_t)(colon - s) - 1), colon + 1);
        st->nresolve++;
        s = plus != NULL ? plus + 1 : NULL;
    }
    return true;
}

static void ca_start(captls_sim_proc *p)
{
    ca_state *st = captls_sim_proc_state(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    const char *port = captls_sim_proc_opt(p, "port");
    const char *hp = captls_sim_proc_opt(p, "http-port");
    const char *root = captls_sim_proc_opt(p, "root");
    st->self = p;
    if (captls_acme_srv_nonces_init(&st->nonces, "simnonce") != CAPTLS_OK)
        return; /* a constant prefix: cannot fail */
    st->port = (uint16_t)(port != NULL ? atoi(port) : 0);
    st->http_port = (uint16_t)(hp != NULL ? atoi(hp) : 80);
    st->validate_delay_ns = parse_dur(captls_sim_proc_opt(p, "validate-delay"),
                                      20 * CAPTLS_SIM_NS_PER_MS);
    st->validate_timeout_ns = parse_dur(
        captls_sim_proc_opt(p, "validate-timeout"), 2 * CAPTLS_SIM_NS_PER_S);
    snprintf(st->base, sizeof st->base, "https://%s:%u",
             captls_sim_host_name(captls_sim_proc_host(p)),
             (unsigned)st->port);
    if (!parse_resolve(st, captls_sim_proc_opt(p, "resolve"))) {
        captls_sim_log(k, p, NULL, "resolve=: expected NAME:HOST+...");
        return;
    }
    st->have_key = sim_tls_identity_key(p, &st->id,
                                        captls_sim_proc_opt(p, "key"));
    captls_result r = root == NULL ? CAPTLS_ERR_NOT_FOUND
                                   : captls_sim_cert_find(k, root, strlen(root),
                                                          &st->root_der,
                                                          &st->root_len);
    if (r == CAPTLS_OK)
        r = captls_certificate_parse(&st->root, st->root_der, st->root_len,
                                     NULL);
    st->have_root = r == CAPTLS_OK;
    if (!st->have_root || !st->have_key || st->port == 0) {
        captls_sim_log(k, p, NULL, "not serving: root %s, key %s, port %u",
                       captls_result_name(r), st->have_key ? "ok" : "missing",
                       (unsigned)st->port);
        return;
    }
    r = net->listen(net->ctx, NULL, st->port, &st->listener);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "listen on port %u failed: %s",
                       (unsigned)st->port, captls_result_name(r));
        return;
    }
    st->listening = true;
    captls_sim_log(k, p, NULL, "ACME directory at %s/dir", st->base);
}

static void ca_action(captls_sim_proc *p, const captls_sim_action *a)
{
    ca_state *st = captls_sim_proc_state(p);
    uint32_t n = 0;
    if (strcmp(a->verb, "bad-nonce") == 0) {
        if (!parse_u32(&a->args[0], &n)) {
            LOG(st, "bad-nonce: expected a count");
            return;
        }
        st->bad_nonce = n;
        LOG(st, "script: the next %u signed requests get badNonce", n);
        return;
    }
    if (strcmp(a->verb, "invalid-challenge") == 0) {
        st->invalid_challenge = true;
        LOG(st, "script: validations end invalid");
        return;
    }
    /* server-error RES N / rate-limit RES SECONDS */
    ca_res res = RES_COUNT_;
    char name[16];
    if (!captls_sim_program_arg_name(&a->args[0], name, sizeof name)) {
        LOG(st, "%s: expected a resource", a->verb);
        return;
    }
    if (strcmp(name, "any") != 0) {
        for (res = 0; res < RES_OTHER; res++)
            if (strcmp(name, RES_NAMES[res]) == 0)
                break;
        if (res == RES_OTHER) {
            LOG(st, "%s: unknown resource %s", a->verb, name);
            return;
        }
    }
    if (!parse_u32(&a->args[1], &n)) {
        LOG(st, "%s: expected a number", a->verb);
        return;
    }
    if (strcmp(a->verb, "server-error") == 0) {
        st->server_errors[res] = n;
        LOG(st, "script: the next %u requests to %s get 500", n, name);
    } else {
        st->rate_limited[res] = 1;
        st->rate_after = n;
        LOG(st, "script: the next POST to %s gets 429, Retry-After %u", name,
            n);
    }
}

static bool ca_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                    size_t cap, size_t *len)
{
    ca_state *st = captls_sim_proc_state(p);
    const char *s = NULL;
    if (strcmp(name, "validation") == 0)
        s = st->validation;
    else if (strcmp(name, "authz") == 0)
        s = st->nnames > 0 ? AZ_NAMES[st->az[0]] : "none";
    else if (strcmp(name, "order") == 0)
        s = st->have_order ? OR_NAMES[st->order] : "none";
    if (s != NULL)
        return captls_sim_program_fact_bytes(s, strlen(s), out, cap, len);
    uint64_t v;
    if (strcmp(name, "requests") == 0) v = st->requests;
    else if (strcmp(name, "posts") == 0) v = st->posts;
    else if (strcmp(name, "nonces") == 0) v = st->nonces.counter;
    else if (strcmp(name, "bad-nonce-sent") == 0) v = st->bad_nonce_sent;
    else if (strcmp(name, "server-errors") == 0) v = st->server_errs;
    else if (strcmp(name, "rate-limited") == 0) v = st->rate_sent;
    else if (strcmp(name, "jws-failures") == 0) v = st->jws_failures;
    else if (strcmp(name, "nonce-rejects") == 0) v = st->nonce_rejects;
    else if (strcmp(name, "validations") == 0) v = st->validations;
    else if (strcmp(name, "validations-ok") == 0) v = st->val_ok;
    else if (strcmp(name, "validations-failed") == 0) v = st->val_failed;
    else if (strcmp(name, "issued") == 0) v = st->issued_count;
    else if (strcmp(name, "revoked") == 0) v = st->revoked;
    else if (strcmp(name, "last-not-before") == 0) v = (uint64_t)st->last_not_before;
    else return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const CA_OPTIONS[] = {
    "port", "root", "key", "resolve", "http-port", "validate-delay",
    "validate-timeout", NULL};
static const char *const CA_REQUIRED[] = {"port", "root", "key", NULL};
static const char *const CA_FACTS[] = {
    "requests", "posts", "nonces", "bad-nonce-sent", "server-errors",
    "rate-limited", "jws-failures", "nonce-rejects", "validations",
    "validations-ok", "validations-failed", "validation", "issued",
    "revoked", "authz", "order", "last-not-before", NULL};
static const captls_sim_verb CA_VERBS[] = {
    {"bad-nonce", "S", "bad-nonce COUNT"},
    {"server-error", "SS", "server-error RESOURCE COUNT"},
    {"rate-limit", "SS", "rate-limit RESOURCE SECONDS"},
    {"invalid-challenge", "", "invalid-challenge"},
};

const captls_sim_program captls_sim_prog_acme_ca = {
    .name = "acme-ca",
    .iface = 0,
    .state_size = sizeof(ca_state),
    .options = CA_OPTIONS,
    .required = CA_REQUIRED,
    .verbs = CA_VERBS,
    .nverbs = sizeof(CA_VERBS) / sizeof(CA_VERBS[0]),
    .facts = CA_FACTS,
    .start = ca_start,
    .wake = ca_wake,
    .timer = ca_timer,
    .action = ca_action,
    .fact = ca_fact,
};
