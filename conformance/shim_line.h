/* conformance/shim_line.h — the captls-shim line protocol: framing and
 * tokens (see conformance/SHIM.md for the protocol itself).
 *
 * Two layers, both host-only but allocation-free:
 *
 *  - the reader turns a byte stream, pushed in chunks of any size, into
 *    lines. A line ends at "\n"; one "\r" before it is dropped (CRLF input);
 *    bytes after the last "\n" form a last line at end of input. A line
 *    longer than CAPTLS_SHIM_MAX_LINE bytes (terminator excluded) is not
 *    kept: the reader discards up to the next "\n" and delivers one
 *    "too long" line in its place, so the caller still answers exactly one
 *    line per input line. NUL and other binary bytes are ordinary bytes.
 *
 *  - the splitter cuts one line into an operation name and up to
 *    CAPTLS_SHIM_MAX_ARGS arguments, separated by runs of spaces or tabs
 *    (leading and trailing blanks ignored). Tokens point into the line;
 *    nothing is copied. Hex arguments are decoded in place (the decoded
 *    bytes overwrite the token's first half), so the line buffer must be
 *    writable and outlive the tokens.
 *
 * Every function returns NULL on success or a static reason string (the
 * text after "error: " in the protocol); none can crash on any input.
 */
#ifndef CAPTLS_CONFORMANCE_SHIM_LINE_H
#define CAPTLS_CONFORMANCE_SHIM_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest accepted line, in bytes, without its "\n" / "\r\n": 1 MiB. */
#define CAPTLS_SHIM_MAX_LINE ((size_t)1 << 20)
/* Most arguments any operation takes (rsa-pss-verify). */
#define CAPTLS_SHIM_MAX_ARGS 6
/* Size of the buffer a reader needs: the line, a pending "\r", a NUL. */
#define CAPTLS_SHIM_READER_BUF (CAPTLS_SHIM_MAX_LINE + 2)

/* Called once per input line. `line` is NUL-terminated at `len` (it may
 * also contain NULs), writable, and valid until the callback returns. When
 * `too_long` is set, line is empty and the input line was dropped. */
typedef void captls_shim_line_fn(void *ctx, char *line, size_t len,
                                 bool too_long);

typedef struct captls_shim_reader {
    char *buf;
    size_t cap;      /* >= 3; lines up to cap - 2 bytes are kept */
    size_t len;
    bool overflow;   /* discarding the rest of a too-long line */
    bool pending;    /* bytes seen since the last "\n" (for the last line) */
} captls_shim_reader;

/* buf/cap: caller-owned storage, normally CAPTLS_SHIM_READER_BUF bytes
 * (smaller buffers lower the line limit to cap - 2; tests use that). */
void captls_shim_reader_init(captls_shim_reader *r, char *buf, size_t cap);
/* Feeds n bytes; calls fn for every line they complete. */
void captls_shim_reader_push(captls_shim_reader *r, const uint8_t *data,
                             size_t n, captls_shim_line_fn *fn, void *ctx);
/* End of input: delivers a last line that had no "\n" (if any). */
void captls_shim_reader_end(captls_shim_reader *r, captls_shim_line_fn *fn,
                            void *ctx);

typedef struct captls_shim_tok {
    char *s;
    size_t len;
} captls_shim_tok;

typedef struct captls_shim_line {
    captls_shim_tok op;
    /* number of arguments; CAPTLS_SHIM_MAX_ARGS + 1 means "more than any
     * operation takes" (only the first CAPTLS_SHIM_MAX_ARGS are kept) */
    size_t nargs;
    captls_shim_tok arg[CAPTLS_SHIM_MAX_ARGS];
} captls_shim_line;

/* Splits line[0..len) into tokens. Fails only with "empty line" (nothing
 * but blanks). */
const char *captls_shim_line_split(char *line, size_t len,
                                   captls_shim_line *out);

/* True iff the token is exactly the NUL-terminated name. */
bool captls_shim_tok_is(const captls_shim_tok *t, const char *name);

/* Decodes a hex token in place: lowercase hex digits, even length, or "-"
 * for the empty string. On success *bytes points at t->s and *n is the
 * byte count. Reasons: "odd-length hex", "bad hex" (any other character,
 * uppercase included). */
const char *captls_shim_tok_hex(captls_shim_tok *t, uint8_t **bytes,
                                size_t *n);

/* Decimal digits only (no sign, no blanks); values beyond UINT64_MAX
 * saturate (a huge LEN is a well-formed number that is simply too large).
 * Reason: "bad number". */
const char *captls_shim_tok_u64(const captls_shim_tok *t, uint64_t *v);

#endif
