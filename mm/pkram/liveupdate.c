// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/liveupdate: memfds kept across kexec in sessions, on PKRAM.
 *
 * The userspace interface is mainline's Live Update Orchestrator's
 * (include/uapi/linux/liveupdate.h, Documentation/userspace-api/
 * liveupdate.rst): an agent creates named sessions, preserves memfds in
 * them under tokens, and keeps the session fds open until it kexecs; in the
 * next kernel it retrieves the sessions by name and the memfds by token,
 * then says FINISH.
 *
 * How it maps to PKRAM: PRESERVE_FD only checks the file, freezes its size
 * and records it. The data is kept in the kexec reboot path by a saver
 * (struct pkram_saver): all sessions go into one node, PKRAM_LUO_NODE (one
 * object per memfd, kept in place by mm/pkram/shmem.c; the session table in
 * the first object; format in include/linux/pkram/abi.h). A failure there
 * refuses the kexec. One node and not one per session, so that thousands
 * of sessions fit the handover's node table.
 *
 * The next kernel restores every memfd of the node when /dev/liveupdate is
 * first opened: the folios go back into new memfds' page caches, and the
 * memfds wait in their incoming sessions until retrieved. A session nobody
 * finishes -- never retrieved, or closed without FINISH -- keeps its files
 * that were not retrieved and is carried across the next kexec the same
 * way. If nobody opens the device and nothing new is preserved, the node is
 * carried as PKRAM carries any node nobody loaded.
 */

#define pr_fmt(fmt) "pkram: " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/memfd.h>
#include <uapi/linux/memfd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pkram.h>
#include <linux/pkram/abi.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <uapi/linux/liveupdate.h>

#include "internal.h"

/* Limits: documented in Documentation/userspace-api/liveupdate.rst */
#define LUO_MAX_SESSIONS	4096
#define LUO_MAX_FILES		4096	/* per session */
#define LUO_NAME_LEN		LIVEUPDATE_SESSION_NAME_LENGTH
#define LUO_MEMFD_PREFIX	"memfd:"
#define LUO_MEMFD_NAME_MAX	(NAME_MAX - (sizeof(LUO_MEMFD_PREFIX) - 1))

struct luo_file {
	struct list_head list;
	u64 token;
	struct file *file;	/* preserved, or restored and not retrieved */
	int err;		/* incoming: why it could not be restored */
};

struct luo_session {
	struct list_head list;
	char name[LUO_NAME_LEN];
	struct list_head files;
	unsigned int nr_files;
	bool incoming;
	bool open;		/* incoming: retrieved, its fd is open */
	bool finished;		/* incoming: FINISH done, off the list */
};

/* Taken around everything below and the sessions' file lists. */
static DEFINE_MUTEX(luo_mutex);
static LIST_HEAD(luo_outgoing);
static LIST_HEAD(luo_incoming);
static unsigned int luo_nr_outgoing;
/* inodes of preserved files: a file is preserved in one session at most */
static DEFINE_XARRAY(luo_inodes);
/* the saver ran for a kexec under way: no new sessions or files */
static bool luo_saving;
/* the incoming node was read: 0, or why it could not be (-EIO) */
static bool luo_loaded;
static int luo_load_err;
static atomic_t luo_opened = ATOMIC_INIT(0);

static struct pkram_saver luo_saver;

/* ---- files ---- */

static bool luo_memfd(struct file *file)
{
	/* a memfd, or another unlinked shmem file (O_TMPFILE on tmpfs) */
	return shmem_file(file) && !file_inode(file)->i_nlink &&
	       S_ISREG(file_inode(file)->i_mode);
}

static struct luo_file *luo_find_file(struct luo_session *s, u64 token)
{
	struct luo_file *f;

	list_for_each_entry(f, &s->files, list)
		if (f->token == token)
			return f;
	return NULL;
}

/* Give up a file: an outgoing one is thawed. */
static void luo_put_file(struct luo_session *s, struct luo_file *f)
{
	list_del(&f->list);
	s->nr_files--;
	if (f->file) {
		if (!s->incoming) {
			shmem_freeze(file_inode(f->file), 0);
			xa_erase(&luo_inodes, (unsigned long)file_inode(f->file));
		}
		fput(f->file);
	}
	kfree(f);
}

