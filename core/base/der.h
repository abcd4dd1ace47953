/* core/base/der.h — strict DER (X.690 §10) reader and a backwards DER writer.
 *
 * Contract. The reader is a cursor over a caller-owned byte slice; it never
 * copies and never allocates: every slice it returns (captls_slice, a TLV's
 * value and raw bytes) borrows the input, which must outlive them. It refuses
 * everything that is not DER: indefinite lengths (BER), non-minimal lengths
 * (leading zero bytes, long form for a length < 128), lengths above
 * CAPTLS_DER_MAX_LENGTH or past the end of the enclosing element, the
 * high-tag-number form for numbers < 31, non-minimal or too large tag
 * numbers (> CAPTLS_DER_MAX_TAG_NUMBER), constructed encodings of primitive
 * universal types, non-minimal INTEGERs, BOOLEANs other than 0x00/0xFF,
 * non-empty NULLs, badly encoded OID arcs, BIT STRINGs with an unused-bits
 * count > 7 (or > 0 when empty) or non-zero unused bits, and trailing data
 * (captls_der_finish). Nesting is bounded by CAPTLS_DER_MAX_DEPTH; nothing
 * here recurses, so stack use is fixed.
 *
 * Failure modes: CAPTLS_ERR_MALFORMED (not DER, wrong tag, truncated),
 * CAPTLS_ERR_LIMIT_EXCEEDED (a bound above: length, tag number, depth, an
 * integer that does not fit), CAPTLS_ERR_INVALID_ARGUMENT (NULL pointers).
 * On failure nothing is written to the caller's outputs and the cursor does
 * not move. If the cursor was given a captls_der_error, the first failure
 * seen through it (or any sub-cursor) is recorded with its byte offset from
 * the start of the outermost input and a short static reason, so a CLI can
 * say where the input is bad.
 *
 * NOT checked here: character sets of string types (the x509 layer does),
 * the order of SET OF elements, whether a time is a sensible certificate
 * time (RFC 5280 UTCTime-before-2050 rule is the certificate parser's).
 *
 * The writer fills a caller buffer from its END towards its start, so a
 * constructed element is written children-last-first and then wrapped with
 * its header once its length is known: no recursion, no moving bytes until
 * captls_der_writer_finish moves the result to the front. A writer with a
 * NULL buffer only counts; when the output does not fit, finish reports
 * CAPTLS_ERR_BUFFER_TOO_SMALL and the size needed (the buffer's contents are
 * then unspecified: encoders that promise to write nothing on failure run a
 * counting pass first).
 */
#ifndef CAPTLS_BASE_DER_H
#define CAPTLS_BASE_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"

/* A borrowed byte range. */
typedef struct captls_slice {
    const uint8_t *ptr;
    size_t len;
} captls_slice;

/* Bounds. Certificates and keys are far below each. */
#define CAPTLS_DER_MAX_LENGTH 0x00FFFFFFu   /* 16 MiB - 1: at most 3 length bytes */
#define CAPTLS_DER_MAX_DEPTH 32u            /* X.509 needs ~10 */
#define CAPTLS_DER_MAX_TAG_NUMBER 0x1FFFFFu /* 3 base-128 bytes */

/* A tag as one integer: class (2 bits), constructed (1 bit), number. */
#define CAPTLS_DER_CLASS_UNIVERSAL 0u
#define CAPTLS_DER_CLASS_APPLICATION 1u
#define CAPTLS_DER_CLASS_CONTEXT 2u
#define CAPTLS_DER_CLASS_PRIVATE 3u
#define CAPTLS_DER_TAG(cls, constructed, number)                               \
    (((uint32_t)(cls) << 30) | ((constructed) ? (1u << 29) : 0u) |             \
     ((uint32_t)(number)&0x1FFFFFFFu))
#define CAPTLS_DER_TAG_CLASS(t) ((uint32_t)(t) >> 30)
#define CAPTLS_DER_TAG_CONSTRUCTED(t) ((((uint32_t)(t) >> 29) & 1u) != 0)
#define CAPTLS_DER_TAG_NUMBER(t) ((uint32_t)(t)&0x1FFFFFFFu)

