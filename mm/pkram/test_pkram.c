// SPDX-License-Identifier: GPL-2.0
/*
 * test_pkram: save pseudo-random data into PKRAM nodes and, after a kexec,
 * verify every byte, folio order and index.
 *
 * Everything is derived from a seed, so the verifying kernel regenerates
 * what the saving kernel wrote instead of trusting anything it finds:
 *
 *   modprobe test_pkram action=save   prefix=a seed=42 nodes=3
 *   (kexec)
 *   modprobe test_pkram action=verify prefix=a seed=42 nodes=3
 *
 * action=saver registers a pkram_saver that saves the nodes in the kexec
 * reboot path (the module must stay loaded until then); saver_fails=N makes
 * its first N runs fail after saving, saver_optional=1 registers it as
 * optional, saver_changed=1 reports a change from a reboot notifier (after
 * PKRAM prepared the handover), so that it runs again after devices are
 * shut down and saves one more node.
 *
 * action=scatter saves one node of scatter_mb MiB of order-0 pages, no two
 * of them physically adjacent, so each is its own preserved range;
 * action=verify-scatter checks it. The module's init returns 0 on success
 * and an error otherwise, after printing "test_pkram: FAIL: <why>".
 *
 * action=dumpseed prints the handover's metadata pages at kexec, for the
 * fuzz seed corpus (tests/fuzz/mk-corpus.sh).
 *
 * Options of action=save and action=verify for the hardening scenarios:
 *   movable=1      save movable folios (GFP_HIGHUSER_MOVABLE): those in
 *                  ZONE_MOVABLE must be preserved as copies, not pinned;
 *                  verify checks no loaded folio is in ZONE_MOVABLE
 *   range_start=, range_end=
 *                  take order-0 pages only from physical [start, end)
 *                  (e.g. a hot-added memory block); verify checks they
 *                  came back there
 *   failinject=1   make only the PKRAM calls fail under fault injection
 *                  (current->make_it_fail); a save that fails with -ENOMEM
 *                  prints "test_pkram: save <name> failed: -12", no FAIL;
 *                  a successful one prints the fault points it passed
 *   fail_nth=N     with failinject=1: the Nth of those fails, once
 *   inplace=1      object 0 of each node is PKRAM_DATA_inplace: memory
 *                  that is not the kernel's, never discarded after kexec
 * action=movable-inplace checks that an inplace object refuses a movable
 * folio with -EADDRNOTAVAIL. action=save-lru saves node <prefix>-0 of one
 * whole MAX_PAGE_ORDER block of order-0 pages in [range_start, range_end),
 * put on the LRU first like page cache, so that memory offlining sees
 * movable pages PKRAM holds and nothing else of the block gets used.
 */
#define pr_fmt(fmt) "test_pkram: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pkram.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

static char *action = "save";
module_param(action, charp, 0);
MODULE_PARM_DESC(action, "save, verify, verify-bad, saver, scatter, verify-scatter, corrupt, plant or dumpseed");
static char *prefix = "test";
module_param(prefix, charp, 0);
MODULE_PARM_DESC(prefix, "node name prefix; nodes are <prefix>-<n>");
static ulong seed = 1;
module_param(seed, ulong, 0);
MODULE_PARM_DESC(seed, "seed of everything saved");
static uint nodes = 3;
module_param(nodes, uint, 0);
MODULE_PARM_DESC(nodes, "number of nodes");
static uint objs = 4;
module_param(objs, uint, 0);
MODULE_PARM_DESC(objs, "objects per node");
static uint max_folios = 48;
module_param(max_folios, uint, 0);
MODULE_PARM_DESC(max_folios, "most folios per object");
static uint max_order = MAX_PAGE_ORDER;
module_param(max_order, uint, 0);
MODULE_PARM_DESC(max_order, "largest folio order");
static uint max_bytes = 256 * 1024;
module_param(max_bytes, uint, 0);
MODULE_PARM_DESC(max_bytes, "longest byte stream");
static uint scatter_mb = 64;
module_param(scatter_mb, uint, 0);
MODULE_PARM_DESC(scatter_mb, "MiB of scattered order-0 pages for action=scatter");

