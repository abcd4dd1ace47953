/* Unit tests of core/telnet/telnet.c: IAC parsing, RFC 1143 negotiation,
 * subnegotiations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/telnet/telnet.h"

#define IAC 255
#define WILL 251
#define WONT 252
#define DO 253
#define DONT 254
#define SB 250
#define SE 240

typedef struct fx {
    captls_telnet t;
    uint8_t outbuf[8192];
    captls_telnet_out out;
    /* events seen */
    uint8_t data[4096];
    size_t ndata;
    unsigned cmds, naws, ttype, echo_changes;
    uint8_t last_cmd;
} fx;

static void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    captls_telnet_init(&f->t);
    f->out.buf = f->outbuf;
    f->out.cap = sizeof f->outbuf;
}

static void feed(fx *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        captls_telnet_ev ev;
        assert_true(f->out.cap - f->out.len >= CAPTLS_TELNET_REPLY_MAX);
        size_t before = f->out.len;
        captls_telnet_input(&f->t, p[i], &f->out, &ev);
        assert_true(f->out.len - before <= CAPTLS_TELNET_REPLY_MAX);
        switch (ev.kind) {
        case CAPTLS_TELNET_EV_DATA: f->data[f->ndata++] = ev.byte; break;
        case CAPTLS_TELNET_EV_CMD: f->cmds++; f->last_cmd = ev.byte; break;
        case CAPTLS_TELNET_EV_NAWS: f->naws++; break;
        case CAPTLS_TELNET_EV_TTYPE: f->ttype++; break;
        case CAPTLS_TELNET_EV_ECHO: f->echo_changes++; break;
        default: break;
        }
    }
}

#define FEED(f, ...)                                                           \
    do {                                                                       \
        static const uint8_t in_[] = {__VA_ARGS__};                            \
        feed((f), in_, sizeof in_);                                            \
    } while (0)

#define EXPECT_OUT(f, ...)                                                     \
    do {                                                                       \
        static const uint8_t want_[] = {__VA_ARGS__};                          \
        assert_int_equal((f)->out.len, sizeof want_);                          \
        assert_memory_equal((f)->outbuf, want_, sizeof want_);                 \
        (f)->out.len = 0;                                                      \
    } while (0)

#define EXPECT_NO_OUT(f) assert_int_equal((f)->out.len, 0)

static void open_all(fx *f)
{
    captls_telnet_open_options o = {true, true, true, true};
    captls_telnet_open(&f->t, &o, &f->out);
}

static void test_open_requests(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    open_all(&f);
    EXPECT_OUT(&f, IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 24, IAC, DO, 31);
    assert_false(captls_telnet_enabled(&f.t, 1, true));
    /* the client agrees to everything: no reply to a confirmation, except
     * the TTYPE SEND that follows WILL TTYPE (RFC 1091) */
    FEED(&f, IAC, DO, 1, IAC, DO, 3, IAC, WILL, 31);
    EXPECT_NO_OUT(&f);
    assert_int_equal(f.echo_changes, 1);
    FEED(&f, IAC, WILL, 24);
    EXPECT_OUT(&f, IAC, SB, 24, 1, IAC, SE);
    assert_true(captls_telnet_enabled(&f.t, 1, true));
    assert_true(captls_telnet_enabled(&f.t, 3, true));
    assert_true(captls_telnet_enabled(&f.t, 24, false));
    assert_true(captls_telnet_enabled(&f.t, 31, false));
    /* repeated confirmations are ignored (RFC 854: never acknowledge a
     * request to enter a mode we are already in) */
    FEED(&f, IAC, DO, 1, IAC, WILL, 24, IAC, DO, 3, IAC, WILL, 31);
    EXPECT_NO_OUT(&f);
    assert_int_equal(f.echo_changes, 1);
}

