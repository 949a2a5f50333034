// SPDX-License-Identifier: GPL-2.0
/*
 * demo-service: the service of `make demo`. It builds some state in memory
 * (a table it computes, standing in for a cache or an index), keeps it in a
 * memfd, and asks /dev/liveupdate to keep that memfd across the kexec; in
 * the next kernel it gets the memfd back and checks the state.
 *
 *   demo-service start MIB    build MIB of state, preserve it, stay running
 *                             (holding the session) until the kexec
 *   demo-service resume MIB   get the state back, check it, say how long
 *                             that took against building it
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

static void start(unsigned long mib)
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
	printf("DEMO: service: built %lu MiB of state in %.0f ms (that is what a restart without PKRAM costs)\n",
	       mib, ms() - t0);
	munmap(t, mib * MiB);

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

static void resume(unsigned long mib)
{
	struct liveupdate_ioctl_retrieve_session rs = { .size = sizeof(rs) };
	struct liveupdate_session_retrieve_fd rf = { .size = sizeof(rf), .token = 1 };
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };
	size_t n = mib * MiB / 8, i;
	double t0, t1, t2;
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
	printf("DEMO: service: state back in %.1f ms: open, retrieve, map (no copy)\n",
	       t1 - t0);
	printf("DEMO: service: all %zu entries checked (%.0f ms): the state is exactly what it was\n",
	       n, t2 - t1);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "start"))
		start(strtoul(argv[2], NULL, 0));
	else if (argc == 3 && !strcmp(argv[1], "resume"))
		resume(strtoul(argv[2], NULL, 0));
	else
		fprintf(stderr, "usage: demo-service start|resume MIB\n");
	return 0;
}
