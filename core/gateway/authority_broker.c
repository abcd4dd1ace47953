/* AuthorityBroker — see authority_broker.h. */
#include "core/gateway/authority_broker.h"

#include <string.h>

#include "core/cap/interface_ids.h"

enum { PROFILE_USER = 1, PROFILE_OPERATOR = 2, PROFILE_DEV = 3 };

/* core may not use the libc string comparisons (ci/check-core.sh):
 * lengths and bytes instead. */
static bool name_is(const char *p, const char *name)
{
    size_t n = strlen(name);
    return strlen(p) == n && memcmp(p, name, n) == 0;
}

static int profile_level(const char *p)
{
    if (p == NULL)
        return 0;
    if (name_is(p, "user"))
        return PROFILE_USER;
    if (name_is(p, "operator"))
        return PROFILE_OPERATOR;
    if (name_is(p, "dev"))
        return PROFILE_DEV;
    return 0;
}

captls_result captls_authority_broker_init(
    captls_authority_broker *b, captls_cap_table *caps,
    captls_cap_owner gateway, captls_deploy_profile deploy,
    captls_cap_handle clock_root, captls_cap_handle manager_root,
    captls_cap_handle audit_root)
{
    captls_cap_info info;
    const captls_cap_handle roots[3] = {clock_root, manager_root, audit_root};
    const captls_interface_id ifaces[3] = {CAPTLS_IFACE_WALL_CLOCK,
                                           CAPTLS_IFACE_SESSION_MANAGER,
                                           CAPTLS_IFACE_AUDIT_LOG};

    if (b == NULL || caps == NULL ||
        (deploy != CAPTLS_DEPLOY_DEV && deploy != CAPTLS_DEPLOY_PRODUCTION))
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < 3; i++) {
        captls_result r = captls_cap_lookup(caps, gateway, roots[i], ifaces[i],
                                            CAPTLS_RIGHT_GRANT, &info);
        if (r != CAPTLS_OK)
            return r;
    }
    memset(b, 0, sizeof(*b));
    b->caps = caps;
    b->gateway = gateway;
    b->deploy = deploy;
    b->clock_root = clock_root;
    b->manager_root = manager_root;
    b->audit_root = audit_root;
    return CAPTLS_OK;
}

bool captls_authority_broker_allows(const captls_authority_broker *b,
                                    const char *profile)
{
    int level = profile_level(profile);

    if (level == 0)
        return false;
    if (level == PROFILE_DEV && b->deploy != CAPTLS_DEPLOY_DEV)
        return false;
    return true;
}

/* Grants a child of the gateway's root `h` to the session. */
static captls_result grant_child(captls_authority_broker *b,
                                 captls_user_session *us, captls_cap_handle h)
{
    captls_cap_handle out;
    captls_result r;

    if (us->cap_count >= CAPTLS_SESSION_MAX_CAPS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    r = captls_cap_grant(b->caps, b->gateway, h, us->owner, &out);
    if (r != CAPTLS_OK)
        return r;
    /* The session reads; it never passes the cap on or derives from it. */
    r = captls_cap_attenuate(b->caps, us->owner, out, CAPTLS_RIGHT_CALL,
                             &us->caps[us->cap_count]);
    /* The granted parent goes in both cases; its attenuated child (if
     * any) is re-parented and stays. */
    captls_result dropped = captls_cap_drop(b->caps, us->owner, out);
    if (r == CAPTLS_OK)
        r = dropped;
    if (r != CAPTLS_OK)
        return r;
    us->cap_count++;
    return CAPTLS_OK;
}

/* A root for an object of the session's own (terminal, itself). */
static captls_result mint_own(captls_authority_broker *b,
                              captls_user_session *us,
                              captls_interface_id iface, void *object,
                              captls_rights rights)
{
    if (us->cap_count >= CAPTLS_SESSION_MAX_CAPS)
        return CAPTLS_ERR_LIMIT_EXCEEDED;
    captls_result r = captls_cap_mint(b->caps, us->owner, iface, object,
                                      rights, &us->caps[us->cap_count]);
    if (r == CAPTLS_OK)
        us->cap_count++;
    return r;
}

captls_result captls_authority_broker_grant(captls_authority_broker *b,
                                            captls_user_session *us,
                                            const char *profile,
                                            captls_auth_method method,
                                            void *terminal)
{
    captls_result r;
    int level;

    if (b == NULL || us == NULL || profile == NULL || terminal == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!captls_authority_broker_allows(b, profile))
        return CAPTLS_ERR_NO_AUTHORITY;
    level = profile_level(profile);
    us->cap_count = 0;
    r = mint_own(b, us, CAPTLS_IFACE_TERMINAL_SESSION, terminal,
                 CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE);
    if (r == CAPTLS_OK)
        r = grant_child(b, us, b->clock_root);
    if (r == CAPTLS_OK)
        r = mint_own(b, us, CAPTLS_IFACE_USER_SESSION, us, CAPTLS_RIGHT_CALL);
    if (r == CAPTLS_OK && level >= PROFILE_OPERATOR)
        r = grant_child(b, us, b->manager_root);
    if (r == CAPTLS_OK && level >= PROFILE_DEV)
        r = grant_child(b, us, b->audit_root);
    if (r != CAPTLS_OK) {
        captls_authority_broker_release(b, us);
        return r;
    }
    size_t n = strlen(profile);
    if (n >= sizeof us->profile)
        n = sizeof us->profile - 1;
    memcpy(us->profile, profile, n);
    us->profile[n] = '\0';
    us->method = method;
    us->active = true;
    return CAPTLS_OK;
}

void captls_authority_broker_release(captls_authority_broker *b,
                                     captls_user_session *us)
{
    if (b == NULL || us == NULL)
        return;
    (void)captls_cap_revoke_owner(b->caps, us->owner);
    us->cap_count = 0;
    us->active = false;
}

const char *captls_auth_method_strength(captls_auth_method m)
{
    switch (m) {
    case CAPTLS_AUTH_TLS_CLIENT_CERT: return "tlsClientCert";
    case CAPTLS_AUTH_PASSWORD: return "password";
    default: return "none";
    }
}
