// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: what the preserved nodes occupy, and the range list that tells
 * the next kernel.
 *
 * Walking a node reports every physical range it occupies, metadata and
 * data; the handover marks them in a page-frame map (pfnmap.c) and writes
 * the map's ranges as the range list (struct pkram_ranges_meta), the one
 * thing the next kernel's early boot reads. Sealing checksums a node's
 * metadata pages.
 *
 * Nothing here allocates or takes a lock: the list's pages come from the
 * caller. So this file builds unchanged into the host-side scale model
 * (tests/scale), which runs the finalize side on handovers of 16 GiB to
 * 1 TiB as well as the incoming side.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include "internal.h"

static int pkram_walk_entry(const struct pkram_entry *e, pkram_range_fn fn,
			    void *arg)
{
	u64 i, start;
	int err = 0;

	if (!e->pfns)
		return fn(e->phys, e->phys + (e->count << (e->order + PAGE_SHIFT)),
			  arg);
	for (i = 0; !err && i < e->count; i++) {
		start = pkram_entry_folio(e, i);
		err = fn(start, start + PAGE_SIZE, arg);
	}
	return err;
}

/*
 * Report the data of the stream at @head, and with @links its link pages,
 * to @fn. Return: 0, @fn's first non-zero value, or -EINVAL for an entry
 * that does not decode.
 */
int pkram_walk_stream(u64 head, bool links, pkram_range_fn fn, void *arg)
{
	int err = 0;

	while (!err && head) {
		struct pkram_link_meta *link = phys_to_virt(head);
		unsigned int pos = 0;

		if (links)
			err = fn(head, head + PAGE_SIZE, arg);
		while (!err && pos < link->nr_words) {
			struct pkram_entry e;

			if (!pkram_entry_decode(&link->words[pos],
						link->nr_words - pos, &e))
				return -EINVAL;
			err = pkram_walk_entry(&e, fn, arg);
			pos += e.words;
		}
		head = link->hdr.next;
	}
	return err;
}

/**
 * pkram_walk_node - report every physical range a node occupies
 * @meta: the node
 * @fn: called for each metadata page and each entry's data, [start, end)
 * @arg: passed to @fn
 *
 * On a node other threads are saving into, hold pkram_save_sem for writing
 * (which keeps their appends out) and pkram_mutex (which keeps the node
 * from being freed).
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
int pkram_walk_node(struct pkram_node_meta *meta, pkram_range_fn fn, void *arg)
{
	u64 obj_phys = meta->first_obj;
	int err;

	err = fn(virt_to_phys(meta), virt_to_phys(meta) + PAGE_SIZE, arg);
	while (!err && obj_phys) {
		struct pkram_obj_meta *obj = phys_to_virt(obj_phys);

		err = fn(obj_phys, obj_phys + PAGE_SIZE, arg) ?:
		      pkram_walk_stream(obj->folios_head, true, fn, arg) ?:
		      pkram_walk_stream(obj->bytes_head, true, fn, arg);
		obj_phys = obj->hdr.next;
	}
	return err;
}

/**
 * pkram_seal_node - checksum every metadata page of a node
 * @meta: the node
 * @incoming: the node was handed to this kernel and is carried over
 *
 * An outgoing node's objects get their data checksum here; an incoming
 * node keeps the one it arrived with, so that data damaged since it was
 * taken is still caught.
 */
void pkram_seal_node(struct pkram_node_meta *meta, bool incoming)
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
		if ((obj->flags & PKRAM_DATA_csum) && !incoming)
			obj->data_crc = pkram_obj_crc(obj);
		pkram_meta_seal(obj);
	}
	pkram_meta_seal(meta);
}

/*
 * Encoding the range list (see struct pkram_ranges_meta). Runs of at least
 * PKRAM_RL_RUN_MIN pages are run items; shorter ones go into bitmap items,
 * which a new item replaces when the gap to the next range would waste more
 * than a few words. Without a page source the writer only counts, with the
 * same page breaks as when it writes.
 */
#define PKRAM_RL_RUN_MIN	128
#define PKRAM_RL_GAP_MAX	128

struct pkram_rl_writer {
	const struct pkram_rl_pages *src;	/* NULL: count only */
	struct pkram_ranges_meta *p;	/* the page being written */
	unsigned long nr_pages;		/* pages used */
	u64 nr_ranges;
	u32 pos;			/* words used in the page */
	bool bm_open;			/* the last item is a bitmap */
	u32 bm_hdr;			/* its first word */
	u32 bm_words;
	unsigned long bm_base;		/* pfn of its bit 0 */
};

static void pkram_rl_clear(struct pkram_ranges_meta *p)
{
	p->nr_words = 0;
	memset(p->words, 0, PKRAM_RANGES_WORDS * sizeof(p->words[0]));
}