static void luo_put_files(struct luo_session *s)
{
	struct luo_file *f, *tmp;

	list_for_each_entry_safe(f, tmp, &s->files, list)
		luo_put_file(s, f);
}

static void luo_free_session(struct luo_session *s)
{
	luo_put_files(s);
	kfree(s);
}

static int luo_preserve_fd(struct luo_session *s, int fd, u64 token)
{
	struct luo_file *f;
	struct file *file;
	int err;

	if (s->incoming)
		return -EINVAL;
	file = fget(fd);
	if (!file)
		return -EBADF;
	err = -ENOENT;			/* mainline's errno: no handler for it */
	if (!luo_memfd(file))
		goto out_put;
	err = -EBUSY;
	if (luo_saving)
		goto out_put;
	err = -EEXIST;
	if (luo_find_file(s, token))
		goto out_put;
	err = -ENOSPC;
	if (s->nr_files >= LUO_MAX_FILES)
		goto out_put;
	err = pkram_shmem_check(file_inode(file));
	if (err)
		goto out_put;
	err = -ENOMEM;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out_put;
	/* -EBUSY if preserved already, in this session or another */
	err = xa_insert(&luo_inodes, (unsigned long)file_inode(file), file,
			GFP_KERNEL_ACCOUNT);
	if (err) {
		kfree(f);
		goto out_put;
	}
	shmem_freeze(file_inode(file), SHMEM_FREEZE_SIZE);
	f->token = token;
	f->file = file;
	list_add_tail(&f->list, &s->files);
	s->nr_files++;
	return 0;

out_put:
	fput(file);
	return err;
}

/* Install @file in a new close-on-exec fd, reported through @ufd. */
static int luo_install(struct file *file, s32 __user *ufd)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0)
		return fd;
	if (put_user(fd, ufd)) {
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

/*
 * The fd is reported to user memory without luo_mutex held, which the kexec
 * path takes: the file is taken off the session first, and put back if
 * that fails.
 */
static int luo_retrieve_fd(struct luo_session *s, u64 token, s32 __user *ufd)
{
	struct luo_file *f;
	int err = 0;

	mutex_lock(&luo_mutex);
	f = luo_find_file(s, token);
	if (!s->incoming || s->finished)
		err = -EINVAL;
	else if (!f)
		err = -ENOENT;
	else if (f->err)
		err = f->err;		/* the same error each time */
	if (!err) {
		list_del(&f->list);
		s->nr_files--;
	}
	mutex_unlock(&luo_mutex);
	if (err)
		return err;

	err = luo_install(f->file, ufd);
	if (!err) {
		kfree(f);		/* the fd holds the file now */
		return 0;
	}
	mutex_lock(&luo_mutex);
	if (s->finished) {
		fput(f->file);
		kfree(f);
	} else {
		list_add_tail(&f->list, &s->files);
		s->nr_files++;
		if (luo_saving)		/* missed by the save: save again */
			pkram_saver_changed(&luo_saver);
	}
	mutex_unlock(&luo_mutex);
	return err;
}

/* ---- sessions ---- */

static struct luo_session *luo_find_session(struct list_head *list,
					    const char *name)
{
	struct luo_session *s;

	list_for_each_entry(s, list, list)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static struct luo_session *luo_new_session(const char *name, bool incoming)
{
	struct luo_session *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);

	if (!s)
		return NULL;
	strscpy(s->name, name, sizeof(s->name));
	INIT_LIST_HEAD(&s->list);
	INIT_LIST_HEAD(&s->files);
	s->incoming = incoming;
	return s;
}

static int luo_session_release(struct inode *inode, struct file *file)
{
	struct luo_session *s = file->private_data;

	if (!s)			/* never handed out: see luo_session_fd() */
		return 0;
	mutex_lock(&luo_mutex);
	if (!s->incoming) {
		/* closing before the kexec gives the session up */
		list_del(&s->list);
		luo_nr_outgoing--;
		if (luo_saving)		/* kexec past the saver: save again */
			pkram_saver_changed(&luo_saver);
		luo_free_session(s);
	} else if (s->finished) {
		luo_free_session(s);
	} else {
		/* not finished: what was not retrieved waits on */
		s->open = false;
	}
	mutex_unlock(&luo_mutex);
	return 0;
}

/*
 * Copy an ioctl argument in: @usize is what the caller says its struct's
 * size is; @min is where the fields this kernel needs end.
 */
static int luo_get_arg(void *karg, size_t ksize, size_t min,
		       const void __user *uarg)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < min)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/*
 * Session commands: the argument's size and the end of the fields each
 * needs, by command number from LIVEUPDATE_CMD_SESSION_BASE.
 */
