// SPDX-License-Identifier: GPL-2.0
/*
 * luo-test: drives /dev/liveupdate across kexecs the way a service would,
 * through the uapi header as a program written for mainline includes it.
 *
 *   luo-test bad           bad input before a kexec: every errno
 *   luo-test save N        stage N: preserve the stage's sessions, then
 *                          stay in the background holding the session fds
 *                          (as an agent does until the reboot)
 *   luo-test verify N      stage N+1: retrieve what stage N preserved and
 *                          check contents, sizes, holes, seals, positions,
 *                          folio sizes and memory; then bad input after kexec
 *   luo-test big save MiB | big verify MiB
 *                          one memfd of MiB (most of free memory), kept
 *   luo-test race          create sessions in a loop, keeping the last two
 *                          open, while the system kexecs; never returns
 *   luo-test race-check    after the kexec: whatever race sessions arrived
 *                          are the last ones and verify
 *
 * Every line it prints starts with "luo-test:"; a failure prints
 * "luo-test: FAIL ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/liveupdate.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1UL << 20)
#define NR_MANY_SESSIONS 2000
#define NR_MANY_FILES 500

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("luo-test: FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("luo-test: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* expect errno @want from a call that returned @ret */
#define EXPECT_ERR(call, want) do {					\
	errno = 0;							\
	long __r = (long)(call);					\
	if (__r != -1 || errno != (want))				\
		fail("%s:%d: %s: got %ld errno %d (%s), want %s",	\
		     __FILE__, __LINE__, #call, __r, errno,		\
		     strerror(errno), #want);				\
} while (0)
#define EXPECT_OK(call) do {						\
	errno = 0;							\
	long __r = (long)(call);					\
	if (__r < 0)							\
		fail("%s:%d: %s: %s", __FILE__, __LINE__, #call,	\
		     strerror(errno));					\
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the data: a pattern every stage can recompute ---- */

static uint64_t pat(uint64_t seed, uint64_t word)
{
	uint64_t x = (word + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill(char *p, uint64_t off, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = pat(seed, (off + i) / 8);

		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

static int same(const char *p, uint64_t off, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = pat(seed, (off + i) / 8);

		if (memcmp(p + i, &v, len - i < 8 ? len - i : 8))
			return 0;
	}
	return 1;
}

/* A file of a stage: data in extents; everything else a hole. */
struct extent {
	uint64_t off, len;
};

struct fspec {
	uint64_t token;
	uint64_t size;
	uint64_t seed;
	unsigned int seals;
	off_t pos;
	int thp;		/* written as 2 MiB folios */
	struct extent ext[4];
};

/* A read-only copy of @len bytes: the kernel can read it, not write the fd. */
static void *readonly(const void *p, size_t len)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	memcpy(m, p, len);
	if (mprotect(m, 4096, PROT_READ))
		fail("mprotect: %s", strerror(errno));
	return m;
}

static int dev_open(void)
{
	int fd = open("/dev/liveupdate", O_RDWR);

	if (fd < 0)
		fail("open /dev/liveupdate: %s", strerror(errno));
	return fd;
}

static int session(int dev, unsigned long cmd, const char *name)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };

	memcpy(a.name, name, strnlen(name, sizeof(a.name) - 1));
	if (ioctl(dev, cmd, &a))
		return -1;
	return a.fd;
}

static int preserve(int s, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd a = {
		.size = sizeof(a), .fd = fd, .token = token,
	};

	return ioctl(s, LIVEUPDATE_SESSION_PRESERVE_FD, &a);
}

static int retrieve(int s, uint64_t token)
{
	struct liveupdate_session_retrieve_fd a = {
		.size = sizeof(a), .token = token,
	};

	if (ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &a))
		return -1;
	return a.fd;
}

static int finish(int s)
{
	struct liveupdate_session_finish a = { .size = sizeof(a) };

	return ioctl(s, LIVEUPDATE_SESSION_FINISH, &a);
}

