// SPDX-License-Identifier: GPL-2.0
/*
 * A sparse set of page frames, for finding the ranges PKRAM preserves.
 *
 * One bit per page frame, in chunks of PKRAM_PFNMAP_CHUNK page frames
 * (16 MiB of memory per 512-byte chunk) allocated only where a page is
 * marked, indexed by an xarray. The memory it takes is proportional to the
 * 16 MiB regions that hold preserved pages, at most 1/32768 of RAM, not to
 * RAM: a host of 4 TiB that preserves a few GiB needs a few hundred KiB,
 * not the 128 MiB a flat bitmap of every page frame would take.
 */
#include <linux/bitmap.h>
#include <linux/pfn.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"

/**
 * pkram_pfnmap_init - an empty set
 * @m: the set
 * @npfn: page frames at or above this are refused by pkram_pfnmap_set()
 */
void pkram_pfnmap_init(struct pkram_pfnmap *m, unsigned long npfn)
{
	xa_init(&m->chunks);
	m->npfn = npfn;
	m->nr_chunks = 0;
	m->dup = false;
}

/**
 * pkram_pfnmap_destroy - free what a set holds
 * @m: the set; it is empty afterwards
 */
void pkram_pfnmap_destroy(struct pkram_pfnmap *m)
{
	unsigned long idx;
	void *bits;

	xa_for_each(&m->chunks, idx, bits)
		kfree(bits);
	xa_destroy(&m->chunks);
	m->nr_chunks = 0;
}

/**
 * pkram_pfnmap_clear - unmark every page frame, keeping the chunks
 * @m: the set
 */
void pkram_pfnmap_clear(struct pkram_pfnmap *m)
{
	unsigned long idx;
	void *bits;

	xa_for_each(&m->chunks, idx, bits)
		memset(bits, 0, PKRAM_PFNMAP_BYTES);
}

/**
 * pkram_pfnmap_set - mark page frames [@s, @e)
 * @m: the set; m->dup is set if one of them was marked already
 * @s: first page frame
 * @e: page frame after the last
 *
 * Return: 0, -ERANGE for an empty range or one past m->npfn, or -ENOMEM.
 */
int pkram_pfnmap_set(struct pkram_pfnmap *m, unsigned long s, unsigned long e)
{
	if (s >= e || e > m->npfn)
		return -ERANGE;
	while (s < e) {
		unsigned long idx = s / PKRAM_PFNMAP_CHUNK;
		unsigned long off = s % PKRAM_PFNMAP_CHUNK;
		unsigned long n = min(e - s, PKRAM_PFNMAP_CHUNK - off);
		unsigned long *bits = xa_load(&m->chunks, idx);

		if (!bits) {
			bits = kzalloc(PKRAM_PFNMAP_BYTES, GFP_KERNEL);
			if (!bits)
				return -ENOMEM;
			if (xa_err(xa_store(&m->chunks, idx, bits, GFP_KERNEL))) {
				kfree(bits);
				return -ENOMEM;
			}
			m->nr_chunks++;
		} else if (find_next_bit(bits, off + n, off) < off + n) {
			m->dup = true;
		}
		bitmap_set(bits, off, n);
		s += n;
	}
	return 0;
}

/**
 * pkram_pfnmap_any - is a page frame of [@s, @e) marked?
 * @m: the set
 * @s: first page frame
 * @e: page frame after the last
 *
 * Return: true if one is.
 */
bool pkram_pfnmap_any(const struct pkram_pfnmap *m, unsigned long s,
		      unsigned long e)
{
	unsigned long pos = s, rs, re;

	return pkram_pfnmap_next(m, &pos, &rs, &re) && rs < e;
}

/**
 * pkram_pfnmap_next - the next range of marked page frames
 * @m: the set
 * @pos: where to start looking; set past the range found
 * @rs: set to the range's first page frame
 * @re: set to the page frame after its last
 *
 * Ranges are maximal: they run across chunks.
 *
 * Return: false if no page frame at or after *@pos is marked.
 */
bool pkram_pfnmap_next(const struct pkram_pfnmap *m, unsigned long *pos,
		       unsigned long *rs, unsigned long *re)
{
	unsigned long idx = *pos / PKRAM_PFNMAP_CHUNK, off, s, e;
	struct xarray *xa = (struct xarray *)&m->chunks;
	unsigned long *bits;

	for (;;) {
		bits = xa_find(xa, &idx, ULONG_MAX, XA_PRESENT);
		if (!bits)
			return false;
		/* only the chunk *pos is in starts in the middle */
		off = idx == *pos / PKRAM_PFNMAP_CHUNK ? *pos % PKRAM_PFNMAP_CHUNK : 0;
		s = find_next_bit(bits, PKRAM_PFNMAP_CHUNK, off);
		if (s < PKRAM_PFNMAP_CHUNK)
			break;
		if (idx == ULONG_MAX / PKRAM_PFNMAP_CHUNK)
			return false;
		idx++;
	}
	*rs = idx * PKRAM_PFNMAP_CHUNK + s;
	for (;;) {
		e = find_next_zero_bit(bits, PKRAM_PFNMAP_CHUNK, s);
		if (e < PKRAM_PFNMAP_CHUNK)
			break;
		bits = xa_load(xa, ++idx);
		if (!bits)
			break;
		s = 0;
	}
	*re = idx * PKRAM_PFNMAP_CHUNK + (e < PKRAM_PFNMAP_CHUNK ? e : 0);
	*pos = *re;
	return true;
}