static void test_client_refuses(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    open_all(&f);
    f.out.len = 0;
    /* WANTYES + WONT/DONT -> NO, no reply (RFC 1143) */
    FEED(&f, IAC, DONT, 1, IAC, DONT, 3, IAC, WONT, 24, IAC, WONT, 31);
    EXPECT_NO_OUT(&f);
    for (int o = 0; o < 40; o++) {
        assert_false(captls_telnet_enabled(&f.t, (uint8_t)o, true));
        assert_false(captls_telnet_enabled(&f.t, (uint8_t)o, false));
    }
    assert_int_equal(f.echo_changes, 0);
    /* the client changes its mind later: a fresh WILL NAWS is agreed */
    FEED(&f, IAC, WILL, 31);
    EXPECT_OUT(&f, IAC, DO, 31);
    assert_true(captls_telnet_enabled(&f.t, 31, false));
    /* and switched off again: DONT/WONT acknowledged once */
    FEED(&f, IAC, WONT, 31);
    EXPECT_OUT(&f, IAC, DONT, 31);
    FEED(&f, IAC, WONT, 31);
    EXPECT_NO_OUT(&f);
}

static void test_unsupported_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    /* BINARY (0), STATUS (5), LINEMODE (34), NEW-ENVIRON (39), 200 */
    static const uint8_t opts[] = {0, 5, 34, 39, 200, 255};
    for (size_t i = 0; i < sizeof opts; i++) {
        uint8_t w[3] = {IAC, WILL, opts[i]}, d[3] = {IAC, DO, opts[i]};
        uint8_t wo[3] = {IAC, WONT, opts[i]}, dn[3] = {IAC, DONT, opts[i]};
        feed(&f, w, 3);
        assert_int_equal(f.out.len, 3);
        assert_memory_equal(f.outbuf, ((uint8_t[]){IAC, DONT, opts[i]}), 3);
        f.out.len = 0;
        feed(&f, d, 3);
        assert_memory_equal(f.outbuf, ((uint8_t[]){IAC, WONT, opts[i]}), 3);
        f.out.len = 0;
        feed(&f, wo, 3);
        feed(&f, dn, 3);
        EXPECT_NO_OUT(&f);
    }
    /* the wrong side of supported options is refused too */
    FEED(&f, IAC, WILL, 1); /* client wants to echo: no */
    EXPECT_OUT(&f, IAC, DONT, 1);
    FEED(&f, IAC, DO, 24); /* asks for our terminal type: no */
    EXPECT_OUT(&f, IAC, WONT, 24);
    FEED(&f, IAC, DO, 31);
    EXPECT_OUT(&f, IAC, WONT, 31);
    assert_int_equal(f.t.stats.refused, 2 * sizeof opts + 3);
    assert_int_equal(f.ndata, 0);
}

static void test_storm(void **state)
{
    (void)state;
    fx f;
    captls_telnet snapshot;
    fx_init(&f);
    open_all(&f);
    f.out.len = 0;
    FEED(&f, IAC, DO, 1);
    snapshot = f.t;
    /* 2000 WILL/DO for an unsupported option: exactly one refusal each,
     * no state kept, nothing else */
    for (int i = 0; i < 1000; i++) {
        FEED(&f, IAC, WILL, 77, IAC, DO, 77);
        assert_int_equal(f.out.len, 6);
        assert_memory_equal(f.outbuf, ((uint8_t[]){IAC, DONT, 77, IAC, WONT, 77}), 6);
        f.out.len = 0;
    }
    /* 1000 DO ECHO in state YES: silence */
    for (int i = 0; i < 1000; i++)
        FEED(&f, IAC, DO, 1);
    EXPECT_NO_OUT(&f);
    snapshot.stats = f.t.stats;
    assert_memory_equal(&snapshot, &f.t, sizeof snapshot);
}

/* A peer that is not RFC 1143 safe: it acknowledges every command it gets
 * with the matching positive or negative answer (DO for WILL, WILL for DO,
 * DONT for WONT, WONT for DONT). Two such peers loop forever; with the Q
 * method on our side the exchange must stop. */
static size_t naive_reply(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i + 2 < n; i += 3) {
        uint8_t c = in[i + 1], r = 0;
        if (in[i] != IAC)
            continue;
        if (c == WILL) r = DO;
        else if (c == DO) r = WILL;
        else if (c == WONT) r = DONT;
        else if (c == DONT) r = WONT;
        else continue;
        out[o++] = IAC;
        out[o++] = r;
        out[o++] = in[i + 2];
    }
    return o;
}

