// SPDX-License-Identifier: GPL-2.0
/*
 * A sparse set of page frames, for finding the ranges PKRAM preserves.
 *
 * One bit per page frame, in chunks of PKRAM_PFNMAP_CHUNK page frames
 * (16 MiB of memory per 512-byte chunk) allocated only where a page is
 * marked. Chunks hang off directory pages of PKRAM_PFNMAP_DIR pointers
 * (8 GiB of memory each), allocated the same way, which hang off a top
 * array with one pointer per 8 GiB up to the set's end (4 KiB for 4 TiB).
 * So the memory it takes follows the regions that hold preserved pages --
 * at most 1/32768 of RAM, usually a few KiB -- not RAM: a host of 4 TiB
 * that preserves a few GiB needs some KiB, not the 128 MiB a flat bitmap
 * of every page frame would take. A lookup is three array indexings, with
 * no locking: a set belongs to one thread.
 */
#include <linux/bitmap.h>
#include <linux/pfn.h>
#include <linux/slab.h>

#include "internal.h"

#define PKRAM_PFNMAP_DIR	(PAGE_SIZE / sizeof(void *))	/* chunks per directory */
#define PKRAM_PFNMAP_SPAN	(PKRAM_PFNMAP_CHUNK * PKRAM_PFNMAP_DIR)

/**
 * pkram_pfnmap_init - an empty set
 * @m: the set
 * @npfn: page frames at or above this are refused by pkram_pfnmap_set()
 *
 * Return: 0 or -ENOMEM.
 */
int pkram_pfnmap_init(struct pkram_pfnmap *m, unsigned long npfn)
{
	memset(m, 0, sizeof(*m));
	m->npfn = npfn;
	m->nr_top = DIV_ROUND_UP(npfn, PKRAM_PFNMAP_SPAN);
	m->top = kvcalloc(max(m->nr_top, 1UL), sizeof(*m->top), GFP_KERNEL);
	return m->top ? 0 : -ENOMEM;
}

/**
 * pkram_pfnmap_destroy - free what a set holds
 * @m: the set
 */
void pkram_pfnmap_destroy(struct pkram_pfnmap *m)
{
	unsigned long t, d;

	for (t = 0; m->top && t < m->nr_top; t++) {
		if (!m->top[t])
			continue;
		for (d = 0; d < PKRAM_PFNMAP_DIR; d++)
			kfree(m->top[t][d]);
		free_page((unsigned long)m->top[t]);
	}
	kvfree(m->top);
	m->top = NULL;
	m->nr_chunks = 0;
	m->nr_dirs = 0;
}

/**
 * pkram_pfnmap_bytes - the memory a set takes
 * @m: the set
 *
 * Return: bytes of chunks, directory pages and the top array.
 */
unsigned long pkram_pfnmap_bytes(const struct pkram_pfnmap *m)
{
	return m->nr_chunks * PKRAM_PFNMAP_BYTES + m->nr_dirs * PAGE_SIZE +
	       m->nr_top * sizeof(*m->top);
}

/* The chunk of @pfn, or NULL. */
static unsigned long *pkram_pfnmap_chunk(const struct pkram_pfnmap *m,
					 unsigned long pfn)
{
	unsigned long **dir = m->top[pfn / PKRAM_PFNMAP_SPAN];

	return dir ? dir[pfn / PKRAM_PFNMAP_CHUNK % PKRAM_PFNMAP_DIR] : NULL;
}

/**
 * pkram_pfnmap_clear - unmark every page frame, keeping the chunks
 * @m: the set
 */
void pkram_pfnmap_clear(struct pkram_pfnmap *m)
{
	unsigned long t, d;

	for (t = 0; t < m->nr_top; t++)
		for (d = 0; m->top[t] && d < PKRAM_PFNMAP_DIR; d++)
			if (m->top[t][d])
				memset(m->top[t][d], 0, PKRAM_PFNMAP_BYTES);
}

