/* captls-telnetsd — the telnets gateway (seed 004) on the POSIX port.
 *
 *   captls-telnetsd [--listen HOST:PORT] (--cert CHAIN.pem | --store DIR
 *       --handle NAME) --key KEY.pem [--client-ca CA.pem]
 *       [--client-map FILE] [--users FILE]
 *       [--auth mtls|mtls-or-password|password] [--profile dev|production]
 *       [--max-conns N] [--plaintext-listen 127.0.0.1:PORT]
 *       [--handshake-timeout S] [--login-timeout S] [--idle-timeout S]
 *       [--max-pending-per-source N] [--host-name NAME] [--audit FILE]
 *       [--port-file FILE] [--quiet]
 *
 * The gateway logic is core/gateway/gateway.h; this file loads the files,
 * builds the port (clock, entropy, net, audit) and runs the loop until
 * SIGINT/SIGTERM. SIGUSR1 prints the counters ("stats: ..."), as the exit
 * does. Exit status: 0 after a signal, 2 for a usage or setup error (the
 * gateway then never listens: fail closed).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/base/ct.h"
#include "core/cap/cap_table.h"
#include "core/gateway/gateway.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_driver.h"
#include "port/posix/tls_options.h"
#include "port/posix/tls_store_identity.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

#define MAX_USERS 1024u
#define MAX_MAP 1024u

typedef struct opts {
    const char *listen, *cert, *key, *store, *handle, *client_ca, *client_map,
        *users, *plaintext, *host_name, *audit, *port_file;
    captls_gateway_auth auth;
    captls_deploy_profile deploy;
    unsigned long max_conns, hs_timeout, login_timeout, idle_timeout,
        max_pending;
    bool quiet;
} opts;

static volatile sig_atomic_t stop_flag, stats_flag;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        stats_flag = 1;
    else
        stop_flag = 1;
}

static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static const char usage_text[] =
    "usage: captls-telnetsd [--listen HOST:PORT] (--cert CHAIN.pem | --store "
    "DIR --handle NAME) --key KEY.pem\n"
    "         [--client-ca CA.pem] [--client-map FILE] [--users FILE]\n"
    "         [--auth mtls|mtls-or-password|password] [--profile "
    "dev|production]\n"
    "         [--max-conns N] [--plaintext-listen 127.0.0.1:PORT]\n"
    "         [--handshake-timeout S] [--login-timeout S] [--idle-timeout S]\n"
    "         [--max-pending-per-source N] [--host-name NAME] [--audit FILE]\n"
    "         [--port-file FILE] [--quiet]\n";

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof(*o));
    o->listen = "0.0.0.0:992";
    o->auth = CAPTLS_GATEWAY_AUTH_MTLS;
    o->deploy = CAPTLS_DEPLOY_PRODUCTION;
    o->max_conns = 256;
    o->hs_timeout = 10;
    o->login_timeout = 60;
    o->idle_timeout = 900;
    o->max_pending = 16;
    o->host_name = "captls";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **sp = NULL;
        unsigned long *np = NULL, lo = 0, hi = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            exit(EXIT_OK);
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--listen") == 0) sp = &o->listen;
        else if (strcmp(a, "--cert") == 0) sp = &o->cert;
        else if (strcmp(a, "--key") == 0) sp = &o->key;
        else if (strcmp(a, "--store") == 0) sp = &o->store;
        else if (strcmp(a, "--handle") == 0) sp = &o->handle;
        else if (strcmp(a, "--client-ca") == 0) sp = &o->client_ca;
        else if (strcmp(a, "--client-map") == 0) sp = &o->client_map;
        else if (strcmp(a, "--users") == 0) sp = &o->users;
        else if (strcmp(a, "--plaintext-listen") == 0) sp = &o->plaintext;
        else if (strcmp(a, "--host-name") == 0) sp = &o->host_name;
        else if (strcmp(a, "--audit") == 0) sp = &o->audit;
        else if (strcmp(a, "--port-file") == 0) sp = &o->port_file;
        else if (strcmp(a, "--max-conns") == 0) {
            np = &o->max_conns; lo = 1; hi = 1000;
        } else if (strcmp(a, "--handshake-timeout") == 0) {
            np = &o->hs_timeout; lo = 1; hi = 3600;
        } else if (strcmp(a, "--login-timeout") == 0) {
            np = &o->login_timeout; lo = 1; hi = 3600;
        } else if (strcmp(a, "--idle-timeout") == 0) {
            np = &o->idle_timeout; lo = 1; hi = 86400;
        } else if (strcmp(a, "--max-pending-per-source") == 0) {
            np = &o->max_pending; lo = 1; hi = 1000;
        } else if (strcmp(a, "--auth") == 0 || strcmp(a, "--profile") == 0) {
            if (v == NULL)
                return fail("%s needs a value", a);
            i++;
            if (strcmp(a, "--auth") == 0) {
                if (strcmp(v, "mtls") == 0)
                    o->auth = CAPTLS_GATEWAY_AUTH_MTLS;
                else if (strcmp(v, "mtls-or-password") == 0)
                    o->auth = CAPTLS_GATEWAY_AUTH_MTLS_OR_PASSWORD;
                else if (strcmp(v, "password") == 0)
                    o->auth = CAPTLS_GATEWAY_AUTH_PASSWORD;
                else
                    return fail("--auth: expected mtls, mtls-or-password or "
                                "password");
            } else {
                if (strcmp(v, "dev") == 0)
                    o->deploy = CAPTLS_DEPLOY_DEV;
                else if (strcmp(v, "production") == 0)
                    o->deploy = CAPTLS_DEPLOY_PRODUCTION;
                else
                    return fail("--profile: expected dev or production");
            }
            continue;
        } else {
            fputs(usage_text, stderr);
            return fail("unknown option %s", a);
        }
        if (v == NULL)
            return fail("%s needs a value", a);
        i++;
        if (sp != NULL) {
            *sp = v;
        } else if (!captls_tlsopt_parse_uint(v, lo, hi, np)) {
            return fail("%s: expected a number from %lu to %lu", a, lo, hi);
        }
    }
    if (o->key == NULL)
        return fail("--key is required");
    if ((o->cert == NULL) == (o->store == NULL))
        return fail("give either --cert or --store with --handle");
    if (o->store != NULL && o->handle == NULL)
        return fail("--store needs --handle");
    return EXIT_OK;
}

/* ---- files ----------------------------------------------------------------- */

