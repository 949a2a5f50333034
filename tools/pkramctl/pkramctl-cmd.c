// SPDX-License-Identifier: GPL-2.0
/*
 * pkramctl: the commands, their options and the sysfs access.
 *
 * A command is an entry of cmds[]: name, synopsis, help and a handler that
 * gets its arguments after the command name. To add one, write the handler
 * and add the entry; the option parser and --help come for free.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkramctl.h"

#ifndef PKRAMCTL_VERSION
#define PKRAMCTL_VERSION "0.1"
#endif

#define FILE_MAX	SZ_1M		/* larger sysfs files are garbage */
#define AVOID_FILE_MAX	SZ_256M		/* kexec_avoid: a line per 2 MiB at most */
#define HELP_SHOWN	(-1)		/* parse_args: --help was printed */

struct cmd {
	const char *name;
	int (*fn)(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		  char **argv);
	const char *synopsis;
	const char *help;
};

static const struct cmd cmds[];

static __printf(2, 3) void errmsg(struct pkramctl *ctx, const char *fmt, ...);

static void errmsg(struct pkramctl *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("pkramctl: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

/* ------------------------------------------------------------ defaults */

static int real_exec(struct pkramctl *ctx, char *const argv[])
{
	(void)ctx;
	execvp(argv[0], argv);
	return -errno;
}

static int real_write_file(const char *path, const char *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);	/* sysfs: one write, one store() */
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

void pkramctl_init(struct pkramctl *ctx, FILE *out, FILE *err)
{
	const char *s;

	memset(ctx, 0, sizeof(*ctx));
	s = getenv("PKRAMCTL_SYSFS");
	ctx->sysfs = s && *s ? s : PKRAMCTL_SYSFS_DEFAULT;
	s = getenv("PKRAMCTL_PROC_CMDLINE");
	ctx->proc_cmdline = s && *s ? s : PKRAMCTL_PROC_CMDLINE;
	s = getenv("PKRAMCTL_PROC_IOMEM");
	ctx->proc_iomem = s && *s ? s : PKRAMCTL_PROC_IOMEM;
	ctx->out = out;
	ctx->err = err;
	ctx->exec = real_exec;
	ctx->write_file = real_write_file;
}

/* --------------------------------------------------------------- files */

static int read_file_max(const char *path, char **bufp, size_t *lenp,
			 size_t max);

/* Read a whole (small) file into a malloc()ed, NUL-terminated buffer. */
static int read_file(const char *path, char **bufp, size_t *lenp)
{
	return read_file_max(path, bufp, lenp, FILE_MAX);
}

/* The same, for files up to @max bytes. */
static int read_file_max(const char *path, char **bufp, size_t *lenp,
			 size_t max)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = cap >= max ? NULL : realloc(buf, cap * 2 + 1);

			if (!nb) {
				err = cap >= max ? -EFBIG : -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		len += n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

static char *sysfs_path(struct pkramctl *ctx, const char *file)
{
	size_t n = strlen(ctx->sysfs) + strlen(file) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", ctx->sysfs, file);
	return p;
}

/* Exit status 2 unless the PKRAM sysfs directory is there. */
static int check_sysfs(struct pkramctl *ctx)
{
	struct stat st;
	int err = 0;

	if (stat(ctx->sysfs, &st))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (!err)
		return 0;
	if (err == ENOENT || err == ENOTDIR)
		errmsg(ctx, "this kernel has no PKRAM (CONFIG_PKRAM): %s not found",
		       ctx->sysfs);
	else
		errmsg(ctx, "cannot access %s: %s", ctx->sysfs, strerror(err));
	return PKRAMCTL_EXIT_USAGE;
}

static void read_error(struct pkramctl *ctx, const char *path, int err)
{
	if (err == -EACCES || err == -EPERM)
		errmsg(ctx, "cannot read %s: %s; run pkramctl as root", path,
		       strerror(-err));
	else if (err == -EFBIG)
		errmsg(ctx, "cannot read %s: too large, not a PKRAM sysfs file or snapshot",
		       path);
	else
		errmsg(ctx, "cannot read %s: %s", path, strerror(-err));
}

/* Read a sysfs file of PKRAM; 0, or an exit status after a message. */
static int read_sysfs(struct pkramctl *ctx, const char *file, char **buf,
		      size_t *len)
{
	char *path;
	int err;

	err = check_sysfs(ctx);
	if (err)
		return err;
	path = sysfs_path(ctx, file);
	if (!path)
		return errmsg(ctx, "out of memory"), PKRAMCTL_EXIT_FAIL;
	err = read_file(path, buf, len);
	if (err)
		read_error(ctx, path, err);
	free(path);
	return err ? PKRAMCTL_EXIT_USAGE : 0;
}

static int load_nodes(struct pkramctl *ctx, struct pkram_node_list *list)
{
	char *buf, msg[512];
	size_t len;
	int err;

	err = read_sysfs(ctx, "nodes", &buf, &len);
	if (err)
		return err;
	err = pkram_parse_nodes(buf, len, list, msg, sizeof(msg));
	free(buf);
	if (err)
		errmsg(ctx, "%s/nodes: %s", ctx->sysfs, msg);
	return err ? PKRAMCTL_EXIT_USAGE : 0;
}

/* 0 and @arg/@phys set, or an exit status after a message. */
static int load_cmdline(struct pkramctl *ctx, char *arg, size_t arglen,
			uint64_t *phys)
{
	char *buf;
	size_t len;
	int err;

	err = read_sysfs(ctx, "cmdline", &buf, &len);
	if (err)
		return err;
	err = pkram_parse_cmdline_attr(buf, len, arg, arglen, phys);
	free(buf);
	if (err)
		errmsg(ctx, "%s/cmdline: not a pkram=0x<address> line", ctx->sysfs);
	return err ? PKRAMCTL_EXIT_USAGE : 0;
}

/* ----------------------------------------------------------- snapshots */

#define SNAP_BUF	SZ_64M		/* first read() asks for this much */
#define SNAP_MAX	SZ_1G		/* larger is not a snapshot */
#define SNAP_TRIES	5

/*
 * Read a whole binary file through one open file description, in as few
 * read() calls as it allows (sysfs hands out at most a page per call).
 * *@chunks: read() calls that returned data. Returns 0 or -errno.
 */
static int read_blob(const char *path, char **bufp, size_t *lenp,
		     unsigned int *chunks)
{
	size_t len = 0, cap = SNAP_BUF;
	char *buf = malloc(cap);
	int fd, err = 0;

	*chunks = 0;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = cap >= SNAP_MAX ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				err = cap >= SNAP_MAX ? -EFBIG : -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		len += n;
		(*chunks)++;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static const char *snap_file(enum pkram_dir dir)
{
	return dir == PKRAM_DIR_IN ? "incoming.dtb" : "outgoing.dtb";
}

static const char *snap_dir_name(enum pkram_dir dir)
{
	return dir == PKRAM_DIR_IN ? "incoming" : "outgoing";
}

/*
 * The snapshot of @dir from sysfs. The kernel builds a new snapshot for
 * every read() and returns at most a page per call, so a blob of several
 * pages is pieced together from several snapshots: it is read again until
 * two reads in a row give the same bytes (nodes changed in between
 * otherwise). Returns 0; -errno when the file cannot be read (no message:
 * the caller decides); or an exit status after a message.
 */
static int load_snapshot(struct pkramctl *ctx, enum pkram_dir want,
			 char **blobp, size_t *lenp, char **pathp)
{
	char *path, *blob = NULL, *prev = NULL, msg[256];
	size_t len = 0, plen = 0;
	unsigned int chunks, i;
	enum pkram_dir dir;
	int err;

	*pathp = path = sysfs_path(ctx, snap_file(want));
	if (!path)
		return errmsg(ctx, "out of memory"), PKRAMCTL_EXIT_FAIL;
	for (i = 0; i < SNAP_TRIES; i++) {
		err = read_blob(path, &blob, &len, &chunks);
		if (err) {
			free(prev);
			return err;
		}
		if (chunks <= 1 || (prev && plen == len &&
				    !memcmp(prev, blob, len)))
			break;
		free(prev);
		prev = blob;
		plen = len;
		blob = NULL;
	}
	free(prev);
	if (!blob) {
		errmsg(ctx,
		       "%s: the snapshot changed during each of %d reads; nodes are being saved or discarded, retry",
		       path, SNAP_TRIES);
		return PKRAMCTL_EXIT_FAIL;
	}
	if (pkram_snap_check(blob, len, &dir, msg, sizeof(msg))) {
		errmsg(ctx, "%s: %s", path, msg);
		free(blob);
		return PKRAMCTL_EXIT_USAGE;
	}
	if (dir != want) {
		errmsg(ctx, "%s: direction is %s, expected %s", path,
		       snap_dir_name(dir), snap_dir_name(want));
		free(blob);
		return PKRAMCTL_EXIT_USAGE;
	}
	*blobp = blob;
	*lenp = len;
	return 0;
}

/* A snapshot saved by `pkramctl dump`: 0, or an exit status after a message. */
static int load_snapshot_file(struct pkramctl *ctx, const char *path,
			      char **blobp, size_t *lenp)
{
	enum pkram_dir dir;
	unsigned int chunks;
	char msg[256];
	int err;

	err = read_blob(path, blobp, lenp, &chunks);
	if (err) {
		read_error(ctx, path, err);
		return PKRAMCTL_EXIT_USAGE;
	}
	if (pkram_snap_check(*blobp, *lenp, &dir, msg, sizeof(msg))) {
		errmsg(ctx, "%s: %s", path, msg);
		free(*blobp);
		return PKRAMCTL_EXIT_USAGE;
	}
	return 0;
}

static void snap_read_error(struct pkramctl *ctx, const char *path, int err)
{
	if (err == -ENOENT)
		errmsg(ctx, "cannot read %s: %s; this kernel has no PKRAM layout snapshots",
		       path, strerror(-err));
	else
		read_error(ctx, path, err);
}

/* ------------------------------------------------------------- options */

struct opt {
	const char *name;	/* "--json" */
	bool has_arg;
	bool seen;
	const char *arg;
};

static void cmd_usage(struct pkramctl *ctx, const struct cmd *cmd, FILE *f)
{
	(void)ctx;
	fprintf(f, "Usage: pkramctl [--sysfs DIR] %s\n\n%s", cmd->synopsis,
		cmd->help);
}

static __printf(3, 4) int usage_error(struct pkramctl *ctx,
				      const struct cmd *cmd,
				      const char *fmt, ...);

static int usage_error(struct pkramctl *ctx, const struct cmd *cmd,
		       const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->err, "pkramctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fprintf(ctx->err, "; see `pkramctl %s --help`\n", cmd->name);
	return PKRAMCTL_EXIT_USAGE;
}

static struct opt *find_opt(struct opt *opts, const char *a, size_t n)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == n && !strncmp(opts->name, a, n))
			return opts;
	return NULL;
}

/*
 * Options may come anywhere among the arguments ("--opt ARG" or
 * "--opt=ARG"); "--" ends them. Positional arguments go to @pos (at most
 * @max). Returns 0, HELP_SHOWN, or exit status 2 after a message.
 */
static int parse_args(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		      char **argv, struct opt *opts, const char **pos,
		      int *npos, int max)
{
	bool dashdash = false;
	int i;

	*npos = 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct opt *o;

		if (dashdash || a[0] != '-' || !a[1]) {
			if (*npos == max)
				return usage_error(ctx, cmd,
						   "unexpected argument '%s'", a);
			pos[(*npos)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cmd_usage(ctx, cmd, ctx->out);
			return HELP_SHOWN;
		}
		eq = strchr(a, '=');
		o = find_opt(opts, a, eq ? (size_t)(eq - a) : strlen(a));
		if (!o)
			return usage_error(ctx, cmd, "unknown option '%s'", a);
		if (!o->has_arg && eq)
			return usage_error(ctx, cmd,
					   "option '%s' takes no value", o->name);
		if (o->has_arg && !eq && i + 1 == argc)
			return usage_error(ctx, cmd, "option '%s' needs a value",
					   o->name);
		o->seen = true;
		if (o->has_arg)
			o->arg = eq ? eq + 1 : argv[++i];
	}
	return 0;
}

/* parse_args() result to "go on" (0) or a final exit status (*status). */
static bool parse_done(int err, int *status)
{
	if (!err)
		return false;
	*status = err == HELP_SHOWN ? PKRAMCTL_EXIT_OK : err;
	return true;
}

/*
 * The sessions of /dev/liveupdate from <sysfs>/liveupdate (the kernel's
 * pkram_luo_text()): printed as a table when @f, else only counted.
 * 0, or -EINVAL with *@bad_line set to the line it does not understand.
 */
static int parse_sessions(const char *buf, size_t len, FILE *f,
			  unsigned int *sessions, unsigned int *files,
			  bool *unread, unsigned int *bad_line)
{
	unsigned int lineno = 0;
	size_t off = 0;

	*sessions = *files = 0;
	*unread = false;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		char line[256], dir[4], state[8], name[64];
		unsigned long long a, b, c;
		unsigned int nr;
		size_t llen;
		int e, n = 0;

		lineno++;
		llen = nl ? (size_t)(nl - buf - off) : len - off;
		if (!nl || llen >= sizeof(line))
			goto bad;
		memcpy(line, buf + off, llen);
		line[llen] = '\0';
		off += llen + 1;
		if (!strcmp(line, "unread")) {
			*unread = true;
		} else if (sscanf(line, "session %3s %7s %63s %u %llu %llu%n",
				  dir, state, name, &nr, &a, &b, &n) == 6 &&
			   (size_t)n == llen) {
			(*sessions)++;
			if (f)
				fprintf(f, "%-3s  %-7s  %-20s  %5u  %10llu  %12llu\n",
					dir, state, name, nr, a, b);
		} else if (sscanf(line, "file %llu %llu %llu %d%n",
				  &a, &b, &c, &e, &n) == 4 &&
			   (size_t)n == llen && *sessions) {
			(*files)++;
			if (f && e)
				fprintf(f, "       token %-20llu  not restored: %s\n",
					a, strerror(-e));
			else if (f)
				fprintf(f, "       token %-20llu  %10llu  %12llu\n",
					a, b, c);
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	*bad_line = lineno;
	return -EINVAL;
}

/* 0 and the sessions read, or an exit status after a message. */
static int load_sessions(struct pkramctl *ctx, FILE *f, unsigned int *sessions,
			 unsigned int *files, bool *unread)
{
	unsigned int bad;
	char *buf;
	size_t len;
	int err;

	err = read_sysfs(ctx, "liveupdate", &buf, &len);
	if (err)
		return err;
	err = parse_sessions(buf, len, f, sessions, files, unread, &bad);
	free(buf);
	if (err)
		errmsg(ctx, "%s/liveupdate: line %u is not understood", ctx->sysfs,
		       bad);
	return err ? PKRAMCTL_EXIT_USAGE : 0;
}

/* After the node table: a line about the live update sessions, if any. */
static void list_sessions_note(struct pkramctl *ctx)
{
	unsigned int sessions, files, bad;
	bool unread;
	char *path, *buf;
	size_t len;
	int err;

	path = sysfs_path(ctx, "liveupdate");
	if (!path)
		return;
	err = read_file(path, &buf, &len);
	free(path);
	if (err)
		return;		/* no /dev/liveupdate, or not root */
	if (!parse_sessions(buf, len, NULL, &sessions, &files, &unread, &bad) &&
	    sessions)
		fprintf(ctx->out,
			"live update: %u session(s), %u file(s) (`pkramctl sessions`)\n",
			sessions, files);
	free(buf);
}

/* ------------------------------------------------------------ commands */

static int cmd_list(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct opt opts[] = { { .name = "--json" }, { 0 } };
	struct pkram_node_list list;
	int npos, status;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, NULL, &npos, 0),
		       &status))
		return status;
	status = load_nodes(ctx, &list);
	if (status)
		return status;
	if (opts[0].seen) {
		pkram_print_json(ctx->out, &list);
	} else {
		pkram_print_table(ctx->out, &list);
		list_sessions_note(ctx);
	}
	pkram_node_list_free(&list);
	return PKRAMCTL_EXIT_OK;
}

