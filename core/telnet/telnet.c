/* core/telnet/telnet.c — IAC parser and RFC 1143 Q-method negotiation.
 * See telnet.h for the contract. */
#include "core/telnet/telnet.h"

#include <string.h>

enum {
    ST_DATA = 0,
    ST_IAC,     /* IAC seen in data */
    ST_OPT,     /* WILL/WONT/DO/DONT seen, option byte next */
    ST_SB_OPT,  /* IAC SB seen, option byte next */
    ST_SB,      /* inside a subnegotiation */
    ST_SB_IAC,  /* IAC seen inside a subnegotiation */
};

enum { Q_EMPTY = 0, Q_OPPOSITE = 1 };

void captls_telnet_init(captls_telnet *t)
{
    memset(t, 0, sizeof *t);
    t->us_allowed = (1u << CAPTLS_TELNET_IX_ECHO) | (1u << CAPTLS_TELNET_IX_SGA);
    t->him_allowed = (1u << CAPTLS_TELNET_IX_SGA) | (1u << CAPTLS_TELNET_IX_TTYPE) |
                     (1u << CAPTLS_TELNET_IX_NAWS);
}

static void emit(captls_telnet *t, captls_telnet_out *out, const uint8_t *p,
                 size_t n)
{
    if (out == NULL || out->buf == NULL || out->len > out->cap ||
        out->cap - out->len < n) {
        t->stats.out_dropped++;
        return;
    }
    memcpy(out->buf + out->len, p, n);
    out->len += n;
}

static void send_cmd(captls_telnet *t, captls_telnet_out *out, uint8_t cmd,
                     uint8_t opt)
{
    uint8_t m[3] = {CAPTLS_TELNET_IAC, cmd, opt};
    emit(t, out, m, 3);
}

static int opt_index(uint8_t opt)
{
    switch (opt) {
    case CAPTLS_TELNET_OPT_ECHO: return CAPTLS_TELNET_IX_ECHO;
    case CAPTLS_TELNET_OPT_SGA: return CAPTLS_TELNET_IX_SGA;
    case CAPTLS_TELNET_OPT_TTYPE: return CAPTLS_TELNET_IX_TTYPE;
    case CAPTLS_TELNET_OPT_NAWS: return CAPTLS_TELNET_IX_NAWS;
    default: return -1;
    }
}

/* Policy: which side of which option we agree to enable. The server
 * echoes (RFC 857: the peer echoing our output back would be a loop of
 * text) and suppresses go-ahead both ways; the client may tell us its
 * terminal type and window size but we never send ours. */
static bool us_ok(const captls_telnet *t, int ix)
{
    return (t->us_allowed >> ix) & 1u;
}

static bool him_ok(const captls_telnet *t, int ix)
{
    return (t->him_allowed >> ix) & 1u;
}

/* Called whenever the peer's side of an option has just become YES. */
static void him_enabled(captls_telnet *t, int ix, captls_telnet_out *out)
{
    if (ix == CAPTLS_TELNET_IX_TTYPE) {
        /* RFC 1091: the server asks with IAC SB TERMINAL-TYPE SEND IAC SE
         * once the client has agreed (WILL) to the option. */
        static const uint8_t send[6] = {
            CAPTLS_TELNET_IAC, CAPTLS_TELNET_SB, CAPTLS_TELNET_OPT_TTYPE,
            CAPTLS_TELNET_TTYPE_SEND, CAPTLS_TELNET_IAC, CAPTLS_TELNET_SE};
        emit(t, out, send, sizeof send);
    }
}

/* RFC 1143 §7, "Upon receipt of WILL" / "WONT" (his side) and the mirror
 * "DO" / "DONT" (our side). `yes` = WILL or DO received. Returns true if
 * the state of our ECHO option changed (the line discipline cares). */
