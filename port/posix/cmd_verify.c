/* `captls verify` — see cmd_verify.h for the contract. */
#include "port/posix/cmd_verify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/pem.h"
#include "core/base/sanitize.h"
#include "core/cap/audit.h"
#include "core/cap/interface_ids.h"
#include "core/cap/cap_table.h"
#include "core/trust/cert_verifier.h"
#include "core/trust/trust_store.h"
#include "core/verify/public_suffix.h"
#include "core/x509/certificate.h"
#include "core/x509/name_text.h"
#include "port/posix/posix_port.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_ERROR = 2 };

/* Largest input file: the Debian bundle is ~220 KB; 16 MiB bounds a
 * mistaken argument (a disk image) without limiting real bundles. */
#define MAX_FILE (16u * 1024u * 1024u)
/* Certificates per file (roots or pool): CAPTLS_VERIFY_MAX_POOL. */
#define MAX_CERTS CAPTLS_VERIFY_MAX_POOL

typedef struct cert_file {
    const char *path;
    uint8_t *data;        /* the file */
    size_t len;
    uint8_t *der;         /* decoded DER of every certificate, back to back */
    captls_certificate *certs;
    size_t count;
    size_t skipped;       /* malformed untrusted certificates left out */
} cert_file;

static void usage(void)
{
    fprintf(stderr, "usage: captls verify %s\n       captls verify --roots-info\n",
            CAPTLS_CMD_VERIFY_ARGS);
}

static int usage_error(const char *what, const char *arg)
{
    char shown[96];
    (void)captls_sanitize((const uint8_t *)arg, strlen(arg), shown,
                          sizeof(shown));
    fprintf(stderr, "captls verify: %s '%s'\n", what, shown);
    usage();
    return EXIT_ERROR;
}

static void print_path(const char *path)
{
    char shown[256];
    (void)captls_sanitize((const uint8_t *)path, strlen(path), shown,
                          sizeof(shown));
    fputs(shown, stdout);
}

/* "error: <file>: <what>" and exit status 2. */
static int input_error(const char *path, const char *what)
{
    fputs("error: ", stdout);
    print_path(path);
    printf(": %s\n", what);
    return EXIT_ERROR;
}

static int read_file(const char *path, cert_file *f)
{
    FILE *fp = fopen(path, "rb");
    char msg[128];
    size_t cap = 65536, n = 0;

    f->path = path;
    if (fp == NULL) {
        snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
        return input_error(path, msg);
    }
    f->data = malloc(cap);
    while (f->data != NULL) {
        size_t got = fread(f->data + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            uint8_t *bigger;
            if (cap >= MAX_FILE) {
                fclose(fp);
                return input_error(path, "file larger than 16 MiB");
            }
            bigger = realloc(f->data, cap * 2);
            if (bigger == NULL) {
                free(f->data);
                f->data = NULL;
                break;
            }
            f->data = bigger;
            cap *= 2;
        }
    }
    if (f->data == NULL) {
        fclose(fp);
        return input_error(path, "out of memory");
    }
    if (ferror(fp)) {
        snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
        fclose(fp);
        return input_error(path, msg);
    }
    fclose(fp);
    f->len = n;
    return EXIT_OK;
}

static bool looks_pem(const uint8_t *p, size_t n)
{
    static const char tag[] = "-----BEGIN ";
    for (size_t i = 0; i + sizeof(tag) - 1 <= n; i++) {
        if (memcmp(p + i, tag, sizeof(tag) - 1) == 0)
            return true;
    }
    return false;
}

/* Malformed certificates in an untrusted file are reported and skipped
 * (issue 16): path building goes on with the others. */
static size_t skipped_count;