static int cmd_sessions(struct pkramctl *ctx, const struct cmd *cmd, int argc,
			char **argv)
{
	struct opt opts[] = { { 0 } };
	unsigned int sessions, files;
	int npos, status;
	bool unread;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, NULL, &npos, 0),
		       &status))
		return status;
	fprintf(ctx->out, "%-3s  %-7s  %-20s  %5s  %10s  %12s\n", "DIR",
		"STATE", "SESSION", "FILES", "PAGES", "BYTES");
	status = load_sessions(ctx, ctx->out, &sessions, &files, &unread);
	if (status)
		return status;
	if (!sessions)
		fprintf(ctx->out, "(no sessions)\n");
	if (unread)
		fprintf(ctx->out,
			"The previous kernel's sessions are in node liveupdate until /dev/liveupdate is\n"
			"first opened (`pkramctl show liveupdate`).\n");
	return PKRAMCTL_EXIT_OK;
}

static int no_such_node(struct pkramctl *ctx, const char *name)
{
	errmsg(ctx, "no node named %s; `pkramctl list` shows what is preserved",
	       name);
	return PKRAMCTL_EXIT_FAIL;
}

static int bad_name(struct pkramctl *ctx, const char *name)
{
	errmsg(ctx, "'%s' is not a valid node name (1-63 chars of [A-Za-z0-9._:-])",
	       name);
	return PKRAMCTL_EXIT_USAGE;
}

