// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the pkramctl commands through pkramctl_main(), each on a fake
 * /sys/kernel/pkram tree made in a temp dir from tests/unit/fixtures/.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pkramctl.h"
#include "unit-util.h"

#define assert_contains(hay, needle) do {				\
	if (!strstr((hay), (needle)))					\
		fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle)); \
} while (0)

static int setup(void **state)
{
	unsetenv("PKRAMCTL_SYSFS");
	unsetenv("PKRAMCTL_PROC_CMDLINE");
	fake_write_errno = 0;
	fake_exec_ret = 0;
	*state = fx_new();
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* ------------------------------------------------------------------ list */

static void test_list_table(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out,
		"DIR  NAME         STATE     OBJECTS   PAGES  BYTES  MEMORY\n"
		"out  vm-state     saved           3    1536   4097    6.0M\n"
		"out  scratch      saving          1       0    123    8.0K\n"
		"in   guest:mem.1  incoming        1  262144      0    1.0G\n"
		"in   old_log-2    loading         2      16      0     68K\n");
	result_free(&r);
}

static void test_list_json(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "list", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_true(json_valid(r.out));
	assert_true(python_json_valid(r.out));
	assert_contains(r.out, "\"name\": \"scratch\", \"state\": \"saving\"");
	assert_contains(r.out, "\"direction\": \"in\", \"name\": \"old_log-2\", "
			"\"state\": \"loading\", \"objects\": 2, \"folios\": 4, "
			"\"pages\": 16, \"bytes\": 0, \"meta_pages\": 1, "
			"\"memory_bytes\": 69632}");
	result_free(&r);
}

static void test_list_empty(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-empty");
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"DIR  NAME  STATE     OBJECTS  PAGES  BYTES  MEMORY\n"
		"(no nodes)\n");
	result_free(&r);
	run(fx, &r, "list", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "[]\n");
	assert_true(python_json_valid(r.out));
	result_free(&r);
}

static void check_garbage(struct fixture *fx, const char *fixture,
			  const char *msg)
{
	struct result r;

	fx_copy(fx, "pkram/nodes", fixture);
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "pkramctl: ");
	assert_contains(r.err, "/pkram/nodes: ");
	assert_contains(r.err, msg);
	result_free(&r);
	run(fx, &r, "show", "vm-state", NULL);	/* show is as strict */
	assert_int_equal(r.status, 2);
	assert_contains(r.err, msg);
	result_free(&r);
}

static void test_list_garbage(void **state)
{
	struct fixture *fx = *state;

	fx_pkram(fx, "nodes-normal");
	check_garbage(fx, "nodes-bad-state",
		      "line 2: bad state 'sleeping' (expected saving, saved, incoming or loading): \"out scratch sleeping 1 0 0 123 1\"");
	check_garbage(fx, "nodes-truncated",
		      "line 2: truncated (no newline at the end; too many nodes for one page?): \"in guest:mem.1 incoming 1 1 26\"");
	check_garbage(fx, "nodes-too-few", "line 1: too few fields");
	check_garbage(fx, "nodes-overflow", "line 2: bad pages count '99999999999999999999' (out of range)");
}

static void test_list_binary_garbage(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], big[8192];
	struct result r;
	FILE *f;
	int i;

	fx_pkram(fx, "nodes-normal");
	fx_path(fx, "pkram/nodes", path, sizeof(path));
	f = fopen(path, "w");
	for (i = 0; i < 3000; i++)	/* binary noise, NULs included */
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "line 1: ");
	result_free(&r);

	memset(big, 'a', sizeof(big));	/* one huge line */
	big[sizeof(big) - 1] = '\0';
	fx_write(fx, "pkram/nodes", big);
	run(fx, &r, "list", "--json", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "line 1: ");
	result_free(&r);
}

