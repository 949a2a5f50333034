// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM handover: turning the nodes to preserve into what the next kernel
 * reads, in the kexec reboot path.
 *
 * Finalization links the preserved nodes by physical address, writes the
 * sorted list of every preserved physical range (the only thing early boot
 * of the next kernel needs), checksums every metadata page and writes the
 * superblock, a small FDT, into the page whose address the next kernel gets
 * as pkram=. Its cost is proportional to the metadata, not the data.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/libfdt.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "internal.h"

static struct page *pkram_sb_page;
static struct page *pkram_avoid_page;

/* The page the next kernel's pkram= points to; 0 if PKRAM is off. */
phys_addr_t pkram_sb_phys(void)
{
	return pkram_sb_page ? page_to_phys(pkram_sb_page) : 0;
}

/* The page the x86 SETUP_PKRAM entry points at; 0 if PKRAM is off. */
phys_addr_t pkram_avoid_phys(void)
{
	return pkram_avoid_page ? page_to_phys(pkram_avoid_page) : 0;
}

static int __init pkram_sb_init(void)
{
	pkram_sb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	pkram_avoid_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (pkram_sb_page && pkram_avoid_page)
		return 0;
	if (pkram_sb_page)
		__free_page(pkram_sb_page);
	if (pkram_avoid_page)
		__free_page(pkram_avoid_page);
	pkram_sb_page = NULL;
	pkram_avoid_page = NULL;
	pr_err("no memory for the superblock: PKRAM cannot preserve anything\n");
	return -ENOMEM;
}
core_initcall(pkram_sb_init);

static bool pkram_node_preserved(struct pkram_node *node)
{
	return node->state == PKRAM_SAVED || node->state == PKRAM_INCOMING;
}

static int pkram_banned_fn(u64 start, u64 end, void *arg)
{
	return pkram_in_kexec_segment(start, end) ? -EADDRINUSE : 0;
}

static LIST_HEAD(pkram_pendings);

static int pkram_mark_fn(u64 start, u64 end, void *arg)
{
	return pkram_pfnmap_set(arg, PHYS_PFN(start), PHYS_PFN(end));
}

static int pkram_mark_handover(struct pkram_pfnmap *m)
{
	if (!pkram_sb_page)
		return 0;
	return pkram_mark_fn(pkram_sb_phys(), pkram_sb_phys() + PAGE_SIZE, m) ?:
	       pkram_mark_fn(pkram_avoid_phys(), pkram_avoid_phys() + PAGE_SIZE, m);
}

/* Does a loaded kexec segment overlap a marked page? */
static bool pkram_pfnmap_banned(const struct pkram_pfnmap *m)
{
	struct pkram_range ban[PKRAM_MAX_BANS];
	unsigned int i, n = pkram_kexec_bans(ban);

	for (i = 0; i < n; i++)
		if (pkram_pfnmap_any(m, PHYS_PFN(ban[i].start),
				     PFN_UP(ban[i].end)))
			return true;
	return false;
}

/* Copies of the ranges a pending walk reports (under its spinlock). */
struct pkram_rcopy {
	struct pkram_range *r;
	unsigned long n, cap;
};

static int pkram_copy_fn(u64 start, u64 end, void *arg)
{
	struct pkram_rcopy *c = arg;

	if (c->n < c->cap) {
		c->r[c->n].start = start;
		c->r[c->n].end = end;
	}
	c->n++;
	return 0;
}

/*
 * Mark what @p reports: its walk may hold a spinlock, and marking may
 * allocate, so copy the ranges out first (counted by a first walk).
 */
static int pkram_mark_pending(struct pkram_pfnmap *m, struct pkram_pending *p)
{
	struct pkram_rcopy c = { };
	unsigned long i;
	int err;

	for (;;) {
		c.n = 0;
		err = p->walk(p, pkram_copy_fn, &c);
		if (err || c.n <= c.cap)
			break;
		kvfree(c.r);
		c.cap = c.n + c.n / 8 + 16;	/* it may grow meanwhile */
		c.r = kvmalloc_array(c.cap, sizeof(*c.r), GFP_KERNEL);
		if (!c.r)
			return -ENOMEM;
	}
	for (i = 0; i < c.n && !err; i++)
		err = pkram_mark_fn(c.r[i].start, c.r[i].end, m);
	kvfree(c.r);
	return err;
}

