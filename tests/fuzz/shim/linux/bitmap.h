/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: the bitmap helpers boot.c uses, a word at a time as lib/ does */
#ifndef _FUZZ_LINUX_BITMAP_H
#define _FUZZ_LINUX_BITMAP_H
#include "../fuzz-kernel.h"

#define FUZZ_BPL		(8 * sizeof(long))
#ifndef BITS_PER_BYTE
#define BITS_PER_BYTE		8
#endif
#ifndef BITS_PER_LONG
#define BITS_PER_LONG		FUZZ_BPL
#endif

/* the highest set bit of @w, which is not 0 */
static inline unsigned long __fls(unsigned long w)
{
	return FUZZ_BPL - 1 - __builtin_clzl(w);
}
#ifndef BITS_TO_LONGS
#define BITS_TO_LONGS(n)	(((n) + FUZZ_BPL - 1) / FUZZ_BPL)
#endif

/* the bits of word @w that [start, start + n) covers, n clipped to it */
static inline unsigned long fuzz_bits_mask(unsigned long start,
					   unsigned long n)
{
	unsigned long off = start % FUZZ_BPL, m = ~0UL << off;

	if (off + n < FUZZ_BPL)
		m &= ~(~0UL << (off + n));
	return m;
}

static inline void bitmap_set(unsigned long *map, unsigned long start,
			      unsigned long n)
{
	while (n) {
		unsigned long k = min(n, FUZZ_BPL - start % FUZZ_BPL);

		map[start / FUZZ_BPL] |= fuzz_bits_mask(start, k);
		start += k;
		n -= k;
	}
}

static inline void bitmap_clear(unsigned long *map, unsigned long start,
				unsigned long n)
{
	while (n) {
		unsigned long k = min(n, FUZZ_BPL - start % FUZZ_BPL);

		map[start / FUZZ_BPL] &= ~fuzz_bits_mask(start, k);
		start += k;
		n -= k;
	}
}

/* the first bit at or after @off that is set, or with @flip ~0 clear */
static inline unsigned long fuzz_find_next(const unsigned long *map,
					   unsigned long size,
					   unsigned long off,
					   unsigned long flip)
{
	while (off < size) {
		unsigned long w = (map[off / FUZZ_BPL] ^ flip) &
				  (~0UL << off % FUZZ_BPL);

		if (w) {
			off = round_down(off, FUZZ_BPL) + __builtin_ctzl(w);
			return min(off, size);
		}
		off = round_down(off, FUZZ_BPL) + FUZZ_BPL;
	}
	return size;
}

static inline unsigned long find_next_bit(const unsigned long *map,
					  unsigned long size,
					  unsigned long off)
{
	return fuzz_find_next(map, size, off, 0);
}

static inline unsigned long find_next_zero_bit(const unsigned long *map,
					       unsigned long size,
					       unsigned long off)
{
	return fuzz_find_next(map, size, off, ~0UL);
}
#endif
