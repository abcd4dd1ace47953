/* sim/prog_trust.c — the trust service: a TrustStore (core/trust), its
 * writer and a CertVerifier bound to one policy, served over IPC on the
 * TrustStore interface. See programs.h for the wire format.
 *
 * Authority is the kernel's: the method table below says which rights a
 * caller's cap must hold (reads and verifyChain: call; restrict: call +
 * derive; addAnchor/removeAnchor: call + write — the writer cap is a
 * grant with the write right). A restricted view is a separate object
 * behind the same endpoint: restrict mints a badged cap for it
 * (captls_sim_proc_mint_badged, call + grant only) and every call through
 * that cap carries the view's badge, so its holder sees only the view and
 * can never write. Every verifyChain and every addAnchor/removeAnchor
 * writes an audit record (core/trust) to the transcript; so does every
 * call the kernel refuses.
 *
 * Time: verifyChain reads THIS host's wall clock with its provenance; a
 * caller cannot choose the time it is judged at. */
#include <stdio.h>
#include <string.h>

#include "core/trust/cert_verifier.h"
#include "core/trust/trust_audit.h"
#include "core/trust/trust_store.h"
#include "sim/programs.h"

#define TRUST_ANCHORS 16u
#define TRUST_ARENA 16384u
#define TRUST_VIEWS 8u
#define TRUST_CHAIN 4u /* leaf + 3 intermediates per call */

typedef struct trust_view {
    bool used;
    captls_trust_store ts;
    captls_trust_anchor_info anchors[TRUST_ANCHORS];
} trust_view;

typedef struct trust_state {
    bool ready;
    captls_trust_store root;
    captls_trust_anchor_info anchors[TRUST_ANCHORS];
    uint8_t arena[TRUST_ARENA];
    captls_trust_store_writer writer;
    captls_cert_verifier verifier;
    trust_view views[TRUST_VIEWS];
    captls_certificate certs[TRUST_CHAIN]; /* parse scratch */
    uint64_t verified, failed, writes;
    /* object caps for verifierCaps (minted on first use) */
    captls_cap_handle verifier_obj, root_obj, view_obj[TRUST_VIEWS];
} trust_state;

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

/* Adds the certificates named in `list` ("a+b") as anchors at start. */
static void add_initial(captls_sim_proc *p, trust_state *st, const char *list)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    while (list != NULL && *list != '\0') {
        const char *plus = strchr(list, '+');
        size_t n = plus != NULL ? (size_t)(plus - list) : strlen(list);
        const uint8_t *der = NULL;
        size_t len = 0;
        captls_result r = captls_sim_cert_find(k, list, n, &der, &len);
        if (r == CAPTLS_OK && len == 0)
            r = CAPTLS_ERR_NOT_FOUND; /* declared but not loaded */
        if (r == CAPTLS_OK)
            r = captls_certificate_parse(&st->certs[0], der, len, NULL);
        if (r == CAPTLS_OK)
            r = captls_trust_store_writer_add_anchor(
                &st->writer, captls_sim_proc_owner(p), &st->certs[0], NULL, 0);
        captls_sim_log(k, p, NULL, "initial anchor %.*s: %s", (int)n, list,
                       captls_result_name(r));
        list = plus != NULL ? plus + 1 : NULL;
    }
}

