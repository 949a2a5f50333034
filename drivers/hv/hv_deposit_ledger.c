// SPDX-License-Identifier: GPL-2.0
/*
 * Ledger of the pages a Linux root partition deposited to the Microsoft
 * hypervisor for itself.
 *
 * hv_call_deposit_pages() hands pages to the hypervisor and never gets them
 * back. After a kexec the next kernel must not give them to its page
 * allocator: the first access would be fatal. The ledger records every chunk
 * deposited for the root partition itself (a sorted array of extents, merged
 * when adjacent), saves it in the kexec reboot path as the PKRAM node
 * "hv-deposited" (a small header in the byte stream, the pages as order-0
 * folios whose contents PKRAM never touches), and in the next kernel loads
 * the node back into the ledger, so the pages stay out of the allocator
 * through any number of kexecs.
 *
 * See Documentation/virt/hyperv/pkram-deposits.rst.
 */
#define pr_fmt(fmt) "hv_deposit_ledger: " fmt

#include <linux/debugfs.h>
#include <linux/hv_deposit_ledger.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/pkram.h>
#include <linux/seq_file.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/tlbflush.h>
#ifdef CONFIG_HYPERV
#include <asm/mshyperv.h>
#endif

#define HV_LEDGER_MAGIC		0x47444c48	/* "HLDG" */
#define HV_LEDGER_VERSION	1
#define HV_LEDGER_MIN_CAP	64

/*
 * The byte stream of the node: this header, nothing else. The folio stream
 * holds the pages as order-0 folios in pfn order, each with index == pfn.
 */
struct hv_ledger_hdr {
	u32 magic;
	u32 version;
	u64 nr_chunks;		/* chunks recorded, all kernels */
	u64 nr_extents;
	u64 nr_pages;
	u32 nr_nids;		/* NUMA nodes the pages are on */
	u32 reserved;
	u64 nid_mask;		/* those nodes, the first 64 only */
};

struct hv_ledger {
	spinlock_t lock;		/* protects all of the below */
	struct hv_deposit_extent *ext;	/* sorted, disjoint, not adjacent */
	unsigned long nr_ext;
	unsigned long cap;
	unsigned long nr_chunks;
	unsigned long nr_pages;
	unsigned long nr_lost;
	bool saved;			/* snapshot taken for kexec */
};

static struct hv_ledger hv_ledger = {
	.lock = __SPIN_LOCK_UNLOCKED(hv_ledger.lock),
};

/* -1: ask Hyper-V; 0 or 1: override (tests, and non-Hyper-V machines). */
static int root = -1;
module_param(root, int, 0444);
MODULE_PARM_DESC(root, "-1: detect root partition (default), 0: not root, 1: root");

static void hv_ledger_init(struct hv_ledger *l)
{
	memset(l, 0, sizeof(*l));
	spin_lock_init(&l->lock);
}

static void hv_ledger_destroy(struct hv_ledger *l)
{
	kvfree(l->ext);
	l->ext = NULL;
	l->nr_ext = 0;
	l->cap = 0;
}