static int make_file(const struct fspec *f)
{
	int fd = memfd_create("luo-test", MFD_ALLOW_SEALING);
	unsigned int i;

	if (fd < 0)
		fail("memfd_create: %s", strerror(errno));
	EXPECT_OK(ftruncate(fd, f->size));
	for (i = 0; i < 4 && f->ext[i].len; i++) {
		const struct extent *e = &f->ext[i];
		uint64_t done, n;
		char *p = malloc(MiB);

		if (!p)
			fail("out of memory");
		for (done = 0; done < e->len; done += n) {
			n = e->len - done < MiB ? e->len - done : MiB;
			fill(p, e->off + done, n, f->seed);
			if (pwrite(fd, p, n, e->off + done) != (ssize_t)n)
				fail("pwrite: %s", strerror(errno));
		}
		free(p);
	}
	if (f->seals)
		EXPECT_OK(fcntl(fd, F_ADD_SEALS, f->seals));
	EXPECT_OK(lseek(fd, f->pos, SEEK_SET));
	return fd;
}

static long meminfo(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) &&
		    line[strlen(field)] == ':')
			v = atol(line + strlen(field) + 1);
	if (f)
		fclose(f);
	return v;
}

/*
 * Free memory in kB, with the pages on per-CPU free lists, which MemFree
 * leaves out until they are drained.
 */
static long free_kb(void)
{
	char line[256];
	long pcp = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "count:");

		if (c && c == line + strspn(line, " "))
			pcp += atol(c + 6);
	}
	if (f)
		fclose(f);
	return meminfo("MemFree") + pcp * 4;
}

/* Check a retrieved file against its spec. */
static void check_file(const char *sname, int fd, const struct fspec *f)
{
	struct stat st;
	uint64_t data = 0, want;
	unsigned int i;
	int fl;

	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || !(fl & FD_CLOEXEC))
		fail("%s/%llu: retrieved fd is not close-on-exec", sname,
		     (unsigned long long)f->token);
	EXPECT_OK(fstat(fd, &st));
	if ((uint64_t)st.st_size != f->size)
		fail("%s/%llu: size %lld, want %llu", sname,
		     (unsigned long long)f->token, (long long)st.st_size,
		     (unsigned long long)f->size);
	if (lseek(fd, 0, SEEK_CUR) != f->pos)
		fail("%s/%llu: position %lld, want %lld", sname,
		     (unsigned long long)f->token,
		     (long long)lseek(fd, 0, SEEK_CUR), (long long)f->pos);
	if ((unsigned int)fcntl(fd, F_GET_SEALS) != f->seals)
		fail("%s/%llu: seals %#x, want %#x", sname,
		     (unsigned long long)f->token, fcntl(fd, F_GET_SEALS),
		     f->seals);
	for (i = 0; i < 4 && f->ext[i].len; i++) {
		const struct extent *e = &f->ext[i];
		char *p = mmap(NULL, e->len, PROT_READ, MAP_SHARED, fd, e->off);

		if (p == MAP_FAILED)
			fail("mmap: %s", strerror(errno));
		if (!same(p, e->off, e->len, f->seed))
			fail("%s/%llu: data differs in [%llu, +%llu)", sname,
			     (unsigned long long)f->token,
			     (unsigned long long)e->off,
			     (unsigned long long)e->len);
		munmap(p, e->len);
		data += e->len;
		want = (e->off + e->len + 4095) & ~4095ULL;
		if (want > f->size)
			want = f->size;
		if (lseek(fd, e->off, SEEK_HOLE) != (off_t)want)
			fail("%s/%llu: SEEK_HOLE after the extent at %llu gives %lld, want %llu",
			     sname, (unsigned long long)f->token,
			     (unsigned long long)e->off,
			     (long long)lseek(fd, e->off, SEEK_HOLE),
			     (unsigned long long)want);
		/* holes stay holes: the data ends where the extent does */
		if (lseek(fd, e->off, SEEK_DATA) != (off_t)e->off ||
		    (i == 0 && e->off && lseek(fd, 0, SEEK_DATA) != (off_t)e->off))
			fail("%s/%llu: SEEK_DATA does not find the extent at %llu",
			     sname, (unsigned long long)f->token,
			     (unsigned long long)e->off);
	}
	/* allocated blocks: the data, not the size (rounded to folios) */
	if ((uint64_t)st.st_blocks * 512 > data + (f->thp ? 2 * MiB : 4096) * 4 ||
	    (uint64_t)st.st_blocks * 512 < data)
		fail("%s/%llu: %llu bytes allocated for %llu bytes of data",
		     sname, (unsigned long long)f->token,
		     (unsigned long long)st.st_blocks * 512,
		     (unsigned long long)data);
	EXPECT_OK(lseek(fd, f->pos, SEEK_SET));
}