static void trust_start(captls_sim_proc *p)
{
    trust_state *st = captls_sim_proc_state(p);
    const captls_port *port = captls_sim_proc_port(p);
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const char *pname = captls_sim_proc_opt(p, "policy");
    const char *rule = captls_sim_proc_opt(p, "untrusted-clock");
    const captls_verification_policy *preset =
        captls_policy_by_name(pname != NULL ? pname : "webPkiLenient");
    captls_verification_policy pol;
    if (preset == NULL) {
        captls_sim_log(k, p, NULL, "unknown policy; not serving");
        return;
    }
    pol = *preset;
    if (rule != NULL && strcmp(rule, "reject") == 0)
        pol.untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_REJECT;
    else if (rule != NULL && strcmp(rule, "lower-bound") == 0)
        pol.untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_LOWER_BOUND;
    else if (rule != NULL && strcmp(rule, "as-trusted") == 0)
        pol.untrusted_clock = CAPTLS_UNTRUSTED_CLOCK_AS_TRUSTED;
    captls_result r = captls_trust_store_init(&st->root, st->anchors,
                                              TRUST_ANCHORS, st->arena,
                                              sizeof(st->arena), true);
    if (r == CAPTLS_OK)
        r = captls_trust_store_writer_init(&st->writer, &st->root,
                                           &port->clock, &port->audit);
    if (r == CAPTLS_OK)
        r = captls_cert_verifier_init(&st->verifier, &pol, &port->clock,
                                      &port->audit, NULL);
    if (r != CAPTLS_OK) {
        captls_sim_log(k, p, NULL, "trust store setup failed: %s",
                       captls_result_name(r));
        return;
    }
    st->ready = true;
    add_initial(p, st, captls_sim_proc_opt(p, "anchors"));
    static const char *const RULES[] = {"reject", "lower-bound",
                                        "as-trusted"};
    captls_sim_log(k, p, NULL,
                   "serving TrustStore: %zu anchors, version %llu; "
                   "CertVerifier policy %s (skew %us, untrusted clock: %s)",
                   captls_trust_store_count(&st->root),
                   (unsigned long long)captls_trust_store_version(&st->root),
                   pol.name, (unsigned)pol.clock_skew_seconds,
                   RULES[pol.untrusted_clock]);
}

/* The store a call addresses: the root (badge 0) or a live view. */
static captls_trust_store *store_of(trust_state *st, uint32_t badge)
{
    if (badge == 0)
        return &st->root;
    if (badge > TRUST_VIEWS || !st->views[badge - 1].used)
        return NULL;
    return &st->views[badge - 1].ts;
}

static void store_name(uint32_t badge, char out[24])
{
    if (badge == 0)
        snprintf(out, 24, "the store");
    else
        snprintf(out, 24, "view %u", (unsigned)badge);
}

