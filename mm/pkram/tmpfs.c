// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keeping a whole tmpfs tree across kexec: the tree's shape and inodes as
 * records, the regular files' data in place.
 *
 * A tree is one PKRAM object (format: include/linux/pkram/abi.h, struct
 * pkram_tmpfs_entry). Saving walks it breadth first from its root, so that
 * a directory's record comes before the records in it: a new inode gets
 * the next number, an inode met again (a hard link) is recorded as a link
 * to its number. Each regular file's page-cache folios go to the object's
 * folio stream, in place (mm/pkram/shmem.c), in the order of the records.
 *
 * Loading checks the whole record stream before it creates anything
 * (sorted parents, names, kinds, counts, reserved fields, no name twice in
 * a directory), so that damaged records make the load fail with nothing
 * built; then it creates the tree in an empty tmpfs through the VFS, gives
 * each regular file its folios back, and sets owners, modes and times last
 * (creating entries changes a directory's times).
 *
 * Kept: directories, regular files (size, holes, large folios), symlinks,
 * hard links, fifos and device nodes, owner, group, mode, times, extended
 * attributes including POSIX ACLs. Sockets are not (a socket inode is only
 * a name without its listener): they are left out with one log line.
 * Limits, refused with -E2BIG: PKRAM_TMPFS_MAX_INODES inodes, and
 * PKRAM_TMPFS_MAX_XATTR bytes of extended attributes per inode.
 *
 * The end of this file ties it to tmpfs mounted with -o pkram=NAME: the
 * first mount builds the kept tree, PKRAM holds a mount of its own so that
 * umount keeps the tree, and a saver freezes and saves every kept tree at
 * kexec (Documentation/admin-guide/mm/pkram.rst).
 */

#define pr_fmt(fmt) "pkram: " fmt

#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/jhash.h>
#include <linux/kdev_t.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mnt_idmapping.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/pkram.h>
#include <linux/pkram/abi.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/xarray.h>
#include <linux/xattr.h>

#include "internal.h"

/* Limits: documented in Documentation/mm/pkram.rst */
#define PKRAM_TMPFS_MAX_INODES	BIT(24)
#define PKRAM_TMPFS_MAX_XATTR	(256U << 10)

/* ---- saving ---- */

struct pkram_tmpfs_dir {
	struct list_head list;
	struct dentry *dentry;
	u64 ino;
};

struct pkram_tmpfs_save {
	const struct path *root;
	struct pkram_access *folios;
	struct pkram_access *bytes;
	struct list_head dirs;		/* to walk, breadth first */
	struct xarray links;		/* inode with links -> its number */
	u64 nr_inodes;
	u64 sockets;
	char *xattrs;			/* an inode's attributes, encoded */
	size_t xattr_len;
	char *list;			/* names from listxattr() */
	struct xarray *frozen;		/* files frozen for a kexec */
};

/* Names in one directory, from iterate_dir() */
struct pkram_tmpfs_names {
	struct dir_context ctx;
	char *buf;			/* each: u8 length, the name */
	size_t len;
	size_t cap;
	int err;
};

static bool pkram_tmpfs_name(struct dir_context *ctx, const char *name,
			     int len, loff_t off, u64 ino, unsigned int type)
{
	struct pkram_tmpfs_names *n = container_of(ctx, typeof(*n), ctx);

	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (len > NAME_MAX) {
		n->err = -ENAMETOOLONG;
		return false;
	}
	if (n->len + len + 2 > n->cap) {
		size_t cap = max_t(size_t, n->cap * 2, PAGE_SIZE);
		char *buf = kvrealloc(n->buf, cap, GFP_KERNEL);

		if (!buf) {
			n->err = -ENOMEM;
			return false;
		}
		n->buf = buf;
		n->cap = cap;
	}
	n->buf[n->len] = len;
	memcpy(n->buf + n->len + 1, name, len);
	n->len += len + 1;
	return true;
}

static int pkram_tmpfs_list_dir(struct pkram_tmpfs_save *sv,
				struct dentry *dir,
				struct pkram_tmpfs_names *n)
{
	struct path path = { .mnt = sv->root->mnt, .dentry = dir };
	struct file *file;
	int err;

	n->ctx.actor = pkram_tmpfs_name;
	n->ctx.pos = 0;
	n->len = 0;
	n->err = 0;
	file = dentry_open(&path, O_RDONLY | O_DIRECTORY | O_NOATIME,
			   current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	err = iterate_dir(file, &n->ctx);
	fput(file);
	return err ?: n->err;
}

/* Append to the inode's encoded attributes. */
static int pkram_tmpfs_xattr_add(struct pkram_tmpfs_save *sv,
				 const char *name, const void *value,
				 size_t len)
{
	struct pkram_tmpfs_xattr x = {
		.name_len = strlen(name),
		.value_len = len,
	};
	size_t need = sizeof(x) + x.name_len + len;

	if (sv->xattr_len + need > PKRAM_TMPFS_MAX_XATTR) {
		pr_err("a tmpfs inode has more than %u KiB of extended attributes: it cannot be kept\n",
		       PKRAM_TMPFS_MAX_XATTR >> 10);
		return -E2BIG;
	}
	memcpy(sv->xattrs + sv->xattr_len, &x, sizeof(x));
	memcpy(sv->xattrs + sv->xattr_len + sizeof(x), name, x.name_len);
	memcpy(sv->xattrs + sv->xattr_len + sizeof(x) + x.name_len, value,
	       len);
	sv->xattr_len += need;
	return 0;
}

/* Encode every extended attribute of @d into sv->xattrs. */
static int pkram_tmpfs_get_xattrs(struct pkram_tmpfs_save *sv,
				  struct dentry *d)
{
	char *value = sv->xattrs + PKRAM_TMPFS_MAX_XATTR;
	ssize_t len, vlen;
	char *name;
	int err;

	sv->xattr_len = 0;
	len = vfs_listxattr(d, sv->list, XATTR_LIST_MAX);
	if (len == -EOPNOTSUPP)
		return 0;
	if (len < 0)
		return len;
	for (name = sv->list; name < sv->list + len;
	     name += strlen(name) + 1) {
		if (is_posix_acl_xattr(name)) {
			struct posix_acl *acl;

			acl = vfs_get_acl(&nop_mnt_idmap, d, name);
			if (IS_ERR(acl))
				return PTR_ERR(acl);
			if (!acl)
				continue;
			vlen = posix_acl_to_xattr(&init_user_ns, acl, value,
						  XATTR_SIZE_MAX);
			posix_acl_release(acl);
		} else {
			vlen = vfs_getxattr(&nop_mnt_idmap, d, name, value,
					    XATTR_SIZE_MAX);
		}
		if (vlen == -ENODATA)
			continue;	/* removed meanwhile */
		if (vlen < 0)
			return vlen;
		err = pkram_tmpfs_xattr_add(sv, name, value, vlen);
		if (err)
			return err;
	}
	return 0;
}

static void pkram_tmpfs_times(struct pkram_tmpfs_entry *e, struct inode *inode)
{
	struct timespec64 t;

	t = inode_get_atime(inode);
	e->atime_sec = t.tv_sec;
	e->atime_nsec = t.tv_nsec;
	t = inode_get_mtime(inode);
	e->mtime_sec = t.tv_sec;
	e->mtime_nsec = t.tv_nsec;
	t = inode_get_ctime(inode);
	e->ctime_sec = t.tv_sec;
	e->ctime_nsec = t.tv_nsec;
}

/* Record @d, named @name in directory @parent (0 and "" for the root). */
static int pkram_tmpfs_save_one(struct pkram_tmpfs_save *sv, u64 parent,
				struct dentry *d, const char *name, u8 len)
{
	struct pkram_tmpfs_entry e = { .parent = parent, .name_len = len };
	struct inode *inode = d_inode(d);
	DEFINE_DELAYED_CALL(done);
	const char *target = NULL;
	void *old;
	int err;

	if (S_ISSOCK(inode->i_mode)) {
		sv->sockets++;
		return 0;
	}
	if (!S_ISDIR(inode->i_mode) && inode->i_nlink > 1) {
		old = xa_load(&sv->links, (unsigned long)inode);
		if (old) {
			e.link = xa_to_value(old);
			e.mode = inode->i_mode & S_IFMT;
			return pkram_write_all(sv->bytes, &e, sizeof(e)) ?:
			       pkram_write_all(sv->bytes, name, len);
		}
	}
	if (sv->nr_inodes == PKRAM_TMPFS_MAX_INODES) {
		pr_err("a tmpfs tree has more than %lu inodes: it cannot be kept\n",
		       PKRAM_TMPFS_MAX_INODES);
		return -E2BIG;
	}
	e.mode = inode->i_mode;
	e.uid = from_kuid(&init_user_ns, inode->i_uid);
	e.gid = from_kgid(&init_user_ns, inode->i_gid);
	pkram_tmpfs_times(&e, inode);
	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode))
		e.rdev = new_encode_dev(inode->i_rdev);
	if (S_ISREG(inode->i_mode) && sv->frozen &&
	    !xa_load(sv->frozen, (unsigned long)inode)) {
		/* no new folio from here on, even by a page fault */
		err = xa_err(xa_store(sv->frozen, (unsigned long)inode, inode,
				      GFP_KERNEL));
		if (err)
			return err;
		ihold(inode);
		shmem_freeze(inode, SHMEM_FREEZE_SIZE | SHMEM_FREEZE_FOLIOS);
	}
	if (S_ISREG(inode->i_mode)) {
		err = pkram_shmem_save_folios(sv->folios, inode, &e.nr_folios,
					      &e.nr_pages);
		if (err)
			return err;
		e.size = i_size_read(inode);
	}
	if (S_ISLNK(inode->i_mode)) {
		target = vfs_get_link(d, &done);
		if (IS_ERR(target))
			return PTR_ERR(target);
		e.size = strlen(target);
	}
	err = pkram_tmpfs_get_xattrs(sv, d);
	e.xattr_len = sv->xattr_len;
	if (!err)
		err = pkram_write_all(sv->bytes, &e, sizeof(e)) ?:
		      pkram_write_all(sv->bytes, name, len) ?:
		      pkram_write_all(sv->bytes, target, e.size * !!target) ?:
		      pkram_write_all(sv->bytes, sv->xattrs, sv->xattr_len);
	do_delayed_call(&done);
	if (err)
		return err;
	sv->nr_inodes++;
	if (!S_ISDIR(inode->i_mode) && inode->i_nlink > 1) {
		err = xa_err(xa_store(&sv->links, (unsigned long)inode,
				      xa_mk_value(sv->nr_inodes), GFP_KERNEL));
		if (err)
			return err;
	}
	if (S_ISDIR(inode->i_mode)) {
		struct pkram_tmpfs_dir *dir = kmalloc(sizeof(*dir), GFP_KERNEL);

		if (!dir)
			return -ENOMEM;
		dir->dentry = dget(d);
		dir->ino = sv->nr_inodes;
		list_add_tail(&dir->list, &sv->dirs);
	}
	return 0;
}

