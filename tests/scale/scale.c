// SPDX-License-Identifier: GPL-2.0
/*
 * bench-scale: PKRAM's handover on hosts the VM cannot be. This program
 * writes nodes the way a kernel that preserved 16 GiB to 1 TiB would have
 * (1 GiB objects whose link pages follow stream.c's rules); then the
 * kernel's own code, unchanged, runs natively against the fake kernel of
 * tests/fuzz/fuzz-mem.c (built with FUZZ_SCALE: 4 TiB of fake physical
 * memory, made on first touch): the finalize side as pkram_finalize()
 * runs it (pfnmap.c marks every node's pages, rlist.c writes the range
 * list and seals the nodes), then a sealed FDT superblock, then the new
 * kernel's early reservation and validation (boot.c, meta.c).
 *
 *   bench-scale [-r RUNS] [-l scattered,thp,mixed] [-s SPARE_DIV] [SIZE_GIB...]
 *
 * Each (size, layout) runs in a child process of its own, RUNS times (the
 * median is reported); the last lines are growth factors from the second
 * largest size to the largest. Documentation/mm/pkram.rst ("bench-scale")
 * says what the columns mean and what the model leaves out. Exit status 1
 * if a handover was not taken whole; a row over the region target says
 * "over".
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/libfdt.h>

#include "../fuzz/fuzz.h"
#include "internal.h"	/* mm/pkram/internal.h */

extern int (*fuzz_early_param_pkram_param)(char *);
extern char __start_fuzz_initdata[], __stop_fuzz_initdata[];

#define GIB		(1ULL << 30)
#define KERNEL_BASE	(16ULL << 20)	/* the kernel image: reserved */
#define KERNEL_END	(80ULL << 20)
#define DATA_BASE	(256ULL << 20)
#define OBJ_PAGES	(GIB >> PAGE_SHIFT)	/* an object: a 1 GiB file */
#define NODE_OBJS	64			/* a node: 64 files */
#define RESERVE_REGIONS	4096	/* boot.c: PKRAM_RESERVE_REGIONS */
/*
 * Free memory beyond the data's span: half the data, at least 4 GiB; with
 * -s DIV, 1/DIV of the data. The gap budget keeps 1/32 of RAM free, so
 * with little spare it covers only part of the gaps, and memblock gets the
 * rest as regions: the scattered layout, whose span is twice its data,
 * from -s 17 on.
 */
static unsigned int spare_div;

enum layout { SCATTERED, THP, MIXED, NR_LAYOUTS };
static const char *const layout_name[] = { "scattered", "thp", "mixed" };

/* ---- the layouts: folios in ascending physical order ---- */

struct layout_iter {
	enum layout layout;
	u64 pages;		/* data pages still to place */
	u64 pfn;		/* where the next one may go */
	u64 rng;
	unsigned int run;	/* mixed: order-0 pages left in this run */
};

static u64 rnd(struct layout_iter *it)
{
	it->rng ^= it->rng << 13;
	it->rng ^= it->rng >> 7;
	it->rng ^= it->rng << 17;
	return it->rng;
}

static void layout_start(struct layout_iter *it, enum layout l, u64 bytes)
{
	memset(it, 0, sizeof(*it));
	it->layout = l;
	it->pages = bytes >> PAGE_SHIFT;
	it->pfn = PHYS_PFN(DATA_BASE);
	it->rng = 0x9e3779b97f4a7c15ULL;
}

/*
 * scattered: every other page frame, order 0 (the buddy allocator's
 * worst case: a range per page); thp: 2 MiB folios in every other 2 MiB;
 * mixed: about half the bytes in 2 MiB folios one or two blocks apart,
 * the rest in runs of 1-32 pages with 1-16 free pages between them.
 */
