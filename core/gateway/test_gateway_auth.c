/* Unit tests of the gateway's authentication pieces: SessionManager
 * (certificate -> principal mapping), AuthorityBroker (profiles -> caps)
 * and the shell's login dialogue over a scripted TerminalSession. The
 * whole gateway with real clients is pytests/test_telnetsd.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/interface_ids.h"
#include "core/crypto/hash.h"
#include "core/gateway/authority_broker.h"
#include "core/gateway/session_manager.h"
#include "core/gateway/shell.h"

/* ---- SessionManager --------------------------------------------------------- */

static uint8_t leaf_der[4096];
static size_t leaf_len;
static captls_certificate leaf;

static void load_leaf(void)
{
    FILE *f = fopen("sim/scenarios/pki/leaf-a.der", "rb");
    assert_non_null(f);
    leaf_len = fread(leaf_der, 1, sizeof leaf_der, f);
    fclose(f);
    assert_true(leaf_len > 0);
    assert_int_equal(captls_certificate_parse(&leaf, leaf_der, leaf_len, NULL),
                     CAPTLS_OK);
}

static bool dn_matches(const char *dn)
{
    return captls_rfc4514_matches_name(dn, strlen(dn), &leaf.subject);
}

static void test_subject_matching(void **state)
{
    (void)state;
    load_leaf(); /* subject: O=captls sim, CN=www.alpha.test (DER order) */
    assert_true(dn_matches("CN=www.alpha.test,O=captls sim"));
    assert_true(dn_matches("cn=www.alpha.test,o=captls sim"));   /* types */
    assert_true(dn_matches("2.5.4.3=www.alpha.test,2.5.4.10=captls sim"));
    assert_true(dn_matches("CN=www\\2ealpha.test,O=captls\\20sim")); /* hex */
    assert_false(dn_matches("CN=WWW.alpha.test,O=captls sim")); /* values */
    assert_false(dn_matches("O=captls sim,CN=www.alpha.test")); /* order */
    assert_false(dn_matches("CN=www.alpha.test"));               /* count */
    assert_false(dn_matches("CN=www.alpha.test,O=captls sim,C=US"));
    assert_false(dn_matches("CN=www.alpha.test+O=captls sim"));  /* RDNs */
    assert_false(dn_matches("CN=#0c0e7777772e616c7068612e74657374,"
                            "O=captls sim"));                    /* '#' */
    assert_false(dn_matches(""));
    assert_false(dn_matches("CN=www.alpha.test,O=captls sim "));
}

static void test_mapping(void **state)
{
    (void)state;
    static captls_client_map_entry map[3];
    uint8_t fp[CAPTLS_HASH_MAX_SIZE];
    captls_session_manager sm;
    captls_client_mapping m;

    load_leaf();
    assert_int_equal(captls_hash(CAPTLS_HASH_SHA256, leaf_der, leaf_len, fp),
                     CAPTLS_OK);
    memset(map, 0, sizeof map);
    map[0].kind = CAPTLS_CLIENT_MAP_SUBJECT;
    strcpy(map[0].subject, "CN=someone else");
    map[0].subject_len = (uint16_t)strlen(map[0].subject);
    strcpy(map[0].user, "eve");
    strcpy(map[0].profile, "user");
    map[1].kind = CAPTLS_CLIENT_MAP_SUBJECT;
    strcpy(map[1].subject, "CN=www.alpha.test,O=captls sim");
    map[1].subject_len = (uint16_t)strlen(map[1].subject);
    strcpy(map[1].user, "alice");
    strcpy(map[1].profile, "user");
    map[2].kind = CAPTLS_CLIENT_MAP_SHA256;
    memcpy(map[2].fingerprint, fp, 32);
    strcpy(map[2].user, "dave");
    strcpy(map[2].profile, "dev");

    /* the fingerprint record wins over the subject record */
    captls_session_manager_init(&sm, map, 3);
    assert_int_equal(captls_session_manager_tls_client_cert(
                         &sm, &leaf, leaf_der, leaf_len, &m),
                     CAPTLS_OK);
    assert_true(m.mapped && m.seen);
    assert_int_equal(m.by, CAPTLS_CLIENT_MAP_SHA256);
    assert_string_equal(m.user, "dave");
    assert_string_equal(m.profile, "dev");
    assert_memory_equal(m.fingerprint, fp, 32);

    /* without it, the subject record */
    captls_session_manager_init(&sm, map, 2);
    assert_int_equal(captls_session_manager_tls_client_cert(
                         &sm, &leaf, leaf_der, leaf_len, &m),
                     CAPTLS_OK);
    assert_int_equal(m.by, CAPTLS_CLIENT_MAP_SUBJECT);
    assert_string_equal(m.user, "alice");

    /* unmapped: NOT_FOUND, audit fields still filled */
    captls_session_manager_init(&sm, map, 1);
    assert_int_equal(captls_session_manager_tls_client_cert(
                         &sm, &leaf, leaf_der, leaf_len, &m),
                     CAPTLS_ERR_NOT_FOUND);
    assert_false(m.mapped);
    assert_true(m.seen);
    assert_non_null(strstr(m.subject, "www.alpha.test"));
    assert_memory_equal(m.fingerprint, fp, 32);
    assert_string_equal(m.user, "");

    /* empty map */
    captls_session_manager_init(&sm, NULL, 5);
    assert_int_equal(captls_session_manager_tls_client_cert(
                         &sm, &leaf, leaf_der, leaf_len, &m),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_session_manager_tls_client_cert(
                         &sm, NULL, leaf_der, leaf_len, &m),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

/* ---- AuthorityBroker ------------------------------------------------------------ */

#define GW 1
static captls_cap_slot cap_slots[64];
static captls_cap_table caps;
static captls_authority_broker broker;
static int clock_obj, manager_obj, audit_obj, terminal_obj;

static void broker_setup(captls_deploy_profile deploy)
{
    captls_cap_handle c, m, a;
    assert_int_equal(captls_cap_table_init(&caps, cap_slots, 64), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, GW, CAPTLS_IFACE_WALL_CLOCK,
                                     &clock_obj, CAPTLS_RIGHTS_ALL, &c),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, GW, CAPTLS_IFACE_SESSION_MANAGER,
                                     &manager_obj, CAPTLS_RIGHTS_ALL, &m),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&caps, GW, CAPTLS_IFACE_AUDIT_LOG,
                                     &audit_obj, CAPTLS_RIGHTS_ALL, &a),
                     CAPTLS_OK);
    /* wrong interface for a root is refused */
    assert_int_equal(captls_authority_broker_init(&broker, &caps, GW, deploy,
                                                  m, c, a),
                     CAPTLS_ERR_WRONG_INTERFACE);
    assert_int_equal(captls_authority_broker_init(&broker, &caps, GW, deploy,
                                                  c, m, a),
                     CAPTLS_OK);
}