/* ---- the stages' sets ---- */

/* session "alpha": the semantics, one file each */
static struct fspec alpha[] = {
	{ .token = 1, .size = 1 * MiB, .seed = 11, .pos = 12345,
	  .ext = { { 0, 1 * MiB } } },
	{ .token = 2, .size = 0, .seed = 12 },				/* empty */
	{ .token = 3, .size = 64 * MiB, .seed = 13,			/* sparse */
	  .ext = { { 4096, 8192 }, { 17 * MiB, 3 * 4096 }, { 64 * MiB - 4096, 4096 } } },
	{ .token = 4, .size = 3 * 4096 + 100, .seed = 14, .pos = 7,	/* sealed */
	  .seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL,
	  .ext = { { 0, 3 * 4096 + 100 } } },
	{ .token = 0xfedcba9876543210ULL, .size = 16 * MiB, .seed = 15,	/* THP */
	  .thp = 1, .ext = { { 0, 16 * MiB } } },
};
#define NR_ALPHA (sizeof(alpha) / sizeof(alpha[0]))

/* a file FINISH frees unretrieved */
static struct fspec big = { .token = 9, .size = 64 * MiB, .seed = 99,
			    .ext = { { 0, 64 * MiB } } };
/* small files of the many sessions and the many files: seed from index */
static struct fspec small(uint64_t token, uint64_t seed)
{
	struct fspec f = { .token = token, .size = 6000, .seed = seed,
			   .ext = { { 0, 6000 } } };

	return f;
}

static void set_thp(const char *mode)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		      O_WRONLY);

	if (fd < 0 || write(fd, mode, strlen(mode)) < 0)
		fail("cannot set shmem_enabled to %s: %s", mode, strerror(errno));
	close(fd);
}

/* Stay in the background holding the session fds until the kexec. */
static void hold(void)
{
	pid_t pid = fork();

	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid)
		exit(0);
	setsid();
	for (;;)
		pause();
}

static void raise_nofile(void)
{
	struct rlimit r = { 16384, 16384 };

	EXPECT_OK(setrlimit(RLIMIT_NOFILE, &r));
}

/*
 * The data of alpha as stage @stage wrote it: each stage changes it in
 * place before preserving it again (but for the write-sealed file).
 */
static void stage_alpha(int stage)
{
	unsigned int i;

	for (i = 0; i < NR_ALPHA; i++)
		alpha[i].seed = 11 + i +
			100 * (stage - 1) * !(alpha[i].seals & F_SEAL_WRITE);
}

