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
 * page, into other freshly allocated order-0 pages (the baseline, 1 +
 * copy_runs times over), and frees the copies. phase=load times only the
 * pkram_load_folio() loop, then frees the folios. With threads=N, N kernel
 * threads save (each its share of the folios, in order) and load one
 * object at once, each with an access of its own; the time is from
 * starting the first to the last one's end. Each measurement is one line:
 *
 *   pkram-bench: phase=save layout=thp bytes=N folios=F pages=P ns=T threads=N
 *   pkram-bench: phase=copy layout=thp bytes=N folios=F pages=P ns=T threads=1
 *                min_ns=T max_ns=T runs=R cold_ns=T (see copy_baseline())
 *   pkram-bench: phase=load layout=thp bytes=N folios=F pages=P ns=T threads=N
 *
 * The module's init returns 0 (and stays loaded only for the moment of
 * modprobe: rmmod it afterwards) or an error after "pkram-bench: FAIL: why".
 */
#define pr_fmt(fmt) "pkram-bench: " fmt

#include <linux/gfp.h>
#include <linux/completion.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pkram.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
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
static uint verify;
module_param(verify, uint, 0);
MODULE_PARM_DESC(verify, "fill every saved page with a pattern and check it on load (no copy baseline)");
static uint threads = 1;
module_param(threads, uint, 0);
MODULE_PARM_DESC(threads, "threads saving and loading (1 to 64)");
#define BENCH_MAX_COPY_RUNS	9
static uint copy_runs = 5;
module_param(copy_runs, uint, 0);
MODULE_PARM_DESC(copy_runs, "copy baseline runs after the first, cold one (1-9)");

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
		  u64 ns, unsigned int nthreads)
{
	pr_info("phase=%s layout=%s bytes=%llu folios=%lu pages=%lu ns=%llu threads=%u\n",
		what, layout, (u64)pages << PAGE_SHIFT, folios, pages, ns,
		nthreads);
}

/*
 * Workers: each saves folios [first, end) of the array, or loads whatever
 * it gets into the array from first on (room for all of them).
 */
struct bench_worker {
	struct pkram_stream *ps;
	struct folio **f;
	unsigned long first, end;
	unsigned long loaded;
	struct completion *done;
	atomic_t *running;
	int err;
};

static int bench_save_worker(void *arg)
{
	struct bench_worker *w = arg;
	unsigned long i;

	PKRAM_ACCESS(pa, w->ps, folios);

	for (i = w->first; i < w->end && !w->err; i++) {
		w->err = pkram_save_folio(&pa, w->f[i]);
		if (!(i % 4096))
			cond_resched();
	}
	pkram_finish_access(&pa);
	if (atomic_dec_and_test(w->running))
		complete(w->done);
	return 0;
}

static int bench_load_worker(void *arg)
{
	struct bench_worker *w = arg;
	struct folio *folio;
	unsigned long idx;

	PKRAM_ACCESS(pa, w->ps, folios);

	while ((folio = pkram_load_folio(&pa, &idx))) {
		if (IS_ERR(folio) || w->first + w->loaded >= w->end) {
			w->err = IS_ERR(folio) ? PTR_ERR(folio) : -E2BIG;
			if (!IS_ERR(folio))
				folio_put(folio);
			break;
		}
		folio->index = idx;
		w->f[w->first + w->loaded++] = folio;
		if (!(w->loaded % 4096))
			cond_resched();
	}
	pkram_finish_access(&pa);
	if (atomic_dec_and_test(w->running))
		complete(w->done);
	return 0;
}

/*
 * Run @threads workers of @fn, worker i on [@nr * i / @threads, ...) of
 * @f, and time them. Return: ns, or a negative errno if one failed.
 */
static s64 bench_run(int (*fn)(void *), struct pkram_stream *ps,
		     struct folio **f, unsigned long nr, unsigned long *loaded)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct task_struct *task[64];
	struct bench_worker *w;
	atomic_t running;
	unsigned int i;
	s64 t;
	int err = 0;

	w = kcalloc(threads, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	atomic_set(&running, threads);
	for (i = 0; i < threads; i++) {
		w[i] = (struct bench_worker) {
			.ps = ps, .f = f, .done = &done, .running = &running,
			.first = nr * i / threads,
			.end = nr * (i + 1) / threads,
		};
		task[i] = kthread_create(fn, &w[i], "pkram-bench/%u", i);
		if (IS_ERR(task[i])) {
			err = PTR_ERR(task[i]);
			while (i--)
				kthread_stop(task[i]);
			kfree(w);
			return err;
		}
		/* one per CPU from the start: the runs are too short to balance */
		kthread_bind(task[i], cpumask_nth(i % num_online_cpus(),
						  cpu_online_mask));
	}
	t = ktime_get_ns();
	for (i = 0; i < threads; i++)
		wake_up_process(task[i]);
	wait_for_completion(&done);
	t = ktime_get_ns() - t;
	*loaded = 0;
	for (i = 0; i < threads; i++) {
		err = err ?: w[i].err;
		*loaded += w[i].loaded;
	}
	kfree(w);
	return err ?: t;
}

