// SPDX-License-Identifier: GPL-2.0
/*
 * test_pkram_hv: play the hypervisor for the deposit ledger.
 *
 *   modprobe test_pkram_hv action=deposit calls=4 pages=511
 *	allocates like hv_call_deposit_pages() (the largest power-of-two
 *	chunks that fit, split_page()), writes a pfn-derived pattern into
 *	every page, removes the pages from the direct map so any access by
 *	Linux faults, and records them through hv_deposit_ledger_record(),
 *	what the hv_proc.c hook calls.
 *   modprobe test_pkram_hv action=verify expect=N
 *	checks that the ledger holds N pages, that each is still held
 *	(refcount >= 1, not reserved) and carries its pattern, then
 *	allocates nearly all free memory and checks that no deposited page is
 *	handed out.
 *
 * The module's init returns 0 on success and an error otherwise, after
 * printing "test_pkram_hv: FAIL: <why>".
 */
#define pr_fmt(fmt) "test_pkram_hv: " fmt

#include <linux/gfp.h>
#include <linux/hv_deposit_ledger.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static char *action = "deposit";
module_param(action, charp, 0);
MODULE_PARM_DESC(action, "deposit or verify");
static uint calls = 1;
module_param(calls, uint, 0);
MODULE_PARM_DESC(calls, "deposit: number of deposit calls");
static uint pages = 511;
module_param(pages, uint, 0);
MODULE_PARM_DESC(pages, "deposit: pages per call (at most 511, as Hyper-V)");
static long expect = -1;
module_param(expect, long, 0);
MODULE_PARM_DESC(expect, "verify: pages the ledger must hold (-1: any)");
static bool exhaust = true;
module_param(exhaust, bool, 0);
MODULE_PARM_DESC(exhaust, "verify: allocate nearly all free memory");

#define FAIL(fmt, ...) ({ pr_err("FAIL: " fmt "\n", ##__VA_ARGS__); -EIO; })

#define HV_DEPOSIT_MAX		511
#define PATTERN_MAGIC		0x6876646570ULL	/* "hvdep" */

static u64 pattern(unsigned long pfn, unsigned int i)
{
	return (pfn << 9 | i) ^ PATTERN_MAGIC;
}

static void fill(unsigned long pfn)
{
	u64 *p = pfn_to_kaddr(pfn);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		p[i] = pattern(pfn, i);
}

static bool intact(unsigned long pfn)
{
	u64 *p = pfn_to_kaddr(pfn);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		if (p[i] != pattern(pfn, i))
			return false;
	return true;
}

/* One deposit, allocated exactly as hv_call_deposit_pages() does. */
static int deposit_once(unsigned int num_pages, u64 *alloc_ns, u64 *record_ns)
{
	struct page **chunk;
	int *counts, n = 0, i, j, order, err = 0;
	ktime_t t;

	chunk = kcalloc(HV_DEPOSIT_MAX, sizeof(*chunk), GFP_KERNEL);
	counts = kcalloc(HV_DEPOSIT_MAX, sizeof(*counts), GFP_KERNEL);
	if (!chunk || !counts) {
		err = -ENOMEM;
		goto out;
	}
	t = ktime_get();
	while (num_pages) {
		order = 31 - __builtin_clz(num_pages);
		for (;;) {
			chunk[n] = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL,
						    order);
			if (chunk[n])
				break;
			if (!order) {
				/* give back what was not deposited */
				for (i = 0; i < n; i++)
					for (j = 0; j < counts[i]; j++)
						__free_page(chunk[i] + j);
				err = FAIL("out of memory depositing");
				goto out;
			}
			order--;
		}
		split_page(chunk[n], order);
		counts[n] = 1 << order;
		num_pages -= counts[n];
		n++;
	}
	*alloc_ns += ktime_to_ns(ktime_sub(ktime_get(), t));
	/* "the hypercall": the pages are the hypervisor's from here on */
	for (i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(chunk[i]);

		for (j = 0; j < counts[i]; j++)
			fill(pfn + j);
		err = hv_deposit_ledger_test_direct_map(pfn, counts[i], false);
		if (err) {
			err = FAIL("cannot unmap pfn %#lx: %d", pfn, err);
			goto out;	/* the pages stay deposited */
		}
	}
	t = ktime_get();
	hv_deposit_ledger_record(chunk, counts, n);
	*record_ns += ktime_to_ns(ktime_sub(ktime_get(), t));
out:
	kfree(chunk);
	kfree(counts);
	return err;
}

