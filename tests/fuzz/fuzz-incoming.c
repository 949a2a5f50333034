// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of PKRAM's incoming-handover parser: mm/pkram/boot.c as
 * it is, against the fake kernel of fuzz-mem.c. One input is a little
 * physical memory and a pkram= argument; the harness boots it the way the
 * kernel does (the early parameter, pkram_reserve(), pkram_parse_incoming())
 * and then checks what boot.c left behind. Input format: README.
 */
#include <stdio.h>

#include "fuzz.h"
#include "internal.h"	/* mm/pkram/internal.h */

#define FUZZ_F_RAW_CRC		0x01	/* do not seal metadata pages */
#define FUZZ_F_NO_PARAM		0x02	/* no pkram= on the command line */

struct fuzz_range {
	u64 base;
	u64 size;
};

struct fuzz_hdr {
	u8 nr_ram;
	u8 nr_rsv;
	u8 flags;
	u8 pad[5];
	char param[24];			/* the text after "pkram=" */
	struct fuzz_range ram[FUZZ_MAX_RAM];
	struct fuzz_range rsv[FUZZ_MAX_RSV];
};

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

static void check_page_ok(u64 phys, const char *what)
{
	if (!PAGE_ALIGNED(phys) ||
	    !fuzz_set_contains(&fuzz.preserved, phys, phys + PAGE_SIZE))
		fuzz_fail("%s: %s page %#llx of an offered node is not preserved",
			  phase_name, what, (unsigned long long)phys);
	if (fuzz_page_freed(phys))
		fuzz_fail("%s: %s page %#llx of an offered node was freed",
			  phase_name, what, (unsigned long long)phys);
}

/*
 * memblock.reserved after pkram_reserve(): sorted, disjoint, total_size
 * right, every earlier reservation still there; what was added is the new
 * array itself and preserved ranges inside RAM, above 1 MiB, page aligned,
 * clear of every earlier reservation, and holding the superblock.
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

			if (!PAGE_ALIGNED(a) || !PAGE_ALIGNED(b) || a < SZ_1M ||
			    !fuzz_set_contains(&fuzz.ram, a, b))
				fuzz_fail("%s: preserved [%#llx-%#llx) is not page-aligned RAM above 1 MiB",
					  phase_name, (unsigned long long)a,
					  (unsigned long long)b);
		}
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

/* Folios of an offered node: preserved, and not freed. */
static void check_extent(u64 start, u64 len)
{
	size_t f;

	if (!fuzz_set_contains(&fuzz.preserved, start, start + len))
		fuzz_fail("%s: offered folio(s) [%#llx+%#llx) are not preserved",
			  phase_name, (unsigned long long)start,
			  (unsigned long long)len);
	for (f = 0; f < fuzz.nr_freed; f++)
		if (fuzz.freed[f] >= start && fuzz.freed[f] - start < len)
			fuzz_fail("%s: offered folio at %#llx was freed",
				  phase_name, (unsigned long long)fuzz.freed[f]);
}

/*
 * A node pkram_parse_incoming() offered: every metadata page and every
 * folio is preserved memory that was not freed. Walked independently of
 * boot.c's walk, with internal.h's entry decoder.
 */
static void check_stream(u64 head, u64 *budget)
{
	while (head) {
		struct pkram_link_meta *link;
		unsigned int pos;

		if (!(*budget)--)
			fuzz_fail("%s: stream of an offered node does not end", phase_name);
		check_page_ok(head, "link");
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
	for (i = 0; i < nr_accepted; i++) {
		struct pkram_node_meta *node = accepted[i];
		u64 obj;

		check_page_ok(fuzz_virt_to_phys(node), "node");
		if (!pkram_name_valid(node->name))
			fuzz_fail("%s: offered node has an invalid name", phase_name);
		for (obj = node->first_obj; obj;) {
			struct pkram_obj_meta *o;

			if (!budget--)
				fuzz_fail("%s: objects of an offered node do not end", phase_name);
			check_page_ok(obj, "object");
			o = (void *)(fuzz.base + obj);
			check_stream(o->folios_head, &budget);
			check_stream(o->bytes_head, &budget);
			obj = o->hdr.next;
		}
	}
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
	len -= sizeof(phys);
	memcpy(page, rec + sizeof(phys), min(len, PAGE_SIZE));
	if (seal && ((struct pkram_meta_hdr *)page)->magic == PKRAM_META_MAGIC)
		pkram_meta_seal(page);
}

int fuzz_run(const u8 *data, size_t size)
{
	const size_t rec = sizeof(u64) + PAGE_SIZE;
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
	for (off = sizeof(h); off + sizeof(u64) <= size; off += rec)
		add_page(data + off, min(rec, size - off),
			 !(h.flags & FUZZ_F_RAW_CRC));

	initdata_reset();
	nr_accepted = 0;
	fuzz_set_clear(&fuzz.preserved);
	memcpy(param, h.param, sizeof(h.param));
	param[sizeof(h.param)] = '\0';
	if (!(h.flags & FUZZ_F_NO_PARAM))
		fuzz_early_param_pkram_param(param[0] ? param : NULL);

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