static void test_no_pkram(void **state)
{
	struct fixture *fx = *state;
	char want[PATH_MAX + 80];
	struct result r;

	/* fx->sysfs was not created */
	snprintf(want, sizeof(want),
		 "pkramctl: this kernel has no PKRAM (CONFIG_PKRAM): %s not found\n",
		 fx->sysfs);
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	result_free(&r);
	run(fx, &r, "show", "x", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	result_free(&r);
	run(fx, &r, "discard", "x", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	result_free(&r);
	run(fx, &r, "cmdline", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	result_free(&r);
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append", "", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	assert_int_equal(r.exec_called, 0);
	result_free(&r);
}

/* The default path, --sysfs and PKRAMCTL_SYSFS, in that order of weight. */
static void test_sysfs_selection(void **state)
{
	struct fixture *fx = *state;
	char opt[PATH_MAX + 16];
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(NULL, &r, "--sysfs", fx->sysfs, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "vm-state");
	result_free(&r);
	snprintf(opt, sizeof(opt), "--sysfs=%s", fx->sysfs);
	run(NULL, &r, opt, "list", NULL);
	assert_int_equal(r.status, 0);
	result_free(&r);
	setenv("PKRAMCTL_SYSFS", fx->sysfs, 1);
	run(NULL, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "vm-state");
	result_free(&r);
	run(NULL, &r, "--sysfs", "/nonexistent/pkram", "list", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "/nonexistent/pkram not found");
	result_free(&r);
	unsetenv("PKRAMCTL_SYSFS");
}

static void test_nodes_unreadable(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, NULL);	/* no nodes file */
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "pkramctl: cannot read ");
	assert_contains(r.err, "/pkram/nodes: No such file or directory");
	result_free(&r);
}

/* A tmpfs kept by name is listed "kept" and shown with what it holds. */
static void test_kept_tmpfs(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, NULL);
	fx_write(fx, "pkram/nodes", "out tmpfs:db kept 3 5 700 2867000 0\n");
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "out  tmpfs:db  kept");
	result_free(&r);
	run(fx, &r, "show", "tmpfs:db", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_contains(r.out, "state:          kept\n");
	assert_contains(r.out, "its 3 regular file(s) hold 2867000 bytes\n");
	assert_contains(r.out, "in 5 folio(s) of 700 page(s).\n");
	assert_contains(r.out, "saved as this node at the next kexec");
	result_free(&r);
}

/* -------------------------------------------------------------- sessions */

static void test_sessions(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-empty");
	fx_copy(fx, "pkram/liveupdate", "liveupdate-normal");
	run(fx, &r, "sessions", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out,
		"DIR  STATE    SESSION               FILES       PAGES         BYTES\n"
		"out  open     alpha                     2         768       3149824\n"
		"       token 1                            512       2097152\n"
		"       token 7                            256       1052672\n"
		"in   waiting  beta                      1           0             0\n"
		"       token 18446744073709551615  not restored: Input/output error\n"
		"The previous kernel's sessions are in node liveupdate until /dev/liveupdate is\n"
		"first opened (`pkramctl show liveupdate`).\n");
	result_free(&r);
	/* list says there are sessions */
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "(no nodes)\nlive update: 2 session(s), 3 file(s) (`pkramctl sessions`)\n");
	result_free(&r);

	/* a line it does not understand: exit 2, named; list stays quiet */
	fx_write(fx, "pkram/liveupdate", "session out open alpha 2 768\n");
	run(fx, &r, "sessions", NULL);
	assert_int_equal(r.status, PKRAMCTL_EXIT_USAGE);
	assert_contains(r.err, "/liveupdate: line 1 is not understood");
	result_free(&r);
	fx_write(fx, "pkram/liveupdate", "file 1 2 3 0\n");	/* no session */
	run(fx, &r, "sessions", NULL);
	assert_int_equal(r.status, PKRAMCTL_EXIT_USAGE);
	result_free(&r);
	run(fx, &r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_false(strstr(r.out, "live update"));
	result_free(&r);

	/* none, and a kernel without /dev/liveupdate */
	fx_write(fx, "pkram/liveupdate", "");
	run(fx, &r, "sessions", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "(no sessions)\n");
	result_free(&r);
	{
		char path[PATH_MAX];

		fx_path(fx, "pkram/liveupdate", path, sizeof(path));
		assert_int_equal(unlink(path), 0);
	}
	run(fx, &r, "sessions", NULL);
	assert_int_equal(r.status, PKRAMCTL_EXIT_USAGE);
	assert_contains(r.err, "/pkram/liveupdate: No such file or directory");
	result_free(&r);
}