static uint first;
module_param(first, uint, 0);
MODULE_PARM_DESC(first, "first node to verify (the ones before were damaged on purpose)");
static char *target = "node";
module_param(target, charp, 0);
MODULE_PARM_DESC(target, "action=corrupt: sb, compat, node, link, ranges or data");
static uint csum;
module_param(csum, uint, 0);
MODULE_PARM_DESC(csum, "action=save: objects carry PKRAM_DATA_csum");
static uint inplace;
module_param(inplace, uint, 0);
MODULE_PARM_DESC(inplace, "action=save: object 0 is PKRAM_DATA_inplace (memory that is not the kernel's)");
static char *kind = "zero";
module_param(kind, charp, 0);
MODULE_PARM_DESC(kind, "action=plant: zero or random");
static bool movable;
module_param(movable, bool, 0);
MODULE_PARM_DESC(movable, "save movable folios; verify none came back in ZONE_MOVABLE");
static ulong range_start;
module_param(range_start, ulong, 0);
MODULE_PARM_DESC(range_start, "take order-0 pages from physical [range_start, range_end)");
static ulong range_end;
module_param(range_end, ulong, 0);
MODULE_PARM_DESC(range_end, "see range_start");
static bool failinject;
module_param(failinject, bool, 0);
MODULE_PARM_DESC(failinject, "let fault injection fail the PKRAM calls only");
static uint fail_nth;
module_param(fail_nth, uint, 0);
MODULE_PARM_DESC(fail_nth, "fail the fail_nth-th allocation of the PKRAM calls");
static uint saver_fails;
module_param(saver_fails, uint, 0);
MODULE_PARM_DESC(saver_fails, "action=saver: the first saver_fails runs of the saver fail with -EIO");
static bool saver_optional;
module_param(saver_optional, bool, 0);
MODULE_PARM_DESC(saver_optional, "action=saver: register an optional saver");
static bool saver_changed;
module_param(saver_changed, bool, 0);
MODULE_PARM_DESC(saver_changed, "action=saver: report a change from a reboot notifier");

#include "internal.h"

#define FAIL(fmt, ...) ({ pr_err("FAIL: " fmt "\n", ##__VA_ARGS__); -EIO; })

/* The content of word @i of page @pg of folio stream @key: cheap, all bytes. */
static inline u64 pattern(u64 key, u64 pg, u64 i)
{
	u64 x = key ^ (pg * 0x9e3779b97f4a7c15ULL) ^ (i * 0xbf58476d1ce4e5b9ULL);

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 29);
}

static void fill_page(struct page *page, u64 key, u64 pg)
{
	u64 *p = kmap_local_page(page);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / 8; i++)
		p[i] = pattern(key, pg, i);
	kunmap_local(p);
}

static bool check_page(struct page *page, u64 key, u64 pg)
{
	u64 *p = kmap_local_page(page);
	unsigned int i;
	bool ok = true;

	for (i = 0; i < PAGE_SIZE / 8 && ok; i++)
		ok = p[i] == pattern(key, pg, i);
	kunmap_local(p);
	return ok;
}

/* Byte @off of byte stream @key; any chunking gives the same stream. */
static void fill_bytes(u8 *buf, u64 key, u64 off, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++, off++)
		buf[j] = pattern(key, off >> 3, 0) >> ((off & 7) * 8);
}

/* What object @o of a node holds, drawn from the node's generator. */
struct obj_plan {
	enum pkram_data_flags flags;
	unsigned int nr_folios;
	size_t nr_bytes;
};

static void plan_obj(struct rnd_state *rs, unsigned int o, struct obj_plan *p)
{
	static const size_t lens[] = { 0, 1, 4095, 4096, 4097 };

	/* object 0: folios only, 1: bytes only, then both; last: empty */
	p->flags = o == 0 ? PKRAM_DATA_folios : o == 1 ? PKRAM_DATA_bytes :
		   PKRAM_DATA_folios | PKRAM_DATA_bytes;
	if (csum)
		p->flags |= PKRAM_DATA_csum;
	else if (inplace && o == 0)
		p->flags |= PKRAM_DATA_inplace;
	p->nr_folios = (p->flags & PKRAM_DATA_folios) ?
		       prandom_u32_state(rs) % (max_folios + 1) : 0;
	if (!(p->flags & PKRAM_DATA_bytes))
		p->nr_bytes = 0;
	else if (o < 2 + ARRAY_SIZE(lens))
		p->nr_bytes = lens[(o + 1) % ARRAY_SIZE(lens)];
	else
		p->nr_bytes = prandom_u32_state(rs) % (max_bytes + 1);
	if (o == objs - 1 && o > 2) {
		p->nr_folios = 0;
		p->nr_bytes = 0;
	}
}

static unsigned int draw_order(struct rnd_state *rs)
{
	unsigned int r = prandom_u32_state(rs) % 16;
	unsigned int order;

	/* mostly small folios, some large, a few of the largest order */
	order = r < 8 ? 0 : r < 12 ? 1 + r % 3 : r < 15 ? 4 + r % 5 : max_order;
	return min(order, max_order);
}

/* Index of the next folio: usually follows on, sometimes jumps. */
static unsigned long draw_index(struct rnd_state *rs, unsigned long next)
{
	return prandom_u32_state(rs) % 4 ? next : next + prandom_u32_state(rs);
}

static u64 node_seed(unsigned int n)
{
	return seed * 1000003ULL + n;
}

