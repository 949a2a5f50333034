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
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
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

/*
 * Add the superblock and avoid pages to sorted, merged ranges that have room
 * for two more; they are preserved whenever anything is.
 */
unsigned long pkram_add_handover_pages(struct pkram_range *r, unsigned long nr)
{
	r[nr].start = pkram_sb_phys();
	r[nr].end = r[nr].start + PAGE_SIZE;
	r[nr + 1].start = pkram_avoid_phys();
	r[nr + 1].end = r[nr + 1].start + PAGE_SIZE;
	return pkram_merge_ranges(r, nr + 2);
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
	return !node->dropped && (node->state == PKRAM_SAVED ||
				  node->state == PKRAM_INCOMING);
}

static int pkram_banned_fn(u64 start, u64 end, void *arg)
{
	return pkram_kexec_banned(start, end) ? -EADDRINUSE : 0;
}

struct pkram_collect {
	struct pkram_range *r;
	unsigned long nr;
	unsigned long max;
};

static int pkram_collect_fn(u64 start, u64 end, void *arg)
{
	struct pkram_collect *c = arg;

	if (c->r) {
		if (c->nr >= c->max)
			return -EOVERFLOW;
		c->r[c->nr].start = start;
		c->r[c->nr].end = end;
	}
	c->nr++;
	return 0;
}

static int pkram_range_cmp(const void *a, const void *b)
{
	const struct pkram_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/**
 * pkram_merge_ranges - sort ranges and merge those that touch or overlap
 * @r: the ranges
 * @nr: how many
 *
 * Return: the number of ranges left in @r.
 */
unsigned long pkram_merge_ranges(struct pkram_range *r, unsigned long nr)
{
	unsigned long i, out = 0;

	if (!nr)
		return 0;
	sort(r, nr, sizeof(*r), pkram_range_cmp, NULL);
	for (i = 1; i < nr; i++) {
		if (r[i].start < r[out].end)
			pr_warn_once("a page is preserved twice (%#llx); it is handed out once\n",
				     r[i].start);
		if (r[i].start <= r[out].end)
			r[out].end = max(r[out].end, r[i].end);
		else
			r[++out] = r[i];
	}
	return out + 1;
}

static LIST_HEAD(pkram_pendings);

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

static int pkram_collect_pass(struct pkram_collect *c, bool pending)
{
	struct pkram_pending *p;
	struct pkram_node *node;
	int err = 0;

	list_for_each_entry(node, &pkram_nodes, list)
		if (!err && pkram_node_preserved(node))
			err = pkram_walk_node(node->meta, pkram_collect_fn, c);
	if (pending)
		list_for_each_entry(p, &pkram_pendings, list)
			if (!err)
				err = p->walk(p, pkram_collect_fn, c);
	return err;
}

/* Room for what pending memory may grow by between the two passes. */
#define PKRAM_COLLECT_SLACK	256

/**
 * pkram_collect_ranges - every range the preserved nodes occupy
 * @nr: set to the number of ranges returned
 * @extra: room to leave at the end of the array for the caller
 * @pending: include memory registered with pkram_register_pending()
 *
 * Walks the saved and the unclaimed incoming nodes, metadata included.
 * Caller holds pkram_mutex and frees the result with kvfree().
 *
 * Return: a sorted, merged array, or NULL (then *@nr is 0 if there is
 * nothing to preserve, else allocation failed).
 */
struct pkram_range *pkram_collect_ranges(unsigned long *nr,
					 unsigned long extra, bool pending)
{
	struct pkram_collect c = { };
	int tries;

	lockdep_assert_held(&pkram_mutex);
	for (tries = 0; tries < 3; tries++) {
		c.r = NULL;
		c.nr = 0;
		pkram_collect_pass(&c, pending);
		*nr = c.nr;
		if (!c.nr)
			return NULL;
		c.max = c.nr + extra + (pending ? PKRAM_COLLECT_SLACK : 0);
		c.r = kvmalloc_array(c.max, sizeof(*c.r), GFP_KERNEL);
		if (!c.r)
			return NULL;
		c.nr = 0;
		c.max -= extra;
		if (!pkram_collect_pass(&c, pending)) {
			*nr = pkram_merge_ranges(c.r, c.nr);
			return c.r;
		}
		kvfree(c.r);	/* pending memory grew: count again */
	}
	*nr = 1;
	return NULL;
}

/**
 * pkram_hull - cover sorted ranges with at most @max ranges
 * @r: sorted, disjoint ranges
 * @nr: how many
 * @hull: where to write the cover
 * @max: the most ranges the cover may have, at least 1
 *
 * Keeps the @max - 1 largest gaps open, so the cover wastes as little
 * memory as @max ranges allow. O(@nr * @max) in the worst case.
 *
 * Return: the number of ranges written to @hull.
 */
unsigned int pkram_hull(const struct pkram_range *r, unsigned long nr,
			struct pkram_range *hull, unsigned int max)
{
	unsigned int ngaps = 0, i, j, out = 0;
	unsigned long k;
	u64 start;

	if (!nr || !max)
		return 0;
	/* hull[] first collects the largest gaps, as [end of one, start of next) */
	for (k = 1; k < nr; k++) {
		u64 len = r[k].start - r[k - 1].end;

		if (ngaps == max - 1 &&
		    (!ngaps || len <= hull[ngaps - 1].end - hull[ngaps - 1].start))
			continue;
		i = ngaps < max - 1 ? ngaps++ : ngaps - 1;
		while (i && hull[i - 1].end - hull[i - 1].start < len) {
			hull[i] = hull[i - 1];
			i--;
		}
		hull[i].start = r[k - 1].end;
		hull[i].end = r[k].start;
	}
	/* sort the kept gaps by address (few of them) */
	for (i = 1; i < ngaps; i++)
		for (j = i; j && hull[j - 1].start > hull[j].start; j--)
			swap(hull[j - 1], hull[j]);
	start = r[0].start;
	for (i = 0; i < ngaps; i++) {
		u64 gap_start = hull[i].start, gap_end = hull[i].end;

		hull[out].start = start;
		hull[out].end = gap_start;
		out++;
		start = gap_end;
	}
	hull[out].start = start;
	hull[out].end = r[nr - 1].end;
	return out + 1;
}

/* Checksum every metadata page of a node. */
void pkram_seal_node(struct pkram_node_meta *meta)
{
	u64 obj_phys = meta->first_obj;

	while (obj_phys) {
		struct pkram_obj_meta *obj = phys_to_virt(obj_phys);
		u64 heads[2] = { obj->folios_head, obj->bytes_head };
		int s;

		for (s = 0; s < 2; s++) {
			u64 link = heads[s];

			while (link) {
				struct pkram_link_meta *l = phys_to_virt(link);

				link = l->hdr.next;
				pkram_meta_seal(l);
			}
		}
		obj_phys = obj->hdr.next;
		pkram_meta_seal(obj);
	}
	pkram_meta_seal(meta);
}

static int pkram_write_sb(void *sb, fdt64_t *table, unsigned long nodes,
			  u64 ranges, u64 nr_ranges, u64 pages)
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
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_PAGES, pages);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_AVOID, avoid);
	err = err ?: fdt_end_node(sb);
	err = err ?: fdt_finish(sb);
	return err ? -EINVAL : 0;
}