/* "version=N anchors=K stale=yes|no" */
static size_t status_text(const captls_trust_store *ts, char *out, size_t cap)
{
    int n = snprintf(out, cap, "version=%llu anchors=%zu stale=%s",
                     (unsigned long long)captls_trust_store_version(ts),
                     captls_trust_store_count(ts),
                     yes_no(captls_trust_store_is_stale(ts)));
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

static void do_verify(captls_sim_proc *p, trust_state *st,
                      const captls_ipc_frame *f, captls_trust_store *ts,
                      const char *sname)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const captls_clock *clock = &captls_sim_proc_port(p)->clock;
    const uint8_t *in = f->payload;
    size_t len = f->payload_len, pos = 0;
    const captls_certificate *pool[TRUST_CHAIN];
    char host[256], iso[64], q[CAPTLS_SIM_LINE_MAX / 2];
    captls_result r = CAPTLS_ERR_MALFORMED;
    /* host_len u8, host, ncert u8, then per cert: u16 length, DER */
    if (len < 2 || (size_t)in[0] + 2 > len)
        goto bad;
    size_t hlen = in[0];
    memcpy(host, in + 1, hlen);
    host[hlen] = '\0';
    pos = 1 + hlen;
    size_t ncert = in[pos++];
    if (ncert == 0 || ncert > TRUST_CHAIN)
        goto bad;
    for (size_t i = 0; i < ncert; i++) {
        if (len - pos < 2)
            goto bad;
        size_t clen = ((size_t)in[pos] << 8) | in[pos + 1];
        pos += 2;
        if (clen > len - pos)
            goto bad;
        r = captls_certificate_parse(&st->certs[i], in + pos, clen, NULL);
        if (r != CAPTLS_OK)
            goto bad;
        pos += clen;
        pool[i] = &st->certs[i];
    }
    captls_wall_time w;
    r = clock->wall_time(clock->ctx, &w);
    if (r != CAPTLS_OK)
        goto bad;
    captls_verify_request req;
    memset(&req, 0, sizeof(req));
    req.leaf = &st->certs[0];
    req.intermediates = pool + 1;
    req.intermediate_count = ncert - 1;
    req.purpose = CAPTLS_PURPOSE_TLS_SERVER_AUTH;
    req.at_epoch_seconds = w.epoch_seconds;
    req.clock_provenance = w.provenance;
    req.hostname = hlen > 0 ? host : NULL;
    req.hostname_len = hlen;
    captls_verification_outcome out;
    r = captls_cert_verifier_verify_chain(&st->verifier,
                                          captls_sim_proc_owner(p), ts, &req,
                                          &out);
    if (r != CAPTLS_OK)
        goto bad;
    captls_sim_wall_iso(&w, iso);
    bool trusted_clock = w.provenance == CAPTLS_CLOCK_TRUSTED;
    if (out.valid) {
        st->verified++;
        captls_sim_log(k, p, NULL,
                       "verifyChain(%s, %zu certs) with %s at %s (%s): ok, "
                       "time trusted: %s",
                       captls_sim_quote((const uint8_t *)host, hlen, q,
                                        sizeof(q)),
                       ncert, sname, iso,
                       trusted_clock ? "trusted" : "untrusted",
                       yes_no(out.time_trusted));
    } else {
        st->failed++;
        captls_sim_log(k, p, NULL,
                       "verifyChain(%s, %zu certs) with %s at %s (%s): %s",
                       captls_sim_quote((const uint8_t *)host, hlen, q,
                                        sizeof(q)),
                       ncert, sname, iso,
                       trusted_clock ? "trusted" : "untrusted",
                       captls_failure_reason_name(out.reason));
    }
    /* valid u8, reason u8, time_trusted u8 */
    uint8_t ans[3] = {out.valid ? 1 : 0, (uint8_t)out.reason,
                      out.valid && out.time_trusted ? 1 : 0};
    r = captls_sim_ipc_return(p, f, ans, sizeof(ans));
    (void)r; /* the caller may have died */
    return;
bad:
    captls_sim_log(k, p, NULL, "verifyChain refused: %s",
                   captls_result_name(r));
    r = captls_sim_ipc_error(p, f, r == CAPTLS_OK ? CAPTLS_ERR_MALFORMED : r);
    (void)r;
}

/* verifierCaps: object caps on the CertVerifier and on the store the
 * calling cap names (the root or a view), for an engine that verifies
 * synchronously through the cap table (a TLS client's config). Both carry
 * call + grant only; they end when this service dies. Verification through
 * them runs at the CALLER's time (its clock is the engine's), with this
 * service's policy and audit sink. */
static void do_verifier_caps(captls_sim_proc *p, trust_state *st,
                             const captls_ipc_frame *f,
                             captls_trust_store *ts, uint32_t badge,
                             const char *sname)
{
    captls_cap_handle *store_h =
        badge == 0 ? &st->root_obj : &st->view_obj[badge - 1];
    captls_result r = CAPTLS_OK;
    const captls_rights rights = CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT;
    if (st->verifier_obj == CAPTLS_CAP_NULL)
        r = captls_sim_proc_mint_object(p, CAPTLS_IFACE_CERT_VERIFIER,
                                        &st->verifier, rights,
                                        &st->verifier_obj);
    if (r == CAPTLS_OK && *store_h == CAPTLS_CAP_NULL)
        r = captls_sim_proc_mint_object(p, CAPTLS_IFACE_TRUST_STORE, ts,
                                        rights, store_h);
    if (r == CAPTLS_OK) {
        captls_cap_handle hs[2] = {st->verifier_obj, *store_h};
        r = captls_sim_ipc_return_caps(p, f, NULL, 0, hs, 2);
    } else {
        captls_result e = captls_sim_ipc_error(p, f, r);
        (void)e;
    }
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "verifierCaps: CertVerifier and %s passed: %s", sname,
                   captls_result_name(r));
}