static int parse_one(cert_file *f, const uint8_t *der, size_t len,
                     size_t base_off, bool pem, bool skip_bad)
{
    captls_der_error err = {CAPTLS_OK, 0, NULL};
    captls_result r;
    char msg[256];

    if (f->count >= MAX_CERTS)
        return input_error(f->path, "too many certificates (limit 4096)");
    r = captls_certificate_parse(&f->certs[f->count], der, len, &err);
    if (r != CAPTLS_OK) {
        if (err.code != CAPTLS_OK && pem)
            snprintf(msg, sizeof(msg),
                     "certificate %zu (PEM block at byte %zu): %s at DER "
                     "byte %zu: %s", f->count + f->skipped + 1, base_off,
                     captls_result_name(r), err.offset,
                     err.reason != NULL ? err.reason : "?");
        else if (err.code != CAPTLS_OK)
            snprintf(msg, sizeof(msg), "certificate %zu: %s at byte %zu: %s",
                     f->count + f->skipped + 1, captls_result_name(r),
                     base_off + err.offset,
                     err.reason != NULL ? err.reason : "?");
        else
            snprintf(msg, sizeof(msg), "certificate %zu: %s",
                     f->count + f->skipped + 1, captls_result_name(r));
        if (skip_bad) {
            /* the slot is reused; the numbering follows the file. stderr:
             * stdout's first line stays the verdict. */
            char shown[256];
            (void)captls_sanitize((const uint8_t *)f->path, strlen(f->path),
                                  shown, sizeof(shown));
            fprintf(stderr,
                    "captls verify: skipped: %s: %s (untrusted, not used for "
                    "path building)\n",
                    shown, msg);
            skipped_count++;
            f->skipped++;
            return EXIT_OK;
        }
        return input_error(f->path, msg);
    }
    f->count++;
    return EXIT_OK;
}

/* Reads and parses every certificate of a file. untrusted_from: index
 * of the first certificate that is only an untrusted intermediate (0 for
 * --untrusted, 1 for the leaf file, SIZE_MAX for roots): a malformed one
 * from there on is reported and skipped; any other is an input error. */
static int load_certs(const char *path, cert_file *f, size_t untrusted_from)
{
    int rc = read_file(path, f);
    char msg[160];

    if (rc != EXIT_OK)
        return rc;
    f->certs = calloc(MAX_CERTS < 64 ? MAX_CERTS : 64, sizeof(*f->certs));
    if (f->len == 0)
        return input_error(path, "empty file");
    if (!looks_pem(f->data, f->len)) {
        if (f->certs == NULL)
            return input_error(path, "out of memory");
        return parse_one(f, f->data, f->len, 0, false, untrusted_from == 0);
    }
    /* PEM: count blocks first so the arrays are sized once */
    {
        size_t pos = 0, nblocks = 0, total = 0, used = 0;
        captls_pem_block b;
        captls_result r;
        while ((r = captls_pem_next(f->data, f->len, &pos, &b)) == CAPTLS_OK) {
            if (captls_pem_label_is(&b, "CERTIFICATE") ||
                captls_pem_label_is(&b, "TRUSTED CERTIFICATE")) {
                nblocks++;
                total += b.decoded_len;
            }
        }
        if (r != CAPTLS_EOF) {
            snprintf(msg, sizeof(msg), "bad PEM at byte %zu (%s)", pos,
                     captls_result_name(r));
            return input_error(path, msg);
        }
        if (nblocks == 0)
            return input_error(path, "no CERTIFICATE block");
        if (nblocks > MAX_CERTS)
            return input_error(path, "too many certificates (limit 4096)");
        free(f->certs);
        f->certs = calloc(nblocks, sizeof(*f->certs));
        f->der = malloc(total + 1);
        if (f->certs == NULL || f->der == NULL)
            return input_error(path, "out of memory");
        pos = 0;
        while (captls_pem_next(f->data, f->len, &pos, &b) == CAPTLS_OK) {
            size_t n = 0;
            if (!captls_pem_label_is(&b, "CERTIFICATE") &&
                !captls_pem_label_is(&b, "TRUSTED CERTIFICATE"))
                continue;
            r = captls_pem_decode(&b, f->der + used, total - used, &n);
            if (r != CAPTLS_OK) {
                snprintf(msg, sizeof(msg),
                         "certificate %zu: bad PEM block at byte %zu (%s)",
                         f->count + f->skipped + 1, b.begin,
                         captls_result_name(r));
                return input_error(path, msg);
            }
            rc = parse_one(f, f->der + used, n, b.begin, true,
                           f->count + f->skipped >= untrusted_from);
            if (rc != EXIT_OK)
                return rc;
            used += n;
        }
    }
    return EXIT_OK;
}

