/* core/acme/acme_client.h — AcmeClient (seed 001): RFC 8555 directory,
 * account, order / authorize / finalize / download, renewal (with RFC 9773
 * ACME Renewal Information when offered) and revocation, as a sans-I/O
 * engine over the abstract transport of core/acme/acme_transport.h.
 *
 * Shape. The caller owns one captls_acme_client (CAPTLS_ACME_CLIENT_SIZE
 * bytes: request and response buffers, JSON tokens, the parsed chain; no
 * allocation) and starts ONE operation at a time (directory, register,
 * order, renew, revoke). The driver then loops:
 *     step = captls_acme_next(c, &req, &wait);
 *     SEND: do the exchange (body into captls_acme_response_buffer),
 *           captls_acme_on_response(c, &resp)   (or _transport_failed)
 *     WAIT: sleep `wait` seconds (or advance a simulated clock), loop
 *     DONE / FAILED: read the result / captls_acme_last_failure
 * captls_acme_run does exactly this over a captls_acme_transport until
 * WAIT, DONE or FAILED. The engine never sleeps, never reads a socket and
 * reads the wall clock only through the config's captls_clock (for the
 * chain's validity time and the renewal decision).
 *
 * Keys (seed 000 purpose scoping). The account key is a KeyVault
 * PrivateKey handle of purpose acmeAccount; it signs every JWS
 * (core/keys/key_acme.h). The certificate key of an order is a handle of
 * purpose tls; it signs only the CSR. A key of the wrong purpose is refused
 * by the vault (NO_AUTHORITY, audited) before anything is sent: init fails
 * for a wrong account key, the order fails (CAPTLS_ACME_ERR_KEY) for a
 * wrong certificate key. The engine never sees key bytes.
 *
 * What the server sends is checked: every URL it gives (directory entries,
 * Location, authorization, challenge, finalize, certificate, ARI) must be
 * an https URL on the DIRECTORY'S ORIGIN (same host, same port), else the
 * operation fails with CAPTLS_ACME_ERR_CROSS_ORIGIN and no request goes
 * there. RFC 8555 does not require one origin; we do, because every POST
 * carries a signature of our account key and the transport authenticates
 * one server: Let's Encrypt and Pebble serve every resource, certificates
 * included, from the directory's origin. Redirects (3xx) are never
 * followed (CAPTLS_ACME_ERR_REDIRECT, or CROSS_ORIGIN when the Location is
 * elsewhere). Bodies must fit the response buffer (OVERSIZED otherwise);
 * JSON is parsed strictly (core/acme/json.h); an authorization for an
 * identifier we did not ask for is refused (BAD_RESPONSE) before any
 * solver publishes anything.
 *
 * Nonces (RFC 8555 §6.5): one nonce is held; every response's valid
 * Replay-Nonce replaces it; each POST consumes it (never reused); with none
 * held, a HEAD to newNonce comes first. Retries, all bounded:
 *   - badNonce: the same request re-signed with the fresh nonce, at most
 *     CAPTLS_ACME_BAD_NONCE_RETRIES times in a row (§6.5);
 *   - rateLimited / 429: WAIT Retry-After (CAPTLS_ACME_DEFAULT_BACKOFF if
 *     absent) then the same request, at most CAPTLS_ACME_RATE_RETRIES
 *     times; a Retry-After over CAPTLS_ACME_MAX_WAIT fails at once;
 *   - 5xx: WAIT Retry-After or 1, 2, 4 s, at most CAPTLS_ACME_SERVER_RETRIES;
 *   - polling (authorization after the challenge response, order after
 *     finalize): WAIT Retry-After (clamped to 1..CAPTLS_ACME_MAX_WAIT,
 *     default CAPTLS_ACME_DEFAULT_POLL) at most CAPTLS_ACME_MAX_POLLS
 *     times per resource, and at most CAPTLS_ACME_WAIT_BUDGET seconds of
 *     waiting per operation.
 * Any budget running out is CAPTLS_ACME_ERR_RETRIES_EXHAUSTED (or the
 * problem's own kind for badNonce / rateLimited / serverInternal).
 *
 * Issuance (order): newOrder → each authorization (POST-as-GET): valid ones
 * are skipped; for a pending one the first type in the solver's supports()
 * order that the server offers is solved, the challenge URL gets "{}"
 * (§7.5.1) and the authorization is polled until valid or invalid; the
 * solver's cleanup runs for every solve, success or not → finalize with a
 * CSR (core/acme/csr.h, DNS identifiers, signed by the tls key) → order
 * polled until valid → certificate downloaded (POST-as-GET, Accept:
 * application/pem-certificate-chain, §7.4.2) → every certificate parsed,
 * the chain verified by the CertVerifier against the CA roots TrustStore
 * for tlsServerAuth at the clock's time for the first non-wildcard
 * identifier, every identifier present as a dNSName in the leaf's SAN, the leaf's public key equal
 * to the certificate key's → CertificateStore.put(handle, chain, bound to
 * the leaf's key). If any check fails NOTHING is stored.
 *
 * Renewal: the entry's current leaf is read from the store. It is due when
 * less than CAPTLS_ACME_RENEW_FRACTION (one third) of its lifetime remains
 * (notAfter - (notAfter - notBefore) / 3), or — when the directory has
 * renewalInfo and the certificate has an authorityKeyIdentifier — when the
 * clock reaches the start of the ARI suggestedWindow (RFC 9773 §4.2 asks
 * for a random time inside the window; we take its start: deterministic,
 * and still inside). A failing ARI request falls back to the fraction. Due:
 * an order for the leaf's dNSNames (with "replaces": certID under ARI).
 * Not due: DONE with captls_acme_renewal.renewed false and due_at set.
 *
 * Revocation (§7.6): revokeCert with the certificate and a reason code
 * (RFC 5280 §5.3.1: 0-6, 8-10), signed by the account key (kid).
 *
 * Failures are typed (acme_problem.h): problem documents by their ACME
 * type, the client's own checks by kind, with a sanitized detail. A failed
 * operation leaves the engine usable: the next start_* begins afresh (the
 * directory, nonce and account URL are kept).
 * NOT provided: external account binding, account key rollover
 * (keyChange), pre-authorization (newAuthz), IP identifiers in the CSR,
 * alternate chains (Link rel="alternate" is recorded, not fetched).
 * Not thread-safe.
 */
