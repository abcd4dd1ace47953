/* sim/main_sim.c — build/captls-sim: run, replay and sweep scenarios.
 *
 *   captls-sim run FILE [--seed N] [--trace OUT] [--json OUT] [--junit OUT]
 *   captls-sim replay TRACE [--json OUT] [--junit OUT]
 *   captls-sim sweep FILE... --seeds A..B [--jobs N] [--json OUT]
 *                    [--junit OUT] [--trace OUT]
 *   captls-sim bench FILE [--seed N] [--runs N]
 *
 * run prints the transcript, then as its last line
 * "transcript sha256: <hex>". replay re-runs a trace (sim/trace.h) and
 * checks the transcript hash against the one recorded. sweep runs every
 * seed in A..B of each FILE (--jobs N forks N workers), shows a progress
 * bar on stderr (plain lines when stderr is not a terminal), then prints a
 * summary table and every failing seed with the command that replays it;
 * --trace writes the first failing seed's trace. Exit status: 0 every
 * expectation held (and, for replay, the hash matched); 1 an expectation
 * failed, a budget stopped a run or a replay's hash differs; 2 usage
 * errors, unreadable files and scenario errors ("FILE:LINE:COL: error:
 * ..." on stderr).
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/sanitize.h"
#include "core/base/text.h"
#include "sim/report.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/trace.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define MAX_FILES 64
#define MAX_JOBS 64

static const char *prog_name = "captls-sim";

static void usage(FILE *f)
{
    fputs("usage: captls-sim run FILE [--seed N] [--trace OUT] [--json OUT] "
          "[--junit OUT]\n"
          "       captls-sim replay TRACE [--json OUT] [--junit OUT]\n"
          "       captls-sim sweep FILE... --seeds A..B [--jobs N] "
          "[--json OUT] [--junit OUT] [--trace OUT]\n"
          "       captls-sim bench FILE [--seed N] [--runs N]\n"
          "       captls-sim --help\n"
          "\n"
          "Runs simulator scenarios (format: sim/SCENARIOS.md). run prints\n"
          "the transcript step by step, then 'transcript sha256: <hex>'; the\n"
          "same seed gives the same transcript (default seed 1). --trace\n"
          "writes a trace that 'replay' re-runs exactly, checking the hash.\n"
          "sweep runs many seeds with a progress bar and names every failing\n"
          "seed with the command that replays it.\n"
          "\n"
          "Exit status: 0 every expectation held, 1 an expectation failed, a\n"
          "budget stopped a run or a replay's hash differs, 2 usage or\n"
          "scenario errors.\n",
          f);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Reads the whole file (at most max + 1 bytes). */
static uint8_t *read_file(const char *path, size_t max, size_t *len,
                          const char *shown)
{
    FILE *f = fopen(path, "rb");
    size_t cap = max + 1;
    uint8_t *buf;
    if (f == NULL) {
        fprintf(stderr, "captls-sim: cannot read %s: %s\n", shown,
                strerror(errno));
        return NULL;
    }
    buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        fprintf(stderr, "captls-sim: out of memory\n");
        return NULL;
    }
    *len = fread(buf, 1, cap, f);
    if (ferror(f)) {
        fprintf(stderr, "captls-sim: cannot read %s: %s\n", shown,
                strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    return buf;
}

/* Parses scenario text and loads its `cert` files (relative to `path`,
 * the scenario's file name); prints FILE:LINE:COL errors. */
static captls_sim_scenario *parse_scn(const uint8_t *text, size_t len,
                                      const char *shown, const char *path)
{
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse(text, len, &sc, &err);
    if (r == CAPTLS_OK) {
        r = captls_sim_scenario_load_certs(sc, path, &err);
        if (r != CAPTLS_OK) {
            captls_sim_scenario_free(sc);
            sc = NULL;
            r = CAPTLS_ERR_MALFORMED;
        }
    }
    if (r == CAPTLS_ERR_MALFORMED) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", shown, err.line, err.col,
                err.msg);
        return NULL;
    }
    if (r != CAPTLS_OK) {
        fprintf(stderr, "captls-sim: %s: %s\n", shown, captls_result_name(r));
        return NULL;
    }
    return sc;
}

