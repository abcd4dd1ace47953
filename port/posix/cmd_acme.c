/* `captls acme`. See cmd_acme.h. */
#define _GNU_SOURCE
#include "port/posix/cmd_acme.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/acme/acme_client.h"
#include "core/base/ct.h"
#include "core/crypto/hash.h"
#include "core/keys/key_vault.h"
#include "core/tls/key_signer.h"
#include "core/x509/certificate.h"
#include "port/posix/captls_version.h"
#include "port/posix/cmd_keygen.h"
#include "port/posix/dns01_challtestsrv.h"
#include "port/posix/http01_server.h"
#include "port/posix/https_client.h"
#include "port/posix/posix_cert_store.h"
#include "port/posix/posix_port.h"
#include "port/posix/tls_alpn01_server.h"
#include "port/posix/tls_options.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define OWNER CAPTLS_PSTORE_OWNER /* of the vault and the store handles */
#define VAULT_OWNER 7
#define MAX_ZONES 8u
#define DEFAULT_ACCOUNT_KEY "acme-account.pem"
#define MAX_WATCHED 16u
#define DEFAULT_CHECK_INTERVAL 43200ul /* s: twelve hours */
#define MAX_RETRY_DELAY 3600ul         /* s: a failed renewal's longest wait */

static const char usage_text[] =
    "usage:\n"
    "  captls acme account --directory URL --ca-roots PEM "
    "[--account-key FILE]\n"
    "                      [--contact mailto:ADDR]... [--agree-tos]\n"
    "  captls acme issue --directory URL --ca-roots PEM --domain NAME...\n"
    "                    --challenge http-01|dns-01|tls-alpn-01 "
    "[--http-listen ADDR]\n"
    "                    [--dns-api URL] [--dns-zone ZONE]... "
    "[--tls-listen ADDR]\n"
    "                    --store DIR --handle NAME [--key FILE] "
    "[--key-type p256|ed25519]\n"
    "                    [--issuer-roots PEM] [--account-key FILE]\n"
    "  captls acme renew (the options of issue, without --domain) "
    "[--force]\n"
    "  captls acme renew ... --watch [--handle NAME]... "
    "[--check-interval SECONDS]\n"
    "  captls acme revoke --directory URL --ca-roots PEM --store DIR "
    "--handle NAME\n"
    "                     [--reason 0-10] [--account-key FILE]\n";

typedef enum verb { V_ACCOUNT, V_ISSUE, V_RENEW, V_REVOKE } verb;

typedef struct options {
    verb verb;
    const char *directory, *ca_roots, *issuer_roots, *account_key;
    const char *contacts[CAPTLS_ACME_MAX_CONTACTS];
    size_t ncontacts;
    bool agree_tos, force;
    const char *domains[CAPTLS_ACME_MAX_IDENTIFIERS];
    size_t ndomains;
    captls_acme_challenge_type challenge;
    bool have_challenge;
    const char *http_listen, *dns_api, *tls_listen;
    const char *zones[MAX_ZONES];
    size_t nzones;
    const char *store, *handle, *key, *key_type;
    unsigned long reason;
    bool watch;
    const char *handles[MAX_WATCHED]; /* every --handle, for --watch */
    size_t nhandles;
    unsigned long check_interval;
} options;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "error: %s%s%s\n%s", what, arg != NULL ? " " : "",
            arg != NULL ? arg : "", usage_text);
    return EXIT_USAGE;
}

/* ---- options --------------------------------------------------------- */

