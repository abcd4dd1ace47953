/* Unit tests of port/posix/posix_log_audit.c and posix_port.c.
 *
 * Disk full for the audit sink is simulated two ways: /dev/full (every
 * write fails with ENOSPC) and, in a forked child, RLIMIT_FSIZE with
 * SIGXFSZ ignored, so a record that crosses the limit is refused with
 * EFBIG after part of it was written; the file must be cut back to the
 * last whole record.
 */
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
#include <unistd.h>
#include <cmocka.h>

#include "core/cap/audit.h"
#include "port/posix/posix_port.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/captls-audit-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[160];
    unlink(path);
    snprintf(p, sizeof(p), "%s/store", dir);
    rmdir(p);
    rmdir(dir);
    return 0;
}

/* Reads a whole (small) file into buf, NUL-terminated; returns its size. */
static size_t slurp(const char *p, char *buf, size_t cap)
{
    int fd = open(p, O_RDONLY);
    ssize_t n;
    assert_true(fd >= 0);
    n = read(fd, buf, cap - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    return (size_t)n;
}

static void make_record(captls_audit_record *rec, const char *event,
                        const char *detail)
{
    captls_wall_time w = {1795392000, 7, CAPTLS_CLOCK_TRUSTED};
    assert_int_equal(captls_audit_record_init(rec, 42, &w, 3,
                                              CAPTLS_IFACE_TRUST_STORE, 1,
                                              event, CAPTLS_OK),
                     CAPTLS_OK);
    captls_audit_set_detail(rec, (const uint8_t *)detail, strlen(detail));
}

static void format_line(const captls_audit_record *rec, char *out)
{
    size_t n = 0;
    assert_int_equal(captls_audit_format(rec, out, CAPTLS_AUDIT_LINE_MAX, &n),
                     CAPTLS_OK);
    out[n] = '\n';
    out[n + 1] = '\0';
}

/* ------------------------------------------------------------------ log */

static void test_log_lines(void **state)
{
    (void)state;
    int p[2];
    captls_posix_log_ctx ctx;
    captls_log_sink log;
    char buf[4096];
    ssize_t n;

    assert_int_equal(pipe(p), 0);
    captls_posix_log_init(&ctx, p[1], CAPTLS_LOG_INFO, &log);
    log.write(log.ctx, CAPTLS_LOG_INFO, "hello", 5);
    log.write(log.ctx, CAPTLS_LOG_DEBUG, "dropped", 7);
    log.write(log.ctx, CAPTLS_LOG_ERROR, "bad\n\x1b[2Jline\x80", 13);
    log.write(log.ctx, CAPTLS_LOG_WARN, "trunc-not-nul", 5);
    close(p[1]);
    n = read(p[0], buf, sizeof(buf) - 1);
    close(p[0]);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "captls info: hello\n"
                             "captls error: bad??[2Jline?\n"
                             "captls warn: trunc\n");
}

static void test_log_long_message_cut(void **state)
{
    (void)state;
    int p[2];
    captls_posix_log_ctx ctx;
    captls_log_sink log;
    static char msg[5000], buf[8192];
    ssize_t n;

    memset(msg, 'm', sizeof(msg));
    assert_int_equal(pipe(p), 0);
    captls_posix_log_init(&ctx, p[1], CAPTLS_LOG_DEBUG, &log);
    log.write(log.ctx, CAPTLS_LOG_DEBUG, msg, sizeof(msg));
    close(p[1]);
    n = read(p[0], buf, sizeof(buf) - 1);
    close(p[0]);
    assert_int_equal(n, CAPTLS_POSIX_LOG_LINE_MAX);
    assert_memory_equal(buf, "captls debug: mmm", 17);
    assert_memory_equal(buf + n - 4, "...\n", 4);
}

/* ---------------------------------------------------------------- audit */

