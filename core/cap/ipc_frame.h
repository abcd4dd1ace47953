/* core/cap/ipc_frame.h — IPC message framing: encode and strictly decode.
 *
 * One frame is one message between services (a call, its return, or an
 * error return). Wire format, all integers big-endian:
 *
 *   offset size field
 *   0      4    total length of the frame in bytes, header included
 *   4      2    magic 0xCA 0x9F
 *   6      1    version (1)
 *   7      1    kind: 1 call, 2 return, 3 error
 *   8      4    interface id (core/cap/interface_ids.h)
 *   12     2    method id
 *   14     2    cap count n (0..CAPTLS_IPC_MAX_CAPS)
 *   16     4    request id (pairs a return with its call)
 *   20     4    status: 0 for call/return, a captls_result for error
 *   24     4*n  cap handles, in the sender's cap table
 *   24+4n  ...  payload (the method's arguments or results)
 *
 * A frame is at most CAPTLS_IPC_MAX_FRAME bytes. The decoder is strict: bad
 * magic or version, unknown kind, a length below the header or above the
 * maximum, a cap count above the maximum or past the length, a NULL cap
 * handle, a status on a non-error frame or CAPTLS_OK on an error frame are
 * all CAPTLS_ERR_MALFORMED. Decoding never writes *out unless it returns
 * CAPTLS_OK, so a rejected frame has no side effect. A decoded frame borrows
 * its payload from the input buffer (no copy): it is valid while that buffer
 * is. Input shorter than a whole frame (but not yet wrong) is
 * CAPTLS_NEED_MORE with *need set to the total size required, so a stream
 * reader can wait for exactly that many bytes.
 *
 * Cap handles in a frame are the sender's; captls_ipc_transfer_caps grants
 * them to the receiver all-or-nothing.
 */
#ifndef CAPTLS_CAP_IPC_FRAME_H
#define CAPTLS_CAP_IPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/cap/cap_table.h"

#define CAPTLS_IPC_HEADER_SIZE 24u
#define CAPTLS_IPC_MAX_CAPS 8u
#define CAPTLS_IPC_MAX_FRAME 65536u
#define CAPTLS_IPC_VERSION 1u

typedef enum captls_ipc_kind {
    CAPTLS_IPC_CALL = 1,
    CAPTLS_IPC_RETURN = 2,
    CAPTLS_IPC_ERROR = 3,
} captls_ipc_kind;

typedef struct captls_ipc_frame {
    captls_ipc_kind kind;
    captls_interface_id iface;
    uint16_t method;
    uint32_t request_id;
    uint32_t status; /* a captls_result on CAPTLS_IPC_ERROR, else 0 */
    uint16_t ncaps;
    captls_cap_handle caps[CAPTLS_IPC_MAX_CAPS];
    const uint8_t *payload; /* borrowed */
    size_t payload_len;
} captls_ipc_frame;

/* Writes the frame into out[0..cap); *len is its size. Refuses (MALFORMED)
 * what the decoder would refuse, and BUFFER_TOO_SMALL with *len = size
 * needed. */
CAPTLS_MUST_CHECK captls_result captls_ipc_frame_encode(
    const captls_ipc_frame *f, uint8_t *out, size_t cap, size_t *len);

/* Decodes the frame at the start of in[0..len). On CAPTLS_OK, *consumed is
 * the frame's size (bytes after it belong to the next frame). On
 * CAPTLS_NEED_MORE, *consumed is the total size needed (or the header size
 * when the length field itself is incomplete). */
CAPTLS_MUST_CHECK captls_result captls_ipc_frame_decode(
    const uint8_t *in, size_t len, captls_ipc_frame *out, size_t *consumed);

/* Grants the frame's caps from sender to receiver (captls_cap_grant for
 * each: the handle must be the sender's, live, with CAPTLS_RIGHT_GRANT) and
 * rewrites f->caps to the receiver's handles. All or nothing: on any error
 * no handle is created and f is unchanged. */
CAPTLS_MUST_CHECK captls_result captls_ipc_transfer_caps(
    captls_cap_table *t, captls_cap_owner from, captls_cap_owner to,
    captls_ipc_frame *f);

#endif
