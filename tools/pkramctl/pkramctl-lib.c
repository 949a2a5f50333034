// SPDX-License-Identifier: GPL-2.0
/*
 * pkramctl: parsing of the PKRAM sysfs files and formatting of the output.
 *
 * Everything here works on buffers and FILE streams only, so that the unit
 * tests in tests/unit/ can drive it without a PKRAM kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pkramctl.h"

#define NODE_FIELDS	8
#define LINE_MAX_LEN	512

static const char * const state_names[PKRAM_ST_NR] = {
	[PKRAM_ST_SAVING] = "saving",
	[PKRAM_ST_SAVED] = "saved",
	[PKRAM_ST_INCOMING] = "incoming",
	[PKRAM_ST_LOADING] = "loading",
	[PKRAM_ST_KEPT] = "kept",
};

const char *pkram_dir_name(enum pkram_dir dir)
{
	return dir == PKRAM_DIR_IN ? "in" : "out";
}

const char *pkram_state_name(enum pkram_state state)
{
	return state < PKRAM_ST_NR ? state_names[state] : "?";
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	       c == '-';
}

/* 1 to PKRAM_NAME_MAX characters of [A-Za-z0-9._:-], as the kernel wants. */
bool pkram_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (i >= PKRAM_NAME_MAX || !name_char_ok(name[i]))
			return false;
	return i > 0;
}