/* The chunk of @pfn, allocated if need be. */
static unsigned long *pkram_pfnmap_get(struct pkram_pfnmap *m,
				       unsigned long pfn)
{
	unsigned long ***dirp = &m->top[pfn / PKRAM_PFNMAP_SPAN];
	unsigned long **chunkp;

	if (!*dirp) {
		*dirp = (unsigned long **)get_zeroed_page(GFP_KERNEL);
		if (!*dirp)
			return NULL;
		m->nr_dirs++;
	}
	chunkp = &(*dirp)[pfn / PKRAM_PFNMAP_CHUNK % PKRAM_PFNMAP_DIR];
	if (!*chunkp) {
		*chunkp = kzalloc(PKRAM_PFNMAP_BYTES, GFP_KERNEL);
		if (*chunkp)
			m->nr_chunks++;
	}
	return *chunkp;
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
		unsigned long off = s % PKRAM_PFNMAP_CHUNK;
		unsigned long n = min(e - s, PKRAM_PFNMAP_CHUNK - off);
		unsigned long *bits = pkram_pfnmap_get(m, s);

		if (!bits)
			return -ENOMEM;
		if (find_next_bit(bits, off + n, off) < off + n)
			m->dup = true;
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

/* First marked page frame at or after @pfn, or m->npfn. */
static unsigned long pkram_pfnmap_next_set(const struct pkram_pfnmap *m,
					   unsigned long pfn)
{
	while (pfn < m->npfn) {
		unsigned long **dir = m->top[pfn / PKRAM_PFNMAP_SPAN];
		unsigned long *bits, off, b;

		if (!dir) {
			pfn = round_down(pfn, PKRAM_PFNMAP_SPAN) + PKRAM_PFNMAP_SPAN;
			continue;
		}
		bits = dir[pfn / PKRAM_PFNMAP_CHUNK % PKRAM_PFNMAP_DIR];
		off = pfn % PKRAM_PFNMAP_CHUNK;
		if (bits) {
			b = find_next_bit(bits, PKRAM_PFNMAP_CHUNK, off);
			if (b < PKRAM_PFNMAP_CHUNK)
				return min(pfn - off + b, m->npfn);
		}
		pfn += PKRAM_PFNMAP_CHUNK - off;
	}
	return m->npfn;
}

/* First unmarked page frame at or after @pfn (which is marked). */
static unsigned long pkram_pfnmap_next_clear(const struct pkram_pfnmap *m,
					     unsigned long pfn)
{
	while (pfn < m->npfn) {
		unsigned long *bits = pkram_pfnmap_chunk(m, pfn);
		unsigned long off = pfn % PKRAM_PFNMAP_CHUNK, b;

		if (!bits)
			return pfn;
		b = find_next_zero_bit(bits, PKRAM_PFNMAP_CHUNK, off);
		if (b < PKRAM_PFNMAP_CHUNK)
			return min(pfn - off + b, m->npfn);
		pfn += PKRAM_PFNMAP_CHUNK - off;
	}
	return m->npfn;
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
	unsigned long s = pkram_pfnmap_next_set(m, *pos);

	if (s >= m->npfn)
		return false;
	*rs = s;
	*re = pkram_pfnmap_next_clear(m, s);
	*pos = *re;
	return true;
}

/**
 * pkram_pfnmap_run_start - where the run of marked page frames at @pfn begins
 * @m: the set
 * @pfn: a marked page frame
 *
 * Scans down a word at a time (a chunk at a time where none is allocated).
 *
 * Return: the lowest page frame f such that [f, @pfn] are all marked.
 */
unsigned long pkram_pfnmap_run_start(const struct pkram_pfnmap *m,
				     unsigned long pfn)
{
	while (pfn) {
		unsigned long p = pfn - 1, off = p % PKRAM_PFNMAP_CHUNK;
		unsigned long *bits = pkram_pfnmap_chunk(m, p);
		unsigned long base = p - off % BITS_PER_LONG, zeros;

		if (!bits)
			return pfn;
		/* the unmarked frames of p's word, at or below p */
		zeros = ~bits[off / BITS_PER_LONG] &
			(~0UL >> (BITS_PER_LONG - 1 - off % BITS_PER_LONG));
		if (zeros)
			return base + __fls(zeros) + 1;
		pfn = base;
	}
	return 0;
}