static void save(int stage)
{
	double t0 = now();
	int dev, s, fd;
	unsigned int i;

	raise_nofile();
	dev = dev_open();
	stage_alpha(stage);
	if (stage == 1) {
		/* new memfds; the THP one as 2 MiB folios */
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "alpha");
		if (s < 0)
			fail("create alpha: %s", strerror(errno));
		for (i = 0; i < NR_ALPHA; i++) {
			if (alpha[i].thp)
				set_thp("always");
			fd = make_file(&alpha[i]);
			if (alpha[i].thp)
				set_thp("never");
			EXPECT_OK(preserve(s, fd, alpha[i].token));
			close(fd);	/* the session holds it */
		}
		/* carried over one kexec without being retrieved */
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "carry");
		fd = make_file(&alpha[0]);
		EXPECT_OK(preserve(s, fd, 1));
		close(fd);
		/* its unretrieved file is freed by FINISH */
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "free");
		fd = make_file(&big);
		EXPECT_OK(preserve(s, fd, big.token));
		close(fd);
		/* closed before the kexec: gone */
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "closed");
		fd = make_file(&alpha[0]);
		EXPECT_OK(preserve(s, fd, 1));
		close(fd);
		close(s);
		/* many sessions, a file each; many files in one */
		for (i = 0; i < NR_MANY_SESSIONS; i++) {
			char name[64];
			struct fspec f = small(i, 1000 + i);

			snprintf(name, sizeof(name), "many-%04u", i);
			s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
			if (s < 0)
				fail("create %s: %s", name, strerror(errno));
			fd = make_file(&f);
			EXPECT_OK(preserve(s, fd, i));
			close(fd);
		}
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "files");
		for (i = 0; i < NR_MANY_FILES; i++) {
			struct fspec f = small(1000 + i, 5000 + i);

			fd = make_file(&f);
			EXPECT_OK(preserve(s, fd, f.token));
			close(fd);
		}
		say("stage 1: %u sessions, %u files preserved in %.2f s",
		    4 + NR_MANY_SESSIONS + 1, NR_ALPHA + 3 + NR_MANY_SESSIONS +
		    NR_MANY_FILES, now() - t0);
	}
	close(dev);
	hold();
}

/* Retrieve every file of alpha and re-preserve it in a new alpha. */
static void verify_alpha(int dev, int stage, int represerve)
{
	int s, out = -1, fds[NR_ALPHA];
	unsigned int i;
	long thp0;

	s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "alpha");
	if (s < 0)
		fail("retrieve alpha: %s", strerror(errno));
	EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "alpha"), EINVAL);
	{
		/* a file whose fd cannot be reported stays retrievable */
		struct liveupdate_session_retrieve_fd rf = {
			.size = sizeof(rf), .token = alpha[0].token,
		};

		EXPECT_ERR(ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD,
				 readonly(&rf, sizeof(rf))), EFAULT);
	}
	thp0 = meminfo("ShmemHugePages");
	for (i = 0; i < NR_ALPHA; i++) {
		fds[i] = retrieve(s, alpha[i].token);
		if (fds[i] < 0)
			fail("retrieve alpha/%llu: %s",
			     (unsigned long long)alpha[i].token, strerror(errno));
		check_file("alpha", fds[i], &alpha[i]);
		if (alpha[i].thp) {
			/* 2 MiB folios in the page cache, mapped by PMDs */
			char *area = mmap(NULL, alpha[i].size + 2 * MiB,
					  PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
					  -1, 0);
			char *p = (char *)(((uintptr_t)area + 2 * MiB - 1) &
					   ~(2 * MiB - 1));
			char line[256];
			long pmd = 0;
			FILE *f;

			if (area == MAP_FAILED ||
			    mmap(p, alpha[i].size, PROT_READ, MAP_SHARED |
				 MAP_FIXED, fds[i], 0) == MAP_FAILED)
				fail("mmap thp: %s", strerror(errno));
			for (size_t o = 0; o < alpha[i].size; o += 4096)
				(void)*(volatile char *)(p + o);
			f = fopen("/proc/self/smaps_rollup", "r");
			while (f && fgets(line, sizeof(line), f))
				if (!strncmp(line, "ShmemPmdMapped:", 15))
					pmd = atol(line + 15);
			if (f)
				fclose(f);
			munmap(area, alpha[i].size + 2 * MiB);
			say("stage %d: THP memfd: ShmemHugePages %ld kB, ShmemPmdMapped %ld kB",
			    stage + 1, thp0, pmd);
			if (thp0 < (long)(alpha[i].size >> 10) ||
			    pmd < (long)(alpha[i].size >> 10))
				fail("THP memfd did not come back as 2 MiB folios");
		}
	}
	EXPECT_ERR(retrieve(s, alpha[0].token), ENOENT);	/* once */
	EXPECT_ERR(retrieve(s, 4242), ENOENT);
	EXPECT_ERR(preserve(s, fds[0], 77), EINVAL);	/* incoming session */
	EXPECT_OK(finish(s));
	EXPECT_ERR(retrieve(s, alpha[1].token), EINVAL);	/* after FINISH */
	EXPECT_ERR(finish(s), EINVAL);
	close(s);
	if (represerve) {
		stage_alpha(stage + 1);	/* what this boot writes */
		out = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "alpha");
		if (out < 0)
			fail("create alpha again: %s", strerror(errno));
	}
	for (i = 0; i < NR_ALPHA; i++) {
		if (represerve) {
			/* change the data in place, then keep it again */
			unsigned int j;

			for (j = 0; j < 4 && alpha[i].ext[j].len &&
			     !(alpha[i].seals & F_SEAL_WRITE); j++) {
				const struct extent *e = &alpha[i].ext[j];
				char *p = mmap(NULL, e->len, PROT_WRITE | PROT_READ,
					       MAP_SHARED, fds[i], e->off);

				if (p == MAP_FAILED)
					fail("mmap: %s", strerror(errno));
				fill(p, e->off, e->len, alpha[i].seed);
				munmap(p, e->len);
			}
			EXPECT_OK(preserve(out, fds[i], alpha[i].token));
		}
		close(fds[i]);
	}
}

