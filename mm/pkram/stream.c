// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM streams: the folio and byte streams of an object.
 *
 * A stream is a chain of link pages holding packed entries (internal.h).
 * Saving appends entries and merges a folio into the previous entry when it
 * follows it physically and by index, so physically contiguous memory costs
 * one entry however large it is. Loading walks the chain from its head and
 * detaches each link page from the object as it enters it, so whatever was
 * not handed out can always be released from the object's heads.
 *
 * Several folio accesses of one object may save or load at once, one
 * thread each. A saving access appends to link pages of its own (the
 * stream's last one when nobody else is filling it, else a new one it
 * chains at the end), so appending takes no lock but the read side of
 * pkram_save_sem, which keeps pkram_walk_node() out; the node's lock is
 * taken once per link page, to chain it. A loading access detaches a whole
 * link page under the node's lock and hands out its folios alone. Every
 * link page's first entry carries its index, so any link page decodes on
 * its own, in whichever order accesses took them.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/atomic.h>
#include <linux/crc32.h>
#include <linux/highmem.h>
#include <linux/memblock.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pagemap.h>
#include <linux/page-isolation.h>
#include <linux/percpu.h>
#include <linux/percpu-rwsem.h>

#include "../internal.h"
#include "internal.h"

#define PKRAM_NO_LAST	UINT_MAX

/* How many banned pages pkram_alloc_safe() sets aside before giving up. */
#define PKRAM_ALLOC_TRIES	4096

/*
 * Pages PKRAM holds for outgoing nodes: pages it allocated (metadata, byte
 * streams, copies) and references it holds on saved folios. Exact once
 * nobody is saving, so that tests can tell that a failed save leaked
 * nothing; per CPU, so that parallel saves do not share a cache line.
 */
static DEFINE_PER_CPU(long, pkram_owned_pages);

static void pkram_owned_add(long nr)
{
	this_cpu_add(pkram_owned_pages, nr);
}

long pkram_owned(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pkram_owned_pages, cpu);
	return sum;
}

/*
 * Read side: changes to the link pages and object list of a node being
 * saved. Write side: pkram_walk_node() on such a node. Per CPU, since every
 * saved folio takes the read side.
 */
DEFINE_STATIC_PERCPU_RWSEM(pkram_save_sem);

/* Keep every saver's appends out, for pkram_walk_node() on a saving node. */
void pkram_lock_saves(void)
{
	percpu_down_write(&pkram_save_sem);
}

void pkram_unlock_saves(void)
{
	percpu_up_write(&pkram_save_sem);
}

/* Change the object list or link chains of a node being saved. */
void pkram_change_begin(struct pkram_node *node)
{
	percpu_down_read(&pkram_save_sem);
	mutex_lock(&node->lock);
}

void pkram_change_end(struct pkram_node *node)
{
	mutex_unlock(&node->lock);
	percpu_up_read(&pkram_save_sem);
}

/**
 * pkram_alloc_safe - allocate pages the loaded kexec kernel will not overwrite
 * @gfp: allocation flags; never movable: what PKRAM allocates stays put
 * @order: allocation order
 *
 * Once a kexec kernel is loaded, its segments' destinations are free memory
 * that the kexec copy will overwrite; PKRAM must not preserve anything there.
 * Pages that land there are set aside until an allocation succeeds. The
 * pages are counted in pkram_owned_pages; free them with pkram_free_owned().
 *
 * Return: the pages, or NULL.
 */
struct page *pkram_alloc_safe(gfp_t gfp, unsigned int order)
{
	struct page *page, *tmp;
	LIST_HEAD(banned);
	int tries = 0;

	/* not in ZONE_MOVABLE or CMA: preserved pages must not block them */
	gfp &= ~(__GFP_MOVABLE | __GFP_HIGHMEM);
	while ((page = alloc_pages(gfp | __GFP_NOWARN, order))) {
		u64 phys = page_to_phys(page);

		if (!pkram_in_kexec_segment(phys, phys + (PAGE_SIZE << order)))
			break;
		list_add(&page->lru, &banned);
		if (++tries == PKRAM_ALLOC_TRIES) {
			page = NULL;
			break;
		}
	}
	while (!list_empty(&banned)) {
		tmp = list_first_entry(&banned, struct page, lru);
		list_del(&tmp->lru);
		__free_pages(tmp, order);
	}
	if (page)
		pkram_owned_add(1L << order);
	return page;
}

