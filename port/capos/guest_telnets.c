/* The telnets gateway inside the guest. See guest_telnets.h. */
#include "port/capos/guest_telnets.h"

#include <string.h>

#include "core/base/result.h"
#include "core/store/cert_store.h"
#include "core/tls/peer_trust.h"
#include "core/tls/pem_chain.h"
#include "core/verify/policy.h"
#include "core/x509/certificate.h"
#include "port/capos/console.h"
#include "port/capos/cpu.h"

#define CA_MAX CAPTLS_TLS_MAX_CHAIN
/* Caps: the gateway's roots, then each session's (shell.h). */
#define CAP_SLOTS (8u + CAPOS_TELNETS_MAX_CONNS * (CAPTLS_SESSION_MAX_CAPS + 2u))

static captls_tls_server_config tls;
static captls_private_key_tls_ctx key_ctx;
static uint8_t chain_der[CAPTLS_GUEST_CONFIG_PART_MAX];
static captls_tls_chain chain;
static uint8_t ca_der[CAPTLS_GUEST_CONFIG_PART_MAX];
static captls_tls_chain ca_list;
static captls_certificate ca_certs[CA_MAX];
static captls_trust_anchor_info anchor_slots[CA_MAX];
static uint8_t anchor_arena[CAPTLS_TLS_PEER_TRUST_ARENA(CA_MAX)];
static captls_tls_peer_trust client_trust;
static captls_credential_store creds;
static captls_cap_slot cap_slots[CAP_SLOTS];
static captls_cap_table caps;
static captls_gateway gw;
static captls_gateway_slot slots[CAPOS_TELNETS_MAX_CONNS];
static captls_poll_item items[CAPOS_TELNETS_MAX_CONNS + 2];

/* The store entry the chain follows (store_handle). */
static captls_tls_chain_source module_chain, served_chain;
static captls_cert_store cstore;
static captls_cert_sub csubs[1];
static captls_cap_slot store_cap_slots[4];
static captls_cap_table store_caps;
static captls_cap_handle store_cap;
static captls_cert_follower follower;
static bool following;
static uint8_t rec_bufs[2][CAPTLS_CERT_RECORD_MAX];
static const capos_telnets_setup *setup;

/* Record buffers: one of each kind per slot, lent while a connection
 * needs them. */
static uint8_t rx_bufs[CAPOS_TELNETS_MAX_CONNS][CAPTLS_TLS_RX_BUF_SIZE];
static uint8_t tx_bufs[CAPOS_TELNETS_MAX_CONNS][CAPTLS_TLS_TX_BUF_FULL];
static uint8_t hs_bufs[CAPOS_TELNETS_MAX_CONNS][CAPTLS_TLS_HS_BUF_SIZE];
static bool buf_used[3][CAPOS_TELNETS_MAX_CONNS];

static unsigned kind_index(unsigned kind)
{
    return kind == CAPTLS_TLS_BUF_RX ? 0u : kind == CAPTLS_TLS_BUF_TX ? 1u : 2u;
}

static uint8_t *buf_at(unsigned k, unsigned i, size_t *cap)
{
    if (k == 0) {
        *cap = sizeof rx_bufs[i];
        return rx_bufs[i];
    }
    if (k == 1) {
        *cap = sizeof tx_bufs[i];
        return tx_bufs[i];
    }
    *cap = sizeof hs_bufs[i];
    return hs_bufs[i];
}

static uint8_t *buf_take(void *ctx, unsigned kind, size_t *cap)
{
    unsigned k = kind_index(kind);
    (void)ctx;
    for (unsigned i = 0; i < CAPOS_TELNETS_MAX_CONNS; i++) {
        if (!buf_used[k][i]) {
            buf_used[k][i] = true;
            return buf_at(k, i, cap);
        }
    }
    return NULL;
}

static void buf_give(void *ctx, unsigned kind, uint8_t *buf)
{
    unsigned k = kind_index(kind);
    size_t cap;
    (void)ctx;
    for (unsigned i = 0; i < CAPOS_TELNETS_MAX_CONNS; i++)
        if (buf_at(k, i, &cap) == buf)
            buf_used[k][i] = false;
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    capos_console_puts("telnets: ");
    capos_console_puts(line);
    capos_console_puts("\n");
}

/* The chain of this handshake: the store entry's once it is followed,
 * the module's before. */
static captls_result chain_get(void *ctx, captls_tls_chain *out)
{
    (void)ctx;
    return following ? served_chain.get(served_chain.ctx, out)
                     : module_chain.get(module_chain.ctx, out);
}