static int parse(int argc, char **argv, options *o)
{
    static const char *verbs[] = {"account", "issue", "renew", "revoke"};
    memset(o, 0, sizeof *o);
    o->account_key = DEFAULT_ACCOUNT_KEY;
    o->http_listen = "0.0.0.0:80";
    o->tls_listen = "0.0.0.0:443";
    o->key_type = "p256";
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    size_t v = 0;
    while (v < 4 && strcmp(argv[1], verbs[v]) != 0)
        v++;
    if (v == 4)
        return usage_error("unknown verb", argv[1]);
    o->verb = (verb)v;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool flag = strcmp(a, "--agree-tos") == 0 ||
                    strcmp(a, "--force") == 0 || strcmp(a, "--watch") == 0;
        if (!flag && strncmp(a, "--", 2) == 0 && val == NULL)
            return usage_error("missing value for", a);
        if (strcmp(a, "--agree-tos") == 0)
            o->agree_tos = true;
        else if (strcmp(a, "--force") == 0)
            o->force = true;
        else if (strcmp(a, "--watch") == 0)
            o->watch = true;
        else if (strcmp(a, "--check-interval") == 0) {
            if (!captls_tlsopt_parse_uint(val, 1, 604800, &o->check_interval))
                return usage_error("--check-interval: seconds, 1-604800, got",
                                   val);
        }
        else if (strcmp(a, "--directory") == 0)
            o->directory = val;
        else if (strcmp(a, "--ca-roots") == 0)
            o->ca_roots = val;
        else if (strcmp(a, "--issuer-roots") == 0)
            o->issuer_roots = val;
        else if (strcmp(a, "--account-key") == 0)
            o->account_key = val;
        else if (strcmp(a, "--contact") == 0) {
            if (o->ncontacts == CAPTLS_ACME_MAX_CONTACTS)
                return usage_error("too many --contact (at most 4)", NULL);
            if (strlen(val) >= CAPTLS_ACME_CONTACT_MAX ||
                strncmp(val, "mailto:", 7) != 0)
                return usage_error("--contact wants mailto:ADDRESS, got", val);
            o->contacts[o->ncontacts++] = val;
        } else if (strcmp(a, "--domain") == 0) {
            if (o->ndomains == CAPTLS_ACME_MAX_IDENTIFIERS)
                return usage_error("too many --domain (at most 8)", NULL);
            if (strlen(val) == 0 || strlen(val) > CAPTLS_CSR_MAX_NAME_LEN)
                return usage_error("--domain: bad name", val);
            o->domains[o->ndomains++] = val;
        } else if (strcmp(a, "--challenge") == 0) {
            o->challenge = captls_acme_challenge_type_parse(val, strlen(val));
            if (o->challenge == CAPTLS_ACME_CHALLENGE_UNKNOWN)
                return usage_error("--challenge: not one of http-01, dns-01, "
                                   "tls-alpn-01:",
                                   val);
            o->have_challenge = true;
        } else if (strcmp(a, "--http-listen") == 0)
            o->http_listen = val;
        else if (strcmp(a, "--dns-api") == 0)
            o->dns_api = val;
        else if (strcmp(a, "--dns-zone") == 0) {
            if (o->nzones == MAX_ZONES)
                return usage_error("too many --dns-zone (at most 8)", NULL);
            o->zones[o->nzones++] = val;
        } else if (strcmp(a, "--tls-listen") == 0)
            o->tls_listen = val;
        else if (strcmp(a, "--store") == 0)
            o->store = val;
        else if (strcmp(a, "--handle") == 0) {
            if (o->nhandles == MAX_WATCHED)
                return usage_error("too many --handle (at most 16)", NULL);
            o->handles[o->nhandles++] = o->handle = val;
        }
        else if (strcmp(a, "--key") == 0)
            o->key = val;
        else if (strcmp(a, "--key-type") == 0) {
            if (strcmp(val, "p256") != 0 && strcmp(val, "ed25519") != 0)
                return usage_error("--key-type: p256 or ed25519, got", val);
            o->key_type = val;
        } else if (strcmp(a, "--reason") == 0) {
            if (!captls_tlsopt_parse_uint(val, 0, 10, &o->reason) ||
                o->reason == 7)
                return usage_error("--reason: an RFC 5280 reason code 0-6 or "
                                   "8-10, got",
                                   val);
        } else
            return usage_error("unknown option", a);
        if (!flag)
            i++;
    }
    if (o->directory == NULL || o->ca_roots == NULL)
        return usage_error(o->directory == NULL ? "missing --directory URL"
                                                : "missing --ca-roots PEM",
                           NULL);
    bool certs = o->verb != V_ACCOUNT;
    if (certs && (o->store == NULL || o->handle == NULL))
        return usage_error(o->store == NULL ? "missing --store DIR"
                                            : "missing --handle NAME",
                           NULL);
    if (o->verb == V_ISSUE && o->ndomains == 0)
        return usage_error("missing --domain NAME", NULL);
    if (o->verb != V_ISSUE && o->ndomains != 0)
        return usage_error("--domain belongs to issue only", NULL);
    if ((o->verb == V_ISSUE || o->verb == V_RENEW) && !o->have_challenge)
        return usage_error("missing --challenge http-01|dns-01|tls-alpn-01",
                           NULL);
    if (o->have_challenge && o->challenge == CAPTLS_ACME_CHALLENGE_DNS01 &&
        o->dns_api == NULL)
        return usage_error("--challenge dns-01 needs --dns-api URL", NULL);
    if (o->force && o->verb != V_RENEW)
        return usage_error("--force belongs to renew only", NULL);
    if (o->ncontacts != 0 && o->verb != V_ACCOUNT)
        return usage_error("--contact belongs to account only", NULL);
    for (size_t i = 0; i < o->nhandles; i++)
        if (!captls_cert_handle_valid(o->handles[i]))
            return usage_error("--handle: not a valid store handle:",
                               o->handles[i]);
    if ((o->watch || o->check_interval != 0) && o->verb != V_RENEW)
        return usage_error("--watch and --check-interval belong to renew only",
                           NULL);
    if (o->watch && o->force)
        return usage_error("--watch renews when due: no --force", NULL);
    if (o->nhandles > 1 && !o->watch)
        return usage_error("one --handle (several only with --watch)", NULL);
    if (o->nhandles > 1 && o->key != NULL)
        return usage_error("--key names one handle's key: with several "
                           "--handle each uses DIR/HANDLE.key.pem",
                           NULL);
    if (o->check_interval == 0)
        o->check_interval = DEFAULT_CHECK_INTERVAL;
    return -1;
}

