/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM's on-memory handover format: an ABI between two kernels that may
 * be different versions. Documentation/mm/pkram.rst ("Handover format",
 * "Versioning") says what each field means and how the format may change;
 * change nothing here without reading it.
 *
 * The next kernel gets the physical address of the superblock on its
 * command line (pkram=). The superblock is a one-page flattened device
 * tree whose root node says "compatible = PKRAM_COMPATIBLE" and carries
 * the PKRAM_FDT_* properties. Everything else is metadata pages, each
 * starting with struct pkram_meta_hdr, linked by physical address.
 * Integers in metadata pages are little endian (x86-64 and arm64, the
 * architectures PKRAM is for); FDT cells are big endian.
 */
#ifndef _LINUX_PKRAM_ABI_H
#define _LINUX_PKRAM_ABI_H

#include <linux/bits.h>
#include <linux/stringify.h>
#include <linux/types.h>

/*
 * The format version: in the superblock's compatible string and in every
 * metadata page's header, the same number. A kernel reads exactly one.
 */
#define PKRAM_FORMAT_VERSION	3
#define PKRAM_COMPATIBLE	"linux,pkram-v" __stringify(PKRAM_FORMAT_VERSION)

#define PKRAM_META_MAGIC	0x4d524b50	/* "PKRM" */

enum pkram_meta_type {
	PKRAM_META_NODE = 1,
	PKRAM_META_OBJ = 2,
	PKRAM_META_LINK = 3,
	PKRAM_META_RANGES = 4,
};

/*
 * Every metadata page starts with this header. @crc is the crc32c of the
 * whole page computed with @crc set to zero; @version is
 * PKRAM_FORMAT_VERSION; @next chains pages of the same list by physical
 * address (0 ends the list). @flags and @reserved are zero.
 */
struct pkram_meta_hdr {
	u32 magic;
	u32 crc;
	u16 type;
	u16 version;
	u32 flags;
	u64 next;
	u64 reserved;
};

/* A node: one named set of objects. @flags and @reserved are zero. */
struct pkram_node_meta {
	struct pkram_meta_hdr hdr;	/* next: 0 (the superblock lists nodes) */
	u64 first_obj;
	u64 nr_objs;
	u64 nr_folios;
	u64 nr_pages;			/* pages in folio streams */
	u64 nr_bytes;			/* bytes in byte streams */
	u64 nr_meta;			/* metadata pages, this one included */
	u32 flags;
	u32 reserved;
	char name[64];			/* PKRAM_NAME_MAX + 1, NUL terminated */
};

/*
 * An object: a folio stream and a byte stream. @flags are enum
 * pkram_data_flags (include/linux/pkram.h), whose values are part of this
 * ABI: folios 1, bytes 2, inplace 4, csum 8. A bit a kernel does not know
 * makes it refuse the node (see "Versioning").
 */
struct pkram_obj_meta {
	struct pkram_meta_hdr hdr;	/* next: next object */
	u64 folios_head;		/* first link page of the folio stream */
	u64 bytes_head;			/* first link page of the byte stream */
	u64 nr_folios;
	u64 nr_pages;
	u64 data_len;			/* bytes in the byte stream */
	u32 flags;			/* enum pkram_data_flags */
	u32 data_crc;			/* PKRAM_DATA_csum: see pkram_obj_crc() */
};

/*
 * A link page: a packed array of entries. An entry's first word is
 *   bits 63..12  physical address of the first folio
 *   bits  5..0   folio order
 *   bit   6      PKRAM_ENT_INDEX: the next word is the folio's index
 *   bit   7      PKRAM_ENT_RUN:   then a word N >= 2, the number of folios
 *                of this order that follow each other physically and by
 *                index
 *   bit   8      PKRAM_ENT_PACK:  order 0 and no RUN; then a word N >= 2,
 *                the number of folios, and N / 2 words holding the page
 *                frame numbers (< 2^32) of folios 2..N, two to a word, low
 *                half first (an unused last half is zero); they follow
 *                each other by index, anywhere in memory
 *   bits 11..9   reserved, zero
 * A folio without PKRAM_ENT_INDEX has the index that follows the previous
 * folio of the stream (0 for the first one). @reserved is zero.
 */
