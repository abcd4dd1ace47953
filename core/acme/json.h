/* core/acme/json.h — a strict, bounded RFC 8259 JSON parser and a canonical
 * JSON writer, for ACME (RFC 8555) and JOSE (RFC 7515, 7517, 7638).
 *
 * Contract (parser). captls_json_parse reads one whole document from a
 * caller-owned buffer into a caller-owned token array (jsmn-like): it never
 * allocates, never copies the text, never recurses, and its work is linear
 * in the input except for the duplicate-key check (quadratic in the members
 * of one object, bounded by CAPTLS_JSON_MAX_MEMBERS). Tokens hold offsets
 * into the text, which must outlive every accessor call. It refuses, with
 * CAPTLS_ERR_MALFORMED and the byte offset / line / column of the first
 * offending byte: anything outside the RFC 8259 §2 grammar (trailing commas,
 * single quotes, comments, NaN/Infinity, leading '+', leading zeros "01",
 * "1.", ".5", "1e", a byte-order mark, whitespace other than space, tab,
 * LF, CR), control characters U+0000..U+001F unescaped inside strings
 * (§7), unknown escapes, invalid UTF-8 (§8.1: overlong forms, encoded
 * surrogates, code points above U+10FFFF, truncated sequences), unpaired
 * UTF-16 surrogate escapes (§8.2), duplicate member names in one object
 * (§4 says names SHOULD be unique; we treat a repeated name — compared
 * after unescaping — as an attack and refuse it), and trailing garbage after
 * the root value. Any value may be the root (§2). It refuses with
 * CAPTLS_ERR_LIMIT_EXCEEDED: nesting deeper than CAPTLS_JSON_MAX_DEPTH,
 * more tokens than the caller's capacity, an object with more than
 * CAPTLS_JSON_MAX_MEMBERS members, a text of 2^32 - 1 bytes or more.
 * CAPTLS_ERR_INVALID_ARGUMENT for NULL pointers. On failure the token array
 * holds garbage and *doc is zeroed; the error struct (optional) says where.
 *
 * The parser takes the whole document at once, not in chunks: ACME bodies
 * are small and arrive complete (the HTTP layer buffers a body up to its
 * hard size limit), so resumability would buy nothing but state. Stack use
 * is fixed: one 32-word container stack, no recursion.
 *
 * NOT checked: the magnitude or precision of numbers (they are kept as
 * text; captls_json_get_int64 checks when asked), the meaning of strings,
 * U+0000 inside strings when written as \u0000 (allowed by RFC 8259: the
 * decoded bytes carry explicit lengths, never a NUL terminator).
 *
 * Contract (writer). captls_json_writer appends to a caller buffer (NULL:
 * count only) and enforces well-formedness: keys only where an object
 * expects one, exactly one root value, balanced containers, depth bound. Its
 * output is canonical: no whitespace, strings escaped minimally (only '"',
 * '\\' and U+0000..U+001F, the latter as \b \f \n \r \t or \u00xx with
 * lowercase hex; everything else, including '/', DEL and non-ASCII, as UTF-8
 * bytes), integers in shortest decimal form, number tokens copied as
 * written. Member order is the caller's: RFC 7638 thumbprints need
 * lexicographic order, which the JWK code writes. Errors are sticky; the
 * first one is returned by captls_json_writer_finish: BUFFER_TOO_SMALL (the
 * length needed is still counted), INVALID_ARGUMENT (misuse: a value where a
 * key is expected, unbalanced end, two roots), MALFORMED (a string that is
 * not valid UTF-8, a raw number outside the grammar), LIMIT_EXCEEDED (depth).
 */
#ifndef CAPTLS_ACME_JSON_H
#define CAPTLS_ACME_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* Bounds. ACME documents nest at most 4 deep; 32 leaves room for anything
 * legitimate while keeping the parser's and writer's stacks at 32 words. */
#define CAPTLS_JSON_MAX_DEPTH 32u
/* Members per object: ACME objects have ~10; 1024 bounds the duplicate-key
 * check at ~0.5 M string comparisons per object. */
#define CAPTLS_JSON_MAX_MEMBERS 1024u

typedef enum captls_json_type {
    CAPTLS_JSON_INVALID = 0,
    CAPTLS_JSON_OBJECT = 1,
    CAPTLS_JSON_ARRAY = 2,
    CAPTLS_JSON_STRING = 3,
    CAPTLS_JSON_NUMBER = 4,
    CAPTLS_JSON_TRUE = 5,
    CAPTLS_JSON_FALSE = 6,
    CAPTLS_JSON_NULL = 7,
} captls_json_type;

/* One value. Token 0 is the root. An object's children are its members in
 * order, each a STRING key token followed by its value's tokens; an array's
 * children are its elements. The first child of token i is i + 1; the next
 * sibling of a child c is tokens[c].next. */
typedef struct captls_json_token {
    uint32_t start; /* first byte; for a string, the byte after '"' */
    uint32_t end;   /* one past the last byte; for a string, the '"' */
    uint32_t size;  /* OBJECT: members; ARRAY: elements; others 0 */
    uint32_t next;  /* index of the first token after this subtree */
    uint8_t type;   /* captls_json_type */
} captls_json_token;

/* A parsed document: borrows the text and the tokens. */
typedef struct captls_json_doc {
    const char *text;
    size_t len;
    const captls_json_token *tok;
    size_t count;
} captls_json_doc;

