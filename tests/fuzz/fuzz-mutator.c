// SPDX-License-Identifier: GPL-2.0
/*
 * Structure-aware mutator of the incoming-handover fuzz harness: libFuzzer's
 * LLVMFuzzerCustomMutator() and LLVMFuzzerCustomCrossOver(), linked into
 * fuzz-incoming only (replay-incoming has no libFuzzer).
 *
 * Byte mutations alone almost never make one page play two parts: a link
 * entry whose eight bytes are exactly the superblock's address, a folio
 * whose counts still add up, a range list that still covers it. So an input
 * is parsed into what it describes (README, "Input format"; internal.h):
 * the superblock's FDT properties, the nodes, objects, link pages and
 * entries reachable from it, the range list; mutated as that -- a property,
 * an entry or a pointer aimed at a page that already plays another part, a
 * page moved onto one, a node cloned, the range list rewritten to cover what
 * the nodes use -- with the counts made to add up again; and written back.
 * Some of the time libFuzzer's own byte mutation (LLVMFuzzerMutate()) runs
 * instead, on the whole input or on one page or property.
 *
 * Metadata pages are left for the harness to seal, unless the input has raw
 * CRCs (flag 0x01): then the pages changed here are sealed here.
 */
#include <stdio.h>
#include <linux/libfdt.h>

#include "fuzz.h"
#include "internal.h"	/* mm/pkram/internal.h */

size_t LLVMFuzzerMutate(u8 *data, size_t size, size_t max_size);

#define M_MAX_RECS	1024	/* records of an input it parses */
#define M_MAX_PROPS	16	/* superblock properties */
#define M_PROP_MAX	(PKRAM_MAX_NODES * sizeof(u64))
#define M_MAX_ITEMS	4096	/* targets, entries, pointers of one input */
#define M_MAX_CHAIN	512	/* pages of one chain it follows */

/* ---- randomness: one stream per call, from libFuzzer's seed ---- */

static u64 rng;

static void rnd_seed(unsigned int seed)
{
	rng = 0x9e3779b97f4a7c15ULL ^ ((u64)seed << 1 | 1);
}

static u64 rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/* 0 .. n - 1 (0 if n is 0) */
static u64 rnd(u64 n)
{
	return n ? rnd64() % n : 0;
}

/* ---- an input, parsed ---- */

struct mrec {
	u64 phys;
	bool dirty;		/* changed here: sealed here with raw CRCs */
	bool reached;		/* scan() reached it from the superblock */
	u32 seen;		/* the last chain walk that met it */
	u32 seen_obj;		/* the last object chain walk that met it */
	u8 page[PAGE_SIZE] __aligned(8);	/* libfdt wants 8 */
};

struct mprop {
	char name[32];
	u32 len;
	u8 val[M_PROP_MAX];
};

/* What a page is to the handover; also the kinds of pointer targets. */
enum mkind {
	K_SB,			/* the superblock */
	K_RL,			/* a range list page */
	K_NODE,
	K_OBJ,
	K_LINK,
	K_FOLIO,		/* data: an extent of a link entry */
	K_AVOID,		/* the superblock's avoid page */
	K_REC,			/* any other page a record gives */
};

struct mtarget {
	u64 phys, len;
	enum mkind kind;
	int node;		/* index in nodes[], -1: none */
};

/* A link entry. */
struct ment {
	struct mrec *link;
	u32 pos;		/* its first word */
	int node;
	bool bytes;		/* in a byte stream: order 0 only */
	struct pkram_entry e;
};

/* A place that holds a pointer to a page: a field of a page or a property. */
struct mslot {
	struct mrec *r;		/* NULL: the superblock property props[prop] */
	u32 off;		/* byte offset in the page, or in the property */
	int prop;
	enum mkind points;	/* what it should point at */
};

struct minput {
	struct fuzz_hdr h;
	unsigned int nr;
	struct mrec rec[M_MAX_RECS];

	/* the superblock: a record, an FDT whose root properties fit here */
	struct mrec *sb;
	bool fdt;
	bool fdt_dirty;			/* props changed: write the FDT back */
	unsigned int nr_props;
	struct mprop props[M_MAX_PROPS];

	/* scan(): what the superblock reaches */
	struct mrec *nodes[PKRAM_MAX_NODES];
	unsigned int nr_nodes;
	struct mtarget tgt[M_MAX_ITEMS];
	unsigned int nr_tgt;
	struct ment ent[M_MAX_ITEMS];
	unsigned int nr_ent;
	struct mslot slot[M_MAX_ITEMS];
	unsigned int nr_slot;
	struct mrec *links[M_MAX_ITEMS];
	bool link_bytes[M_MAX_ITEMS];
	int link_node[M_MAX_ITEMS];
	unsigned int nr_links;
	struct mrec *rl[M_MAX_CHAIN];
	unsigned int nr_rl;
	struct fuzz_set ranges;		/* what the range list yields */
	struct fuzz_set ram;		/* the header's RAM, less reservations */
};

static struct minput in_a, in_b;
static u32 gen;				/* chain walks, against cycles */

static struct mrec *rec_at(struct minput *in, u64 phys)
{
	unsigned int i;

	if (!phys || !PAGE_ALIGNED(phys))
		return NULL;
	for (i = 0; i < in->nr; i++)
		if (in->rec[i].phys == phys)
			return &in->rec[i];
	return NULL;
}

static bool is_meta(const struct mrec *r, u16 type)
{
	const struct pkram_meta_hdr *hdr;

	if (!r)
		return false;
	hdr = (const void *)r->page;
	return hdr->magic == PKRAM_META_MAGIC && hdr->type == type;
}

static u64 get64(const struct mrec *r, u32 off)
{
	u64 v;

	memcpy(&v, r->page + off, sizeof(v));
	return v;
}

static void put64(struct mrec *r, u32 off, u64 v)
{
	memcpy(r->page + off, &v, sizeof(v));
	r->dirty = true;
}

/* ---- the superblock's FDT ---- */

static struct mprop *prop(struct minput *in, const char *name)
{
	unsigned int i;

	for (i = 0; i < in->nr_props; i++)
		if (!strcmp(in->props[i].name, name))
			return &in->props[i];
	return NULL;
}

static u64 prop_u64(struct minput *in, const char *name, unsigned int idx)
{
	struct mprop *p = prop(in, name);
	fdt64_t v;

	if (!p || p->len < (idx + 1) * sizeof(v))
		return 0;
	memcpy(&v, p->val + idx * sizeof(v), sizeof(v));
	return fdt64_to_cpu(v);
}

