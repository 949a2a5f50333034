/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ledger of the pages a Linux root partition deposited to the Microsoft
 * hypervisor for itself, kept across kexec with PKRAM.
 *
 * See Documentation/virt/hyperv/pkram-deposits.rst.
 */
#ifndef _LINUX_HV_DEPOSIT_LEDGER_H
#define _LINUX_HV_DEPOSIT_LEDGER_H

#include <linux/types.h>

struct page;

/* Name of the PKRAM node that carries the ledger across kexec. */
#define HV_DEPOSIT_LEDGER_NODE	"hv-deposited"

/**
 * struct hv_deposit_extent - physically contiguous deposited pages
 * @pfn: first page frame
 * @nr: number of pages
 */
struct hv_deposit_extent {
	unsigned long pfn;
	unsigned long nr;
};

/**
 * struct hv_deposit_counts - what a ledger holds
 * @chunks: chunks recorded, including those of earlier kernels
 * @extents: disjoint, non-adjacent ranges they merge into
 * @pages: pages deposited
 * @lost: pages deposited but not recorded (out of memory): not preserved
 */
struct hv_deposit_counts {
	unsigned long chunks;
	unsigned long extents;
	unsigned long pages;
	unsigned long lost;
};

#ifdef CONFIG_HYPERV_PKRAM_LEDGER

void hv_deposit_ledger_record(struct page **pages, const int *counts, int nr);
void hv_deposit_ledger_counts(struct hv_deposit_counts *c);
bool hv_deposit_ledger_overlaps(unsigned long pfn, unsigned long nr);
long hv_deposit_ledger_extents(struct hv_deposit_extent *buf,
			       unsigned long max);
bool hv_deposit_ledger_is_root(void);
int hv_deposit_ledger_test_direct_map(unsigned long pfn, unsigned long nr,
				      bool present);

#else /* !CONFIG_HYPERV_PKRAM_LEDGER */

static inline void hv_deposit_ledger_record(struct page **pages,
					    const int *counts, int nr) { }

#endif /* CONFIG_HYPERV_PKRAM_LEDGER */

#endif /* _LINUX_HV_DEPOSIT_LEDGER_H */