/* Where and why parsing failed. */
typedef struct captls_json_error {
    captls_result code;
    size_t offset; /* byte offset of the offending byte (len at EOF) */
    size_t line;   /* 1-based */
    size_t column; /* 1-based, in bytes */
    const char *reason; /* static text, e.g. "duplicate member name" */
} captls_json_error;

/* Parses text[0..len) into tok[0..cap). err may be NULL. */
CAPTLS_MUST_CHECK captls_result captls_json_parse(const char *text,
                                                 size_t len,
                                                 captls_json_token *tok,
                                                 size_t cap,
                                                 captls_json_doc *doc,
                                                 captls_json_error *err);

/* ---- accessors (indices are token indices; out of range: INVALID) --- */

captls_json_type captls_json_type_of(const captls_json_doc *d, size_t i);

/* The value of member `key` (compared after unescaping) of object obj.
 * NOT_FOUND if absent; MALFORMED if obj is not an object. */
CAPTLS_MUST_CHECK captls_result captls_json_object_get(
    const captls_json_doc *d, size_t obj, const char *key, size_t key_len,
    size_t *val);

/* Element n of array arr. NOT_FOUND past the end; MALFORMED if arr is not
 * an array. */
CAPTLS_MUST_CHECK captls_result captls_json_array_get(
    const captls_json_doc *d, size_t arr, size_t n, size_t *val);

/* A number written as an integer (no fraction, no exponent) into *v.
 * MALFORMED for another type or form; LIMIT_EXCEEDED outside int64. */
CAPTLS_MUST_CHECK captls_result captls_json_get_int64(
    const captls_json_doc *d, size_t i, int64_t *v);

/* true / false. MALFORMED for another type. */
CAPTLS_MUST_CHECK captls_result captls_json_get_bool(const captls_json_doc *d,
                                                    size_t i, bool *v);

bool captls_json_is_null(const captls_json_doc *d, size_t i);

/* The unescaped UTF-8 bytes of string i into out[0..cap), *len = size.
 * MALFORMED for another type; BUFFER_TOO_SMALL (nothing written, *len =
 * size needed). */
CAPTLS_MUST_CHECK captls_result captls_json_get_string(
    const captls_json_doc *d, size_t i, uint8_t *out, size_t cap,
    size_t *len);

/* True iff token i is a string whose unescaped bytes equal s[0..n). */
bool captls_json_string_equal(const captls_json_doc *d, size_t i,
                              const char *s, size_t n);

/* Member shortcuts on object obj (key as a C string): NOT_FOUND when the
 * member is absent, MALFORMED when obj is not an object or the value has
 * another type; otherwise as the accessors above. */
CAPTLS_MUST_CHECK captls_result captls_json_member_string(
    const captls_json_doc *d, size_t obj, const char *key, uint8_t *out,
    size_t cap, size_t *len);
CAPTLS_MUST_CHECK captls_result captls_json_member_int64(
    const captls_json_doc *d, size_t obj, const char *key, int64_t *v);
CAPTLS_MUST_CHECK captls_result captls_json_member_bool(
    const captls_json_doc *d, size_t obj, const char *key, bool *v);
/* The member's token index if its value has type `type`. */
CAPTLS_MUST_CHECK captls_result captls_json_member_typed(
    const captls_json_doc *d, size_t obj, const char *key,
    captls_json_type type, size_t *val);

/* ---- writer -------------------------------------------------------- */

typedef struct captls_json_writer {
    char *buf;  /* NULL: count only */
    size_t cap;
    size_t len; /* bytes of output so far (may exceed cap) */
    captls_result status;
    uint32_t depth;
    uint32_t is_object; /* bit d: level d+1 is an object */
    uint32_t has_items; /* bit d: level d+1 has a member or element */
    bool want_value;    /* an object key was written, its value is due */
    bool root_done;
} captls_json_writer;

void captls_json_writer_init(captls_json_writer *w, char *buf, size_t cap);
void captls_json_begin_object(captls_json_writer *w);
void captls_json_end_object(captls_json_writer *w);
void captls_json_begin_array(captls_json_writer *w);
void captls_json_end_array(captls_json_writer *w);
/* A member name (s is UTF-8, n bytes). */
void captls_json_key(captls_json_writer *w, const char *s, size_t n);
void captls_json_key_cstr(captls_json_writer *w, const char *s);
void captls_json_string(captls_json_writer *w, const char *s, size_t n);
void captls_json_string_cstr(captls_json_writer *w, const char *s);
void captls_json_int64(captls_json_writer *w, int64_t v);
void captls_json_bool(captls_json_writer *w, bool v);
void captls_json_null(captls_json_writer *w);
/* A number given as text; must match the RFC 8259 §6 grammar. */
void captls_json_number_raw(captls_json_writer *w, const char *s, size_t n);
/* Copies token i's subtree from a parsed document (keys and strings
 * re-escaped canonically, numbers as written). Iterative. */
void captls_json_copy(captls_json_writer *w, const captls_json_doc *d,
                      size_t i);
/* OK when exactly one complete root value was written; *len = size (also
 * on BUFFER_TOO_SMALL: the size needed). */
CAPTLS_MUST_CHECK captls_result captls_json_writer_finish(
    captls_json_writer *w, size_t *len);

#endif