/* Logs a write's result with the store's new state and answers it. */
static void write_answer(captls_sim_proc *p, trust_state *st,
                         const captls_ipc_frame *f, const char *what,
                         captls_result r)
{
    if (r == CAPTLS_OK)
        st->writes++;
    captls_sim_log(captls_sim_proc_kernel(p), p, NULL,
                   "%s: %s (version %llu, %zu anchors)", what,
                   captls_result_name(r),
                   (unsigned long long)captls_trust_store_version(&st->root),
                   captls_trust_store_count(&st->root));
    r = r == CAPTLS_OK ? captls_sim_ipc_return(p, f, NULL, 0)
                       : captls_sim_ipc_error(p, f, r);
    (void)r;
}

static void do_add(captls_sim_proc *p, trust_state *st,
                   const captls_ipc_frame *f)
{
    /* The DER is copied into the store's arena (copy_der), so the
     * frame's bytes may go once the call returns. */
    captls_result r = captls_certificate_parse(&st->certs[0], f->payload,
                                               f->payload_len, NULL);
    if (r == CAPTLS_OK)
        r = captls_trust_store_writer_add_anchor(
            &st->writer, captls_sim_proc_owner(p), &st->certs[0], NULL, 0);
    write_answer(p, st, f, "addAnchor", r);
}

static void do_remove(captls_sim_proc *p, trust_state *st,
                      const captls_ipc_frame *f)
{
    captls_result r = CAPTLS_ERR_MALFORMED;
    size_t removed = 0;
    if (f->payload_len == CAPTLS_TRUST_FP_SIZE) {
        captls_anchor_selector sel;
        memset(&sel, 0, sizeof(sel));
        sel.kind = CAPTLS_ANCHOR_BY_FINGERPRINT;
        memcpy(sel.fingerprint, f->payload, CAPTLS_TRUST_FP_SIZE);
        r = captls_trust_store_writer_remove_anchor(
            &st->writer, captls_sim_proc_owner(p), &sel, &removed);
    }
    write_answer(p, st, f, "removeAnchor", r);
}

/* Payload: kind u8 (0 all, 1 only, 2 exclude), count u8, count SHA-256
 * fingerprints. Answers with a badged cap on the new view. */
