/* Unit tests of the scenario parser: a valid file parses to what it says;
 * every malformed shape is refused with the line and column of the problem
 * and what was expected; arbitrary bytes never crash it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/scenario.h"

static void test_valid_file(void **state)
{
    (void)state;
    static const char TEXT[] =
        "# a comment line\r\n"
        "\n"
        "host alpha wall=2026-11-23T00:00:00Z clock=trusted  # trailing\n"
        "host beta wall=951827696\r\n"
        "host gamma\n"
        "\tlink alpha beta latency=1.5ms jitter=250us\n"
        "link beta gamma\n"
        "limit events=5000 time=2s\n"
        "service echo on beta port=7 program=echo\n"
        "client pinger on alpha program=echo-client\n"
        "grant echo to pinger\n"
        "at 1ms pinger connect beta:7\n"
        "at 1ms pinger send \"a\\tb\\x00\\\"c\\\\\"\n"
        "at 2ms pinger send word\n"
        "at 3s pinger call echo \"#not a comment\"\n"
        "expect pinger received \"\"\n"
        "expect echo echoed 0\n";
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse((const uint8_t *)TEXT,
                                                sizeof(TEXT) - 1, &sc, &err);
    if (r != CAPTLS_OK)
        print_error("%u:%u: %s\n", err.line, err.col, err.msg);
    assert_int_equal(r, CAPTLS_OK);
    assert_int_equal(sc->nhosts, 3);
    assert_string_equal(sc->hosts[0].name, "alpha");
    assert_int_equal(sc->hosts[0].wall_epoch_s, 1795392000);
    assert_int_equal(sc->hosts[0].provenance, CAPTLS_CLOCK_TRUSTED);
    assert_int_equal(sc->hosts[1].wall_epoch_s, 951827696);
    assert_int_equal(sc->hosts[1].provenance, CAPTLS_CLOCK_UNTRUSTED);
    assert_int_equal(sc->hosts[2].wall_epoch_s, CAPTLS_SIM_SCN_DEFAULT_WALL);
    assert_int_equal(sc->nlinks, 2);
    assert_int_equal(sc->links[0].latency_ns, 1500000);
    assert_int_equal(sc->links[0].jitter_ns, 250000);
    assert_int_equal(sc->links[1].latency_ns, CAPTLS_SIM_SCN_DEFAULT_LATENCY);
    assert_int_equal(sc->max_events, 5000);
    assert_int_equal(sc->max_time_ns, 2000000000ull);
    assert_int_equal(sc->nprocs, 2);
    assert_true(sc->procs[0].service);
    assert_string_equal(sc->procs[0].prog->name, "echo");
    assert_int_equal(sc->procs[0].nopts, 1);
    assert_string_equal(sc->procs[0].opts[0].key, "port");
    assert_string_equal(sc->procs[0].opts[0].value, "7");
    assert_false(sc->procs[1].service);
    assert_int_equal(sc->ngrants, 1);
    assert_int_equal(sc->nactions, 4);
    assert_int_equal(sc->actions[0].at_ns, 1000000ull);
    assert_int_equal(sc->actions[3].at_ns, 3000000000ull);
    assert_string_equal(sc->actions[0].a.verb, "connect");
    assert_int_equal(sc->actions[1].a.args[0].len, 7);
    assert_memory_equal(sc->actions[1].a.args[0].p, "a\tb\0\"c\\", 7);
    assert_int_equal(sc->actions[1].a.line, 13);
    assert_memory_equal(sc->actions[2].a.args[0].p, "word", 4);
    assert_int_equal(sc->actions[3].a.nargs, 2);
    assert_memory_equal(sc->actions[3].a.args[1].p, "#not a comment", 14);
    assert_int_equal(sc->nexpects, 2);
    assert_int_equal(sc->expects[0].value_len, 0);
    assert_string_equal(sc->expects[1].fact, "echoed");
    assert_int_equal(sc->expects[1].line, 17);
    captls_sim_scenario_free(sc);
}

static void test_empty_file(void **state)
{
    (void)state;
    captls_sim_scenario *sc = NULL;
    assert_int_equal(captls_sim_scenario_parse(NULL, 0, &sc, NULL), CAPTLS_OK);
    assert_int_equal(sc->nhosts, 0);
    captls_sim_scenario_free(sc);
}

typedef struct bad_case {
    const char *text;
    unsigned line, col;
    const char *msg; /* a substring of the message */
} bad_case;