/* Record every entry of directory @dir, inode @ino. */
static int pkram_tmpfs_save_dir(struct pkram_tmpfs_save *sv,
				struct pkram_tmpfs_dir *dir,
				struct pkram_tmpfs_names *n)
{
	size_t off;
	int err;

	err = pkram_tmpfs_list_dir(sv, dir->dentry, n);
	for (off = 0; !err && off < n->len; off += (u8)n->buf[off] + 1) {
		u8 len = n->buf[off];
		const char *name = n->buf + off + 1;
		struct dentry *d;

		d = lookup_one_unlocked(&nop_mnt_idmap, name, dir->dentry, len);
		if (IS_ERR(d))
			return PTR_ERR(d);
		if (d_really_is_positive(d))	/* else removed meanwhile */
			err = pkram_tmpfs_save_one(sv, dir->ino, d, name, len);
		dput(d);
		cond_resched();
	}
	return err;
}

/**
 * pkram_tmpfs_save - keep a tmpfs tree in the current object
 * @ps: a node being saved, with a current object of folios and bytes
 * @root: the tree's root: a directory of a tmpfs, and the mount it is
 *	  reached through
 * @frozen: NULL, or where each regular file is recorded (with a reference)
 *	    once it is frozen with shmem_freeze() before its folios are kept
 *
 * The caller keeps the tree from changing meanwhile (a frozen file system,
 * or one nobody else can reach); data written into kept folios until the
 * kexec is kept, as they are kept in place. With @frozen, no file gets a
 * new folio after it was walked, not even from a page fault of a mapping.
 *
 * Context: Process context; may sleep.
 * Return: 0; -E2BIG past a limit (see the top of this file); -EBUSY if a
 * file has pages in swap; -ENOMEM; or what the VFS returned.
 */
