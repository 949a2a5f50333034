/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the live-update interface within one boot: parsing of
 * ioctl arguments in real user memory, the command number rules, and the
 * shmem core saving a memfd into a node and restoring it into a new one.
 * Included at the end of liveupdate.c.
 */
#include <kunit/test.h>
#include <linux/mman.h>

/* A page of user memory in the test's own mm. */
static void __user *luo_test_umem(struct kunit *test)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no user memory");
	return (void __user *)addr;
}

static void luo_test_get_arg(struct kunit *test)
{
	struct liveupdate_session_preserve_fd k, u = { .fd = 3, .token = 7 };
	void __user *um = luo_test_umem(test);
	size_t min = offsetofend(typeof(k), token);
	u8 big[sizeof(u) + 8] = { };

	/* exact size */
	u.size = sizeof(u);
	KUNIT_ASSERT_EQ(test, copy_to_user(um, &u, sizeof(u)), 0);
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, um), 0);
	KUNIT_EXPECT_EQ(test, k.fd, 3);
	KUNIT_EXPECT_EQ(test, k.token, 7);

	/* larger, zero tail: accepted */
	memcpy(big, &u, sizeof(u));
	((struct liveupdate_session_preserve_fd *)big)->size = sizeof(big);
	KUNIT_ASSERT_EQ(test, copy_to_user(um, big, sizeof(big)), 0);
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, um), 0);

	/* larger, non-zero tail: E2BIG */
	big[sizeof(u) + 3] = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(um, big, sizeof(big)), 0);
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, um), -E2BIG);

	/* too small for the fields needed: EINVAL; zero size too */
	u.size = min - 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(um, &u, sizeof(u)), 0);
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, um), -EINVAL);
	u.size = 0;
	KUNIT_ASSERT_EQ(test, copy_to_user(um, &u, sizeof(u)), 0);
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, um), -EINVAL);

	/* no memory there: EFAULT, not a crash */
	KUNIT_EXPECT_EQ(test, luo_get_arg(&k, sizeof(k), min, NULL), -EFAULT);
}

static void luo_test_names(struct kunit *test)
{
	u8 name[LUO_NAME_LEN];

	memset(name, 'a', sizeof(name));
	KUNIT_EXPECT_EQ(test, luo_check_name(name), -EINVAL);	/* no NUL */
	name[LUO_NAME_LEN - 1] = '\0';
	KUNIT_EXPECT_EQ(test, luo_check_name(name), 0);		/* 63 bytes */
	name[0] = '\0';
	KUNIT_EXPECT_EQ(test, luo_check_name(name), -EINVAL);	/* empty */
}

/* a session command refused before the session is looked at */
static long luo_test_session_cmd(unsigned int cmd, void __user *um)
{
	return luo_session_ioctl(NULL, cmd, (unsigned long)um);
}

static void luo_test_commands(struct kunit *test)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };
	void __user *um = luo_test_umem(test);
	unsigned int cmd;

	KUNIT_ASSERT_EQ(test, copy_to_user(um, &a, sizeof(a)), 0);
	/* another type: ENOTTY; past the known numbers: EINVAL */
	KUNIT_EXPECT_EQ(test, luo_ioctl(NULL, _IO('x', 0), (unsigned long)um),
			-ENOTTY);
	KUNIT_EXPECT_EQ(test, luo_ioctl(NULL, _IO(LIVEUPDATE_IOCTL_TYPE, 2),
					(unsigned long)um), -EINVAL);
	/* a known number with size or direction bits: ENOTTY */
	KUNIT_EXPECT_EQ(test, luo_ioctl(NULL,
					_IOWR(LIVEUPDATE_IOCTL_TYPE, 0,
					      struct liveupdate_ioctl_create_session),
					(unsigned long)um), -ENOTTY);
	/* the empty name is refused before anything is created */
	KUNIT_EXPECT_EQ(test, luo_ioctl(NULL, LIVEUPDATE_IOCTL_CREATE_SESSION,
					(unsigned long)um), -EINVAL);
	cmd = _IO(LIVEUPDATE_IOCTL_TYPE, 0x44);
	KUNIT_EXPECT_EQ(test, luo_test_session_cmd(cmd, um), -EINVAL);
	cmd = _IO(LIVEUPDATE_IOCTL_TYPE, 0x3f);
	KUNIT_EXPECT_EQ(test, luo_test_session_cmd(cmd, um), -EINVAL);
	cmd = _IOW(LIVEUPDATE_IOCTL_TYPE, 0x40, u64);
	KUNIT_EXPECT_EQ(test, luo_test_session_cmd(cmd, um), -ENOTTY);
}

