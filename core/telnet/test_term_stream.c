/* Unit tests of core/telnet/terminal.c and term_stream.c: the
 * TerminalSession a shell sees, over a plain memory byte pair and over a
 * byte pair backed by the TLS engine (core/tls/test_tls_pair.h). The same
 * client script and the same scripted shell must give byte-identical
 * server output on both (issue 12 item 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/telnet/term_stream.h"
#include "core/tls/test_tls_pair.h"

#define IAC 255
#define WILL 251
#define WONT 252
#define DO 253
#define DONT 254
#define SB 250
#define SE 240

/* ---- transports ---------------------------------------------------------- */

/* A client talking to the server through some transport. */
typedef struct transport {
    void (*send)(struct transport *t, const uint8_t *p, size_t n);
    void (*client_close)(struct transport *t);
    void (*run)(struct transport *t);         /* move bytes in flight */
    const uint8_t *(*received)(struct transport *t, size_t *n);
    captls_byte_stream_pair pair;             /* the server's side */
} transport;

/* Plain memory pair: client bytes queue up in `in`, server output in
 * `out`. read_chunk limits each read (split tests); write_room limits the
 * bytes accepted per write call (0: unlimited); blocked makes write
 * return WOULD_BLOCK. */
typedef struct mem_pair {
    transport t;
    uint8_t in[8192];
    size_t in_len, in_off;
    size_t read_chunk;
    size_t split_at;          /* a read never crosses this offset (0: off) */
    bool client_closed;
    captls_result read_error; /* returned once input is drained */
    captls_term_close_hint hint;
    uint8_t out[65536];
    size_t out_len;
    size_t write_room;
    bool blocked;
    unsigned closes;
} mem_pair;

static captls_result mp_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    mem_pair *m = ctx;
    size_t k = m->in_len - m->in_off;
    *n = 0;
    if (k == 0) {
        if (m->read_error != CAPTLS_OK)
            return m->read_error;
        return m->client_closed ? CAPTLS_EOF : CAPTLS_WOULD_BLOCK;
    }
    if (k > cap)
        k = cap;
    if (m->read_chunk && k > m->read_chunk)
        k = m->read_chunk;
    if (m->split_at > m->in_off && m->in_off + k > m->split_at)
        k = m->split_at - m->in_off;
    memcpy(buf, m->in + m->in_off, k);
    m->in_off += k;
    *n = k;
    return CAPTLS_OK;
}

static captls_result mp_write(void *ctx, const uint8_t *buf, size_t len, size_t *n)
{
    mem_pair *m = ctx;
    *n = 0;
    if (m->blocked)
        return CAPTLS_WOULD_BLOCK;
    if (m->write_room && len > m->write_room)
        len = m->write_room;
    assert_true(m->out_len + len <= sizeof m->out);
    assert_int_equal(m->closes, 0); /* nothing after close */
    memcpy(m->out + m->out_len, buf, len);
    m->out_len += len;
    *n = len;
    return CAPTLS_OK;
}

static void mp_close(void *ctx)
{
    ((mem_pair *)ctx)->closes++;
}

static captls_term_close_hint mp_hint(void *ctx)
{
    return ((mem_pair *)ctx)->hint;
}

static const captls_byte_stream_pair_vtable mp_vt = {mp_read, mp_write, mp_close, mp_hint};

static void mpt_send(transport *t, const uint8_t *p, size_t n)
{
    mem_pair *m = (mem_pair *)t;
    assert_true(m->in_len + n <= sizeof m->in);
    memcpy(m->in + m->in_len, p, n);
    m->in_len += n;
}
static void mpt_close(transport *t) { ((mem_pair *)t)->client_closed = true; }
static void mpt_run(transport *t) { (void)t; }
static const uint8_t *mpt_received(transport *t, size_t *n)
{
    mem_pair *m = (mem_pair *)t;
    *n = m->out_len;
    return m->out;
}

static void mem_pair_init(mem_pair *m)
{
    memset(m, 0, sizeof *m);
    m->t.send = mpt_send;
    m->t.client_close = mpt_close;
    m->t.run = mpt_run;
    m->t.received = mpt_received;
    m->t.pair.ctx = m;
    m->t.pair.vt = &mp_vt;
}

/* TLS pair: a captls client and server engine back to back; the server's
 * application data is the byte pair. */