/* EPOCH or YYYY-MM-DDTHH:MM:SSZ. */
static bool parse_at(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
        s[13] == ':' && s[16] == ':' && s[19] == 'Z') {
        char g[15];
        const int pick[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
        captls_slice v;
        for (int i = 0; i < 14; i++) {
            if (s[pick[i]] < '0' || s[pick[i]] > '9')
                return false;
            g[i] = s[pick[i]];
        }
        g[14] = 'Z';
        v.ptr = (const uint8_t *)g;
        v.len = 15;
        return captls_der_parse_time(CAPTLS_DER_GENERALIZED_TIME, v, out) ==
               CAPTLS_OK;
    }
    if (n == 0 || n > 18)
        return false;
    {
        int64_t v = 0;
        size_t i = 0;
        bool neg = s[0] == '-';
        if (neg)
            i = 1;
        if (i == n)
            return false;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (s[i] - '0');
        }
        *out = neg ? -v : v;
        return true;
    }
}

static void print_name(const captls_x509_name *name)
{
    char buf[1024];
    size_t len = 0;
    if (captls_x509_name_to_text(name, buf, sizeof(buf), &len) != CAPTLS_OK)
        printf("%s...\n", buf);
    else
        printf("%s\n", buf);
}

static int roots_info(void)
{
    printf("roots: %s\n", captls_mozilla_roots_provenance);
    return EXIT_OK;
}

typedef struct options {
    const char *roots, *untrusted, *host, *ip, *leaf;
    captls_cert_purpose purpose;
    const captls_verification_policy *policy;
    bool have_at;
    int64_t at;
    int max_chain; /* 0: the policy's */
    /* VerificationPolicy field overrides (issue 16); -1: the policy's */
    long clock_skew, min_scts, require_ocsp;
    const char *audit; /* append the audit record as a JSON line */
} options;

/* A decimal in [lo, hi], or false. */
static bool parse_long(const char *v, long lo, long hi, long *out)
{
    char *end = NULL;
    long n;
    if (v[0] < '0' || v[0] > '9')
        return false;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static int parse_args(int argc, char **argv, options *o)
{
    bool policy_given = false;

    memset(o, 0, sizeof(*o));
    o->clock_skew = o->min_scts = o->require_ocsp = -1;
    o->purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    o->policy = captls_policy_web_pki_lenient();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->leaf != NULL)
                return usage_error("unexpected argument", a);
            o->leaf = a;
            continue;
        }
        if (v == NULL)
            return usage_error("missing value for", a);
        i++;
        if (strcmp(a, "--roots") == 0) {
            o->roots = v;
        } else if (strcmp(a, "--untrusted") == 0) {
            o->untrusted = v;
        } else if (strcmp(a, "--host") == 0) {
            o->host = v;
        } else if (strcmp(a, "--ip") == 0) {
            o->ip = v;
        } else if (strcmp(a, "--purpose") == 0) {
            if (strcmp(v, "serverAuth") == 0)
                o->purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
            else if (strcmp(v, "clientAuth") == 0)
                o->purpose = CAPTLS_PURPOSE_TLS_CLIENT_AUTH;
            else if (strcmp(v, "codeSigning") == 0)
                o->purpose = CAPTLS_PURPOSE_CODE_SIGNING;
            else
                return usage_error("unknown purpose", v);
        } else if (strcmp(a, "--policy") == 0) {
            o->policy = captls_policy_by_name(v);
            if (o->policy == NULL)
                return usage_error("unknown policy", v);
            policy_given = true;
        } else if (strcmp(a, "--at") == 0) {
            if (!parse_at(v, &o->at))
                return usage_error("bad time (EPOCH or YYYY-MM-DDTHH:MM:SSZ)",
                                   v);
            o->have_at = true;
        } else if (strcmp(a, "--max-chain") == 0) {
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (end == v || *end != '\0' || n < 1 || n > 255)
                return usage_error("bad --max-chain (1..255)", v);
            o->max_chain = (int)n;
        } else if (strcmp(a, "--clock-skew") == 0) {
            /* a day at most: a wider window is not a clock skew */
            if (!parse_long(v, 0, 86400, &o->clock_skew))
                return usage_error("bad --clock-skew (0..86400 seconds)", v);
        } else if (strcmp(a, "--min-scts") == 0) {
            if (!parse_long(v, 0, 255, &o->min_scts))
                return usage_error("bad --min-scts (0..255)", v);
        } else if (strcmp(a, "--require-ocsp") == 0) {
            if (strcmp(v, "yes") == 0)
                o->require_ocsp = 1;
            else if (strcmp(v, "no") == 0)
                o->require_ocsp = 0;
            else
                return usage_error("bad --require-ocsp (yes or no)", v);
        } else if (strcmp(a, "--audit") == 0) {
            o->audit = v;
        } else {
            return usage_error("unknown option", a);
        }
    }
    if (o->leaf == NULL)
        return usage_error("missing", "LEAF");
    /* webPkiLenient does not serve code signing: its own preset does */
    if (!policy_given && o->purpose == CAPTLS_PURPOSE_CODE_SIGNING)
        o->policy = captls_policy_code_signing();
    if (o->host != NULL && o->ip != NULL)
        return usage_error("--host and --ip are exclusive", "--ip");
    return EXIT_OK;
}

