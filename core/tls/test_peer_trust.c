/* Unit tests of core/tls/peer_trust.c: a root added once (a duplicate is
 * skipped), the verifier caps minted on finish; finish without a root and
 * init without room are refused with a sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conformance/testkit.h"
#include "core/tls/peer_trust.h"
#include "core/x509/certificate.h"

static uint8_t root_der[2048];
static size_t root_len;
static captls_trust_anchor_info slots[4];
static uint8_t arena[CAPTLS_TLS_PEER_TRUST_ARENA(4)];
static captls_tls_peer_trust pt;

static int setup(void **state)
{
    (void)state;
    EVP_PKEY *key = captls_test_keygen("EC", "P-256", 0);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
                               (const unsigned char *)"peer trust root", -1,
                               -1, 0);
    X509_set_issuer_name(x, nm);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *bc =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_EXTENSION *ku =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,keyCertSign");
    X509_EXTENSION *ski = X509V3_EXT_conf_nid(NULL, &ctx,
                                              NID_subject_key_identifier, "hash");
    X509_add_ext(x, bc, -1);
    X509_add_ext(x, ku, -1);
    X509_add_ext(x, ski, -1);
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
    X509_EXTENSION_free(ski);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *p = root_der;
    int n = i2d_X509(x, NULL);
    assert_true(n > 0 && (size_t)n <= sizeof root_der);
    root_len = (size_t)i2d_X509(x, &p);
    X509_free(x);
    EVP_PKEY_free(key);
    return 0;
}

static void init(void)
{
    const char *why = NULL;
    assert_int_equal(captls_tls_peer_trust_init(&pt,
                                                captls_policy_web_pki_lenient(),
                                                NULL, slots, 4, arena,
                                                sizeof arena, &why),
                     CAPTLS_OK);
}

static void test_root_added_once_then_caps_minted(void **state)
{
    (void)state;
    captls_certificate c;
    const char *why = NULL;
    bool added = false;
    assert_int_equal(captls_certificate_parse(&c, root_der, root_len, NULL),
                     CAPTLS_OK);
    init();
    assert_int_equal(captls_tls_peer_trust_add(&pt, &c, 0, &added, &why),
                     CAPTLS_OK);
    assert_true(added);
    assert_int_equal(captls_tls_peer_trust_add(&pt, &c, 0, &added, &why),
                     CAPTLS_OK);
    assert_false(added); /* the duplicate is skipped */
    assert_int_equal(pt.anchors, 1);
    assert_int_equal(captls_tls_peer_trust_finish(&pt, NULL, NULL, &why), CAPTLS_OK);
    assert_ptr_equal(pt.peer.caps, &pt.table);
    assert_ptr_equal(pt.peer.scratch, &pt.scratch);
    assert_int_equal(captls_cap_table_live(&pt.table), 2);
}

static void test_finish_without_a_root_is_refused(void **state)
{
    (void)state;
    const char *why = NULL;
    init();
    assert_int_equal(captls_tls_peer_trust_finish(&pt, NULL, NULL, &why),
                     CAPTLS_ERR_NOT_FOUND);
    assert_string_equal(why, "no usable root");
    assert_null(pt.peer.caps);
}

static void test_init_without_room_is_refused(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(captls_tls_peer_trust_init(&pt,
                                                captls_policy_web_pki_lenient(),
                                                NULL, slots, 0, arena,
                                                sizeof arena, &why),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_non_null(why);
    assert_int_equal(captls_tls_peer_trust_init(&pt, NULL, NULL, slots, 4,
                                                arena, sizeof arena, &why),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_added_once_then_caps_minted),
        cmocka_unit_test(test_finish_without_a_root_is_refused),
        cmocka_unit_test(test_init_without_room_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