static bool layout_next(struct layout_iter *it, u64 *phys, unsigned int *order)
{
	unsigned int o = 0;

	if (!it->pages)
		return false;
	switch (it->layout) {
	case SCATTERED:
		*phys = PFN_PHYS(it->pfn);
		it->pfn += 2;
		break;
	case THP:
		o = 9;
		*phys = PFN_PHYS(it->pfn);
		it->pfn += 1024;
		break;
	case MIXED:
		if (!it->run && it->pages >= 512 && !(rnd(it) % 30)) {
			o = 9;
			it->pfn = ALIGN(it->pfn, 512) + 512 * (rnd(it) % 2);
			*phys = PFN_PHYS(it->pfn);
			it->pfn += 512;
			break;
		}
		if (!it->run) {
			it->pfn += 1 + rnd(it) % 16;
			it->run = 1 + rnd(it) % 32;
		}
		it->run--;
		*phys = PFN_PHYS(it->pfn++);
		break;
	default:
		abort();
	}
	if (it->pages < (1ULL << o))
		return false;
	it->pages -= 1ULL << o;
	*order = o;
	return true;
}

/* ---- metadata pages: one bump region above the data ---- */

static u64 meta_base, meta_next;

static void *meta_alloc(u64 *phys)
{
	*phys = meta_next;
	meta_next += PAGE_SIZE;
	return fuzz.base + *phys;
}

static void meta_init(void *page, u16 type)
{
	struct pkram_meta_hdr *h = page;

	h->magic = PKRAM_META_MAGIC;
	h->version = PKRAM_FORMAT_VERSION;
	h->type = type;
}

/* ---- link pages, as mm/pkram/stream.c fills them ---- */

struct link_writer {
	struct pkram_link_meta *link;
	u64 *head;		/* where the next link page's address goes */
	int last;		/* word of the last entry; -1: none */
	u64 next_index;
	u64 nr_meta;
};

static void lw_start(struct link_writer *w, u64 *head)
{
	memset(w, 0, sizeof(*w));
	w->head = head;
	w->last = -1;
}

static void lw_end(struct link_writer *w)
{
	if (w->link)
		pkram_meta_seal(w->link);
	w->link = NULL;
}

/* stream.c's pkram_extend_last(): grow the last entry by one folio */
static bool lw_extend(struct link_writer *w, u64 phys, unsigned int order)
{
	struct pkram_link_meta *l = w->link;
	u64 *e = &l->words[w->last], pfn = PHYS_PFN(phys);
	unsigned int hi = !!(e[0] & PKRAM_ENT_INDEX);
	bool multi = e[0] & (PKRAM_ENT_RUN | PKRAM_ENT_PACK);
	bool pack = e[0] & PKRAM_ENT_PACK, room = l->nr_words < PKRAM_LINK_WORDS;
	u64 count = multi ? e[1 + hi] : 1;
	unsigned int eorder = e[0] & PKRAM_ENT_ORDER_MASK;
	u64 ephys = e[0] & PKRAM_ENT_PHYS_MASK;

	if (!pack && eorder == order &&
	    ephys + (count << (order + PAGE_SHIFT)) == phys) {
		if (count > 1) {
			e[1 + hi]++;
			return true;
		}
		if (!room)
			return false;
		e[0] |= PKRAM_ENT_RUN;
		l->words[l->nr_words++] = 2;
		return true;
	}
	if (order || eorder || pfn > U32_MAX || (!pack && count > 1))
		return false;
	if (pack && !(count % 2)) {
		e[1 + hi + count / 2] |= pfn << 32;	/* the free upper half */
		e[1 + hi]++;
		return true;
	}
	if (pack && room) {
		l->words[l->nr_words++] = pfn;
		e[1 + hi]++;
		return true;
	}
	if (pack || l->nr_words + 2 > PKRAM_LINK_WORDS)
		return false;
	e[0] |= PKRAM_ENT_PACK;
	l->words[l->nr_words++] = 2;
	l->words[l->nr_words++] = pfn;
	return true;
}

