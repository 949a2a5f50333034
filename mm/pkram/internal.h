/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM internals: decoding the on-memory handover format (which is in
 * include/linux/pkram/abi.h) and the runtime state.
 */
#ifndef _MM_PKRAM_INTERNAL_H
#define _MM_PKRAM_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/pkram.h>
#include <linux/pkram/abi.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* ---- Decoding the on-memory format (include/linux/pkram/abi.h) ---- */

/* The object flags this kernel knows: any other bit refuses the node. */
#define PKRAM_OBJ_FLAGS		(PKRAM_DATA_folios | PKRAM_DATA_bytes | \
				 PKRAM_DATA_inplace | PKRAM_DATA_csum)
static_assert(PKRAM_DATA_folios == 1 && PKRAM_DATA_bytes == 2 &&
	      PKRAM_DATA_inplace == 4 && PKRAM_DATA_csum == 8,
	      "enum pkram_data_flags values are stored in the handover");
static_assert(sizeof_field(struct pkram_node_meta, name) == PKRAM_NAME_MAX + 1,
	      "node names are stored in the handover");

/* A decoded entry. */
struct pkram_entry {
	u64 phys;			/* the first folio */
	u64 count;			/* folios */
	u64 index;			/* if has_index */
	const u64 *pfns;		/* PKRAM_ENT_PACK: the packed words */
	unsigned int order;
	unsigned int words;		/* the entry's size in words */
	bool has_index;
};

/*
 * Decode the entry at @w, of which @avail words are in the page. Checks
 * that the entry fits and that its flags make sense, nothing more: false
 * if not.
 */
static inline bool pkram_entry_decode(const u64 *w, u64 avail,
				      struct pkram_entry *e)
{
	u64 f = w[0];

	if (!avail || (f & PKRAM_ENT_RSVD_MASK) ||
	    ((f & PKRAM_ENT_RUN) && (f & PKRAM_ENT_PACK)))
		return false;
	e->phys = f & PKRAM_ENT_PHYS_MASK;
	e->order = f & PKRAM_ENT_ORDER_MASK;
	e->has_index = f & PKRAM_ENT_INDEX;
	e->words = 1 + e->has_index;
	e->count = 1;
	e->pfns = NULL;
	if (e->words > avail)
		return false;
	if (e->has_index)
		e->index = w[1];
	if (!(f & (PKRAM_ENT_RUN | PKRAM_ENT_PACK)))
		return true;
	if (e->words + 1 > avail)
		return false;
	e->count = w[e->words++];
	if (e->count < 2)
		return false;
	if (f & PKRAM_ENT_PACK) {
		if (e->order || e->count / 2 > avail - e->words)
			return false;
		e->pfns = &w[e->words];
		e->words += e->count / 2;
	}
	return true;
}

/* The address of folio @i of an entry (@pfns: its packed words, or NULL). */
static inline u64 pkram_folio_at(u64 phys, unsigned int order,
				 const u64 *pfns, u64 i)
{
	u64 w;

	if (!pfns)
		return phys + (i << (order + PAGE_SHIFT));
	if (!i)
		return phys;
	w = pfns[(i - 1) / 2];
	return PFN_PHYS((i - 1) % 2 ? w >> 32 : w & U32_MAX);
}

static inline u64 pkram_entry_folio(const struct pkram_entry *e, u64 i)
{
	return pkram_folio_at(e->phys, e->order, e->pfns, i);
}

#define PKRAM_LINK_WORDS	\
	((PAGE_SIZE - sizeof(struct pkram_link_meta)) / sizeof(u64))

#define PKRAM_RANGES_WORDS	\
	((PAGE_SIZE - sizeof(struct pkram_ranges_meta)) / sizeof(u64))

/* ---- Runtime state ---- */

enum pkram_node_state {
	PKRAM_SAVING,
	PKRAM_SAVED,
	PKRAM_INCOMING,
	PKRAM_LOADING,
};

/* A node as this kernel knows it; the node page is its metadata. */
struct pkram_node {
	struct list_head list;
	enum pkram_node_state state;
	bool incoming;			/* came from the previous kernel */
	/* saved by this saver while preparing a kexec; NULL otherwise */
	const struct pkram_saver *saver;
	struct pkram_node_meta *meta;
	/*
	 * While saving: taken around changes to the object list, the link
	 * chains and the counts (pkram_change_begin() when pkram_walk_node()
	 * could see the change). While loading: taken to detach a link page.
	 */
	struct mutex lock;
};

/* Write all of @buf to a byte stream: 0, or the error (-ENOMEM if short). */
static inline int pkram_write_all(struct pkram_access *pa, const void *buf,
				  size_t len)
{
	ssize_t n = pkram_write(pa, buf, len);

	return n == len ? 0 : (n < 0 ? n : -ENOMEM);
}

