/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM: preserve named sets of pages across kexec, in place.
 *
 * A user saves folios and byte streams into a named node, the node is handed
 * to the next kernel through one physical address on its command line
 * (pkram=), and the next kernel reserves every preserved page in early boot
 * and gives the folios back, by name, to whoever loads the node.
 *
 * See Documentation/mm/pkram.rst.
 */
#ifndef _LINUX_PKRAM_H
#define _LINUX_PKRAM_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/gfp_types.h>
#include <linux/errno.h>

struct folio;
struct kimage;
struct pkram_node;
struct pkram_obj_meta;
struct pkram_link_meta;
struct page;

/* Longest node name, not counting the terminating NUL. */
#define PKRAM_NAME_MAX		63

/**
 * enum pkram_data_flags - kinds of data an object holds
 * @PKRAM_DATA_folios: a stream of folios, preserved in place
 * @PKRAM_DATA_bytes: a stream of bytes, copied into preserved pages
 * @PKRAM_DATA_inplace: folios must be preserved where they are: saving one
 *	that lies in a loaded kexec segment fails instead of saving a copy
 *	(for memory that must not move or must not be read)
 * @PKRAM_DATA_csum: checksum the object's data (crc32c of its folios and
 *	bytes, taken at kexec) and check it when the next kernel starts
 *	loading the object; costs a read of all of it on both sides. Not
 *	with @PKRAM_DATA_inplace, whose memory the kernel must not read.
 */
enum pkram_data_flags {
	PKRAM_DATA_folios = 1,
	PKRAM_DATA_bytes = 2,
	PKRAM_DATA_inplace = 4,
	PKRAM_DATA_csum = 8,
};

/* A physical range, [start, end), page aligned. */
struct pkram_range {
	u64 start;
	u64 end;
};

/* Called for each physical range [start, end); non-zero stops the walk. */
typedef int (*pkram_range_fn)(u64 start, u64 end, void *arg);

/**
 * struct pkram_pending - memory that will be saved at kexec time
 * @list: internal
 * @walk: report every range with @fn, which may be called under a spinlock;
 *	  return what @fn returned if it was non-zero, else 0
 *
 * For memory a subsystem saves only in the kexec reboot path (see struct
 * pkram_saver) but that kexec must already keep clear of: kexec_file_load
 * places segments around it and kexec_load refuses to overlap it.
 */
struct pkram_pending {
	struct list_head list;
	int (*walk)(struct pkram_pending *pending, pkram_range_fn fn, void *arg);
};

/**
 * struct pkram_stream - one node being saved or loaded
 *
 * Callers treat this as opaque: it is set up by pkram_prepare_save() or
 * pkram_prepare_load() and torn down by the matching finish/discard call.
 * Folio accesses of the current object may run in several threads at once
 * (see pkram_save_folio() and pkram_load_folio()); everything else on a
 * stream belongs to one thread at a time.
 */
struct pkram_stream {
	/* private: */
	gfp_t gfp;
	struct pkram_node *node;
	struct pkram_obj_meta *obj;
	struct pkram_obj_meta *last_obj;
	unsigned long next_obj;
	/* saving, under the node's lock: each stream's last link page */
	struct pkram_link_meta *tail[2];
	bool tail_held[2];		/* an access is appending to it */
};

/**
 * struct pkram_access - a folio or byte stream of the current object
 *
 * Declare with PKRAM_ACCESS() and end with pkram_finish_access().
 */
struct pkram_access {
	/* private: set up by PKRAM_ACCESS() */
	struct pkram_stream *ps;
	enum pkram_data_flags dtype;
	struct pkram_link_meta *link;	/* current link page */
	unsigned int pos;		/* next word in @link */
	unsigned int last;		/* save: first word of the last entry */
	unsigned long next_index;	/* index the next folio gets by default */
	/* save: folios and pages not yet added to the object's counts */
	unsigned long nr_folios;
	unsigned long nr_pages;
	/* load: the entry being handed out */
	phys_addr_t run_phys;
	const u64 *run_pfns;
	unsigned long run_left;
	unsigned long run_i;
	unsigned int run_order;
	struct page *claim_page;	/* claimed pages not yet counted */
	unsigned long claimed;
	/* byte streams */
	struct folio *data;
	size_t data_off;
	size_t data_left;
	bool started;
};

#define PKRAM_ACCESS(name, stream, type)				\
	struct pkram_access name = {					\
		.ps = (stream),						\
		.dtype = PKRAM_DATA_##type,				\
	}

/**
 * struct pkram_saver - state a subsystem saves as the kernel kexecs
 * @list: internal
 * @name: for log messages
 * @save: called in the kexec reboot path before devices are shut down and
 *	  before PKRAM writes the handover; may sleep and use the save API.
 *	  Returns 0 or a negative errno. Nodes it saved are discarded again
 *	  if the kexec is refused, so that a later kexec can save them anew.
 * @cancel: optional; called when a prepared handover is undone (the kexec
 *	  was refused, or /sys/kernel/pkram/kexec_check ran), whether or not
 *	  @save ran or succeeded: undo what @save did besides saving nodes
 * @optional: if @save fails, log it and kexec without this state; by
 *	  default a failing saver refuses the kexec (reboot() returns the
 *	  error and the system keeps running)
 * @changed: internal; see pkram_saver_changed()
 */
