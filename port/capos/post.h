/* port/capos/post.h — the guest's own power-on self-tests.
 *
 * Run after captls_selftest_all (the core's known-answer tests), through
 * the same report sink and counts: every case runs and is recorded, none
 * stops the others. They check what only the guest can: that the entropy
 * source exists, varies and fails closed; that the monotonic clock is
 * calibrated and advances against the PIT; that the wall clock reads and
 * is marked untrusted; that the arena refuses what does not fit; and that
 * the stack-protector canary is in place. Checks go through the filled
 * captls_port where one exists, so the wiring is tested too.
 *
 * With deliberate_failure set (multiboot command line `post=fail`), one
 * extra case, "guest.deliberate_failure", is recorded as failed so the
 * harness's failure path can be exercised.
 */
#ifndef CAPOS_POST_H
#define CAPOS_POST_H

#include <stdbool.h>

#include "core/base/selftest.h"
#include "port/capos/capos_port.h"
#include "port/port.h"

void capos_post_guest(const captls_selftest_report *r,
                      captls_selftest_counts *c, const captls_port *port,
                      const capos_port_state *st, bool deliberate_failure);

#endif
