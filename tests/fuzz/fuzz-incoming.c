// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of PKRAM's incoming-handover parser: mm/pkram/boot.c as
 * it is, against the fake kernel of fuzz-mem.c. One input is a little
 * physical memory and a pkram= argument; the harness boots it the way the
 * kernel does (the early parameter, pkram_reserve(), pkram_parse_incoming())
 * and then checks what boot.c left behind. Input format: README; the
 * structure-aware mutator that makes such inputs: fuzz-mutator.c.
 */
#include <stdio.h>
#include <linux/libfdt.h>

#include "fuzz.h"
#include "internal.h"	/* mm/pkram/internal.h */

/* boot.c's early_param() and its __initdata, reset before every run */
extern int (*fuzz_early_param_pkram_param)(char *);
extern char __start_fuzz_initdata[], __stop_fuzz_initdata[];
static char *initdata_copy;

/* pkram_add_incoming() (core.c): the nodes boot.c offers */
#define MAX_ACCEPTED	(PKRAM_MAX_NODES + 1)
static struct pkram_node_meta *accepted[MAX_ACCEPTED];
static unsigned int nr_accepted;

int pkram_add_incoming(struct pkram_node_meta *meta)
{
	unsigned int i;

	for (i = 0; i < nr_accepted; i++)
		if (!strncmp(accepted[i]->name, meta->name, sizeof(meta->name)))
			return -EEXIST;
	if (nr_accepted == MAX_ACCEPTED)
		fuzz_fail("more than %d nodes offered", MAX_ACCEPTED);
	accepted[nr_accepted++] = meta;
	return 0;
}

/* Byte copies that ASan does not check: the section holds redzones. */
__attribute__((no_sanitize("address")))
static void initdata_copy_bytes(char *dst, const char *src, size_t len)
{
	volatile char *d = dst;
	const volatile char *s = src;

	while (len--)
		*d++ = *s++;
}

static void initdata_reset(void)
{
	size_t len = __stop_fuzz_initdata - __start_fuzz_initdata;

	if (!initdata_copy) {
		if ((char *)&pkram_incoming_sb < __start_fuzz_initdata ||
		    (char *)&pkram_incoming_sb >= __stop_fuzz_initdata) {
			fprintf(stderr, "pkram-fuzz: __initdata is not in its section\n");
			abort();
		}
		initdata_copy = malloc(len);
		if (!initdata_copy)
			abort();
		initdata_copy_bytes(initdata_copy, __start_fuzz_initdata, len);
	}
	initdata_copy_bytes(__start_fuzz_initdata, initdata_copy, len);
}

/* the end of [base, base + size), inside fake physical memory */
static u64 clamp_end(u64 base, u64 size)
{
	u64 end = base + size;

	return end < base || end > FUZZ_PHYS_MAX ? FUZZ_PHYS_MAX : end;
}

/* ---- the checks ---- */

static const char *phase_name = "";

/*
 * What the input's pages held before the boot: the crc32c of every page a
 * record gave, sorted by address. Nothing else in RAM can change without
 * being freed (boot.c writes only the superblock, the range list, the avoid
 * page and its new memblock array, which lies outside preserved memory), so
 * an offered page that is neither freed nor among these is unchanged too.
 */
struct page_sum {
	u64 phys;
	u32 crc;
};

static struct page_sum *sums;
static size_t nr_sums, cap_sums;

static int cmp_sum(const void *a, const void *b)
{
	const struct page_sum *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static u32 page_crc(u64 phys)
{
	return __crc32c_le(~0, fuzz.base + phys, PAGE_SIZE);
}

static void note_page(u64 phys)
{
	if (nr_sums == cap_sums) {
		cap_sums = cap_sums ? 2 * cap_sums : 128;
		sums = realloc(sums, cap_sums * sizeof(*sums));
		if (!sums)
			abort();
	}
	sums[nr_sums++].phys = phys;
}

/* after the records are written: their checksums, one per page */
static void sum_pages(void)
{
	size_t i, n = 0;

	if (!nr_sums)
		return;
	qsort(sums, nr_sums, sizeof(*sums), cmp_sum);
	for (i = 0; i < nr_sums; i++)
		if (!n || sums[n - 1].phys != sums[i].phys)
			sums[n++].phys = sums[i].phys;
	nr_sums = n;
	for (i = 0; i < nr_sums; i++)
		sums[i].crc = page_crc(sums[i].phys);
}

/* The parser wrote nothing into [start, start + len). */
static void check_unchanged(u64 start, u64 len, const char *what)
{
	size_t lo = 0, hi = nr_sums;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sums[mid].phys < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nr_sums && sums[lo].phys - start < len; lo++)
		if (page_crc(sums[lo].phys) != sums[lo].crc)
			fuzz_fail("%s: %s page %#llx of an offered node was written by the parser",
				  phase_name, what, (unsigned long long)sums[lo].phys);
}