enum { SH_JSON, SH_RANGES, SH_SNAPSHOT };

static void show_print(struct pkramctl *ctx, const struct pkram_node_info *info,
		       const struct pkram_snap_node *snap, bool json,
		       bool ranges)
{
	if (json) {
		pkram_print_node_json_full(ctx->out, info, snap, ranges);
		fputc('\n', ctx->out);
		return;
	}
	pkram_print_node(ctx->out, info);
	if (snap)
		pkram_print_snap_objects(ctx->out, snap, ranges);
}

/* show NAME --snapshot FILE: everything from the file. */
static int show_from_file(struct pkramctl *ctx, const char *file,
			  const char *name, bool json, bool ranges)
{
	struct pkram_snap_node snap;
	char *blob, msg[256];
	size_t len;
	int status, err;

	status = load_snapshot_file(ctx, file, &blob, &len);
	if (status)
		return status;
	err = pkram_snap_find_node(blob, name, &snap, msg, sizeof(msg));
	free(blob);
	if (err == -ENOENT) {
		errmsg(ctx, "no node named %s in %s", name, file);
		return PKRAMCTL_EXIT_FAIL;
	}
	if (err) {
		errmsg(ctx, "%s: %s", file, msg);
		return err == -ENOMEM ? PKRAMCTL_EXIT_FAIL : PKRAMCTL_EXIT_USAGE;
	}
	show_print(ctx, &snap.info, &snap, json, ranges);
	pkram_snap_node_free(&snap);
	return PKRAMCTL_EXIT_OK;
}

