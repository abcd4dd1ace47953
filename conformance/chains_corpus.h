/* conformance/chains_corpus.h — the chain corpus that vectors/chains/
 * gen_chains.py writes (build/vectors/chains/cases.txt, bench.txt), read
 * into memory for the differential runner and the chain bench.
 *
 * Host-only (conformance/ may allocate). The format is one field per line,
 * a case ending with `end` (see gen_chains.py's docstring):
 *   case ID CATEGORY / expect ok|REASON / host NAME|none / ip ADDR /
 *   purpose NAME / at EPOCH / maxchain N / root HEX / pool HEX /
 *   preset NAME VERDICT (optional, one per preset name) / leaf HEX / end
 * Lines starting with `#` and blank lines are ignored. Parsing is strict
 * and bounded: an unknown keyword, a missing field, bad hex, a token longer
 * than its field, more than CHAINS_MAX_ROOTS roots or CHAINS_MAX_POOL pool
 * certificates, or a certificate above CHAINS_MAX_DER bytes is an error
 * naming the line. On error nothing is returned (no partial corpus).
 */
#ifndef CAPTLS_CONFORMANCE_CHAINS_CORPUS_H
#define CAPTLS_CONFORMANCE_CHAINS_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The generator puts at most a handful of roots and 9 intermediates plus
 * noise in a case; these bound a hostile file. */
#define CHAINS_MAX_ROOTS 16u
#define CHAINS_MAX_POOL 32u
#define CHAINS_MAX_DER 16384u
#define CHAINS_MAX_CASES 100000u

typedef struct chains_blob {
    uint8_t *der;
    size_t len;
} chains_blob;

/* A per-preset expected verdict (`preset NAME VERDICT`, gen_profile.py). */
#define CHAINS_MAX_PRESETS 4u
typedef struct chains_preset {
    char name[24];        /* webPkiStrict | webPkiLenient | privateMtls | ... */
    char expect[32];      /* "ok" or a FailureReason name */
} chains_preset;

typedef struct chains_case {
    unsigned id;
    char category[64];
    char expect[32];      /* "ok" or a FailureReason name */
    char host[256];       /* host name or IP literal; "" = none */
    bool is_ip;
    char purpose[24];     /* serverAuth | clientAuth | codeSigning | ... */
    int64_t at;
    unsigned maxchain;    /* certificates, leaf and anchor included */
    chains_blob roots[CHAINS_MAX_ROOTS];
    size_t nroots;
    chains_blob pool[CHAINS_MAX_POOL];
    size_t npool;
    chains_blob leaf;
    chains_preset presets[CHAINS_MAX_PRESETS];
    size_t npresets;
} chains_case;

typedef struct chains_corpus {
    chains_case *cases;
    size_t count;
} chains_corpus;

/* Parses text[0..len). Returns 0, or -1 with a message in err. */
int chains_corpus_parse(const char *text, size_t len, chains_corpus *out,
                        char *err, size_t errlen);
/* Reads and parses a file. Returns 0, or -1 with a message in err. */
int chains_corpus_load(const char *path, chains_corpus *out, char *err,
                       size_t errlen);
void chains_corpus_free(chains_corpus *c);

#endif
