/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the deposit ledger within one boot: extent bookkeeping and
 * a save/load round trip through PKRAM. Included at the end of
 * hv_deposit_ledger.c; each test uses its own ledger, never the global one,
 * and loads or discards every node it creates.
 */
#include <kunit/test.h>

#define HV_KUNIT_NODE	"hv-deposited-kunit"

static void hv_ledger_test_exit(void *l)
{
	hv_ledger_destroy(l);
}

static struct hv_ledger *hv_ledger_test_new(struct kunit *test)
{
	struct hv_ledger *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	hv_ledger_init(l);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, hv_ledger_test_exit, l));
	return l;
}

static void hv_ledger_test_merge(struct kunit *test)
{
	struct hv_ledger *l = hv_ledger_test_new(test);
	struct hv_deposit_counts c;

	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 10, 2, 1));
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 14, 2, 1));
	KUNIT_EXPECT_EQ(test, 2UL, l->nr_ext);
	/* fills the gap: one extent [10, 16) */
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 12, 2, 1));
	KUNIT_EXPECT_EQ(test, 1UL, l->nr_ext);
	KUNIT_EXPECT_EQ(test, 10UL, l->ext[0].pfn);
	KUNIT_EXPECT_EQ(test, 6UL, l->ext[0].nr);
	/* before, not adjacent; then after, not adjacent */
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 5, 1, 1));
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 100, 4, 1));
	KUNIT_EXPECT_EQ(test, 3UL, l->nr_ext);
	/* joins [5, 6) and [10, 16) */
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 6, 4, 1));
	KUNIT_EXPECT_EQ(test, 2UL, l->nr_ext);
	KUNIT_EXPECT_EQ(test, 5UL, l->ext[0].pfn);
	KUNIT_EXPECT_EQ(test, 11UL, l->ext[0].nr);
	/* appends to the last extent */
	KUNIT_EXPECT_EQ(test, 0, hv_ledger_add(l, 104, 8, 1));
	KUNIT_EXPECT_EQ(test, 12UL, l->ext[1].nr);

	/* overlaps are refused and change nothing */
	KUNIT_EXPECT_EQ(test, -EEXIST, hv_ledger_add(l, 15, 1, 1));
	KUNIT_EXPECT_EQ(test, -EEXIST, hv_ledger_add(l, 0, 6, 1));
	KUNIT_EXPECT_EQ(test, -EEXIST, hv_ledger_add(l, 111, 2, 1));

	hv_ledger_counts(l, &c);
	KUNIT_EXPECT_EQ(test, 7UL, c.chunks);
	KUNIT_EXPECT_EQ(test, 2UL, c.extents);
	KUNIT_EXPECT_EQ(test, 23UL, c.pages);
	KUNIT_EXPECT_EQ(test, 0UL, c.lost);

	KUNIT_EXPECT_FALSE(test, hv_ledger_overlaps(l, 0, 5));
	KUNIT_EXPECT_TRUE(test, hv_ledger_overlaps(l, 0, 6));
	KUNIT_EXPECT_TRUE(test, hv_ledger_overlaps(l, 15, 1));
	KUNIT_EXPECT_FALSE(test, hv_ledger_overlaps(l, 16, 84));
	KUNIT_EXPECT_TRUE(test, hv_ledger_overlaps(l, 16, 85));
	KUNIT_EXPECT_TRUE(test, hv_ledger_overlaps(l, 111, 10));
	KUNIT_EXPECT_FALSE(test, hv_ledger_overlaps(l, 112, 10));
}