static void test_no_loop_with_naive_peer(void **state)
{
    (void)state;
    fx f;
    uint8_t msg[8192];
    size_t n, rounds = 0, total = 0;

    fx_init(&f);
    open_all(&f);
    /* the naive peer also asks for things itself */
    uint8_t extra[] = {IAC, WILL, 1, IAC, DO, 24, IAC, WILL, 0, IAC, DONT, 3};
    n = naive_reply(f.outbuf, f.out.len, msg);
    memcpy(msg + n, extra, sizeof extra);
    n += sizeof extra;
    f.out.len = 0;
    while (n > 0 && rounds < 100) {
        feed(&f, msg, n);
        /* our output filtered to commands (the SB SEND is not answered) */
        size_t m = 0;
        uint8_t cmds[8192];
        for (size_t i = 0; i < f.out.len;) {
            if (f.outbuf[i] == IAC && f.outbuf[i + 1] == SB) {
                while (!(f.outbuf[i] == IAC && f.outbuf[i + 1] == SE))
                    i++;
                i += 2;
                continue;
            }
            memcpy(cmds + m, f.outbuf + i, 3);
            m += 3;
            i += 3;
        }
        total += f.out.len;
        f.out.len = 0;
        n = naive_reply(cmds, m, msg);
        rounds++;
    }
    assert_true(rounds < 6);
    assert_true(total < 64);
    assert_true(captls_telnet_enabled(&f.t, 1, true));
    assert_true(captls_telnet_enabled(&f.t, 24, false));
    assert_false(captls_telnet_enabled(&f.t, 1, false));
    assert_false(captls_telnet_enabled(&f.t, 3, true)); /* peer said DONT */
}

/* The same loop test against a second copy of our own machine: two Q
 * method engines settle. */
static void test_two_engines_settle(void **state)
{
    (void)state;
    fx a, b;
    int rounds = 0;
    fx_init(&a);
    fx_init(&b);
    open_all(&a);
    open_all(&b);
    while ((a.out.len > 0 || b.out.len > 0) && rounds < 50) {
        uint8_t ta[8192], tb[8192];
        size_t na = a.out.len, nb = b.out.len;
        memcpy(ta, a.outbuf, na);
        memcpy(tb, b.outbuf, nb);
        a.out.len = b.out.len = 0;
        feed(&b, ta, na);
        feed(&a, tb, nb);
        rounds++;
    }
    assert_true(rounds < 5);
    /* both want to echo, neither lets the other: ECHO off both ways */
    assert_false(captls_telnet_enabled(&a.t, 1, true));
    assert_true(captls_telnet_enabled(&a.t, 3, true));
    assert_true(captls_telnet_enabled(&a.t, 3, false));
}

static void test_request_queue(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    /* ask to enable, then to disable while WANTYES: queued (OPPOSITE) */
    assert_true(captls_telnet_request(&f.t, 1, true, true, &f.out));
    EXPECT_OUT(&f, IAC, WILL, 1);
    assert_false(captls_telnet_request(&f.t, 1, true, true, &f.out));
    assert_true(captls_telnet_request(&f.t, 1, true, false, &f.out));
    EXPECT_NO_OUT(&f);
    /* the DO arrives: WANTYES OPPOSITE -> WANTNO, WONT sent */
    FEED(&f, IAC, DO, 1);
    EXPECT_OUT(&f, IAC, WONT, 1);
    assert_false(captls_telnet_enabled(&f.t, 1, true));
    /* re-enable while WANTNO: queued again, then DONT arrives -> WANTYES,
     * WILL sent */
    assert_true(captls_telnet_request(&f.t, 1, true, true, &f.out));
    EXPECT_NO_OUT(&f);
    FEED(&f, IAC, DONT, 1);
    EXPECT_OUT(&f, IAC, WILL, 1);
    FEED(&f, IAC, DO, 1);
    EXPECT_NO_OUT(&f);
    assert_true(captls_telnet_enabled(&f.t, 1, true));
    /* YES -> disable: WONT; a DO in WANTNO is a peer error -> NO */
    assert_true(captls_telnet_request(&f.t, 1, true, false, &f.out));
    EXPECT_OUT(&f, IAC, WONT, 1);
    FEED(&f, IAC, DO, 1);
    EXPECT_NO_OUT(&f);
    assert_int_equal(f.t.stats.q_errors, 1);
    assert_false(captls_telnet_enabled(&f.t, 1, true));
    /* unsupported and wrong-side requests are refused */
    assert_false(captls_telnet_request(&f.t, 0, true, true, &f.out));
    assert_false(captls_telnet_request(&f.t, 24, true, true, &f.out));
    assert_false(captls_telnet_request(&f.t, 1, false, true, &f.out));
    assert_false(captls_telnet_request(&f.t, 1, true, false, &f.out));
    EXPECT_NO_OUT(&f);
}