static const struct {
	size_t size;
	size_t min;
} luo_session_args[] = {
	{ sizeof(struct liveupdate_session_preserve_fd),
	  offsetofend(struct liveupdate_session_preserve_fd, token) },
	{ sizeof(struct liveupdate_session_retrieve_fd),
	  offsetofend(struct liveupdate_session_retrieve_fd, token) },
	{ sizeof(struct liveupdate_session_finish),
	  offsetofend(struct liveupdate_session_finish, reserved) },
	{ sizeof(struct liveupdate_session_get_name),
	  offsetofend(struct liveupdate_session_get_name, name) },
};

/* FINISH: what was not retrieved is freed. */
static int luo_finish(struct luo_session *s)
{
	if (!s->incoming || s->finished)
		return -EINVAL;
	luo_put_files(s);
	list_del(&s->list);
	s->finished = true;
	return 0;
}

static long luo_session_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	struct luo_session *s;
	union {
		struct liveupdate_session_preserve_fd preserve;
		struct liveupdate_session_retrieve_fd retrieve;
		struct liveupdate_session_finish finish;
		struct liveupdate_session_get_name get_name;
	} a;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(luo_session_args) !=
		     LIVEUPDATE_CMD_SESSION_GET_NAME -
		     LIVEUPDATE_CMD_SESSION_BASE + 1);
	if (_IOC_TYPE(cmd) != LIVEUPDATE_IOCTL_TYPE)
		return -ENOTTY;
	if (nr < LIVEUPDATE_CMD_SESSION_BASE ||
	    nr > LIVEUPDATE_CMD_SESSION_GET_NAME)
		return -EINVAL;
	if (cmd != _IO(LIVEUPDATE_IOCTL_TYPE, nr))
		return -ENOTTY;
	/* user memory is read outside luo_mutex, which the kexec path takes */
	err = luo_get_arg(&a, luo_session_args[nr - LIVEUPDATE_CMD_SESSION_BASE].size,
			  luo_session_args[nr - LIVEUPDATE_CMD_SESSION_BASE].min,
			  uarg);
	if (err)
		return err;

	s = file->private_data;
	switch (nr) {
	case LIVEUPDATE_CMD_SESSION_PRESERVE_FD:
		mutex_lock(&luo_mutex);
		err = luo_preserve_fd(s, a.preserve.fd, a.preserve.token);
		mutex_unlock(&luo_mutex);
		return err;
	case LIVEUPDATE_CMD_SESSION_RETRIEVE_FD:
		return luo_retrieve_fd(s, a.retrieve.token,
				       uarg + offsetof(typeof(a.retrieve), fd));
	case LIVEUPDATE_CMD_SESSION_FINISH:
		if (a.finish.reserved)
			return -EINVAL;
		mutex_lock(&luo_mutex);
		err = luo_finish(s);
		mutex_unlock(&luo_mutex);
		return err;
	default:	/* GET_NAME: the name never changes */
		if (a.get_name.reserved)
			return -EINVAL;
		if (copy_to_user(uarg + offsetof(typeof(a.get_name), name),
				 s->name, sizeof(s->name)))
			return -EFAULT;
		return 0;
	}
}

