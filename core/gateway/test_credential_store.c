/* Unit tests of core/gateway/credential_store.c: the users file, records,
 * verification (same answer for unknown users and wrong passwords), the
 * attempt limiter. Hashes are checked against OpenSSL's PKCS5_PBKDF2_HMAC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "core/base/base64.h"
#include "core/gateway/credential_store.h"

#define IT 1000u /* test floor: keeps the tests fast */

static const uint8_t SALT[16] = "0123456789abcdef";

static void test_make_format_parse_roundtrip(void **state)
{
    (void)state;
    captls_user_record rec, back;
    char line[CAPTLS_CRED_LINE_MAX + 1];
    size_t len, off;
    const char *what;
    uint8_t ref[32];

    assert_int_equal(captls_user_record_make(&rec, "alice", 5, (const uint8_t *)"secret", 6,
                                             SALT, 16, 1234), CAPTLS_OK);
    assert_int_equal(PKCS5_PBKDF2_HMAC("secret", 6, SALT, 16, 1234, EVP_sha256(), 32, ref), 1);
    assert_memory_equal(rec.hash, ref, 32);
    assert_int_equal(captls_user_record_format(&rec, line, sizeof line, &len), CAPTLS_OK);
    assert_int_equal(strlen(line), len);
    assert_true(strncmp(line, "alice:pbkdf2-sha256$1234$MDEyMzQ1Njc4OWFiY2RlZg==$", 50) == 0);
    assert_int_equal(captls_user_hash_parse(line + 6, len - 6, IT, &back, &off, &what), CAPTLS_OK);
    assert_int_equal(back.iterations, 1234);
    assert_int_equal(back.salt_len, 16);
    assert_memory_equal(back.salt, SALT, 16);
    assert_memory_equal(back.hash, rec.hash, 32);
    /* a buffer one byte short */
    assert_int_equal(captls_user_record_format(&rec, line, len, &len), CAPTLS_ERR_BUFFER_TOO_SMALL);
    /* invalid inputs to make */
    assert_int_equal(captls_user_record_make(&rec, "a:b", 3, (const uint8_t *)"x", 1, SALT, 16, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_user_record_make(&rec, "ab", 2, (const uint8_t *)"x", 1, SALT, 8, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_user_record_make(&rec, "ab", 2, (const uint8_t *)"x", 1, SALT, 16, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(captls_user_name_valid("alice", 5));
    assert_true(captls_user_name_valid("a.b_c-9", 7));
    assert_true(captls_user_name_valid("_x", 2));
    assert_true(captls_user_name_valid("abcdefghijabcdefghijabcdefghij12", 32));
    assert_false(captls_user_name_valid("abcdefghijabcdefghijabcdefghij123", 33));
    assert_false(captls_user_name_valid("", 0));
    assert_false(captls_user_name_valid(".hidden", 7));
    assert_false(captls_user_name_valid("-opt", 4));
    assert_false(captls_user_name_valid("a b", 3));
    assert_false(captls_user_name_valid("a:b", 3));
    assert_false(captls_user_name_valid("a\0b", 3));
    assert_false(captls_user_name_valid("\xc3\xa9", 2));
}

typedef struct bad_case {
    const char *text;
    captls_result r;
    uint32_t line, column;
    const char *what_prefix;
} bad_case;

#define H "pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg==$"
#define HASH32 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void test_users_file(void **state)
{
    (void)state;
    captls_user_record recs[4];
    size_t n;
    captls_parse_error err;
    static const char good[] =
        "# captls users\n"
        "\n"
        "alice:" H HASH32 "\r\n"
        "bob:pbkdf2-sha256$600000$" "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" "$" HASH32;
    assert_int_equal(captls_users_parse(good, sizeof good - 1, IT, recs, 4, &n, &err), CAPTLS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(recs[0].name, "alice");
    assert_int_equal(recs[0].iterations, 1000);
    assert_string_equal(recs[1].name, "bob");
    assert_int_equal(recs[1].iterations, 600000);
    assert_int_equal(recs[1].salt_len, 32);
    assert_int_equal(captls_users_parse("", 0, IT, recs, 4, &n, &err), CAPTLS_OK);
    assert_int_equal(n, 0);

    static const bad_case bad[] = {
        {"alice " H HASH32, CAPTLS_ERR_MALFORMED, 1, 6, "user name byte"},
        {"\nalice", CAPTLS_ERR_MALFORMED, 2, 6, "missing ':'"},
        {":" H HASH32, CAPTLS_ERR_MALFORMED, 1, 1, "empty user name"},
        {"-x:" H HASH32, CAPTLS_ERR_MALFORMED, 1, 1, "user name byte"},
        {"abcdefghijabcdefghijabcdefghij123:" H HASH32, CAPTLS_ERR_MALFORMED, 1, 33, "user name longer"},
        {"a:pbkdf2-sha1$1000$x$y", CAPTLS_ERR_MALFORMED, 1, 13, "unknown hash scheme"},
        {"a:pbkdf2-sha256$$x$y", CAPTLS_ERR_MALFORMED, 1, 17, "iteration count missing"},
        {"a:pbkdf2-sha256$01000$x$y", CAPTLS_ERR_MALFORMED, 1, 17, "iteration count has a leading"},
        {"a:pbkdf2-sha256$10x0$x$y", CAPTLS_ERR_MALFORMED, 1, 19, "iteration count is not"},
        {"a:pbkdf2-sha256$999$x$y", CAPTLS_ERR_MALFORMED, 1, 17, "iteration count below"},
        {"a:pbkdf2-sha256$1000000000$x$y", CAPTLS_ERR_MALFORMED, 1, 17, "iteration count out of range"},
        {"a:pbkdf2-sha256$100000001$x$y", CAPTLS_ERR_MALFORMED, 1, 17, "iteration count out of range"},
        {"a:pbkdf2-sha256$1000", CAPTLS_ERR_MALFORMED, 1, 21, "salt missing"},
        {"a:pbkdf2-sha256$1000$MDEy!zQ1Njc4OWFiY2RlZg==$" HASH32, CAPTLS_ERR_MALFORMED, 1, 22, "salt is not"},
        {"a:pbkdf2-sha256$1000$MDEyMzQ1Njc4OQ==$" HASH32, CAPTLS_ERR_MALFORMED, 1, 22, "salt must be 16..64"},
        {"a:" H, CAPTLS_ERR_MALFORMED, 1, 47, "hash is not"},
        {"a:" H "AAAA", CAPTLS_ERR_MALFORMED, 1, 47, "hash is not"},
        {"a:" H HASH32 "$", CAPTLS_ERR_MALFORMED, 1, 91, "unexpected '$'"},
        {"a:" H HASH32 " ", CAPTLS_ERR_MALFORMED, 1, 47, "hash is not"},
        {"a:" H "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", CAPTLS_ERR_MALFORMED, 1, 47, "hash is not"},
        {"a:" H HASH32 "\na:" H HASH32, CAPTLS_ERR_ALREADY_EXISTS, 2, 1, "user listed twice"},
        {"a:" H HASH32 "\nb:" H HASH32 "\nc:" H HASH32 "\nd:" H HASH32 "\ne:" H HASH32,
         CAPTLS_ERR_LIMIT_EXCEEDED, 5, 1, "too many users"},
        {" a:" H HASH32, CAPTLS_ERR_MALFORMED, 1, 1, "user name byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&err, 0, sizeof err);
        captls_result r = captls_users_parse(bad[i].text, strlen(bad[i].text), IT, recs, 4, &n, &err);
        if (r != bad[i].r || err.line != bad[i].line || err.column != bad[i].column ||
            err.what == NULL || strncmp(err.what, bad[i].what_prefix, strlen(bad[i].what_prefix)) != 0)
            fail_msg("case %zu: got %s at %u:%u (%s)", i, captls_result_name(r), err.line,
                     err.column, err.what ? err.what : "-");
    }
    char msg[64];
    err.line = 12;
    err.column = 7;
    err.what = "bad base64";
    assert_int_equal(captls_parse_error_format(&err, msg, sizeof msg), 16);
    assert_string_equal(msg, "12:7: bad base64");
}

static void build_store(captls_user_record recs[3], captls_credential_store *st)
{
    assert_int_equal(captls_user_record_make(&recs[0], "alice", 5, (const uint8_t *)"secret", 6,
                                             SALT, 16, IT), CAPTLS_OK);
    assert_int_equal(captls_user_record_make(&recs[1], "bob", 3, (const uint8_t *)"hunter2", 7,
                                             SALT, 16, IT), CAPTLS_OK);
    assert_int_equal(captls_user_record_make(&recs[2], "carol", 5, (const uint8_t *)"", 0,
                                             SALT, 16, IT), CAPTLS_OK);
    assert_int_equal(captls_credential_store_init(st, recs, 3), CAPTLS_OK);
}

#define V(st, n, p) captls_credential_store_verify((st), (n), strlen(n), (const uint8_t *)(p), strlen(p))

static void test_verify(void **state)
{
    (void)state;
    captls_user_record recs[3];
    captls_credential_store st;
    build_store(recs, &st);
    assert_int_equal(V(&st, "alice", "secret"), CAPTLS_OK);
    assert_int_equal(V(&st, "bob", "hunter2"), CAPTLS_OK);
    assert_int_equal(V(&st, "carol", ""), CAPTLS_OK);
    /* wrong password, unknown user, another user's password, case,
     * prefixes, invalid names: the same answer */
    assert_int_equal(V(&st, "alice", "secreT"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "alice", "secret "), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "alice", ""), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "mallory", "secret"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "bob", "secret"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "Alice", "secret"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "alic", "secret"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "alicee", "secret"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "", ""), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(V(&st, "a:b", "x"), CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(captls_credential_store_verify(&st, "alice\0", 6, (const uint8_t *)"secret", 6),
                     CAPTLS_ERR_AUTH_FAILED);
    /* the dummy's salt/hash never match, even with the dummy's own
     * parameters and a password that hashes to them cannot be known */
    assert_int_equal(st.dummy.iterations, IT);
    /* an empty store refuses everyone, with the default cost */
    captls_credential_store empty;
    assert_int_equal(captls_credential_store_init(&empty, NULL, 0), CAPTLS_OK);
    assert_int_equal(empty.dummy.iterations, CAPTLS_CRED_DEFAULT_ITERATIONS);
    assert_int_equal(captls_credential_store_init(&empty, NULL, 1), CAPTLS_ERR_INVALID_ARGUMENT);
}

/* Same work: the number of SHA-256 compressions is not observable from
 * here, so count time in PBKDF2 iterations instead — an unknown user is
 * checked against the first record's iteration count (the store's
 * dummy), and with a large count the two timings agree (the bound is
 * loose because the machine is shared; skipping the work would show as a
 * ratio near 0). */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_same_work(void **state)
{
    (void)state;
    captls_user_record rec;
    captls_credential_store st;
    double t0, known = 1e9, unknown = 1e9;
    assert_int_equal(captls_user_record_make(&rec, "alice", 5, (const uint8_t *)"secret", 6,
                                             SALT, 16, 50000), CAPTLS_OK);
    assert_int_equal(captls_credential_store_init(&st, &rec, 1), CAPTLS_OK);
    for (int i = 0; i < 5; i++) {
        t0 = seconds();
        assert_int_equal(V(&st, "alice", "wrong"), CAPTLS_ERR_AUTH_FAILED);
        double a = seconds() - t0;
        t0 = seconds();
        assert_int_equal(V(&st, "nobody", "wrong"), CAPTLS_ERR_AUTH_FAILED);
        double b = seconds() - t0;
        if (a < known) known = a;
        if (b < unknown) unknown = b;
    }
    /* min of 5 runs each; a shortcut for unknown names would be ~0 */
    assert_true(unknown > known * 0.6 && unknown < known * 1.6);
}

static void test_limiter(void **state)
{
    (void)state;
    captls_user_record recs[3];
    captls_credential_store st;
    captls_login_limiter l;
    uint64_t wait;
    build_store(recs, &st);
    captls_login_limiter_init(&l, 0, 0, 0);
    assert_int_equal(l.max_attempts, 3);
    /* failure 1 at t=1000: back-off 1 s */
    assert_int_equal(captls_credential_store_login(&st, &l, 1000, "alice", 5,
                                                   (const uint8_t *)"x", 1, &wait),
                     CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(captls_credential_store_login(&st, &l, 1500, "alice", 5,
                                                   (const uint8_t *)"secret", 6, &wait),
                     CAPTLS_WOULD_BLOCK);
    assert_int_equal(wait, 500);
    assert_int_equal(l.failures, 1); /* a refused attempt is not a failure */
    /* failure 2 (unknown user counts the same) at t=2000: back-off 2 s */
    assert_int_equal(captls_credential_store_login(&st, &l, 2000, "nobody", 6,
                                                   (const uint8_t *)"x", 1, &wait),
                     CAPTLS_ERR_AUTH_FAILED);
    assert_int_equal(captls_login_limiter_check(&l, 3999, &wait), CAPTLS_WOULD_BLOCK);
    assert_int_equal(wait, 1);
    /* the right password after the back-off */
    assert_int_equal(captls_credential_store_login(&st, &l, 4000, "alice", 5,
                                                   (const uint8_t *)"secret", 6, &wait),
                     CAPTLS_OK);
    /* three failures: no more attempts, even with the right password */
    captls_login_limiter_init(&l, 3, 100, 250);
    uint64_t now = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(captls_login_limiter_check(&l, now, &wait), CAPTLS_OK);
        captls_login_limiter_failed(&l, now);
        now += 1000;
    }
    assert_int_equal(l.not_before_ms, 2000 + 250); /* 100, 200, 400 -> capped 250 */
    assert_int_equal(captls_credential_store_login(&st, &l, now, "alice", 5,
                                                   (const uint8_t *)"secret", 6, &wait),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_format_parse_roundtrip),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_users_file),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_same_work),
        cmocka_unit_test(test_limiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
