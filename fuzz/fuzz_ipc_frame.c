/* Fuzz harness: the IPC frame decoder (core/cap/ipc_frame.c).
 *
 * Properties checked beyond "no crash": a decoded frame re-encodes to the
 * exact bytes it came from; a rejected frame leaves the output untouched;
 * NEED_MORE always asks for more than it was given; and granting a decoded
 * frame's caps through a table is all-or-nothing. Builds for libFuzzer and,
 * unchanged, for AFL++ (afl-clang-fast -fsanitize=fuzzer). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap/ipc_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t reencoded[CAPTLS_IPC_MAX_FRAME];

static void check_transfer(const captls_ipc_frame *f)
{
    captls_cap_slot slots[6];
    captls_cap_table t;
    captls_cap_handle h;
    static int object;
    if (captls_cap_table_init(&t, slots, 6) != CAPTLS_OK)
        abort();
    /* two real handles for owner 1; frames naming them transfer */
    if (captls_cap_mint(&t, 1, CAPTLS_IFACE_ECHO, &object, CAPTLS_RIGHTS_ALL,
                        &h) != CAPTLS_OK ||
        captls_cap_mint(&t, 1, CAPTLS_IFACE_NOTIFIER, &object,
                        CAPTLS_RIGHT_CALL, &h) != CAPTLS_OK)
        abort();
    captls_ipc_frame copy = *f;
    uint32_t live = captls_cap_table_live(&t);
    captls_result r = captls_ipc_transfer_caps(&t, 1, 2, &copy);
    if (r == CAPTLS_OK) {
        if (captls_cap_table_live(&t) != live + f->ncaps)
            abort();
    } else if (captls_cap_table_live(&t) != live ||
               memcmp(&copy, f, sizeof(copy)) != 0) {
        abort(); /* a refused transfer must change nothing */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    /* walk the input as a stream of frames, as a socket reader would */
    while (off < size) {
        captls_ipc_frame f;
        size_t used = 0;
        memset(&f, 0xEE, sizeof(f));
        captls_result r = captls_ipc_frame_decode(data + off, size - off, &f,
                                                  &used);
        if (r == CAPTLS_NEED_MORE) {
            if (used <= size - off)
                abort();
            return 0;
        }
        if (r != CAPTLS_OK) {
            if (f.method != 0xEEEE)
                abort(); /* output written on a rejected frame */
            return 0;
        }
        size_t len = 0;
        if (captls_ipc_frame_encode(&f, reencoded, sizeof(reencoded), &len) !=
                CAPTLS_OK ||
            len != used || memcmp(reencoded, data + off, len) != 0)
            abort();
        check_transfer(&f);
        off += used;
    }
    return 0;
}
