/* captls-bench: speed of captls primitives against OpenSSL, in one run.
 *
 * Host-only (links OpenSSL's libcrypto as the reference; nothing shipped
 * does). Each case runs for a fixed wall time, the same for both sides, and
 * prints one CSV row: case,unit,captls,openssl,ratio (ratio = captls /
 * openssl; above 1 means captls is faster). Cases without an OpenSSL
 * counterpart print "-" there. Usage: captls-bench [SECONDS_PER_CASE]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bearssl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/cap/cap_table.h"
#include "core/cap/ipc_frame.h"

static double seconds_per_case = 0.5;
static volatile uint8_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn in batches until the case time is up; returns calls per second. */
static double rate(void (*fn)(void), unsigned batch)
{
    double t0 = now(), t;
    unsigned long calls = 0;
    do {
        for (unsigned i = 0; i < batch; i++)
            fn();
        calls += batch;
        t = now();
    } while (t - t0 < seconds_per_case);
    return (double)calls / (t - t0);
}

static uint8_t buf[16384];
static uint8_t key[32] = "captls bench hmac key, 32 bytes";

static void sha256_captls(void)
{
    br_sha256_context c;
    uint8_t out[32];
    br_sha256_init(&c);
    br_sha256_update(&c, buf, sizeof(buf));
    br_sha256_out(&c, out);
    sink ^= out[0];
}

static void sha256_openssl(void)
{
    uint8_t out[32];
    unsigned len = 0;
    EVP_Digest(buf, sizeof(buf), out, &len, EVP_sha256(), NULL);
    sink ^= out[0];
}

static void hmac_captls(void)
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    uint8_t out[32];
    br_hmac_key_init(&kc, &br_sha256_vtable, key, sizeof(key));
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, buf, 64);
    br_hmac_out(&hc, out);
    sink ^= out[0];
}

static void hmac_openssl(void)
{
    uint8_t out[32];
    unsigned len = 0;
    HMAC(EVP_sha256(), key, sizeof(key), buf, 64, out, &len);
    sink ^= out[0];
}

static captls_cap_slot slots[256];
static captls_cap_table table;
static captls_cap_handle handle;

static void cap_lookup(void)
{
    captls_cap_info info;
    if (captls_cap_lookup(&table, 1, handle, CAPTLS_IFACE_ECHO,
                          CAPTLS_RIGHT_CALL, &info) != CAPTLS_OK)
        abort();
    sink ^= (uint8_t)(uintptr_t)info.object;
}

static uint8_t frame[256];
static size_t frame_len;

static void ipc_round_trip(void)
{
    captls_ipc_frame f;
    size_t used, len;
    if (captls_ipc_frame_decode(frame, frame_len, &f, &used) != CAPTLS_OK ||
        captls_ipc_frame_encode(&f, buf, sizeof(buf), &len) != CAPTLS_OK)
        abort();
    sink ^= buf[len - 1];
}

static void row(const char *name, const char *unit, double mine,
                double theirs)
{
    if (theirs > 0)
        printf("%s,%s,%.0f,%.0f,%.2f\n", name, unit, mine, theirs,
               mine / theirs);
    else
        printf("%s,%s,%.0f,-,-\n", name, unit, mine);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        seconds_per_case = atof(argv[1]);
        if (seconds_per_case <= 0 || seconds_per_case > 60) {
            fprintf(stderr, "usage: captls-bench [SECONDS_PER_CASE 0..60]\n");
            return 2;
        }
    }
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 31u + 7u);

    printf("case,unit,captls,openssl,ratio\n");
    double mb = (double)sizeof(buf) / 1e6;
    row("sha256-16KiB", "MB/s", rate(sha256_captls, 16) * mb,
        rate(sha256_openssl, 16) * mb);
    row("hmac-sha256-64B", "ops/s", rate(hmac_captls, 256),
        rate(hmac_openssl, 256));

    static int object;
    if (captls_cap_table_init(&table, slots, 256) != CAPTLS_OK)
        return 1;
    for (int i = 0; i < 200; i++) /* a realistically populated table */
        if (captls_cap_mint(&table, 1, CAPTLS_IFACE_ECHO, &object,
                            CAPTLS_RIGHTS_ALL, &handle) != CAPTLS_OK)
            return 1;
    row("cap-lookup", "ops/s", rate(cap_lookup, 4096), 0);

    captls_ipc_frame f;
    memset(&f, 0, sizeof(f));
    f.kind = CAPTLS_IPC_CALL;
    f.iface = CAPTLS_IFACE_ECHO;
    f.ncaps = 1;
    f.caps[0] = handle;
    f.payload = buf;
    f.payload_len = 64;
    if (captls_ipc_frame_encode(&f, frame, sizeof(frame), &frame_len) !=
        CAPTLS_OK)
        return 1;
    row("ipc-frame-decode+encode-64B", "ops/s", rate(ipc_round_trip, 4096), 0);
    return 0;
}