static int do_deposit(void)
{
	struct hv_deposit_counts before, after;
	u64 ns = 0, alloc_ns = 0;
	unsigned int i;
	int err;

	if (!pages || pages > HV_DEPOSIT_MAX)
		return FAIL("pages=%u: want 1..%d", pages, HV_DEPOSIT_MAX);
	hv_deposit_ledger_counts(&before);
	for (i = 0; i < calls; i++) {
		err = deposit_once(pages, &alloc_ns, &ns);
		if (err)
			return err;
	}
	hv_deposit_ledger_counts(&after);
	if (after.pages - before.pages != (unsigned long)calls * pages)
		return FAIL("ledger grew by %lu pages, want %lu",
			    after.pages - before.pages,
			    (unsigned long)calls * pages);
	pr_info("deposited %u x %u pages: ledger %lu chunks, %lu extents, %lu pages; per call: allocating %llu ns, recording %llu ns\n",
		calls, pages, after.chunks, after.extents, after.pages,
		alloc_ns / calls, ns / calls);
	return 0;
}

static int check_extent(const struct hv_deposit_extent *e)
{
	unsigned long i;
	int err;

	for (i = 0; i < e->nr; i++) {
		struct page *page = pfn_to_page(e->pfn + i);

		if (page_count(page) < 1 || PageReserved(page))
			return FAIL("pfn %#lx: refcount %d, reserved %d",
				    e->pfn + i, page_count(page),
				    PageReserved(page));
	}
	err = hv_deposit_ledger_test_direct_map(e->pfn, e->nr, true);
	if (err)
		return FAIL("cannot map pfn %#lx: %d", e->pfn, err);
	for (i = 0; i < e->nr && !err; i++)
		if (!intact(e->pfn + i))
			err = FAIL("pfn %#lx: pattern damaged", e->pfn + i);
	if (hv_deposit_ledger_test_direct_map(e->pfn, e->nr, false))
		return FAIL("cannot unmap pfn %#lx", e->pfn);
	return err;
}

/*
 * Allocate nearly all free memory, largest blocks first, without reclaim
 * or OOM kills, and check that none of it is a deposited page.
 */
static int exhaust_memory(void)
{
	unsigned long blocks = 0, total = 0, hits = 0;
	struct page *page, *tmp;
	LIST_HEAD(held);
	int order;

	for (order = MAX_PAGE_ORDER; order >= 0; order--) {
		while ((page = alloc_pages(GFP_KERNEL | __GFP_NORETRY |
					   __GFP_NOWARN | __GFP_NOMEMALLOC,
					   order))) {
			if (hv_deposit_ledger_overlaps(page_to_pfn(page),
						       1UL << order)) {
				if (!hits)
					pr_err("allocator handed out deposited pfn %#lx (order %d)\n",
					       page_to_pfn(page), order);
				hits++;
			}
			page->private = order;
			list_add(&page->lru, &held);
			total += 1UL << order;
			blocks++;
			cond_resched();
		}
	}
	list_for_each_entry_safe(page, tmp, &held, lru) {
		list_del(&page->lru);
		order = page->private;
		page->private = 0;
		__free_pages(page, order);
	}
	pr_info("allocated %lu MiB in %lu blocks: %lu deposited\n",
		total >> (20 - PAGE_SHIFT), blocks, hits);
	return hits ? FAIL("%lu deposited blocks handed out", hits) : 0;
}

static int do_verify(void)
{
	struct hv_deposit_extent *ext;
	struct hv_deposit_counts c;
	unsigned long sum = 0;
	long i, nr;
	int err = 0;

	hv_deposit_ledger_counts(&c);
	if (expect >= 0 && c.pages != expect)
		return FAIL("ledger holds %lu pages, want %ld", c.pages, expect);
	if (c.lost)
		return FAIL("%lu pages lost", c.lost);
	ext = kvmalloc_array(max(c.extents, 1UL), sizeof(*ext), GFP_KERNEL);
	if (!ext)
		return -ENOMEM;
	nr = hv_deposit_ledger_extents(ext, c.extents);
	if (nr != c.extents)
		err = FAIL("ledger changed under the test");
	for (i = 0; i < nr && !err; i++) {
		sum += ext[i].nr;
		err = check_extent(&ext[i]);
		cond_resched();
	}
	kvfree(ext);
	if (!err && sum != c.pages)
		err = FAIL("extents hold %lu pages, counts say %lu", sum,
			   c.pages);
	if (!err)
		pr_info("verified %lu pages in %ld extents (%lu chunks)\n",
			sum, nr, c.chunks);
	if (!err && exhaust)
		err = exhaust_memory();
	return err;
}

static int __init test_pkram_hv_init(void)
{
	int err;

	if (!strcmp(action, "deposit"))
		err = do_deposit();
	else if (!strcmp(action, "verify"))
		err = do_verify();
	else
		err = FAIL("unknown action %s", action);
	return err < 0 ? err : 0;
}
module_init(test_pkram_hv_init);

static void __exit test_pkram_hv_exit(void)
{
}
module_exit(test_pkram_hv_exit);

MODULE_DESCRIPTION("Hypervisor stand-in for the Hyper-V deposit ledger");
MODULE_LICENSE("GPL");