/* shmem.c */
struct inode;
struct pkram_shmem_file;
int pkram_shmem_check(struct inode *inode);
int pkram_shmem_save(struct pkram_stream *ps, struct pkram_access *bytes,
		     struct inode *inode);
int pkram_shmem_read_hdr(struct pkram_access *bytes,
			 struct pkram_shmem_file *h);
int pkram_shmem_load(struct pkram_stream *ps, const struct pkram_shmem_file *h,
		     struct inode *inode);
int pkram_shmem_save_folios(struct pkram_access *pa, struct inode *inode,
			    u64 *folios, u64 *pages);
int pkram_shmem_load_folios(struct pkram_access *pa, struct inode *inode,
			    u64 folios, u64 pages);
/* how large files are cut for saving in parallel (KUnit lowers both) */
extern unsigned long pkram_shmem_part_pages;
extern unsigned int pkram_shmem_parts;

/* tmpfs.c */
struct dentry;
struct path;
struct xarray;
int pkram_tmpfs_save(struct pkram_stream *ps, const struct path *root,
		     struct xarray *frozen);
int pkram_tmpfs_load(struct pkram_stream *ps, struct dentry *root,
		     bool *taken);

/*
 * A user that keeps things by name that become nodes only at the kexec
 * (tmpfs.c): they are listed with the nodes and discarded by name. Keepers
 * register in initcalls and stay.
 */
struct pkram_keeper {
	struct list_head list;
	/* lines of the node list (sysfs.c), at most @cap bytes */
	size_t (*nodes_text)(char *buf, size_t cap);
	/* how many lines, at most 128 bytes each */
	size_t (*count)(void);
	/* 0, -EBUSY, or -ENOENT: not one of mine */
	int (*discard)(const char *name);
};

void pkram_register_keeper(struct pkram_keeper *keeper);
size_t pkram_keepers_count(void);
size_t pkram_keepers_text(char *buf, size_t cap);

/* core.c */
extern struct mutex pkram_mutex;
extern struct list_head pkram_nodes;
extern bool pkram_finalizing;
extern struct task_struct *pkram_saver_task;
extern const struct pkram_saver *pkram_cur_saver;
void pkram_drop_saver_nodes(const struct pkram_saver *saver);
bool pkram_name_valid(const char *name);
const char *pkram_state_name(enum pkram_node_state state);
struct pkram_node *pkram_find_node(const char *name);
void pkram_free_node(struct pkram_node *node);
bool pkram_node_foreign(struct pkram_node *node);
bool pkram_obj_foreign(struct pkram_node *node, struct pkram_obj_meta *obj);
void pkram_meta_seal(void *page);
bool pkram_meta_check(const void *page, u16 type);
u32 pkram_sb_crc(const void *sb, const void *val);
int pkram_sb_seal(void *sb);
bool pkram_sb_check(const void *sb);
int pkram_add_incoming(struct pkram_node_meta *meta);

/* stream.c */
long pkram_owned(void);
void pkram_lock_saves(void);
void pkram_unlock_saves(void);
void pkram_change_begin(struct pkram_node *node);
void pkram_change_end(struct pkram_node *node);
struct page *pkram_alloc_safe(gfp_t gfp, unsigned int order);
void pkram_free_owned(struct page *page, unsigned int order);
void pkram_release_stream(u64 head, bool incoming, bool put_data);
u32 pkram_obj_crc(const struct pkram_obj_meta *obj);
void pkram_free_meta_page(void *page, bool incoming);

/* handover.c */
typedef void (*pkram_test_hook_t)(void *sb, u64 first_node, u64 ranges);
#ifdef CONFIG_PKRAM_TEST_HOOKS
extern pkram_test_hook_t pkram_test_finalize_hook;	/* test kernels only */
#endif
/*
 * Every preserved page as a bit, in chunks allocated where pages are
 * marked: sorted, merged ranges in a linear scan (pfnmap.c).
 */
#define PKRAM_PFNMAP_CHUNK	4096UL	/* page frames per chunk: 16 MiB */
#define PKRAM_PFNMAP_BYTES	(PKRAM_PFNMAP_CHUNK / BITS_PER_BYTE)

struct pkram_pfnmap {
	unsigned long ***top;		/* -> directory pages -> chunks */
	unsigned long nr_top;
	unsigned long npfn;		/* page frames from here are refused */
	unsigned long nr_chunks, nr_dirs;
	bool dup;			/* a page was marked twice */
};

int pkram_pfnmap_init(struct pkram_pfnmap *m, unsigned long npfn);
void pkram_pfnmap_destroy(struct pkram_pfnmap *m);
unsigned long pkram_pfnmap_bytes(const struct pkram_pfnmap *m);
void pkram_pfnmap_clear(struct pkram_pfnmap *m);
int pkram_pfnmap_set(struct pkram_pfnmap *m, unsigned long s, unsigned long e);
bool pkram_pfnmap_any(const struct pkram_pfnmap *m, unsigned long s,
		      unsigned long e);