/*
 * The objects of @node from the snapshot of its direction into @snap.
 * Without @ranges a snapshot that cannot be read (not root, a kernel
 * without snapshots) only costs the object list: *@have is false then.
 */
static int show_objects(struct pkramctl *ctx,
			const struct pkram_node_info *node, bool ranges,
			struct pkram_snap_node *snap, bool *have)
{
	char *blob, *path, msg[256];
	size_t len;
	int err;

	*have = false;
	err = load_snapshot(ctx, node->dir, &blob, &len, &path);
	if (err < 0) {
		if (ranges || (err != -EACCES && err != -EPERM &&
			       err != -ENOENT)) {
			snap_read_error(ctx, path, err);
			free(path);
			return PKRAMCTL_EXIT_USAGE;
		}
		errmsg(ctx, "no object list: cannot read %s: %s%s", path,
		       strerror(-err), err == -ENOENT ? "" : " (needs root)");
		free(path);
		return 0;
	}
	if (err) {
		free(path);
		return err;
	}
	err = pkram_snap_find_node(blob, node->name, snap, msg, sizeof(msg));
	free(blob);
	if (err == -ENOENT) {
		errmsg(ctx, "node %s is not in %s: discarded or loaded meanwhile?",
		       node->name, path);
		err = PKRAMCTL_EXIT_FAIL;
	} else if (err) {
		errmsg(ctx, "%s: %s", path, msg);
		err = err == -ENOMEM ? PKRAMCTL_EXIT_FAIL : PKRAMCTL_EXIT_USAGE;
	} else {
		*have = true;
	}
	free(path);
	return err;
}

