/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for PKRAM within one boot: the format helpers, the API and its
 * error codes, and concurrent savers. Included at the end of core.c.
 *
 * Nodes saved here are loaded or discarded before each test ends, so nothing
 * these tests create crosses a kexec.
 */
#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/kexec.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/delay.h>

static void pkram_test_names(struct kunit *test)
{
	char long_name[PKRAM_NAME_MAX + 2];

	KUNIT_EXPECT_TRUE(test, pkram_name_valid("a"));
	KUNIT_EXPECT_TRUE(test, pkram_name_valid("hv-deposited_0.1:x"));
	KUNIT_EXPECT_FALSE(test, pkram_name_valid(""));
	KUNIT_EXPECT_FALSE(test, pkram_name_valid(NULL));
	KUNIT_EXPECT_FALSE(test, pkram_name_valid("a b"));
	KUNIT_EXPECT_FALSE(test, pkram_name_valid("a/b"));
	KUNIT_EXPECT_FALSE(test, pkram_name_valid("caf\xc3\xa9"));
	memset(long_name, 'x', sizeof(long_name));
	long_name[PKRAM_NAME_MAX] = '\0';
	KUNIT_EXPECT_TRUE(test, pkram_name_valid(long_name));
	long_name[PKRAM_NAME_MAX] = 'x';
	long_name[PKRAM_NAME_MAX + 1] = '\0';
	KUNIT_EXPECT_FALSE(test, pkram_name_valid(long_name));
}

static void pkram_test_seal(struct kunit *test)
{
	struct pkram_link_meta *link = (void *)get_zeroed_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, link);
	link->hdr.type = PKRAM_META_LINK;
	link->nr_words = 1;
	link->words[0] = 0x1234000;
	pkram_meta_seal(link);
	KUNIT_EXPECT_TRUE(test, pkram_meta_check(link, PKRAM_META_LINK));
	KUNIT_EXPECT_FALSE(test, pkram_meta_check(link, PKRAM_META_OBJ));
	link->words[100] ^= 1 << 3;	/* one bit, far from the header */
	KUNIT_EXPECT_FALSE(test, pkram_meta_check(link, PKRAM_META_LINK));
	link->words[100] ^= 1 << 3;
	KUNIT_EXPECT_TRUE(test, pkram_meta_check(link, PKRAM_META_LINK));
	link->hdr.reserved = 1;
	KUNIT_EXPECT_FALSE(test, pkram_meta_check(link, PKRAM_META_LINK));
	free_page((unsigned long)link);
}

struct pkram_test_ranges {
	const struct pkram_range *r;
	unsigned long n, i;
};

static bool pkram_test_ranges_next(void *arg, struct pkram_range *r)
{
	struct pkram_test_ranges *t = arg;

	if (t->i == t->n)
		return false;
	*r = t->r[t->i++];
	return true;
}

static unsigned int pkram_test_hull_of(const struct pkram_range *r,
				       unsigned long n,
				       struct pkram_range *hull,
				       unsigned int max)
{
	struct pkram_test_ranges t = { .r = r, .n = n };

	return pkram_hull(pkram_test_ranges_next, &t, hull, max);
}

static void pkram_test_hull(struct kunit *test)
{
	struct pkram_range r[] = {
		{ 0x1000, 0x3000 }, { 0x5000, 0x6000 }, { 0x9000, 0xa000 },
		{ 0x20000, 0x21000 },
	};
	struct pkram_range hull[4];
	unsigned long n = ARRAY_SIZE(r);

	KUNIT_EXPECT_EQ(test, pkram_test_hull_of(r, 0, hull, 3), 0);
	/* enough ranges: the cover is the ranges */
	KUNIT_ASSERT_EQ(test, pkram_test_hull_of(r, n, hull, 4), 4);
	KUNIT_EXPECT_EQ(test, hull[3].start, 0x20000);
	KUNIT_EXPECT_EQ(test, hull[3].end, 0x21000);
	/* two largest gaps stay open: 0xa000-0x20000 and 0x6000-0x9000 */
	KUNIT_ASSERT_EQ(test, pkram_test_hull_of(r, n, hull, 3), 3);
	KUNIT_EXPECT_EQ(test, hull[0].start, 0x1000);
	KUNIT_EXPECT_EQ(test, hull[0].end, 0x6000);
	KUNIT_EXPECT_EQ(test, hull[1].start, 0x9000);
	KUNIT_EXPECT_EQ(test, hull[1].end, 0xa000);
	KUNIT_EXPECT_EQ(test, hull[2].start, 0x20000);
	KUNIT_EXPECT_EQ(test, hull[2].end, 0x21000);
	KUNIT_ASSERT_EQ(test, pkram_test_hull_of(r, n, hull, 1), 1);
	KUNIT_EXPECT_EQ(test, hull[0].start, 0x1000);
	KUNIT_EXPECT_EQ(test, hull[0].end, 0x21000);
}