static const struct file_operations luo_session_fops = {
	.owner = THIS_MODULE,
	.release = luo_session_release,
	.unlocked_ioctl = luo_session_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* A session's fd, installed and reported through @ufd. */
static int luo_session_fd(struct luo_session *s, s32 __user *ufd)
{
	struct file *file;
	int err;

	file = anon_inode_getfile("[liveupdate_session]", &luo_session_fops,
				  s, O_RDWR);
	if (IS_ERR(file))
		return PTR_ERR(file);
	err = luo_install(file, ufd);
	if (err) {
		file->private_data = NULL;	/* the caller frees @s */
		fput(file);
	}
	return err;
}

/* A session name from an ioctl: 1 to 63 bytes, NUL-terminated. */
static int luo_check_name(const u8 *name)
{
	size_t len = strnlen(name, LUO_NAME_LEN);

	return len && len < LUO_NAME_LEN ? 0 : -EINVAL;
}

/* Like luo_retrieve_fd(), the fd is reported without luo_mutex held. */
static int luo_create_session(const char *name, s32 __user *ufd)
{
	struct luo_session *s = luo_new_session(name, false);
	int err = 0;

	if (!s)
		return -ENOMEM;
	mutex_lock(&luo_mutex);
	/* an unfinished incoming session of this name would be carried too */
	if (luo_saving)
		err = -EBUSY;
	else if (luo_find_session(&luo_outgoing, name) ||
		 luo_find_session(&luo_incoming, name))
		err = -EEXIST;
	else if (luo_nr_outgoing >= LUO_MAX_SESSIONS)
		err = -ENOSPC;
	if (!err) {
		list_add_tail(&s->list, &luo_outgoing);
		luo_nr_outgoing++;
	}
	mutex_unlock(&luo_mutex);
	if (!err)
		err = luo_session_fd(s, ufd);
	if (!err)
		return 0;
	mutex_lock(&luo_mutex);
	if (!list_empty(&s->list)) {
		list_del(&s->list);
		luo_nr_outgoing--;
		if (luo_saving)		/* saved, empty: save again */
			pkram_saver_changed(&luo_saver);
	}
	mutex_unlock(&luo_mutex);
	kfree(s);
	return err;
}

static int luo_retrieve_session(const char *name, s32 __user *ufd)
{
	struct luo_session *s;
	int err = 0;

	mutex_lock(&luo_mutex);
	s = luo_find_session(&luo_incoming, name);
	if (!s)
		err = -ENOENT;
	else if (s->open)
		err = -EINVAL;
	else
		s->open = true;
	mutex_unlock(&luo_mutex);
	if (err)
		return err;
	err = luo_session_fd(s, ufd);
	if (err) {
		mutex_lock(&luo_mutex);
		s->open = false;
		mutex_unlock(&luo_mutex);
	}
	return err;
}

/* ---- the incoming node ---- */

/* Restore one memfd from the current object of @ps. */
static int luo_load_file(struct pkram_stream *ps, struct luo_session *s)
{
	PKRAM_ACCESS(pb, ps, bytes);
	char name[LUO_MEMFD_NAME_MAX + 1];
	struct pkram_shmem_file h;
	struct pkram_luo_file lf;
	struct luo_file *f;
	struct file *file;
	int err;

	err = pkram_shmem_read_hdr(&pb, &h);
	if (!err && (pkram_read(&pb, &lf, sizeof(lf)) != sizeof(lf) ||
		     lf.reserved || lf.name_len > LUO_MEMFD_NAME_MAX ||
		     lf.pos > MAX_LFS_FILESIZE ||
		     pkram_read(&pb, name, lf.name_len) != lf.name_len ||
		     memchr(name, 0, lf.name_len) || !S_ISREG(h.mode))) {
		pr_err("live update session %s: a file's record is damaged\n",
		       s->name);
		err = -EBADMSG;
	}
	pkram_finish_access(&pb);
	if (err)
		return err;	/* nothing to say which token: drop the session */
	name[lf.name_len] = '\0';

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->token = lf.token;
	file = memfd_alloc_file(name, MFD_ALLOW_SEALING);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
	} else {
		err = pkram_shmem_load(ps, &h, file_inode(file));
		if (!err) {
			struct inode *inode = file_inode(file);

			inode->i_mode = (inode->i_mode & S_IFMT) |
					(h.mode & 07777);
			file->f_pos = lf.pos;
			if (h.seals)
				err = memfd_fcntl(file, F_ADD_SEALS, h.seals);
		}
		if (err)
			fput(file);
		else
			f->file = file;
	}
	if (err) {
		pr_err("live update session %s: file %llu cannot be restored (%d)\n",
		       s->name, lf.token, err);
		f->err = err;
	}
	list_add_tail(&f->list, &s->files);
	s->nr_files++;
	return 0;
}

