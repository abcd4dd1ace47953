/* core/crypto/md_buffer.h — the input buffering of a Merkle-Damgård hash
 * (FIPS 180-4's SHA-2), shared by captls's own hash classes (sha256_ni.c,
 * sha512_avx2.c; internal to core/crypto).
 *
 * Contract: captls_md_update() appends len bytes to a hash whose context
 * keeps a partial block in buf (block bytes, a power of two), the total
 * byte count in *count and the chaining state behind `state`; whole blocks
 * go to blocks(state, p, n), straight from data when they can, and what is
 * left waits in buf. Nothing fails; timing depends on lengths only.
 */
#ifndef CAPTLS_CRYPTO_MD_BUFFER_H
#define CAPTLS_CRYPTO_MD_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*captls_md_blocks_fn)(void *state, const uint8_t *p, size_t n);

static inline void captls_md_update(uint8_t *buf, size_t block,
                                    uint64_t *count, void *state,
                                    captls_md_blocks_fn blocks,
                                    const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t ptr = (size_t)*count & (block - 1);

    if (len == 0)
        return;
    *count += len;
    if (ptr != 0) {
        size_t take = block - ptr;

        if (take > len)
            take = len;
        memcpy(buf + ptr, p, take);
        p += take;
        len -= take;
        ptr += take;
        if (ptr < block)
            return;
        blocks(state, buf, 1);
    }
    if (len >= block) {
        blocks(state, p, len / block);
        p += len & ~(block - 1);
        len &= block - 1;
    }
    if (len > 0)
        memcpy(buf, p, len);
}

#endif