/* Set u64 number @idx of property @name, making it (and room) if need be. */
static bool set_prop_u64(struct minput *in, const char *name, unsigned int idx,
			 u64 val)
{
	struct mprop *p = prop(in, name);
	fdt64_t v = cpu_to_fdt64(val);

	if (!in->fdt || (idx + 1) * sizeof(v) > M_PROP_MAX)
		return false;
	in->fdt_dirty = true;
	if (!p) {
		if (in->nr_props == M_MAX_PROPS)
			return false;
		p = &in->props[in->nr_props++];
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->len = 0;
	}
	if (p->len < (idx + 1) * sizeof(v)) {
		memset(p->val + p->len, 0, (idx + 1) * sizeof(v) - p->len);
		p->len = (idx + 1) * sizeof(v);
	}
	memcpy(p->val + idx * sizeof(v), &v, sizeof(v));
	return true;
}

static void del_prop_u64(struct minput *in, const char *name, unsigned int idx)
{
	struct mprop *p = prop(in, name);

	if (!p || p->len < (idx + 1) * sizeof(u64))
		return;
	in->fdt_dirty = true;
	memmove(p->val + idx * sizeof(u64), p->val + (idx + 1) * sizeof(u64),
		p->len - (idx + 1) * sizeof(u64));
	p->len -= sizeof(u64);
}

static bool fdt_read(struct minput *in)
{
	const void *fdt = in->sb->page;
	int off;

	in->nr_props = 0;
	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > PAGE_SIZE)
		return false;
	fdt_for_each_property_offset(off, fdt, 0) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, off, &name, &len);
		struct mprop *p = &in->props[in->nr_props];

		if (!val || !name || len < 0 || len > (int)M_PROP_MAX ||
		    in->nr_props == M_MAX_PROPS ||
		    strlen(name) >= sizeof(p->name))
			return false;
		snprintf(p->name, sizeof(p->name), "%s", name);
		memcpy(p->val, val, len);
		p->len = len;
		in->nr_props++;
	}
	return off == -FDT_ERR_NOTFOUND;
}

static void be32_out(u8 **p, u32 v)
{
	fdt32_t b = cpu_to_fdt32(v);

	memcpy(*p, &b, sizeof(b));
	*p += sizeof(b);
}

/* The properties back into the superblock page: a root node, nothing else. */
static bool fdt_write(struct minput *in)
{
	u8 buf[PAGE_SIZE] = { }, strings[PAGE_SIZE], *p;
	u32 off_struct = 40 + 16, nstr = 0, size_struct, i;

	p = buf + off_struct;
	be32_out(&p, FDT_BEGIN_NODE);
	be32_out(&p, 0);			/* "" */
	for (i = 0; i < in->nr_props; i++) {
		const struct mprop *pr = &in->props[i];
		u32 nlen = strlen(pr->name) + 1;

		if (p + 12 + ALIGN(pr->len, 4) + 8 > buf + PAGE_SIZE ||
		    nstr + nlen > sizeof(strings))
			return false;
		be32_out(&p, FDT_PROP);
		be32_out(&p, pr->len);
		be32_out(&p, nstr);
		memcpy(strings + nstr, pr->name, nlen);
		nstr += nlen;
		memcpy(p, pr->val, pr->len);
		p += ALIGN(pr->len, 4);
	}
	be32_out(&p, FDT_END_NODE);
	be32_out(&p, FDT_END);
	size_struct = p - (buf + off_struct);
	if (p + nstr > buf + PAGE_SIZE)
		return false;
	memcpy(p, strings, nstr);
	p = buf;
	be32_out(&p, FDT_MAGIC);
	be32_out(&p, off_struct + size_struct + nstr);	/* totalsize */
	be32_out(&p, off_struct);
	be32_out(&p, off_struct + size_struct);		/* off_dt_strings */
	be32_out(&p, 40);				/* off_mem_rsvmap */
	be32_out(&p, 17);				/* version */
	be32_out(&p, 16);				/* last_comp_version */
	be32_out(&p, 0);				/* boot_cpuid_phys */
	be32_out(&p, nstr);
	be32_out(&p, size_struct);
	memcpy(in->sb->page, buf, PAGE_SIZE);
	in->sb->dirty = true;
	in->fdt_dirty = false;
	return true;
}

/* Before the superblock page is changed as bytes: the properties into it. */
static void fdt_sync(struct minput *in)
{
	if (in->sb && in->fdt && in->fdt_dirty && !fdt_write(in))
		in->fdt = in->fdt_dirty = false;
}

/* ---- parse and write back ---- */

static u64 sb_phys(const struct minput *in)
{
	char param[sizeof(in->h.param) + 1];
	char *end;
	u64 v;

	if (in->h.flags & FUZZ_F_NO_PARAM)
		return 0;
	memcpy(param, in->h.param, sizeof(in->h.param));
	param[sizeof(in->h.param)] = '\0';
	v = strtoull(param, &end, 0);
	return *end ? 0 : v;
}

static void find_sb(struct minput *in)
{
	in->sb = rec_at(in, sb_phys(in));
	in->fdt = in->sb && fdt_read(in);
	in->fdt_dirty = false;
}

static void ram_set(struct minput *in)
{
	unsigned int i;

	fuzz_set_clear(&in->ram);
	for (i = 0; i < min(in->h.nr_ram, FUZZ_MAX_RAM); i++)
		if (in->h.ram[i].base < FUZZ_PHYS_MAX &&
		    in->h.ram[i].size <= FUZZ_PHYS_MAX)
			fuzz_set_add(&in->ram, PAGE_ALIGN(in->h.ram[i].base),
				     round_down(min(in->h.ram[i].base + in->h.ram[i].size,
						    FUZZ_PHYS_MAX), PAGE_SIZE));
	fuzz_set_sub(&in->ram, 0, SZ_1M);
	for (i = 0; i < min(in->h.nr_rsv, FUZZ_MAX_RSV); i++)
		if (in->h.rsv[i].base < FUZZ_PHYS_MAX)
			fuzz_set_sub(&in->ram, round_down(in->h.rsv[i].base, PAGE_SIZE),
				     PAGE_ALIGN(min(in->h.rsv[i].base +
						    min(in->h.rsv[i].size, FUZZ_PHYS_MAX),
						    FUZZ_PHYS_MAX)));
}

/* Records as the harness writes them: a later one of a page wins. */
static bool parse(struct minput *in, const u8 *data, size_t size)
{
	size_t off;

	if (size < sizeof(in->h))
		return false;
	memcpy(&in->h, data, sizeof(in->h));
	in->nr = 0;
	for (off = sizeof(in->h); off + sizeof(u64) <= size; off += FUZZ_REC_SIZE) {
		size_t len = min(FUZZ_REC_SIZE, size - off) - sizeof(u64);
		struct mrec *r;
		u64 phys;

		memcpy(&phys, data + off, sizeof(phys));
		phys = round_down(phys, PAGE_SIZE);
		r = rec_at(in, phys);
		if (!r || !phys) {
			if (in->nr == M_MAX_RECS)
				return false;
			r = &in->rec[in->nr++];
		}
		r->phys = phys;
		r->dirty = r->reached = false;
		r->seen = r->seen_obj = 0;
		memcpy(r->page, data + off + sizeof(u64), len);
		memset(r->page + len, 0, PAGE_SIZE - len);
	}
	find_sb(in);
	ram_set(in);
	return true;
}