/* Write the range list into freshly allocated pages; they are preserved too. */
static int pkram_write_ranges(struct pkram_range *r, unsigned long *nr,
			      u64 *head, u64 *list_pages)
{
	unsigned long m = 0, i, n = *nr, done = 0;
	struct pkram_ranges_meta *prev = NULL;
	struct page **pages;
	int err = -ENOMEM;

	/* each list page adds at most one range */
	while (m * PKRAM_RANGES_PER_PAGE < n + m)
		m++;
	pages = kvcalloc(m, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		pages[i] = pkram_alloc_safe(GFP_KERNEL | __GFP_ZERO, 0);
		if (!pages[i])
			goto out;
		r[n].start = page_to_phys(pages[i]);
		r[n].end = r[n].start + PAGE_SIZE;
		n++;
	}
	n = pkram_merge_ranges(r, n);

	*head = 0;
	for (i = 0; i < m; i++) {
		struct pkram_ranges_meta *p = page_address(pages[i]);
		/* spread evenly: merging may have left fewer ranges than room */
		unsigned long cnt = DIV_ROUND_UP(n - done, m - i);

		p->hdr.type = PKRAM_META_RANGES;
		p->nr = cnt;
		memcpy(p->r, &r[done], cnt * sizeof(*r));
		done += cnt;
		if (prev)
			prev->hdr.next = page_to_phys(pages[i]);
		else
			*head = page_to_phys(pages[i]);
		prev = p;
	}
	for (i = 0; i < m; i++)
		pkram_meta_seal(page_address(pages[i]));
	*nr = n;
	*list_pages = m;
	err = 0;
out:
	if (err)
		for (i = 0; i < m && pages[i]; i++)
			__free_page(pages[i]);
	kvfree(pages);
	return err;
}

#ifdef CONFIG_X86
#include <asm/setup_data.h>

/* Cover all preserved memory with a few ranges for the next decompressor. */
static void pkram_write_avoid(const struct pkram_range *r, unsigned long nr)
{
	struct pkram_avoid *pa = page_address(pkram_avoid_page);
	struct pkram_range hull[PKRAM_AVOID_MAX];
	unsigned int i, n;

	n = pkram_hull(r, nr, hull, PKRAM_AVOID_MAX);
	for (i = 0; i < n; i++) {
		pa->ranges[i].start = hull[i].start;
		pa->ranges[i].end = hull[i].end;
	}
	pa->nr = n;
	pa->magic = PKRAM_AVOID_MAGIC;
}
#else
static void pkram_write_avoid(const struct pkram_range *r, unsigned long nr) { }
#endif