#ifndef CAPTLS_ACME_ACME_CLIENT_H
#define CAPTLS_ACME_ACME_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acme/acme_problem.h"
#include "core/acme/acme_solver.h"
#include "core/acme/acme_transport.h"
#include "core/acme/csr.h"
#include "core/acme/json.h"
#include "core/acme/jwk.h"
#include "core/acme/signer.h"
#include "core/base/result.h"
#include "core/keys/key_acme.h"
#include "core/store/cert_store.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"
#include "core/x509/certificate.h"
#include "port/port.h"

/* ---- bounds (each with its reason) --------------------------------- */
/* Identifiers per order: enough for a host and its aliases; bounds the
 * authorizations we walk and the CSR size (8 * 253 bytes of names). */
#define CAPTLS_ACME_MAX_IDENTIFIERS 8u
#define CAPTLS_ACME_MAX_CONTACTS 4u
#define CAPTLS_ACME_CONTACT_MAX 256u
/* Response bodies: a PEM chain of 3 certificates is ~5 KiB, ACME objects
 * < 4 KiB; 64 KiB refuses nothing real. */
#define CAPTLS_ACME_BODY_MAX 65536u
/* Requests: the finalize JWS (CSR <= 3 KiB) is the largest. */
#define CAPTLS_ACME_REQUEST_MAX 16384u
#define CAPTLS_ACME_PAYLOAD_MAX 8192u
#define CAPTLS_ACME_JSON_TOKENS 1024u
/* Certificates kept from a downloaded chain (leaf + intermediates). */
#define CAPTLS_ACME_MAX_CHAIN 4u
#define CAPTLS_ACME_CHAIN_DER_MAX 32768u
#define CAPTLS_ACME_CSR_MAX 4096u
/* A certificate to revoke: its base64url must fit the payload. */
#define CAPTLS_ACME_REVOKE_DER_MAX 6000u
/* Retry budgets. */
#define CAPTLS_ACME_BAD_NONCE_RETRIES 5u
#define CAPTLS_ACME_RATE_RETRIES 3u
#define CAPTLS_ACME_SERVER_RETRIES 3u
#define CAPTLS_ACME_MAX_POLLS 30u
#define CAPTLS_ACME_DEFAULT_POLL 2u      /* seconds */
#define CAPTLS_ACME_DEFAULT_BACKOFF 10u  /* seconds */
#define CAPTLS_ACME_MAX_WAIT 600u        /* one wait, seconds */
#define CAPTLS_ACME_WAIT_BUDGET 3600u    /* per operation, seconds */
/* Exchanges per operation: 8 authorizations * (fetch + respond + 30 polls
 * + retries) stays far below; a server that loops us hits this. */