/* Many extents: the array grows, and filling the holes merges them all. */
static void hv_ledger_test_grow(struct kunit *test)
{
	struct hv_ledger *l = hv_ledger_test_new(test);
	unsigned long i, n = 5 * HV_LEDGER_MIN_CAP;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, 0, hv_ledger_add(l, 1000 + 2 * i, 1, 1));
	KUNIT_EXPECT_EQ(test, n, l->nr_ext);
	KUNIT_EXPECT_GE(test, l->cap, n);
	for (i = 0; i + 1 < n; i++)
		KUNIT_EXPECT_LT(test, l->ext[i].pfn + l->ext[i].nr,
				l->ext[i + 1].pfn);
	/* fill the holes from the top down */
	for (i = n - 1; i > 0; i--)
		KUNIT_ASSERT_EQ(test, 0, hv_ledger_add(l, 999 + 2 * i, 1, 1));
	KUNIT_EXPECT_EQ(test, 1UL, l->nr_ext);
	KUNIT_EXPECT_EQ(test, 2 * n - 1, l->ext[0].nr);
	KUNIT_EXPECT_EQ(test, 2 * n - 1, l->nr_pages);
	KUNIT_EXPECT_EQ(test, 2 * n - 1, l->nr_chunks);
}

/* An empty ledger saves no node. */
static void hv_ledger_test_save_empty(struct kunit *test)
{
	struct hv_ledger *l = hv_ledger_test_new(test);
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, 0, hv_ledger_save(l, HV_KUNIT_NODE));
	KUNIT_EXPECT_EQ(test, -ENOENT, pkram_prepare_load(&ps, HV_KUNIT_NODE));
}

/*
 * Deposit-like chunks (split pages of several orders), saved and loaded
 * back into another ledger: the same extents and counts.
 */
static void hv_ledger_test_round_trip(struct kunit *test)
{
	static const unsigned int orders[] = { 3, 0, 2, 1, 0 };
	struct hv_ledger *l = hv_ledger_test_new(test);
	struct hv_ledger *back = hv_ledger_test_new(test);
	struct page *pages[ARRAY_SIZE(orders)];
	struct hv_deposit_counts c;
	unsigned long i, j, total = 0;

	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		pages[i] = alloc_pages(GFP_KERNEL, orders[i]);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		split_page(pages[i], orders[i]);
		KUNIT_ASSERT_EQ(test, 0, hv_ledger_add(l, page_to_pfn(pages[i]),
						       1UL << orders[i], 1));
		total += 1UL << orders[i];
	}

	KUNIT_ASSERT_EQ(test, 0, hv_ledger_save(l, HV_KUNIT_NODE));
	KUNIT_EXPECT_TRUE(test, l->saved);
	KUNIT_ASSERT_EQ(test, 0, hv_ledger_load(back, HV_KUNIT_NODE));
	KUNIT_EXPECT_FALSE(test, back->saved);

	hv_ledger_counts(back, &c);
	KUNIT_EXPECT_EQ(test, (unsigned long)ARRAY_SIZE(orders), c.chunks);
	KUNIT_EXPECT_EQ(test, total, c.pages);
	KUNIT_EXPECT_EQ(test, l->nr_ext, c.extents);
	for (i = 0; i < min(l->nr_ext, back->nr_ext); i++) {
		KUNIT_EXPECT_EQ(test, l->ext[i].pfn, back->ext[i].pfn);
		KUNIT_EXPECT_EQ(test, l->ext[i].nr, back->ext[i].nr);
	}

	/* our reference and the one PKRAM handed to the loading ledger */
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		for (j = 0; j < 1UL << orders[i]; j++) {
			KUNIT_EXPECT_EQ(test, 2, page_count(pages[i] + j));
			put_page(pages[i] + j);
			put_page(pages[i] + j);
		}
}

static struct kunit_case hv_ledger_test_cases[] = {
	KUNIT_CASE(hv_ledger_test_merge),
	KUNIT_CASE(hv_ledger_test_grow),
	KUNIT_CASE(hv_ledger_test_save_empty),
	KUNIT_CASE(hv_ledger_test_round_trip),
	{}
};

static struct kunit_suite hv_ledger_test_suite = {
	.name = "hv_deposit_ledger",
	.test_cases = hv_ledger_test_cases,
};

kunit_test_suite(hv_ledger_test_suite);