/* The range list encoder and decoder agree, on both item kinds and pages. */
static void pkram_test_range_list(struct kunit *test)
{
	struct pkram_pfnmap m;
	unsigned long pfn = max_pfn, s, e, pos = 0, n = 0;
	struct pkram_ranges_meta *bad;
	u64 head = 0, first, nr_ranges = 0, pages = 0;
	struct pkram_validate v;
	struct pkram_rl_cursor c;
	struct page *page, *tmp;
	struct pkram_range got;
	LIST_HEAD(list);
	u32 seed = 1;

	KUNIT_ASSERT_EQ(test, pkram_pfnmap_init(&m, max_pfn + 300000), 0);
	/* above RAM, so the list's own pages do not collide with the pattern */
	while (pfn < m.npfn - 600) {
		unsigned long len;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % 4 ? 1 + (seed >> 8) % 7 : 100 + (seed >> 4) % 200;
		KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, pfn, pfn + len), 0);
		pfn += len + 1 + (seed >> 20) % ((seed >> 24) % 4 ? 3 : 400);
	}
	KUNIT_ASSERT_EQ(test, pkram_write_ranges(&m, &list, &head, &nr_ranges,
						 &pages), 0);
	KUNIT_EXPECT_GT(test, pages, 1);
	first = head;
	list_for_each_entry(page, &list, lru) {
		KUNIT_EXPECT_EQ(test, page_to_phys(page), head);
		KUNIT_ASSERT_TRUE(test, pkram_meta_check(page_address(page),
							 PKRAM_META_RANGES));
		memset(&c, 0, sizeof(c));
		c.p = page_address(page);
		head = c.p->hdr.next;
		while (pkram_rl_next(&c, &got) > 0) {
			KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
			KUNIT_EXPECT_EQ(test, got.start, PFN_PHYS(s));
			KUNIT_EXPECT_EQ(test, got.end, PFN_PHYS(e));
			n++;
		}
	}
	KUNIT_EXPECT_EQ(test, head, 0);
	KUNIT_EXPECT_EQ(test, n, nr_ranges);
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_FALSE(test, m.dup);

	/*
	 * Validation reads the list where it lies, an item per run or bitmap:
	 * every range is preserved, a page either side of it is not, and a
	 * page is taken once.
	 */
	KUNIT_ASSERT_EQ(test, pkram_validate_init_list(&v, first, pages), 0);
	KUNIT_EXPECT_LT(test, v.nr, nr_ranges);	/* bitmaps group ranges */
	pos = 0;
	n = 0;
	while (pkram_pfnmap_next(&m, &pos, &s, &e)) {
		KUNIT_EXPECT_FALSE(test, pkram_validate_use(&v, PFN_PHYS(s),
							    PFN_PHYS(e + 1), "out"));
		KUNIT_EXPECT_FALSE(test, pkram_validate_use(&v, PFN_PHYS(s - 1),
							    PFN_PHYS(s), "out"));
		KUNIT_EXPECT_TRUE(test, pkram_validate_use(&v, PFN_PHYS(s),
							   PFN_PHYS(e), "out"));
		n += e - s;
	}
	KUNIT_EXPECT_EQ(test, v.budget, n);
	pos = 0;
	KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_FALSE(test, pkram_validate_use(&v, PFN_PHYS(e - 1),
						    PFN_PHYS(e), "out"));
	KUNIT_EXPECT_STREQ(test, v.why, "a page is used twice");
	pkram_validate_destroy(&v);

	/* malformed items are refused, never read past the page */
	bad = page_address(list_first_entry(&list, struct page, lru));
	bad->nr_words = 3;
	bad->words[0] = 0x200000;		/* a run of 0 pages */
	bad->words[1] = 0;
	memset(&c, 0, sizeof(c));
	c.p = bad;
	KUNIT_EXPECT_EQ(test, pkram_rl_next(&c, &got), -EINVAL);
	bad->words[1] = 1;			/* fine, then a lone word */
	memset(&c, 0, sizeof(c));
	c.p = bad;
	KUNIT_EXPECT_EQ(test, pkram_rl_next(&c, &got), 1);
	KUNIT_EXPECT_EQ(test, pkram_rl_next(&c, &got), -EINVAL);
	bad->words[0] = 0x200000 | PKRAM_RL_BITMAP | (5 << PKRAM_RL_NWORDS_SHIFT);
	memset(&c, 0, sizeof(c));
	c.p = bad;				/* a bitmap longer than the page */
	KUNIT_EXPECT_EQ(test, pkram_rl_next(&c, &got), -EINVAL);

	list_for_each_entry_safe(page, tmp, &list, lru)
		__free_page(page);
	pkram_pfnmap_destroy(&m);
}

/*
 * The page-frame map: ranges merge across chunks, a page marked twice is
 * seen, and chunks exist only where pages are marked.
 */
static void pkram_test_pfnmap(struct kunit *test)
{
	const unsigned long C = PKRAM_PFNMAP_CHUNK, top = 1UL << 32;
	struct pkram_pfnmap m;
	unsigned long pos = 0, s, e;

	KUNIT_ASSERT_EQ(test, pkram_pfnmap_init(&m, top), 0);
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_set(&m, 5, 5), -ERANGE);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_set(&m, top - 1, top + 1), -ERANGE);
	/* one range over three chunks; one page at the end of a chunk */
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, C - 3, 3 * C + 1), 0);
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, 7 * C - 1, 7 * C), 0);
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, top - 1, top), 0);
	KUNIT_EXPECT_FALSE(test, m.dup);
	KUNIT_EXPECT_EQ(test, m.nr_chunks, 6);
	KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_EQ(test, s, C - 3);
	KUNIT_EXPECT_EQ(test, e, 3 * C + 1);
	KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_EQ(test, s, 7 * C - 1);
	KUNIT_EXPECT_EQ(test, e, 7 * C);
	KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_EQ(test, s, top - 1);
	KUNIT_EXPECT_EQ(test, e, top);
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	/* from the middle of a range */
	pos = 2 * C;
	KUNIT_ASSERT_TRUE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	KUNIT_EXPECT_EQ(test, s, 2 * C);
	KUNIT_EXPECT_EQ(test, e, 3 * C + 1);
	KUNIT_EXPECT_TRUE(test, pkram_pfnmap_any(&m, 0, C - 2));
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_any(&m, 3 * C + 1, 7 * C - 1));
	KUNIT_EXPECT_TRUE(test, pkram_pfnmap_any(&m, 3 * C + 1, 7 * C));
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_any(&m, 8 * C, top - 1));
	/* where a run begins: across words and chunks, at its first page */
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, 3 * C), C - 3);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, C + 64), C - 3);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, C - 3), C - 3);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, 7 * C - 1), 7 * C - 1);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, top - 1), top - 1);
	/* from page frame 0; after a chunk that was never allocated */
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, 0, 130), 0);
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, 9 * C, 9 * C + 10), 0);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, 129), 0);
	KUNIT_EXPECT_EQ(test, pkram_pfnmap_run_start(&m, 9 * C + 9), 9 * C);
	/* marking a page again is seen, across a chunk boundary too */
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, 7 * C - 2, 7 * C - 1), 0);
	KUNIT_EXPECT_FALSE(test, m.dup);
	KUNIT_ASSERT_EQ(test, pkram_pfnmap_set(&m, 3 * C, 3 * C + 5), 0);
	KUNIT_EXPECT_TRUE(test, m.dup);
	pkram_pfnmap_clear(&m);
	pos = 0;
	KUNIT_EXPECT_FALSE(test, pkram_pfnmap_next(&m, &pos, &s, &e));
	pkram_pfnmap_destroy(&m);
	KUNIT_EXPECT_EQ(test, m.nr_chunks, 0);
}