static void enable_naws_ttype(fx *f)
{
    FEED(f, IAC, WILL, 31, IAC, WILL, 24);
    f->out.len = 0;
}

static void test_naws(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    /* before the option is agreed a NAWS subnegotiation is ignored */
    FEED(&f, IAC, SB, 31, 0, 80, 0, 24, IAC, SE);
    assert_int_equal(f.naws, 0);
    assert_int_equal(f.t.stats.sb_ignored, 1);
    enable_naws_ttype(&f);
    FEED(&f, IAC, SB, 31, 0, 80, 0, 24, IAC, SE);
    assert_int_equal(f.naws, 1);
    assert_int_equal(f.t.cols, 80);
    assert_int_equal(f.t.rows, 24);
    /* 255 bytes are doubled inside the subnegotiation */
    FEED(&f, IAC, SB, 31, 0, IAC, IAC, IAC, IAC, 0x18, IAC, SE);
    assert_int_equal(f.naws, 2);
    assert_int_equal(f.t.cols, 255);
    assert_int_equal(f.t.rows, 0xFF18);
    FEED(&f, IAC, SB, 31, 0xFF, 0xFF, 0xFF, 0xFF, IAC, SE); /* undoubled:
        IAC 0xFF pairs -> 2 bytes only: wrong length */
    assert_int_equal(f.naws, 2);
    FEED(&f, IAC, SB, 31, 0, 0, 0, 0, IAC, SE); /* 0x0: allowed (unknown) */
    assert_int_equal(f.naws, 3);
    assert_int_equal(f.t.cols, 0);
    /* wrong lengths are ignored, state kept */
    FEED(&f, IAC, SB, 31, 0, 80, 0, IAC, SE);
    FEED(&f, IAC, SB, 31, 0, 80, 0, 24, 1, IAC, SE);
    assert_int_equal(f.naws, 3);
    EXPECT_NO_OUT(&f);
    assert_int_equal(f.ndata, 0);
}

static void test_ttype(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    enable_naws_ttype(&f);
    FEED(&f, IAC, SB, 24, 0, 'X', 'T', 'E', 'R', 'M', '-', '2', '5', '6',
         'C', 'O', 'L', 'O', 'R', IAC, SE);
    assert_int_equal(f.ttype, 1);
    assert_string_equal(f.t.ttype, "XTERM-256COLOR");
    /* SEND from the client, empty IS, a control byte, a space: ignored */
    FEED(&f, IAC, SB, 24, 1, IAC, SE);
    FEED(&f, IAC, SB, 24, 0, IAC, SE);
    FEED(&f, IAC, SB, 24, 0, 'V', 'T', 0x1b, IAC, SE);
    FEED(&f, IAC, SB, 24, 0, 'V', ' ', 'T', IAC, SE);
    assert_int_equal(f.ttype, 1);
    assert_string_equal(f.t.ttype, "XTERM-256COLOR");
    /* 40 characters are accepted, 41 are not (RFC 1091) */
    uint8_t m[60];
    size_t n = 0;
    m[n++] = IAC; m[n++] = SB; m[n++] = 24; m[n++] = 0;
    for (int i = 0; i < 40; i++)
        m[n++] = 'A';
    m[n++] = IAC; m[n++] = SE;
    feed(&f, m, n);
    assert_int_equal(f.ttype, 2);
    assert_int_equal(strlen(f.t.ttype), 40);
    m[n - 2] = 'B';
    m[n - 1] = IAC;
    m[n++] = SE;
    feed(&f, m, n);
    assert_int_equal(f.ttype, 2);
    assert_int_equal(f.t.stats.sb_ignored, 5);
}