/* Free pages pkram_alloc_safe() returned. */
void pkram_free_owned(struct page *page, unsigned int order)
{
	pkram_owned_add(-(1L << order));
	__free_pages(page, order);
}

void pkram_free_meta_page(void *page, bool incoming)
{
	if (!incoming) {
		pkram_free_owned(virt_to_page(page), 0);
		return;
	}
	/* never free a page twice, even with corrupt metadata */
	if (!WARN_ON_ONCE(!PageReserved(virt_to_page(page))))
		free_reserved_page(virt_to_page(page));
}

/*
 * Release one data folio of a stream: drop the reference PKRAM holds on an
 * outgoing folio, or give an incoming (still reserved) one to the buddy
 * allocator.
 */
static void pkram_release_data(u64 phys, unsigned int order, bool incoming)
{
	unsigned long i, nr = 1UL << order;
	struct page *page = pfn_to_page(PHYS_PFN(phys));

	if (!incoming) {
		pkram_owned_add(-nr);
		folio_put(page_folio(page));
		return;
	}
	for (i = 0; i < nr; i++) {
		/* never free a page twice, even with corrupt metadata */
		if (WARN_ON_ONCE(!PageReserved(page + i)))
			continue;
		free_reserved_page(page + i);
	}
}

/* Release the link chain starting at @head and, if @put_data, its data. */
void pkram_release_stream(u64 head, bool incoming, bool put_data)
{
	while (head) {
		struct pkram_link_meta *link = phys_to_virt(head);
		unsigned int pos = 0;

		while (put_data && pos < link->nr_words) {
			struct pkram_entry e;
			u64 i;

			if (!pkram_entry_decode(&link->words[pos],
						link->nr_words - pos, &e))
				break;	/* cannot happen: validated or ours */
			for (i = 0; i < e.count; i++)
				pkram_release_data(pkram_entry_folio(&e, i),
						   e.order, incoming);
			pos += e.words;
			cond_resched();
		}
		head = link->hdr.next;
		pkram_free_meta_page(link, incoming);
	}
}

static int pkram_crc_fn(u64 start, u64 end, void *arg)
{
	u32 *crc = arg;

	*crc = __crc32c_le(*crc, phys_to_virt(start), end - start);
	cond_resched();
	return 0;
}

struct pkram_peek {
	char *buf;
	size_t done;
	size_t count;
};

static int pkram_peek_fn(u64 start, u64 end, void *arg)
{
	struct pkram_peek *pk = arg;
	size_t n = min_t(u64, end - start, pk->count - pk->done);

	memcpy(pk->buf + pk->done, phys_to_virt(start), n);
	pk->done += n;
	return pk->done == pk->count;	/* 1: enough */
}

/**
 * pkram_peek - read the current object's byte stream and keep it
 * @ps: a node being loaded, at an object with a byte stream
 * @buf: where to copy
 * @count: the most to copy, from the start of the stream
 *
 * Nothing is consumed: a byte access of the object reads the same bytes
 * afterwards, and pkram_cancel_load() can still give the node back whole.
 * For a loader that checks what it is given before it takes anything.
 *
 * Context: Process context.
 * Return: the number of bytes copied, less than @count only at the end of
 * the stream; -EINVAL if the object has no byte stream.
 */
ssize_t pkram_peek(struct pkram_stream *ps, void *buf, size_t count)
{
	struct pkram_peek pk = { .buf = buf };
	struct pkram_obj_meta *obj = ps->obj;

	if (!obj || !(obj->flags & PKRAM_DATA_bytes))
		return -EINVAL;
	pk.count = min_t(u64, count, obj->data_len);
	if (pk.count &&
	    pkram_walk_stream(obj->bytes_head, false, pkram_peek_fn, &pk) < 0)
		return -EINVAL;
	return pk.done;
}
EXPORT_SYMBOL_GPL(pkram_peek);