int pkram_tmpfs_save(struct pkram_stream *ps, const struct path *root,
		     struct xarray *frozen)
{
	PKRAM_ACCESS(pa, ps, folios);
	PKRAM_ACCESS(pb, ps, bytes);
	struct pkram_tmpfs_header h = {
		.magic = PKRAM_TMPFS_MAGIC,
		.version = PKRAM_TMPFS_VERSION,
	};
	struct pkram_tmpfs_save sv = {
		.root = root,
		.folios = &pa,
		.bytes = &pb,
		.dirs = LIST_HEAD_INIT(sv.dirs),
		.frozen = frozen,
	};
	struct pkram_tmpfs_names n = { };
	struct pkram_tmpfs_dir *dir, *tmp;
	int err = -ENOMEM;

	xa_init(&sv.links);
	sv.xattrs = kvmalloc(PKRAM_TMPFS_MAX_XATTR + XATTR_SIZE_MAX,
			     GFP_KERNEL);
	sv.list = kvmalloc(XATTR_LIST_MAX, GFP_KERNEL);
	if (sv.xattrs && sv.list)
		err = pkram_write_all(sv.bytes, &h, sizeof(h)) ?:
		      pkram_tmpfs_save_one(&sv, 0, root->dentry, "", 0);
	while (!err && !list_empty(&sv.dirs)) {
		dir = list_first_entry(&sv.dirs, struct pkram_tmpfs_dir, list);
		err = pkram_tmpfs_save_dir(&sv, dir, &n);
		list_del(&dir->list);
		dput(dir->dentry);
		kfree(dir);
	}
	list_for_each_entry_safe(dir, tmp, &sv.dirs, list) {
		dput(dir->dentry);
		kfree(dir);
	}
	if (sv.sockets)
		pr_info("%s: %llu socket(s) not kept\n", ps->node->meta->name,
			sv.sockets);
	kvfree(n.buf);
	kvfree(sv.list);
	kvfree(sv.xattrs);
	xa_destroy(&sv.links);
	pkram_finish_access(&pa);
	pkram_finish_access(&pb);
	return err;
}

/* ---- loading ---- */

struct pkram_tmpfs_load {
	const char *buf;		/* the byte stream */
	size_t len;
	u64 nr_inodes;
	u8 *kind;			/* [ino]: S_IFMT >> 12 */
	size_t *slot;			/* (parent, name) -> offset + 1 */
	size_t nr_slots;
	u64 folios;
	u64 pages;
};

/* One entry at @off: its record, name, target and attributes. */
struct pkram_tmpfs_rec {
	struct pkram_tmpfs_entry e;
	const char *name;
	const char *target;
	const char *xattrs;
	size_t next;			/* offset of the entry after it */
};

static int pkram_tmpfs_bad(const char *why)
{
	pr_err("a tmpfs tree record is damaged: %s\n", why);
	return -EBADMSG;
}

/* Split the entry at @off; only its framing is checked here. */
static int pkram_tmpfs_rec_at(const struct pkram_tmpfs_load *ld, size_t off,
			      struct pkram_tmpfs_rec *r)
{
	size_t left = ld->len - off;
	u64 extra;

	if (left < sizeof(r->e))
		return pkram_tmpfs_bad("short record");
	memcpy(&r->e, ld->buf + off, sizeof(r->e));
	extra = (u64)r->e.name_len + r->e.xattr_len;
	if (S_ISLNK(r->e.mode) && !r->e.link)
		extra += min_t(u64, r->e.size, ld->len);
	if (extra > left - sizeof(r->e))
		return pkram_tmpfs_bad("record runs past the end");
	r->name = ld->buf + off + sizeof(r->e);
	r->target = r->name + r->e.name_len;
	r->xattrs = r->target + (S_ISLNK(r->e.mode) && !r->e.link ?
				 r->e.size : 0);
	r->next = off + sizeof(r->e) + extra;
	return 0;
}

static bool pkram_tmpfs_name_ok(const char *name, u16 len)
{
	return len && len <= NAME_MAX && !memchr(name, '/', len) &&
	       !memchr(name, 0, len) &&
	       !(len == 1 && name[0] == '.') &&
	       !(len == 2 && name[0] == '.' && name[1] == '.');
}

static bool pkram_tmpfs_xattrs_ok(const char *p, u32 len)
{
	struct pkram_tmpfs_xattr x;

	while (len) {
		if (len < sizeof(x))
			return false;
		memcpy(&x, p, sizeof(x));
		if (x.reserved || !x.name_len || x.name_len > XATTR_NAME_MAX ||
		    x.value_len > XATTR_SIZE_MAX ||
		    (u64)x.name_len + x.value_len > len - sizeof(x) ||
		    memchr(p + sizeof(x), 0, x.name_len))
			return false;
		p += sizeof(x) + x.name_len + x.value_len;
		len -= sizeof(x) + x.name_len + x.value_len;
	}
	return true;
}

/* Is the name of the entry at @off new in its directory? Then record it. */
static bool pkram_tmpfs_name_new(struct pkram_tmpfs_load *ld, size_t off,
				 const struct pkram_tmpfs_rec *r)
{
	size_t i = jhash(r->name, r->e.name_len, (u32)r->e.parent) %
		   ld->nr_slots;

	while (ld->slot[i]) {
		struct pkram_tmpfs_rec o;

		pkram_tmpfs_rec_at(ld, ld->slot[i] - 1, &o);
		if (o.e.parent == r->e.parent &&
		    o.e.name_len == r->e.name_len &&
		    !memcmp(o.name, r->name, r->e.name_len))
			return false;
		i = (i + 1) % ld->nr_slots;
	}
	ld->slot[i] = off + 1;
	return true;
}