/*
 * Every page of every offered node, as extents: a page may be reached once
 * only, over all offered nodes (issue 17 item 8). A page two nodes share,
 * a folio listed twice, a folio that is also a metadata page, a metadata
 * page reached twice: whoever loads the nodes frees that page twice or
 * hands out a page that is in use.
 */
struct owned {
	u64 start, end;
	unsigned int node;		/* index in accepted[] */
	const char *what;
};

static struct owned *owned;
static size_t nr_owned, cap_owned;
static unsigned int cur_node;		/* the node being walked */
static int allow_shared = -1;		/* FUZZ_ALLOW_SHARED=1: skip that */

static void own(u64 start, u64 len, const char *what)
{
	if (nr_owned == cap_owned) {
		cap_owned = cap_owned ? 2 * cap_owned : 1024;
		owned = realloc(owned, cap_owned * sizeof(*owned));
		if (!owned)
			abort();
	}
	owned[nr_owned++] = (struct owned){
		.start = start, .end = start + len, .node = cur_node, .what = what,
	};
}

static int cmp_owned(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void check_shared(void)
{
	const struct owned *last;	/* the extent reaching furthest so far */
	size_t i;

	if (allow_shared || !nr_owned)
		return;
	qsort(owned, nr_owned, sizeof(*owned), cmp_owned);
	last = &owned[0];
	for (i = 1; i < nr_owned; i++) {
		const struct owned *o = &owned[i];

		if (o->start < last->end)
			fuzz_fail("%s: page %#llx is the %s of offered node %.63s and the %s of offered node %.63s%s",
				  phase_name, (unsigned long long)o->start,
				  last->what, accepted[last->node]->name, o->what,
				  accepted[o->node]->name,
				  last->node == o->node ? " (the same node)" : "");
		if (o->end > last->end)
			last = o;
	}
}

/*
 * The handover's own pages, read before the boot (the superblock is zeroed
 * by it): for the reports only, to say which page a freed one was.
 */
#define MAX_NAMED	64
static u64 named[MAX_NAMED];
static const char *named_as[MAX_NAMED];
static unsigned int nr_named;

static void name_page(u64 phys, const char *as)
{
	if (nr_named < MAX_NAMED && phys)
		named[nr_named] = phys, named_as[nr_named++] = as;
}

static void name_pages(void)
{
	u64 sb = pkram_incoming_sb, phys;
	const fdt64_t *p;
	const void *fdt;
	int len;

	nr_named = 0;
	if (!sb || !PAGE_ALIGNED(sb) || sb >= fuzz.span ||
	    !fuzz_set_contains(&fuzz.ram, sb, sb + PAGE_SIZE))
		return;
	name_page(sb, " (the superblock)");
	fdt = fuzz.base + sb;
	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > PAGE_SIZE)
		return;
	p = fdt_getprop(fdt, 0, PKRAM_FDT_AVOID, &len);
	if (p && len == sizeof(*p))
		name_page(fdt64_to_cpu(*p), " (the avoid page)");
	p = fdt_getprop(fdt, 0, PKRAM_FDT_RANGES, &len);
	phys = p && len == sizeof(*p) ? fdt64_to_cpu(*p) : 0;
	while (PAGE_ALIGNED(phys) && phys && phys < fuzz.span &&
	       fuzz_set_contains(&fuzz.ram, phys, phys + PAGE_SIZE) &&
	       nr_named < MAX_NAMED) {
		name_page(phys, " (a range list page)");
		phys = ((struct pkram_meta_hdr *)(fuzz.base + phys))->next;
	}
}