static bool negotiate(captls_telnet *t, uint8_t cmd, uint8_t opt,
                      captls_telnet_out *out)
{
    bool ours = (cmd == CAPTLS_TELNET_DO || cmd == CAPTLS_TELNET_DONT);
    bool yes = (cmd == CAPTLS_TELNET_WILL || cmd == CAPTLS_TELNET_DO);
    uint8_t pos = ours ? CAPTLS_TELNET_WILL : CAPTLS_TELNET_DO;
    uint8_t neg = ours ? CAPTLS_TELNET_WONT : CAPTLS_TELNET_DONT;
    int ix = opt_index(opt);
    uint8_t *st, *q, before;

    if (ix < 0) {
        /* Unsupported: the state is NO forever. RFC 1143: WILL in NO, not
         * agreed -> DONT; WONT in NO -> ignore (and likewise DO/DONT). */
        if (yes) {
            t->stats.refused++;
            send_cmd(t, out, neg, opt);
        }
        return false;
    }
    st = ours ? &t->opts[ix].us : &t->opts[ix].him;
    q = ours ? &t->opts[ix].usq : &t->opts[ix].himq;
    before = *st;
    if (yes) {
        switch (*st) {
        case CAPTLS_TELNET_Q_NO:
            if (ours ? us_ok(t, ix) : him_ok(t, ix)) {
                *st = CAPTLS_TELNET_Q_YES;
                send_cmd(t, out, pos, opt);
                if (!ours)
                    him_enabled(t, ix, out);
            } else {
                t->stats.refused++;
                send_cmd(t, out, neg, opt);
            }
            break;
        case CAPTLS_TELNET_Q_YES:
            break; /* already enabled: ignore (RFC 854: no acknowledgement) */
        case CAPTLS_TELNET_Q_WANTNO:
            /* "Error: DONT answered by WILL." */
            t->stats.q_errors++;
            if (*q == Q_EMPTY) {
                *st = CAPTLS_TELNET_Q_NO;
            } else {
                *st = CAPTLS_TELNET_Q_YES;
                *q = Q_EMPTY;
                if (!ours)
                    him_enabled(t, ix, out);
            }
            break;
        case CAPTLS_TELNET_Q_WANTYES:
            if (*q == Q_EMPTY) {
                *st = CAPTLS_TELNET_Q_YES;
                if (!ours)
                    him_enabled(t, ix, out);
            } else {
                *st = CAPTLS_TELNET_Q_WANTNO;
                *q = Q_EMPTY;
                send_cmd(t, out, neg, opt);
            }
            break;
        default:
            break;
        }
    } else {
        switch (*st) {
        case CAPTLS_TELNET_Q_NO:
            break;
        case CAPTLS_TELNET_Q_YES:
            *st = CAPTLS_TELNET_Q_NO;
            send_cmd(t, out, neg, opt);
            break;
        case CAPTLS_TELNET_Q_WANTNO:
            if (*q == Q_EMPTY) {
                *st = CAPTLS_TELNET_Q_NO;
            } else {
                *st = CAPTLS_TELNET_Q_WANTYES;
                *q = Q_EMPTY;
                send_cmd(t, out, pos, opt);
            }
            break;
        case CAPTLS_TELNET_Q_WANTYES:
            *st = CAPTLS_TELNET_Q_NO;
            *q = Q_EMPTY;
            break;
        default:
            break;
        }
    }
    return ours && ix == CAPTLS_TELNET_IX_ECHO &&
           (before == CAPTLS_TELNET_Q_YES) != (*st == CAPTLS_TELNET_Q_YES);
}

