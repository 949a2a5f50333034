/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of keeping a tmpfs tree within one boot: a tree with every
 * kind of entry is saved from one private tmpfs into a node and built in
 * another; damaged records are refused with nothing built. Included at the
 * end of tmpfs.c.
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/stat.h>

struct pkram_tmpfs_test {
	struct file_system_type *type;
	struct vfsmount *a, *b;
};

/* Create @name in @parent; the dentry, or NULL after a failed expectation. */
static struct dentry *tt_make(struct kunit *test, struct dentry *parent,
			      const char *name, umode_t mode,
			      const char *target, struct dentry *old)
{
	struct inode *dir = d_inode(parent);
	struct dentry *d;
	int err;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(name, parent, strlen(name));
	if (IS_ERR(d)) {
		inode_unlock(dir);
		KUNIT_FAIL(test, "lookup %s: %ld", name, PTR_ERR(d));
		return NULL;
	}
	if (old)
		err = vfs_link(old, &nop_mnt_idmap, dir, d, NULL);
	else if (S_ISDIR(mode))
		err = vfs_mkdir(&nop_mnt_idmap, dir, d, mode & 07777);
	else if (S_ISREG(mode))
		err = vfs_create(&nop_mnt_idmap, dir, d, mode, true);
	else if (S_ISLNK(mode))
		err = vfs_symlink(&nop_mnt_idmap, dir, d, target);
	else
		err = vfs_mknod(&nop_mnt_idmap, dir, d, mode, MKDEV(1, 3));
	inode_unlock(dir);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "creating %s", name);
	if (err) {
		dput(d);
		return NULL;
	}
	return d;
}

/* Look @path (a/b/c) up from the root of @mnt; NULL if it is not there. */
static struct dentry *tt_find(struct vfsmount *mnt, const char *path)
{
	struct dentry *d = dget(mnt->mnt_root), *next;
	char buf[64], *p = buf, *name;

	strscpy(buf, path, sizeof(buf));
	while ((name = strsep(&p, "/"))) {
		next = lookup_one_unlocked(&nop_mnt_idmap, name, d,
					   strlen(name));
		dput(d);
		if (IS_ERR(next))
			return NULL;
		if (d_really_is_negative(next)) {
			dput(next);
			return NULL;
		}
		d = next;
	}
	return d;
}

static ssize_t tt_io(struct vfsmount *mnt, struct dentry *d, void *buf,
		     size_t len, loff_t pos, bool write)
{
	struct path path = { .mnt = mnt, .dentry = d };
	struct file *f;
	ssize_t n;

	f = dentry_open(&path, write ? O_WRONLY : O_RDONLY, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = write ? kernel_write(f, buf, len, &pos) :
		    kernel_read(f, buf, len, &pos);
	fput(f);
	return n;
}

/* Save the tree of @from into node @name; 0 or the error. */
static int tt_save(struct vfsmount *from, const char *name)
{
	struct path root = { .mnt = from, .dentry = from->mnt_root };
	struct pkram_stream ps;
	int err;

	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err)
		return err;
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
				     PKRAM_DATA_bytes);
	if (!err) {
		err = pkram_tmpfs_save(&ps, &root, NULL);
		pkram_finish_save_obj(&ps);
	}
	if (err) {
		pkram_discard_save(&ps);
		return err;
	}
	return pkram_finish_save(&ps);
}

/*
 * Build node @name's tree in @into; 0 or the error. A load that took
 * nothing gives the node back, as the mount does.
 */
static int tt_load(struct vfsmount *into, const char *name)
{
	struct pkram_stream ps;
	bool taken = false;
	int err;

	err = pkram_prepare_load(&ps, name);
	if (err)
		return err;
	err = pkram_prepare_load_obj(&ps);
	if (!err)
		err = pkram_tmpfs_load(&ps, into->mnt_root, &taken);
	if (err && !taken)
		pkram_cancel_load(&ps);
	else
		pkram_finish_load(&ps);
	return err;
}

