// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-fail-load ADDR: a kexec_load() that passes the segment checks and
 * then fails: one page-sized segment at physical ADDR whose user buffer
 * cannot be read, so the kernel fails with EFAULT while copying it, after
 * sanity_check_segment_list() accepted it. The image loaded before stays
 * loaded. Exit 0 if the load failed with EFAULT, 1 otherwise.
 */
#include <errno.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct kexec_segment seg;
	unsigned long mem;
	void *hole;
	long ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PHYS_ADDR\n", argv[0]);
		return 2;
	}
	mem = strtoul(argv[1], NULL, 0);
	/* an address that is surely not mapped: a page we map and unmap */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED || munmap(hole, 4096)) {
		perror("mmap");
		return 2;
	}
	memset(&seg, 0, sizeof(seg));
	seg.buf = hole;
	seg.bufsz = 4096;
	seg.mem = (void *)mem;
	seg.memsz = 4096;
	ret = syscall(SYS_kexec_load, mem, 1UL, &seg, KEXEC_ARCH_DEFAULT);
	if (!ret) {
		fprintf(stderr, "kexec-fail-load: the load succeeded\n");
		return 1;
	}
	printf("kexec-fail-load: kexec_load failed: %s\n", strerror(errno));
	return errno == EFAULT ? 0 : 1;
}