static void pkram_test_errors(struct kunit *test)
{
	struct pkram_stream ps, ps2;
	struct folio *folio;

	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, "bad name", GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "kunit-none"), -ENOENT);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-none"), -ENOENT);
	KUNIT_EXPECT_EQ(test, pkram_discard(""), -EINVAL);

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-err", GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, "kunit-err", GFP_KERNEL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, "kunit-err"), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save_obj(&ps, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_inplace),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save_obj(&ps, 8), -EINVAL);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		folio = folio_alloc(GFP_KERNEL, 0);
		KUNIT_ASSERT_NOT_NULL(test, folio);
		/* the object has no folio stream */
		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, folio), -EINVAL);
		folio_put(folio);
	}
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_write(&pa, "x", 1), 1);
		pkram_finish_access(&pa);
	}
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, "kunit-err", GFP_KERNEL),
			-EEXIST);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, "kunit-err"), 0);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, "kunit-err"), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-err"), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	pkram_finish_load_obj(&ps);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), -ENODATA);
	pkram_finish_load(&ps);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "kunit-err"), -ENOENT);
}

/* Once the reboot path finalizes, saves are refused and open ones dropped. */
static void pkram_test_finalizing(struct kunit *test)
{
	struct pkram_stream ps, ps2;

	/* a complete node: finalize is writing it for the next kernel */
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-fin0", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-fin", GFP_KERNEL), 0);
	mutex_lock(&pkram_mutex);
	pkram_finalizing = true;
	mutex_unlock(&pkram_mutex);

	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, "kunit-fin2", GFP_KERNEL),
			-EBUSY);
	/* the open save is dropped, not half-preserved */
	KUNIT_EXPECT_EQ(test, pkram_finish_save(&ps), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, "kunit-fin"), -ENOENT);
	/* nor may a load or discard free what finalize is writing */
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, "kunit-fin0"), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-fin0"), -EBUSY);

	mutex_lock(&pkram_mutex);
	pkram_finalizing = false;
	mutex_unlock(&pkram_mutex);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-fin0"), 0);
}

/* A saver for pkram_test_kexec_refuse(): saves a node, then returns @err. */
struct pkram_kx_saver {
	struct pkram_saver saver;
	int err;
	int runs;
	int other;		/* what a save by another task got meanwhile */
	struct completion done;
};

static int pkram_kx_other(void *arg)
{
	struct pkram_kx_saver *kx = arg;
	struct pkram_stream ps;

	kx->other = pkram_prepare_save(&ps, "kunit-kx-other", GFP_KERNEL);
	if (!kx->other)
		pkram_discard_save(&ps);
	complete(&kx->done);
	return 0;
}

static int pkram_kx_save(struct pkram_saver *saver)
{
	struct pkram_kx_saver *kx = container_of(saver, struct pkram_kx_saver,
						 saver);
	struct pkram_stream ps;
	int err;

	kx->runs++;
	init_completion(&kx->done);
	if (IS_ERR(kthread_run(pkram_kx_other, kx, "pkram-kx")))
		return -ENOMEM;
	wait_for_completion(&kx->done);
	err = pkram_prepare_save(&ps, "kunit-kx-s", GFP_KERNEL);
	if (err)
		return err;
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_bytes);
	if (!err) {
		PKRAM_ACCESS(pa, &ps, bytes);

		if (pkram_write(&pa, "saver", 5) != 5)
			err = -ENOMEM;
		pkram_finish_access(&pa);
		pkram_finish_save_obj(&ps);
	}
	if (err) {
		pkram_discard_save(&ps);
		return err;
	}
	return pkram_finish_save(&ps) ?: kx->err;
}

static int pkram_kx_save_folio(struct kunit *test, const char *name,
			       struct folio *folio)
{
	struct pkram_stream ps;
	int err;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, name, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		err = pkram_save_folio(&pa, folio);
		pkram_finish_access(&pa);
	}
	pkram_finish_save_obj(&ps);
	if (err) {
		pkram_discard_save(&ps);
		return err;
	}
	return pkram_finish_save(&ps);
}

static bool pkram_kx_no_handover(void)
{
	return !memchr_inv(phys_to_virt(pkram_sb_phys()), 0, PAGE_SIZE);
}

/*
 * Preparing a kexec fails closed: a failing saver or a node that cannot be
 * handed over refuses it, and everything is as before, the saver's nodes
 * gone; saves by other tasks are refused while it prepares.
 */
static void pkram_test_kexec_refuse(struct kunit *test)
{
	struct pkram_kx_saver kx = {
		.saver = { .name = "kunit-kx", .save = pkram_kx_save },
		.err = -EIO,
	};
	long owned = pkram_owned();
	struct pkram_stream ps;
	struct folio *folio;

	folio = folio_alloc(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, pkram_kx_save_folio(test, "kunit-kx0", folio), 0);
	pkram_register_saver(&kx.saver);

	KUNIT_EXPECT_EQ(test, pkram_kexec_check(), -EIO);
	KUNIT_EXPECT_EQ(test, kx.runs, 1);
	KUNIT_EXPECT_EQ(test, kx.other, -EBUSY);
	KUNIT_EXPECT_FALSE(test, pkram_finalizing);
	KUNIT_EXPECT_TRUE(test, pkram_kx_no_handover());
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "kunit-kx-s"), -ENOENT);

	/* an optional saver's failure does not refuse it */
	kx.saver.optional = true;
	KUNIT_EXPECT_EQ(test, pkram_kexec_check(), 0);
	kx.saver.optional = false;
	kx.err = 0;
	KUNIT_EXPECT_EQ(test, pkram_kexec_check(), 0);
	KUNIT_EXPECT_EQ(test, kx.runs, 3);
	/* the check undid the saver's node and the handover */
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "kunit-kx-s"), -ENOENT);
	KUNIT_EXPECT_TRUE(test, pkram_kx_no_handover());
	pkram_unregister_saver(&kx.saver);

	/* a page in two nodes cannot be handed over: refused, both kept */
	KUNIT_ASSERT_EQ(test, pkram_kx_save_folio(test, "kunit-kx1", folio), 0);
	KUNIT_EXPECT_EQ(test, pkram_kexec_check(), -EINVAL);
	KUNIT_EXPECT_FALSE(test, pkram_finalizing);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-kx1"), 0);
	KUNIT_EXPECT_EQ(test, pkram_kexec_check(), 0);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-kx0"), 0);
	KUNIT_EXPECT_EQ(test, pkram_owned(), owned);
	folio_put(folio);
}