/* Check one entry against those before it. */
static int pkram_tmpfs_check_rec(struct pkram_tmpfs_load *ld, size_t off,
				 const struct pkram_tmpfs_rec *r, bool root)
{
	const struct pkram_tmpfs_entry *e = &r->e;
	umode_t type = e->mode & S_IFMT;

	if (e->reserved0 || e->reserved1 || e->reserved[0] || e->reserved[1])
		return pkram_tmpfs_bad("reserved fields set");
	if (root) {
		if (e->parent || e->link || e->name_len || !S_ISDIR(e->mode))
			return pkram_tmpfs_bad("the first entry is not the root");
	} else {
		if (!e->parent || e->parent > ld->nr_inodes ||
		    ld->kind[e->parent] != S_IFDIR >> 12)
			return pkram_tmpfs_bad("parent is not a directory before it");
		if (!pkram_tmpfs_name_ok(r->name, e->name_len))
			return pkram_tmpfs_bad("bad name");
		if (!pkram_tmpfs_name_new(ld, off, r))
			return pkram_tmpfs_bad("a name twice in a directory");
	}
	if (e->link) {
		if (e->link > ld->nr_inodes ||
		    ld->kind[e->link] != type >> 12 || S_ISDIR(e->mode) ||
		    e->mode & ~S_IFMT || e->size || e->nr_folios ||
		    e->nr_pages || e->xattr_len || e->uid || e->gid ||
		    e->rdev || e->atime_sec || e->mtime_sec || e->ctime_sec ||
		    e->atime_nsec || e->mtime_nsec || e->ctime_nsec)
			return pkram_tmpfs_bad("bad hard link");
		return 0;
	}
	if ((type != S_IFDIR && type != S_IFREG && type != S_IFLNK &&
	     type != S_IFCHR && type != S_IFBLK && type != S_IFIFO) ||
	    e->mode & ~(S_IFMT | 07777))
		return pkram_tmpfs_bad("bad mode");
	if (e->atime_nsec >= NSEC_PER_SEC || e->mtime_nsec >= NSEC_PER_SEC ||
	    e->ctime_nsec >= NSEC_PER_SEC)
		return pkram_tmpfs_bad("bad time");
	if ((type != S_IFREG && (e->nr_folios || e->nr_pages)) ||
	    (type != S_IFREG && type != S_IFLNK && e->size) ||
	    (type != S_IFCHR && type != S_IFBLK && e->rdev) ||
	    (type == S_IFREG && (e->size > MAX_LFS_FILESIZE ||
				 e->nr_folios > e->nr_pages ||
				 /* a large folio may reach past the end */
				 e->nr_pages > round_up(DIV_ROUND_UP(e->size, PAGE_SIZE),
							1UL << MAX_PAGECACHE_ORDER))) ||
	    (type == S_IFLNK && (!e->size || e->size >= PATH_MAX ||
				 memchr(r->target, 0, e->size))))
		return pkram_tmpfs_bad("bad size or device");
	if (!pkram_tmpfs_xattrs_ok(r->xattrs, e->xattr_len))
		return pkram_tmpfs_bad("bad extended attribute");
	ld->nr_inodes++;
	ld->kind[ld->nr_inodes] = type >> 12;
	ld->folios += e->nr_folios;
	ld->pages += e->nr_pages;
	return 0;
}

/* Check every entry before anything is created. */
static int pkram_tmpfs_check(struct pkram_tmpfs_load *ld,
			     const struct pkram_obj_meta *obj)
{
	struct pkram_tmpfs_header h;
	struct pkram_tmpfs_rec r;
	size_t off, max;
	int err;

	if (ld->len < sizeof(h))
		return pkram_tmpfs_bad("no header");
	memcpy(&h, ld->buf, sizeof(h));
	if (h.magic != PKRAM_TMPFS_MAGIC)
		return pkram_tmpfs_bad("not a tmpfs tree");
	if (h.version != PKRAM_TMPFS_VERSION) {
		pr_err("a tmpfs tree is version %u; this kernel reads %u\n",
		       h.version, PKRAM_TMPFS_VERSION);
		return -EBADMSG;
	}
	if (h.reserved0 || h.reserved[0] || h.reserved[1] || h.reserved[2])
		return pkram_tmpfs_bad("reserved fields set");
	/* at most this many entries; a slot table twice as large */
	max = (ld->len - sizeof(h)) / sizeof(struct pkram_tmpfs_entry);
	if (!max || max > 2 * (u64)PKRAM_TMPFS_MAX_INODES)
		return pkram_tmpfs_bad("no root, or too many entries");
	ld->kind = kvzalloc(min_t(size_t, max, PKRAM_TMPFS_MAX_INODES) + 1,
			    GFP_KERNEL);
	ld->nr_slots = 2 * max;
	ld->slot = kvcalloc(ld->nr_slots, sizeof(*ld->slot), GFP_KERNEL);
	if (!ld->kind || !ld->slot)
		return -ENOMEM;
	for (off = sizeof(h); off < ld->len; off = r.next) {
		err = pkram_tmpfs_rec_at(ld, off, &r);
		if (!err && !r.e.link &&
		    ld->nr_inodes == PKRAM_TMPFS_MAX_INODES)
			err = pkram_tmpfs_bad("too many inodes");
		err = err ?: pkram_tmpfs_check_rec(ld, off, &r,
						   off == sizeof(h));
		if (err)
			return err;
	}
	if (ld->folios != obj->nr_folios || ld->pages != obj->nr_pages)
		return pkram_tmpfs_bad("the files' folios do not add up");
	return 0;
}

static void pkram_tmpfs_set_times(struct inode *inode,
				  const struct pkram_tmpfs_entry *e)
{
	inode_set_atime(inode, e->atime_sec, e->atime_nsec);
	inode_set_mtime(inode, e->mtime_sec, e->mtime_nsec);
	inode_set_ctime(inode, e->ctime_sec, e->ctime_nsec);
}

