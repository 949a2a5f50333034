// SPDX-License-Identifier: GPL-2.0
/*
 * Black-box tests of the static pkramctl binary: exit status, stdout and
 * stderr of the real process, and the real execvp of kexec (a fake kexec
 * script in PATH records its arguments).
 */
#define _GNU_SOURCE
#include <fcntl.h>
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

#include "unit-util.h"

#define assert_contains(hay, needle) do {				\
	if (!strstr((hay), (needle)))					\
		fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle)); \
} while (0)

struct proc {
	int status;
	char *out, *err;
};

static char *read_fd(int fd)
{
	char *buf = NULL, chunk[4096];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	close(fd);
	return buf;
}

/* Run the binary with @env (NULL-terminated "K=V" list) and the args. */
static void spawn(struct proc *p, const char *stdout_file, char **env, ...)
{
	char *argv[32] = { PKRAMCTL_BIN };
	int out[2], err[2], argc = 1, ws;
	va_list ap;
	pid_t pid;

	va_start(ap, env);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	if (pipe(out) || pipe(err))
		abort();
	pid = fork();
	if (!pid) {
		if (stdout_file) {
			int fd = open(stdout_file, O_WRONLY);

			dup2(fd, 1);
		} else {
			dup2(out[1], 1);
		}
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execve(PKRAMCTL_BIN, argv, env);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* small outputs: reading one pipe then the other cannot block */
	p->out = read_fd(out[0]);
	p->err = read_fd(err[0]);
	waitpid(pid, &ws, 0);
	p->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void proc_free(struct proc *p)
{
	free(p->out);
	free(p->err);
}

struct bin_fx {
	struct fixture *fx;
	char env_sysfs[PATH_MAX + 32];
	char env_proc[PATH_MAX + 32];
	char env_path[PATH_MAX + 32];
	char *env[5];
};

static int setup(void **state)
{
	struct bin_fx *b = calloc(1, sizeof(*b));
	char bin[PATH_MAX];

	if (access(PKRAMCTL_BIN, X_OK)) {
		fprintf(stderr, "%s not built: make -C tools/pkramctl\n",
			PKRAMCTL_BIN);
		return -1;
	}
	b->fx = fx_new();
	fx_pkram(b->fx, "nodes-normal");
	fx_path(b->fx, "bin", bin, sizeof(bin));
	mkdir(bin, 0755);
	snprintf(b->env_sysfs, sizeof(b->env_sysfs), "PKRAMCTL_SYSFS=%s",
		 b->fx->sysfs);
	snprintf(b->env_proc, sizeof(b->env_proc), "PKRAMCTL_PROC_CMDLINE=%s",
		 b->fx->proc_cmdline);
	snprintf(b->env_path, sizeof(b->env_path), "PATH=%s", bin);
	b->env[0] = b->env_sysfs;
	b->env[1] = b->env_proc;
	b->env[2] = b->env_path;
	b->env[3] = "LC_ALL=C";
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bin_fx *b = *state;

	fx_free(b->fx);
	free(b);
	return 0;
}

static void test_bin_static(void **state)
{
	char cmd[PATH_MAX + 64];

	(void)state;
	/* "statically linked" in file(1) terms: no program interpreter */
	snprintf(cmd, sizeof(cmd),
		 "! readelf -l %s 2>/dev/null | grep -q 'program interpreter'",
		 PKRAMCTL_BIN);
	assert_int_equal(system(cmd), 0);
}

static void test_bin_version_help(void **state)
{
	struct bin_fx *b = *state;
	struct proc p;

	spawn(&p, NULL, b->env, "--version", NULL);
	assert_int_equal(p.status, 0);
	assert_contains(p.out, "pkramctl ");
	proc_free(&p);
	spawn(&p, NULL, b->env, "show", "--help", NULL);
	assert_int_equal(p.status, 0);
	assert_contains(p.out, "show NAME [--ranges] [--json] [--snapshot FILE]");
	proc_free(&p);
	spawn(&p, NULL, b->env, NULL);
	assert_int_equal(p.status, 2);
	assert_contains(p.err, "no command given");
	proc_free(&p);
}

static void test_bin_list(void **state)
{
	struct bin_fx *b = *state;
	struct proc p;

	spawn(&p, NULL, b->env, "list", NULL);
	assert_int_equal(p.status, 0);
	assert_contains(p.out, "in   guest:mem.1  incoming        1  262144      0    1.0G\n");
	assert_string_equal(p.err, "");
	proc_free(&p);
	spawn(&p, NULL, b->env, "list", "--json", NULL);
	assert_int_equal(p.status, 0);
	assert_true(json_valid(p.out));
	proc_free(&p);
}

static void test_bin_exit_codes(void **state)
{
	struct bin_fx *b = *state;
	struct proc p;

	spawn(&p, NULL, b->env, "show", "nope", NULL);
	assert_int_equal(p.status, 1);
	assert_contains(p.err, "no node named nope; `pkramctl list` shows what is preserved");
	proc_free(&p);
	spawn(&p, NULL, b->env, "--sysfs", "/nonexistent/pkram", "list", NULL);
	assert_int_equal(p.status, 2);
	assert_string_equal(p.err, "pkramctl: this kernel has no PKRAM (CONFIG_PKRAM): /nonexistent/pkram not found\n");
	proc_free(&p);
	fx_copy(b->fx, "pkram/nodes", "nodes-bad-state");
	spawn(&p, NULL, b->env, "list", NULL);
	assert_int_equal(p.status, 2);
	assert_contains(p.err, "line 2: bad state 'sleeping'");
	proc_free(&p);
	spawn(&p, NULL, b->env, "discard", "vm-state", NULL);	/* not blocked */
	assert_int_equal(p.status, 0);
	proc_free(&p);
}

/* A failed write of the output is not a success. */
static void test_bin_stdout_full(void **state)
{
	struct bin_fx *b = *state;
	struct proc p;

	if (access("/dev/full", W_OK))
		skip();
	spawn(&p, "/dev/full", b->env, "list", NULL);
	assert_int_equal(p.status, 1);
	assert_contains(p.err, "pkramctl: writing the output failed");
	proc_free(&p);
}

/* dump -o -: the blob, byte for byte, on the real stdout; and exit 2 */
static void test_bin_dump(void **state)
{
	struct bin_fx *b = *state;
	char path[PATH_MAX], *want, *got;
	size_t wlen, glen;
	struct proc p;

	want = dtb_fixture("snap-out", &wlen);
	fx_write_bin(b->fx, "pkram/outgoing.dtb", want, wlen);
	fx_path(b->fx, "stdout.dtb", path, sizeof(path));
	fx_write_bin(b->fx, "stdout.dtb", "", 0);
	spawn(&p, path, b->env, "dump", "-o", "-", NULL);
	assert_int_equal(p.status, 0);
	assert_string_equal(p.err, "");
	proc_free(&p);
	got = read_bin(path, &glen);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(got);
	spawn(&p, NULL, b->env, "show", "vm-state", "--ranges", "--snapshot",
	      path, NULL);
	assert_int_equal(p.status, 0);
	assert_contains(p.out, "    0x000001000000-0x000001040000  order 5  index 512\n");
	proc_free(&p);
	fx_write_bin(b->fx, "pkram/outgoing.dtb", want, wlen - 1);
	spawn(&p, NULL, b->env, "dump", "-o", "-", NULL);
	assert_int_equal(p.status, 2);
	assert_string_equal(p.out, "");
	assert_contains(p.err, "outgoing.dtb: truncated");
	proc_free(&p);
	free(want);
}

static void test_bin_kexec(void **state)
{
	struct bin_fx *b = *state;
	char script[PATH_MAX], args[PATH_MAX], *s;
	struct proc p;
	FILE *f;

	/* no kexec in PATH */
	spawn(&p, NULL, b->env, "kexec-load", "/k", "--append", "", NULL);
	assert_int_equal(p.status, 2);
	assert_string_equal(p.err, "pkramctl: kexec not found in PATH; install kexec-tools\n");
	proc_free(&p);

	/* a fake kexec that records one argument per line */
	fx_path(b->fx, "bin/kexec", script, sizeof(script));
	fx_path(b->fx, "kexec-args", args, sizeof(args));
	f = fopen(script, "w");
	fprintf(f, "#!/bin/sh\nfor a; do printf '%%s\\n' \"$a\"; done > '%s'\n", args);
	fclose(f);
	chmod(script, 0755);
	spawn(&p, NULL, b->env, "kexec-load", "/boot/vmlinuz", "--initrd",
	      "/boot/initrd.img", "--reuse-cmdline", "--append",
	      "pkram=0x1 x=\"a b\"", NULL);
	assert_int_equal(p.status, 0);
	assert_string_equal(p.err, "");
	proc_free(&p);
	s = fx_read(b->fx, "kexec-args");
	assert_non_null(s);
	assert_string_equal(s,
		"-l\n/boot/vmlinuz\n--initrd=/boot/initrd.img\n"
		"--append=BOOT_IMAGE=/boot/vmlinuz-6.12 root=/dev/vda1 ro "
		"console=ttyS0,115200 quiet x=\"a b\" pkram=0x1234000\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_bin_static),
		T(test_bin_version_help),
		T(test_bin_list),
		T(test_bin_exit_codes),
		T(test_bin_stdout_full),
		T(test_bin_dump),
		T(test_bin_kexec),
#undef T
	};

	return cmocka_run_group_tests_name("pkramctl-bin", tests, NULL, NULL);
}