#define CAPTLS_DER_BOOLEAN CAPTLS_DER_TAG(0, 0, 1)
#define CAPTLS_DER_INTEGER CAPTLS_DER_TAG(0, 0, 2)
#define CAPTLS_DER_BIT_STRING CAPTLS_DER_TAG(0, 0, 3)
#define CAPTLS_DER_OCTET_STRING CAPTLS_DER_TAG(0, 0, 4)
#define CAPTLS_DER_NULL CAPTLS_DER_TAG(0, 0, 5)
#define CAPTLS_DER_OID CAPTLS_DER_TAG(0, 0, 6)
#define CAPTLS_DER_ENUMERATED CAPTLS_DER_TAG(0, 0, 10)
#define CAPTLS_DER_UTF8_STRING CAPTLS_DER_TAG(0, 0, 12)
#define CAPTLS_DER_SEQUENCE CAPTLS_DER_TAG(0, 1, 16)
#define CAPTLS_DER_SET CAPTLS_DER_TAG(0, 1, 17)
#define CAPTLS_DER_NUMERIC_STRING CAPTLS_DER_TAG(0, 0, 18)
#define CAPTLS_DER_PRINTABLE_STRING CAPTLS_DER_TAG(0, 0, 19)
#define CAPTLS_DER_T61_STRING CAPTLS_DER_TAG(0, 0, 20)
#define CAPTLS_DER_IA5_STRING CAPTLS_DER_TAG(0, 0, 22)
#define CAPTLS_DER_UTC_TIME CAPTLS_DER_TAG(0, 0, 23)
#define CAPTLS_DER_GENERALIZED_TIME CAPTLS_DER_TAG(0, 0, 24)
#define CAPTLS_DER_VISIBLE_STRING CAPTLS_DER_TAG(0, 0, 26)
#define CAPTLS_DER_UNIVERSAL_STRING CAPTLS_DER_TAG(0, 0, 28)
#define CAPTLS_DER_BMP_STRING CAPTLS_DER_TAG(0, 0, 30)
/* [n] EXPLICIT (constructed) and [n] IMPLICIT on a primitive type. */
#define CAPTLS_DER_CONTEXT(n) CAPTLS_DER_TAG(2, 1, (n))
#define CAPTLS_DER_CONTEXT_PRIM(n) CAPTLS_DER_TAG(2, 0, (n))

/* Where and why parsing failed (first failure only). */
typedef struct captls_der_error {
    captls_result code;  /* CAPTLS_OK until a failure is recorded */
    size_t offset;       /* from the start of the outermost input */
    const char *reason;  /* static text, e.g. "non-minimal length" */
} captls_der_error;

/* A cursor: [pos, end) of `base`. Copyable; sub-cursors share `err`. */
typedef struct captls_der {
    const uint8_t *base; /* start of the outermost input (for offsets) */
    size_t pos;
    size_t end;
    uint32_t depth;
    captls_der_error *err; /* may be NULL */
} captls_der;

/* One element. value/raw borrow the input. */
typedef struct captls_der_tlv {
    uint32_t tag;
    captls_slice value;  /* contents octets */
    captls_slice raw;    /* tag + length + contents (e.g. a TBSCertificate) */
    size_t offset;       /* offset of the tag byte in the outermost input */
} captls_der_tlv;

/* ---- reader ---------------------------------------------------------- */

/* Cursor over data[0..len). err may be NULL; if not, it is reset. */
void captls_der_init(captls_der *d, const uint8_t *data, size_t len,
                     captls_der_error *err);
bool captls_der_at_end(const captls_der *d);
/* Offset of the cursor in the outermost input. */
size_t captls_der_offset(const captls_der *d);
/* The recorded failure offset, or the cursor offset if none. */
size_t captls_der_error_offset(const captls_der *d);

