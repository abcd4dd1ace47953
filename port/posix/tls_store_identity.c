/* See tls_store_identity.h. */
#define _GNU_SOURCE
#include "port/posix/tls_store_identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/keys/key_vault.h"
#include "core/store/cert_store.h"
#include "port/posix/posix_cert_store.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_options.h"

#define VAULT_OWNER 2
#define SERVER_OWNER 3
#define POLL_MS 200u

static struct {
    bool active;
    captls_pstore *store;
    captls_cap_slot slots[32];
    captls_cap_table caps;
    captls_vault_key keys[1];
    captls_key_vault vault;
    captls_cap_handle vault_h, key_h;
    captls_private_key_tls_ctx signer_ctx;
    captls_posix_entropy_ctx entropy_ctx;
    captls_posix_audit_ctx audit_ctx;
    captls_cert_follower follower;
    uint8_t *bufs[2];
    uint64_t last_poll;
} g;

static bool key_matches(void *ctx, const captls_certificate *leaf)
{
    (void)ctx;
    return captls_private_key_matches(&g.vault, SERVER_OWNER, g.key_h, leaf);
}

static void say_version(const char *what)
{
    char hex[65];
    captls_cert_fingerprint_hex(g.follower.leaf_sha256, hex);
    fprintf(stderr, "%s: %s version %llu leaf %s\n", what, g.follower.handle,
            (unsigned long long)g.follower.version, hex);
}

bool captls_tls_store_identity_load(const char *dir, const char *handle,
                                    const char *key_path,
                                    captls_tls_signer *signer,
                                    captls_tls_chain_source *chain, char *err,
                                    size_t errcap)
{
    uint8_t *pem = NULL, scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];
    size_t len = 0;
    captls_entropy e;
    captls_clock clock = {0};
    captls_audit_sink audit;
    const char *prof = getenv("CAPTLS_KEY_PROFILE");
    captls_key_profile profile = prof != NULL && strcmp(prof, "production") == 0
                                     ? CAPTLS_KEY_PROFILE_PRODUCTION
                                     : CAPTLS_KEY_PROFILE_DEVELOPMENT;
    captls_result r;

    if (g.active) {
        snprintf(err, errcap, "--store: one identity per process");
        return false;
    }
    memset(&g, 0, sizeof g);
    if (!captls_tlsopt_read_file(key_path, &pem, &len, err, errcap))
        return false;
    captls_posix_entropy_init(&g.entropy_ctx, &e);
    if (captls_posix_audit_open(&g.audit_ctx, "-", &audit) != CAPTLS_OK)
        audit.append = NULL;
    r = captls_cap_table_init(&g.caps, g.slots, 32);
    if (r == CAPTLS_OK)
        r = captls_key_vault_init(&g.vault, &g.caps, VAULT_OWNER, g.keys, 1, e,
                                  profile, clock, audit);
    if (r == CAPTLS_OK)
        r = captls_key_vault_mint(&g.vault, SERVER_OWNER,
                                  CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE,
                                  &g.vault_h);
    if (r == CAPTLS_OK)
        r = captls_key_vault_import_dev(&g.vault, SERVER_OWNER, g.vault_h, pem,
                                        len, CAPTLS_KEY_PURPOSE_TLS,
                                        "tls-server", scratch, sizeof scratch,
                                        &g.key_h);
    captls_zeroize(pem, len);
    free(pem);
    if (r != CAPTLS_OK) {
        snprintf(err, errcap, "%s: %s (%s)", key_path,
                 r == CAPTLS_ERR_NO_AUTHORITY
                     ? "the development KeySource is refused by the "
                       "production profile"
                     : "cannot import the key",
                 captls_result_name(r));
        captls_tls_store_identity_free();
        return false;
    }
    r = captls_private_key_tls_signer(&g.vault, SERVER_OWNER, g.key_h,
                                      &g.signer_ctx, signer);
    if (r != CAPTLS_OK ||
        !captls_pstore_open(dir, false, "-", &g.store, err, errcap)) {
        if (r != CAPTLS_OK)
            snprintf(err, errcap, "%s: no TLS signer (%s)", key_path,
                     captls_result_name(r));
        captls_tls_store_identity_free();
        return false;
    }
    g.bufs[0] = malloc(CAPTLS_CERT_RECORD_MAX);
    g.bufs[1] = malloc(CAPTLS_CERT_RECORD_MAX);
    r = g.bufs[0] == NULL || g.bufs[1] == NULL
            ? CAPTLS_ERR_LIMIT_EXCEEDED
            : captls_cert_follower_init(&g.follower, &g.store->store,
                                        CAPTLS_PSTORE_OWNER, g.store->h,
                                        handle, key_matches, NULL, g.bufs[0],
                                        g.bufs[1], CAPTLS_CERT_RECORD_MAX);
    if (r != CAPTLS_OK) {
        snprintf(err, errcap, "--store %s --handle %s: %s (%s)", dir, handle,
                 r == CAPTLS_ERR_NOT_FOUND ? "no such entry"
                 : r == CAPTLS_ERR_PIN_MISMATCH
                     ? "the entry's leaf certificate does not match the key"
                 : r == CAPTLS_ERR_AUTH_FAILED ? "corrupted record"
                                               : "cannot load the entry",
                 captls_result_name(r));
        captls_tls_store_identity_free();
        return false;
    }
    captls_cert_follower_source(&g.follower, chain);
    g.active = true;
    say_version("serving");
    return true;
}

bool captls_tls_store_identity_active(void)
{
    return g.active;
}

void captls_tls_store_identity_tick(uint64_t now_ms)
{
    bool rotated = false, refused = false;
    if (!g.active || now_ms - g.last_poll < POLL_MS)
        return;
    g.last_poll = now_ms;
    (void)captls_cert_store_poll(&g.store->store);
    if (captls_cert_follower_update(&g.follower, &rotated, &refused) !=
        CAPTLS_OK)
        return;
    if (rotated)
        say_version("rotation");
    if (refused)
        fprintf(stderr,
                "rotation refused: %s: new version not served (key mismatch, "
                "corrupted or deleted entry); still serving version %llu\n",
                g.follower.handle, (unsigned long long)g.follower.version);
}

void captls_tls_store_identity_free(void)
{
    captls_key_vault_fini(&g.vault);
    captls_pstore_close(g.store);
    free(g.bufs[0]);
    free(g.bufs[1]);
    captls_posix_audit_fini(&g.audit_ctx);
    memset(&g, 0, sizeof g);
}