typedef struct tls_pair {
    transport t;
    tp_world w;
    tp_pair p;
    size_t rd; /* server bytes of p.s.got already read */
    unsigned closes;
} tls_pair;

static captls_result tl_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    tls_pair *x = ctx;
    size_t k = x->p.s.got_len - x->rd;
    *n = 0;
    if (k == 0)
        return captls_tls_peer_closed(&x->p.s.conn) ? CAPTLS_EOF : CAPTLS_WOULD_BLOCK;
    if (k > cap)
        k = cap;
    memcpy(buf, x->p.s.got + x->rd, k);
    x->rd += k;
    *n = k;
    return CAPTLS_OK;
}

static captls_result tl_write(void *ctx, const uint8_t *buf, size_t len, size_t *n)
{
    tls_pair *x = ctx;
    *n = tp_write(&x->p.s, buf, len);
    tp_run(&x->p); /* records leave at once, as a socket would take them */
    return *n > 0 || len == 0 ? CAPTLS_OK : CAPTLS_WOULD_BLOCK;
}

static void tl_close(void *ctx)
{
    tls_pair *x = ctx;
    x->closes++;
    captls_tls_close(&x->p.s.conn); /* close_notify */
    tp_run(&x->p);
}

static captls_term_close_hint tl_hint(void *ctx)
{
    tls_pair *x = ctx;
    return captls_tls_peer_closed(&x->p.s.conn) ? CAPTLS_TERM_CLOSE_ORDERLY
                                                : CAPTLS_TERM_CLOSE_NONE;
}

static const captls_byte_stream_pair_vtable tl_vt = {tl_read, tl_write, tl_close, tl_hint};

static void tlt_send(transport *t, const uint8_t *p, size_t n)
{
    tls_pair *x = (tls_pair *)t;
    assert_int_equal(tp_write(&x->p.c, p, n), n);
    tp_run(&x->p);
}
static void tlt_close(transport *t)
{
    tls_pair *x = (tls_pair *)t;
    captls_tls_close(&x->p.c.conn);
    tp_run(&x->p);
}
static void tlt_run(transport *t) { tp_run(&((tls_pair *)t)->p); }
static const uint8_t *tlt_received(transport *t, size_t *n)
{
    tls_pair *x = (tls_pair *)t;
    *n = x->p.c.got_len;
    return x->p.c.got;
}

static tls_pair *tls_pair_new(void)
{
    tls_pair *x = calloc(1, sizeof *x);
    assert_non_null(x);
    tp_world_init(&x->w);
    assert_int_equal(tp_start(&x->p, &x->w, "www.alpha.test", NULL), CAPTLS_OK);
    assert_true(captls_tls_state(&x->p.c.conn) & CAPTLS_TLS_SENDAPP);
    x->t.send = tlt_send;
    x->t.client_close = tlt_close;
    x->t.run = tlt_run;
    x->t.received = tlt_received;
    x->t.pair.ctx = x;
    x->t.pair.vt = &tl_vt;
    return x;
}

/* ---- a scripted shell ---------------------------------------------------- */

typedef struct shell {
    captls_term_session term;
    enum { SH_LOGIN, SH_PASS, SH_CMD, SH_DONE } st;
    char user[32];
    char log[8192]; /* what the shell saw, for comparison */
    size_t log_len;
    bool closed;
    captls_term_close_hint hint;
} shell;

static void sh_log(shell *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->log + s->log_len, sizeof s->log - s->log_len, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof s->log - s->log_len);
    s->log_len += (size_t)n;
}

static void sh_say(shell *s, const char *text)
{
    size_t done = 0, n = strlen(text);
    while (done < n) {
        size_t c = 0;
        assert_int_equal(s->term.vt->write(s->term.self, (const uint8_t *)text + done,
                                           n - done, &c), CAPTLS_OK);
        assert_true(c > 0);
        done += c;
    }
}