/* Save folios, check the encoding, load them back in the same boot. */
static void pkram_test_roundtrip(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 0, 3, 0, MAX_PAGE_ORDER, 1 };
	struct folio *folios[ARRAY_SIZE(orders)], *got;
	unsigned long index[ARRAY_SIZE(orders)], idx;
	struct pkram_stream ps;
	struct pkram_link_meta *link;
	char buf[100], rbuf[100];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-rt", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < ARRAY_SIZE(orders); i++) {
			folios[i] = folio_alloc(GFP_KERNEL, orders[i]);
			KUNIT_ASSERT_NOT_NULL(test, folios[i]);
			index[i] = i == 1 ? 1 : i * 1000;
			folios[i]->index = index[i];
			KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, folios[i]), 0);
			/* saving takes a reference */
			KUNIT_EXPECT_EQ(test, folio_ref_count(folios[i]), 2);
		}
		pkram_finish_access(&pa);
	}
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = i * 7;
		KUNIT_EXPECT_EQ(test, pkram_write(&pa, buf, sizeof(buf)),
				sizeof(buf));
		pkram_finish_access(&pa);
	}
	/* first entry carries its index; the second follows on (no index) */
	link = phys_to_virt(ps.obj->folios_head);
	KUNIT_EXPECT_TRUE(test, link->words[0] & PKRAM_ENT_INDEX);
	KUNIT_EXPECT_FALSE(test, link->words[2] & PKRAM_ENT_INDEX);
	KUNIT_EXPECT_EQ(test, ps.node->meta->nr_folios, ARRAY_SIZE(orders));
	KUNIT_EXPECT_EQ(test, ps.obj->data_len, sizeof(buf));
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, "kunit-rt"), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < ARRAY_SIZE(orders); i++) {
			got = pkram_load_folio(&pa, &idx);
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(got));
			KUNIT_EXPECT_PTR_EQ(test, got, folios[i]);
			KUNIT_EXPECT_EQ(test, idx, index[i]);
			KUNIT_EXPECT_EQ(test, folio_order(got), orders[i]);
			folio_put(got);		/* PKRAM's reference */
			folio_put(folios[i]);	/* ours */
		}
		KUNIT_EXPECT_NULL(test, pkram_load_folio(&pa, &idx));
		pkram_finish_access(&pa);
	}
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_read(&pa, rbuf, 30), 30);
		KUNIT_EXPECT_EQ(test, pkram_read(&pa, rbuf + 30, 1000), 70);
		KUNIT_EXPECT_EQ(test, pkram_read(&pa, rbuf, 1), 0);
		KUNIT_EXPECT_EQ(test, memcmp(buf, rbuf, sizeof(buf)), 0);
		pkram_finish_access(&pa);
	}
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
}

/* Physically contiguous folios in index order cost one entry. */
static void pkram_test_runs(struct kunit *test)
{
	struct pkram_stream ps;
	struct pkram_link_meta *link;
	struct page *pages;
	unsigned int i;

	pages = alloc_pages(GFP_KERNEL, 4);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	split_page(pages, 4);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-run", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < 16; i++) {
			pages[i].index = 100 + i;
			KUNIT_ASSERT_EQ(test,
					pkram_save_folio(&pa, page_folio(&pages[i])), 0);
			put_page(&pages[i]);
		}
		pkram_finish_access(&pa);
	}
	link = phys_to_virt(ps.obj->folios_head);
	/* entry, index, count */
	KUNIT_EXPECT_EQ(test, link->nr_words, 3);
	KUNIT_EXPECT_TRUE(test, link->words[0] & PKRAM_ENT_RUN);
	KUNIT_EXPECT_EQ(test, link->words[1], 100);
	KUNIT_EXPECT_EQ(test, link->words[2], 16);
	pkram_finish_save_obj(&ps);
	pkram_discard_save(&ps);	/* drops the last references */
}

/*
 * Order-0 folios in index order but scattered in memory are packed: 4
 * bytes each after the first. They load back in order, with their index.
 */
static void pkram_test_pack(struct kunit *test)
{
	struct pkram_link_meta *link;
	struct pkram_stream ps;
	struct page *pages;
	unsigned long index;
	unsigned int i;

	pages = alloc_pages(GFP_KERNEL, 5);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	split_page(pages, 5);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-pack", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		/* every other page, backwards: never physically adjacent */
		for (i = 0; i < 9; i++) {
			struct page *page = &pages[30 - 2 * i];

			page->index = 7 + i;
			KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, page_folio(page)), 0);
		}
		pkram_finish_access(&pa);
	}
	link = phys_to_virt(ps.obj->folios_head);
	/* entry, index, count, 8 frame numbers in 4 words */
	KUNIT_EXPECT_EQ(test, link->nr_words, 7);
	KUNIT_EXPECT_TRUE(test, link->words[0] & PKRAM_ENT_PACK);
	KUNIT_EXPECT_EQ(test, link->words[1], 7);
	KUNIT_EXPECT_EQ(test, link->words[2], 9);
	KUNIT_EXPECT_EQ(test, link->words[3] & U32_MAX, page_to_pfn(&pages[28]));
	KUNIT_EXPECT_EQ(test, link->words[3] >> 32, page_to_pfn(&pages[26]));
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, "kunit-pack"), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < 9; i++) {
			struct folio *folio = pkram_load_folio(&pa, &index);

			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(folio));
			KUNIT_EXPECT_PTR_EQ(test, folio, page_folio(&pages[30 - 2 * i]));
			KUNIT_EXPECT_EQ(test, index, 7 + i);
			folio_put(folio);
		}
		KUNIT_EXPECT_NULL(test, pkram_load_folio(&pa, &index));
		pkram_finish_access(&pa);
	}
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	for (i = 0; i < 32; i++)
		put_page(&pages[i]);
}

