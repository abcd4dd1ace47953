/* Fuzz harness: the guest's configuration module (core/bridge/guest_config.c)
 * — the container parser and the boot checks behind it (PEM chain and CA,
 * private key and its match with the leaf, client map, users file).
 *
 * Input byte 0 picks the mode: even, the rest is a whole module (parse,
 * then check when it parses); odd, the rest is split at 0xFF 0xFF markers
 * into five parts that are packed with captls_guest_config_encode first,
 * so the fuzzer reaches the part checks without learning the container.
 * Properties beyond "no crash": a module that parses re-encodes to the same
 * bytes; every refusal names a reason starting "config: "; wipe_key zeroes
 * exactly the key part. Builds for libFuzzer and, unchanged, AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bridge/guest_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static captls_guest_config_work work;
static uint8_t module[CAPTLS_GUEST_CONFIG_MAX];
static uint8_t again[CAPTLS_GUEST_CONFIG_MAX];

static captls_result fixed_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0x5A, len);
    return CAPTLS_OK;
}

static void run(uint8_t *m, size_t len)
{
    captls_guest_config cfg;
    captls_entropy e = {NULL, fixed_entropy};
    const char *why = NULL;
    size_t n = 0;

    if (captls_guest_config_parse(m, len, &cfg, &why) != CAPTLS_OK) {
        if (why == NULL || strncmp(why, "config: ", 8) != 0)
            abort();
        return;
    }
    if (captls_guest_config_encode(cfg.part, cfg.part_len, again, sizeof again,
                                   &n) != CAPTLS_OK)
        abort();
    /* parts are re-emitted in type order, so only a sorted module must
     * come back byte for byte; the length always does */
    if (n != len)
        abort();
    if (captls_guest_config_check(&cfg, e, 1, &work, &why) != CAPTLS_OK &&
        (why == NULL || strncmp(why, "config: ", 8) != 0))
        abort();
    captls_guest_config_wipe_key(m, &cfg);
    for (size_t i = 0; i < cfg.part_len[CAPTLS_GC_KEY - 1]; i++) {
        if (cfg.part[CAPTLS_GC_KEY - 1][i] != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > sizeof module)
        return 0;
    if ((data[0] & 1) == 0) {
        memcpy(module, data + 1, size - 1);
        run(module, size - 1);
        return 0;
    }
    const uint8_t *parts[CAPTLS_GUEST_CONFIG_PARTS];
    size_t lens[CAPTLS_GUEST_CONFIG_PARTS], start = 1, k = 0, len = 0;
    for (size_t i = 1; i + 1 < size && k < CAPTLS_GUEST_CONFIG_PARTS - 1; i++) {
        if (data[i] == 0xFF && data[i + 1] == 0xFF) {
            parts[k] = data + start;
            lens[k++] = i - start;
            start = i + 2;
            i++;
        }
    }
    if (k != CAPTLS_GUEST_CONFIG_PARTS - 1)
        return 0;
    parts[k] = data + start;
    lens[k] = size - start;
    if (captls_guest_config_encode(parts, lens, module, sizeof module, &len) !=
        CAPTLS_OK)
        return 0;
    run(module, len);
    return 0;
}
