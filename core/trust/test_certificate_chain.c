/* Unit tests of core/trust/certificate_chain.c: the seed's CertificateChain
 * accessors and its verify() shortcut, directly and through the cap table.
 * Certificates: test_certs.h (leaf_a is issued by root_a). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/trust/certificate_chain.h"
#include "core/cap/audit.h"
#include "core/trust/test_certs.h"

#define MID (TEST_NOT_BEFORE + 86400)
#define HOST "leaf.example.com"

static struct {
    captls_certificate root, leaf, evil;
    captls_trust_store store;
    captls_trust_anchor_info slots[2];
    uint8_t arena[4096];
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    captls_verification_outcome out;
    size_t audited;
} F;

static captls_result count_audit(void *ctx, const captls_audit_record *rec)
{
    (void)ctx;
    (void)rec;
    F.audited++;
    return CAPTLS_OK;
}

static int setup(void **state)
{
    (void)state;
    captls_audit_sink sink = {NULL, count_audit};
    memset(&F, 0, sizeof(F));
    assert_int_equal(captls_certificate_parse(&F.root, root_a, sizeof(root_a),
                                              NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&F.leaf, leaf_a, sizeof(leaf_a),
                                              NULL), CAPTLS_OK);
    assert_int_equal(captls_certificate_parse(&F.evil, leaf_evil,
                                              sizeof(leaf_evil), NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_init(&F.store, F.slots, 2, F.arena,
                                             sizeof(F.arena), false),
                     CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_init(&F.writer, &F.store, NULL,
                                                    NULL), CAPTLS_OK);
    assert_int_equal(captls_trust_store_writer_add_anchor(&F.writer, 0,
                                                          &F.root, NULL, 0),
                     CAPTLS_OK);
    assert_int_equal(captls_cert_verifier_init(&F.verifier,
                                               captls_policy_web_pki_lenient(),
                                               NULL, &sink, NULL),
                     CAPTLS_OK);
    return 0;
}

static void test_init_refusals(void **state)
{
    (void)state;
    captls_certificate_chain c;
    const captls_certificate *one[1] = {&F.leaf};
    const captls_certificate *with_null[2] = {&F.leaf, NULL};
    const captls_certificate *many[CAPTLS_CERTIFICATE_CHAIN_MAX + 1];
    for (size_t i = 0; i < CAPTLS_CERTIFICATE_CHAIN_MAX + 1; i++)
        many[i] = &F.leaf;
    assert_int_equal(captls_certificate_chain_init(NULL, one, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_certificate_chain_init(&c, NULL, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_certificate_chain_init(&c, one, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_certificate_chain_init(&c, with_null, 2),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_certificate_chain_init(
                         &c, many, CAPTLS_CERTIFICATE_CHAIN_MAX + 1),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    assert_int_equal(captls_certificate_chain_init(
                         &c, many, CAPTLS_CERTIFICATE_CHAIN_MAX),
                     CAPTLS_OK);
}

static void test_accessors(void **state)
{
    (void)state;
    captls_certificate_chain c;
    const captls_certificate *certs[2] = {&F.leaf, &F.evil};
    assert_int_equal(captls_certificate_chain_init(&c, certs, 2), CAPTLS_OK);
    assert_int_equal(captls_certificate_chain_count(&c), 2);
    assert_ptr_equal(captls_certificate_chain_leaf(&c), &F.leaf);
    assert_ptr_equal(captls_certificate_chain_at(&c, 1), &F.evil);
    assert_null(captls_certificate_chain_at(&c, 2));
    assert_null(captls_certificate_chain_leaf(NULL));
    assert_int_equal(captls_certificate_chain_count(NULL), 0);
}

static void test_verify_outcomes(void **state)
{
    (void)state;
    captls_certificate_chain c;
    /* an unrelated certificate after the leaf is only a pool candidate */
    const captls_certificate *certs[2] = {&F.leaf, &F.evil};
    assert_int_equal(captls_certificate_chain_init(&c, certs, 2), CAPTLS_OK);
    assert_int_equal(captls_certificate_chain_verify(
                         &c, &F.store, &F.verifier, 3, MID,
                         CAPTLS_CLOCK_TRUSTED, HOST, strlen(HOST), &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    assert_int_equal(captls_certificate_chain_verify(
                         &c, &F.store, &F.verifier, 3, MID,
                         CAPTLS_CLOCK_TRUSTED, "other.example.com", 17,
                         &F.out),
                     CAPTLS_OK);
    assert_false(F.out.valid);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_NAME_MISMATCH);
    assert_int_equal(captls_certificate_chain_verify(
                         &c, &F.store, &F.verifier, 3, TEST_NOT_AFTER + 86400,
                         CAPTLS_CLOCK_TRUSTED, HOST, strlen(HOST), &F.out),
                     CAPTLS_OK);
    assert_int_equal(F.out.reason, CAPTLS_FAIL_EXPIRED);
    /* no host: no name check */
    assert_int_equal(captls_certificate_chain_verify(
                         &c, &F.store, &F.verifier, 3, MID,
                         CAPTLS_CLOCK_TRUSTED, NULL, 0, &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    assert_int_equal(F.audited, 4); /* every verify is audited */
    /* a length without a name is a caller bug, refused before any work */
    assert_int_equal(captls_certificate_chain_verify(
                         &c, &F.store, &F.verifier, 3, MID,
                         CAPTLS_CLOCK_TRUSTED, NULL, 5, &F.out),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(F.audited, 4);
}

static void test_verify_through_caps(void **state)
{
    (void)state;
    captls_cap_slot slots[8];
    captls_cap_table t;
    captls_cap_handle vh, th;
    captls_certificate_chain c;
    const captls_certificate *certs[1] = {&F.leaf};
    assert_int_equal(captls_certificate_chain_init(&c, certs, 1), CAPTLS_OK);
    assert_int_equal(captls_cap_table_init(&t, slots, 8), CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&t, 1, CAPTLS_IFACE_CERT_VERIFIER,
                                     &F.verifier, CAPTLS_RIGHT_CALL, &vh),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_mint(&t, 1, CAPTLS_IFACE_TRUST_STORE,
                                     &F.store, CAPTLS_RIGHT_CALL, &th),
                     CAPTLS_OK);
    assert_int_equal(captls_certificate_chain_cap_verify(
                         &c, &t, 1, vh, th, MID, CAPTLS_CLOCK_TRUSTED, HOST,
                         strlen(HOST), &F.out),
                     CAPTLS_OK);
    assert_true(F.out.valid);
    /* handles swapped, or presented by another owner: refused */
    assert_int_equal(captls_certificate_chain_cap_verify(
                         &c, &t, 1, th, vh, MID, CAPTLS_CLOCK_TRUSTED, HOST,
                         strlen(HOST), &F.out),
                     CAPTLS_ERR_WRONG_INTERFACE);
    assert_int_equal(captls_certificate_chain_cap_verify(
                         &c, &t, 2, vh, th, MID, CAPTLS_CLOCK_TRUSTED, HOST,
                         strlen(HOST), &F.out),
                     CAPTLS_ERR_BAD_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_refusals, setup),
        cmocka_unit_test_setup(test_accessors, setup),
        cmocka_unit_test_setup(test_verify_outcomes, setup),
        cmocka_unit_test_setup(test_verify_through_caps, setup),
    };
    return cmocka_run_group_tests_name("certificate_chain", tests, NULL, NULL);
}