/* Validate @meta against ranges @r as an incoming node: offered? */
static bool pkram_test_offer(struct kunit *test, const struct pkram_range *r,
			     unsigned long nr, struct pkram_node_meta *meta)
{
	struct pkram_validate w;
	struct pkram_node_meta *node;
	u64 pages;
	bool ok;

	KUNIT_ASSERT_EQ(test, pkram_validate_init(&w, r, nr, true), 0);
	pages = w.nbits;
	ok = pkram_check_node(&w, virt_to_phys(meta), &node);
	/* a refused node leaves nothing marked */
	if (!ok)
		KUNIT_EXPECT_TRUE(test, bitmap_empty(w.used, pages));
	/* and an offered one cannot be offered a second time */
	if (ok)
		KUNIT_EXPECT_FALSE(test, pkram_check_node(&w, virt_to_phys(meta),
							  &node));
	pkram_validate_destroy(&w);
	return ok;
}

/*
 * No page may be offered twice: not by two entries of a node, not as data
 * and metadata, not by two nodes. Without the check (v->used unset) the
 * same node passes: the damage is only in what it shares.
 */
static void pkram_test_validate_overlap(struct kunit *test,
					struct pkram_validate *v,
					const struct pkram_range *r,
					unsigned long nr,
					struct pkram_node_meta *meta,
					struct pkram_obj_meta *obj,
					struct pkram_link_meta *link)
{
	u64 w0 = link->words[0], w1 = link->words[1];
	unsigned int nw = link->nr_words;

	KUNIT_ASSERT_EQ(test, nw, 2U);		/* one order-2 folio, its index */
	KUNIT_EXPECT_TRUE(test, pkram_test_offer(test, r, nr, meta));

	/* the same folio twice, at two indexes */
	link->words[2] = w0;
	link->words[3] = w1 + 4;
	link->nr_words = 4;
	obj->nr_folios++;
	obj->nr_pages += 4;
	meta->nr_folios++;
	meta->nr_pages += 4;
	pkram_seal_node(meta, false);
	v->budget = 100;
	KUNIT_EXPECT_TRUE(test, pkram_validate_node(v, meta));
	KUNIT_EXPECT_FALSE(test, pkram_test_offer(test, r, nr, meta));
	link->nr_words = nw;
	obj->nr_folios--;
	obj->nr_pages -= 4;
	meta->nr_folios--;
	meta->nr_pages -= 4;

	/* a data folio that is the object's own metadata page */
	link->words[0] = virt_to_phys(obj) | PKRAM_ENT_INDEX;
	obj->nr_pages -= 3;
	meta->nr_pages -= 3;
	pkram_seal_node(meta, false);
	v->budget = 100;
	KUNIT_EXPECT_TRUE(test, pkram_validate_node(v, meta));
	KUNIT_EXPECT_FALSE(test, pkram_test_offer(test, r, nr, meta));
	link->words[0] = w0;
	obj->nr_pages += 3;
	meta->nr_pages += 3;
	pkram_seal_node(meta, false);
	KUNIT_EXPECT_TRUE(test, pkram_test_offer(test, r, nr, meta));
}

/* Seal @meta again and expect the validator to refuse it, for @why. */
static void pkram_test_refused(struct kunit *test, struct pkram_validate *v,
			       struct pkram_node_meta *meta, const char *why)
{
	pkram_seal_node(meta, false);
	v->budget = 100;
	KUNIT_EXPECT_FALSE(test, pkram_validate_node(v, meta));
	KUNIT_EXPECT_STREQ(test, v->why, why);
}

/*
 * The incoming validator accepts what this kernel writes, and refuses it
 * after a single flipped bit or a count that does not add up.
 */
static void pkram_test_validate(struct kunit *test)
{
	struct pkram_validate v = { };
	struct pkram_range *r;
	struct pkram_node_meta *meta;
	struct pkram_obj_meta *obj;
	struct pkram_link_meta *link;
	struct pkram_stream ps;
	struct folio *folio, *other;
	unsigned long nr;
	u64 saved;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-val", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);
		PKRAM_ACCESS(pb, &ps, bytes);

		folio = folio_alloc(GFP_KERNEL, 2);
		KUNIT_ASSERT_NOT_NULL(test, folio);
		KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, folio), 0);
		folio_put(folio);
		KUNIT_ASSERT_EQ(test, pkram_write(&pb, "hello", 5), 5);
		pkram_finish_access(&pa);
		pkram_finish_access(&pb);
	}
	pkram_finish_save_obj(&ps);
	meta = ps.node->meta;
	obj = phys_to_virt(meta->first_obj);
	link = phys_to_virt(obj->folios_head);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	mutex_lock(&pkram_mutex);
	r = pkram_collect_ranges(&nr, 0);
	mutex_unlock(&pkram_mutex);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, pkram_validate_init(&v, r, nr, false), 0);
	pkram_seal_node(meta, false);

	v.budget = 100;
	KUNIT_EXPECT_TRUE(test, pkram_validate_node(&v, meta));

	/*
	 * The folio moves to memory that is not preserved, with the link
	 * page sealed again: the range check, not the checksum, refuses it.
	 */
	other = folio_alloc(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, other);
	saved = link->words[0];
	link->words[0] = PFN_PHYS(folio_pfn(other)) |
			 (saved & ~PKRAM_ENT_PHYS_MASK);
	pkram_seal_node(meta, false);
	v.budget = 100;
	KUNIT_EXPECT_FALSE(test, pkram_validate_node(&v, meta));
	KUNIT_EXPECT_STREQ(test, v.why, "entry outside preserved memory");
	link->words[0] = saved;
	folio_put(other);

	meta->nr_pages++;			/* counts do not add up */
	pkram_seal_node(meta, false);
	v.budget = 100;
	KUNIT_EXPECT_FALSE(test, pkram_validate_node(&v, meta));
	meta->nr_pages--;
	pkram_seal_node(meta, false);

	v.budget = 2;				/* too many metadata pages */
	KUNIT_EXPECT_FALSE(test, pkram_validate_node(&v, meta));

	/* reserved fields and unknown flags, sealed again: refused */
	meta->reserved = 1;
	pkram_test_refused(test, &v, meta, "reserved field set");
	meta->reserved = 0;
	link->reserved = 1;
	pkram_test_refused(test, &v, meta, "reserved field set");
	link->reserved = 0;
	obj->flags |= BIT(16);
	pkram_test_refused(test, &v, meta, "bad object");
	obj->flags &= ~BIT(16);
	pkram_seal_node(meta, false);
	v.budget = 100;
	KUNIT_EXPECT_TRUE(test, pkram_validate_node(&v, meta));

	pkram_test_validate_overlap(test, &v, r, nr, meta, obj, link);

	pkram_validate_destroy(&v);
	kvfree(r);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-val"), 0);
}

