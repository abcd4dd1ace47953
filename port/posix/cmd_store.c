/* `captls store`. See cmd_store.h. */
#define _GNU_SOURCE
#include "port/posix/cmd_store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/pem.h"
#include "core/tls/pem_chain.h"
#include "port/posix/posix_cert_store.h"
#include "port/posix/tls_options.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "error: %s\nusage: captls store %s\n", what,
            CAPTLS_CMD_STORE_ARGS);
    return EXIT_USAGE;
}

static int refused(const char *what, const char *handle, captls_result r)
{
    const char *why = r == CAPTLS_ERR_NOT_FOUND     ? "no such handle"
                      : r == CAPTLS_ERR_AUTH_FAILED ? "corrupted record "
                                                      "(checksum mismatch)"
                      : r == CAPTLS_ERR_MALFORMED ? "malformed"
                      : r == CAPTLS_ERR_PIN_MISMATCH
                          ? "the leaf's key is not the entry's bound key"
                      : r == CAPTLS_ERR_DISK_FULL ? "disk full (old chain kept)"
                      : r == CAPTLS_ERR_INVALID_ARGUMENT ? "invalid handle"
                                                         : "failed";
    fprintf(stderr, "error: %s %s: %s (%s)\n", what, handle, why,
            captls_result_name(r));
    return EXIT_FAIL;
}

static void print_event(const captls_cert_event *ev)
{
    char hex[65] = "-", when[32];
    struct tm tm;
    time_t t = (time_t)ev->rotated_at;
    if (ev->version != 0)
        captls_cert_fingerprint_hex(ev->leaf_sha256, hex);
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%s %llu %s %s\n", ev->handle, (unsigned long long)ev->version, hex,
           when);
    fflush(stdout);
}

static int do_put(captls_pstore *p, const char *handle, const char *file,
                  bool bind)
{
    char err[CAPTLS_TLSOPT_ERR], hex[65];
    uint8_t *pem = NULL, *der = NULL, fp[CAPTLS_HASH_MAX_SIZE];
    size_t len = 0, used = 0;
    captls_tls_chain chain;
    uint64_t version = 0;
    captls_result r;
    if (!captls_tlsopt_read_file(file, &pem, &len, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_FAIL;
    }
    der = malloc(len);
    r = der == NULL ? CAPTLS_ERR_LIMIT_EXCEEDED
                    : captls_tls_pem_chain_parse(pem, len, der, len, &chain,
                                                 &used);
    if (r != CAPTLS_OK) {
        fprintf(stderr, "error: %s: no usable certificate chain (%s)\n", file,
                captls_result_name(r));
        free(pem);
        free(der);
        return EXIT_FAIL;
    }
    const uint8_t *bind_spki = NULL;
    size_t bind_len = 0;
    if (bind) {
        r = captls_certificate_parse(&p->store.cert, chain.certs[0].ptr,
                                     chain.certs[0].len, NULL);
        if (r == CAPTLS_OK && p->store.cert.key_status == CAPTLS_OK) {
            static uint8_t spki[CAPTLS_CERT_SPKI_MAX];
            bind_len = p->store.cert.key.spki.len;
            if (bind_len <= sizeof spki) {
                memcpy(spki, p->store.cert.key.spki.ptr, bind_len);
                bind_spki = spki;
            }
        }
    }
    r = captls_cert_store_put(&p->store, CAPTLS_PSTORE_OWNER, p->h, handle,
                              chain.certs, chain.count, bind_spki, bind_len,
                              &version);
    if (r == CAPTLS_OK) {
        if (captls_hash(CAPTLS_HASH_SHA256, chain.certs[0].ptr,
                        chain.certs[0].len, fp) != CAPTLS_OK)
            memset(fp, 0, sizeof fp);
        captls_cert_fingerprint_hex(fp, hex);
        printf("%s version %llu leaf %s\n", handle,
               (unsigned long long)version, hex);
    }
    free(pem);
    free(der);
    return r == CAPTLS_OK ? EXIT_OK : refused("put", handle, r);
}

static int do_get(captls_pstore *p, const char *handle)
{
    static uint8_t buf[CAPTLS_CERT_RECORD_MAX];
    captls_cert_record rec;
    captls_result r = captls_cert_store_get(&p->store, CAPTLS_PSTORE_OWNER,
                                            p->h, handle, buf, sizeof buf,
                                            &rec);
    if (r != CAPTLS_OK)
        return refused("get", handle, r);
    for (size_t i = 0; i < rec.count; i++) {
        size_t need = captls_pem_encoded_len(11, rec.certs[i].len), n = 0;
        char *out = malloc(need + 1);
        if (out == NULL ||
            captls_pem_encode("CERTIFICATE", rec.certs[i].ptr,
                              rec.certs[i].len, out, need + 1,
                              &n) != CAPTLS_OK) {
            free(out);
            return refused("get", handle, CAPTLS_ERR_INTERNAL);
        }
        fwrite(out, 1, n, stdout);
        free(out);
    }
    return EXIT_OK;
}

static int do_list(captls_pstore *p)
{
    static char names[CAPTLS_CERT_STORE_MAX_HANDLES][CAPTLS_CERT_HANDLE_MAX];
    size_t n = 0;
    captls_result r = captls_cert_store_list(&p->store, CAPTLS_PSTORE_OWNER,
                                             p->h, names,
                                             CAPTLS_CERT_STORE_MAX_HANDLES,
                                             &n);
    if (r != CAPTLS_OK)
        return refused("list", "-", r);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    return EXIT_OK;
}

static int do_watch(captls_pstore *p, const char *handle)
{
    captls_cap_handle sub;
    captls_cert_event ev[CAPTLS_CERT_SUB_QUEUE];
    size_t n = 0;
    struct sigaction sa;
    captls_result r = captls_cert_store_watch(&p->store, CAPTLS_PSTORE_OWNER,
                                              p->h, handle, &sub);
    if (r != CAPTLS_OK)
        return refused("watch", handle, r);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "watching %s\n", handle);
    while (!stop) {
        (void)captls_cert_store_poll(&p->store);
        do {
            r = captls_cert_sub_events(&p->store, CAPTLS_PSTORE_OWNER, sub,
                                       ev, CAPTLS_CERT_SUB_QUEUE, &n);
            for (size_t i = 0; r == CAPTLS_OK && i < n; i++)
                print_event(&ev[i]);
        } while (r == CAPTLS_OK && n == CAPTLS_CERT_SUB_QUEUE);
        usleep(100 * 1000);
    }
    return EXIT_OK;
}