static int tt_init(struct kunit *test)
{
	struct pkram_tmpfs_test *t = kunit_kzalloc(test, sizeof(*t),
						   GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->type = get_fs_type("tmpfs");
	if (!t->type)
		return -ENODEV;
	t->a = kern_mount(t->type);
	t->b = kern_mount(t->type);
	if (IS_ERR(t->a) || IS_ERR(t->b))
		return -ENOMEM;
	test->priv = t;
	return 0;
}

static void tt_exit(struct kunit *test)
{
	struct pkram_tmpfs_test *t = test->priv;

	if (!t)
		return;
	if (!IS_ERR_OR_NULL(t->a))
		kern_unmount(t->a);
	if (!IS_ERR_OR_NULL(t->b))
		kern_unmount(t->b);
	put_filesystem(t->type);
}

#define TT_SPARSE_AT	(3 << 20)

static void tt_populate(struct kunit *test, struct vfsmount *mnt)
{
	struct dentry *root = mnt->mnt_root, *dir, *sub, *f, *g, *d;
	char data[100];
	int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 3;
	dir = tt_make(test, root, "dir", S_IFDIR | 0750, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, dir);
	sub = tt_make(test, dir, "sub", S_IFDIR | 0700, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, sub);
	f = tt_make(test, dir, "file", S_IFREG | 0640, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, tt_io(mnt, f, data, sizeof(data), 0, true),
			sizeof(data));
	/* sparse: one page 3 MiB in */
	g = tt_make(test, sub, "sparse", S_IFREG | 0600, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_EQ(test, tt_io(mnt, g, data, sizeof(data), TT_SPARSE_AT,
				    true), sizeof(data));
	d_inode(g)->i_uid = KUIDT_INIT(1234);
	d_inode(g)->i_gid = KGIDT_INIT(4321);
	dput(tt_make(test, sub, "hardlink", 0, NULL, f));
	dput(tt_make(test, root, "link", S_IFLNK | 0777, "dir/file", NULL));
	dput(tt_make(test, root, "fifo", S_IFIFO | 0644, NULL, NULL));
	d = tt_make(test, root, "null", S_IFCHR | 0666, NULL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d_inode(d)->i_mode = S_IFCHR | 0666;	/* past the umask */
	dput(d);
	dput(tt_make(test, root, "sock", S_IFSOCK | 0755, NULL, NULL));
	dput(tt_make(test, root, "empty", S_IFREG | 0444, NULL, NULL));
	if (IS_ENABLED(CONFIG_TMPFS_XATTR))
		KUNIT_EXPECT_EQ(test, __vfs_setxattr(&nop_mnt_idmap, f,
						     d_inode(f), "trusted.k",
						     "v1", 2, 0), 0);
	if (IS_ENABLED(CONFIG_TMPFS_POSIX_ACL)) {
		/* rwx for the owner, r-x for user 1000 and the group */
		static const struct { short tag, perm; } ents[] = {
			{ ACL_USER_OBJ, 7 }, { ACL_USER, 5 }, { ACL_GROUP_OBJ, 5 },
			{ ACL_MASK, 5 }, { ACL_OTHER, 0 },
		};
		struct posix_acl *acl = posix_acl_alloc(5, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, acl);
		for (i = 0; i < 5; i++) {
			acl->a_entries[i].e_tag = ents[i].tag;
			acl->a_entries[i].e_perm = ents[i].perm;
		}
		acl->a_entries[1].e_uid = KUIDT_INIT(1000);
		KUNIT_EXPECT_EQ(test, vfs_set_acl(&nop_mnt_idmap, dir,
						  XATTR_NAME_POSIX_ACL_ACCESS,
						  acl), 0);
		posix_acl_release(acl);
	}
	/* times last: the entries made in dir changed its own */
	inode_set_mtime(d_inode(dir), 1000000, 42);
	inode_set_mtime(d_inode(f), 2000000, 43);
	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "n%d", i);
		d = tt_make(test, sub, name, S_IFREG | 0644, NULL, NULL);
		dput(d);
	}
	dput(f);
	dput(g);
	dput(sub);
	dput(dir);
}

static void tt_test_roundtrip(struct kunit *test)
{
	struct pkram_tmpfs_test *t = test->priv;
	struct dentry *d, *e;
	char buf[100], x[4];
	int i;

	tt_populate(test, t->a);
	KUNIT_ASSERT_EQ(test, tt_save(t->a, "kunit-tmpfs"), 0);
	KUNIT_ASSERT_EQ(test, tt_load(t->b, "kunit-tmpfs"), 0);

	d = tt_find(t->b, "dir");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_mode, S_IFDIR | 0750);
	if (IS_ENABLED(CONFIG_TMPFS_POSIX_ACL)) {
		struct posix_acl *acl;

		acl = vfs_get_acl(&nop_mnt_idmap, d,
				  XATTR_NAME_POSIX_ACL_ACCESS);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(acl));
		KUNIT_EXPECT_EQ(test, acl->a_count, 5);
		KUNIT_EXPECT_EQ(test, acl->a_entries[1].e_tag, ACL_USER);
		KUNIT_EXPECT_EQ(test, from_kuid(&init_user_ns,
						acl->a_entries[1].e_uid), 1000);
		posix_acl_release(acl);
	}
	KUNIT_EXPECT_EQ(test, inode_get_mtime_sec(d_inode(d)), 1000000);
	KUNIT_EXPECT_EQ(test, inode_get_mtime_nsec(d_inode(d)), 42);
	dput(d);

	d = tt_find(t->b, "dir/file");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_mode, S_IFREG | 0640);
	KUNIT_EXPECT_EQ(test, i_size_read(d_inode(d)), 100);
	KUNIT_EXPECT_EQ(test, inode_get_mtime_sec(d_inode(d)), 2000000);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_nlink, 2);
	KUNIT_EXPECT_EQ(test, tt_io(t->b, d, buf, sizeof(buf), 0, false),
			sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (char)(i * 3))
			break;
	KUNIT_EXPECT_EQ(test, i, sizeof(buf));
	if (IS_ENABLED(CONFIG_TMPFS_XATTR)) {
		KUNIT_EXPECT_EQ(test, vfs_getxattr(&nop_mnt_idmap, d,
						   "trusted.k", x, sizeof(x)),
				2);
		KUNIT_EXPECT_EQ(test, memcmp(x, "v1", 2), 0);
	}
	/* the hard link is the same inode */
	e = tt_find(t->b, "dir/sub/hardlink");
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_PTR_EQ(test, d_inode(e), d_inode(d));
	dput(e);
	dput(d);

	d = tt_find(t->b, "dir/sub/sparse");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, i_size_read(d_inode(d)), TT_SPARSE_AT + 100);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_mapping->nrpages, 1);
	KUNIT_EXPECT_EQ(test, from_kuid(&init_user_ns, d_inode(d)->i_uid), 1234);
	KUNIT_EXPECT_EQ(test, from_kgid(&init_user_ns, d_inode(d)->i_gid), 4321);
	KUNIT_EXPECT_EQ(test, tt_io(t->b, d, buf, sizeof(buf), TT_SPARSE_AT,
				    false), sizeof(buf));
	KUNIT_EXPECT_EQ(test, buf[99], (char)(99 * 3));
	KUNIT_EXPECT_EQ(test, tt_io(t->b, d, buf, sizeof(buf), 4096, false),
			sizeof(buf));
	KUNIT_EXPECT_EQ(test, buf[0] | buf[99], 0);	/* a hole */
	dput(d);

	d = tt_find(t->b, "link");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_TRUE(test, d_is_symlink(d));
	{
		DEFINE_DELAYED_CALL(done);
		const char *s = vfs_get_link(d, &done);

		KUNIT_EXPECT_FALSE(test, IS_ERR(s));
		if (!IS_ERR(s))
			KUNIT_EXPECT_STREQ(test, s, "dir/file");
		do_delayed_call(&done);
	}
	dput(d);
	d = tt_find(t->b, "null");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_mode, S_IFCHR | 0666);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_rdev, MKDEV(1, 3));
	dput(d);
	d = tt_find(t->b, "fifo");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d_inode(d)->i_mode, S_IFIFO | 0644);
	dput(d);
	d = tt_find(t->b, "empty");
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, i_size_read(d_inode(d)), 0);
	dput(d);
	d = tt_find(t->b, "dir/sub/n2");
	KUNIT_EXPECT_NOT_NULL(test, d);
	dput(d);
	/* sockets are not kept */
	KUNIT_EXPECT_NULL(test, tt_find(t->b, "sock"));
}

