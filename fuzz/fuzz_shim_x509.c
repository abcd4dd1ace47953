/* Fuzz harness: the shim's x509-verify (conformance/shim_x509.c) — the hex
 * list parser and the TrustStore + CertVerifier path behind it.
 *
 * The first input byte picks, per argument, whether it comes from the
 * input or from a fixed valid value (root_a / leaf_a of core/trust/
 * test_certs.h as hex, a valid epoch, "serverAuth"), so the fuzzer reaches
 * real verifications with hostile hosts, epochs, pools and leaves as well
 * as the error paths. The rest of the input is split at '|' into the six
 * arguments. Properties beyond "no crash": the answer is "ok",
 * "fail: <a FailureReason name>" or an error reason, never empty, never
 * containing a newline; the same request answered twice gives the same
 * answer (no state leaks between calls). Builds for libFuzzer and AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/shim_x509.h"
#include "core/trust/test_certs.h"
#include "core/verify/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARG_CAP 4096

static void hexify(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static const char *answer(const char src[6][ARG_CAP], char *out, size_t cap,
                          char *why_copy)
{
    static char buf[6][ARG_CAP];
    captls_shim_tok t[6];
    size_t len = 0;
    const char *why;
    for (int i = 0; i < 6; i++) {
        memcpy(buf[i], src[i], ARG_CAP);
        t[i].s = buf[i];
        t[i].len = strlen(buf[i]);
    }
    why = captls_shim_x509_verify(t, out, cap, &len);
    if (why != NULL) {
        if (why[0] == '\0' || strchr(why, '\n') != NULL)
            abort();
        snprintf(why_copy, 256, "%s", why);
        return why_copy;
    }
    if (len != strlen(out) || strchr(out, '\n') != NULL)
        abort();
    if (strcmp(out, "ok") != 0) {
        captls_failure_reason r;
        if (strncmp(out, "fail: ", 6) != 0 ||
            !captls_failure_reason_from_name(out + 6, &r))
            abort();
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char args[6][ARG_CAP];
    static char fixed_root[2 * sizeof(root_a) + 1];
    static char fixed_leaf[2 * sizeof(leaf_a) + 1];
    char a1[256], a2[256], w1[256], w2[256];
    const char *r1, *r2;
    uint8_t mask;
    size_t arg = 0, pos = 0;

    if (size == 0)
        return 0;
    hexify(root_a, sizeof(root_a), fixed_root);
    hexify(leaf_a, sizeof(leaf_a), fixed_leaf);
    mask = data[0];
    memset(args, 0, sizeof(args));
    for (size_t i = 1; i < size && arg < 6; i++) {
        if (data[i] == '|') {
            arg++;
            pos = 0;
            continue;
        }
        /* tokens never hold blanks, NULs or line ends (the splitter's job) */
        if (data[i] == 0 || data[i] == ' ' || data[i] == '\t' ||
            data[i] == '\n' || data[i] == '\r')
            continue;
        if (pos + 1 < ARG_CAP)
            args[arg][pos++] = (char)data[i];
    }
    if (mask & 1)
        snprintf(args[0], ARG_CAP, "%s", fixed_root);
    if (mask & 2)
        snprintf(args[2], ARG_CAP, "%s", fixed_leaf);
    if (mask & 4)
        snprintf(args[4], ARG_CAP, "%d", TEST_NOT_BEFORE + 1000);
    if (mask & 8)
        snprintf(args[5], ARG_CAP, "serverAuth");
    if (mask & 16)
        snprintf(args[1], ARG_CAP, "-");
    for (int i = 0; i < 6; i++)
        if (args[i][0] == '\0')
            snprintf(args[i], ARG_CAP, "-");
    r1 = answer((const char(*)[ARG_CAP])args, a1, sizeof(a1), w1);
    r2 = answer((const char(*)[ARG_CAP])args, a2, sizeof(a2), w2);
    if (strcmp(r1, r2) != 0)
        abort();
    return 0;
}