/*
 * Fault injection for the PKRAM call in @call only: make_it_fail for the
 * task-filtered fault attributes, and fail_nth counted over PKRAM calls only.
 */
#ifdef CONFIG_FAULT_INJECTION
static unsigned int fail_left;
static unsigned long fault_points;

#define PK(call) ({						\
	typeof(call) __ret;					\
	current->make_it_fail = failinject;			\
	current->fail_nth = fail_left;				\
	__ret = (call);						\
	fault_points += fail_left - current->fail_nth;		\
	fail_left = current->fail_nth;				\
	current->fail_nth = 0;					\
	current->make_it_fail = 0;				\
	__ret;							\
})
#else
#define PK(call) (call)
#endif

/* order-0 pages inside [range_start, range_end), from split MAX order blocks */
static LIST_HEAD(range_pool);

static bool in_test_range(u64 phys, u64 size)
{
	return phys >= range_start && phys + size <= range_end;
}

/* Free what a refill held while looking for pages in the range. */
static void range_unhog(struct list_head *hog, unsigned int order)
{
	struct page *page;

	while (!list_empty(hog)) {
		page = list_first_entry(hog, struct page, lru);
		list_del(&page->lru);
		__free_pages(page, order);
	}
}

/*
 * Allocate MAX_PAGE_ORDER blocks until one lies in the range, holding the
 * others meanwhile: free blocks of memory hot-added last sit at the tail of
 * the free lists, behind a few hundred blocks at most in a test guest.
 * Unless @whole, settle for single free pages in the range (up to a block's
 * worth) when no whole block there is free, as in a debug kernel whose
 * KASAN shadow and kexec pages broke the blocks up.
 */
static int range_refill(bool whole)
{
	struct page *page;
	LIST_HEAD(hog);
	unsigned long i, got = 0;

	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
				   MAX_PAGE_ORDER))) {
		if (in_test_range(page_to_phys(page), PAGE_SIZE << MAX_PAGE_ORDER))
			break;
		list_add(&page->lru, &hog);
	}
	range_unhog(&hog, MAX_PAGE_ORDER);
	if (page) {
		split_page(page, MAX_PAGE_ORDER);
		for (i = 0; i < (1UL << MAX_PAGE_ORDER); i++)
			list_add_tail(&page[i].lru, &range_pool);
		return 0;
	}
	if (whole)
		return -ENOMEM;
	while (got < (1UL << MAX_PAGE_ORDER) &&
	       (page = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY))) {
		if (in_test_range(page_to_phys(page), PAGE_SIZE)) {
			list_add_tail(&page->lru, &range_pool);
			got++;
		} else {
			list_add(&page->lru, &hog);
		}
	}
	range_unhog(&hog, 0);
	return got ? 0 : -ENOMEM;
}

static void range_drain(void)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &range_pool, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

static struct folio *test_alloc_folio(unsigned int order)
{
	struct page *page;

	if (!range_end)
		return folio_alloc(movable ? GFP_HIGHUSER_MOVABLE : GFP_KERNEL,
				   order);
	if (order || (list_empty(&range_pool) && range_refill(false)))
		return NULL;
	page = list_first_entry(&range_pool, struct page, lru);
	list_del(&page->lru);
	return page_folio(page);
}

/* Checks of a folio just saved; @nr_movable counts those in ZONE_MOVABLE. */
static int check_saved(struct folio *folio, unsigned long *nr_movable)
{
	unsigned long i;

	if (!movable || !folio_is_zone_movable(folio))
		return 0;
	(*nr_movable)++;
	if (folio_ref_count(folio) != 1)
		return FAIL("PKRAM holds a folio in ZONE_MOVABLE (refcount %d)",
			    folio_ref_count(folio));
	/* a copy was preserved: what the folio holds from now on is not */
	for (i = 0; i < folio_nr_pages(folio); i++)
		clear_highpage(folio_page(folio, i));
	return 0;
}

static int check_loaded(struct folio *folio)
{
	if (movable && folio_is_zone_movable(folio))
		return FAIL("a preserved folio came back in ZONE_MOVABLE (pfn %#lx)",
			    folio_pfn(folio));
	if (range_end && !in_test_range(PFN_PHYS(folio_pfn(folio)), folio_size(folio)))
		return FAIL("folio at pfn %#lx is outside [%#lx, %#lx)",
			    folio_pfn(folio), range_start, range_end);
	return 0;
}