/**
 * pkram_obj_crc - checksum an object's data
 * @obj: the object
 *
 * crc32c, seeded with ~0, of the folios' contents in stream order, then of
 * the byte stream's pages (whole pages: their tails are zero).
 *
 * Context: Process context.
 * Return: the checksum.
 */
u32 pkram_obj_crc(const struct pkram_obj_meta *obj)
{
	u32 crc = ~0;

	pkram_walk_stream(obj->folios_head, false, pkram_crc_fn, &crc);
	pkram_walk_stream(obj->bytes_head, false, pkram_crc_fn, &crc);
	return crc;
}

/* ---- saving ---- */

/* The access's stream of the object: 0 for folios, 1 for bytes. */
static unsigned int pkram_stream_idx(struct pkram_access *pa)
{
	return pa->dtype != PKRAM_DATA_folios;
}

static u64 *pkram_stream_head(struct pkram_access *pa)
{
	struct pkram_obj_meta *obj = pa->ps->obj;

	return pa->dtype == PKRAM_DATA_folios ? &obj->folios_head :
						&obj->bytes_head;
}

/* Add what the access saved to the counts of its object and node. */
static void pkram_flush_counts(struct pkram_access *pa)
{
	struct pkram_node_meta *meta = pa->ps->node->meta;
	struct pkram_obj_meta *obj = pa->ps->obj;

	lockdep_assert_held(&pa->ps->node->lock);
	if (!pa->nr_folios && !pa->nr_pages)
		return;		/* also: no object (an access that saved nothing) */
	obj->nr_folios += pa->nr_folios;
	obj->nr_pages += pa->nr_pages;
	meta->nr_folios += pa->nr_folios;
	meta->nr_pages += pa->nr_pages;
	pa->nr_folios = 0;
	pa->nr_pages = 0;
}

/*
 * The access is done with its link page: count what it saved there, and
 * let another access continue the page.
 */
static void pkram_put_link(struct pkram_access *pa)
{
	unsigned int s = pkram_stream_idx(pa);
	struct pkram_stream *ps = pa->ps;

	lockdep_assert_held(&ps->node->lock);
	pkram_flush_counts(pa);
	if (pa->link && pa->link == ps->tail[s])
		ps->tail_held[s] = false;
	pa->link = NULL;
}

/*
 * Continue the stream's last link page if no other access is appending to
 * it and @room words are left in it. Caller holds the node's lock.
 */
static bool pkram_take_tail(struct pkram_access *pa, unsigned int room)
{
	unsigned int s = pkram_stream_idx(pa);
	struct pkram_stream *ps = pa->ps;
	struct pkram_link_meta *tail = ps->tail[s];

	lockdep_assert_held(&ps->node->lock);
	if (!tail || ps->tail_held[s] || tail->nr_words + room > PKRAM_LINK_WORDS)
		return false;
	ps->tail_held[s] = true;
	pa->link = tail;
	pa->pos = tail->nr_words;
	pa->last = PKRAM_NO_LAST;
	return true;
}

/*
 * Give the access a link page with room for an entry and its index: the
 * stream's last one if it is free, else a new one chained at the end.
 */
static int pkram_next_link(struct pkram_access *pa)
{
	struct pkram_stream *ps = pa->ps;
	struct pkram_node *node = ps->node;
	unsigned int s = pkram_stream_idx(pa);
	struct pkram_link_meta *link;
	struct page *page;
	bool taken;

	mutex_lock(&node->lock);
	pkram_put_link(pa);
	taken = pkram_take_tail(pa, 2);
	mutex_unlock(&node->lock);
	if (taken)
		return 0;

	page = pkram_alloc_safe((ps->gfp & GFP_RECLAIM_MASK) | __GFP_ZERO, 0);
	if (!page)
		return -ENOMEM;
	link = page_address(page);
	link->hdr.magic = PKRAM_META_MAGIC;
	link->hdr.version = PKRAM_FORMAT_VERSION;
	link->hdr.type = PKRAM_META_LINK;

	pkram_change_begin(node);
	if (ps->tail[s])
		ps->tail[s]->hdr.next = virt_to_phys(link);
	else
		*pkram_stream_head(pa) = virt_to_phys(link);
	ps->tail[s] = link;
	ps->tail_held[s] = true;
	node->meta->nr_meta++;
	pkram_change_end(node);

	pa->link = link;
	pa->pos = 0;
	pa->last = PKRAM_NO_LAST;
	return 0;
}