static size_t rec_len(const struct mrec *r)
{
	size_t len = PAGE_SIZE;

	while (len && !r->page[len - 1])
		len--;
	return len;
}

/*
 * Back into libFuzzer's buffer, the last record without its zero tail; 0
 * (and the buffer untouched) if it does not fit.
 */
static size_t serialize(struct minput *in, u8 *data, size_t max_size)
{
	size_t off = sizeof(in->h), len;
	unsigned int i;

	fdt_sync(in);
	for (i = 0; i < in->nr; i++)
		off += sizeof(u64) + (i + 1 == in->nr ? rec_len(&in->rec[i]) : PAGE_SIZE);
	if (off > max_size)
		return 0;
	memcpy(data, &in->h, sizeof(in->h));
	off = sizeof(in->h);
	for (i = 0; i < in->nr; i++) {
		struct mrec *r = &in->rec[i];

		if ((in->h.flags & FUZZ_F_RAW_CRC) && r->dirty &&
		    ((struct pkram_meta_hdr *)r->page)->magic == PKRAM_META_MAGIC)
			pkram_meta_seal(r->page);
		len = i + 1 == in->nr ? rec_len(r) : PAGE_SIZE;
		memcpy(data + off, &r->phys, sizeof(u64));
		memcpy(data + off + sizeof(u64), r->page, len);
		off += sizeof(u64) + len;
	}
	return off;
}

/* ---- what the superblock reaches ---- */

static void add_target(struct minput *in, u64 phys, u64 len, enum mkind kind,
		       int node)
{
	if (in->nr_tgt < M_MAX_ITEMS && phys && len)
		in->tgt[in->nr_tgt++] = (struct mtarget){
			.phys = phys, .len = len, .kind = kind, .node = node,
		};
}

static void add_slot(struct minput *in, struct mrec *r, u32 off, int prop,
		     enum mkind points)
{
	if (in->nr_slot < M_MAX_ITEMS)
		in->slot[in->nr_slot++] = (struct mslot){
			.r = r, .off = off, .prop = prop, .points = points,
		};
}

static void scan_stream(struct minput *in, u64 head, int node, bool bytes)
{
	unsigned int steps = 0;
	u32 g = ++gen;

	while (head && steps++ < M_MAX_CHAIN) {
		struct mrec *r = rec_at(in, head);
		const struct pkram_link_meta *link;
		u32 pos, nw;

		if (!is_meta(r, PKRAM_META_LINK) || r->seen == g)
			return;
		r->seen = g;
		r->reached = true;
		link = (const void *)r->page;
		add_target(in, head, PAGE_SIZE, K_LINK, node);
		add_slot(in, r, offsetof(struct pkram_meta_hdr, next), -1, K_LINK);
		if (in->nr_links < M_MAX_ITEMS) {
			in->link_bytes[in->nr_links] = bytes;
			in->link_node[in->nr_links] = node;
			in->links[in->nr_links++] = r;
		}
		nw = min_t(u32, link->nr_words, PKRAM_LINK_WORDS);
		for (pos = 0; pos < nw;) {
			struct ment *m = &in->ent[in->nr_ent];
			struct pkram_entry e;
			u64 len, i;

			if (!pkram_entry_decode(&link->words[pos], nw - pos, &e))
				break;
			len = PAGE_SIZE << min(e.order, 30u);
			if (in->nr_ent < M_MAX_ITEMS) {
				*m = (struct ment){
					.link = r, .pos = pos, .node = node,
					.bytes = bytes, .e = e,
				};
				in->nr_ent++;
			}
			if (!e.pfns)
				add_target(in, e.phys, min(e.count, 1ULL << 20) * len,
					   K_FOLIO, node);
			else
				for (i = 0; i < min(e.count, 16ULL); i++)
					add_target(in, pkram_entry_folio(&e, rnd(e.count)),
						   PAGE_SIZE, K_FOLIO, node);
			pos += e.words;
		}
		head = link->hdr.next;
	}
}

static void scan_node(struct minput *in, struct mrec *nr, int node)
{
	const struct pkram_node_meta *n = (const void *)nr->page;
	unsigned int steps = 0;
	u64 obj = n->first_obj;
	u32 g = ++gen;

	nr->reached = true;
	add_target(in, nr->phys, PAGE_SIZE, K_NODE, node);
	add_slot(in, nr, offsetof(struct pkram_node_meta, first_obj), -1, K_OBJ);
	while (obj && steps++ < M_MAX_CHAIN) {
		struct mrec *r = rec_at(in, obj);
		const struct pkram_obj_meta *o;

		if (!is_meta(r, PKRAM_META_OBJ) || r->seen_obj == g)
			return;
		r->seen_obj = g;
		r->reached = true;
		o = (const void *)r->page;
		add_target(in, obj, PAGE_SIZE, K_OBJ, node);
		add_slot(in, r, offsetof(struct pkram_meta_hdr, next), -1, K_OBJ);
		add_slot(in, r, offsetof(struct pkram_obj_meta, folios_head), -1,
			 K_LINK);
		add_slot(in, r, offsetof(struct pkram_obj_meta, bytes_head), -1,
			 K_LINK);
		scan_stream(in, o->folios_head, node, false);
		scan_stream(in, o->bytes_head, node, true);
		obj = o->hdr.next;
	}
}

