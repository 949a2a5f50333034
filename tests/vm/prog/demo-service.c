// SPDX-License-Identifier: GPL-2.0
/*
 * demo-service: the service of `make demo`. It builds some state in memory
 * (a table it computes, standing in for a cache or an index), keeps it in a
 * memfd, and asks /dev/liveupdate to keep that memfd across the kexec; and
 * it keeps a journal as a file in DIR, a tmpfs mounted -o pkram=NAME. In
 * the next kernel it gets the memfd and the file back and checks both.
 *
 *   demo-service start MIB DIR   build MIB of state and MIB/2 of journal,
 *                                preserve the state, stay running (holding
 *                                the session) until the kexec
 *   demo-service resume MIB DIR  get both back, check them, say how long
 *                                that took against building them
 *
 * Lines start with "DEMO: "; exit 1 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/liveupdate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MiB (1UL << 20)
#define SESSION "demo-service"

static void die(const char *what)
{
	printf("DEMO: demo-service: %s failed: %s\n", what, strerror(errno));
	exit(1);
}

static double ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the state: entry i of the table, worked out from i */
static uint64_t entry(uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL;
	int r;

	for (r = 0; r < 8; r++) {
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ULL;
	}
	return x;
}

/* the journal: MIB/2 of entries after the table's, in DIR/journal */
static double journal_write(unsigned long mib, const char *dir)
{
	size_t n = mib * MiB / 16, i;
	char path[256];
	uint64_t *j;
	double t0;
	int fd;

	snprintf(path, sizeof(path), "%s/journal", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, n * 8))
		die("journal");
	j = mmap(NULL, n * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (j == MAP_FAILED)
		die("mmap journal");
	t0 = ms();
	for (i = 0; i < n; i++)
		j[i] = entry(i + (1ULL << 40));
	t0 = ms() - t0;
	munmap(j, n * 8);
	close(fd);
	return t0;
}

/* Map DIR/journal and check it; the ms to open and map it. */
static double journal_check(unsigned long mib, const char *dir)
{
	size_t n = mib * MiB / 16, i;
	char path[256];
	uint64_t *j;
	double t0, t1;
	int fd;

	snprintf(path, sizeof(path), "%s/journal", dir);
	t0 = ms();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open the journal");
	j = mmap(NULL, n * 8, PROT_READ, MAP_SHARED, fd, 0);
	if (j == MAP_FAILED)
		die("mmap journal");
	t1 = ms();
	for (i = 0; i < n; i++)
		if (j[i] != entry(i + (1ULL << 40))) {
			printf("DEMO: service: entry %zu of the journal is wrong\n", i);
			exit(1);
		}
	return t1 - t0;
}

static void start(unsigned long mib, const char *dir)
{
	struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
	struct liveupdate_session_preserve_fd pf = { .size = sizeof(pf), .token = 1 };
	size_t n = mib * MiB / 8, i;
	uint64_t *t;
	double t0;
	int dev, fd;

	fd = memfd_create("demo-state", 0);
	if (fd < 0 || ftruncate(fd, mib * MiB))
		die("memfd");
	t = mmap(NULL, mib * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t == MAP_FAILED)
		die("mmap");
	t0 = ms();
	for (i = 0; i < n; i++)
		t[i] = entry(i);
	t0 = ms() - t0;
	munmap(t, mib * MiB);
	t0 += journal_write(mib, dir);
	printf("DEMO: service: built %lu MiB of state in a memfd and %lu MiB of journal in %s in %.0f ms (that is what a restart without PKRAM costs)\n",
	       mib, mib / 2, dir, t0);

	dev = open("/dev/liveupdate", O_RDWR);
	if (dev < 0)
		die("open /dev/liveupdate");
	strcpy((char *)cs.name, SESSION);
	if (ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
		die("CREATE_SESSION");
	pf.fd = fd;
	if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &pf))
		die("PRESERVE_FD");
	close(fd);
	close(dev);
	printf("DEMO: service: memfd preserved in session \"%s\" (token 1); holding the session until the kexec\n",
	       SESSION);
	fflush(stdout);
	if (fork())
		exit(0);
	setsid();
	for (;;)
		pause();
}

static void resume(unsigned long mib, const char *dir)
{
	struct liveupdate_ioctl_retrieve_session rs = { .size = sizeof(rs) };
	struct liveupdate_session_retrieve_fd rf = { .size = sizeof(rf), .token = 1 };
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };
	size_t n = mib * MiB / 8, i;
	double t0, t1, t2, jt;
	uint64_t *t;
	int dev;

	t0 = ms();
	dev = open("/dev/liveupdate", O_RDWR);
	if (dev < 0)
		die("open /dev/liveupdate");
	strcpy((char *)rs.name, SESSION);
	if (ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &rs) ||
	    ioctl(rs.fd, LIVEUPDATE_SESSION_RETRIEVE_FD, &rf))
		die("retrieve");
	t = mmap(NULL, mib * MiB, PROT_READ, MAP_SHARED, rf.fd, 0);
	if (t == MAP_FAILED)
		die("mmap");
	if (ioctl(rs.fd, LIVEUPDATE_SESSION_FINISH, &fin))
		die("FINISH");
	t1 = ms();
	for (i = 0; i < n; i++)
		if (t[i] != entry(i)) {
			printf("DEMO: service: entry %zu of the state is wrong\n", i);
			exit(1);
		}
	t2 = ms();
	jt = journal_check(mib, dir);
	printf("DEMO: service: state and journal back in %.1f ms: open, retrieve, map (no copy)\n",
	       t1 - t0 + jt);
	printf("DEMO: service: all %zu entries checked (%.0f ms): the state is exactly what it was\n",
	       n, t2 - t1);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "start"))
		start(strtoul(argv[2], NULL, 0), argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "resume"))
		resume(strtoul(argv[2], NULL, 0), argv[3]);
	else
		fprintf(stderr, "usage: demo-service start|resume MIB DIR\n");
	return 0;
}
