/* core/gateway/authority_broker.h — the AuthorityBroker (seed 004): turns
 * an authenticated principal and a shell profile into the capabilities a
 * UserSession holds, or denies.
 *
 * Profiles (fixed, reviewed here rather than configured):
 *   user      TerminalSession (CALL|WRITE), WallClock (CALL),
 *             UserSession (CALL: whoami, session, certinfo)
 *   operator  user + SessionManager (CALL: read the gateway's counters)
 *   dev       operator + AuditLog (CALL); granted only when the gateway
 *             runs with the `dev` deployment profile
 * A profile the broker does not know, or `dev` under `production`, is
 * denied with CAPTLS_ERR_NO_AUTHORITY (seed 004 stage (c)). Password
 * logins get the `user` profile.
 *
 * Contract.
 *  - The broker holds the gateway's cap table and the gateway's own root
 *    handles for the shared objects (clock, session manager, audit log); a
 *    session's caps are children of those roots or fresh roots for its
 *    own objects (its terminal, itself), all owned by the session's owner
 *    id, so captls_authority_broker_release (captls_cap_revoke_owner)
 *    ends every one of them and the table's live count returns to its
 *    baseline. The broker allocates nothing.
 *  - UserSession records the authentication method and strength
 *    (tlsClientCert / password) for whoami and the audit record.
 *  - Not thread-safe (one event loop).
 */
#ifndef CAPTLS_GATEWAY_AUTHORITY_BROKER_H
#define CAPTLS_GATEWAY_AUTHORITY_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"
#include "core/gateway/client_map.h"
#include "core/gateway/credential_store.h"

typedef enum captls_deploy_profile {
    CAPTLS_DEPLOY_DEV = 1,
    CAPTLS_DEPLOY_PRODUCTION = 2,
} captls_deploy_profile;

typedef enum captls_auth_method {
    CAPTLS_AUTH_NONE = 0,
    CAPTLS_AUTH_TLS_CLIENT_CERT = 1, /* strength "tlsClientCert" */
    CAPTLS_AUTH_PASSWORD = 2,        /* strength "password" */
} captls_auth_method;

#define CAPTLS_SESSION_MAX_CAPS 6u

typedef struct captls_user_session {
    uint32_t id;                   /* connection number */
    captls_cap_owner owner;        /* the session's owner id in the table */
    char user[CAPTLS_CRED_NAME_MAX + 1];
    char profile[CAPTLS_CLIENT_MAP_PROFILE_MAX + 1];
    captls_auth_method method;
    captls_cap_handle caps[CAPTLS_SESSION_MAX_CAPS];
    size_t cap_count;
    bool active;
} captls_user_session;

typedef struct captls_authority_broker {
    captls_cap_table *caps;          /* borrowed */
    captls_cap_owner gateway;        /* owner of the roots below */
    captls_deploy_profile deploy;
    captls_cap_handle clock_root;    /* WallClock */
    captls_cap_handle manager_root;  /* SessionManager */
    captls_cap_handle audit_root;    /* AuditLog */
} captls_authority_broker;

/* The roots must be live handles of `gateway` with DERIVE|GRANT. */
CAPTLS_MUST_CHECK captls_result captls_authority_broker_init(
    captls_authority_broker *b, captls_cap_table *caps,
    captls_cap_owner gateway, captls_deploy_profile deploy,
    captls_cap_handle clock_root, captls_cap_handle manager_root,
    captls_cap_handle audit_root);

/* Whether `profile` may be granted under this deployment. */
bool captls_authority_broker_allows(const captls_authority_broker *b,
                                    const char *profile);

/* Grants the profile's caps to us->owner (terminal: the session's
 * TerminalSession object). NO_AUTHORITY: profile denied (nothing
 * granted); a cap-table error (e.g. LIMIT_EXCEEDED: table full) leaves
 * nothing granted either. Sets us->profile, us->method, us->active. */
CAPTLS_MUST_CHECK captls_result captls_authority_broker_grant(
    captls_authority_broker *b, captls_user_session *us, const char *profile,
    captls_auth_method method, void *terminal);

/* Ends every cap the session holds (idempotent). */
void captls_authority_broker_release(captls_authority_broker *b,
                                     captls_user_session *us);

/* "tlsClientCert", "password" or "none". */
const char *captls_auth_method_strength(captls_auth_method m);

#endif
