/* sim/programs.h — the programs a scenario can run on a simulated host.
 *
 * A scenario names a program in `service NAME on HOST program=PROG` (or
 * `client ...`); the scenario checker looks the name up here and validates
 * the options, action verbs and expectation facts against the program's
 * tables, so a typo is a file:line:col error before anything runs.
 *
 *   echo         serves Echo on its endpoint and echoes every byte received
 *                on TCP port `port`. Echo.echo(nonce[8] || text) returns
 *                text (after `delay`, if given) and, when the call carries
 *                a cap, calls Notifier.notify(nonce || text) through it,
 *                then drops it. Echo.reset (needs the write right) clears
 *                the counters.
 *   echo-client  connects, sends, calls Echo.echo passing a Notifier cap on
 *                its own endpoint, answers Notifier.notify, and checks that
 *                what came back matches what it sent; invokes any Echo
 *                method by name; reads the host's wall clock; puts and gets
 *                blobs in the host's store.
 *   trust        serves TrustStore: a root store (anchors= the certs named
 *                at start), its writer and a CertVerifier bound to
 *                policy= (default webPkiLenient) with untrusted-clock=
 *                (reject, lower-bound, as-trusted; default the preset's).
 *                Methods (payloads): anchors/version () -> "version=N
 *                anchors=K stale=yes|no"; restrict (kind u8: 0 all, 1
 *                only, 2 exclude; n u8; n SHA-256 fingerprints) -> the same
 *                text for the view, plus a badged cap on it (call+grant);
 *                addAnchor (certificate DER) and removeAnchor (fingerprint)
 *                need write; refresh () -> "changed"|"unchanged";
 *                verifyChain (host_len u8, host, n u8, n x (u16 length,
 *                DER), leaf first) -> valid u8, FailureReason u8,
 *                time_trusted u8, judged at this host's wall clock.
 *   telnets-gateway  the telnets gateway (core/gateway) on this host's
 *                port: staged mTLS with a client CA from a trust service,
 *                password logins, rotation (prog_telnets.c).
 *   relying-party  the trust service's client: verify, add-anchor,
 *                remove-anchor, restrict (naming the view cap it gets),
 *                refresh, version, drop.
 *   acme-ca      a scripted ACME CA (RFC 8555) on port=N: directory,
 *                nonces, accounts, one order at a time, http-01 validated
 *                by connecting back to the identifier's host, certificates
 *                issued under root=/key= at this host's clock; faults
 *                (bad-nonce, server-error, rate-limit, invalid-challenge)
 *                as verbs (prog_acme_ca.c).
 *   acme-client  core/acme's AcmeClient against acme-ca over the sim
 *                network (HTTP/1.1 in the clear on https URLs: see
 *                prog_acme_client.c), with an http-01 responder on its own
 *                port; waits advance simulated time.
 */
#ifndef CAPTLS_SIM_PROGRAMS_H
#define CAPTLS_SIM_PROGRAMS_H

#include <stddef.h>

#include "sim/sim.h"

/* Method ids of the simulator's test interfaces (interface_ids.h). */
#define CAPTLS_SIM_ECHO_METHOD_ECHO 1u
#define CAPTLS_SIM_ECHO_METHOD_RESET 2u /* needs the write right */
#define CAPTLS_SIM_NOTIFIER_METHOD_NOTIFY 1u
#define CAPTLS_SIM_ECHO_NONCE_LEN 8u

/* The trust service's one method beyond the seed's TrustStore ordinals
 * (trust_store.h): one endpoint serves one interface in the simulator, so
 * CertVerifier.verifyChain against the store the cap names is method 16
 * of TrustStore on the trust service's endpoint. */
#define CAPTLS_SIM_TRUST_M_VERIFY_CHAIN 16u
/* verifierCaps () -> no payload, two object caps (call + grant): the
 * CertVerifier and the TrustStore (root or view) the calling cap names, for
 * a TLS client config that verifies through the cap table
 * (sim.h, captls_sim_proc_mint_object). */
#define CAPTLS_SIM_TRUST_M_VERIFIER_CAPS 17u
/* The ticket-key service (prog_ticket_keys.c): get () -> one object cap
 * (TicketKey, call + grant) whose object is a captls_tls_ticket_key. */
#define CAPTLS_SIM_TICKET_M_GET 1u

extern const captls_sim_program captls_sim_prog_echo;
extern const captls_sim_program captls_sim_prog_echo_client;
extern const captls_sim_program captls_sim_prog_trust;
extern const captls_sim_program captls_sim_prog_relying_party;
extern const captls_sim_program captls_sim_prog_ticket_keys;
extern const captls_sim_program captls_sim_prog_tls_server;
extern const captls_sim_program captls_sim_prog_tls_client;
extern const captls_sim_program captls_sim_prog_telnets;
extern const captls_sim_program captls_sim_prog_acme_ca;
extern const captls_sim_program captls_sim_prog_acme_client;

/* NULL if there is no program of that name. */
const captls_sim_program *captls_sim_program_find(const char *name,
                                                  size_t len);
/* "echo, echo-client" for error messages. */
const char *captls_sim_program_names(void);

/* Helpers the programs share: the verb of `a` and its arguments. */
const captls_sim_verb *captls_sim_program_verb(const captls_sim_program *prog,
                                               const char *name, size_t len);
bool captls_sim_program_has_fact(const captls_sim_program *prog,
                                 const char *name, size_t len);
bool captls_sim_program_has_option(const captls_sim_program *prog,
                                   const char *name, size_t len);

/* Copies a scenario argument into a NUL-terminated name; false when it is
 * empty, holds a NUL or does not fit in cap bytes with its NUL. */
bool captls_sim_program_arg_name(const captls_sim_arg *a, char *out,
                                 size_t cap);
/* Drops the caps of received frame f from index `from` on: those the
 * program does not keep. */
void captls_sim_program_drop_caps(captls_sim_proc *p,
                                  const captls_ipc_frame *f, uint16_t from);
/* Fact values (captls_sim_program.fact): n bytes of b, or v in decimal,
 * into out; false when they do not fit in cap. */
bool captls_sim_program_fact_bytes(const void *b, size_t n, uint8_t *out,
                                   size_t cap, size_t *len);
bool captls_sim_program_fact_u64(uint64_t v, uint8_t *out, size_t cap,
                                 size_t *len);

#endif
