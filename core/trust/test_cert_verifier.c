/* Unit tests of core/trust/cert_verifier.c: the policy is bound, verifyChain
 * goes through the TrustStore (anchors with name constraints included),
 * every call emits one audit record with a sanitized detail, a failing
 * audit sink fails closed, verifySignature honours the policy, and the cap
 * table refuses what a handle does not grant. Certificates: test_certs.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cap/audit.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/test_certs.h"

static captls_certificate c_root_a, c_root_c, c_leaf_a, c_leaf_evil,
    c_leaf_c_bad;

static void parse_all(void)
{
    assert_int_equal(captls_certificate_parse(&c_root_a, root_a,
                                              sizeof(root_a), NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&c_root_c, root_c,
                                              sizeof(root_c), NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&c_leaf_a, leaf_a,
                                              sizeof(leaf_a), NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&c_leaf_evil, leaf_evil,
                                              sizeof(leaf_evil), NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&c_leaf_c_bad, leaf_c_bad,
                                              sizeof(leaf_c_bad), NULL),
                     CAPTLS_OK);
}

typedef struct sink_ctx {
    captls_audit_record recs[8];
    size_t n;
    captls_result fail_with;
} sink_ctx;

static captls_result sink_append(void *ctx, const captls_audit_record *rec)
{
    sink_ctx *s = ctx;
    if (s->fail_with != CAPTLS_OK)
        return s->fail_with;
    if (s->n < 8)
        s->recs[s->n++] = *rec;
    return CAPTLS_OK;
}

static uint64_t fake_mono(void *ctx)
{
    (void)ctx;
    return 42;
}

static captls_result fake_wall(void *ctx, captls_wall_time *out)
{
    (void)ctx;
    out->epoch_seconds = 1750000000;
    out->nanoseconds = 0;
    out->provenance = CAPTLS_CLOCK_TRUSTED;
    return CAPTLS_OK;
}

static struct {
    captls_trust_store store;
    captls_trust_anchor_info slots[4];
    uint8_t arena[8192];
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    captls_verification_outcome out;
    sink_ctx sink;
} F;

static void setup(const captls_verification_policy *policy)
{
    captls_audit_sink sink = {&F.sink, sink_append};
    captls_clock clock = {NULL, fake_mono, fake_wall};
    memset(&F, 0, sizeof(F));
    parse_all();
    assert_int_equal(captls_trust_store_init(&F.store, F.slots, 4, F.arena,
                                             sizeof(F.arena), false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&F.writer, &F.store, NULL,
                                                    NULL), CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(&F.writer, 0,
                                                          &c_root_a, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(&F.writer, 0,
                                                          &c_root_c, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_init(&F.verifier, policy, &clock,
                                               &sink, NULL),
                     CAPTLS_OK);
}

static captls_verify_request request(const captls_certificate *leaf,
                                     const char *host, int64_t at)
{
    captls_verify_request r;
    memset(&r, 0, sizeof(r));
    r.leaf = leaf;
    r.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    r.at_epoch_seconds = at;
    r.clock_provenance = CAPTLS_CLOCK_TRUSTED;
    r.hostname = host;
    r.hostname_len = host != NULL ? strlen(host) : 0;
    return r;
}

#define MID (TEST_NOT_BEFORE + 86400)

static void test_policy_is_bound(void **state)
{
    (void)state;
    captls_verification_policy p = *captls_policy_web_pki_lenient(), got;
    setup(&p);
    /* the caller's struct changing later does not reach the verifier */
    p.max_chain_length = 1;
    captls_cert_verifier_policy(&F.verifier, &got);
    assert_int_equal(got.max_chain_length,
                     captls_policy_web_pki_lenient()->max_chain_length);
    /* a copy handed out cannot lower it either */
    got.min_rsa_bits = 512;
    got.purposes = CAPTLS_PURPOSE_ALL;
    captls_cert_verifier_policy(&F.verifier, &got);
    assert_int_equal(got.min_rsa_bits,
                     captls_policy_web_pki_lenient()->min_rsa_bits);
    assert_string_equal(got.name, "webPkiLenient");
    assert_int_equal(captls_cert_verifier_init(&F.verifier, NULL, NULL, NULL,
                                               NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_valid_chain_audited(void **state)
{
    (void)state;
    captls_verify_request r;
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len;
    setup(captls_policy_web_pki_lenient());
    r = request(&c_leaf_a, "leaf.example.com", MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 7,
                                                       &F.store, &r, &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    assert_int_equal(F.out.anchor.id, 0);
    assert_int_equal(F.sink.n, 1);
    assert_int_equal(F.sink.recs[0].iface, CAPTLS_IFACE_CERT_VERIFIER);
    assert_int_equal(F.sink.recs[0].method, CAPTLS_CERT_VERIFIER_M_VERIFY_CHAIN);
    assert_int_equal(F.sink.recs[0].actor, 7);
    assert_int_equal(F.sink.recs[0].outcome, CAPTLS_OK);
    assert_int_equal(F.sink.recs[0].monotonic_ns, 42);
    assert_int_equal(F.sink.recs[0].wall.epoch_seconds, 1750000000);
    assert_string_equal(F.sink.recs[0].event, "verify.chain");
    assert_string_equal(F.sink.recs[0].detail, "ok leaf=CN=leaf.example.com");
    assert_int_equal(captls_audit_format(&F.sink.recs[0], line, sizeof(line),
                                         &len), CAPTLS_OK);
}

static void test_invalid_chains_audited(void **state)
{
    (void)state;
    captls_verify_request r;
    setup(captls_policy_web_pki_lenient());
    r = request(&c_leaf_a, "leaf.example.com", TEST_NOT_AFTER + 86400);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1,
                                                       &F.store, &r, &F.out),
                     CAPTLS_OK);
    assert_false(F.out.valid);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_EXPIRED);
    assert_int_equal(F.sink.recs[0].outcome, CAPTLS_ERR_VERIFY_FAILED);
    assert_non_null(strstr(F.sink.recs[0].detail, "fail=expired leaf="));
    /* wrong host */
    r = request(&c_leaf_a, "other.example.com", MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1,
                                                       &F.store, &r, &F.out),
                     CAPTLS_OK);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_NAME_MISMATCH);
    /* the anchor's name constraints (kept in the store's arena) apply */
    r = request(&c_leaf_c_bad, NULL, MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1,
                                                       &F.store, &r, &F.out),
                     CAPTLS_OK);
    assert_false(F.out.valid);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_NAME_CONSTRAINT_VIOLATION);
    assert_int_equal(F.sink.n, 3);
}