/* ------------------------------------------------------------------ show */

static void test_show(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "show", "guest:mem.1", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"name:           guest:mem.1\n"
		"direction:      in (arrived from the previous kernel)\n"
		"state:          incoming\n"
		"objects:        1\n"
		"folios:         1\n"
		"pages:          262144\n"
		"bytes:          0\n"
		"metadata pages: 5\n"
		"memory held:    1.0G (1073762304 bytes)\n");
	result_free(&r);
	run(fx, &r, "show", "--json", "vm-state", NULL);
	assert_int_equal(r.status, 0);
	assert_true(json_valid(r.out));
	assert_true(python_json_valid(r.out));
	assert_string_equal(r.out,
		"{\"direction\": \"out\", \"name\": \"vm-state\", \"state\": \"saved\", "
		"\"objects\": 3, \"folios\": 10, \"pages\": 1536, \"bytes\": 4097, "
		"\"meta_pages\": 2, \"memory_bytes\": 6307840}\n");
	result_free(&r);
}

static void test_show_unknown(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "show", "nope", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err,
		"pkramctl: no node named nope; `pkramctl list` shows what is preserved\n");
	result_free(&r);
	run(fx, &r, "show", "bad/name", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "'bad/name' is not a valid node name");
	result_free(&r);
	run(fx, &r, "show", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "pkramctl show: missing node NAME; see `pkramctl show --help`");
	result_free(&r);
	run(fx, &r, "show", "a", "b", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unexpected argument 'b'");
	result_free(&r);
}

/* --------------------------------------------------------------- discard */

static void test_discard_writes_name(void **state)
{
	struct fixture *fx = *state;
	struct result r;
	char *s;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "discard", "guest:mem.1", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	s = fx_read(fx, "pkram/discard");
	assert_string_equal(s, "guest:mem.1");
	free(s);
	result_free(&r);

	run(fx, &r, "discard", "--all-unclaimed", NULL);
	assert_int_equal(r.status, 0);
	s = fx_read(fx, "pkram/discard");
	assert_string_equal(s, "--all-unclaimed");
	free(s);
	result_free(&r);
}

/* The real write path (not the test hook): the file gets exactly the name. */
static void test_discard_real_write(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	struct pkramctl ctx;
	char *argv[] = { "pkramctl", "discard", "--", "vm-state", NULL };
	FILE *out = fopen("/dev/null", "w");
	char *s;

	fx_pkram(fx, "nodes-normal");
	pkramctl_init(&ctx, out, out);
	ctx.sysfs = fx->sysfs;
	assert_int_equal(pkramctl_main(&ctx, 4, argv), 0);
	s = fx_read(fx, "pkram/discard");
	assert_string_equal(s, "vm-state");
	free(s);

	/* a directory where the discard file should be: environment error */
	fx_path(fx, "pkram/discard", path, sizeof(path));
	unlink(path);
	mkdir(path, 0755);
	assert_int_equal(pkramctl_main(&ctx, 4, argv), 2);
	rmdir(path);
	/* no discard file at all */
	assert_int_equal(pkramctl_main(&ctx, 4, argv), 2);
	fclose(out);
}

static void test_discard_dir_message(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	struct result r;

	fx_pkram(fx, "nodes-normal");
	fx_path(fx, "pkram/discard", path, sizeof(path));
	unlink(path);
	mkdir(path, 0755);
	run(fx, &r, "discard", "vm-state", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "/pkram/discard: Is a directory; is this a PKRAM sysfs directory?");
	result_free(&r);
}

/*
 * A read-only discard file, as a user who may not write it gets it. Root may
 * write any file, so as root the run drops to nobody (65534) in a child.
 */
