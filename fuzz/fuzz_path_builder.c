/* Fuzz harness: the path builder and validator (core/verify/).
 *
 * Input: byte 0 = number of anchors among the certificates, byte 1 = a
 * pool multiplier (each pool certificate appears 1..16 times: hostile
 * same-name pools), byte 2 = flags (bit 0: check host www.example.com,
 * bit 1: use a signature cache, bit 2: untrusted clock); then records
 * [u16 big-endian length][certificate DER], at most 16. Record 0 is the
 * leaf, the next `anchors` records the anchors, the rest the pool.
 * Records that do not parse are dropped. Seeds (fuzz/corpus/path_builder)
 * are real chains from vectors/verify, so mutations keep most certificates
 * parseable and signatures valid.
 * Properties beyond "no crash": the work stays within the budgets
 * (signatures, candidates, name comparisons); a valid outcome has a path
 * that starts at the leaf, whose pool indices are in range and whose
 * consecutive certificates chain by name; an invalid outcome has a reason
 * inside the enum and a NUL-terminated detail. Builds for libFuzzer/AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/verify/verify_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 16
static captls_certificate certs[MAXREC];
static const captls_certificate *anchors[MAXREC];
static const captls_certificate *pool[MAXREC * 16];
static captls_verify_scratch scratch;
static captls_sig_cache_entry cache_mem[32];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t want_anchors = data[0] % 4;
    size_t mult = (size_t)(data[1] % 16) + 1;
    uint8_t flags = data[2];
    size_t pos = 3, n = 0;
    while (n < MAXREC && pos + 2 <= size) {
        size_t len = ((size_t)data[pos] << 8) | data[pos + 1];
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        if (captls_certificate_parse(&certs[n], data + pos, len, NULL) ==
            CAPTLS_OK)
            n++;
        pos += len;
    }
    if (n == 0)
        return 0;
    size_t na = 0, np = 0;
    for (size_t i = 1; i < n; i++) {
        if (na < want_anchors)
            anchors[na++] = &certs[i];
        else
            for (size_t k = 0; k < mult; k++)
                pool[np++] = &certs[i];
    }
    captls_anchor_cert_list list = {anchors, na};
    captls_verify_input in;
    memset(&in, 0, sizeof in);
    in.leaf = &certs[0];
    in.intermediates = pool;
    in.intermediate_count = np;
    captls_anchor_source_from_certs(&in.anchors, &list, 1);
    in.policy = captls_policy_web_pki_lenient();
    in.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    in.at_epoch_seconds = 1750000000;
    in.clock_provenance = (flags & 4) ? CAPTLS_CLOCK_UNTRUSTED
                                      : CAPTLS_CLOCK_TRUSTED;
    if (flags & 1) {
        in.hostname = "www.example.com";
        in.hostname_len = 15;
    }
    captls_sig_cache cache;
    if (flags & 2) {
        captls_sig_cache_init(&cache, cache_mem, 32, 1);
        in.cache = &cache;
    }
    captls_verification_outcome out;
    for (int round = 0; round < ((flags & 2) ? 2 : 1); round++) {
        if (captls_verify_chain(&in, &scratch, &out) != CAPTLS_OK)
            abort();
        if (out.sig_checks > CAPTLS_VERIFY_MAX_SIG_CHECKS ||
            out.candidates > CAPTLS_VERIFY_MAX_CANDIDATES ||
            out.name_compares > CAPTLS_VERIFY_MAX_NAME_COMPARES)
            abort();
        if (out.valid) {
            if (out.path_len < 1 || out.path_len > CAPTLS_VERIFY_MAX_PATH ||
                out.path[0] != in.leaf)
                abort();
            for (size_t i = 1; i < out.path_len; i++) {
                if (out.path_index[i] >= np ||
                    pool[out.path_index[i]] != out.path[i] ||
                    !captls_x509_name_equal(&out.path[i]->subject,
                                            &out.path[i - 1]->issuer))
                    abort();
            }
        } else {
            if ((unsigned)out.reason >= CAPTLS_FAIL_COUNT ||
                memchr(out.detail, 0, sizeof out.detail) == NULL)
                abort();
        }
    }
    return 0;
}
