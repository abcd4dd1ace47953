/* Unit tests: the captls-shim reader, splitter, token decoders and the
 * dispatch's error vocabulary (conformance/shim_line.c, shim_ops.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance/shim_line.h"
#include "conformance/shim_ops.h"

/* ------------------------------------------------------------ reader */

typedef struct got {
    size_t n;
    char lines[16][64];
    bool too_long[16];
} got;

static void collect(void *ctx, char *line, size_t len, bool too_long)
{
    got *g = ctx;
    assert_true(g->n < 16);
    assert_int_equal(line[len], '\0');
    assert_true(len < 64);
    memcpy(g->lines[g->n], line, len + 1);
    g->too_long[g->n] = too_long;
    g->n++;
}

static void feed(got *g, size_t cap, const char *s, size_t chunk)
{
    static char buf[128];
    captls_shim_reader r;
    assert_true(cap <= sizeof(buf));
    memset(g, 0, sizeof(*g));
    captls_shim_reader_init(&r, buf, cap);
    size_t n = strlen(s);
    for (size_t off = 0; off < n; off += chunk)
        captls_shim_reader_push(&r, (const uint8_t *)s + off,
                                n - off < chunk ? n - off : chunk, collect, g);
    captls_shim_reader_end(&r, collect, g);
}

static void test_reader_lines_crlf_and_last_line(void **state)
{
    (void)state;
    for (size_t chunk = 1; chunk <= 20; chunk++) {
        got g;
        feed(&g, 34, "a b\r\n\nc\rd\nlast", chunk);
        assert_int_equal(g.n, 4);
        assert_string_equal(g.lines[0], "a b");
        assert_string_equal(g.lines[1], "");
        assert_string_equal(g.lines[2], "c\rd"); /* only a final CR goes */
        assert_string_equal(g.lines[3], "last");
        assert_false(g.too_long[3]);
    }
}

static void test_reader_no_phantom_last_line(void **state)
{
    (void)state;
    got g;
    feed(&g, 34, "x\n", 1);
    assert_int_equal(g.n, 1);
    feed(&g, 34, "", 1);
    assert_int_equal(g.n, 0);
    feed(&g, 34, "\r", 1); /* a lone CR is a last line, empty */
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "");
}

static void test_reader_limit_and_resync(void **state)
{
    (void)state;
    /* cap 10: lines of up to 8 bytes are kept */
    for (size_t chunk = 1; chunk <= 30; chunk++) {
        got g;
        feed(&g, 10, "12345678\n123456789\n12345678\r\n123456789\r\nok\n"
                     "0123456789abcdef",
             chunk);
        assert_int_equal(g.n, 6);
        assert_string_equal(g.lines[0], "12345678");
        assert_false(g.too_long[0]);
        assert_true(g.too_long[1]);
        assert_string_equal(g.lines[1], "");
        assert_string_equal(g.lines[2], "12345678"); /* CR is not counted */
        assert_false(g.too_long[2]);
        assert_true(g.too_long[3]);
        assert_string_equal(g.lines[4], "ok");
        assert_true(g.too_long[5]); /* too long and unterminated */
    }
}

/* ------------------------------------------------------------ splitter */

