/* See cap_table.h. */
#include "core/cap/cap_table.h"

#include <string.h>

enum { SLOT_FREE = 0, SLOT_LIVE = 1, SLOT_RETIRED = 2 };

/* Generations start at 1 so that handle bits never collide with
 * CAPTLS_CAP_NULL; a slot whose generation reaches the maximum is retired
 * instead of wrapping (a wrapped generation would revive old handles). */
#define GEN_FIRST 1u
#define GEN_LAST 0xFFFFu

static captls_cap_handle make_handle(uint32_t index, uint16_t gen)
{
    return ((captls_cap_handle)gen << 16) | (index + 1u);
}

static uint32_t handle_index(captls_cap_handle h)
{
    return (h & 0xFFFFu) - 1u; /* wraps to 0xFFFFFFFF for index field 0 */
}

static uint16_t handle_gen(captls_cap_handle h)
{
    return (uint16_t)(h >> 16);
}

captls_result captls_cap_table_init(captls_cap_table *t, captls_cap_slot *slots,
                                    uint32_t nslots)
{
    if (t == NULL || slots == NULL || nslots == 0 ||
        nslots > CAPTLS_CAP_MAX_SLOTS)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(slots, 0, (size_t)nslots * sizeof(*slots));
    for (uint32_t i = 0; i < nslots; i++)
        slots[i].generation = GEN_FIRST;
    t->slots = slots;
    t->nslots = nslots;
    t->live = 0;
    return CAPTLS_OK;
}

/* The live slot a handle names, or why not. Ownership is checked last so
 * that a foreign handle and a guessed one are refused the same way. */
static captls_result resolve(const captls_cap_table *t, captls_cap_owner owner,
                             captls_cap_handle h, uint32_t *index)
{
    if (t == NULL || h == CAPTLS_CAP_NULL)
        return CAPTLS_ERR_BAD_HANDLE;
    uint32_t i = handle_index(h);
    if (i >= t->nslots)
        return CAPTLS_ERR_BAD_HANDLE;
    const captls_cap_slot *s = &t->slots[i];
    uint16_t g = handle_gen(h);
    if (g == 0 || g > s->generation ||
        (g == s->generation && s->state == SLOT_FREE))
        return CAPTLS_ERR_BAD_HANDLE; /* a generation never issued here */
    if (g != s->generation || s->state != SLOT_LIVE)
        return CAPTLS_ERR_STALE_HANDLE;
    if (s->owner != owner)
        return CAPTLS_ERR_BAD_HANDLE;
    *index = i;
    return CAPTLS_OK;
}

/* The slot a live handle names regardless of owner (for parent links). */
static bool live_index(const captls_cap_table *t, captls_cap_handle h,
                       uint32_t *index)
{
    if (h == CAPTLS_CAP_NULL)
        return false;
    uint32_t i = handle_index(h);
    if (i >= t->nslots)
        return false;
    const captls_cap_slot *s = &t->slots[i];
    if (s->state != SLOT_LIVE || s->generation != handle_gen(h))
        return false;
    *index = i;
    return true;
}

static bool find_free(const captls_cap_table *t, uint32_t *index)
{
    for (uint32_t i = 0; i < t->nslots; i++) {
        if (t->slots[i].state == SLOT_FREE) {
            *index = i;
            return true;
        }
    }
    return false;
}

static captls_cap_handle fill_slot(captls_cap_table *t, uint32_t i,
                                   captls_cap_owner owner,
                                   captls_interface_id iface, void *object,
                                   captls_rights rights,
                                   captls_cap_handle parent)
{
    captls_cap_slot *s = &t->slots[i];
    s->object = object;
    s->iface = iface;
    s->rights = rights;
    s->parent = parent;
    s->owner = owner;
    s->state = SLOT_LIVE;
    s->mark = 0;
    t->live++;
    return make_handle(i, s->generation);
}

static void free_slot(captls_cap_table *t, uint32_t i)
{
    captls_cap_slot *s = &t->slots[i];
    uint16_t gen = s->generation;
    memset(s, 0, sizeof(*s));
    if (gen >= GEN_LAST) {
        s->generation = GEN_LAST;
        s->state = SLOT_RETIRED;
    } else {
        s->generation = (uint16_t)(gen + 1u);
        s->state = SLOT_FREE;
    }
    t->live--;
}

captls_result captls_cap_mint(captls_cap_table *t, captls_cap_owner owner,
                              captls_interface_id iface, void *object,
                              captls_rights rights, captls_cap_handle *out)
{
    uint32_t i;
    if (t == NULL || out == NULL || iface == CAPTLS_IFACE_ANY)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    if (!find_free(t, &i))
        return CAPTLS_ERR_TABLE_FULL;
    *out = fill_slot(t, i, owner, iface, object, rights, CAPTLS_CAP_NULL);
    return CAPTLS_OK;
}

captls_result captls_cap_lookup(const captls_cap_table *t,
                                captls_cap_owner owner, captls_cap_handle h,
                                captls_interface_id iface, captls_rights need,
                                captls_cap_info *out)
{
    uint32_t i;
    CAPTLS_TRY(resolve(t, owner, h, &i));
    const captls_cap_slot *s = &t->slots[i];
    if (iface != CAPTLS_IFACE_ANY && s->iface != iface)
        return CAPTLS_ERR_WRONG_INTERFACE;
    if ((s->rights & need) != need)
        return CAPTLS_ERR_NO_AUTHORITY;
    if (out != NULL) {
        out->object = s->object;
        out->iface = s->iface;
        out->rights = s->rights;
    }
    return CAPTLS_OK;
}