/* Root anchors from a file or the Mozilla table into a fresh store. */
static int build_store(const options *o, cert_file *roots,
                       captls_trust_store *ts,
                       captls_trust_store_writer *w)
{
    static captls_certificate moz_cert;
    size_t n = o->roots != NULL ? roots->count : captls_mozilla_roots_count;
    size_t arena_len = 64;
    captls_trust_anchor_info *slots;
    uint8_t *arena;
    uint32_t purposes = o->roots != NULL
                            ? 0
                            : CAPTLS_PURPOSE_BIT(CAPTLS_PURPOSE_TLS_SERVER_AUTH);

    if (n > CAPTLS_TRUST_MAX_ANCHORS)
        return input_error(o->roots, "more than 512 roots");
    /* room for the parsed name constraints of every root (rare) */
    arena_len += n * CAPTLS_TRUST_NC_ARENA_BYTES(2 * CAPTLS_X509_MAX_SUBTREES);
    slots = calloc(n == 0 ? 1 : n, sizeof(*slots));
    arena = malloc(arena_len);
    if (slots == NULL || arena == NULL ||
        captls_trust_store_init(ts, slots, n == 0 ? 1 : n, arena, arena_len,
                                false) != CAPTLS_OK ||
        captls_trust_store_writer_init(w, ts, NULL, NULL) != CAPTLS_OK) {
        fputs("error: out of memory\n", stdout);
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        const captls_certificate *c = NULL;
        captls_result r;
        if (o->roots != NULL) {
            c = &roots->certs[i];
        } else if (captls_certificate_parse(&moz_cert,
                                            captls_mozilla_roots[i].der,
                                            captls_mozilla_roots[i].len,
                                            NULL) == CAPTLS_OK) {
            c = &moz_cert; /* its DER is static: borrowing is safe */
        } else {
            continue; /* a root our strict parser refuses cannot anchor */
        }
        r = captls_trust_store_writer_add_anchor(w, 0, c, NULL, purposes);
        /* duplicates and roots that serve no purpose are skipped */
        if (r != CAPTLS_OK && r != CAPTLS_ERR_ALREADY_EXISTS &&
            r != CAPTLS_ERR_INVALID_ARGUMENT) {
            char msg[96];
            snprintf(msg, sizeof(msg), "root %zu: cannot be an anchor (%s)",
                     i + 1, captls_result_name(r));
            return input_error(o->roots != NULL ? o->roots : "mozilla roots",
                               msg);
        }
    }
    return EXIT_OK;
}

/* The CertVerifier's audit sink: keeps the record of the call. */
typedef struct audit_capture {
    captls_audit_record rec;
    bool have;
} audit_capture;

static captls_result capture_append(void *ctx, const captls_audit_record *r)
{
    audit_capture *c = ctx;
    c->rec = *r;
    c->have = true;
    return CAPTLS_OK;
}

static void json_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(fp, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            fprintf(fp, "\\u%04x", ch);
        else
            fputc(ch, fp);
    }
    fputc('"', fp);
}

/* Appends the record as one JSON object on one line (O_APPEND: lines of
 * concurrent runs do not interleave inside a line of this size). */