/* Handles every event that is ready. */
static void sh_run(shell *s)
{
    captls_term_event ev;
    char buf[1200];
    while (!s->closed && s->term.vt->next_event(s->term.self, &ev) == CAPTLS_OK) {
        switch (ev.kind) {
        case CAPTLS_TERM_EV_OPEN:
            sh_log(s, "open\n");
            sh_say(s, "login: ");
            break;
        case CAPTLS_TERM_EV_LINE:
            memcpy(buf, ev.line, ev.len);
            buf[ev.len] = 0;
            if (s->st == SH_LOGIN) {
                sh_log(s, "user[%s]\n", buf);
                memcpy(s->user, buf, ev.len < sizeof s->user ? ev.len : sizeof s->user - 1);
                s->user[ev.len < sizeof s->user ? ev.len : sizeof s->user - 1] = 0;
                sh_say(s, "Password: ");
                s->term.vt->set_echo(s->term.self, CAPTLS_TERM_ECHO_HIDDEN);
                s->st = SH_PASS;
            } else if (s->st == SH_PASS) {
                s->term.vt->set_echo(s->term.self, CAPTLS_TERM_ECHO_NORMAL);
                sh_log(s, "password %s\n",
                       strcmp(buf, "secret") == 0 ? "good" : "bad");
                if (strcmp(buf, "secret") == 0) {
                    sh_say(s, "Welcome ");
                    sh_say(s, s->user);
                    sh_say(s, "\n$ ");
                    s->st = SH_CMD;
                } else {
                    sh_say(s, "Login incorrect\nlogin: ");
                    s->st = SH_LOGIN;
                }
            } else if (strcmp(buf, "exit") == 0) {
                sh_log(s, "exit\n");
                sh_say(s, "bye\n");
                s->term.vt->close(s->term.self);
                s->st = SH_DONE;
            } else {
                sh_log(s, "line[%zu]\n", ev.len);
                sh_say(s, "you said: ");
                sh_say(s, buf);
                sh_say(s, "\n\r$ "); /* a bare \r: goes out as \r\0 */
            }
            break;
        case CAPTLS_TERM_EV_INTERRUPT:
            sh_log(s, "interrupt\n");
            sh_say(s, "$ ");
            break;
        case CAPTLS_TERM_EV_EOF:
            sh_log(s, "eof\n");
            sh_say(s, "logout\n");
            s->term.vt->close(s->term.self);
            break;
        case CAPTLS_TERM_EV_RESIZE:
            snprintf(buf, sizeof buf, "[%ux%u]\n", ev.cols, ev.rows);
            sh_log(s, "resize %s", buf);
            break;
        case CAPTLS_TERM_EV_CLOSE:
            sh_log(s, "close %d\n", (int)ev.hint);
            s->closed = true;
            s->hint = ev.hint;
            break;
        }
    }
}

/* The client's side of a login session: negotiation replies, NAWS, TTYPE,
 * a user name ending in CR NUL, a password with a DEL, commands, an
 * interrupt, a resize, a 255 data byte, exit. */
static const uint8_t script_nego[] = {
    IAC, DO, 1, IAC, DO, 3, IAC, WILL, 3, IAC, WILL, 24, IAC, WILL, 31,
    IAC, SB, 31, 0, 80, 0, 24, IAC, SE,
    IAC, SB, 24, 0, 'X', 'T', 'E', 'R', 'M', IAC, SE,
};
typedef struct piece {
    const char *s;
    size_t n;
} piece;
#define PIECE(lit) {lit, sizeof(lit) - 1}
static const piece script_pieces[] = {
    PIECE("alice\r"),                  /* CR ... */
    PIECE("\0" "sec\x7f" "cret\r\n"),  /* ... NUL arrives with the password */
    PIECE("hello world\r\n"),
    PIECE("oops\x03"),
    PIECE("\xff\xff" "b\r\n"),         /* data 255 */
    PIECE("ab\x08\x08xy\r\0"),
    PIECE("exit\r\n"),
};
static const uint8_t script_resize[] = {IAC, SB, 31, 0, 132, 0, 50, IAC, SE};

static captls_term_stream *wrap(transport *t, shell *s)
{
    static captls_term_stream mem[2];
    static int which;
    captls_term_stream *ts = &mem[which++ & 1];
    captls_term_line_options o;
    captls_term_line_options_default(&o);
    memset(s, 0, sizeof *s);
    assert_int_equal(captls_term_from_byte_stream_wrap(ts, t->pair, &o, &s->term),
                     CAPTLS_OK);
    t->run(t);
    sh_run(s);
    t->run(t);
    return ts;
}