#define CAPTLS_ACME_MAX_EXCHANGES 512u
/* Renew when less than 1/CAPTLS_ACME_RENEW_FRACTION of the lifetime is
 * left (Let's Encrypt's advice for 90-day certificates: at 60 days). */
#define CAPTLS_ACME_RENEW_FRACTION 3

typedef enum captls_acme_step {
    CAPTLS_ACME_STEP_SEND = 1, /* *req is filled: exchange it */
    CAPTLS_ACME_STEP_WAIT = 2, /* wait *wait_seconds, then call next */
    CAPTLS_ACME_STEP_DONE = 3,
    CAPTLS_ACME_STEP_FAILED = 4,
} captls_acme_step;

/* Progress stages reported to the optional progress callback (the CLI
 * prints one line per call). `text` is sanitized and NUL-terminated. */
typedef enum captls_acme_stage {
    CAPTLS_ACME_STAGE_DIRECTORY = 0,
    CAPTLS_ACME_STAGE_ACCOUNT,
    CAPTLS_ACME_STAGE_ORDER,
    CAPTLS_ACME_STAGE_AUTHORIZATION,
    CAPTLS_ACME_STAGE_CHALLENGE,
    CAPTLS_ACME_STAGE_FINALIZE,
    CAPTLS_ACME_STAGE_DOWNLOAD,
    CAPTLS_ACME_STAGE_VERIFIED,
    CAPTLS_ACME_STAGE_STORED,
    CAPTLS_ACME_STAGE_RENEWAL,
    CAPTLS_ACME_STAGE_REVOKED,
    CAPTLS_ACME_STAGE_RETRY,
} captls_acme_stage;

typedef struct captls_acme_progress {
    void *ctx;
    void (*event)(void *ctx, captls_acme_stage stage, const char *text);
} captls_acme_progress;

typedef struct captls_acme_config {
    const char *directory_url; /* https URL, NUL-terminated, copied */
    /* the account key: a PrivateKey handle of `owner`, purpose acmeAccount */
    captls_key_vault *vault;
    captls_cap_owner owner;
    captls_cap_handle account_key;
    captls_clock clock; /* wall_time: verification time, renewal */
    /* issued chains are verified with this verifier against these roots */
    captls_cert_verifier *verifier;
    const captls_trust_store *ca_roots;
    /* and stored here (a handle of `owner` with CALL|WRITE); may be NULL
     * for directory/register/revoke-only use */
    captls_cert_store *store;
    captls_cap_handle store_cap;
    captls_acme_progress progress; /* optional */
} captls_acme_config;

/* What the directory said (RFC 8555 §7.1.1). Empty strings when absent. */
typedef struct captls_acme_directory {
    char new_nonce[CAPTLS_ACME_URL_MAX];
    char new_account[CAPTLS_ACME_URL_MAX];
    char new_order[CAPTLS_ACME_URL_MAX];
    char revoke_cert[CAPTLS_ACME_URL_MAX];
    char key_change[CAPTLS_ACME_URL_MAX];
    char renewal_info[CAPTLS_ACME_URL_MAX];
    char terms_of_service[CAPTLS_ACME_URL_MAX]; /* meta.termsOfService */
    bool external_account_required;             /* meta */
} captls_acme_directory;

typedef struct captls_acme_order_params {
    const captls_acme_identifier *identifiers; /* type "dns" only */
    size_t count;                              /* 1..MAX_IDENTIFIERS */
    captls_cap_handle cert_key; /* PrivateKey handle of cfg owner, tls */
    const captls_acme_solver *solver;          /* borrowed until DONE */
    const char *store_handle; /* CertificateStore handle, NUL-terminated */
} captls_acme_order_params;

typedef struct captls_acme_renewal {
    bool renewed;     /* an order ran and a new chain was stored */
    bool ari_used;    /* the decision came from renewalInfo */
    int64_t due_at;   /* when renewal is (was) due, epoch seconds */
    int64_t not_after; /* of the certificate checked */
} captls_acme_renewal;

