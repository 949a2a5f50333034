// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM on x86: the avoid list, and the SETUP_PKRAM setup_data entry
 * through which kexec_file_load tells the next kernel's decompressor where
 * it is (arch/x86/boot/compressed/pkram.c reads it, and finds the same
 * page through pkram= on the command line too).
 */
#include <linux/kexec.h>
#include <linux/pkram.h>
#include <asm/pkram.h>
#include <asm/setup.h>

/**
 * pkram_kexec_setup_data_size - room the x86 loader reserves for SETUP_PKRAM
 *
 * Return: the size of the setup_data entry pkram_kexec_setup_data() writes.
 */
unsigned int pkram_kexec_setup_data_size(void)
{
	return sizeof(struct setup_data) + sizeof(struct setup_pkram);
}

/**
 * pkram_kexec_setup_data - tell the next decompressor what KASLR must avoid
 * @image: the image being loaded
 * @params: its boot_params, with room for the entry at @offset
 * @params_load_addr: where @params will be in physical memory
 * @offset: where in @params the entry goes
 *
 * The entry points at PKRAM's avoid page, which pkram_finalize() fills in
 * the reboot path: the boot parameters are checksummed by purgatory when
 * they are loaded, so the list itself cannot live in them.
 */
void pkram_kexec_setup_data(struct kimage *image, struct boot_params *params,
			    unsigned long params_load_addr, unsigned int offset)
{
	struct setup_data *sd = (void *)params + offset;
	struct setup_pkram *sp = (struct setup_pkram *)sd->data;

	if (image->type == KEXEC_TYPE_CRASH || !pkram_avoid_phys())
		return;
	sd->type = SETUP_PKRAM;
	sd->len = sizeof(*sp);
	sp->avoid = pkram_avoid_phys();
	sd->next = params->hdr.setup_data;
	params->hdr.setup_data = params_load_addr + offset;
}

/**
 * pkram_arch_write_avoid - write the avoid list for the next decompressor
 * @page: the avoid page, zeroed
 * @next: gives every preserved range, sorted
 * @arg: passed to @next
 *
 * At most PKRAM_AVOID_MAX ranges that cover every preserved range (the
 * largest gaps between them left open): KASLR keeps the new kernel off
 * them (arch/x86/boot/compressed/pkram.c).
 */
void pkram_arch_write_avoid(void *page, pkram_range_next_fn next, void *arg)
{
	struct pkram_range hull[PKRAM_AVOID_MAX];
	struct pkram_avoid *pa = page;
	unsigned int i, n;

	n = pkram_hull(next, arg, hull, PKRAM_AVOID_MAX);
	for (i = 0; i < n; i++) {
		pa->ranges[i].start = hull[i].start;
		pa->ranges[i].end = hull[i].end;
	}
	pa->nr = n;
	pa->magic = PKRAM_AVOID_MAGIC;
}
