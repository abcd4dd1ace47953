/* Fuzz harness: the AcmeClient's response handling (core/acme/acme_client.c,
 * acme_problem.c) — arbitrary statuses, headers and bodies fed to the
 * engine as the answers to whatever it asks.
 *
 * Input: byte 0 selects the operation (0 directory, 1 register, 2 order,
 * 3-7 revoke with reason bits 5-7; bit 3: onlyReturnExisting; bit 4:
 * two identifiers, one a wildcard), then a sequence of
 * response frames, one per request the engine sends:
 *   status (2 bytes, big-endian) | flags (1 byte) | retry-after (1 byte) |
 *   body length (2 bytes, big-endian) | body bytes
 * flags: bits 0-1 Replay-Nonce (none / fresh valid / invalid text /
 * replayed), bits 2-3 Location (none / on the origin / another host /
 * oversized), bits 4-5 Content-Type (none / json / problem+json /
 * pem-certificate-chain), bit 6 body truncated, bit 7 Retry-After present.
 * When the input runs out the transport fails.
 * Properties checked (abort on violation): every request the engine sends
 * is on the directory's origin and every POST carries a JWS body; a
 * wait is 1..CAPTLS_ACME_MAX_WAIT seconds; a failure's detail is printable ASCII (sanitized); the engine ends (DONE
 * or FAILED) within the exchange budget; nothing is stored unless the
 * chain verified (the trust store is empty, so nothing may ever be);
 * every challenge a solver published is retired.
 * Keys come from a fixed-entropy vault: insecure by design, fuzzing only.
 * Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/acme_client.h"
#include "core/verify/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_acme_client client;
static captls_cap_slot slots[32];
static captls_cap_table caps;
static captls_vault_key keys[2];
static captls_key_vault vault;
static captls_cap_handle vh, acct, tlskey, store_cap;
static captls_cert_store store;
static captls_cert_sub subs[1];
static captls_trust_store roots;
static captls_trust_anchor_info anchors[1];
static captls_cert_verifier verifier;
static uint8_t blob_data[2][CAPTLS_CERT_RECORD_MAX];
static size_t blob_len[2];
static int blob_used[2];
static int stores;
static char nonce_buf[24], loc_buf[700];
static unsigned nonce_ctr;
static int ready;

static captls_result fixed_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(0x5a ^ i ^ (nonce_ctr * 7));
    return CAPTLS_OK;
}

static captls_result wall(void *ctx, captls_wall_time *out)
{
    (void)ctx;
    out->epoch_seconds = 1767225600;
    out->nanoseconds = 0;
    out->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

static uint64_t mono(void *ctx)
{
    (void)ctx;
    return 1;
}

static int blob_idx(const char *key)
{
    return strcmp(key, "index") == 0 ? 0 : 1;
}

static captls_result b_get(void *ctx, const char *key, uint8_t *buf,
                           size_t cap, size_t *len)
{
    (void)ctx;
    int i = blob_idx(key);
    if (!blob_used[i])
        return CAPTLS_ERR_NOT_FOUND;
    *len = blob_len[i];
    if (cap < blob_len[i])
        return CAPTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, blob_data[i], blob_len[i]);
    return CAPTLS_OK;
}

static captls_result b_put(void *ctx, const char *key, const uint8_t *d,
                           size_t len)
{
    (void)ctx;
    int i = blob_idx(key);
    if (len > sizeof blob_data[i])
        return CAPTLS_ERR_DISK_FULL;
    memcpy(blob_data[i], d, len);
    blob_len[i] = len;
    blob_used[i] = 1;
    stores += i;
    return CAPTLS_OK;
}

static captls_result b_remove(void *ctx, const char *key)
{
    (void)ctx;
    blob_used[blob_idx(key)] = 0;
    return CAPTLS_OK;
}

static size_t s_supports(void *ctx, captls_acme_challenge_type *t, size_t max)
{
    (void)ctx;
    if (max < 3)
        return 0;
    t[0] = CAPTLS_ACME_CHALLENGE_HTTP01;
    t[1] = CAPTLS_ACME_CHALLENGE_DNS01;
    t[2] = CAPTLS_ACME_CHALLENGE_TLS_ALPN01;
    return 3;
}

static int live;
static captls_result s_solve(void *ctx, const captls_acme_challenge *ch)
{
    (void)ctx;
    if (ch->token_len == 0 || ch->key_authorization_len <= ch->token_len)
        abort();
    live++;
    return CAPTLS_OK;
}

static void s_cleanup(void *ctx, const captls_acme_challenge *ch)
{
    (void)ctx;
    (void)ch;
    live--;
}

static void setup_once(void)
{
    captls_entropy e = {NULL, fixed_fill};
    captls_clock clock = {NULL, mono, wall};
    captls_audit_sink none = {0};
    captls_blob_store blob = {NULL, b_get, b_put, b_remove};
    if (captls_cap_table_init(&caps, slots, 32) != CAPTLS_OK ||
        captls_key_vault_init(&vault, &caps, 1, keys, 2, e,
                              CAPTLS_KEY_PROFILE_DEVELOPMENT, clock,
                              none) != CAPTLS_OK ||
        captls_key_vault_mint(&vault, 2, CAPTLS_RIGHTS_ALL, &vh) != CAPTLS_OK ||
        captls_key_vault_generate(&vault, 2, vh, CAPTLS_KEY_ALG_P256,
                                  CAPTLS_KEY_PURPOSE_ACME_ACCOUNT, "acct",
                                  &acct) != CAPTLS_OK ||
        captls_key_vault_generate(&vault, 2, vh, CAPTLS_KEY_ALG_ED25519,
                                  CAPTLS_KEY_PURPOSE_TLS, "tls",
                                  &tlskey) != CAPTLS_OK ||
        captls_cert_store_init(&store, blob, &caps, subs, 1, clock, none) !=
            CAPTLS_OK ||
        captls_cert_store_mint(&store, 2, CAPTLS_RIGHTS_ALL, &store_cap) !=
            CAPTLS_OK ||
        captls_trust_store_init(&roots, anchors, 1, NULL, 0, false) !=
            CAPTLS_OK ||
        captls_cert_verifier_init(&verifier, captls_policy_web_pki_lenient(),
                                  &clock, NULL, NULL) != CAPTLS_OK)
        abort();
    ready = 1;
}

static void check_request(const captls_acme_request *req)
{
    captls_acme_origin a, b;
    if (captls_acme_url_origin(req->url, req->url_len, &a) != CAPTLS_OK ||
        captls_acme_url_origin("https://ca.test/dir", 19, &b) != CAPTLS_OK ||
        !captls_acme_same_origin(&a, &b))
        abort();
    /* a POST is a JWS: never sent without a body */
    if (req->method == CAPTLS_ACME_POST &&
        (req->body == NULL || req->body_len == 0 ||
         req->content_type == NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const captls_acme_identifier ids[2] = {
        {"dns", 3, "a.example", 9}, {"dns", 3, "*.example", 9}};
    static const char *const contact[] = {"mailto:a@example"};
    captls_acme_solver solver = {NULL, s_supports, s_solve, s_cleanup};
    captls_acme_config cfg;
    captls_acme_order_params p;
    captls_acme_request req;
    captls_acme_response resp;
    size_t pos = 1;
    if (!ready)
        setup_once();
    if (size < 1)
        return 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.directory_url = "https://ca.test/dir";
    cfg.vault = &vault;
    cfg.owner = 2;
    cfg.account_key = acct;
    cfg.clock = (captls_clock){NULL, mono, wall};
    cfg.verifier = &verifier;
    cfg.ca_roots = &roots;
    cfg.store = &store;
    cfg.store_cap = store_cap;
    if (captls_acme_client_init(&client, &cfg) != CAPTLS_OK)
        abort();
    memset(&p, 0, sizeof p);
    p.identifiers = ids;
    p.count = 1 + (data[0] >> 4 & 1);
    p.cert_key = tlskey;
    p.solver = &solver;
    p.store_handle = "web";
    live = 0;
    stores = 0;
    captls_result r = CAPTLS_OK;
    switch (data[0] & 7) {
    case 0:
        r = captls_acme_start_directory(&client);
        break;
    case 1:
        r = captls_acme_start_register(&client, contact, 1, true,
                                       (data[0] & 8) != 0);
        break;
    case 2:
        r = captls_acme_set_account_url(&client, "https://ca.test/acct/1");
        if (r == CAPTLS_OK)
            r = captls_acme_start_order(&client, &p);
        break;
    default: {
        static const uint8_t fake_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
        r = captls_acme_set_account_url(&client, "https://ca.test/acct/1");
        if (r == CAPTLS_OK)
            r = captls_acme_start_revoke(&client, fake_der, sizeof fake_der,
                                         data[0] >> 5);
        break;
    }
    }
    if (r != CAPTLS_OK) {
        captls_acme_client_fini(&client);
        return 0;
    }
    for (int guard = 0; guard <= (int)CAPTLS_ACME_MAX_EXCHANGES * 2; guard++) {
        uint32_t wait = 0;
        captls_acme_step s = captls_acme_next(&client, &req, &wait);
        if (s == CAPTLS_ACME_STEP_WAIT) {
            if (wait == 0 || wait > CAPTLS_ACME_MAX_WAIT)
                abort();
            continue;
        }
        if (s == CAPTLS_ACME_STEP_DONE || s == CAPTLS_ACME_STEP_FAILED)
            break;
        check_request(&req);
        if (size - pos < 6) {
            captls_acme_transport_failed(&client, CAPTLS_ERR_CONN_RESET);
            continue;
        }
        const uint8_t *f = data + pos;
        size_t blen = (size_t)f[4] << 8 | f[5];
        pos += 6;
        if (blen > size - pos)
            blen = size - pos;
        size_t cap = 0;
        uint8_t *buf = captls_acme_response_buffer(&client, &cap);
        if (blen > cap)
            blen = cap;
        memcpy(buf, data + pos, blen);
        pos += blen;
        memset(&resp, 0, sizeof resp);
        resp.status = (uint16_t)(f[0] << 8 | f[1]);
        resp.retry_after = (f[2] & 0x80) ? f[3] : -1;
        resp.body = buf;
        resp.body_len = blen;
        resp.body_truncated = (f[2] & 0x40) != 0;
        switch (f[2] & 3) {
        case 1:
            nonce_ctr++;
            nonce_buf[0] = 'n';
            for (int i = 1; i < 12; i++)
                nonce_buf[i] = (char)('a' + (nonce_ctr >> (i % 8)) % 26);
            resp.replay_nonce = (captls_acme_text){nonce_buf, 12};
            break;
        case 2:
            resp.replay_nonce = (captls_acme_text){"bad nonce=", 10};
            break;
        case 3:
            resp.replay_nonce = (captls_acme_text){nonce_buf, 12};
            break;
        }
        switch (f[2] >> 2 & 3) {
        case 1:
            resp.location = (captls_acme_text){"https://ca.test/obj/1", 21};
            break;
        case 2:
            resp.location = (captls_acme_text){"https://evil.test/obj", 21};
            break;
        case 3:
            memset(loc_buf, 'a', sizeof loc_buf);
            memcpy(loc_buf, "https://ca.test/", 16);
            resp.location = (captls_acme_text){loc_buf, sizeof loc_buf};
            break;
        }
        static const char *const ct[4] = {NULL, "application/json",
                                          "application/problem+json",
                                          "application/pem-certificate-chain"};
        if (ct[f[2] >> 4 & 3] != NULL)
            resp.content_type =
                (captls_acme_text){ct[f[2] >> 4 & 3], strlen(ct[f[2] >> 4 & 3])};
        if (captls_acme_on_response(&client, &resp) != CAPTLS_OK)
            abort();
    }
    if (captls_acme_next(&client, &req, NULL) == CAPTLS_ACME_STEP_SEND)
        abort(); /* the exchange budget must end every operation */
    const captls_acme_failure *fl = captls_acme_last_failure(&client);
    for (const char *c = fl->detail; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            abort();
    /* nothing verifies against an empty trust store: nothing stored */
    if (stores != 0 || captls_acme_stored_version(&client) != 0)
        abort();
    captls_acme_client_fini(&client);
    if (live != 0)
        abort(); /* every published challenge retired */
    return 0;
}
