// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM in the receiving kernel: early reservation and the incoming nodes.
 *
 * pkram_reserve() runs in setup_arch() right after memblock learns the memory
 * map and before anything can allocate from memblock outside the first MiB
 * (where no preserved page can be: that memory never reaches the buddy
 * allocator). It reads only the superblock and the range list, checks them,
 * and memblock-reserves every preserved range in one step with
 * memblock_reserve_sorted(), streaming the range list to it: one
 * memblock_reserve() per range would be quadratic, and the reserved array
 * cannot grow this early. memblock places its new array in free memory
 * outside every preserved range.
 *
 * If anything does not check out, nothing is reserved and PKRAM is off for
 * this boot: the preserved memory becomes ordinary free memory and no node
 * is offered, so no page is ever both free and handed out.
 *
 * Later, pkram_parse_incoming() validates every node against the reserved
 * ranges and offers the good ones to loaders.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/bitmap.h>
#include <linux/crash_dump.h>
#include <linux/io.h>
#include <linux/libfdt.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sort.h>
#include <linux/timex.h>
#include <linux/vmalloc.h>
#include <asm/early_ioremap.h>

#include "internal.h"

phys_addr_t pkram_incoming_sb __initdata;
static char pkram_in_sb[PAGE_SIZE] __initdata __aligned(8);
static fdt64_t *pkram_in_nodes __initdata;	/* in pkram_in_sb */
static int pkram_in_nr_nodes __initdata;
static u64 pkram_in_ranges __initdata;
static u64 pkram_in_nr_ranges __initdata;
static u64 pkram_in_range_pages __initdata;
static u64 pkram_in_pages __initdata;
static u64 pkram_in_avoid __initdata;
static bool pkram_in_reserved __initdata;
/*
 * Preserved ranges not inside memory this kernel knows at boot (hot-added
 * in the old kernel, cut off by mem= or memmap=): reserved with the others,
 * never read; the nodes that use them are not offered.
 */
#define PKRAM_MAX_UNKNOWN	64
static struct pkram_range pkram_unknown[PKRAM_MAX_UNKNOWN] __initdata;
static unsigned int pkram_nr_unknown __initdata;
static u64 pkram_reserve_ns __initdata;
static u64 pkram_reserve_cycles __initdata;

/*
 * Coalesced reservation. Scattered pages make one range each, and memblock
 * slows down with every region it holds (each later allocation and the
 * hand-over to the page allocator walk them all), so when there are more
 * than PKRAM_RESERVE_REGIONS ranges, small free gaps between two ranges are
 * reserved with them: the smallest gaps first, as many as it takes to get
 * down to PKRAM_RESERVE_REGIONS regions, but never a gap of
 * 2^PKRAM_GAP_MAX_SHIFT pages or more and never more gap pages in all than
 * the budget (at most as many as are preserved, and always leaving the
 * larger of PKRAM_GAP_KEEP and 1/2^PKRAM_GAP_KEEP_SHIFT of RAM free: what
 * boot allocates from memblock before the page allocator runs is mostly
 * the memory map, 1/64 of RAM, and the hash tables, 1/512; so 1/32 keeps
 * twice that, and the budget does not fall short, leaving a huge number of
 * regions, unless nearly all free memory lies between preserved pages). A gap
 * must lie inside one memory region and clear of every earlier
 * reservation. Regions holding more than one range are remembered in
 * pkram_merged[]; pkram_parse_incoming() gives their gap pages back to the
 * page allocator. Gap pages are in no range, so no node can use one.
 */
#ifndef PKRAM_RESERVE_REGIONS
#define PKRAM_RESERVE_REGIONS	4096
#endif
#ifndef PKRAM_GAP_MAX_SHIFT
#define PKRAM_GAP_MAX_SHIFT	18
#endif
#ifndef PKRAM_GAP_KEEP
#define PKRAM_GAP_KEEP		SZ_256M
#endif
#ifndef PKRAM_GAP_KEEP_SHIFT
#define PKRAM_GAP_KEEP_SHIFT	5
#endif
#define PKRAM_MAX_MERGED	PKRAM_RESERVE_REGIONS
static struct pkram_range pkram_merged[PKRAM_MAX_MERGED] __initdata;
static unsigned int pkram_nr_merged __initdata;
static unsigned int pkram_gap_shift __initdata;	/* merge gaps < 2^this pages */
static u64 pkram_gap_budget __initdata;		/* pages */
static u64 pkram_gap_pages __initdata;		/* reserved in gaps */

/* Range list page addresses sorted at a time, see struct pkram_lp */
#ifndef PKRAM_LIST_CHUNK
#define PKRAM_LIST_CHUNK	512
#endif
static u64 pkram_list_chunk[PKRAM_LIST_CHUNK] __initdata;

static int __init pkram_param(char *arg)
{
	u64 sb;

	if (!arg || kstrtou64(arg, 0, &sb) || !sb) {
		pr_err("ignoring pkram=%s: not a physical address\n",
		       arg ?: "");
		return 0;
	}
	pkram_incoming_sb = sb;
	return 0;
}
early_param("pkram", pkram_param);

/* The first bit at or after @from in @bm[] that is @set; @nbits if none. */
static u32 pkram_rl_scan(const u64 *bm, u32 nbits, u32 from, bool set)
{
	while (from < nbits) {
		u64 w = set ? bm[from / 64] : ~bm[from / 64];

		w &= ~0ULL << (from % 64);
		if (w)
			return min_t(u32, nbits, round_down(from, 64) + __ffs64(w));
		from = round_down(from, 64) + 64;
	}
	return nbits;
}

/**
 * pkram_rl_next - decode the next range of a range list page
 * @c: the cursor; set c->p to the page (nr_words already checked against
 *     PKRAM_RANGES_WORDS) and zero the rest to start
 * @out: the range
 *
 * Checks the items' form only; whether the ranges are sorted, disjoint and
 * in memory is for the caller.
 *
 * Return: 1 and a range, 0 at the end of the page, or -EINVAL.
 */