static int pkram_tmpfs_set_xattrs(struct dentry *d, const char *p, u32 len)
{
	char name[XATTR_NAME_MAX + 1];
	struct pkram_tmpfs_xattr x;
	int err;

	while (len) {
		const void *value;

		memcpy(&x, p, sizeof(x));
		memcpy(name, p + sizeof(x), x.name_len);
		name[x.name_len] = '\0';
		value = p + sizeof(x) + x.name_len;
		if (is_posix_acl_xattr(name)) {
			struct posix_acl *acl;

			acl = posix_acl_from_xattr(&init_user_ns, value,
						   x.value_len);
			if (IS_ERR(acl))
				return PTR_ERR(acl);
			err = vfs_set_acl(&nop_mnt_idmap, d, name, acl);
			posix_acl_release(acl);
		} else {
			err = __vfs_setxattr(&nop_mnt_idmap, d, d_inode(d), name,
					     value, x.value_len, 0);
		}
		if (err)
			return err;
		p += sizeof(x) + x.name_len + x.value_len;
		len -= sizeof(x) + x.name_len + x.value_len;
	}
	return 0;
}

/* Create the entry @r in its directory; *@dp gets the new dentry. */
static int pkram_tmpfs_create(struct dentry **dentries,
			      const struct pkram_tmpfs_rec *r,
			      struct dentry **dp)
{
	const struct pkram_tmpfs_entry *e = &r->e;
	struct dentry *parent = dentries[e->parent], *d;
	struct inode *dir = d_inode(parent);
	umode_t mode = e->mode;
	char *target = NULL;
	int err;

	if (S_ISLNK(mode) && !e->link) {
		target = kmemdup_nul(r->target, e->size, GFP_KERNEL);
		if (!target)
			return -ENOMEM;
	}
	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(r->name, parent, e->name_len);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	if (d_really_is_positive(d))
		err = -EEXIST;
	else if (e->link)
		err = vfs_link(dentries[e->link], &nop_mnt_idmap, dir, d, NULL);
	else if (S_ISDIR(mode))
		err = vfs_mkdir(&nop_mnt_idmap, dir, d, mode & 07777);
	else if (S_ISREG(mode))
		err = vfs_create(&nop_mnt_idmap, dir, d, mode, true);
	else if (S_ISLNK(mode))
		err = vfs_symlink(&nop_mnt_idmap, dir, d, target);
	else
		err = vfs_mknod(&nop_mnt_idmap, dir, d, mode,
				new_decode_dev(e->rdev));
	if (err)
		dput(d);
	else
		*dp = d;
out:
	inode_unlock(dir);
	kfree(target);
	return err;
}

/*
 * An entry created in a directory that has a default ACL inherits it; the
 * saved tree says which ACLs the inode had, so drop what it inherited.
 */
static int pkram_tmpfs_drop_acls(struct dentry *d)
{
	struct inode *inode = d_inode(d);
	int err;

	if (!IS_POSIXACL(inode) || S_ISLNK(inode->i_mode))
		return 0;
	err = vfs_remove_acl(&nop_mnt_idmap, d, XATTR_NAME_POSIX_ACL_ACCESS);
	if (!err && S_ISDIR(inode->i_mode))
		err = vfs_remove_acl(&nop_mnt_idmap, d,
				     XATTR_NAME_POSIX_ACL_DEFAULT);
	return err;
}

/* Give the new inode of @r its owner, mode and attributes. */
static int pkram_tmpfs_attrs(struct dentry *d, const struct pkram_tmpfs_rec *r)
{
	const struct pkram_tmpfs_entry *e = &r->e;
	struct inode *inode = d_inode(d);
	int err;

	err = pkram_tmpfs_drop_acls(d);
	if (err)
		return err;
	inode->i_mode = e->mode;
	inode->i_uid = make_kuid(&init_user_ns, e->uid);
	inode->i_gid = make_kgid(&init_user_ns, e->gid);
	return pkram_tmpfs_set_xattrs(d, r->xattrs, e->xattr_len);
}

/*
 * A tmpfs mounted with a size= (or the default half of memory) must hold
 * the tree: find out now, while nothing has been taken from the node.
 */
static int pkram_tmpfs_room(const struct pkram_tmpfs_load *ld,
			    struct dentry *root)
{
	struct kstatfs st = {};
	int err;

	err = root->d_sb->s_op->statfs(root, &st);
	if (err)
		return err;
	if (st.f_blocks && ld->pages > st.f_bfree) {
		pr_err("a kept tmpfs tree needs %llu KiB; this mount has room for %llu KiB: mount it with a larger size=\n",
		       ld->pages << (PAGE_SHIFT - 10),
		       (u64)st.f_bfree << (PAGE_SHIFT - 10));
		return -ENOSPC;
	}
	return 0;
}

/*
 * First every entry, with owner, mode and attributes, and no data: what
 * fails here (memory, nr_inodes=) leaves the node as it was.
 */
static int pkram_tmpfs_create_all(struct pkram_tmpfs_load *ld,
				  struct dentry *root, struct dentry **dentries)
{
	struct pkram_tmpfs_rec r;
	size_t off = sizeof(struct pkram_tmpfs_header);
	u64 ino = 0;
	int err = 0;

	for (; !err && off < ld->len; off = r.next) {
		struct dentry *d = NULL;

		pkram_tmpfs_rec_at(ld, off, &r);
		if (!ino) {
			d = dget(root);
		} else {
			err = pkram_tmpfs_create(dentries, &r, &d);
			if (err || r.e.link) {
				dput(d);
				continue;
			}
		}
		dentries[++ino] = d;
		err = pkram_tmpfs_attrs(d, &r);
		cond_resched();
	}
	return err;
}

/*
 * Then the files' folios, in the order they were saved. Inserting a kept
 * folio fails only for a damaged stream; once the first is taken, the node
 * cannot be given back.
 */
static int pkram_tmpfs_fill_files(struct pkram_tmpfs_load *ld,
				  struct pkram_access *pa,
				  struct dentry **dentries)
{
	struct pkram_tmpfs_rec r;
	size_t off = sizeof(struct pkram_tmpfs_header);
	u64 ino = 0;
	int err = 0;

