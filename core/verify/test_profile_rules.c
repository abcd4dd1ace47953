/* core/verify/test_profile_rules.c — every rule of profile_rules.h, a good
 * and a bad path each, on certificates whose parsed fields are set by hand
 * (the rules read only parsed fields; the chain corpus covers real DER,
 * vectors/chains/gen_profile.py), plus the RFC 5952 text form and the
 * Public Suffix List lookup over the build's generated table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/base/der.h"
#include "core/verify/profile_rules.h"
#include "core/verify/public_suffix.h"

/* ---- fixtures ------------------------------------------------------------ */

/* Name DER: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String cn } } },
 * or an empty SEQUENCE for cn == NULL. */
typedef struct name_buf {
    uint8_t b[128];
} name_buf;

static captls_x509_name mkname(name_buf *nb, const char *cn)
{
    captls_x509_name n;
    size_t len = 0;
    if (cn == NULL) {
        nb->b[0] = 0x30;
        nb->b[1] = 0;
        len = 2;
    } else {
        size_t l = strlen(cn);
        assert_true(l < 100);
        const uint8_t hdr[] = {0x30, (uint8_t)(l + 11), 0x31, (uint8_t)(l + 9),
                               0x30, (uint8_t)(l + 7), 0x06, 0x03, 0x55, 0x04,
                               0x03, 0x0c, (uint8_t)l};
        memcpy(nb->b, hdr, sizeof hdr);
        memcpy(nb->b + sizeof hdr, cn, l);
        len = sizeof hdr + l;
    }
    assert_int_equal(captls_x509_name_parse(nb->b, len, &n), CAPTLS_OK);
    return n;
}

static const uint8_t oid_ski[] = {0x55, 0x1d, 0x0e};
static const uint8_t oid_aki[] = {0x55, 0x1d, 0x23};
static const uint8_t oid_san[] = {0x55, 0x1d, 0x11};
static const uint8_t oid_pc[] = {0x55, 0x1d, 0x24};
static const uint8_t oid_aia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
static const uint8_t key_id[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void add_ext(captls_certificate *c, const uint8_t *oid, size_t len,
                    bool critical)
{
    assert_true(c->ext_count < CAPTLS_X509_MAX_EXTENSIONS);
    c->ext[c->ext_count].oid = (captls_slice){oid, len};
    c->ext[c->ext_count].critical = critical;
    c->ext[c->ext_count].handled = true;
    c->ext_count++;
}
#define EXT(c, oid, crit) add_ext((c), (oid), sizeof(oid), (crit))

static void set_crit(captls_certificate *c, const uint8_t *oid, size_t len,
                     bool critical)
{
    for (size_t i = 0; i < c->ext_count; i++)
        if (c->ext[i].oid.len == len && memcmp(c->ext[i].oid.ptr, oid, len) == 0)
            c->ext[i].critical = critical;
}
#define CRIT(c, oid, crit) set_crit((c), (oid), sizeof(oid), (crit))

static void drop_ext(captls_certificate *c, const uint8_t *oid, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < c->ext_count; i++)
        if (!(c->ext[i].oid.len == len && memcmp(c->ext[i].oid.ptr, oid, len) == 0))
            c->ext[k++] = c->ext[i];
    c->ext_count = k;
}
#define DROP(c, oid) drop_ext((c), (oid), sizeof(oid))

static void add_dns(captls_certificate *c, const char *dns)
{
    c->san[c->san_count].type = CAPTLS_GN_DNS;
    c->san[c->san_count].value = (captls_slice){(const uint8_t *)dns, strlen(dns)};
    c->san_count++;
}

typedef struct world {
    name_buf nb_leaf, nb_ca, nb_root;
    captls_certificate leaf, ca, root;
    const captls_certificate *path[2];
    captls_trust_anchor anchor;
    captls_verify_input in;
    captls_verification_policy pol;
    captls_vfail f;
} world;

static void common(captls_certificate *c, captls_x509_name subject,
                   captls_x509_name issuer)
{
    c->version = 3;
    c->subject = subject;
    c->issuer = issuer;
    c->key.type = CAPTLS_KEY_EC_P256;
    c->aki_present = true;
    c->aki_key_id = (captls_slice){key_id, sizeof key_id};
    EXT(c, oid_aki, false);
}

static void make_ca(captls_certificate *c, captls_x509_name subject,
                    captls_x509_name issuer)
{
    common(c, subject, issuer);
    c->bc_present = c->bc_critical = c->bc_ca = true;
    c->key_usage_present = true;
    c->key_usage = CAPTLS_KU_KEY_CERT_SIGN | CAPTLS_KU_CRL_SIGN;
    c->ski_present = true;
    c->ski = (captls_slice){key_id, sizeof key_id};
    EXT(c, oid_ski, false);
}

