/* Fuzz harness: the chain corpus reader (conformance/chains_corpus.c), the
 * host-only parser of build/vectors/chains/cases.txt.
 *
 * Properties beyond "no crash, no leak": a successful parse yields cases
 * whose fields respect the documented bounds (counts, DER sizes, maxchain
 * 1..255, NUL-terminated tokens); a failed parse returns no cases and a
 * message. Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/chains_corpus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chains_corpus c;
    char err[200];
    err[0] = '\0';
    if (chains_corpus_parse((const char *)data, size, &c, err, sizeof(err)) != 0) {
        if (c.cases || c.count || err[0] == '\0')
            abort();
        return 0;
    }
    for (size_t i = 0; i < c.count; i++) {
        const chains_case *k = &c.cases[i];
        if (k->nroots > CHAINS_MAX_ROOTS || k->npool > CHAINS_MAX_POOL ||
            k->maxchain < 1 || k->maxchain > 255 || k->leaf.len == 0 ||
            k->leaf.len > CHAINS_MAX_DER || !memchr(k->category, 0, sizeof(k->category)) ||
            !memchr(k->host, 0, sizeof(k->host)) || k->expect[0] == '\0')
            abort();
        for (size_t j = 0; j < k->npool; j++)
            if (k->pool[j].len == 0 || k->pool[j].len > CHAINS_MAX_DER)
                abort();
    }
    chains_corpus_free(&c);
    return 0;
}
