// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keeping a shmem file's data across kexec, in place.
 *
 * One shmem file is one PKRAM object: its folio stream holds the folios of
 * the file's page cache, each with its index and order, so holes stay holes
 * and THP stay THP; its byte stream starts with struct pkram_shmem_file
 * (size, mode, seals, owner, times). The caller owns the byte access and
 * may write what it needs after that record (the live-update interface
 * adds the memfd's token and file position).
 *
 * Saving runs in the kexec reboot path with the file frozen (no size change,
 * no new folio), so the walk of the page cache sees every folio the file
 * will have; data written into those folios until the kexec is kept, since
 * they are kept in place. Loading gives the folios to an empty shmem inode
 * as page-cache folios (shmem_insert_folios()).
 */

#define pr_fmt(fmt) "pkram: " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pkram.h>
#include <linux/pkram/abi.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

/* folios given to shmem_insert_folios() at a time: 512 bytes of stack */
#define PKRAM_SHMEM_BATCH	32

/*
 * A folio shmem allocated but nobody wrote (fallocate) is not uptodate and
 * reads as zeros; the next kernel gets it uptodate, so zero it now. A write
 * into it may fill it meanwhile, under the folio lock (the freeze stops new
 * folios, not writes): test again under the lock. A folio that is uptodate
 * stays so.
 */
static void pkram_shmem_fill(struct folio *folio)
{
	if (folio_test_uptodate(folio))
		return;
	folio_lock(folio);
	if (!folio_test_uptodate(folio)) {
		folio_zero_range(folio, 0, folio_size(folio));
		flush_dcache_folio(folio);
		folio_mark_uptodate(folio);
	}
	folio_unlock(folio);
}

static void pkram_shmem_fill_hdr(struct pkram_shmem_file *h,
				 struct inode *inode, unsigned long pages)
{
	struct timespec64 t;

	memset(h, 0, sizeof(*h));
	h->magic = PKRAM_SHMEM_MAGIC;
	h->version = PKRAM_SHMEM_VERSION;
	h->size = i_size_read(inode);
	h->nr_pages = pages;
	h->mode = inode->i_mode;
	h->seals = READ_ONCE(SHMEM_I(inode)->seals);
	h->uid = from_kuid(&init_user_ns, inode->i_uid);
	h->gid = from_kgid(&init_user_ns, inode->i_gid);
	t = inode_get_atime(inode);
	h->atime_sec = t.tv_sec;
	h->atime_nsec = t.tv_nsec;
	t = inode_get_mtime(inode);
	h->mtime_sec = t.tv_sec;
	h->mtime_nsec = t.tv_nsec;
	t = inode_get_ctime(inode);
	h->ctime_sec = t.tv_sec;
	h->ctime_nsec = t.tv_nsec;
}

/**
 * pkram_shmem_check - whether a shmem file's data can be kept
 * @inode: the file's inode
 *
 * Return: 0; -EBUSY (with a log line) if some of its pages are in swap:
 * only pages in memory are kept in place.
 */
int pkram_shmem_check(struct inode *inode)
{
	unsigned long swapped = READ_ONCE(SHMEM_I(inode)->swapped);

	if (swapped) {
		pr_warn_ratelimited("shmem inode %lu has %lu pages in swap: its data cannot be kept\n",
				    inode->i_ino, swapped);
		return -EBUSY;
	}
	return 0;
}

/* Keep the folios at [@start, @end] of @inode's page cache, in order. */
static int pkram_shmem_save_range(struct pkram_access *pa, struct inode *inode,
				  pgoff_t start, pgoff_t end, u64 *folios,
				  u64 *pages)
{
	struct address_space *mapping = inode->i_mapping;
	struct folio_batch fbatch;
	pgoff_t next = start;
	int err = 0;

	*folios = 0;
	*pages = 0;
	folio_batch_init(&fbatch);
	while (!err && next <= end &&
	       filemap_get_folios(mapping, &next, end, &fbatch)) {
		unsigned int i;

		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			pkram_shmem_fill(folio);
			err = pkram_save_folio(pa, folio);
			if (err)
				break;
			(*folios)++;
			*pages += folio_nr_pages(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
		if (!next)		/* wrapped: the last folio ended at ULONG_MAX */
			break;
	}
	return err;
}

/**
 * pkram_shmem_save_folios - keep a shmem file's folios in a folio stream
 * @pa: a folio access of a node being saved
 * @inode: the file's inode, frozen with %SHMEM_FREEZE_FOLIOS (or in a file
 *	   system nobody can change)
 * @folios: set to the number of folios kept
 * @pages: set to the number of pages they hold
 *
 * Every folio of the page cache is kept in place, with its index, in index
 * order, after what @pa holds already.
 *
 * Context: Process context; may sleep.
 * Return: 0, or a negative errno: -EBUSY if pages are in swap, or what
 * pkram_save_folio() returned.
 */
int pkram_shmem_save_folios(struct pkram_access *pa, struct inode *inode,
			    u64 *folios, u64 *pages)
{
	int err;

	*folios = 0;
	*pages = 0;
	err = pkram_shmem_check(inode);
	if (err)
		return err;
	return pkram_shmem_save_range(pa, inode, 0, ULONG_MAX, folios, pages);
}

/*
 * A large file is saved by several workers, each a part of its index range
 * through an access of its own; the stream interleaves them a link page at
 * a time, and loading does not need index order. Parts start at multiples
 * of the largest folio, so that no folio is in two. A worker gets at least
 * pkram_shmem_part_pages pages of the file, and there are at most as many
 * workers as online CPUs, or pkram_shmem_parts if set (KUnit sets both).
 */
#define PKRAM_SHMEM_MAX_PARTS	16
unsigned long pkram_shmem_part_pages = SZ_256M >> PAGE_SHIFT;
unsigned int pkram_shmem_parts;

struct pkram_shmem_part {
	struct work_struct work;
	struct pkram_stream *ps;
	struct inode *inode;
	pgoff_t start, end;
	u64 folios, pages;
	int err;
};

static void pkram_shmem_part_save(struct pkram_shmem_part *p)
{
	PKRAM_ACCESS(pa, p->ps, folios);

	p->err = pkram_shmem_save_range(&pa, p->inode, p->start, p->end,
					&p->folios, &p->pages);
	pkram_finish_access(&pa);
}

static void pkram_shmem_part_fn(struct work_struct *work)
{
	pkram_shmem_part_save(container_of(work, struct pkram_shmem_part,
					   work));
}

/* Save @inode's folios in @n parts at once; *@pages: how many pages in all. */
static int pkram_shmem_save_parts(struct pkram_stream *ps, struct inode *inode,
				  unsigned int n, u64 *pages)
{
	pgoff_t span = DIV_ROUND_UP(inode->i_mapping->nrpages, n);
	struct pkram_shmem_part *p;
	unsigned int i;
	int err = 0;

	p = kcalloc(n, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	/* by index, as far as the file's size goes: it may have holes */
	span = max_t(pgoff_t, span,
		     DIV_ROUND_UP(DIV_ROUND_UP_ULL(i_size_read(inode), PAGE_SIZE),
				  n));
	span = round_up(span, 1UL << MAX_PAGECACHE_ORDER);
	for (i = 0; i < n; i++) {
		p[i].ps = ps;
		p[i].inode = inode;
		p[i].start = i * span;
		p[i].end = i == n - 1 ? ULONG_MAX : (i + 1) * span - 1;
		INIT_WORK(&p[i].work, pkram_shmem_part_fn);
		if (i)
			queue_work(system_unbound_wq, &p[i].work);
	}
	pkram_shmem_part_save(&p[0]);
	*pages = 0;
	for (i = 0; i < n; i++) {
		if (i)
			flush_work(&p[i].work);
		err = err ?: p[i].err;
		*pages += p[i].pages;
	}
	kfree(p);
	return err;
}

/**
 * pkram_shmem_save - keep a shmem file's data in the current object
 * @ps: a node being saved, with a current object of folios and bytes
 * @bytes: a byte access of that object: the file's record is written here,
 *	   and the caller may write more after it
 * @inode: the file's inode, frozen with %SHMEM_FREEZE_FOLIOS
 *
 * Every folio of the page cache is kept in place, with its index; the file's
 * size, mode, seals, owner and times go into struct pkram_shmem_file. A
 * large file is saved by several workers at once (up to one per online
 * CPU); its folios are then in the stream in no particular order.
 *
 * Context: Process context; may sleep.
 * Return: 0, or a negative errno: -EBUSY if pages are in swap, -ENOMEM, or
 * what pkram_save_folio() returned.
 */
int pkram_shmem_save(struct pkram_stream *ps, struct pkram_access *bytes,
		     struct inode *inode)
{
	unsigned long n = inode->i_mapping->nrpages / pkram_shmem_part_pages;
	struct pkram_shmem_file h;
	u64 folios, pages;
	int err;

	n = min3(n, (unsigned long)(pkram_shmem_parts ?: num_online_cpus()),
		 (unsigned long)PKRAM_SHMEM_MAX_PARTS);
	err = pkram_shmem_check(inode);
	if (!err && n > 1) {
		err = pkram_shmem_save_parts(ps, inode, n, &pages);
	} else if (!err) {
		PKRAM_ACCESS(pa, ps, folios);

		err = pkram_shmem_save_range(&pa, inode, 0, ULONG_MAX,
					     &folios, &pages);
		pkram_finish_access(&pa);
	}
	if (err)
		return err;

	pkram_shmem_fill_hdr(&h, inode, pages);
	return pkram_write_all(bytes, &h, sizeof(h));
}

/**
 * pkram_shmem_read_hdr - read and check a shmem file's record
 * @bytes: a byte access of the file's object, of a node being loaded
 * @h: the record
 *
 * Return: 0; -EBADMSG (with a log line) if it is short, of another version
 * or has non-zero reserved fields.
 */
int pkram_shmem_read_hdr(struct pkram_access *bytes, struct pkram_shmem_file *h)
{
	if (pkram_read(bytes, h, sizeof(*h)) != sizeof(*h) ||
	    h->magic != PKRAM_SHMEM_MAGIC) {
		pr_err("a shmem file record is damaged\n");
		return -EBADMSG;
	}
	if (h->version != PKRAM_SHMEM_VERSION) {
		pr_err("a shmem file record is version %u; this kernel reads %u\n",
		       h->version, PKRAM_SHMEM_VERSION);
		return -EBADMSG;
	}
	if (h->reserved0 || h->reserved1 || h->reserved[0] || h->reserved[1] ||
	    h->size > MAX_LFS_FILESIZE || h->atime_nsec >= NSEC_PER_SEC ||
	    h->mtime_nsec >= NSEC_PER_SEC || h->ctime_nsec >= NSEC_PER_SEC) {
		pr_err("a shmem file record has bad or reserved fields set\n");
		return -EBADMSG;
	}
	return 0;
}

/*
 * A folio that crossed a kexec is fresh: in no page cache, on no LRU. One
 * loaded in the boot that saved it is the saved file's own folio, perhaps
 * still in use there: give the new file a copy.
 */
static struct folio *pkram_shmem_fresh(struct inode *inode, struct folio *folio)
{
	struct folio *copy;

	if (!folio->mapping && !folio_test_lru(folio))
		return folio;
	copy = folio_alloc(mapping_gfp_mask(inode->i_mapping),
			   folio_order(folio));
	if (copy)
		folio_copy(copy, folio);
	folio_put(folio);
	return copy ?: ERR_PTR(-ENOMEM);
}

/**
 * pkram_shmem_load_folios - give a file's kept folios to a new shmem inode
 * @pa: a folio access of a node being loaded
 * @inode: an empty shmem inode nobody else uses yet
 * @folios: how many folios of the stream are the file's
 * @pages: how many pages they must hold
 *
 * The next @folios folios of the stream become @inode's page cache where
 * they were, uptodate, counted as shmem and charged to the current task's
 * memory cgroup. The size is the caller's to set.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBADMSG if the folios do not match (the stream ends early,
 * overlapping or misaligned indices, another number of pages); -ENOMEM
 * or -ENOSPC. On failure @inode holds part of the data: drop it.
 */
int pkram_shmem_load_folios(struct pkram_access *pa, struct inode *inode,
			    u64 folios, u64 pages)
{
	struct folio *batch[PKRAM_SHMEM_BATCH], *folio;
	pgoff_t index[PKRAM_SHMEM_BATCH];
	unsigned int n, i, done;
	u64 got = 0;
	int err = 0, ret;

	while (!err && folios) {
		for (n = 0; n < PKRAM_SHMEM_BATCH && folios; n++, folios--) {
			folio = pkram_load_folio(pa, &index[n]);
			if (IS_ERR_OR_NULL(folio)) {
				err = folio ? PTR_ERR(folio) : -EBADMSG;
				break;
			}
			got += folio_nr_pages(folio);
			folio = pkram_shmem_fresh(inode, folio);
			if (IS_ERR(folio)) {
				err = PTR_ERR(folio);
				break;
			}
			batch[n] = folio;
		}
		/* what was loaded goes in before a failure is reported */
		ret = n ? shmem_insert_folios(inode, batch, index, n, &done) : 0;
		err = ret ?: err;
		for (i = 0; i < n; i++)
			folio_put(batch[i]);
		cond_resched();
	}
	if (err == -EINVAL || err == -EEXIST || (!err && got != pages)) {
		pr_err("the folios of a shmem file do not match its record\n");
		err = -EBADMSG;
	}
	return err;
}

/**
 * pkram_shmem_load - give a kept file's folios to a new shmem inode
 * @ps: the node being loaded, at the file's object
 * @h: the file's record, read with pkram_shmem_read_hdr()
 * @inode: an empty shmem inode nobody else uses yet
 *
 * The folios become @inode's page cache where they were, uptodate, counted
 * as shmem and charged to the current task's memory cgroup; @inode gets the
 * size. Mode, owner, times and seals are the caller's to apply.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBADMSG if the folios do not match the record (overlapping
 * or misaligned indices, another number of pages); -ENOMEM or -ENOSPC. On
 * failure @inode holds part of the data: drop it.
 */
int pkram_shmem_load(struct pkram_stream *ps, const struct pkram_shmem_file *h,
		     struct inode *inode)
{
	PKRAM_ACCESS(pa, ps, folios);
	int err;

	err = pkram_shmem_load_folios(&pa, inode, ps->obj->nr_folios,
				      h->nr_pages);
	pkram_finish_access(&pa);
	if (!err)
		i_size_write(inode, h->size);
	return err;
}
