/* Unit tests of core/telnet/line.c: the line discipline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/telnet/line.h"

typedef struct lx {
    captls_line l;
    uint8_t outbuf[4096];
    captls_telnet_out out;
    char lines[16][CAPTLS_LINE_MAX + 1];
    size_t line_len[16];
    unsigned nlines, interrupts, eofs;
} lx;

static void lx_init(lx *x, uint16_t max)
{
    memset(x, 0, sizeof *x);
    captls_line_init(&x->l, max);
    x->out.buf = x->outbuf;
    x->out.cap = sizeof x->outbuf;
}

static void type(lx *x, const char *s, size_t n, bool echo)
{
    for (size_t i = 0; i < n; i++) {
        size_t before = x->out.len;
        captls_line_ev ev = captls_line_input(&x->l, (uint8_t)s[i], echo, &x->out);
        assert_true(x->out.len - before <= CAPTLS_LINE_ECHO_MAX);
        if (ev == CAPTLS_LINE_EV_LINE) {
            size_t len;
            const uint8_t *p = captls_line_text(&x->l, &len);
            assert_true(x->nlines < 16);
            memcpy(x->lines[x->nlines], p, len);
            x->lines[x->nlines][len] = 0;
            x->line_len[x->nlines++] = len;
            captls_line_release(&x->l);
        } else if (ev == CAPTLS_LINE_EV_INTERRUPT) {
            x->interrupts++;
        } else if (ev == CAPTLS_LINE_EV_EOF) {
            x->eofs++;
        }
    }
}

#define TYPE(x, s, echo) type((x), (s), sizeof(s) - 1, (echo))
#define ECHOED(x, s)                                                           \
    do {                                                                       \
        assert_int_equal((x)->out.len, sizeof(s) - 1);                         \
        assert_memory_equal((x)->outbuf, (s), sizeof(s) - 1);                  \
        (x)->out.len = 0;                                                      \
    } while (0)

static void test_line_endings(void **state)
{
    (void)state;
    lx x;
    lx_init(&x, 0);
    /* CR LF, CR NUL, bare LF, bare CR followed by text */
    TYPE(&x, "one\r\ntwo\r\0three\nfour\rfive\r\n", true);
    assert_int_equal(x.nlines, 5);
    assert_string_equal(x.lines[0], "one");
    assert_string_equal(x.lines[1], "two");
    assert_string_equal(x.lines[2], "three");
    assert_string_equal(x.lines[3], "four");
    assert_string_equal(x.lines[4], "five");
    ECHOED(&x, "one\r\ntwo\r\nthree\r\nfour\r\nfive\r\n");
    /* empty lines are lines; CR LF is one of them, LF LF two */
    TYPE(&x, "\r\n\n\n\r\0", true);
    assert_int_equal(x.nlines, 9);
    assert_int_equal(x.line_len[5], 0);
    /* CR then LF in a later call: still one Enter */
    TYPE(&x, "a\r", false);
    TYPE(&x, "\n", false);
    assert_int_equal(x.nlines, 10);
    /* CR, CR: two lines (the second CR is not swallowed) */
    TYPE(&x, "\r\r\n", false);
    assert_int_equal(x.nlines, 12);
}

static void test_erase(void **state)
{
    (void)state;
    lx x;
    lx_init(&x, 0);
    TYPE(&x, "ab\x08" "c\x7f\x7f\x7f" "d\r\n", true);
    assert_int_equal(x.nlines, 1);
    assert_string_equal(x.lines[0], "d");
    /* BS on an empty line echoes nothing */
    ECHOED(&x, "ab\b \bc\b \b\b \bd\r\n");
    /* Ctrl-U and IAC EL kill the line */
    TYPE(&x, "junk\x15ok\r\n", true);
    assert_string_equal(x.lines[1], "ok");
    ECHOED(&x, "junk^U\r\nok\r\n");
    TYPE(&x, "more", true);
    assert_int_equal(captls_line_command(&x.l, 248 /* EL */, true, &x.out), CAPTLS_LINE_EV_NONE);
    assert_int_equal(captls_line_command(&x.l, 247 /* EC */, true, &x.out), CAPTLS_LINE_EV_NONE);
    TYPE(&x, "x\r", true);
    assert_string_equal(x.lines[2], "x");
    ECHOED(&x, "more^U\r\nx\r\n");
    TYPE(&x, "ab", true);
    assert_int_equal(captls_line_command(&x.l, 247, true, &x.out), CAPTLS_LINE_EV_NONE);
    TYPE(&x, "\n", true);
    assert_string_equal(x.lines[3], "a");
}

static void test_interrupt_and_eof(void **state)
{
    (void)state;
    lx x;
    lx_init(&x, 0);
    TYPE(&x, "rm -rf\x03", true);
    assert_int_equal(x.interrupts, 1);
    assert_int_equal(x.nlines, 0);
    ECHOED(&x, "rm -rf^C\r\n");
    /* IAC IP and IAC BRK */
    assert_int_equal(captls_line_command(&x.l, 244, true, &x.out), CAPTLS_LINE_EV_INTERRUPT);
    assert_int_equal(captls_line_command(&x.l, 243, false, &x.out), CAPTLS_LINE_EV_INTERRUPT);
    ECHOED(&x, "^C\r\n");
    /* Ctrl-D: EOF on an empty line only */
    TYPE(&x, "ab\x04", true);
    assert_int_equal(x.eofs, 0);
    TYPE(&x, "\r\n\x04", true);
    assert_int_equal(x.eofs, 1);
    assert_string_equal(x.lines[0], "ab");
    ECHOED(&x, "ab\r\n");
    /* other commands do nothing */
    assert_int_equal(captls_line_command(&x.l, 241, true, &x.out), CAPTLS_LINE_EV_NONE);
    assert_int_equal(x.out.len, 0);
}

