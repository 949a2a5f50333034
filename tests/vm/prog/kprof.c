// SPDX-License-Identifier: GPL-2.0
/*
 * kprof - the kernel's tick profile (/proc/profile, boot with profile=N and
 * CONFIG_PROFILING) per function, for profiling a bench phase in the guest,
 * where perf has no PMU under TCG and is not installed anyway.
 *
 *   kprof reset       zero the counters
 *   kprof top [N]     the N (default 30) functions with most ticks, and
 *                     their share of all kernel ticks
 *
 * /proc/profile is one unsigned int, the bytes per bucket, then a counter
 * per bucket from _stext on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sym {
	unsigned long addr;
	char name[128];
	unsigned long ticks;
};

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_ticks(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->ticks > y->ticks ? -1 : x->ticks < y->ticks;
}

int main(int argc, char **argv)
{
	unsigned long stext = 0, total = 0, addr, i;
	size_t nsym = 0, cap = 1 << 16, n, s;
	unsigned int step, *buf;
	struct sym *syms;
	char type, name[128];
	FILE *f;
	int top = argc > 2 ? atoi(argv[2]) : 30;

	if (argc >= 2 && !strcmp(argv[1], "reset")) {
		f = fopen("/proc/profile", "w");
		if (!f || fwrite("0", 1, 1, f) != 1 || fclose(f))
			fail("/proc/profile");
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "top")) {
		fprintf(stderr, "usage: kprof reset | top [N]\n");
		return 2;
	}
	syms = malloc(cap * sizeof(*syms));
	f = fopen("/proc/kallsyms", "r");
	if (!f || !syms)
		fail("/proc/kallsyms");
	while (fscanf(f, "%lx %c %127s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_stext"))
			stext = addr;
		if (type != 't' && type != 'T')
			continue;
		if (nsym == cap) {
			cap *= 2;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				fail("realloc");
		}
		syms[nsym].addr = addr;
		memcpy(syms[nsym].name, name, sizeof(name));
		syms[nsym++].ticks = 0;
	}
	fclose(f);
	if (!stext)
		fail("no _stext (kptr_restrict?)");
	qsort(syms, nsym, sizeof(*syms), by_addr);

	f = fopen("/proc/profile", "r");
	if (!f || fread(&step, sizeof(step), 1, f) != 1)
		fail("/proc/profile (boot with profile=2)");
	buf = malloc(1 << 20);
	s = 0;
	for (i = 0; (n = fread(buf, sizeof(*buf), (1 << 20) / sizeof(*buf), f));) {
		for (size_t k = 0; k < n; k++, i++) {
			if (!buf[k])
				continue;
			addr = stext + i * step;
			while (s + 1 < nsym && syms[s + 1].addr <= addr)
				s++;
			syms[s].ticks += buf[k];
			total += buf[k];
		}
	}
	fclose(f);
	qsort(syms, nsym, sizeof(*syms), by_ticks);
	printf("kprof: %lu kernel ticks\n", total);
	for (i = 0; i < (unsigned long)top && i < nsym && syms[i].ticks; i++)
		printf("kprof: %6lu %5.1f%% %s\n", syms[i].ticks,
		       100.0 * syms[i].ticks / (total ? total : 1), syms[i].name);
	return 0;
}
