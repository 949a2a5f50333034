/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz harness of PKRAM's incoming-handover parser: what the harness
 * (fuzz-incoming.c) and the fake kernel services (fuzz-mem.c) share.
 */
#ifndef PKRAM_FUZZ_H
#define PKRAM_FUZZ_H

#include "shim/fuzz-kernel.h"

/* Fake physical memory ends below this: 64 GiB (bench-scale: 8 TiB). */
#ifndef FUZZ_PHYS_MAX
#define FUZZ_PHYS_MAX		(1ULL << 36)
#endif
#define FUZZ_MAX_RAM		8	/* memblock.memory regions from the input */
#define FUZZ_MAX_RSV		8	/* memblock.reserved regions from the input */
#define FUZZ_INIT_REGIONS	128	/* memblock's static reserved array */

/* The input (README, "Input format"): this header, then page records. */
#define FUZZ_F_RAW_CRC		0x01	/* do not seal metadata pages */
#define FUZZ_F_NO_PARAM		0x02	/* no pkram= on the command line */

struct fuzz_range {
	u64 base;
	u64 size;
};

struct fuzz_hdr {
	u8 nr_ram;
	u8 nr_rsv;
	u8 flags;
	u8 pad[5];
	char param[24];			/* the text after "pkram=" */
	struct fuzz_range ram[FUZZ_MAX_RAM];
	struct fuzz_range rsv[FUZZ_MAX_RSV];
};

/* a record: the page's physical address, then the page */
#define FUZZ_REC_SIZE		(sizeof(u64) + PAGE_SIZE)

/* A set of physical ranges [start, end): sorted, disjoint, not touching. */
struct fuzz_set {
	u64 (*r)[2];
	size_t n, cap;
};

void fuzz_set_clear(struct fuzz_set *s);
void fuzz_set_add(struct fuzz_set *s, u64 start, u64 end);
void fuzz_set_sub(struct fuzz_set *s, u64 start, u64 end);
bool fuzz_set_contains(const struct fuzz_set *s, u64 start, u64 end);
bool fuzz_set_overlaps(const struct fuzz_set *s, u64 start, u64 end);

/* Where the parser may use memory through phys_to_virt()/__va(). */
enum fuzz_phase {
	FUZZ_EARLY,	/* pkram_reserve(): memblock.reserved */
	FUZZ_LATE,	/* pkram_parse_incoming(): the preserved ranges */
	FUZZ_OLD,	/* bench-scale's old kernel, finalizing: any RAM */
};

struct fuzz_state {
	enum fuzz_phase phase;
	u8 *base;			/* fake physical address 0 */
	u64 span;			/* bytes mapped at base */
	struct fuzz_set ram;		/* memblock.memory at start */
	struct fuzz_set rsv;		/* memblock.reserved at start */
	struct fuzz_set preserved;	/* what pkram_reserve() added */
	unsigned long *freed;		/* a bit per page given back */
	u64 nr_freed;
	int maps;			/* early_memremap()s not unmapped */
};

extern struct fuzz_state fuzz;
extern u64 fuzz_heap, fuzz_heap_peak;
extern void (*fuzz_printk_hook)(const char *msg);	/* each message */	/* bytes kvmalloc'ed: now, at most */

void __attribute__((noreturn, format(printf, 1, 2))) fuzz_fail(const char *fmt, ...);
bool fuzz_page_freed(u64 phys);
u64 fuzz_next_freed(u64 start, u64 end);
void fuzz_mem_setup(const struct fuzz_set *ram, const struct fuzz_set *rsv);
void fuzz_mem_teardown(void);

#endif /* PKRAM_FUZZ_H */
