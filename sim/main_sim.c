/* sim/main_sim.c — build/captls-sim: run a scenario and print its
 * transcript.
 *
 *   captls-sim run FILE [--seed N]
 *   captls-sim bench FILE [--seed N] [--runs N]
 *   captls-sim --help
 *
 * run prints the transcript, then as its last line
 * "transcript sha256: <hex>", the SHA-256 of every line before it (each
 * with its newline). Exit status: 0 the run completed and every
 * expectation held; 1 an expectation failed or a budget stopped the run;
 * 2 usage errors and scenario errors ("FILE:LINE:COL: error: ..." on
 * stderr). bench runs the scenario N times in-process without printing
 * the transcript and reports events per second on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/sanitize.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static void usage(FILE *f)
{
    fputs("usage: captls-sim run FILE [--seed N]\n"
          "       captls-sim bench FILE [--seed N] [--runs N]\n"
          "       captls-sim --help\n"
          "\n"
          "Runs a simulator scenario (format: sim/SCENARIOS.md) and prints\n"
          "its transcript step by step, then 'transcript sha256: <hex>'.\n"
          "The same seed gives the same transcript; the default seed is 1.\n"
          "\n"
          "Exit status: 0 every expectation held, 1 an expectation failed or\n"
          "a budget stopped the run, 2 usage or scenario errors.\n",
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

/* Reads the whole file (at most the scenario maximum + 1 bytes). */
static uint8_t *read_file(const char *path, size_t *len, const char *shown)
{
    FILE *f = fopen(path, "rb");
    size_t cap = CAPTLS_SIM_SCN_MAX_BYTES + 1, n = 0;
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
    n = fread(buf, 1, cap, f);
    if (ferror(f)) {
        fprintf(stderr, "captls-sim: cannot read %s: %s\n", shown,
                strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void print_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char H[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = H[p[i] >> 4];
        out[2 * i + 1] = H[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *cmd, *file = NULL;
    uint64_t seed = 1, runs = 1000;
    char shown[256];
    if (argc < 2) {
        fprintf(stderr, "captls-sim: expected a command (run or bench)\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    bool bench = strcmp(cmd, "bench") == 0;
    if (!bench && strcmp(cmd, "run") != 0) {
        fprintf(stderr, "captls-sim: unknown command; expected run or "
                        "bench\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 || strcmp(argv[i], "--runs") == 0) {
            uint64_t *dst = argv[i][2] == 's' ? &seed : &runs;
            if (i + 1 >= argc || !parse_u64(argv[i + 1], dst) ||
                (dst == &runs && (!bench || runs == 0))) {
                fprintf(stderr, "captls-sim: %s expects a number%s\n",
                        argv[i], dst == &runs ? " above 0 (bench only)" : "");
                return EXIT_USAGE;
            }
            i++;
        } else if (strncmp(argv[i], "--seed=", 7) == 0) {
            if (!parse_u64(argv[i] + 7, &seed)) {
                fprintf(stderr, "captls-sim: --seed expects a number\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            captls_sanitize((const uint8_t *)argv[i], strlen(argv[i]), shown,
                            sizeof(shown));
            fprintf(stderr, "captls-sim: unknown option %s\n", shown);
            usage(stderr);
            return EXIT_USAGE;
        } else if (file == NULL) {
            file = argv[i];
        } else {
            fprintf(stderr, "captls-sim: expected one scenario file\n");
            return EXIT_USAGE;
        }
    }
    if (file == NULL) {
        fprintf(stderr, "captls-sim: expected a scenario FILE\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    captls_sanitize((const uint8_t *)file, strlen(file), shown, sizeof(shown));

    size_t len = 0;
    uint8_t *text = read_file(file, &len, shown);
    if (text == NULL)
        return EXIT_USAGE;
    captls_sim_scenario *sc = NULL;
    captls_sim_scn_error err;
    captls_result r = captls_sim_scenario_parse(text, len, &sc, &err);
    free(text);
    if (r == CAPTLS_ERR_MALFORMED) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", shown, err.line, err.col,
                err.msg);
        return EXIT_USAGE;
    }
    if (r != CAPTLS_OK) {
        fprintf(stderr, "captls-sim: %s: %s\n", shown, captls_result_name(r));
        return EXIT_USAGE;
    }

    captls_sim_report rep;
    char digest[65];
    if (bench) {
        uint64_t events = 0;
        double t0 = now_s();
        for (uint64_t i = 0; i < runs && r == CAPTLS_OK; i++) {
            r = captls_sim_scenario_run(sc, seed + i, NULL, NULL, NULL, &rep);
            events += rep.events;
        }
        double dt = now_s() - t0;
        if (r == CAPTLS_OK)
            printf("%llu runs, %llu events in %.3f s: %.0f events/s, "
                   "%.1f us per run\n",
                   (unsigned long long)runs, (unsigned long long)events, dt,
                   dt > 0 ? (double)events / dt : 0.0,
                   dt * 1e6 / (double)runs);
    } else {
        r = captls_sim_scenario_run(sc, seed, NULL, print_line, NULL, &rep);
    }
    captls_sim_scenario_free(sc);
    if (r != CAPTLS_OK) {
        fprintf(stderr, "captls-sim: %s: cannot run: %s\n", shown,
                captls_result_name(r));
        return EXIT_USAGE;
    }
    if (bench)
        return 0;
    hex(rep.hash, sizeof(rep.hash), digest);
    printf("transcript sha256: %s\n", digest);
    fflush(stdout);
    if (!rep.completed)
        fprintf(stderr, "%s: error: run stopped: %s\n", shown,
                rep.stop_reason);
    if (rep.expects_failed > 0)
        fprintf(stderr, "%s:%u: error: expectation failed: %s\n", shown,
                rep.first_failed_line, rep.first_failure);
    return captls_sim_report_ok(&rep) ? 0 : EXIT_FAILED;
}
