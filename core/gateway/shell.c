/* Login dialogue and built-in shell — see shell.h. */
#include "core/gateway/shell.h"

#include <string.h>

#include "core/base/ct.h"
#include "core/base/sanitize.h"
#include "core/cap/interface_ids.h"

/* A cut text (captls_text keeps what fit, NUL-terminated) is still worth
 * showing: the overflow is deliberately not an error here. */
static void text_cut_ok(captls_text *t)
{
    if (captls_text_finish(t) != CAPTLS_OK)
        return;
}

#define PROMPT_LOGIN "login: "
#define PROMPT_PASSWORD "Password: "
#define LOGIN_INCORRECT "\r\nLogin incorrect\r\n"
/* the built-in that ends the session */
static const char CMD_EXIT[] = "exit";

/* ---- output ----------------------------------------------------------------- */

/* Queues text for the terminal; what does not fit is cut (the built-ins'
 * texts are far below CAPTLS_SHELL_OUT). */
static void out_str(captls_shell *sh, const char *s)
{
    size_t n = strlen(s), room = sizeof sh->out - sh->out_len;
    if (n > room)
        n = room;
    memcpy(sh->out + sh->out_len, s, n);
    sh->out_len += n;
}

static void out_mem(captls_shell *sh, const uint8_t *p, size_t n)
{
    size_t room = sizeof sh->out - sh->out_len;
    if (n > room)
        n = room;
    memcpy(sh->out + sh->out_len, p, n);
    sh->out_len += n;
}

/* Writes queued output; true when all of it is with the terminal. */
static bool flush(captls_shell *sh)
{
    while (sh->out_off < sh->out_len) {
        size_t n = 0;
        captls_result r = sh->term.vt->write(
            sh->term.self, (const uint8_t *)sh->out + sh->out_off,
            sh->out_len - sh->out_off, &n);
        if (r != CAPTLS_OK || n == 0) {
            if (r != CAPTLS_OK && r != CAPTLS_WOULD_BLOCK)
                sh->state = CAPTLS_SHELL_DONE; /* terminal gone */
            return false;
        }
        sh->out_off += n;
    }
    sh->out_off = sh->out_len = 0;
    return true;
}

static void prompt(captls_shell *sh)
{
    out_str(sh, sh->us->user);
    out_str(sh, "@");
    out_str(sh, sh->env->host);
    out_str(sh, "$ ");
}

static void note(captls_shell *sh, captls_shell_event ev, const char *detail)
{
    if (sh->env->note != NULL)
        sh->env->note(sh->env->ctx, sh->us, ev, detail);
}

/* ---- built-ins ---------------------------------------------------------------- */

/* Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's
 * civil_from_days). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void cmd_date(captls_shell *sh, captls_text *t)
{
    captls_wall_time now;
    int64_t y;
    unsigned mo, d;

    if (sh->env->clock.wall_time == NULL ||
        sh->env->clock.wall_time(sh->env->clock.ctx, &now) != CAPTLS_OK) {
        captls_text_str(t, "date: no wall clock\r\n");
        return;
    }
    int64_t days = now.epoch_seconds / 86400;
    int64_t secs = now.epoch_seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil(days, &y, &mo, &d);
    captls_text_i64(t, y);
    captls_text_str(t, "-");
    captls_text_u64_padded(t, mo, 2);
    captls_text_str(t, "-");
    captls_text_u64_padded(t, d, 2);
    captls_text_str(t, "T");
    captls_text_u64_padded(t, (uint64_t)secs / 3600, 2);
    captls_text_str(t, ":");
    captls_text_u64_padded(t, (uint64_t)secs / 60 % 60, 2);
    captls_text_str(t, ":");
    captls_text_u64_padded(t, (uint64_t)secs % 60, 2);
    captls_text_str(t, now.provenance == CAPTLS_CLOCK_TRUSTED
                           ? "Z (clock: trusted)\r\n"
                           : "Z (clock: untrusted)\r\n");
}

static const char *rights_text(captls_rights r)
{
    if ((r & (CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE)) ==
        (CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE))
        return "call,write";
    if (r & CAPTLS_RIGHT_CALL)
        return "call";
    return "-";
}

static void cmd_caps(captls_shell *sh, captls_text *t)
{
    const captls_user_session *us = sh->us;
    size_t live = 0;

    for (size_t i = 0; i < us->cap_count; i++) {
        captls_cap_info info;
        if (captls_cap_lookup(sh->env->broker->caps, us->owner, us->caps[i],
                              CAPTLS_IFACE_ANY, 0, &info) != CAPTLS_OK)
            continue;
        captls_text_str(t, "  ");
        captls_text_str(t, captls_interface_name(info.iface));
        captls_text_str(t, " (");
        captls_text_str(t, rights_text(info.rights));
        captls_text_str(t, ")\r\n");
        live++;
    }
    captls_text_u64(t, live);
    captls_text_str(t, live == 1 ? " capability; nothing else is reachable "
                                   "from this session\r\n"
                                 : " capabilities; nothing else is reachable "
                                   "from this session\r\n");
}

static void cmd_whoami(captls_shell *sh, captls_text *t)
{
    const captls_user_session *us = sh->us;
    captls_text_str(t, us->user);
    captls_text_str(t, " (authentication: ");
    captls_text_str(t, us->method == CAPTLS_AUTH_TLS_CLIENT_CERT
                           ? "TLS client certificate"
                           : "password");
    captls_text_str(t, ", strength: ");
    captls_text_str(t, captls_auth_method_strength(us->method));
    captls_text_str(t, ", profile: ");
    captls_text_str(t, us->profile);
    captls_text_str(t, ")\r\n");
}

static const char help_text[] =
    "built-in commands:\r\n"
    "  help      this list\r\n"
    "  whoami    who you are and how you authenticated\r\n"
    "  caps      the capabilities this session holds\r\n"
    "  session   connection and TLS parameters\r\n"
    "  certinfo  your client certificate\r\n"
    "  date      the gateway's wall clock (UTC)\r\n"
    "  echo ARG  prints ARG\r\n"
    "  exit      ends the session; Ctrl-D does too\r\n";

/* Splits the line into the command word and the rest. */
static void split_command(const uint8_t *line, size_t len, size_t *cmd_len,
                          size_t *arg_off)
{
    size_t i = 0, c;
    while (i < len && line[i] == ' ')
        i++;
    c = i;
    while (i < len && line[i] != ' ')
        i++;
    *cmd_len = i - c;
    while (i < len && line[i] == ' ')
        i++;
    *arg_off = i;
    (void)c;
}