int pkram_rl_next(struct pkram_rl_cursor *c, struct pkram_range *out)
{
	const struct pkram_ranges_meta *p = c->p;
	u64 w, n;

	for (;;) {
		if (c->bits) {
			const u64 *bm = &p->words[c->bm];
			u32 s = pkram_rl_scan(bm, c->bits, c->bit, true), e;

			if (s < c->bits) {
				e = pkram_rl_scan(bm, c->bits, s, false);
				out->start = c->base + ((u64)s << PAGE_SHIFT);
				out->end = c->base + ((u64)e << PAGE_SHIFT);
				c->bit = e;
				return 1;
			}
			c->bits = 0;
		}
		if (c->pos >= p->nr_words)
			return 0;
		if (c->pos + 1 >= p->nr_words)
			return -EINVAL;		/* every item has two words or more */
		w = p->words[c->pos];
		if (!(w & PKRAM_RL_BITMAP)) {
			n = p->words[c->pos + 1];
			if ((w & ~PKRAM_RL_ADDR_MASK) || !n || n > BIT_ULL(40) ||
			    w + (n << PAGE_SHIFT) < w)
				return -EINVAL;
			c->pos += 2;
			out->start = w;
			out->end = w + (n << PAGE_SHIFT);
			return 1;
		}
		n = (w >> PKRAM_RL_NWORDS_SHIFT) & PKRAM_RL_NWORDS_MASK;
		c->base = w & PKRAM_RL_ADDR_MASK;
		if (!n || c->pos + 1 + n > p->nr_words ||
		    c->base + (n * 64 << PAGE_SHIFT) < c->base)
			return -EINVAL;
		c->bm = c->pos + 1;
		c->bits = n * 64;
		c->bit = 0;
		c->pos += 1 + n;
	}
}

/* Streams the range list through early mappings, checking each page. */
struct pkram_rreader {
	u64 next;
	struct pkram_ranges_meta *map;
	struct pkram_rl_cursor c;
	u64 pages;
};

static void __init rr_start(struct pkram_rreader *rr)
{
	rr->next = pkram_in_ranges;
	rr->map = NULL;
	rr->pages = 0;
}

static void __init rr_stop(struct pkram_rreader *rr)
{
	if (rr->map)
		early_memunmap(rr->map, PAGE_SIZE);
	rr->map = NULL;
}

static bool __init pkram_phys_page_ok(u64 phys)
{
	return phys && PAGE_ALIGNED(phys) && phys >= SZ_1M &&
	       memblock_is_region_memory(phys, PAGE_SIZE);
}

/*
 * Return 1 and the next range, 0 at the end, -ERANGE (and the page in @out)
 * for a list page outside memory, or -EINVAL.
 */
static int __init rr_next(struct pkram_rreader *rr, struct pkram_range *out)
{
	int ret;

	for (;;) {
		if (rr->map) {
			ret = pkram_rl_next(&rr->c, out);
			if (ret)
				return ret;
			rr->next = rr->map->hdr.next;
			early_memunmap(rr->map, PAGE_SIZE);
			rr->map = NULL;
		}
		if (!rr->next)
			return 0;
		/* the superblock says how many pages: bounds the walk */
		if (++rr->pages > pkram_in_range_pages)
			return -EINVAL;
		if (!pkram_phys_page_ok(rr->next)) {
			/* report the page itself: it is preserved memory too */
			out->start = rr->next;
			out->end = rr->next + PAGE_SIZE;
			return PAGE_ALIGNED(rr->next) && rr->next >= SZ_1M ?
			       -ERANGE : -EINVAL;
		}
		rr->map = early_memremap(rr->next, PAGE_SIZE);
		if (!rr->map)
			return -ENOMEM;
		if (!pkram_meta_check(rr->map, PKRAM_META_RANGES) ||
		    rr->map->nr_words > PKRAM_RANGES_WORDS ||
		    rr->map->reserved) {
			early_memunmap(rr->map, PAGE_SIZE);
			rr->map = NULL;
			return -EINVAL;
		}
		memset(&rr->c, 0, sizeof(rr->c));
		rr->c.p = rr->map;
	}
}

static u64 __init pkram_fdt_u64(const void *fdt, const char *name)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, 0, name, &len);

	return p && len == sizeof(*p) ? fdt64_to_cpu(*p) : 0;
}

/* Read and check the superblock; false if there is nothing to reserve. */
static bool __init pkram_read_sb(void)
{
	phys_addr_t phys = pkram_incoming_sb;
	char *sb = pkram_in_sb;
	void *map;
	int len;

	if (!pkram_phys_page_ok(phys) ||
	    memblock_is_region_reserved(phys, PAGE_SIZE)) {
		pr_err("pkram=%pa is not a free page of RAM: ignored, nothing is preserved\n",
		       &phys);
		return false;
	}
	map = early_memremap(phys, PAGE_SIZE);
	if (!map) {
		pr_err("cannot map the superblock: nothing is preserved\n");
		return false;
	}
	memcpy(sb, map, PAGE_SIZE);
	early_memunmap(map, PAGE_SIZE);

	if (fdt_check_header(sb) || fdt_totalsize(sb) > PAGE_SIZE) {
		/* a zeroed superblock: the old kernel preserved nothing */
		if (!memchr_inv(sb, 0, PAGE_SIZE))
			pr_info("nothing was preserved\n");
		else
			pr_err("superblock at %pa is not a valid FDT: nothing is preserved\n",
			       &phys);
		return false;
	}
	if (fdt_node_check_compatible(sb, 0, PKRAM_COMPATIBLE)) {
		const char *c = fdt_getprop(sb, 0, "compatible", NULL);

		pr_err("superblock is \"%.32s\", this kernel reads \"%s\": nothing is preserved\n",
		       c ?: "(none)", PKRAM_COMPATIBLE);
		return false;
	}
	if (!pkram_sb_check(sb)) {
		pr_err("superblock at %pa fails its checksum: nothing is preserved\n",
		       &phys);
		return false;
	}
	pkram_in_nodes = (fdt64_t *)fdt_getprop(sb, 0, PKRAM_FDT_NODES, &len);
	pkram_in_nr_nodes = pkram_in_nodes && len > 0 && !(len % sizeof(u64)) ?
			    len / sizeof(u64) : 0;
	pkram_in_ranges = pkram_fdt_u64(sb, PKRAM_FDT_RANGES);
	pkram_in_nr_ranges = pkram_fdt_u64(sb, PKRAM_FDT_NR_RANGES);
	pkram_in_range_pages = pkram_fdt_u64(sb, PKRAM_FDT_RANGE_PAGES);
	pkram_in_pages = pkram_fdt_u64(sb, PKRAM_FDT_PAGES);
	pkram_in_avoid = pkram_fdt_u64(sb, PKRAM_FDT_AVOID);
	if (!pkram_in_nr_nodes || pkram_in_nr_nodes > PKRAM_MAX_NODES ||
	    !pkram_in_ranges || !pkram_in_nr_ranges || !pkram_in_range_pages ||
	    pkram_in_range_pages > pkram_in_nr_ranges + 1) {
		pr_err("superblock lacks nodes or ranges: nothing is preserved\n");
		return false;
	}
	/*
	 * Consumed from here on: whatever happens to this boot, the same
	 * superblock is never accepted again (a crash, a warm reset, a
	 * reused command line). The copy above is what this boot reads.
	 */
	map = early_memremap(phys, PAGE_SIZE);
	if (!map) {
		pr_err("cannot map the superblock: nothing is preserved\n");
		return false;
	}
	memset(map, 0, PAGE_SIZE);
	early_memunmap(map, PAGE_SIZE);
	return true;
}

