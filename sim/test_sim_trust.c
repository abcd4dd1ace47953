/* Unit tests of what the trust scenarios added to the simulator: the
 * `cert` directive and its loader, verb arguments naming certificates,
 * filters and new caps; badged caps (a call carries the badge of the root
 * its cap descends from; a restart ends them), named received caps and the
 * kernel's certificate registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/programs.h"
#include "sim/scenario.h"

static captls_sim_scenario *parse_ok(const char *text)
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse((const uint8_t *)text,
                                                strlen(text), &sc, &err);
    if (r != CAPTLS_OK)
        print_error("%u:%u: %s\n", err.line, err.col, err.msg);
    assert_int_equal(r, CAPTLS_OK);
    return sc;
}

static void parse_bad(const char *text, unsigned line, unsigned col,
                      const char *msg)
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    assert_int_equal(captls_sim_scenario_parse((const uint8_t *)text,
                                               strlen(text), &sc, &err),
                     CAPTLS_ERR_MALFORMED);
    assert_null(sc);
    if (err.line != line || err.col != col || strstr(err.msg, msg) == NULL)
        print_error("got %u:%u: %s\n", err.line, err.col, err.msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_non_null(strstr(err.msg, msg));
}

static const char BASE[] =
    "host a\n"
    "cert root \"pki/root.der\"\n"
    "cert leaf pki/leaf.der\n"
    "service t on a program=trust anchors=root policy=privateMtls "
    "untrusted-clock=reject\n"
    "client c on a program=relying-party\n"
    "grant t to c rights=call+derive\n";

static void test_cert_directive_and_args(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof(text), "%s%s", BASE,
             "at 1ms c restrict t view exclude:root+leaf\n"
             "at 2ms c verify view leaf+root www.alpha.test\n"
             "at 3ms c refresh view\n"
             "expect refused c view no_authority\n"
             "expect c outcomes \"ok\"\n");
    captls_sim_scenario *sc = parse_ok(text);
    assert_int_equal(sc->ncerts, 2);
    assert_string_equal(sc->certs[0].name, "root");
    assert_string_equal(sc->certs[0].path, "pki/root.der");
    assert_int_equal(sc->certs[0].line, 2);
    assert_int_equal(sc->certs[0].col, 11);
    assert_string_equal(sc->certs[1].path, "pki/leaf.der");
    assert_null(sc->certs[0].der);
    assert_int_equal(sc->ncapnames, 1);
    assert_string_equal(sc->capnames[0].name, "view");
    assert_int_equal(sc->capnames[0].proc, 1);
    assert_int_equal(sc->capnames[0].service, 0);
    assert_int_equal(sc->nactions, 3);
    assert_string_equal(sc->actions[1].a.verb, "verify");
    assert_int_equal(sc->actions[1].a.nargs, 3);
    captls_sim_scenario_free(sc);
}

static void test_bad_trust_lines(void **state)
{
    (void)state;
    char text[1024];
    parse_bad("cert Root \"x.der\"\n", 1, 6, "a certificate name");
    parse_bad("cert r \"x.der\"\ncert r \"y.der\"\n", 2, 6,
              "already declared on line 1");
    parse_bad("cert r \"x.der\" extra\n", 1, 16, "end of the line");
    parse_bad("cert r x.der\nhost a\nservice t on a program=trust "
              "anchors=r+\n", 3, 40,
              "expected a certificate name");
    parse_bad("host a\nservice t on a program=trust untrusted-clock=x\n", 2,
              46, "untrusted-clock=reject");
    snprintf(text, sizeof(text), "%s%s", BASE,
             "at 1ms c restrict t view only:\n");
    parse_bad(text, 7, 26, "expected a filter");
    snprintf(text, sizeof(text), "%s%s", BASE,
             "at 1ms c restrict t view only:root+nope\n");
    parse_bad(text, 7, 36, "unknown certificate 'nope'");
    snprintf(text, sizeof(text), "%s%s", BASE,
             "at 1ms c restrict t c all\n");
    parse_bad(text, 7, 21, "already names a cap or a process");
    /* a name from a restrict is not a granted cap: revoke refuses it */
    snprintf(text, sizeof(text), "%s%s", BASE,
             "at 1ms c restrict t view all\nat 2ms revoke c view\n");
    parse_bad(text, 8, 17, "holds no cap named 'view'");
}