static void play_script(transport *t, shell *s)
{
    (void)wrap(t, s);
    t->send(t, script_nego, sizeof script_nego);
    sh_run(s);
    for (size_t i = 0; i < 7; i++) {
        t->send(t, (const uint8_t *)script_pieces[i].s, script_pieces[i].n);
        sh_run(s);
        if (i == 3) {
            t->send(t, script_resize, sizeof script_resize);
            sh_run(s);
        }
    }
    t->run(t);
    sh_run(s);
}

static const char expected_log[] =
    "open\nresize [80x24]\nuser[alice]\npassword good\nline[11]\n"
    "interrupt\nresize [132x50]\nline[2]\nline[2]\nexit\nclose 4\n";

static const uint8_t expected_out[] =
    /* opening negotiation, SB TTYPE SEND after WILL TTYPE */
    "\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18\xff\xfd\x1f"
    "login: "
    "\xff\xfd\x03"                /* DO SGA: the client offered WILL SGA */
    "\xff\xfa\x18\x01\xff\xf0"
    /* echo of the user name, Enter, prompt; password hidden */
    "alice\r\nPassword: \r\nWelcome alice\r\n$ "
    "hello world\r\nyou said: hello world\r\n\r\0$ "
    "oops^C\r\n$ "
    "\xff\xff" "b\r\nyou said: \xff\xff" "b\r\n\r\0$ "
    "ab\b \b\b \bxy\r\nyou said: xy\r\n\r\0$ "
    "exit\r\nbye\r\n";

static void test_plain_transcript(void **state)
{
    (void)state;
    static mem_pair m;
    static shell s;
    size_t n;
    mem_pair_init(&m);
    play_script(&m.t, &s);
    const uint8_t *out = m.t.received(&m.t, &n);
    assert_int_equal(n, sizeof expected_out - 1);
    assert_memory_equal(out, expected_out, n);
    s.log[s.log_len] = 0;
    assert_string_equal(s.log, expected_log);
    assert_int_equal(m.closes, 1);
    assert_int_equal(s.hint, CAPTLS_TERM_CLOSE_LOCAL);
    /* no byte of the password was echoed */
    for (size_t i = 0; i + 3 <= n; i++)
        assert_false(memcmp(out + i, "sec", 3) == 0);
}

static void test_tls_transcript_identical(void **state)
{
    (void)state;
    static mem_pair m;
    static shell sp, st;
    size_t np, nt;
    tls_pair *x = tls_pair_new();

    mem_pair_init(&m);
    play_script(&m.t, &sp);
    play_script(&x->t, &st);
    const uint8_t *op = m.t.received(&m.t, &np);
    const uint8_t *ot = x->t.received(&x->t, &nt);
    assert_int_equal(np, nt);
    assert_memory_equal(op, ot, np);
    assert_int_equal(sp.log_len, st.log_len);
    assert_memory_equal(sp.log, st.log, sp.log_len);
    /* the shell's exit closed the TLS layer: close_notify reached the
     * client */
    assert_int_equal(x->closes, 1);
    assert_true(captls_tls_peer_closed(&x->p.c.conn));
    assert_int_equal(captls_tls_error(&x->p.s.conn), CAPTLS_OK);
    captls_tls_conn_wipe(&x->p.c.conn);
    captls_tls_conn_wipe(&x->p.s.conn);
    free(x);
}

/* Peer close: the client's close reaches the shell as one CLOSE event,
 * plain FIN and TLS close_notify alike, with identical output. */