/*
 * The range list's own pages must be preserved: they are read again and
 * freed by pkram_parse_incoming(), and memory that is not reserved may be
 * reused before then, starting with memblock's new reserved array. Their
 * addresses are sorted, PKRAM_LIST_CHUNK at a time, and checked alongside
 * the ranges: the first chunk while they are checked, any others by
 * pkram_check_list_pages().
 */
struct pkram_lp {
	u64 next;	/* the list page after the chunk */
	u64 seen;	/* list pages read */
	u64 n, i;	/* the chunk, pkram_list_chunk[i..n) not found yet */
};

static int __init pkram_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Read the next chunk. False if a page is not RAM or cannot be mapped, or
 * there are more pages than the superblock says: then the chunk stops
 * there, and the check of the ranges refuses the list anyway.
 */
static bool __init pkram_lp_read(struct pkram_lp *lp)
{
	bool ok = true;

	for (lp->n = 0, lp->i = 0; lp->next && lp->n < PKRAM_LIST_CHUNK;) {
		struct pkram_meta_hdr *hdr = NULL;

		if (lp->seen < pkram_in_range_pages &&
		    pkram_phys_page_ok(lp->next))
			hdr = early_memremap(lp->next, sizeof(*hdr));
		if (!hdr) {
			ok = false;
			break;
		}
		pkram_list_chunk[lp->n++] = lp->next;
		lp->seen++;
		lp->next = hdr->next;
		early_memunmap(hdr, sizeof(*hdr));
	}
	sort(pkram_list_chunk, lp->n, sizeof(u64), pkram_cmp_u64, NULL);
	return ok;
}

/* Step over the chunk's pages in @r; false if one lies below @r, in no range. */
static bool __init pkram_lp_in(struct pkram_lp *lp, const struct pkram_range *r)
{
	for (; lp->i < lp->n && pkram_list_chunk[lp->i] < r->end; lp->i++)
		if (pkram_list_chunk[lp->i] < r->start)
			return false;
	return true;
}

/*
 * Step over the chunk's pages in the ranges of list page @phys, then check
 * that none is left below @below; with @first, only set *@first to the
 * start of the page's first range (U64_MAX if it holds none). *@next (if
 * @next) is set to the page after it.
 */
static bool __init pkram_lp_page(struct pkram_lp *lp, u64 phys, u64 below,
				 u64 *first, u64 *next)
{
	struct pkram_rl_cursor c = { };
	struct pkram_range r;
	bool ok = true;

	c.p = early_memremap(phys, PAGE_SIZE);
	if (!c.p)
		return false;
	if (next)
		*next = c.p->hdr.next;
	if (first)
		*first = pkram_rl_next(&c, &r) > 0 ? r.start : U64_MAX;
	else
		while (ok && lp->i < lp->n && pkram_rl_next(&c, &r) > 0)
			ok = pkram_lp_in(lp, &r);
	early_memunmap((void *)c.p, PAGE_SIZE);
	return ok && (first || lp->i == lp->n ||
		      pkram_list_chunk[lp->i] >= below);
}

/*
 * The chunks after the first, for a list of more than PKRAM_LIST_CHUNK
 * pages; the list itself passed the first check. A chunk address below
 * the first range of a list page can only be in the ranges of the last
 * page before it that holds any: only that page is decoded whole, the
 * others are looked at for their first range. A chunk costs a look at
 * every list page, not a walk of every range.
 */
static int __init pkram_check_list_pages(struct pkram_lp *lp)
{
	u64 phys, next, first, cand, pages;

	while (lp->next) {
		if (!pkram_lp_read(lp))
			return -EINVAL;
		cand = 0;
		for (phys = pkram_in_ranges, pages = 0; phys && lp->i < lp->n;
		     phys = next) {
			if (++pages > pkram_in_range_pages ||
			    !pkram_phys_page_ok(phys) ||
			    !pkram_lp_page(lp, phys, 0, &first, &next))
				return -EINVAL;
			if (first == U64_MAX)
				continue;		/* no range here */
			if (pkram_list_chunk[lp->i] < first) {
				if (!cand || !pkram_lp_page(lp, cand, first,
							    NULL, NULL))
					return -EINVAL;
			}
			cand = phys;
		}
		if (cand && lp->i < lp->n &&
		    !pkram_lp_page(lp, cand, U64_MAX, NULL, NULL))
			return -EINVAL;
		if (lp->i < lp->n)
			return -EINVAL;
	}
	return 0;
}

/*
 * The range list, streamed to memblock_reserve_sorted(). memblock reads all
 * of it once before it writes anything, and that first pass checks every
 * range: page aligned, sorted, disjoint, above 1 MiB, inside memory and
 * clear of every existing reservation (kernel image, initrd, setup_data,
 * firmware); at its end, that there are as many ranges and list pages as
 * the superblock says, one holds the superblock and the list pages are
 * preserved too. Any error stops memblock, which then changes nothing.
 */
struct pkram_feed {
	struct pkram_rreader rr;
	struct pkram_lp lp;
	struct pkram_range r;	/* the range being checked */
	unsigned long mi, ri;	/* memblock.memory and .reserved regions */
	u64 nr, bytes;		/* ranges checked, their bytes */
	bool sb_seen;
	bool lp_ok, lp_bad;	/* list pages in ranges so far; not all */
	bool in_mem;		/* the last range is inside region mi */
	/* gaps that may be reserved, by ilog2(pages): how many, their pages */
	u64 gaps[PKRAM_GAP_MAX_SHIFT], gap_pages[PKRAM_GAP_MAX_SHIFT];
};

/*
 * Coalesced regions, made from the range list the same way in every pass:
 * one range after another while the gap to the next one may be reserved.
 */