static void test_discard_readonly(void **state)
{
	struct fixture *fx = *state;
	char *argv[] = { "pkramctl", "discard", "vm-state", NULL };
	char path[PATH_MAX], err[512];
	struct pkramctl ctx;
	int fds[2], ws;
	ssize_t n;
	pid_t pid;

	fx_pkram(fx, "nodes-normal");
	fx_path(fx, "pkram/discard", path, sizeof(path));
	chmod(path, 0444);
	chmod(fx->dir, 0755);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (!pid) {
		FILE *errf = fdopen(fds[1], "w");

		close(fds[0]);
		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(99);
		pkramctl_init(&ctx, stdout, errf);
		ctx.sysfs = fx->sysfs;
		ws = pkramctl_main(&ctx, 3, argv);
		fclose(errf);
		_exit(ws);
	}
	close(fds[1]);
	n = read(fds[0], err, sizeof(err) - 1);
	close(fds[0]);
	err[n > 0 ? n : 0] = '\0';
	waitpid(pid, &ws, 0);
	assert_true(WIFEXITED(ws));
	if (WEXITSTATUS(ws) == 99)
		skip();	/* cannot drop privileges here */
	assert_int_equal(WEXITSTATUS(ws), 2);
	assert_string_equal(err, "pkramctl: discard needs root (CAP_SYS_ADMIN)\n");
}

/* What the kernel answers is mapped to a message and an exit status. */
static void test_discard_errno(void **state)
{
	static const struct {
		int err, status;
		const char *msg;
	} cases[] = {
		{ -ENOENT, 1, "pkramctl: no node named vm-state; `pkramctl list` shows what is preserved\n" },
		{ -EBUSY, 1, "pkramctl: node vm-state is in use (being saved or loaded); retry when its owner is done\n" },
		{ -EPERM, 2, "pkramctl: discard needs root (CAP_SYS_ADMIN)\n" },
		{ -EACCES, 2, "pkramctl: discard needs root (CAP_SYS_ADMIN)\n" },
		{ -EINVAL, 2, "pkramctl: the kernel rejected 'vm-state' as a node name\n" },
		{ -EIO, 1, "pkramctl: discarding vm-state failed: Input/output error\n" },
	};
	struct fixture *fx = *state;
	struct result r;
	size_t i;

	fx_pkram(fx, "nodes-normal");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_write_errno = cases[i].err;
		run(fx, &r, "discard", "vm-state", NULL);
		assert_int_equal(r.status, cases[i].status);
		assert_string_equal(r.err, cases[i].msg);
		result_free(&r);
	}
	fake_write_errno = -EBUSY;
	run(fx, &r, "discard", "--all-unclaimed", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "an unclaimed node was claimed meanwhile");
	result_free(&r);
	fake_write_errno = -ENOENT;	/* nothing left to discard: fine */
	run(fx, &r, "discard", "--all-unclaimed", NULL);
	assert_int_equal(r.status, 0);
	result_free(&r);
}

static void test_discard_unknown(void **state)
{
	struct fixture *fx = *state;
	struct result r;
	char *s;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "discard", "nope", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
		"pkramctl: no node named nope; `pkramctl list` shows what is preserved\n");
	s = fx_read(fx, "pkram/discard");
	assert_string_equal(s, "");	/* nothing written */
	free(s);
	result_free(&r);

	/* a garbled nodes file does not block a discard: the kernel decides */
	fx_copy(fx, "pkram/nodes", "nodes-truncated");
	run(fx, &r, "discard", "nope", NULL);
	assert_int_equal(r.status, 0);
	result_free(&r);
}

static void test_discard_usage(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "discard", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "pkramctl discard: give a node NAME or --all-unclaimed; see `pkramctl discard --help`\n");
	result_free(&r);
	run(fx, &r, "discard", "vm-state", "--all-unclaimed", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "(not both)");
	result_free(&r);
	run(fx, &r, "discard", "a b", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "is not a valid node name");
	result_free(&r);
	run(fx, &r, "discard", "--all", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown option '--all'");
	result_free(&r);
}

/* --------------------------------------------------------------- cmdline */