bool pkram_pfnmap_next(const struct pkram_pfnmap *m, unsigned long *pos,
		       unsigned long *rs, unsigned long *re);
unsigned long pkram_pfnmap_run_start(const struct pkram_pfnmap *m,
				     unsigned long pfn);

int pkram_write_ranges(struct pkram_pfnmap *m, struct list_head *list,
		       u64 *head, u64 *nr_ranges, u64 *list_pages);

/* rlist.c */
int pkram_walk_stream(u64 head, bool links, pkram_range_fn fn, void *arg);
int pkram_walk_node(struct pkram_node_meta *meta, pkram_range_fn fn,
		    void *arg);
void pkram_seal_node(struct pkram_node_meta *meta, bool incoming);
/* Where the range list's pages come from (pkram_rl_write()). */
struct pkram_rl_pages {
	int (*grow)(void *arg);			/* add a page, or an errno */
	void *(*page)(void *arg, unsigned long i);	/* page i, or NULL */
	void *arg;
};

int pkram_rl_write(struct pkram_pfnmap *m, const struct pkram_rl_pages *src,
		   u64 *head, u64 *nr_ranges, u64 *list_pages);

/* handover.c */
#define PKRAM_COLLECT_PENDING	BIT(0)	/* memory of pkram_register_pending() */
#define PKRAM_COLLECT_HANDOVER	BIT(1)	/* the superblock and avoid pages */
int pkram_collect_map(struct pkram_pfnmap *m, unsigned int flags);
struct pkram_range *pkram_collect_ranges(unsigned long *nr, unsigned int flags);
/* the installed image's segments and those of an image being loaded */
#define PKRAM_MAX_BANS		32
unsigned int pkram_kexec_bans(struct pkram_range *out);
int pkram_kexec_check(void);
phys_addr_t pkram_sb_phys(void);
int pkram_finalize(void);
void pkram_unfinalize(void);

/* memory.c */
#ifdef CONFIG_MEMORY_HOTPLUG
int pkram_memory_going_offline(unsigned long start_pfn,
			       unsigned long nr_pages);
#else
static inline int pkram_memory_going_offline(unsigned long start_pfn,
					     unsigned long nr_pages)
{
	return 0;
}
#endif

/* snapshot.c */
void *pkram_snapshot(bool incoming, size_t *size);

/* liveupdate.c */
void *pkram_luo_text(size_t *size);

/* boot.c */
/*
 * One item of the range list, as validation looks pages up: a run, all of
 * [start, end) preserved, or a bitmap (@bm, bit 0 at @base) trimmed to its
 * first and last set bit. Items are sorted and disjoint.
 */
struct pkram_vitem {
	u64 start;
	u64 end;
	u64 base;
	const u64 *bm;			/* in the range list page; NULL: a run */
	u64 used;			/* v->used bit of @start */
};

struct pkram_validate {
	struct pkram_vitem *items;	/* what is preserved */
	unsigned long nr;
	unsigned long hint;		/* where the last lookup found its item */
	u64 budget;			/* metadata pages left, against cycles */
	const char *why;		/* why validation failed */
	/* with tracking: no page used twice */
	unsigned long *used;		/* a bit per page of the items' spans */
	u64 nbits;
	u64 done;			/* marks made for the node being checked */
	bool undo;			/* take them back */
	/* preserved, but not memory this kernel knows: never to be read */
	const struct pkram_range *unknown;
	unsigned int nr_unknown;
};

int pkram_validate_init(struct pkram_validate *v, const struct pkram_range *r,
			unsigned long nr, bool track);
int pkram_validate_init_list(struct pkram_validate *v, u64 list,
			     u64 max_pages);
void pkram_validate_destroy(struct pkram_validate *v);
bool pkram_validate_use(struct pkram_validate *v, u64 start, u64 end,
			const char *why);
bool pkram_validate_node(struct pkram_validate *v, struct pkram_node_meta *node);
bool pkram_check_node(struct pkram_validate *v, u64 phys,
		      struct pkram_node_meta **nodep);

/* Decoding one page of the range list. */
struct pkram_rl_cursor {
	const struct pkram_ranges_meta *p;
	u32 pos;			/* the next item's first word */
	u32 bm;				/* the open bitmap's first word */
	u32 bits;			/* its size in bits; 0: none open */
	u32 bit;			/* the next bit to look at */
	u64 base;			/* the address of its bit 0 */
};

int pkram_rl_next(struct pkram_rl_cursor *c, struct pkram_range *out);
int pkram_parse_incoming(void);
extern phys_addr_t pkram_incoming_sb;

#endif /* _MM_PKRAM_INTERNAL_H */