/* Start an item of at least @n words; false if out of pages. */
static bool pkram_rl_room(struct pkram_rl_writer *w, u32 n)
{
	w->bm_open = false;
	if (w->nr_pages && w->pos + n <= PKRAM_RANGES_WORDS)
		return true;
	w->pos = 0;
	if (w->src) {
		w->p = w->src->page(w->src->arg, w->nr_pages);
		if (!w->p)
			return false;
		pkram_rl_clear(w->p);	/* of a write that ran out */
	}
	w->nr_pages++;
	return true;
}

static void pkram_rl_put(struct pkram_rl_writer *w, u64 word)
{
	if (w->p) {
		w->p->words[w->pos] = word;
		w->p->nr_words = w->pos + 1;
	}
	w->pos++;
}

static bool pkram_rl_add(struct pkram_rl_writer *w, unsigned long pfn,
			 unsigned long end)
{
	unsigned long i;

	w->nr_ranges++;
	if (end - pfn >= PKRAM_RL_RUN_MIN) {
		if (!pkram_rl_room(w, 2))
			return false;
		pkram_rl_put(w, PFN_PHYS(pfn));
		pkram_rl_put(w, end - pfn);
		return true;
	}
	if (!w->bm_open || pfn >= w->bm_base + 64 * w->bm_words + PKRAM_RL_GAP_MAX ||
	    DIV_ROUND_UP(end - w->bm_base, 64) > w->bm_words +
	    PKRAM_RANGES_WORDS - w->pos) {
		if (!pkram_rl_room(w, 1 + DIV_ROUND_UP(end - pfn, 64)))
			return false;
		w->bm_open = true;
		w->bm_hdr = w->pos;
		w->bm_words = 0;
		w->bm_base = pfn;
		pkram_rl_put(w, PFN_PHYS(pfn) | PKRAM_RL_BITMAP);
	}
	while (w->bm_words * 64 < end - w->bm_base) {
		pkram_rl_put(w, 0);
		w->bm_words++;
	}
	if (w->p) {
		w->p->words[w->bm_hdr] = PFN_PHYS(w->bm_base) | PKRAM_RL_BITMAP |
			((u64)w->bm_words << PKRAM_RL_NWORDS_SHIFT);
		for (i = pfn - w->bm_base; i < end - w->bm_base; i++)
			w->p->words[w->bm_hdr + 1 + i / 64] |= BIT_ULL(i % 64);
	}
	return true;
}

static bool pkram_rl_encode(struct pkram_rl_writer *w,
			    const struct pkram_pfnmap *m)
{
	unsigned long pos, s, e;

	for (pos = 0; pkram_pfnmap_next(m, &pos, &s, &e); )
		if (!pkram_rl_add(w, s, e))
			return false;
	return true;
}

/**
 * pkram_rl_write - write the marked page frames as the range list
 * @m: the preserved pages
 * @src: where the list's pages come from: ->grow() adds one (zeroed, and
 *       marked in @m, since the list is preserved too) and ->page() gives
 *       the address of page i of those added, in order
 * @head: set to the first page's physical address
 * @nr_ranges: set to the number of ranges the list yields
 * @list_pages: set to the number of pages the list takes
 *
 * Two passes over @m: one counts the pages the list needs without its own,
 * then pages are added with a margin for the ranges they add themselves
 * (a page adds at most a few words) and the list is written; should it not
 * fit after all, more pages are added and it is written again. Pages the
 * list does not fill stay in it, empty. Then its pages are linked and
 * sealed.
 *
 * Return: 0, ->grow()'s error, or -EAGAIN if the list never fits.
 */
int pkram_rl_write(struct pkram_pfnmap *m, const struct pkram_rl_pages *src,
		   u64 *head, u64 *nr_ranges, u64 *list_pages)
{
	struct pkram_ranges_meta *p, *prev = NULL;
	struct pkram_rl_writer w;
	unsigned long have = 0, want, i;
	int tries, err;

	memset(&w, 0, sizeof(w));
	pkram_rl_encode(&w, m);
	want = w.nr_pages + w.nr_pages / 64 + 1;
	for (tries = 0; ; tries++) {
		for (; have < want; have++) {
			err = src->grow(src->arg);
			if (err)
				return err;
		}
		memset(&w, 0, sizeof(w));
		w.src = src;
		if (pkram_rl_encode(&w, m))
			break;
		if (tries == 8)
			return -EAGAIN;		/* cannot happen */
		want = have + have / 8 + 1;
	}
	*head = 0;
	for (i = 0; i < have; i++) {
		p = src->page(src->arg, i);
		if (i >= w.nr_pages)
			pkram_rl_clear(p);
		p->hdr.type = PKRAM_META_RANGES;
		if (prev)
			prev->hdr.next = virt_to_phys(p);
		else
			*head = virt_to_phys(p);
		prev = p;
	}
	for (i = 0; i < have; i++)
		pkram_meta_seal(src->page(src->arg, i));
	*nr_ranges = w.nr_ranges;
	*list_pages = have;
	return 0;
}