static void scan(struct minput *in)
{
	struct mprop *np;
	unsigned int i, steps = 0;
	u64 phys, avoid;
	u32 g;

	in->nr_nodes = in->nr_tgt = in->nr_ent = in->nr_slot = 0;
	in->nr_links = in->nr_rl = 0;
	fuzz_set_clear(&in->ranges);
	for (i = 0; i < in->nr; i++)
		in->rec[i].reached = false;
	if (!in->sb)
		return;
	in->sb->reached = true;
	add_target(in, in->sb->phys, PAGE_SIZE, K_SB, -1);
	if (!in->fdt)
		return;
	np = prop(in, PKRAM_FDT_NODES);
	for (i = 0; np && i < np->len / sizeof(u64) && i < PKRAM_MAX_NODES; i++) {
		struct mrec *r = rec_at(in, prop_u64(in, PKRAM_FDT_NODES, i));

		add_slot(in, NULL, i * sizeof(u64), np - in->props, K_NODE);
		if (r && is_meta(r, PKRAM_META_NODE)) {
			in->nodes[in->nr_nodes] = r;
			scan_node(in, r, in->nr_nodes++);
		}
	}
	/* the range list: its pages, and the ranges it yields */
	phys = prop_u64(in, PKRAM_FDT_RANGES, 0);
	if (prop(in, PKRAM_FDT_RANGES))
		add_slot(in, NULL, 0, prop(in, PKRAM_FDT_RANGES) - in->props, K_RL);
	g = ++gen;
	while (phys && steps++ < M_MAX_CHAIN) {
		struct mrec *r = rec_at(in, phys);
		struct pkram_rl_cursor c = { };
		struct pkram_range out;

		if (!is_meta(r, PKRAM_META_RANGES) || r->seen == g ||
		    ((struct pkram_ranges_meta *)r->page)->nr_words > PKRAM_RANGES_WORDS)
			break;
		r->seen = g;
		r->reached = true;
		in->rl[in->nr_rl++] = r;
		add_target(in, phys, PAGE_SIZE, K_RL, -1);
		add_slot(in, r, offsetof(struct pkram_meta_hdr, next), -1, K_RL);
		c.p = (const void *)r->page;
		while (pkram_rl_next(&c, &out) > 0)
			if (out.start < out.end && out.end <= FUZZ_PHYS_MAX)
				fuzz_set_add(&in->ranges, out.start, out.end);
		phys = c.p->hdr.next;
	}
	avoid = prop_u64(in, PKRAM_FDT_AVOID, 0);
	if (prop(in, PKRAM_FDT_AVOID))
		add_slot(in, NULL, 0, prop(in, PKRAM_FDT_AVOID) - in->props, K_AVOID);
	add_target(in, round_down(avoid, PAGE_SIZE), PAGE_SIZE, K_AVOID, -1);
	for (i = 0; i < in->nr; i++)
		if (in->rec[i].phys && !in->rec[i].reached)
			add_target(in, in->rec[i].phys, PAGE_SIZE, K_REC, -1);
}

/* A page of a target of one of the kinds @mask allows, else of any; 0: none. */
static u64 pick_target(struct minput *in, u32 mask)
{
	unsigned int i, n = 0, pick;
	const struct mtarget *t = NULL;
	u64 pages;

	for (i = 0; i < in->nr_tgt; i++)
		n += !!(mask & BIT(in->tgt[i].kind));
	if (!n)
		mask = ~0U, n = in->nr_tgt;
	if (!n)
		return 0;
	pick = rnd(n);
	for (i = 0; i < in->nr_tgt; i++)
		if ((mask & BIT(in->tgt[i].kind)) && !pick--) {
			t = &in->tgt[i];
			break;
		}
	pages = t->len >> PAGE_SHIFT;
	switch (rnd(4)) {
	case 0:
		return t->phys + ((pages - 1) << PAGE_SHIFT);
	case 1:
		return t->phys + (rnd(pages) << PAGE_SHIFT);
	default:
		return t->phys;
	}
}

/* the kinds a retargeted pointer or entry is aimed at: mostly pages in use */
static u32 pick_kinds(void)
{
	static const u32 sets[] = {
		BIT(K_FOLIO), BIT(K_FOLIO), BIT(K_FOLIO),
		BIT(K_NODE) | BIT(K_OBJ) | BIT(K_LINK),
		BIT(K_LINK), BIT(K_SB), BIT(K_RL), BIT(K_AVOID), BIT(K_REC),
	};

	return sets[rnd(ARRAY_SIZE(sets))];
}

/* ---- allocating pages ---- */

static bool page_in_use(struct minput *in, u64 phys)
{
	unsigned int i;

	if (rec_at(in, phys))
		return true;
	for (i = 0; i < in->nr_tgt; i++)
		if (phys - in->tgt[i].phys < in->tgt[i].len)
			return true;
	return false;
}

/*
 * A page of RAM (less the first MiB and the earlier reservations) that no
 * record gives and no target uses: next to a preserved range if possible,
 * so that covering it does not make many ranges.
 */
static u64 alloc_page(struct minput *in)
{
	unsigned int tries;

	for (tries = 0; tries < 32; tries++) {
		const struct fuzz_set *s = tries < 16 && in->ranges.n ? &in->ranges
								      : &in->ram;
		size_t i = rnd(s->n);
		u64 phys;

		if (!s->n)
			return 0;
		if (s == &in->ranges)		/* just after or before one */
			phys = rnd(2) ? s->r[i][1] + (rnd(2) << PAGE_SHIFT)
				      : s->r[i][0] - PAGE_SIZE;
		else				/* in the first 16 MiB of one */
			phys = s->r[i][0] + (rnd(min((s->r[i][1] - s->r[i][0]) >>
						     PAGE_SHIFT, 4096ULL)) << PAGE_SHIFT);
		if (fuzz_set_contains(&in->ram, phys, phys + PAGE_SIZE) &&
		    !page_in_use(in, phys))
			return phys;
	}
	return 0;
}

static bool room(struct minput *in, size_t max_size, unsigned int pages)
{
	return in->nr + pages <= M_MAX_RECS &&
	       sizeof(in->h) + (in->nr + pages) * FUZZ_REC_SIZE <= max_size;
}

static struct mrec *new_rec(struct minput *in, u64 phys)
{
	struct mrec *r = &in->rec[in->nr++];

	memset(r, 0, sizeof(*r));
	r->phys = phys;
	r->dirty = true;
	return r;
}

/* ---- link entries ---- */

/* Replace @nold words at @pos of a link page with @nnew words. */
static bool link_splice(struct mrec *r, u32 pos, u32 nold, const u64 *w, u32 nnew)
{
	struct pkram_link_meta *link = (void *)r->page;
	u32 nw = min_t(u32, link->nr_words, PKRAM_LINK_WORDS);

	if (pos + nold > nw || nw - nold + nnew > PKRAM_LINK_WORDS)
		return false;
	memmove(&link->words[pos + nnew], &link->words[pos + nold],
		(nw - pos - nold) * sizeof(u64));
	if (nnew)
		memcpy(&link->words[pos], w, nnew * sizeof(u64));
	link->nr_words = nw - nold + nnew;
	memset(&link->words[link->nr_words], 0,
	       (PKRAM_LINK_WORDS - link->nr_words) * sizeof(u64));
	r->dirty = true;
	return true;
}

/* One folio of order @order holding @phys (an index word if @index). */
static u32 make_entry(u64 *w, u64 phys, unsigned int order, bool index)
{
	w[0] = round_down(phys, PAGE_SIZE << order) | order |
	       (index ? PKRAM_ENT_INDEX : 0);
	w[1] = rnd(4) ? 0 : rnd64() >> 40;
	return 1 + index;
}

