/* core/crypto/test_vectors.h — helpers shared by the core/crypto unit tests
 * (host only, never compiled into core/: only test_*.c include it).
 * Reads the vectors/ files: "case: N" blocks of "Key: hex" lines, and
 * RFC 8448 style "<step> / <field>: <hex>" lines. Aborts the test on a
 * missing file or bad hex (tests run from the repository root). */
#ifndef CAPTLS_CRYPTO_TEST_VECTORS_H
#define CAPTLS_CRYPTO_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TV_MAX_FIELDS 16

typedef struct tv_field {
    char key[64];
    uint8_t *val;
    size_t len;
} tv_field;

typedef struct tv_case {
    char name[32];
    tv_field f[TV_MAX_FIELDS];
    size_t n;
} tv_case;

static inline int tv_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex (whitespace trimmed at the ends) into a malloc'd buffer. */
static inline uint8_t *tv_unhex(const char *s, size_t *len)
{
    size_t n;
    uint8_t *out;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (n % 2 != 0) {
        fprintf(stderr, "tv: odd hex length\n");
        abort();
    }
    out = malloc(n / 2 + 1);
    if (out == NULL)
        abort();
    for (size_t i = 0; i < n / 2; i++) {
        int hi = tv_hexval(s[2 * i]), lo = tv_hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "tv: bad hex '%s'\n", s);
            abort();
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

/* Decodes hex into out[0..cap); returns the byte count (more than cap
 * aborts). */
static inline size_t tv_hex_to(const char *s, uint8_t *out, size_t cap)
{
    size_t n;
    uint8_t *b = tv_unhex(s, &n);
    if (n > cap) {
        fprintf(stderr, "tv: want at most %zu bytes, got %zu\n", cap, n);
        abort();
    }
    memcpy(out, b, n);
    free(b);
    return n;
}

/* Decodes hex of exactly len bytes into out. */
static inline void tv_hex_into(const char *s, uint8_t *out, size_t len)
{
    size_t n;
    uint8_t *b = tv_unhex(s, &n);
    if (n != len) {
        fprintf(stderr, "tv: want %zu bytes, got %zu\n", len, n);
        abort();
    }
    memcpy(out, b, n);
    free(b);
}

/* Loads "case:" blocks; returns the number of cases. */
static inline size_t tv_load(const char *path, tv_case *cases, size_t max)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0;
    tv_case *cur = NULL;

    if (f == NULL) {
        fprintf(stderr, "tv: cannot open %s (run from the repo root)\n", path);
        abort();
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        if (strcmp(line, "case") == 0) {
            if (n == max)
                abort();
            cur = &cases[n++];
            memset(cur, 0, sizeof *cur);
            colon[1 + strcspn(colon + 1, "\r\n")] = '\0';
            if (strlen(colon + 1) >= sizeof cur->name)
                abort();
            memcpy(cur->name, colon + 1, strlen(colon + 1) + 1);
            continue;
        }
        if (cur == NULL || cur->n == TV_MAX_FIELDS)
            abort();
        if (strlen(line) >= sizeof cur->f[0].key)
            abort();
        memcpy(cur->f[cur->n].key, line, strlen(line) + 1);
        if (strcmp(line, "L") == 0) {
            /* decimal length, stored in len with no bytes */
            cur->f[cur->n].val = NULL;
            cur->f[cur->n].len = (size_t)strtoul(colon + 1, NULL, 10);
        } else {
            cur->f[cur->n].val = tv_unhex(colon + 1, &cur->f[cur->n].len);
        }
        cur->n++;
    }
    fclose(f);
    return n;
}

static inline const tv_field *tv_get(const tv_case *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->f[i].key, key) == 0)
            return &c->f[i];
    fprintf(stderr, "tv: case %s has no %s\n", c->name, key);
    abort();
}

static inline void tv_free(tv_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < cases[i].n; j++)
            free(cases[i].f[j].val);
}

/* RFC 8448 file: value of the line "<label>: hex" (label is everything
 * before the last ": "). Returns a malloc'd buffer. */
static inline uint8_t *tv_8448(const char *path, const char *label,
                               size_t *len)
{
    FILE *f = fopen(path, "r");
    char line[8192];

    if (f == NULL)
        abort();
    while (fgets(line, sizeof line, f) != NULL) {
        char *sep = NULL, *p = line;
        while ((p = strstr(p, ": ")) != NULL)
            sep = p++;
        if (sep == NULL || line[0] == '#')
            continue;
        *sep = '\0';
        if (strcmp(line, label) == 0) {
            fclose(f);
            return tv_unhex(sep + 2, len);
        }
    }
    fclose(f);
    fprintf(stderr, "tv: no '%s' in %s\n", label, path);
    abort();
}

#endif