static int load_users(const char *path, captls_user_record **recs,
                      size_t *count)
{
    uint8_t *text = NULL;
    size_t len = 0;
    char err[256], where[96];
    captls_parse_error pe;
    captls_result r;

    if (!captls_tlsopt_read_file(path, &text, &len, err, sizeof err))
        return fail("--users %s: %s", path, err);
    *recs = calloc(MAX_USERS, sizeof(**recs));
    if (*recs == NULL) {
        free(text);
        return fail("out of memory");
    }
    r = captls_users_parse((const char *)text, len, CAPTLS_CRED_MIN_ITERATIONS,
                           *recs, MAX_USERS, count, &pe);
    free(text);
    if (r != CAPTLS_OK) {
        (void)captls_parse_error_format(&pe, where, sizeof where);
        return fail("--users %s:%s (%s)", path, where, captls_result_name(r));
    }
    return EXIT_OK;
}

static int load_map(const char *path, captls_client_map_entry **map,
                    size_t *count)
{
    uint8_t *text = NULL;
    size_t len = 0;
    char err[256], where[96];
    captls_parse_error pe;
    captls_result r;

    if (!captls_tlsopt_read_file(path, &text, &len, err, sizeof err))
        return fail("--client-map %s: %s", path, err);
    *map = calloc(MAX_MAP, sizeof(**map));
    if (*map == NULL) {
        free(text);
        return fail("out of memory");
    }
    r = captls_client_map_parse((const char *)text, len, *map, MAX_MAP, count,
                                &pe);
    free(text);
    if (r != CAPTLS_OK) {
        (void)captls_parse_error_format(&pe, where, sizeof where);
        return fail("--client-map %s:%s (%s)", path, where,
                    captls_result_name(r));
    }
    return EXIT_OK;
}

