/* Fuzz harness: session-ticket open (core/tls/ticket_key.c) with fixed
 * keys (a deterministic entropy source: insecure by design, fuzzing only).
 *
 * The object holds a current and a previous key (init, then one rotate).
 * Properties beyond "no crash": open() either succeeds with plain_len ==
 * len - 44, or fails with AUTH_FAILED / BUFFER_TOO_SMALL leaving plain_len
 * untouched, the bytes past the ciphertext untouched and the ciphertext
 * region all zero or untouched (no unauthenticated plaintext); a ticket
 * that opens re-seals and opens again to the same plaintext. The seed
 * corpus holds one ticket sealed under each key (the first entropy draws
 * below). Builds for libFuzzer and AFL++. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls/ticket_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counter-driven bytes: the same sequence every process. */
static captls_result fixed_fill(void *ctx, uint8_t *out, size_t len)
{
    uint32_t *x = ctx;
    for (size_t i = 0; i < len; i++) {
        *x = *x * 1103515245u + 12345u;
        out[i] = (uint8_t)(*x >> 16);
    }
    return CAPTLS_OK;
}

static captls_tls_ticket_keys keys;
static uint32_t state;

static void init_keys(void)
{
    static int done;
    if (done)
        return;
    captls_entropy e = {&state, fixed_fill};
    if (captls_tls_ticket_keys_init(&keys, e) != CAPTLS_OK ||
        captls_tls_ticket_keys_rotate(&keys) != CAPTLS_OK)
        abort();
    done = 1;
}

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t plain[CAP], again[CAP + 64], plain2[CAP];
    size_t pl = 0xDEAD, cap = CAP;
    init_keys();
    /* a small output buffer sometimes, driven by the input length */
    if (size > 44 && (size & 7) == 3)
        cap = size - 45;
    memset(plain, 0xEE, sizeof(plain));
    captls_result r = captls_tls_ticket_keys_open(&keys, data, size, plain, cap, &pl);
    size_t ct = size >= 44 ? size - 44 : 0;
    if (r == CAPTLS_OK) {
        if (pl != ct)
            abort();
        for (size_t i = ct; i < CAP; i++)
            if (plain[i] != 0xEE)
                abort();
        size_t tl = 0, pl2 = 0;
        if (captls_tls_ticket_keys_seal(&keys, plain, pl, again, sizeof(again), &tl) !=
                CAPTLS_OK ||
            tl != size ||
            captls_tls_ticket_keys_open(&keys, again, tl, plain2, sizeof(plain2), &pl2) !=
                CAPTLS_OK ||
            pl2 != pl || memcmp(plain, plain2, pl) != 0)
            abort();
        return 0;
    }
    if (r != CAPTLS_ERR_AUTH_FAILED && r != CAPTLS_ERR_BUFFER_TOO_SMALL)
        abort();
    if (pl != 0xDEAD)
        abort();
    bool zero = true, untouched = true;
    for (size_t i = 0; i < CAP; i++) {
        if (i < ct && i < cap) {
            zero = zero && plain[i] == 0;
            untouched = untouched && plain[i] == 0xEE;
        } else if (plain[i] != 0xEE) {
            abort();
        }
    }
    if (!zero && !untouched)
        abort();
    return 0;
}