static void print_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
}

/* Lowercase hex of n bytes into out (cap at least 2n + 1). */
static void hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    captls_text t;
    captls_text_init(&t, out, cap);
    captls_text_hex(&t, p, n);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ options */

typedef struct opts {
    const char *cmd;
    const char *files[MAX_FILES];
    size_t nfiles;
    uint64_t seed, runs, seed_lo, seed_hi, jobs;
    bool have_seeds, have_runs, have_seed;
    const char *trace, *json, *junit;
} opts;

static bool seeds_range(const char *s, uint64_t *lo, uint64_t *hi)
{
    const char *dots = strstr(s, "..");
    char a[32];
    if (dots == NULL || (size_t)(dots - s) >= sizeof(a) || dots == s)
        return false;
    memcpy(a, s, (size_t)(dots - s));
    a[dots - s] = '\0';
    return parse_u64(a, lo) && parse_u64(dots + 2, hi) && *lo <= *hi &&
           *hi - *lo < 100000000u;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    char shown[256];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        char key[32];
        if (a[0] == '-' && a[1] == '-' && eq != NULL &&
            (size_t)(eq - a) < sizeof(key)) {
            memcpy(key, a, (size_t)(eq - a));
            key[eq - a] = '\0';
            val = eq + 1;
            a = key;
        }
        bool takes = strcmp(a, "--seed") == 0 || strcmp(a, "--runs") == 0 ||
                     strcmp(a, "--seeds") == 0 || strcmp(a, "--jobs") == 0 ||
                     strcmp(a, "--trace") == 0 || strcmp(a, "--json") == 0 ||
                     strcmp(a, "--junit") == 0;
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (takes && val == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "captls-sim: %s expects a value\n", a);
                return EXIT_USAGE;
            }
            val = argv[++i];
        }
        bool run = strcmp(o->cmd, "run") == 0;
        bool sweep = strcmp(o->cmd, "sweep") == 0;
        bool bench = strcmp(o->cmd, "bench") == 0;
        bool replay = strcmp(o->cmd, "replay") == 0;
        if (strcmp(a, "--seed") == 0) {
            if (!(run || bench) || !parse_u64(val, &o->seed)) {
                fprintf(stderr, "captls-sim: --seed expects a number (run "
                                "and bench only)\n");
                return EXIT_USAGE;
            }
            o->have_seed = true;
        } else if (strcmp(a, "--runs") == 0) {
            if (!bench || !parse_u64(val, &o->runs) || o->runs == 0) {
                fprintf(stderr, "captls-sim: --runs expects a number above 0 "
                                "(bench only)\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--seeds") == 0) {
            if (!sweep || !seeds_range(val, &o->seed_lo, &o->seed_hi)) {
                fprintf(stderr, "captls-sim: --seeds expects A..B with A <= B "
                                "and at most 100000000 seeds (sweep only)\n");
                return EXIT_USAGE;
            }
            o->have_seeds = true;
        } else if (strcmp(a, "--jobs") == 0) {
            if (!sweep || !parse_u64(val, &o->jobs) || o->jobs == 0 ||
                o->jobs > MAX_JOBS) {
                fprintf(stderr, "captls-sim: --jobs expects 1..%d (sweep "
                                "only)\n",
                        MAX_JOBS);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--trace") == 0) {
            if (replay || bench || val[0] == '\0') {
                fprintf(stderr, "captls-sim: --trace expects a file name "
                                "(run and sweep only)\n");
                return EXIT_USAGE;
            }
            o->trace = val;
        } else if (strcmp(a, "--json") == 0 || strcmp(a, "--junit") == 0) {
            if (bench || val[0] == '\0') {
                fprintf(stderr, "captls-sim: %s expects a file name (run, "
                                "replay and sweep)\n",
                        a);
                return EXIT_USAGE;
            }
            if (a[3] == 's')
                o->json = val;
            else
                o->junit = val;
        } else if (a[0] == '-' && a[1] != '\0') {
            captls_sanitize((const uint8_t *)argv[i], strlen(argv[i]), shown,
                            sizeof(shown));
            fprintf(stderr, "captls-sim: unknown option %s\n", shown);
            usage(stderr);
            return EXIT_USAGE;
        } else if (o->nfiles == 0 || (sweep && o->nfiles < MAX_FILES)) {
            o->files[o->nfiles++] = argv[i];
        } else {
            fprintf(stderr, "captls-sim: expected one %s file\n",
                    replay ? "trace" : "scenario");
            return EXIT_USAGE;
        }
    }
    if (o->nfiles == 0) {
        fprintf(stderr, "captls-sim: expected a %s FILE\n",
                strcmp(o->cmd, "replay") == 0 ? "trace" : "scenario");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(o->cmd, "sweep") == 0 && !o->have_seeds) {
        fprintf(stderr, "captls-sim: sweep expects --seeds A..B\n");
        return EXIT_USAGE;
    }
    return -1; /* go on */
}