static void test_load_certs(void **state)
{
    (void)state;
    char dir[] = "/tmp/captls-sim-certs-XXXXXX";
    char path[256], scn[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/pki", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    static const uint8_t DER[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    snprintf(path, sizeof(path), "%s/pki/root.der", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(DER, 1, sizeof(DER), f), sizeof(DER));
    fclose(f);
    snprintf(path, sizeof(path), "%s/pki/leaf.der", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("text", 1, 4, f), 4);
    fclose(f);
    snprintf(scn, sizeof(scn), "%s/s.scn", dir);

    captls_sim_scenario *sc = parse_ok("cert root \"pki/root.der\"\n");
    captls_sim_scn_error err;
    assert_int_equal(captls_sim_scenario_load_certs(sc, scn, &err), CAPTLS_OK);
    assert_int_equal(sc->certs[0].len, sizeof(DER));
    assert_memory_equal(sc->certs[0].der, DER, sizeof(DER));
    captls_sim_scenario_free(sc);

    sc = parse_ok("\ncert leaf \"pki/leaf.der\"\n");
    assert_int_equal(captls_sim_scenario_load_certs(sc, scn, &err),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 11);
    assert_non_null(strstr(err.msg, "expected a DER certificate"));
    captls_sim_scenario_free(sc);

    sc = parse_ok("cert gone \"pki/gone.der\"\n");
    assert_int_equal(captls_sim_scenario_load_certs(sc, scn, &err),
                     CAPTLS_ERR_IO);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "cannot load certificate"));
    captls_sim_scenario_free(sc);

    snprintf(path, sizeof(path), "%s/pki/root.der", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/pki/leaf.der", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/pki", dir);
    rmdir(path);
    rmdir(dir);
}

/* ------------------------------------------------------------ kernel */

static uint32_t g_badge = 0xFFFFFFFFu;
static unsigned g_calls;

/* Serves Echo and records the badge of every call. */
static void probe_wake(captls_sim_proc *p)
{
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind != CAPTLS_IPC_CALL)
            continue;
        g_badge = captls_sim_proc_call_badge(p, &f);
        g_calls++;
        captls_result r = captls_sim_ipc_return(p, &f, NULL, 0);
        (void)r;
    }
}

static const captls_sim_program PROBE = {
    .name = "probe",
    .iface = CAPTLS_IFACE_ECHO,
    .wake = probe_wake,
};

static void drain(captls_sim_proc *p)
{
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
    }
}

static const captls_sim_program SINK = {
    .name = "sink",
    .wake = drain,
};

