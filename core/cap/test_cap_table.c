/* Unit tests of core/cap/cap_table.c: every refusal confinement rests on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cap/cap_table.h"

#define N 16
static captls_cap_slot slots[N];
static captls_cap_table t;
static int obj_a, obj_b;

static int setup(void **state)
{
    (void)state;
    return captls_cap_table_init(&t, slots, N) == CAPTLS_OK ? 0 : -1;
}

static captls_cap_handle mint(captls_cap_owner owner, captls_rights rights)
{
    captls_cap_handle h = CAPTLS_CAP_NULL;
    assert_int_equal(captls_cap_mint(&t, owner, CAPTLS_IFACE_TRUST_STORE,
                                     &obj_a, rights, &h),
                     CAPTLS_OK);
    assert_int_not_equal(h, CAPTLS_CAP_NULL);
    return h;
}

static void test_init_rejects_bad_sizes(void **state)
{
    (void)state;
    captls_cap_table x;
    assert_int_equal(captls_cap_table_init(&x, slots, 0),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_cap_table_init(&x, NULL, 4),
                     CAPTLS_ERR_INVALID_ARGUMENT);
    assert_int_equal(captls_cap_table_init(&x, slots, CAPTLS_CAP_MAX_SLOTS + 1),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_lookup_returns_object(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHT_CALL);
    captls_cap_info info;
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_TRUST_STORE,
                                       CAPTLS_RIGHT_CALL, &info),
                     CAPTLS_OK);
    assert_ptr_equal(info.object, &obj_a);
    assert_int_equal(info.iface, CAPTLS_IFACE_TRUST_STORE);
    assert_int_equal(info.rights, CAPTLS_RIGHT_CALL);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_OK);
}

static void test_mint_refuses_any_interface(void **state)
{
    (void)state;
    captls_cap_handle h;
    assert_int_equal(captls_cap_mint(&t, 1, CAPTLS_IFACE_ANY, &obj_a, 0, &h),
                     CAPTLS_ERR_INVALID_ARGUMENT);
}

static void test_wrong_interface_and_missing_rights(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHT_CALL);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_TRUST_STORE_WRITER,
                                       CAPTLS_RIGHT_CALL, NULL),
                     CAPTLS_ERR_WRONG_INTERFACE);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_TRUST_STORE,
                                       CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE,
                                       NULL),
                     CAPTLS_ERR_NO_AUTHORITY);
}

static void test_forged_handles_refused(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHTS_ALL);
    /* null, index out of range, index field zero, a generation never
     * issued, and a free slot at its current generation */
    captls_cap_handle forged[] = {
        CAPTLS_CAP_NULL,
        (h & 0xFFFF0000u) | (N + 1),
        h & 0xFFFF0000u,
        h + (5u << 16),
        (h & 0xFFFF0000u) | ((h & 0xFFFFu) + 1u),
        0xFFFFFFFFu,
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++)
        assert_int_equal(captls_cap_lookup(&t, 1, forged[i], CAPTLS_IFACE_ANY,
                                           0, NULL),
                         CAPTLS_ERR_BAD_HANDLE);
}

static void test_other_owner_refused(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHTS_ALL);
    assert_int_equal(captls_cap_lookup(&t, 2, h, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_BAD_HANDLE);
    captls_cap_handle out;
    assert_int_equal(captls_cap_attenuate(&t, 2, h, 0, &out),
                     CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_cap_drop(&t, 2, h), CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_cap_revoke(&t, 2, h, NULL), CAPTLS_ERR_BAD_HANDLE);
    assert_int_equal(captls_cap_table_live(&t), 1);
}

static void test_stale_after_drop_and_reuse(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHTS_ALL);
    assert_int_equal(captls_cap_drop(&t, 1, h), CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    /* the slot is reused with a new generation: the old handle stays dead */
    captls_cap_handle h2 = mint(1, CAPTLS_RIGHTS_ALL);
    assert_int_equal(h2 & 0xFFFFu, h & 0xFFFFu);
    assert_int_not_equal(h2, h);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_cap_drop(&t, 1, h), CAPTLS_ERR_STALE_HANDLE);
}

