// SPDX-License-Identifier: GPL-2.0
/*
 * luo-bench: the userspace side of the memfd rows of `make bench`
 * (tests/bench/run-bench-memfd.sh, tests/bench/pkram-bench-state.sh).
 *
 *   luo-bench save MIB LAYOUT   build a MIB memfd (LAYOUT 4k: 4 KiB folios,
 *                               thp: 2 MiB folios), time copying it (the
 *                               baseline: memcpy into memory touched
 *                               before, 3 runs; and once into a new memfd
 *                               of the same layout, as a service that
 *                               restores its state from a copy would),
 *                               time PRESERVE_FD, then hold the session
 *   luo-bench load MIB [LAYOUT] after the kexec: time opening the device
 *                               (restores the memfd), RETRIEVE_SESSION +
 *                               RETRIEVE_FD + the first byte, and reading
 *                               all of it; check one word per page
 *
 * MIB 0 preserves nothing (the downtime baseline). Prints
 * "pkram-bench: phase=NAME ns=N ..." lines and "pkram-bench: FAIL ...".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/liveupdate.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

static void save(unsigned long mib, const char *layout)
{
	size_t size = mib * MiB, i;
	struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
	struct liveupdate_session_preserve_fd pf = { .size = sizeof(pf), .token = 1 };
	int thp = !strcmp(layout, "thp"), fd, dev;
	uint64_t t;
	char *src, *dst;

	fd = open("/sys/kernel/mm/transparent_hugepage/shmem_enabled", O_WRONLY);
	if (fd < 0 || write(fd, thp ? "always" : "never", thp ? 6 : 5) < 0)
		fail("shmem_enabled");
	close(fd);
	dev = open("/dev/liveupdate", O_RDWR);
	if (dev < 0)
		fail("open /dev/liveupdate");
	if (!mib) {
		printf("pkram-bench: phase=preserve ns=0 (nothing preserved)\n");
		goto hold;
	}
	fd = memfd_create("bench", 0);
	if (fd < 0 || ftruncate(fd, size))
		fail("memfd");
	src = map(fd, size, PROT_READ | PROT_WRITE);
	for (i = 0; i < size; i += PAGE)
		*(uint64_t *)(src + i) = pattern(i / PAGE);

	copy_baseline(src, size);
	{
		/* into a new memfd: allocation and page cache included */
		int cfd = memfd_create("bench-copy", 0);

		if (cfd < 0 || ftruncate(cfd, size))
			fail("memfd copy");
		dst = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   cfd, 0);
		if (dst == MAP_FAILED)
			fail("mmap copy");
		t = ns();
		memcpy(dst, src, size);
		t = ns() - t;
		munmap(dst, size);
		close(cfd);
		printf("pkram-bench: phase=copy_memfd ns=%llu\n",
		       (unsigned long long)t);
	}
	munmap(src, size);

	strcpy((char *)cs.name, "bench");
	t = ns();
	if (ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
		fail("CREATE_SESSION");
	pf.fd = fd;
	if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &pf))
		fail("PRESERVE_FD");
	t = ns() - t;
	printf("pkram-bench: phase=preserve ns=%llu\n", (unsigned long long)t);
	close(fd);
hold:
	fflush(stdout);
	if (fork())
		exit(0);
	setsid();
	for (;;)
		pause();
}

static void load(unsigned long mib)
{
	struct liveupdate_ioctl_retrieve_session rs = { .size = sizeof(rs) };
	struct liveupdate_session_retrieve_fd rf = { .size = sizeof(rf), .token = 1 };
	size_t size = mib * MiB, i;
	uint64_t t0, t1, t2, t3, sum = 0;
	volatile char first;
	char *p;
	int dev;

	t0 = ns();
	dev = open("/dev/liveupdate", O_RDWR);
	if (dev < 0)
		fail("open /dev/liveupdate");
	t1 = ns();
	if (!mib) {
		printf("pkram-bench: phase=open ns=%llu\n",
		       (unsigned long long)(t1 - t0));
		return;
	}
	strcpy((char *)rs.name, "bench");
	if (ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &rs) ||
	    ioctl(rs.fd, LIVEUPDATE_SESSION_RETRIEVE_FD, &rf))
		fail("retrieve");
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, rf.fd, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	first = p[0];
	(void)first;
	t2 = ns();
	for (i = 0; i < size; i += 64)
		sum += *(volatile uint64_t *)(p + i);
	t3 = ns();
	for (i = 0; i < size; i += PAGE)
		if (*(uint64_t *)(p + i) != pattern(i / PAGE)) {
			errno = EIO;
			fail("data");
		}
	print_load(t0, t1, t2, t3, sum);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "save"))
		save(strtoul(argv[2], NULL, 0), argv[3]);
	else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "load"))
		load(strtoul(argv[2], NULL, 0));
	else
		fprintf(stderr, "usage: luo-bench save MIB 4k|thp | load MIB [LAYOUT]\n");
	return 0;
}