bool captls_telnet_request(captls_telnet *t, uint8_t opt, bool our_side,
                           bool enable, captls_telnet_out *out)
{
    int ix = opt_index(opt);
    uint8_t *st, *q;
    uint8_t pos = our_side ? CAPTLS_TELNET_WILL : CAPTLS_TELNET_DO;
    uint8_t neg = our_side ? CAPTLS_TELNET_WONT : CAPTLS_TELNET_DONT;

    if (ix < 0)
        return false;
    if (enable && !(our_side ? us_ok(t, ix) : him_ok(t, ix)))
        return false;
    st = our_side ? &t->opts[ix].us : &t->opts[ix].him;
    q = our_side ? &t->opts[ix].usq : &t->opts[ix].himq;
    /* RFC 1143 §7, "If we decide to ask him to enable" / "disable". */
    switch (*st) {
    case CAPTLS_TELNET_Q_NO:
        if (!enable)
            return false; /* already disabled */
        *st = CAPTLS_TELNET_Q_WANTYES;
        send_cmd(t, out, pos, opt);
        return true;
    case CAPTLS_TELNET_Q_YES:
        if (enable)
            return false; /* already enabled */
        *st = CAPTLS_TELNET_Q_WANTNO;
        send_cmd(t, out, neg, opt);
        return true;
    case CAPTLS_TELNET_Q_WANTNO:
        if (enable && *q == Q_EMPTY) {
            *q = Q_OPPOSITE;
            return true;
        }
        if (!enable && *q == Q_OPPOSITE) {
            *q = Q_EMPTY;
            return true;
        }
        return false; /* already negotiating / already queued */
    case CAPTLS_TELNET_Q_WANTYES:
        if (!enable && *q == Q_EMPTY) {
            *q = Q_OPPOSITE;
            return true;
        }
        if (enable && *q == Q_OPPOSITE) {
            *q = Q_EMPTY;
            return true;
        }
        return false;
    default:
        return false;
    }
}

bool captls_telnet_enabled(const captls_telnet *t, uint8_t opt, bool our_side)
{
    int ix = opt_index(opt);
    if (ix < 0)
        return false;
    return (our_side ? t->opts[ix].us : t->opts[ix].him) == CAPTLS_TELNET_Q_YES;
}

void captls_telnet_open(captls_telnet *t, const captls_telnet_open_options *o,
                        captls_telnet_out *out)
{
    if (!o->will_echo)
        t->us_allowed &= (uint8_t)~(1u << CAPTLS_TELNET_IX_ECHO);
    if (!o->will_sga)
        t->us_allowed &= (uint8_t)~(1u << CAPTLS_TELNET_IX_SGA);
    if (!o->do_ttype)
        t->him_allowed &= (uint8_t)~(1u << CAPTLS_TELNET_IX_TTYPE);
    if (!o->do_naws)
        t->him_allowed &= (uint8_t)~(1u << CAPTLS_TELNET_IX_NAWS);
    if (o->will_echo)
        (void)captls_telnet_request(t, CAPTLS_TELNET_OPT_ECHO, true, true, out);
    if (o->will_sga)
        (void)captls_telnet_request(t, CAPTLS_TELNET_OPT_SGA, true, true, out);
    if (o->do_ttype)
        (void)captls_telnet_request(t, CAPTLS_TELNET_OPT_TTYPE, false, true, out);
    if (o->do_naws)
        (void)captls_telnet_request(t, CAPTLS_TELNET_OPT_NAWS, false, true, out);
}

/* A complete subnegotiation (IAC SE seen). */
static captls_telnet_ev_kind sb_done(captls_telnet *t)
{
    int ix = opt_index(t->sb_opt);

    if (t->sb_overflow) {
        t->stats.sb_oversized++;
        return CAPTLS_TELNET_EV_NONE;
    }
    /* RFC 855: subnegotiation only for an option both sides agreed on. */
    if (ix < 0 || t->opts[ix].him != CAPTLS_TELNET_Q_YES) {
        t->stats.sb_ignored++;
        return CAPTLS_TELNET_EV_NONE;
    }
    if (ix == CAPTLS_TELNET_IX_NAWS) {
        /* RFC 1073: IAC SB NAWS <16-bit width> <16-bit height> IAC SE,
         * network byte order (0xFF bytes doubled on the wire, undone by
         * the parser). */
        if (t->sb_len != 4) {
            t->stats.sb_ignored++;
            return CAPTLS_TELNET_EV_NONE;
        }
        t->cols = (uint16_t)((t->sb[0] << 8) | t->sb[1]);
        t->rows = (uint16_t)((t->sb[2] << 8) | t->sb[3]);
        return CAPTLS_TELNET_EV_NAWS;
    }
    if (ix == CAPTLS_TELNET_IX_TTYPE) {
        /* RFC 1091: IAC SB TERMINAL-TYPE IS <name> IAC SE; names are at
         * most 40 characters of printable ASCII. Anything else is
         * ignored rather than stored. */
        size_t n = (size_t)t->sb_len - 1;
        if (t->sb_len < 2 || t->sb[0] != CAPTLS_TELNET_TTYPE_IS ||
            n > CAPTLS_TELNET_TTYPE_MAX) {
            t->stats.sb_ignored++;
            return CAPTLS_TELNET_EV_NONE;
        }
        for (size_t i = 0; i < n; i++) {
            uint8_t c = t->sb[1 + i];
            if (c < 0x21 || c > 0x7E) {
                t->stats.sb_ignored++;
                return CAPTLS_TELNET_EV_NONE;
            }
        }
        memcpy(t->ttype, t->sb + 1, n);
        t->ttype[n] = '\0';
        return CAPTLS_TELNET_EV_TTYPE;
    }
    t->stats.sb_ignored++;
    return CAPTLS_TELNET_EV_NONE;
}