/* The first extent that starts after @pfn. Caller holds the lock. */
static unsigned long hv_ledger_find(struct hv_ledger *l, unsigned long pfn)
{
	unsigned long lo = 0, hi = l->nr_ext;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (l->ext[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Insert [@pfn, @pfn + @nr) and merge it with its neighbours. Returns 0,
 * -EEXIST if any of it is recorded already, -ENOSPC if a new extent is
 * needed and the array is full. Caller holds the lock.
 */
static int hv_ledger_insert(struct hv_ledger *l, unsigned long pfn,
			    unsigned long nr)
{
	unsigned long i = hv_ledger_find(l, pfn);
	struct hv_deposit_extent *prev = i ? &l->ext[i - 1] : NULL;
	struct hv_deposit_extent *next = i < l->nr_ext ? &l->ext[i] : NULL;
	bool to_prev, to_next;

	if ((prev && prev->pfn + prev->nr > pfn) ||
	    (next && next->pfn < pfn + nr))
		return -EEXIST;
	to_prev = prev && prev->pfn + prev->nr == pfn;
	to_next = next && pfn + nr == next->pfn;
	if (to_prev && to_next) {
		prev->nr += nr + next->nr;
		memmove(next, next + 1, (l->nr_ext - i - 1) * sizeof(*next));
		l->nr_ext--;
	} else if (to_prev) {
		prev->nr += nr;
	} else if (to_next) {
		next->pfn = pfn;
		next->nr += nr;
	} else {
		if (l->nr_ext == l->cap)
			return -ENOSPC;
		memmove(&l->ext[i + 1], &l->ext[i],
			(l->nr_ext - i) * sizeof(*l->ext));
		l->ext[i].pfn = pfn;
		l->ext[i].nr = nr;
		l->nr_ext++;
	}
	l->nr_pages += nr;
	return 0;
}

/* Make room for at least one more extent than @l had when called. */
static int hv_ledger_grow(struct hv_ledger *l, unsigned long cap)
{
	struct hv_deposit_extent *new, *old = NULL;

	new = kvmalloc_array(cap, sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	spin_lock(&l->lock);
	if (l->cap < cap) {
		memcpy(new, l->ext, l->nr_ext * sizeof(*new));
		old = l->ext;
		l->ext = new;
		l->cap = cap;
		new = NULL;
	}
	spin_unlock(&l->lock);
	kvfree(old);
	kvfree(new);
	return 0;
}

/*
 * Record [@pfn, @pfn + @nr) as one chunk (@chunks is how many chunks it
 * stands for, 0 when restoring pages that were counted before).
 * Context: process context, may sleep.
 */
static int hv_ledger_add(struct hv_ledger *l, unsigned long pfn,
			 unsigned long nr, unsigned long chunks)
{
	unsigned long cap;
	int err;

	for (;;) {
		spin_lock(&l->lock);
		err = hv_ledger_insert(l, pfn, nr);
		if (!err)
			l->nr_chunks += chunks;
		cap = max(2 * l->cap, (unsigned long)HV_LEDGER_MIN_CAP);
		spin_unlock(&l->lock);
		if (err != -ENOSPC)
			return err;
		err = hv_ledger_grow(l, cap);
		if (err)
			return err;
	}
}

static void hv_ledger_counts(struct hv_ledger *l, struct hv_deposit_counts *c)
{
	spin_lock(&l->lock);
	c->chunks = l->nr_chunks;
	c->extents = l->nr_ext;
	c->pages = l->nr_pages;
	c->lost = l->nr_lost;
	spin_unlock(&l->lock);
}

static bool hv_ledger_overlaps(struct hv_ledger *l, unsigned long pfn,
			       unsigned long nr)
{
	unsigned long i;
	bool hit;

	spin_lock(&l->lock);
	i = hv_ledger_find(l, pfn + nr - 1);
	hit = i && l->ext[i - 1].pfn + l->ext[i - 1].nr > pfn;
	spin_unlock(&l->lock);
	return hit;
}

/* Defined with its callback below; the deposit path tells it of changes. */
static struct pkram_saver hv_ledger_saver;

/**
 * hv_deposit_ledger_record - record pages deposited for the root partition
 * @pages: the first page of each chunk, as hv_call_deposit_pages() has them
 * @counts: the number of pages of each chunk
 * @nr: the number of chunks
 *
 * Called after a successful HVCALL_DEPOSIT_MEMORY for the root partition
 * itself. The pages then belong to the hypervisor for good: the ledger
 * keeps them out of the page allocator of every later kernel kexec'd into.
 * Never fails: a chunk that cannot be recorded is logged and counted as
 * lost.
 *
 * Context: Process context with interrupts enabled; may sleep.
 */
void hv_deposit_ledger_record(struct page **pages, const int *counts, int nr)
{
	struct hv_ledger *l = &hv_ledger;
	int i, err;

	for (i = 0; i < nr; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);
		u64 phys = PFN_PHYS(pfn);

		if (counts[i] <= 0)
			continue;
		err = hv_ledger_add(l, pfn, counts[i], 1);
		if (err) {
			spin_lock(&l->lock);
			l->nr_lost += counts[i];
			spin_unlock(&l->lock);
			pr_err("cannot record %d deposited pages at pfn %#lx (%d): they are lost at the next kexec\n",
			       counts[i], pfn, err);
		}
		/* saved for a kexec already: save it again */
		if (!err && READ_ONCE(l->saved))
			pkram_saver_changed(&hv_ledger_saver);
		if (pkram_in_kexec_segment(phys, phys + PFN_PHYS(counts[i])))
			pr_err("deposited pfn %#lx lies where the loaded kexec kernel goes: load it again before kexec\n",
			       pfn);
	}
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_record);

/**
 * hv_deposit_ledger_counts - what the ledger holds
 * @c: filled in
 *
 * Context: Any context that may take a spinlock.
 */
void hv_deposit_ledger_counts(struct hv_deposit_counts *c)
{
	hv_ledger_counts(&hv_ledger, c);
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_counts);

/**
 * hv_deposit_ledger_overlaps - is any of these pages deposited?
 * @pfn: first page frame
 * @nr: number of pages, at least 1
 *
 * Context: Any context that may take a spinlock.
 * Return: true if one of the pages is in the ledger.
 */
bool hv_deposit_ledger_overlaps(unsigned long pfn, unsigned long nr)
{
	return nr && hv_ledger_overlaps(&hv_ledger, pfn, nr);
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_overlaps);

/**
 * hv_deposit_ledger_extents - copy the ledger out
 * @buf: where to copy, in pfn order
 * @max: room in @buf
 *
 * Context: Any context that may take a spinlock.
 * Return: the number of extents the ledger holds; only the first @max of
 * them are copied.
 */
long hv_deposit_ledger_extents(struct hv_deposit_extent *buf,
			       unsigned long max)
{
	struct hv_ledger *l = &hv_ledger;
	long nr;

	spin_lock(&l->lock);
	nr = l->nr_ext;
	memcpy(buf, l->ext, min_t(unsigned long, nr, max) * sizeof(*buf));
	spin_unlock(&l->lock);
	return nr;
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_extents);

/**
 * hv_deposit_ledger_is_root - does this kernel run the root partition?
 *
 * Decides whether the incoming "hv-deposited" node is loaded. The
 * hv_deposit_ledger.root= parameter overrides what Hyper-V says.
 *
 * Return: true for the root partition.
 */
bool hv_deposit_ledger_is_root(void)
{
	if (root >= 0)
		return root;
#ifdef CONFIG_HYPERV
	return hv_root_partition;
#else
	return false;
#endif
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_is_root);

#if IS_ENABLED(CONFIG_TEST_PKRAM_HV)
/**
 * hv_deposit_ledger_test_direct_map - map or unmap pages, for test_pkram_hv
 * @pfn: first page frame
 * @nr: number of pages
 * @present: true to restore the direct map, false to remove the pages
 *
 * Lets the test module make "deposited" pages as untouchable as real ones:
 * any access by Linux faults. Not for anything but tests.
 *
 * Context: Process context.
 * Return: 0 or the first error of set_direct_map_*_noflush().
 */
int hv_deposit_ledger_test_direct_map(unsigned long pfn, unsigned long nr,
				      bool present)
{
	unsigned long i;
	int err = 0;

	for (i = 0; i < nr && !err; i++) {
		struct page *page = pfn_to_page(pfn + i);

		err = present ? set_direct_map_default_noflush(page) :
				set_direct_map_invalid_noflush(page);
	}
	flush_tlb_kernel_range((unsigned long)pfn_to_kaddr(pfn),
			       (unsigned long)pfn_to_kaddr(pfn + nr));
	return err;
}
EXPORT_SYMBOL_GPL(hv_deposit_ledger_test_direct_map);
#endif

/* ---- saving, in the kexec reboot path ---- */

static void hv_ledger_fill_hdr(struct hv_ledger *l, struct hv_ledger_hdr *h)
{
	nodemask_t nids = NODE_MASK_NONE;
	unsigned long i;
	int nid;

	memset(h, 0, sizeof(*h));
	h->magic = HV_LEDGER_MAGIC;
	h->version = HV_LEDGER_VERSION;
	h->nr_chunks = l->nr_chunks;
	h->nr_extents = l->nr_ext;
	h->nr_pages = l->nr_pages;
	for (i = 0; i < l->nr_ext; i++) {
		node_set(pfn_to_nid(l->ext[i].pfn), nids);
		node_set(pfn_to_nid(l->ext[i].pfn + l->ext[i].nr - 1), nids);
	}
	h->nr_nids = nodes_weight(nids);
	for_each_node_mask(nid, nids)
		if (nid < 64)
			h->nid_mask |= BIT_ULL(nid);
}

/*
 * Save the pages of @l as order-0 folios, index == pfn, so each extent is
 * one PKRAM entry. Their contents are never read.
 */
static int hv_ledger_save_folios(struct hv_ledger *l, struct pkram_stream *ps,
				 unsigned long *skipped)
{
	PKRAM_ACCESS(pa, ps, folios);
	unsigned long i, j;
	int err = 0;

	for (i = 0; i < l->nr_ext && !err; i++) {
		for (j = 0; j < l->ext[i].nr && !err; j++) {
			unsigned long pfn = l->ext[i].pfn + j;
			struct folio *folio = pfn_folio(pfn);

			/*
			 * PKRAM_DATA_inplace: a page in a loaded kexec
			 * segment is refused, never copied (its contents are
			 * the hypervisor's); the kexec copy overwrites it.
			 */
			folio->index = pfn;
			err = pkram_save_folio(&pa, folio);
			if (err == -EADDRINUSE) {
				pr_crit("deposited pfn %#lx lies in the loaded kexec kernel\n",
					pfn);
				(*skipped)++;
				err = 0;
			}
		}
		cond_resched();
	}
	pkram_finish_access(&pa);
	return err;
}

/*
 * Copy @l into @snap, which the caller destroys, and mark @l saved: a
 * deposit after this is logged, as the next kernel will not know it.
 */
static int hv_ledger_snapshot(struct hv_ledger *l, struct hv_ledger *snap)
{
	struct hv_deposit_extent *ext;
	unsigned long nr;

	hv_ledger_init(snap);
	for (;;) {
		spin_lock(&l->lock);
		nr = l->nr_ext;
		if (snap->cap >= nr) {
			memcpy(snap->ext, l->ext, nr * sizeof(*ext));
			snap->nr_ext = nr;
			snap->nr_chunks = l->nr_chunks;
			snap->nr_pages = l->nr_pages;
			l->saved = true;
			spin_unlock(&l->lock);
			return 0;
		}
		spin_unlock(&l->lock);
		ext = kvmalloc_array(nr, sizeof(*ext), GFP_KERNEL);
		if (!ext)
			return -ENOMEM;
		kvfree(snap->ext);
		snap->ext = ext;
		snap->cap = nr;
	}
}

/* Save @l as node @name; nothing is created for an empty ledger. */
static int hv_ledger_save(struct hv_ledger *ledger, const char *name)
{
	struct hv_ledger snap, *l = &snap;
	struct pkram_stream ps;
	struct hv_ledger_hdr h;
	unsigned long skipped = 0;
	ssize_t n;
	int err;

	/* saving allocates: work on a copy, not under the ledger's lock */
	err = hv_ledger_snapshot(ledger, &snap);
	if (err)
		return err;
	if (!l->nr_pages)
		goto out;
	hv_ledger_fill_hdr(l, &h);
	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err)
		goto out;
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios | PKRAM_DATA_bytes |
					  PKRAM_DATA_inplace);
	if (err)
		goto discard;
	err = hv_ledger_save_folios(l, &ps, &skipped);
	if (!err) {
		PKRAM_ACCESS(pb, &ps, bytes);

		n = pkram_write(&pb, &h, sizeof(h));
		pkram_finish_access(&pb);
		if (n != sizeof(h))
			err = n < 0 ? n : -ENOMEM;
	}
	pkram_finish_save_obj(&ps);
	if (err)
		goto discard;
	err = pkram_finish_save(&ps);
	if (err)
		goto out;
	if (skipped) {
		pr_crit("%lu deposited pages lie in the loaded kexec kernel and are overwritten\n",
			skipped);
		err = -EADDRINUSE;
		goto out;
	}
	pr_info("saved %lu pages (%lu chunks, %lu extents) as %s\n",
		l->nr_pages, l->nr_chunks, l->nr_ext, name);
	goto out;
discard:
	pkram_discard_save(&ps);
out:
	hv_ledger_destroy(&snap);
	return err;
}

/* ---- loading, in the next kernel ---- */

static int hv_ledger_load_folios(struct hv_ledger *l, struct pkram_stream *ps,
				 unsigned long *loaded)
{
	PKRAM_ACCESS(pa, ps, folios);
	unsigned long index, bad = 0;
	struct folio *folio;

	while ((folio = pkram_load_folio(&pa, &index))) {
		unsigned long pfn;

		if (IS_ERR(folio)) {
			/* not a preserved page: not ours to keep */
			bad++;
			continue;
		}
		pfn = folio_pfn(folio);
		if (folio_order(folio) || index != pfn)
			bad++;
		/*
		 * Keep the reference pkram_load_folio() gave us for good,
		 * even if recording fails: the page is the hypervisor's.
		 */
		if (hv_ledger_add(l, pfn, folio_nr_pages(folio), 0)) {
			bad++;
			spin_lock(&l->lock);
			l->nr_lost += folio_nr_pages(folio);
			spin_unlock(&l->lock);
		} else {
			*loaded += folio_nr_pages(folio);
		}
		cond_resched();
	}
	pkram_finish_access(&pa);
	if (bad)
		pr_err("%lu unexpected entries in the incoming ledger\n", bad);
	return bad ? -EINVAL : 0;
}

/*
 * Load node @name into @l; its pages are never freed. Return: 0, -ENOENT if
 * there is no such node, or another error (what could be loaded is kept).
 */
static int hv_ledger_load(struct hv_ledger *l, const char *name)
{
	struct hv_ledger_hdr h = { };
	struct pkram_stream ps;
	unsigned long loaded = 0;
	size_t n = 0;
	int err;

	err = pkram_prepare_load(&ps, name);
	if (err)
		return err;
	err = pkram_prepare_load_obj(&ps);
	if (err) {
		pkram_finish_load(&ps);
		return err;
	}
	{
		PKRAM_ACCESS(pb, &ps, bytes);

		n = pkram_read(&pb, &h, sizeof(h));
		pkram_finish_access(&pb);
	}
	if (n != sizeof(h) || h.magic != HV_LEDGER_MAGIC ||
	    h.version != HV_LEDGER_VERSION)
		pr_err("bad ledger header (%zu bytes, version %u): loading the pages anyway\n",
		       n, h.version);
	/* the pages must be kept whatever the header says */
	err = hv_ledger_load_folios(l, &ps, &loaded);
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	spin_lock(&l->lock);
	l->nr_chunks += h.nr_chunks;
	spin_unlock(&l->lock);
	if (loaded != h.nr_pages)
		pr_err("incoming ledger: %lu pages, header says %llu\n", loaded,
		       h.nr_pages);
	pr_info("kept %lu deposited pages (%llu chunks, %u NUMA node(s)) from %s\n",
		loaded, h.nr_chunks, h.nr_nids, name);
	return err;
}

static int hv_ledger_saver_fn(struct pkram_saver *saver)
{
	return hv_ledger_save(&hv_ledger, HV_DEPOSIT_LEDGER_NODE);
}

/* Keep kexec segments off deposited pages before they are saved. */
static int hv_ledger_walk(struct pkram_pending *pending, pkram_range_fn fn,
			  void *arg)
{
	struct hv_ledger *l = &hv_ledger;
	unsigned long i;
	int err = 0;

	spin_lock(&l->lock);
	for (i = 0; i < l->nr_ext && !err; i++)
		err = fn(PFN_PHYS(l->ext[i].pfn),
			 PFN_PHYS(l->ext[i].pfn + l->ext[i].nr), arg);
	spin_unlock(&l->lock);
	return err;
}

static struct pkram_pending hv_ledger_pending = {
	.walk = hv_ledger_walk,
};

static struct pkram_saver hv_ledger_saver = {
	.name = "hv_deposit_ledger",
	.save = hv_ledger_saver_fn,
};

static int hv_ledger_show(struct seq_file *m, void *v)
{
	struct hv_deposit_counts c;

	hv_ledger_counts(&hv_ledger, &c);
	seq_printf(m, "root %d\nchunks %lu\nextents %lu\npages %lu\nlost %lu\n",
		   hv_deposit_ledger_is_root(), c.chunks, c.extents, c.pages,
		   c.lost);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_ledger);

/* "pfn nr" per line, in pfn order (for tests; racy against deposits) */
static int hv_ledger_extents_show(struct seq_file *m, void *v)
{
	struct hv_ledger *l = &hv_ledger;
	unsigned long i, nr = READ_ONCE(l->nr_ext);
	struct hv_deposit_extent *buf;

	buf = kvmalloc_array(max(nr, 1UL), sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	nr = min_t(unsigned long, nr, hv_deposit_ledger_extents(buf, nr));
	for (i = 0; i < nr; i++)
		seq_printf(m, "%#lx %lu\n", buf[i].pfn, buf[i].nr);
	kvfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_ledger_extents);

static int __init hv_deposit_ledger_init(void)
{
	struct dentry *dir;
	int err;

	if (hv_deposit_ledger_is_root()) {
		err = hv_ledger_load(&hv_ledger, HV_DEPOSIT_LEDGER_NODE);
		if (err == -ENOENT)
			pr_info("no incoming %s node\n", HV_DEPOSIT_LEDGER_NODE);
		else if (err)
			pr_err("loading %s failed (%d)\n",
			       HV_DEPOSIT_LEDGER_NODE, err);
	} else {
		pr_info("not a root partition: an incoming %s node stays reserved\n",
			HV_DEPOSIT_LEDGER_NODE);
	}
	pkram_register_saver(&hv_ledger_saver);
	pkram_register_pending(&hv_ledger_pending);

	dir = debugfs_create_dir("hv_deposit_ledger", NULL);
	debugfs_create_file("status", 0444, dir, NULL, &hv_ledger_fops);
	debugfs_create_file("extents", 0444, dir, NULL,
			    &hv_ledger_extents_fops);
	return 0;
}
subsys_initcall(hv_deposit_ledger_init);

#ifdef CONFIG_HYPERV_PKRAM_LEDGER_KUNIT_TEST
#include "hv_deposit_ledger_kunit.h"
#endif