struct pkram_merge {
	struct pkram_rreader rr;
	struct pkram_range next;	/* the range after the region */
	int more;			/* next is valid */
	unsigned long mi, ri;		/* memblock.memory and .reserved */
	u64 left;			/* gap pages the budget still allows */
	unsigned int nr_merged;		/* regions of more than one range */
	bool record;			/* fill pkram_merged[] */
};

/* Record [@start, @end) as preserved but not memory this kernel knows. */
static int __init pkram_add_unknown(u64 start, u64 end)
{
	unsigned int n = pkram_nr_unknown;

	if (start >= end)
		return 0;
	if (n && pkram_unknown[n - 1].end == start) {
		pkram_unknown[n - 1].end = end;
		return 0;
	}
	if (pkram_nr_unknown == PKRAM_MAX_UNKNOWN)
		return -ERANGE;
	pkram_unknown[pkram_nr_unknown].start = start;
	pkram_unknown[pkram_nr_unknown++].end = end;
	return 0;
}

/* Record the parts of range f->r that are not in memblock.memory. */
static int __init pkram_note_unknown(struct pkram_feed *f)
{
	struct memblock_type *mem = &memblock.memory;
	u64 pos = f->r.start;
	unsigned long i;
	int ret;

	for (i = f->mi; i < mem->cnt && mem->regions[i].base < f->r.end; i++) {
		ret = pkram_add_unknown(pos, min(mem->regions[i].base, f->r.end));
		if (ret)
			return ret;
		pos = max(pos, mem->regions[i].base + mem->regions[i].size);
	}
	return pkram_add_unknown(pos, f->r.end);
}

static int __init pkram_check_range(struct pkram_feed *f)
{
	struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;
	u64 prev_end = f->nr ? f->r.end : 0;
	unsigned long prev_mi = f->mi;
	bool prev_in_mem = f->nr && f->in_mem, gap_free;
	int ret;

	ret = rr_next(&f->rr, &f->r);
	if (ret <= 0)
		return ret ?: -EINVAL;	/* fewer ranges than the superblock says */
	if (!PAGE_ALIGNED(f->r.start) || !PAGE_ALIGNED(f->r.end) ||
	    f->r.start >= f->r.end || f->r.start < SZ_1M ||
	    (f->nr && f->r.start <= prev_end))
		return -EINVAL;
	/* before ri moves on: a reservation between the two ranges? */
	gap_free = f->ri == res->cnt || res->regions[f->ri].base >= f->r.start;
	while (f->mi < mem->cnt && mem->regions[f->mi].base +
	       mem->regions[f->mi].size <= f->r.start)
		f->mi++;
	f->in_mem = f->mi < mem->cnt &&
		    mem->regions[f->mi].base <= f->r.start &&
		    mem->regions[f->mi].base + mem->regions[f->mi].size >=
		    f->r.end;
	if (!f->in_mem) {
		/* costs only the nodes that use it, unless there is much */
		ret = pkram_note_unknown(f);
		if (ret)
			return ret;
	}
	if (prev_in_mem && f->in_mem && prev_mi == f->mi && gap_free) {
		u64 pages = (f->r.start - prev_end) >> PAGE_SHIFT;
		unsigned int b = ilog2(pages);

		if (b < PKRAM_GAP_MAX_SHIFT) {
			f->gaps[b]++;
			f->gap_pages[b] += pages;
		}
	}
	while (f->ri < res->cnt && res->regions[f->ri].base +
	       res->regions[f->ri].size <= f->r.start)
		f->ri++;
	if (f->ri < res->cnt && res->regions[f->ri].base < f->r.end)
		return -EBUSY;
	if (pkram_incoming_sb >= f->r.start && pkram_incoming_sb < f->r.end)
		f->sb_seen = true;
	if (!pkram_lp_in(&f->lp, &f->r))
		f->lp_ok = false;
	f->nr++;
	f->bytes += f->r.end - f->r.start;
	return 0;
}

/* After the last range of the first pass */
static int __init pkram_check_end(struct pkram_feed *f)
{
	struct pkram_range r;

	if (rr_next(&f->rr, &r) || !f->sb_seen ||
	    f->rr.pages != pkram_in_range_pages)
		return -EINVAL;
	if (!f->lp_ok || f->lp.i < f->lp.n ||
	    pkram_check_list_pages(&f->lp)) {
		f->lp_bad = true;
		return -EINVAL;
	}
	return 0;
}

/*
 * Pick the gaps to reserve, from what the check counted: the smallest
 * first, until the regions are few enough or the budget is spent.
 */
static void __init pkram_choose_gaps(const struct pkram_feed *f)
{
	u64 preserved = f->bytes >> PAGE_SHIFT, merged = 0, pages = 0;
	u64 free, keep;
	unsigned int b;

	pkram_gap_shift = 0;
	pkram_gap_budget = 0;
	if (f->nr <= PKRAM_RESERVE_REGIONS)
		return;
	free = (memblock_phys_mem_size() - memblock_reserved_size()) >>
	       PAGE_SHIFT;
	free = free > preserved ? free - preserved : 0;
	keep = max_t(u64, PKRAM_GAP_KEEP >> PAGE_SHIFT,
		     memblock_phys_mem_size() >> (PAGE_SHIFT + PKRAM_GAP_KEEP_SHIFT));
	if (free <= keep)
		return;
	for (b = 0; b < PKRAM_GAP_MAX_SHIFT; b++) {
		if (f->nr - merged <= PKRAM_RESERVE_REGIONS)
			break;
		pkram_gap_shift = b + 1;
		merged += f->gaps[b];
		pages += f->gap_pages[b];
	}
	pkram_gap_budget = min3(pages, preserved, free - keep);
}

static void __init pkram_merge_start(struct pkram_merge *m)
{
	rr_stop(&m->rr);
	rr_start(&m->rr);
	m->mi = 0;
	m->ri = 0;
	m->left = pkram_gap_budget;
	m->nr_merged = 0;
	m->more = rr_next(&m->rr, &m->next);
}

/* May the gap between @prev and the next range @r be reserved with them? */
static bool __init pkram_gap_ok(struct pkram_merge *m,
				const struct pkram_range *prev,
				const struct pkram_range *r)
{
	struct memblock_type *mem = &memblock.memory, *res = &memblock.reserved;
	u64 pages = (r->start - prev->end) >> PAGE_SHIFT;

	if (ilog2(pages) >= pkram_gap_shift || pages > m->left)
		return false;
	while (m->mi < mem->cnt && mem->regions[m->mi].base +
	       mem->regions[m->mi].size <= prev->start)
		m->mi++;
	if (m->mi == mem->cnt || mem->regions[m->mi].base > prev->start ||
	    mem->regions[m->mi].base + mem->regions[m->mi].size < r->end)
		return false;
	while (m->ri < res->cnt && res->regions[m->ri].base +
	       res->regions[m->ri].size <= prev->end)
		m->ri++;
	if (m->ri < res->cnt && res->regions[m->ri].base < r->start)
		return false;
	m->left -= pages;
	return true;
}