struct pkram_link_meta {
	struct pkram_meta_hdr hdr;	/* next: next link page */
	u32 nr_words;
	u32 reserved;
	u64 words[];
};

#define PKRAM_ENT_ORDER_MASK	0x3fULL
#define PKRAM_ENT_INDEX		BIT_ULL(6)
#define PKRAM_ENT_RUN		BIT_ULL(7)
#define PKRAM_ENT_PACK		BIT_ULL(8)
#define PKRAM_ENT_RSVD_MASK	0xe00ULL
#define PKRAM_ENT_PHYS_MASK	(~0xfffULL)

/*
 * A page of the range list: every preserved page, in address order, as
 * items packed into words[]. An item's first word is
 *   bits 63..12  physical address A
 *   bit  0       PKRAM_RL_BITMAP clear: a run; bits 11..1 are zero and the
 *                next word is its length in pages (>= 1)
 *                PKRAM_RL_BITMAP set: bits 11..1 are N >= 1, and the next N
 *                words are a bitmap: bit b of word w set means the page at
 *                A + (64 * w + b) * 4 KiB is preserved
 * An item never crosses a page. The ranges the list yields are maximal:
 * sorted, and no two of them overlap or touch. A page may hold no item
 * (the list's last pages: the writer allocates a margin).
 * @reserved is zero.
 */
struct pkram_ranges_meta {
	struct pkram_meta_hdr hdr;	/* next: next page of the list */
	u32 nr_words;
	u32 reserved;
	u64 words[];
};

#define PKRAM_RL_BITMAP		BIT_ULL(0)
#define PKRAM_RL_NWORDS_SHIFT	1
#define PKRAM_RL_NWORDS_MASK	0x7ffULL
#define PKRAM_RL_ADDR_MASK	(~0xfffULL)

/*
 * Superblock FDT properties of the root node, all mandatory; a u64 is one
 * big-endian 8-byte value, as FDT cells are.
 */
#define PKRAM_FDT_NODES		"nodes"		/* u64 array: each node page */
#define PKRAM_FDT_RANGES	"ranges"	/* u64: first range list page */
#define PKRAM_FDT_NR_RANGES	"nr-ranges"	/* u64: ranges the list yields */
#define PKRAM_FDT_RANGE_PAGES	"range-pages"	/* u64: pages of the list */
#define PKRAM_FDT_PAGES		"preserved-pages" /* u64: data pages */
#define PKRAM_FDT_AVOID		"avoid"		/* u64: x86 KASLR avoid page */
/*
 * u32: crc32c of the FDT's first totalsize bytes, this value read as zero;
 * the property is added last, so that whoever writes a superblock can
 * fill it in without moving anything.
 */
#define PKRAM_FDT_CRC		"crc"

/*
 * ---- Formats of PKRAM's own users, inside nodes' byte streams ----
 *
 * These ride on the node format above and have versions of their own: a
 * kernel that does not know one refuses that node's content with a log
 * line (the node itself stays valid). Reserved fields are zero, and a
 * reader refuses a record whose reserved fields are not.
 */

/*
 * A shmem file (mm/pkram/shmem.c): one object whose folio stream holds the
 * file's page-cache folios, each with its index (holes are absent), and
 * whose byte stream starts with this record; what the file's user adds
 * (struct pkram_luo_file for a memfd) follows it. Times are since the
 * epoch. @nr_pages is the number of pages the folio stream holds.
 */
#define PKRAM_SHMEM_MAGIC	0x4d485350	/* "PSHM" */
#define PKRAM_SHMEM_VERSION	1

