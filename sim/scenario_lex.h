/* sim/scenario_lex.h — the scenario file's tokens and value syntax.
 *
 * Internal to the scenario parser. A line is split into at most
 * CAPTLS_SIM_SCN_MAX_TOKENS tokens, separated by spaces or tabs; `#` starts
 * a comment (outside quotes). A token is a word ([A-Za-z0-9_.:/+-]+), a
 * quoted string ("..." with \n \r \t \0 \\ \" \xHH), or KEY=VALUE where
 * VALUE is a word or a quoted string. Token text is copied (strings
 * unescaped) into the scenario's pool, NUL-terminated; a string may hold
 * NUL bytes, so its length is kept too.
 */
#ifndef CAPTLS_SIM_SCENARIO_LEX_H
#define CAPTLS_SIM_SCENARIO_LEX_H

#include <stdarg.h>

#include "sim/scenario.h"

typedef struct scn_tok {
    unsigned col;
    bool str;         /* a quoted string (never KEY=VALUE) */
    bool kv;          /* KEY=VALUE */
    const char *text; /* the word or the unescaped string */
    size_t len;
    const char *key; /* KEY=VALUE only */
    size_t key_len;
    const char *val;
    size_t val_len;
    bool val_str;
    unsigned val_col;
} scn_tok;

typedef struct scn_parser {
    captls_sim_scenario *sc;
    captls_sim_scn_error *err;
    unsigned line;
    unsigned end_col; /* column just past the line's last byte */
    scn_tok toks[CAPTLS_SIM_SCN_MAX_TOKENS];
    unsigned ntoks;
    bool failed;
    bool oom;
    uint64_t last_at; /* the latest `at` time so far, and its line */
    unsigned last_at_line;
} scn_parser;

/* Records the first error (later ones are ignored); always false. */
bool scn_fail(scn_parser *ps, unsigned col, const char *fmt, ...)
    CAPTLS_SIM_PRINTF(3, 4);
/* Splits one line (without its newline) into ps->toks. */
bool scn_lex_line(scn_parser *ps, const uint8_t *line, size_t len);
/* Copies n bytes into the pool, NUL-terminated. NULL when full. */
char *scn_pool_put(scn_parser *ps, const void *p, size_t n);
/* A short sanitized rendering of untrusted text for an error message. */
const char *scn_show(const char *p, size_t len, char *out, size_t cap);

bool scn_is_name(const char *p, size_t len);
bool scn_eq(const char *p, size_t len, const char *lit);
bool scn_parse_duration(scn_parser *ps, const char *p, size_t len,
                        unsigned col, uint64_t *ns);
bool scn_parse_uint(scn_parser *ps, const char *p, size_t len, unsigned col,
                    uint64_t max, const char *what, uint64_t *out);
/* [+|-]DURATION, magnitude at most `max` ns. */
bool scn_parse_signed_duration(scn_parser *ps, const char *p, size_t len,
                               unsigned col, int64_t *ns);
bool scn_parse_wall(scn_parser *ps, const char *p, size_t len, unsigned col,
                    int64_t *epoch_s);

#endif
