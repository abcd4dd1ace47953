/* Fuzz harness: the strict DER reader and writer (core/base/der.c).
 *
 * Properties beyond "no crash": captls_der_validate accepts an input only if
 * an iterative walk re-encodes every TLV header byte for byte with the
 * writer (DER has one encoding per value, so an accepted input must be
 * canonical); typed readers that fail never move the cursor nor write their
 * output; an accepted input re-encoded through the writer from the walk's
 * primitives reproduces the input. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_header(const captls_der_tlv *t)
{
    uint8_t h[16];
    size_t len;
    captls_der_writer w;
    captls_der_writer_init(&w, h, sizeof(h));
    captls_der_write_header(&w, t->tag, t->value.len);
    if (captls_der_writer_finish(&w, &len) != CAPTLS_OK ||
        len != t->raw.len - t->value.len || memcmp(h, t->raw.ptr, len) != 0)
        abort(); /* accepted a header that is not the canonical one */
}

/* Every typed reader on the same cursor: failure must not move it. */
static void try_readers(const captls_der *d)
{
    captls_der c = *d, sub;
    captls_slice s = {NULL, 12345};
    captls_der_tlv t;
    int64_t v = 7;
    bool b = false, here;
    unsigned u = 99;
#define SAME(call, cond)                                                       \
    do {                                                                       \
        c = *d;                                                                \
        s.ptr = NULL;                                                          \
        s.len = 12345;                                                         \
        v = 7;                                                                 \
        b = false;                                                             \
        u = 99;                                                                \
        if ((call) != CAPTLS_OK && (c.pos != d->pos || !(cond)))               \
            abort();                                                           \
    } while (0)
    SAME(captls_der_read_int64(&c, &v), v == 7);
    SAME(captls_der_read_uint(&c, &s), s.len == 12345);
    SAME(captls_der_read_integer(&c, &s), s.len == 12345);
    SAME(captls_der_read_bool(&c, &b), !b);
    SAME(captls_der_read_null(&c), true);
    SAME(captls_der_read_oid(&c, &s), s.len == 12345);
    SAME(captls_der_read_bit_string(&c, &s, &u), u == 99);
    SAME(captls_der_read_bit_octets(&c, &s), s.len == 12345);
    SAME(captls_der_read_octet_string(&c, &s), s.len == 12345);
    SAME(captls_der_read_time(&c, &v), v == 7);
    SAME(captls_der_read_string(&c, &t), true);
    SAME(captls_der_enter(&c, CAPTLS_DER_SEQUENCE, &sub), true);
    SAME(captls_der_enter_optional(&c, CAPTLS_DER_CONTEXT(0), &sub, &here), true);
#undef SAME
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_der_error err;
    size_t count = 0;
    captls_result r = captls_der_validate(data, size, &err, &count);
    if (r != CAPTLS_OK) {
        if (err.code != r || err.offset > size || err.reason == NULL)
            abort();
    }
    /* Walk with an explicit stack; check headers and typed readers. */
    captls_der stack[CAPTLS_DER_MAX_DEPTH + 1];
    size_t top = 0, seen = 0;
    captls_der_init(&stack[0], data, size, NULL);
    for (;;) {
        captls_der *c = &stack[top];
        if (captls_der_at_end(c)) {
            if (top == 0)
                break;
            top--;
            continue;
        }
        try_readers(c);
        captls_der_tlv t;
        if (captls_der_read(c, &t) != CAPTLS_OK)
            break;
        seen++;
        check_header(&t);
        if (CAPTLS_DER_TAG_CONSTRUCTED(t.tag)) {
            if (captls_der_open(c, &t, &stack[top + 1]) != CAPTLS_OK)
                break;
            top++;
        }
    }
    if (r == CAPTLS_OK && seen != count)
        abort(); /* the walk and the validator disagree */
    return 0;
}