static int write_audit(const char *path, const audit_capture *c,
                       const captls_verification_outcome *out,
                       const captls_verification_policy *pol)
{
    const captls_audit_record *r = &c->rec;
    FILE *fp;
    char line[2048];
    size_t n;

    if (!c->have)
        return input_error(path, "no audit record was produced");
    fp = fmemopen(line, sizeof(line), "w");
    if (fp == NULL)
        return input_error(path, "out of memory");
    fprintf(fp, "{\"mono_ns\":%llu,\"wall\":%lld,\"wall_ns\":%u,"
                "\"clock\":\"%s\",\"actor\":%u,\"iface\":",
            (unsigned long long)r->monotonic_ns,
            (long long)r->wall.epoch_seconds, (unsigned)r->wall.nanoseconds,
            r->wall.provenance == CAPTLS_CLOCK_TRUSTED ? "trusted"
                                                       : "untrusted",
            (unsigned)r->actor);
    json_str(fp, captls_interface_name(r->iface));
    fprintf(fp, ",\"method\":%u,\"event\":", (unsigned)r->method);
    json_str(fp, r->event);
    fputs(",\"outcome\":", fp);
    json_str(fp, captls_result_name(r->outcome));
    fputs(",\"detail\":", fp);
    json_str(fp, r->detail);
    fputs(",\"policy\":", fp);
    json_str(fp, pol->name != NULL ? pol->name : "");
    fputs(",\"verdict\":", fp);
    json_str(fp, out->valid ? "ok" : captls_failure_reason_name(out->reason));
    fputs("}\n", fp);
    if (fclose(fp) != 0 || (n = strlen(line)) == 0 || line[n - 1] != '\n')
        return input_error(path, "audit record too long");
    fp = fopen(path, "a");
    if (fp == NULL || fwrite(line, 1, n, fp) != n) {
        char msg[128];
        snprintf(msg, sizeof(msg), "cannot append: %s", strerror(errno));
        if (fp != NULL)
            fclose(fp);
        return input_error(path, msg);
    }
    if (fclose(fp) != 0)
        return input_error(path, "cannot append");
    return EXIT_OK;
}

/* The anchor line is printed unless the path already ends with it. */
static bool same_as_anchor(const captls_certificate *c,
                           const captls_trust_anchor *a)
{
    captls_slice spki = a->cert != NULL ? a->cert->spki_raw : a->spki;
    const captls_x509_name *subj = a->cert != NULL ? &a->cert->subject
                                                   : &a->subject;
    return c->spki_raw.len == spki.len &&
           memcmp(c->spki_raw.ptr, spki.ptr, spki.len) == 0 &&
           captls_x509_name_equal(&c->subject, subj);
}