/* Build a superblock-like FDT in @sb, with a "crc" property if @crc. */
static int pkram_test_make_sb(void *sb, bool crc)
{
	int err;

	err = fdt_create(sb, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(sb);
	err = err ?: fdt_begin_node(sb, "");
	err = err ?: fdt_property_string(sb, "compatible", PKRAM_COMPATIBLE);
	err = err ?: fdt_property_u64(sb, PKRAM_FDT_RANGES, 0x1234000);
	if (crc)
		err = err ?: fdt_property_u32(sb, PKRAM_FDT_CRC, 0);
	err = err ?: fdt_end_node(sb);
	return err ?: fdt_finish(sb);
}

/*
 * One version number, and a superblock checksum that catches any flipped
 * bit of the FDT (or the FDT check does).
 */
static void pkram_test_superblock(struct kunit *test)
{
	u8 *sb = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int bit, caught = 0, tried = 0;

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_EXPECT_STREQ(test, PKRAM_COMPATIBLE, "linux,pkram-v3");
	KUNIT_ASSERT_EQ(test, pkram_test_make_sb(sb, false), 0);
	KUNIT_EXPECT_EQ(test, pkram_sb_seal(sb), -EINVAL);
	KUNIT_EXPECT_FALSE(test, pkram_sb_check(sb));
	KUNIT_ASSERT_EQ(test, pkram_test_make_sb(sb, true), 0);
	KUNIT_EXPECT_FALSE(test, pkram_sb_check(sb));	/* not sealed yet */
	KUNIT_ASSERT_EQ(test, pkram_sb_seal(sb), 0);
	KUNIT_EXPECT_TRUE(test, pkram_sb_check(sb));
	for (bit = 0; bit < fdt_totalsize(sb) * 8; bit += 7) {
		sb[bit / 8] ^= BIT(bit % 8);
		if (fdt_check_header(sb) || fdt_totalsize(sb) > PAGE_SIZE ||
		    !pkram_sb_check(sb))
			caught++;
		tried++;
		sb[bit / 8] ^= BIT(bit % 8);
	}
	KUNIT_EXPECT_EQ(test, caught, tried);
	KUNIT_EXPECT_TRUE(test, pkram_sb_check(sb));
}

/*
 * kexec_load segments must not overlap preserved memory; accepted ones are
 * remembered so that later saves keep off them.
 */
static void pkram_test_kexec_segments(struct kunit *test)
{
	struct kimage *image;
	struct pkram_stream ps;
	struct folio *folio;
	u64 phys;

	image = kunit_kzalloc(test, sizeof(*image), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, image);
	folio = folio_alloc(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	phys = PFN_PHYS(folio_pfn(folio));

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-kx", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, folio), 0);
		pkram_finish_access(&pa);
	}
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	image->nr_segments = 1;
	image->segment[0].mem = phys;
	image->segment[0].memsz = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, pkram_kexec_check_segments(image), -EADDRNOTAVAIL);
	KUNIT_EXPECT_FALSE(test, pkram_in_kexec_segment(phys, phys + PAGE_SIZE));

	/* a segment clear of it is accepted and banned for saves */
	image->segment[0].mem = phys ^ SZ_16M;
	KUNIT_EXPECT_EQ(test, pkram_kexec_check_segments(image), 0);
	KUNIT_EXPECT_TRUE(test, pkram_in_kexec_segment(phys ^ SZ_16M,
						       (phys ^ SZ_16M) + 1));
	/*
	 * The load fails after the check (kexec_image stays what it was,
	 * none here): the failed image's destinations are not banned any
	 * more, so bans describe the image kexec will run.
	 */
	KUNIT_ASSERT_NULL(test, kexec_image);
	pkram_kexec_load_done();
	KUNIT_EXPECT_FALSE(test, pkram_in_kexec_segment(phys ^ SZ_16M,
							(phys ^ SZ_16M) + 1));

	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-kx"), 0);
	folio_put(folio);
}

/*
 * An incoming node carried over to the next kexec keeps the data checksum
 * it arrived with: data damaged meanwhile must not be blessed.
 */
static void pkram_test_carry_csum(struct kunit *test)
{
	struct pkram_node_meta *meta;
	struct pkram_obj_meta *obj;
	struct pkram_stream ps;
	struct folio *folio;
	u32 crc;

	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-csum", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_csum), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, folio), 0);
		pkram_finish_access(&pa);
	}
	pkram_finish_save_obj(&ps);
	meta = ps.node->meta;
	obj = phys_to_virt(meta->first_obj);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	pkram_seal_node(meta, false);
	crc = obj->data_crc;
	*(u8 *)folio_address(folio) ^= 1;	/* damaged after the checksum */
	pkram_seal_node(meta, true);		/* carried over */
	KUNIT_EXPECT_EQ(test, obj->data_crc, crc);
	pkram_seal_node(meta, false);		/* saved anew: a new checksum */
	KUNIT_EXPECT_NE(test, obj->data_crc, crc);

	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-csum"), 0);
	folio_put(folio);
}

