// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM sysfs interface: /sys/kernel/pkram/
 *
 * See Documentation/ABI/testing/sysfs-kernel-pkram. Every file is root
 * only: they show physical addresses, node names or change state. The
 * handlers check CAP_SYS_ADMIN too, for a descriptor opened by root and
 * passed to someone else.
 *
 * /sys/kernel/debug/pkram/owned_pages (debugfs) counts the pages PKRAM
 * holds for outgoing nodes, for tests that look for leaks;
 * /sys/kernel/debug/pkram/kexec_bans lists the physical ranges ("start
 * end", hexadecimal, end exclusive) the loaded kexec image will be copied
 * to, where a saved folio is preserved as a copy.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t cmdline_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	phys_addr_t sb = pkram_sb_phys();

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return sysfs_emit(buf, "pkram=%#llx\n", (u64)sb);
}

static struct kobj_attribute cmdline_attr = __ATTR_RO_MODE(cmdline, 0400);

/*
 * One line per node:
 *   direction name state objects folios pages bytes meta_pages
 * and one per tmpfs kept by name, which becomes a node at the kexec:
 *   out tmpfs:NAME kept files folios pages bytes 0
 * A binary attribute, as a text one could hold only a page of nodes.
 */
static void *pkram_nodes_text(size_t *size)
{
	struct pkram_node *node;
	size_t cap, len = 0;
	char *buf;

	mutex_lock(&pkram_mutex);
	cap = (list_count_nodes(&pkram_nodes) + 1) * 192 +
	      pkram_keepers_count() * 192;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (buf) {
		list_for_each_entry(node, &pkram_nodes, list) {
			struct pkram_node_meta *m = node->meta;

			len += scnprintf(buf + len, cap - len,
					 "%s %s %s %llu %llu %llu %llu %llu\n",
					 node->incoming ? "in" : "out", m->name,
					 pkram_state_name(node->state),
					 m->nr_objs, m->nr_folios, m->nr_pages,
					 m->nr_bytes, m->nr_meta);
		}
		len += pkram_keepers_text(buf + len, cap - len);
	}
	mutex_unlock(&pkram_mutex);
	*size = len;
	return buf;
}

/*
 * Discard every incoming node nobody has started to load, but for those
 * that hold memory that is not the kernel's (pkram_discard() says so).
 */
static int pkram_discard_unclaimed(void)
{
	char name[PKRAM_NAME_MAX + 1];
	struct pkram_node *node;
	bool found;
	int err = 0;

	do {
		found = false;
		mutex_lock(&pkram_mutex);
		list_for_each_entry(node, &pkram_nodes, list) {
			if (node->state == PKRAM_INCOMING &&
			    !pkram_node_foreign(node)) {
				strscpy(name, node->meta->name, sizeof(name));
				found = true;
				break;
			}
		}
		if (!found)
			list_for_each_entry(node, &pkram_nodes, list)
				if (node->state == PKRAM_INCOMING)
					pr_info("node %s holds memory that is not the kernel's: kept\n",
						node->meta->name);
		mutex_unlock(&pkram_mutex);
		if (found)
			err = pkram_discard(name);
	} while (found && !err);
	return err;
}

static ssize_t discard_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	char name[PKRAM_NAME_MAX + 2], *s;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (count > sizeof(name) - 1)
		return -EINVAL;
	strscpy(name, buf, min(count + 1, sizeof(name)));
	s = strim(name);
	if (!strcmp(s, "--all-unclaimed"))
		err = pkram_discard_unclaimed();
	else
		err = pkram_discard(s);
	return err ? err : count;
}

static struct kobj_attribute discard_attr = __ATTR_WO(discard);

/* Write 1: would a kexec now be refused? The write fails with its error. */
static ssize_t kexec_check_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	bool yes;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = kstrtobool(buf, &yes);
	if (err || !yes)
		return -EINVAL;
	err = pkram_kexec_check();
	return err ? err : count;
}

static struct kobj_attribute kexec_check_attr = __ATTR_WO(kexec_check);

/*
 * A blob is built when a read of an open file starts at offset 0 and served
 * from that copy for the following offsets (sysfs reads a page at a time),
 * so one pass of reads sees one consistent blob, whoever else reads the
 * same attribute meanwhile: each open file has its own copy. A copy is freed
 * when its reader reaches the end (a small entry stays to answer the read
 * that finds the end with 0), or, if a reader stops early, when it is the
 * oldest of more than PKRAM_MAX_BLOBS.
 */
enum {
	PKRAM_BLOB_NODES, PKRAM_BLOB_OUT, PKRAM_BLOB_IN, PKRAM_BLOB_KEXEC_AVOID,
	PKRAM_BLOB_LIVEUPDATE,
};