	for (; !err && off < ld->len; off = r.next) {
		struct inode *inode;

		pkram_tmpfs_rec_at(ld, off, &r);
		if (r.e.link)
			continue;
		inode = d_inode(dentries[++ino]);
		if (!S_ISREG(r.e.mode))
			continue;
		err = pkram_shmem_load_folios(pa, inode, r.e.nr_folios,
					      r.e.nr_pages);
		if (!err)
			i_size_write(inode, r.e.size);
	}
	/* times last: creating entries changed the directories' */
	ino = 0;
	off = sizeof(struct pkram_tmpfs_header);
	for (; !err && off < ld->len; off = r.next) {
		pkram_tmpfs_rec_at(ld, off, &r);
		if (!r.e.link)
			pkram_tmpfs_set_times(d_inode(dentries[++ino]), &r.e);
	}
	return err;
}

static int pkram_tmpfs_build(struct pkram_tmpfs_load *ld,
			     struct pkram_access *pa, struct dentry *root,
			     bool *taken)
{
	struct dentry **dentries;
	u64 i;
	int err;

	dentries = kvcalloc(ld->nr_inodes + 1, sizeof(*dentries), GFP_KERNEL);
	if (!dentries)
		return -ENOMEM;
	err = pkram_tmpfs_create_all(ld, root, dentries);
	if (!err) {
		*taken = true;
		err = pkram_tmpfs_fill_files(ld, pa, dentries);
	}
	for (i = 1; i <= ld->nr_inodes; i++)
		dput(dentries[i]);
	kvfree(dentries);
	return err;
}

/**
 * pkram_tmpfs_load - build a kept tmpfs tree in an empty tmpfs
 * @ps: the node being loaded, at the tree's object
 * @root: the root directory of an empty tmpfs nobody else uses yet
 * @taken: set to whether anything was taken from the node
 *
 * The records are read in place (pkram_peek()) and checked first, and the
 * tmpfs must have room for the data. Then every entry is created under
 * @root, with owner, mode and attributes; @root gets the kept root's. Up to
 * here nothing is taken from the node, so that on failure the caller can
 * give it back with pkram_cancel_load(). Last, every regular file gets its
 * folios back in place, which fails only for a damaged folio stream, and
 * every inode its times.
 *
 * Context: Process context; may sleep.
 * Return: 0; -EBADMSG (with a log line) for damaged records; -ENOSPC (with
 * a log line) if the tmpfs is too small for the data; -ENOMEM, or what the
 * VFS returned. With *@taken the tree is left half built: drop the file
 * system.
 */
