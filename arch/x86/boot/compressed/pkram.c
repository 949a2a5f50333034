// SPDX-License-Identifier: GPL-2.0
/*
 * Keep the decompressed kernel off memory that PKRAM preserved for it.
 *
 * The previous kernel wrote an avoid list (struct pkram_avoid: at most
 * PKRAM_AVOID_MAX ranges that cover every preserved page) into a page of
 * its own as it kexec'd. The decompressor finds that page two ways:
 *
 * - through a SETUP_PKRAM setup_data entry, which kexec_file_load adds;
 * - through pkram=<superblock> on the command line, which every kexec
 *   carries (kexec_load too): the superblock is a small FDT whose root
 *   property "avoid" holds the page's address.
 *
 * Nothing here trusts what it reads: it reads only pages the e820 map
 * says are RAM, and only inside them; a stale or damaged superblock or
 * avoid page makes KASLR avoid some memory it did not need to, or
 * nothing. The kernel
 * checks the handover itself in early boot (mm/pkram/boot.c).
 */
#include "misc.h"
#include "../string.h"

#include <asm/e820/types.h>
#include <asm/setup_data.h>

#define PKRAM_FDT_MAGIC		0xd00dfeed
#define PKRAM_FDT_BEGIN_NODE	1
#define PKRAM_FDT_PROP		3
#define PKRAM_FDT_NOP		4
#define PKRAM_SB_SIZE		4096

static u64 pkram_cmdline_avoid;

/*
 * Is the page at @phys RAM, as the boot e820 map says, above 1 MiB? Only
 * such pages are read: a wrong pkram= (beyond RAM, beyond the CPU's
 * physical address bits, MMIO) must cost nothing but the avoid list.
 */
static bool pkram_ram_page(u64 phys)
{
	u32 i;

	if (!phys || (phys & (PKRAM_SB_SIZE - 1)) || phys < 0x100000)
		return false;
	u32 nr = boot_params_ptr->e820_entries;

	if (nr > ARRAY_SIZE(boot_params_ptr->e820_table))
		nr = ARRAY_SIZE(boot_params_ptr->e820_table);

	for (i = 0; i < nr; i++) {
		struct boot_e820_entry *e = &boot_params_ptr->e820_table[i];

		if (e->type == E820_TYPE_RAM && phys >= e->addr &&
		    phys - e->addr < e->size &&
		    e->size - (phys - e->addr) >= PKRAM_SB_SIZE)
			return true;
	}
	return false;
}

static u32 pkram_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* The "avoid" property of the superblock FDT at @sb, or 0. */
static u64 pkram_sb_avoid(u64 sb)
{
	const u8 *fdt = (const u8 *)(unsigned long)sb;
	u32 total, off_struct, off_strings, size_strings, size_struct;
	u32 pos, end;

	if (!pkram_ram_page(sb) || pkram_be32(fdt) != PKRAM_FDT_MAGIC)
		return 0;
	total = pkram_be32(fdt + 4);
	off_struct = pkram_be32(fdt + 8);
	off_strings = pkram_be32(fdt + 12);
	size_strings = pkram_be32(fdt + 32);
	size_struct = pkram_be32(fdt + 36);
	if (total > PKRAM_SB_SIZE || off_struct >= total ||
	    size_struct > total - off_struct || off_strings >= total ||
	    size_strings > total - off_strings)
		return 0;

	/* the root node: its (empty) name, then its properties */
	pos = off_struct;
	end = off_struct + size_struct;
	if (end - pos < 8 || pkram_be32(fdt + pos) != PKRAM_FDT_BEGIN_NODE)
		return 0;
	for (pos += 4; pos < end && fdt[pos]; pos++)
		;
	pos = ALIGN(pos + 1, 4);
	while (pos < end && end - pos >= 12) {
		u32 tag = pkram_be32(fdt + pos), len, name;

		if (tag == PKRAM_FDT_NOP) {
			pos += 4;
			continue;
		}
		if (tag != PKRAM_FDT_PROP)
			break;		/* a subnode or the end: no "avoid" */
		len = pkram_be32(fdt + pos + 4);
		name = pkram_be32(fdt + pos + 8);
		pos += 12;
		if (len > end - pos)
			break;
		if (len == 8 && name < size_strings &&
		    size_strings - name >= sizeof("avoid") &&
		    !memcmp(fdt + off_strings + name, "avoid", sizeof("avoid")))
			return (u64)pkram_be32(fdt + pos) << 32 |
			       pkram_be32(fdt + pos + 4);
		pos = ALIGN(pos + len, 4);
	}
	return 0;
}

/**
 * pkram_parse_cmdline - note the pkram= superblock's avoid page
 * @val: the value of pkram= on the command line
 */
void pkram_parse_cmdline(char *val)
{
	unsigned long long sb;

	if (!val || kstrtoull(val, 0, &sb))
		return;
	pkram_cmdline_avoid = pkram_sb_avoid(sb);
}

static bool pkram_overlaps(const struct mem_vector *a,
			   const struct mem_vector *b)
{
	return a->start < b->start + b->size && b->start < a->start + a->size;
}

/* Does @img overlap a range of the avoid list at @avoid? Lowest wins. */
static bool pkram_avoid_list(struct mem_vector *img, u64 avoid,
			     u64 *earliest, struct mem_vector *overlap)
{
	const struct pkram_avoid *pa = (const void *)(unsigned long)avoid;
	bool found = false;
	u32 i;

	if (!pkram_ram_page(avoid) || pa->magic != PKRAM_AVOID_MAGIC)
		return false;
	for (i = 0; i < pa->nr && i < PKRAM_AVOID_MAX; i++) {
		struct mem_vector r = {
			.start = pa->ranges[i].start,
			.size = pa->ranges[i].end - pa->ranges[i].start,
		};

		if (pa->ranges[i].end <= pa->ranges[i].start)
			continue;
		if (pkram_overlaps(img, &r) && r.start < *earliest) {
			*overlap = r;
			*earliest = r.start;
			found = true;
		}
	}
	return found;
}

/**
 * pkram_mem_avoid_overlap - does @img overlap preserved memory?
 * @img: a candidate place for the kernel
 * @sd: a SETUP_PKRAM setup_data entry, or NULL for the pkram= superblock
 * @earliest: the lowest overlap found so far; lowered if this one is lower
 * @overlap: set to the overlapping range if it is the lowest so far
 *
 * Return: true if @overlap was set.
 */
bool pkram_mem_avoid_overlap(struct mem_vector *img, struct setup_data *sd,
			     u64 *earliest, struct mem_vector *overlap)
{
	if (!sd)
		return pkram_avoid_list(img, pkram_cmdline_avoid, earliest,
					overlap);
	if (sd->len < sizeof(struct setup_pkram))
		return false;
	return pkram_avoid_list(img, ((struct setup_pkram *)sd->data)->avoid,
				earliest, overlap);
}