/* A chain is served only for the key in the vault. */
static bool key_ok(void *ctx, const captls_certificate *leaf)
{
    (void)ctx;
    return captls_private_key_matches(setup->vault, setup->vault_owner,
                                      setup->key, leaf);
}

static void put_hex8(const uint8_t *b)
{
    static const char hex[] = "0123456789abcdef";
    char t[17];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = hex[b[i] >> 4];
        t[2 * i + 1] = hex[b[i] & 15];
    }
    t[16] = '\0';
    capos_console_puts(t);
}

static void store_line(const char *what, captls_result r)
{
    capos_console_puts("telnets: store: ");
    capos_console_puts(setup->store_handle);
    capos_console_puts(" ");
    capos_console_puts(what);
    if (r != CAPTLS_OK) {
        capos_console_puts(" (");
        capos_console_puts(captls_result_name(r));
        capos_console_puts(")");
    } else {
        capos_console_puts(" version ");
        capos_console_put_u64(follower.version);
        capos_console_puts(" leaf ");
        put_hex8(follower.leaf_sha256);
        capos_console_puts("...");
    }
    capos_console_puts("\n");
}

/* Reads the entry again (the bridge said it may have changed). */
static void store_refresh(void)
{
    static captls_result last_refusal = CAPTLS_OK;
    if (!following) {
        captls_result r = captls_cert_follower_init(
            &follower, &cstore, 1, store_cap, setup->store_handle, key_ok,
            NULL, rec_bufs[0], rec_bufs[1], sizeof rec_bufs[0]);
        if (r == CAPTLS_OK) {
            captls_cert_follower_source(&follower, &served_chain);
            following = true;
            store_line("serving", r);
        } else if (r != last_refusal) {
            /* said once per cause, not at every change */
            store_line(r == CAPTLS_ERR_PIN_MISMATCH
                           ? "refused: the chain is for another key"
                           : "not served yet (the module's chain is)",
                       r);
        }
        last_refusal = r;
        return;
    }
    bool rotated = false, refused = false;
    (void)captls_cert_store_poll(&cstore);
    captls_result r = captls_cert_follower_update(&follower, &rotated,
                                                  &refused);
    if (rotated)
        store_line("rotation: serving", CAPTLS_OK);
    if (refused)
        store_line("rotation refused: the old chain stays",
                   r != CAPTLS_OK ? r : CAPTLS_ERR_PIN_MISMATCH);
}

static captls_result store_init(const capos_telnets_setup *s,
                                const char **why)
{
    *why = "store: cannot set up the CertificateStore";
    CAPTLS_TRY(captls_cap_table_init(&store_caps, store_cap_slots, 4));
    CAPTLS_TRY(captls_cert_store_init(&cstore, s->store, &store_caps, csubs, 1,
                                      s->port->clock, s->port->audit));
    return captls_cert_store_mint(&cstore, 1, CAPTLS_RIGHT_CALL, &store_cap);
}

static __attribute__((noreturn)) void refuse(const char *why,
                                             captls_result r)
{
    capos_console_puts("telnets: not listening: ");
    capos_console_puts(why != NULL ? why : "?");
    capos_console_puts(" (");
    capos_console_puts(captls_result_name(r));
    capos_console_puts(")\n");
    capos_halt_forever();
}

/* The client CA part: every certificate an anchor for clientAuth (as
 * its EKU allows), judged by webPkiLenient. */
static captls_result build_client_trust(const capos_telnets_setup *s,
                                        const char **why)
{
    const captls_guest_config *cfg = s->cfg;
    size_t used;
    bool added;
    *why = "client CA: unreadable";
    CAPTLS_TRY(captls_tls_pem_chain_parse(cfg->part[CAPTLS_GC_CLIENT_CA - 1],
                                          cfg->part_len[CAPTLS_GC_CLIENT_CA - 1],
                                          ca_der, sizeof ca_der, &ca_list,
                                          &used));
    CAPTLS_TRY(captls_tls_peer_trust_init(&client_trust,
                                          captls_policy_web_pki_lenient(),
                                          &s->port->clock, anchor_slots,
                                          CA_MAX, anchor_arena,
                                          sizeof anchor_arena, why));
    for (size_t i = 0; i < ca_list.count; i++) {
        *why = "client CA: a certificate does not parse";
        CAPTLS_TRY(captls_certificate_parse(&ca_certs[i], ca_list.certs[i].ptr,
                                            ca_list.certs[i].len, NULL));
        CAPTLS_TRY(captls_tls_peer_trust_add(&client_trust, &ca_certs[i], 0,
                                             &added, why));
    }
    return captls_tls_peer_trust_finish(&client_trust, &s->port->clock,
                                        &s->port->audit, why);
}