static const char *page_name(u64 phys)
{
	unsigned int i;

	for (i = 0; i < nr_named; i++)
		if (named[i] == phys)
			return named_as[i];
	return "";
}

/*
 * A metadata page of an offered node (@what: "node", "object", "link"; @page
 * the same, for check_shared()): preserved, not freed, not written.
 */
static void check_page_ok(u64 phys, const char *what, const char *page)
{
	if (!PAGE_ALIGNED(phys) ||
	    !fuzz_set_contains(&fuzz.preserved, phys, phys + PAGE_SIZE))
		fuzz_fail("%s: %s page %#llx of an offered node is not preserved",
			  phase_name, what, (unsigned long long)phys);
	if (fuzz_page_freed(phys))
		fuzz_fail("%s: %s page %#llx of an offered node was freed%s",
			  phase_name, what, (unsigned long long)phys,
			  page_name(phys));
	check_unchanged(phys, PAGE_SIZE, what);
	own(phys, PAGE_SIZE, page);
}

/* Take everything that is not RAM out of @s. */
static void ram_only(struct fuzz_set *s)
{
	u64 prev = 0;
	size_t k;

	for (k = 0; k < fuzz.ram.n; k++) {
		fuzz_set_sub(s, prev, fuzz.ram.r[k][0]);
		prev = fuzz.ram.r[k][1];
	}
	fuzz_set_sub(s, prev, ~0ULL);
}

/*
 * memblock.reserved after pkram_reserve(): sorted, disjoint, total_size
 * right, every earlier reservation still there; what was added is the new
 * array itself and preserved ranges above 1 MiB, page aligned, clear of
 * every earlier reservation, and holding the superblock; only those inside
 * RAM count as preserved for the nodes offered.
 */
static void check_reserved(void)
{
	const struct memblock_type *t = &memblock.reserved;
	struct fuzz_set now = { };
	u64 sum = 0, arr;
	unsigned long i;
	size_t k;

	phase_name = "pkram_reserve";
	if (fuzz.maps)
		fuzz_fail("%s: %d early mappings left", phase_name, fuzz.maps);
	if (t->cnt > t->max)
		fuzz_fail("%s: reserved cnt %lu > max %lu", phase_name, t->cnt, t->max);
	for (i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		if (!r->size || r->base + r->size < r->base)
			fuzz_fail("%s: reserved region %lu [%#llx+%#llx] is empty or wraps",
				  phase_name, i, (unsigned long long)r->base,
				  (unsigned long long)r->size);
		if (i && t->regions[i - 1].base + t->regions[i - 1].size > r->base)
			fuzz_fail("%s: reserved regions %lu and %lu overlap or are not sorted",
				  phase_name, i - 1, i);
		sum += r->size;
		fuzz_set_add(&now, r->base, r->base + r->size);
	}
	if (sum != t->total_size)
		fuzz_fail("%s: reserved total_size %#llx, regions add up to %#llx (overlap?)",
			  phase_name, (unsigned long long)t->total_size,
			  (unsigned long long)sum);
	for (k = 0; k < fuzz.rsv.n; k++)
		if (!fuzz_set_contains(&now, fuzz.rsv.r[k][0], fuzz.rsv.r[k][1]))
			fuzz_fail("%s: reservation [%#llx-%#llx) was lost", phase_name,
				  (unsigned long long)fuzz.rsv.r[k][0],
				  (unsigned long long)fuzz.rsv.r[k][1]);

	fuzz_set_clear(&fuzz.preserved);
	if ((u8 *)t->regions >= fuzz.base &&
	    (u8 *)t->regions < fuzz.base + fuzz.span) {
		/* swapped in: the array lies in reserved memory it reserved */
		arr = fuzz_virt_to_phys(t->regions);
		if (!fuzz_set_contains(&now, arr, arr + t->max * sizeof(*t->regions)) ||
		    fuzz_set_overlaps(&fuzz.rsv, arr, arr + t->max * sizeof(*t->regions)))
			fuzz_fail("%s: the new reserved array is not in memory it reserved",
				  phase_name);
		for (k = 0; k < now.n; k++)
			fuzz_set_add(&fuzz.preserved, now.r[k][0], now.r[k][1]);
		for (k = 0; k < fuzz.rsv.n; k++)
			fuzz_set_sub(&fuzz.preserved, fuzz.rsv.r[k][0], fuzz.rsv.r[k][1]);
		fuzz_set_sub(&fuzz.preserved, arr,
			     PAGE_ALIGN(arr + t->max * sizeof(*t->regions)));
		for (k = 0; k < fuzz.preserved.n; k++) {
			u64 a = fuzz.preserved.r[k][0], b = fuzz.preserved.r[k][1];

			if (!PAGE_ALIGNED(a) || !PAGE_ALIGNED(b) || a < SZ_1M)
				fuzz_fail("%s: preserved [%#llx-%#llx) is not page-aligned above 1 MiB",
					  phase_name, (unsigned long long)a,
					  (unsigned long long)b);
		}
		/*
		 * Preserved memory outside RAM (memory the new kernel does not
		 * know at boot) is reserved too, but must never be read, and
		 * no offered node may use it.
		 */
		ram_only(&fuzz.preserved);
		if (!fuzz.preserved.n ||
		    !fuzz_set_contains(&fuzz.preserved, pkram_incoming_sb,
				       pkram_incoming_sb + PAGE_SIZE))
			fuzz_fail("%s: reserved without the superblock %#llx in it",
				  phase_name, (unsigned long long)pkram_incoming_sb);
	} else if (now.n != fuzz.rsv.n ||
		   memcmp(now.r, fuzz.rsv.r, now.n * sizeof(*now.r))) {
		fuzz_fail("%s: refused, but memblock.reserved changed", phase_name);
	}
	free(now.r);
}

