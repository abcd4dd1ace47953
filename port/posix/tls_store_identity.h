/* port/posix/tls_store_identity.h — `captls tls-server --store DIR
 * --handle HANDLE --key KEY.pem`: the server's identity from a KeyVault
 * and a CertificateStore entry it follows ("Rotation without restart").
 *
 * Contract. captls_tls_store_identity_load imports KEY.pem through the
 * development KeySource into a RAM KeyVault (purpose tls; the vault's
 * profile is development unless CAPTLS_KEY_PROFILE=production, in which
 * case the import is refused and audited, and the server does not start),
 * takes the TLS signer from that PrivateKey cap, opens the store read-only
 * and loads the entry's chain through a rotation follower whose key check
 * is the PrivateKey's public key: an entry whose leaf does not carry the
 * server's key is refused at start (setup error) and, later, not served.
 * captls_tls_store_identity_tick (called by the event loop at least every
 * 200 ms) polls the store; a new version is served from the next handshake
 * on ("rotation: HANDLE version N leaf SHA256" on stderr), a refused one
 * leaves the old chain ("rotation refused: ...", plus the audit record
 * tls.rotation.refused). Audit records go to stderr ("audit ..." lines),
 * or to --audit FILE in future. One identity per process (static state).
 * Errors: one line in err, false. */
#ifndef CAPTLS_PORT_POSIX_TLS_STORE_IDENTITY_H
#define CAPTLS_PORT_POSIX_TLS_STORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tls/tls_config.h"

bool captls_tls_store_identity_load(const char *dir, const char *handle,
                                    const char *key_path,
                                    captls_tls_signer *signer,
                                    captls_tls_chain_source *chain, char *err,
                                    size_t errcap);
/* True while an identity is loaded. */
bool captls_tls_store_identity_active(void);
void captls_tls_store_identity_tick(uint64_t now_ms);
void captls_tls_store_identity_free(void);

#endif