static void test_split(void **state)
{
    (void)state;
    captls_shim_line l;
    char a[] = "  op\t a  bb\t";
    assert_null(captls_shim_line_split(a, strlen(a), &l));
    assert_true(captls_shim_tok_is(&l.op, "op"));
    assert_int_equal(l.nargs, 2);
    assert_true(captls_shim_tok_is(&l.arg[0], "a"));
    assert_true(captls_shim_tok_is(&l.arg[1], "bb"));
    assert_false(captls_shim_tok_is(&l.arg[1], "b"));

    char e[] = " \t ";
    assert_string_equal(captls_shim_line_split(e, strlen(e), &l),
                        "empty line");
    assert_string_equal(captls_shim_line_split(e, 0, &l), "empty line");

    char six[] = "op 1 2 3 4 5 6";
    assert_null(captls_shim_line_split(six, strlen(six), &l));
    assert_int_equal(l.nargs, 6);
    assert_true(captls_shim_tok_is(&l.arg[5], "6"));
    char seven[] = "op 1 2 3 4 5 6 7 8 9";
    assert_null(captls_shim_line_split(seven, strlen(seven), &l));
    assert_int_equal(l.nargs, CAPTLS_SHIM_MAX_ARGS + 1);
    char sixb[] = "op 1 2 3 4 5 6   ";
    assert_null(captls_shim_line_split(sixb, strlen(sixb), &l));
    assert_int_equal(l.nargs, 6);

    char nul[] = "op\0x y"; /* a NUL is an ordinary byte */
    assert_null(captls_shim_line_split(nul, 6, &l));
    assert_int_equal(l.op.len, 4);
    assert_int_equal(l.nargs, 1);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t *p;
    size_t n;
    char s1[] = "00ff7a";
    captls_shim_tok t = {s1, 6};
    assert_null(captls_shim_tok_hex(&t, &p, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(p, "\x00\xff\x7a", 3);

    char s2[] = "-";
    t = (captls_shim_tok){s2, 1};
    assert_null(captls_shim_tok_hex(&t, &p, &n));
    assert_int_equal(n, 0);

    const char *bad[] = {"0", "abc", "0g", "AB", "0A", "--", "-0", "0 ", "zz"};
    const char *why[] = {"odd-length hex", "odd-length hex", "bad hex",
                         "bad hex", "bad hex", "bad hex", "bad hex",
                         "bad hex", "bad hex"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char b[8];
        strcpy(b, bad[i]);
        t = (captls_shim_tok){b, strlen(b)};
        assert_string_equal(captls_shim_tok_hex(&t, &p, &n), why[i]);
        assert_string_equal(b, bad[i]); /* untouched on failure */
    }
}

static void test_u64(void **state)
{
    (void)state;
    uint64_t v;
    char a[] = "0042";
    captls_shim_tok t = {a, 4};
    assert_null(captls_shim_tok_u64(&t, &v));
    assert_int_equal(v, 42);
    char b[] = "99999999999999999999999";
    t = (captls_shim_tok){b, strlen(b)};
    assert_null(captls_shim_tok_u64(&t, &v));
    assert_true(v == UINT64_MAX);
    char c[] = "18446744073709551615";
    t = (captls_shim_tok){c, strlen(c)};
    assert_null(captls_shim_tok_u64(&t, &v));
    assert_true(v == UINT64_MAX);
    const char *bad[] = {"-1", "+1", "1a", "0x10", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char s[8];
        strcpy(s, bad[i]);
        t = (captls_shim_tok){s, strlen(s)};
        assert_string_equal(captls_shim_tok_u64(&t, &v), "bad number");
    }
}

/* ------------------------------------------------------------ dispatch */

static const char *ask(captls_shim *sh, const char *req)
{
    static char line[4096];
    size_t n;
    strcpy(line, req);
    const char *a = captls_shim_run(sh, line, strlen(line), false, &n);
    assert_int_equal(strlen(a), n);
    assert_null(strchr(a, '\n'));
    return a;
}

static void test_dispatch_errors(void **state)
{
    (void)state;
    captls_shim *sh = captls_shim_new();
    assert_non_null(sh);
    size_t n;
    char empty[1] = "";
    assert_string_equal(captls_shim_run(sh, empty, 0, true, &n),
                        "error: line too long");
    assert_string_equal(ask(sh, ""), "error: empty line");
    assert_string_equal(ask(sh, "SHA256 -"), "error: unknown operation");
    assert_string_equal(ask(sh, "sha256"), "error: sha256 takes 1 argument");
    assert_string_equal(ask(sh, "sha256 - -"),
                        "error: sha256 takes 1 argument");
    assert_string_equal(ask(sh, "hmac-sha256 -"),
                        "error: hmac-sha256 takes 2 arguments");
    assert_string_equal(ask(sh, "sha256 1 2 3 4 5 6 7 8"),
                        "error: sha256 takes 1 argument");
    assert_string_equal(ask(sh, "sha256 abc"), "error: MSG: odd-length hex");
    assert_string_equal(ask(sh, "hmac-sha256 XX -"), "error: KEY: bad hex");
    assert_string_equal(ask(sh, "hkdf-sha256 - - - x"),
                        "error: LEN: bad number");
    assert_string_equal(ask(sh, "sha256 -"),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495"
                        "991b7852b855");
    for (size_t i = 0; captls_shim_op_name(i) != NULL; i++)
        assert_non_null(strchr("sahxer", captls_shim_op_name(i)[0]));
    captls_shim_free(sh);
    captls_shim_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_lines_crlf_and_last_line),
        cmocka_unit_test(test_reader_no_phantom_last_line),
        cmocka_unit_test(test_reader_limit_and_resync),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_dispatch_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
