/* Unit tests of the chain corpus reader (chains_corpus.h), the OpenSSL
 * error table (chains_diff.h) and the known-difference list
 * (chains_known.h: exact case id, category and pair of verdicts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>

#include "conformance/chains_corpus.h"
#include "conformance/chains_diff.h"
#include "conformance/chains_known.h"

static const char good[] =
    "# a comment\n"
    "\n"
    "case 7 ok-basic\n"
    "expect ok\n"
    "host www.example\n"
    "purpose serverAuth\n"
    "at 1750000000\n"
    "maxchain 4\n"
    "root 3001\n"
    "root 3002\n"
    "pool 30ff\n"
    "leaf 3003\n"
    "end\n"
    "case 8 ip-ok\r\n"
    "expect nameMismatch\r\n"
    "ip 192.0.2.1\r\n"
    "purpose clientAuth\r\n"
    "at 0\r\n"
    "maxchain 10\r\n"
    "leaf AB\r\n"
    "end\r\n"
    "case 9 none\n"
    "expect expired\n"
    "host none\n"
    "purpose codeSigning\n"
    "at 5\n"
    "maxchain 2\n"
    "leaf 00\n"
    "end";

static void parses_good_corpus(void **state)
{
    (void)state;
    chains_corpus c;
    char err[200] = "";
    assert_int_equal(chains_corpus_parse(good, strlen(good), &c, err, sizeof(err)), 0);
    assert_int_equal(c.count, 3);
    const chains_case *a = &c.cases[0];
    assert_int_equal(a->id, 7);
    assert_string_equal(a->category, "ok-basic");
    assert_string_equal(a->expect, "ok");
    assert_string_equal(a->host, "www.example");
    assert_false(a->is_ip);
    assert_string_equal(a->purpose, "serverAuth");
    assert_true(a->at == 1750000000);
    assert_int_equal(a->maxchain, 4);
    assert_int_equal(a->nroots, 2);
    assert_int_equal(a->npool, 1);
    assert_int_equal(a->roots[1].len, 2);
    assert_int_equal(a->roots[1].der[1], 0x02);
    assert_int_equal(a->pool[0].der[1], 0xff);
    assert_int_equal(a->leaf.der[1], 0x03);
    const chains_case *b = &c.cases[1];
    assert_true(b->is_ip);
    assert_string_equal(b->host, "192.0.2.1");
    assert_int_equal(b->leaf.der[0], 0xab);
    assert_int_equal(b->nroots, 0);
    assert_string_equal(c.cases[2].host, "");
    chains_corpus_free(&c);
    assert_null(c.cases);
}

static void expect_error(const char *text, const char *needle)
{
    chains_corpus c;
    char err[200] = "";
    assert_int_equal(chains_corpus_parse(text, strlen(text), &c, err, sizeof(err)), -1);
    assert_null(c.cases);
    assert_int_equal(c.count, 0);
    if (!strstr(err, needle))
        fail_msg("error '%s' lacks '%s'", err, needle);
}

#define HEAD "case 1 x\nexpect ok\nhost h\npurpose serverAuth\nat 1\nmaxchain 3\n"

static void rejects_bad_corpora(void **state)
{
    (void)state;
    expect_error("expect ok\n", "line 1: field outside a case");
    expect_error(HEAD "leaf 30\n", "no end");
    expect_error(HEAD "end\n", "incomplete");
    expect_error(HEAD "leaf 3\nend\n", "bad hex");
    expect_error(HEAD "leaf 3g\nend\n", "bad hex");
    expect_error(HEAD "leaf 30\nleaf 30\nend\n", "second leaf");
    expect_error(HEAD "leaf 30\nbogus 1\nend\n", "unknown keyword");
    expect_error(HEAD "leaf 30\ncase 2 y\n", "missing end");
    expect_error("case x y\n", "bad case line");
    expect_error("case 1\n", "bad case line");
    expect_error("case 1 x\nexpect ok\nhost h\nip 1.2.3.4\n", "second host");
    expect_error("case 1 x\nmaxchain 0\n", "bad maxchain");
    expect_error("case 1 x\nmaxchain 256\n", "bad maxchain");
    expect_error("case 1 x\nat -1\n", "bad at");
    expect_error("case 1 x\nat 99999999999999999999\n", "bad at");
    expect_error("case 1 x\nexpect a b\n", "bad expect");
    expect_error("case 1 x\npurpose \n", "bad purpose");
    /* too many roots */
    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof(big), "%s", HEAD);
    for (unsigned i = 0; i <= CHAINS_MAX_ROOTS; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "root 30\n");
    expect_error(big, "more than 16 roots");
}