/* The next region in *@out: 1, or 0 after the last one, or -errno. */
static int __init pkram_merge_next(struct pkram_merge *m,
				   struct pkram_range *out)
{
	struct pkram_range last;
	bool merged = false;

	if (m->more <= 0)
		return m->more;
	*out = m->next;
	last = m->next;
	for (;;) {
		m->more = rr_next(&m->rr, &m->next);
		if (m->more <= 0 || !pkram_gap_shift ||
		    (!merged && m->nr_merged == PKRAM_MAX_MERGED) ||
		    !pkram_gap_ok(m, &last, &m->next))
			break;
		merged = true;
		last = m->next;
		out->end = last.end;
	}
	if (merged) {
		if (m->record)
			pkram_merged[m->nr_merged] = *out;
		m->nr_merged++;
	}
	return 1;
}

/* How many regions; remembers those of more than one range. */
static unsigned long __init pkram_merge_count(struct pkram_merge *m)
{
	struct pkram_range out;
	unsigned long n = 0;

	m->record = true;
	pkram_merge_start(m);
	while (pkram_merge_next(m, &out) > 0)
		n++;
	m->record = false;
	pkram_nr_merged = m->nr_merged;
	pkram_gap_pages = pkram_gap_budget - m->left;
	return n;
}

/* memblock_reserve_sorted() callback: regions @i.., the same every pass */
static int __init pkram_feed_regions(void *arg, unsigned long i,
				     struct memblock_region *r,
				     unsigned int max)
{
	struct pkram_merge *m = arg;
	struct pkram_range out;
	unsigned int n;
	int ret;

	if (!i)
		pkram_merge_start(m);
	for (n = 0; n < max; n++) {
		ret = pkram_merge_next(m, &out);
		if (ret <= 0)
			return ret ?: -EINVAL;
		r[n].base = out.start;
		r[n].size = out.end - out.start;
	}
	return max;
}

/* Check every range and the list pages: 0 or -errno, nothing reserved. */
static int __init pkram_check_ranges(struct pkram_feed *f)
{
	int ret = 0;
	u64 i;

	rr_start(&f->rr);
	for (i = 0; i < pkram_in_nr_ranges; i++) {
		ret = pkram_check_range(f);
		if (ret)
			break;
	}
	if (!ret)
		ret = pkram_check_end(f);
	rr_stop(&f->rr);
	return ret;
}

/**
 * pkram_reserve - reserve all preserved memory in early boot
 *
 * Called by the architecture right after memblock knows the memory map and
 * before memblock allocates above 1 MiB. Cost: two passes over the range
 * list, linear in the number of ranges.
 */
void __init pkram_reserve(void)
{
	/*
	 * local_clock() is sched_clock() this early: on x86 it runs once
	 * tsc_early_init() calibrated the TSC (or from kvmclock_init()),
	 * before setup_arch() calls this, but stands still if the early
	 * calibration failed. get_cycles() counts anyway; see
	 * pkram_parse_incoming().
	 */
	u64 start = local_clock(), cycles = get_cycles();
	struct pkram_feed f = { .lp_ok = true };
	struct pkram_merge m = { };
	unsigned long nr;
	unsigned int n;
	int ret;

	if (!pkram_incoming_sb)
		return;
	if (is_kdump_kernel()) {
		pr_info("ignored in a kdump kernel\n");
		return;
	}
	if (!pkram_read_sb())
		return;

	f.lp.next = pkram_in_ranges;
	f.lp_ok = pkram_lp_read(&f.lp);
	ret = pkram_check_ranges(&f);
	if (ret && f.lp_bad) {
		pr_err("a range list page is outside preserved memory: nothing is preserved\n");
		return;
	}
	if (ret) {
		if (ret == -ERANGE)
			/* e.g. hot-added in the old kernel, or cut off by mem=/memmap= */
			pr_err("preserved memory [%#llx-%#llx) is not memory this kernel knows at boot%s\n",
			       f.r.start, f.r.end,
			       pkram_nr_unknown == PKRAM_MAX_UNKNOWN ?
			       " (nor are many ranges before it)" : "");
		else
			pr_err("range %llu of %llu [%#llx-%#llx) is bad (%d)\n",
			       f.nr, pkram_in_nr_ranges, f.r.start, f.r.end,
			       ret);
		pr_err("preserved range list is invalid (%d): nothing is preserved\n",
		       ret);
		return;
	}
	pkram_choose_gaps(&f);
	/* the new reserved array above ZONE_DMA, anywhere in the direct map */
	for (;;) {
		nr = pkram_merge_count(&m);
		ret = memblock_reserve_sorted(pkram_feed_regions, &m, nr,
					      SZ_16M, MEMBLOCK_ALLOC_ANYWHERE);
		rr_stop(&m.rr);
		if (ret != -ENOMEM || !pkram_gap_shift)
			break;
		/* the gaps took the room the new array needs */
		pkram_gap_shift = 0;
		pkram_gap_budget = 0;
	}
	if (ret) {
		pkram_nr_merged = 0;
		pr_err("cannot reserve the preserved ranges (%d): nothing is preserved\n",
		       ret);
		return;
	}
	pkram_in_reserved = true;
	for (n = 0; n < pkram_nr_unknown; n++)
		pr_err("preserved memory [%#llx-%#llx) is not memory this kernel knows at boot: nodes that use it are not offered\n",
		       pkram_unknown[n].start, pkram_unknown[n].end);
	pkram_reserve_ns = local_clock() - start;
	pkram_reserve_cycles = get_cycles() - cycles;
	pr_info("reserved %llu pages in %llu ranges as %lu regions with %llu gap pages; memblock holds %lu reserved regions\n",
		f.bytes >> PAGE_SHIFT, f.nr, nr, pkram_gap_pages,
		memblock.reserved.cnt);
}

/* ---- after the page allocator is up ---- */

/*
 * The item that holds @start, or v->nr. Folios are mostly saved in address
 * order, so the item of the last lookup and the next one are tried before
 * a binary search.
 */
