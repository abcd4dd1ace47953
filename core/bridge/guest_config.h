/* core/bridge/guest_config.h — the guest's configuration module: the
 * development chain, key, client CA, client map and users file in one
 * bounded container, delivered as a multiboot module (QEMU -initrd) and
 * checked at boot. Shared by the guest (parse + check) and the host packer
 * (`captls-guest-bridge pack`), and fuzzed (fuzz/fuzz_guest_config.c).
 *
 * Container (integers big-endian):
 *   offset 0  8  magic "CAPTLSGC"
 *          8  1  version (1)
 *          9  1  part count n (exactly 5)
 *         10  2  zero
 *         12  .. n parts, each: u8 type, u8 0, u16 0, u32 length, bytes
 * and nothing after the last part. Types, each exactly once, any order:
 *   1 CHAIN      PEM, the leaf first (CERTIFICATE blocks)
 *   2 KEY        PEM, the leaf's private key (PKCS#8, SEC1 or PKCS#1)
 *   3 CLIENT_CA  PEM, CERTIFICATE blocks that issue client certificates
 *   4 CLIENT_MAP text, core/gateway/client_map.h
 *   5 USERS      text, core/gateway/credential_store.h
 * Bounds: a part is 1..CAPTLS_GUEST_CONFIG_PART_MAX bytes, the module at
 * most CAPTLS_GUEST_CONFIG_MAX.
 *
 * captls_guest_config_parse checks the container only and gives views
 * into the module (no copy). captls_guest_config_check then parses every
 * part with the project's own parsers and checks that the key is the
 * chain leaf's (RFC 8446 4.4.2.4: the server signs with the key of the
 * certificate it sends, so a mismatched pair can never complete a
 * handshake). Each refusal sets *why to a fixed sentence naming the part
 * and the reason (for the console: fail closed, say exactly why).
 *
 * Memory: the caller's module bytes (borrowed by the views) and a
 * captls_guest_config_work (about 40 KiB) the check uses as scratch; the
 * key material decoded there is wiped before return, whatever the
 * outcome. The module's KEY part is NOT wiped here: the boot code imports
 * it into the KeyVault and then wipes it (captls_guest_config_wipe_key).
 * Not checked: certificate validity dates or chain signatures (the TLS
 * server does not validate its own chain), the users' passwords.
 */
#ifndef CAPTLS_BRIDGE_GUEST_CONFIG_H
#define CAPTLS_BRIDGE_GUEST_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/result.h"
#include "core/gateway/client_map.h"
#include "core/gateway/credential_store.h"
#include "core/tls/key_signer.h"
#include "core/x509/certificate.h"

#define CAPTLS_GUEST_CONFIG_MAX (256u * 1024u)
#define CAPTLS_GUEST_CONFIG_PART_MAX (64u * 1024u)
#define CAPTLS_GUEST_CONFIG_HEADER 12u
#define CAPTLS_GUEST_CONFIG_PART_HEADER 8u
#define CAPTLS_GUEST_CONFIG_PARTS 5u
#define CAPTLS_GUEST_CONFIG_MAX_USERS 16u
#define CAPTLS_GUEST_CONFIG_MAX_MAP 16u
#define CAPTLS_GUEST_CONFIG_DER_MAX 8192u

typedef enum captls_guest_config_part {
    CAPTLS_GC_CHAIN = 1,
    CAPTLS_GC_KEY = 2,
    CAPTLS_GC_CLIENT_CA = 3,
    CAPTLS_GC_CLIENT_MAP = 4,
    CAPTLS_GC_USERS = 5,
} captls_guest_config_part;

typedef struct captls_guest_config {
    /* part[t - 1] is the part of type t: borrowed from the module */
    const uint8_t *part[CAPTLS_GUEST_CONFIG_PARTS];
    size_t part_len[CAPTLS_GUEST_CONFIG_PARTS];
} captls_guest_config;

typedef struct captls_guest_config_work {
    captls_certificate cert;
    captls_tls_key_signer signer;
    uint8_t der[CAPTLS_GUEST_CONFIG_DER_MAX];
    uint8_t scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];
    captls_client_map_entry map[CAPTLS_GUEST_CONFIG_MAX_MAP];
    captls_user_record users[CAPTLS_GUEST_CONFIG_MAX_USERS];
    size_t nmap, nusers, nchain, nca;
} captls_guest_config_work;

CAPTLS_MUST_CHECK captls_result captls_guest_config_parse(
    const uint8_t *module, size_t len, captls_guest_config *out,
    const char **why);

/* min_iterations: the users file's PBKDF2 floor (the gateway's). */
CAPTLS_MUST_CHECK captls_result captls_guest_config_check(
    const captls_guest_config *cfg, captls_entropy entropy,
    uint32_t min_iterations, captls_guest_config_work *w, const char **why);

/* Writes the container for parts[t - 1] (lengths lens[t - 1]) into
 * out[0..cap); BUFFER_TOO_SMALL with *len = size needed; INVALID_ARGUMENT
 * for an empty or oversized part. */
CAPTLS_MUST_CHECK captls_result captls_guest_config_encode(
    const uint8_t *const parts[CAPTLS_GUEST_CONFIG_PARTS],
    const size_t lens[CAPTLS_GUEST_CONFIG_PARTS], uint8_t *out, size_t cap,
    size_t *len);

/* Zeroes the module's KEY part in place (module must be writable: the
 * view's bytes are the module's). */
void captls_guest_config_wipe_key(uint8_t *module, const captls_guest_config *cfg);

#endif
