/* sim/prog_relying_party.c — a client of the trust service (prog_trust.c):
 *   verify CAP CHAIN HOST | add-anchor CAP CERTS | remove-anchor CAP CERTS
 *   | restrict CAP NEWCAP FILTER | refresh CAP | version CAP | drop CAP
 * Certificates are the scenario's (`cert NAME "FILE"`), looked up by name
 * in the kernel; chains and lists are names joined by '+'. It sends the
 * DER (and fingerprints for filters and removals) in the calls, keeps the
 * last answer of each kind as a fact, and names the view cap restrict
 * returns so later lines (and `expect refused`) can use it. See
 * programs.h and sim/SCENARIOS.md. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto/hash.h"
#include "core/trust/trust_store.h"
#include "core/verify/policy.h"
#include "sim/programs.h"

#define RP_PENDING 16u
#define RP_TEXT 96u
#define RP_PAYLOAD 8192u
#define RP_CHAIN 4u

typedef enum rp_kind {
    RP_VERIFY = 1,
    RP_ADD,
    RP_REMOVE,
    RP_RESTRICT,
    RP_REFRESH,
    RP_VERSION,
} rp_kind;

typedef struct rp_pending {
    uint32_t req; /* 0: free */
    rp_kind kind;
    char name[CAPTLS_SIM_NAME_MAX]; /* restrict: the new cap's name */
} rp_pending;

typedef struct rp_fact {
    char v[RP_TEXT];
    bool set;
} rp_fact;

typedef struct rp_state {
    uint32_t next_req;
    rp_pending pending[RP_PENDING];
    rp_fact outcome, time_trusted, version, anchors, stale, written,
        restricted, refreshed;
    char outcomes[256]; /* every verify outcome so far, ','-joined */
    unsigned nverify;
    uint8_t buf[RP_PAYLOAD]; /* a verifyChain payload being built */
} rp_state;

/* Records a verify outcome in `outcome` and appends it to `outcomes`. */
static void outcome_set(rp_state *st, const char *v)
{
    size_t n = strlen(st->outcomes);
    snprintf(st->outcome.v, sizeof(st->outcome.v), "%s", v);
    st->outcome.set = true;
    st->nverify++;
    snprintf(st->outcomes + n, sizeof(st->outcomes) - n, "%s%s",
             n > 0 ? "," : "", v);
}

/* A verify that got no outcome: "error: <result>", time not known. */
static void outcome_error(rp_state *st, captls_result r)
{
    char e[RP_TEXT];
    snprintf(e, sizeof(e), "error: %s", captls_result_name(r));
    outcome_set(st, e);
    st->time_trusted.set = false;
}

static void fact_set(rp_fact *f, const char *s)
{
    snprintf(f->v, sizeof(f->v), "%s", s);
    f->set = true;
}

static void fact_error(rp_fact *f, captls_result r)
{
    snprintf(f->v, sizeof(f->v), "error: %s", captls_result_name(r));
    f->set = true;
}

/* The i-th certificate of "a+b+c" (0-based); false past the end or when
 * one is unknown or was not loaded. */
static bool cert_at(captls_sim_proc *p, const uint8_t *list, size_t len,
                    size_t i, const uint8_t **der, size_t *dlen)
{
    size_t start = 0;
    for (size_t n = 0; start <= len; n++) {
        size_t end = start;
        while (end < len && list[end] != '+')
            end++;
        if (n == i)
            return end > start &&
                   captls_sim_cert_find(captls_sim_proc_kernel(p),
                                        (const char *)list + start,
                                        end - start, der,
                                        dlen) == CAPTLS_OK &&
                   *dlen > 0;
        start = end + 1;
    }
    return false;
}

static size_t list_count(const uint8_t *list, size_t len)
{
    size_t n = len > 0;
    for (size_t i = 0; i < len; i++)
        n += list[i] == '+';
    return n;
}