/*
 * An incoming node with an inplace object holds memory that is not the
 * kernel's: it is never discarded (here: a saved node, marked incoming).
 */
static void pkram_test_foreign(struct kunit *test)
{
	struct pkram_stream ps;
	struct pkram_node *node;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-hv", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_inplace), 0);
	pkram_finish_save_obj(&ps);
	node = ps.node;
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);

	mutex_lock(&pkram_mutex);
	node->incoming = true;
	mutex_unlock(&pkram_mutex);
	KUNIT_EXPECT_TRUE(test, pkram_node_foreign(node));
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-hv"), -EXDEV);
	mutex_lock(&pkram_mutex);
	node->incoming = false;
	mutex_unlock(&pkram_mutex);
	KUNIT_EXPECT_FALSE(test, pkram_node_foreign(node));
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-hv"), 0);
}

struct pkram_test_thread {
	struct completion done;
	int id;
	int err;
};

static int pkram_test_saver(void *arg)
{
	struct pkram_test_thread *t = arg;
	struct pkram_stream ps;
	char name[32];
	int i, round, err = 0;

	snprintf(name, sizeof(name), "kunit-thr-%d", t->id);
	for (round = 0; round < 20 && !err; round++) {
		err = pkram_prepare_save(&ps, name, GFP_KERNEL);
		if (err)
			break;
		err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios);
		if (!err) {
			PKRAM_ACCESS(pa, &ps, folios);

			for (i = 0; i < 32 && !err; i++) {
				struct folio *f = folio_alloc(GFP_KERNEL, i % 3);

				if (!f) {
					err = -ENOMEM;
					break;
				}
				err = pkram_save_folio(&pa, f);
				folio_put(f);
			}
			pkram_finish_access(&pa);
			pkram_finish_save_obj(&ps);
		}
		if (err) {
			pkram_discard_save(&ps);
			break;
		}
		err = pkram_finish_save(&ps);
		if (!err)
			err = round % 2 ? pkram_discard(name) :
			      pkram_prepare_load(&ps, name);
		if (!err && !(round % 2))
			pkram_finish_load(&ps);
	}
	t->err = err;
	complete(&t->done);
	return 0;
}

static void pkram_test_concurrent(struct kunit *test)
{
	struct pkram_test_thread t[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		init_completion(&t[i].done);
		t[i].id = i;
		t[i].err = -EINPROGRESS;
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(pkram_test_saver, &t[i],
							    "pkram-kunit/%d", i)));
	}
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_EQ(test, t[i].err, 0);
	}
}

/*
 * The memory notifier refuses to offline pages of a node being saved or
 * saved, metadata included, and nothing else; every page PKRAM owned for
 * the node is given back when it is discarded.
 */
static void pkram_test_offline(struct kunit *test)
{
	long owned = pkram_owned();
	struct pkram_stream ps;
	struct folio *folio;
	unsigned long pfn, meta_pfn;
	char buf[10] = "pkram";

	if (!IS_ENABLED(CONFIG_MEMORY_HOTPLUG))
		kunit_skip(test, "needs CONFIG_MEMORY_HOTPLUG");
	folio = folio_alloc(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	pfn = folio_pfn(folio);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-off", GFP_KERNEL), 0);
	meta_pfn = PHYS_PFN(virt_to_phys(ps.node->meta));
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(meta_pfn, 1), -EBUSY);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(pfn, 4), 0);
		KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, folio), 0);
		pkram_finish_access(&pa);
	}
	{
		PKRAM_ACCESS(pb, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_write(&pb, buf, sizeof(buf)),
				sizeof(buf));
		pkram_finish_access(&pb);
	}
	/* being saved: the folio, any page of it, and no page around it */
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(pfn, 4), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(pfn + 3, 1), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(0, 16), 0);
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);
	/* saved */
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(pfn - 1, 2), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(meta_pfn, 1), -EBUSY);
	/*
	 * PKRAM holds the folio's 4 pages, the byte page and 4 metadata pages
	 * (node, object, a link page per stream)
	 */
	KUNIT_EXPECT_EQ(test, pkram_owned(), owned + 9);
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-off"), 0);
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(pfn, 4), 0);
	KUNIT_EXPECT_EQ(test, pkram_memory_going_offline(meta_pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, pkram_owned(), owned);
	folio_put(folio);
}

/*
 * Several threads save into one object at once while another walks the
 * node, then several threads load it at once: every folio comes back once,
 * with its index, and the counts add up.
 */
#define PKRAM_PAR_THREADS	4
#define PKRAM_PAR_FOLIOS	3000	/* per thread: a few link pages each */

struct pkram_par {
	struct pkram_stream *ps;
	struct folio **folios;		/* by index */
	unsigned long *seen;		/* indices loaded */
	atomic_t running;
	struct completion done;
	atomic_t errors;
	atomic_t dups;
};

struct pkram_par_thread {
	struct pkram_par *par;
	unsigned int id;
	unsigned long loaded;
};

static int pkram_par_saver(void *arg)
{
	struct pkram_par_thread *t = arg;
	struct pkram_par *par = t->par;
	unsigned long i, first = t->id * PKRAM_PAR_FOLIOS;
	int err = 0;

	PKRAM_ACCESS(pa, par->ps, folios);

	for (i = first; i < first + PKRAM_PAR_FOLIOS && !err; i++) {
		/* every fourth index skipped: entries with and without one */
		par->folios[i]->index = i + i / 3;
		err = pkram_save_folio(&pa, par->folios[i]);
		/* let the walker in, mid link page */
		if (!(i % 256))
			usleep_range(100, 200);
	}
	pkram_finish_access(&pa);
	if (err)
		atomic_inc(&par->errors);
	if (atomic_dec_and_test(&par->running))
		complete(&par->done);
	return 0;
}