/* Internal states (exposed for the struct size only). */
typedef enum captls_acme_state {
    CAPTLS_ACME_ST_IDLE = 0,
    CAPTLS_ACME_ST_DIRECTORY,
    CAPTLS_ACME_ST_ACCOUNT,
    CAPTLS_ACME_ST_NEW_ORDER,
    CAPTLS_ACME_ST_AUTHZ,
    CAPTLS_ACME_ST_CHALLENGE,
    CAPTLS_ACME_ST_AUTHZ_POLL,
    CAPTLS_ACME_ST_FINALIZE,
    CAPTLS_ACME_ST_ORDER_POLL,
    CAPTLS_ACME_ST_DOWNLOAD,
    CAPTLS_ACME_ST_ARI,
    CAPTLS_ACME_ST_REVOKE,
    CAPTLS_ACME_ST_DONE,
    CAPTLS_ACME_ST_FAILED,
} captls_acme_state;

typedef enum captls_acme_op {
    CAPTLS_ACME_OP_NONE = 0,
    CAPTLS_ACME_OP_DIRECTORY,
    CAPTLS_ACME_OP_REGISTER,
    CAPTLS_ACME_OP_ORDER,
    CAPTLS_ACME_OP_RENEW,
    CAPTLS_ACME_OP_REVOKE,
} captls_acme_op;

typedef struct captls_acme_ident_copy {
    char type[8];
    char value[CAPTLS_CSR_MAX_NAME_LEN + 3]; /* "*." + name + NUL */
    size_t value_len;
} captls_acme_ident_copy;

typedef struct captls_acme_client {
    uint32_t magic;
    captls_acme_config cfg;
    char dir_url[CAPTLS_ACME_URL_MAX];
    captls_acme_origin origin; /* points into dir_url */
    captls_private_key_acme_ctx acct_ctx;
    captls_acme_signer acct;
    captls_private_key_acme_ctx cert_ctx;
    captls_acme_signer cert;
    /* session state kept across operations */
    bool have_dir;
    captls_acme_directory dir;
    char nonce[CAPTLS_ACME_NONCE_MAX + 1];
    char kid[CAPTLS_ACME_URL_MAX];
    /* the operation */
    captls_acme_op op;
    captls_acme_state state;
    uint8_t sent; /* what the outstanding request is: 0 none, 1 main,
                     2 directory, 3 nonce */
    uint32_t wait_pending; /* seconds to report before the next request */
    uint32_t waited_total;
    uint32_t exchanges;
    uint8_t bad_nonce, rate, server;
    uint32_t polls;
    captls_acme_failure fail;
    /* register */
    char contacts[CAPTLS_ACME_MAX_CONTACTS][CAPTLS_ACME_CONTACT_MAX];
    size_t ncontacts;
    bool agree_tos, only_existing;
    /* order */
    captls_acme_ident_copy ids[CAPTLS_ACME_MAX_IDENTIFIERS];
    size_t nids;
    captls_acme_solver solver;
    bool have_solver;
    char store_handle[CAPTLS_CERT_HANDLE_MAX];
    char order_url[CAPTLS_ACME_URL_MAX];
    char finalize_url[CAPTLS_ACME_URL_MAX];
    char cert_url[CAPTLS_ACME_URL_MAX];
    char authz[CAPTLS_ACME_MAX_IDENTIFIERS][CAPTLS_ACME_URL_MAX];
    size_t nauthz, cur_authz;
    char chall_url[CAPTLS_ACME_URL_MAX];
    captls_acme_challenge_type chall_type;
    char token[CAPTLS_ACME_NONCE_MAX + 1];
    char key_auth[CAPTLS_ACME_NONCE_MAX + 2 + CAPTLS_JWK_THUMBPRINT_B64_LEN];
    captls_acme_ident_copy authz_id;
    bool authz_wildcard;
    bool solved; /* cleanup owed */
    char replaces[CAPTLS_ACME_URL_MAX]; /* ARI certID, "" when none */
    uint64_t stored_version;
    /* renew */
    captls_acme_renewal renewal;
    /* revoke */
    uint8_t revoke_der[CAPTLS_ACME_REVOKE_DER_MAX];
    size_t revoke_len;
    uint8_t revoke_reason;
    /* buffers */
    uint8_t csr[CAPTLS_ACME_CSR_MAX];
    size_t csr_len;
    uint8_t payload[CAPTLS_ACME_PAYLOAD_MAX];
    char req[CAPTLS_ACME_REQUEST_MAX];
    char req_url[CAPTLS_ACME_URL_MAX];
    uint8_t body[CAPTLS_ACME_BODY_MAX];
    captls_json_token tok[CAPTLS_ACME_JSON_TOKENS];
    uint8_t chain_der[CAPTLS_ACME_CHAIN_DER_MAX];
    captls_certificate certs[CAPTLS_ACME_MAX_CHAIN];
    size_t ncerts;
    captls_verification_outcome outcome;
} captls_acme_client;

