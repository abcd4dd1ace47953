/* Fuzz harness: the strict JSON parser and canonical writer
 * (core/acme/json.c).
 *
 * Properties beyond "no crash": on success the token tree is consistent
 * (every subtree ends inside its parent, sizes match the children);
 * re-serializing with captls_json_copy gives a document that parses again
 * to an equal tree (same types and sizes, equal unescaped strings, equal
 * number text), and re-serializing that gives the same bytes (the writer's
 * output is a fixed point). Every accessor runs on every token. On failure
 * the error position lies inside the input. Builds for libFuzzer and
 * AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acme/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NTOK 4096
static captls_json_token t1[NTOK], t2[NTOK];
static char out1[1 << 18], out2[1 << 18];
static uint8_t s1[1 << 16], s2[1 << 16];

static void check_tree(const captls_json_doc *d)
{
    size_t n = d->count;
    if (n == 0 || d->tok[0].next != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        const captls_json_token *t = &d->tok[i];
        if (t->next <= i || t->next > n || t->end < t->start || t->end > d->len)
            abort();
        if (t->type == CAPTLS_JSON_OBJECT || t->type == CAPTLS_JSON_ARRAY) {
            size_t c = i + 1, k = 0;
            while (c < t->next) {
                if (t->type == CAPTLS_JSON_OBJECT) {
                    if (d->tok[c].type != CAPTLS_JSON_STRING)
                        abort();
                    c = d->tok[c + 1].next;
                } else {
                    c = d->tok[c].next;
                }
                k++;
            }
            if (c != t->next || k != t->size)
                abort();
        } else if (t->next != i + 1 || t->size != 0) {
            abort();
        }
        /* accessors on every token */
        int64_t iv;
        bool bv;
        size_t len, v;
        (void)captls_json_get_int64(d, i, &iv);
        (void)captls_json_get_bool(d, i, &bv);
        (void)captls_json_is_null(d, i);
        if (t->type == CAPTLS_JSON_STRING) {
            if (captls_json_get_string(d, i, s1, sizeof(s1), &len) != CAPTLS_OK)
                abort();
            if (!captls_json_string_equal(d, i, (const char *)s1, len))
                abort();
        }
        if (t->type == CAPTLS_JSON_OBJECT && t->size > 0) {
            /* the first key finds the first value */
            if (captls_json_get_string(d, i + 1, s1, sizeof(s1), &len) == CAPTLS_OK &&
                (captls_json_object_get(d, i, (const char *)s1, len, &v) != CAPTLS_OK ||
                 v != i + 2))
                abort();
            /* the shortcuts agree with the value's type (keys without NUL) */
            if (memchr(s1, 0, len) == NULL && len < sizeof(s1)) {
                s1[len] = 0;
                size_t tv;
                captls_result r = captls_json_member_typed(
                    d, i, (const char *)s1, (captls_json_type)d->tok[i + 2].type, &tv);
                if (r != CAPTLS_OK || tv != i + 2)
                    abort();
                char key[64];
                size_t kl = len < sizeof(key) - 1 ? len : sizeof(key) - 1;
                memcpy(key, s1, kl);
                key[kl] = 0;
                r = captls_json_member_int64(d, i, key, &iv);
                if (r == CAPTLS_OK && kl == len &&
                    d->tok[i + 2].type != CAPTLS_JSON_NUMBER)
                    abort();
            }
        }
        if (t->type == CAPTLS_JSON_ARRAY && t->size > 0) {
            if (captls_json_array_get(d, i, t->size - 1, &v) != CAPTLS_OK ||
                d->tok[v].next != t->next)
                abort();
        }
    }
}

static void check_equal(const captls_json_doc *a, const captls_json_doc *b)
{
    if (a->count != b->count)
        abort();
    for (size_t i = 0; i < a->count; i++) {
        const captls_json_token *x = &a->tok[i], *y = &b->tok[i];
        if (x->type != y->type || x->size != y->size || x->next != y->next)
            abort();
        if (x->type == CAPTLS_JSON_STRING) {
            size_t l1, l2;
            if (captls_json_get_string(a, i, s1, sizeof(s1), &l1) != CAPTLS_OK ||
                captls_json_get_string(b, i, s2, sizeof(s2), &l2) != CAPTLS_OK ||
                l1 != l2 || memcmp(s1, s2, l1) != 0)
                abort();
        } else if (x->type == CAPTLS_JSON_NUMBER) {
            if (x->end - x->start != y->end - y->start ||
                memcmp(a->text + x->start, b->text + y->start, x->end - x->start))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    captls_json_doc d1, d2;
    captls_json_error e;
    const char *text = (const char *)data;
    captls_result r = captls_json_parse(text, size, t1, NTOK, &d1, &e);
    if (r != CAPTLS_OK) {
        if (e.code != r || e.offset > size || e.reason == NULL || e.line == 0 ||
            d1.count != 0)
            abort();
        return 0;
    }
    check_tree(&d1);
    captls_json_writer w;
    size_t n1, n2;
    captls_json_writer_init(&w, out1, sizeof(out1));
    captls_json_copy(&w, &d1, 0);
    r = captls_json_writer_finish(&w, &n1);
    if (r == CAPTLS_ERR_BUFFER_TOO_SMALL)
        return 0; /* \u0000-heavy input can grow 6x */
    if (r != CAPTLS_OK)
        abort();
    if (captls_json_parse(out1, n1, t2, NTOK, &d2, &e) != CAPTLS_OK)
        abort();
    check_equal(&d1, &d2);
    captls_json_writer_init(&w, out2, sizeof(out2));
    captls_json_copy(&w, &d2, 0);
    if (captls_json_writer_finish(&w, &n2) != CAPTLS_OK || n1 != n2 ||
        memcmp(out1, out2, n1) != 0)
        abort();
    return 0;
}