static void do_restrict(captls_sim_proc *p, trust_state *st,
                        const captls_ipc_frame *f, captls_trust_store *src)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    const uint8_t *in = f->payload;
    uint8_t fps[CAPTLS_TRUST_FILTER_MAX][CAPTLS_TRUST_FP_SIZE];
    captls_result r = CAPTLS_ERR_MALFORMED;
    captls_cap_handle h = CAPTLS_CAP_NULL;
    trust_view *v = NULL;
    uint32_t badge = 0;
    if (f->payload_len < 2 || in[0] > 2 || in[1] > CAPTLS_TRUST_FILTER_MAX ||
        f->payload_len != 2u + (size_t)in[1] * CAPTLS_TRUST_FP_SIZE)
        goto out;
    memcpy(fps, in + 2, (size_t)in[1] * CAPTLS_TRUST_FP_SIZE);
    captls_trust_filter filt;
    memset(&filt, 0, sizeof(filt));
    if (in[0] == 1) {
        filt.fingerprints = (const uint8_t(*)[CAPTLS_TRUST_FP_SIZE])fps;
        filt.fingerprint_count = in[1];
    } else if (in[0] == 2) {
        filt.exclude_fingerprints =
            (const uint8_t(*)[CAPTLS_TRUST_FP_SIZE])fps;
        filt.exclude_count = in[1];
    }
    for (unsigned i = 0; i < TRUST_VIEWS && v == NULL; i++) {
        if (!st->views[i].used) {
            v = &st->views[i];
            badge = i + 1;
        }
    }
    r = CAPTLS_ERR_LIMIT_EXCEEDED;
    if (v == NULL)
        goto out;
    r = captls_trust_store_restrict(src, &filt, &v->ts, v->anchors,
                                    TRUST_ANCHORS);
    if (r != CAPTLS_OK)
        goto out;
    /* The view's cap: call (and passing it on), never write or derive. */
    r = captls_sim_proc_mint_badged(p, CAPTLS_IFACE_TRUST_STORE,
                                    CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_GRANT,
                                    badge, &h);
    if (r != CAPTLS_OK)
        goto out;
    v->used = true;
    char text[96];
    size_t n = status_text(&v->ts, text, sizeof(text));
    r = captls_sim_ipc_return_caps(p, f, (const uint8_t *)text, n, &h, 1);
    captls_sim_log(k, p, NULL, "restrict: view %u (%s), cap passed: %s",
                   (unsigned)badge, text, captls_result_name(r));
    captls_result d = captls_sim_proc_cap_drop(p, h);
    (void)d; /* the badge lives on the kernel's root */
    return;
out:
    captls_sim_log(k, p, NULL, "restrict refused: %s", captls_result_name(r));
    r = captls_sim_ipc_error(p, f, r);
    (void)r;
}

static void handle_call(captls_sim_proc *p, trust_state *st,
                        const captls_ipc_frame *f)
{
    captls_sim_kernel *k = captls_sim_proc_kernel(p);
    captls_result r;
    /* This service takes no caps in calls. */
    captls_sim_program_drop_caps(p, f, 0);
    uint32_t badge = captls_sim_proc_call_badge(p, f);
    captls_trust_store *ts = store_of(st, badge);
    char sname[24], text[96];
    store_name(badge, sname);
    if (!st->ready || ts == NULL || f->iface != CAPTLS_IFACE_TRUST_STORE) {
        captls_sim_log(k, p, NULL, "refused call %s#%u: %s",
                       captls_interface_name(f->iface), (unsigned)f->method,
                       !st->ready ? "not ready" : "no such view");
        r = captls_sim_ipc_error(p, f, !st->ready ? CAPTLS_ERR_UNSUPPORTED
                                                  : CAPTLS_ERR_STALE_HANDLE);
        (void)r;
        return;
    }
    switch (f->method) {
    case CAPTLS_SIM_TRUST_M_VERIFY_CHAIN:
        do_verify(p, st, f, ts, sname);
        return;
    case CAPTLS_TRUST_STORE_M_ADD_ANCHOR:
    case CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR:
        /* The kernel let only write caps through; a view has no writer
         * whatever its cap says. */
        if (badge != 0) {
            r = captls_sim_ipc_error(p, f, CAPTLS_ERR_NO_AUTHORITY);
            (void)r;
            return;
        }
        if (f->method == CAPTLS_TRUST_STORE_M_ADD_ANCHOR)
            do_add(p, st, f);
        else
            do_remove(p, st, f);
        return;
    case CAPTLS_TRUST_STORE_M_RESTRICT:
        do_restrict(p, st, f, ts);
        return;
    case CAPTLS_SIM_TRUST_M_VERIFIER_CAPS:
        do_verifier_caps(p, st, f, ts, badge, sname);
        return;
    case CAPTLS_TRUST_STORE_M_REFRESH: {
        bool changed = false;
        r = captls_trust_store_refresh(ts, &changed);
        status_text(ts, text, sizeof(text));
        captls_sim_log(k, p, NULL, "refresh of %s: %s, %s (%s)", sname,
                       captls_result_name(r),
                       changed ? "changed" : "unchanged", text);
        r = r == CAPTLS_OK
                ? captls_sim_ipc_return(
                      p, f, (const uint8_t *)(changed ? "changed" : "unchanged"),
                      changed ? 7 : 9)
                : captls_sim_ipc_error(p, f, r);
        (void)r;
        return;
    }
    case CAPTLS_TRUST_STORE_M_VERSION:
    case CAPTLS_TRUST_STORE_M_ANCHORS: {
        size_t n = status_text(ts, text, sizeof(text));
        captls_sim_log(k, p, NULL, "%s of %s: %s",
                       f->method == CAPTLS_TRUST_STORE_M_VERSION ? "version"
                                                                 : "anchors",
                       sname, text);
        r = captls_sim_ipc_return(p, f, (const uint8_t *)text, n);
        (void)r;
        return;
    }
    default:
        r = captls_sim_ipc_error(p, f, CAPTLS_ERR_UNSUPPORTED);
        (void)r;
        return;
    }
}