static unsigned long pkram_find_item(struct pkram_validate *v, u64 start)
{
	unsigned long lo = 0, hi = v->nr, i;

	for (i = v->hint; i < v->nr && i < v->hint + 2; i++)
		if (v->items[i].start <= start && start < v->items[i].end)
			return v->hint = i;
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (v->items[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->nr || v->items[lo].start > start)
		return v->nr;
	return v->hint = lo;
}

/*
 * Is all of [@start, @end) preserved, inside one item (so inside one
 * preserved range: ranges are never adjacent)? Its item, or v->nr.
 */
static unsigned long pkram_in_ranges_ok(struct pkram_validate *v, u64 start,
					u64 end)
{
	unsigned long i = pkram_find_item(v, start);
	const struct pkram_vitem *it = &v->items[i];
	u32 s, e;

	if (i == v->nr || end > it->end)
		return v->nr;
	if (!it->bm)
		return i;
	s = (start - it->base) >> PAGE_SHIFT;
	e = (end - it->base) >> PAGE_SHIFT;
	return pkram_rl_scan(it->bm, e, s, false) == e ? i : v->nr;
}

/* Does [@start, @end) touch preserved memory this kernel cannot use? */
static bool pkram_in_unknown(const struct pkram_validate *v, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < v->nr_unknown; i++)
		if (start < v->unknown[i].end && v->unknown[i].start < end)
			return true;
	return false;
}

/* A bit per page of the items' spans, for pkram_validate_use(). */
static int pkram_validate_track(struct pkram_validate *v)
{
	v->used = kvcalloc(BITS_TO_LONGS(v->nbits) ?: 1, sizeof(long),
			   GFP_KERNEL);
	if (!v->used) {
		pkram_validate_destroy(v);
		return -ENOMEM;
	}
	return 0;
}

/* Append [@start, @end) to item @n, or open item @n with it. */
static void pkram_item_add(struct pkram_validate *v, unsigned long n,
			   const struct pkram_range *r, u64 base, const u64 *bm)
{
	struct pkram_vitem *it = &v->items[n];

	if (n < v->nr) {
		v->nbits += (r->end - it->end) >> PAGE_SHIFT;
		it->end = r->end;
		return;
	}
	it->start = r->start;
	it->end = r->end;
	it->base = base;
	it->bm = bm;
	it->used = v->nbits;
	v->nbits += (r->end - r->start) >> PAGE_SHIFT;
	v->nr = n + 1;
}

/**
 * pkram_validate_init - prepare to validate nodes against preserved ranges
 * @v: the state to set up
 * @r: the preserved ranges, sorted, disjoint and not adjacent
 * @nr: how many
 * @track: whether pkram_validate_use() marks pages, so that none is
 *	   offered twice
 *
 * The metadata budget is every preserved page once.
 *
 * Return: 0 or -ENOMEM.
 */
int pkram_validate_init(struct pkram_validate *v, const struct pkram_range *r,
			unsigned long nr, bool track)
{
	unsigned long i;

	memset(v, 0, sizeof(*v));
	v->items = kvmalloc_array(nr ?: 1, sizeof(*v->items), GFP_KERNEL);
	if (!v->items)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		pkram_item_add(v, i, &r[i], r[i].start, NULL);
	v->budget = v->nbits;
	return track ? pkram_validate_track(v) : 0;
}

/*
 * Decode the range list at @list (up to @max_pages pages) into items, or
 * with v->items NULL only count them: a run is an item, the ranges of one
 * bitmap are one item, read in place. Return: the number of items.
 */
static unsigned long pkram_list_items(struct pkram_validate *v, u64 list,
				      u64 max_pages)
{
	struct pkram_rl_cursor c;
	struct pkram_range r;
	unsigned long n = 0;
	const u64 *bm, *last = NULL;
	u64 pages = 0;

	for (; list && max_pages--; list = c.p->hdr.next) {
		memset(&c, 0, sizeof(c));
		c.p = phys_to_virt(list);
		while (pkram_rl_next(&c, &r) > 0) {
			bm = c.bits ? &c.p->words[c.bm] : NULL;
			pages += (r.end - r.start) >> PAGE_SHIFT;
			if (!bm || bm != last)
				n++;
			if (v->items)
				pkram_item_add(v, n - 1, &r, c.base, bm);
			last = bm;
		}
	}
	v->budget = pages;
	return n;
}

/**
 * pkram_validate_init_list - prepare to validate nodes, tracking pages
 * @v: the state to set up
 * @list: the first page of a range list that early boot checked: sorted,
 *	  disjoint, well formed, in preserved memory
 * @max_pages: how many pages it has
 *
 * The list is read where it lies: what is kept is an item per run or
 * bitmap of it, not per range, so that a node is checked against a few
 * hundred items per GiB of scattered pages, and a bit per page they span.
 *
 * Return: 0 or -ENOMEM.
 */
int pkram_validate_init_list(struct pkram_validate *v, u64 list, u64 max_pages)
{
	unsigned long n;

	memset(v, 0, sizeof(*v));
	n = pkram_list_items(v, list, max_pages);
	v->items = kvmalloc_array(n ?: 1, sizeof(*v->items), GFP_KERNEL);
	if (!v->items)
		return -ENOMEM;
	v->nbits = 0;
	pkram_list_items(v, list, max_pages);
	return pkram_validate_track(v);
}

/* Free what pkram_validate_init() allocated (not the ranges). */
void pkram_validate_destroy(struct pkram_validate *v)
{
	kvfree(v->used);
	kvfree(v->items);
	v->used = NULL;
	v->items = NULL;
}

/*
 * Account [@start, @end) to what is being validated: it must be preserved,
 * inside one range (else @why is the reason) and, with tracking, belong to
 * nothing marked yet: no page of an offered node, of the handover itself,
 * or of an earlier part of the node being checked. It is then marked. With
 * v->undo, the marks of a refused node are taken back instead, in the order
 * they were made, until v->done runs out.
 */
bool pkram_validate_use(struct pkram_validate *v, u64 start, u64 end,
			const char *why)
{
	unsigned long i, s, n;

	i = pkram_in_ranges_ok(v, start, end);
	if (i == v->nr) {
		v->why = why;
		return false;
	}
	if (pkram_in_unknown(v, start, end)) {
		v->why = "preserved memory this kernel does not know at boot";
		return false;
	}
	if (!v->used)
		return true;
	s = v->items[i].used + ((start - v->items[i].start) >> PAGE_SHIFT);
	n = (end - start) >> PAGE_SHIFT;
	if (v->undo) {
		if (!v->done)
			return false;
		bitmap_clear(v->used, s, n);
		v->done--;
		return true;
	}
	if (find_next_bit(v->used, s + n, s) < s + n) {
		v->why = "a page is used twice";
		return false;
	}
	bitmap_set(v->used, s, n);
	v->done++;
	return true;
}