static int save_node(unsigned int n)
{
	struct pkram_stream ps;
	struct rnd_state rs;
	char name[PKRAM_NAME_MAX + 1];
	unsigned int o, f;
	unsigned long nr_movable = 0;
	u64 pg = 0;
	u8 *buf;
	int err;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s-%u", prefix, n);
	prandom_seed_state(&rs, node_seed(n));
	err = PK(pkram_prepare_save(&ps, name, GFP_KERNEL));
	if (err) {
		kfree(buf);
		if (failinject && err == -ENOMEM) {
			pr_info("save %s failed: %d\n", name, err);
			return err;
		}
		return FAIL("prepare_save %s: %d", name, err);
	}
	for (o = 0; o < objs && !err; o++) {
		struct obj_plan p;
		unsigned long index = 0;
		size_t left;

		plan_obj(&rs, o, &p);
		err = PK(pkram_prepare_save_obj(&ps, p.flags));
		if (err)
			break;
		if (p.flags & PKRAM_DATA_folios) {
			PKRAM_ACCESS(pa, &ps, folios);

			for (f = 0; f < p.nr_folios && !err; f++) {
				unsigned int order = draw_order(&rs);
				struct folio *folio;
				unsigned long i;

				index = draw_index(&rs, index);
				folio = test_alloc_folio(order);
				if (!folio) {
					err = FAIL("no memory for test folios");
					break;
				}
				for (i = 0; i < folio_nr_pages(folio); i++)
					fill_page(folio_page(folio, i), node_seed(n),
						  pg + i);
				pg += folio_nr_pages(folio);
				folio->index = index;
				index += folio_nr_pages(folio);
				err = PK(pkram_save_folio(&pa, folio));
				if (!err)
					err = check_saved(folio, &nr_movable);
				folio_put(folio);	/* PKRAM holds its own ref */
			}
			pkram_finish_access(&pa);
		}
		if (!err && (p.flags & PKRAM_DATA_bytes)) {
			PKRAM_ACCESS(pa, &ps, bytes);

			for (left = p.nr_bytes; left && !err; ) {
				size_t chunk = min_t(size_t, left,
						     1 + prandom_u32_state(&rs) % PAGE_SIZE);
				ssize_t w;

				fill_bytes(buf, node_seed(n) ^ (o + 1),
					   p.nr_bytes - left, chunk);
				w = PK(pkram_write(&pa, buf, chunk));
				if (w != chunk)	/* a short write: out of memory */
					err = w < 0 ? w : -ENOMEM;
				left -= chunk;
			}
			pkram_finish_access(&pa);
		}
		pkram_finish_save_obj(&ps);
	}
	kfree(buf);
	if (!err && movable && !nr_movable)
		err = FAIL("no folio landed in ZONE_MOVABLE (boot with movablecore=)");
	if (err) {
		pkram_discard_save(&ps);
		if (failinject && err == -ENOMEM) {
			pr_info("save %s failed: %d\n", name, err);
			return err;
		}
		return FAIL("saving %s: %d", name, err);
	}
	err = PK(pkram_finish_save(&ps));
	if (err)
		return FAIL("finish_save %s: %d", name, err);
	pr_info("saved %s: %u objects, %llu pages (%lu in ZONE_MOVABLE)\n",
		name, objs, pg, nr_movable);
	return 0;
}

static int verify_node(unsigned int n)
{
	struct pkram_stream ps;
	struct rnd_state rs;
	char name[PKRAM_NAME_MAX + 1];
	unsigned int o, f;
	u8 *buf, *want;
	u64 pg = 0;
	int err;

	snprintf(name, sizeof(name), "%s-%u", prefix, n);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	want = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf || !want) {
		err = -ENOMEM;
		goto out_free;
	}
	prandom_seed_state(&rs, node_seed(n));
	err = pkram_prepare_load(&ps, name);
	if (err) {
		err = FAIL("prepare_load %s: %d", name, err);
		goto out_free;
	}
	for (o = 0; o < objs && !err; o++) {
		struct obj_plan p;
		unsigned long index = 0;

		plan_obj(&rs, o, &p);
		err = pkram_prepare_load_obj(&ps);
		if (err) {
			err = FAIL("%s: object %u missing: %d", name, o, err);
			break;
		}
		if (p.flags & PKRAM_DATA_folios) {
			PKRAM_ACCESS(pa, &ps, folios);

			for (f = 0; f <= p.nr_folios && !err; f++) {
				unsigned int order = f < p.nr_folios ? draw_order(&rs) : 0;
				unsigned long got_index, i;
				struct folio *folio;

				if (f < p.nr_folios)
					index = draw_index(&rs, index);
				folio = pkram_load_folio(&pa, &got_index);
				if (f == p.nr_folios) {
					if (folio)
						err = FAIL("%s/%u: extra folio", name, o);
					break;
				}
				if (IS_ERR_OR_NULL(folio)) {
					err = FAIL("%s/%u: folio %u missing (%ld)", name, o,
						   f, PTR_ERR(folio));
					break;
				}
				err = check_loaded(folio);
				if (!err &&
				    (folio_order(folio) != order || got_index != index ||
				     folio_ref_count(folio) != 1 ||
				     PageReserved(&folio->page)))
					err = FAIL("%s/%u/%u: order %u/%u idx %lu/%lu ref %d",
						   name, o, f, folio_order(folio), order,
						   got_index, index, folio_ref_count(folio));
				for (i = 0; !err && i < folio_nr_pages(folio); i++)
					if (!check_page(folio_page(folio, i),
							node_seed(n), pg + i))
						err = FAIL("%s/%u/%u: data differs in page %lu",
							   name, o, f, i);
				pg += folio_nr_pages(folio);
				index += folio_nr_pages(folio);
				folio_put(folio);
			}
			pkram_finish_access(&pa);
		}
		if (!err && (p.flags & PKRAM_DATA_bytes)) {
			PKRAM_ACCESS(pa, &ps, bytes);
			size_t left = p.nr_bytes, got;

			/* read in chunks unrelated to how it was written */
			while (left && !err) {
				size_t chunk = min_t(size_t, left, 1000);

				got = pkram_read(&pa, buf, chunk);
				fill_bytes(want, node_seed(n) ^ (o + 1),
					   p.nr_bytes - left, chunk);
				if (got != chunk || memcmp(buf, want, chunk))
					err = FAIL("%s/%u: byte stream differs", name, o);
				left -= chunk;
			}
			if (!err && pkram_read(&pa, buf, 1))
				err = FAIL("%s/%u: byte stream too long", name, o);
			pkram_finish_access(&pa);
			/* keep the generator in step with save_node() */
			for (left = p.nr_bytes; left; ) {
				size_t chunk = min_t(size_t, left,
						     1 + prandom_u32_state(&rs) % PAGE_SIZE);
				left -= chunk;
			}
		}
		pkram_finish_load_obj(&ps);
	}
	if (!err && pkram_prepare_load_obj(&ps) != -ENODATA)
		err = FAIL("%s: extra object", name);
	pkram_finish_load(&ps);
	if (!err)
		pr_info("verified %s: %u objects, %llu pages\n", name, objs, pg);