/* Sends one call through the cap named by arg `cap`; records it. */
static captls_result rp_call(captls_sim_proc *p, rp_state *st,
                             const captls_sim_arg *cap, uint16_t method,
                             rp_kind kind, const uint8_t *payload, size_t len,
                             const char *newname)
{
    char name[CAPTLS_SIM_NAME_MAX];
    captls_cap_handle h;
    rp_pending *slot = NULL;
    if (!captls_sim_program_arg_name(cap, name, sizeof(name)) ||
        captls_sim_proc_cap(p, name, &h) != CAPTLS_OK)
        return CAPTLS_ERR_NOT_FOUND;
    for (unsigned i = 0; i < RP_PENDING && slot == NULL; i++) {
        if (st->pending[i].req == 0)
            slot = &st->pending[i];
    }
    if (slot == NULL)
        return CAPTLS_WOULD_BLOCK;
    uint32_t req = ++st->next_req;
    captls_result r = captls_sim_ipc_call(p, h, CAPTLS_IFACE_TRUST_STORE,
                                          method, req, payload, len, NULL, 0);
    if (r != CAPTLS_OK)
        return r;
    slot->req = req;
    slot->kind = kind;
    snprintf(slot->name, sizeof(slot->name), "%s",
             newname != NULL ? newname : "");
    return CAPTLS_OK;
}

static void act_verify(captls_sim_proc *p, rp_state *st,
                       const captls_sim_action *a)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    uint8_t *buf = st->buf;
    size_t pos = 0, n = list_count(a->args[1].p, a->args[1].len);
    captls_result r = CAPTLS_ERR_INVALID_ARGUMENT;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    if (a->args[2].len > 255 || n == 0 || n > RP_CHAIN)
        goto fail;
    buf[pos++] = (uint8_t)a->args[2].len;
    memcpy(buf + pos, a->args[2].p, a->args[2].len);
    pos += a->args[2].len;
    buf[pos++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der;
        size_t dlen;
        r = CAPTLS_ERR_NOT_FOUND;
        if (!cert_at(p, a->args[1].p, a->args[1].len, i, &der, &dlen))
            goto fail;
        r = CAPTLS_ERR_LIMIT_EXCEEDED;
        if (dlen > 0xFFFFu || dlen + 2 > RP_PAYLOAD - pos)
            goto fail;
        buf[pos++] = (uint8_t)(dlen >> 8);
        buf[pos++] = (uint8_t)dlen;
        memcpy(buf + pos, der, dlen);
        pos += dlen;
    }
    r = rp_call(p, st, &a->args[0], CAPTLS_SIM_TRUST_M_VERIFY_CHAIN,
                RP_VERIFY, buf, pos, NULL);
fail:
    captls_sim_log(k, p, NULL, "verifyChain(%s) of %.*s through cap %.*s: %s",
                   captls_sim_quote(a->args[2].p, a->args[2].len, q,
                                    sizeof(q)),
                   (int)a->args[1].len, (const char *)a->args[1].p,
                   (int)a->args[0].len, (const char *)a->args[0].p,
                   r == CAPTLS_OK ? "sent" : captls_result_name(r));
    if (r != CAPTLS_OK) {
        outcome_error(st, r);
    } else {
        st->outcome.set = false;
    }
}

static void act_write(captls_sim_proc *p, rp_state *st,
                      const captls_sim_action *a, bool add)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    size_t n = list_count(a->args[1].p, a->args[1].len);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der = NULL;
        size_t dlen = 0;
        uint8_t fp[CAPTLS_HASH_MAX_SIZE];
        captls_result r = CAPTLS_ERR_NOT_FOUND;
        if (cert_at(p, a->args[1].p, a->args[1].len, i, &der, &dlen)) {
            r = add ? CAPTLS_OK
                    : captls_hash(CAPTLS_HASH_SHA256, der, dlen, fp);
            if (r == CAPTLS_OK)
                r = rp_call(p, st, &a->args[0],
                            add ? CAPTLS_TRUST_STORE_M_ADD_ANCHOR
                                : CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR,
                            add ? RP_ADD : RP_REMOVE, add ? der : fp,
                            add ? dlen : CAPTLS_TRUST_FP_SIZE, NULL);
        }
        captls_sim_log(k, p, NULL, "%s certificate %zu of %.*s through cap "
                       "%.*s: %s",
                       add ? "addAnchor" : "removeAnchor", i + 1,
                       (int)a->args[1].len, (const char *)a->args[1].p,
                       (int)a->args[0].len, (const char *)a->args[0].p,
                       captls_result_name(r));
        if (r != CAPTLS_OK)
            fact_error(&st->written, r);
        else
            st->written.set = false;
    }
}