/*
 * Add a folio that follows the last entry by index to that entry: to its
 * run if it follows physically, else, for order 0, to its packed frame
 * numbers. False if it cannot.
 */
static bool pkram_extend_last(struct pkram_access *pa, u64 phys,
			      unsigned int order)
{
	u64 *w = &pa->link->words[pa->last], *count;
	bool room = pa->pos < PKRAM_LINK_WORDS;
	struct pkram_entry e;

	if (!pkram_entry_decode(w, pa->pos - pa->last, &e))
		return false;
	count = &w[1 + e.has_index];
	if (!e.pfns && e.order == order &&
	    e.phys + (e.count << (order + PAGE_SHIFT)) == phys) {
		if (e.count > 1) {
			(*count)++;
		} else if (room) {
			w[0] |= PKRAM_ENT_RUN;
			pa->link->words[pa->pos++] = 2;
		}
		return e.count > 1 || room;
	}
	if (order || e.order || PHYS_PFN(phys) > U32_MAX ||
	    (!e.pfns && e.count > 1))
		return false;
	if (e.pfns && !(e.count % 2)) {
		/* the last word's upper half is free */
		w[e.words - 1] |= (u64)PHYS_PFN(phys) << 32;
		(*count)++;
		return true;
	}
	if (e.pfns && room) {
		pa->link->words[pa->pos++] = PHYS_PFN(phys);
		(*count)++;
		return true;
	}
	if (e.pfns || pa->pos + 2 > PKRAM_LINK_WORDS)
		return false;
	w[0] |= PKRAM_ENT_PACK;
	pa->link->words[pa->pos++] = 2;
	pa->link->words[pa->pos++] = PHYS_PFN(phys);
	return true;
}

/*
 * Append a folio to the access's link page; -ENOSPC if it needs another.
 * The first entry of each link page carries its index, so a link page can
 * be decoded on its own.
 */
static int __pkram_append(struct pkram_access *pa, u64 phys,
			  unsigned int order, unsigned long index)
{
	unsigned long nr = 1UL << order;
	bool need_index;

	if (pa->link && pa->last != PKRAM_NO_LAST && index == pa->next_index &&
	    pkram_extend_last(pa, phys, order))
		goto done;

	need_index = pa->last == PKRAM_NO_LAST || index != pa->next_index;
	if (!pa->link || pa->pos + 1 + need_index > PKRAM_LINK_WORDS)
		return -ENOSPC;
	pa->last = pa->pos;
	pa->link->words[pa->pos++] = phys | order |
				     (need_index ? PKRAM_ENT_INDEX : 0);
	if (need_index)
		pa->link->words[pa->pos++] = index;
done:
	pa->link->nr_words = pa->pos;
	pa->next_index = index + nr;
	return 0;
}

/*
 * Memory the page allocator must be able to move or take back: ZONE_MOVABLE
 * (memory offlining), CMA pageblocks (cma_alloc()) and pageblocks isolated
 * right now for either. Preserving a folio there in place would pin it.
 */
static bool pkram_folio_may_move(struct folio *folio)
{
	int mt = folio_migratetype(folio);

	return folio_is_zone_movable(folio) || is_migrate_cma(mt) ||
	       is_migrate_isolate(mt);
}

/*
 * Append under the read side of pkram_save_sem. For a folio preserved in
 * place (@folio set), whether it may move is decided in the same section:
 * the memory offline notifier walks nodes under the write side after the
 * range is isolated, so either its walk sees this folio (and refuses), or
 * this check sees the isolation (-EAGAIN: save a copy).
 */
static int pkram_append_locked(struct pkram_access *pa, u64 phys,
			       unsigned int order, unsigned long index,
			       struct folio *folio)
{
	int err;

	percpu_down_read(&pkram_save_sem);
	if (folio && pkram_folio_may_move(folio))
		err = -EAGAIN;
	else
		err = __pkram_append(pa, phys, order, index);
	percpu_up_read(&pkram_save_sem);
	return err;
}