int captls_cmd_verify(int argc, char **argv)
{
    static cert_file leaf, pool, roots;
    static captls_trust_store ts;
    static captls_trust_store_writer writer;
    static captls_cert_verifier verifier;
    static captls_verification_outcome out;
    static captls_cap_slot slots[8];
    static const captls_certificate *pool_ptrs[2 * MAX_CERTS];
    captls_verification_policy policy;
    captls_verify_request req;
    captls_cap_table table;
    captls_cap_handle store_h, verifier_h;
    options o;
    uint8_t ipbuf[16];
    size_t npool = 0;
    int rc;
    captls_result r;

    if (argc == 2 && strcmp(argv[1], "--roots-info") == 0)
        return roots_info();
    rc = parse_args(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;

    memset(&req, 0, sizeof(req));
    if (o.ip != NULL) {
        if (inet_pton(AF_INET, o.ip, ipbuf) == 1)
            req.ip_len = 4;
        else if (inet_pton(AF_INET6, o.ip, ipbuf) == 1)
            req.ip_len = 16;
        else
            return usage_error("bad IP address", o.ip);
        req.ip = ipbuf;
    }
    if (o.host != NULL) {
        req.hostname = o.host;
        req.hostname_len = strlen(o.host);
    }
    if (o.have_at) {
        req.at_epoch_seconds = o.at;
        req.clock_provenance = CAPTLS_CLOCK_TRUSTED; /* the operator's */
    } else {
        captls_posix_clock_ctx cctx;
        captls_clock clock;
        captls_wall_time now;
        captls_posix_clock_init(&cctx, CAPTLS_CLOCK_TRUSTED, &clock);
        if (clock.wall_time(clock.ctx, &now) != CAPTLS_OK) {
            fputs("error: no wall clock (use --at)\n", stdout);
            return EXIT_ERROR;
        }
        req.at_epoch_seconds = now.epoch_seconds;
        req.clock_provenance = now.provenance;
    }

    rc = load_certs(o.leaf, &leaf, 1);
    if (rc == EXIT_OK && o.untrusted != NULL)
        rc = load_certs(o.untrusted, &pool, 0);
    if (rc == EXIT_OK && o.roots != NULL)
        rc = load_certs(o.roots, &roots, SIZE_MAX);
    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 1; i < leaf.count; i++)
        pool_ptrs[npool++] = &leaf.certs[i];
    for (size_t i = 0; i < pool.count; i++)
        pool_ptrs[npool++] = &pool.certs[i];
    if (npool > CAPTLS_VERIFY_MAX_POOL)
        return input_error(o.untrusted, "more than 4096 untrusted certificates");

    rc = build_store(&o, &roots, &ts, &writer);
    if (rc != EXIT_OK)
        return rc;
    policy = *o.policy;
    if (o.max_chain != 0)
        policy.max_chain_length = (uint8_t)o.max_chain;
    if (o.clock_skew >= 0)
        policy.clock_skew_seconds = (uint32_t)o.clock_skew;
    if (o.min_scts >= 0)
        policy.min_scts = (uint8_t)o.min_scts;
    if (o.require_ocsp >= 0)
        policy.require_ocsp = o.require_ocsp == 1;
    captls_posix_clock_ctx audit_cctx;
    captls_clock audit_clock;
    static audit_capture captured;
    captls_audit_sink sink = {&captured, capture_append};
    captls_posix_clock_init(&audit_cctx, CAPTLS_CLOCK_TRUSTED, &audit_clock);
    if (captls_cert_verifier_init(&verifier, &policy, &audit_clock, &sink,
                                  NULL) != CAPTLS_OK)
        return input_error("policy", "cannot create the verifier");

    /* the same confinement as a service: the verifier reaches the store
     * only through a TrustStore cap */
    if (captls_cap_table_init(&table, slots, 8) != CAPTLS_OK ||
        captls_cap_mint(&table, 1, CAPTLS_IFACE_TRUST_STORE, &ts,
                        CAPTLS_RIGHT_CALL, &store_h) != CAPTLS_OK ||
        captls_cap_mint(&table, 1, CAPTLS_IFACE_CERT_VERIFIER, &verifier,
                        CAPTLS_RIGHT_CALL, &verifier_h) != CAPTLS_OK) {
        fputs("error: cap table\n", stdout);
        return EXIT_ERROR;
    }
    req.leaf = &leaf.certs[0];
    req.intermediates = pool_ptrs;
    req.intermediate_count = npool;
    req.purpose = o.purpose;
    req.public_suffixes = &captls_psl_builtin; /* the build's generated list */
    r = captls_cert_verifier_cap_verify_chain(&table, 1, verifier_h, store_h,
                                              &req, &out);
    if (r != CAPTLS_OK) {
        printf("error: verification could not run: %s\n",
               captls_result_name(r));
        return EXIT_ERROR;
    }
    if (o.audit != NULL) {
        rc = write_audit(o.audit, &captured, &out, &policy);
        if (rc != EXIT_OK)
            return rc;
    }
    if (!out.valid) {
        printf("fail: %s\n", captls_failure_reason_name(out.reason));
        if (out.detail[0] != '\0')
            printf("detail: %s\n", out.detail);
        if (skipped_count > 0)
            printf("skipped: %zu malformed untrusted certificate%s (see "
                   "stderr)\n",
                   skipped_count, skipped_count == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    puts("ok");
    for (size_t i = 0; i < out.path_len; i++)
        print_name(&out.path[i]->subject);
    if (out.path_len == 0 ||
        !same_as_anchor(out.path[out.path_len - 1], &out.anchor))
        print_name(out.anchor.cert != NULL ? &out.anchor.cert->subject
                                           : &out.anchor.subject);
    return EXIT_OK;
}
