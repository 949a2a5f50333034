// SPDX-License-Identifier: GPL-2.0
/*
 * bench_pkram: measure what PKRAM costs for a given amount of memory and
 * folio layout, and what copying the same memory costs, for comparison.
 *
 *   modprobe bench_pkram phase=save size_mb=1024 layout=thp seed=1
 *   (kexec: the kernel prints "pkram: preserving ...; finalized in U us",
 *    the next one "pkram: ... early reservation took U us, validation V us")
 *   modprobe bench_pkram phase=load size_mb=1024 layout=thp seed=1
 *
 * Layouts: scattered (order-0 pages, no two physically adjacent), thp
 * (order-9 folios), mixed (random orders 0..MAX_PAGE_ORDER, from the seed).
 *
 * phase=save allocates every folio first, then times only the
 * pkram_save_folio() loop; then it times copying the same pages, page by
 * page, into other freshly allocated order-0 pages (the baseline), and frees
 * the copies. phase=load times only the pkram_load_folio() loop, then frees
 * the folios. Each measurement is one line:
 *
 *   pkram-bench: phase=save layout=thp bytes=N folios=F pages=P ns=T
 *   pkram-bench: phase=copy layout=thp bytes=N folios=F pages=P ns=T
 *   pkram-bench: phase=load layout=thp bytes=N folios=F pages=P ns=T
 *
 * The module's init returns 0 (and stays loaded only for the moment of
 * modprobe: rmmod it afterwards) or an error after "pkram-bench: FAIL: why".
 */
#define pr_fmt(fmt) "pkram-bench: " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pkram.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static char *phase = "save";
module_param(phase, charp, 0);
MODULE_PARM_DESC(phase, "save (save and copy baseline) or load");
static char *layout = "thp";
module_param(layout, charp, 0);
MODULE_PARM_DESC(layout, "scattered, thp or mixed");
static uint size_mb = 16;
module_param(size_mb, uint, 0);
MODULE_PARM_DESC(size_mb, "MiB to preserve (0: an empty node)");
static ulong seed = 1;
module_param(seed, ulong, 0);
MODULE_PARM_DESC(seed, "seed of the mixed layout's orders");
static char *name = "bench";
module_param(name, charp, 0);
MODULE_PARM_DESC(name, "node name");

#define FAIL(fmt, ...) ({ pr_err("FAIL: " fmt "\n", ##__VA_ARGS__); -EIO; })

enum { L_SCATTERED, L_THP, L_MIXED };
static int lay;

static struct folio *alloc_one(struct rnd_state *rs, unsigned long left)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	unsigned int order;
	struct page *page;

	switch (lay) {
	case L_SCATTERED:
		/* keep the first page of a pair, free its neighbour */
		page = alloc_pages(gfp, 1);
		if (!page)
			return NULL;
		split_page(page, 1);
		__free_page(page + 1);
		return page_folio(page);
	case L_THP:
		order = PMD_SHIFT - PAGE_SHIFT;	/* 2 MiB */
		break;
	default:
		order = prandom_u32_state(rs) % (MAX_PAGE_ORDER + 1);
		break;
	}
	while ((1UL << order) > left)
		order--;
	return folio_alloc(gfp, order);
}

static void print(const char *what, unsigned long folios, unsigned long pages,
		  u64 ns)
{
	pr_info("phase=%s layout=%s bytes=%llu folios=%lu pages=%lu ns=%llu\n",
		what, layout, (u64)pages << PAGE_SHIFT, folios, pages, ns);
}

/* The baseline: copy every saved page into another page, timed. */
static int copy_baseline(struct folio **f, unsigned long nr, unsigned long pages)
{
	struct page **dst;
	unsigned long i, j, k;
	u64 t;
	int err = 0;

	dst = kvmalloc_array(max(pages, 1UL), sizeof(*dst), GFP_KERNEL);
	if (!dst)
		return FAIL("no memory for the copy's page array");
	for (k = 0; k < pages; k++) {
		dst[k] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!dst[k]) {
			err = FAIL("copy: no memory for page %lu of %lu", k, pages);
			goto out;
		}
		if (!(k % 4096))
			cond_resched();
	}
	t = ktime_get_ns();
	for (i = 0, k = 0; i < nr; i++) {
		for (j = 0; j < folio_nr_pages(f[i]); j++, k++)
			memcpy(page_address(dst[k]),
			       page_address(folio_page(f[i], j)), PAGE_SIZE);
		if (!(i % 512))
			cond_resched();
	}
	t = ktime_get_ns() - t;
	print("copy", nr, pages, t);
out:
	while (k--)
		__free_page(dst[k]);
	kvfree(dst);
	return err;
}