static void test_cmdline(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "cmdline", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "pkram=0x1234000\n");
	result_free(&r);

	fx_write(fx, "pkram/cmdline", "pkram=0x12 extra\n");
	run(fx, &r, "cmdline", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "/pkram/cmdline: not a pkram=0x<address> line");
	result_free(&r);

	fx_write(fx, "pkram/cmdline", "");
	run(fx, &r, "cmdline", NULL);
	assert_int_equal(r.status, 2);
	result_free(&r);

	run(fx, &r, "cmdline", "extra", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unexpected argument 'extra'");
	result_free(&r);
}

/* ------------------------------------------------------------ kexec-load */

static void test_kexec_dry_run_append(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append",
	    "root=/dev/vda pkram=0x999 console=ttyS0", "--dry-run", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"kexec -l /boot/vmlinuz --append='root=/dev/vda console=ttyS0 pkram=0x1234000'\n");
	assert_int_equal(r.exec_called, 0);
	result_free(&r);

	run(fx, &r, "kexec-load", "--dry-run", "--initrd=/boot/initrd.img",
	    "/boot/vmlinuz", "--append=", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"kexec -l /boot/vmlinuz --initrd=/boot/initrd.img --append=pkram=0x1234000\n");
	result_free(&r);
}

/* With PKRAM's kexec_avoid file, kexec-tools is told where to place segments */
static void test_kexec_placement(void **state)
{
	struct fixture *fx = *state;
	struct result r;
	char iomem[512];

	fx_pkram(fx, "nodes-normal");
	fx_write(fx, "pkram/kexec_avoid",
		 "0x1000000 0x40000000\n0x40002000 0x7ffe0000\n");
	fx_write(fx, "iomem", "00001000-0009fbff : System RAM\n"
		 "00100000-7ffdffff : System RAM\n");
	fx_path(fx, "iomem", iomem, sizeof(iomem));
	setenv("PKRAMCTL_PROC_IOMEM", iomem, 1);
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append", "", "--dry-run",
	    NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"kexec -l --mem-min=0x100000 --mem-max=0xffffff /boot/vmlinuz --append=pkram=0x1234000\n");
	result_free(&r);

	/* no RAM left: refused with a reason, kexec not run */
	fx_write(fx, "pkram/kexec_avoid", "0x100000 0x7ffe0000\n");
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append", "", NULL);
	assert_int_equal(r.status, 1);
	assert_int_equal(r.exec_called, 0);
	assert_non_null(strstr(r.err, "no RAM is free of preserved memory"));
	result_free(&r);
	unsetenv("PKRAMCTL_PROC_IOMEM");
}

static void test_kexec_dry_run_reuse(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "kexec-load", "/boot/vmlinuz-new", "--initrd",
	    "/boot/initrd.img-new", "--reuse-cmdline", "--dry-run", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"kexec -l /boot/vmlinuz-new --initrd=/boot/initrd.img-new "
		"--append='BOOT_IMAGE=/boot/vmlinuz-6.12 root=/dev/vda1 ro "
		"console=ttyS0,115200 quiet pkram=0x1234000'\n");
	result_free(&r);

	/* both: /proc/cmdline first, then --append; init args after -- */
	fx_write(fx, "proc-cmdline", "root=/dev/vda pkram=0x5 -- single\n");
	run(fx, &r, "kexec-load", "/k", "--reuse-cmdline", "--append",
	    "it's", "--dry-run", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"kexec -l /k --append='root=/dev/vda it'\\''s pkram=0x1234000 -- single'\n");
	result_free(&r);

	/* PKRAMCTL_PROC_CMDLINE is the override for the real binary */
	setenv("PKRAMCTL_PROC_CMDLINE", "/nonexistent/cmdline", 1);
	setenv("PKRAMCTL_SYSFS", fx->sysfs, 1);
	run(NULL, &r, "kexec-load", "/k", "--reuse-cmdline", "--dry-run", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err,
		"pkramctl: cannot read /nonexistent/cmdline: No such file or directory\n");
	result_free(&r);
	unsetenv("PKRAMCTL_PROC_CMDLINE");
	unsetenv("PKRAMCTL_SYSFS");
}