static void *pkram_meta_get(struct pkram_validate *v, u64 phys, u16 type)
{
	void *page;

	if (!v->budget) {
		v->why = "metadata does not end (cycle?)";
		return NULL;
	}
	v->budget--;
	if (!PAGE_ALIGNED(phys)) {
		v->why = "metadata page outside preserved memory";
		return NULL;
	}
	if (!pkram_validate_use(v, phys, phys + PAGE_SIZE,
				"metadata page outside preserved memory"))
		return NULL;
	page = phys_to_virt(phys);
	if (!pkram_meta_check(page, type)) {
		v->why = "metadata page fails its checksum or type";
		return NULL;
	}
	return page;
}

static bool pkram_validate_stream(struct pkram_validate *v, u64 head,
				  bool bytes, u64 *folios, u64 *pages)
{
	while (head) {
		struct pkram_link_meta *link;
		unsigned int pos = 0;

		link = pkram_meta_get(v, head, PKRAM_META_LINK);
		if (!link)
			return false;
		if (link->nr_words > PKRAM_LINK_WORDS) {
			v->why = "link page overflows";
			return false;
		}
		if (link->reserved) {
			v->why = "reserved field set";
			return false;
		}
		while (pos < link->nr_words) {
			struct pkram_entry e;
			u64 len, i;

			if (!pkram_entry_decode(&link->words[pos],
						link->nr_words - pos, &e) ||
			    e.order > MAX_PAGE_ORDER || (bytes && e.order) ||
			    (!pos && !e.has_index) ||
			    (e.pfns && !(e.count % 2) &&
			     (e.pfns[e.count / 2 - 1] >> 32))) {
				v->why = "bad entry";
				return false;
			}
			len = PAGE_SIZE << e.order;
			if (e.count > (1ULL << 40) / len) {
				v->why = "entry outside preserved memory";
				return false;
			}
			/* a run is one range; packed folios are one each */
			for (i = 0; i < (e.pfns ? e.count : 1); i++) {
				u64 start = pkram_entry_folio(&e, i);
				u64 end = start + (e.pfns ? len : e.count * len);

				if (!IS_ALIGNED(start, len)) {
					v->why = "entry outside preserved memory";
					return false;
				}
				if (!pkram_validate_use(v, start, end,
							"entry outside preserved memory"))
					return false;
			}
			*folios += e.count;
			*pages += e.count << e.order;
			pos += e.words;
		}
		head = link->hdr.next;
	}
	return true;
}

/**
 * pkram_validate_node - check a node before trusting any of it
 * @v: the preserved ranges, a budget of metadata pages, and the reason for
 *     a refusal
 * @node: the node page (already checked by pkram_meta_get())
 *
 * Every metadata page must pass its checksum and lie in preserved memory,
 * every entry must be well formed and point into preserved memory, walks
 * are bounded by @v->budget, and the counts must add up. With v->used set
 * up (pkram_validate_init()), no page may be used twice: not by two
 * entries, not as data and metadata, not by two nodes, and not by the
 * handover's own pages; the node's pages are marked as it goes.
 *
 * Return: true if the node can be offered to loaders.
 */
bool pkram_validate_node(struct pkram_validate *v, struct pkram_node_meta *node)
{
	u64 obj_phys = node->first_obj, objs = 0, folios = 0, pages = 0;
	u64 bytes = 0;

	if (strnlen(node->name, sizeof(node->name)) > PKRAM_NAME_MAX ||
	    !pkram_name_valid(node->name)) {
		v->why = "bad name";
		return false;
	}
	if (node->flags || node->reserved) {
		v->why = "reserved field set";
		return false;
	}
	while (obj_phys) {
		struct pkram_obj_meta *obj;
		u64 bpages = 0, bfolios = 0, f = 0, p = 0;

		obj = pkram_meta_get(v, obj_phys, PKRAM_META_OBJ);
		if (!obj)
			return false;
		if (!(obj->flags & (PKRAM_DATA_folios | PKRAM_DATA_bytes)) ||
		    (obj->flags & ~PKRAM_OBJ_FLAGS) ||
		    ((obj->flags & PKRAM_DATA_csum) &&
		     (obj->flags & PKRAM_DATA_inplace)) ||
		    (obj->folios_head && !(obj->flags & PKRAM_DATA_folios)) ||
		    (obj->bytes_head && !(obj->flags & PKRAM_DATA_bytes))) {
			v->why = "bad object";
			return false;
		}
		if (!pkram_validate_stream(v, obj->folios_head, false, &f, &p) ||
		    !pkram_validate_stream(v, obj->bytes_head, true, &bfolios,
					   &bpages))
			return false;
		if (f != obj->nr_folios || p != obj->nr_pages ||
		    obj->data_len > bpages * PAGE_SIZE ||
		    DIV_ROUND_UP(obj->data_len, PAGE_SIZE) != bpages) {
			v->why = "object counts do not add up";
			return false;
		}
		folios += f;
		pages += p;
		bytes += obj->data_len;
		objs++;
		obj_phys = obj->hdr.next;
	}
	if (objs != node->nr_objs || folios != node->nr_folios ||
	    pages != node->nr_pages || bytes != node->nr_bytes) {
		v->why = "node counts do not add up";
		return false;
	}
	return true;
}

/**
 * pkram_check_node - validate a node and mark its pages, or mark nothing
 * @v: from pkram_validate_init()
 * @phys: the node page
 * @nodep: set to the node page if it passed its own checks, else NULL
 *
 * A node that fails leaves no page marked: its marks are taken back by
 * walking it again, to the same point, with v->undo.
 *
 * Return: true if the node can be offered; else v->why says why not.
 */
bool pkram_check_node(struct pkram_validate *v, u64 phys,
		      struct pkram_node_meta **nodep)
{
	u64 budget = v->budget, left;
	const char *why;

	v->done = 0;
	*nodep = pkram_meta_get(v, phys, PKRAM_META_NODE);
	if (*nodep && pkram_validate_node(v, *nodep))
		return true;
	why = v->why;
	left = v->budget;
	v->budget = budget;
	v->undo = true;
	if (v->done && pkram_meta_get(v, phys, PKRAM_META_NODE))
		pkram_validate_node(v, *nodep);
	v->undo = false;
	v->budget = left;
	v->why = why;
	return false;
}

