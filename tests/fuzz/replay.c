// SPDX-License-Identifier: GPL-2.0
/*
 * Replay fuzz inputs without libFuzzer: every file named, and every file in
 * every directory named, runs once through the harness (built with ASan and
 * UBSan). Exits 0 if none aborted; prints how many nodes each offered with -v.
 * An input that runs longer than FUZZ_REPLAY_TIMEOUT seconds (default 10,
 * libFuzzer's -timeout of run-fuzz.sh) aborts too: the parser hangs.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

int fuzz_run(const u8 *data, size_t size);

static int verbose;
static unsigned long runs;
static unsigned int timeout_secs = 10;
static const char *current;		/* the input being run */

static void timed_out(int sig)
{
	static const char msg[] = "pkram-fuzz: TIMEOUT (FUZZ_REPLAY_TIMEOUT): the parser hangs on ";

	/* async-signal-safe: write(), abort() */
	if (write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		abort();
	abort();
}

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	size_t len = 0, cap = 0, n;
	int nodes;

	if (!f) {
		perror(path);
		exit(2);
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	current = path;
	alarm(timeout_secs);
	nodes = fuzz_run(buf, len);
	alarm(0);
	free(buf);
	runs++;
	if (verbose)
		printf("%s: %zu bytes, %d node(s) offered\n", path, len, nodes);
}

static void replay(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, i;

	if (stat(path, &st)) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	n = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char sub[4096];

		if (ents[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			replay(sub);
		}
		free(ents[i]);
	}
	free(ents);
}

int main(int argc, char **argv)
{
	const char *t = getenv("FUZZ_REPLAY_TIMEOUT");
	int i = 1;

	if (t && atoi(t) > 0)
		timeout_secs = atoi(t);
	signal(SIGALRM, timed_out);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++)
		replay(argv[i]);
	printf("replay: %lu input(s), no invariant violated\n", runs);
	return 0;
}
