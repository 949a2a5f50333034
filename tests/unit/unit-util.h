/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the pkramctl unit tests: fake sysfs trees in a temp dir,
 * running pkramctl_main() with its output captured, a JSON syntax check.
 */
#ifndef UNIT_UTIL_H
#define UNIT_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "pkramctl.h"

struct fixture {
	char dir[PATH_MAX - 64];	/* the temp dir, removed by fx_free() */
	char sysfs[PATH_MAX];	/* dir/pkram: the fake /sys/kernel/pkram */
	char proc_cmdline[PATH_MAX];
};

struct result {
	int status;
	char *out;		/* stdout and stderr of the run */
	char *err;
	char *exec_argv[16];	/* what exec got (NULL-terminated), if run */
	int exec_called;
};

/* Test knobs: -errno for the discard write (0: write the real file). */
extern int fake_write_errno;
/* What exec returns (0: "success", as if kexec had run). */
extern int fake_exec_ret;

struct fixture *fx_new(void);
void fx_free(struct fixture *fx);
void fx_path(const struct fixture *fx, const char *rel, char *buf, size_t len);
void fx_write(const struct fixture *fx, const char *rel, const char *content);
void fx_copy(const struct fixture *fx, const char *rel, const char *fixture);
char *fx_read(const struct fixture *fx, const char *rel);
/* Binary files: the whole of @path (malloc, *@len bytes), or NULL. */
char *read_bin(const char *path, size_t *len);
void fx_write_bin(const struct fixture *fx, const char *rel, const void *buf,
		  size_t len);
/* Compiled snapshot fixture: DTB_DIR/@name.dtb (from fixtures/@name.dts). */
char *dtb_fixture(const char *name, size_t *len);
/* A PKRAM sysfs dir with nodes from fixtures/@nodes_fixture, a cmdline and
 * an empty discard file; /proc/cmdline from fixtures/proc-cmdline. */
void fx_pkram(struct fixture *fx, const char *nodes_fixture);

/* Run pkramctl_main(argv...) (NULL-terminated, without "pkramctl"). */
void run(const struct fixture *fx, struct result *r, ...);
void result_free(struct result *r);

bool json_valid(const char *s);
bool python_json_valid(const char *s);	/* true if python3 is missing */

#endif