static int cmd_show(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct opt opts[] = {
		[SH_JSON] = { .name = "--json" },
		[SH_RANGES] = { .name = "--ranges" },
		[SH_SNAPSHOT] = { .name = "--snapshot", .has_arg = true },
		{ 0 },
	};
	const struct pkram_node_info *node;
	struct pkram_node_list list;
	struct pkram_snap_node snap;
	bool json, ranges, have;
	const char *name;
	int npos, status;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, &name, &npos, 1),
		       &status))
		return status;
	if (!npos)
		return usage_error(ctx, cmd, "missing node NAME");
	if (!pkram_name_valid(name))
		return bad_name(ctx, name);
	json = opts[SH_JSON].seen;
	ranges = opts[SH_RANGES].seen;
	if (opts[SH_SNAPSHOT].seen)
		return show_from_file(ctx, opts[SH_SNAPSHOT].arg, name, json,
				      ranges);
	status = load_nodes(ctx, &list);
	if (status)
		return status;
	node = pkram_find_node(&list, name);
	if (!node) {
		status = no_such_node(ctx, name);
	} else if (node->state == PKRAM_ST_KEPT) {
		show_print(ctx, node, NULL, json, false);
		if (!json)
			fprintf(ctx->out,
				"A tmpfs kept by name, as it is now: its %" PRIu64
				" regular file(s) hold %" PRIu64 " bytes\n"
				"(objects and bytes above) in %" PRIu64
				" folio(s) of %" PRIu64 " page(s).\n"
				"It is saved as this node at the next kexec.\n",
				node->objects, node->bytes, node->folios,
				node->pages);
	} else {
		status = show_objects(ctx, node, ranges, &snap, &have);
		if (!status)
			show_print(ctx, node, have ? &snap : NULL, json, ranges);
		if (have)
			pkram_snap_node_free(&snap);
	}
	pkram_node_list_free(&list);
	return status;
}

enum { DU_IN, DU_OUT, DU_OUTPUT, DU_OUTPUT_LONG };

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static int cmd_dump(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct opt opts[] = {
		[DU_IN] = { .name = "--incoming" },
		[DU_OUT] = { .name = "--outgoing" },
		[DU_OUTPUT] = { .name = "-o", .has_arg = true },
		[DU_OUTPUT_LONG] = { .name = "--output", .has_arg = true },
		{ 0 },
	};
	enum pkram_dir dir;
	const char *file;
	char *blob, *path;
	int npos, status, fd, err;
	size_t len;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, NULL, &npos, 0),
		       &status))
		return status;
	if (opts[DU_IN].seen && opts[DU_OUT].seen)
		return usage_error(ctx, cmd, "give --incoming or --outgoing, not both");
	if (opts[DU_OUTPUT].seen == opts[DU_OUTPUT_LONG].seen)
		return usage_error(ctx, cmd,
				   "give the output file once: -o FILE (-o - for stdout)");
	file = opts[DU_OUTPUT].seen ? opts[DU_OUTPUT].arg : opts[DU_OUTPUT_LONG].arg;
	if (!*file)
		return usage_error(ctx, cmd, "empty output file name");
	dir = opts[DU_IN].seen ? PKRAM_DIR_IN : PKRAM_DIR_OUT;
	status = check_sysfs(ctx);
	if (status)
		return status;
	err = load_snapshot(ctx, dir, &blob, &len, &path);
	if (err < 0)
		snap_read_error(ctx, path, err);
	free(path);
	if (err)
		return err < 0 ? PKRAMCTL_EXIT_USAGE : err;
	if (!strcmp(file, "-")) {
		if (fwrite(blob, 1, len, ctx->out) != len)
			err = -EIO;
	} else {
		/* physical addresses: for root's eyes only, like the source */
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = -errno;
		} else {
			err = write_all(fd, blob, len);
			if (close(fd) && !err)
				err = -errno;
		}
	}
	free(blob);
	if (err) {
		errmsg(ctx, "cannot write %s: %s",
		       strcmp(file, "-") ? file : "the output", strerror(-err));
		return PKRAMCTL_EXIT_FAIL;
	}
	return PKRAMCTL_EXIT_OK;
}

/*
 * Map the errno of writing the discard file to a message and status; @what
 * is the node name, or NULL for --all-unclaimed.
 */
static int discard_error(struct pkramctl *ctx, const char *path,
			 const char *what, int err)
{
	switch (-err) {
	case ENOENT:
		if (access(path, F_OK))
			break;
		return what ? no_such_node(ctx, what) : PKRAMCTL_EXIT_OK;
	case EBUSY:
		if (!what)
			errmsg(ctx,
			       "an unclaimed node was claimed meanwhile and is in use; `pkramctl list` shows what is left");
		else
			errmsg(ctx,
			       "node %s is in use (being saved or loaded); retry when its owner is done",
			       what);
		return PKRAMCTL_EXIT_FAIL;
	case EXDEV:
		errmsg(ctx,
		       "node %s holds memory that is not the kernel's (an inplace object, e.g. pages a hypervisor owns): only its owner can take it, by loading it; not discarded",
		       what ? what : "?");
		return PKRAMCTL_EXIT_FAIL;
	case EPERM:
	case EACCES:
		errmsg(ctx, "discard needs root (CAP_SYS_ADMIN)");
		return PKRAMCTL_EXIT_USAGE;
	case EINVAL:
		errmsg(ctx, "the kernel rejected '%s' as a node name",
		       what ? what : "--all-unclaimed");
		return PKRAMCTL_EXIT_USAGE;
	}
	if (err == -ENOENT || err == -EISDIR || err == -ENOTDIR) {
		errmsg(ctx, "cannot write %s: %s; is this a PKRAM sysfs directory?",
		       path, strerror(-err));
		return PKRAMCTL_EXIT_USAGE;
	}
	errmsg(ctx, "discarding %s failed: %s", what ? what : "unclaimed nodes",
	       strerror(-err));
	return PKRAMCTL_EXIT_FAIL;
}

