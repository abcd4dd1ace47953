/* Unit tests of core/acme/acme_client.c against a scripted fake CA
 * (test_fake_ca.h: checks every JWS — nonce used once, url, kid vs jwk,
 * signature — and issues real certificates with OpenSSL): the happy path
 * (directory, register, order with two names, verified and stored; renewal
 * not due / due by the lifetime fraction / due by ARI with "replaces";
 * revoke), account rediscovery, badNonce storms (bounded retry then success
 * / failure), 500s, rateLimited with Retry-After, an invalid challenge, an
 * invalid order, a chain that does not verify and a leaf key that does not
 * match (nothing stored), malformed JSON, an oversized body, redirects and
 * URLs on another host (refused, nothing sent there), keys of the wrong
 * purpose (refused before anything is sent), no supported challenge, the
 * poll budget; and the helpers (origins, RFC 3339, problem documents). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "core/acme/test_fake_ca.h"
#include "core/cap/audit.h"
#include "core/verify/policy.h"

static int64_t g_now = 1767225600; /* 2026-01-01T00:00:00Z */

static uint64_t mono(void *ctx)
{
    (void)ctx;
    return (uint64_t)g_now * 1000000000u;
}

static captls_result wall(void *ctx, captls_wall_time *out)
{
    (void)ctx;
    out->epoch_seconds = g_now;
    out->nanoseconds = 0;
    out->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

static captls_result rng_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return RAND_bytes(out, (int)len) == 1 ? CAPTLS_OK
                                          : CAPTLS_ERR_ENTROPY_FAILURE;
}

/* ---- in-memory blob store --------------------------------------------- */
#define MEM_N 8
typedef struct {
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    uint8_t data[CAPTLS_CERT_RECORD_MAX];
    size_t len;
    int used;
} mem_entry;
typedef struct {
    mem_entry e[MEM_N];
} mem_store;

static mem_entry *mem_find(mem_store *m, const char *key)
{
    for (int i = 0; i < MEM_N; i++)
        if (m->e[i].used && strcmp(m->e[i].key, key) == 0)
            return &m->e[i];
    return NULL;
}

static captls_result mem_get(void *ctx, const char *key, uint8_t *buf,
                             size_t cap, size_t *len)
{
    mem_entry *e = mem_find(ctx, key);
    if (e == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    *len = e->len;
    if (cap < e->len)
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, e->data, e->len);
    return CAPTLS_OK;
}

static captls_result mem_put(void *ctx, const char *key, const uint8_t *data,
                             size_t len)
{
    mem_store *m = ctx;
    mem_entry *e = mem_find(m, key);
    for (int i = 0; e == NULL && i < MEM_N; i++)
        if (!m->e[i].used)
            e = &m->e[i];
    if (e == NULL || len > sizeof e->data)
        return CAPTLS_ERR_DISK_FULL;
    snprintf(e->key, sizeof e->key, "%s", key);
    memcpy(e->data, data, len);
    e->len = len;
    e->used = 1;
    return CAPTLS_OK;
}

static captls_result mem_remove(void *ctx, const char *key)
{
    mem_entry *e = mem_find(ctx, key);
    if (e == NULL)
        return CAPTLS_ERR_NOT_FOUND;
    e->used = 0;
    return CAPTLS_OK;
}

/* ---- the world -------------------------------------------------------- */
#define OWNER 2
typedef struct world {
    captls_cap_slot slots[64];
    captls_cap_table caps;
    captls_vault_key keys[4];
    captls_key_vault vault;
    captls_cap_handle vh, acct_key, cert_key, cert_key2;
    mem_store mem;
    captls_cert_sub subs[2];
    captls_cert_store store;
    captls_cap_handle store_cap;
    captls_trust_store roots;
    captls_trust_anchor_info anchor_slots[2];
    uint8_t arena[4096];
    captls_trust_store_writer writer;
    captls_certificate root_cert;
    captls_cert_verifier verifier;
    fake_ca ca;
    test_solver ts;
    captls_acme_solver solver;
    captls_acme_transport transport;
    captls_acme_client client;
    int stages[16];
    uint8_t rec[CAPTLS_CERT_RECORD_MAX];
    uint32_t waits[64];
    size_t nwaits;
} world;

