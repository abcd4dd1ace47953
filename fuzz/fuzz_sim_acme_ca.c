/* Fuzz harness: the simulator's acme-ca program (sim/prog_acme_ca.c) fed
 * arbitrary bytes as an HTTP client would send them: its request-head
 * parser (request line, Content-Length, Content-Type, Accept), the body
 * framing, and everything behind it (the JWS checks through core/acme/jws,
 * the resource router, CSR parsing at finalize is reachable only with a
 * signed request and stays out of reach by design).
 *
 * The input is split at the first 0x00 0xff pair into two connections, so
 * one input can also open a second request after the first was answered.
 * Properties beyond "no crash, no hang": the run reaches quiescence under
 * its budgets, every connection is closed at the end (captls_sim_leaks is
 * 0: the CA never keeps a connection it answered or one whose client left)
 * and a second run with the same input gives the same transcript hash.
 * The CA's root and key are sim/scenarios/pki/acme-root*.der, embedded.
 * Builds for libFuzzer and, unchanged, for AFL++. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/programs.h"
#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t ACME_ROOT[334] = {
    0x30, 0x82, 0x01, 0x4a, 0x30, 0x81, 0xfd, 0xa0, 0x03, 0x02, 0x01, 0x02,
    0x02, 0x01, 0x58, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x30, 0x2d,
    0x31, 0x13, 0x30, 0x11, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0a, 0x63,
    0x61, 0x70, 0x74, 0x6c, 0x73, 0x20, 0x73, 0x69, 0x6d, 0x31, 0x16, 0x30,
    0x14, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0d, 0x53, 0x69, 0x6d, 0x20,
    0x41, 0x43, 0x4d, 0x45, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x30, 0x1e, 0x17,
    0x0d, 0x32, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x5a, 0x17, 0x0d, 0x34, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x2d, 0x31, 0x13, 0x30, 0x11, 0x06,
    0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0a, 0x63, 0x61, 0x70, 0x74, 0x6c, 0x73,
    0x20, 0x73, 0x69, 0x6d, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04,
    0x03, 0x0c, 0x0d, 0x53, 0x69, 0x6d, 0x20, 0x41, 0x43, 0x4d, 0x45, 0x20,
    0x52, 0x6f, 0x6f, 0x74, 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
    0x70, 0x03, 0x21, 0x00, 0xda, 0xc3, 0x1e, 0xbc, 0xa1, 0x59, 0xd2, 0x83,
    0xf8, 0x34, 0x1f, 0xd9, 0x0d, 0x7f, 0xa1, 0xcd, 0x95, 0xbf, 0x5e, 0xcc,
    0xab, 0x65, 0x7f, 0x79, 0x52, 0x66, 0x2e, 0x67, 0xe5, 0x6a, 0xfb, 0xe3,
    0xa3, 0x42, 0x30, 0x40, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01,
    0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x1d, 0x06,
    0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x5f, 0x1e, 0xe3, 0x47,
    0x0f, 0x97, 0x9d, 0x2e, 0xfa, 0xea, 0xd7, 0x6f, 0xaf, 0xfe, 0x0d, 0x0b,
    0x2e, 0xfb, 0x7a, 0x08, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01,
    0x01, 0xff, 0x04, 0x04, 0x03, 0x02, 0x01, 0x06, 0x30, 0x05, 0x06, 0x03,
    0x2b, 0x65, 0x70, 0x03, 0x41, 0x00, 0x1f, 0x20, 0xab, 0x31, 0x63, 0x43,
    0x7f, 0x40, 0x1f, 0xb7, 0x0a, 0x7b, 0x60, 0xdc, 0x4b, 0x0b, 0x16, 0x13,
    0xba, 0xf8, 0x0d, 0xa5, 0xa8, 0xce, 0x6a, 0x92, 0x1d, 0x41, 0x73, 0xbc,
    0xd5, 0x9f, 0x74, 0x39, 0x9b, 0x45, 0x46, 0x75, 0x4a, 0x38, 0x71, 0xbf,
    0xfa, 0xfe, 0x3d, 0xb5, 0x37, 0xf1, 0xcd, 0x42, 0x81, 0xa5, 0xe3, 0x4c,
    0x47, 0xaa, 0xc6, 0x11, 0x3a, 0x0b, 0x7a, 0xdb, 0x31, 0x0a,
};
static const uint8_t ACME_ROOT_KEY[48] = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
    0x04, 0x22, 0x04, 0x20, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58,
    0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58,
    0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58,
};

#define RAW_CLOSE_TAG 1u

/* The input of the current run, per connection (the program state is
 * zeroed by the kernel, so the bytes come from here). */
static const uint8_t *g_in[2];
static size_t g_len[2];

typedef struct raw_state {
    unsigned which; /* 0 or 1 */
    bool have_s, closed;
    captls_stream_id s;
    size_t off;
} raw_state;

static void raw_close(captls_sim_proc *p, raw_state *st)
{
    const captls_net *net = &captls_sim_proc_port(p)->net;
    if (st->have_s && !st->closed) {
        captls_result r = net->close(net->ctx, st->s);
        (void)r;
        st->closed = true;
    }
}