static int luo_read_table(struct pkram_stream *ps,
			  struct pkram_luo_session **tablep, u32 *nr)
{
	PKRAM_ACCESS(pb, ps, bytes);
	struct pkram_luo_session *table = NULL;
	struct pkram_luo_header h;
	int err = -EBADMSG;
	size_t size;

	if (pkram_prepare_load_obj(ps)) {
		pr_err("the live update node is empty\n");
		return -EBADMSG;
	}
	if (pkram_read(&pb, &h, sizeof(h)) != sizeof(h) ||
	    h.magic != PKRAM_LUO_MAGIC) {
		pr_err("the live update node is damaged\n");
		goto out;
	}
	if (h.version != PKRAM_LUO_VERSION) {
		pr_err("the live update node is version %u; this kernel reads %u\n",
		       h.version, PKRAM_LUO_VERSION);
		goto out;
	}
	if (h.reserved0 || h.reserved1 || h.nr_sessions > LUO_MAX_SESSIONS) {
		pr_err("the live update node has bad or reserved fields set\n");
		goto out;
	}
	size = array_size(h.nr_sessions, sizeof(*table));
	table = kvmalloc(size ?: 1, GFP_KERNEL);
	err = -ENOMEM;
	if (!table)
		goto out;
	err = -EBADMSG;
	if (pkram_read(&pb, table, size) != size) {
		pr_err("the live update node's session table is short\n");
		goto out;
	}
	*nr = h.nr_sessions;
	*tablep = table;
	table = NULL;
	err = 0;
out:
	pkram_finish_access(&pb);
	pkram_finish_load_obj(ps);
	kvfree(table);
	return err;
}

static bool luo_entry_ok(const struct pkram_luo_session *e)
{
	return !e->reserved && !luo_check_name(e->name) &&
	       !memchr_inv(e->name + strlen(e->name), 0,
			   sizeof(e->name) - strlen(e->name)) &&
	       e->nr_files <= LUO_MAX_FILES;
}

/*
 * Read the node the previous kernel saved, once. A file that cannot be
 * restored fails its RETRIEVE_FD; a damaged table or record makes the
 * sessions unreadable: opening the device then fails with -EIO.
 */
static int luo_load(void)
{
	struct pkram_luo_session *table = NULL;
	struct pkram_stream ps;
	u32 i, j, nr = 0;
	int err;

	lockdep_assert_held(&luo_mutex);
	if (luo_loaded)
		return luo_load_err;
	luo_loaded = true;
	err = pkram_prepare_load(&ps, PKRAM_LUO_NODE);
	if (err == -ENOENT)
		return 0;
	if (err == -EBUSY) {		/* a kexec is under way: not now */
		luo_loaded = false;
		return err;
	}
	if (err) {
		pr_err("cannot load the live update node (%d)\n", err);
		luo_load_err = -EIO;
		return luo_load_err;
	}
	err = luo_read_table(&ps, &table, &nr);
	for (i = 0; !err && i < nr; i++) {
		struct luo_session *s;

		if (!luo_entry_ok(&table[i]) ||
		    luo_find_session(&luo_incoming, table[i].name)) {
			pr_err("the live update node's session table is damaged\n");
			err = -EBADMSG;
			break;
		}
		s = luo_new_session(table[i].name, true);
		if (!s) {
			err = -ENOMEM;
			break;
		}
		list_add_tail(&s->list, &luo_incoming);
		for (j = 0; !err && j < table[i].nr_files; j++) {
			err = pkram_prepare_load_obj(&ps);
			if (!err) {
				err = luo_load_file(&ps, s);
				pkram_finish_load_obj(&ps);
			} else if (err == -ENODATA) {
				pr_err("live update session %s: files missing\n",
				       s->name);
				err = -EBADMSG;
			}
		}
	}
	pkram_finish_load(&ps);
	kvfree(table);
	if (err) {
		pr_err("live update sessions cannot be read (%d): what was kept is freed\n",
		       err);
		while (!list_empty(&luo_incoming)) {
			struct luo_session *s = list_first_entry(&luo_incoming,
						struct luo_session, list);

			list_del(&s->list);
			luo_free_session(s);
		}
		luo_load_err = -EIO;
	} else if (nr) {
		pr_info("live update: %u sessions from the previous kernel\n", nr);
	}
	return luo_load_err;
}