static world *W;

static void on_progress(void *ctx, captls_acme_stage st, const char *text)
{
    (void)ctx;
    assert_non_null(text);
    W->stages[st]++;
}

static captls_acme_config config(void)
{
    captls_acme_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.directory_url = CA_BASE "/dir";
    cfg.vault = &W->vault;
    cfg.owner = OWNER;
    cfg.account_key = W->acct_key;
    cfg.clock = (captls_clock){NULL, mono, wall};
    cfg.verifier = &W->verifier;
    cfg.ca_roots = &W->roots;
    cfg.store = &W->store;
    cfg.store_cap = W->store_cap;
    cfg.progress = (captls_acme_progress){NULL, on_progress};
    return cfg;
}

static int setup(void **state)
{
    static world w;
    captls_entropy e = {NULL, rng_fill};
    captls_clock clock = {NULL, mono, wall};
    captls_audit_sink none = {0};
    captls_blob_store blob;
    memset(&w, 0, sizeof w);
    W = &w;
    g_now = 1767225600;
    assert_int_equal(captls_cap_table_init(&w.caps, w.slots, 64), CAPTLS_OK);
    assert_int_equal(captls_key_vault_init(&w.vault, &w.caps, 1, w.keys, 4, e,
                                           CAPTLS_KEY_PROFILE_DEVELOPMENT,
                                           clock, none),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_mint(&w.vault, OWNER, CAPTLS_RIGHTS_ALL,
                                           &w.vh),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&w.vault, OWNER, w.vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                                               "acct", &w.acct_key),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&w.vault, OWNER, w.vh,
                                               CAPTLS_KEY_ALG_P256,
                                               CAPTLS_KEY_PURPOSE_TLS, "web",
                                               &w.cert_key),
                     CAPTLS_OK);
    assert_int_equal(captls_key_vault_generate(&w.vault, OWNER, w.vh,
                                               CAPTLS_KEY_ALG_ED25519,
                                               CAPTLS_KEY_PURPOSE_TLS, "web2",
                                               &w.cert_key2),
                     CAPTLS_OK);
    blob = (captls_blob_store){&w.mem, mem_get, mem_put, mem_remove};
    assert_int_equal(captls_cert_store_init(&w.store, blob, &w.caps, w.subs, 2,
                                            clock, none),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_store_mint(&w.store, OWNER, CAPTLS_RIGHTS_ALL,
                                            &w.store_cap),
                     CAPTLS_OK);
    test_solver_init(&w.ts, &w.solver);
    fake_ca_init(&w.ca, &g_now, &w.ts);
    assert_int_equal(captls_certificate_parse(&w.root_cert, w.ca.root_der,
                                              (size_t)w.ca.root_len, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_init(&w.roots, w.anchor_slots, 2,
                                             w.arena, sizeof w.arena, false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&w.writer, &w.roots, NULL,
                                                    NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(&w.writer, 0,
                                                          &w.root_cert, NULL,
                                                          0),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_init(&w.verifier,
                                               captls_policy_web_pki_lenient(),
                                               &clock, NULL, NULL),
                     CAPTLS_OK);
    w.transport = (captls_acme_transport){&w.ca, ca_exchange};
    captls_acme_config cfg = config();
    assert_int_equal(captls_acme_client_init(&w.client, &cfg), CAPTLS_OK);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    captls_acme_client_fini(&w->client);
    fake_ca_free(&w->ca);
    captls_key_vault_fini(&w->vault);
    return 0;
}

/* Drives the client to DONE or FAILED; waits advance the clock. */
static captls_acme_step drive(captls_acme_client *c)
{
    for (int i = 0; i < 200; i++) {
        uint32_t wait = 0;
        captls_acme_step s = captls_acme_run(c, &W->transport, &wait);
        if (s != CAPTLS_ACME_STEP_WAIT)
            return s;
        assert_true(wait >= 1 && wait <= CAPTLS_ACME_MAX_WAIT);
        if (W->nwaits < 64)
            W->waits[W->nwaits++] = wait;
        g_now += wait;
    }
    fail_msg("did not finish");
    return CAPTLS_ACME_STEP_FAILED;
}

static void expect_failure(captls_acme_error kind)
{
    const captls_acme_failure *f = captls_acme_last_failure(&W->client);
    if (f->kind != kind)
        fail_msg("expected %s, got %s (%s)", captls_acme_error_name(kind),
                 captls_acme_error_name(f->kind), f->detail);
}

static void do_register(void)
{
    static const char *const contacts[] = {"mailto:ops@example.com"};
    assert_int_equal(captls_acme_start_register(&W->client, contacts, 1, true,
                                                false),
                     CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_string_equal(captls_acme_account_url(&W->client), CA_ACCT);
}

static const captls_acme_identifier k_ids[2] = {
    {"dns", 3, "www.example.com", 15},
    {"dns", 3, "example.com", 11},
};

static captls_acme_order_params params(captls_cap_handle key, size_t n)
{
    captls_acme_order_params p;
    memset(&p, 0, sizeof p);
    p.identifiers = k_ids;
    p.count = n;
    p.cert_key = key;
    p.solver = &W->solver;
    p.store_handle = "web";
    return p;
}

static bool stored(void)
{
    captls_cert_record rec;
    return captls_cert_store_get(&W->store, OWNER, W->store_cap, "web",
                                 W->rec, sizeof W->rec, &rec) == CAPTLS_OK;
}

static void order_expect(captls_acme_error kind)
{
    captls_acme_order_params p = params(W->cert_key, 2);
    do_register();
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(kind);
    assert_false(stored());
    assert_int_equal(W->ts.live, 0); /* every solve cleaned up */
    assert_int_equal(W->ca.jws_failures, 0);
    assert_int_equal(W->ca.offorigin, 0);
}

/* ---- tests ------------------------------------------------------------ */

static void test_happy_path(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 2);
    captls_cert_record rec;
    assert_int_equal(captls_acme_start_directory(&W->client), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    const captls_acme_directory *d = captls_acme_directory_info(&W->client);
    assert_non_null(d);
    assert_string_equal(d->terms_of_service, "https://ca.test/tos");
    assert_string_equal(d->revoke_cert, CA_BASE "/revoke");
    assert_string_equal(d->renewal_info, "");
    do_register();
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_int_equal(captls_acme_stored_version(&W->client), 1);
    assert_string_equal(captls_acme_certificate_url(&W->client),
                        CA_BASE "/cert/1");
    /* both names solved with http-01 and retired again */
    assert_int_equal(W->ts.solves, 2);
    assert_int_equal(W->ts.cleanups, 2);
    assert_int_equal(W->ts.live, 0);
    /* the CA saw only well-formed, fresh, correctly keyed JWS */
    assert_int_equal(W->ca.jws_failures, 0);
    assert_int_equal(W->ca.nonce_rejects, 0);
    assert_int_equal(W->ca.offorigin, 0);
    assert_int_equal(W->ca.finalizes, 1);
    /* the stored chain is the issued one */
    assert_int_equal(captls_cert_store_get(&W->store, OWNER, W->store_cap,
                                           "web", W->rec, sizeof W->rec, &rec),
                     CAPTLS_OK);
    assert_int_equal(rec.count, 2);
    assert_int_equal(rec.certs[0].len, (size_t)W->ca.leaf_len);
    assert_memory_equal(rec.certs[0].ptr, W->ca.leaf_der, rec.certs[0].len);
    /* each stage reported */
    for (int s = CAPTLS_ACME_STAGE_DIRECTORY; s <= CAPTLS_ACME_STAGE_STORED; s++)
        assert_true(W->stages[s] > 0);
    /* polls waited as the CA's Retry-After said (challenge 1 s) */
    assert_true(W->nwaits >= 3);
    assert_int_equal(W->waits[0], 1);

    /* renew: not due right after issuance */
    assert_int_equal(captls_acme_start_renew(&W->client, &p, false), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    const captls_acme_renewal *rn = captls_acme_renewal_result(&W->client);
    assert_false(rn->renewed);
    assert_false(rn->ari_used);
    /* the documented threshold: a third of 90 days + 60 s before notAfter */
    assert_int_equal(rn->due_at,
                     rn->not_after - (90 * 86400 + 60) / 3);
    int finalizes = W->ca.finalizes;
    assert_int_equal(W->ca.finalizes, finalizes);
    /* 61 days later: due, renewed with the Ed25519 key, version 2 */
    g_now += 61 * 86400;
    p = params(W->cert_key2, 2);
    assert_int_equal(captls_acme_start_renew(&W->client, &p, false), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_true(captls_acme_renewal_result(&W->client)->renewed);
    assert_int_equal(captls_acme_stored_version(&W->client), 2);
    assert_int_equal(W->ca.finalizes, finalizes + 1);
    assert_string_equal(W->ca.replaces, ""); /* no ARI: no "replaces" */

    /* revoke the current leaf, reason keyCompromise (1) */
    assert_int_equal(captls_acme_start_revoke(&W->client, W->ca.leaf_der,
                                              (size_t)W->ca.leaf_len, 1),
                     CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_int_equal(W->ca.revoked, 1);
    assert_int_equal(W->ca.revoke_reason, 1);
    /* twice: a typed error */
    assert_int_equal(captls_acme_start_revoke(&W->client, W->ca.leaf_der,
                                              (size_t)W->ca.leaf_len, 1),
                     CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_ALREADY_REVOKED);
    /* reason 7 does not exist (RFC 5280 §5.3.1) */
    assert_int_equal(captls_acme_start_revoke(&W->client, W->ca.leaf_der,
                                              (size_t)W->ca.leaf_len, 7),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(W->ca.jws_failures, 0);
    assert_int_equal(W->ca.nonce_rejects, 0);
}

static void test_renew_with_ari(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    char want[512];
    W->ca.offer_ari = 1;
    do_register();
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    ca_cert_id(&W->ca, want, sizeof want);
    /* the CA suggests renewing from day 10 on (earlier than 60 days) */
    W->ca.ari_start = g_now + 10 * 86400;
    g_now += 5 * 86400;
    assert_int_equal(captls_acme_start_renew(&W->client, &p, false), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    const captls_acme_renewal *rn = captls_acme_renewal_result(&W->client);
    assert_true(rn->ari_used);
    assert_false(rn->renewed);
    assert_int_equal(rn->due_at, W->ca.ari_start);
    assert_string_equal(W->ca.ari_seen, want);
    g_now += 6 * 86400;
    assert_int_equal(captls_acme_start_renew(&W->client, &p, false), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_true(captls_acme_renewal_result(&W->client)->renewed);
    /* RFC 9773 §5: the new order names the certificate it replaces */
    assert_string_equal(W->ca.replaces, want);
    assert_int_equal(captls_acme_stored_version(&W->client), 2);
    assert_int_equal(W->ca.jws_failures, 0);
}

static void test_rediscovery(void **state)
{
    (void)state;
    /* no account yet: onlyReturnExisting creates none */
    assert_int_equal(captls_acme_start_register(&W->client, NULL, 0, false,
                                                true),
                     CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST);
    assert_int_equal(captls_acme_last_failure(&W->client)->http_status, 400);
    assert_string_equal(captls_acme_account_url(&W->client), "");
    do_register();
    /* a second client with the same key finds the account */
    static captls_acme_client c2;
    captls_acme_config cfg = config();
    assert_int_equal(captls_acme_client_init(&c2, &cfg), CAPTLS_OK);
    assert_int_equal(captls_acme_start_register(&c2, NULL, 0, false, true),
                     CAPTLS_OK);
    assert_int_equal(drive(&c2), CAPTLS_ACME_STEP_DONE);
    assert_string_equal(captls_acme_account_url(&c2), CA_ACCT);
    captls_acme_client_fini(&c2);
    assert_int_equal(W->ca.jws_failures, 0);
}

static void test_bad_nonce_storm_recovers(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    do_register();
    W->ca.bad_nonce = CAPTLS_ACME_BAD_NONCE_RETRIES; /* 5 in a row: retried */
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_int_equal(W->ca.badnonce_sent, 5);
    assert_true(stored());
    assert_int_equal(W->ca.nonce_rejects, 0); /* never a reused nonce */
    assert_int_equal(W->ca.jws_failures, 0);
}

static void test_bad_nonce_storm_fails(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    do_register();
    W->ca.bad_nonce = 100;
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_BAD_NONCE);
    /* the newOrder POST: the first try and exactly 5 retries */
    assert_int_equal(W->ca.badnonce_sent, 6);
    assert_int_equal(W->ca.nonce_rejects, 0);
    assert_false(stored());
}

static void test_server_errors(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    W->ca.server_errors = 2; /* the directory fetch fails twice */
    do_register();
    assert_int_equal(W->nwaits, 2);
    assert_int_equal(W->waits[0], 1); /* 1 s, then 2 s */
    assert_int_equal(W->waits[1], 2);
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    W->ca.server_errors = 4; /* more than the budget of 3 */
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_SERVER_INTERNAL);
    assert_int_equal(captls_acme_last_failure(&W->client)->http_status, 500);
    assert_false(stored());
}

static void test_rate_limited(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    do_register();
    W->ca.rate_limited = 1;
    W->ca.rate_retry_after = 30;
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    uint32_t wait = 0;
    assert_int_equal(captls_acme_run(&W->client, &W->transport, &wait),
                     CAPTLS_ACME_STEP_WAIT);
    assert_int_equal(wait, 30); /* backs off per Retry-After */
    g_now += wait;
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    assert_true(stored());
    /* a Retry-After beyond the bound fails at once, with the type */
    W->ca.rate_limited = 1;
    W->ca.rate_retry_after = 100000;
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_RATE_LIMITED);
    assert_int_equal(captls_acme_last_failure(&W->client)->code,
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    /* without Retry-After, repeated: bounded (3 backoffs, then failure) */
    W->ca.rate_limited = 10;
    W->ca.rate_retry_after = -1;
    W->nwaits = 0;
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_RATE_LIMITED);
    assert_int_equal(W->nwaits, CAPTLS_ACME_RATE_RETRIES);
    assert_int_equal(W->waits[0], CAPTLS_ACME_DEFAULT_BACKOFF);
}

static void test_invalid_challenge(void **state)
{
    (void)state;
    W->ca.challenge_fails = 1;
    order_expect(CAPTLS_ACME_ERR_AUTHZ_INVALID);
    const captls_acme_failure *f = captls_acme_last_failure(&W->client);
    /* the challenge's problem, sanitized (the CA put a BEL in it) */
    assert_non_null(strstr(f->detail, "incorrectResponse"));
    assert_non_null(strstr(f->detail, "\\x07"));
    assert_int_equal(W->ts.solves, 1);
    assert_int_equal(W->ts.cleanups, 1);
    assert_int_equal(W->ca.finalizes, 0);
}

static void test_order_invalid(void **state)
{
    (void)state;
    W->ca.order_invalid = 1;
    order_expect(CAPTLS_ACME_ERR_ORDER_INVALID);
    assert_non_null(strstr(captls_acme_last_failure(&W->client)->detail,
                           "badCSR"));
}

static void test_chain_other_root_not_stored(void **state)
{
    (void)state;
    W->ca.chain_mode = 1;
    order_expect(CAPTLS_ACME_ERR_CHAIN_UNVERIFIED);
    assert_int_equal(captls_acme_stored_version(&W->client), 0);
}

static void test_leaf_key_mismatch_not_stored(void **state)
{
    (void)state;
    W->ca.chain_mode = 2;
    order_expect(CAPTLS_ACME_ERR_KEY_MISMATCH);
}

static void test_malformed_json(void **state)
{
    (void)state;
    W->ca.malformed_order = 1;
    order_expect(CAPTLS_ACME_ERR_BAD_RESPONSE);
    assert_int_equal(W->ts.solves, 0);
}

static void test_oversized_body(void **state)
{
    (void)state;
    W->ca.oversized_authz = 1;
    order_expect(CAPTLS_ACME_ERR_OVERSIZED);
    assert_int_equal(W->ts.solves, 0);
}

static void test_redirect_refused(void **state)
{
    (void)state;
    W->ca.redirect_order = 1;
    order_expect(CAPTLS_ACME_ERR_CROSS_ORIGIN);
    assert_int_equal(captls_acme_last_failure(&W->client)->http_status, 302);
}

static void test_location_elsewhere_refused(void **state)
{
    (void)state;
    W->ca.evil_location = 1;
    order_expect(CAPTLS_ACME_ERR_CROSS_ORIGIN);
}

static void test_directory_elsewhere_refused(void **state)
{
    (void)state;
    W->ca.evil_directory = 1;
    assert_int_equal(captls_acme_start_directory(&W->client), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_CROSS_ORIGIN);
    assert_null(captls_acme_directory_info(&W->client));
    assert_int_equal(W->ca.offorigin, 0);
    assert_int_equal(W->ca.requests, 1);
}

static void test_wrong_purpose_keys(void **state)
{
    (void)state;
    static captls_acme_client c2;
    captls_acme_config cfg = config();
    /* a tls key as the account key: refused by the vault at init */
    cfg.account_key = W->cert_key;
    assert_int_equal(captls_acme_client_init(&c2, &cfg),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* the account key as the certificate key: refused before any request */
    do_register();
    int before = W->ca.requests;
    captls_acme_order_params p = params(W->acct_key, 1);
    assert_int_equal(captls_acme_start_order(&W->client, &p),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_KEY);
    assert_int_equal(W->ca.requests, before);
    /* a destroyed certificate key fails the CSR cleanly, nothing stored */
    p = params(W->cert_key, 1);
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(captls_key_vault_destroy(&W->vault, OWNER, W->vh, "web"),
                     CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_KEY);
    assert_int_equal(captls_acme_last_failure(&W->client)->code,
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(W->ca.finalizes, 0);
    assert_false(stored());
}

static void test_no_supported_challenge(void **state)
{
    (void)state;
    W->ts.types[0] = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    order_expect(CAPTLS_ACME_ERR_NO_CHALLENGE);
    assert_int_equal(W->ts.solves, 0);
    /* preference order: dns-01 first when the solver says so */
    W->ts.types[0] = CAPTLS_ACME_CHALLENGE_DNS01;
    W->ts.types[1] = CAPTLS_ACME_CHALLENGE_HTTP01;
    W->ts.ntypes = 2;
    captls_acme_order_params p = params(W->cert_key, 1);
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    captls_acme_step s = drive(&W->client);
    /* the fake CA validates http-01 only: the dns-01 answer fails */
    assert_int_equal(s, CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_AUTHZ_INVALID);
    assert_int_equal(W->ts.solves, 1);
    assert_int_equal(W->ts.live, 0);
}

static void test_wildcard_order(void **state)
{
    (void)state;
    static const captls_acme_identifier ids[2] = {
        {"dns", 3, "*.example.com", 13}, {"dns", 3, "example.com", 11}};
    captls_acme_order_params p = params(W->cert_key, 2);
    p.identifiers = ids;
    do_register();
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(drive(&W->client), CAPTLS_ACME_STEP_DONE);
    /* RFC 8555 §7.1.4: the wildcard's authorization names the base domain
     * (and the solver is told it is a wildcard) */
    assert_string_equal(W->ts.ident[0], "example.com");
    assert_string_equal(W->ts.ident[1], "example.com");
    assert_string_equal(W->ca.names[0], "*.example.com");
    assert_true(stored());
    assert_int_equal(W->ca.jws_failures, 0);
}

static void test_poll_budget(void **state)
{
    (void)state;
    W->ca.authz_pending_polls = 1000;
    order_expect(CAPTLS_ACME_ERR_RETRIES_EXHAUSTED);
    /* the 1 s wait after the challenge response counts as the first poll,
     * then 29 waits of Retry-After 3 s; the 30th pending answer ends it */
    assert_int_equal(W->nwaits, CAPTLS_ACME_MAX_POLLS);
    assert_int_equal(W->waits[0], 1);
    assert_int_equal(W->waits[1], 3);
}

static void test_usage(void **state)
{
    (void)state;
    captls_acme_order_params p = params(W->cert_key, 1);
    captls_acme_request req;
    static const captls_acme_identifier ip = {"ip", 2, "192.0.2.1", 9};
    /* no account yet */
    assert_int_equal(captls_acme_start_order(&W->client, &p),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    expect_failure(CAPTLS_ACME_ERR_USAGE);
    do_register();
    p.identifiers = &ip;
    assert_int_equal(captls_acme_start_order(&W->client, &p),
                     CAPTLS_ERR_MALFORMED);
    /* one operation at a time */
    p = params(W->cert_key, 1);
    assert_int_equal(captls_acme_start_order(&W->client, &p), CAPTLS_OK);
    assert_int_equal(captls_acme_start_directory(&W->client),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* a response with no request outstanding */
    captls_acme_response r;
    memset(&r, 0, sizeof r);
    assert_int_equal(captls_acme_on_response(&W->client, &r),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* the transport failing */
    assert_int_equal(captls_acme_next(&W->client, &req, NULL),
                     CAPTLS_ACME_STEP_SEND);
    captls_acme_transport_failed(&W->client, CAPTLS_ERR_CONN_REFUSED);
    assert_int_equal(captls_acme_next(&W->client, &req, NULL),
                     CAPTLS_ACME_STEP_FAILED);
    expect_failure(CAPTLS_ACME_ERR_TRANSPORT);
    /* a directory URL that is not https */
    static captls_acme_client c2;
    captls_acme_config cfg = config();
    cfg.directory_url = "http://ca.test/dir";
    assert_int_equal(captls_acme_client_init(&c2, &cfg), CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_acme_set_account_url(&W->client,
                                                 "https://evil.test/acct/1"),
                     CAPTLS_ERR_MALFORMED);
}

static void test_helpers(void **state)
{
    (void)state;
    captls_acme_origin a, b;
    int64_t t = 0;
    static const char *const bad[] = {
        "http://ca.test/", "https://", "https:///x", "https://u@ca.test/",
        "https://ca.test:0/", "https://ca.test:65536/", "https://ca.test:x/",
        "https://ca.test/a b", "https://ca.test/#f", "ftp://ca.test/",
        "https://[::1/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(captls_acme_url_origin(bad[i], strlen(bad[i]), &a),
                         CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_acme_url_origin("https://CA.test:443/dir", 23, &a),
                     CAPTLS_OK);
    assert_int_equal(captls_acme_url_origin("HTTPS://ca.TEST/x?y", 19, &b),
                     CAPTLS_OK);
    assert_true(captls_acme_same_origin(&a, &b));
    assert_int_equal(captls_acme_url_origin("https://ca.test:14000/", 22, &b),
                     CAPTLS_OK);
    assert_int_equal(b.port, 14000);
    assert_false(captls_acme_same_origin(&a, &b));
    assert_int_equal(captls_acme_url_origin("https://[::1]:8443/d", 20, &b),
                     CAPTLS_OK);
    assert_int_equal(b.host_len, 5);
    /* RFC 3339 */
    assert_int_equal(captls_acme_rfc3339_parse("2026-01-01T00:00:00Z", 20, &t),
                     CAPTLS_OK);
    assert_int_equal(t, 1767225600);
    assert_int_equal(captls_acme_rfc3339_parse("2026-01-01T01:00:00.5+01:00",
                                               27, &t),
                     CAPTLS_OK);
    assert_int_equal(t, 1767225600);
    assert_int_equal(captls_acme_rfc3339_parse("2024-02-29t12:00:00z", 20, &t),
                     CAPTLS_OK);
    static const char *const bad_t[] = {
        "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01 00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00+1:00", "2026-01-01T00:00:00Zx"};
    for (size_t i = 0; i < sizeof bad_t / sizeof bad_t[0]; i++)
        assert_int_equal(captls_acme_rfc3339_parse(bad_t[i], strlen(bad_t[i]),
                                                   &t),
                         CAPTLS_ERR_MALFORMED);
    /* problem documents: typed, detail sanitized */
    captls_json_token tok[32];
    captls_acme_failure f;
    static const char pd[] =
        "{\"type\":\"urn:ietf:params:acme:error:rateLimited\","
        "\"detail\":\"too many\\r\\nX-Injected: 1\"}";
    memset(&f, 0, sizeof f);
    assert_int_equal(captls_acme_problem_parse((const uint8_t *)pd,
                                               sizeof pd - 1, tok, 32, &f),
                     CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_ACME_ERR_RATE_LIMITED);
    assert_string_equal(f.detail, "too many\\x0d\\x0aX-Injected: 1");
    static const char other[] = "{\"type\":\"about:blank\"}";
    assert_int_equal(captls_acme_problem_parse((const uint8_t *)other,
                                               sizeof other - 1, tok, 32, &f),
                     CAPTLS_OK);
    assert_int_equal(f.kind, CAPTLS_ACME_ERR_PROBLEM_OTHER);
    assert_int_equal(captls_acme_problem_parse((const uint8_t *)"[1]", 3, tok,
                                               32, &f),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(captls_acme_error_from_type(
                         "urn:ietf:params:acme:error:badNonce", 35),
                     CAPTLS_ACME_ERR_BAD_NONCE);
    assert_string_equal(captls_acme_error_name(CAPTLS_ACME_ERR_CROSS_ORIGIN),
                        "cross-origin");
    assert_true(captls_acme_nonce_valid("abc-_Z09", 8));
    assert_false(captls_acme_nonce_valid("abc=", 4));
    assert_false(captls_acme_nonce_valid("", 0));
    assert_int_equal(captls_acme_challenge_type_parse("dns-01", 6),
                     CAPTLS_ACME_CHALLENGE_DNS01);
    assert_int_equal(captls_acme_challenge_type_parse("http-1", 6),
                     CAPTLS_ACME_CHALLENGE_UNKNOWN);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_happy_path),
        T(test_renew_with_ari),
        T(test_rediscovery),
        T(test_bad_nonce_storm_recovers),
        T(test_bad_nonce_storm_fails),
        T(test_server_errors),
        T(test_rate_limited),
        T(test_invalid_challenge),
        T(test_order_invalid),
        T(test_chain_other_root_not_stored),
        T(test_leaf_key_mismatch_not_stored),
        T(test_malformed_json),
        T(test_oversized_body),
        T(test_redirect_refused),
        T(test_location_elsewhere_refused),
        T(test_directory_elsewhere_refused),
        T(test_wrong_purpose_keys),
        T(test_no_supported_challenge),
        T(test_wildcard_order),
        T(test_poll_budget),
        T(test_usage),
        T(test_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