out_free:
	kfree(buf);
	kfree(want);
	return err;
}

static int scatter_save(void)
{
	unsigned long i, nr = (unsigned long)scatter_mb << (20 - PAGE_SHIFT);
	struct pkram_stream ps;
	char name[PKRAM_NAME_MAX + 1];
	int err;

	PKRAM_ACCESS(pa, &ps, folios);

	snprintf(name, sizeof(name), "%s-scatter", prefix);
	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err)
		return FAIL("prepare_save %s: %d", name, err);
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios);
	for (i = 0; i < nr && !err; i++) {
		/* keep the first page of a pair, free its neighbour */
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 1);

		if (!page) {
			err = -ENOMEM;
			break;
		}
		split_page(page, 1);
		__free_page(page + 1);
		page->index = i;
		((u64 *)page_address(page))[0] = pattern(seed, i, 0);
		((u64 *)page_address(page))[PAGE_SIZE / 8 - 1] = pattern(seed, i, 1);
		err = pkram_save_folio(&pa, page_folio(page));
		put_page(page);
		if (!(i % 4096))
			cond_resched();
	}
	pkram_finish_access(&pa);
	if (!err)
		pkram_finish_save_obj(&ps);
	if (err) {
		pkram_discard_save(&ps);
		return FAIL("scatter save after %lu pages: %d", i, err);
	}
	err = pkram_finish_save(&ps);
	if (err)
		return FAIL("finish_save %s: %d", name, err);
	pr_info("saved %s: %lu scattered pages\n", name, nr);
	return 0;
}

static int scatter_verify(void)
{
	unsigned long i = 0, idx, nr = (unsigned long)scatter_mb << (20 - PAGE_SHIFT);
	unsigned long prev_pfn = 0;
	struct pkram_stream ps;
	struct folio *folio;
	char name[PKRAM_NAME_MAX + 1];
	int err;

	PKRAM_ACCESS(pa, &ps, folios);

	snprintf(name, sizeof(name), "%s-scatter", prefix);
	err = pkram_prepare_load(&ps, name);
	if (err)
		return FAIL("prepare_load %s: %d", name, err);
	err = pkram_prepare_load_obj(&ps);
	while (!err && (folio = pkram_load_folio(&pa, &idx))) {
		u64 *p;

		if (IS_ERR(folio)) {
			err = FAIL("scatter page %lu: %ld", i, PTR_ERR(folio));
			break;
		}
		p = folio_address(folio);
		if (idx != i || folio_order(folio) ||
		    folio_pfn(folio) == prev_pfn + 1 ||
		    p[0] != pattern(seed, i, 0) ||
		    p[PAGE_SIZE / 8 - 1] != pattern(seed, i, 1))
			err = FAIL("scatter page %lu (index %lu) differs", i, idx);
		prev_pfn = folio_pfn(folio);
		folio_put(folio);
		i++;
		if (!(i % 4096))
			cond_resched();
	}
	if (!err && i != nr)
		err = FAIL("scatter: %lu of %lu pages", i, nr);
	pkram_finish_access(&pa);
	if (ps.obj)
		pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	if (!err)
		pr_info("verified %s: %lu scattered pages\n", name, nr);
	return err;
}