static void test_badges_and_names(void **state)
{
    (void)state;
    captls_sim_kernel *k;
    captls_sim_host *h;
    captls_sim_proc *svc, *cli;
    captls_cap_handle mine, theirs, plain;
    assert_int_equal(captls_sim_kernel_new(NULL, 1, NULL, NULL, &k),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_host_add(k, "a", 0, CAPTLS_CLOCK_TRUSTED, &h),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "svc", &PROBE, NULL, 0, &svc),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_add(k, h, "cli", &SINK, NULL, 0, &cli),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_grant(k, svc, cli, "svc", CAPTLS_RIGHT_CALL),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_mint_badged(svc, CAPTLS_IFACE_ECHO,
                                                 CAPTLS_RIGHT_CALL, 7, &mine),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_proc_cap_badge(svc, mine), 7);
    captls_cap_handle seven = mine;
    assert_int_equal(captls_sim_proc_mint_badged(svc, CAPTLS_IFACE_ECHO,
                                                 CAPTLS_RIGHT_CALL, 0, &plain),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* without the grant right it cannot be passed on */
    assert_int_not_equal(captls_cap_grant(captls_sim_caps(k),
                                          captls_sim_proc_owner(svc), mine,
                                          captls_sim_proc_owner(cli), &theirs),
                         CAPTLS_OK);
    assert_int_equal(captls_sim_proc_mint_badged(
                         svc, CAPTLS_IFACE_ECHO,
                         CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT, 9, &mine),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_grant(captls_sim_caps(k),
                                      captls_sim_proc_owner(svc), mine,
                                      captls_sim_proc_owner(cli), &theirs),
                     CAPTLS_OK);
    /* the service drops its own handle: the badge lives on the root */
    assert_int_equal(captls_sim_proc_cap_drop(svc, mine), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_cap_name(cli, "view", theirs), CAPTLS_OK);
    assert_int_equal(captls_sim_proc_cap_name(cli, "view", theirs),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_sim_proc_cap_name(cli, "svc", theirs),
                     CAPTLS_ERR_ALREADY_EXISTS);
    captls_cap_handle found;
    assert_int_equal(captls_sim_proc_cap(cli, "view", &found), CAPTLS_OK);
    assert_int_equal(found, theirs);

    /* a call through the view's cap carries badge 9; a granted cap 0 */
    assert_int_equal(captls_sim_ipc_call(cli, theirs, CAPTLS_IFACE_ECHO, 1, 1,
                                         NULL, 0, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(g_calls, 1);
    assert_int_equal(g_badge, 9);
    assert_int_equal(captls_sim_proc_cap(cli, "svc", &plain), CAPTLS_OK);
    assert_int_equal(captls_sim_ipc_call(cli, plain, CAPTLS_IFACE_ECHO, 1, 2,
                                         NULL, 0, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(g_calls, 2);
    assert_int_equal(g_badge, 0);
    /* a badged handle the service keeps is its own business... */
    assert_int_equal(captls_sim_leaks(k, NULL, 0), 1);
    assert_int_equal(captls_sim_proc_cap_drop(svc, seven), CAPTLS_OK);
    /* ...and the named cap is held by design, not a leak */
    assert_int_equal(captls_sim_leaks(k, NULL, 0), 0);
    /* a restart of the service ends every badged cap of its earlier life;
     * the granted cap works again */
    captls_sim_proc_restart(svc);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(captls_sim_ipc_call(cli, theirs, CAPTLS_IFACE_ECHO, 1, 3,
                                         NULL, 0, NULL, 0),
                     CAPTLS_ERR_STALE_HANDLE);
    uint32_t n = 0;
    captls_result last = CAPTLS_OK;
    assert_int_equal(captls_sim_proc_cap_refusals(cli, "view", &n, &last),
                     CAPTLS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(last, CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_sim_ipc_call(cli, plain, CAPTLS_IFACE_ECHO, 1, 4,
                                         NULL, 0, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_run(k), CAPTLS_OK);
    assert_int_equal(g_calls, 3);
    /* received names cannot be revoked as grants */
    assert_int_equal(captls_sim_revoke(cli, "view", NULL),
                     CAPTLS_ERR_NOT_FOUND);
    captls_sim_kernel_free(k);
}

static void test_cert_registry(void **state)
{
    (void)state;
    captls_sim_kernel *k;
    static const uint8_t DER[] = {0x30, 0x00};
    const uint8_t *der = NULL;
    size_t len = 99;
    assert_int_equal(captls_sim_kernel_new(NULL, 1, NULL, NULL, &k),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_cert_add(k, "root", DER, sizeof(DER)),
                     CAPTLS_OK);
    assert_int_equal(captls_sim_cert_add(k, "empty", NULL, 0), CAPTLS_OK);
    assert_int_equal(captls_sim_cert_add(k, "root", DER, sizeof(DER)),
                     CAPTLS_ERR_ALREADY_EXISTS);
    assert_int_equal(captls_sim_cert_add(k, "", DER, sizeof(DER)),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_sim_cert_find(k, "root+x", 4, &der, &len),
                     CAPTLS_OK);
    assert_ptr_equal(der, DER);
    assert_int_equal(len, sizeof(DER));
    assert_int_equal(captls_sim_cert_find(k, "empty", 5, &der, &len),
                     CAPTLS_OK);
    assert_int_equal(len, 0);
    assert_int_equal(captls_sim_cert_find(k, "roo", 3, &der, &len),
                     CAPTLS_ERR_NOT_FOUND);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        assert_int_equal(captls_sim_cert_add(k, name, DER, sizeof(DER)),
                         CAPTLS_OK);
    }
    captls_sim_kernel_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert_directive_and_args),
        cmocka_unit_test(test_bad_trust_lines),
        cmocka_unit_test(test_load_certs),
        cmocka_unit_test(test_badges_and_names),
        cmocka_unit_test(test_cert_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
