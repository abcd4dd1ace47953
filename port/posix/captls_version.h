/* port/posix/captls_version.h — the one place the version is defined.
 *
 * CAPTLS_BEARSSL_VERSION names the BearSSL release the build links
 * (Debian's libbearssl-dev, linked statically from libbearssl.a). BearSSL
 * has no version symbol to ask at run time, so this string must follow the
 * package ci/deps.sh installs.
 */
#ifndef CAPTLS_PORT_POSIX_CAPTLS_VERSION_H
#define CAPTLS_PORT_POSIX_CAPTLS_VERSION_H

#define CAPTLS_VERSION "0.1.0"
#define CAPTLS_BEARSSL_VERSION "0.6"

#endif
