/* core/crypto/x25519_internal.h — which field arithmetic captls_x25519
 * runs on, internal (tests and ctgrind only; nothing else should care).
 *
 * captls_x25519 picks CAPTLS_X25519_PATH_MULX (curve25519_field64.h: 4×64
 * limbs, mulx/adcx/adox) when captls_fe64_supported() says the CPU has
 * BMI2 and ADX, else CAPTLS_X25519_PATH_PORTABLE (curve25519_field.h:
 * 5×51 limbs, plain C). Both give the same output for every input.
 * captls_x25519_via() is captls_x25519 on a forced path, same contract;
 * forcing MULX on a CPU or build without it returns CAPTLS_ERR_UNSUPPORTED
 * and leaves `out` untouched.
 */
#ifndef CAPTLS_CRYPTO_X25519_INTERNAL_H
#define CAPTLS_CRYPTO_X25519_INTERNAL_H

#include <stdint.h>

#include "core/base/result.h"

typedef enum captls_x25519_path {
    CAPTLS_X25519_PATH_AUTO = 0,
    CAPTLS_X25519_PATH_PORTABLE,
    CAPTLS_X25519_PATH_MULX,
} captls_x25519_path;

/* The path CAPTLS_X25519_PATH_AUTO resolves to on this machine. */
captls_x25519_path captls_x25519_auto_path(void);

CAPTLS_MUST_CHECK captls_result captls_x25519_via(captls_x25519_path path,
                                                  uint8_t out[32],
                                                  const uint8_t scalar[32],
                                                  const uint8_t u[32]);

#endif
