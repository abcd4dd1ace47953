/* sim/fault.c — timed faults (what a scenario's `at TIME kill|restart|
 * reset|revoke|stall|clock|entropy|store ...` lines do) and the end-of-run
 * leak check. See sim.h. Each fault is one transcript line (or more, from
 * the part of the kernel it reaches), so a replay shows where it struck. */
#include <stdio.h>
#include <string.h>

#include "sim/sim_internal.h"

static captls_sim_proc *proc_named(captls_sim_kernel *k, const char *name)
{
    return name != NULL ? captls_sim_proc_find(k, name) : NULL;
}

static captls_sim_host *host_named(captls_sim_kernel *k, const char *name)
{
    return name != NULL ? captls_sim_host_find(k, name) : NULL;
}

static void fault_proc(captls_sim_kernel *k, const captls_sim_fault *f,
                       captls_sim_proc *p)
{
    uint32_t n = 0;
    captls_result r;
    switch (f->kind) {
    case CAPTLS_SIM_FAULT_KILL:
        if (!p->alive)
            captls_sim_log(k, NULL, "sim", "kill %s: already dead", p->name);
        else
            captls_sim_proc_kill(p);
        return;
    case CAPTLS_SIM_FAULT_RESTART:
        captls_sim_proc_restart(p);
        return;
    case CAPTLS_SIM_FAULT_RESET:
        n = captls_sim_proc_reset_streams(p);
        captls_sim_log(k, NULL, "sim", "reset %s: %u connection%s reset",
                       p->name, (unsigned)n, n == 1 ? "" : "s");
        return;
    case CAPTLS_SIM_FAULT_REVOKE:
        r = captls_sim_revoke(p, f->cap != NULL ? f->cap : "", &n);
        if (r == CAPTLS_OK)
            captls_sim_log(k, NULL, "sim",
                           "revoked %s's cap %s (%u handle%s ended)", p->name,
                           f->cap, (unsigned)n, n == 1 ? "" : "s");
        else
            captls_sim_log(k, NULL, "sim", "revoke %s %s: %s", p->name,
                           f->cap != NULL ? f->cap : "(none)",
                           captls_result_name(r));
        return;
    default:
        return;
    }
}

void sim_fault_run(captls_sim_kernel *k, const captls_sim_fault *f)
{
    captls_sim_proc *p = NULL;
    captls_sim_host *h = NULL, *hb = NULL;
    captls_result r = CAPTLS_OK;
    switch (f->kind) {
    case CAPTLS_SIM_FAULT_KILL:
    case CAPTLS_SIM_FAULT_RESTART:
    case CAPTLS_SIM_FAULT_RESET:
    case CAPTLS_SIM_FAULT_REVOKE:
        p = proc_named(k, f->proc);
        if (p == NULL) {
            captls_sim_log(k, NULL, "sim", "fault skipped: no such process");
            return;
        }
        fault_proc(k, f, p);
        return;
    default:
        break;
    }
    h = host_named(k, f->host);
    if (h == NULL) {
        captls_sim_log(k, NULL, "sim", "fault skipped: no such host");
        return;
    }
    switch (f->kind) {
    case CAPTLS_SIM_FAULT_STALL:
        hb = host_named(k, f->host_b);
        r = hb == NULL || f->value < 0
                ? CAPTLS_ERR_NOT_FOUND
                : captls_sim_link_stall(k, h, hb, (uint64_t)f->value);
        if (r == CAPTLS_OK)
            captls_sim_log(k, NULL, "sim",
                           "link %s-%s stalls for %llu.%03llums", h->name,
                           hb->name,
                           (unsigned long long)((uint64_t)f->value /
                                                CAPTLS_SIM_NS_PER_MS),
                           (unsigned long long)((uint64_t)f->value %
                                                CAPTLS_SIM_NS_PER_MS / 1000));
        else
            captls_sim_log(k, NULL, "sim", "stall %s: %s", h->name,
                           captls_result_name(r));
        return;
    case CAPTLS_SIM_FAULT_CLOCK_JUMP:
        r = captls_sim_host_clock_jump(h, f->value);
        break;
    case CAPTLS_SIM_FAULT_CLOCK_SET:
        r = captls_sim_host_clock_set(h, f->value);
        break;
    case CAPTLS_SIM_FAULT_CLOCK_PROVENANCE:
        captls_sim_host_clock_provenance(
            h, f->value == CAPTLS_CLOCK_TRUSTED ? CAPTLS_CLOCK_TRUSTED
                                                : CAPTLS_CLOCK_UNTRUSTED);
        return;
    case CAPTLS_SIM_FAULT_ENTROPY:
        captls_sim_host_entropy_fail(h, f->value != 0);
        captls_sim_log(k, NULL, "sim", "entropy on %s %s", h->name,
                       f->value != 0 ? "fails" : "works again");
        return;
    case CAPTLS_SIM_FAULT_STORE:
        captls_sim_host_store_mode(
            h, f->value == CAPTLS_SIM_STORE_TEAR   ? CAPTLS_SIM_STORE_TEAR
               : f->value == CAPTLS_SIM_STORE_FULL ? CAPTLS_SIM_STORE_FULL
                                                   : CAPTLS_SIM_STORE_OK);
        return;
    default:
        captls_sim_log(k, NULL, "sim", "fault skipped: unknown kind");
        return;
    }
    if (r != CAPTLS_OK)
        captls_sim_log(k, NULL, "sim", "clock %s: %s", h->name,
                       captls_result_name(r));
}