/* Append a folio, in a new link page if need be. */
static int pkram_append(struct pkram_access *pa, u64 phys, unsigned int order,
			unsigned long index, struct folio *folio)
{
	int err;

	err = pkram_append_locked(pa, phys, order, index, folio);
	if (err != -ENOSPC)
		return err;
	err = pkram_next_link(pa);
	if (err)
		return err;
	err = pkram_append_locked(pa, phys, order, index, folio);
	/* cannot be -ENOSPC: the link page has room for an entry and its index */
	return WARN_ON_ONCE(err == -ENOSPC) ? -EINVAL : err;
}

static bool pkram_access_ok(struct pkram_access *pa, enum pkram_data_flags t)
{
	struct pkram_stream *ps = pa->ps;

	return pa->dtype == t && ps && ps->node && ps->obj &&
	       (ps->obj->flags & t);
}

/* Preserve a copy of @folio, in pages PKRAM allocates where nothing moves. */
static int pkram_save_copy(struct pkram_access *pa, struct folio *folio)
{
	unsigned int order = folio_order(folio);
	struct page *copy;
	unsigned long i;
	int err;

	copy = pkram_alloc_safe((pa->ps->gfp & GFP_RECLAIM_MASK) | __GFP_COMP,
				order);
	if (!copy)
		return -ENOMEM;
	for (i = 0; i < folio_nr_pages(folio); i++)
		copy_highpage(copy + i, folio_page(folio, i));
	page_folio(copy)->index = folio->index;
	err = pkram_append(pa, page_to_phys(copy), order, folio->index, NULL);
	if (err)
		pkram_free_owned(copy, order);
	return err;	/* the copy's reference is PKRAM's */
}

/**
 * pkram_save_folio - preserve a folio in the current object
 * @pa: a folio access (PKRAM_ACCESS(name, ps, folios)) of a node being saved
 * @folio: the folio; its index (folio->index) is kept and returned on load
 *
 * Takes a reference on @folio: the caller may go on using it. The contents
 * are preserved in place, as they are at kexec.
 *
 * Two kinds of folio cannot be preserved in place; for them PKRAM preserves
 * a copy of the contents as they are now, in pages it allocates outside
 * movable memory and loaded kexec segments, and takes no reference on
 * @folio (see Documentation/mm/pkram.rst):
 *
 * - a folio where an already loaded kexec kernel will be copied;
 * - a folio in ZONE_MOVABLE or in a CMA (or isolated) pageblock: that memory
 *   must stay migratable, and a page PKRAM holds until kexec would block
 *   memory offlining and CMA allocations there.
 *
 * An object saved with %PKRAM_DATA_inplace is never copied: such folios are
 * refused, with a "pkram:" message.
 *
 * Several threads may save into the current object at once, each through
 * an access of its own, for large nodes. Each access's folios stay in the
 * order it saved them; the stream interleaves accesses a link page (up to
 * about a thousand folios) at a time. End every access with
 * pkram_finish_access() before pkram_finish_save_obj().
 *
 * Context: Process context; may sleep if the stream's gfp allows.
 * Return: 0 on success; -EINVAL if the access or object has no folio
 * stream; for a %PKRAM_DATA_inplace object, -EADDRINUSE if the folio lies in
 * a loaded kexec segment and -EADDRNOTAVAIL if it is in movable or CMA
 * memory; -ENOMEM.
 */
int pkram_save_folio(struct pkram_access *pa, struct folio *folio)
{
	unsigned int order = folio_order(folio);
	u64 phys = PFN_PHYS(folio_pfn(folio));
	bool inplace, banned, movable;
	int err;

	if (!pkram_access_ok(pa, PKRAM_DATA_folios) || order > MAX_PAGE_ORDER)
		return -EINVAL;
	inplace = pa->ps->obj->flags & PKRAM_DATA_inplace;
	banned = pkram_in_kexec_segment(phys, phys + folio_size(folio));
	movable = false;
	if (!banned) {
		err = pkram_append(pa, phys, order, folio->index, folio);
		if (!err) {
			folio_get(folio);
			pkram_owned_add(folio_nr_pages(folio));
			goto saved;
		}
		if (err != -EAGAIN)
			return err;
		movable = true;
	}
	if (inplace) {
		pr_warn_ratelimited("node %s: folio at %#llx %s and the object is inplace: refused\n",
				    pa->ps->node->meta->name, phys, banned ?
				    "lies in a loaded kexec segment" :
				    "is in movable or CMA memory");
		return banned ? -EADDRINUSE : -EADDRNOTAVAIL;
	}
	err = pkram_save_copy(pa, folio);
	if (err)
		return err;
	if (banned)
		pr_info_once("saving copies of folios in loaded kexec segments\n");
	else if (movable)
		pr_info_once("saving copies of folios in movable or CMA memory\n");
saved:
	pa->nr_folios++;
	pa->nr_pages += folio_nr_pages(folio);
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_save_folio);

