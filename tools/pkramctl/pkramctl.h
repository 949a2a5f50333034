/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pkramctl: inspect and manage PKRAM nodes through /sys/kernel/pkram.
 *
 * pkramctl-lib.c parses and formats (no I/O but FILE * output), so unit
 * tests can call it directly, as is pkramctl-snap.c for the FDT layout
 * snapshots (libfdt); pkramctl-cmd.c holds the commands and the
 * sysfs access; main.c only wires pkramctl_main() to the process.
 */
#ifndef PKRAMCTL_H
#define PKRAMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/compiler.h>	/* tools/include: __printf */
#include <linux/sizes.h>		/* tools/include: SZ_* */

#define PKRAMCTL_SYSFS_DEFAULT	"/sys/kernel/pkram"
#define PKRAMCTL_PROC_CMDLINE	"/proc/cmdline"
#define PKRAMCTL_PROC_IOMEM	"/proc/iomem"
#define PKRAM_NAME_MAX		63
#define PKRAM_PAGE_SIZE		4096ULL

/* Exit status */
#define PKRAMCTL_EXIT_OK	0	/* success */
#define PKRAMCTL_EXIT_FAIL	1	/* the operation failed */
#define PKRAMCTL_EXIT_USAGE	2	/* bad usage or environment */

enum pkram_dir {
	PKRAM_DIR_IN,		/* arrived from the previous kernel */
	PKRAM_DIR_OUT,		/* saved here, preserved at the next kexec */
};

enum pkram_state {
	PKRAM_ST_SAVING,
	PKRAM_ST_SAVED,
	PKRAM_ST_INCOMING,
	PKRAM_ST_LOADING,
	PKRAM_ST_KEPT,		/* a tmpfs kept by name: a node at the kexec */
	PKRAM_ST_NR,
};

struct pkram_node_info {
	enum pkram_dir dir;
	char name[PKRAM_NAME_MAX + 1];
	enum pkram_state state;
	uint64_t objects;
	uint64_t folios;
	uint64_t pages;		/* 4 KiB pages in folio streams */
	uint64_t bytes;		/* bytes in byte streams */
	uint64_t meta_pages;
};

struct pkram_node_list {
	struct pkram_node_info *nodes;
	size_t nr;
};

/* --- pkramctl-lib.c: parsing and formatting --- */
bool pkram_name_valid(const char *name);
const char *pkram_dir_name(enum pkram_dir dir);
const char *pkram_state_name(enum pkram_state state);

int pkram_parse_nodes(const char *buf, size_t len,
		      struct pkram_node_list *list, char *msg, size_t msglen);
void pkram_node_list_free(struct pkram_node_list *list);
const struct pkram_node_info *
pkram_find_node(const struct pkram_node_list *list, const char *name);

uint64_t pkram_node_memory(const struct pkram_node_info *node);
const char *pkram_human_size(uint64_t bytes, char *buf, size_t len);

void pkram_print_table(FILE *f, const struct pkram_node_list *list);
void pkram_print_json(FILE *f, const struct pkram_node_list *list);
void pkram_print_node(FILE *f, const struct pkram_node_info *node);
void pkram_print_node_json(FILE *f, const struct pkram_node_info *node);
void pkram_print_node_json_open(FILE *f, const struct pkram_node_info *node);
void pkram_json_string(FILE *f, const char *s);

int pkram_parse_cmdline_attr(const char *buf, size_t len, char *arg,
			     size_t arglen, uint64_t *phys);
int pkram_largest_free(const char *iomem, const char *preserved,
		       uint64_t *start, uint64_t *end);
char *pkram_make_cmdline(const char *cmdline, const char *append,
			 const char *pkram_arg);
void pkram_print_shell_argv(FILE *f, char *const argv[]);

/* --- pkramctl-snap.c: FDT layout snapshots ({incoming,outgoing}.dtb) --- */
#define PKRAM_SNAPSHOT_COMPATIBLE	"linux,pkram-snapshot-v1"
#define PKRAM_SNAP_FOLIOS	1	/* object flags */
#define PKRAM_SNAP_BYTES	2

struct pkram_range {		/* physical [start, end) in stream order */
	uint64_t start, end, order, index;
};

struct pkram_snap_obj {
	uint32_t flags;
	uint64_t data_len;		/* bytes in the byte stream */
	uint64_t *orders;		/* folios-by-order: [order] = count */
	size_t nr_orders;
	struct pkram_range *folio_ranges;
	size_t nr_folio_ranges;
	struct pkram_range *byte_ranges;
	size_t nr_byte_ranges;
};

struct pkram_snap_node {
	struct pkram_node_info info;	/* dir from the root's "direction" */
	struct pkram_snap_obj *objs;	/* none while the node is loading */
	size_t nr_objs;
};

int pkram_snap_check(const void *blob, size_t len, enum pkram_dir *dir,
		     char *msg, size_t msglen);
int pkram_snap_find_node(const void *blob, const char *name,
			 struct pkram_snap_node *node, char *msg,
			 size_t msglen);
void pkram_snap_obj_free(struct pkram_snap_obj *obj);
void pkram_snap_node_free(struct pkram_snap_node *node);
void pkram_print_snap_objects(FILE *f, const struct pkram_snap_node *node,
			      bool ranges);
void pkram_print_node_json_full(FILE *f, const struct pkram_node_info *info,
				const struct pkram_snap_node *snap,
				bool ranges);

/* --- pkramctl-cmd.c: commands --- */
struct pkramctl {
	const char *sysfs;		/* PKRAM sysfs directory */
	const char *proc_cmdline;	/* this kernel's command line */
	const char *proc_iomem;		/* the physical memory map */
	FILE *out;
	FILE *err;
	/* Replaceable for tests; both default to the real thing. */
	int (*exec)(struct pkramctl *ctx, char *const argv[]);
	int (*write_file)(const char *path, const char *buf, size_t len);
};

void pkramctl_init(struct pkramctl *ctx, FILE *out, FILE *err);
int pkramctl_main(struct pkramctl *ctx, int argc, char **argv);

#endif /* PKRAMCTL_H */