static void verify_small(int s, const char *name, uint64_t token,
			 uint64_t seed)
{
	struct fspec f = small(token, seed);
	int fd = retrieve(s, token);

	if (fd < 0)
		fail("retrieve %s/%llu: %s", name, (unsigned long long)token,
		     strerror(errno));
	check_file(name, fd, &f);
	close(fd);
}

static void verify(int stage)
{
	double t0 = now(), t1;
	int dev, s;
	unsigned int i;
	long free0, free1;

	raise_nofile();
	dev = dev_open();
	t1 = now();
	say("stage %d: open /dev/liveupdate (restores every memfd): %.3f s",
	    stage + 1, t1 - t0);
	stage_alpha(stage);		/* what the last boot wrote */
	verify_alpha(dev, stage, 1);
	if (stage == 1) {
		/* closed before the kexec: not there */
		EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
				   "closed"), ENOENT);
		/* a session whose fd cannot be reported stays retrievable */
		{
			struct liveupdate_ioctl_retrieve_session rs = {
				.size = sizeof(rs), .name = "carry",
			};

			EXPECT_ERR(ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
					 readonly(&rs, sizeof(rs))), EFAULT);
		}
		/* the unretrieved carry session blocks its name */
		EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION,
				   "carry"), EEXIST);
		/* FINISH frees what was not retrieved */
		s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "free");
		if (s < 0)
			fail("retrieve free: %s", strerror(errno));
		free0 = free_kb();
		EXPECT_OK(finish(s));
		close(s);
		usleep(200000);
		free1 = free_kb();
		say("stage %d: FINISH with a 64 MiB file not retrieved: free memory %ld -> %ld kB",
		    stage + 1, free0, free1);
		/* the file's 65536 kB, less what others allocated meanwhile */
		if (free1 - free0 < 48 * 1024)
			fail("FINISH freed %ld kB, want ~65536", free1 - free0);
		for (i = 0; i < NR_MANY_SESSIONS; i++) {
			char name[64];

			snprintf(name, sizeof(name), "many-%04u", i);
			s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, name);
			if (s < 0)
				fail("retrieve %s: %s", name, strerror(errno));
			verify_small(s, name, i, 1000 + i);
			EXPECT_OK(finish(s));
			close(s);
		}
		s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "files");
		for (i = 0; i < NR_MANY_FILES; i++)
			verify_small(s, "files", 1000 + i, 5000 + i);
		EXPECT_OK(finish(s));
		close(s);
		say("stage %d: %u sessions and %u files in one session verified",
		    stage + 1, NR_MANY_SESSIONS, NR_MANY_FILES);
	} else if (stage == 2) {
		/* carried across one more kexec, retrieved now */
		s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "carry");
		if (s < 0)
			fail("retrieve carry: %s", strerror(errno));
		{
			struct fspec f = alpha[0];
			int fd;

			f.seed = 11;
			fd = retrieve(s, 1);
			if (fd < 0)
				fail("retrieve carry/1: %s", strerror(errno));
			check_file("carry", fd, &f);
			close(fd);
		}
		EXPECT_OK(finish(s));
		close(s);
		say("stage %d: a session carried over two kexecs verified", stage + 1);
	}
	say("stage %d: verified in %.2f s", stage + 1, now() - t0);
	close(dev);
	hold();
}

