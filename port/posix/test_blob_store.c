/* Unit tests of port/posix/posix_blob_store.c.
 *
 * Disk full is simulated with RLIMIT_FSIZE in a forked child that ignores
 * SIGXFSZ, so write(2) fails with EFBIG once the temp file reaches the
 * limit. Crash atomicity: a child puts two large values A and B in turn,
 * forever; it is SIGKILLed at varied moments (a fixed-seed schedule), and
 * after each kill a get must return exactly A or B. A kill between the
 * open and the rename of the temp file leaves ".<key>.tmp"; the next
 * successful put of that key (and every store init) removes it, which the
 * test checks too. SIGKILL does not lose the page cache, so this proves
 * atomicity against process crashes; the fsyncs are what carry it over to
 * power loss, and a test cannot pull the plug.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "port/posix/posix_port.h"

#define U(s) ((const uint8_t *)(s))

static char dir[64];
static captls_posix_blob_store_ctx store_ctx;
static captls_blob_store store;

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0)
            (void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
    rmdir(path);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/captls-blob-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    return captls_posix_blob_store_init(&store_ctx, dir, &store) == CAPTLS_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    captls_posix_blob_store_fini(&store_ctx);
    remove_tree(dir);
    return 0;
}

/* Names in the store directory other than keys (temp files). */
static int count_tmp_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
            strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static void put_ok(const char *key, const void *v, size_t len)
{
    assert_int_equal(store.put(store.ctx, key, v, len), CAPTLS_OK);
}

static void check_value(const char *key, const void *v, size_t len)
{
    static uint8_t buf[CAPTLS_POSIX_BLOB_MAX];
    size_t got = 0;
    assert_int_equal(store.get(store.ctx, key, buf, sizeof(buf), &got),
                     CAPTLS_OK);
    assert_int_equal(got, len);
    assert_memory_equal(buf, v, len);
}