static void test_sb_oversized_and_aborted(void **state)
{
    (void)state;
    fx f;
    uint8_t m[400];
    size_t n = 0;
    fx_init(&f);
    enable_naws_ttype(&f);
    m[n++] = IAC; m[n++] = SB; m[n++] = 24; m[n++] = 0;
    for (int i = 0; i < 300; i++)
        m[n++] = 'Q';
    m[n++] = IAC; m[n++] = SE;
    m[n++] = 'z';
    feed(&f, m, n);
    assert_int_equal(f.t.stats.sb_oversized, 1);
    assert_int_equal(f.ttype, 0);
    assert_int_equal(f.ndata, 1); /* data after the SB is data again */
    assert_int_equal(f.data[0], 'z');
    /* an SB that never closes: IAC IP inside aborts it, IP is acted on */
    FEED(&f, IAC, SB, 31, 0, 80, IAC, 244, 'a');
    assert_int_equal(f.t.stats.sb_aborted, 1);
    assert_int_equal(f.cmds, 1);
    assert_int_equal(f.last_cmd, 244);
    assert_int_equal(f.ndata, 2);
    assert_int_equal(f.t.cols, 0);
    /* IAC WILL inside SB: aborted, the negotiation happens */
    FEED(&f, IAC, SB, 31, 0, IAC, WILL, 0);
    EXPECT_OUT(&f, IAC, DONT, 0);
    assert_int_equal(f.t.stats.sb_aborted, 2);
    /* SB for an unknown option, with doubled IAC: skipped whole */
    FEED(&f, IAC, SB, 99, 1, IAC, IAC, 2, IAC, SE, 'b');
    assert_int_equal(f.ndata, 3);
    assert_int_equal(f.data[2], 'b');
}

static void test_stray_se_and_commands(void **state)
{
    (void)state;
    fx f;
    fx_init(&f);
    FEED(&f, 'a', IAC, SE, 'b', IAC, 241 /* NOP */, IAC, 242 /* DM */,
         IAC, 249 /* GA */, IAC, 245 /* AO */, IAC, 17 /* undefined */, 'c');
    assert_int_equal(f.t.stats.stray_se, 1);
    assert_int_equal(f.cmds, 0);
    assert_int_equal(f.ndata, 3);
    assert_memory_equal(f.data, "abc", 3);
    static const uint8_t cmds[] = {243, 244, 246, 247, 248};
    for (size_t i = 0; i < sizeof cmds; i++) {
        uint8_t m[2] = {IAC, cmds[i]};
        feed(&f, m, 2);
        assert_int_equal(f.last_cmd, cmds[i]);
    }
    assert_int_equal(f.cmds, 5);
    /* IAC IAC is one data byte 255 */
    FEED(&f, IAC, IAC, 'd', IAC, IAC, IAC, IAC);
    assert_int_equal(f.ndata, 7);
    assert_int_equal(f.data[3], 255);
    assert_int_equal(f.data[4], 'd');
    assert_int_equal(f.data[5], 255);
    assert_int_equal(f.data[6], 255);
    EXPECT_NO_OUT(&f);
}

static void test_reply_dropped_not_overflowed(void **state)
{
    (void)state;
    captls_telnet t;
    uint8_t small[4] = {0};
    captls_telnet_out o = {small, 2, 0};
    captls_telnet_ev ev;
    captls_telnet_init(&t);
    captls_telnet_input(&t, IAC, &o, &ev);
    captls_telnet_input(&t, WILL, &o, &ev);
    captls_telnet_input(&t, 9, &o, &ev);
    assert_int_equal(o.len, 0);
    assert_int_equal(t.stats.out_dropped, 1);
    assert_int_equal(small[2], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_requests),
        cmocka_unit_test(test_client_refuses),
        cmocka_unit_test(test_unsupported_refused),
        cmocka_unit_test(test_storm),
        cmocka_unit_test(test_no_loop_with_naive_peer),
        cmocka_unit_test(test_two_engines_settle),
        cmocka_unit_test(test_request_queue),
        cmocka_unit_test(test_naws),
        cmocka_unit_test(test_ttype),
        cmocka_unit_test(test_sb_oversized_and_aborted),
        cmocka_unit_test(test_stray_se_and_commands),
        cmocka_unit_test(test_reply_dropped_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