/*
 * Start a byte access: an earlier access may have left the stream's last
 * page partly filled; continue it.
 */
static int pkram_resume_bytes(struct pkram_access *pa)
{
	struct pkram_node *node = pa->ps->node;
	struct pkram_entry e = { };
	unsigned int pos = 0;
	bool busy;
	u64 phys;

	pa->data_off = offset_in_page(pa->ps->obj->data_len);
	if (!pa->data_off)
		return 0;
	mutex_lock(&node->lock);
	busy = !pkram_take_tail(pa, 0);
	mutex_unlock(&node->lock);
	if (WARN_ON_ONCE(busy))
		return -EBUSY;	/* two byte accesses at once */

	/* the last page is the end of the last entry */
	while (pos < pa->link->nr_words &&
	       pkram_entry_decode(&pa->link->words[pos],
				  pa->link->nr_words - pos, &e))
		pos += e.words;
	phys = pkram_entry_folio(&e, e.count - 1);
	pa->data = page_folio(pfn_to_page(PHYS_PFN(phys)));
	return 0;
}

/**
 * pkram_write - append bytes to the byte stream of the current object
 * @pa: a byte access (PKRAM_ACCESS(name, ps, bytes)) of a node being saved
 * @buf: the data
 * @count: its length; any length, including 0
 *
 * The bytes are copied into pages PKRAM allocates and preserves. One byte
 * access of an object at a time; folio accesses may run alongside.
 *
 * Context: Process context; may sleep if the stream's gfp allows.
 * Return: @count on success; -EINVAL if the access or object has no byte
 * stream; -EBUSY if another byte access of the object is open; -ENOMEM if
 * nothing could be written, else the bytes written.
 */
ssize_t pkram_write(struct pkram_access *pa, const void *buf, size_t count)
{
	size_t done = 0;

	if (!pkram_access_ok(pa, PKRAM_DATA_bytes))
		return -EINVAL;
	if (!pa->started) {
		int err = pkram_resume_bytes(pa);

		if (err)
			return err;
		pa->started = true;
	}

	while (done < count) {
		size_t n;

		if (!pa->data || pa->data_off == PAGE_SIZE) {
			struct page *page;
			gfp_t gfp = (pa->ps->gfp & GFP_RECLAIM_MASK) |
				    __GFP_ZERO;
			u64 phys;
			int err;

			page = pkram_alloc_safe(gfp, 0);
			if (!page)
				return done ? done : -ENOMEM;
			phys = page_to_phys(page);
			err = pkram_append(pa, phys, 0, pa->next_index, NULL);
			if (err) {
				pkram_free_owned(page, 0);
				return done ? done : err;
			}
			pa->data = page_folio(page);
			pa->data_off = 0;
		}
		n = min_t(size_t, count - done, PAGE_SIZE - pa->data_off);
		memcpy(folio_address(pa->data) + pa->data_off, buf + done, n);
		pa->data_off += n;
		done += n;
		pa->ps->obj->data_len += n;
		pa->ps->node->meta->nr_bytes += n;
	}
	return done;
}
EXPORT_SYMBOL_GPL(pkram_write);

/* ---- loading ---- */

/* Pages claimed before a batch of them is counted as managed memory. */
#define PKRAM_CLAIM_BATCH	4096

/* Count the pages the access claimed as managed memory of their zone. */
static void pkram_account_claimed(struct pkram_access *pa)
{
	if (pa->claimed)
		adjust_managed_page_count(pa->claim_page, pa->claimed);
	pa->claimed = 0;
}

