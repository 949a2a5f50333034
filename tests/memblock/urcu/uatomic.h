/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of liburcu's <urcu/uatomic.h> that the kernel's
 * tools/testing/memblock needs (tools/lib/slab.c counts allocations with
 * it), so that make check builds memblock's tests without liburcu-dev.
 */
#ifndef PKRAM_TESTS_URCU_UATOMIC_H
#define PKRAM_TESTS_URCU_UATOMIC_H

#define uatomic_inc(p)	((void)__atomic_fetch_add((p), 1, __ATOMIC_SEQ_CST))
#define uatomic_dec(p)	((void)__atomic_fetch_sub((p), 1, __ATOMIC_SEQ_CST))

#endif