/* Writes the JSON and JUnit reports asked for; false on a failure. */
static bool write_reports(const opts *o, const sim_suite *s, size_t n,
                          double wall)
{
    bool ok = true;
    if (o->json != NULL) {
        FILE *f = fopen(o->json, "w");
        ok = f != NULL && sim_report_json(f, o->cmd, s, n, wall) && ok;
        if (f == NULL || fclose(f) != 0 || !ok) {
            fprintf(stderr, "captls-sim: cannot write the JSON report\n");
            ok = false;
        }
    }
    if (o->junit != NULL) {
        FILE *f = fopen(o->junit, "w");
        bool w = f != NULL && sim_report_junit(f, prog_name, s, n);
        if (f == NULL || fclose(f) != 0 || !w) {
            fprintf(stderr, "captls-sim: cannot write the JUnit report\n");
            ok = false;
        }
    }
    return ok;
}

static bool write_trace(const char *path, uint64_t seed, const char *file,
                        const uint8_t *text, size_t len,
                        const captls_sim_report *rep)
{
    captls_sim_trace t;
    memset(&t, 0, sizeof(t));
    t.version = CAPTLS_SIM_TRACE_VERSION;
    t.seed = seed;
    snprintf(t.file, sizeof(t.file), "%s", file);
    t.passed = captls_sim_report_ok(rep);
    memcpy(t.hash, rep->hash, 32);
    t.scenario = text;
    t.scenario_len = len;
    FILE *f = fopen(path, "wb");
    bool ok = f != NULL && captls_sim_trace_write(f, &t);
    if (f == NULL || fclose(f) != 0 || !ok) {
        fprintf(stderr, "captls-sim: cannot write the trace %s\n", path);
        return false;
    }
    return true;
}

/* ------------------------------------------------------- run, replay */

static void run_verdict(const char *shown, const captls_sim_report *rep)
{
    char digest[65];
    hex(rep->hash, sizeof(rep->hash), digest, sizeof(digest));
    printf("transcript sha256: %s\n", digest);
    fflush(stdout);
    if (!rep->completed)
        fprintf(stderr, "%s: error: run stopped: %s\n", shown,
                rep->stop_reason);
    if (rep->expects_failed > 0)
        fprintf(stderr, "%s:%u: error: expectation failed: %s\n", shown,
                rep->first_failed_line, rep->first_failure);
}