/*
 * A named node must be in the list first: this gives the hint for a typo
 * even where the kernel is not the one answering. A nodes file that cannot
 * be parsed does not block a discard: the kernel decides then.
 */
static int discard_precheck(struct pkramctl *ctx, const char *name)
{
	struct pkram_node_list list;
	char *path, *buf, msg[8];
	size_t len;
	int status = 0, err;

	path = sysfs_path(ctx, "nodes");
	if (!path)
		return 0;
	err = read_file(path, &buf, &len);
	free(path);
	if (err)
		return 0;
	if (!pkram_parse_nodes(buf, len, &list, msg, sizeof(msg))) {
		if (!pkram_find_node(&list, name))
			status = no_such_node(ctx, name);
		pkram_node_list_free(&list);
	}
	free(buf);
	return status;
}

static int cmd_discard(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		       char **argv)
{
	struct opt opts[] = { { .name = "--all-unclaimed" }, { 0 } };
	const char *name, *what;
	int npos, status, err;
	char *path;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, &name, &npos, 1),
		       &status))
		return status;
	if (npos == opts[0].seen)
		return usage_error(ctx, cmd, "give a node NAME or --all-unclaimed%s",
				   npos ? " (not both)" : "");
	if (npos && !pkram_name_valid(name))
		return bad_name(ctx, name);
	status = check_sysfs(ctx);
	if (!status && npos)
		status = discard_precheck(ctx, name);
	if (status)
		return status;
	what = npos ? name : "--all-unclaimed";
	path = sysfs_path(ctx, "discard");
	if (!path)
		return errmsg(ctx, "out of memory"), PKRAMCTL_EXIT_FAIL;
	err = ctx->write_file(path, what, strlen(what));
	status = err ? discard_error(ctx, path, npos ? name : NULL, err) : 0;
	free(path);
	return status;
}

static int cmd_cmdline(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		       char **argv)
{
	char arg[64];
	uint64_t phys;
	int npos, status;

	if (parse_done(parse_args(ctx, cmd, argc, argv, NULL, NULL, &npos, 0),
		       &status))
		return status;
	status = load_cmdline(ctx, arg, sizeof(arg), &phys);
	if (status)
		return status;
	fprintf(ctx->out, "%s\n", arg);
	return PKRAMCTL_EXIT_OK;
}

/* This kernel's command line from /proc/cmdline, or NULL after a message. */
static char *proc_cmdline(struct pkramctl *ctx)
{
	size_t len;
	char *buf;
	int err;

	err = read_file(ctx->proc_cmdline, &buf, &len);
	if (err) {
		read_error(ctx, ctx->proc_cmdline, err);
		return NULL;
	}
	if (strlen(buf) != len) {
		errmsg(ctx, "%s: contains a NUL byte", ctx->proc_cmdline);
		free(buf);
		return NULL;
	}
	return buf;
}

enum { KL_INITRD, KL_APPEND, KL_REUSE, KL_DRY_RUN };

/*
 * kexec-tools places segments knowing nothing of PKRAM, and the kernel
 * refuses a segment on preserved memory: keep them in the largest stretch
 * of RAM that holds none (--mem-min/--mem-max). Without the kexec_avoid file
 * (an older kernel) kexec places them as it likes. Writes the two options
 * into @min and @max, or empty strings.
 */
static int kexec_placement(struct pkramctl *ctx, char *min, char *max,
			   size_t size)
{
	char *path, *iomem = NULL, *pres = NULL;
	uint64_t start, end;
	size_t len;
	int err;

	min[0] = '\0';
	max[0] = '\0';
	path = sysfs_path(ctx, "kexec_avoid");
	if (!path) {
		errmsg(ctx, "out of memory");
		return PKRAMCTL_EXIT_FAIL;
	}
	err = read_file_max(path, &pres, &len, AVOID_FILE_MAX);
	if (err && err != -ENOENT)
		read_error(ctx, path, err);
	free(path);
	if (err == -ENOENT)
		return PKRAMCTL_EXIT_OK;
	if (err)
		return PKRAMCTL_EXIT_FAIL;
	err = read_file(ctx->proc_iomem, &iomem, &len);
	if (err) {
		read_error(ctx, ctx->proc_iomem, err);
		free(pres);
		return PKRAMCTL_EXIT_FAIL;
	}
	err = pkram_largest_free(iomem, pres, &start, &end);
	free(iomem);
	free(pres);
	if (err == -ENOENT) {
		errmsg(ctx,
		       "no RAM is free of preserved memory: there is nowhere to load a kernel");
		return PKRAMCTL_EXIT_FAIL;
	}
	if (err) {
		errmsg(ctx, "out of memory");
		return PKRAMCTL_EXIT_FAIL;
	}
	snprintf(min, size, "--mem-min=%#" PRIx64, start);
	snprintf(max, size, "--mem-max=%#" PRIx64, end - 1);
	return PKRAMCTL_EXIT_OK;
}

static int kexec_run(struct pkramctl *ctx, char **kargv, bool dry_run)
{
	int err;

	if (dry_run) {
		pkram_print_shell_argv(ctx->out, kargv);
		return PKRAMCTL_EXIT_OK;
	}
	fflush(ctx->out);
	err = ctx->exec(ctx, kargv);
	if (!err)
		return PKRAMCTL_EXIT_OK;	/* only from a test's exec */
	if (err == -ENOENT) {
		errmsg(ctx, "kexec not found in PATH; install kexec-tools");
		return PKRAMCTL_EXIT_USAGE;
	}
	errmsg(ctx, "cannot run kexec: %s", strerror(-err));
	return PKRAMCTL_EXIT_FAIL;
}