static void lw_append(struct link_writer *w, u64 phys, unsigned int order,
		      u64 index)
{
	bool need_index;
	u64 lphys;

	if (w->link && w->last >= 0 && index == w->next_index &&
	    lw_extend(w, phys, order))
		goto done;
	need_index = w->last < 0 || index != w->next_index;
	if (!w->link || w->link->nr_words + 1 + need_index > PKRAM_LINK_WORDS) {
		struct pkram_link_meta *link = meta_alloc(&lphys);

		meta_init(link, PKRAM_META_LINK);
		*w->head = lphys;	/* in the previous page: seal it after */
		lw_end(w);
		w->link = link;
		w->head = &link->hdr.next;
		w->nr_meta++;
		need_index = true;
	}
	w->last = w->link->nr_words;
	w->link->words[w->link->nr_words++] = phys | order |
					      (need_index ? PKRAM_ENT_INDEX : 0);
	if (need_index)
		w->link->words[w->link->nr_words++] = index;
done:
	w->next_index = index + (1ULL << order);
}

/* ---- the finalize side: pkram_finalize()'s steps, with rlist.c and pfnmap.c ---- */

/* rlist.c seals objects with a data checksum through this; these have none */
u32 pkram_obj_crc(const struct pkram_obj_meta *obj)
{
	(void)obj;
	abort();
}

static int mark_fn(u64 start, u64 end, void *arg)
{
	return pkram_pfnmap_set(arg, PHYS_PFN(start), PHYS_PFN(end));
}

/* The range list's pages: bumped one after another above the nodes. */
struct rl_pages {
	struct pkram_pfnmap *m;
	u64 first;
	unsigned long n;
};

static int rl_grow(void *arg)
{
	struct rl_pages *rp = arg;
	u64 phys;

	meta_alloc(&phys);
	if (!rp->n++)
		rp->first = phys;
	return pkram_pfnmap_set(rp->m, PHYS_PFN(phys), PHYS_PFN(phys) + 1);
}

static void *rl_page(void *arg, unsigned long i)
{
	struct rl_pages *rp = arg;

	return i < rp->n ? fuzz.base + rp->first + ((u64)i << PAGE_SHIFT) : NULL;
}

/* ---- a whole handover ---- */

struct handover {
	u64 sb, ram_end, data_pages, nr_nodes, nr_objs;
	u64 nr_ranges, range_pages, meta_pages, gen_ns;
	/* the finalize side: mark, write the list, seal; its working memory */
	u64 mark_ns, list_ns, seal_ns, fin_bytes;
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A new object after @prev (sealed now: its next is written) or first. */
static struct pkram_obj_meta *new_obj(struct pkram_node_meta *node,
				      struct pkram_obj_meta *prev)
{
	struct pkram_obj_meta *obj;
	u64 phys;