/* Common path of attenuate, derive and grant: a new child slot under
 * `parent` for `to`, after every check has passed. */
static captls_result make_child(captls_cap_table *t, captls_cap_owner owner,
                                captls_cap_handle parent, captls_rights need,
                                bool same_object, void *object,
                                captls_rights rights, captls_cap_owner to,
                                captls_cap_handle *out)
{
    uint32_t p, i;
    if (out == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    CAPTLS_TRY(resolve(t, owner, parent, &p));
    const captls_cap_slot *ps = &t->slots[p];
    if ((ps->rights & need) != need)
        return CAPTLS_ERR_NO_AUTHORITY;
    if ((rights & ~ps->rights) != 0)
        return CAPTLS_ERR_RIGHTS_ESCALATION;
    if (!find_free(t, &i))
        return CAPTLS_ERR_TABLE_FULL;
    *out = fill_slot(t, i, to, ps->iface, same_object ? ps->object : object,
                     rights, parent);
    return CAPTLS_OK;
}

captls_result captls_cap_attenuate(captls_cap_table *t, captls_cap_owner owner,
                                   captls_cap_handle parent,
                                   captls_rights rights,
                                   captls_cap_handle *out)
{
    return make_child(t, owner, parent, CAPTLS_RIGHT_DERIVE, true, NULL,
                      rights, owner, out);
}

captls_result captls_cap_derive(captls_cap_table *t, captls_cap_owner owner,
                                captls_cap_handle parent, void *object,
                                captls_rights rights, captls_cap_handle *out)
{
    return make_child(t, owner, parent, CAPTLS_RIGHT_DERIVE, false, object,
                      rights, owner, out);
}

captls_result captls_cap_grant(captls_cap_table *t, captls_cap_owner from,
                               captls_cap_handle h, captls_cap_owner to,
                               captls_cap_handle *out)
{
    uint32_t i;
    CAPTLS_TRY(resolve(t, from, h, &i));
    return make_child(t, from, h, CAPTLS_RIGHT_GRANT, true, NULL,
                      t->slots[i].rights, to, out);
}

captls_result captls_cap_drop(captls_cap_table *t, captls_cap_owner owner,
                              captls_cap_handle h)
{
    uint32_t i;
    CAPTLS_TRY(resolve(t, owner, h, &i));
    captls_cap_handle grandparent = t->slots[i].parent;
    for (uint32_t j = 0; j < t->nslots; j++) {
        if (t->slots[j].state == SLOT_LIVE && t->slots[j].parent == h)
            t->slots[j].parent = grandparent;
    }
    free_slot(t, i);
    return CAPTLS_OK;
}

/* Marks every live descendant of the marked slots. Iterative, no recursion
 * (the guest has small stacks): each pass marks at least one more slot or
 * ends, so at most nslots passes. */
static uint32_t mark_descendants(captls_cap_table *t)
{
    uint32_t marked = 0;
    bool changed = true;
    for (uint32_t j = 0; j < t->nslots; j++)
        marked += t->slots[j].mark;
    while (changed) {
        changed = false;
        for (uint32_t j = 0; j < t->nslots; j++) {
            captls_cap_slot *s = &t->slots[j];
            uint32_t p;
            if (s->state != SLOT_LIVE || s->mark)
                continue;
            if (live_index(t, s->parent, &p) && t->slots[p].mark) {
                s->mark = 1;
                marked++;
                changed = true;
            }
        }
    }
    return marked;
}

static uint32_t free_marked(captls_cap_table *t)
{
    uint32_t ended = 0;
    for (uint32_t j = 0; j < t->nslots; j++) {
        if (t->slots[j].state == SLOT_LIVE && t->slots[j].mark) {
            free_slot(t, j);
            ended++;
        }
    }
    return ended;
}

captls_result captls_cap_revoke(captls_cap_table *t, captls_cap_owner owner,
                                captls_cap_handle h, uint32_t *ended)
{
    uint32_t i;
    CAPTLS_TRY(resolve(t, owner, h, &i));
    if ((t->slots[i].rights & CAPTLS_RIGHT_REVOKE) == 0)
        return CAPTLS_ERR_NO_AUTHORITY;
    t->slots[i].mark = 1;
    (void)mark_descendants(t);
    uint32_t n = free_marked(t);
    if (ended != NULL)
        *ended = n;
    return CAPTLS_OK;
}

uint32_t captls_cap_revoke_owner(captls_cap_table *t, captls_cap_owner owner)
{
    if (t == NULL)
        return 0;
    for (uint32_t j = 0; j < t->nslots; j++) {
        if (t->slots[j].state == SLOT_LIVE && t->slots[j].owner == owner)
            t->slots[j].mark = 1;
    }
    (void)mark_descendants(t);
    return free_marked(t);
}

uint32_t captls_cap_table_live(const captls_cap_table *t)
{
    return t == NULL ? 0 : t->live;
}

uint32_t captls_cap_table_free(const captls_cap_table *t)
{
    uint32_t n = 0;
    if (t == NULL)
        return 0;
    for (uint32_t j = 0; j < t->nslots; j++)
        n += t->slots[j].state == SLOT_FREE;
    return n;
}