#if IS_ENABLED(CONFIG_TEST_PKRAM)
/*
 * Test-only: called with the finished superblock, so test_pkram can damage
 * the handover the way a bug or a bad memory cell would. Not for anything
 * else.
 */
pkram_test_hook_t pkram_test_finalize_hook;
EXPORT_SYMBOL_GPL(pkram_test_finalize_hook);
#endif

/**
 * pkram_finalize - write the handover for the next kernel
 *
 * Called once, in the kexec reboot path. From here on new saves fail with
 * -EBUSY; nodes still being saved or loaded are not preserved.
 *
 * Return: 0 on success (including when nothing is preserved), or a negative
 * errno, in which case nothing is preserved.
 */
int pkram_finalize(void)
{
	struct pkram_range *r = NULL;
	struct pkram_node *node;
	unsigned long nr, nodes = 0;
	u64 ranges = 0, pages = 0, meta = 0, list_pages, start = ktime_get_ns();
	fdt64_t *table;
	void *sb;
	int err = 0;

	if (!pkram_sb_page)
		return 0;
	sb = page_address(pkram_sb_page);
	table = kmalloc_array(PKRAM_MAX_NODES, sizeof(*table), GFP_KERNEL);

	mutex_lock(&pkram_mutex);
	pkram_finalizing = true;
	list_for_each_entry(node, &pkram_nodes, list) {
		if (!pkram_node_preserved(node)) {
			pr_warn("node %s is still being %s: not preserved\n",
				node->meta->name,
				node->state == PKRAM_SAVING ? "saved" : "loaded");
			continue;
		}
		if (pkram_walk_node(node->meta, pkram_banned_fn, NULL)) {
			pr_err("node %s overlaps the loaded kexec kernel: not preserved\n",
			       node->meta->name);
			node->dropped = true;
			continue;
		}
		if (!table || nodes == PKRAM_MAX_NODES) {
			err = -ENOMEM;
			break;
		}
		table[nodes++] = cpu_to_fdt64(virt_to_phys(node->meta));
		node->meta->hdr.next = 0;
		pages += node->meta->nr_pages;
		meta += node->meta->nr_meta;
	}
	memset(sb, 0, PAGE_SIZE);
	memset(page_address(pkram_avoid_page), 0, PAGE_SIZE);
	if (!nodes || err)
		goto out;
	if (pkram_kexec_banned(pkram_sb_phys(), pkram_sb_phys() + PAGE_SIZE) ||
	    pkram_kexec_banned(pkram_avoid_phys(),
			       pkram_avoid_phys() + PAGE_SIZE)) {
		err = -EADDRINUSE;	/* the kexec copy would overwrite it */
		goto out;
	}

	/* room for the superblock, avoid and range list pages */
	r = pkram_collect_ranges(&nr, 3, false);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	if (nr + 3 > PKRAM_RANGES_PER_PAGE) {
		struct pkram_range *big;
		unsigned long room = nr + 3 + nr / (PKRAM_RANGES_PER_PAGE - 1) + 2;

		big = kvmalloc_array(room, sizeof(*r), GFP_KERNEL);
		if (!big) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(big, r, nr * sizeof(*r));
		kvfree(r);
		r = big;
	}
	nr = pkram_add_handover_pages(r, nr);
	err = pkram_write_ranges(r, &nr, &ranges, &list_pages);
	if (err)
		goto out;
	meta += list_pages + 2;		/* and the superblock and avoid pages */

	list_for_each_entry(node, &pkram_nodes, list)
		if (pkram_node_preserved(node))
			pkram_seal_node(node->meta);

	pkram_write_avoid(r, nr);
	err = pkram_write_sb(sb, table, nodes, ranges, nr, pages);
	if (!err)
		pr_info("preserving %lu node(s), %llu pages in %lu range(s), %llu metadata pages; finalized in %llu us\n",
			nodes, pages, nr, meta,
			div_u64(ktime_get_ns() - start, NSEC_PER_USEC));
#if IS_ENABLED(CONFIG_TEST_PKRAM)
	if (!err && pkram_test_finalize_hook)
		pkram_test_finalize_hook(sb, fdt64_to_cpu(table[0]), ranges);
#endif
out:
	if (err) {
		memset(sb, 0, PAGE_SIZE);
		memset(page_address(pkram_avoid_page), 0, PAGE_SIZE);
		pr_err("finalizing failed (%d): nothing is preserved across this kexec\n",
		       err);
	}
	mutex_unlock(&pkram_mutex);
	kvfree(r);
	kfree(table);
	return err;
}