/* ---- keys (the development KeySource) -------------------------------- */

typedef struct keys {
    captls_cap_slot slots[16];
    captls_cap_table caps;
    captls_vault_key vault_keys[2];
    captls_key_vault vault;
    captls_cap_handle vault_h, account, cert;
    captls_posix_entropy_ctx entropy_ctx;
    bool ready;
} keys;

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A missing key file is made as `captls keygen` makes it (0600, never
 * over an existing file). */
static bool create_key(const char *path, const char *type, const char *what)
{
    char err[512];
    if (!captls_keygen_write(type, path, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    printf("key: created the %s key %s (%s, development KeySource)\n", what,
           path, type);
    fflush(stdout);
    return true;
}

static bool import_key(keys *k, const char *path, captls_key_purpose purpose,
                       const char *name, captls_cap_handle *out, char *err,
                       size_t errcap)
{
    uint8_t *pem = NULL, scratch[CAPTLS_TLS_KEY_SIGNER_SCRATCH];
    size_t len = 0;
    if (!captls_tlsopt_read_file(path, &pem, &len, err, errcap))
        return false;
    captls_result r = captls_key_vault_import_dev(
        &k->vault, OWNER, k->vault_h, pem, len, purpose, name, scratch,
        sizeof scratch, out);
    captls_zeroize(pem, len);
    captls_zeroize(scratch, sizeof scratch);
    free(pem);
    if (r != CAPTLS_OK)
        snprintf(err, errcap, "%s: %s (%s)", path,
                 r == CAPTLS_ERR_NO_AUTHORITY
                     ? "the development KeySource is refused by the "
                       "production profile (CAPTLS_KEY_PROFILE)"
                     : "cannot import the key",
                 captls_result_name(r));
    return r == CAPTLS_OK;
}

static bool keys_init(keys *k, captls_clock clock, captls_audit_sink audit,
                      char *err, size_t errcap)
{
    captls_entropy e;
    const char *prof = getenv("CAPTLS_KEY_PROFILE");
    captls_key_profile profile = prof != NULL && strcmp(prof, "production") == 0
                                     ? CAPTLS_KEY_PROFILE_PRODUCTION
                                     : CAPTLS_KEY_PROFILE_DEVELOPMENT;
    captls_posix_entropy_init(&k->entropy_ctx, &e);
    captls_result r = captls_cap_table_init(&k->caps, k->slots, 16);
    if (r == CAPTLS_OK)
        r = captls_key_vault_init(&k->vault, &k->caps, VAULT_OWNER,
                                  k->vault_keys, 2, e, profile, clock,
                                  audit);
    if (r == CAPTLS_OK)
        k->ready = true;
    if (r == CAPTLS_OK)
        r = captls_key_vault_mint(&k->vault, OWNER,
                                  CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE,
                                  &k->vault_h);
    if (r != CAPTLS_OK)
        snprintf(err, errcap, "key vault: %s", captls_result_name(r));
    return r == CAPTLS_OK;
}

static void keys_fini(keys *k)
{
    if (k->ready)
        captls_key_vault_fini(&k->vault);
    k->ready = false;
}

/* ---- progress and waiting -------------------------------------------- */

static const char *stage_name(captls_acme_stage s)
{
    static const char *const names[] = {
        "directory", "account",  "order",  "authorization",
        "challenge", "finalize", "download", "verified",
        "stored",    "renewal",  "revoked", "retry"};
    return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "event";
}

static void on_progress(void *ctx, captls_acme_stage stage, const char *text)
{
    (void)ctx;
    const char *name = stage_name(stage);
    size_t n = strlen(name);
    /* "directory: directory URL" says it twice */
    if (strncmp(text, name, n) == 0 && text[n] == ' ')
        text += n + 1;
    printf("%s: %s\n", name, text);
    fflush(stdout);
}

static void format_time(int64_t t, char *out, size_t cap)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

/* Drives the engine to DONE or FAILED, sleeping through its waits. */
static captls_acme_step drive(captls_acme_client *c,
                              const captls_acme_transport *t)
{
    for (;;) {
        uint32_t wait = 0;
        captls_acme_step s = captls_acme_run(c, t, &wait);
        if (s != CAPTLS_ACME_STEP_WAIT)
            return s;
        if (wait > 0) {
            printf("wait: %u s\n", (unsigned)wait);
            fflush(stdout);
            sleep(wait);
        }
    }
}

static int report_failure(const captls_acme_client *c,
                          const captls_https_client *https,
                          const char *solver_detail, const char *what)
{
    const captls_acme_failure *f = captls_acme_last_failure(c);
    const char *kind = captls_acme_error_name(f->kind), *detail = f->detail;
    size_t n = strlen(kind);
    /* the detail may repeat the problem type */
    if (strncmp(detail, kind, n) == 0 && detail[n] == ':')
        detail += n + (detail[n + 1] == ' ' ? 2 : 1);
    fprintf(stderr, "error: %s: %s%s%s", what, kind, detail[0] ? ": " : "",
            detail);
    if (f->kind == CAPTLS_ACME_ERR_TRANSPORT && https != NULL &&
        captls_https_last_error(https)[0] != '\0')
        fprintf(stderr, ": %s\n", captls_https_last_error(https));
    else if (f->kind == CAPTLS_ACME_ERR_SOLVER && solver_detail != NULL &&
             solver_detail[0] != '\0')
        fprintf(stderr, ": %s\n", solver_detail);
    else if (f->http_status != 0 &&
             (f->kind <= CAPTLS_ACME_ERR_PROBLEM_OTHER ||
              f->kind == CAPTLS_ACME_ERR_HTTP_STATUS))
        fprintf(stderr, " (HTTP %u)\n", (unsigned)f->http_status);
    else
        fprintf(stderr, " (%s)\n", captls_result_name(f->code));
    /* Our own setup problems are usage-level; the CA's word is a refusal. */
    return f->kind == CAPTLS_ACME_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

/* ---- the stored entry ------------------------------------------------ */

/* Prints "WHAT: HANDLE version N leaf SHA256 notAfter DATE". */
static void print_entry(captls_pstore *p, const char *what, const char *handle)
{
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    captls_certificate leaf;
    char hex[65] = "-", when[32] = "-";
    (void)captls_cert_store_poll(&p->store);
    if (captls_cert_store_get(&p->store, OWNER, p->h, handle, buf, sizeof buf,
                              &rec) == CAPTLS_OK &&
        rec.count > 0) {
        uint8_t sha[CAPTLS_HASH_MAX_SIZE];
        if (captls_hash(CAPTLS_HASH_SHA256, rec.certs[0].ptr, rec.certs[0].len,
                        sha) == CAPTLS_OK)
            captls_cert_fingerprint_hex(sha, hex);
        if (captls_certificate_parse(&leaf, rec.certs[0].ptr, rec.certs[0].len,
                                     NULL) == CAPTLS_OK)
            format_time(leaf.not_after, when, sizeof when);
        printf("%s: %s version %llu leaf %s notAfter %s\n", what, handle,
               (unsigned long long)rec.version, hex, when);
    } else {
        printf("%s: %s\n", what, handle);
    }
}

/* ---- solvers --------------------------------------------------------- */

typedef struct solver_state {
    captls_http01_server *http;
    captls_tls_alpn01_server *alpn;
    captls_acme_solver dns; /* .ctx != NULL while running */
} solver_state;

static bool solver_start(const options *o, solver_state *st,
                         captls_acme_solver *out, char *err, size_t errcap)
{
    switch (o->challenge) {
    case CAPTLS_ACME_CHALLENGE_HTTP01:
        if (!captls_http01_server_start(o->http_listen, &st->http, err,
                                        errcap))
            return false;
        *out = captls_http01_server_solver(st->http);
        printf("solver: http-01 responder on %s (port %u)\n",
               o->http_listen, (unsigned)captls_http01_server_port(st->http));
        break;
    case CAPTLS_ACME_CHALLENGE_DNS01: {
        /* the zones the records go under: --dns-zone, else the names */
        const char *const *zones = o->nzones > 0 ? o->zones : o->domains;
        size_t nzones = o->nzones > 0 ? o->nzones : o->ndomains;
        if (!captls_dns01_challtestsrv_solver(o->dns_api, zones, nzones,
                                              &st->dns, err, errcap))
            return false;
        *out = st->dns;
        printf("solver: dns-01 records through %s (%zu zone%s)\n",
               o->dns_api, nzones, nzones == 1 ? "" : "s");
        break;
    }
    case CAPTLS_ACME_CHALLENGE_TLS_ALPN01:
        if (!captls_tls_alpn01_server_start(o->tls_listen, o->domains,
                                            o->ndomains, &st->alpn, err,
                                            errcap))
            return false;
        *out = captls_tls_alpn01_server_solver(st->alpn);
        printf("solver: tls-alpn-01 responder on %s (port %u)\n",
               o->tls_listen, (unsigned)captls_tls_alpn01_server_port(st->alpn));
        break;
    default:
        snprintf(err, errcap, "--challenge %s: no solver in this build",
                 captls_acme_challenge_type_name(o->challenge));
        return false;
    }
    fflush(stdout);
    return true;
}

/* The solver's own account of a failure (the DNS API's answer), or "". */
static const char *solver_error(const solver_state *st)
{
    if (st->dns.ctx != NULL)
        return captls_dns01_challtestsrv_solver_error(&st->dns);
    return "";
}

static void solver_stop(solver_state *st)
{
    if (st->http != NULL)
        captls_http01_server_stop(st->http);
    if (st->alpn != NULL)
        captls_tls_alpn01_server_stop(st->alpn);
    if (st->dns.ctx != NULL)
        captls_dns01_challtestsrv_solver_free(&st->dns);
    memset(st, 0, sizeof *st);
}

/* ---- the run --------------------------------------------------------- */

typedef struct run {
    options o;
    keys k;
    captls_posix_clock_ctx clock_ctx;
    captls_clock clock;
    captls_posix_audit_ctx audit_ctx;
    captls_https_client *https;
    captls_acme_transport transport;
    captls_tlsopt_trust issuer;
    bool issuer_ready;
    captls_pstore *store;
    solver_state solver;
    captls_acme_client *client;
    char cert_key_path[1024];
    /* renew: the stored leaf's DNS names, for the solver (o.domains) */
    char renew_names[CAPTLS_ACME_MAX_IDENTIFIERS][256];
    /* renew's outcome, for --watch */
    bool renewed;
    int64_t due_at;
    char err[CAPTLS_TLSOPT_ERR];
} run;

static int setup_error(run *r)
{
    fprintf(stderr, "error: %s\n", r->err);
    return EXIT_USAGE;
}

/* Reads the directory and finds (or, for `account`, creates) the
 * account. */
static int find_account(run *r)
{
    const options *o = &r->o;
    captls_acme_client *c = r->client;
    if (captls_acme_start_directory(c) != CAPTLS_OK ||
        drive(c, &r->transport) != CAPTLS_ACME_STEP_DONE)
        return report_failure(c, r->https, NULL, "directory");
    const captls_acme_directory *d = captls_acme_directory_info(c);
    if (d->external_account_required) {
        fprintf(stderr, "error: the CA requires external account binding, "
                        "which captls does not provide\n");
        return EXIT_FAIL;
    }
    bool create = o->verb == V_ACCOUNT;
    if (create && d->terms_of_service[0] != '\0' && !o->agree_tos) {
        fprintf(stderr,
                "error: the CA has terms of service at %s: read them and "
                "pass --agree-tos to agree\n",
                d->terms_of_service);
        return EXIT_USAGE;
    }
    if (captls_acme_start_register(c, o->contacts, o->ncontacts,
                                   create && o->agree_tos, !create) !=
            CAPTLS_OK ||
        drive(c, &r->transport) != CAPTLS_ACME_STEP_DONE) {
        const captls_acme_failure *f = captls_acme_last_failure(c);
        if (!create && f->kind == CAPTLS_ACME_ERR_ACCOUNT_DOES_NOT_EXIST) {
            fprintf(stderr,
                    "error: the CA has no account for the key %s: run "
                    "`captls acme account` first\n",
                    o->account_key);
            return EXIT_USAGE;
        }
        return report_failure(c, r->https, NULL, "account");
    }
    return EXIT_OK;
}

/* renew takes its names from the stored leaf (the client does too); the
 * solver needs them first: tls-alpn-01 answers for them, dns-01 writes
 * under them. Names the client will refuse are left for it to report.
 * false (r->err set) when there is no stored chain to renew. */
static bool renew_names_from_store(run *r)
{
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    static captls_certificate leaf;
    options *o = &r->o;
    (void)captls_cert_store_poll(&r->store->store);
    captls_result res = captls_cert_store_get(
        &r->store->store, OWNER, r->store->h, o->handle, buf, sizeof buf, &rec);
    if (res != CAPTLS_OK) {
        snprintf(r->err, sizeof r->err,
                 "%s: no stored chain to renew in %.400s (%s): run `captls "
                 "acme issue` first",
                 o->handle, o->store, captls_result_name(res));
        return false;
    }
    if (rec.count == 0 ||
        captls_certificate_parse(&leaf, rec.certs[0].ptr, rec.certs[0].len,
                                 NULL) != CAPTLS_OK)
        return true;
    for (size_t i = 0; i < leaf.san_count &&
                       o->ndomains < CAPTLS_ACME_MAX_IDENTIFIERS; i++) {
        const captls_general_name *g = &leaf.san[i];
        if (g->type != CAPTLS_GN_DNS || g->value.len == 0 ||
            g->value.len >= sizeof r->renew_names[0])
            continue;
        char *n = r->renew_names[o->ndomains];
        memcpy(n, g->value.ptr, g->value.len);
        n[g->value.len] = '\0';
        o->domains[o->ndomains++] = n;
    }
    return true;
}

static int order_cert(run *r)
{
    const options *o = &r->o;
    captls_acme_identifier ids[CAPTLS_ACME_MAX_IDENTIFIERS];
    captls_acme_order_params p;
    captls_acme_solver solver;
    char name[64];

    if (o->verb == V_RENEW && !renew_names_from_store(r))
        return setup_error(r);
    /* The solver first: a listen address in use leaves no new key behind
     * (the run's end stops it on every path). */
    if (!solver_start(o, &r->solver, &solver, r->err, sizeof r->err))
        return setup_error(r);
    if (!file_exists(r->cert_key_path)) {
        if (o->verb == V_RENEW) {
            snprintf(r->err, sizeof r->err,
                     "%.400s: no certificate key (renew uses the key the "
                     "certificate was issued for)",
                     r->cert_key_path);
            return setup_error(r);
        }
        if (!create_key(r->cert_key_path, o->key_type, "certificate"))
            return EXIT_USAGE;
    }
    snprintf(name, sizeof name, "tls.%.40s", o->handle);
    if (!import_key(&r->k, r->cert_key_path, CAPTLS_KEY_PURPOSE_TLS, name,
                    &r->k.cert, r->err, sizeof r->err))
        return setup_error(r);
    for (size_t i = 0; i < o->ndomains; i++)
        ids[i] = (captls_acme_identifier){"dns", 3, o->domains[i],
                                          strlen(o->domains[i])};
    memset(&p, 0, sizeof p);
    p.identifiers = ids;
    p.count = o->ndomains;
    p.cert_key = r->k.cert;
    p.solver = &solver;
    p.store_handle = o->handle;
    captls_result started = o->verb == V_ISSUE
                                ? captls_acme_start_order(r->client, &p)
                                : captls_acme_start_renew(r->client, &p,
                                                          o->force);
    captls_acme_step s = started == CAPTLS_OK
                             ? drive(r->client, &r->transport)
                             : CAPTLS_ACME_STEP_FAILED;
    char solver_detail[CAPTLS_TLSOPT_ERR];
    snprintf(solver_detail, sizeof solver_detail, "%s",
             solver_error(&r->solver));
    solver_stop(&r->solver);
    if (s != CAPTLS_ACME_STEP_DONE)
        return report_failure(r->client, r->https, solver_detail,
                              o->verb == V_ISSUE ? "issue" : "renew");
    if (o->verb == V_RENEW) {
        const captls_acme_renewal *rn = captls_acme_renewal_result(r->client);
        r->renewed = rn->renewed;
        r->due_at = rn->due_at;
        if (!rn->renewed) {
            char when[32];
            format_time(rn->due_at, when, sizeof when);
            printf("renewal: not due until %s%s\n", when,
                   rn->ari_used ? " (ACME Renewal Information)" : "");
            return EXIT_OK;
        }
    }
    print_entry(r->store, o->verb == V_ISSUE ? "issued" : "renewed",
                o->handle);
    return EXIT_OK;
}

static int revoke_cert(run *r)
{
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    captls_certificate leaf;
    const options *o = &r->o;
    captls_result res = captls_cert_store_get(&r->store->store, OWNER,
                                              r->store->h, o->handle, buf,
                                              sizeof buf, &rec);
    if (res != CAPTLS_OK || rec.count == 0) {
        fprintf(stderr, "error: revoke: %s: no such entry in %s (%s)\n",
                o->handle, o->store, captls_result_name(res));
        return EXIT_USAGE;
    }
    if (captls_acme_start_revoke(r->client, rec.certs[0].ptr,
                                 rec.certs[0].len,
                                 (uint8_t)o->reason) != CAPTLS_OK ||
        drive(r->client, &r->transport) != CAPTLS_ACME_STEP_DONE)
        return report_failure(r->client, r->https, NULL, "revoke");
    printf("revoked: %s serial ", o->handle);
    if (captls_certificate_parse(&leaf, rec.certs[0].ptr, rec.certs[0].len,
                                 NULL) == CAPTLS_OK)
        for (size_t i = 0; i < leaf.serial.len; i++)
            printf("%02x", leaf.serial.ptr[i]);
    printf(" reason %lu\n", o->reason);
    return EXIT_OK;
}

static int run_verb(run *r)
{
    options *o = &r->o;
    captls_audit_sink audit = {0};
    captls_https_options ho = {o->ca_roots, 0, CAPTLS_VERSION};
    captls_acme_config cfg;

    captls_posix_clock_init(&r->clock_ctx, CAPTLS_CLOCK_TRUSTED, &r->clock);
    if (captls_posix_audit_open(&r->audit_ctx, "-", &audit) != CAPTLS_OK)
        audit.append = NULL;
    if (!keys_init(&r->k, r->clock, audit, r->err, sizeof r->err))
        return setup_error(r);
    if (!file_exists(o->account_key)) {
        if (o->verb != V_ACCOUNT) {
            snprintf(r->err, sizeof r->err,
                     "%s: no account key: run `captls acme account` first "
                     "(or pass --account-key FILE)",
                     o->account_key);
            return setup_error(r);
        }
        if (!create_key(o->account_key, "p256", "account"))
            return EXIT_USAGE;
    }
    if (!import_key(&r->k, o->account_key, CAPTLS_KEY_PURPOSE_ACME_ACCOUNT,
                    "acme-account", &r->k.account, r->err, sizeof r->err))
        return setup_error(r);
    if (o->verb != V_ACCOUNT) {
        if (o->key != NULL)
            snprintf(r->cert_key_path, sizeof r->cert_key_path, "%s", o->key);
        else
            snprintf(r->cert_key_path, sizeof r->cert_key_path,
                     "%s/%s.key.pem", o->store, o->handle);
        if (mkdir(o->store, 0700) != 0 && errno != EEXIST) {
            snprintf(r->err, sizeof r->err, "--store %s: %s", o->store,
                     strerror(errno));
            return setup_error(r);
        }
        if (!captls_pstore_open(o->store, o->verb != V_REVOKE, NULL,
                                &r->store, r->err, sizeof r->err))
            return setup_error(r);
    }
    printf("keys: development KeySource: account %s%s%s\n", o->account_key,
           o->verb == V_ISSUE || o->verb == V_RENEW ? ", certificate " : "",
           o->verb == V_ISSUE || o->verb == V_RENEW ? r->cert_key_path : "");
    if (!captls_https_client_new(&ho, &r->https, r->err, sizeof r->err))
        return setup_error(r);
    r->transport = captls_https_acme_transport(r->https);
    const char *issuer = o->issuer_roots != NULL ? o->issuer_roots
                                                 : o->ca_roots;
    if (!captls_tlsopt_trust_init(&r->issuer, issuer, &r->clock, r->err,
                                  sizeof r->err))
        return setup_error(r);
    r->issuer_ready = true;

    memset(&cfg, 0, sizeof cfg);
    cfg.directory_url = o->directory;
    cfg.vault = &r->k.vault;
    cfg.owner = OWNER;
    cfg.account_key = r->k.account;
    cfg.clock = r->clock;
    cfg.verifier = &r->issuer.pt.verifier;
    cfg.ca_roots = &r->issuer.pt.store;
    if (r->store != NULL) {
        cfg.store = &r->store->store;
        cfg.store_cap = r->store->h;
    }
    cfg.progress = (captls_acme_progress){NULL, on_progress};
    r->client = calloc(1, sizeof *r->client);
    if (r->client == NULL) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return setup_error(r);
    }
    captls_result res = captls_acme_client_init(r->client, &cfg);
    if (res != CAPTLS_OK) {
        snprintf(r->err, sizeof r->err, "%s: %s (%s)",
                 res == CAPTLS_ERR_MALFORMED ? o->directory : o->account_key,
                 res == CAPTLS_ERR_MALFORMED ? "not an https URL"
                 : res == CAPTLS_ERR_UNSUPPORTED
                     ? "an ACME account key must be P-256 or Ed25519"
                     : "the ACME client refused its configuration",
                 captls_result_name(res));
        free(r->client);
        r->client = NULL;
        return setup_error(r);
    }
    int rc = find_account(r);
    if (rc != EXIT_OK)
        return rc;
    if (o->verb == V_ACCOUNT) {
        printf("account: %s\n", captls_acme_account_url(r->client));
        return EXIT_OK;
    }
    return o->verb == V_REVOKE ? revoke_cert(r) : order_cert(r);
}

/* ---- one run, and the renewal service ------------------------------ */

typedef struct outcome {
    int rc;
    bool renewed;
    int64_t due_at;
} outcome;

/* One verb, start to end; handle (may be NULL) replaces --handle. Every
 * resource of the run is released before it returns. */
static outcome run_once(int argc, char **argv, const char *handle)
{
    static run r;
    outcome out = {EXIT_USAGE, false, 0};
    memset(&r, 0, sizeof r);
    int rc = parse(argc, argv, &r.o);
    if (rc >= 0) {
        out.rc = rc;
        return out;
    }
    if (handle != NULL)
        r.o.handle = handle;
    out.rc = run_verb(&r);
    out.renewed = r.renewed;
    out.due_at = r.due_at;
    solver_stop(&r.solver);
    if (r.client != NULL) {
        captls_acme_client_fini(r.client);
        free(r.client);
    }
    if (r.issuer_ready)
        captls_tlsopt_trust_fini(&r.issuer);
    captls_https_client_free(r.https);
    captls_pstore_close(r.store);
    keys_fini(&r.k);
    captls_posix_audit_fini(&r.audit_ctx);
    fflush(stdout);
    return out;
}

/* The stored version of a handle, 0 when there is none. */
static uint64_t stored_version(captls_pstore *p, const char *handle)
{
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    (void)captls_cert_store_poll(&p->store);
    if (captls_cert_store_get(&p->store, OWNER, p->h, handle, buf, sizeof buf,
                              &rec) != CAPTLS_OK)
        return 0;
    return rec.version;
}

/* The renewal service (`renew --watch`): each entry is renewed when due,
 * checked again at most --check-interval apart (the CA's ARI window may
 * move, a certificate may be revoked), and at once when its stored
 * version changes under us (a chain put by hand). A CA or transport
 * failure is retried after a delay that doubles from a minute (capped by
 * the interval and an hour); a setup error (a key missing, a listen
 * address taken) stops the service with exit 2: it will not mend itself.
 * SIGINT/SIGTERM are held while a run is in progress and end the service
 * between runs, exit 0. */
static int watch_service(int argc, char **argv, const options *o)
{
    int64_t wake[MAX_WATCHED];
    unsigned long retry[MAX_WATCHED];
    uint64_t seen[MAX_WATCHED];
    captls_pstore *store = NULL;
    char err[CAPTLS_TLSOPT_ERR];
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0) {
        fprintf(stderr, "error: watch: sigprocmask: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    /* a minute, or a quarter of a shorter interval */
    unsigned long first_retry = o->check_interval / 4 < 60
                                    ? o->check_interval / 4
                                    : 60;
    if (first_retry == 0)
        first_retry = 1;
    for (size_t i = 0; i < o->nhandles; i++) {
        wake[i] = 0;
        retry[i] = first_retry;
        seen[i] = 0;
    }
    printf("watch: %zu entr%s in %s, checked at most %lu s apart\n",
           o->nhandles, o->nhandles == 1 ? "y" : "ies", o->store,
           o->check_interval);
    fflush(stdout);
    for (;;) {
        int64_t now = (int64_t)time(NULL), next = INT64_MAX;
        for (size_t i = 0; i < o->nhandles; i++) {
            if (wake[i] <= now) {
                char when[32];
                printf("watch: %s: checking\n", o->handles[i]);
                fflush(stdout);
                outcome r = run_once(argc, argv, o->handles[i]);
                now = (int64_t)time(NULL);
                if (r.rc == EXIT_USAGE) {
                    fprintf(stderr, "watch: %s: setup error, stopping\n",
                            o->handles[i]);
                    captls_pstore_close(store);
                    return EXIT_USAGE;
                }
                unsigned long delay = retry[i];
                if (r.rc != EXIT_OK) {
                    wake[i] = now + (int64_t)retry[i];
                    retry[i] = retry[i] * 2 > MAX_RETRY_DELAY
                                   ? MAX_RETRY_DELAY
                                   : retry[i] * 2;
                    if (retry[i] > o->check_interval)
                        retry[i] = o->check_interval;
                } else {
                    retry[i] = first_retry;
                    /* renewed: check again now, to learn the new due time */
                    wake[i] = r.renewed ? now
                              : r.due_at < now + (int64_t)o->check_interval
                                  ? r.due_at
                                  : now + (int64_t)o->check_interval;
                }
                if (store == NULL &&
                    !captls_pstore_open(o->store, false, NULL, &store, err,
                                        sizeof err)) {
                    fprintf(stderr, "error: watch: %s\n", err);
                    return EXIT_USAGE;
                }
                seen[i] = stored_version(store, o->handles[i]);
                format_time(wake[i], when, sizeof when);
                if (r.rc != EXIT_OK)
                    printf("watch: %s: failed, retry in %lu s (next check "
                           "%s)\n",
                           o->handles[i], delay, when);
                else
                    printf("watch: %s: %s, next check %s\n", o->handles[i],
                           r.renewed ? "renewed" : "not due", when);
                fflush(stdout);
            }
            if (wake[i] < next)
                next = wake[i];
        }
        /* Sleep until the earliest wake, a second at a time: a signal
         * ends the service, a changed entry is checked at once. */
        while ((now = (int64_t)time(NULL)) < next) {
            struct timespec slice = {1, 0};
            int sig = sigtimedwait(&stop, NULL, &slice);
            if (sig == SIGINT || sig == SIGTERM) {
                printf("watch: stopped (%s)\n",
                       sig == SIGINT ? "SIGINT" : "SIGTERM");
                fflush(stdout);
                captls_pstore_close(store);
                return EXIT_OK;
            }
            for (size_t i = 0; i < o->nhandles; i++)
                if (stored_version(store, o->handles[i]) != seen[i]) {
                    printf("watch: %s: the stored chain changed\n",
                           o->handles[i]);
                    wake[i] = now;
                    next = now;
                }
        }
    }
}

int captls_cmd_acme(int argc, char **argv)
{
    static options o;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (o.watch)
        return watch_service(argc, argv, &o);
    return run_once(argc, argv, NULL).rc;
}