/* ---- most of memory in one memfd ---- */

static void big_file(const char *how, unsigned long mib)
{
	struct fspec f = { .token = 1, .size = mib * MiB, .seed = 77,
			   .ext = { { 0, mib * MiB } } };
	double t0 = now();
	int dev = dev_open(), s, fd;

	if (!strcmp(how, "save")) {
		s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "big");
		fd = make_file(&f);
		EXPECT_OK(preserve(s, fd, 1));
		close(fd);
		say("a %lu MiB memfd preserved (MemFree now %ld kB)", mib,
		    meminfo("MemFree"));
		close(dev);
		hold();
	}
	s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "big");
	if (s < 0)
		fail("retrieve big: %s", strerror(errno));
	fd = retrieve(s, 1);
	if (fd < 0)
		fail("retrieve big/1: %s", strerror(errno));
	check_file("big", fd, &f);
	EXPECT_OK(finish(s));
	say("a %lu MiB memfd verified in %.2f s", mib, now() - t0);
}

/* ---- sessions created and closed while the system kexecs ---- */

static void race(void)
{
	int dev = dev_open(), s[2] = { -1, -1 };
	unsigned int i;

	for (i = 0;; i++) {
		char name[64];
		struct fspec f = small(1, 3000 + i);
		int n, fd;

		snprintf(name, sizeof(name), "race-%u", i);
		n = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
		if (n < 0 && errno == EBUSY)
			break;		/* the kexec is saving: hold on */
		if (n < 0)
			fail("create %s: %s", name, strerror(errno));
		fd = make_file(&f);
		if (preserve(n, fd, 1) && errno != EBUSY)
			fail("preserve in %s: %s", name, strerror(errno));
		close(fd);
		if (s[i % 2] >= 0)
			close(s[i % 2]);	/* two sessions back: given up */
		s[i % 2] = n;
	}
	for (;;)
		pause();
}

static void race_check(void)
{
	int dev = dev_open();
	unsigned int i, found = 0, first = 0, last = 0, misses = 0;

	for (i = 0; misses < 300000; i++) {
		char name[64];
		struct fspec f = small(1, 3000 + i);
		int s, fd;

		snprintf(name, sizeof(name), "race-%u", i);
		s = session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, name);
		if (s < 0) {
			if (errno != ENOENT)
				fail("retrieve %s: %s", name, strerror(errno));
			misses++;
			continue;
		}
		misses = 0;
		if (!found++)
			first = i;
		last = i;
		fd = retrieve(s, 1);
		/* a session whose file came too late for the save is empty */
		if (fd >= 0) {
			check_file(name, fd, &f);
			close(fd);
		} else if (errno != ENOENT) {
			fail("retrieve %s/1: %s", name, strerror(errno));
		}
		EXPECT_OK(finish(s));
		close(s);
	}
	/*
	 * Open at the kexec: the last two, and a third just created before
	 * the oldest was closed; a close after the last save still arrives.
	 */
	if (found > 3 || (found && last - first > 2))
		fail("race sessions %u..%u arrived (%u), want at most the last 3",
		     first, last, found);
	say("race: %u of the sessions open at the kexec arrived (last race-%u), intact",
	    found, last);
}