static int cmd_run(const opts *o, bool replay)
{
    char shown[256], tshown[600];
    size_t len = 0;
    captls_sim_trace tr;
    const char *file = o->files[0];
    uint64_t seed = o->have_seed ? o->seed : 1;
    captls_sanitize((const uint8_t *)file, strlen(file), shown, sizeof(shown));
    uint8_t *buf = read_file(file, replay ? CAPTLS_SIM_SCN_MAX_BYTES + 4096
                                          : CAPTLS_SIM_SCN_MAX_BYTES,
                             &len, shown);
    if (buf == NULL)
        return EXIT_USAGE;
    const uint8_t *text = buf;
    size_t tlen = len;
    if (replay) {
        char err[256];
        if (captls_sim_trace_parse(buf, len, &tr, err, sizeof(err)) !=
            CAPTLS_OK) {
            fprintf(stderr, "%s: error: not a valid trace: %s\n", shown, err);
            free(buf);
            return EXIT_USAGE;
        }
        text = tr.scenario;
        tlen = tr.scenario_len;
        seed = tr.seed;
        snprintf(tshown, sizeof(tshown), "%s (scenario from %s)", shown,
                 tr.file);
    }
    captls_sim_scenario *sc = parse_scn(text, tlen, replay ? tshown : shown,
                                      replay ? tr.file : file);
    if (sc == NULL) {
        free(buf);
        return EXIT_USAGE;
    }
    captls_sim_report rep;
    double t0 = now_s();
    captls_result r =
        captls_sim_scenario_run(sc, seed, NULL, print_line, NULL, &rep);
    double dt = now_s() - t0;
    captls_sim_scenario_free(sc);
    if (r != CAPTLS_OK) {
        fprintf(stderr, "captls-sim: %s: cannot run: %s\n", shown,
                captls_result_name(r));
        free(buf);
        return EXIT_USAGE;
    }
    run_verdict(replay ? tr.file : shown, &rep);
    bool ok = captls_sim_report_ok(&rep);
    if (o->trace != NULL && !write_trace(o->trace, seed, file, text, tlen,
                                         &rep))
        ok = false;
    if (replay) {
        char want[65], got[65];
        hex(tr.hash, 32, want, sizeof(want));
        hex(rep.hash, 32, got, sizeof(got));
        if (memcmp(tr.hash, rep.hash, 32) != 0) {
            fprintf(stderr,
                    "replay: error: transcript hash differs: the trace "
                    "recorded %s, this run gave %s (seed %llu of %s): the "
                    "simulator is not deterministic or has changed\n",
                    want, got, (unsigned long long)seed, tr.file);
            ok = false;
        } else {
            fprintf(stderr, "replay: transcript hash matches the trace (seed "
                            "%llu of %s, recorded outcome %s%s)\n",
                    (unsigned long long)seed, tr.file,
                    tr.passed ? "passed" : "failed",
                    tr.passed == captls_sim_report_ok(&rep)
                        ? ", reproduced"
                        : "; this run's outcome differs");
        }
    }
    sim_suite s;
    memset(&s, 0, sizeof(s));
    s.file = replay ? tr.file : file;
    sim_seed_result res;
    sim_result_from_report(&res, seed, &rep, dt);
    if (!ok) {
        res.passed = false;
        if (res.failure[0] == '\0')
            snprintf(res.failure, sizeof(res.failure), "%s",
                     replay ? "replay: transcript hash differs from the trace"
                            : "the trace could not be written");
    }
    s.wall_s = dt;
    bool reports = sim_suite_add(&s, &res) && write_reports(o, &s, 1, dt);
    sim_suite_free(&s);
    free(buf);
    return ok && reports ? 0 : EXIT_FAILED;
}

/* ------------------------------------------------------------- bench */