static void missing_file_is_an_error(void **state)
{
    (void)state;
    chains_corpus c;
    char err[200] = "";
    assert_int_equal(chains_corpus_load("/nonexistent/cases.txt", &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot open"));
}

static void openssl_codes_map_to_reasons(void **state)
{
    (void)state;
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_CERT_HAS_EXPIRED), "expired");
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
                        "unknownAnchor");
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_PATH_LENGTH_EXCEEDED),
                        "policyViolation");
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_PERMITTED_VIOLATION),
                        "nameConstraintViolation");
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_CA_MD_TOO_WEAK), "weakAlgorithm");
    assert_string_equal(chains_diff_openssl_reason(X509_V_ERR_OUT_OF_MEM), "error");
}

static const char known_md[] =
    "# doc\n"
    "## 1. clock skew\n"
    "text\n"
    "## 4. path building backtracks\n"
    "```known\n"
    "# id category captls openssl section\n"
    "12 skew-expired-leaf-inside ok expired 1\n"
    "\n"
    "40 cross-second-trusted ok unknownAnchor 4\n"
    "```\n";

static int load_text(const char *text, chains_known *k, char *err, size_t n)
{
    char path[] = "/tmp/captls-known-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    int rc = chains_known_load(path, k, err, n);
    unlink(path);
    return rc;
}

static chains_case known_case(unsigned id, const char *category)
{
    chains_case c;
    memset(&c, 0, sizeof(c));
    c.id = id;
    snprintf(c.category, sizeof(c.category), "%s", category);
    return c;
}

static void known_differences_match_exact_ids(void **state)
{
    (void)state;
    chains_known k;
    char err[300];
    assert_int_equal(load_text(known_md, &k, err, sizeof(err)), 0);
    assert_int_equal(k.count, 2);
    chains_case c12 = known_case(12, "skew-expired-leaf-inside");
    chains_known_row *r = chains_known_find(&k, &c12, "ok", "expired");
    assert_non_null(r);
    assert_string_equal(r->title, "1. clock skew");
    /* the exact pair only */
    assert_null(chains_known_find(&k, &c12, "expired", "ok"));
    assert_null(chains_known_find(&k, &c12, "ok", "nameMismatch"));
    /* another case of the same category is not excused (was a prefix) */
    chains_case c13 = known_case(13, "skew-expired-leaf-inside");
    assert_null(chains_known_find(&k, &c13, "ok", "expired"));
    /* a renumbered corpus: same id, other category */
    chains_case c40 = known_case(40, "cross-only-expired");
    assert_null(chains_known_find(&k, &c40, "ok", "unknownAnchor"));
    c40 = known_case(40, "cross-second-trusted");
    assert_non_null(chains_known_find(&k, &c40, "ok", "unknownAnchor"));
    chains_known_free(&k);
}

static void known_list_is_read_strictly(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "## 1. a\n```known\n12 cat ok expired\n```\n",           /* no section */
        "## 1. a\n```known\n12 cat ok expired 1 extra\n```\n",   /* extra field */
        "## 1. a\n```known\n12 cat ok expired 2\n```\n",         /* no heading 2 */
        "## 1. a\n```known\n12 cat ok ok 1\n```\n",              /* nothing to excuse */
        "## 1. a\n```known\n12 a ok expired 1\n12 b ok expired 1\n```\n", /* twice */
        "## 1. a\n```known\n12 cat ok expired 1\n",               /* not closed */
        "## 1. a\nno list at all\n",                               /* no block */
        "## 1. a\n## 1. b\n```known\n```\n",                     /* section twice */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        chains_known k;
        char err[300] = "";
        assert_int_equal(load_text(bad[i], &k, err, sizeof(err)), -1);
        assert_true(strlen(err) > 0);
        assert_null(k.rows);
    }
    chains_known k;
    char err[300];
    assert_int_equal(chains_known_load("/nonexistent/known.md", &k, err, sizeof(err)), -1);
}

static void project_known_list_loads(void **state)
{
    (void)state;
    chains_known k;
    char err[300] = "";
    /* unit tests run from the repository root (ci/run-unit.sh) */
    int rc = chains_known_load(CHAINS_KNOWN_DEFAULT, &k, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    chains_known_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_good_corpus),
        cmocka_unit_test(rejects_bad_corpora),
        cmocka_unit_test(missing_file_is_an_error),
        cmocka_unit_test(openssl_codes_map_to_reasons),
        cmocka_unit_test(known_differences_match_exact_ids),
        cmocka_unit_test(known_list_is_read_strictly),
        cmocka_unit_test(project_known_list_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