static void test_audit_detail_sanitized(void **state)
{
    (void)state;
    captls_verify_request r;
    char line[CAPTLS_AUDIT_LINE_MAX];
    size_t len;
    setup(captls_policy_web_pki_lenient());
    r = request(&c_leaf_evil, "leaf.example.com", MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1,
                                                       &F.store, &r, &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    /* the subject holds a newline and quotes: none survive raw */
    assert_null(strchr(F.sink.recs[0].detail, '\n'));
    for (const char *p = F.sink.recs[0].detail; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
    assert_int_equal(captls_audit_format(&F.sink.recs[0], line, sizeof(line),
                                         &len), CAPTLS_OK);
    assert_null(strchr(line, '\n'));
    /* exactly one unescaped quote pair: the detail field's own */
    {
        int quotes = 0;
        for (size_t i = 0; i < len; i++)
            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\'))
                quotes++;
        assert_int_equal(quotes, 2);
    }
}

static void test_audit_failure_fails_closed(void **state)
{
    (void)state;
    captls_verify_request r;
    setup(captls_policy_web_pki_lenient());
    F.sink.fail_with = CAPTLS_ERR_DISK_FULL;
    r = request(&c_leaf_a, "leaf.example.com", MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1,
                                                       &F.store, &r, &F.out),
                     CAPTLS_ERR_DISK_FULL);
    assert_false(F.out.valid);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_POLICY_VIOLATION);
}

static void test_restricted_store_narrows_trust(void **state)
{
    (void)state;
    captls_trust_store view;
    captls_trust_anchor_info vs[4];
    captls_trust_filter f;
    uint8_t excl[1][32];
    captls_verify_request r;
    setup(captls_policy_web_pki_lenient());
    memset(&f, 0, sizeof(f));
    memcpy(excl[0], F.store.anchors[0].fingerprint, 32); /* root A */
    f.exclude_fingerprints = (const uint8_t(*)[32])excl;
    f.exclude_count = 1;
    assert_int_equal(captls_trust_store_restrict(&F.store, &f, &view, vs, 4),
                     CAPTLS_OK);
    r = request(&c_leaf_a, "leaf.example.com", MID);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1, &view,
                                                       &r, &F.out),
                     CAPTLS_OK);
    assert_false(F.out.valid);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_UNKNOWN_ANCHOR);
    /* a purpose the anchors are not kept for */
    memset(&f, 0, sizeof(f));
    f.purposes = CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_CODE_SIGNING);
    assert_int_equal(captls_trust_store_restrict(&F.store, &f, &view, vs, 4),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_verify_chain(&F.verifier, 1, &view,
                                                       &r, &F.out),
                     CAPTLS_OK);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_UNKNOWN_ANCHOR);
}