/* an entry's order, for a folio stream: mostly 0 */
static unsigned int pick_order(bool bytes, unsigned int was)
{
	if (bytes)
		return 0;
	switch (rnd(8)) {
	case 0:
		return min(was, (unsigned int)MAX_PAGE_ORDER);
	case 1:
		return rnd(MAX_PAGE_ORDER + 1);
	default:
		return 0;
	}
}

/* An entry now holds one folio at a page that plays another part. */
static bool m_entry_retarget(struct minput *in)
{
	struct ment *m;
	u64 w[2], phys;
	u32 n;

	if (!in->nr_ent)
		return false;
	m = &in->ent[rnd(in->nr_ent)];
	phys = pick_target(in, pick_kinds());
	if (!phys)
		return false;
	n = make_entry(w, phys, pick_order(m->bytes, m->e.order),
		       !m->pos || m->e.has_index || !rnd(4));
	return link_splice(m->link, m->pos, m->e.words, w, n);
}

/* A new entry, at the end of a link page or after one of its entries. */
static bool m_entry_insert(struct minput *in)
{
	struct pkram_link_meta *link;
	unsigned int l;
	u64 w[2], phys;
	u32 pos, n;

	if (!in->nr_links)
		return false;
	l = rnd(in->nr_links);
	link = (void *)in->links[l]->page;
	phys = pick_target(in, pick_kinds());
	if (!phys)
		return false;
	pos = min_t(u32, link->nr_words, PKRAM_LINK_WORDS);
	if (rnd(2)) {
		unsigned int i;

		for (i = 0; i < in->nr_ent; i++)
			if (in->ent[i].link == in->links[l] && !rnd(3)) {
				pos = in->ent[i].pos + in->ent[i].e.words;
				break;
			}
	}
	n = make_entry(w, phys, pick_order(in->link_bytes[l], 0), !pos || !rnd(3));
	return link_splice(in->links[l], pos, 0, w, n);
}

/*
 * The same folio(s) again: an entry copied to the end of its own link page,
 * another link page of its node, or one of another node.
 */
static bool m_entry_dup(struct minput *in)
{
	const struct pkram_link_meta *link;
	u64 w[PKRAM_LINK_WORDS];
	unsigned int l = 0, i, tries, copies = 1 + !rnd(4);	/* or twice */
	struct ment *m;
	u32 n, pos;

	if (!in->nr_ent || !in->nr_links)
		return false;
	m = &in->ent[rnd(in->nr_ent)];
	for (tries = 0; tries < 8; tries++) {
		l = rnd(in->nr_links);
		switch (rnd(3)) {
		case 0:
			if (in->links[l] != m->link)
				continue;
			break;
		case 1:
			if (in->link_node[l] != m->node)
				continue;
			break;
		default:
			if (in->link_node[l] == m->node && in->nr_nodes > 1)
				continue;
		}
		break;
	}
	link = (const void *)in->links[l]->page;
	pos = min_t(u32, link->nr_words, PKRAM_LINK_WORDS);
	if (in->link_bytes[l] && m->e.order) {
		n = make_entry(w, m->e.phys, 0, !pos);
		return link_splice(in->links[l], pos, 0, w, n);
	}
	memcpy(w, &((const struct pkram_link_meta *)m->link->page)->words[m->pos],
	       m->e.words * sizeof(u64));
	n = m->e.words;
	if (!pos && !m->e.has_index) {
		if (n == PKRAM_LINK_WORDS)
			return false;
		/* a link page's first entry has its index */
		memmove(&w[2], &w[1], (n - 1) * sizeof(u64));
		w[0] |= PKRAM_ENT_INDEX;
		w[1] = 0;
		n++;
	}
	if (n > PKRAM_LINK_WORDS)
		return false;
	for (i = 0; i < copies; i++)
		if (!link_splice(in->links[l], pos, 0, w, n))
			return i;
	return true;
}

static bool m_entry_remove(struct minput *in)
{
	const struct pkram_link_meta *link;
	struct ment *m;

	if (!in->nr_ent)
		return false;
	m = &in->ent[rnd(in->nr_ent)];
	link = (const void *)m->link->page;
	if (!m->pos && m->e.words < link->nr_words &&
	    !(link->words[m->e.words] & PKRAM_ENT_INDEX))
		return false;	/* the next one would be first without an index */
	return link_splice(m->link, m->pos, m->e.words, NULL, 0);
}

/* ---- pointers ---- */

static u64 slot_get(struct minput *in, const struct mslot *s)
{
	if (s->r)
		return get64(s->r, s->off);
	return prop_u64(in, in->props[s->prop].name, s->off / sizeof(u64));
}

static void slot_set(struct minput *in, const struct mslot *s, u64 v)
{
	struct pkram_obj_meta *o;

	if (!s->r) {
		set_prop_u64(in, in->props[s->prop].name, s->off / sizeof(u64), v);
		return;
	}
	put64(s->r, s->off, v);
	if (!v || !is_meta(s->r, PKRAM_META_OBJ))
		return;
	/* an object has a stream only if its flags say so */
	o = (void *)s->r->page;
	if (s->off == offsetof(struct pkram_obj_meta, folios_head))
		o->flags |= PKRAM_DATA_folios;
	if (s->off == offsetof(struct pkram_obj_meta, bytes_head))
		o->flags |= PKRAM_DATA_bytes;
}

/*
 * A pointer -- a superblock property, a node's first object, an object's
 * next or stream head, a link page's next -- aimed at a page that plays
 * another part: mostly one of the kind it should point at, of another node
 * (the two nodes then share it), or a folio, the superblock, a range list
 * page; or 0.
 */
static bool m_slot_retarget(struct minput *in)
{
	const struct mslot *s;
	u64 v;

	if (!in->nr_slot)
		return false;
	s = &in->slot[rnd(in->nr_slot)];
	if (s->points == K_AVOID || !rnd(3))
		v = pick_target(in, pick_kinds());
	else
		v = pick_target(in, BIT(s->points));
	if (!rnd(16))
		v = 0;
	if (v == slot_get(in, s))
		return false;
	slot_set(in, s, v);
	return true;
}

/* The superblock's avoid page: mostly a page some node uses. */
static bool m_avoid(struct minput *in)
{
	u64 v = pick_target(in, rnd(4) ? BIT(K_FOLIO) : pick_kinds());

	return in->sb && set_prop_u64(in, PKRAM_FDT_AVOID, 0, v);
}