struct pkram_shmem_file {
	u32 magic;
	u16 version;
	u16 reserved0;
	u64 size;
	u64 nr_pages;
	u32 mode;
	u32 seals;		/* F_SEAL_* */
	u32 uid;
	u32 gid;
	s64 atime_sec;
	s64 mtime_sec;
	s64 ctime_sec;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 reserved1;
	u64 reserved[2];
};

/*
 * The live-update interface (mm/pkram/liveupdate.c) keeps every session in
 * one node, PKRAM_LUO_NODE. Its first object is bytes only: struct
 * pkram_luo_header, then @nr_sessions struct pkram_luo_session. Then come,
 * session by session in that order, each session's @nr_files shmem file
 * objects, whose byte streams continue after struct pkram_shmem_file with
 * struct pkram_luo_file and the memfd's name (@name_len bytes, no NUL).
 */
#define PKRAM_LUO_NODE		"liveupdate"
#define PKRAM_LUO_MAGIC		0x4f554c50	/* "PLUO" */
#define PKRAM_LUO_VERSION	1

struct pkram_luo_header {
	u32 magic;
	u16 version;
	u16 reserved0;
	u32 nr_sessions;
	u32 reserved1;
};

struct pkram_luo_session {
	u8 name[64];		/* NUL-terminated, NUL-padded */
	u32 nr_files;
	u32 reserved;
};

struct pkram_luo_file {
	u64 token;
	u64 pos;		/* the file position */
	u32 name_len;		/* at most 249: NAME_MAX less "memfd:" */
	u32 reserved;
};

/*
 * A tmpfs tree (mm/pkram/tmpfs.c): one object. Its byte stream is struct
 * pkram_tmpfs_header, then the entries to its end in breadth-first order (a
 * directory's entry before the entries in it), each struct
 * pkram_tmpfs_entry followed by the name (@name_len bytes, no NUL; none
 * for the root, entry 0), then for a symlink its target (@size bytes),
 * then the extended attributes (@xattr_len bytes: each a struct
 * pkram_tmpfs_xattr, its name and its value). Its folio stream holds the
 * page-cache folios of the regular files, file after file in entry order,
 * @nr_folios of them per file, each with its index.
 *
 * Every entry with @link == 0 is a new inode, numbered from 1 in the order
 * they come (the root is 1); an entry with @link set is a hard link to
 * inode @link, which came before, and has only @parent, the name and
 * @kind set. @parent is the inode number of a directory that came before.
 */
#define PKRAM_TMPFS_MAGIC	0x46544b50	/* "PKTF" */
#define PKRAM_TMPFS_VERSION	1

struct pkram_tmpfs_header {
	u32 magic;
	u16 version;
	u16 reserved0;
	u64 reserved[3];
};

struct pkram_tmpfs_entry {
	u64 parent;		/* 0 for the root */
	u64 link;		/* a hard link to this inode; 0: a new inode */
	u64 size;		/* regular file: bytes; symlink: target length */
	u64 nr_folios;		/* regular file: its folios in the stream */
	u64 nr_pages;		/* and the pages they hold */
	s64 atime_sec;
	s64 mtime_sec;
	s64 ctime_sec;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 mode;		/* file type and permissions */
	u32 uid;		/* in the initial user namespace */
	u32 gid;
	u32 rdev;		/* character and block devices: new_encode_dev() */
	u32 xattr_len;
	u16 name_len;
	u16 reserved0;
	u32 reserved1;
	u64 reserved[2];
};

struct pkram_tmpfs_xattr {
	u16 name_len;		/* with its prefix ("user.", ...), no NUL */
	u16 reserved;
	u32 value_len;
};

/* Limits the incoming parser enforces on untrusted input. */
#define PKRAM_MAX_NODES		256	/* the node table fits the superblock */

#endif /* _LINUX_PKRAM_ABI_H */