static void raw_start(captls_sim_proc *p)
{
    raw_state *st = captls_sim_proc_state(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    const char *w = captls_sim_proc_opt(p, "which");
    st->which = w != NULL && w[0] == '1' ? 1u : 0u;
    st->have_s = net->connect(net->ctx, "ca", 443, &st->s) == CAPTLS_OK;
    /* leave after a while whatever happened: the CA must cope */
    captls_result r = captls_sim_proc_timer(p, 3 * CAPTLS_SIM_NS_PER_S,
                                            RAW_CLOSE_TAG);
    (void)r;
}

static void raw_wake(captls_sim_proc *p)
{
    raw_state *st = captls_sim_proc_state(p);
    const captls_net *net = &captls_sim_proc_port(p)->net;
    if (!st->have_s || st->closed)
        return;
    while (st->off < g_len[st->which]) {
        size_t put = 0;
        captls_result r = net->write(net->ctx, st->s,
                                     g_in[st->which] + st->off,
                                     g_len[st->which] - st->off, &put);
        if (r == CAPTLS_WOULD_BLOCK)
            break;
        if (r != CAPTLS_OK) {
            raw_close(p, st);
            return;
        }
        st->off += put;
    }
    for (;;) {
        uint8_t buf[4096];
        size_t got = 0;
        captls_result r = net->read(net->ctx, st->s, buf, sizeof buf, &got);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) { /* the CA answered and closed, or reset */
            raw_close(p, st);
            return;
        }
    }
}

static void raw_timer(captls_sim_proc *p, uint32_t tag)
{
    if (tag == RAW_CLOSE_TAG)
        raw_close(p, captls_sim_proc_state(p));
}

static const char *const RAW_OPTIONS[] = {"which", NULL};
static const captls_sim_program RAW = {
    .name = "raw",
    .state_size = sizeof(raw_state),
    .options = RAW_OPTIONS,
    .start = raw_start,
    .wake = raw_wake,
    .timer = raw_timer,
};

static void no_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    (void)line;
    (void)len;
}

static void run_once(uint8_t hash[32])
{
    captls_sim_limits lim;
    captls_sim_kernel *k = NULL;
    captls_sim_host *ca = NULL, *cl = NULL;
    captls_sim_proc *p = NULL;
    static const captls_sim_opt ca_opts[] = {
        {"port", "443"}, {"root", "acme-root"}, {"key", "acme-root-key"},
        {"resolve", "www.alpha.test:cl"},
    };
    static const captls_sim_opt raw0[] = {{"which", "0"}};
    static const captls_sim_opt raw1[] = {{"which", "1"}};
    captls_sim_limits_default(&lim);
    lim.max_events = 200000;
    lim.max_time_ns = 60ull * CAPTLS_SIM_NS_PER_S;
    if (captls_sim_kernel_new(&lim, 7, no_line, NULL, &k) != CAPTLS_OK)
        abort();
    if (captls_sim_cert_add(k, "acme-root", ACME_ROOT, sizeof ACME_ROOT) !=
            CAPTLS_OK ||
        captls_sim_cert_add(k, "acme-root-key", ACME_ROOT_KEY,
                            sizeof ACME_ROOT_KEY) != CAPTLS_OK ||
        captls_sim_host_add(k, "ca", 1795392000, CAPTLS_CLOCK_TRUSTED, &ca) !=
            CAPTLS_OK ||
        captls_sim_host_add(k, "cl", 1795392000, CAPTLS_CLOCK_TRUSTED, &cl) !=
            CAPTLS_OK ||
        captls_sim_link_add(k, ca, cl, CAPTLS_SIM_NS_PER_MS,
                            CAPTLS_SIM_NS_PER_MS) != CAPTLS_OK ||
        captls_sim_link_shape(k, ca, cl, 7, 0) != CAPTLS_OK ||
        captls_sim_proc_add(k, ca, "ca", &captls_sim_prog_acme_ca, ca_opts,
                            sizeof ca_opts / sizeof ca_opts[0], &p) !=
            CAPTLS_OK ||
        captls_sim_proc_add(k, cl, "raw0", &RAW, raw0, 1, &p) != CAPTLS_OK ||
        (g_in[1] != NULL &&
         captls_sim_proc_add(k, cl, "raw1", &RAW, raw1, 1, &p) != CAPTLS_OK))
        abort();
    captls_result r = captls_sim_run(k);
    if (r != CAPTLS_OK) /* ~a dozen events per segment: far below */
        abort();
    if (captls_sim_leaks(k, NULL, 0) != 0)
        abort(); /* a connection left open or unread */
    captls_sim_transcript_hash(k, hash);
    captls_sim_kernel_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t h1[32], h2[32];
    if (size > 8192)
        return 0;
    g_in[0] = data;
    g_len[0] = size;
    g_in[1] = NULL;
    g_len[1] = 0;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == 0x00 && data[i + 1] == 0xff) {
            g_len[0] = i;
            g_in[1] = data + i + 2;
            g_len[1] = size - i - 2;
            break;
        }
    run_once(h1);
    run_once(h2);
    if (memcmp(h1, h2, 32) != 0)
        abort(); /* the same input, a different run */
    return 0;
}
