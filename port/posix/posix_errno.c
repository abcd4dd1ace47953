/* See posix_port.h (error mapping). */
#include <errno.h>

#include "port/posix/posix_port.h"

captls_result captls_posix_result_from_errno(int err)
{
    switch (err) {
    case 0: return CAPTLS_OK;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS: return CAPTLS_WOULD_BLOCK;
    case ECONNREFUSED: return CAPTLS_ERR_CONN_REFUSED;
    case ECONNRESET:
    case EPIPE: return CAPTLS_ERR_CONN_RESET;
    case ENOTCONN: return CAPTLS_ERR_NOT_CONNECTED;
    case ETIMEDOUT: return CAPTLS_ERR_TIMEOUT;
    case EADDRINUSE: return CAPTLS_ERR_ADDR_IN_USE;
    case EADDRNOTAVAIL:
    case EAFNOSUPPORT: return CAPTLS_ERR_ADDR_INVALID;
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return CAPTLS_ERR_DISK_FULL;
    case ENOENT: return CAPTLS_ERR_NOT_FOUND;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM: return CAPTLS_ERR_LIMIT_EXCEEDED;
    default: return CAPTLS_ERR_IO;
    }
}