#define PRE "host a\nhost b\nlink a b\nservice echo on b port=7\n" \
            "client c on a program=echo-client\n"
/* PRE has 5 lines: cases after it are on line 6. */

static const bad_case BAD[] = {
    {"hots alpha\n", 1, 1, "expected a directive (host, link"},
    {"\"host\" a\n", 1, 1, "expected a directive"},
    {"host\n", 1, 5, "expected a host name after 'host'"},
    {"host alpha\nhost alpha\n", 2, 6, "already declared on line 1"},
    {"host Alpha\n", 1, 6, "expected a host name: a lowercase letter"},
    {"host a2345678901234567890123456789012\n", 1, 6, "at most 31"},
    {"host a wall=2026-13-01T00:00:00Z\n", 1, 13, "expected a UTC time"},
    {"host a wall=2026-02-29T00:00:00Z\n", 1, 13, "expected a UTC time"},
    {"host a wall=9999999999\n", 1, 13, "seconds since 1970 of at most"},
    {"host a clock=maybe\n", 1, 14, "expected clock=trusted or clock=untrusted"},
    {"host a colour=red\n", 1, 8, "unknown option 'colour=' for 'host'; "
                                  "expected wall=, clock="},
    {"host a wall=1 wall=2\n", 1, 15, "option 'wall=' given twice"},
    {"host a trusted\n", 1, 8, "expected an option (wall=, clock=, skew=, drift=)"},
    {"host a wall=\n", 1, 13, "expected a value after 'wall='"},
    {"host a wall=1=2\n", 1, 14, "unexpected '='"},
    {"host a =1\n", 1, 8, "expected an option name before '='"},
    {"host a\nlink a b\n", 2, 8, "unknown host 'b'; expected a host declared"},
    {"host a\nlink a a\n", 2, 8, "expected a different host"},
    {"host a\nlink a\n", 2, 7, "expected a second host name"},
    {"host a\nhost b\nlink a b\nlink b a\n", 4, 6, "already linked on line 3"},
    {"host a\nhost b\nlink a b latency=2parsecs\n", 3, 18,
     "expected a duration like 2ms"},
    {"host a\nhost b\nlink a b latency=1.5ns\n", 3, 18,
     "whole number of nanoseconds"},
    {"host a\nhost b\nlink a b jitter=99999999999999s\n", 3, 17,
     "at most 1000000s"},
    {"host a\nhost b\nlink a b latency=.5ms\n", 3, 18, "expected a duration"},
    {"host a\nservice echo on a\n", 2, 18, "expected port=...: program 'echo'"},
    {"host a\nservice echo at a port=7\n", 2, 14, "expected 'on', not 'at'"},
    {"host a\nservice echo on a port=0\n", 2, 24, "expected a port number"},
    {"host a\nservice echo on a port=70000\n", 2, 24,
     "expected a port number 1..65535"},
    {"host a\nservice echo on a port=7 port=8\n", 2, 26, "given twice"},
    {"host a\nservice echo on a port=7 speed=9\n", 2, 26,
     "unknown option 'speed=' for program 'echo'; expected port="},
    {"host a\nservice echo on a port=7 fast\n", 2, 26,
     "expected an option like program=NAME"},
    {"host a\nclient c on a\n", 2, 14, "expected program=NAME (one of: echo, "
                                       "echo-client, trust, relying-party, "
                                       "ticket-keys"},
    {"host a\nclient c on a program=telnet\n", 2, 23,
     "unknown program 'telnet'; expected one of"},
    {"host a\nservice c on a program=echo-client\n", 2, 24,
     "serves no interface; expected 'client'"},
    {"host a\nclient c on a program=echo-client port=7\n", 2, 35,
     "for program 'echo-client'; it takes none"},
    {PRE "client c on b program=echo-client\n", 6, 8, "'c' is already "
                                                      "declared on line 5"},
    {PRE "at 5ms c sned \"x\"\n", 6, 10,
     "unknown action 'sned' for 'c' (program echo-client); expected one of: "
     "connect, send, call, check, close"},
    {PRE "at 5ms c send\n", 6, 14, "expected send \"TEXT\""},
    {PRE "at 5ms c send a b\n", 6, 17, "expected the end of the line after "
                                       "send"},
    {PRE "at 5ms c send a=b\n", 6, 15, "quote text that holds '='"},
    {PRE "at 5 c send x\n", 6, 4, "expected a duration like 2ms"},
    {PRE "at 5ms d send x\n", 6, 8, "unknown process 'd'"},
    {PRE "at 5ms echo send x\n", 6, 13, "which takes no actions"},
    {PRE "at 5ms c call echo \"x\"\n", 6, 15,
     "'c' holds no cap named 'echo'; expected a 'grant echo to c' line"},
    {PRE "at 5ms c connect b\n", 6, 18, "expected HOST:PORT, like beta:7"},
    {PRE "at 5ms c connect z:7\n", 6, 18, "unknown host 'z'"},
    {PRE "at 5ms c connect b:x\n", 6, 20, "expected a port number"},
    {PRE "at 5ms c connect \"b:7\"\n", 6, 18, "without quotes"},
    {PRE "at 5ms c send x\nat 4ms c send y\n", 7, 4,
     "time goes backwards: line 6 is at 5000000 ns"},
    {PRE "client kill on a program=echo-client\n", 6, 8,
     "'kill' is a reserved word"},
    {PRE "at 5ms clock a wobble\n", 6, 16, "unknown clock fault 'wobble'"},
    {PRE "at 5ms clock a jump 5\n", 6, 21, "expected a duration like 2ms"},
    {PRE "at 5ms store z tear\n", 6, 14, "unknown host 'z'"},
    {PRE "at 5ms revoke c echo\n", 6, 17, "'c' holds no cap named 'echo'"},
    {PRE "host z\nat 5ms stall a z 5ms\n", 7, 16,
     "expected two linked hosts"},
    {PRE "grant echo to c rights=call+fly\n", 6, 29, "unknown right"},
    {PRE "grant echo to c\nat 1ms c invoke echo fly \"x\"\n", 7, 22,
     "unknown method 'fly'; expected one of the service's methods: echo, "
     "reset"},
    {PRE "expect refused c echo\n", 6, 18, "'c' holds no cap named 'echo'"},
    {PRE "expect transcript \"\"\n", 6, 19, "expected non-empty"},
    {PRE "expect no-leak now\n", 6, 16, "expected the end of the line"},
    {"host a\nhost b\nlink a b split=0\n", 3, 16, "at least 1"},
    {"host a\nhost b\nlink a b bandwidth=fast\n", 3, 20, "bandwidth=N"},
    {"host a drift=+2000000ppm\n", 1, 14, "parts per million"},
    {PRE "at 5ms c send \"abc\n", 6, 15, "unterminated string; expected a "
                                         "closing '\"'"},
    {PRE "at 5ms c send \"a\\qb\"\n", 6, 17, "unknown escape"},
    {PRE "at 5ms c send \"a\\x4\"\n", 6, 17, "two hex digits after \\x"},
    {PRE "at 5ms c send \"a\tb\"\n", 6, 17, "control byte 0x09 in a string; "
                                            "expected it written as \\x09"},
    {PRE "at 5ms c send \"a\"b\n", 6, 18, "expected a space or the end of the "
                                          "line after the closing quote"},
    {PRE "at 5ms c send a\"b\"\n", 6, 16, "unexpected character '\"'"},
    {PRE "grant c to echo\n", 6, 7, "expected a service: 'c' is a client"},
    {PRE "grant echo c\n", 6, 12, "expected 'to', not 'c'"},
    {PRE "grant echo to c\ngrant echo to c\n", 7, 7, "already holds this cap "
                                                     "(line 6)"},
    {PRE "expect c recieved \"x\"\n", 6, 10,
     "unknown fact 'recieved' for 'c' (program echo-client); expected one "
     "of: received, sent"},
    {PRE "expect c received\n", 6, 18, "expected the expected value"},
    {PRE "expect c received x y\n", 6, 21, "expected the end of the line, not "
                                           "'y'"},
    {PRE "expect echo echoed n=1\n", 6, 20, "expected a word or \"text\""},
    {"limit\n", 1, 6, "expected events=N or time=DURATION"},
    {"limit events=0\n", 1, 14, "expected at least 1 event"},
    {"limit events=1000000000\n", 1, 14, "of at most 100000000"},
    {"limit events=-1\n", 1, 14, "expected a number of events"},
    {"limit time=0s\n", 1, 12, "expected a time above 0"},
    {"limit speed=3\n", 1, 7, "unknown option 'speed=' for 'limit'"},
    {"host a\x01\n", 1, 7, "unexpected byte 0x01; expected a word, a "
                           "\"quoted string\" or a # comment"},
    {"\xff\n", 1, 1, "unexpected byte 0xff"},
    {"host a;\n", 1, 7, "unexpected character ';'"},
    {"host a\rb\n", 1, 7, "unexpected byte 0x0d"},
    {"host a b c d e f g h i j k l m n o p q\n", 1, 36, "too many items on "
                                                         "one line"},
};

