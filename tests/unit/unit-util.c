// SPDX-License-Identifier: GPL-2.0
/* Helpers for the pkramctl unit tests, see unit-util.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-util.h"

int fake_write_errno;
int fake_exec_ret;
static struct result *cur;

static void die(const char *what)
{
	perror(what);
	abort();
}

struct fixture *fx_new(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		die("calloc");
	snprintf(fx->dir, sizeof(fx->dir), "%s/pkramctl-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir))
		die("mkdtemp");
	snprintf(fx->sysfs, sizeof(fx->sysfs), "%s/pkram", fx->dir);
	snprintf(fx->proc_cmdline, sizeof(fx->proc_cmdline), "%s/proc-cmdline",
		 fx->dir);
	return fx;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	chmod(path, 0700);
	return remove(path);
}

void fx_free(struct fixture *fx)
{
	if (!fx)
		return;
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
}

void fx_path(const struct fixture *fx, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fx->dir, rel);
}

void fx_write(const struct fixture *fx, const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	fx_path(fx, rel, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		die(path);
	fputs(content, f);
	if (fclose(f))
		die(path);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

void fx_copy(const struct fixture *fx, const char *rel, const char *fixture)
{
	char path[PATH_MAX], *s;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, fixture);
	s = slurp(path);
	if (!s)
		die(path);
	fx_write(fx, rel, s);
	free(s);
}

char *fx_read(const struct fixture *fx, const char *rel)
{
	char path[PATH_MAX];

	fx_path(fx, rel, path, sizeof(path));
	return slurp(path);
}

char *read_bin(const char *path, size_t *len)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb"), *m;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	m = open_memstream(&buf, len);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	fclose(f);
	return buf;
}

void fx_write_bin(const struct fixture *fx, const char *rel, const void *buf,
		  size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	fx_path(fx, rel, path, sizeof(path));
	f = fopen(path, "wb");
	if (!f)
		die(path);
	if (len && fwrite(buf, 1, len, f) != len)
		die(path);
	if (fclose(f))
		die(path);
}

#ifdef DTB_DIR
char *dtb_fixture(const char *name, size_t *len)
{
	char path[PATH_MAX];
	char *buf;

	snprintf(path, sizeof(path), "%s/%s.dtb", DTB_DIR, name);
	buf = read_bin(path, len);
	if (!buf)
		die(path);	/* make -C tests/unit compiles them */
	return buf;
}
#endif

void fx_pkram(struct fixture *fx, const char *nodes_fixture)
{
	if (mkdir(fx->sysfs, 0755))
		die(fx->sysfs);
	if (nodes_fixture)
		fx_copy(fx, "pkram/nodes", nodes_fixture);
	fx_copy(fx, "pkram/cmdline", "cmdline");
	fx_write(fx, "pkram/discard", "");
	fx_copy(fx, "proc-cmdline", "proc-cmdline");
}

static int fake_exec(struct pkramctl *ctx, char *const argv[])
{
	int i;

	(void)ctx;
	cur->exec_called++;
	for (i = 0; argv[i] && i < 15; i++)
		cur->exec_argv[i] = strdup(argv[i]);
	return fake_exec_ret;
}

static int fake_write(const char *path, const char *buf, size_t len)
{
	FILE *f;

	if (fake_write_errno)
		return fake_write_errno;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fwrite(buf, 1, len, f);
	return fclose(f) ? -errno : 0;
}

void run(const struct fixture *fx, struct result *r, ...)
{
	char *argv[32] = { "pkramctl" };
	struct pkramctl ctx;
	size_t olen, elen;
	FILE *out, *err;
	int argc = 1;
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	out = open_memstream(&r->out, &olen);
	err = open_memstream(&r->err, &elen);
	if (!out || !err)
		die("open_memstream");
	pkramctl_init(&ctx, out, err);
	if (fx) {
		ctx.sysfs = fx->sysfs;
		ctx.proc_cmdline = fx->proc_cmdline;
	}
	ctx.exec = fake_exec;
	ctx.write_file = fake_write;
	cur = r;
	r->status = pkramctl_main(&ctx, argc, argv);
	cur = NULL;
	fclose(out);
	fclose(err);
}

void result_free(struct result *r)
{
	int i;

	free(r->out);
	free(r->err);
	for (i = 0; r->exec_argv[i]; i++)
		free(r->exec_argv[i]);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------- JSON syntax check */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *value(const char *s, int depth);

static const char *string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
	}
	return s + 1;
}

static const char *number(const char *s)
{
	const char *d;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return NULL;
	if (*s == '.') {
		d = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == d)
			return NULL;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		d = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == d)
			return NULL;
	}
	return s;
}

static const char *container(const char *s, char close, int depth)
{
	s = ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (close == '}') {
			s = string(ws(s));
			if (!s)
				return NULL;
			s = ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = value(s, depth + 1);
		if (!s)
			return NULL;
		s = ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *value(const char *s, int depth)
{
	s = ws(s);
	if (depth > 64)
		return NULL;
	switch (*s) {
	case '{': return container(s, '}', depth);
	case '[': return container(s, ']', depth);
	case '"': return string(s);
	case 't': return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f': return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n': return strncmp(s, "null", 4) ? NULL : s + 4;
	default: return number(s);
	}
}

bool json_valid(const char *s)
{
	s = value(s, 0);
	return s && !*ws(s);
}

bool python_json_valid(const char *s)
{
	char path[] = "/tmp/pkramctl-json.XXXXXX", cmd[PATH_MAX + 64];
	int fd, rc;

	if (system("command -v python3 >/dev/null 2>&1"))
		return true;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("mkstemp");
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool %s >/dev/null", path);
	rc = system(cmd);
	unlink(path);
	return rc == 0;
}
