/* port/posix/mozilla_roots.h — the Mozilla roots as shipped by Debian.
 *
 * The definitions are GENERATED at build time by ci/gen_roots.py from the
 * installed ca-certificates bundle (/etc/ssl/certs/ca-certificates.crt)
 * into build/gen/mozilla_roots.c; the Makefile links that object into
 * build/captls only. Nothing in core/ depends on it and the guest does not
 * carry it: a program that wants these roots adds them to a TrustStore
 * (core/trust/trust_store.h) it owns.
 *
 * Debian's bundle holds the Mozilla roots trusted for TLS server
 * authentication, so callers give these anchors the tlsServerAuth purpose
 * only. The DER arrays are static and live for the whole program.
 */
#ifndef CAPTLS_PORT_POSIX_MOZILLA_ROOTS_H
#define CAPTLS_PORT_POSIX_MOZILLA_ROOTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct captls_mozilla_root {
    const uint8_t *der;
    size_t len;
} captls_mozilla_root;

extern const captls_mozilla_root captls_mozilla_roots[];
extern const size_t captls_mozilla_roots_count;
/* The ca-certificates package version, e.g. "20230311+deb12u1". */
extern const char captls_mozilla_roots_version[];
/* "Debian ca-certificates <version> (<bundle>, <n> roots, sha256 <hex>)". */
extern const char captls_mozilla_roots_provenance[];

#endif