static captls_result build(const capos_telnets_setup *s, const char **why)
{
    const captls_guest_config *cfg = s->cfg;
    captls_guest_config_work *w = s->work;
    captls_gateway_config gc;
    size_t used;

    memset(&tls, 0, sizeof tls);
    tls.common.clock = s->port->clock;
    tls.common.entropy = s->port->entropy;
    *why = "key: the KeyVault refused a TLS signer";
    CAPTLS_TRY(captls_private_key_tls_signer(s->vault, s->vault_owner, s->key,
                                             &key_ctx, &tls.key));
    *why = "chain: unreadable";
    CAPTLS_TRY(captls_tls_pem_chain_parse(cfg->part[CAPTLS_GC_CHAIN - 1],
                                          cfg->part_len[CAPTLS_GC_CHAIN - 1],
                                          chain_der, sizeof chain_der, &chain,
                                          &used));
    captls_tls_static_chain_source(&chain, &module_chain);
    tls.chain = (captls_tls_chain_source){NULL, chain_get};
    if (s->store_handle != NULL)
        CAPTLS_TRY(store_init(s, why));
    CAPTLS_TRY(build_client_trust(s, why));
    tls.client_verifier = client_trust.peer;
    *why = "users: cannot build the credential store";
    if (w->nusers > 0)
        CAPTLS_TRY(captls_credential_store_init(&creds, w->users, w->nusers));
    *why = "capability table";
    CAPTLS_TRY(captls_cap_table_init(&caps, cap_slots, CAP_SLOTS));

    memset(&gc, 0, sizeof gc);
    gc.net = &s->port->net;
    gc.clock = s->port->clock;
    gc.audit = s->port->audit;
    gc.log = log_line;
    gc.tls = &tls;
    gc.auth = s->auth;
    gc.creds = w->nusers > 0 ? &creds : NULL;
    gc.map = w->map;
    gc.map_count = w->nmap;
    gc.deploy = s->deploy;
    gc.host_name = "captls-guest";
    captls_gateway_limits_default(&gc.limits);
    gc.bufs = (captls_buf_source){NULL, buf_take, buf_give};
    gc.caps = &caps;
    gc.owner = 1;
    CAPTLS_TRY(captls_gateway_init(&gw, &gc, slots, CAPOS_TELNETS_MAX_CONNS,
                                   items, why));
    return captls_gateway_listen(&gw, NULL, s->listen_port, why);
}

void capos_guest_telnets_serve(const capos_telnets_setup *s,
                               uint64_t (*ms_since_entry)(void))
{
    const char *why = NULL;
    setup = s;
    captls_result r = build(s, &why);
    if (r != CAPTLS_OK)
        refuse(why, r);
    capos_console_puts("telnets: listening on port ");
    capos_console_put_u64(s->listen_port);
    capos_console_puts(" (auth ");
    capos_console_puts(s->auth == CAPTLS_GATEWAY_AUTH_MTLS ? "mtls"
                       : s->auth == CAPTLS_GATEWAY_AUTH_PASSWORD
                           ? "password"
                           : "mtls-or-password");
    capos_console_puts(", profile ");
    capos_console_puts(s->deploy == CAPTLS_DEPLOY_DEV ? "dev" : "production");
    capos_console_puts(")");
    if (ms_since_entry != NULL) {
        capos_console_puts(" at ");
        capos_console_put_u64(ms_since_entry());
        capos_console_puts(" ms from kernel entry");
    }
    capos_console_puts("\n");
    captls_result last = CAPTLS_OK;
    uint64_t closed = 0;
    size_t high = 0;
    for (;;) {
        r = captls_gateway_run(&gw, 1000000000ull);
        if (s->stack_used != NULL) {
            captls_gateway_stats st;
            captls_gateway_stats_get(&gw, &st);
            if (st.closed != closed) {
                closed = st.closed;
                size_t used = s->stack_used();
                if (used > high) {
                    high = used;
                    capos_console_puts("telnets: stack high-water ");
                    capos_console_put_u64(used);
                    capos_console_puts(" of ");
                    capos_console_put_u64(s->stack_size);
                    capos_console_puts(" bytes\n");
                }
            }
        }
        if (s->store_handle != NULL && s->store_changed(s->store_ctx))
            store_refresh();
        /* A turn's failure is the net's poll, not a connection's: the
         * gateway's state is intact, so say so once and go on. */
        if (r != last && r != CAPTLS_OK) {
            capos_console_puts("telnets: event loop: ");
            capos_console_puts(captls_result_name(r));
            capos_console_puts("\n");
        }
        last = r;
    }
}