/* ---- saving at kexec ---- */

/* Files of @s to keep: an incoming one that failed to restore has no data. */
static u32 luo_nr_kept(const struct luo_session *s)
{
	const struct luo_file *f;
	u32 nr = 0;

	list_for_each_entry(f, &s->files, list)
		nr += !!f->file;
	return nr;
}

/* An incoming session nobody finished is carried while it has files. */
static bool luo_carried(const struct luo_session *s)
{
	return s->incoming && !s->finished && luo_nr_kept(s);
}

/* Saved at kexec: every outgoing session, and the incoming ones carried. */
static bool luo_saved(const struct luo_session *s)
{
	return !s->incoming || luo_carried(s);
}

static void luo_freeze_all(unsigned int how)
{
	struct luo_session *s;
	struct luo_file *f;

	list_for_each_entry(s, &luo_outgoing, list)
		list_for_each_entry(f, &s->files, list)
			shmem_freeze(file_inode(f->file), how);
}

static int luo_save_file(struct pkram_stream *ps, struct luo_file *f)
{
	struct file *file = f->file;
	const char *name = file->f_path.dentry->d_name.name;
	struct pkram_luo_file lf = {
		.token = f->token,
		.pos = READ_ONCE(file->f_pos),
	};
	PKRAM_ACCESS(pb, ps, bytes);
	int err;

	if (str_has_prefix(name, LUO_MEMFD_PREFIX))
		name += strlen(LUO_MEMFD_PREFIX);
	lf.name_len = min(strlen(name), LUO_MEMFD_NAME_MAX);
	err = pkram_prepare_save_obj(ps, PKRAM_DATA_folios | PKRAM_DATA_bytes);
	if (err)
		return err;
	err = pkram_shmem_save(ps, &pb, file_inode(file));
	if (!err && (pkram_write(&pb, &lf, sizeof(lf)) != sizeof(lf) ||
		     pkram_write(&pb, name, lf.name_len) != lf.name_len))
		err = -ENOMEM;
	pkram_finish_access(&pb);
	pkram_finish_save_obj(ps);
	return err;
}

static int luo_save_table(struct pkram_stream *ps, u32 nr)
{
	struct pkram_luo_header h = {
		.magic = PKRAM_LUO_MAGIC,
		.version = PKRAM_LUO_VERSION,
		.nr_sessions = nr,
	};
	PKRAM_ACCESS(pb, ps, bytes);
	struct list_head *lists[] = { &luo_outgoing, &luo_incoming };
	struct luo_session *s;
	unsigned int i;
	int err;

	err = pkram_prepare_save_obj(ps, PKRAM_DATA_bytes);
	if (err)
		return err;
	if (pkram_write(&pb, &h, sizeof(h)) != sizeof(h))
		err = -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(lists) && !err; i++) {
		list_for_each_entry(s, lists[i], list) {
			struct pkram_luo_session e = { .nr_files = luo_nr_kept(s) };

			if (!luo_saved(s))
				continue;
			strscpy_pad(e.name, s->name, sizeof(e.name));
			if (pkram_write(&pb, &e, sizeof(e)) != sizeof(e)) {
				err = -ENOMEM;
				break;
			}
		}
	}
	pkram_finish_access(&pb);
	pkram_finish_save_obj(ps);
	return err;
}