static void expect_caps(const captls_user_session *us,
                        const captls_interface_id *want, size_t n)
{
    assert_int_equal(us->cap_count, n);
    for (size_t i = 0; i < n; i++) {
        captls_cap_info info;
        assert_int_equal(captls_cap_lookup(&caps, us->owner, us->caps[i],
                                           CAPTLS_IFACE_ANY, 0, &info),
                         CAPTLS_OK);
        assert_int_equal(info.iface, want[i]);
        /* a session can neither pass a cap on nor widen it */
        assert_int_equal(info.rights & (CAPTLS_RIGHT_GRANT |
                                        CAPTLS_RIGHT_DERIVE |
                                        CAPTLS_RIGHT_REVOKE),
                         0);
    }
}

static void test_broker_profiles(void **state)
{
    (void)state;
    static const captls_interface_id user_caps[] = {
        CAPTLS_IFACE_TERMINAL_SESSION, CAPTLS_IFACE_WALL_CLOCK,
        CAPTLS_IFACE_USER_SESSION};
    static const captls_interface_id dev_caps[] = {
        CAPTLS_IFACE_TERMINAL_SESSION, CAPTLS_IFACE_WALL_CLOCK,
        CAPTLS_IFACE_USER_SESSION, CAPTLS_IFACE_SESSION_MANAGER,
        CAPTLS_IFACE_AUDIT_LOG};
    captls_user_session us;
    uint32_t baseline;

    broker_setup(CAPTLS_DEPLOY_PRODUCTION);
    baseline = captls_cap_table_live(&caps);
    memset(&us, 0, sizeof us);
    us.owner = 10;
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "user",
                                                   CAPTLS_AUTH_PASSWORD,
                                                   &terminal_obj),
                     CAPTLS_OK);
    expect_caps(&us, user_caps, 3);
    assert_true(us.active);
    assert_string_equal(us.profile, "user");
    captls_authority_broker_release(&broker, &us);
    assert_int_equal(captls_cap_table_live(&caps), baseline);
    assert_false(us.active);

    /* stage (c): dev is not granted under production, nor unknown names */
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "dev",
                                                   CAPTLS_AUTH_TLS_CLIENT_CERT,
                                                   &terminal_obj),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "root",
                                                   CAPTLS_AUTH_TLS_CLIENT_CERT,
                                                   &terminal_obj),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cap_table_live(&caps), baseline);
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "operator",
                                                   CAPTLS_AUTH_TLS_CLIENT_CERT,
                                                   &terminal_obj),
                     CAPTLS_OK);
    expect_caps(&us, dev_caps, 4);
    captls_authority_broker_release(&broker, &us);
    assert_int_equal(captls_cap_table_live(&caps), baseline);

    broker_setup(CAPTLS_DEPLOY_DEV);
    baseline = captls_cap_table_live(&caps);
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "dev",
                                                   CAPTLS_AUTH_TLS_CLIENT_CERT,
                                                   &terminal_obj),
                     CAPTLS_OK);
    expect_caps(&us, dev_caps, 5);
    assert_string_equal(captls_auth_method_strength(us.method),
                        "tlsClientCert");
    captls_authority_broker_release(&broker, &us);
    assert_int_equal(captls_cap_table_live(&caps), baseline);
}