static int cmd_kexec_load(struct pkramctl *ctx, const struct cmd *cmd,
			  int argc, char **argv)
{
	struct opt opts[] = {
		[KL_INITRD] = { .name = "--initrd", .has_arg = true },
		[KL_APPEND] = { .name = "--append", .has_arg = true },
		[KL_REUSE] = { .name = "--reuse-cmdline" },
		[KL_DRY_RUN] = { .name = "--dry-run" },
		{ 0 },
	};
	char arg[64], *proc = NULL, *line, *initrd = NULL, *append = NULL;
	char min[40], max[40];
	char *kargv[8];
	const char *kernel;
	int npos, status, k = 0;
	uint64_t phys;

	if (parse_done(parse_args(ctx, cmd, argc, argv, opts, &kernel, &npos, 1),
		       &status))
		return status;
	if (!npos)
		return usage_error(ctx, cmd, "missing KERNEL image");
	if (!opts[KL_APPEND].seen && !opts[KL_REUSE].seen)
		return usage_error(ctx, cmd,
				   "give --append ARGS and/or --reuse-cmdline (--append '' for an empty command line)");
	status = load_cmdline(ctx, arg, sizeof(arg), &phys);
	if (status)
		return status;
	if (!phys) {
		errmsg(ctx,
		       "%s/cmdline says %s: PKRAM has no superblock in this kernel, nothing would be preserved",
		       ctx->sysfs, arg);
		return PKRAMCTL_EXIT_USAGE;
	}
	status = kexec_placement(ctx, min, max, sizeof(min));
	if (status)
		return status;
	if (opts[KL_REUSE].seen) {
		proc = proc_cmdline(ctx);
		if (!proc)
			return PKRAMCTL_EXIT_USAGE;
	}
	line = pkram_make_cmdline(proc, opts[KL_APPEND].arg, arg);
	free(proc);
	if (line && asprintf(&append, "--append=%s", line) < 0)
		append = NULL;
	if (opts[KL_INITRD].seen &&
	    asprintf(&initrd, "--initrd=%s", opts[KL_INITRD].arg) < 0)
		initrd = NULL;
	free(line);
	if (!append || (opts[KL_INITRD].seen && !initrd)) {
		status = PKRAMCTL_EXIT_FAIL;
		errmsg(ctx, "out of memory");
		goto out;
	}
	kargv[k++] = "kexec";
	kargv[k++] = "-l";
	if (min[0]) {
		kargv[k++] = min;
		kargv[k++] = max;
	}
	kargv[k++] = (char *)kernel;
	if (initrd)
		kargv[k++] = initrd;
	kargv[k++] = append;
	kargv[k] = NULL;
	status = kexec_run(ctx, kargv, opts[KL_DRY_RUN].seen);
out:
	free(initrd);
	free(append);
	return status;
}

static int cmd_help(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		    char **argv);

