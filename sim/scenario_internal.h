/* sim/scenario_internal.h — what the pieces of the scenario parser share.
 *
 * Internal to the parser (sim/scenario*.c); sim/scenario.h is the API.
 * sim/scenario.c runs the parse and hands each line to a directive:
 * scenario_world.c (host, link, cert, limit), scenario_procs.c (service,
 * client, grant), scenario_actions.c (at: program verbs and kernel faults)
 * and scenario_expect.c (expect). The helpers below live in
 * scenario_refs.c: token checks, the lookups by which a line refers to
 * names declared on earlier lines, and array growth. Like scn_fail, every
 * check that returns bool records the first error and returns false.
 */
#ifndef CAPTLS_SIM_SCENARIO_INTERNAL_H
#define CAPTLS_SIM_SCENARIO_INTERNAL_H

#include "sim/scenario_lex.h"

/* Room for a scn_show rendering in an error message. */
#define SHOW_MAX 64

/* Words that follow `at TIME` (faults) or `expect` (checks) for the
 * kernel's own faults and checks; NULL-terminated, in the order the
 * directives switch on. A process may not take one as its name. */
extern const char *const scn_faults[];
extern const char *const scn_checks[];

/* ------------------------------------------------ tokens (scenario_refs.c) */

bool scn_in_list(const char *p, size_t len, const char *const *list);
/* Index in `list` of the plain word t, or -1. */
int scn_word_in(const scn_tok *t, const char *const *list);
/* Grows a scenario array to hold one more item: the (maybe moved) array,
 * or NULL with the error recorded (too many, or out of memory). */
void *scn_grow(scn_parser *ps, void *arr, size_t n, size_t *cap, size_t size,
               size_t max, const char *what);
/* Token i, or NULL with "expected <what>" at the end of the line. */
scn_tok *scn_need(scn_parser *ps, unsigned i, const char *what);
/* True if there is no token i. */
bool scn_no_more(scn_parser *ps, unsigned i);
/* A plain word that is a valid name. */
bool scn_name_tok(scn_parser *ps, const scn_tok *t, const char *what);
bool scn_keyword(scn_parser *ps, const scn_tok *t, const char *kw);
/* KEY=VALUE items from toks[from..]; `keys` lists the allowed ones. The
 * index of each given key's token goes to at[k] (or -1). */
bool scn_options(scn_parser *ps, unsigned from, const char *const *keys,
                 size_t nkeys, const char *directive, int at[]);

/* ------------------------------------------ names (scenario_refs.c) */

int32_t scn_host_index(const captls_sim_scenario *sc, const scn_tok *t);
int32_t scn_proc_index(const captls_sim_scenario *sc, const char *p,
                       size_t len);
int32_t scn_cert_index(const captls_sim_scenario *sc, const char *p,
                       size_t len);
/* A declared host or process, by name. */
bool scn_host_ref(scn_parser *ps, const scn_tok *t, uint32_t *out);
bool scn_proc_ref(scn_parser *ps, const scn_tok *t, uint32_t *out);
/* The service whose cap `t` names, as granted to proc; -1 if none. */
int32_t scn_granted(const captls_sim_scenario *sc, uint32_t proc,
                    const scn_tok *t);
/* The service whose cap `t` names for proc: granted, or named by an
 * earlier action (a verb argument of kind 'N'); -1 if none. */
int32_t scn_held(const captls_sim_scenario *sc, uint32_t proc,
                 const scn_tok *t);
/* NAME+NAME... of certificates declared with `cert`. */
bool scn_cert_list(scn_parser *ps, const char *p, size_t len, unsigned col,
                   const char *what);

/* ------------------------------------------------------------ directives */

/* scenario_world.c */
bool scn_d_host(scn_parser *ps);
bool scn_d_link(scn_parser *ps);
bool scn_d_cert(scn_parser *ps);
bool scn_d_key(scn_parser *ps);
bool scn_d_limit(scn_parser *ps);
/* scenario_procs.c: `service` (service true) and `client` */
bool scn_d_proc(scn_parser *ps, bool service);
bool scn_d_grant(scn_parser *ps);
/* scenario_actions.c: `at` */
bool scn_d_at(scn_parser *ps);
/* scenario_expect.c */
bool scn_d_expect(scn_parser *ps);

#endif