static void luo_test_fill(struct kunit *test, struct file *file, loff_t pos,
			  size_t len, u8 seed)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7;
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, len, &pos), (ssize_t)len);
}

static bool luo_test_same(struct kunit *test, struct file *file, loff_t pos,
			  size_t len, u8 seed)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	size_t i;

	if (!buf || kernel_read(file, buf, len, &pos) != (ssize_t)len)
		return false;
	for (i = 0; i < len; i++)
		if (buf[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

static bool luo_test_page_is(struct file *file, pgoff_t index, u8 val)
{
	loff_t pos = (loff_t)index << PAGE_SHIFT;
	u8 buf[64];

	return kernel_read(file, buf, sizeof(buf), &pos) == sizeof(buf) &&
	       !memchr_inv(buf, val, sizeof(buf));
}

/*
 * Save memfd @in frozen as node @node, and load it into a new memfd: the
 * record read back in *@h, the new memfd in *@out. Loaded in the boot that
 * saved it, the folios are still the first file's, so the load copies
 * them; the copy-free path is what pkram-liveupdate.sh runs across kexec.
 */
static int luo_test_save_load(struct kunit *test, const char *node,
			      struct file *in, struct file **out,
			      struct pkram_shmem_file *h)
{
	struct inode *inode = file_inode(in);
	struct pkram_stream ps;
	int err;

	shmem_freeze(inode, SHMEM_FREEZE_SIZE | SHMEM_FREEZE_FOLIOS);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, node, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pb, &ps, bytes);

		err = pkram_shmem_save(&ps, &pb, inode);
		pkram_finish_access(&pb);
	}
	pkram_finish_save_obj(&ps);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);
	shmem_freeze(inode, 0);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, node), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	*out = memfd_alloc_file("kunit-out", MFD_ALLOW_SEALING);
	KUNIT_ASSERT_FALSE(test, IS_ERR(*out));
	{
		PKRAM_ACCESS(pb, &ps, bytes);

		err = pkram_shmem_read_hdr(&pb, h);
		pkram_finish_access(&pb);
	}
	if (!err)
		err = pkram_shmem_load(&ps, h, file_inode(*out));
	pkram_finish_load(&ps);
	return err;
}

/* Save a memfd with a hole and seals, load it into a new one, compare. */
static void luo_test_shmem_roundtrip(struct kunit *test)
{
	struct pkram_shmem_file h;
	struct file *in, *out;
	struct inode *inode;

	in = memfd_alloc_file("kunit", MFD_ALLOW_SEALING);
	KUNIT_ASSERT_FALSE(test, IS_ERR(in));
	luo_test_fill(test, in, 0, 3 * PAGE_SIZE, 1);
	luo_test_fill(test, in, 64 * PAGE_SIZE + 100, 5000, 2);	/* hole */
	KUNIT_ASSERT_EQ(test, memfd_fcntl(in, F_ADD_SEALS,
					  F_SEAL_GROW | F_SEAL_SHRINK), 0);
	inode = file_inode(in);

	/* frozen: no size change, no folio in a hole */
	shmem_freeze(inode, SHMEM_FREEZE_SIZE | SHMEM_FREEZE_FOLIOS);
	{
		loff_t pos = 10 * PAGE_SIZE;
		u8 b = 1;

		KUNIT_EXPECT_EQ(test, kernel_write(in, &b, 1, &pos), -EPERM);
	}

	KUNIT_EXPECT_EQ(test, luo_test_save_load(test, "kunit-luo-shmem", in,
						 &out, &h), 0);
	KUNIT_EXPECT_EQ(test, h.seals, (u32)(F_SEAL_GROW | F_SEAL_SHRINK));
	KUNIT_EXPECT_EQ(test, h.size, (u64)(64 * PAGE_SIZE + 5100));
	KUNIT_EXPECT_EQ(test, h.nr_pages, (u64)5);

	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(out)), i_size_read(inode));
	KUNIT_EXPECT_EQ(test, out->f_mapping->nrpages, in->f_mapping->nrpages);
	KUNIT_EXPECT_TRUE(test, luo_test_same(test, out, 0, 3 * PAGE_SIZE, 1));
	KUNIT_EXPECT_TRUE(test, luo_test_same(test, out, 64 * PAGE_SIZE + 100,
					      5000, 2));
	/* the restored file's folios are normal page cache: it can grow */
	luo_test_fill(test, out, 100 * PAGE_SIZE, 10, 3);
	KUNIT_EXPECT_TRUE(test, luo_test_same(test, out, 100 * PAGE_SIZE, 10, 3));
	fput(out);
	fput(in);
}