static void test_generation_exhaustion_retires_slot(void **state)
{
    (void)state;
    captls_cap_slot one[1];
    captls_cap_table small;
    captls_cap_handle h = CAPTLS_CAP_NULL, first = CAPTLS_CAP_NULL;
    assert_int_equal(captls_cap_table_init(&small, one, 1), CAPTLS_OK);
    for (unsigned i = 0; i < 0xFFFFu; i++) {
        assert_int_equal(captls_cap_mint(&small, 0, CAPTLS_IFACE_ECHO, &obj_a,
                                         0, &h),
                         CAPTLS_OK);
        if (i == 0)
            first = h;
        assert_int_equal(captls_cap_drop(&small, 0, h), CAPTLS_OK);
    }
    /* every generation used: the slot is retired, never wraps */
    assert_int_equal(captls_cap_mint(&small, 0, CAPTLS_IFACE_ECHO, &obj_a, 0,
                                     &h),
                     CAPTLS_ERR_TABLE_FULL);
    assert_int_equal(captls_cap_lookup(&small, 0, first, CAPTLS_IFACE_ANY, 0,
                                       NULL),
                     CAPTLS_ERR_STALE_HANDLE);
}

static void test_attenuate_only_narrows(void **state)
{
    (void)state;
    captls_cap_handle root = mint(1, CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_DERIVE);
    captls_cap_handle child = CAPTLS_CAP_NULL;
    assert_int_equal(captls_cap_attenuate(&t, 1, root,
                                          CAPTLS_RIGHT_CALL | CAPTLS_RIGHT_WRITE,
                                          &child),
                     CAPTLS_ERR_RIGHTS_ESCALATION);
    assert_int_equal(child, CAPTLS_CAP_NULL);
    assert_int_equal(captls_cap_table_live(&t), 1);
    assert_int_equal(captls_cap_attenuate(&t, 1, root, CAPTLS_RIGHT_CALL,
                                          &child),
                     CAPTLS_OK);
    /* the child lacks DERIVE: it cannot make children of its own */
    captls_cap_handle grandchild;
    assert_int_equal(captls_cap_attenuate(&t, 1, child, CAPTLS_RIGHT_CALL,
                                          &grandchild),
                     CAPTLS_ERR_NO_AUTHORITY);
    /* a handle without DERIVE cannot be attenuated at all */
    captls_cap_handle plain = mint(1, CAPTLS_RIGHT_CALL);
    assert_int_equal(captls_cap_attenuate(&t, 1, plain, 0, &grandchild),
                     CAPTLS_ERR_NO_AUTHORITY);
}

static void test_derive_new_object_same_interface(void **state)
{
    (void)state;
    captls_cap_handle root = mint(1, CAPTLS_RIGHTS_ALL);
    captls_cap_handle view;
    captls_cap_info info;
    assert_int_equal(captls_cap_derive(&t, 1, root, &obj_b, CAPTLS_RIGHT_CALL,
                                       &view),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(&t, 1, view, CAPTLS_IFACE_TRUST_STORE,
                                       CAPTLS_RIGHT_CALL, &info),
                     CAPTLS_OK);
    assert_ptr_equal(info.object, &obj_b);
}