static int cmd_bench(const opts *o)
{
    char shown[256];
    size_t len = 0;
    uint64_t seed = o->have_seed ? o->seed : 1, runs = o->runs ? o->runs : 1000;
    captls_sanitize((const uint8_t *)o->files[0], strlen(o->files[0]), shown,
                    sizeof(shown));
    uint8_t *text = read_file(o->files[0], CAPTLS_SIM_SCN_MAX_BYTES, &len,
                              shown);
    if (text == NULL)
        return EXIT_USAGE;
    captls_sim_scenario *sc = parse_scn(text, len, shown, o->files[0]);
    free(text);
    if (sc == NULL)
        return EXIT_USAGE;
    captls_sim_report rep;
    captls_result r = CAPTLS_OK;
    uint64_t events = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < runs && r == CAPTLS_OK; i++) {
        r = captls_sim_scenario_run(sc, seed + i, NULL, NULL, NULL, &rep);
        events += rep.events;
    }
    double dt = now_s() - t0;
    captls_sim_scenario_free(sc);
    if (r != CAPTLS_OK) {
        fprintf(stderr, "captls-sim: %s: cannot run: %s\n", shown,
                captls_result_name(r));
        return EXIT_USAGE;
    }
    printf("%llu runs, %llu events in %.3f s: %.0f events/s, "
           "%.1f us per run\n",
           (unsigned long long)runs, (unsigned long long)events, dt,
           dt > 0 ? (double)events / dt : 0.0, dt * 1e6 / (double)runs);
    return 0;
}

/* ------------------------------------------------------------- sweep */

typedef struct progress {
    bool tty;
    uint64_t total, done, failed;
    double t0, last;
    unsigned last_decile;
    uint64_t last_done; /* at the last plain line */
} progress;

static void progress_show(progress *p, bool final)
{
    double t = now_s();
    double rate = t > p->t0 ? (double)p->done / (t - p->t0) : 0;
    if (p->tty) {
        if (!final && t - p->last < 0.05)
            return;
        p->last = t;
        unsigned width = 30, fill = (unsigned)(p->total > 0 ? p->done * width /
                                                                  p->total
                                                            : width);
        char bar[64];
        for (unsigned i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r  [%s] %llu/%llu seeds  %.0f seeds/s  %llu "
                        "failed%s",
                bar, (unsigned long long)p->done,
                (unsigned long long)p->total, rate,
                (unsigned long long)p->failed, final ? "\n" : "");
        fflush(stderr);
        return;
    }
    unsigned decile = (unsigned)(p->total > 0 ? p->done * 10 / p->total : 10);
    if ((!final && decile == p->last_decile) ||
        (final && p->done == p->last_done && p->done > 0))
        return;
    p->last_decile = decile;
    p->last_done = p->done;
    fprintf(stderr, "sweep: %llu/%llu seeds, %.0f seeds/s, %llu failed\n",
            (unsigned long long)p->done, (unsigned long long)p->total, rate,
            (unsigned long long)p->failed);
}

static void run_seed(const captls_sim_scenario *sc, uint64_t seed,
                     sim_seed_result *out)
{
    captls_sim_report rep;
    double t0 = now_s();
    if (captls_sim_scenario_run(sc, seed, NULL, NULL, NULL, &rep) !=
        CAPTLS_OK) {
        memset(out, 0, sizeof(*out));
        out->seed = seed;
        snprintf(out->failure, sizeof(out->failure),
                 "the run could not start (out of memory?)");
        return;
    }
    sim_result_from_report(out, seed, &rep, now_s() - t0);
}

static bool write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

static bool read_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        b += r;
        n -= (size_t)r;
    }
    return true;
}