static int bench_save(void)
{
	unsigned long nr = 0, pages = 0, want = (unsigned long)size_mb << (20 - PAGE_SHIFT);
	struct pkram_stream ps;
	struct rnd_state rs;
	struct folio **f;
	unsigned long i;
	int err;
	u64 t;

	PKRAM_ACCESS(pa, &ps, folios);

	/* at most one folio per page */
	f = kvmalloc_array(max(want, 1UL), sizeof(*f), GFP_KERNEL);
	if (!f)
		return FAIL("no memory for the folio array");
	prandom_seed_state(&rs, seed);
	while (pages < want) {
		f[nr] = alloc_one(&rs, want - pages);
		if (!f[nr]) {
			err = FAIL("no memory after %lu of %lu pages", pages, want);
			goto out_put;
		}
		pages += folio_nr_pages(f[nr]);
		f[nr]->index = pages;	/* any index; PKRAM keeps it */
		nr++;
		if (!(nr % 4096))
			cond_resched();
	}

	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err) {
		err = FAIL("prepare_save %s: %d", name, err);
		goto out_put;
	}
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios);
	if (err) {
		pkram_discard_save(&ps);
		err = FAIL("prepare_save_obj: %d", err);
		goto out_put;
	}
	t = ktime_get_ns();
	for (i = 0; i < nr && !err; i++) {
		err = pkram_save_folio(&pa, f[i]);
		if (!(i % 4096))
			cond_resched();
	}
	t = ktime_get_ns() - t;
	pkram_finish_access(&pa, !err);
	if (!err)
		pkram_finish_save_obj(&ps);
	if (err) {
		pkram_discard_save(&ps);
		err = FAIL("save_folio %lu: %d", i - 1, err);
		goto out_put;
	}
	err = pkram_finish_save(&ps);
	if (err) {
		err = FAIL("finish_save: %d", err);
		goto out_put;
	}
	print("save", nr, pages, t);
	err = copy_baseline(f, nr, pages);
out_put:
	for (i = 0; i < nr; i++)
		folio_put(f[i]);	/* PKRAM holds its own reference */
	kvfree(f);
	return err;
}

static int bench_load(void)
{
	unsigned long nr = 0, pages = 0, want = (unsigned long)size_mb << (20 - PAGE_SHIFT);
	struct pkram_stream ps;
	struct folio **f, *folio;
	unsigned long i, idx;
	int err;
	u64 t;

	PKRAM_ACCESS(pa, &ps, folios);

	f = kvmalloc_array(max(want, 1UL), sizeof(*f), GFP_KERNEL);
	if (!f)
		return FAIL("no memory for the folio array");
	err = pkram_prepare_load(&ps, name);
	if (err) {
		kvfree(f);
		return FAIL("prepare_load %s: %d", name, err);
	}
	err = pkram_prepare_load_obj(&ps);
	if (err) {
		pkram_finish_load(&ps);
		kvfree(f);
		return FAIL("prepare_load_obj: %d", err);
	}
	t = ktime_get_ns();
	while ((folio = pkram_load_folio(&pa, &idx))) {
		if (IS_ERR(folio) || nr >= want) {
			err = IS_ERR(folio) ? PTR_ERR(folio) : -E2BIG;
			if (!IS_ERR(folio))
				folio_put(folio);
			break;
		}
		f[nr++] = folio;
		if (!(nr % 4096))
			cond_resched();
	}
	t = ktime_get_ns() - t;
	pkram_finish_access(&pa, !err);
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	for (i = 0; i < nr; i++) {
		pages += folio_nr_pages(f[i]);
		folio_put(f[i]);
	}
	kvfree(f);
	if (err)
		return FAIL("load after %lu folios: %d", nr, err);
	if (pages != want)
		return FAIL("loaded %lu pages, want %lu", pages, want);
	print("load", nr, pages, t);
	return 0;
}

static int __init bench_pkram_init(void)
{
	if (!strcmp(layout, "scattered"))
		lay = L_SCATTERED;
	else if (!strcmp(layout, "thp"))
		lay = L_THP;
	else if (!strcmp(layout, "mixed"))
		lay = L_MIXED;
	else
		return FAIL("unknown layout %s", layout);
	if (!strcmp(phase, "save"))
		return bench_save();
	if (!strcmp(phase, "load"))
		return bench_load();
	return FAIL("unknown phase %s", phase);
}

static void __exit bench_pkram_exit(void)
{
}

module_init(bench_pkram_init);
module_exit(bench_pkram_exit);
MODULE_DESCRIPTION("PKRAM save/load benchmark");
MODULE_LICENSE("GPL");