/* A clean root -> CA -> leaf world under the named preset. */
static world *mkworld(const char *preset)
{
    static world w;
    memset(&w, 0, sizeof w);
    captls_x509_name leaf_n = mkname(&w.nb_leaf, "www.example.com");
    captls_x509_name ca_n = mkname(&w.nb_ca, "Example CA");
    captls_x509_name root_n = mkname(&w.nb_root, "Example Root");
    make_ca(&w.root, root_n, root_n);
    make_ca(&w.ca, ca_n, root_n);
    common(&w.leaf, leaf_n, ca_n);
    w.leaf.key_usage_present = true;
    w.leaf.key_usage = CAPTLS_KU_DIGITAL_SIGNATURE;
    w.leaf.san_present = true;
    add_dns(&w.leaf, "www.example.com");
    EXT(&w.leaf, oid_san, false);
    w.leaf.eku_present = true;
    w.leaf.eku_known = CAPTLS_EKU_SERVER_AUTH;
    w.leaf.serial_negative = false;
    w.path[0] = &w.leaf;
    w.path[1] = &w.ca;
    w.anchor.cert = &w.root;
    w.pol = *captls_policy_by_name(preset);
    w.in.policy = &w.pol;
    w.in.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    w.in.public_suffixes = &captls_psl_builtin;
    return &w;
}

static bool check(world *w)
{
    captls_anchor_cert_data_from(&w->root, &w->anchor.data);
    return captls_profile_check(&w->in, w->path, 2, &w->anchor, &w->f);
}

/* Expects a refusal with reason r at certificate depth d. */
static void refused(world *w, captls_failure_reason r, size_t d)
{
    assert_false(check(w));
    assert_int_equal(w->f.reason, r);
    assert_int_equal(w->f.depth, d);
}

/* ---- every preset ---------------------------------------------------- */

static void test_clean_world_passes_every_preset(void **state)
{
    (void)state;
    const char *presets[] = {"webPkiStrict", "webPkiLenient", "privateMtls",
                             "codeSigning"};
    for (size_t i = 0; i < 4; i++) {
        world *w = mkworld(presets[i]);
        assert_true(check(w));
    }
}

static void test_aki(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    w->leaf.aki_present = false;
    DROP(&w->leaf, oid_aki);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiLenient");
    w->ca.aki_present = false;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    /* the root may lack it (self-signed) */
    w = mkworld("webPkiLenient");
    w->root.aki_present = false;
    DROP(&w->root, oid_aki);
    assert_true(check(w));
    /* a v1 leaf has no extensions at all */
    w = mkworld("webPkiLenient");
    w->leaf.aki_present = false;
    w->leaf.version = 1;
    assert_true(check(w));
    w = mkworld("webPkiLenient");
    CRIT(&w->leaf, oid_aki, true);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiLenient");
    CRIT(&w->root, oid_aki, true);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
}

static void test_ski(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    w->ca.ski_present = false;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiLenient");
    w->root.ski_present = false;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
    /* a leaf need not carry one, but never a critical one */
    w = mkworld("webPkiLenient");
    EXT(&w->leaf, oid_ski, false);
    assert_true(check(w));
    CRIT(&w->leaf, oid_ski, true);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
}

static void test_empty_names(void **state)
{
    (void)state;
    name_buf nb;
    world *w = mkworld("webPkiLenient");
    w->ca.subject = mkname(&nb, NULL);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiLenient");
    w->leaf.issuer = mkname(&nb, NULL);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    /* empty leaf subject: needs a critical SAN */
    w = mkworld("webPkiLenient");
    w->leaf.subject = mkname(&nb, NULL);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w->leaf.san_critical = true;
    assert_true(check(w));
    w->leaf.san_present = false;
    w->leaf.san_count = 0;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    /* empty subject with a critical SAN but cRLSign */
    w = mkworld("webPkiLenient");
    w->leaf.subject = mkname(&nb, NULL);
    w->leaf.san_critical = true;
    w->leaf.key_usage |= CAPTLS_KU_CRL_SIGN;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
}

