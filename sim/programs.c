/* sim/programs.c — the registry of scenario programs. See programs.h. */
#include <string.h>

#include "core/base/text.h"
#include "sim/programs.h"

static const captls_sim_program *const PROGRAMS[] = {
    &captls_sim_prog_echo,
    &captls_sim_prog_echo_client,
    &captls_sim_prog_trust,
    &captls_sim_prog_relying_party,
    &captls_sim_prog_ticket_keys,
    &captls_sim_prog_tls_server,
    &captls_sim_prog_tls_client,
    &captls_sim_prog_telnets,
    &captls_sim_prog_acme_ca,
    &captls_sim_prog_acme_client,
};

static bool name_eq(const char *s, const char *p, size_t len)
{
    return strlen(s) == len && memcmp(s, p, len) == 0;
}

const captls_sim_program *captls_sim_program_find(const char *name,
                                                  size_t len)
{
    for (size_t i = 0; i < sizeof(PROGRAMS) / sizeof(PROGRAMS[0]); i++) {
        if (name_eq(PROGRAMS[i]->name, name, len))
            return PROGRAMS[i];
    }
    return NULL;
}

const char *captls_sim_program_names(void)
{
    return "echo, echo-client, trust, relying-party, ticket-keys, "
           "tls-server, tls-client, telnets-gateway, acme-ca, acme-client";
}

const captls_sim_verb *captls_sim_program_verb(const captls_sim_program *prog,
                                               const char *name, size_t len)
{
    for (size_t i = 0; i < prog->nverbs; i++) {
        if (name_eq(prog->verbs[i].name, name, len))
            return &prog->verbs[i];
    }
    return NULL;
}

bool captls_sim_program_has_fact(const captls_sim_program *prog,
                                 const char *name, size_t len)
{
    for (size_t i = 0; prog->facts != NULL && prog->facts[i] != NULL; i++) {
        if (name_eq(prog->facts[i], name, len))
            return true;
    }
    return false;
}

bool captls_sim_program_has_option(const captls_sim_program *prog,
                                   const char *name, size_t len)
{
    for (size_t i = 0; prog->options != NULL && prog->options[i] != NULL;
         i++) {
        if (name_eq(prog->options[i], name, len))
            return true;
    }
    return false;
}

bool captls_sim_program_arg_name(const captls_sim_arg *a, char *out,
                                 size_t cap)
{
    if (a->len == 0 || a->len >= cap || memchr(a->p, '\0', a->len) != NULL)
        return false;
    memcpy(out, a->p, a->len);
    out[a->len] = '\0';
    return true;
}

void captls_sim_program_drop_caps(captls_sim_proc *p,
                                  const captls_ipc_frame *f, uint16_t from)
{
    for (uint16_t i = from; i < f->ncaps; i++) {
        captls_result r = captls_sim_proc_cap_drop(p, f->caps[i]);
        (void)r; /* a handle the kernel just gave p */
    }
}

bool captls_sim_program_fact_bytes(const void *b, size_t n, uint8_t *out,
                                   size_t cap, size_t *len)
{
    if (n > cap)
        return false;
    memcpy(out, b, n);
    *len = n;
    return true;
}

bool captls_sim_program_fact_u64(uint64_t v, uint8_t *out, size_t cap,
                                 size_t *len)
{
    char digits[24]; /* 20 digits at most */
    captls_text t;
    captls_text_init(&t, digits, sizeof(digits));
    captls_text_u64(&t, v);
    return captls_sim_program_fact_bytes(digits, captls_text_len(&t), out,
                                         cap, len);
}