static int luo_save_sessions(struct pkram_stream *ps)
{
	struct list_head *lists[] = { &luo_outgoing, &luo_incoming };
	struct luo_session *s;
	struct luo_file *f;
	unsigned int i;
	u32 nr = 0;
	int err;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(s, lists[i], list)
			nr += luo_saved(s);
	err = luo_save_table(ps, nr);
	for (i = 0; i < ARRAY_SIZE(lists) && !err; i++) {
		list_for_each_entry(s, lists[i], list) {
			if (!luo_saved(s))
				continue;
			list_for_each_entry(f, &s->files, list) {
				if (!f->file)
					continue;
				err = luo_save_file(ps, f);
				if (err) {
					pr_err("live update session %s: file %llu cannot be kept (%d)\n",
					       s->name, f->token, err);
					return err;
				}
			}
		}
	}
	return err;
}

/*
 * The saver: in the kexec reboot path, before devices shut down. Runs again
 * after they did if a session was closed meanwhile.
 */
static int luo_save(struct pkram_saver *saver)
{
	u64 t0 = ktime_get_ns();
	struct pkram_stream ps;
	struct luo_session *s;
	bool carried = false;
	int err;

	mutex_lock(&luo_mutex);
	luo_saving = true;
	list_for_each_entry(s, &luo_incoming, list)
		carried |= luo_carried(s);
	/*
	 * Nothing to save: an incoming node nobody read (nobody opened the
	 * device) is carried by PKRAM as it is. Sessions are created on an
	 * open device, and opening it read the incoming node.
	 */
	err = 0;
	if (list_empty(&luo_outgoing) && !carried)
		goto out;
	luo_freeze_all(SHMEM_FREEZE_SIZE | SHMEM_FREEZE_FOLIOS);
	err = pkram_prepare_save(&ps, PKRAM_LUO_NODE, GFP_KERNEL);
	if (err)
		goto out;
	err = luo_save_sessions(&ps);
	if (err)
		pkram_discard_save(&ps);
	else
		err = pkram_finish_save(&ps);
	if (!err)
		pr_info("live update: sessions saved in %llu us\n",
			div_u64(ktime_get_ns() - t0, NSEC_PER_USEC));
out:
	mutex_unlock(&luo_mutex);
	if (err)
		pr_err("live update sessions cannot be kept (%d)\n", err);
	return err;
}

/* The kexec was refused: sessions and files can change again. */
static void luo_cancel(struct pkram_saver *saver)
{
	mutex_lock(&luo_mutex);
	if (luo_saving)
		luo_freeze_all(SHMEM_FREEZE_SIZE);
	luo_saving = false;
	mutex_unlock(&luo_mutex);
}

static struct pkram_saver luo_saver = {
	.name = "liveupdate",
	.save = luo_save,
	.cancel = luo_cancel,
};

/* ---- what pkramctl shows ---- */

static size_t luo_print_session(char *buf, size_t cap,
				const struct luo_session *s)
{
	const struct luo_file *f;
	u64 pages = 0, bytes = 0;
	size_t len;

	list_for_each_entry(f, &s->files, list) {
		if (!f->file)
			continue;
		pages += f->file->f_mapping->nrpages;
		bytes += i_size_read(file_inode(f->file));
	}
	len = scnprintf(buf, cap, "session %s %s %s %u %llu %llu\n",
			s->incoming ? "in" : "out",
			s->open || !s->incoming ? "open" : "waiting", s->name,
			s->nr_files, pages, bytes);
	list_for_each_entry(f, &s->files, list)
		len += scnprintf(buf + len, cap - len, "file %llu %lu %lld %d\n",
				 f->token,
				 f->file ? f->file->f_mapping->nrpages : 0,
				 f->file ? i_size_read(file_inode(f->file)) : 0,
				 f->err);
	return len;
}