static int pkram_par_count_fn(u64 start, u64 end, void *arg)
{
	*(u64 *)arg += (end - start) >> PAGE_SHIFT;
	return 0;
}

static int pkram_par_loader(void *arg)
{
	struct pkram_par_thread *t = arg;
	struct pkram_par *par = t->par;
	struct folio *folio;
	unsigned long idx, i;

	PKRAM_ACCESS(pa, par->ps, folios);

	while ((folio = pkram_load_folio(&pa, &idx))) {
		if (IS_ERR(folio)) {
			atomic_inc(&par->errors);
			break;
		}
		i = idx - idx / 4;	/* undo the saver's index */
		if (i >= PKRAM_PAR_THREADS * PKRAM_PAR_FOLIOS ||
		    par->folios[i] != folio || test_and_set_bit(i, par->seen))
			atomic_inc(&par->dups);
		folio_put(folio);
		t->loaded++;
	}
	pkram_finish_access(&pa);
	if (atomic_dec_and_test(&par->running))
		complete(&par->done);
	return 0;
}

static void pkram_par_run(struct kunit *test, struct pkram_par *par,
			  struct pkram_par_thread *t, int (*fn)(void *))
{
	unsigned int i;

	init_completion(&par->done);
	atomic_set(&par->running, PKRAM_PAR_THREADS);
	for (i = 0; i < PKRAM_PAR_THREADS; i++) {
		t[i].par = par;
		t[i].id = i;
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(fn, &t[i],
							    "pkram-par/%u", i)));
	}
}

static void pkram_test_parallel_object(struct kunit *test)
{
	const unsigned long nr = PKRAM_PAR_THREADS * PKRAM_PAR_FOLIOS;
	struct pkram_par_thread t[PKRAM_PAR_THREADS] = { };
	struct pkram_par par = { };
	long owned = pkram_owned();
	struct pkram_stream ps;
	unsigned long i, loaded = 0;
	int walks = 0, bad_walks = 0;
	u64 pages;

	par.ps = &ps;
	par.folios = kunit_kcalloc(test, nr, sizeof(*par.folios), GFP_KERNEL);
	par.seen = kunit_kcalloc(test, BITS_TO_LONGS(nr), sizeof(long),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, par.folios);
	KUNIT_ASSERT_NOT_NULL(test, par.seen);
	for (i = 0; i < nr; i++) {
		par.folios[i] = folio_alloc(GFP_KERNEL, !(i % 7));
		KUNIT_ASSERT_NOT_NULL(test, par.folios[i]);
	}
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, "kunit-par", GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);

	pkram_par_run(test, &par, t, pkram_par_saver);
	/* walk the node as it grows: every entry must decode */
	while (!try_wait_for_completion(&par.done)) {
		pages = 0;
		mutex_lock(&pkram_mutex);
		pkram_lock_saves();
		if (pkram_walk_node(ps.node->meta, pkram_par_count_fn, &pages))
			bad_walks++;
		pkram_unlock_saves();
		mutex_unlock(&pkram_mutex);
		walks++;
		cond_resched();
	}
	kunit_info(test, "%d walks while saving\n", walks);
	KUNIT_EXPECT_EQ(test, bad_walks, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&par.errors), 0);
	for (i = 0, pages = 0; i < nr; i++)
		pages += folio_nr_pages(par.folios[i]);
	KUNIT_EXPECT_EQ(test, ps.node->meta->nr_folios, nr);
	KUNIT_EXPECT_EQ(test, ps.node->meta->nr_pages, pages);
	KUNIT_EXPECT_EQ(test, ps.obj->nr_folios, nr);
	KUNIT_EXPECT_EQ(test, ps.obj->nr_pages, pages);
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);
	/* the walk sees every data page once the savers are done */
	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, "kunit-par"), 0);
	i = pages;
	pages = 0;
	pkram_walk_node(ps.node->meta, pkram_par_count_fn, &pages);
	KUNIT_EXPECT_EQ(test, pages, i + ps.node->meta->nr_meta);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);

	pkram_par_run(test, &par, t, pkram_par_loader);
	wait_for_completion(&par.done);
	for (i = 0; i < PKRAM_PAR_THREADS; i++)
		loaded += t[i].loaded;
	KUNIT_EXPECT_EQ(test, loaded, nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&par.dups), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&par.errors), 0);
	KUNIT_EXPECT_EQ(test, bitmap_weight(par.seen, nr), nr);
	pkram_finish_load_obj(&ps);
	pkram_finish_load(&ps);
	KUNIT_EXPECT_EQ(test, pkram_owned(), owned);
	for (i = 0; i < nr; i++)
		folio_put(par.folios[i]);
}

static struct kunit_case pkram_test_cases[] = {
	KUNIT_CASE(pkram_test_names),
	KUNIT_CASE(pkram_test_seal),
	KUNIT_CASE(pkram_test_hull),
	KUNIT_CASE(pkram_test_range_list),
	KUNIT_CASE(pkram_test_pfnmap),
	KUNIT_CASE(pkram_test_errors),
	KUNIT_CASE(pkram_test_finalizing),
	KUNIT_CASE(pkram_test_kexec_refuse),
	KUNIT_CASE(pkram_test_roundtrip),
	KUNIT_CASE(pkram_test_runs),
	KUNIT_CASE(pkram_test_pack),
	KUNIT_CASE(pkram_test_validate),
	KUNIT_CASE(pkram_test_superblock),
	KUNIT_CASE(pkram_test_carry_csum),
	KUNIT_CASE(pkram_test_foreign),
	KUNIT_CASE(pkram_test_kexec_segments),
	KUNIT_CASE(pkram_test_concurrent),
	KUNIT_CASE(pkram_test_parallel_object),
	KUNIT_CASE(pkram_test_offline),
	{}
};

static struct kunit_suite pkram_test_suite = {
	.name = "pkram",
	.test_cases = pkram_test_cases,
};

kunit_test_suite(pkram_test_suite);