static void test_errors_name_line_and_column(void **state)
{
    (void)state;
    unsigned failed = 0;
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        const bad_case *c = &BAD[i];
        captls_sim_scenario *sc = (captls_sim_scenario *)1;
        captls_sim_scn_error err;
        captls_result r = captls_sim_scenario_parse(
            (const uint8_t *)c->text, strlen(c->text), &sc, &err);
        bool ok = r == CAPTLS_ERR_MALFORMED && sc == NULL &&
                  err.line == c->line && err.col == c->col &&
                  strstr(err.msg, c->msg) != NULL;
        if (!ok) {
            print_error("case %zu: got %s %u:%u \"%s\"; want %u:%u \"%s\"\n",
                        i, captls_result_name(r), err.line, err.col, err.msg,
                        c->line, c->col, c->msg);
            failed++;
            if (r == CAPTLS_OK)
                captls_sim_scenario_free(sc);
        }
    }
    assert_int_equal(failed, 0);
}

static void test_long_line_and_big_file(void **state)
{
    (void)state;
    size_t n = CAPTLS_SIM_SCN_MAX_LINE + 10;
    char *text = malloc(n + 16);
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    assert_non_null(text);
    memcpy(text, "host a\n# ", 9);
    memset(text + 9, 'x', n - 9);
    assert_int_equal(captls_sim_scenario_parse((const uint8_t *)text, n, &sc,
                                               &err),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, CAPTLS_SIM_SCN_MAX_LINE + 1);
    assert_non_null(strstr(err.msg, "expected a line of at most 4096 bytes"));
    free(text);
    assert_int_equal(captls_sim_scenario_parse((const uint8_t *)"",
                                               CAPTLS_SIM_SCN_MAX_BYTES + 1,
                                               &sc, &err),
                     CAPTLS_ERR_MALFORMED);
    assert_int_equal(err.line, 1);
}