int pkram_tmpfs_load(struct pkram_stream *ps, struct dentry *root,
		     bool *taken)
{
	PKRAM_ACCESS(pa, ps, folios);
	struct pkram_tmpfs_load ld = { .len = ps->obj->data_len };
	char *buf;
	int err;

	*taken = false;
	buf = kvmalloc(ld.len ?: 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ld.buf = buf;
	err = -EBADMSG;
	if (pkram_peek(ps, buf, ld.len) != ld.len) {
		pkram_tmpfs_bad("short byte stream");
		goto out;
	}
	err = pkram_tmpfs_check(&ld, ps->obj) ?: pkram_tmpfs_room(&ld, root);
	kvfree(ld.slot);
	kvfree(ld.kind);
	if (!err)
		err = pkram_tmpfs_build(&ld, &pa, root, taken);
out:
	pkram_finish_access(&pa);
	kvfree(buf);
	return err;
}

/* ---- tmpfs mounted with -o pkram=NAME ---- */

/*
 * A kept tmpfs lives from its first mount until the kexec, or until it is
 * discarded: PKRAM holds a mount of its own, so that umount leaves the tree
 * as it is and a mount of the same name gets it back. Its node is named
 * PKRAM_TMPFS_PREFIX NAME, so that no other user's node is taken for a tree.
 */
#define PKRAM_TMPFS_PREFIX	"tmpfs:"

struct pkram_tmpfs_fs {
	struct list_head list;
	char name[PKRAM_NAME_MAX + 1];	/* the node's */
	struct vfsmount *mnt;
	bool frozen;			/* for a kexec under way */
	struct xarray files;		/* frozen files */
};

/*
 * The mutex serializes mounts, discards and the saver; the list changes
 * under both locks, and show_options() and reconfigure(), called with the
 * superblock locked, read it under the spinlock only (sget_fc() takes
 * s_umount under the mutex).
 */
static DEFINE_MUTEX(pkram_tmpfs_mutex);
static DEFINE_SPINLOCK(pkram_tmpfs_lock);
static LIST_HEAD(pkram_tmpfs_list);

static struct pkram_tmpfs_fs *pkram_tmpfs_find(const char *name,
					       struct super_block *sb)
{
	struct pkram_tmpfs_fs *fs;

	list_for_each_entry(fs, &pkram_tmpfs_list, list)
		if (name ? !strcmp(fs->name, name) : fs->mnt->mnt_sb == sb)
			return fs;
	return NULL;
}

static int pkram_tmpfs_test(struct super_block *sb, struct fs_context *fc)
{
	return sb == fc->sget_key;
}

/* Build the tree of the incoming node @node, if there is one, in @sb. */
static int pkram_tmpfs_restore(struct super_block *sb, const char *node)
{
	struct pkram_stream ps;
	bool taken = false;
	int err;

	err = pkram_prepare_load(&ps, node);
	if (err == -ENOENT)
		return 0;
	if (err) {
		pr_err("%s: cannot be loaded (%d)\n", node, err);
		return err;
	}
	err = pkram_prepare_load_obj(&ps);
	if (!err)
		err = pkram_tmpfs_load(&ps, sb->s_root, &taken);
	else
		err = -EBADMSG;
	if (err && !taken) {
		pkram_cancel_load(&ps);
		pr_err("%s: the tree cannot be built (%d): not mounted; the node is kept for a later mount, inspection or discard\n",
		       node, err);
		return err;
	}
	pkram_finish_load(&ps);
	if (err)
		pr_err("%s: the tree cannot be built (%d)\n", node, err);
	return err;
}

/* A new tmpfs for @node, with its tree if it has one; kept from now on. */
static int pkram_tmpfs_new(struct fs_context *fc, const char *node,
			   int (*fill)(struct super_block *sb,
				       struct fs_context *fc))
{
	struct pkram_tmpfs_fs *fs;
	struct super_block *sb;
	struct vfsmount *mnt;
	int err;

	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	sb = sget_fc(fc, NULL, set_anon_super_fc);
	if (IS_ERR(sb)) {
		kfree(fs);
		return PTR_ERR(sb);
	}
	err = fill(sb, fc);
	if (err)
		goto fail;
	sb->s_flags |= SB_ACTIVE;
	fc->root = dget(sb->s_root);
	/* before the tree is built: nothing may fail once it has been */
	mnt = vfs_create_mount(fc);
	if (IS_ERR(mnt)) {
		err = PTR_ERR(mnt);
		goto fail_root;
	}
	err = pkram_tmpfs_restore(sb, node);
	if (err) {
		mntput(mnt);
		goto fail_root;
	}
	strscpy(fs->name, node, sizeof(fs->name));
	fs->mnt = mnt;
	xa_init(&fs->files);
	spin_lock(&pkram_tmpfs_lock);
	list_add_tail(&fs->list, &pkram_tmpfs_list);
	spin_unlock(&pkram_tmpfs_lock);
	return 0;
fail_root:
	dput(fc->root);
	fc->root = NULL;
fail:
	deactivate_locked_super(sb);
	kfree(fs);
	return err;
}

/**
 * pkram_tmpfs_get_tree - get_tree() of a tmpfs mounted with -o pkram=NAME
 * @fc: the mount's context
 * @name: NAME
 * @fill: tmpfs's fill_super()
 *
 * The first mount of NAME in a boot builds the tree kept under NAME by the
 * previous kernel, or starts empty; later mounts get the same tree back.
 * Root in the initial user namespace only.
 *
 * Return: 0 with fc->root set; -EINVAL for a bad NAME, -EPERM, -EBUSY if
 * NAME is mounted already or a kexec is under way, -EBADMSG if the kept
 * tree is damaged, or another errno.
 */
int pkram_tmpfs_get_tree(struct fs_context *fc, const char *name,
			 int (*fill)(struct super_block *sb,
				     struct fs_context *fc))
{
	char node[PKRAM_NAME_MAX + 2];
	struct pkram_tmpfs_fs *fs;
	struct super_block *sb;
	int err = 0;

	if (snprintf(node, sizeof(node), PKRAM_TMPFS_PREFIX "%s", name) >
	    PKRAM_NAME_MAX || !pkram_name_valid(node))
		return invalfc(fc, "pkram=%s: not a name of 1 to %zu characters of [A-Za-z0-9._:-]",
			       name, PKRAM_NAME_MAX - strlen(PKRAM_TMPFS_PREFIX));
	if (fc->user_ns != &init_user_ns || !capable(CAP_SYS_ADMIN))
		return -EPERM;

	mutex_lock(&pkram_tmpfs_mutex);
	fs = pkram_tmpfs_find(node, NULL);
	if (!fs) {
		err = pkram_tmpfs_new(fc, node, fill);
		goto out;
	}
	if (fs->frozen) {
		err = -EBUSY;
		goto out;
	}
	fc->sget_key = fs->mnt->mnt_sb;
	sb = sget_fc(fc, pkram_tmpfs_test, set_anon_super_fc);
	if (IS_ERR(sb)) {
		err = PTR_ERR(sb);
		goto out;
	}
	/* PKRAM's mount and the reference sget_fc() took: more is a mount */
	if (sb != fs->mnt->mnt_sb || atomic_read(&sb->s_active) > 2) {
		deactivate_locked_super(sb);
		errorfc(fc, "pkram=%s is mounted already", name);
		err = -EBUSY;
		goto out;
	}
	fc->root = dget(sb->s_root);
out:
	mutex_unlock(&pkram_tmpfs_mutex);
	return err;
}

struct pkram_tmpfs_stat {
	u64 files;
	u64 folios;
	u64 pages;
	u64 bytes;
};

/* What the regular files of a kept tree hold now, read without sleeping. */
static void pkram_tmpfs_stat(struct super_block *sb,
			     struct pkram_tmpfs_stat *st)
{
	struct inode *inode;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		XA_STATE(xas, &inode->i_mapping->i_pages, 0);
		struct folio *folio;

		if (!S_ISREG(inode->i_mode))
			continue;
		st->files++;
		st->bytes += i_size_read(inode);
		rcu_read_lock();
		xas_for_each(&xas, folio, ULONG_MAX) {
			if (xas_retry(&xas, folio) || xa_is_value(folio))
				continue;
			st->folios++;
			st->pages += folio_nr_pages(folio);
		}
		rcu_read_unlock();
	}
	spin_unlock(&sb->s_inode_list_lock);
}

/**
 * pkram_tmpfs_nodes_text - the kept tmpfs trees, as lines of the node list
 * @buf: where to write, at most @cap bytes
 * @cap: its size; pkram_tmpfs_count() lines of 192 bytes fit
 *
 * Each tree becomes a node only at the kexec; until then its line says
 * "kept", and counts what it holds now: in the objects column its regular
 * files, then their folios and pages, and in the bytes column their sizes.
 *
 * Return: the length written.
 */
static size_t pkram_tmpfs_nodes_text(char *buf, size_t cap)
{
	struct pkram_tmpfs_fs *fs;
	size_t len = 0;

	spin_lock(&pkram_tmpfs_lock);
	list_for_each_entry(fs, &pkram_tmpfs_list, list) {
		struct pkram_tmpfs_stat st = { };

		if (READ_ONCE(fs->frozen))	/* listed as its node */
			continue;
		pkram_tmpfs_stat(fs->mnt->mnt_sb, &st);
		len += scnprintf(buf + len, cap - len,
				 "out %s kept %llu %llu %llu %llu 0\n",
				 fs->name, st.files, st.folios, st.pages,
				 st.bytes);
	}
	spin_unlock(&pkram_tmpfs_lock);
	return len;
}