/* ------------------------------------------------------------- leaks */

static bool by_design(const captls_sim_proc *p, captls_cap_handle h)
{
    for (unsigned i = 0; i < p->ncaps; i++) {
        if (p->caps[i].h == h)
            return true;
    }
    for (unsigned i = 0; i < p->nminted; i++) {
        if (p->minted[i] == h)
            return true;
    }
    return false;
}

static void note(char *why, size_t cap, size_t *used, unsigned *shown,
                 const char *fmt, const char *a, unsigned n)
{
    if (why == NULL || *shown >= 4 || *used + 2 >= cap)
        return;
    int m = snprintf(why + *used, cap - *used, "%s", *used > 0 ? "; " : "");
    if (m > 0 && (size_t)m < cap - *used)
        *used += (size_t)m;
    m = snprintf(why + *used, cap - *used, fmt, a, n);
    if (m > 0 && (size_t)m < cap - *used)
        *used += (size_t)m;
    else
        why[*used] = '\0';
    (*shown)++;
}

size_t captls_sim_leaks(captls_sim_kernel *k, char *why, size_t cap)
{
    size_t leaks = 0, used = 0;
    unsigned shown = 0;
    if (why != NULL && cap > 0)
        why[0] = '\0';
    for (uint32_t pi = 0; pi < k->nprocs; pi++) {
        const captls_sim_proc *p = &k->procs[pi];
        if (!p->alive)
            continue; /* death released everything it held */
        unsigned caps = 0;
        captls_cap_owner owner = captls_sim_proc_owner(p);
        for (uint32_t i = 0; i < k->caps.nslots; i++) {
            const captls_cap_slot *sl = &k->slots[i];
            captls_cap_handle h =
                ((captls_cap_handle)sl->generation << 16) | (i + 1);
            captls_cap_info info;
            if (sl->owner != owner ||
                captls_cap_lookup(&k->caps, owner, h, CAPTLS_IFACE_ANY, 0,
                                  &info) != CAPTLS_OK)
                continue;
            if (!by_design(p, h))
                caps++;
        }
        if (caps > 0)
            note(why, cap, &used, &shown, "%s holds %u cap(s) it received "
                 "and never dropped", p->name, caps);
        unsigned conns = sim_net_open_conns(k, pi);
        if (conns > 0)
            note(why, cap, &used, &shown, "%s left %u connection(s) open",
                 p->name, conns);
        if (p->q_head != NULL)
            note(why, cap, &used, &shown, "%s left IPC frames unread%.0u",
                 p->name, 0);
        leaks += caps + conns + (p->q_head != NULL);
    }
    for (uint32_t i = 0; i < k->lim.max_calls; i++) {
        const sim_call *c = &k->calls[i];
        if (!c->used)
            continue;
        leaks++;
        note(why, cap, &used, &shown, "a call to %s was never answered%.0u",
             k->procs[c->callee].name, 0);
    }
    return leaks;
}
