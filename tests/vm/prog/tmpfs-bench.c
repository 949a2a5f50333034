// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfs-bench: the userspace side of the tmpfs rows of `make bench`
 * (tests/bench/run-bench-memfd.sh with BENCH_KIND=tmpfs,
 * tests/bench/pkram-bench-state.sh).
 *
 *   tmpfs-bench save DIR MIB LAYOUT   mount a tmpfs kept by name
 *                                     (pkram=bench) on DIR and fill it
 *                                     with MIB of state: LAYOUT 4k is one
 *                                     file in 4 KiB folios, thp one file
 *                                     with huge=always, tree 10,000 files
 *                                     in 100 directories; time the
 *                                     baseline (memcpy into memory touched
 *                                     before, 3 runs; and writing the same
 *                                     state into a plain tmpfs of the same
 *                                     layout, as a service that restores
 *                                     its state from a copy would)
 *   tmpfs-bench load DIR MIB LAYOUT   after the kexec: time the mount (it
 *                                     builds the tree), the first byte of
 *                                     the first file, and reading all of
 *                                     it; check one word per page
 *
 * MIB 0 keeps nothing (the downtime baseline; load times mounting an
 * empty kept tmpfs). Prints "pkram-bench: phase=NAME ns=N ..." lines and
 * "pkram-bench: FAIL ...".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define TREE_DIRS	100
#define TREE_FILES	10000

struct layout {
	size_t files;		/* 1, or TREE_FILES */
	size_t file_size;	/* bytes, whole pages */
	int thp;
};

static struct layout layout_of(unsigned long mib, const char *name)
{
	struct layout l = { .files = 1, .file_size = mib * MiB };

	if (!strcmp(name, "thp")) {
		l.thp = 1;
	} else if (!strcmp(name, "tree")) {
		l.files = TREE_FILES;
		l.file_size = mib * MiB / TREE_FILES / PAGE * PAGE;
		if (!l.file_size)
			l.file_size = PAGE;
	} else if (strcmp(name, "4k")) {
		errno = EINVAL;
		fail("layout");
	}
	return l;
}

static void do_mount(const char *dir, const char *name,
		     const struct layout *l)
{
	char opts[128];

	snprintf(opts, sizeof(opts), "%s%s%ssize=%zum,huge=%s",
		 name ? "pkram=" : "", name ?: "", name ? "," : "",
		 l->files * l->file_size / MiB + 64, l->thp ? "always" : "never");
	if (mount("tmpfs", dir, "tmpfs", 0, opts))
		fail(opts);
}

static void file_path(char *buf, size_t len, const char *dir,
		      const struct layout *l, size_t f)
{
	if (l->files == 1)
		snprintf(buf, len, "%s/state", dir);
	else
		snprintf(buf, len, "%s/d%zu/f%zu", dir, f % TREE_DIRS, f);
}

/* Write @src, the whole state, into the files under @dir. */
static void write_state(const char *dir, const struct layout *l,
			const char *src)
{
	char path[256];
	size_t f, d;
	int fd;

	for (d = 0; l->files > 1 && d < TREE_DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%zu", dir, d);
		if (mkdir(path, 0755))
			fail(path);
	}
	for (f = 0; f < l->files; f++) {
		file_path(path, sizeof(path), dir, l, f);
		fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
		if (fd < 0)
			fail(path);
		if (l->files == 1) {
			char *p;

			/* as a service fills its state: through a mapping */
			if (ftruncate(fd, l->file_size))
				fail("ftruncate");
			p = mmap(NULL, l->file_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				fail("mmap");
			memcpy(p, src, l->file_size);
			munmap(p, l->file_size);
		} else if (write(fd, src + f * l->file_size, l->file_size) !=
			   (ssize_t)l->file_size) {
			fail("write");
		}
		close(fd);
	}
}

static void save(const char *dir, unsigned long mib, const char *name)
{
	struct layout l = layout_of(mib, name);
	size_t size = l.files * l.file_size, i;
	char copy_dir[256];
	char *src;
	uint64_t t;

	if (!mib) {
		printf("pkram-bench: phase=preserve ns=0 (nothing preserved)\n");
		return;
	}
	src = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED)
		fail("mmap state");
	for (i = 0; i < size; i += PAGE)
		*(uint64_t *)(src + i) = pattern(i / PAGE);
	copy_baseline(src, size);

	/* the state written again into a plain tmpfs */
	snprintf(copy_dir, sizeof(copy_dir), "%s.copy", dir);
	if (mkdir(copy_dir, 0755) && errno != EEXIST)
		fail(copy_dir);
	do_mount(copy_dir, NULL, &l);
	t = ns();
	write_state(copy_dir, &l, src);
	t = ns() - t;
	printf("pkram-bench: phase=copy_new ns=%llu\n", (unsigned long long)t);
	if (umount(copy_dir))
		fail("umount copy");

	t = ns();
	do_mount(dir, "bench", &l);
	t = ns() - t;
	printf("pkram-bench: phase=preserve ns=%llu\n", (unsigned long long)t);
	write_state(dir, &l, src);
	munmap(src, size);
}

static void load(const char *dir, unsigned long mib, const char *name)
{
	struct layout l = layout_of(mib, name);
	uint64_t t0, t1, t2, t3, sum = 0;
	char path[256], first;
	size_t f, i, pg = 0;
	int fd;

	t0 = ns();
	do_mount(dir, "bench", &l);
	t1 = ns();
	if (!mib) {
		printf("pkram-bench: phase=open ns=%llu\n",
		       (unsigned long long)(t1 - t0));
		return;
	}
	file_path(path, sizeof(path), dir, &l, 0);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &first, 1, 0) != 1)
		fail(path);
	close(fd);
	t2 = ns();
	for (f = 0; f < l.files; f++) {
		struct stat st;
		char *p;

		file_path(path, sizeof(path), dir, &l, f);
		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			fail(path);
		if ((size_t)st.st_size != l.file_size) {
			errno = EIO;
			fail("size");
		}
		p = mmap(NULL, l.file_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		for (i = 0; i < l.file_size; i += 64)
			sum += *(volatile uint64_t *)(p + i);
		for (i = 0; i < l.file_size; i += PAGE, pg++)
			if (*(uint64_t *)(p + i) != pattern(pg)) {
				errno = EIO;
				fail("data");
			}
		munmap(p, l.file_size);
		close(fd);
	}
	t3 = ns();
	print_load(t0, t1, t2, t3, sum);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "save"))
		save(argv[2], strtoul(argv[3], NULL, 0), argv[4]);
	else if (argc == 5 && !strcmp(argv[1], "load"))
		load(argv[2], strtoul(argv[3], NULL, 0), argv[4]);
	else
		fprintf(stderr, "usage: tmpfs-bench save|load DIR MIB 4k|thp|tree\n");
	return 0;
}
