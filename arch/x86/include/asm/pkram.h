/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM on x86: what the kexec_file_load bzImage loader calls to pass the
 * avoid list's page to the next kernel (arch/x86/kernel/pkram.c).
 */
#ifndef _ASM_X86_PKRAM_H
#define _ASM_X86_PKRAM_H

struct boot_params;
struct kimage;

#ifdef CONFIG_PKRAM
unsigned int pkram_kexec_setup_data_size(void);
void pkram_kexec_setup_data(struct kimage *image, struct boot_params *params,
			    unsigned long params_load_addr, unsigned int offset);
#else
static inline unsigned int pkram_kexec_setup_data_size(void)
{
	return 0;
}

static inline void pkram_kexec_setup_data(struct kimage *image,
					  struct boot_params *params,
					  unsigned long params_load_addr,
					  unsigned int offset) { }
#endif

#endif /* _ASM_X86_PKRAM_H */