/* Mark what the preserved nodes (and, per @flags, more) occupy. */
static int pkram_mark(struct pkram_pfnmap *m, unsigned int flags)
{
	struct pkram_pending *p;
	struct pkram_node *node;
	int err = 0;

	list_for_each_entry(node, &pkram_nodes, list)
		if (!err && pkram_node_preserved(node))
			err = pkram_walk_node(node->meta, pkram_mark_fn, m);
	if (flags & PKRAM_COLLECT_PENDING)
		list_for_each_entry(p, &pkram_pendings, list)
			if (!err)
				err = pkram_mark_pending(m, p);
	if (!err && (flags & PKRAM_COLLECT_HANDOVER))
		err = pkram_mark_handover(m);
	return err;
}

/* The marked pages as sorted, maximal ranges; NULL if none or no memory. */
static struct pkram_range *pkram_pfnmap_ranges(const struct pkram_pfnmap *m,
					       unsigned long *nr)
{
	struct pkram_range *r;
	unsigned long pos, s, e, n = 0;

	for (pos = 0; pkram_pfnmap_next(m, &pos, &s, &e); )
		n++;
	*nr = n;
	if (!n)
		return NULL;
	r = kvmalloc_array(n, sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	n = 0;
	for (pos = 0; pkram_pfnmap_next(m, &pos, &s, &e); ) {
		r[n].start = PFN_PHYS(s);
		r[n].end = PFN_PHYS(e);
		n++;
	}
	return r;
}

/**
 * pkram_register_pending - keep kexec clear of memory saved at kexec time
 * @pending: walks the memory; must stay valid until unregistered
 *
 * Context: Process context.
 */
void pkram_register_pending(struct pkram_pending *pending)
{
	mutex_lock(&pkram_mutex);
	list_add_tail(&pending->list, &pkram_pendings);
	mutex_unlock(&pkram_mutex);
}
EXPORT_SYMBOL_GPL(pkram_register_pending);

/**
 * pkram_unregister_pending - undo pkram_register_pending()
 * @pending: the registered walker
 *
 * Context: Process context.
 */
void pkram_unregister_pending(struct pkram_pending *pending)
{
	mutex_lock(&pkram_mutex);
	list_del(&pending->list);
	mutex_unlock(&pkram_mutex);
}
EXPORT_SYMBOL_GPL(pkram_unregister_pending);

/**
 * pkram_collect_map - mark every page the preserved nodes occupy
 * @m: an uninitialized page-frame map; on success the caller destroys it
 *     with pkram_pfnmap_destroy()
 * @flags: PKRAM_COLLECT_PENDING to include memory registered with
 *         pkram_register_pending(), PKRAM_COLLECT_HANDOVER to include the
 *         superblock and avoid pages
 *
 * Walks the saved and the unclaimed incoming nodes, metadata included.
 * Linear in the entries; the map takes about 1/32768 of the span of what
 * is marked, however many ranges that is. Caller holds pkram_mutex.
 *
 * Return: 0, or -ENOMEM (or -ERANGE for a page past max_pfn), with @m
 * destroyed.
 */
int pkram_collect_map(struct pkram_pfnmap *m, unsigned int flags)
{
	int err;

	lockdep_assert_held(&pkram_mutex);
	err = pkram_pfnmap_init(m, max_pfn);
	if (!err)
		err = pkram_mark(m, flags);
	if (err)
		pkram_pfnmap_destroy(m);
	return err;
}

/**
 * pkram_collect_ranges - every range the preserved nodes occupy, as an array
 * @nr: set to the number of ranges returned
 * @flags: as for pkram_collect_map()
 *
 * 16 bytes a range: for tests; the kernel's own users read the map.
 * Caller holds pkram_mutex and frees the result with kvfree().
 *
 * Return: a sorted array of disjoint, non-touching ranges, or NULL (then
 * *@nr is 0 if there is nothing to preserve, else it failed).
 */
struct pkram_range *pkram_collect_ranges(unsigned long *nr, unsigned int flags)
{
	struct pkram_range *r;
	struct pkram_pfnmap m;

	*nr = 1;
	if (pkram_collect_map(&m, flags))
		return NULL;
	r = pkram_pfnmap_ranges(&m, nr);
	pkram_pfnmap_destroy(&m);
	return r;
}

/**
 * pkram_hull - cover sorted ranges with at most @max ranges
 * @next: gives the ranges one at a time, sorted and disjoint; false at the end
 * @arg: passed to @next
 * @hull: where to write the cover
 * @max: the most ranges the cover may have, at least 1
 *
 * Keeps the @max - 1 largest gaps open, so the cover wastes as little
 * memory as @max ranges allow. One pass, with no memory but @hull; O(@max)
 * per range in the worst case.
 *
 * Return: the number of ranges written to @hull.
 */
unsigned int pkram_hull(pkram_range_next_fn next, void *arg,
			struct pkram_range *hull, unsigned int max)
{
	unsigned int ngaps = 0, i, j, out = 0;
	struct pkram_range r, first;
	u64 start, prev_end;

	if (!max || !next(arg, &first))
		return 0;
	/* hull[] first collects the largest gaps, as [end of one, start of next) */
	prev_end = first.end;
	while (next(arg, &r)) {
		u64 len = r.start - prev_end;

		if (ngaps == max - 1 &&
		    (!ngaps || len <= hull[ngaps - 1].end - hull[ngaps - 1].start)) {
			prev_end = r.end;
			continue;
		}
		i = ngaps < max - 1 ? ngaps++ : ngaps - 1;
		while (i && hull[i - 1].end - hull[i - 1].start < len) {
			hull[i] = hull[i - 1];
			i--;
		}
		hull[i].start = prev_end;
		hull[i].end = r.start;
		prev_end = r.end;
	}
	/* sort the kept gaps by address (few of them) */
	for (i = 1; i < ngaps; i++)
		for (j = i; j && hull[j - 1].start > hull[j].start; j--)
			swap(hull[j - 1], hull[j]);
	start = first.start;
	for (i = 0; i < ngaps; i++) {
		u64 gap_start = hull[i].start, gap_end = hull[i].end;

		hull[out].start = start;
		hull[out].end = gap_start;
		out++;
		start = gap_end;
	}
	hull[out].start = start;
	hull[out].end = prev_end;
	return out + 1;
}

/* The marked ranges of a page-frame map, for pkram_hull(). */
struct pkram_pfnmap_iter {
	const struct pkram_pfnmap *m;
	unsigned long pos;
};

static bool pkram_pfnmap_iter_next(void *arg, struct pkram_range *r)
{
	struct pkram_pfnmap_iter *it = arg;
	unsigned long s, e;

	if (!pkram_pfnmap_next(it->m, &it->pos, &s, &e))
		return false;
	r->start = PFN_PHYS(s);
	r->end = PFN_PHYS(e);
	return true;
}

static int pkram_write_sb(void *sb, fdt64_t *table, unsigned long nodes,
			  u64 ranges, u64 nr_ranges, u64 range_pages, u64 pages)
{
	u64 avoid = pkram_avoid_phys();
	int err;

	err = fdt_create(sb, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(sb);
	err = err ?: fdt_begin_node(sb, "");
	err = err ?: fdt_property_string(sb, "compatible", PKRAM_COMPATIBLE);
	err = err ?: fdt_property(sb, PKRAM_FDT_NODES, table,
				  nodes * sizeof(*table));
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_RANGES, ranges);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_NR_RANGES, nr_ranges);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_RANGE_PAGES, range_pages);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_PAGES, pages);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_AVOID, avoid);
	err = err ?: fdt_property_u32(sb, PKRAM_FDT_CRC, 0);	/* last */
	err = err ?: fdt_end_node(sb);
	err = err ?: fdt_finish(sb);
	err = err ?: pkram_sb_seal(sb);
	return err ? -EINVAL : 0;
}