static void act_restrict(captls_sim_proc *p, rp_state *st,
                         const captls_sim_action *a)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    uint8_t buf[2 + CAPTLS_TRUST_FILTER_MAX * CAPTLS_TRUST_FP_SIZE];
    char newname[CAPTLS_SIM_NAME_MAX];
    const uint8_t *f = a->args[2].p;
    size_t flen = a->args[2].len, skip = 0;
    captls_result r = CAPTLS_ERR_INVALID_ARGUMENT;
    buf[0] = 0;
    if (flen > 5 && memcmp(f, "only:", 5) == 0) {
        buf[0] = 1;
        skip = 5;
    } else if (flen > 8 && memcmp(f, "exclude:", 8) == 0) {
        buf[0] = 2;
        skip = 8;
    }
    size_t n = buf[0] == 0 ? 0 : list_count(f + skip, flen - skip);
    if (!captls_sim_program_arg_name(&a->args[1], newname, sizeof(newname)) ||
        n > CAPTLS_TRUST_FILTER_MAX)
        goto out;
    buf[1] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der;
        size_t dlen;
        uint8_t fp[CAPTLS_HASH_MAX_SIZE];
        r = CAPTLS_ERR_NOT_FOUND;
        if (!cert_at(p, f + skip, flen - skip, i, &der, &dlen))
            goto out;
        r = captls_hash(CAPTLS_HASH_SHA256, der, dlen, fp);
        if (r != CAPTLS_OK)
            goto out;
        memcpy(buf + 2 + i * CAPTLS_TRUST_FP_SIZE, fp, CAPTLS_TRUST_FP_SIZE);
    }
    r = rp_call(p, st, &a->args[0], CAPTLS_TRUST_STORE_M_RESTRICT,
                RP_RESTRICT, buf, 2 + n * CAPTLS_TRUST_FP_SIZE, newname);
out:
    captls_sim_log(k, p, NULL, "restrict(%.*s) through cap %.*s as %.*s: %s",
                   (int)flen, (const char *)f, (int)a->args[0].len,
                   (const char *)a->args[0].p, (int)a->args[1].len,
                   (const char *)a->args[1].p, captls_result_name(r));
    if (r != CAPTLS_OK)
        fact_error(&st->restricted, r);
    else
        st->restricted.set = false;
}

static void act_simple(captls_sim_proc *p, rp_state *st,
                       const captls_sim_action *a, bool refresh)
{
    captls_result r = rp_call(
        p, st, &a->args[0],
        refresh ? CAPTLS_TRUST_STORE_M_REFRESH : CAPTLS_TRUST_STORE_M_VERSION,
        refresh ? RP_REFRESH : RP_VERSION, NULL, 0, NULL);
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "%s through cap %.*s: %s", refresh ? "refresh" : "version",
                   (int)a->args[0].len, (const char *)a->args[0].p,
                   captls_result_name(r));
    if (r != CAPTLS_OK)
        fact_error(refresh ? &st->refreshed : &st->version, r);
    else if (refresh)
        st->refreshed.set = false;
}

static void act_drop(captls_sim_proc *p, const captls_sim_action *a)
{
    char name[CAPTLS_SIM_NAME_MAX];
    captls_cap_handle h;
    captls_result r = CAPTLS_ERR_NOT_FOUND;
    if (captls_sim_program_arg_name(&a->args[0], name, sizeof(name)) &&
        captls_sim_proc_cap(p, name, &h) == CAPTLS_OK)
        r = captls_sim_proc_cap_drop(p, h);
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "dropped cap %.*s: %s",
                   (int)a->args[0].len, (const char *)a->args[0].p,
                   captls_result_name(r));
}