static const struct cmd cmds[] = {
	{ "list", cmd_list, "list [--json]",
	  "List every PKRAM node: incoming ones (from the previous kernel) and\n"
	  "outgoing ones (saved here, preserved at the next kexec).\n"
	  "MEMORY is what the node holds: data pages, metadata pages and the\n"
	  "pages of its byte streams.\n\n"
	  "  --json   a JSON array of objects with raw numbers (memory_bytes etc.)\n" },
	{ "show", cmd_show, "show NAME [--ranges] [--json] [--snapshot FILE]",
	  "Show one node in detail: direction, state, objects, folios, pages,\n"
	  "bytes, metadata pages and the memory it holds; then, from the layout\n"
	  "snapshot of the node's direction (incoming.dtb or outgoing.dtb, root\n"
	  "only), per object: flags, folio counts by order (orders that have\n"
	  "folios) and the length of its byte stream.\n"
	  "Exit status 1 if there is no such node, 2 if the snapshot is damaged.\n\n"
	  "  --ranges          also the physical ranges of each object, in stream\n"
	  "                    order: START-END (END excluded), folio order, index\n"
	  "  --json            one JSON object with raw numbers\n"
	  "  --snapshot FILE   read everything from FILE (from `pkramctl dump`)\n"
	  "                    instead of sysfs\n" },
	{ "sessions", cmd_sessions, "sessions",
	  "List the sessions of /dev/liveupdate (memfds kept across kexec, see\n"
	  "Documentation/userspace-api/liveupdate.rst) and their files: out\n"
	  "(kept at the next kexec, in the node liveupdate) or in (from the\n"
	  "previous kernel), open or waiting (not retrieved, or closed without\n"
	  "FINISH: carried at the next kexec); per file its token, the pages it\n"
	  "holds (what is kept) and its size in bytes. Needs root.\n" },
	{ "dump", cmd_dump, "dump [--incoming|--outgoing] -o FILE",
	  "Write the layout snapshot of the incoming or outgoing nodes (default\n"
	  "--outgoing), a flattened device tree, to FILE (mode 0600), after\n"
	  "checking it. Needs root. Read it back with `pkramctl show NAME\n"
	  "--snapshot FILE` or `dtc -I dtb -O dts FILE`.\n\n"
	  "  --incoming        nodes that arrived from the previous kernel\n"
	  "  --outgoing        nodes saved here, preserved at the next kexec\n"
	  "  -o, --output FILE where to write; - for stdout\n" },
	{ "discard", cmd_discard, "discard NAME | --all-unclaimed",
	  "Free a node: its memory goes back to the page allocator and it is\n"
	  "not preserved at the next kexec. Needs root (CAP_SYS_ADMIN).\n"
	  "Exit status 1 if there is no such node or it is in use.\n"
	  "A name starting with '-' goes after --: pkramctl discard -- -x\n\n"
	  "  --all-unclaimed   free every incoming node that nobody has loaded\n" },
	{ "cmdline", cmd_cmdline, "cmdline",
	  "Print the pkram=0x<address> parameter that the next kernel's command\n"
	  "line must carry for PKRAM memory to survive a kexec_load. Needs root.\n" },
	{ "kexec-load", cmd_kexec_load,
	  "kexec-load KERNEL [--initrd FILE] [--append ARGS] [--reuse-cmdline] [--dry-run]",
	  "Load KERNEL for kexec with pkram= on its command line: runs\n"
	  "  kexec -l [--mem-min=A --mem-max=B] KERNEL [--initrd=FILE]\n"
	  "           --append=\"CMDLINE pkram=0x...\"\n"
	  "where CMDLINE is this kernel's /proc/cmdline (--reuse-cmdline)\n"
	  "followed by ARGS (--append), any old pkram= removed. pkram= goes\n"
	  "before a lone \"--\" (what follows it belongs to init). [A, B] is\n"
	  "the largest stretch of RAM free of preserved memory (from\n"
	  "/sys/kernel/pkram/kexec_avoid), where kexec must place the segments.\n"
	  "Then reboot into it with `kexec -e` (or `systemctl kexec`).\n\n"
	  "  --initrd FILE     the initramfs for KERNEL\n"
	  "  --append ARGS     command line words for KERNEL\n"
	  "  --reuse-cmdline   start from this kernel's /proc/cmdline\n"
	  "  --dry-run         print the kexec command instead of running it\n\n"
	  "Not needed with kexec_file_load (kexec -s): the kernel adds pkram=\n"
	  "to the command line itself.\n" },
	{ "help", cmd_help, "help [COMMAND]",
	  "Show the help of pkramctl or of COMMAND.\n" },
	{ 0 },
};

static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "Usage: pkramctl [--sysfs DIR] COMMAND [ARGS]\n"
		"       pkramctl COMMAND --help | --help | --version\n\n"
		"Inspect and manage PKRAM nodes: sets of memory pages that are\n"
		"preserved across kexec.\n\nCommands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %s\n", c->synopsis);
	fprintf(f, "\nOptions:\n"
		"  --sysfs DIR   PKRAM sysfs directory (default %s,\n"
		"                or $PKRAMCTL_SYSFS)\n"
		"  -h, --help    this help\n"
		"  -V, --version print the version\n\n"
		"Exit status: 0 success, 1 the operation failed, 2 bad arguments\n"
		"or environment (e.g. no PKRAM in this kernel).\n"
		"kexec_file_load (kexec -s) users need no kexec-load: the kernel\n"
		"adds pkram= to the new command line itself.\n",
		PKRAMCTL_SYSFS_DEFAULT);
}

static int cmd_help(struct pkramctl *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	const struct cmd *c;
	const char *name;
	int npos, status;

	if (parse_done(parse_args(ctx, cmd, argc, argv, NULL, &name, &npos, 1),
		       &status))
		return status;
	if (!npos) {
		usage(ctx->out);
		return PKRAMCTL_EXIT_OK;
	}
	c = find_cmd(name);
	if (!c)
		return usage_error(ctx, cmd, "unknown command '%s'", name);
	cmd_usage(ctx, c, ctx->out);
	return PKRAMCTL_EXIT_OK;
}

static __printf(2, 3) int main_usage_error(struct pkramctl *ctx,
					   const char *fmt, ...);

static int main_usage_error(struct pkramctl *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("pkramctl: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputs("; see `pkramctl --help`\n", ctx->err);
	return PKRAMCTL_EXIT_USAGE;
}

/* pkramctl [--sysfs DIR] COMMAND [ARGS]; argv[0] is the program name. */
int pkramctl_main(struct pkramctl *ctx, int argc, char **argv)
{
	const struct cmd *c;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(ctx->out);
			return PKRAMCTL_EXIT_OK;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			fprintf(ctx->out, "pkramctl %s\n", PKRAMCTL_VERSION);
			return PKRAMCTL_EXIT_OK;
		} else if (!strncmp(a, "--sysfs=", 8)) {
			ctx->sysfs = a + 8;
		} else if (!strcmp(a, "--sysfs")) {
			if (++i == argc)
				return main_usage_error(ctx, "option '%s' needs a value", a);
			ctx->sysfs = argv[i];
		} else {
			return main_usage_error(ctx, "unknown option '%s'", a);
		}
	}
	if (i == argc)
		return main_usage_error(ctx, "no command given");
	if (!*ctx->sysfs)
		return main_usage_error(ctx, "empty --sysfs directory");
	c = find_cmd(argv[i]);
	if (!c)
		return main_usage_error(ctx, "unknown command '%s'", argv[i]);
	return c->fn(ctx, c, argc - i - 1, argv + i + 1);
}