#define CAPTLS_ACME_CLIENT_SIZE sizeof(captls_acme_client)

/* Binds the config (copied; the pointers in it are borrowed and must
 * outlive c) and makes the account key's signer: NO_AUTHORITY for a key
 * whose purpose is not acmeAccount, UNSUPPORTED for RSA, MALFORMED for a
 * directory URL that is not https (captls_acme_url_origin), INVALID_ARGUMENT
 * for NULLs. */
CAPTLS_MUST_CHECK captls_result captls_acme_client_init(
    captls_acme_client *c, const captls_acme_config *cfg);
/* Wipes the engine (nonce, account URL, buffers). */
void captls_acme_client_fini(captls_acme_client *c);

/* ---- operations (one at a time; BUSY as INVALID_ARGUMENT) ----------- */
/* Seed directory(): GET the directory (again). */
CAPTLS_MUST_CHECK captls_result captls_acme_start_directory(
    captls_acme_client *c);
/* Seed register(): newAccount with contact URLs (copied, each < 256
 * bytes, at most 4) and termsOfServiceAgreed; only_return_existing:
 * rediscovery, nothing is created (§7.3.1). DONE: captls_acme_account_url. */
CAPTLS_MUST_CHECK captls_result captls_acme_start_register(
    captls_acme_client *c, const char *const *contacts, size_t ncontacts,
    bool agree_tos, bool only_return_existing);
/* Seed order(). Needs an account (register first, or set_account_url). */
CAPTLS_MUST_CHECK captls_result captls_acme_start_order(
    captls_acme_client *c, const captls_acme_order_params *p);
/* Seed renew(): for the chain stored under p->store_handle (identifiers
 * come from its leaf; p->identifiers is ignored). force: order even when
 * not due. */
CAPTLS_MUST_CHECK captls_result captls_acme_start_renew(
    captls_acme_client *c, const captls_acme_order_params *p, bool force);
/* Seed revoke(): der is the certificate (copied, at most
 * CAPTLS_ACME_REVOKE_DER_MAX bytes). */
CAPTLS_MUST_CHECK captls_result captls_acme_start_revoke(
    captls_acme_client *c, const uint8_t *der, size_t len, uint8_t reason);

/* ---- driving ------------------------------------------------------- */
captls_acme_step captls_acme_next(captls_acme_client *c,
                                  captls_acme_request *req,
                                  uint32_t *wait_seconds);
/* Where the transport writes the response body. */
uint8_t *captls_acme_response_buffer(captls_acme_client *c, size_t *cap);
/* The response to the request next() returned. OK when it was consumed
 * (the operation may have failed: next() says so); INVALID_ARGUMENT when
 * no request was outstanding. */
CAPTLS_MUST_CHECK captls_result captls_acme_on_response(
    captls_acme_client *c, const captls_acme_response *resp);
/* The exchange produced no response (code from the transport). */
void captls_acme_transport_failed(captls_acme_client *c, captls_result code);
/* next / exchange / on_response until WAIT, DONE or FAILED. */
captls_acme_step captls_acme_run(captls_acme_client *c,
                                 const captls_acme_transport *t,
                                 uint32_t *wait_seconds);

/* ---- results ------------------------------------------------------- */
const captls_acme_failure *captls_acme_last_failure(
    const captls_acme_client *c);
const captls_acme_directory *captls_acme_directory_info(
    const captls_acme_client *c); /* NULL before a directory was read */
/* The account URL (kid), "" before register. */
const char *captls_acme_account_url(const captls_acme_client *c);
/* Uses a known account URL (kept from an earlier run) without register.
 * Must be on the directory's origin (checked when the directory is read
 * and at every use). */
CAPTLS_MUST_CHECK captls_result captls_acme_set_account_url(
    captls_acme_client *c, const char *url);
/* After an order / renewal: the stored version and the certificate URL. */
uint64_t captls_acme_stored_version(const captls_acme_client *c);
const char *captls_acme_certificate_url(const captls_acme_client *c);
const captls_acme_renewal *captls_acme_renewal_result(
    const captls_acme_client *c);

#endif
