/* sim/tls_identity.h — a TLS identity for the simulator's programs: an
 * Ed25519 key from a scenario `key` line behind a captls_tls_signer, a
 * chain from `cert` lines, and optionally a CertificateStore entry over
 * the host's blob store that the identity serves through a rotation
 * follower ("Rotation without restart", seed 001).
 *
 * Contract. A sim_tls_identity lives in a program's state (zeroed at start
 * and restart); the chain borrows the scenario's certificate bytes (they
 * outlive every program). The seed is the secret: it stays in the state,
 * reachable only through the signer. Loading failures are logged as
 * transcript lines naming the scenario object and return false (the
 * program then does not serve: fail closed).
 */
#ifndef CAPTLS_SIM_TLS_IDENTITY_H
#define CAPTLS_SIM_TLS_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/cert_store.h"
#include "core/tls/tls_config.h"
#include "sim/sim.h"

#define SIM_TLS_ID_CHAIN 4u

typedef struct sim_tls_identity {
    uint8_t seed[32], pub[32];
    captls_slice chain[SIM_TLS_ID_CHAIN];
    size_t nchain;
    /* store=HANDLE */
    bool use_store;
    char handle[CAPTLS_CERT_HANDLE_MAX];
    captls_cap_slot cslots[4];
    captls_cap_table ctab;
    captls_cap_handle csh;
    captls_cert_sub csubs[1];
    captls_cert_follower fol;
    uint8_t fbuf[2][16384];
    captls_cert_store cs;
} sim_tls_identity;

/* The Ed25519 PKCS#8 key named `name` (a scenario `key`). */
bool sim_tls_identity_key(captls_sim_proc *p, sim_tls_identity *id,
                          const char *name);
/* "LEAF+INT+..." of scenario `cert` names. */
bool sim_tls_identity_chain(captls_sim_proc *p, sim_tls_identity *id,
                            const char *list);
/* Signer (ed25519) and chain source (the store's current chain when
 * store= is in use) over the identity. */
void sim_tls_identity_signer(sim_tls_identity *id, captls_tls_signer *out);
void sim_tls_identity_source(sim_tls_identity *id,
                             captls_tls_chain_source *out);
/* store=HANDLE: puts the chain under HANDLE and follows the entry. */
bool sim_tls_identity_store(captls_sim_proc *p, sim_tls_identity *id,
                            const char *handle);
/* The `rotate LEAF+INT...` verb: puts the new chain and follows it if its
 * leaf carries this identity's key (else logs "rotation refused"). */
void sim_tls_identity_rotate(captls_sim_proc *p, sim_tls_identity *id,
                             const char *list, size_t len);

#endif