/*
 * Turn preserved, memblock-reserved pages into a folio the caller owns:
 * refcount 1, not reserved, compound of @order, counted as managed memory
 * (in batches: parallel loads would fight over the counters' cache lines).
 * A page that is no longer reserved was handed out already: refuse it.
 *
 * The first page is claimed with an atomic test-and-clear, so that of two
 * threads claiming one folio only one can win it. The other pages of a
 * large folio are checked and cleared with plain stores, in the same pass
 * that gives them refcount 0 (three passes over 512 struct pages made most
 * of the cost of restoring 2 MiB folios): no other entry can name them,
 * as validation refuses a handover whose ranges overlap, and a page freed
 * earlier is still caught by the check.
 */
static struct folio *pkram_claim_folio(struct pkram_access *pa, u64 phys,
				       unsigned int order)
{
	unsigned long i, nr = 1UL << order;
	struct page *page = pfn_to_page(PHYS_PFN(phys));

	if (!pa->ps->node->incoming) {
		/* the reference PKRAM held is the caller's now */
		pkram_owned_add(-nr);
		return page_folio(page);
	}

	if (!TestClearPageReserved(page)) {
		i = 0;
		goto taken;
	}
	for (i = 1; i < nr; i++) {
		if (unlikely(!PageReserved(page + i)))
			goto taken;
		__ClearPageReserved(page + i);
		set_page_count(page + i, 0);
	}
	set_page_count(page, 1);
	if (order)
		prep_compound_page(page, order);
	if (pa->claimed && (page_zone(page) != page_zone(pa->claim_page) ||
			    pa->claimed >= PKRAM_CLAIM_BATCH))
		pkram_account_claimed(pa);
	if (!pa->claimed)
		pa->claim_page = page;
	pa->claimed += nr;
	return page_folio(page);

taken:
	pr_err_ratelimited("node %s: page %#llx was handed out already\n",
			   pa->ps->node->meta->name, phys + i * PAGE_SIZE);
	while (i--) {
		set_page_count(page + i, 1);
		SetPageReserved(page + i);
	}
	return ERR_PTR(-EINVAL);
}

/* Move to the next entry; false at the end of the stream. */
static bool pkram_next_entry(struct pkram_access *pa)
{
	struct pkram_entry e;

	while (!pa->link || pa->pos >= pa->link->nr_words) {
		struct pkram_node *node = pa->ps->node;
		u64 *head = pkram_stream_head(pa);

		if (pa->link)
			pkram_free_meta_page(pa->link, node->incoming);
		pa->link = NULL;
		/* other accesses may be loading the object too */
		mutex_lock(&node->lock);
		if (*head) {
			pa->link = phys_to_virt(*head);
			*head = pa->link->hdr.next;	/* detach: ours now */
		}
		mutex_unlock(&node->lock);
		if (!pa->link)
			return false;
		pa->pos = 0;
	}
	if (!pkram_entry_decode(&pa->link->words[pa->pos],
				pa->link->nr_words - pa->pos, &e))
		return false;	/* cannot happen: the node was validated */
	pa->run_phys = e.phys;
	pa->run_order = e.order;
	pa->run_pfns = e.pfns;
	pa->run_i = 0;
	pa->run_left = e.count;
	if (e.has_index)
		pa->next_index = e.index;
	pa->pos += e.words;
	return true;
}

/* The address of the next folio of the current entry; consumes it. */
static u64 pkram_run_next(struct pkram_access *pa)
{
	pa->run_left--;
	return pkram_folio_at(pa->run_phys, pa->run_order, pa->run_pfns,
			      pa->run_i++);
}

/* Hand out the next folio of the stream, or NULL at its end. */
static struct folio *pkram_next_folio(struct pkram_access *pa,
				      unsigned long *index)
{
	struct folio *folio;

	if (!pa->run_left && !pkram_next_entry(pa))
		return NULL;
	folio = pkram_claim_folio(pa, pkram_run_next(pa), pa->run_order);
	if (index)
		*index = pa->next_index;
	pa->next_index += 1UL << pa->run_order;
	return folio;
}