/*
 * A file large enough to be saved by several workers: cut at multiples of
 * the largest folio, two of three parts hold data and the third none; the
 * stream interleaves the parts, and every page comes back where it was.
 */
static void luo_test_shmem_parts(struct kunit *test)
{
	unsigned long part_pages = pkram_shmem_part_pages;
	unsigned int parts = pkram_shmem_parts;
	struct pkram_shmem_file h;
	struct file *in, *out;
	pgoff_t i;
	int err;

	in = memfd_alloc_file("kunit-parts", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(in));
	for (i = 0; i < 1600; i++)
		if (i < 700 || i >= 1100)	/* a hole in between */
			luo_test_fill(test, in, i * PAGE_SIZE, PAGE_SIZE, i);
	luo_test_fill(test, in, 2000 * PAGE_SIZE + 100, 5000, 7);

	pkram_shmem_part_pages = 256;
	pkram_shmem_parts = 3;
	err = luo_test_save_load(test, "kunit-luo-parts", in, &out, &h);
	pkram_shmem_part_pages = part_pages;
	pkram_shmem_parts = parts;
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, h.nr_pages, (u64)1202);
	KUNIT_EXPECT_EQ(test, out->f_mapping->nrpages, 1202UL);
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(out)),
			(loff_t)(2000 * PAGE_SIZE + 5100));
	for (i = 0; i < 1600; i++)
		if (i < 700 || i >= 1100)
			KUNIT_EXPECT_TRUE(test, luo_test_same(test, out,
							      i * PAGE_SIZE,
							      PAGE_SIZE, i));
	KUNIT_EXPECT_TRUE(test, luo_test_page_is(out, 900, 0));
	KUNIT_EXPECT_TRUE(test, luo_test_same(test, out, 2000 * PAGE_SIZE + 100,
					      5000, 7));
	fput(out);
	fput(in);
}

/* Insert @nr new order-0 folios at @indices, page i filled with seed i. */
static int luo_test_insert(struct kunit *test, struct inode *inode,
			   const pgoff_t *indices, unsigned int nr,
			   unsigned int *done)
{
	struct folio *folios[8];
	unsigned int i;
	int err;

	KUNIT_ASSERT_LE(test, nr, ARRAY_SIZE(folios));
	for (i = 0; i < nr; i++) {
		folios[i] = folio_alloc(GFP_KERNEL, 0);
		KUNIT_ASSERT_NOT_NULL(test, folios[i]);
		memset(folio_address(folios[i]), (u8)(indices[i] + 1), PAGE_SIZE);
	}
	err = shmem_insert_folios(inode, folios, indices, nr, done);
	for (i = 0; i < nr; i++)
		folio_put(folios[i]);
	return err;
}

/*
 * shmem_insert_folios(): runs of consecutive indices (across xarray nodes,
 * into ones not there yet, into an empty leaf under a node that is there)
 * and lone ones; a batch stops at a folio whose range is taken (found by a
 * lookup or by the step to the next index) or that is misaligned, with the
 * ones before it in the page cache and counted, and the ones after it not.
 * Page i holds i + 1.
 */