/* The range list's pages, on a list: pkram_rl_write()'s page source. */
struct pkram_rl_list {
	struct pkram_pfnmap *m;
	struct list_head *list;
	struct page *page;		/* page @idx, or NULL */
	unsigned long idx;
};

static int pkram_rl_list_grow(void *arg)
{
	struct pkram_rl_list *rl = arg;
	struct page *page = pkram_alloc_safe(GFP_KERNEL | __GFP_ZERO, 0);

	if (!page)
		return -ENOMEM;
	list_add_tail(&page->lru, rl->list);
	return pkram_pfnmap_set(rl->m, page_to_pfn(page), page_to_pfn(page) + 1);
}

/* Page @i: asked for in order, from 0 again for each pass. */
static void *pkram_rl_list_page(void *arg, unsigned long i)
{
	struct pkram_rl_list *rl = arg;

	if (!i || !rl->page) {
		rl->page = list_first_entry_or_null(rl->list, struct page, lru);
		rl->idx = 0;
	}
	while (rl->page && rl->idx < i) {
		rl->page = list_is_last(&rl->page->lru, rl->list) ? NULL :
			   list_next_entry(rl->page, lru);
		rl->idx++;
	}
	return rl->page ? page_address(rl->page) : NULL;
}

/**
 * pkram_write_ranges - write the range list into fresh pages
 * @m: the preserved pages
 * @list: gets the pages of the list, which are preserved too: added (and
 *        marked in @m) until the list fits in them; the caller frees them
 *        if it does not hand them over
 * @head: set to the first page's address
 * @nr_ranges: set to the number of ranges the list yields
 * @list_pages: set to the number of pages in @list
 *
 * Return: 0, -ENOMEM, or -ERANGE if a page is not covered by @m.
 */