/**
 * pkram_luo_text - the live update sessions, as text for sysfs
 * @size: set to the length of the text
 *
 * /sys/kernel/pkram/liveupdate, read by ``pkramctl sessions``: one line
 * per session, followed by one line per file of it::
 *
 *   session DIR STATE NAME FILES PAGES BYTES
 *   file TOKEN PAGES BYTES ERRNO
 *
 * DIR is ``out`` (kept at the next kexec) or ``in`` (from the previous
 * kernel); STATE ``open`` (its fd is open) or ``waiting`` (incoming, not
 * retrieved or closed without FINISH: carried at the next kexec). PAGES
 * is what the page cache holds, which is what is kept; BYTES the file
 * size; ERRNO why an incoming file could not be restored, or 0. A first
 * line ``unread`` says that the previous kernel's sessions are still in
 * the incoming node, restored when /dev/liveupdate is first opened.
 *
 * Context: Process context; takes pkram_mutex, then luo_mutex.
 * Return: the text (kvfree() it), or NULL if out of memory.
 */
void *pkram_luo_text(size_t *size)
{
	struct list_head *lists[] = { &luo_incoming, &luo_outgoing };
	struct luo_session *s;
	size_t cap = 16, len = 0;
	struct pkram_node *node;
	bool unread;
	char *buf;
	int i;

	mutex_lock(&pkram_mutex);
	node = pkram_find_node(PKRAM_LUO_NODE);
	unread = node && node->incoming;
	mutex_unlock(&pkram_mutex);

	mutex_lock(&luo_mutex);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(s, lists[i], list)
			cap += 160 + s->nr_files * 64;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (buf) {
		if (unread && !luo_loaded)
			len = scnprintf(buf, cap, "unread\n");
		for (i = 0; i < ARRAY_SIZE(lists); i++)
			list_for_each_entry(s, lists[i], list)
				len += luo_print_session(buf + len, cap - len,
							 s);
	}
	mutex_unlock(&luo_mutex);
	*size = len;
	return buf;
}

/* ---- /dev/liveupdate ---- */

static int luo_open(struct inode *inode, struct file *file)
{
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&luo_opened, 0, 1))
		return -EBUSY;
	mutex_lock(&luo_mutex);
	err = luo_load();
	mutex_unlock(&luo_mutex);
	if (err)
		atomic_set(&luo_opened, 0);
	return err;
}

static int luo_release(struct inode *inode, struct file *file)
{
	atomic_set(&luo_opened, 0);
	return 0;
}

static long luo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	struct liveupdate_ioctl_create_session a;
	int err;

	BUILD_BUG_ON(sizeof(struct liveupdate_ioctl_create_session) !=
		     sizeof(struct liveupdate_ioctl_retrieve_session));
	if (_IOC_TYPE(cmd) != LIVEUPDATE_IOCTL_TYPE)
		return -ENOTTY;
	if (nr > LIVEUPDATE_CMD_RETRIEVE_SESSION)
		return -EINVAL;
	if (cmd != _IO(LIVEUPDATE_IOCTL_TYPE, nr))
		return -ENOTTY;
	err = luo_get_arg(&a, sizeof(a), offsetofend(typeof(a), name), uarg);
	if (!err)
		err = luo_check_name(a.name);
	if (err)
		return err;
	if (nr == LIVEUPDATE_CMD_CREATE_SESSION)
		return luo_create_session(a.name, uarg + offsetof(typeof(a), fd));
	return luo_retrieve_session(a.name, uarg + offsetof(typeof(a), fd));
}

static const struct file_operations luo_fops = {
	.owner = THIS_MODULE,
	.open = luo_open,
	.release = luo_release,
	.unlocked_ioctl = luo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice luo_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "liveupdate",
	.fops = &luo_fops,
	.mode = 0600,
};

static int __init luo_init(void)
{
	int err = misc_register(&luo_dev);

	if (err) {
		pr_err("cannot register /dev/liveupdate (%d)\n", err);
		return err;
	}
	return pkram_register_saver(&luo_saver);
}
late_initcall(luo_init);

#ifdef CONFIG_PKRAM_KUNIT_TEST
#include "tests/liveupdate-kunit.h"
#endif