static void test_revoke_ends_all_descendants(void **state)
{
    (void)state;
    captls_cap_handle root = mint(1, CAPTLS_RIGHTS_ALL);
    captls_cap_handle a, b, c, other = mint(1, CAPTLS_RIGHTS_ALL);
    uint32_t ended = 0;
    assert_int_equal(captls_cap_attenuate(&t, 1, root, CAPTLS_RIGHTS_ALL, &a),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_grant(&t, 1, a, 2, &b), CAPTLS_OK);
    assert_int_equal(captls_cap_attenuate(&t, 2, b, CAPTLS_RIGHT_CALL, &c),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_revoke(&t, 1, a, &ended), CAPTLS_OK);
    assert_int_equal(ended, 3);
    assert_int_equal(captls_cap_lookup(&t, 2, b, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    assert_int_equal(captls_cap_lookup(&t, 2, c, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
    /* the parent and unrelated handles survive */
    assert_int_equal(captls_cap_lookup(&t, 1, root, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(&t, 1, other, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_OK);
}

static void test_revoke_needs_right(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHT_CALL);
    assert_int_equal(captls_cap_revoke(&t, 1, h, NULL), CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(captls_cap_lookup(&t, 1, h, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_OK);
}

static void test_drop_reparents_children(void **state)
{
    (void)state;
    captls_cap_handle root = mint(1, CAPTLS_RIGHTS_ALL);
    captls_cap_handle mid, leaf;
    assert_int_equal(captls_cap_attenuate(&t, 1, root, CAPTLS_RIGHTS_ALL, &mid),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_attenuate(&t, 1, mid, CAPTLS_RIGHT_CALL, &leaf),
                     CAPTLS_OK);
    assert_int_equal(captls_cap_drop(&t, 1, mid), CAPTLS_OK);
    assert_int_equal(captls_cap_lookup(&t, 1, leaf, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_OK);
    uint32_t ended = 0;
    assert_int_equal(captls_cap_revoke(&t, 1, root, &ended), CAPTLS_OK);
    assert_int_equal(ended, 2);
    assert_int_equal(captls_cap_lookup(&t, 1, leaf, CAPTLS_IFACE_ANY, 0, NULL),
                     CAPTLS_ERR_STALE_HANDLE);
}

static void test_grant_needs_right(void **state)
{
    (void)state;
    captls_cap_handle h = mint(1, CAPTLS_RIGHT_CALL);
    captls_cap_handle out = CAPTLS_CAP_NULL;
    assert_int_equal(captls_cap_grant(&t, 1, h, 2, &out),
                     CAPTLS_ERR_NO_AUTHORITY);
    assert_int_equal(out, CAPTLS_CAP_NULL);
    assert_int_equal(captls_cap_table_live(&t), 1);
}

static void test_revoke_owner(void **state)
{
    (void)state;
    captls_cap_handle a = mint(1, CAPTLS_RIGHTS_ALL);
    captls_cap_handle given;
    (void)mint(2, CAPTLS_RIGHTS_ALL);
    assert_int_equal(captls_cap_grant(&t, 1, a, 3, &given), CAPTLS_OK);
    assert_int_equal(captls_cap_revoke_owner(&t, 1), 2);
    assert_int_equal(captls_cap_table_live(&t), 1);
}

static void test_table_full(void **state)
{
    (void)state;
    captls_cap_handle h;
    for (int i = 0; i < N; i++)
        (void)mint(1, 0);
    assert_int_equal(captls_cap_table_free(&t), 0);
    assert_int_equal(captls_cap_mint(&t, 1, CAPTLS_IFACE_ECHO, &obj_a, 0, &h),
                     CAPTLS_ERR_TABLE_FULL);
}

static void test_selftest_passes(void **state)
{
    (void)state;
    captls_selftest_counts c = {0, 0};
    captls_cap_selftest(NULL, &c);
    assert_int_equal(c.failed, 0);
    assert_true(c.passed >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_rejects_bad_sizes, setup),
        cmocka_unit_test_setup(test_lookup_returns_object, setup),
        cmocka_unit_test_setup(test_mint_refuses_any_interface, setup),
        cmocka_unit_test_setup(test_wrong_interface_and_missing_rights, setup),
        cmocka_unit_test_setup(test_forged_handles_refused, setup),
        cmocka_unit_test_setup(test_other_owner_refused, setup),
        cmocka_unit_test_setup(test_stale_after_drop_and_reuse, setup),
        cmocka_unit_test_setup(test_generation_exhaustion_retires_slot, setup),
        cmocka_unit_test_setup(test_attenuate_only_narrows, setup),
        cmocka_unit_test_setup(test_derive_new_object_same_interface, setup),
        cmocka_unit_test_setup(test_revoke_ends_all_descendants, setup),
        cmocka_unit_test_setup(test_revoke_needs_right, setup),
        cmocka_unit_test_setup(test_drop_reparents_children, setup),
        cmocka_unit_test_setup(test_grant_needs_right, setup),
        cmocka_unit_test_setup(test_revoke_owner, setup),
        cmocka_unit_test_setup(test_table_full, setup),
        cmocka_unit_test_setup(test_selftest_passes, setup),
    };
    return cmocka_run_group_tests_name("cap_table", tests, NULL, NULL);
}