/*
 * The physical ranges a kexec load must keep its segments off, one
 * "start end" line each (hexadecimal, end exclusive), sorted: what the
 * nodes occupy, memory registered to be saved at kexec time and the
 * handover's own pages, with gaps of less than PKRAM_AVOID_GAP between
 * them closed (no kexec segment fits there, and scattered pages would
 * make a line each). kexec_load refuses a segment on preserved memory;
 * loaders that place segments themselves (kexec-tools, through pkramctl
 * kexec-load) place them in the gaps.
 */
#define PKRAM_AVOID_GAP		SZ_2M

/* The lines of the avoid text, into @buf (of @cap bytes) if there is one. */
static size_t pkram_avoid_lines(const struct pkram_pfnmap *m, char *buf,
				size_t cap)
{
	unsigned long pos = 0, s, e, ns = 0, ne = 0;
	size_t len = 0;
	bool more = pkram_pfnmap_next(m, &pos, &s, &e);

	while (more) {
		while ((more = pkram_pfnmap_next(m, &pos, &ns, &ne)) &&
		       PFN_PHYS(ns) - PFN_PHYS(e) < PKRAM_AVOID_GAP)
			e = ne;
		if (buf)
			len += scnprintf(buf + len, cap - len, "%#llx %#llx\n",
					 PFN_PHYS(s), PFN_PHYS(e));
		else
			len++;
		s = ns;
		e = ne;
	}
	return len;
}

static void *pkram_kexec_avoid_text(size_t *size)
{
	struct pkram_pfnmap m;
	size_t cap;
	char *buf;

	mutex_lock(&pkram_mutex);
	if (pkram_collect_map(&m, PKRAM_COLLECT_PENDING |
			      PKRAM_COLLECT_HANDOVER)) {
		mutex_unlock(&pkram_mutex);
		return NULL;
	}
	mutex_unlock(&pkram_mutex);
	cap = pkram_avoid_lines(&m, NULL, 0) * 40 + 1;
	buf = kvmalloc(cap, GFP_KERNEL);
	*size = buf ? pkram_avoid_lines(&m, buf, cap) : 0;
	pkram_pfnmap_destroy(&m);
	return buf;
}

struct pkram_blob {
	struct list_head list;
	const struct file *file;
	int which;
	void *data;
	size_t size;
};

#define PKRAM_MAX_BLOBS		16
static DEFINE_MUTEX(pkram_blob_mutex);
static LIST_HEAD(pkram_blobs);		/* newest first */
static unsigned int pkram_nr_blobs;

static void pkram_blob_free(struct pkram_blob *b)
{
	list_del(&b->list);
	pkram_nr_blobs--;
	kvfree(b->data);
	kfree(b);
}

static struct pkram_blob *pkram_blob_find(const struct file *f, int which)
{
	struct pkram_blob *b;

	list_for_each_entry(b, &pkram_blobs, list)
		if (b->file == f && b->which == which)
			return b;
	return NULL;
}

/* A new copy for @f, replacing its old one. Caller holds pkram_blob_mutex. */
static struct pkram_blob *pkram_blob_build(const struct file *f, int which)
{
	struct pkram_blob *b = pkram_blob_find(f, which);

	if (b)
		pkram_blob_free(b);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	if (which == PKRAM_BLOB_NODES)
		b->data = pkram_nodes_text(&b->size);
	else if (which == PKRAM_BLOB_KEXEC_AVOID)
		b->data = pkram_kexec_avoid_text(&b->size);
	else if (IS_ENABLED(CONFIG_PKRAM_LIVEUPDATE) &&
		 which == PKRAM_BLOB_LIVEUPDATE)
		b->data = pkram_luo_text(&b->size);
	else
		b->data = pkram_snapshot(which == PKRAM_BLOB_IN, &b->size);
	if (!b->data) {
		kfree(b);
		return NULL;
	}
	b->file = f;
	b->which = which;
	list_add(&b->list, &pkram_blobs);
	if (++pkram_nr_blobs > PKRAM_MAX_BLOBS)
		pkram_blob_free(list_last_entry(&pkram_blobs, struct pkram_blob,
						list));
	return b;
}