/* The superblock's node table: a node twice, one dropped, one more page. */
static bool m_nodes(struct minput *in)
{
	struct mprop *np = prop(in, PKRAM_FDT_NODES);
	unsigned int n = np ? np->len / sizeof(u64) : 0;

	if (!in->sb || !in->fdt)
		return false;
	if (n > 1 && !rnd(3))
		del_prop_u64(in, PKRAM_FDT_NODES, rnd(n));
	else if (!set_prop_u64(in, PKRAM_FDT_NODES, min(n, PKRAM_MAX_NODES - 1),
			       pick_target(in, rnd(2) ? BIT(K_NODE) : pick_kinds())))
		return false;
	return true;
}

/*
 * Move a page -- the superblock, a range list page, a node, object or link
 * page -- to another address, every pointer to it with it: onto a page that
 * plays another part but no record gives (a folio, the avoid page), or to a
 * free one.
 */
static bool m_relocate(struct minput *in)
{
	static const enum mkind kinds[] = {
		K_SB, K_SB, K_RL, K_RL, K_LINK, K_LINK, K_OBJ, K_NODE,
	};
	enum mkind kind = kinds[rnd(ARRAY_SIZE(kinds))];
	u64 from = pick_target(in, BIT(kind)), to = 0;
	struct mrec *r = rec_at(in, from);
	unsigned int i, tries;

	if (!r)
		return false;
	for (tries = 0; tries < 8 && (!to || rec_at(in, to)); tries++)
		to = rnd(4) ? pick_target(in, BIT(K_FOLIO) | BIT(K_AVOID))
			    : alloc_page(in);
	if (!to || rec_at(in, to) || !PAGE_ALIGNED(to))
		return false;
	for (i = 0; i < in->nr_slot; i++)
		if (slot_get(in, &in->slot[i]) == from)
			slot_set(in, &in->slot[i], to);
	if (r == in->sb) {
		memset(in->h.param, 0, sizeof(in->h.param));
		snprintf(in->h.param, sizeof(in->h.param), "%#llx",
			 (unsigned long long)to);
	}
	r->phys = to;
	r->dirty = true;
	return true;
}

/* ---- nodes ---- */

/*
 * Copy node @n of @src into @dst with new metadata pages (each kept at its
 * address if @dst has no record there and @keep): the folios are then
 * shared, unless they are elsewhere in @dst. Named anew if @rename.
 */
static bool graft_node(struct minput *dst, struct minput *src, unsigned int n,
		       size_t max_size, bool keep, bool rename)
{
	struct mrec *pages[64], *copies[64];
	unsigned int nr = 0, i, j, k;
	struct pkram_node_meta *node;
	struct mprop *np;

	/* the node's pages: the node page, then what scan() reached from it */
	pages[nr++] = src->nodes[n];
	for (i = 0; i < src->nr_tgt && nr < ARRAY_SIZE(pages); i++) {
		const struct mtarget *t = &src->tgt[i];
		struct mrec *r;

		if (t->node != (int)n || (t->kind != K_OBJ && t->kind != K_LINK))
			continue;
		r = rec_at(src, t->phys);
		for (j = 0; j < nr && r != pages[j]; j++)
			;
		if (r && j == nr)
			pages[nr++] = r;
	}
	if (!room(dst, max_size, nr))
		return false;
	for (i = 0; i < nr; i++) {
		u64 at = pages[i]->phys;

		if (!keep || rec_at(dst, at))
			at = alloc_page(dst);
		if (!at || rec_at(dst, at)) {
			dst->nr -= i;
			return false;
		}
		copies[i] = new_rec(dst, at);
		memcpy(copies[i]->page, pages[i]->page, PAGE_SIZE);
		/* seen by alloc_page() from now on */
		add_target(dst, at, PAGE_SIZE, K_REC, -1);
	}
	/* pointers between the copied pages follow them */
	for (i = 0; i < nr; i++) {
		static const u32 offs[] = {
			offsetof(struct pkram_meta_hdr, next),
			offsetof(struct pkram_node_meta, first_obj),
			offsetof(struct pkram_obj_meta, folios_head),
			offsetof(struct pkram_obj_meta, bytes_head),
		};
		u16 type = ((struct pkram_meta_hdr *)copies[i]->page)->type;

		for (k = 0; k < ARRAY_SIZE(offs); k++) {
			u64 v;

			if ((k == 1 && type != PKRAM_META_NODE) ||
			    (k > 1 && type != PKRAM_META_OBJ))
				continue;
			v = get64(copies[i], offs[k]);
			for (j = 0; j < nr; j++)
				if (v && v == pages[j]->phys)
					put64(copies[i], offs[k], copies[j]->phys);
		}
	}
	node = (void *)copies[0]->page;
	if (rename) {
		size_t len = strnlen(node->name, PKRAM_NAME_MAX);

		if (len < PKRAM_NAME_MAX && rnd(2))
			node->name[len] = 'a' + rnd(26);
		else
			node->name[len ? len - 1 : 0] = 'A' + rnd(26);
	}
	np = prop(dst, PKRAM_FDT_NODES);
	if (!set_prop_u64(dst, PKRAM_FDT_NODES,
			  min(np ? np->len / sizeof(u64) : 0, PKRAM_MAX_NODES - 1),
			  copies[0]->phys)) {
		dst->nr -= nr;
		return false;
	}
	return true;
}

/* A second node with the same folios (or, renamed not, a duplicate name). */
static bool m_clone(struct minput *in, size_t max_size)
{
	if (!in->nr_nodes || !in->fdt)
		return false;
	return graft_node(in, in, rnd(in->nr_nodes), max_size, false, rnd(8));
}

/* ---- counts ---- */

/* Walk one stream as pkram_validate_stream() counts it. */
static void count_stream(struct minput *in, u64 head, u64 *folios, u64 *pages,
			 u64 *links)
{
	unsigned int steps = 0;
	u32 g = ++gen;

	while (head && steps++ < M_MAX_CHAIN) {
		struct mrec *r = rec_at(in, head);
		const struct pkram_link_meta *link;
		u32 pos, nw;

		if (!is_meta(r, PKRAM_META_LINK) || r->seen == g)
			return;
		r->seen = g;
		link = (const void *)r->page;
		(*links)++;
		nw = min_t(u32, link->nr_words, PKRAM_LINK_WORDS);
		for (pos = 0; pos < nw;) {
			struct pkram_entry e;

			if (!pkram_entry_decode(&link->words[pos], nw - pos, &e))
				break;
			*folios += e.count;
			*pages += e.count << min(e.order, 63u);
			pos += e.words;
		}
		head = link->hdr.next;
	}
}