static void trust_wake(captls_sim_proc *p)
{
    trust_state *st = captls_sim_proc_state(p);
    captls_ipc_frame f;
    while (captls_sim_proc_next_frame(p, &f) == CAPTLS_OK) {
        if (f.kind == CAPTLS_IPC_CALL)
            handle_call(p, st, &f);
        else
            captls_sim_program_drop_caps(p, &f, 0);
    }
}

static bool trust_fact(captls_sim_proc *p, const char *name, uint8_t *out,
                       size_t cap, size_t *len)
{
    trust_state *st = captls_sim_proc_state(p);
    uint64_t v;
    if (strcmp(name, "version") == 0)
        v = captls_trust_store_version(&st->root);
    else if (strcmp(name, "anchors") == 0)
        v = captls_trust_store_count(&st->root);
    else if (strcmp(name, "verified") == 0)
        v = st->verified;
    else if (strcmp(name, "failed") == 0)
        v = st->failed;
    else if (strcmp(name, "writes") == 0)
        v = st->writes;
    else
        return false;
    return captls_sim_program_fact_u64(v, out, cap, len);
}

static const char *const TRUST_OPTIONS[] = {"anchors", "policy",
                                            "untrusted-clock", NULL};
static const char *const TRUST_REQUIRED[] = {NULL};
static const char *const TRUST_FACTS[] = {"version", "anchors", "verified",
                                          "failed", "writes", NULL};
static const captls_sim_method TRUST_METHODS[] = {
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_ANCHORS, "anchors",
     CAPTLS_RIGHT_CALL},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_RESTRICT, "restrict",
     CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_DERIVE},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_ADD_ANCHOR, "addAnchor",
     CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_REMOVE_ANCHOR,
     "removeAnchor", CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_VERSION, "version",
     CAPTLS_RIGHT_CALL},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_TRUST_STORE_M_REFRESH, "refresh",
     CAPTLS_RIGHT_CALL},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_SIM_TRUST_M_VERIFY_CHAIN,
     "verifyChain", CAPTLS_RIGHT_CALL},
    {CAPTLS_IFACE_TRUST_STORE, CAPTLS_SIM_TRUST_M_VERIFIER_CAPS,
     "verifierCaps", CAPTLS_RIGHT_CALL},
};

const captls_sim_program captls_sim_prog_trust = {
    .name = "trust",
    .iface = CAPTLS_IFACE_TRUST_STORE,
    .state_size = sizeof(trust_state),
    .options = TRUST_OPTIONS,
    .required = TRUST_REQUIRED,
    .verbs = NULL,
    .nverbs = 0,
    .facts = TRUST_FACTS,
    .methods = TRUST_METHODS,
    .nmethods = sizeof(TRUST_METHODS) / sizeof(TRUST_METHODS[0]),
    .start = trust_start,
    .wake = trust_wake,
    .timer = NULL,
    .action = NULL,
    .fact = trust_fact,
};