static void test_kexec_exec(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--initrd", "/boot/my initrd",
	    "--append", "root=/dev/vda", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.exec_called, 1);
	assert_string_equal(r.exec_argv[0], "kexec");
	assert_string_equal(r.exec_argv[1], "-l");
	assert_string_equal(r.exec_argv[2], "/boot/vmlinuz");
	assert_string_equal(r.exec_argv[3], "--initrd=/boot/my initrd");
	assert_string_equal(r.exec_argv[4], "--append=root=/dev/vda pkram=0x1234000");
	assert_null(r.exec_argv[5]);
	assert_string_equal(r.out, "");
	result_free(&r);

	fake_exec_ret = -ENOENT;
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append", "", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "pkramctl: kexec not found in PATH; install kexec-tools\n");
	result_free(&r);
	fake_exec_ret = -EACCES;
	run(fx, &r, "kexec-load", "/boot/vmlinuz", "--append", "", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "cannot run kexec: Permission denied");
	result_free(&r);
}

static void test_kexec_usage(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "kexec-load", "--append", "x", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "missing KERNEL image");
	result_free(&r);
	run(fx, &r, "kexec-load", "/k", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "give --append ARGS and/or --reuse-cmdline");
	result_free(&r);
	run(fx, &r, "kexec-load", "/k", "--append", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "option '--append' needs a value");
	result_free(&r);
	run(fx, &r, "kexec-load", "/k", "--dry-run=yes", "--append", "", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "option '--dry-run' takes no value");
	result_free(&r);

	/* the kernel's "PKRAM has nothing" value */
	fx_write(fx, "pkram/cmdline", "pkram=0\n");
	run(fx, &r, "kexec-load", "/k", "--append", "", "--dry-run", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "nothing would be preserved");
	assert_string_equal(r.out, "");
	result_free(&r);
}

/* ------------------------------------------------------------- global */

static void test_help_version(void **state)
{
	struct result r;

	(void)state;
	run(NULL, &r, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "Usage: pkramctl [--sysfs DIR] COMMAND [ARGS]");
	assert_contains(r.out, "kexec_file_load");
	result_free(&r);
	run(NULL, &r, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "pkramctl ");
	result_free(&r);
	run(NULL, &r, "list", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "Usage: pkramctl [--sysfs DIR] list [--json]");
	result_free(&r);
	run(NULL, &r, "kexec-load", "-h", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "kexec_file_load");
	result_free(&r);
	run(NULL, &r, "help", "discard", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "--all-unclaimed");
	result_free(&r);
	run(NULL, &r, "help", "bogus", NULL);
	assert_int_equal(r.status, 2);
	result_free(&r);
}

static void test_usage_errors(void **state)
{
	struct result r;

	(void)state;
	run(NULL, &r, NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "pkramctl: no command given; see `pkramctl --help`\n");
	result_free(&r);
	run(NULL, &r, "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "pkramctl: unknown command 'frobnicate'; see `pkramctl --help`\n");
	result_free(&r);
	run(NULL, &r, "--bogus", "list", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown option '--bogus'");
	result_free(&r);
	run(NULL, &r, "--sysfs", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "option '--sysfs' needs a value");
	result_free(&r);
	run(NULL, &r, "list", "--json", "extra", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "pkramctl list: unexpected argument 'extra'");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_list_table),
		T(test_list_json),
		T(test_list_empty),
		T(test_list_garbage),
		T(test_list_binary_garbage),
		T(test_no_pkram),
		T(test_sysfs_selection),
		T(test_nodes_unreadable),
		T(test_sessions),
		T(test_kept_tmpfs),
		T(test_show),
		T(test_show_unknown),
		T(test_discard_writes_name),
		T(test_discard_real_write),
		T(test_discard_dir_message),
		T(test_discard_readonly),
		T(test_discard_errno),
		T(test_discard_unknown),
		T(test_discard_usage),
		T(test_cmdline),
		T(test_kexec_dry_run_append),
		T(test_kexec_placement),
		T(test_kexec_dry_run_reuse),
		T(test_kexec_exec),
		T(test_kexec_usage),
		T(test_help_version),
		T(test_usage_errors),
#undef T
	};

	return cmocka_run_group_tests_name("pkramctl-cmd", tests, NULL, NULL);
}