/* action=verify-bad: the first object of <prefix>-0 fails its checksum */
static int verify_bad_csum(void)
{
	char name[PKRAM_NAME_MAX + 1];
	struct pkram_stream ps;
	int err;

	snprintf(name, sizeof(name), "%s-0", prefix);
	err = pkram_prepare_load(&ps, name);
	if (err)
		return FAIL("prepare_load %s: %d", name, err);
	err = pkram_prepare_load_obj(&ps);
	if (err == -EBADMSG) {
		pkram_finish_load_obj(&ps);	/* dropped, memory freed */
		err = 0;
	} else {
		err = FAIL("%s: damaged object loaded: %d", name, err);
		if (!err)
			pkram_finish_load_obj(&ps);
	}
	pkram_finish_load(&ps);
	return err;
}

/*
 * action=corrupt: once the handover is written, flip one bit (chosen by the
 * seed) of the superblock, the first node page, its first link page or the
 * first range list page. The next kernel must refuse what is damaged, say
 * so, and deliver the rest.
 */
static void test_pkram_corrupt(void *sb, u64 nodes_phys, u64 ranges_phys)
{
	size_t len = PAGE_SIZE, i;
	u64 phys = 0;
	u8 *page;
	u32 bit;

	if (!strcmp(target, "sb") || !strcmp(target, "compat")) {
		page = sb;
		len = be32_to_cpu(((__be32 *)sb)[1]);	/* FDT totalsize */
		if (!strcmp(target, "compat")) {
			/* a valid FDT of a format version nobody knows */
			size_t clen = strlen(PKRAM_COMPATIBLE);

			for (i = 0; i + clen <= len; i++)
				if (!memcmp(page + i, PKRAM_COMPATIBLE, clen))
					page[i + clen - 1] = '9';
			pr_info("corrupted compat\n");
			return;
		}
	} else {
		phys = strcmp(target, "ranges") ? nodes_phys : ranges_phys;
		if (phys && (!strcmp(target, "link") || !strcmp(target, "data"))) {
			struct pkram_node_meta *node = phys_to_virt(phys);
			struct pkram_obj_meta *obj = phys_to_virt(node->first_obj);

			phys = obj->folios_head ?: obj->bytes_head;
			/* data: the first folio; its checksum is already taken */
			if (phys && !strcmp(target, "data"))
				phys = ((struct pkram_link_meta *)phys_to_virt(phys))->words[0] &
				       PKRAM_ENT_PHYS_MASK;
		}
		if (!phys) {
			pr_err("FAIL: nothing to corrupt for target %s\n", target);
			return;
		}
		page = phys_to_virt(phys);
	}
	bit = (u32)(seed * 2654435761u) % (len * 8);
	page[bit / 8] ^= 1 << (bit % 8);
	pr_info("corrupted %s: flipped bit %u of %zu bytes\n", target, bit, len);
}

/*
 * action=dumpseed: once the handover is written, print its metadata pages:
 * the superblock, the range list pages, and each node's node, object and
 * link pages, as
 *   pkram-seed: <phys> <offset> <hex of 256 bytes>
 * lines, all-zero chunks after the first left out, between
 * "pkram-seed: begin sb=<phys>" and "pkram-seed: end pages=<n>".
 * tests/fuzz/mk-corpus.sh turns them into fuzz seeds. Only the page chains
 * are followed (hdr.next, first_obj, folios_head, bytes_head), so this
 * does not depend on how entries or ranges are encoded.
 */
#define SEED_CHUNK	256
#define SEED_MAX_PAGES	4096

static unsigned int seed_pages;

static void seed_dump_page(u64 phys)
{
	const u8 *page = phys_to_virt(phys);
	char hex[SEED_CHUNK * 2 + 1];
	unsigned int off;

	for (off = 0; off < PAGE_SIZE; off += SEED_CHUNK) {
		if (off && !memchr_inv(page + off, 0, SEED_CHUNK))
			continue;
		*bin2hex(hex, page + off, SEED_CHUNK) = '\0';
		pr_info("pkram-seed: %llx %x %s\n", phys, off, hex);
	}
	seed_pages++;
}

/* Dump a chain of metadata pages linked by hdr.next. */
static void seed_dump_chain(u64 phys)
{
	for (; phys && seed_pages < SEED_MAX_PAGES;
	     phys = ((struct pkram_meta_hdr *)phys_to_virt(phys))->next)
		seed_dump_page(phys);
}