	obj = meta_alloc(&phys);
	meta_init(obj, PKRAM_META_OBJ);
	obj->flags = PKRAM_DATA_folios | PKRAM_DATA_inplace;
	if (prev) {
		prev->hdr.next = phys;
		pkram_meta_seal(prev);
	} else {
		node->first_obj = phys;
	}
	node->nr_objs++;
	node->nr_meta++;
	return obj;
}

/* The object's link pages are done: the last one sealed, counted. */
static void end_links(struct pkram_node_meta *node, struct link_writer *lw)
{
	lw_end(lw);
	node->nr_meta += lw->nr_meta;
}

/* The nodes: NODE_OBJS objects of OBJ_PAGES each, the last ones shorter. */
static void write_nodes(struct handover *h, enum layout l, u64 bytes,
			fdt64_t *table)
{
	struct pkram_node_meta *node = NULL;
	struct pkram_obj_meta *obj = NULL;
	struct link_writer lw = { };
	struct layout_iter it;
	u64 phys, index = 0, nphys;
	unsigned int order;

	layout_start(&it, l, bytes);
	while (layout_next(&it, &phys, &order)) {
		u64 n = 1ULL << order;

		if (!obj || ALIGN(index, n) + n > OBJ_PAGES) {
			if (obj)
				end_links(node, &lw);
			if (!node || node->nr_objs == NODE_OBJS) {
				if (node) {
					pkram_meta_seal(obj);
					pkram_meta_seal(node);
					obj = NULL;
				}
				node = meta_alloc(&nphys);
				meta_init(node, PKRAM_META_NODE);
				node->nr_meta = 1;
				snprintf(node->name, sizeof(node->name),
					 "scale-%llu", (unsigned long long)h->nr_nodes);
				if (h->nr_nodes == PKRAM_MAX_NODES) {
					fprintf(stderr, "bench-scale: more than %d nodes\n",
						PKRAM_MAX_NODES);
					exit(2);
				}
				table[h->nr_nodes++] = cpu_to_fdt64(nphys);
			}
			obj = new_obj(node, obj);
			lw_start(&lw, &obj->folios_head);
			h->nr_objs++;
			index = 0;
		}
		index = ALIGN(index, n);	/* page-cache indices are */
		lw_append(&lw, phys, order, index);
		index += n;
		obj->nr_folios++;
		obj->nr_pages += n;
		node->nr_folios++;
		node->nr_pages += n;
		h->data_pages += n;
	}
	if (obj) {
		end_links(node, &lw);
		pkram_meta_seal(obj);
		pkram_meta_seal(node);
	}
}

static void write_sb(struct handover *h, const fdt64_t *table, u64 rl_head)
{
	void *sb = fuzz.base + h->sb;
	int err;

	err = fdt_create(sb, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(sb);
	err = err ?: fdt_begin_node(sb, "");
	err = err ?: fdt_property_string(sb, "compatible", PKRAM_COMPATIBLE);
	err = err ?: fdt_property(sb, PKRAM_FDT_NODES, table,
				  h->nr_nodes * sizeof(*table));
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_RANGES, rl_head);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_NR_RANGES, h->nr_ranges);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_RANGE_PAGES, h->range_pages);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_PAGES, h->data_pages);
	err = err ?: fdt_property_u32(sb, PKRAM_FDT_CRC, 0);
	err = err ?: fdt_end_node(sb);
	err = err ?: fdt_finish(sb);
	err = err ?: pkram_sb_seal(sb);
	if (err) {
		fprintf(stderr, "bench-scale: cannot write the superblock (%d)\n", err);
		exit(2);
	}
}

/*
 * Write a handover of @bytes of data in layout @l into fake physical
 * memory, and set up memblock as early boot would see it: RAM from 1 MiB
 * to past the metadata with room to spare (see spare_div), the first MiB
 * and the kernel image reserved.
 */
static void make_handover(struct handover *h, enum layout l, u64 bytes)
{
	struct fuzz_set ram = { }, rsv = { };
	static fdt64_t table[PKRAM_MAX_NODES];
	struct pkram_pfnmap m;
	struct rl_pages rp = { .m = &m };
	const struct pkram_rl_pages src = {
		.grow = rl_grow, .page = rl_page, .arg = &rp,
	};
	u64 t = now_ns(), t1, span = 0, rl_head, i;
	int err;

	memset(h, 0, sizeof(*h));
	/* the data's span first, to know where metadata starts */
	{
		struct layout_iter it;
		u64 phys;
		unsigned int order;

		layout_start(&it, l, bytes);
		while (layout_next(&it, &phys, &order))
			span = phys + (PAGE_SIZE << order);
	}
	meta_base = ALIGN(span, GIB) + GIB;
	/* metadata is about 0.2 % of the data at most: room for 1 % */
	h->ram_end = ALIGN(meta_base + bytes / 100 + (64ULL << 20), GIB) +
		     (spare_div ? ALIGN(bytes / spare_div, SZ_1M) :
		      max(4 * GIB, ALIGN(bytes / 2, GIB)));
	if (h->ram_end > FUZZ_PHYS_MAX) {
		fprintf(stderr, "bench-scale: %llu GiB %s needs more than the %llu GiB of fake memory\n",
			(unsigned long long)(bytes / GIB), layout_name[l],
			(unsigned long long)(FUZZ_PHYS_MAX / GIB));
		exit(2);
	}
	fuzz_set_add(&ram, SZ_1M, h->ram_end);
	fuzz_set_add(&rsv, 0, SZ_1M);
	fuzz_set_add(&rsv, KERNEL_BASE, KERNEL_END);
	fuzz.ram = ram;
	fuzz.rsv = rsv;
	fuzz_mem_setup(&fuzz.ram, &fuzz.rsv);
	fuzz_set_clear(&fuzz.preserved);

	meta_next = meta_base;
	meta_alloc(&h->sb);
	write_nodes(h, l, bytes, table);
	h->gen_ns = now_ns() - t;

	/* what pkram_finalize() does with the nodes, timed */
	fuzz.phase = FUZZ_OLD;
	t = now_ns();
	err = pkram_pfnmap_init(&m, PHYS_PFN(h->ram_end));
	for (i = 0; !err && i < h->nr_nodes; i++)
		err = pkram_walk_node(phys_to_virt(fdt64_to_cpu(table[i])),
				      mark_fn, &m);
	err = err ?: mark_fn(h->sb, h->sb + PAGE_SIZE, &m);
	t1 = now_ns();
	h->mark_ns = t1 - t;
	err = err ?: pkram_rl_write(&m, &src, &rl_head, &h->nr_ranges,
				    &h->range_pages);
	t = now_ns();
	h->list_ns = t - t1;
	for (i = 0; !err && i < h->nr_nodes; i++)
		pkram_seal_node(phys_to_virt(fdt64_to_cpu(table[i])), false);
	h->seal_ns = now_ns() - t;
	/* the kernel's working memory: the map and the node table */
	h->fin_bytes = pkram_pfnmap_bytes(&m) + sizeof(table);
	if (err || m.dup) {
		fprintf(stderr, "bench-scale: finalize failed (%d%s)\n", err,
			m.dup ? ", a page marked twice" : "");
		exit(2);
	}
	pkram_pfnmap_destroy(&m);
	fuzz.phase = FUZZ_EARLY;
	h->meta_pages = (meta_next - meta_base) >> PAGE_SHIFT;
	write_sb(h, table, rl_head);
}