/* Folios of an offered node: preserved, not freed, not written. */
static void check_extent(u64 start, u64 len)
{
	u64 f;

	if (!fuzz_set_contains(&fuzz.preserved, start, start + len))
		fuzz_fail("%s: offered folio(s) [%#llx+%#llx) are not preserved",
			  phase_name, (unsigned long long)start,
			  (unsigned long long)len);
	f = fuzz_next_freed(start, start + len);
	if (f < start + len)
		fuzz_fail("%s: offered folio at %#llx was freed%s",
			  phase_name, (unsigned long long)f, page_name(f));
	check_unchanged(start, len, "folio");
	own(start, len, "folio");
}

/*
 * A node pkram_parse_incoming() offered: every metadata page and every
 * folio is preserved memory that was not freed nor written, and no page is
 * reached twice (check_shared()). Walked independently of boot.c's walk,
 * with internal.h's entry decoder.
 */
static void check_stream(u64 head, u64 *budget)
{
	while (head) {
		struct pkram_link_meta *link;
		unsigned int pos;

		if (!(*budget)--)
			fuzz_fail("%s: stream of an offered node does not end", phase_name);
		check_page_ok(head, "link", "link page");
		link = (void *)(fuzz.base + head);
		if (link->nr_words > PKRAM_LINK_WORDS)
			fuzz_fail("%s: offered link page %#llx has %u words",
				  phase_name, (unsigned long long)head, link->nr_words);
		for (pos = 0; pos < link->nr_words;) {
			struct pkram_entry e;
			u64 i, n, len;

			if (!pkram_entry_decode(&link->words[pos],
						link->nr_words - pos, &e))
				fuzz_fail("%s: offered link page %#llx has a bad entry",
					  phase_name, (unsigned long long)head);
			len = PAGE_SIZE << min(e.order, 63u - PAGE_SHIFT);
			if (e.order > MAX_PAGE_ORDER || !e.count ||
			    e.count > (1ULL << 40) / len)
				fuzz_fail("%s: offered entry at %#llx: order %u, %llu folios",
					  phase_name, (unsigned long long)e.phys,
					  e.order, (unsigned long long)e.count);
			/* a run is contiguous: one extent; else folio by folio */
			n = e.pfns ? e.count : 1;
			for (i = 0; i < n; i++)
				check_extent(pkram_entry_folio(&e, i),
					     e.pfns ? len : e.count * len);
			pos += e.words;
		}
		head = link->hdr.next;
	}
}