static void test_peer_close_identical(void **state)
{
    (void)state;
    static mem_pair m;
    static shell sp, st;
    size_t np, nt;
    tls_pair *x = tls_pair_new();
    transport *ts[2] = {&m.t, &x->t};
    shell *ss[2] = {&sp, &st};

    mem_pair_init(&m);
    for (int i = 0; i < 2; i++) {
        (void)wrap(ts[i], ss[i]);
        ts[i]->send(ts[i], script_nego, sizeof script_nego);
        ts[i]->send(ts[i], (const uint8_t *)"bob\r\nhalf", 9);
        sh_run(ss[i]);
        ts[i]->client_close(ts[i]);
        sh_run(ss[i]);
        assert_true(ss[i]->closed);
        assert_int_equal(ss[i]->hint, CAPTLS_TERM_CLOSE_ORDERLY);
    }
    const uint8_t *op = m.t.received(&m.t, &np);
    const uint8_t *ot = x->t.received(&x->t, &nt);
    assert_int_equal(np, nt);
    assert_memory_equal(op, ot, np);
    assert_int_equal(sp.log_len, st.log_len);
    assert_memory_equal(sp.log, st.log, sp.log_len);
    sp.log[sp.log_len] = 0;
    assert_string_equal(sp.log, "open\nresize [80x24]\nuser[bob]\nclose 1\n");
    /* the shell's close after CLOSE is harmless; writes are refused */
    size_t c;
    assert_int_equal(captls_term_next_event(&((captls_term_stream *)sp.term.self)->term,
                                            &(captls_term_event){0}), CAPTLS_EOF);
    sp.term.vt->close(sp.term.self);
    assert_int_equal(sp.term.vt->write(sp.term.self, (const uint8_t *)"x", 1, &c), CAPTLS_EOF);
    captls_tls_conn_wipe(&x->p.c.conn);
    captls_tls_conn_wipe(&x->p.s.conn);
    free(x);
}

/* Every split of the client's bytes into two reads, and reads of every
 * size from 1 to 16, give the same output and the same shell log as one
 * read (subnegotiations, CR NUL, IAC IAC cut at every byte). */
static void test_every_split(void **state)
{
    (void)state;
    static mem_pair ref, m;
    static shell sref, s;
    uint8_t all[512];
    size_t n = 0;

    memcpy(all, script_nego, sizeof script_nego);
    n += sizeof script_nego;
    for (size_t i = 0; i < 7; i++) {
        memcpy(all + n, script_pieces[i].s, script_pieces[i].n);
        n += script_pieces[i].n;
        if (i == 3) {
            memcpy(all + n, script_resize, sizeof script_resize);
            n += sizeof script_resize;
        }
    }
    mem_pair_init(&ref);
    (void)wrap(&ref.t, &sref);
    ref.t.send(&ref.t, all, n);
    sh_run(&sref);
    assert_true(sref.closed);

    for (size_t cut = 1; cut < n + 16; cut++) {
        mem_pair_init(&m);
        if (cut < n)
            m.split_at = cut;
        else
            m.read_chunk = cut - n + 1;
        (void)wrap(&m.t, &s);
        m.t.send(&m.t, all, n);
        for (int k = 0; k < 2000 && !s.closed; k++)
            sh_run(&s);
        assert_true(s.closed);
        assert_int_equal(m.out_len, ref.out_len);
        assert_memory_equal(m.out, ref.out, m.out_len);
        assert_int_equal(s.log_len, sref.log_len);
        assert_memory_equal(s.log, sref.log, s.log_len);
    }
}

/* A peer that floods WILL for an unsupported option and never reads: the
 * engine stops reading when its output is full; nothing is lost when the
 * peer finally reads. */
static void test_backpressure(void **state)
{
    (void)state;
    static mem_pair m;
    static shell s;
    captls_term_stream *ts;
    mem_pair_init(&m);
    ts = wrap(&m.t, &s);
    m.blocked = true;
    for (int i = 0; i < 2000; i++)
        m.t.send(&m.t, (const uint8_t[]){IAC, WILL, 99}, 3);
    sh_run(&s);
    /* consumed only what fits the output buffer */
    assert_true(m.in_off < m.in_len);
    assert_true(ts->term.out_len <= CAPTLS_TERM_OUT_SIZE);
    m.blocked = false;
    for (int k = 0; k < 100 && m.in_off < m.in_len; k++)
        assert_int_equal(captls_term_stream_pump(ts), CAPTLS_OK);
    /* every refusal arrived, in order, after the opening */
    size_t open = 12 + 7; /* negotiation + "login: " */
    assert_int_equal(m.out_len, open + 2000 * 3);
    for (int i = 0; i < 2000; i++)
        assert_memory_equal(m.out + open + 3 * i, ((uint8_t[]){IAC, DONT, 99}), 3);
    /* partial writes: one byte per write call, same result */
    static mem_pair m2;
    static shell s2;
    mem_pair_init(&m2);
    m2.write_room = 1;
    play_script(&m2.t, &s2);
    assert_int_equal(m2.out_len, sizeof expected_out - 1);
    assert_memory_equal(m2.out, expected_out, m2.out_len);
}