static ssize_t pkram_blob_read(const struct file *f, int which, char *buf,
			       loff_t off, size_t count)
{
	struct pkram_blob *b;
	ssize_t ret;

	mutex_lock(&pkram_blob_mutex);
	b = off ? pkram_blob_find(f, which) : NULL;
	if (b && !b->data) {
		/* the copy was read to its end: this is its EOF */
		pkram_blob_free(b);
		mutex_unlock(&pkram_blob_mutex);
		return 0;
	}
	if (!b)
		b = pkram_blob_build(f, which);
	if (!b) {
		ret = -ENOMEM;
	} else if (off >= b->size) {
		ret = 0;
	} else {
		ret = min_t(size_t, count, b->size - off);
		memcpy(buf, b->data + off, ret);
	}
	if (b && ret <= 0) {
		pkram_blob_free(b);
	} else if (b && off + ret >= b->size) {
		/* keep a small entry that answers the reader's next read */
		kvfree(b->data);
		b->data = NULL;
	}
	mutex_unlock(&pkram_blob_mutex);
	return ret;
}

static ssize_t nodes_read(struct file *f, struct kobject *kobj,
			  struct bin_attribute *attr, char *buf, loff_t off,
			  size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pkram_blob_read(f, PKRAM_BLOB_NODES, buf, off, count);
}

static ssize_t incoming_dtb_read(struct file *f, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf,
				 loff_t off, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pkram_blob_read(f, PKRAM_BLOB_IN, buf, off, count);
}

static ssize_t outgoing_dtb_read(struct file *f, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf,
				 loff_t off, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pkram_blob_read(f, PKRAM_BLOB_OUT, buf, off, count);
}

static ssize_t kexec_avoid_read(struct file *f, struct kobject *kobj,
				struct bin_attribute *attr, char *buf,
				loff_t off, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pkram_blob_read(f, PKRAM_BLOB_KEXEC_AVOID, buf, off, count);
}

static struct bin_attribute kexec_avoid_attr = {
	.attr = { .name = "kexec_avoid", .mode = 0400 },
	.read = kexec_avoid_read,
};

#ifdef CONFIG_PKRAM_LIVEUPDATE
static ssize_t liveupdate_read(struct file *f, struct kobject *kobj,
			       struct bin_attribute *attr, char *buf,
			       loff_t off, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return pkram_blob_read(f, PKRAM_BLOB_LIVEUPDATE, buf, off, count);
}

/* the sessions of /dev/liveupdate, see pkram_luo_text() */
static struct bin_attribute liveupdate_attr = {
	.attr = { .name = "liveupdate", .mode = 0400 },
	.read = liveupdate_read,
};
#endif

static struct bin_attribute nodes_attr = {
	.attr = { .name = "nodes", .mode = 0400 },
	.read = nodes_read,
};

static struct bin_attribute incoming_dtb_attr = {
	.attr = { .name = "incoming.dtb", .mode = 0400 },
	.read = incoming_dtb_read,
};

static struct bin_attribute outgoing_dtb_attr = {
	.attr = { .name = "outgoing.dtb", .mode = 0400 },
	.read = outgoing_dtb_read,
};

static struct bin_attribute *pkram_bin_attrs[] = {
	&nodes_attr,
	&kexec_avoid_attr,
	&incoming_dtb_attr,
	&outgoing_dtb_attr,
#ifdef CONFIG_PKRAM_LIVEUPDATE
	&liveupdate_attr,
#endif
	NULL,
};

static struct attribute *pkram_attrs[] = {
	&cmdline_attr.attr,
	&discard_attr.attr,
	&kexec_check_attr.attr,
	NULL,
};

static const struct attribute_group pkram_group = {
	.attrs = pkram_attrs,
	.bin_attrs = pkram_bin_attrs,
};

static int __init pkram_sysfs_init(void)
{
	struct kobject *kobj;
	int err;

	kobj = kobject_create_and_add("pkram", kernel_kobj);
	if (!kobj)
		return -ENOMEM;
	err = sysfs_create_group(kobj, &pkram_group);
	if (err)
		kobject_put(kobj);
	return err;
}
late_initcall(pkram_sysfs_init);

static int pkram_owned_get(void *data, u64 *val)
{
	*val = pkram_owned();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pkram_owned_fops, pkram_owned_get, NULL, "%llu\n");

static int pkram_bans_show(struct seq_file *m, void *v)
{
	struct pkram_range ban[PKRAM_MAX_BANS];
	unsigned int i, n = pkram_kexec_bans(ban);

	for (i = 0; i < n; i++)
		seq_printf(m, "%#llx %#llx\n", ban[i].start, ban[i].end);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pkram_bans);

static int __init pkram_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("pkram", NULL);

	debugfs_create_file_unsafe("owned_pages", 0400, dir, NULL,
				   &pkram_owned_fops);
	debugfs_create_file("kexec_bans", 0400, dir, NULL, &pkram_bans_fops);
	debugfs_create_ulong("shmem_part_pages", 0600, dir,
			     &pkram_shmem_part_pages);
	return 0;
}
late_initcall(pkram_debugfs_init);