static void test_key_usage_and_basic_constraints(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    w->leaf.key_usage |= CAPTLS_KU_KEY_CERT_SIGN;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiLenient");
    w->leaf.bc_present = true;
    w->leaf.bc_pathlen_present = true;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    /* pathLen in a CA: fine with keyCertSign, refused without */
    w = mkworld("webPkiLenient");
    w->ca.bc_pathlen_present = true;
    assert_true(check(w));
    w->ca.key_usage = CAPTLS_KU_CRL_SIGN;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiLenient");
    w->ca.key_usage_present = false;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiLenient");
    w->ca.bc_critical = false;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    /* the anchor's own basicConstraints criticality is validate.c's */
    w = mkworld("webPkiLenient");
    w->root.bc_critical = false;
    assert_true(check(w));
}

static void test_critical_aia_sct_tls_feature(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    EXT(&w->leaf, oid_aia, false);
    assert_true(check(w));
    CRIT(&w->leaf, oid_aia, true);
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
}

static void test_generalized_time(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    w->ca.time_nonconforming = true;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiLenient");
    w->root.time_nonconforming = true; /* Certum Trusted Network CA 2 */
    assert_true(check(w));
    /* DER form: the parser refuses fractions, a missing seconds field and
     * a zone other than Z (RFC 5280 §4.1.2.5.1/.2). */
    int64_t t;
    const char *bad[] = {"250615150640.5Z", "2506151506Z", "250615150640+0100"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(captls_der_parse_time(CAPTLS_DER_UTC_TIME,
                                               (captls_slice){(const uint8_t *)bad[i],
                                                              strlen(bad[i])},
                                               &t),
                         CAPTLS_ERR_MALFORMED);
    const char *gbad = "20500615150640.5Z";
    assert_int_equal(captls_der_parse_time(CAPTLS_DER_GENERALIZED_TIME,
                                           (captls_slice){(const uint8_t *)gbad,
                                                          strlen(gbad)},
                                           &t),
                     CAPTLS_ERR_MALFORMED);
    const char *good = "250615150640Z";
    assert_int_equal(captls_der_parse_time(CAPTLS_DER_UTC_TIME,
                                           (captls_slice){(const uint8_t *)good,
                                                          strlen(good)},
                                           &t),
                     CAPTLS_OK);
    assert_int_equal(t, 1750000000);
}

static void test_anchor_eku(void **state)
{
    (void)state;
    world *w = mkworld("webPkiLenient");
    w->root.eku_present = true;
    w->root.eku_known = CAPTLS_EKU_SERVER_AUTH;
    assert_true(check(w));
    w->root.eku_known = CAPTLS_EKU_CLIENT_AUTH;
    refused(w, CAPTLS_FAIL_UNKNOWN_ANCHOR, 2);
}

static void test_anchor_names_other_key(void **state)
{
    (void)state;
    static const uint8_t other[20] = {7};
    static const uint8_t serial[] = {0x05};
    world *w = mkworld("webPkiLenient");
    w->root.aki_key_id = (captls_slice){other, sizeof other};
    refused(w, CAPTLS_FAIL_UNKNOWN_ANCHOR, 2);
    w = mkworld("webPkiLenient");
    w->root.serial = (captls_slice){serial, 1};
    w->root.aki_serial = (captls_slice){serial, 1};
    assert_true(check(w));
    w->root.serial = (captls_slice){other, 1};
    refused(w, CAPTLS_FAIL_UNKNOWN_ANCHOR, 2);
}

static void test_leaf_is_the_anchor(void **state)
{
    (void)state;
    world *w = mkworld("webPkiStrict");
    w->root.aki_present = false; /* a bare self-signed EE, trusted */
    w->root.bc_present = false;
    w->root.key_usage = CAPTLS_KU_DIGITAL_SIGNATURE;
    w->path[0] = &w->root;
    captls_anchor_cert_data_from(&w->root, &w->anchor.data);
    assert_true(captls_profile_check(&w->in, w->path, 1, &w->anchor, &w->f));
}

/* ---- webPkiStrict: the CA/B profile ------------------------------------- */

/* The fault breaks only the CA/B profile: lenient accepts it. */
static void strict_only(world *w, captls_failure_reason r, size_t d)
{
    refused(w, r, d);
    w->pol = *captls_policy_by_name("webPkiLenient");
    assert_true(check(w));
}

static void test_cabf_eku(void **state)
{
    (void)state;
    world *w = mkworld("webPkiStrict");
    w->leaf.eku_known |= CAPTLS_EKU_ANY;
    strict_only(w, CAPTLS_FAIL_BAD_EKU, 0);
    w = mkworld("webPkiStrict");
    w->root.eku_present = true;
    w->root.eku_known = CAPTLS_EKU_SERVER_AUTH;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
}

static void test_cabf_leaf_ca(void **state)
{
    (void)state;
    world *w = mkworld("webPkiStrict");
    w->leaf.bc_present = true;
    w->leaf.bc_ca = true;
    w->leaf.bc_critical = true;
    w->leaf.ski_present = true;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
}

static void test_cabf_name_constraints(void **state)
{
    (void)state;
    static captls_general_name g;
    world *w = mkworld("webPkiStrict");
    g.type = CAPTLS_GN_DNS;
    g.value = (captls_slice){(const uint8_t *)"example.com", 11};
    w->ca.nc_present = w->ca.nc_critical = true;
    w->ca.nc_permitted_count = 1;
    w->ca.nc_permitted[0] = g;
    assert_true(check(w));
    w->ca.nc_critical = false;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
    w = mkworld("webPkiStrict");
    w->leaf.nc_present = w->leaf.nc_critical = true;
    w->leaf.nc_excluded_count = 1;
    w->leaf.nc_excluded[0] = g;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiStrict");
    g.value = (captls_slice){(const uint8_t *)".example.com", 12};
    w->root.nc_present = w->root.nc_critical = true;
    w->root.nc_excluded_count = 1;
    w->root.nc_excluded[0] = g;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
}

static void test_cabf_policy_constraints(void **state)
{
    (void)state;
    world *w = mkworld("webPkiStrict");
    EXT(&w->ca, oid_pc, true); /* the parser lists it as unknown critical */
    assert_true(check(w));
    CRIT(&w->ca, oid_pc, false);
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
}

static void test_cabf_root_aki_and_serial(void **state)
{
    (void)state;
    static const uint8_t other[20] = {9};
    static const uint8_t serial[] = {0x01};
    world *w = mkworld("webPkiStrict");
    w->root.aki_key_id = (captls_slice){other, sizeof other};
    w->root.ski_present = false; /* nothing to compare: P9 silent */
    w->root.ski = (captls_slice){NULL, 0};
    w->root.bc_ca = false;       /* (a CA must have an SKI) */
    w->root.key_usage = CAPTLS_KU_DIGITAL_SIGNATURE;
    refused(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
    w = mkworld("webPkiStrict");
    w->root.serial = (captls_slice){serial, 1};
    w->root.aki_serial = (captls_slice){serial, 1};
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
    w = mkworld("webPkiStrict");
    w->root.aki_issuer = (captls_slice){serial, 1};
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
    w = mkworld("webPkiStrict");
    w->root.serial_zero = true;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 2);
}

static void test_cabf_common_name(void **state)
{
    (void)state;
    name_buf nb;
    world *w = mkworld("webPkiStrict");
    w->leaf.subject = mkname(&nb, "WWW.example.com");
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiStrict");
    w->leaf.subject = mkname(&nb, "other.example.com");
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    /* IP SANs: the CN in canonical text */
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t v4[4] = {192, 0, 2, 7};
    const char *good[] = {"2001:db8::1", "192.0.2.7"};
    const char *bad[] = {"2001:0db8::1", "2001:DB8::1", "192.0.2.07",
                         "2001:db8:0:0:0:0:0:1"};
    for (size_t i = 0; i < 6; i++) {
        w = mkworld("webPkiStrict");
        w->leaf.san[1].type = CAPTLS_GN_IP;
        w->leaf.san[1].value = (captls_slice){v6, 16};
        w->leaf.san[2].type = CAPTLS_GN_IP;
        w->leaf.san[2].value = (captls_slice){v4, 4};
        w->leaf.san_count = 3;
        w->leaf.subject = mkname(&nb, i < 2 ? good[i] : bad[i - 2]);
        if (i < 2)
            assert_true(check(w));
        else
            strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    }
}

static void test_cabf_underscore_and_rsa(void **state)
{
    (void)state;
    world *w = mkworld("webPkiStrict");
    add_dns(&w->leaf, "a_b.example.com");
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    w = mkworld("webPkiStrict");
    w->ca.key.type = CAPTLS_KEY_RSA;
    w->ca.key.rsa_bits = 2056;
    assert_true(check(w));
    w->ca.key.rsa_bits = 2052;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 1);
}