int pkram_write_ranges(struct pkram_pfnmap *m, struct list_head *list,
		       u64 *head, u64 *nr_ranges, u64 *list_pages)
{
	struct pkram_rl_list rl = { .m = m, .list = list };
	const struct pkram_rl_pages src = {
		.grow = pkram_rl_list_grow,
		.page = pkram_rl_list_page,
		.arg = &rl,
	};

	return pkram_rl_write(m, &src, head, nr_ranges, list_pages);
}

/**
 * pkram_arch_write_avoid - write what the next kernel's early boot avoids
 * @page: the avoid page (pkram_avoid_phys()), zeroed
 * @next: gives every preserved range, sorted (see pkram_hull())
 * @arg: passed to @next
 *
 * Called as the handover is written, for architectures whose boot code
 * must keep the new kernel off preserved memory before it can read the
 * handover (x86: the decompressor's KASLR). The default writes nothing.
 */
void __weak pkram_arch_write_avoid(void *page, pkram_range_next_fn next,
				   void *arg)
{
}

#ifdef CONFIG_PKRAM_TEST_HOOKS
/*
 * Test kernels only (CONFIG_PKRAM_TEST_HOOKS): called with the finished
 * superblock, so test_pkram can damage the handover the way a bug or a bad
 * memory cell would. Not for anything else.
 */
pkram_test_hook_t pkram_test_finalize_hook;
EXPORT_SYMBOL_GPL(pkram_test_finalize_hook);
#endif

/* The range list's pages of the handover written last; under pkram_mutex. */
static LIST_HEAD(pkram_rl_pages);

/* Forget the handover written last. Caller holds pkram_mutex. */
static void pkram_clear_handover(void)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &pkram_rl_pages, lru) {
		list_del(&page->lru);
		pkram_free_owned(page, 0);
	}
	memset(page_address(pkram_sb_page), 0, PAGE_SIZE);
	memset(page_address(pkram_avoid_page), 0, PAGE_SIZE);
}

/* A node that cannot be handed over refuses the kexec: log each @bad_fn finds. */
static int pkram_refuse_nodes(struct pkram_pfnmap *m,
			      bool (*bad_fn)(struct pkram_node *node,
					     struct pkram_pfnmap *m),
			      const char *why)
{
	struct pkram_node *node;
	int bad = 0;

	list_for_each_entry(node, &pkram_nodes, list) {
		if (!pkram_node_preserved(node) || !bad_fn(node, m))
			continue;
		pr_err("node %s %s: kexec refused\n", node->meta->name, why);
		bad++;
	}
	return bad;
}

static bool pkram_node_banned(struct pkram_node *node, struct pkram_pfnmap *m)
{
	return pkram_walk_node(node->meta, pkram_banned_fn, NULL);
}

/* Marks @node in @m: finds a page twice in it or in a node found before. */
static bool pkram_node_dup(struct pkram_node *node, struct pkram_pfnmap *m)
{
	m->dup = false;
	pkram_walk_node(node->meta, pkram_mark_fn, m);
	return m->dup;
}

/**
 * pkram_finalize - write the handover for the next kernel
 *
 * Called while a kexec is prepared, with pkram_finalizing set (no node is
 * saved, loaded or discarded any more) and the savers run. Every preserved
 * node is handed over, or none: a node the kexec would overwrite or that
 * saves a page twice refuses the kexec, as does a lack of memory.
 * pkram_unfinalize() takes the handover back.
 *
 * Return: 0 on success (including when nothing is preserved), or a negative
 * errno, in which case no handover is written.
 */