/* ---- port glue ----------------------------------------------------------------- */

static captls_tlsd_pool pool;

static size_t kind_index(unsigned kind)
{
    return kind == CAPTLS_TLS_BUF_RX ? 0 : kind == CAPTLS_TLS_BUF_TX ? 1 : 2;
}

static uint8_t *buf_take(void *ctx, unsigned kind, size_t *cap)
{
    size_t k = kind_index(kind);
    (void)ctx;
    *cap = pool.size[k];
    return captls_tlsd_pool_take(&pool, k);
}

static void buf_give(void *ctx, unsigned kind, uint8_t *buf)
{
    (void)ctx;
    captls_tlsd_pool_give(&pool, kind_index(kind), buf);
}

static bool quiet;

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    if (!quiet)
        fprintf(stderr, "%s\n", line);
}

static void print_stats(const captls_gateway *gw, const captls_cap_table *caps)
{
    captls_gateway_stats s;
    captls_gateway_stats_get(gw, &s);
    fprintf(stderr,
            "stats: live=%u handshakes=%u sessions=%u peak=%u accepted=%llu "
            "closed=%llu refused_full=%llu refused_source=%llu "
            "handshakes_ok=%llu handshakes_failed=%llu "
            "handshake_timeouts=%llu denied_unmapped=%llu "
            "denied_profile=%llu sessions_cert=%llu logins_ok=%llu "
            "logins_failed=%llu login_timeouts=%llu idle_timeouts=%llu "
            "buffers_out=%zu/%zu/%zu buffers_peak=%zu/%zu/%zu caps_live=%u\n",
            s.live, s.live_handshakes, s.live_sessions, s.peak_live,
            (unsigned long long)s.accepted, (unsigned long long)s.closed,
            (unsigned long long)s.refused_full,
            (unsigned long long)s.refused_source,
            (unsigned long long)s.handshakes_ok,
            (unsigned long long)s.handshakes_failed,
            (unsigned long long)s.handshake_timeouts,
            (unsigned long long)s.denied_unmapped,
            (unsigned long long)s.denied_profile,
            (unsigned long long)s.sessions_cert,
            (unsigned long long)s.logins_ok,
            (unsigned long long)s.logins_failed,
            (unsigned long long)s.login_timeouts,
            (unsigned long long)s.idle_timeouts, pool.out[0], pool.out[1],
            pool.out[2], pool.peak[0], pool.peak[1], pool.peak[2],
            captls_cap_table_live(caps));
    fflush(stderr);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Enough descriptors for --max-conns connections plus files and listeners. */
static void raise_fd_limit(unsigned long conns)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)conns + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
}