/* ---- bad input before a kexec ---- */

static void bad(void)
{
	struct liveupdate_ioctl_create_session cs;
	struct {
		struct liveupdate_ioctl_create_session a;
		uint64_t tail;
	} big_arg;
	int dev, s, s2, fd, fd2, pfd[2], sock, evfd, null, reg, huge;
	char name[64];
	pid_t pid;
	int st;

	dev = dev_open();
	EXPECT_ERR(open("/dev/liveupdate", O_RDWR), EBUSY);	/* one opener */

	/* names */
	EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, ""), EINVAL);
	memset(&cs, 0, sizeof(cs));
	cs.size = sizeof(cs);
	memset(cs.name, 'x', sizeof(cs.name));			/* no NUL */
	EXPECT_ERR(ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs), EINVAL);
	memset(name, 'y', 63);
	name[63] = 0;						/* 63: fine */
	s = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
	if (s < 0)
		fail("create a 63-byte name: %s", strerror(errno));
	close(s);
	/* sizes */
	memset(&cs, 0, sizeof(cs));
	strcpy((char *)cs.name, "sized");
	cs.size = 8;
	EXPECT_ERR(ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs), EINVAL);
	memset(&big_arg, 0, sizeof(big_arg));
	big_arg.a.size = sizeof(big_arg);
	strcpy((char *)big_arg.a.name, "sized");
	big_arg.tail = 1;
	EXPECT_ERR(ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big_arg), E2BIG);
	big_arg.tail = 0;					/* zero tail: fine */
	EXPECT_OK(ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big_arg));
	s = big_arg.a.fd;
	EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "sized"), EEXIST);
	/* the fd cannot be reported: EFAULT, and no session is left behind */
	memset(&cs, 0, sizeof(cs));
	cs.size = sizeof(cs);
	strcpy((char *)cs.name, "unreported");
	EXPECT_ERR(ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION,
			 readonly(&cs, sizeof(cs))), EFAULT);
	s2 = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "unreported");
	if (s2 < 0)
		fail("create after an EFAULT: %s", strerror(errno));
	close(s2);
	/* commands */
	EXPECT_ERR(ioctl(dev, _IO(LIVEUPDATE_IOCTL_TYPE, 0x02), &cs), EINVAL);
	EXPECT_ERR(ioctl(dev, _IOWR(LIVEUPDATE_IOCTL_TYPE, 0x00, cs), &cs), ENOTTY);
	EXPECT_ERR(ioctl(dev, LIVEUPDATE_SESSION_PRESERVE_FD, &cs), EINVAL);
	EXPECT_ERR(ioctl(s, _IO(LIVEUPDATE_IOCTL_TYPE, 0x44), &cs), EINVAL);
	EXPECT_ERR(ioctl(s, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs), EINVAL);
	EXPECT_ERR(session(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "nothing"), ENOENT);
	{
		struct liveupdate_session_get_name g = { .size = sizeof(g) };

		EXPECT_OK(ioctl(s, LIVEUPDATE_SESSION_GET_NAME, &g));
		if (strcmp((char *)g.name, "sized"))
			fail("GET_NAME: %s", g.name);
		g.reserved = 1;
		EXPECT_ERR(ioctl(s, LIVEUPDATE_SESSION_GET_NAME, &g), EINVAL);
	}
	if (!(fcntl(s, F_GETFD) & FD_CLOEXEC))
		fail("session fd is not close-on-exec");
	/* a created session has nothing to retrieve or finish */
	EXPECT_ERR(retrieve(s, 1), EINVAL);
	EXPECT_ERR(finish(s), EINVAL);

	/* files that cannot be preserved */
	EXPECT_OK(pipe(pfd));
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	evfd = eventfd(0, 0);
	null = open("/dev/null", O_RDWR);
	reg = open("/tmp/luo-regular", O_RDWR | O_CREAT, 0600);	/* linked tmpfs file */
	huge = memfd_create("huge", MFD_HUGETLB);
	EXPECT_ERR(preserve(s, pfd[0], 1), ENOENT);
	if (sock >= 0)		/* test kernels have no networking */
		EXPECT_ERR(preserve(s, sock, 1), ENOENT);
	EXPECT_ERR(preserve(s, evfd, 1), ENOENT);
	EXPECT_ERR(preserve(s, null, 1), ENOENT);
	EXPECT_ERR(preserve(s, reg, 1), ENOENT);
	if (huge < 0)
		fail("memfd_create(MFD_HUGETLB): %s", strerror(errno));
	EXPECT_ERR(preserve(s, huge, 1), ENOENT);
	EXPECT_ERR(preserve(s, -1, 1), EBADF);
	EXPECT_ERR(preserve(s, 999, 1), EBADF);

	/* a memfd once; a token once */
	fd = memfd_create("bad", MFD_ALLOW_SEALING);
	fd2 = memfd_create("bad2", 0);
	EXPECT_OK(ftruncate(fd, 8192));
	EXPECT_OK(preserve(s, fd, 1));
	EXPECT_ERR(preserve(s, fd, 2), EBUSY);
	EXPECT_ERR(preserve(s, fd2, 1), EEXIST);
	s2 = session(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "other");
	EXPECT_ERR(preserve(s2, fd, 3), EBUSY);
	/* the size is frozen; the data is not */
	EXPECT_ERR(ftruncate(fd, 16384), EPERM);
	EXPECT_ERR(ftruncate(fd, 4096), EPERM);
	EXPECT_ERR(pwrite(fd, "x", 1, 8192), EPERM);
	EXPECT_ERR(fallocate(fd, 0, 0, 65536), EPERM);
	EXPECT_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), EPERM);
	if (pwrite(fd, "x", 1, 100) != 1)
		fail("write inside a preserved memfd: %s", strerror(errno));
	/*
	 * A kexec check runs the saver (which stops new folios too) and then
	 * undoes it: a hole can be written again, the size stays frozen.
	 */
	{
		int kc = open("/sys/kernel/pkram/kexec_check", O_WRONLY);

		if (kc < 0 || write(kc, "1", 1) != 1)
			fail("kexec_check: %s", strerror(errno));
		close(kc);
	}
	if (pwrite(fd, "y", 1, 5000) != 1)
		fail("write into a hole after a kexec check: %s", strerror(errno));
	EXPECT_ERR(ftruncate(fd, 16384), EPERM);
	/* closing the session gives the file up */
	close(s);
	EXPECT_OK(ftruncate(fd, 16384));
	EXPECT_OK(preserve(s2, fd, 3));
	close(s2);
	EXPECT_OK(ftruncate(fd, 4096));

	/* root only */
	close(dev);
	pid = fork();
	if (!pid) {
		if (setuid(1000))
			_exit(2);
		_exit(open("/dev/liveupdate", O_RDWR) < 0 &&
		      (errno == EACCES || errno == EPERM) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail("a non-root user could open /dev/liveupdate (%d)", st);
	say("bad input before kexec: every errno as expected");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "bad"))
		bad();
	else if (argc == 3 && !strcmp(argv[1], "save"))
		save(atoi(argv[2]));
	else if (argc == 3 && !strcmp(argv[1], "verify"))
		verify(atoi(argv[2]));
	else if (argc == 4 && !strcmp(argv[1], "big"))
		big_file(argv[2], strtoul(argv[3], NULL, 0));
	else if (argc == 2 && !strcmp(argv[1], "race"))
		race();
	else if (argc == 2 && !strcmp(argv[1], "race-check"))
		race_check();
	else
		fail("usage: luo-test bad | save N | verify N");
	return 0;
}