struct pkram_saver {
	struct list_head list;
	const char *name;
	int (*save)(struct pkram_saver *saver);
	void (*cancel)(struct pkram_saver *saver);
	bool optional;
	bool changed;
};

#ifdef CONFIG_PKRAM

int pkram_register_saver(struct pkram_saver *saver);
void pkram_unregister_saver(struct pkram_saver *saver);
void pkram_saver_changed(struct pkram_saver *saver);
void pkram_register_pending(struct pkram_pending *pending);
void pkram_unregister_pending(struct pkram_pending *pending);
bool pkram_in_kexec_segment(phys_addr_t start, phys_addr_t end);
int pkram_prepare_save(struct pkram_stream *ps, const char *name, gfp_t gfp);
int pkram_prepare_save_obj(struct pkram_stream *ps, enum pkram_data_flags flags);
int pkram_save_folio(struct pkram_access *pa, struct folio *folio);
ssize_t pkram_write(struct pkram_access *pa, const void *buf, size_t count);
void pkram_finish_access(struct pkram_access *pa);
void pkram_finish_save_obj(struct pkram_stream *ps);
int pkram_finish_save(struct pkram_stream *ps);
void pkram_discard_save(struct pkram_stream *ps);

int pkram_prepare_load(struct pkram_stream *ps, const char *name);
int pkram_prepare_load_obj(struct pkram_stream *ps);
struct folio *pkram_load_folio(struct pkram_access *pa, unsigned long *index);
size_t pkram_read(struct pkram_access *pa, void *buf, size_t count);
void pkram_finish_load_obj(struct pkram_stream *ps);
void pkram_finish_load(struct pkram_stream *ps);
void pkram_cancel_load(struct pkram_stream *ps);
ssize_t pkram_peek(struct pkram_stream *ps, void *buf, size_t count);
int pkram_discard(const char *name);

/* Hooks called by early boot and kexec; not for drivers. */
void pkram_reserve(void);
int pkram_kexec_file_prepare(struct kimage *image);
int pkram_kexec_check_segments(struct kimage *image);
void pkram_kexec_load_done(void);
bool pkram_kexec_overlap(unsigned long start, unsigned long end,
			 unsigned long *ostart, unsigned long *oend);
int pkram_kexec_prepare(struct kimage *image);
void pkram_kexec_finalize(struct kimage *image);
/* For arch code: the page the next kernel's early boot reads the avoid list from. */
phys_addr_t pkram_avoid_phys(void);
/* Gives sorted ranges one at a time: fills *@r, false at the end. */
typedef bool (*pkram_range_next_fn)(void *arg, struct pkram_range *r);
unsigned int pkram_hull(pkram_range_next_fn next, void *arg,
			struct pkram_range *hull, unsigned int max);
void pkram_arch_write_avoid(void *page, pkram_range_next_fn next, void *arg);

#else /* !CONFIG_PKRAM */

static inline int pkram_register_saver(struct pkram_saver *saver)
{
	return 0;
}

static inline void pkram_unregister_saver(struct pkram_saver *saver) { }
static inline void pkram_saver_changed(struct pkram_saver *saver) { }
static inline void pkram_register_pending(struct pkram_pending *pending) { }
static inline void pkram_unregister_pending(struct pkram_pending *pending) { }
static inline bool pkram_in_kexec_segment(phys_addr_t start, phys_addr_t end)
{
	return false;
}

static inline int pkram_prepare_save(struct pkram_stream *ps, const char *name,
				     gfp_t gfp)
{
	return -EOPNOTSUPP;
}

static inline int pkram_prepare_load(struct pkram_stream *ps, const char *name)
{
	return -EOPNOTSUPP;
}

static inline int pkram_discard(const char *name)
{
	return -EOPNOTSUPP;
}

static inline void pkram_reserve(void) { }
static inline int pkram_kexec_file_prepare(struct kimage *image)
{
	return 0;
}

static inline int pkram_kexec_check_segments(struct kimage *image)
{
	return 0;
}

static inline void pkram_kexec_load_done(void) { }
static inline bool pkram_kexec_overlap(unsigned long start, unsigned long end,
				       unsigned long *ostart,
				       unsigned long *oend)
{
	return false;
}

static inline int pkram_kexec_prepare(struct kimage *image)
{
	return 0;
}

static inline void pkram_kexec_finalize(struct kimage *image) { }

#endif /* CONFIG_PKRAM */

/* tmpfs mounted with -o pkram=NAME (mm/pkram/tmpfs.c), for mm/shmem.c */
struct fs_context;
struct seq_file;
struct super_block;

#if defined(CONFIG_PKRAM) && defined(CONFIG_SHMEM)
int pkram_tmpfs_get_tree(struct fs_context *fc, const char *name,
			 int (*fill)(struct super_block *sb,
				     struct fs_context *fc));
int pkram_tmpfs_reconfigure(struct super_block *sb, const char *name);
void pkram_tmpfs_show_options(struct seq_file *seq, struct super_block *sb);
#else
static inline int pkram_tmpfs_get_tree(struct fs_context *fc, const char *name,
				       int (*fill)(struct super_block *sb,
						   struct fs_context *fc))
{
	return -EINVAL;
}

static inline int pkram_tmpfs_reconfigure(struct super_block *sb,
					  const char *name)
{
	return -EINVAL;
}

static inline void pkram_tmpfs_show_options(struct seq_file *seq,
					    struct super_block *sb) { }
#endif

#endif /* _LINUX_PKRAM_H */