/* ---- one run ---- */

struct result {
	u64 fin_ns;		/* the old kernel's: mark, list, seal */
	u64 reserve_ns, gaps_ns, validate_ns;
	u64 regions, gap_pages, offered, offered_pages;
	u64 early_bytes, late_bytes;
	struct handover h;
	int ok;		/* offered whole, every gap page back */
	int over;	/* more than RESERVE_REGIONS memblock regions */
};

static struct result *cur;

int pkram_add_incoming(struct pkram_node_meta *meta)
{
	cur->offered++;
	cur->offered_pages += meta->nr_pages;
	return 0;
}

static void on_printk(const char *msg)
{
	unsigned long long a, b;

	if (sscanf(msg, "pkram: gave back %llu gap pages reserved with the preserved ranges in %llu us",
		   &a, &b) == 2) {
		cur->gap_pages = a;
		cur->gaps_ns = b * 1000;
	} else if (strstr(msg, "pkram: ") && (strstr(msg, "nothing is preserved") ||
		   strstr(msg, "damaged") || strstr(msg, "not offered") ||
		   strstr(msg, "cannot") || strstr(msg, "were not reserved"))) {
		fprintf(stderr, "bench-scale: %s", msg);
		cur->ok = 0;
	}
	if (getenv("SCALE_VERBOSE"))
		fprintf(stderr, "printk: %s", msg);
}

/* memblock.reserved now, less what was reserved before and its own array */
static void note_preserved(void)
{
	const struct memblock_type *t = &memblock.reserved;
	u64 arr = fuzz_virt_to_phys(t->regions);
	unsigned long i;

	for (i = 0; i < t->cnt; i++)
		fuzz_set_add(&fuzz.preserved, t->regions[i].base,
			     t->regions[i].base + t->regions[i].size);
	for (i = 0; i < fuzz.rsv.n; i++)
		fuzz_set_sub(&fuzz.preserved, fuzz.rsv.r[i][0], fuzz.rsv.r[i][1]);
	fuzz_set_sub(&fuzz.preserved, arr,
		     PAGE_ALIGN(arr + t->max * sizeof(*t->regions)));
}