/* Next TLV's tag without consuming it (MALFORMED at end). */
CAPTLS_MUST_CHECK captls_result captls_der_peek_tag(const captls_der *d,
                                                    uint32_t *tag);
/* Reads any TLV. */
CAPTLS_MUST_CHECK captls_result captls_der_read(captls_der *d,
                                               captls_der_tlv *out);
/* Reads a TLV that must carry `tag`. */
CAPTLS_MUST_CHECK captls_result captls_der_expect(captls_der *d, uint32_t tag,
                                                 captls_der_tlv *out);
/* If the next TLV carries `tag`, reads it and sets *present; else leaves the
 * cursor, sets *present = false and returns CAPTLS_OK (also at the end). */
CAPTLS_MUST_CHECK captls_result captls_der_optional(captls_der *d,
                                                   uint32_t tag,
                                                   captls_der_tlv *out,
                                                   bool *present);
/* Reads a constructed TLV carrying `tag` and makes *sub a cursor over its
 * contents, one level deeper (LIMIT_EXCEEDED past CAPTLS_DER_MAX_DEPTH). */
CAPTLS_MUST_CHECK captls_result captls_der_enter(captls_der *d, uint32_t tag,
                                                captls_der *sub);
/* As captls_der_enter, when the element is optional. */
CAPTLS_MUST_CHECK captls_result captls_der_enter_optional(captls_der *d,
                                                         uint32_t tag,
                                                         captls_der *sub,
                                                         bool *present);
/* A cursor over the contents of a TLV read from `parent`. */
CAPTLS_MUST_CHECK captls_result captls_der_open(const captls_der *parent,
                                               const captls_der_tlv *tlv,
                                               captls_der *sub);
/* MALFORMED ("trailing data") unless the cursor is at its end. */
CAPTLS_MUST_CHECK captls_result captls_der_finish(const captls_der *d);

/* INTEGER, any sign, minimal; *value is the contents (two's complement). */
CAPTLS_MUST_CHECK captls_result captls_der_read_integer(captls_der *d,
                                                       captls_slice *value);
/* INTEGER >= 0; *mag is the big-endian magnitude without the 0x00 sign byte
 * (zero is the single byte 0x00). A negative INTEGER is MALFORMED. */
CAPTLS_MUST_CHECK captls_result captls_der_read_uint(captls_der *d,
                                                    captls_slice *mag);
/* INTEGER into int64 (LIMIT_EXCEEDED if it does not fit). */
CAPTLS_MUST_CHECK captls_result captls_der_read_int64(captls_der *d,
                                                     int64_t *v);
CAPTLS_MUST_CHECK captls_result captls_der_read_bool(captls_der *d, bool *v);
CAPTLS_MUST_CHECK captls_result captls_der_read_null(captls_der *d);
/* OID contents octets, arc encoding validated. */
CAPTLS_MUST_CHECK captls_result captls_der_read_oid(captls_der *d,
                                                   captls_slice *oid);
/* BIT STRING: *bits is the data after the unused-bits byte. */
CAPTLS_MUST_CHECK captls_result captls_der_read_bit_string(captls_der *d,
                                                          captls_slice *bits,
                                                          unsigned *unused);
/* BIT STRING whose unused-bits count must be 0 (keys, signatures). */
CAPTLS_MUST_CHECK captls_result captls_der_read_bit_octets(captls_der *d,
                                                          captls_slice *bytes);
CAPTLS_MUST_CHECK captls_result captls_der_read_octet_string(captls_der *d,
                                                            captls_slice *s);
/* One of the character string types; out->tag says which. */
CAPTLS_MUST_CHECK captls_result captls_der_read_string(captls_der *d,
                                                      captls_der_tlv *out);
/* UTCTime or GeneralizedTime as seconds since 1970-01-01T00:00:00Z. */
CAPTLS_MUST_CHECK captls_result captls_der_read_time(captls_der *d,
                                                    int64_t *epoch);

/* ---- element checks usable on slices --------------------------------- */