/* verify=1: page @pg of the node holds this pattern, word @w of it */
static u64 bench_word(unsigned long pg, unsigned int w)
{
	return (seed * 0x9e3779b97f4a7c15ULL) ^ ((u64)pg << 12 | w);
}

/* Fill (or, with @check, check) the pages of @folio, the node's @first on. */
static int bench_pattern(struct folio *folio, unsigned long first, bool check)
{
	unsigned long j;
	unsigned int w;

	for (j = 0; j < folio_nr_pages(folio); j++) {
		u64 *p = kmap_local_folio(folio, j * PAGE_SIZE);

		for (w = 0; w < PAGE_SIZE / sizeof(u64); w++) {
			if (!check) {
				p[w] = bench_word(first + j, w);
			} else if (p[w] != bench_word(first + j, w)) {
				kunmap_local(p);
				return FAIL("page %lu word %u: %#llx, want %#llx",
					    first + j, w, p[w],
					    bench_word(first + j, w));
			}
		}
		kunmap_local(p);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The baseline: copy every saved page into another page, timed, 1 +
 * copy_runs times into the same pages. The first run writes pages the guest
 * has not written before, which under an emulator costs the host a page
 * fault each (several times the copy itself under QEMU TCG): it is given
 * as cold_ns=. ns= is the median of the other runs, min_ns= and max_ns=
 * the fastest and slowest of them.
 */
static int copy_baseline(struct folio **f, unsigned long nr, unsigned long pages)
{
	unsigned int r, runs = clamp(copy_runs, 1U, BENCH_MAX_COPY_RUNS);
	u64 t[BENCH_MAX_COPY_RUNS + 1];
	struct page **dst;
	unsigned long i, j, k;
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
	for (r = 0; r <= runs; r++) {
		t[r] = ktime_get_ns();
		for (i = 0, k = 0; i < nr; i++) {
			for (j = 0; j < folio_nr_pages(f[i]); j++, k++)
				memcpy(page_address(dst[k]),
				       page_address(folio_page(f[i], j)),
				       PAGE_SIZE);
			if (!(i % 512))
				cond_resched();
		}
		t[r] = ktime_get_ns() - t[r];
	}
	sort(t + 1, runs, sizeof(t[0]), cmp_u64, NULL);
	pr_info("phase=copy layout=%s bytes=%llu folios=%lu pages=%lu ns=%llu threads=1 min_ns=%llu max_ns=%llu runs=%u cold_ns=%llu\n",
		layout, (u64)pages << PAGE_SHIFT, nr, pages, t[1 + runs / 2],
		t[1], t[runs], runs, t[0]);
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
	s64 t;
	int err;

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
		if (verify)
			bench_pattern(f[nr], pages, false);
		f[nr]->index = pages;	/* the node's first page in it */
		pages += folio_nr_pages(f[nr]);
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
	t = bench_run(bench_save_worker, &ps, f, nr, &i);
	pkram_finish_save_obj(&ps);
	if (t < 0) {
		pkram_discard_save(&ps);
		err = FAIL("save: %lld", t);
		goto out_put;
	}
	err = pkram_finish_save(&ps);
	if (err) {
		err = FAIL("finish_save: %d", err);
		goto out_put;
	}
	print("save", nr, pages, t, threads);
	if (!verify)
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
	struct folio **f;
	unsigned long i;
	s64 t;
	int err;

	f = kvcalloc(max(want, 1UL) * threads, sizeof(*f), GFP_KERNEL);
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
	/* worker i stores from want * i / threads on: room for any share */
	t = bench_run(bench_load_worker, &ps, f, want * threads, &nr);
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	for (i = 0; i < want * threads; i++) {
		if (!f[i])
			continue;
		pages += folio_nr_pages(f[i]);
		if (verify && !err)
			err = bench_pattern(f[i], f[i]->index, true);
		folio_put(f[i]);
	}
	kvfree(f);
	if (t < 0)
		return FAIL("load after %lu folios: %lld", nr, t);
	if (pages != want)
		return FAIL("loaded %lu pages, want %lu", pages, want);
	if (err)
		return err;
	print("load", nr, pages, t, threads);
	if (verify)
		pr_info("verified %lu pages\n", pages);
	return 0;
}

static int __init bench_pkram_init(void)
{
	if (!threads || threads > 64)
		return FAIL("threads=%u: 1 to 64", threads);
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