static void check_accepted(void)
{
	u64 budget = 0;
	unsigned int i;
	size_t k;

	phase_name = "pkram_parse_incoming";
	if (fuzz.maps)
		fuzz_fail("%s: %d early mappings left", phase_name, fuzz.maps);
	if (nr_accepted && !fuzz.preserved.n)
		fuzz_fail("%s: nodes offered but nothing reserved", phase_name);
	for (k = 0; k < fuzz.preserved.n; k++)
		budget += (fuzz.preserved.r[k][1] - fuzz.preserved.r[k][0]) >> PAGE_SHIFT;
	nr_owned = 0;
	for (i = 0; i < nr_accepted; i++) {
		struct pkram_node_meta *node = accepted[i];
		u64 obj;

		cur_node = i;
		check_page_ok(fuzz_virt_to_phys(node), "node", "node page");
		if (!pkram_name_valid(node->name))
			fuzz_fail("%s: offered node has an invalid name", phase_name);
		for (obj = node->first_obj; obj;) {
			struct pkram_obj_meta *o;

			if (!budget--)
				fuzz_fail("%s: objects of an offered node do not end", phase_name);
			check_page_ok(obj, "object", "object page");
			o = (void *)(fuzz.base + obj);
			check_stream(o->folios_head, &budget);
			check_stream(o->bytes_head, &budget);
			obj = o->hdr.next;
		}
	}
	check_shared();
}

/* ---- one run ---- */

static void add_page(const u8 *rec, size_t len, bool seal)
{
	u64 phys;
	u8 *page;

	memcpy(&phys, rec, sizeof(phys));
	phys = round_down(phys, PAGE_SIZE);
	if (phys >= fuzz.span || !fuzz_set_contains(&fuzz.ram, phys, phys + PAGE_SIZE))
		return;		/* not RAM: nothing to write it into */
	page = fuzz.base + phys;
	note_page(phys);
	len -= sizeof(phys);
	memcpy(page, rec + sizeof(phys), min(len, PAGE_SIZE));
	if (seal && ((struct pkram_meta_hdr *)page)->magic == PKRAM_META_MAGIC)
		pkram_meta_seal(page);
	/* a superblock with a "crc" property gets it filled in */
	if (seal && !fdt_check_header(page) && fdt_totalsize(page) <= PAGE_SIZE)
		pkram_sb_seal(page);
}

int fuzz_run(const u8 *data, size_t size)
{
	const size_t rec = FUZZ_REC_SIZE;
	struct fuzz_hdr h;
	char param[sizeof(h.param) + 1];
	unsigned int i;
	size_t off;

	if (size < sizeof(h))
		return -1;
	memcpy(&h, data, sizeof(h));

	/* x86 always reserves the first 1 MiB (setup_arch()) */
	fuzz_set_clear(&fuzz.ram);
	fuzz_set_clear(&fuzz.rsv);
	fuzz_set_add(&fuzz.rsv, 0, SZ_1M);
	for (i = 0; i < min(h.nr_ram, FUZZ_MAX_RAM); i++)
		fuzz_set_add(&fuzz.ram, min(h.ram[i].base, FUZZ_PHYS_MAX),
			     clamp_end(h.ram[i].base, h.ram[i].size));
	for (i = 0; i < min(h.nr_rsv, FUZZ_MAX_RSV); i++)
		fuzz_set_add(&fuzz.rsv, min(h.rsv[i].base, FUZZ_PHYS_MAX),
			     clamp_end(h.rsv[i].base, h.rsv[i].size));
	fuzz_mem_setup(&fuzz.ram, &fuzz.rsv);
	nr_sums = 0;
	for (off = sizeof(h); off + sizeof(u64) <= size; off += rec)
		add_page(data + off, min(rec, size - off),
			 !(h.flags & FUZZ_F_RAW_CRC));
	sum_pages();
	if (allow_shared < 0)
		allow_shared = !!getenv("FUZZ_ALLOW_SHARED");

	initdata_reset();
	nr_accepted = 0;
	fuzz_set_clear(&fuzz.preserved);
	memcpy(param, h.param, sizeof(h.param));
	param[sizeof(h.param)] = '\0';
	if (!(h.flags & FUZZ_F_NO_PARAM))
		fuzz_early_param_pkram_param(param[0] ? param : NULL);
	name_pages();

	pkram_reserve();
	check_reserved();
	fuzz.phase = FUZZ_LATE;
	pkram_parse_incoming();
	check_accepted();
	fuzz_mem_teardown();
	return nr_accepted;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	fuzz_run(data, size);
	return 0;
}