/* Validates INTEGER contents (non-empty, minimal). */
CAPTLS_MUST_CHECK captls_result captls_der_check_integer(captls_slice v);
bool captls_der_integer_is_negative(captls_slice v);
/* Validates OID contents (non-empty, minimal base-128 arcs, complete). */
CAPTLS_MUST_CHECK captls_result captls_der_check_oid(captls_slice v);
/* RFC 5280 §4.1.2.5: UTCTime "YYMMDDHHMMSSZ" (YY < 50 -> 20YY, else 19YY)
 * or GeneralizedTime "YYYYMMDDHHMMSSZ"; Z only, no fractions, seconds
 * 00..59, real calendar dates. tag selects the form. */
CAPTLS_MUST_CHECK captls_result captls_der_parse_time(uint32_t tag,
                                                     captls_slice v,
                                                     int64_t *epoch);
/* Byte equality of an OID's contents with a constant. */
bool captls_der_oid_equal(captls_slice oid, const uint8_t *c, size_t clen);
#define CAPTLS_DER_OID_IS(slice, arr) captls_der_oid_equal((slice), (arr), sizeof(arr))

/* Walks a whole DER input iteratively: every TLV at every depth must be
 * well formed (universal primitive types are checked as above: INTEGER,
 * BOOLEAN, NULL, OID, BIT STRING, times), and `len` must hold exactly one
 * element. Returns the number of TLVs seen in *count (may be NULL). */
CAPTLS_MUST_CHECK captls_result captls_der_validate(const uint8_t *data,
                                                   size_t len,
                                                   captls_der_error *err,
                                                   size_t *count);

/* ---- writer ---------------------------------------------------------- */

typedef struct captls_der_writer {
    uint8_t *buf;  /* NULL: count only */
    size_t cap;
    size_t len;    /* bytes the output has so far (may exceed cap) */
    captls_result status; /* first failure (sticky) */
} captls_der_writer;

void captls_der_writer_init(captls_der_writer *w, uint8_t *buf, size_t cap);
/* Bytes written so far: a mark for captls_der_write_wrap. */
size_t captls_der_writer_mark(const captls_der_writer *w);
/* Prepends raw bytes (an already encoded element, or contents). */
void captls_der_write_raw(captls_der_writer *w, const uint8_t *p, size_t n);
/* Prepends a tag and length header for `content_len` bytes. */
void captls_der_write_header(captls_der_writer *w, uint32_t tag,
                             size_t content_len);
/* Wraps everything written since `mark` as the contents of `tag`. */
void captls_der_write_wrap(captls_der_writer *w, uint32_t tag, size_t mark);
/* Prepends a full TLV. */
void captls_der_write_tlv(captls_der_writer *w, uint32_t tag,
                          const uint8_t *p, size_t n);
/* INTEGER from an unsigned big-endian magnitude (leading zeros stripped,
 * sign byte added as needed; n == 0 encodes zero). */
void captls_der_write_uint(captls_der_writer *w, const uint8_t *mag,
                           size_t n);
void captls_der_write_int64(captls_der_writer *w, int64_t v);
void captls_der_write_bool(captls_der_writer *w, bool v);
void captls_der_write_null(captls_der_writer *w);
/* OID from its contents octets (not validated: use constants). */
void captls_der_write_oid(captls_der_writer *w, const uint8_t *oid,
                          size_t n);
void captls_der_write_octet_string(captls_der_writer *w, const uint8_t *p,
                                   size_t n);
/* BIT STRING of n bytes whose last `unused` bits (0..7) are padding. */
void captls_der_write_bit_string(captls_der_writer *w, const uint8_t *p,
                                 size_t n, unsigned unused);
/* OK: the output is moved to buf[0..*len). BUFFER_TOO_SMALL: *len is the
 * size needed. Other errors: a bad argument was written (e.g. a tag number
 * above the bound, LIMIT_EXCEEDED for a length above the bound). */
CAPTLS_MUST_CHECK captls_result captls_der_writer_finish(captls_der_writer *w,
                                                        size_t *len);

#endif