static void run_one(struct result *r, enum layout l, u64 bytes)
{
	char param[32];
	u64 t, freed;

	memset(r, 0, sizeof(*r));
	cur = r;
	r->ok = 1;
	fuzz_printk_hook = on_printk;
	make_handover(&r->h, l, bytes);

	snprintf(param, sizeof(param), "%#llx", (unsigned long long)r->h.sb);
	fuzz_early_param_pkram_param(param);
	t = now_ns();
	pkram_reserve();
	r->reserve_ns = now_ns() - t;
	r->regions = memblock.reserved.cnt;
	r->early_bytes = memblock.reserved.max * sizeof(struct memblock_region) +
			 (__stop_fuzz_initdata - __start_fuzz_initdata);
	if ((u8 *)memblock.reserved.regions < fuzz.base) {
		fprintf(stderr, "bench-scale: pkram_reserve() reserved nothing\n");
		r->ok = 0;
		return;
	}
	note_preserved();

	fuzz.phase = FUZZ_LATE;
	fuzz_heap_peak = fuzz_heap;
	t = now_ns();
	pkram_parse_incoming();
	r->validate_ns = now_ns() - t - r->gaps_ns;
	r->late_bytes = fuzz_heap_peak;

	/* everything offered; every gap page and the handover's own back */
	freed = fuzz.nr_freed - r->gap_pages;
	if (r->offered != r->h.nr_nodes || r->offered_pages != r->h.data_pages ||
	    freed != r->h.range_pages + 1) {
		fprintf(stderr, "bench-scale: offered %llu of %llu nodes, %llu of %llu pages; freed %llu handover pages of %llu\n",
			(unsigned long long)r->offered,
			(unsigned long long)r->h.nr_nodes,
			(unsigned long long)r->offered_pages,
			(unsigned long long)r->h.data_pages,
			(unsigned long long)freed,
			(unsigned long long)r->h.range_pages + 1);
		r->ok = 0;
	}
	/* the target: the handover's own few regions besides */
	r->over = r->h.nr_ranges > RESERVE_REGIONS &&
		  r->regions > RESERVE_REGIONS + 16;
}

/* ---- the table ---- */

