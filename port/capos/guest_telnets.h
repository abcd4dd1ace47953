/* port/capos/guest_telnets.h — the telnets gateway (core/gateway) inside
 * the guest: the same code as captls-telnetsd and the simulator's
 * telnets program, over the guest's net capability (guest_net.h), with
 * its identity, client CA, client map and users from the configuration
 * module (core/bridge/guest_config.h) already checked at boot.
 *
 * capos_guest_telnets_serve builds the TLS server config (the leaf key
 * as a KeyVault PrivateKey cap, never as bytes; the chain from the
 * module; a client verifier over the module's client CA with the
 * webPkiLenient policy and the guest's clock, whose provenance is
 * "untrusted": the RTC, read as a lower bound), the CredentialStore and
 * the client map, listens on `port` and runs the gateway for ever.
 * The authentication mode and deploy profile are the caller's (main.c
 * reads them from the kernel command line).
 * Setup refusals print "telnets: not listening: <why>" and halt (fail
 * closed); afterwards every connection's story is one console line
 * "telnets: ..." (the gateway's log, peer text sanitized) and the audit
 * records leave through the bridge.
 *
 * With store_handle set, the chain follows that CertificateStore entry in
 * the host's store directory (the bridge's --store, reached through
 * store: capos_guest_net_blob_store): the module's chain is served until
 * the entry can be read, then the entry's chain, and each rotation pushed
 * on the host (`captls store --dir DIR put HANDLE ...`) from the next
 * handshake on, sessions in flight untouched; a chain for another key is
 * refused (console "telnets: store: ... refused", the old chain stays).
 * The store is read when the bridge reports a change or a new session.
 *
 * Memory: all static (bss): CAPOS_TELNETS_MAX_CONNS connection slots,
 * one set of record buffers per slot, the cap table, the trust store.
 * The module's bytes are borrowed (the chain's DER is decoded into our
 * own buffer; the client map and users live in the config work area,
 * which must stay in place). Single-threaded; interrupts and the guest
 * net must be up.
 */
#ifndef CAPOS_GUEST_TELNETS_H
#define CAPOS_GUEST_TELNETS_H

#include <stdint.h>

#include "core/bridge/guest_config.h"
#include "core/cap/cap_table.h"
#include "core/gateway/gateway.h"
#include "core/keys/key_vault.h"
#include "port/port.h"

#define CAPOS_TELNETS_MAX_CONNS 8u

typedef struct capos_telnets_setup {
    const captls_port *port;       /* net, clock, entropy, audit */
    captls_gateway_auth auth;
    captls_deploy_profile deploy;
    const captls_guest_config *cfg;
    captls_guest_config_work *work; /* after a passing check */
    captls_key_vault *vault;
    captls_cap_owner vault_owner;
    captls_cap_handle key;         /* PrivateKey, purpose tls */
    uint16_t listen_port;
    const char *store_handle;      /* NULL: the module's chain only */
    captls_blob_store store;       /* the host's store directory */
    bool (*store_changed)(void *ctx); /* the bridge said: read again */
    void *store_ctx;
    /* Optional: the boot stack's high-water mark and size (bytes),
     * printed when a connection's end raised it. */
    size_t (*stack_used)(void);
    size_t stack_size;
} capos_telnets_setup;

/* The console line "telnets: listening on port P (auth A, profile F)"
 * marks the moment the gateway listens; ms_since_entry (may be NULL)
 * supplies the boot time printed after it. */
__attribute__((noreturn)) void capos_guest_telnets_serve(
    const capos_telnets_setup *s, uint64_t (*ms_since_entry)(void));

#endif