static bool word_is(const uint8_t *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

static void run_command(captls_shell *sh, const uint8_t *line, size_t len)
{
    size_t start = 0, cmd_len, arg_off;
    char text[CAPTLS_SHELL_OUT];
    captls_text t;

    while (start < len && line[start] == ' ')
        start++;
    line += start;
    len -= start;
    if (len == 0) {
        prompt(sh);
        return;
    }
    split_command(line, len, &cmd_len, &arg_off);
    captls_text_init(&t, text, sizeof text);
    sh->commands++;
    char label[64];
    (void)captls_sanitize(line, cmd_len, label, sizeof label);
    note(sh, CAPTLS_SHELL_EV_COMMAND, label);
    if (word_is(line, cmd_len, "help")) {
        captls_text_str(&t, help_text);
    } else if (word_is(line, cmd_len, "whoami")) {
        cmd_whoami(sh, &t);
    } else if (word_is(line, cmd_len, "caps")) {
        cmd_caps(sh, &t);
    } else if (word_is(line, cmd_len, "session")) {
        if (sh->env->describe != NULL)
            sh->env->describe(sh->env->ctx, sh->us,
                              CAPTLS_SHELL_TOPIC_SESSION, &t);
        if (sh->cols != 0) {
            captls_text_str(&t, "window: ");
            captls_text_u64(&t, sh->cols);
            captls_text_str(&t, "x");
            captls_text_u64(&t, sh->rows);
            captls_text_str(&t, "\r\n");
        }
    } else if (word_is(line, cmd_len, "certinfo")) {
        if (sh->env->describe != NULL)
            sh->env->describe(sh->env->ctx, sh->us, CAPTLS_SHELL_TOPIC_CERT,
                              &t);
    } else if (word_is(line, cmd_len, "date")) {
        cmd_date(sh, &t);
    } else if (word_is(line, cmd_len, "echo")) {
        /* the peer's own bytes go back to the peer only */
        text_cut_ok(&t);
        out_mem(sh, line + arg_off, len - arg_off);
        out_str(sh, "\r\n");
        prompt(sh);
        return;
    } else if (word_is(line, cmd_len, CMD_EXIT) ||
               word_is(line, cmd_len, "logout")) {
        out_str(sh, "logout\r\n");
        note(sh, CAPTLS_SHELL_EV_EXIT, CMD_EXIT);
        sh->closing = true;
        return;
    } else {
        out_mem(sh, line, cmd_len);
        out_str(sh, ": command not found\r\n");
        prompt(sh);
        return;
    }
    if (captls_text_finish(&t) != CAPTLS_OK)
        captls_text_str(&t, ""); /* truncated: what fit is shown */
    out_str(sh, text);
    prompt(sh);
}

/* ---- login ---------------------------------------------------------------------- */

static void greet(captls_shell *sh)
{
    out_str(sh, "Welcome to ");
    out_str(sh, sh->env->host);
    out_str(sh, ", ");
    out_str(sh, sh->us->user);
    out_str(sh, " (");
    out_str(sh, captls_auth_method_strength(sh->us->method));
    out_str(sh, "). Type 'help' for the commands.\r\n");
    prompt(sh);
}

static void ask_login(captls_shell *sh)
{
    sh->state = CAPTLS_SHELL_LOGIN;
    sh->term.vt->set_echo(sh->term.self, CAPTLS_TERM_ECHO_NORMAL);
    out_str(sh, PROMPT_LOGIN);
}

static void on_login_line(captls_shell *sh, const uint8_t *line, size_t len)
{
    if (len == 0) {
        out_str(sh, PROMPT_LOGIN);
        return;
    }
    /* Any name is asked for a password, valid or not, so that unknown
     * users look the same as wrong passwords. */
    sh->login_valid = len <= CAPTLS_CRED_NAME_MAX &&
                      captls_user_name_valid((const char *)line, len);
    sh->login_len = sh->login_valid ? len : 0;
    if (sh->login_valid)
        memcpy(sh->login, line, len);
    sh->login[sh->login_len] = '\0';
    sh->state = CAPTLS_SHELL_PASSWORD;
    sh->term.vt->set_echo(sh->term.self, CAPTLS_TERM_ECHO_HIDDEN);
    out_str(sh, PROMPT_PASSWORD);
}

static void on_password_line(captls_shell *sh, const uint8_t *pw, size_t len,
                             uint64_t now_ms)
{
    uint64_t wait_ms = 0;
    captls_result r;

    sh->term.vt->set_echo(sh->term.self, CAPTLS_TERM_ECHO_NORMAL);
    /* An invalid name is verified against the store's dummy record: the
     * same work and outcome as an unknown one. */
    r = captls_credential_store_login(sh->env->creds, &sh->limiter, now_ms,
                                      sh->login_valid ? sh->login : "-",
                                      sh->login_valid ? sh->login_len : 1, pw,
                                      len, &wait_ms);
    if (r == CAPTLS_OK) {
        memcpy(sh->us->user, sh->login, sh->login_len + 1);
        r = captls_authority_broker_grant(sh->env->broker, sh->us, "user",
                                          CAPTLS_AUTH_PASSWORD,
                                          sh->terminal_object);
        if (r != CAPTLS_OK) {
            note(sh, CAPTLS_SHELL_EV_DENIED, sh->us->user);
            out_str(sh, "\r\naccess denied\r\n");
            sh->closing = true;
            return;
        }
        note(sh, CAPTLS_SHELL_EV_LOGIN_OK, sh->us->user);
        out_str(sh, "\r\n");
        sh->state = CAPTLS_SHELL_RUN;
        greet(sh);
        return;
    }
    char who[CAPTLS_CRED_NAME_MAX * 4 + 1];
    (void)captls_sanitize((const uint8_t *)sh->login, sh->login_len, who,
                          sizeof who);
    out_str(sh, LOGIN_INCORRECT);
    if (r == CAPTLS_ERR_LIMIT_EXCEEDED ||
        captls_login_limiter_check(&sh->limiter, now_ms, &wait_ms) ==
            CAPTLS_ERR_LIMIT_EXCEEDED) {
        note(sh, CAPTLS_SHELL_EV_LOGIN_LOCKED, who);
        sh->closing = true;
        return;
    }
    note(sh, CAPTLS_SHELL_EV_LOGIN_FAILED, who);
    sh->state = CAPTLS_SHELL_BACKOFF;
    sh->wake_ms = now_ms + wait_ms;
}

/* ---- driving -------------------------------------------------------------------- */

void captls_shell_start(captls_shell *sh, const captls_shell_env *env,
                        captls_term_session term, captls_user_session *us,
                        void *terminal_object, bool authenticated)
{
    memset(sh, 0, sizeof(*sh));
    sh->env = env;
    sh->term = term;
    sh->us = us;
    sh->terminal_object = terminal_object;
    captls_login_limiter_init(&sh->limiter, 0, 0, 0);
    if (authenticated) {
        sh->state = CAPTLS_SHELL_RUN;
        greet(sh);
    } else if (env->creds == NULL) {
        out_str(sh, "no password logins here\r\n");
        sh->closing = true;
    } else {
        ask_login(sh);
    }
}

static void handle(captls_shell *sh, const captls_term_event *ev,
                   uint64_t now_ms)
{
    switch (ev->kind) {
    case CAPTLS_TERM_EV_OPEN:
    case CAPTLS_TERM_EV_RESIZE:
        if (ev->cols != 0) {
            sh->cols = ev->cols;
            sh->rows = ev->rows;
        }
        break;
    case CAPTLS_TERM_EV_LINE:
        if (sh->state == CAPTLS_SHELL_LOGIN)
            on_login_line(sh, ev->line, ev->len);
        else if (sh->state == CAPTLS_SHELL_PASSWORD)
            on_password_line(sh, ev->line, ev->len, now_ms);
        else if (sh->state == CAPTLS_SHELL_RUN)
            run_command(sh, ev->line, ev->len);
        /* BACKOFF: what was typed meanwhile is dropped */
        break;
    case CAPTLS_TERM_EV_INTERRUPT:
        if (sh->state == CAPTLS_SHELL_RUN) {
            out_str(sh, "^C\r\n");
            prompt(sh);
        } else if (sh->state != CAPTLS_SHELL_BACKOFF) {
            out_str(sh, "\r\n");
            ask_login(sh);
        }
        break;
    case CAPTLS_TERM_EV_EOF:
        if (sh->state == CAPTLS_SHELL_RUN) {
            out_str(sh, "logout\r\n");
            note(sh, CAPTLS_SHELL_EV_EXIT, "eof");
        }
        sh->closing = true;
        break;
    case CAPTLS_TERM_EV_CLOSE:
        sh->state = CAPTLS_SHELL_DONE;
        break;
    }
}

bool captls_shell_step(captls_shell *sh, uint64_t now_ms)
{
    bool any = false;

    for (int guard = 0; guard < 64 && sh->state != CAPTLS_SHELL_DONE;
         guard++) {
        captls_term_event ev;
        captls_result r;

        if (!flush(sh))
            break;
        if (sh->closing) {
            sh->term.vt->close(sh->term.self);
            sh->closing = false;
            any = true;
            /* CLOSE arrives as the last event */
        }
        if (sh->state == CAPTLS_SHELL_BACKOFF) {
            if (now_ms < sh->wake_ms) {
                /* drain input typed during the back-off, keep waiting */
                r = sh->term.vt->next_event(sh->term.self, &ev);
                if (r != CAPTLS_OK)
                    break;
                any = true;
                if (ev.kind == CAPTLS_TERM_EV_CLOSE)
                    sh->state = CAPTLS_SHELL_DONE;
                continue;
            }
            sh->wake_ms = 0;
            ask_login(sh);
            any = true;
            continue;
        }
        r = sh->term.vt->next_event(sh->term.self, &ev);
        if (r != CAPTLS_OK)
            break;
        handle(sh, &ev, now_ms);
        any = true;
    }
    return any;
}

uint64_t captls_shell_wake_ms(const captls_shell *sh)
{
    return sh->state == CAPTLS_SHELL_BACKOFF ? sh->wake_ms : 0;
}

bool captls_shell_done(const captls_shell *sh)
{
    return sh->state == CAPTLS_SHELL_DONE;
}

void captls_shell_wipe(captls_shell *sh)
{
    captls_zeroize(sh->out, sizeof sh->out);
    captls_zeroize(sh->login, sizeof sh->login);
    sh->out_off = sh->out_len = 0;
    sh->login_len = 0;
}