static void sb_byte(captls_telnet *t, uint8_t b)
{
    if (t->sb_len < CAPTLS_TELNET_SB_MAX)
        t->sb[t->sb_len++] = b;
    else
        t->sb_overflow = true;
}

/* A two-byte command IAC <b> (not WILL..DONT, SB, IAC). */
static void command(captls_telnet *t, uint8_t b, captls_telnet_ev *ev)
{
    switch (b) {
    case CAPTLS_TELNET_IP:
    case CAPTLS_TELNET_EC:
    case CAPTLS_TELNET_EL:
    case CAPTLS_TELNET_AYT:
    case CAPTLS_TELNET_BRK:
        ev->kind = CAPTLS_TELNET_EV_CMD;
        ev->byte = b;
        break;
    case CAPTLS_TELNET_SE:
        t->stats.stray_se++; /* SE without SB: ignored */
        break;
    default:
        /* NOP, DM, AO, GA and undefined codes: nothing to do (we
         * suppress go-ahead ourselves and keep no output to abort). */
        break;
    }
}

void captls_telnet_input(captls_telnet *t, uint8_t b, captls_telnet_out *out,
                         captls_telnet_ev *ev)
{
    ev->kind = CAPTLS_TELNET_EV_NONE;
    ev->byte = 0;
    switch (t->state) {
    case ST_DATA:
        if (b == CAPTLS_TELNET_IAC) {
            t->state = ST_IAC;
        } else {
            ev->kind = CAPTLS_TELNET_EV_DATA;
            ev->byte = b;
        }
        break;
    case ST_IAC:
        t->state = ST_DATA;
        if (b == CAPTLS_TELNET_IAC) {
            /* RFC 854: IAC IAC is one data byte 255. */
            ev->kind = CAPTLS_TELNET_EV_DATA;
            ev->byte = b;
        } else if (b >= CAPTLS_TELNET_WILL) {
            t->cmd = b;
            t->state = ST_OPT;
        } else if (b == CAPTLS_TELNET_SB) {
            t->state = ST_SB_OPT;
        } else {
            command(t, b, ev);
        }
        break;
    case ST_OPT:
        t->state = ST_DATA;
        if (negotiate(t, t->cmd, b, out))
            ev->kind = CAPTLS_TELNET_EV_ECHO;
        break;
    case ST_SB_OPT:
        t->sb_opt = b;
        t->sb_len = 0;
        t->sb_overflow = false;
        t->state = ST_SB;
        break;
    case ST_SB:
        if (b == CAPTLS_TELNET_IAC)
            t->state = ST_SB_IAC;
        else
            sb_byte(t, b);
        break;
    case ST_SB_IAC:
        if (b == CAPTLS_TELNET_IAC) {
            sb_byte(t, b);
            t->state = ST_SB;
        } else if (b == CAPTLS_TELNET_SE) {
            t->state = ST_DATA;
            ev->kind = sb_done(t);
        } else {
            /* IAC <cmd> inside SB: the subnegotiation was never closed.
             * Drop it and treat the bytes as IAC <cmd> in data. */
            t->stats.sb_aborted++;
            t->sb_len = 0;
            t->state = ST_IAC;
            captls_telnet_input(t, b, out, ev);
        }
        break;
    default:
        t->state = ST_DATA;
        break;
    }
}
