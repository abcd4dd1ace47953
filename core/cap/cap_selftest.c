/* Power-on self-test of the cap table (declared in cap_table.h): the
 * refusals that confinement rests on, on a small stack-held table. */
#include "core/cap/cap_table.h"

void captls_cap_selftest(const captls_selftest_report *r,
                         captls_selftest_counts *c)
{
    captls_cap_slot slots[8];
    captls_cap_table t;
    captls_cap_handle root = CAPTLS_CAP_NULL, child = CAPTLS_CAP_NULL;
    captls_cap_handle given = CAPTLS_CAP_NULL, wide = CAPTLS_CAP_NULL;
    captls_cap_info info;
    int object = 0;
    uint32_t ended = 0;

    bool ok = captls_cap_table_init(&t, slots, 8) == CAPTLS_OK &&
              captls_cap_mint(&t, 1, CAPTLS_IFACE_ECHO, &object,
                              CAPTLS_RIGHTS_ALL, &root) == CAPTLS_OK &&
              captls_cap_lookup(&t, 1, root, CAPTLS_IFACE_ECHO,
                                CAPTLS_RIGHT_CALL, &info) == CAPTLS_OK &&
              info.object == &object;
    captls_selftest_record(r, c, "cap mint and lookup", ok);

    ok = captls_cap_attenuate(&t, 1, root, CAPTLS_RIGHT_CALL |
                                               CAPTLS_RIGHT_GRANT,
                              &child) == CAPTLS_OK &&
         captls_cap_lookup(&t, 1, child, CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_WRITE,
                           NULL) == CAPTLS_ERR_NO_AUTHORITY &&
         captls_cap_attenuate(&t, 1, child, CAPTLS_RIGHT_CALL, &wide) ==
             CAPTLS_ERR_NO_AUTHORITY &&
         captls_cap_lookup(&t, 1, child, CAPTLS_IFACE_NOTIFIER,
                           CAPTLS_RIGHT_CALL, NULL) ==
             CAPTLS_ERR_WRONG_INTERFACE;
    captls_selftest_record(r, c, "cap attenuation only narrows", ok);

    ok = captls_cap_grant(&t, 1, child, 2, &given) == CAPTLS_OK &&
         captls_cap_lookup(&t, 2, given, CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                           NULL) == CAPTLS_OK &&
         captls_cap_lookup(&t, 3, given, CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                           NULL) == CAPTLS_ERR_BAD_HANDLE;
    captls_selftest_record(r, c, "cap grant is owner-bound", ok);

    ok = captls_cap_revoke(&t, 1, root, &ended) == CAPTLS_OK && ended == 3 &&
         captls_cap_lookup(&t, 2, given, CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                           NULL) == CAPTLS_ERR_STALE_HANDLE &&
         captls_cap_lookup(&t, 1, root, CAPTLS_IFACE_ECHO, CAPTLS_RIGHT_CALL,
                           NULL) == CAPTLS_ERR_STALE_HANDLE &&
         captls_cap_table_live(&t) == 0;
    captls_selftest_record(r, c, "cap revocation ends derived handles", ok);
}
