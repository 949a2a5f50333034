/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: the bitmap helpers boot.c uses, bit by bit */
#ifndef _FUZZ_LINUX_BITMAP_H
#define _FUZZ_LINUX_BITMAP_H
#include "../fuzz-kernel.h"

#define FUZZ_BPL		(8 * sizeof(long))
#ifndef BITS_TO_LONGS
#define BITS_TO_LONGS(n)	(((n) + FUZZ_BPL - 1) / FUZZ_BPL)
#endif

static inline void bitmap_set(unsigned long *map, unsigned long start,
			      unsigned long n)
{
	for (; n; n--, start++)
		map[start / FUZZ_BPL] |= 1UL << (start % FUZZ_BPL);
}

static inline void bitmap_clear(unsigned long *map, unsigned long start,
				unsigned long n)
{
	for (; n; n--, start++)
		map[start / FUZZ_BPL] &= ~(1UL << (start % FUZZ_BPL));
}

static inline unsigned long find_next_bit(const unsigned long *map,
					  unsigned long size,
					  unsigned long off)
{
	for (; off < size; off++)
		if (map[off / FUZZ_BPL] & (1UL << (off % FUZZ_BPL)))
			return off;
	return size;
}
#endif