/* Every object's and node's counts as pkram_validate_node() adds them up. */
static void fix_counts(struct minput *in)
{
	unsigned int n;

	for (n = 0; n < in->nr_nodes; n++) {
		struct pkram_node_meta *node = (void *)in->nodes[n]->page;
		u64 objs = 0, folios = 0, pages = 0, bytes = 0, meta = 1;
		u64 obj = node->first_obj;
		unsigned int steps = 0;
		u32 g = ++gen;

		while (obj && steps++ < M_MAX_CHAIN) {
			struct mrec *r = rec_at(in, obj);
			struct pkram_obj_meta *o;
			u64 f = 0, p = 0, bf = 0, bp = 0;

			if (!is_meta(r, PKRAM_META_OBJ) || r->seen_obj == g)
				break;
			r->seen_obj = g;
			o = (void *)r->page;
			count_stream(in, o->folios_head, &f, &p, &meta);
			count_stream(in, o->bytes_head, &bf, &bp, &meta);
			if (o->folios_head)
				o->flags |= PKRAM_DATA_folios;
			if (o->bytes_head)
				o->flags |= PKRAM_DATA_bytes;
			o->nr_folios = f;
			o->nr_pages = p;
			if (!bp)
				o->data_len = 0;
			else if (DIV_ROUND_UP(o->data_len, PAGE_SIZE) != bp)
				o->data_len = bp * PAGE_SIZE - rnd(PAGE_SIZE);
			r->dirty = true;
			objs++;
			meta++;
			folios += f;
			pages += p;
			bytes += o->data_len;
			obj = o->hdr.next;
		}
		node->nr_objs = objs;
		node->nr_folios = folios;
		node->nr_pages = pages;
		node->nr_bytes = bytes;
		node->nr_meta = meta;
		in->nodes[n]->dirty = true;
	}
}

/* ---- the range list ---- */

/* Items for @s, packed into pages; returns the pages it needs (max @max). */
static unsigned int encode_ranges(const struct fuzz_set *s, bool bitmaps,
				  u64 (*w)[PKRAM_RANGES_WORDS], u32 *nw,
				  unsigned int max)
{
	unsigned int pg = 0;
	size_t i = 0, j;

	nw[0] = 0;
	while (i < s->n) {
		u64 item[1 + 16], base = s->r[i][0];
		u32 n = 0, words;

		/* a bitmap if the next ranges fit one of up to 16 words */
		for (j = i; bitmaps && j < s->n &&
		     s->r[j][1] - base <= (16 * 64ULL << PAGE_SHIFT); j++)
			;
		if (j - i >= 2) {
			u64 end = s->r[j - 1][1], p;

			n = DIV_ROUND_UP((end - base) >> PAGE_SHIFT, 64);
			memset(item, 0, sizeof(item));
			item[0] = base | (u64)n << PKRAM_RL_NWORDS_SHIFT | PKRAM_RL_BITMAP;
			for (; i < j; i++)
				for (p = s->r[i][0]; p < s->r[i][1]; p += PAGE_SIZE) {
					u64 b = (p - base) >> PAGE_SHIFT;

					item[1 + b / 64] |= 1ULL << (b % 64);
				}
			words = 1 + n;
		} else {
			item[0] = s->r[i][0];
			item[1] = (s->r[i][1] - s->r[i][0]) >> PAGE_SHIFT;
			words = 2;
			i++;
		}
		if (nw[pg] + words > PKRAM_RANGES_WORDS) {
			if (++pg == max)
				return max + 1;
			nw[pg] = 0;
		}
		memcpy(&w[pg][nw[pg]], item, words * sizeof(u64));
		nw[pg] += words;
	}
	return pg + 1;
}

/*
 * Rewrite the range list to yield @s: into its pages, with more pages (in
 * @s too) if it needs them; and the superblock's counts.
 */
static bool write_ranges(struct minput *in, struct fuzz_set *s, size_t max_size)
{
	static u64 w[M_MAX_CHAIN][PKRAM_RANGES_WORDS];
	static u32 nw[M_MAX_CHAIN];
	struct mrec *pages[M_MAX_CHAIN];
	unsigned int nr = 0, need, i, tries;
	bool bitmaps = rnd(2);
	u64 total = 0;
	size_t k;

	if (!in->fdt || !s->n)
		return false;
	for (i = 0; i < in->nr_rl; i++)
		pages[nr++] = in->rl[i];
	for (tries = 0;; tries++) {
		need = encode_ranges(s, bitmaps, w, nw, M_MAX_CHAIN);
		if (need > M_MAX_CHAIN || tries == 8)
			return false;
		if (need <= nr)
			break;
		while (nr < need) {
			u64 phys = alloc_page(in);

			if (!phys || !room(in, max_size, 1))
				return false;
			pages[nr] = new_rec(in, phys);
			add_target(in, phys, PAGE_SIZE, K_RL, -1);
			fuzz_set_add(s, phys, phys + PAGE_SIZE);
			nr++;
		}
	}
	for (i = 0; i < need; i++) {
		struct pkram_ranges_meta *p = (void *)pages[i]->page;

		memset(p, 0, PAGE_SIZE);
		p->hdr.magic = PKRAM_META_MAGIC;
		p->hdr.type = PKRAM_META_RANGES;
		p->hdr.version = PKRAM_FORMAT_VERSION;
		p->hdr.next = i + 1 < need ? pages[i + 1]->phys : 0;
		p->nr_words = nw[i];
		memcpy(p->words, w[i], nw[i] * sizeof(u64));
		pages[i]->dirty = true;
	}
	for (k = 0; k < s->n; k++)
		total += (s->r[k][1] - s->r[k][0]) >> PAGE_SHIFT;
	set_prop_u64(in, PKRAM_FDT_RANGES, 0, pages[0]->phys);
	set_prop_u64(in, PKRAM_FDT_NR_RANGES, 0, s->n);
	set_prop_u64(in, PKRAM_FDT_RANGE_PAGES, 0, need);
	set_prop_u64(in, PKRAM_FDT_PAGES, 0, total);
	return true;
}

/*
 * The ranges cover every page the handover uses: the superblock, the range
 * list, the avoid page (mostly), every node's metadata and folios; with
 * what the list yielded before (@keep) or without it.
 */
static bool cover(struct minput *in, size_t max_size, bool keep)
{
	static struct fuzz_set s;
	unsigned int i;

	fuzz_set_clear(&s);
	if (keep)
		for (i = 0; i < in->ranges.n; i++)
			fuzz_set_add(&s, in->ranges.r[i][0], in->ranges.r[i][1]);
	for (i = 0; i < in->nr_tgt; i++) {
		const struct mtarget *t = &in->tgt[i];

		if (t->kind == K_REC || (t->kind == K_AVOID && !rnd(4)) ||
		    t->len > (64ULL << 20) || t->phys >= FUZZ_PHYS_MAX)
			continue;
		/* a page outside RAM would make the whole handover refused */
		if (!fuzz_set_contains(&in->ram, t->phys, t->phys + t->len) &&
		    rnd(8))
			continue;
		fuzz_set_add(&s, t->phys, min(t->phys + t->len, FUZZ_PHYS_MAX));
	}
	return write_ranges(in, &s, max_size);
}