static void test_audit_appends_formatted_lines(void **state)
{
    (void)state;
    captls_posix_audit_ctx ctx;
    captls_audit_sink sink;
    captls_audit_record r1, r2;
    char l1[CAPTLS_AUDIT_LINE_MAX + 2], l2[CAPTLS_AUDIT_LINE_MAX + 2];
    char want[2 * sizeof(l1)], got[4096];
    struct stat st;

    make_record(&r1, "addAnchor", "CN=Test Root");
    make_record(&r2, "verifyChain", "evil\n audit forged");
    format_line(&r1, l1);
    format_line(&r2, l2);
    assert_int_equal(captls_posix_audit_open(&ctx, path, &sink), CAPTLS_OK);
    assert_int_equal(sink.append(sink.ctx, &r1), CAPTLS_OK);
    captls_posix_audit_fini(&ctx);
    /* reopening appends */
    assert_int_equal(captls_posix_audit_open(&ctx, path, &sink), CAPTLS_OK);
    assert_int_equal(sink.append(sink.ctx, &r2), CAPTLS_OK);
    assert_int_equal(sink.append(sink.ctx, NULL), CAPTLS_ERR_INVALID_ARGUMENT);
    captls_posix_audit_fini(&ctx);
    snprintf(want, sizeof(want), "%s%s", l1, l2);
    slurp(path, got, sizeof(got));
    assert_string_equal(got, want);
    /* the forged newline stayed inside its record */
    assert_non_null(strstr(got, "evil\\x0a audit forged"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_audit_dev_full_reported(void **state)
{
    (void)state;
    captls_posix_audit_ctx ctx;
    captls_audit_sink sink;
    captls_audit_record rec;

    make_record(&rec, "addAnchor", "x");
    assert_int_equal(captls_posix_audit_open(&ctx, "/dev/full", &sink),
                     CAPTLS_OK);
    assert_int_equal(sink.append(sink.ctx, &rec), CAPTLS_ERR_DISK_FULL);
    captls_posix_audit_fini(&ctx);
}

/* Child of the RLIMIT_FSIZE test: 0 when everything is as expected. */
static int audit_limit_child(void)
{
    captls_posix_audit_ctx ctx;
    captls_audit_sink sink;
    captls_audit_record rec;
    struct stat st;
    struct rlimit lim;
    off_t whole;

    make_record(&rec, "addAnchor", "first");
    if (captls_posix_audit_open(&ctx, path, &sink) != CAPTLS_OK)
        return 10;
    if (sink.append(sink.ctx, &rec) != CAPTLS_OK || fstat(ctx.fd, &st) != 0)
        return 11;
    whole = st.st_size;
    /* Room for a few bytes of the next record, not all of it. */
    lim.rlim_cur = lim.rlim_max = (rlim_t)whole + 10;
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 12;
    if (sink.append(sink.ctx, &rec) != CAPTLS_ERR_DISK_FULL)
        return 13;
    if (fstat(ctx.fd, &st) != 0 || st.st_size != whole)
        return 14; /* the torn record was not cut off */
    captls_posix_audit_fini(&ctx);
    return 0;
}

static void test_audit_disk_full_leaves_no_torn_line(void **state)
{
    (void)state;
    int status = 0;
    pid_t pid = fork();
    char got[4096];
    size_t n;

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(audit_limit_child());
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    n = slurp(path, got, sizeof(got));
    assert_true(n > 0);
    assert_int_equal(got[n - 1], '\n');
    assert_ptr_equal(strchr(got, '\n'), got + n - 1); /* one whole line */
}

static void test_audit_open_errors(void **state)
{
    (void)state;
    captls_posix_audit_ctx ctx;
    captls_audit_sink sink;
    char p[160];

    snprintf(p, sizeof(p), "%s/no/such/file", dir);
    assert_int_equal(captls_posix_audit_open(&ctx, p, &sink),
                     CAPTLS_ERR_NOT_FOUND);
    assert_int_equal(captls_posix_audit_open(&ctx, NULL, &sink),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_posix_audit_open(&ctx, "", &sink),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    /* a directory cannot be an audit file */
    assert_int_equal(captls_posix_audit_open(&ctx, dir, &sink),
                     CAPTLS_ERR_IO);
}

/* ------------------------------------------------------------- the port */

static captls_posix_port_ctx port_ctx; /* large: static */

static void test_port_init_full(void **state)
{
    (void)state;
    captls_posix_port_config cfg;
    captls_port port;
    captls_wall_time w;
    captls_audit_record rec;
    char store[160];
    uint8_t rnd[16];
    size_t len = 0;

    snprintf(store, sizeof(store), "%s/store", dir);
    memset(&cfg, 0, sizeof(cfg));
    cfg.store_dir = store;
    cfg.audit_path = path;
    cfg.wall_clock_untrusted = true;
    cfg.log_level = CAPTLS_LOG_ERROR;
    assert_int_equal(captls_posix_port_init(&port_ctx, &cfg, &port),
                     CAPTLS_OK);
    assert_non_null(port.clock.monotonic_ns);
    assert_int_equal(port.clock.wall_time(port.clock.ctx, &w), CAPTLS_OK);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_UNTRUSTED);
    assert_int_equal(port.entropy.fill(port.entropy.ctx, rnd, sizeof(rnd)),
                     CAPTLS_OK);
    assert_non_null(port.net.poll);
    assert_non_null(port.ipc.send);
    assert_int_equal(
        port.store.put(port.store.ctx, "k", (const uint8_t *)"v", 1),
        CAPTLS_OK);
    assert_int_equal(port.store.get(port.store.ctx, "k", rnd, sizeof(rnd),
                                    &len),
                     CAPTLS_OK);
    assert_int_equal(port.store.remove(port.store.ctx, "k"), CAPTLS_OK);
    make_record(&rec, "portTest", "");
    assert_int_equal(port.audit.append(port.audit.ctx, &rec), CAPTLS_OK);
    port.log.write(port.log.ctx, CAPTLS_LOG_INFO, "filtered out", 12);
    captls_posix_port_fini(&port_ctx);
}

static void test_port_init_defaults(void **state)
{
    (void)state;
    captls_port port;
    captls_wall_time w;

    assert_int_equal(captls_posix_port_init(&port_ctx, NULL, &port),
                     CAPTLS_OK);
    assert_int_equal(port.clock.wall_time(port.clock.ctx, &w), CAPTLS_OK);
    assert_int_equal(w.provenance, CAPTLS_CLOCK_TRUSTED);
    /* not configured: not offered */
    assert_null(port.store.get);
    assert_null(port.audit.append);
    assert_non_null(port.log.write);
    captls_posix_port_fini(&port_ctx);
}

static void test_port_init_failure_leaves_nothing(void **state)
{
    (void)state;
    captls_posix_port_config cfg;
    captls_port port;
    char bad[160];

    snprintf(bad, sizeof(bad), "%s/missing/audit.log", dir);
    memset(&cfg, 0, sizeof(cfg));
    cfg.audit_path = bad;
    assert_int_equal(captls_posix_port_init(&port_ctx, &cfg, &port),
                     CAPTLS_ERR_NOT_FOUND);
    assert_null(port.clock.monotonic_ns);
    assert_int_equal(port_ctx.audit.fd, -1);
    assert_int_equal(port_ctx.store.dirfd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_lines),
        cmocka_unit_test(test_log_long_message_cut),
        cmocka_unit_test_setup_teardown(test_audit_appends_formatted_lines,
                                        setup, teardown),
        cmocka_unit_test(test_audit_dev_full_reported),
        cmocka_unit_test_setup_teardown(
            test_audit_disk_full_leaves_no_torn_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_open_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_port_init_full, setup, teardown),
        cmocka_unit_test(test_port_init_defaults),
        cmocka_unit_test_setup_teardown(test_port_init_failure_leaves_nothing,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