/**
 * pkram_load_folio - take the next folio of the current object
 * @pa: a folio access (PKRAM_ACCESS(name, ps, folios)) of a node being loaded
 * @index: set to the index the folio had when it was saved
 *
 * Folios come back in the order they were saved, with their order. The
 * caller owns the returned folio (refcount 1 for a folio that crossed a
 * kexec) and frees it with folio_put().
 *
 * Several threads may load the current object at once, each through an
 * access of its own: each access takes the stream a link page at a time,
 * so every folio is handed out once, with its index, but which access gets
 * which folios is not defined. End every access with pkram_finish_access()
 * before pkram_finish_load_obj().
 *
 * Context: Process context.
 * Return: the folio; NULL at the end of the stream; ERR_PTR(-EINVAL) if the
 * access has no folio stream or the entry is not a preserved page.
 */
struct folio *pkram_load_folio(struct pkram_access *pa, unsigned long *index)
{
	if (!pkram_access_ok(pa, PKRAM_DATA_folios))
		return ERR_PTR(-EINVAL);
	return pkram_next_folio(pa, index);
}
EXPORT_SYMBOL_GPL(pkram_load_folio);

/**
 * pkram_read - read from the byte stream of the current object
 * @pa: a byte access (PKRAM_ACCESS(name, ps, bytes)) of a node being loaded
 * @buf: where to copy
 * @count: the most to copy
 *
 * Pages of the stream are freed as they are consumed.
 *
 * Context: Process context.
 * Return: the number of bytes copied, less than @count only at the end of
 * the stream (0 there).
 */
size_t pkram_read(struct pkram_access *pa, void *buf, size_t count)
{
	size_t done = 0;

	if (!pkram_access_ok(pa, PKRAM_DATA_bytes))
		return 0;
	if (!pa->started) {
		pa->started = true;
		pa->data_left = pa->ps->obj->data_len;
	}

	while (done < count && pa->data_left) {
		size_t n;

		if (!pa->data) {
			struct folio *folio = pkram_next_folio(pa, NULL);

			if (IS_ERR_OR_NULL(folio)) {
				pr_err("byte stream of node %s ends early\n",
				       pa->ps->node->meta->name);
				pa->data_left = 0;
				break;
			}
			pa->data = folio;
			pa->data_off = 0;
		}
		n = min3(count - done, PAGE_SIZE - pa->data_off, pa->data_left);
		memcpy(buf + done, folio_address(pa->data) + pa->data_off, n);
		pa->data_off += n;
		pa->data_left -= n;
		done += n;
		if (pa->data_off == PAGE_SIZE || !pa->data_left) {
			folio_put(pa->data);
			pa->data = NULL;
		}
	}
	return done;
}
EXPORT_SYMBOL_GPL(pkram_read);

/**
 * pkram_finish_access - end a folio or byte access
 * @pa: the access
 *
 * On a load, whatever the access did not consume is freed.
 *
 * Context: Process context; may sleep.
 */
void pkram_finish_access(struct pkram_access *pa)
{
	struct pkram_node *node = pa->ps->node;
	bool loading = node->state == PKRAM_LOADING;
	bool keep;

	if (!loading) {
		mutex_lock(&node->lock);
		pkram_put_link(pa);
		mutex_unlock(&node->lock);
		pa->data = NULL;
		return;
	}
	pkram_account_claimed(pa);
	if (pa->data)
		folio_put(pa->data);
	pa->data = NULL;
	/* memory that is not the kernel's stays reserved (core.c) */
	keep = pkram_obj_foreign(node, pa->ps->obj);
	if (keep && (pa->run_left || pa->link))
		pr_warn("node %s: folios of an inplace object were not loaded: they are not the kernel's and stay reserved\n",
			node->meta->name);
	while (pa->run_left && !keep)
		pkram_release_data(pkram_run_next(pa), pa->run_order,
				   node->incoming);
	if (pa->link) {
		/* entries after pos in the detached link page */
		pa->link->hdr.next = 0;
		memmove(pa->link->words, &pa->link->words[pa->pos],
			(pa->link->nr_words - pa->pos) * sizeof(u64));
		pa->link->nr_words -= pa->pos;
		pkram_release_stream(virt_to_phys(pa->link), node->incoming,
				     !keep);
		pa->link = NULL;
	}
}
EXPORT_SYMBOL_GPL(pkram_finish_access);