static void test_verify_signature(void **state)
{
    (void)state;
    uint8_t bad[sizeof(sig_leaf_a)];
    setup(captls_policy_web_pki_lenient());
    assert_int_equal(captls_cert_verifier_verify_signature(
                         &F.verifier, &c_leaf_a, sig_msg, sizeof(sig_msg),
                         sig_leaf_a, sizeof(sig_leaf_a), CAPTLS_SIG_ED25519),
                     CAPTLS_OK);
    memcpy(bad, sig_leaf_a, sizeof(bad));
    bad[5] ^= 1;
    assert_int_equal(captls_cert_verifier_verify_signature(
                         &F.verifier, &c_leaf_a, sig_msg, sizeof(sig_msg), bad,
                         sizeof(bad), CAPTLS_SIG_ED25519),
                     CAPTLS_ERR_BAD_SIGNATURE);
    /* the key does not fit the scheme */
    assert_int_not_equal(captls_cert_verifier_verify_signature(
                             &F.verifier, &c_leaf_a, sig_msg, sizeof(sig_msg),
                             sig_leaf_a, sizeof(sig_leaf_a),
                             CAPTLS_SIG_ECDSA_SECP256R1_SHA256),
                         CAPTLS_OK);
    /* webPkiStrict does not allow Ed25519 (Mozilla policy §5.1) */
    setup(captls_policy_web_pki_strict());
    assert_int_equal(captls_cert_verifier_verify_signature(
                         &F.verifier, &c_leaf_a, sig_msg, sizeof(sig_msg),
                         sig_leaf_a, sizeof(sig_leaf_a), CAPTLS_SIG_ED25519),
                     CAPTLS_ERR_UNSUPPORTED);
}

enum { OWNER = 1, OTHER = 2 };

static void test_caps(void **state)
{
    (void)state;
    captls_cap_table t;
    captls_cap_slot slots[16];
    captls_cap_handle vh, th, ro, other_th;
    captls_verify_request r;
    captls_verification_policy p;
    setup(captls_policy_web_pki_lenient());
    assert_int_equal(captls_cap_table_init(&t, slots, 16), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&t, OWNER, CAPTLS_IFACE_CERT_VERIFIER,
                                     &F.verifier, CAPTLS_RIGHTS_ALL, &vh),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&t, OWNER, CAPTLS_IFACE_TRUST_STORE,
                                     &F.store, CAPTLS_RIGHTS_ALL, &th),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&t, OTHER, CAPTLS_IFACE_TRUST_STORE,
                                     &F.store, CAPTLS_RIGHTS_ALL, &other_th),
                     CAPTLS_OK);
    r = request(&c_leaf_a, "leaf.example.com", MID);
    assert_int_equal(captls_cert_verifier_cap_verify_chain(&t, OWNER, vh, th,
                                                           &r, &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    assert_int_equal(F.sink.recs[0].actor, OWNER);
    /* handles swapped: wrong interface */
    assert_int_equal(captls_cert_verifier_cap_verify_chain(&t, OWNER, th, vh,
                                                           &r, &F.out),
                     CAPTLS_ERR_WRONG_INTERFACE);
    /* a trust store handle of another owner is not ours to use */
    assert_int_not_equal(captls_cert_verifier_cap_verify_chain(
                             &t, OWNER, vh, other_th, &r, &F.out),
                         CAPTLS_OK);
    /* a verifier handle without CALL */
    assert_int_equal(captls_cap_attenuate(&t, OWNER, vh, CAPTLS_RIGHT_GRANT,
                                          &ro),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_cap_verify_chain(&t, OWNER, ro, th,
                                                           &r, &F.out),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cert_verifier_cap_policy(&t, OWNER, ro, &p),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cert_verifier_cap_policy(&t, OWNER, vh, &p),
                     CAPTLS_OK);
    assert_string_equal(p.name, "webPkiLenient");
    assert_int_equal(captls_cert_verifier_cap_verify_signature(
                         &t, OWNER, vh, &c_leaf_a, sig_msg, sizeof(sig_msg),
                         sig_leaf_a, sizeof(sig_leaf_a), CAPTLS_SIG_ED25519),
                     CAPTLS_OK);
    /* revoked trust store: stale, nothing verified, nothing audited */
    assert_int_equal(captls_cap_revoke(&t, OWNER, th, NULL), CAPTLS_OK);
    F.sink.n = 0;
    assert_int_equal(captls_cert_verifier_cap_verify_chain(&t, OWNER, vh, th,
                                                           &r, &F.out),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(F.sink.n, 0);
    assert_int_equal(captls_cap_revoke(&t, OWNER, vh, NULL), CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_cap_verify_signature(
                         &t, OWNER, vh, &c_leaf_a, sig_msg, sizeof(sig_msg),
                         sig_leaf_a, sizeof(sig_leaf_a), CAPTLS_SIG_ED25519),
                     CAPTLS_ERR_STALE_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_is_bound),
        cmocka_unit_test(test_valid_chain_audited),
        cmocka_unit_test(test_invalid_chains_audited),
        cmocka_unit_test(test_audit_detail_sanitized),
        cmocka_unit_test(test_audit_failure_fails_closed),
        cmocka_unit_test(test_restricted_store_narrows_trust),
        cmocka_unit_test(test_verify_signature),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