static void test_transport_errors(void **state)
{
    (void)state;
    static mem_pair m;
    static shell s;
    captls_term_stream *ts;
    /* a reset: CLOSE with hint RESET, the error is kept */
    mem_pair_init(&m);
    ts = wrap(&m.t, &s);
    m.t.send(&m.t, (const uint8_t *)"x\n", 2);
    m.read_error = CAPTLS_ERR_CONN_RESET;
    sh_run(&s);
    assert_true(s.closed);
    assert_int_equal(s.hint, CAPTLS_TERM_CLOSE_RESET);
    assert_int_equal(captls_term_stream_error(ts), CAPTLS_ERR_CONN_RESET);
    s.log[s.log_len] = 0;
    assert_string_equal(s.log, "open\nuser[x]\nclose 2\n");
    /* EOF with a transport hint */
    mem_pair_init(&m);
    ts = wrap(&m.t, &s);
    m.client_closed = true;
    m.hint = CAPTLS_TERM_CLOSE_RESET;
    sh_run(&s);
    assert_int_equal(s.hint, CAPTLS_TERM_CLOSE_RESET);
    /* Ctrl-D at the prompt: EOF event, the shell closes, the pair is
     * closed once after the output */
    mem_pair_init(&m);
    ts = wrap(&m.t, &s);
    m.t.send(&m.t, (const uint8_t *)"\x04", 1);
    sh_run(&s);
    assert_int_equal(m.closes, 1);
    s.log[s.log_len] = 0;
    assert_string_equal(s.log, "open\neof\nclose 4\n");
    assert_int_equal(captls_term_stream_pump(ts), CAPTLS_EOF);
    /* wrap refuses incomplete pairs */
    captls_byte_stream_pair bad = {&m, NULL};
    captls_term_line_options o;
    captls_term_session term;
    captls_term_line_options_default(&o);
    assert_int_equal(captls_term_from_byte_stream_wrap(ts, bad, &o, &term),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    captls_term_stream_wipe(ts);
}

/* Without server echo (TerminalLineOptions) nothing is echoed, and hidden
 * mode reports that it cannot hide what the client shows. */
static void test_options_no_echo(void **state)
{
    (void)state;
    static mem_pair m;
    static captls_term_stream ts;
    captls_term_session term;
    captls_term_line_options o;
    captls_term_event ev;
    captls_term_info info;

    captls_term_line_options_default(&o);
    o.server_echo = false;
    o.request_naws = false;
    o.request_ttype = false;
    o.max_line = 4;
    mem_pair_init(&m);
    assert_int_equal(captls_term_from_byte_stream_wrap(&ts, m.t.pair, &o, &term), CAPTLS_OK);
    assert_int_equal(m.out_len, 3);
    assert_memory_equal(m.out, ((uint8_t[]){IAC, WILL, 3}), 3);
    assert_int_equal(term.vt->next_event(term.self, &ev), CAPTLS_OK);
    assert_int_equal(ev.kind, CAPTLS_TERM_EV_OPEN);
    m.t.send(&m.t, (const uint8_t[]){IAC, DO, 1, 'a', 'b', 'c', 'd', 'e', '\r', '\n'}, 10);
    assert_int_equal(term.vt->next_event(term.self, &ev), CAPTLS_OK);
    assert_int_equal(ev.kind, CAPTLS_TERM_EV_LINE);
    assert_int_equal(ev.len, 4);
    assert_memory_equal(ev.line, "abcd", 4);
    /* DO ECHO we did not offer: refused with WONT, no echo */
    assert_int_equal(m.out_len, 6);
    assert_memory_equal(m.out + 3, ((uint8_t[]){IAC, WONT, 1}), 3);
    term.vt->info(term.self, &info);
    assert_false(info.echo_negotiated);
    assert_int_equal(info.line_dropped, 1);
    assert_int_equal(term.vt->next_event(term.self, &ev), CAPTLS_WOULD_BLOCK);
    /* the line handed out was wiped by the next call */
    assert_int_equal(ts.term.ln.buf[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_transcript),
        cmocka_unit_test(test_tls_transcript_identical),
        cmocka_unit_test(test_peer_close_identical),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_backpressure),
        cmocka_unit_test(test_transport_errors),
        cmocka_unit_test(test_options_no_echo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
