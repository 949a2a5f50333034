// SPDX-License-Identifier: GPL-2.0
/*
 * One system call whose Nth fault point fails (fault injection's
 * /proc/thread-self/fail-nth; the failslab and fail_page_alloc attributes
 * must let it through):
 *
 *   fail-nth N write FILE DATA     write DATA to FILE in one write(); FILE
 *                                  is opened first, so only the write()
 *                                  is counted
 *   fail-nth N mount TYPE DIR OPTS mount(TYPE, DIR, TYPE, 0, OPTS)
 *
 * Prints "ret=<0 or errno name> injected=<0|1>": injected=0 means the call
 * passed fewer than N fault points, so all of them have been tried.
 * Exit 0 if that could be done, 2 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char left[32] = "";
	int fd = -1, nth, err = 0;
	bool mnt;
	ssize_t n;

	mnt = argc == 6 && !strcmp(argv[2], "mount");
	if (!mnt && (argc != 5 || strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: %s N write FILE DATA\n"
			"       %s N mount TYPE DIR OPTIONS\n", argv[0], argv[0]);
		return 2;
	}
	if (!mnt) {
		fd = open(argv[3], O_WRONLY);
		if (fd < 0) {
			perror(argv[3]);
			return 2;
		}
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth < 0) {
		perror("open fail-nth");
		return 2;
	}
	if (write(nth, argv[1], strlen(argv[1])) < 0) {
		perror("fail-nth");
		return 2;
	}
	if ((mnt ? mount(argv[3], argv[4], argv[3], 0, argv[5]) :
	     write(fd, argv[4], strlen(argv[4]))) < 0)
		err = errno;
	/* what is left of the count: 0 if the fault was injected */
	n = pread(nth, left, sizeof(left) - 1, 0);
	if (n <= 0) {
		perror("read fail-nth");
		return 2;
	}
	/* stop counting before anything else this process does */
	if (pwrite(nth, "0", 1, 0) < 0) {
		perror("reset fail-nth");
		return 2;
	}
	printf("ret=%s injected=%d\n", err ? strerrorname_np(err) : "0",
	       atoi(left) == 0);
	return 0;
}