/* The "nodes" property of the superblock FDT (its only node is the root). */
static const u8 *seed_fdt_nodes(const void *fdt, unsigned int *nr)
{
	const __be32 *h = fdt;
	const char *strs = fdt + be32_to_cpu(h[3]);
	const u8 *p = fdt + be32_to_cpu(h[2]);
	const u8 *end = p + be32_to_cpu(h[9]);
	u32 len;

	while (p + 4 <= end) {
		switch (get_unaligned_be32(p)) {
		case 1:		/* FDT_BEGIN_NODE */
			p += 4 + ALIGN(strnlen(p + 4, end - p - 4) + 1, 4);
			break;
		case 3:		/* FDT_PROP: len, nameoff, value */
			len = get_unaligned_be32(p + 4);
			if (!strcmp(strs + get_unaligned_be32(p + 8), "nodes")) {
				*nr = len / sizeof(u64);
				return p + 12;
			}
			p += 12 + ALIGN(len, 4);
			break;
		case 9:		/* FDT_END */
			return NULL;
		default:	/* FDT_END_NODE, FDT_NOP */
			p += 4;
		}
	}
	return NULL;
}

static void test_pkram_dumpseed(void *sb, u64 first_node, u64 ranges)
{
	const u8 *nodes;
	unsigned int nr = 0, i;

	seed_pages = 0;
	pr_info("pkram-seed: begin sb=%llx\n", (u64)virt_to_phys(sb));
	seed_dump_page(virt_to_phys(sb));
	seed_dump_chain(ranges);
	nodes = seed_fdt_nodes(sb, &nr);
	for (i = 0; nodes && i < nr; i++) {
		u64 phys = get_unaligned_be64(nodes + i * sizeof(u64));
		struct pkram_node_meta *node = phys_to_virt(phys);
		u64 obj;

		seed_dump_page(phys);
		for (obj = node->first_obj; obj && seed_pages < SEED_MAX_PAGES;
		     obj = ((struct pkram_obj_meta *)phys_to_virt(obj))->hdr.next) {
			struct pkram_obj_meta *o = phys_to_virt(obj);

			seed_dump_page(obj);
			seed_dump_chain(o->folios_head);
			seed_dump_chain(o->bytes_head);
		}
	}
	pr_info("pkram-seed: end pages=%u\n", seed_pages);
}

/* action=plant: a page of bad superblock content for pkram= to point at */
static struct page *planted;

static int test_pkram_plant(void)
{
	void *p;

	planted = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!planted)
		return -ENOMEM;
	p = page_address(planted);
	if (!strcmp(kind, "random"))
		get_random_bytes(p, PAGE_SIZE);
	else if (strcmp(kind, "zero"))
		return FAIL("unknown kind %s", kind);
	pr_info("planted %s at %#llx\n", kind, (u64)page_to_phys(planted));
	return 0;
}

/* action=movable-inplace: an inplace object must refuse a movable folio */
static int test_movable_inplace(void)
{
	struct pkram_stream ps;
	struct folio *folio;
	int err, i;

	PKRAM_ACCESS(pa, &ps, folios);

	err = pkram_prepare_save(&ps, "movable-inplace", GFP_KERNEL);
	if (err)
		return FAIL("prepare_save: %d", err);
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios | PKRAM_DATA_inplace);
	for (i = 0; !err && i < 64; i++) {
		folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
		if (!folio) {
			err = -ENOMEM;
			break;
		}
		if (!folio_is_zone_movable(folio)) {
			folio_put(folio);
			continue;
		}
		err = pkram_save_folio(&pa, folio);
		folio_put(folio);
		err = err == -EADDRNOTAVAIL ? 1 :
		      FAIL("saving a ZONE_MOVABLE folio inplace: %d", err);
	}
	pkram_finish_access(&pa);
	if (!err)
		err = FAIL("no folio landed in ZONE_MOVABLE (boot with movablecore=)");
	if (ps.obj)
		pkram_finish_save_obj(&ps);
	pkram_discard_save(&ps);
	return err < 0 ? err : 0;
}

/* action=save-lru: a whole block of LRU pages from the range */
static int save_lru_block(void)
{
	struct pkram_stream ps;
	char name[PKRAM_NAME_MAX + 1];
	unsigned long i = 0;
	phys_addr_t block;
	int err;

	PKRAM_ACCESS(pa, &ps, folios);

	snprintf(name, sizeof(name), "%s-0", prefix);
	if (!range_end || range_refill(true))
		return FAIL("no MAX_PAGE_ORDER block in [%#lx, %#lx)",
			    range_start, range_end);
	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err) {
		range_drain();
		return FAIL("prepare_save %s: %d", name, err);
	}
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios);
	/* the pool holds the block's pages in order */
	block = page_to_phys(list_first_entry(&range_pool, struct page, lru));
	while (!list_empty(&range_pool)) {
		struct page *page = list_first_entry(&range_pool, struct page,
						     lru);
		struct folio *folio = page_folio(page);

		list_del(&page->lru);
		folio->index = i++;
		folio_add_lru(folio);
		if (!err)
			err = pkram_save_folio(&pa, folio);
		folio_put(folio);
	}
	pkram_finish_access(&pa);
	if (ps.obj)
		pkram_finish_save_obj(&ps);
	if (err) {
		pkram_discard_save(&ps);
		return FAIL("saving %s: %d", name, err);
	}
	err = pkram_finish_save(&ps);
	if (err)
		return FAIL("finish_save %s: %d", name, err);
	pr_info("saved %s: %lu LRU pages at %pa\n", name, i, &block);
	return 0;
}