static int cmp_u64(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

#define MAX_RUNS	9

static u64 fin_ns(const struct handover *h)
{
	return h->mark_ns + h->list_ns + h->seal_ns;
}

static void median_into(struct result *res, int runs)
{
	u64 v[4][MAX_RUNS];
	int i, k;

	for (i = 0; i < runs; i++) {
		v[0][i] = res[i].reserve_ns;
		v[1][i] = res[i].gaps_ns;
		v[2][i] = res[i].validate_ns;
		v[3][i] = fin_ns(&res[i].h);
	}
	for (k = 0; k < 4; k++)
		qsort(v[k], runs, sizeof(u64), cmp_u64);
	res[0].reserve_ns = v[0][runs / 2];
	res[0].gaps_ns = v[1][runs / 2];
	res[0].validate_ns = v[2][runs / 2];
	res[0].fin_ns = v[3][runs / 2];
}

static double ms(u64 ns)
{
	return ns / 1e6;
}

static void print_row(u64 gib, enum layout l, const struct result *r, int runs)
{
	const struct handover *h = &r->h;

	printf("%6llu %-9s %9llu %9llu %7llu %9.1f %7llu %9.1f %9.1f %9.1f %9.1f %8.4f %9llu %9llu %7.2f %s\n",
	       (unsigned long long)gib, layout_name[l],
	       (unsigned long long)h->nr_ranges, (unsigned long long)r->regions,
	       (unsigned long long)(r->gap_pages >> 8),
	       ms(r->fin_ns), (unsigned long long)(h->fin_bytes >> 10),
	       ms(r->reserve_ns), ms(r->gaps_ns), ms(r->validate_ns),
	       ms(r->reserve_ns + r->gaps_ns + r->validate_ns),
	       100.0 * h->meta_pages / h->data_pages,
	       (unsigned long long)(r->early_bytes >> 10),
	       (unsigned long long)(r->late_bytes >> 10),
	       h->gen_ns / 1e9,
	       !r->ok ? "FAILED" : r->over ? "over" : "ok");
	(void)runs;
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-scale [-r RUNS] [-l LAYOUT[,LAYOUT]] [-s SPARE_DIV] [SIZE_GIB...]\n"
		"  defaults: 16 100 1024 GiB, all layouts (scattered,thp,mixed), 1 run,\n"
		"  free memory beyond the data's span half the data, at least 4 GiB\n"
		"  (-s DIV: 1/DIV of the data)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static u64 sizes[16] = { 16, 100, 1024 };
	int nr_sizes = 3, runs = 1, opt, s, l, i, failed = 0;
	bool want[NR_LAYOUTS] = { true, true, true };
	struct result *res;

	while ((opt = getopt(argc, argv, "l:r:s:")) != -1) {
		switch (opt) {
		case 'l':
			for (l = 0; l < NR_LAYOUTS; l++)
				want[l] = strstr(optarg, layout_name[l]);
			break;
		case 's':
			spare_div = atoi(optarg);
			if (!spare_div)
				usage();
			break;
		case 'r':
			runs = atoi(optarg);
			if (runs < 1 || runs > MAX_RUNS)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind < argc) {
		for (nr_sizes = 0; optind < argc && nr_sizes < 16; optind++)
			sizes[nr_sizes++] = strtoull(argv[optind], NULL, 0);
	}
	for (s = 0; s < nr_sizes; s++)
		if (!sizes[s])
			usage();
	res = mmap(NULL, sizeof(*res) * 16 * NR_LAYOUTS * MAX_RUNS,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		abort();

	printf("# bench-scale: mm/pkram's finalize side (rlist.c, pfnmap.c) and boot side (boot.c) natively on generated handovers; times in ms, median of %d run(s)\n",
	       runs);
	printf("%6s %-9s %9s %9s %7s %9s %7s %9s %9s %9s %9s %8s %9s %9s %7s\n",
	       "GiB", "layout", "ranges", "regions", "gapMiB", "finalize",
	       "finKiB", "reserve",
	       "gaps", "validate", "total", "meta%", "earlyKiB", "lateKiB",
	       "gen_s");
	for (l = 0; l < NR_LAYOUTS; l++) {
		if (!want[l])
			continue;
		for (s = 0; s < nr_sizes; s++) {
			struct result *r = &res[(l * 16 + s) * MAX_RUNS];

			for (i = 0; i < runs; i++) {
				pid_t pid = fork();
				int st;

				if (pid < 0)
					abort();
				if (!pid) {
					run_one(&r[i], l, sizes[s] * GIB);
					_exit(0);
				}
				if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
				    WEXITSTATUS(st)) {
					fprintf(stderr, "bench-scale: %llu GiB %s: child failed (status %#x)\n",
						(unsigned long long)sizes[s],
						layout_name[l], st);
					r[i].ok = 0;
				}
			}
			for (i = 1; i < runs; i++) {
				r[0].ok &= r[i].ok;
				r[0].over |= r[i].over;
			}
			median_into(r, runs);
			print_row(sizes[s], l, r, runs);
			failed |= !r[0].ok;
		}
	}
	/* growth from the second largest size to the largest */
	if (nr_sizes >= 2) {
		int a = nr_sizes - 2, b = nr_sizes - 1;

		printf("# growth %llu -> %llu GiB (x%.1f in size): finalize; reserve, gaps, validate, total (boot)\n",
		       (unsigned long long)sizes[a], (unsigned long long)sizes[b],
		       (double)sizes[b] / sizes[a]);
		for (l = 0; l < NR_LAYOUTS; l++) {
			const struct result *x = &res[(l * 16 + a) * MAX_RUNS];
			const struct result *y = &res[(l * 16 + b) * MAX_RUNS];

			if (!want[l])
				continue;
			printf("growth %-9s %6.2f; %6.2f %6.2f %6.2f %6.2f\n",
			       layout_name[l],
			       (double)y->fin_ns / max(x->fin_ns, 1),
			       (double)y->reserve_ns / max(x->reserve_ns, 1),
			       (double)y->gaps_ns / max(x->gaps_ns, 1),
			       (double)y->validate_ns / max(x->validate_ns, 1),
			       (double)(y->reserve_ns + y->gaps_ns + y->validate_ns) /
			       max(x->reserve_ns + x->gaps_ns + x->validate_ns, 1));
		}
	}
	return failed;
}
