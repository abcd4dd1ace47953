/* fuzz/fuzz_gateway_shell.c — the telnets session state machine: peer
 * bytes through TerminalSessionFromByteStream (core/telnet/term_stream.h)
 * into the login dialogue and built-in shell (core/gateway/shell.h), with
 * the AuthorityBroker granting caps on a successful login; and the
 * SessionManager's RFC 4514 matcher on a DN taken from the input.
 *
 * Input: byte 0 bit 0 = the session starts authenticated (mTLS path),
 * bits 1-7 = the read chunk size; the rest is what the peer sends, fed in
 * chunks with the clock advancing 700 ms per chunk (back-offs expire).
 * The first line of the input is also tried as a client-map DN.
 * Invariants: the shell never writes more than its buffer, the caps a
 * session holds are released by the broker (the table's live count
 * returns to its baseline), nothing happens after CLOSE, and the pair's
 * close is called at most once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap/interface_ids.h"
#include "core/gateway/authority_broker.h"
#include "core/gateway/session_manager.h"
#include "core/gateway/shell.h"
#include "core/telnet/term_stream.h"

#define CHECK(x)                                                               \
    do {                                                                       \
        if (!(x))                                                              \
            abort();                                                           \
    } while (0)

typedef struct mem_pair {
    const uint8_t *in;
    size_t in_len, in_off, chunk;
    bool gate;        /* reads blocked until the next tick */
    size_t out_total;
    int closes;
} mem_pair;

static captls_result mp_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    mem_pair *p = ctx;
    size_t take;
    *n = 0;
    if (p->in_off >= p->in_len)
        return CAPTLS_EOF;
    if (p->gate)
        return CAPTLS_WOULD_BLOCK;
    take = p->in_len - p->in_off;
    if (take > p->chunk)
        take = p->chunk;
    if (take > cap)
        take = cap;
    memcpy(buf, p->in + p->in_off, take);
    p->in_off += take;
    p->gate = true;
    *n = take;
    return CAPTLS_OK;
}

static captls_result mp_write(void *ctx, const uint8_t *buf, size_t len,
                              size_t *n)
{
    mem_pair *p = ctx;
    (void)buf;
    p->out_total += len;
    *n = len;
    return CAPTLS_OK;
}

static void mp_close(void *ctx)
{
    ((mem_pair *)ctx)->closes++;
}

static captls_term_close_hint mp_hint(void *ctx)
{
    mem_pair *p = ctx;
    return p->in_off >= p->in_len ? CAPTLS_TERM_CLOSE_ORDERLY
                                  : CAPTLS_TERM_CLOSE_NONE;
}

static const captls_byte_stream_pair_vtable mp_vt = {mp_read, mp_write,
                                                     mp_close, mp_hint};

static captls_user_record recs[1];
static captls_credential_store creds;
static bool ready;

static void setup_once(void)
{
    static const uint8_t salt[16] = "fuzzfuzzfuzzfuzz";
    if (ready)
        return;
    /* a cheap record: the fuzzer explores the dialogue, not PBKDF2 */
    CHECK(captls_user_record_make(&recs[0], "carol", 5,
                                  (const uint8_t *)"pw", 2, salt, 16, 1) ==
          CAPTLS_OK);
    CHECK(captls_credential_store_init(&creds, recs, 1) == CAPTLS_OK);
    ready = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static captls_cap_slot slots[32];
    static captls_term_stream ts;
    static captls_shell sh;
    static captls_shell_env env;
    captls_cap_table caps;
    captls_authority_broker broker;
    captls_cap_handle c, m, a;
    captls_user_session us;
    captls_term_line_options o;
    captls_term_session term;
    mem_pair pair;
    int clock_obj = 0, manager_obj = 0, audit_obj = 0;
    uint32_t baseline;
    uint64_t now = 0;

    if (size < 1)
        return 0;
    setup_once();
    CHECK(captls_cap_table_init(&caps, slots, 32) == CAPTLS_OK);
    CHECK(captls_cap_mint(&caps, 1, CAPTLS_IFACE_WALL_CLOCK, &clock_obj,
                          CAPTLS_RIGHTS_ALL, &c) == CAPTLS_OK);
    CHECK(captls_cap_mint(&caps, 1, CAPTLS_IFACE_SESSION_MANAGER, &manager_obj,
                          CAPTLS_RIGHTS_ALL, &m) == CAPTLS_OK);
    CHECK(captls_cap_mint(&caps, 1, CAPTLS_IFACE_AUDIT_LOG, &audit_obj,
                          CAPTLS_RIGHTS_ALL, &a) == CAPTLS_OK);
    CHECK(captls_authority_broker_init(&broker, &caps, 1, CAPTLS_DEPLOY_DEV, c,
                                       m, a) == CAPTLS_OK);
    baseline = captls_cap_table_live(&caps);

    /* the first line as a DN against a fixed empty name: must not crash */
    {
        size_t n = 1;
        while (n < size && data[n] != '\n')
            n++;
        captls_x509_name empty = {{(const uint8_t *)"\x30\x00", 2},
                                  {(const uint8_t *)"", 0}};
        (void)captls_rfc4514_matches_name((const char *)data + 1, n - 1,
                                          &empty);
    }

    memset(&pair, 0, sizeof pair);
    pair.in = data + 1;
    pair.in_len = size - 1;
    pair.chunk = (size_t)(data[0] >> 1) + 1;
    memset(&us, 0, sizeof us);
    us.owner = 2;
    bool authenticated = (data[0] & 1) != 0;
    if (authenticated) {
        memcpy(us.user, "alice", 6);
        CHECK(captls_authority_broker_grant(&broker, &us, "operator",
                                            CAPTLS_AUTH_TLS_CLIENT_CERT,
                                            &ts) == CAPTLS_OK);
    }
    captls_term_line_options_default(&o);
    CHECK(captls_term_from_byte_stream_wrap(
              &ts, (captls_byte_stream_pair){&pair, &mp_vt}, &o, &term) ==
          CAPTLS_OK);
    memset(&env, 0, sizeof env);
    env.creds = &creds;
    env.broker = &broker;
    env.host = "fuzz";
    captls_shell_start(&sh, &env, term, &us, &ts, authenticated);

    for (int tick = 0; tick < 4096 && !captls_shell_done(&sh); tick++) {
        pair.gate = false;
        (void)captls_term_stream_pump(&ts);
        (void)captls_shell_step(&sh, now);
        CHECK(sh.out_len <= sizeof sh.out);
        now += 700;
        if (pair.in_off >= pair.in_len && tick > 64)
            break;
    }
    CHECK(pair.closes <= 1);
    captls_authority_broker_release(&broker, &us);
    CHECK(captls_cap_table_live(&caps) == baseline);
    captls_shell_wipe(&sh);
    captls_term_stream_wipe(&ts);
    return 0;
}