static void test_round_trip_overwrite_remove(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t len = 99;

    assert_int_equal(store.get(store.ctx, "cert.pem", buf, sizeof(buf), &len),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(len, 0);
    put_ok("cert.pem", "first", 5);
    check_value("cert.pem", "first", 5);
    put_ok("cert.pem", "second value", 12);
    check_value("cert.pem", "second value", 12);
    put_ok("other_key-1", "x", 1);
    check_value("cert.pem", "second value", 12);
    put_ok("empty", NULL, 0);
    check_value("empty", "", 0);
    assert_int_equal(store.remove(store.ctx, "cert.pem"), CAPTLS_OK);
    assert_int_equal(store.get(store.ctx, "cert.pem", buf, sizeof(buf), &len),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(store.remove(store.ctx, "cert.pem"),
                     CAPTLS_ERR_NOT_FOUND);
    check_value("other_key-1", "x", 1);
    assert_int_equal(count_tmp_files(), 0);
}

static void test_buffer_too_small(void **state)
{
    (void)state;
    uint8_t buf[4] = {0};
    size_t len = 0;

    put_ok("k", "0123456789", 10);
    assert_int_equal(store.get(store.ctx, "k", buf, sizeof(buf), &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 10);
    assert_int_equal(store.get(store.ctx, "k", NULL, 0, &len),
                     CAPTLS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 10);
    assert_int_equal(store.get(store.ctx, "k", buf, sizeof(buf), NULL),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_bad_keys_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", ".hidden", ".", "..", "a/b", "../etc", "a b", "k\n", "k.tmp\x01",
        "ключ",
        /* 65 bytes */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    const char *longest =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    uint8_t buf[4];
    size_t len;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(store.put(store.ctx, bad[i], U("v"), 1),
                         CAPTLS_ERR_INVALID_ARGUMENT);
        assert_int_equal(store.get(store.ctx, bad[i], buf, sizeof(buf), &len),
                         CAPTLS_ERR_INVALID_ARGUMENT);
        assert_int_equal(store.remove(store.ctx, bad[i]),
                         CAPTLS_ERR_INVALID_ARGUMENT);
    }
    assert_int_equal(store.put(store.ctx, NULL, U("v"), 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(store.put(store.ctx, "k", NULL, 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(strlen(longest), CAPTLS_BLOB_KEY_MAX);
    put_ok(longest, "v", 1);
    check_value(longest, "v", 1);
    assert_int_equal(count_tmp_files(), 0);
}

static void test_size_limit(void **state)
{
    (void)state;
    static uint8_t big[CAPTLS_POSIX_BLOB_MAX + 1];

    memset(big, 'z', sizeof(big));
    assert_int_equal(store.put(store.ctx, "big", big, sizeof(big)),
                     CAPTLS_ERR_LIMIT_EXCEEDED);
    put_ok("big", big, CAPTLS_POSIX_BLOB_MAX);
    check_value("big", big, CAPTLS_POSIX_BLOB_MAX);
}

static void test_init_sweeps_stale_temp_files(void **state)
{
    (void)state;
    char p[128];
    int fd;

    put_ok("k", "old", 3);
    /* What a crash between open and rename leaves behind. */
    snprintf(p, sizeof(p), "%s/.k.tmp", dir);
    fd = open(p, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "torn", 4), 4);
    close(fd);
    snprintf(p, sizeof(p), "%s/.gone.tmp", dir);
    fd = open(p, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(count_tmp_files(), 2);
    captls_posix_blob_store_fini(&store_ctx);
    assert_int_equal(captls_posix_blob_store_init(&store_ctx, dir, &store),
                     CAPTLS_OK);
    assert_int_equal(count_tmp_files(), 0);
    check_value("k", "old", 3);
}

static void test_init_errors(void **state)
{
    (void)state;
    captls_posix_blob_store_ctx c;
    captls_blob_store s;
    char p[128];

    assert_int_equal(captls_posix_blob_store_init(&c, "", &s),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_posix_blob_store_init(&c, NULL, &s),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    snprintf(p, sizeof(p), "%s/missing/deeper", dir);
    assert_int_equal(captls_posix_blob_store_init(&c, p, &s),
                     CAPTLS_ERR_NOT_FOUND);
    /* one missing level is created */
    snprintf(p, sizeof(p), "%s/sub", dir);
    assert_int_equal(captls_posix_blob_store_init(&c, p, &s), CAPTLS_OK);
    assert_int_equal(s.put(s.ctx, "a", U("1"), 1), CAPTLS_OK);
    captls_posix_blob_store_fini(&c);
    snprintf(p, sizeof(p), "%s/sub/a", dir);
    assert_int_equal(unlink(p), 0);
    snprintf(p, sizeof(p), "%s/sub", dir);
    assert_int_equal(rmdir(p), 0);
}

/* Child side of the disk-full test; exit code 0 = all as expected. */
static int disk_full_child(const uint8_t *big, size_t big_len)
{
    struct rlimit lim = {64 * 1024, 64 * 1024};
    uint8_t buf[16];
    size_t len = 0;

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 10;
    if (store.put(store.ctx, "k", big, big_len) != CAPTLS_ERR_DISK_FULL)
        return 11;
    if (store.get(store.ctx, "k", buf, sizeof(buf), &len) != CAPTLS_OK ||
        len != 3 || memcmp(buf, "old", 3) != 0)
        return 12;
    if (count_tmp_files() != 0)
        return 13;
    /* A value under the limit still goes in. */
    if (store.put(store.ctx, "k", U("new"), 3) != CAPTLS_OK)
        return 14;
    return 0;
}

static void test_disk_full_keeps_old_value(void **state)
{
    (void)state;
    static uint8_t big[256 * 1024];
    pid_t pid;
    int status = 0;

    memset(big, 'B', sizeof(big));
    put_ok("k", "old", 3);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(disk_full_child(big, sizeof(big)));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    check_value("k", "new", 3);
    assert_int_equal(count_tmp_files(), 0);
}

/* xorshift32: a fixed schedule of kill delays, the same every run. */
static uint32_t rng_state = 0x2545F491u;
static uint32_t next_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

#define VAL_A_LEN (192u * 1024u)
#define VAL_B_LEN (320u * 1024u)

static void test_crash_atomicity(void **state)
{
    (void)state;
    static uint8_t a[VAL_A_LEN], b[VAL_B_LEN], buf[CAPTLS_POSIX_BLOB_MAX];
    int rounds = 50, leftovers = 0, saw_a = 0, saw_b = 0;

    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (uint8_t)('A' + i % 13);
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)('a' + i % 17);
    put_ok("crash", a, sizeof(a));
    for (int round = 0; round < rounds; round++) {
        struct timespec delay = {0, (long)(next_rand() % 4000u) * 1000L};
        int status = 0;
        size_t len = 0;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            for (unsigned i = 0;; i++) {
                if ((i & 1) == 0)
                    (void)store.put(store.ctx, "crash", b, sizeof(b));
                else
                    (void)store.put(store.ctx, "crash", a, sizeof(a));
            }
        }
        nanosleep(&delay, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(store.get(store.ctx, "crash", buf, sizeof(buf), &len),
                         CAPTLS_OK);
        if (len == sizeof(a) && memcmp(buf, a, sizeof(a)) == 0)
            saw_a++;
        else if (len == sizeof(b) && memcmp(buf, b, sizeof(b)) == 0)
            saw_b++;
        else
            fail_msg("round %d: torn value of %zu bytes", round, len);
        if (count_tmp_files() != 0)
            leftovers++;
        /* Every few rounds the parent puts, which must clean up. */
        if (round % 5 == 4) {
            put_ok("crash", a, sizeof(a));
            assert_int_equal(count_tmp_files(), 0);
        }
    }
    /* A fresh store (what a restarted service opens) also sweeps. */
    captls_posix_blob_store_fini(&store_ctx);
    assert_int_equal(captls_posix_blob_store_init(&store_ctx, dir, &store),
                     CAPTLS_OK);
    assert_int_equal(count_tmp_files(), 0);
    assert_int_equal(saw_a + saw_b, rounds);
    print_message("crash atomicity: %d rounds, %d A, %d B, %d left a temp "
                  "file\n",
                  rounds, saw_a, saw_b, leftovers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_overwrite_remove,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_too_small, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_sweeps_stale_temp_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_keeps_old_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_crash_atomicity, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