static int split(const char *what, const char *s, char *host, size_t hcap,
                 uint16_t *port)
{
    char p[16], err[128];
    unsigned long v;
    if (!captls_tlsopt_split_hostport(s, host, hcap, p, sizeof p, err,
                                      sizeof err))
        return fail("%s %s: %s", what, s, err);
    if (!captls_tlsopt_parse_uint(p, 0, 65535, &v))
        return fail("%s %s: bad port", what, s);
    *port = (uint16_t)v;
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    static opts o;
    static captls_tls_server_config tls;
    static captls_posix_clock_ctx clock_ctx;
    static captls_posix_entropy_ctx entropy_ctx;
    static captls_posix_net_ctx net_ctx;
    static captls_posix_audit_ctx audit_ctx;
    static captls_tlsopt_trust client_trust;
    static captls_gateway gw;
    static captls_credential_store creds;
    static captls_cap_table caps;
    captls_tlsopt_identity *id = NULL;
    captls_user_record *users = NULL;
    captls_client_map_entry *map = NULL;
    size_t nusers = 0, nmap = 0;
    captls_gateway_config cfg;
    captls_net net;
    captls_gateway_slot *slots;
    captls_poll_item *items;
    captls_cap_slot *cap_slots;
    char err[CAPTLS_TLSOPT_ERR], host[256], phost[256];
    uint16_t port = 0, pport = 0;
    const char *why = NULL;
    struct sigaction sa;
    captls_result r;
    int rc;

    setvbuf(stderr, NULL, _IOLBF, 0);
    rc = parse_args(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;
    quiet = o.quiet;
    if (split("--listen", o.listen, host, sizeof host, &port) != EXIT_OK ||
        (o.plaintext != NULL &&
         split("--plaintext-listen", o.plaintext, phost, sizeof phost,
               &pport) != EXIT_OK))
        return EXIT_USAGE;
    if (o.plaintext != NULL && !captls_gateway_host_is_loopback(phost))
        return fail("--plaintext-listen %s: the plaintext listener is "
                    "loopback-only (127.0.0.0/8, ::1 or localhost)",
                    o.plaintext);
    raise_fd_limit(o.max_conns);

    memset(&tls, 0, sizeof tls);
    captls_posix_clock_init(&clock_ctx, CAPTLS_CLOCK_TRUSTED,
                            &tls.common.clock);
    captls_posix_entropy_init(&entropy_ctx, &tls.common.entropy);
    if (o.store != NULL) {
        if (!captls_tls_store_identity_load(o.store, o.handle, o.key, &tls.key,
                                            &tls.chain, err, sizeof err))
            return fail("%s", err);
    } else {
        if (!captls_tlsopt_identity_load(o.cert, o.key, &id, err, sizeof err))
            return fail("%s", err);
        tls.key = *captls_tlsopt_identity_signer(id);
        tls.chain = *captls_tlsopt_identity_chain(id);
    }
    if (o.client_ca != NULL) {
        if (!captls_tlsopt_trust_init(&client_trust, o.client_ca,
                                      &tls.common.clock, err, sizeof err))
            return fail("--client-ca: %s", err);
        tls.client_verifier = client_trust.pt.peer;
    }
    if (!captls_tlsopt_keylog_from_env(&tls.common, err, sizeof err))
        return fail("%s", err);
    if (o.users != NULL) {
        if (load_users(o.users, &users, &nusers) != EXIT_OK)
            return EXIT_USAGE;
        if (captls_credential_store_init(&creds, users, nusers) != CAPTLS_OK)
            return fail("--users: cannot build the credential store");
    }
    if (o.client_map != NULL && load_map(o.client_map, &map, &nmap) != EXIT_OK)
        return EXIT_USAGE;
    if (o.client_map == NULL && o.auth != CAPTLS_GATEWAY_AUTH_PASSWORD &&
        !o.quiet)
        fprintf(stderr, "note: no --client-map: every client certificate "
                        "will be denied (stage b)\n");

    slots = calloc(o.max_conns, sizeof(*slots));
    items = calloc(o.max_conns + 2, sizeof(*items));
    size_t ncap = 8 + o.max_conns * (CAPTLS_SESSION_MAX_CAPS + 2);
    cap_slots = calloc(ncap, sizeof(*cap_slots));
    if (slots == NULL || items == NULL || cap_slots == NULL)
        return fail("out of memory for %lu connections", o.max_conns);
    if (captls_cap_table_init(&caps, cap_slots, (uint32_t)ncap) != CAPTLS_OK)
        return fail("capability table");
    captls_posix_net_init(&net_ctx, &net);
    captls_tlsd_pool_init(&pool);

    memset(&cfg, 0, sizeof cfg);
    cfg.net = &net;
    cfg.clock = tls.common.clock;
    if (o.audit != NULL) {
        r = captls_posix_audit_open(&audit_ctx, o.audit, &cfg.audit);
        if (r != CAPTLS_OK)
            return fail("--audit %s: %s", o.audit, captls_result_name(r));
    }
    cfg.log = log_line;
    cfg.tls = &tls;
    cfg.auth = o.auth;
    cfg.creds = o.users != NULL ? &creds : NULL;
    cfg.map = map;
    cfg.map_count = nmap;
    cfg.deploy = o.deploy;
    cfg.host_name = o.host_name;
    captls_gateway_limits_default(&cfg.limits);
    cfg.limits.handshake_timeout_ms = (uint32_t)(o.hs_timeout * 1000u);
    cfg.limits.login_timeout_ms = (uint32_t)(o.login_timeout * 1000u);
    cfg.limits.idle_timeout_ms = (uint32_t)(o.idle_timeout * 1000u);
    cfg.limits.max_pending_per_source = (uint32_t)o.max_pending;
    cfg.bufs = (captls_buf_source){NULL, buf_take, buf_give};
    cfg.caps = &caps;
    cfg.owner = 1;

    r = captls_gateway_init(&gw, &cfg, slots, o.max_conns, items, &why);
    if (r != CAPTLS_OK)
        return fail("gateway setup refused: %s (%s)", why ? why : "?",
                    captls_result_name(r));
    r = captls_gateway_listen(&gw, host[0] ? host : NULL, port, &why);
    if (r != CAPTLS_OK)
        return fail("--listen %s: %s (%s)", o.listen, why ? why : "?",
                    captls_result_name(r));
    if (o.plaintext != NULL) {
        r = captls_gateway_listen_plaintext(&gw, phost, pport, &why);
        if (r != CAPTLS_OK)
            return fail("--plaintext-listen %s: %s (%s)", o.plaintext,
                        why ? why : "?", captls_result_name(r));
    }
    if (captls_gateway_local_port(&gw, false, &port) != CAPTLS_OK)
        return fail("cannot read the bound port");
    if (o.plaintext != NULL &&
        captls_gateway_local_port(&gw, true, &pport) != CAPTLS_OK)
        return fail("cannot read the bound plaintext port");
    if (o.port_file != NULL) {
        FILE *pf = fopen(o.port_file, "w");
        if (pf == NULL || fprintf(pf, "%u\n", port) < 0 ||
            (o.plaintext != NULL && fprintf(pf, "%u\n", pport) < 0) ||
            fclose(pf) != 0)
            return fail("--port-file %s: %s", o.port_file, strerror(errno));
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "listening on %s:%u (telnets, TLS 1.3, auth %s, "
                    "profile %s)\n",
            host, (unsigned)port,
            o.auth == CAPTLS_GATEWAY_AUTH_MTLS ? "mtls"
            : o.auth == CAPTLS_GATEWAY_AUTH_PASSWORD ? "password"
                                                     : "mtls-or-password",
            o.deploy == CAPTLS_DEPLOY_DEV ? "dev" : "production");
    if (o.plaintext != NULL)
        fprintf(stderr, "plaintext research listener on %s:%u (loopback "
                        "only)\n",
                phost, (unsigned)pport);

    while (!stop_flag) {
        uint64_t wait_ns = captls_tls_store_identity_active() ? 200000000u
                                                              : 1000000000u;
        r = captls_gateway_run(&gw, wait_ns);
        if (r != CAPTLS_OK) {
            fprintf(stderr, "error: event loop: %s\n", captls_result_name(r));
            break;
        }
        captls_tls_store_identity_tick(mono_ms());
        if (stats_flag) {
            stats_flag = 0;
            print_stats(&gw, &caps);
        }
    }
    captls_gateway_shutdown(&gw);
    print_stats(&gw, &caps);
    fprintf(stderr, "shut down\n");
    captls_tlsd_pool_fini(&pool);
    captls_posix_net_fini(&net_ctx);
    if (o.audit != NULL)
        captls_posix_audit_fini(&audit_ctx);
    if (o.client_ca != NULL)
        captls_tlsopt_trust_fini(&client_trust);
    captls_tlsopt_identity_free(id);
    captls_tls_store_identity_free();
    if (users != NULL) {
        captls_zeroize(users, MAX_USERS * sizeof(*users));
        free(users);
    }
    free(map);
    free(slots);
    free(items);
    free(cap_slots);
    return EXIT_OK;
}