/* A range list yielding a range more or less, or a page less. */
static bool m_ranges(struct minput *in, size_t max_size)
{
	static struct fuzz_set s;
	unsigned int i;
	u64 phys;

	if (!rnd(3))
		return cover(in, max_size, rnd(2));
	fuzz_set_clear(&s);
	for (i = 0; i < in->ranges.n; i++)
		fuzz_set_add(&s, in->ranges.r[i][0], in->ranges.r[i][1]);
	phys = pick_target(in, ~0U);
	switch (rnd(3)) {
	case 0:
		fuzz_set_sub(&s, phys, phys + PAGE_SIZE);
		break;
	case 1:
		if (s.n > 1) {
			i = rnd(s.n);
			fuzz_set_sub(&s, s.r[i][0], s.r[i][1]);
			break;
		}
		/* fall through */
	default:
		fuzz_set_add(&s, phys - (rnd(4) << PAGE_SHIFT),
			     phys + ((1 + rnd(4)) << PAGE_SHIFT));
	}
	return write_ranges(in, &s, max_size);
}

/* ---- byte mutations, one field or page at a time ---- */

/* A word of a metadata page set to a value that means something. */
static bool m_word(struct minput *in)
{
	struct mrec *r;
	u32 off;
	u64 v;

	if (!in->nr)
		return false;
	r = &in->rec[rnd(in->nr)];
	if (r == in->sb)
		fdt_sync(in);
	off = rnd(2) ? 8 * rnd(16) : 8 * rnd(PAGE_SIZE / 8);
	v = get64(r, off);
	switch (rnd(6)) {
	case 0:
		v = pick_target(in, ~0U);
		break;
	case 1:
		v += rnd(2) ? 1 : -1;
		break;
	case 2:
		v += rnd(2) ? PAGE_SIZE : -PAGE_SIZE;
		break;
	case 3:
		v = 0;
		break;
	case 4:
		v ^= 1ULL << rnd(64);
		break;
	default:
		v = rnd64();
	}
	put64(r, off, v);
	if (r == in->sb)
		in->fdt = fdt_read(in);
	return true;
}

/* libFuzzer's mutation on one page, or on one superblock property. */
static bool m_bytes(struct minput *in)
{
	size_t n;

	if (in->fdt && in->nr_props && rnd(3) == 0) {
		struct mprop *p = &in->props[rnd(in->nr_props)];

		p->len = LLVMFuzzerMutate(p->val, p->len ?: 1, M_PROP_MAX);
		in->fdt_dirty = true;
		return true;
	}
	if (!in->nr)
		return false;
	{
		struct mrec *r = &in->rec[rnd(in->nr)];

		if (r == in->sb)
			fdt_sync(in);
		n = LLVMFuzzerMutate(r->page, rec_len(r) ?: 1, PAGE_SIZE);
		memset(r->page + n, 0, PAGE_SIZE - n);
		r->dirty = true;
		if (r == in->sb)
			in->fdt = fdt_read(in);
	}
	return true;
}

/* ---- libFuzzer's entry points ---- */

static bool mutate_once(struct minput *in, size_t max_size, bool *structural)
{
	*structural = true;
	switch (rnd(14)) {
	case 0:
	case 1:
		return m_entry_retarget(in);
	case 2:
		return m_entry_insert(in);
	case 3:
		return m_entry_dup(in);
	case 4:
		return m_entry_remove(in);
	case 5:
	case 6:
		return m_slot_retarget(in);
	case 7:
		return m_avoid(in);
	case 8:
		return m_nodes(in);
	case 9:
	case 10:
		return m_relocate(in);
	case 11:
		return m_clone(in, max_size);
	case 12:
		*structural = false;
		return m_ranges(in, max_size);
	default:
		*structural = false;
		return rnd(2) ? m_word(in) : m_bytes(in);
	}
}

size_t LLVMFuzzerCustomMutator(u8 *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	struct minput *in = &in_a;
	unsigned int steps, done = 0, tries;
	bool structural, any = false;
	size_t out;

	rnd_seed(seed);
	if (!rnd(6) || !parse(in, data, size))
		return LLVMFuzzerMutate(data, size, max_size);
	steps = 1 + rnd(3);
	for (tries = 0; done < steps && tries < 4 * steps; tries++) {
		scan(in);
		if (mutate_once(in, max_size, &structural)) {
			done++;
			any |= structural;
		}
	}
	if (!done)
		return LLVMFuzzerMutate(data, size, max_size);
	/* mostly, whatever changed still adds up and lies in preserved memory */
	scan(in);
	if (any && rnd(8))
		fix_counts(in);
	if (any && rnd(8))
		cover(in, max_size, rnd(4));
	out = serialize(in, data, max_size);
	if (!out) {
		/* does not fit: libFuzzer's buffer still holds the input */
		return LLVMFuzzerMutate(data, size, max_size);
	}
	return out;
}

/*
 * Crossover: a node of the second input grafted onto the first, its
 * metadata pages where they were if the first has no records there (else
 * on free pages), its folios where they were, so they may land on pages
 * the first input uses; or (1 in 4, or if the second input has no node) 1
 * to 8 records of the second input replace or join the first's. Never
 * libFuzzer's byte crossover, which would cut records apart.
 */
size_t LLVMFuzzerCustomCrossOver(const u8 *data1, size_t size1,
				 const u8 *data2, size_t size2, u8 *out,
				 size_t max_out, unsigned int seed)
{
	struct minput *a = &in_a, *b = &in_b;
	unsigned int i, n;

	rnd_seed(seed);
	if (!parse(a, data1, size1) || !parse(b, data2, size2))
		return 0;
	scan(a);
	scan(b);
	if (a->fdt && b->nr_nodes && rnd(4)) {
		if (!graft_node(a, b, rnd(b->nr_nodes), max_out, rnd(2), rnd(4)))
			return 0;
		scan(a);
		if (rnd(8))
			cover(a, max_out, true);
	} else {
		n = 1 + rnd(min(b->nr, 8u));
		for (i = 0; i < n && b->nr; i++) {
			const struct mrec *src = &b->rec[rnd(b->nr)];
			struct mrec *r = rec_at(a, src->phys);

			if (!r) {
				if (!room(a, max_out, 1))
					break;
				r = new_rec(a, src->phys);
			}
			memcpy(r->page, src->page, PAGE_SIZE);
			r->dirty = true;
		}
		find_sb(a);
	}
	return serialize(a, out, max_out);
}