/* Runs seeds lo..hi of sc into s; jobs > 1 forks workers. */
static bool sweep_one(const captls_sim_scenario *sc, uint64_t lo, uint64_t hi,
                      unsigned jobs, progress *pg, sim_suite *s)
{
    uint64_t total = hi - lo + 1;
    sim_seed_result res;
    if (jobs > total)
        jobs = (unsigned)total;
    if (jobs <= 1) {
        for (uint64_t seed = lo;; seed++) {
            run_seed(sc, seed, &res);
            if (!sim_suite_add(s, &res))
                return false;
            pg->done++;
            pg->failed += !res.passed;
            progress_show(pg, false);
            if (seed == hi)
                break;
        }
        return true;
    }
    int fds[MAX_JOBS];
    pid_t pids[MAX_JOBS];
    unsigned started = 0;
    fflush(stdout);
    fflush(stderr);
    for (unsigned j = 0; j < jobs; j++) {
        int pp[2];
        if (pipe(pp) != 0)
            break;
        pid_t pid = fork();
        if (pid < 0) {
            close(pp[0]);
            close(pp[1]);
            break;
        }
        if (pid == 0) {
            close(pp[0]);
            for (unsigned i = 0; i < started; i++)
                close(fds[i]);
            for (uint64_t seed = lo + j; seed <= hi && seed >= lo;
                 seed += jobs) {
                run_seed(sc, seed, &res);
                if (!write_all(pp[1], &res, sizeof(res)))
                    _exit(3);
            }
            _exit(0);
        }
        close(pp[1]);
        fds[started] = pp[0];
        pids[started] = pid;
        started++;
    }
    if (started < jobs) {
        fprintf(stderr, "captls-sim: could only start %u of %u workers\n",
                started, jobs);
        for (unsigned i = 0; i < started; i++) {
            close(fds[i]);
            kill(pids[i], SIGTERM);
            waitpid(pids[i], NULL, 0);
        }
        return false;
    }
    struct pollfd pfd[MAX_JOBS];
    unsigned open_fds = started;
    bool ok = true;
    for (unsigned i = 0; i < started; i++) {
        pfd[i].fd = fds[i];
        pfd[i].events = POLLIN;
    }
    while (open_fds > 0) {
        int n = poll(pfd, started, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (unsigned i = 0; i < started; i++) {
            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            if (!read_all(pfd[i].fd, &res, sizeof(res))) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open_fds--;
                continue;
            }
            if (!sim_suite_add(s, &res))
                ok = false;
            pg->done++;
            pg->failed += !res.passed;
            progress_show(pg, false);
        }
    }
    for (unsigned i = 0; i < started; i++) {
        int st = 0;
        waitpid(pids[i], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            ok = false;
    }
    if (s->n != total) {
        fprintf(stderr, "captls-sim: a worker died: %zu of %llu seeds "
                        "reported\n",
                s->n, (unsigned long long)total);
        ok = false;
    }
    sim_suite_sort(s);
    return ok;
}

static int cmd_sweep(const opts *o)
{
    sim_suite suites[MAX_FILES];
    captls_sim_scenario *scs[MAX_FILES];
    uint8_t *texts[MAX_FILES];
    size_t lens[MAX_FILES];
    char shown[MAX_FILES][256];
    int rc = 0;
    memset(suites, 0, sizeof(suites));
    memset(scs, 0, sizeof(scs));
    memset(texts, 0, sizeof(texts));
    for (size_t i = 0; i < o->nfiles; i++) {
        captls_sanitize((const uint8_t *)o->files[i], strlen(o->files[i]),
                        shown[i], sizeof(shown[i]));
        texts[i] = read_file(o->files[i], CAPTLS_SIM_SCN_MAX_BYTES, &lens[i],
                             shown[i]);
        if (texts[i] == NULL || (scs[i] = parse_scn(texts[i], lens[i],
                                                    shown[i], o->files[i])) ==
                                   NULL) {
            rc = EXIT_USAGE;
            goto out;
        }
        suites[i].file = shown[i];
    }
    progress pg;
    memset(&pg, 0, sizeof(pg));
    pg.tty = isatty(2);
    pg.total = (o->seed_hi - o->seed_lo + 1) * o->nfiles;
    pg.t0 = now_s();
    pg.last_decile = 0;
    unsigned jobs = o->jobs ? (unsigned)o->jobs : 1;
    fprintf(stderr, "sweep: %zu scenario%s x seeds %llu..%llu, %u job%s\n",
            o->nfiles, o->nfiles == 1 ? "" : "s",
            (unsigned long long)o->seed_lo, (unsigned long long)o->seed_hi,
            jobs, jobs == 1 ? "" : "s");
    for (size_t i = 0; i < o->nfiles; i++) {
        double t0 = now_s();
        if (!sweep_one(scs[i], o->seed_lo, o->seed_hi, jobs, &pg,
                       &suites[i]))
            rc = EXIT_FAILED;
        suites[i].wall_s = now_s() - t0;
    }
    progress_show(&pg, true);
    double wall = now_s() - pg.t0;
    printf("\n");
    sim_report_table(stdout, suites, o->nfiles);
    bool any_failed = false, traced = false;
    for (size_t i = 0; i < o->nfiles; i++) {
        if (suites[i].failed == 0)
            continue;
        any_failed = true;
        printf("\n%s: %zu failing seed%s (each replays exactly):\n",
               shown[i], suites[i].failed, suites[i].failed == 1 ? "" : "s");
        for (size_t j = 0; j < suites[i].n; j++) {
            const sim_seed_result *r = &suites[i].r[j];
            if (r->passed)
                continue;
            printf("  seed %llu: %s\n    %s run %s --seed %llu\n",
                   (unsigned long long)r->seed, r->failure, prog_name,
                   shown[i], (unsigned long long)r->seed);
            if (o->trace != NULL && !traced) {
                captls_sim_report rep;
                traced = true;
                if (captls_sim_scenario_run(scs[i], r->seed, NULL, NULL,
                                            NULL, &rep) != CAPTLS_OK ||
                    !write_trace(o->trace, r->seed, o->files[i], texts[i],
                                 lens[i], &rep))
                    rc = EXIT_FAILED;
                else
                    printf("    (trace written to %s: %s replay %s)\n",
                           o->trace, prog_name, o->trace);
            }
        }
    }
    if (!any_failed)
        printf("\nall %llu runs passed\n", (unsigned long long)pg.total);
    fflush(stdout);
    if (!write_reports(o, suites, o->nfiles, wall))
        rc = EXIT_FAILED;
    if (any_failed && rc == 0)
        rc = EXIT_FAILED;
out:
    for (size_t i = 0; i < o->nfiles; i++) {
        captls_sim_scenario_free(scs[i]);
        free(texts[i]);
        sim_suite_free(&suites[i]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof(o));
#ifdef __GLIBC__
    /* Every run allocates its kernel and process states (a TLS program's
     * buffers are a few hundred KiB) and frees them: keep that memory in
     * the heap instead of mapping and unmapping it for each seed. The page
     * faults and zero-filling cost more than the TLS handshake itself
     * (tls_handshake.scn: 3.9 s -> 1.6 s of CPU for 2000 seeds). */
    (void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0')
        prog_name = argv[0];
    if (argc < 2) {
        fprintf(stderr, "captls-sim: expected a command (run, replay, sweep "
                        "or bench)\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    o.cmd = argv[1];
    if (strcmp(o.cmd, "--help") == 0 || strcmp(o.cmd, "-h") == 0 ||
        strcmp(o.cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(o.cmd, "run") != 0 && strcmp(o.cmd, "bench") != 0 &&
        strcmp(o.cmd, "sweep") != 0 && strcmp(o.cmd, "replay") != 0) {
        fprintf(stderr, "captls-sim: unknown command; expected run, replay, "
                        "sweep or bench\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (strcmp(o.cmd, "bench") == 0)
        return cmd_bench(&o);
    if (strcmp(o.cmd, "sweep") == 0)
        return cmd_sweep(&o);
    return cmd_run(&o, strcmp(o.cmd, "replay") == 0);
}