int pkram_finalize(void)
{
	u64 ranges = 0, nr_ranges = 0, pages = 0, meta = 0, list_pages = 0;
	struct pkram_pfnmap m = { };
	struct pkram_pfnmap_iter it = { .m = &m };
	struct pkram_node *node;
	unsigned long nodes = 0;
	u64 start = ktime_get_ns();
	fdt64_t *table;
	void *sb;
	int err = 0;

	if (!pkram_sb_page)
		return 0;
	sb = page_address(pkram_sb_page);
	table = kmalloc_array(PKRAM_MAX_NODES, sizeof(*table), GFP_KERNEL);

	mutex_lock(&pkram_mutex);
	list_for_each_entry(node, &pkram_nodes, list)
		if (!pkram_node_preserved(node))
			pr_warn("node %s is still being %s: not preserved\n",
				node->meta->name,
				node->state == PKRAM_SAVING ? "saved" : "loaded");
	pkram_clear_handover();

	err = pkram_pfnmap_init(&m, max_pfn) ?: pkram_mark(&m, 0);
	if (!err && pkram_pfnmap_banned(&m)) {
		/* rare: a node saved where the loaded kexec kernel goes */
		pkram_refuse_nodes(&m, pkram_node_banned,
				   "overlaps the loaded kexec kernel");
		err = -EADDRINUSE;
	}
	if (!err && m.dup) {
		/* the next kernel would refuse it: a page is handed out once */
		pkram_pfnmap_clear(&m);
		pkram_refuse_nodes(&m, pkram_node_dup,
				   "saves a page twice or shares it with another node");
		err = -EINVAL;
	}
	if (err)
		goto out;
	list_for_each_entry(node, &pkram_nodes, list) {
		if (!pkram_node_preserved(node))
			continue;
		if (!table || nodes == PKRAM_MAX_NODES) {
			err = -ENOMEM;
			goto out;
		}
		table[nodes++] = cpu_to_fdt64(virt_to_phys(node->meta));
		node->meta->hdr.next = 0;
		pages += node->meta->nr_pages;
		meta += node->meta->nr_meta;
	}
	if (!nodes)
		goto out;
	if (pkram_in_kexec_segment(pkram_sb_phys(),
				   pkram_sb_phys() + PAGE_SIZE) ||
	    pkram_in_kexec_segment(pkram_avoid_phys(),
				   pkram_avoid_phys() + PAGE_SIZE)) {
		err = -EADDRINUSE;	/* the kexec copy would overwrite it */
		goto out;
	}

	err = pkram_mark_handover(&m);
	err = err ?: pkram_write_ranges(&m, &pkram_rl_pages, &ranges,
					&nr_ranges, &list_pages);
	if (err)
		goto out;
	meta += list_pages + 2;		/* and the superblock and avoid pages */

	list_for_each_entry(node, &pkram_nodes, list)
		if (pkram_node_preserved(node))
			pkram_seal_node(node->meta, node->incoming);

	pkram_arch_write_avoid(page_address(pkram_avoid_page),
			       pkram_pfnmap_iter_next, &it);
	err = pkram_write_sb(sb, table, nodes, ranges, nr_ranges, list_pages,
			     pages);
	if (!err)
		/* working memory: the map and the node table */
		pr_info("preserving %lu node(s), %llu pages in %llu range(s), %llu metadata pages; finalized in %llu us, page-frame map %lu KiB, working memory %lu KiB\n",
			nodes, pages, nr_ranges, meta,
			div_u64(ktime_get_ns() - start, NSEC_PER_USEC),
			DIV_ROUND_UP(pkram_pfnmap_bytes(&m), SZ_1K),
			DIV_ROUND_UP(pkram_pfnmap_bytes(&m) +
				     PKRAM_MAX_NODES * sizeof(*table), SZ_1K));
#ifdef CONFIG_PKRAM_TEST_HOOKS
	if (!err && pkram_test_finalize_hook)
		pkram_test_finalize_hook(sb, fdt64_to_cpu(table[0]), ranges);
#endif
out:
	if (err) {
		pkram_clear_handover();
		pr_err("writing the handover failed (%d)\n", err);
	}
	mutex_unlock(&pkram_mutex);
	pkram_pfnmap_destroy(&m);
	kfree(table);
	return err;
}

/**
 * pkram_unfinalize - take back the handover pkram_finalize() wrote
 *
 * For a kexec that was refused after the handover was written: frees the
 * range list's pages and clears the superblock, so that no kernel started
 * later by other means finds a stale handover.
 */
void pkram_unfinalize(void)
{
	if (!pkram_sb_page)
		return;
	mutex_lock(&pkram_mutex);
	pkram_clear_handover();
	mutex_unlock(&pkram_mutex);
}