/* Offset of the root entry's field @f in the node's byte stream */
#define TT_ROOT(f)	(sizeof(struct pkram_tmpfs_header) + \
			 offsetof(struct pkram_tmpfs_entry, f))

/* The first page of the byte stream of node @name's first object. */
static u8 *tt_bytes(const char *name)
{
	struct pkram_obj_meta *obj;
	struct pkram_link_meta *link;
	struct pkram_node *node;

	mutex_lock(&pkram_mutex);
	node = pkram_find_node(name);
	mutex_unlock(&pkram_mutex);
	if (!node)
		return NULL;
	obj = phys_to_virt(node->meta->first_obj);
	link = phys_to_virt(obj->bytes_head);
	return phys_to_virt(link->words[0] & PKRAM_ENT_PHYS_MASK);
}

/* Damaged records: refused, and nothing is built. */
static void tt_test_damaged(struct kunit *test)
{
	static const struct {
		size_t off;
		u8 val;
	} cases[] = {
		{ 0, 0x51 },			/* magic */
		{ 4, 2 },			/* version */
		{ TT_ROOT(reserved1), 1 },
		{ TT_ROOT(mode) + 1, 0x80 },	/* the root is a file */
		{ TT_ROOT(nr_folios), 1 },	/* folios do not add up */
		{ TT_ROOT(name_len), 3 },
	};
	struct pkram_tmpfs_test *t = test->priv;
	struct dentry *dir;
	unsigned int i;
	u8 *bytes;

	dir = tt_make(test, t->a->mnt_root, "d", S_IFDIR | 0755, NULL, NULL);
	dput(tt_make(test, dir, "f", S_IFREG | 0644, NULL, NULL));
	dput(tt_make(test, dir, "g", S_IFREG | 0644, NULL, NULL));
	dput(dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_ASSERT_EQ(test, tt_save(t->a, "kunit-tmpfs-bad"), 0);
		bytes = tt_bytes("kunit-tmpfs-bad");
		KUNIT_ASSERT_NOT_NULL(test, bytes);
		bytes[cases[i].off] ^= cases[i].val;
		KUNIT_EXPECT_EQ_MSG(test, tt_load(t->b, "kunit-tmpfs-bad"),
				    -EBADMSG, "case %u", i);
		KUNIT_EXPECT_NULL(test, tt_find(t->b, "d"));
		/* the node was given back as it was: damaged, discardable */
		KUNIT_ASSERT_PTR_EQ(test, tt_bytes("kunit-tmpfs-bad"), bytes);
		KUNIT_EXPECT_EQ(test, pkram_discard("kunit-tmpfs-bad"), 0);
	}

	/* a name twice in a directory: "g" renamed "f" */
	KUNIT_ASSERT_EQ(test, tt_save(t->a, "kunit-tmpfs-bad"), 0);
	bytes = tt_bytes("kunit-tmpfs-bad");
	KUNIT_ASSERT_NOT_NULL(test, bytes);
	{
		/* header, root, "d", then "f" and "g" in some order */
		size_t e = sizeof(struct pkram_tmpfs_entry);
		size_t n1 = sizeof(struct pkram_tmpfs_header) + 3 * e + 1;
		size_t n2 = n1 + e + 1;

		KUNIT_ASSERT_EQ(test, bytes[n1] + bytes[n2], 'f' + 'g');
		bytes[bytes[n1] == 'g' ? n1 : n2] = 'f';
	}
	KUNIT_EXPECT_EQ(test, tt_load(t->b, "kunit-tmpfs-bad"), -EBADMSG);
	KUNIT_EXPECT_NULL(test, tt_find(t->b, "d"));
	KUNIT_EXPECT_EQ(test, pkram_discard("kunit-tmpfs-bad"), 0);

	/* and the same tree undamaged is built */
	KUNIT_ASSERT_EQ(test, tt_save(t->a, "kunit-tmpfs-bad"), 0);
	KUNIT_EXPECT_EQ(test, tt_load(t->b, "kunit-tmpfs-bad"), 0);
	dir = tt_find(t->b, "d/g");
	KUNIT_EXPECT_NOT_NULL(test, dir);
	dput(dir);
}

static struct kunit_case tt_cases[] = {
	KUNIT_CASE(tt_test_roundtrip),
	KUNIT_CASE(tt_test_damaged),
	{}
};

static struct kunit_suite tt_suite = {
	.name = "pkram_tmpfs",
	.init = tt_init,
	.exit = tt_exit,
	.test_cases = tt_cases,
};

kunit_test_suite(tt_suite);