static void luo_test_insert_folios(struct kunit *test)
{
	static const struct {
		pgoff_t index[8];
		unsigned int nr, done;
		int err;
	} runs[] = {
		{ { 0, 1, 2, 62, 63, 64, 65, 4097 }, 8, 8, 0 },
		{ { 1000000, 1000001, 1000002 }, 3, 3, 0 },
		/* 64 is taken: 3 and 4 go in, 5 does not */
		{ { 3, 4, 64, 5 }, 4, 2, -EEXIST },
		/* 192 starts a leaf under a node that is there */
		{ { 191, 192, 193 }, 3, 3, 0 },
		/* 191 is taken, found by the step from 190 */
		{ { 190, 191, 6 }, 3, 1, -EEXIST },
	};
	struct folio *big, *batch[2];
	pgoff_t index[2] = { 6, 9 };
	struct inode *inode;
	unsigned int done, i, k;
	struct file *f;

	f = memfd_alloc_file("kunit-insert", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	inode = file_inode(f);
	i_size_write(inode, 2000000ULL << PAGE_SHIFT);

	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		KUNIT_EXPECT_EQ(test, luo_test_insert(test, inode, runs[i].index,
						      runs[i].nr, &done),
				runs[i].err);
		KUNIT_EXPECT_EQ(test, done, runs[i].done);
	}
	KUNIT_EXPECT_EQ(test, f->f_mapping->nrpages, 17UL);
	KUNIT_EXPECT_EQ(test, SHMEM_I(inode)->alloced, 17UL);
	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		for (k = 0; k < runs[i].done; k++) {
			pgoff_t at = runs[i].index[k];

			KUNIT_EXPECT_TRUE(test, luo_test_page_is(f, at,
								 (u8)(at + 1)));
		}
	}
	KUNIT_EXPECT_TRUE(test, luo_test_page_is(f, 5, 0));	/* holes */
	KUNIT_EXPECT_TRUE(test, luo_test_page_is(f, 6, 0));

	/* a folio of two pages at an odd index: the one before it goes in */
	batch[0] = folio_alloc(GFP_KERNEL, 0);
	big = folio_alloc(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, batch[0]);
	KUNIT_ASSERT_NOT_NULL(test, big);
	batch[1] = big;
	KUNIT_EXPECT_EQ(test, shmem_insert_folios(inode, batch, index, 2,
						  &done), -EINVAL);
	KUNIT_EXPECT_EQ(test, done, 1U);
	KUNIT_EXPECT_FALSE(test, big->mapping);
	folio_put(batch[0]);
	folio_put(big);
	KUNIT_EXPECT_EQ(test, f->f_mapping->nrpages, 18UL);
	KUNIT_EXPECT_EQ(test, SHMEM_I(inode)->alloced, 18UL);
	fput(f);
}

/* A record with a reserved field set or another version is refused. */
static void luo_test_shmem_record(struct kunit *test)
{
	const char *node = "kunit-luo-record";
	struct pkram_shmem_file h, bad;
	struct pkram_stream ps;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&bad, 0, sizeof(bad));
		bad.magic = PKRAM_SHMEM_MAGIC;
		bad.version = PKRAM_SHMEM_VERSION;
		if (i == 0)
			bad.reserved[1] = 1;
		else if (i == 1)
			bad.version++;
		else
			bad.mtime_nsec = NSEC_PER_SEC;
		KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, node, GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_bytes), 0);
		{
			PKRAM_ACCESS(pb, &ps, bytes);

			KUNIT_EXPECT_EQ(test, pkram_write(&pb, &bad, sizeof(bad)),
					(ssize_t)sizeof(bad));
			pkram_finish_access(&pb);
		}
		pkram_finish_save_obj(&ps);
		KUNIT_ASSERT_EQ(test, pkram_finish_save(&ps), 0);
		KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, node), 0);
		KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
		{
			PKRAM_ACCESS(pb, &ps, bytes);

			KUNIT_EXPECT_EQ(test, pkram_shmem_read_hdr(&pb, &h),
					-EBADMSG);
			pkram_finish_access(&pb);
		}
		pkram_finish_load(&ps);
	}
}

static struct kunit_case luo_test_cases[] = {
	KUNIT_CASE(luo_test_get_arg),
	KUNIT_CASE(luo_test_names),
	KUNIT_CASE(luo_test_commands),
	KUNIT_CASE(luo_test_shmem_roundtrip),
	KUNIT_CASE(luo_test_shmem_parts),
	KUNIT_CASE(luo_test_insert_folios),
	KUNIT_CASE(luo_test_shmem_record),
	{}
};

static struct kunit_suite luo_test_suite = {
	.name = "pkram_liveupdate",
	.test_cases = luo_test_cases,
};

kunit_test_suite(luo_test_suite);