/* Pieces of valid and invalid syntax, glued at random. */
static const char *const SOUP[] = {
    "host ", "a ", "b ", "link ", "service ", "echo ", "client ", "c ",
    "on ", "program=echo-client ", "port=7 ", "grant ", "to ", "at ", "5ms ",
    "send ", "\"x\\n\" ", "call ", "connect ", "b:7 ", "expect ", "received ",
    "limit ", "events=9 ", "time=1s ", "wall=2026-01-01T00:00:00Z ",
    "clock=trusted ", "latency=1ms ", "jitter=1us ", "#", "\n", "\r\n", "\"",
    "\\", "=", "\t", "\x80", "\x00", "check ", "close ",
};

static void test_random_input_never_crashes(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint32_t x = 2463534242u;
    unsigned ok = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bool bytes = (x & 7) == 0;
        while (len < sizeof(buf) - 32) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if ((x & 63) == 0)
                break;
            if (bytes) {
                buf[len++] = (uint8_t)(x >> 8);
            } else {
                const char *p = SOUP[(x >> 8) % (sizeof(SOUP) / sizeof(SOUP[0]))];
                size_t pl = p[0] == '\0' ? 1 : strlen(p);
                memcpy(buf + len, p, pl);
                len += pl;
            }
        }
        captls_sim_scenario *sc = NULL;
        captls_sim_scn_error err;
        captls_result r = captls_sim_scenario_parse(buf, len, &sc, &err);
        if (r == CAPTLS_OK) {
            ok++;
            captls_sim_scenario_free(sc);
            continue;
        }
        assert_int_equal(r, CAPTLS_ERR_MALFORMED);
        assert_true(err.line >= 1 && err.col >= 1);
        assert_true(err.col <= CAPTLS_SIM_SCN_MAX_LINE + 1);
        assert_true(strlen(err.msg) > 0);
        for (const char *m = err.msg; *m != '\0'; m++)
            assert_true(*m >= 0x20 && *m <= 0x7E);
    }
    assert_true(ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_long_line_and_big_file),
        cmocka_unit_test(test_random_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