/* ---- the shell over a scripted TerminalSession ------------------------------------ */

typedef struct fake_term {
    const char *lines[16];
    size_t n, next;
    bool closed, close_delivered;
    captls_term_echo echo;
    char out[8192];
    size_t out_len;
    int hidden_at_password; /* echo state when "Password: " was written */
} fake_term;

static captls_result ft_next(void *self, captls_term_event *ev)
{
    fake_term *t = self;
    memset(ev, 0, sizeof *ev);
    if (t->closed) {
        if (t->close_delivered)
            return CAPTLS_WOULD_BLOCK;
        t->close_delivered = true;
        ev->kind = CAPTLS_TERM_EV_CLOSE;
        ev->hint = CAPTLS_TERM_CLOSE_LOCAL;
        return CAPTLS_OK;
    }
    /* a person types after the prompt: every prompt ends in ' ' */
    if (t->next >= t->n || t->out_len == 0 || t->out[t->out_len - 1] != ' ')
        return CAPTLS_WOULD_BLOCK;
    ev->kind = CAPTLS_TERM_EV_LINE;
    ev->line = (const uint8_t *)t->lines[t->next];
    ev->len = strlen(t->lines[t->next]);
    t->next++;
    return CAPTLS_OK;
}

static captls_result ft_write(void *self, const uint8_t *d, size_t len,
                              size_t *consumed)
{
    fake_term *t = self;
    assert_true(t->out_len + len < sizeof t->out);
    memcpy(t->out + t->out_len, d, len);
    t->out_len += len;
    t->out[t->out_len] = '\0';
    if (len >= 10 && memcmp(d + len - 10, "Password: ", 10) == 0)
        t->hidden_at_password = t->echo == CAPTLS_TERM_ECHO_HIDDEN;
    *consumed = len;
    return CAPTLS_OK;
}

static void ft_set_echo(void *self, captls_term_echo mode)
{
    ((fake_term *)self)->echo = mode;
}

static void ft_close(void *self)
{
    ((fake_term *)self)->closed = true;
}

static void ft_info(void *self, captls_term_info *out)
{
    (void)self;
    memset(out, 0, sizeof *out);
}

static const captls_term_session_vtable ft_vt = {ft_next, ft_write,
                                                 ft_set_echo, ft_close,
                                                 ft_info};

static int notes[8];

static void count_note(void *ctx, const captls_user_session *us,
                       captls_shell_event ev, const char *detail)
{
    (void)ctx;
    (void)us;
    (void)detail;
    notes[ev]++;
}

static captls_user_record recs[1];
static captls_credential_store creds;

static void creds_setup(void)
{
    static const uint8_t salt[16] = "0123456789abcdef";
    assert_int_equal(captls_user_record_make(&recs[0], "carol", 5,
                                             (const uint8_t *)"secret1", 7,
                                             salt, 16,
                                             CAPTLS_CRED_MIN_ITERATIONS),
                     CAPTLS_OK);
    assert_int_equal(captls_credential_store_init(&creds, recs, 1), CAPTLS_OK);
}

static void run_shell(fake_term *t, captls_shell *sh, captls_user_session *us,
                      bool authenticated, uint64_t *now)
{
    static captls_shell_env env;
    memset(&env, 0, sizeof env);
    env.creds = &creds;
    env.broker = &broker;
    env.host = "gw";
    env.note = count_note;
    memset(notes, 0, sizeof notes);
    captls_term_session ts = {t, &ft_vt};
    captls_shell_start(sh, &env, ts, us, &terminal_obj, authenticated);
    for (int i = 0; i < 40 && !captls_shell_done(sh); i++) {
        (void)captls_shell_step(sh, *now);
        if (captls_shell_wake_ms(sh) != 0)
            *now = captls_shell_wake_ms(sh);
    }
}

