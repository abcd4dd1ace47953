/* core/tls/extensions.h — internal to the message codecs (core/tls/msg_*.c):
 * walking an extension block and the RFC 8446 §4.2 table of which message
 * may carry which extension.
 *
 * Contract. The iterator borrows the block (the bytes after its 2-byte
 * length) and keeps the types seen so far in a fixed array, so duplicate
 * detection costs no allocation and at most CAPTLS_TLS_MAX_EXTENSIONS^2
 * comparisons. A block with more extensions than that is refused with
 * ILLEGAL_PARAMETER (no client sends more than ~25; a bound keeps the
 * duplicate check cheap on hostile input). It checks structure and
 * duplicates only; what an extension means is the caller's.
 */
#ifndef CAPTLS_TLS_EXTENSIONS_H
#define CAPTLS_TLS_EXTENSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tls/msg.h"

#define CAPTLS_TLS_MAX_EXTENSIONS 64u

typedef struct captls_tls_ext_iter {
    captls_tls_reader r;
    size_t nseen;
    uint16_t seen[CAPTLS_TLS_MAX_EXTENSIONS];
} captls_tls_ext_iter;

void captls_tls_ext_iter_init(captls_tls_ext_iter *it, captls_slice block);

/* Next extension: CAPTLS_OK with *type and *data set, CAPTLS_EOF at the end of
 * the block, DECODE_ERROR if an extension's length runs past the block,
 * ILLEGAL_PARAMETER for a type already seen in this block (RFC 8446 §4.2)
 * or a block of more than CAPTLS_TLS_MAX_EXTENSIONS extensions. */
CAPTLS_MUST_CHECK captls_result captls_tls_ext_next(captls_tls_ext_iter *it,
                                                     uint16_t *type,
                                                     captls_slice *data);

/* Messages of the RFC 8446 §4.2 table ("TLS 1.3" column). */
enum {
    CAPTLS_EXT_IN_CH = 1u << 0,
    CAPTLS_EXT_IN_SH = 1u << 1,
    CAPTLS_EXT_IN_HRR = 1u << 2,
    CAPTLS_EXT_IN_EE = 1u << 3,
    CAPTLS_EXT_IN_CT = 1u << 4,
    CAPTLS_EXT_IN_CR = 1u << 5,
    CAPTLS_EXT_IN_NST = 1u << 6,
};

/* 0 if captls does not recognize `type`; else the CAPTLS_EXT_IN_* mask of
 * the messages that may carry it. RFC 8446 §4.2: "If an implementation
 * receives an extension which it recognizes and which is not specified for
 * the message in which it appears, it MUST abort the handshake with an
 * "illegal_parameter" alert." */
unsigned captls_tls_ext_allowed_in(uint16_t type);

/* The alert for an extension a decoder does not process in message `in`
 * (one CAPTLS_EXT_IN_* bit), when the receiver is a client (server
 * messages): recognized but not allowed there → ILLEGAL_PARAMETER; anything
 * else → UNSUPPORTED_EXTENSION (RFC 8446 §4.2: "Implementations MUST NOT
 * send extension responses if the remote endpoint did not send the
 * corresponding extension requests ... Upon receiving such an extension,
 * an endpoint MUST abort the handshake with an "unsupported_extension"
 * alert.") — captls offers only the extensions its decoders process. */
captls_result captls_tls_ext_refuse(uint16_t type, unsigned in);

/* A u16 list vector body (supported_groups, signature_algorithms, ...):
 * 2-byte length within [min, max], even, filling `data` exactly. Returns
 * the list contents, or {NULL,0} with *ok = false. */
captls_slice captls_tls_ext_u16_list(captls_slice data, size_t min, size_t max,
                                     bool *ok);

#endif
