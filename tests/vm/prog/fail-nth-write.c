// SPDX-License-Identifier: GPL-2.0
/*
 * fail-nth-write N FILE DATA: write DATA to FILE in one write() whose Nth
 * fault point fails (fault injection's /proc/thread-self/fail-nth; the
 * failslab and fail_page_alloc attributes must let it through). FILE is
 * opened first, so only the write() is counted. Prints
 * "ret=<0 or errno name> injected=<0|1>": injected=0 means the write
 * passed fewer than N fault points, so all of them have been tried.
 * Exit 0 if that could be done, 2 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char left[32] = "";
	int fd, nth, err = 0;
	ssize_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s N FILE DATA\n", argv[0]);
		return 2;
	}
	fd = open(argv[2], O_WRONLY);
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0 || nth < 0) {
		perror("open");
		return 2;
	}
	if (write(nth, argv[1], strlen(argv[1])) < 0) {
		perror("fail-nth");
		return 2;
	}
	if (write(fd, argv[3], strlen(argv[3])) < 0)
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