static void test_shell_password_login(void **state)
{
    (void)state;
    static fake_term t;
    static captls_shell sh;
    captls_user_session us;
    uint64_t now = 1000;
    uint32_t baseline;

    creds_setup();
    broker_setup(CAPTLS_DEPLOY_PRODUCTION);
    baseline = captls_cap_table_live(&caps);
    memset(&t, 0, sizeof t);
    memset(&us, 0, sizeof us);
    us.owner = 11;
    t.lines[0] = "carol";
    t.lines[1] = "wrong";
    t.lines[2] = "carol";
    t.lines[3] = "secret1";
    t.lines[4] = "whoami";
    t.lines[5] = "caps";
    t.lines[6] = "frobnicate now";
    t.lines[7] = "echo hi there";
    t.lines[8] = "exit";
    t.n = 9;
    run_shell(&t, &sh, &us, false, &now);
    assert_true(captls_shell_done(&sh));
    assert_true(t.hidden_at_password);
    assert_non_null(strstr(t.out, "login: Password: \r\nLogin incorrect\r\n"
                                  "login: Password: \r\nWelcome to gw, carol"));
    assert_non_null(strstr(t.out, "carol@gw$ carol (authentication: password, "
                                  "strength: password, profile: user)"));
    assert_non_null(strstr(t.out, "  TerminalSession (call,write)\r\n"
                                  "  WallClock (call)\r\n"
                                  "  UserSession (call)\r\n3 capabilities"));
    assert_non_null(strstr(t.out, "frobnicate: command not found\r\n"));
    assert_non_null(strstr(t.out, "hi there\r\n"));
    assert_non_null(strstr(t.out, "logout\r\n"));
    assert_int_equal(notes[CAPTLS_SHELL_EV_LOGIN_FAILED], 1);
    assert_int_equal(notes[CAPTLS_SHELL_EV_LOGIN_OK], 1);
    assert_true(now >= 1000 + CAPTLS_LOGIN_BASE_DELAY_MS); /* back-off */
    captls_authority_broker_release(&broker, &us);
    assert_int_equal(captls_cap_table_live(&caps), baseline);
    captls_shell_wipe(&sh);
}

static void test_shell_lockout_and_unknown_user(void **state)
{
    (void)state;
    static fake_term t;
    static captls_shell sh;
    captls_user_session us;
    uint64_t now = 5000;

    creds_setup();
    broker_setup(CAPTLS_DEPLOY_PRODUCTION);
    memset(&t, 0, sizeof t);
    memset(&us, 0, sizeof us);
    us.owner = 12;
    t.lines[0] = "nobody";      /* unknown user */
    t.lines[1] = "secret1";
    t.lines[2] = "bad name!";   /* not even a valid name */
    t.lines[3] = "x";
    t.lines[4] = "carol";
    t.lines[5] = "wrong";
    t.lines[6] = "carol";       /* never reached: locked */
    t.lines[7] = "secret1";
    t.n = 8;
    run_shell(&t, &sh, &us, false, &now);
    assert_true(captls_shell_done(&sh));
    assert_int_equal(notes[CAPTLS_SHELL_EV_LOGIN_FAILED], 2);
    assert_int_equal(notes[CAPTLS_SHELL_EV_LOGIN_LOCKED], 1);
    assert_int_equal(notes[CAPTLS_SHELL_EV_LOGIN_OK], 0);
    assert_false(us.active);
    assert_null(strstr(t.out, "Welcome"));
    /* the same text for the unknown user, the bad name and the wrong
     * password: three "Login incorrect" */
    const char *p = t.out;
    int count = 0;
    while ((p = strstr(p, "Login incorrect")) != NULL) {
        count++;
        p++;
    }
    assert_int_equal(count, 3);
}

static void test_shell_authenticated_start(void **state)
{
    (void)state;
    static fake_term t;
    static captls_shell sh;
    captls_user_session us;
    uint64_t now = 1;

    broker_setup(CAPTLS_DEPLOY_PRODUCTION);
    memset(&t, 0, sizeof t);
    memset(&us, 0, sizeof us);
    us.owner = 13;
    strcpy(us.user, "alice");
    assert_int_equal(captls_authority_broker_grant(&broker, &us, "user",
                                                   CAPTLS_AUTH_TLS_CLIENT_CERT,
                                                   &terminal_obj),
                     CAPTLS_OK);
    t.lines[0] = "";
    t.lines[1] = "date";
    t.n = 2;
    run_shell(&t, &sh, &us, true, &now);
    /* no CLOSE yet: the session goes on */
    assert_false(captls_shell_done(&sh));
    assert_null(strstr(t.out, "login:"));
    assert_non_null(strstr(t.out, "Welcome to gw, alice (tlsClientCert)"));
    /* no wall clock in this env: date says so */
    assert_non_null(strstr(t.out, "date: no wall clock"));
    captls_authority_broker_release(&broker, &us);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_matching),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_broker_profiles),
        cmocka_unit_test(test_shell_password_login),
        cmocka_unit_test(test_shell_lockout_and_unknown_user),
        cmocka_unit_test(test_shell_authenticated_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