int captls_cmd_store(int argc, char **argv)
{
    const char *dir = NULL, *audit = NULL, *verb = NULL, *args[3] = {0};
    size_t nargs = 0;
    bool bind = false;
    char err[CAPTLS_TLSOPT_ERR];
    captls_pstore *p = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--dir") == 0 || strcmp(a, "--audit") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing value");
            *(a[2] == 'd' ? &dir : &audit) = argv[++i];
        } else if (strcmp(a, "--bind") == 0) {
            bind = true;
        } else if (a[0] == '-' && a[1] == '-') {
            return usage_error("unknown option");
        } else if (verb == NULL) {
            verb = a;
        } else if (nargs < 3) {
            args[nargs++] = a;
        } else {
            return usage_error("too many arguments");
        }
    }
    if (dir == NULL || verb == NULL)
        return usage_error(dir == NULL ? "missing --dir DIR" : "missing verb");
    bool writer = strcmp(verb, "put") == 0 || strcmp(verb, "delete") == 0;
    size_t want = strcmp(verb, "put") == 0    ? 2
                  : strcmp(verb, "list") == 0 ? 0
                  : strcmp(verb, "get") == 0 || strcmp(verb, "delete") == 0 ||
                          strcmp(verb, "watch") == 0
                      ? 1
                      : 9;
    if (want == 9)
        return usage_error("unknown verb");
    if (nargs != want || (bind && strcmp(verb, "put") != 0))
        return usage_error("wrong arguments for the verb");
    if (!captls_pstore_open(dir, writer, audit, &p, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_FAIL;
    }
    if (strcmp(verb, "put") == 0)
        rc = do_put(p, args[0], args[1], bind);
    else if (strcmp(verb, "get") == 0)
        rc = do_get(p, args[0]);
    else if (strcmp(verb, "list") == 0)
        rc = do_list(p);
    else if (strcmp(verb, "delete") == 0) {
        captls_result r = captls_cert_store_delete(&p->store,
                                                   CAPTLS_PSTORE_OWNER, p->h,
                                                   args[0]);
        rc = r == CAPTLS_OK ? EXIT_OK : refused("delete", args[0], r);
    } else
        rc = do_watch(p, args[0]);
    captls_pstore_close(p);
    return rc;
}