/* --------------------------------------------------------------- nodes */

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msglen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* The line as it can be shown in a message: quoted, at most 60 chars. */
static void quote_line(const char *line, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < outlen; i++) {
		unsigned char c = line[i];

		if (i == 60) {
			o += snprintf(out + o, outlen - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

static int parse_u64(const char *s, uint64_t *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	return *end ? -EINVAL : 0;
}

static int split_fields(char *s, char **fields, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		fields[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

static const char * const num_names[] = {
	"objects", "folios", "pages", "bytes", "meta_pages",
};

/* Parse one line (without its newline); on error fill @why. */
static int parse_node_line(const char *line, size_t len,
			   struct pkram_node_info *node, char *why,
			   size_t whylen)
{
	char tmp[LINE_MAX_LEN], *f[NODE_FIELDS];
	uint64_t *nums[] = { &node->objects, &node->folios, &node->pages,
			     &node->bytes, &node->meta_pages };
	int n, i, st;
	size_t k;

	if (!len)
		return set_msg(why, whylen, "empty line"), -EINVAL;
	if (len >= sizeof(tmp))
		return set_msg(why, whylen, "line too long (%zu bytes)", len),
		       -EINVAL;
	for (k = 0; k < len; k++) {
		unsigned char c = line[k];

		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return set_msg(why, whylen,
				       "non-printable byte 0x%02x", c), -EINVAL;
	}
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	n = split_fields(tmp, f, NODE_FIELDS);
	if (n != NODE_FIELDS)
		return set_msg(why, whylen,
			       "%s fields, expected 8 (direction name state objects folios pages bytes meta_pages)",
			       n > NODE_FIELDS ? "too many" : "too few"),
		       -EINVAL;

	if (!strcmp(f[0], "in"))
		node->dir = PKRAM_DIR_IN;
	else if (!strcmp(f[0], "out"))
		node->dir = PKRAM_DIR_OUT;
	else
		return set_msg(why, whylen,
			       "bad direction '%.16s' (expected in or out)",
			       f[0]), -EINVAL;

	if (!pkram_name_valid(f[1]))
		return set_msg(why, whylen,
			       "bad node name '%.70s' (expected 1-63 chars of [A-Za-z0-9._:-])",
			       f[1]), -EINVAL;
	snprintf(node->name, sizeof(node->name), "%s", f[1]);

	for (st = 0; st < PKRAM_ST_NR; st++)
		if (!strcmp(f[2], state_names[st]))
			break;
	if (st == PKRAM_ST_NR)
		return set_msg(why, whylen,
			       "bad state '%.16s' (expected saving, saved, incoming or loading)",
			       f[2]), -EINVAL;
	node->state = st;

	for (i = 0; i < 5; i++) {
		int err = parse_u64(f[3 + i], nums[i]);

		if (err)
			return set_msg(why, whylen, "bad %s count '%.24s'%s",
				       num_names[i], f[3 + i],
				       err == -ERANGE ? " (out of range)" : ""),
			       -EINVAL;
	}
	return 0;
}

static int add_node(struct pkram_node_list *list,
		    const struct pkram_node_info *node)
{
	struct pkram_node_info *v;

	if ((list->nr & (list->nr - 1)) == 0) {	/* 0, 1, 2, 4, ...: grow */
		size_t cap = list->nr ? list->nr * 2 : 8;

		v = realloc(list->nodes, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		list->nodes = v;
	}
	list->nodes[list->nr++] = *node;
	return 0;
}

/*
 * Parse the content of /sys/kernel/pkram/nodes. Every line must be complete
 * (newline-terminated): the kernel always ends lines, so a missing newline
 * means the file was cut short. On error, returns -EINVAL (or -ENOMEM) with
 * @msg naming the line and what is wrong with it, and @list empty.
 */
int pkram_parse_nodes(const char *buf, size_t len,
		      struct pkram_node_list *list, char *msg, size_t msglen)
{
	char why[160], shown[128];
	unsigned int lineno = 0;
	size_t off = 0;

	list->nodes = NULL;
	list->nr = 0;
	while (off < len) {
		const char *line = buf + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - line) : len - off;
		struct pkram_node_info node;

		lineno++;
		memset(&node, 0, sizeof(node));
		if (!nl) {
			snprintf(why, sizeof(why),
				 "truncated (no newline at the end; too many nodes for one page?)");
		} else if (!parse_node_line(line, llen, &node, why,
					    sizeof(why))) {
			if (!pkram_find_node(list, node.name)) {
				if (add_node(list, &node)) {
					pkram_node_list_free(list);
					set_msg(msg, msglen, "out of memory");
					return -ENOMEM;
				}
				off += llen + 1;
				continue;
			}
			snprintf(why, sizeof(why),
				 "duplicate node name '%s'", node.name);
		}
		quote_line(line, llen, shown, sizeof(shown));
		set_msg(msg, msglen, "line %u: %s: \"%s\"", lineno, why, shown);
		pkram_node_list_free(list);
		return -EINVAL;
	}
	return 0;
}

void pkram_node_list_free(struct pkram_node_list *list)
{
	free(list->nodes);
	list->nodes = NULL;
	list->nr = 0;
}

const struct pkram_node_info *
pkram_find_node(const struct pkram_node_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		if (!strcmp(list->nodes[i].name, name))
			return &list->nodes[i];
	return NULL;
}

/* --------------------------------------------------------------- sizes */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * Memory the node holds: (pages + meta_pages + ceil(bytes / 4096)) * 4096.
 * Saturates at UINT64_MAX rather than wrapping on absurd counts.
 */
uint64_t pkram_node_memory(const struct pkram_node_info *node)
{
	uint64_t pg;

	pg = sat_add(node->pages, node->meta_pages);
	pg = sat_add(pg, node->bytes / PKRAM_PAGE_SIZE +
			 !!(node->bytes % PKRAM_PAGE_SIZE));
	if (pg > UINT64_MAX / PKRAM_PAGE_SIZE)
		return UINT64_MAX;
	return pg * PKRAM_PAGE_SIZE;
}

/*
 * Human-readable size, binary units: 512B, 4.0K, 9.9M, 10M, 1023M, 1.0G.
 * One decimal below 10 units, none from 10 on (like ls -h, but rounded).
 */
const char *pkram_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = bytes;	/* 53 bits: plenty for one decimal */
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v >= 1023.5 && u < 5) {	/* would print as 1024 */
		v /= 1024;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

/* -------------------------------------------------------------- output */

static int num_width(uint64_t v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

struct table_widths {
	int name, objects, pages, bytes, memory;
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void table_widths(const struct pkram_node_list *list,
			 struct table_widths *w)
{
	char hs[16];
	size_t i;

	w->name = 4;
	w->objects = 7;
	w->pages = 5;
	w->bytes = 5;
	w->memory = 6;
	for (i = 0; i < list->nr; i++) {
		const struct pkram_node_info *n = &list->nodes[i];

		w->name = max_int(w->name, strlen(n->name));
		w->objects = max_int(w->objects, num_width(n->objects));
		w->pages = max_int(w->pages, num_width(n->pages));
		w->bytes = max_int(w->bytes, num_width(n->bytes));
		pkram_human_size(pkram_node_memory(n), hs, sizeof(hs));
		w->memory = max_int(w->memory, strlen(hs));
	}
}

/* DIR NAME STATE OBJECTS PAGES BYTES MEMORY; "(no nodes)" if empty. */
void pkram_print_table(FILE *f, const struct pkram_node_list *list)
{
	struct table_widths w;
	char hs[16];
	size_t i;

	table_widths(list, &w);
	fprintf(f, "%-3s  %-*s  %-8s  %*s  %*s  %*s  %*s\n", "DIR", w.name,
		"NAME", "STATE", w.objects, "OBJECTS", w.pages, "PAGES",
		w.bytes, "BYTES", w.memory, "MEMORY");
	if (!list->nr)
		fprintf(f, "(no nodes)\n");
	for (i = 0; i < list->nr; i++) {
		const struct pkram_node_info *n = &list->nodes[i];

		pkram_human_size(pkram_node_memory(n), hs, sizeof(hs));
		fprintf(f, "%-3s  %-*s  %-8s  %*" PRIu64 "  %*" PRIu64
			"  %*" PRIu64 "  %*s\n",
			pkram_dir_name(n->dir), w.name, n->name,
			pkram_state_name(n->state), w.objects, n->objects,
			w.pages, n->pages, w.bytes, n->bytes, w.memory, hs);
	}
}

void pkram_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The members of pkram_print_node_json() without the closing brace. */
void pkram_print_node_json_open(FILE *f, const struct pkram_node_info *n)
{
	fprintf(f, "{\"direction\": \"%s\", \"name\": ", pkram_dir_name(n->dir));
	pkram_json_string(f, n->name);
	fprintf(f, ", \"state\": \"%s\", \"objects\": %" PRIu64
		", \"folios\": %" PRIu64 ", \"pages\": %" PRIu64
		", \"bytes\": %" PRIu64 ", \"meta_pages\": %" PRIu64
		", \"memory_bytes\": %" PRIu64,
		pkram_state_name(n->state), n->objects, n->folios, n->pages,
		n->bytes, n->meta_pages, pkram_node_memory(n));
}

/* One node as a JSON object on one line, raw numbers. */
void pkram_print_node_json(FILE *f, const struct pkram_node_info *n)
{
	pkram_print_node_json_open(f, n);
	fputc('}', f);
}

void pkram_print_json(FILE *f, const struct pkram_node_list *list)
{
	size_t i;

	if (!list->nr) {
		fprintf(f, "[]\n");
		return;
	}
	fprintf(f, "[\n");
	for (i = 0; i < list->nr; i++) {
		fprintf(f, "  ");
		pkram_print_node_json(f, &list->nodes[i]);
		fprintf(f, "%s\n", i + 1 < list->nr ? "," : "");
	}
	fprintf(f, "]\n");
}

static const char *dir_text(enum pkram_dir dir)
{
	return dir == PKRAM_DIR_IN ?
	       "in (arrived from the previous kernel)" :
	       "out (saved in this kernel, preserved at the next kexec)";
}

void pkram_print_node(FILE *f, const struct pkram_node_info *n)
{
	uint64_t mem = pkram_node_memory(n);
	char hs[16];

	fprintf(f, "name:           %s\n", n->name);
	fprintf(f, "direction:      %s\n", dir_text(n->dir));
	fprintf(f, "state:          %s\n", pkram_state_name(n->state));
	fprintf(f, "objects:        %" PRIu64 "\n", n->objects);
	fprintf(f, "folios:         %" PRIu64 "\n", n->folios);
	fprintf(f, "pages:          %" PRIu64 "\n", n->pages);
	fprintf(f, "bytes:          %" PRIu64 "\n", n->bytes);
	fprintf(f, "metadata pages: %" PRIu64 "\n", n->meta_pages);
	fprintf(f, "memory held:    %s (%" PRIu64 " bytes)\n",
		pkram_human_size(mem, hs, sizeof(hs)), mem);
}

/* ------------------------------------------------------------- cmdline */

/*
 * Parse /sys/kernel/pkram/cmdline: exactly "pkram=0x<hex>\n" (or
 * "pkram=0\n", which the kernel prints when PKRAM has no superblock).
 * Copies the argument without the newline into @arg.
 */
int pkram_parse_cmdline_attr(const char *buf, size_t len, char *arg,
			     size_t arglen, uint64_t *phys)
{
	const char *p = buf + 6;
	size_t i, digits;

	if (len < 8 || buf[len - 1] != '\n' || strncmp(buf, "pkram=", 6))
		return -EINVAL;
	len--;
	if (len == 7 && *p == '0') {
		digits = 0;
	} else {
		if (len < 9 || strncmp(p, "0x", 2))
			return -EINVAL;
		p += 2;
		digits = len - 8;
		if (digits > 16)
			return -EINVAL;
	}
	for (i = 0; i < digits; i++) {
		char c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return -EINVAL;
	}
	if (len + 1 > arglen)
		return -EINVAL;
	memcpy(arg, buf, len);
	arg[len] = '\0';
	*phys = digits ? strtoull(p, NULL, 16) : 0;
	return 0;
}

struct strbuf {
	char *s;
	size_t len;
};

static void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len)
		sb->s[sb->len++] = ' ';
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

/* Next whitespace-separated token of a kernel command line; "" quote. */
static const char *next_token(const char *s, size_t *n)
{
	bool quoted = false;
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	for (e = s; *e; e++) {
		if (*e == '"')
			quoted = !quoted;
		else if (!quoted && (*e == ' ' || *e == '\t' || *e == '\n'))
			break;
	}
	*n = e - s;
	return s;
}

/*
 * Append the words of @src to @params, or, after a lone "--" (what follows
 * belongs to init), to @init, leaving out kernel parameters pkram=.
 */
static void split_cmdline(const char *src, struct strbuf *params,
			  struct strbuf *init, bool *dashdash)
{
	bool in_init = false;
	const char *t;
	size_t n;

	for (t = next_token(src, &n); n; t = next_token(t + n, &n)) {
		const char *word = t + (*t == '"');	/* "pkram=..." too */

		if (!in_init && n == 2 && !strncmp(t, "--", 2))
			in_init = *dashdash = true;
		else if (in_init)
			sb_add(init, t, n);
		else if (strncmp(word, "pkram=", 6))
			sb_add(params, t, n);
	}
}

/*
 * The command line for the next kernel: the words of @cmdline (this
 * kernel's, or NULL) then of @append (or NULL), without any pkram=
 * parameter, then @pkram_arg. Kernel parameters end at a lone "--", so
 * @pkram_arg goes before it, init arguments stay after it, and pkram= among
 * those is kept. Double quotes group words as the kernel does.
 * Returns a malloc()ed string, or NULL when out of memory.
 */
char *pkram_make_cmdline(const char *cmdline, const char *append,
			 const char *pkram_arg)
{
	size_t n = (cmdline ? strlen(cmdline) : 0) +
		   (append ? strlen(append) : 0) + strlen(pkram_arg) + 8;
	struct strbuf params = { malloc(n), 0 }, init = { malloc(n), 0 };
	bool dashdash = false;

	if (!params.s || !init.s) {
		free(params.s);
		free(init.s);
		return NULL;
	}
	params.s[0] = '\0';
	init.s[0] = '\0';
	if (cmdline)
		split_cmdline(cmdline, &params, &init, &dashdash);
	if (append)
		split_cmdline(append, &params, &init, &dashdash);
	sb_add(&params, pkram_arg, strlen(pkram_arg));
	if (dashdash)
		sb_add(&params, "--", 2);
	if (init.len)
		sb_add(&params, init.s, init.len);
	free(init.s);
	return params.s;
}

static bool shell_safe(const char *s)
{
	static const char safe[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%";

	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(safe, *s))
			return false;
	return true;
}

static void shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/*
 * Print argv as a shell command line that runs the same argv. For words like
 * --append=VALUE only VALUE is quoted: --append='root=/dev/vda pkram=0x1000'.
 */
void pkram_print_shell_argv(FILE *f, char *const argv[])
{
	int i;

	for (i = 0; argv[i]; i++) {
		const char *w = argv[i], *eq = strchr(w, '=');

		if (i)
			fputc(' ', f);
		if (shell_safe(w)) {
			fputs(w, f);
		} else if (!strncmp(w, "--", 2) && eq &&
			   (size_t)(eq - w) == strspn(w, "-abcdefghijklmnopqrstuvwxyz")) {
			fwrite(w, 1, eq + 1 - w, f);
			shell_quote(f, eq + 1);
		} else {
			shell_quote(f, w);
		}
	}
	fputc('\n', f);
}

/*
 * The largest stretch of RAM above 1 MiB with no preserved memory in it:
 * RAM is the top-level "System RAM" lines of @iomem (/proc/iomem), the
 * preserved memory the sorted "START END" lines (hexadecimal, END
 * exclusive) of @preserved (PKRAM's sysfs file kexec_avoid). Returns 0
 * and [*@start, *@end), -ENOENT if there is none, or -ENOMEM.
 */
int pkram_largest_free(const char *iomem, const char *preserved,
		       uint64_t *start, uint64_t *end)
{
	struct pkram_range *p = NULL;
	size_t n = 0, cap = 0, i = 0;
	uint64_t best = 0;
	const char *line;

	for (line = preserved; line && *line; ) {
		unsigned long long s, e;

		if (sscanf(line, "%llx %llx", &s, &e) == 2 && e > s) {
			if (n == cap) {
				struct pkram_range *q;

				cap = cap ? 2 * cap : 64;
				q = realloc(p, cap * sizeof(*p));
				if (!q) {
					free(p);
					return -ENOMEM;
				}
				p = q;
			}
			p[n].start = s;
			p[n].end = e;
			n++;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}

	for (line = iomem; line && *line; ) {
		unsigned long long rs, re;
		int len = 0;

		/* top level only: nested lines are indented */
		if (line[0] != ' ' &&
		    sscanf(line, "%llx-%llx : System RAM%n", &rs, &re, &len) == 2 &&
		    len && (!line[len] || line[len] == '\n')) {
			re++;
			if (rs < 0x100000)
				rs = 0x100000;
			while (i < n && p[i].end <= rs)
				i++;
			while (rs < re) {
				uint64_t gap_end = i < n && p[i].start < re ?
						   p[i].start : re;

				if (gap_end > rs && gap_end - rs > best) {
					best = gap_end - rs;
					*start = rs;
					*end = gap_end;
				}
				if (gap_end == re)
					break;
				rs = p[i].end;
				if (p[i].end <= re)
					i++;
			}
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	free(p);
	return best ? 0 : -ENOENT;
}
