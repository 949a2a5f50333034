/* SPDX-License-Identifier: GPL-2.0 */
/* What the bench programs (luo-bench, tmpfs-bench) share. */
#ifndef PKRAM_BENCH_H
#define PKRAM_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MiB (1UL << 20)
#define PAGE 4096UL

static inline void fail(const char *what)
{
	printf("pkram-bench: FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static inline uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline void *map(int fd, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED | MAP_POPULATE, fd, 0);

	if (p == MAP_FAILED)
		fail("mmap");
	return p;
}

/* the word at the start of page @pg of the state */
static inline uint64_t pattern(size_t pg)
{
	return pg * 0x9e3779b97f4a7c15ULL;
}

/*
 * The baseline: memcpy of @size bytes from @src into memory touched
 * before, best and worst of 3 runs.
 */
static inline void copy_baseline(const char *src, size_t size)
{
	uint64_t t, best = UINT64_MAX, worst = 0;
	char *dst;
	int run;

	dst = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dst == MAP_FAILED)
		fail("mmap copy");
	for (run = 0; run < 3; run++) {
		t = ns();
		memcpy(dst, src, size);
		t = ns() - t;
		best = t < best ? t : best;
		worst = t > worst ? t : worst;
	}
	munmap(dst, size);
	printf("pkram-bench: phase=copy ns=%llu max_ns=%llu runs=3\n",
	       (unsigned long long)best, (unsigned long long)worst);
}

/*
 * After the kexec: getting the state back took @t0 to @t1, its first byte
 * @t1 to @t2, reading all of it (@sum of a word per cache line) @t2 to @t3.
 */
static inline void print_load(uint64_t t0, uint64_t t1, uint64_t t2,
			      uint64_t t3, uint64_t sum)
{
	printf("pkram-bench: phase=open ns=%llu\n",
	       (unsigned long long)(t1 - t0));
	printf("pkram-bench: phase=first ns=%llu\n",
	       (unsigned long long)(t2 - t1));
	printf("pkram-bench: phase=read ns=%llu sum=%llx\n",
	       (unsigned long long)(t3 - t2), (unsigned long long)sum);
}

#endif