static void rp_action(captls_sim_proc *p, const captls_sim_action *a)
{
    rp_state *st = captls_sim_proc_state(p);
    if (strcmp(a->verb, "verify") == 0 && a->nargs == 3)
        act_verify(p, st, a);
    else if (strcmp(a->verb, "add-anchor") == 0 && a->nargs == 2)
        act_write(p, st, a, true);
    else if (strcmp(a->verb, "remove-anchor") == 0 && a->nargs == 2)
        act_write(p, st, a, false);
    else if (strcmp(a->verb, "restrict") == 0 && a->nargs == 3)
        act_restrict(p, st, a);
    else if (strcmp(a->verb, "refresh") == 0 && a->nargs == 1)
        act_simple(p, st, a, true);
    else if (strcmp(a->verb, "version") == 0 && a->nargs == 1)
        act_simple(p, st, a, false);
    else if (strcmp(a->verb, "drop") == 0 && a->nargs == 1)
        act_drop(p, a);
    else
        captls_sim_log(captls_sim_proc_kernel(p), p, NULL, "unknown action");
}

/* "version=N anchors=K stale=yes|no" into the three facts. */
static void take_status(rp_state *st, const uint8_t *t, size_t len)
{
    char buf[RP_TEXT];
    unsigned long long v = 0;
    size_t c = 0;
    char stale[8] = "";
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, t, len);
    buf[len] = '\0';
    if (sscanf(buf, "version=%llu anchors=%zu stale=%7s", &v, &c, stale) !=
        3)
        return;
    snprintf(st->version.v, sizeof(st->version.v), "%llu", v);
    snprintf(st->anchors.v, sizeof(st->anchors.v), "%zu", c);
    fact_set(&st->stale, stale);
    st->version.set = st->anchors.set = true;
}

static void on_answer(captls_sim_proc *p, rp_state *st,
                      const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    rp_pending *pd = NULL;
    bool ok = f->kind == CAPTLS_IPC_RETURN;
    captls_result err = ok ? CAPTLS_OK : (captls_result)f->status;
    char q[CAPTLS_SIM_LINE_MAX / 2];
    uint16_t used_caps = 0;
    for (unsigned i = 0; i < RP_PENDING && pd == NULL; i++) {
        if (st->pending[i].req != 0 && st->pending[i].req == f->request_id)
            pd = &st->pending[i];
    }
    if (pd == NULL) {
        captls_sim_log(k, p, NULL, "unexpected answer to request %u",
                       (unsigned)f->request_id);
    } else {
        switch (pd->kind) {
        case RP_VERIFY:
            if (ok && f->payload_len == 3) {
                outcome_set(st, f->payload[0]
                                    ? "ok"
                                    : captls_failure_reason_name(
                                          (captls_failure_reason)
                                              f->payload[1]));
                fact_set(&st->time_trusted,
                         f->payload[0] ? (f->payload[2] ? "yes" : "no")
                                       : "n/a");
            } else {
                outcome_error(st, ok ? CAPTLS_ERR_MALFORMED : err);
            }
            captls_sim_log(k, p, NULL, "verify #%u answered: %s%s%s",
                           st->nverify, st->outcome.v,
                           st->time_trusted.set ? ", time trusted: " : "",
                           st->time_trusted.set ? st->time_trusted.v : "");
            break;
        case RP_ADD:
        case RP_REMOVE:
            if (ok)
                fact_set(&st->written, "ok");
            else
                fact_error(&st->written, err);
            captls_sim_log(k, p, NULL, "%s answered: %s",
                           pd->kind == RP_ADD ? "addAnchor" : "removeAnchor",
                           st->written.v);
            break;
        case RP_RESTRICT: {
            captls_result r = ok && f->ncaps == 1
                                  ? captls_sim_proc_cap_name(p, pd->name,
                                                             f->caps[0])
                                  : (ok ? CAPTLS_ERR_MALFORMED : err);
            if (r == CAPTLS_OK) {
                used_caps = 1;
                fact_set(&st->restricted, "ok");
                take_status(st, f->payload, f->payload_len);
            } else {
                fact_error(&st->restricted, r);
            }
            captls_sim_log(k, p, NULL, "restrict answered: %s%s%s %s",
                           st->restricted.v, r == CAPTLS_OK ? "; holding cap "
                                                            : "",
                           r == CAPTLS_OK ? pd->name : "",
                           ok ? captls_sim_quote(f->payload, f->payload_len,
                                                 q, sizeof(q))
                              : "");
            break;
        }
        case RP_REFRESH:
            if (ok)
                snprintf(st->refreshed.v, sizeof(st->refreshed.v), "%.*s",
                         (int)(f->payload_len < 16 ? f->payload_len : 16),
                         (const char *)f->payload);
            else
                fact_error(&st->refreshed, err);
            st->refreshed.set = true;
            captls_sim_log(k, p, NULL, "refresh answered: %s",
                           st->refreshed.v);
            break;
        case RP_VERSION:
            if (ok)
                take_status(st, f->payload, f->payload_len);
            else
                fact_error(&st->version, err);
            captls_sim_log(k, p, NULL, "version answered: %s",
                           ok ? captls_sim_quote(f->payload, f->payload_len,
                                                 q, sizeof(q))
                              : st->version.v);
            break;
        }
        pd->req = 0;
    }
    captls_sim_program_drop_caps(p, f, used_caps);
}