/*
 * action=saver: save the nodes only as the kernel kexecs; the first
 * saver_fails runs save the nodes, then fail. With saver_changed, a run
 * after the first (the one after devices are shut down) saves node
 * <prefix>-<nodes> too.
 */
static int test_pkram_save_at_kexec(struct pkram_saver *saver)
{
	static unsigned int runs;
	unsigned int n, last = nodes;
	int err = 0;

	if (saver_changed && runs)
		last++;
	runs++;
	for (n = 0; n < last && !err; n++)
		err = save_node(n);
	if (!err && runs <= saver_fails)
		err = -EIO;
	pr_info("saver run %u: %d\n", runs, err);
	return err;
}

static struct pkram_saver test_pkram_saver = {
	.name = "test_pkram",
	.save = test_pkram_save_at_kexec,
};

/* saver_changed: the saved state changes in the reboot path, after PKRAM prepared */
static int test_pkram_reboot(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	pkram_saver_changed(&test_pkram_saver);
	return NOTIFY_DONE;
}

static struct notifier_block test_pkram_reboot_nb = {
	.notifier_call = test_pkram_reboot,
};

static bool saver_registered;

/* action=corrupt and dumpseed need CONFIG_PKRAM_TEST_HOOKS */
static int test_pkram_set_hook(pkram_test_hook_t hook)
{
#ifdef CONFIG_PKRAM_TEST_HOOKS
	if (hook || pkram_test_finalize_hook == test_pkram_corrupt ||
	    pkram_test_finalize_hook == test_pkram_dumpseed)
		pkram_test_finalize_hook = hook;
	return 0;
#else
	return hook ? FAIL("action=%s needs CONFIG_PKRAM_TEST_HOOKS", action) : 0;
#endif
}

static int __init test_pkram_init(void)
{
	unsigned int n;
	int err = 0;

	if (!strcmp(action, "corrupt") || !strcmp(action, "dumpseed")) {
		err = test_pkram_set_hook(!strcmp(action, "corrupt") ?
					  test_pkram_corrupt : test_pkram_dumpseed);
	} else if (!strcmp(action, "plant")) {
		err = test_pkram_plant();
	} else if (!strcmp(action, "saver")) {
		test_pkram_saver.optional = saver_optional;
		err = pkram_register_saver(&test_pkram_saver);
		saver_registered = !err;
		if (!err && saver_changed)
			err = register_reboot_notifier(&test_pkram_reboot_nb);
	} else if (!strcmp(action, "scatter")) {
		err = scatter_save();
	} else if (!strcmp(action, "verify-scatter")) {
		err = scatter_verify();
	} else if (!strcmp(action, "save-lru")) {
		err = save_lru_block();
	} else if (!strcmp(action, "movable-inplace")) {
		err = test_movable_inplace();
	} else if (!strcmp(action, "save")) {
#ifdef CONFIG_FAULT_INJECTION
		fail_left = failinject ? fail_nth : 0;
#endif
		for (n = 0; n < nodes && !err; n++)
			err = save_node(n);
		range_drain();
#ifdef CONFIG_FAULT_INJECTION
		if (!err && failinject)
			pr_info("fault points: %lu\n", fault_points);
#endif
	} else if (!strcmp(action, "verify")) {
		for (n = first; n < nodes && !err; n++)
			err = verify_node(n);
	} else if (!strcmp(action, "verify-bad")) {
		err = verify_bad_csum();
	} else {
		err = FAIL("unknown action %s", action);
	}
	if (!err)
		pr_info("PASS: %s prefix=%s seed=%lu\n", action, prefix, seed);
	return err;
}

static void __exit test_pkram_exit(void)
{
	if (saver_registered && saver_changed)
		unregister_reboot_notifier(&test_pkram_reboot_nb);
	if (saver_registered)
		pkram_unregister_saver(&test_pkram_saver);
	test_pkram_set_hook(NULL);
	if (planted)
		__free_page(planted);
}

module_init(test_pkram_init);
module_exit(test_pkram_exit);
MODULE_DESCRIPTION("PKRAM kexec test module");
MODULE_LICENSE("GPL");