static size_t pkram_tmpfs_count(void)
{
	struct pkram_tmpfs_fs *fs;
	size_t n = 0;

	spin_lock(&pkram_tmpfs_lock);
	list_for_each_entry(fs, &pkram_tmpfs_list, list)
		n++;
	spin_unlock(&pkram_tmpfs_lock);
	return n;
}

/**
 * pkram_tmpfs_reconfigure - may a remount say pkram=@name?
 * @sb: the tmpfs
 * @name: what the remount says
 *
 * Return: 0 if @sb is kept under @name, else -EINVAL.
 */
int pkram_tmpfs_reconfigure(struct super_block *sb, const char *name)
{
	struct pkram_tmpfs_fs *fs;
	int err;

	spin_lock(&pkram_tmpfs_lock);
	fs = pkram_tmpfs_find(NULL, sb);
	err = fs && !strcmp(fs->name + strlen(PKRAM_TMPFS_PREFIX), name) ?
	      0 : -EINVAL;
	spin_unlock(&pkram_tmpfs_lock);
	return err;
}

/**
 * pkram_tmpfs_show_options - add ",pkram=NAME" for a kept tmpfs
 * @seq: the mount options being shown
 * @sb: the tmpfs
 */
void pkram_tmpfs_show_options(struct seq_file *seq, struct super_block *sb)
{
	struct pkram_tmpfs_fs *fs;

	spin_lock(&pkram_tmpfs_lock);
	fs = pkram_tmpfs_find(NULL, sb);
	if (fs)
		seq_printf(seq, ",pkram=%s",
			   fs->name + strlen(PKRAM_TMPFS_PREFIX));
	spin_unlock(&pkram_tmpfs_lock);
}

/*
 * Forget the kept tmpfs of node @node if nobody has it mounted: its memory
 * goes back with it. Return: 0, -ENOENT if there is none, or -EBUSY.
 */
static int pkram_tmpfs_discard(const char *node)
{
	struct pkram_tmpfs_fs *fs;
	int err = -ENOENT;

	mutex_lock(&pkram_tmpfs_mutex);
	fs = pkram_tmpfs_find(node, NULL);
	if (fs && (fs->frozen ||
		   atomic_read(&fs->mnt->mnt_sb->s_active) > 1)) {
		err = -EBUSY;
	} else if (fs) {
		spin_lock(&pkram_tmpfs_lock);
		list_del(&fs->list);
		spin_unlock(&pkram_tmpfs_lock);
	}
	mutex_unlock(&pkram_tmpfs_mutex);
	if (!fs || err == -EBUSY)
		return err;
	mntput(fs->mnt);
	kfree(fs);
	return 0;
}

static void pkram_tmpfs_thaw(struct pkram_tmpfs_fs *fs)
{
	struct inode *inode;
	unsigned long i;

	xa_for_each(&fs->files, i, inode) {
		shmem_freeze(inode, 0);
		xa_erase(&fs->files, i);
		iput(inode);
	}
	if (fs->frozen)
		thaw_super(fs->mnt->mnt_sb, FREEZE_HOLDER_KERNEL);
	fs->frozen = false;
}

/*
 * At kexec: freeze each kept tmpfs (writers wait, files get no new folio)
 * and save its tree under its node. A failure refuses the kexec.
 */
static int pkram_tmpfs_save_all(struct pkram_saver *saver)
{
	struct pkram_tmpfs_fs *fs;
	struct pkram_stream ps;
	int err = 0;

	mutex_lock(&pkram_tmpfs_mutex);
	list_for_each_entry(fs, &pkram_tmpfs_list, list) {
		struct path root = {
			.mnt = fs->mnt,
			.dentry = fs->mnt->mnt_root,
		};
		u64 t0 = ktime_get_ns(), nr_pages;

		if (!fs->frozen) {
			/*
			 * freeze_super() waits for a grace period per freeze
			 * level, and this is the kexec's downtime.
			 */
			rcu_expedite_gp();
			err = freeze_super(fs->mnt->mnt_sb,
					   FREEZE_HOLDER_KERNEL);
			rcu_unexpedite_gp();
			if (err)
				break;
			fs->frozen = true;
		}
		err = pkram_prepare_save(&ps, fs->name, GFP_KERNEL);
		if (err)
			break;
		err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
					     PKRAM_DATA_bytes);
		if (!err) {
			err = pkram_tmpfs_save(&ps, &root, &fs->files);
			pkram_finish_save_obj(&ps);
		}
		if (err) {
			pkram_discard_save(&ps);
			break;
		}
		nr_pages = ps.node->meta->nr_pages;
		err = pkram_finish_save(&ps);
		if (err)
			break;
		pr_info("%s saved in %llu us: %llu pages\n", fs->name,
			div_u64(ktime_get_ns() - t0, NSEC_PER_USEC), nr_pages);
	}
	if (err)
		pr_err("%s cannot be kept (%d)\n", fs->name, err);
	mutex_unlock(&pkram_tmpfs_mutex);
	return err;
}

/* The kexec was refused: the trees can change again. */
static void pkram_tmpfs_cancel(struct pkram_saver *saver)
{
	struct pkram_tmpfs_fs *fs;

	mutex_lock(&pkram_tmpfs_mutex);
	list_for_each_entry(fs, &pkram_tmpfs_list, list)
		pkram_tmpfs_thaw(fs);
	mutex_unlock(&pkram_tmpfs_mutex);
}

static struct pkram_saver pkram_tmpfs_saver = {
	.name = "tmpfs",
	.save = pkram_tmpfs_save_all,
	.cancel = pkram_tmpfs_cancel,
};

static struct pkram_keeper pkram_tmpfs_keeper = {
	.nodes_text = pkram_tmpfs_nodes_text,
	.count = pkram_tmpfs_count,
	.discard = pkram_tmpfs_discard,
};

static int __init pkram_tmpfs_init(void)
{
	pkram_register_keeper(&pkram_tmpfs_keeper);
	return pkram_register_saver(&pkram_tmpfs_saver);
}
late_initcall(pkram_tmpfs_init);

#ifdef CONFIG_PKRAM_KUNIT_TEST
#include "tests/tmpfs-kunit.h"
#endif