static void rp_wake(captls_sim_proc *p)
{
    rp_state *st = captls_sim_proc_state(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind != CAPTLS_IPC_CALL) {
            on_answer(p, st, &f);
            continue;
        }
        /* It serves nothing: refuse calls, drop their caps. */
        captls_sim_program_drop_caps(p, &f, 0);
        captls_result r = captls_sim_ipc_error(p, &f, CAPTLS_ERR_UNSUPPORTED);
        (void)r;
    }
}

static bool rp_fact_get(captls_sim_proc *p, const char *name, uint8_t *out,
                        size_t cap, size_t *len)
{
    rp_state *st = captls_sim_proc_state(p);
    static const struct {
        const char *name;
        size_t off;
    } FACTS[] = {
        {"outcome", offsetof(rp_state, outcome)},
        {"time-trusted", offsetof(rp_state, time_trusted)},
        {"version", offsetof(rp_state, version)},
        {"anchors", offsetof(rp_state, anchors)},
        {"stale", offsetof(rp_state, stale)},
        {"written", offsetof(rp_state, written)},
        {"restricted", offsetof(rp_state, restricted)},
        {"refreshed", offsetof(rp_state, refreshed)},
    };
    if (strcmp(name, "outcomes") == 0)
        return captls_sim_program_fact_bytes(st->outcomes,
                                             strlen(st->outcomes), out, cap,
                                             len);
    for (size_t i = 0; i < sizeof(FACTS) / sizeof(FACTS[0]); i++) {
        if (strcmp(name, FACTS[i].name) != 0)
            continue;
        const rp_fact *f =
            (const rp_fact *)((const uint8_t *)st + FACTS[i].off);
        return captls_sim_program_fact_bytes(f->v, f->set ? strlen(f->v) : 0,
                                             out, cap, len);
    }
    return false;
}

static const captls_sim_verb RP_VERBS[] = {
    {"verify", "CKS", "verify CAP LEAF+INTERMEDIATE... HOST"},
    {"add-anchor", "CK", "add-anchor CAP CERT[+CERT...]"},
    {"remove-anchor", "CK", "remove-anchor CAP CERT[+CERT...]"},
    {"restrict", "CNX", "restrict CAP NEWCAP all|only:CERTS|exclude:CERTS"},
    {"refresh", "C", "refresh CAP"},
    {"version", "C", "version CAP"},
    {"drop", "C", "drop CAP"},
};
static const char *const RP_OPTIONS[] = {NULL};
static const char *const RP_FACTS[] = {
    "outcome", "outcomes", "time-trusted", "version", "anchors", "stale", "written",
    "restricted", "refreshed", NULL,
};

const captls_sim_program captls_sim_prog_relying_party = {
    .name = "relying-party",
    .iface = 0,
    .state_size = sizeof(rp_state),
    .options = RP_OPTIONS,
    .required = RP_OPTIONS,
    .verbs = RP_VERBS,
    .nverbs = sizeof(RP_VERBS) / sizeof(RP_VERBS[0]),
    .facts = RP_FACTS,
    .start = NULL,
    .wake = rp_wake,
    .timer = NULL,
    .action = rp_action,
    .fact = rp_fact_get,
};