/* Every C0 control byte and DEL, one at a time between 'a' and 'b'. */
static void test_every_control(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 0x20; c++) {
        lx x;
        char in[4] = {'a', (char)c, 'b', '\n'};
        lx_init(&x, 0);
        type(&x, in, 4, true);
        switch (c) {
        case '\r':
        case '\n':
            /* a, then Enter, then "b" Enter */
            assert_int_equal(x.nlines, 2);
            assert_string_equal(x.lines[0], "a");
            assert_string_equal(x.lines[1], "b");
            break;
        case 0x03:
            assert_int_equal(x.interrupts, 1);
            assert_int_equal(x.nlines, 1);
            assert_string_equal(x.lines[0], "b");
            break;
        case 0x08:
            assert_string_equal(x.lines[0], "b");
            break;
        case 0x15:
            assert_string_equal(x.lines[0], "b");
            break;
        case '\t':
            assert_string_equal(x.lines[0], "a\tb");
            break;
        default: /* 0x04 on a non-empty line, NUL, ESC, BEL, ...: dropped */
            assert_int_equal(x.nlines, 1);
            assert_string_equal(x.lines[0], "ab");
            assert_int_equal(x.eofs, 0);
            /* and not echoed */
            assert_int_equal(x.out.len, 4);
            assert_memory_equal(x.outbuf, "ab\r\n", 4);
            break;
        }
    }
    lx x;
    lx_init(&x, 0);
    TYPE(&x, "a\x7f" "b\xc3\xa9\xff\n", true);
    assert_string_equal(x.lines[0], "b\xc3\xa9\xff");
    /* 0xFF is echoed doubled (RFC 854) */
    ECHOED(&x, "a\b \bb\xc3\xa9\xff\xff\r\n");
}

static void test_max_line(void **state)
{
    (void)state;
    lx x;
    lx_init(&x, 5);
    TYPE(&x, "abcdefgh\r\n", true);
    assert_string_equal(x.lines[0], "abcde");
    assert_int_equal(x.l.dropped, 3);
    ECHOED(&x, "abcde\a\a\a\r\n");
    /* erase works at the limit, then there is room again */
    TYPE(&x, "12345\x7fxy\n", false);
    assert_string_equal(x.lines[1], "1234x");
    /* clamping */
    lx_init(&x, 60000);
    assert_int_equal(x.l.max, CAPTLS_LINE_MAX);
    lx_init(&x, 0);
    assert_int_equal(x.l.max, CAPTLS_LINE_DEFAULT);
    char big[CAPTLS_LINE_MAX + 10];
    memset(big, 'z', sizeof big);
    lx_init(&x, CAPTLS_LINE_MAX);
    type(&x, big, sizeof big, false);
    TYPE(&x, "\n", false);
    assert_int_equal(x.line_len[0], CAPTLS_LINE_MAX);
}

static void test_hidden(void **state)
{
    (void)state;
    lx x;
    lx_init(&x, 0);
    TYPE(&x, "alice\r", true);
    ECHOED(&x, "alice\r\n");
    captls_line_set_hidden(&x.l, true);
    /* the NUL of CR NUL arrives after the mode change: still swallowed,
     * no empty password line */
    TYPE(&x, "\0s3cr\x7f" "ret\r\n", true);
    assert_int_equal(x.nlines, 2);
    assert_string_equal(x.lines[1], "s3cret");
    ECHOED(&x, "\r\n"); /* nothing of the password, not even \b \b */
    /* over the limit in hidden mode: BEL only */
    captls_line_set_hidden(&x.l, false);
    TYPE(&x, "ls\n", true);
    ECHOED(&x, "ls\r\n");
    /* released lines are wiped */
    for (size_t i = 0; i < sizeof x.l.buf; i++)
        assert_int_equal(x.l.buf[i], 0);
    /* no echo at all when ECHO is not negotiated */
    TYPE(&x, "abc\x7f\r\n", false);
    assert_int_equal(x.out.len, 0);
}

static void test_ready_blocks(void **state)
{
    (void)state;
    captls_line l;
    uint8_t o[16];
    captls_telnet_out out = {o, sizeof o, 0};
    size_t len;
    captls_line_init(&l, 0);
    assert_int_equal(captls_line_input(&l, 'a', true, &out), CAPTLS_LINE_EV_NONE);
    assert_int_equal(captls_line_input(&l, '\n', true, &out), CAPTLS_LINE_EV_LINE);
    /* until released, input is refused (not appended to the line) */
    assert_int_equal(captls_line_input(&l, 'b', true, &out), CAPTLS_LINE_EV_NONE);
    assert_int_equal(captls_line_command(&l, 244, true, &out), CAPTLS_LINE_EV_NONE);
    captls_line_text(&l, &len);
    assert_int_equal(len, 1);
    captls_line_release(&l);
    captls_line_text(&l, &len);
    assert_int_equal(len, 0);
    captls_line_wipe(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_erase),
        cmocka_unit_test(test_interrupt_and_eof),
        cmocka_unit_test(test_every_control),
        cmocka_unit_test(test_max_line),
        cmocka_unit_test(test_hidden),
        cmocka_unit_test(test_ready_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
