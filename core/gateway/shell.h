/* core/gateway/shell.h — the login dialogue and the small built-in shell
 * behind a telnets session (seed 004), driven by TerminalSession events.
 *
 * Dialogue. A session that arrives authenticated (a mapped client
 * certificate the AuthorityBroker accepted) gets a greeting and the
 * prompt at once. Otherwise, classic telnetd style: "login: " (echoed),
 * then "Password: " with echo hidden; a failure prints "Login incorrect"
 * (the same text and the same work for an unknown user and a wrong
 * password: credential_store.h) and asks again after the limiter's
 * back-off; after the last allowed attempt the session closes. A success
 * asks the broker for the `user` profile. The prompt is "USER@HOST$ ".
 *
 * Built-ins: help, whoami (user, method, strength, profile), caps (the
 * capabilities this session holds, looked up live in the cap table: the
 * boundary), session (TLS parameters and connection details), certinfo,
 * date, echo and exit; Ctrl-D on an empty line ends it too. Ctrl-C
 * abandons the line. Anything else: "NAME: command not found".
 *
 * Contract.
 *  - Memory: captls_shell is caller-owned (CAPTLS_SHELL_OUT bytes of
 *    pending output plus small state); it borrows the env, the terminal
 *    and the user session, which outlive it. The typed password lives only
 *    in the terminal's line buffer (wiped after use) and is never copied
 *    here except into the PBKDF2 call's argument.
 *  - Driving: captls_shell_step handles what the terminal has ready and
 *    never blocks; during a back-off it returns until
 *    captls_shell_wake_ms. PBKDF2 runs inside step (CPU time: the
 *    iteration count of the users file).
 *  - Every text a peer chose (user names, echo arguments) is sanitized
 *    before it reaches the audit sink; the shell's own output to the peer
 *    is the peer's own bytes or fixed text.
 */
#ifndef CAPTLS_GATEWAY_SHELL_H
#define CAPTLS_GATEWAY_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/base/text.h"
#include "core/gateway/authority_broker.h"
#include "core/gateway/credential_store.h"
#include "core/telnet/terminal.h"
#include "port/port.h"

#define CAPTLS_SHELL_OUT 1024u

typedef enum captls_shell_topic {
    CAPTLS_SHELL_TOPIC_SESSION = 1,  /* `session` */
    CAPTLS_SHELL_TOPIC_CERT = 2,     /* `certinfo` */
} captls_shell_topic;

typedef enum captls_shell_event {
    CAPTLS_SHELL_EV_LOGIN_OK = 1,
    CAPTLS_SHELL_EV_LOGIN_FAILED = 2,
    CAPTLS_SHELL_EV_LOGIN_LOCKED = 3, /* attempts exhausted */
    CAPTLS_SHELL_EV_DENIED = 4,       /* broker refused the profile */
    CAPTLS_SHELL_EV_COMMAND = 5,
    CAPTLS_SHELL_EV_EXIT = 6,
} captls_shell_event;

typedef struct captls_shell_env {
    const captls_credential_store *creds; /* NULL: password path closed */
    captls_authority_broker *broker;
    captls_clock clock;
    const char *host;                     /* prompt host name */
    /* Appends the `session` / `certinfo` text for session `us`. */
    void (*describe)(void *ctx, const captls_user_session *us,
                     captls_shell_topic topic, captls_text *out);
    /* Audit hook: what happened (detail: a user name or a command). */
    void (*note)(void *ctx, const captls_user_session *us,
                 captls_shell_event ev, const char *detail);
    void *ctx;
} captls_shell_env;

typedef enum captls_shell_state {
    CAPTLS_SHELL_LOGIN = 1,
    CAPTLS_SHELL_PASSWORD = 2,
    CAPTLS_SHELL_BACKOFF = 3,
    CAPTLS_SHELL_RUN = 4,
    CAPTLS_SHELL_DONE = 5,
} captls_shell_state;

typedef struct captls_shell {
    const captls_shell_env *env;
    captls_term_session term;
    captls_user_session *us;
    void *terminal_object;       /* what the TerminalSession cap names */
    captls_shell_state state;
    captls_login_limiter limiter;
    char login[CAPTLS_CRED_NAME_MAX + 1];
    size_t login_len;
    bool login_valid;            /* the name has the user-name shape */
    uint64_t wake_ms;            /* BACKOFF: when to ask again */
    bool closing;                /* close once the output is out */
    uint16_t cols, rows;
    uint32_t commands;
    size_t out_off, out_len;
    char out[CAPTLS_SHELL_OUT];
} captls_shell;

/* Starts the dialogue. authenticated: us already holds its caps (mTLS
 * path). terminal_object: what the TerminalSession cap will name. */
void captls_shell_start(captls_shell *sh, const captls_shell_env *env,
                        captls_term_session term, captls_user_session *us,
                        void *terminal_object, bool authenticated);
/* Handles ready events; true if anything happened. */
bool captls_shell_step(captls_shell *sh, uint64_t now_ms);
/* BACKOFF deadline (0 when none). */
uint64_t captls_shell_wake_ms(const captls_shell *sh);
/* The session asked to end, or the terminal closed. */
bool captls_shell_done(const captls_shell *sh);
/* Wipes the pending output and the typed login name. */
void captls_shell_wipe(captls_shell *sh);

#endif