/*
 * Free the gap [@start, @end) as memblock_free_all() would have freed it;
 * if a page of it is not reserved, leave it all alone and return its size.
 */
static u64 __init pkram_free_gap(u64 start, u64 end)
{
	unsigned long pfn;

	for (pfn = PHYS_PFN(start); pfn < PHYS_PFN(end); pfn++)
		if (!PageReserved(pfn_to_page(pfn)))
			return PHYS_PFN(end - start);
	memblock_free_late(start, end - start);
	return 0;
}

/*
 * Give the gap pages reserved between ranges (see pkram_merged[]) to the
 * page allocator. The range list is read in place, in the order it was
 * reserved: a gap is freed only if the ranges on both sides lie in the
 * same merged region. Nothing but pkram_reserve() reserved a gap page, as
 * it was reserved before anything else could claim it: code that reserves
 * fixed memory later checks memblock_is_region_reserved() first.
 */
static void __init pkram_free_gaps(void)
{
	struct pkram_range r, prev = { };
	struct pkram_rl_cursor c;
	u64 phys, pages = 0, odd = 0, ns = local_clock();
	unsigned int k = 0;

	for (phys = pkram_in_ranges; phys && k < pkram_nr_merged;
	     phys = ((struct pkram_ranges_meta *)phys_to_virt(phys))->hdr.next) {
		memset(&c, 0, sizeof(c));
		c.p = phys_to_virt(phys);
		while (k < pkram_nr_merged && pkram_rl_next(&c, &r) > 0) {
			while (k < pkram_nr_merged && pkram_merged[k].end <= r.start)
				k++;
			if (k < pkram_nr_merged && prev.end &&
			    prev.start >= pkram_merged[k].start &&
			    r.end <= pkram_merged[k].end) {
				odd += pkram_free_gap(prev.end, r.start);
				pages += (r.start - prev.end) >> PAGE_SHIFT;
				cond_resched();
			}
			prev = r;
		}
	}
	if (odd)
		pr_err("%llu of %llu gap pages were not reserved: left alone\n",
		       odd, pages);
	else if (pages)
		pr_info("gave back %llu gap pages reserved with the preserved ranges in %llu us\n",
			pages, div_u64(local_clock() - ns, NSEC_PER_USEC));
}

static void __init pkram_free_ranges_pages(void)
{
	u64 phys = pkram_in_ranges;

	while (phys) {
		struct pkram_ranges_meta *p = phys_to_virt(phys);

		phys = p->hdr.next;
		memset(p, 0, sizeof(*p));	/* never valid again */
		free_reserved_page(virt_to_page(p));
	}
}

/**
 * pkram_parse_incoming - offer the nodes the previous kernel preserved
 *
 * Each node is checked against the reserved ranges before it is offered; a
 * damaged node is not offered and its memory stays reserved, since it may
 * be in use by whoever preserved it.
 *
 * Return: 0.
 */
int __init pkram_parse_incoming(void)
{
	struct pkram_validate v;
	u64 phys, nodes = 0, good = 0, damaged = 0;
	u64 ns = local_clock();		/* finer than ktime this early */
	u64 cycles = get_cycles();
	bool avoid_ok;
	void *sb;

	if (!pkram_in_reserved)
		return 0;
	pkram_free_gaps();

	if (pkram_validate_init_list(&v, pkram_in_ranges,
				     pkram_in_range_pages)) {
		pr_err("out of memory reading the range list: preserved memory stays reserved\n");
		return 0;
	}
	v.unknown = pkram_unknown;
	v.nr_unknown = pkram_nr_unknown;

	/*
	 * The handover's own pages first: they are freed below, so no node
	 * may use them. All are in preserved memory (checked in early boot);
	 * the avoid page only if "avoid" (not checksummed) points at a page
	 * of its own there.
	 */
	pkram_validate_use(&v, pkram_incoming_sb,
			   pkram_incoming_sb + PAGE_SIZE, NULL);
	for (phys = pkram_in_ranges; phys;
	     phys = ((struct pkram_ranges_meta *)phys_to_virt(phys))->hdr.next)
		pkram_validate_use(&v, phys, phys + PAGE_SIZE, NULL);
	avoid_ok = pkram_in_avoid && PAGE_ALIGNED(pkram_in_avoid) &&
		   pkram_validate_use(&v, pkram_in_avoid,
				      pkram_in_avoid + PAGE_SIZE, NULL);

	for (nodes = 0; nodes < pkram_in_nr_nodes; nodes++) {
		struct pkram_node_meta *node;

		phys = fdt64_to_cpu(pkram_in_nodes[nodes]);
		if (!pkram_check_node(&v, phys, &node)) {
			if (node)
				pr_err("node %.63s is damaged (%s): not offered, its memory stays reserved\n",
				       node->name, v.why);
			else
				pr_err("node page %#llx is damaged (%s): not offered, its memory stays reserved\n",
				       phys, v.why);
			damaged++;
			continue;
		}
		if (pkram_add_incoming(node)) {
			pr_err("node %.63s: duplicate name or no memory: not offered\n",
			       node->name);
			continue;
		}
		good++;
	}
	/* no offered node uses these pages: pkram_validate_use() made sure */
	pkram_free_ranges_pages();
	/* a damaged node may use the avoid page beyond where its walk stopped */
	if (avoid_ok && !damaged) {
		memset(phys_to_virt(pkram_in_avoid), 0, PAGE_SIZE);
		free_reserved_page(pfn_to_page(PHYS_PFN(pkram_in_avoid)));
	}
	sb = phys_to_virt(pkram_incoming_sb);
	memset(sb, 0, PAGE_SIZE);	/* consumed: never valid again */
	free_reserved_page(virt_to_page(sb));
	pkram_validate_destroy(&v);
	ns = local_clock() - ns;
	cycles = get_cycles() - cycles;
	/* local_clock() stood still in early boot: convert its cycles */
	if (!pkram_reserve_ns && cycles)
		pkram_reserve_ns = mul_u64_u64_div_u64(pkram_reserve_cycles,
						       ns, cycles);
	pr_info("%llu incoming node(s), %llu pages; early reservation took %llu us, validation %llu us\n",
		good, pkram_in_pages,
		div_u64(pkram_reserve_ns, NSEC_PER_USEC),
		div_u64(ns, NSEC_PER_USEC));
	return 0;
}
core_initcall(pkram_parse_incoming);