static void test_cabf_wildcards(void **state)
{
    (void)state;
    const char *bad[] = {"*.co.uk", "*.github.io", "*.foo.ck", "*.com",
                         "*.CO.UK"};
    const char *good[] = {"*.example.co.uk", "*.www.ck", "*.example.com",
                          "*.city.kawasaki.jp"};
    for (size_t i = 0; i < 5; i++) {
        world *w = mkworld("webPkiStrict");
        add_dns(&w->leaf, bad[i]);
        strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
    }
    for (size_t i = 0; i < 4; i++) {
        world *w = mkworld("webPkiStrict");
        add_dns(&w->leaf, good[i]);
        assert_true(check(w));
    }
    /* no list (the guest): every wildcard fails closed */
    world *w = mkworld("webPkiStrict");
    add_dns(&w->leaf, "*.example.com");
    w->in.public_suffixes = NULL;
    strict_only(w, CAPTLS_FAIL_POLICY_VIOLATION, 0);
}

/* ---- helpers ------------------------------------------------------------- */

static void test_ip_text(void **state)
{
    (void)state;
    static const struct {
        uint8_t ip[16];
        size_t len;
        const char *text;
    } v[] = {
        {{0}, 16, "::"},
        {{[15] = 1}, 16, "::1"},
        {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16, "2001:db8::1"},
        {{0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, 16, "1:0:0:1::1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, 16,
         "2001:db8::1:0:0:1"},
        {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, 16,
         "2001:db8:0:1:1:1:1:1"},
        {{0xfe, 0x80, [14] = 0xab, 0xcd}, 16, "fe80::abcd"},
        {{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16, "100::"},
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}, 16,
         "::ffff:c000:201"},
        {{0, 0, 0, 0}, 4, "0.0.0.0"},
        {{255, 255, 255, 255}, 4, "255.255.255.255"},
        {{10, 0, 20, 3}, 4, "10.0.20.3"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[40];
        size_t n = captls_profile_ip_text(v[i].ip, v[i].len, out);
        assert_int_equal(n, strlen(v[i].text));
        assert_memory_equal(out, v[i].text, n);
    }
    char out[40];
    assert_int_equal(captls_profile_ip_text(v[0].ip, 5, out), 0);
}

static bool ps(const char *s)
{
    return captls_psl_is_public_suffix(&captls_psl_builtin, s, strlen(s));
}

static void test_public_suffix_list(void **state)
{
    (void)state;
    assert_true(captls_psl_builtin.count > 1000);
    assert_non_null(strstr(captls_psl_builtin.provenance, "publicsuffix"));
    assert_true(ps("com") && ps("co.uk") && ps("CO.UK") && ps("co.uk."));
    assert_true(ps("github.io")); /* PRIVATE section */
    assert_true(ps("foo.ck"));    /* *.ck */
    assert_false(ps("www.ck"));   /* !www.ck */
    assert_false(ps("a.www.ck"));
    assert_true(ps("foo.kawasaki.jp"));   /* *.kawasaki.jp */
    assert_false(ps("city.kawasaki.jp")); /* !city.kawasaki.jp */
    assert_false(ps("example.com") || ps("example.co.uk") || ps("a.b.c.example"));
    assert_true(ps("example"));           /* the implicit "*" rule */
    assert_true(ps("xn--p1ai"));          /* .рф as an A-label */
    /* defensive answers: empty, empty labels, over-long */
    assert_true(ps("") && ps(".") && ps("a..com") && ps(".com"));
    char longname[300];
    memset(longname, 'a', sizeof longname);
    longname[1] = '.';
    assert_true(captls_psl_is_public_suffix(&captls_psl_builtin, longname, 254));
    assert_true(captls_psl_is_public_suffix(NULL, "com", 3));
    assert_false(captls_psl_is_public_suffix(NULL, "co.uk", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_world_passes_every_preset),
        cmocka_unit_test(test_aki),
        cmocka_unit_test(test_ski),
        cmocka_unit_test(test_empty_names),
        cmocka_unit_test(test_key_usage_and_basic_constraints),
        cmocka_unit_test(test_critical_aia_sct_tls_feature),
        cmocka_unit_test(test_generalized_time),
        cmocka_unit_test(test_anchor_eku),
        cmocka_unit_test(test_anchor_names_other_key),
        cmocka_unit_test(test_leaf_is_the_anchor),
        cmocka_unit_test(test_cabf_eku),
        cmocka_unit_test(test_cabf_leaf_ca),
        cmocka_unit_test(test_cabf_name_constraints),
        cmocka_unit_test(test_cabf_policy_constraints),
        cmocka_unit_test(test_cabf_root_aki_and_serial),
        cmocka_unit_test(test_cabf_common_name),
        cmocka_unit_test(test_cabf_underscore_and_rsa),
        cmocka_unit_test(test_cabf_wildcards),
        cmocka_unit_test(test_ip_text),
        cmocka_unit_test(test_public_suffix_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
