// SPDX-License-Identifier: GPL-2.0
/*
 * pkramctl: parsing and printing of PKRAM layout snapshots, the FDT blobs of
 * /sys/kernel/pkram/{incoming,outgoing}.dtb (see mm/pkram/snapshot.c):
 *
 *   / { compatible = "linux,pkram-snapshot-v1"; direction = "outgoing";
 *       node@0 { name; state; objects; folios; pages; bytes; meta-pages;
 *                object@0 { flags; data-len; folios-by-order;
 *                           folio-ranges; byte-ranges; }; }; };
 *
 * Buffers in, FILE streams out, no other I/O: the unit tests drive it with
 * blobs that dtc compiles from the .dts files of tests/unit/fixtures/.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "pkramctl.h"

static __printf(3, 4) void snap_msg(char *msg, size_t msglen,
				    const char *fmt, ...);

static void snap_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msglen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

#define BAD(...) (snap_msg(msg, msglen, __VA_ARGS__), -EINVAL)

static uint64_t get64(const void *p)
{
	return fdt64_ld((const fdt64_t *)p);
}

/* A NUL-terminated string property; NULL after a message if not. */
static const char *str_prop(const void *fdt, int off, const char *where,
			    const char *prop, char *msg, size_t msglen)
{
	int len;
	const char *s = fdt_getprop(fdt, off, prop, &len);

	if (!s)
		snap_msg(msg, msglen, "%s: no \"%s\" property", where, prop);
	else if (len < 1 || s[len - 1] || strlen(s) != (size_t)len - 1)
		snap_msg(msg, msglen, "%s: \"%s\" is not a string", where,
			 prop);
	else
		return s;
	return NULL;
}

static int u64_prop(const void *fdt, int off, const char *where,
		    const char *prop, uint64_t *val, char *msg, size_t msglen)
{
	int len;
	const void *p = fdt_getprop(fdt, off, prop, &len);

	if (!p)
		return BAD("%s: no \"%s\" property", where, prop);
	if (len != 8)
		return BAD("%s: \"%s\" is %d bytes, expected a u64", where,
			   prop, len);
	*val = get64(p);
	return 0;
}

/* An array of u64 (@per of them an entry): copied into *@outp (malloc). */
static int u64_array(const void *fdt, int off, const char *where,
		     const char *prop, size_t per, void **outp, size_t *nr,
		     char *msg, size_t msglen)
{
	const char *p;
	uint64_t *out;
	int len, i;

	*outp = NULL;
	*nr = 0;
	p = fdt_getprop(fdt, off, prop, &len);
	if (!p)
		return BAD("%s: no \"%s\" property", where, prop);
	if (len % (8 * per))
		return BAD("%s: \"%s\" is %d bytes, not a multiple of %zu",
			   where, prop, len, 8 * per);
	if (!len)
		return 0;
	out = malloc(len);
	if (!out)
		return snap_msg(msg, msglen, "out of memory"), -ENOMEM;
	for (i = 0; i < len / 8; i++)
		out[i] = get64(p + 8 * i);
	*outp = out;
	*nr = len / (8 * per);
	return 0;
}

static int check_ranges(const struct pkram_range *r, size_t nr,
			const char *where, const char *prop, char *msg,
			size_t msglen)
{
	size_t i;

	for (i = 0; i < nr; i++, r++)
		if (r->end <= r->start || r->order > 63)
			return BAD("%s: \"%s\" entry %zu: want start < end, order < 64",
				   where, prop, i);
	return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Parse object@M at @off into @obj (NULL: only check it). */
static int parse_object(const void *fdt, int off, const char *node,
			struct pkram_snap_obj *obj, char *msg, size_t msglen)
{
	struct pkram_snap_obj o;
	char where[128];
	const void *p;
	int len, err;

	memset(&o, 0, sizeof(o));
	snprintf(where, sizeof(where), "%s/%s", node, fdt_get_name(fdt, off, NULL));
	p = fdt_getprop(fdt, off, "flags", &len);
	if (!p)
		return BAD("%s: no \"flags\" property", where);
	if (len != 4)
		return BAD("%s: \"flags\" is %d bytes, expected a u32", where, len);
	o.flags = fdt32_ld(p);
	err = u64_prop(fdt, off, where, "data-len", &o.data_len, msg, msglen);
	err = err ?: u64_array(fdt, off, where, "folios-by-order", 1,
			       (void **)&o.orders, &o.nr_orders, msg, msglen);
	err = err ?: u64_array(fdt, off, where, "folio-ranges", 4,
			       (void **)&o.folio_ranges,
			       &o.nr_folio_ranges, msg, msglen);
	err = err ?: u64_array(fdt, off, where, "byte-ranges", 4,
			       (void **)&o.byte_ranges, &o.nr_byte_ranges,
			       msg, msglen);
	err = err ?: check_ranges(o.folio_ranges, o.nr_folio_ranges,
				  where, "folio-ranges", msg, msglen);
	err = err ?: check_ranges(o.byte_ranges, o.nr_byte_ranges,
				  where, "byte-ranges", msg, msglen);
	if (err || !obj) {
		pkram_snap_obj_free(&o);
		return err;
	}
	*obj = o;
	return 0;
}

void pkram_snap_obj_free(struct pkram_snap_obj *obj)
{
	free(obj->orders);
	free(obj->folio_ranges);
	free(obj->byte_ranges);
	memset(obj, 0, sizeof(*obj));
}

void pkram_snap_node_free(struct pkram_snap_node *node)
{
	size_t i;

	for (i = 0; i < node->nr_objs; i++)
		pkram_snap_obj_free(&node->objs[i]);
	free(node->objs);
	node->objs = NULL;
	node->nr_objs = 0;
}

/* Parse node@N at @off into @node (NULL: only check it). */
static int parse_node(const void *fdt, int off, enum pkram_dir dir,
		      struct pkram_snap_node *node, char *msg, size_t msglen)
{
	static const char * const nums[] = {
		"objects", "folios", "pages", "bytes", "meta-pages",
	};
	struct pkram_snap_node n;
	uint64_t *vals[] = { &n.info.objects, &n.info.folios, &n.info.pages,
			     &n.info.bytes, &n.info.meta_pages };
	const char *where = fdt_get_name(fdt, off, NULL), *s;
	int err = 0, sub, st;
	size_t i;

	memset(&n, 0, sizeof(n));
	n.info.dir = dir;
	s = str_prop(fdt, off, where, "node-name", msg, msglen);
	if (!s)
		return -EINVAL;
	if (!pkram_name_valid(s))
		return BAD("%s: bad node name \"%.70s\"", where, s);
	snprintf(n.info.name, sizeof(n.info.name), "%s", s);
	s = str_prop(fdt, off, where, "state", msg, msglen);
	if (!s)
		return -EINVAL;
	for (st = 0; st < PKRAM_ST_NR; st++)
		if (!strcmp(s, pkram_state_name(st)))
			break;
	if (st == PKRAM_ST_NR)
		return BAD("%s: bad state \"%.16s\"", where, s);
	n.info.state = st;
	for (i = 0; i < 5 && !err; i++)
		err = u64_prop(fdt, off, where, nums[i], vals[i], msg, msglen);
	if (err)
		return err;

	fdt_for_each_subnode(sub, fdt, off) {
		struct pkram_snap_obj *v;

		if (!has_prefix(fdt_get_name(fdt, sub, NULL), "object@"))
			continue;
		if (!node) {
			err = parse_object(fdt, sub, where, NULL, msg, msglen);
			if (err)
				return err;
			continue;
		}
		v = realloc(n.objs, (n.nr_objs + 1) * sizeof(*v));
		if (!v) {
			pkram_snap_node_free(&n);
			return snap_msg(msg, msglen, "out of memory"), -ENOMEM;
		}
		n.objs = v;
		err = parse_object(fdt, sub, where, &n.objs[n.nr_objs], msg,
				   msglen);
		if (err) {
			pkram_snap_node_free(&n);
			return err;
		}
		n.nr_objs++;
	}
	if (sub < 0 && sub != -FDT_ERR_NOTFOUND) {
		pkram_snap_node_free(&n);
		return BAD("%s: %s", where, fdt_strerror(sub));
	}
	if (node)
		*node = n;
	return 0;
}

/*
 * Check that @blob (@len bytes) is a complete, well-formed PKRAM snapshot:
 * a valid FDT of exactly @len bytes (a shorter buffer is "truncated"),
 * compatible "linux,pkram-snapshot-v1", a direction, and every node and
 * object with the properties of the right sizes. Sets *@dir. -EINVAL with
 * a message in @msg otherwise.
 */
int pkram_snap_check(const void *blob, size_t len, enum pkram_dir *dir,
		     char *msg, size_t msglen)
{
	const char *s;
	int err, off;
	size_t total;

	if (len < sizeof(struct fdt_header))
		return BAD(len ? "truncated: %zu bytes, an FDT header alone is %zu"
			       : "empty (%zu bytes; an FDT header is %zu)",
			   len, sizeof(struct fdt_header));
	if (fdt_magic(blob) != FDT_MAGIC)
		return BAD("not a flattened device tree (bad magic 0x%08x)",
			   fdt_magic(blob));
	err = fdt_check_header(blob);
	if (err)
		return BAD("bad FDT header: %s", fdt_strerror(err));
	total = fdt_totalsize(blob);
	if (total > len)
		return BAD("truncated: the FDT header says %zu bytes, there are %zu",
			   total, len);
	if (total < len)
		return BAD("%zu bytes of trailing garbage after the %zu-byte FDT",
			   len - total, total);
	err = fdt_check_full(blob, len);
	if (err)
		return BAD("damaged FDT: %s", fdt_strerror(err));
	s = str_prop(blob, 0, "/", "compatible", msg, msglen);
	if (!s)
		return -EINVAL;
	if (strcmp(s, PKRAM_SNAPSHOT_COMPATIBLE))
		return BAD("not a PKRAM snapshot: compatible is \"%.64s\", expected \"%s\"",
			   s, PKRAM_SNAPSHOT_COMPATIBLE);
	s = str_prop(blob, 0, "/", "direction", msg, msglen);
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "incoming"))
		*dir = PKRAM_DIR_IN;
	else if (!strcmp(s, "outgoing"))
		*dir = PKRAM_DIR_OUT;
	else
		return BAD("bad direction \"%.16s\" (expected incoming or outgoing)",
			   s);
	fdt_for_each_subnode(off, blob, 0) {
		if (!has_prefix(fdt_get_name(blob, off, NULL), "node@"))
			continue;
		err = parse_node(blob, off, *dir, NULL, msg, msglen);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Find node @name in a snapshot that passed pkram_snap_check(): 0 and @node
 * filled (free with pkram_snap_node_free()), -ENOENT if there is no such
 * node, -EINVAL/-ENOMEM with a message.
 */
int pkram_snap_find_node(const void *blob, const char *name,
			 struct pkram_snap_node *node, char *msg,
			 size_t msglen)
{
	enum pkram_dir dir;
	const char *s;
	int off, len;

	s = fdt_getprop(blob, 0, "direction", &len);
	dir = s && !strcmp(s, "incoming") ? PKRAM_DIR_IN : PKRAM_DIR_OUT;
	fdt_for_each_subnode(off, blob, 0) {
		if (!has_prefix(fdt_get_name(blob, off, NULL), "node@"))
			continue;
		s = fdt_getprop(blob, off, "node-name", &len);
		if (s && len > 0 && !s[len - 1] && !strcmp(s, name))
			return parse_node(blob, off, dir, node, msg, msglen);
	}
	return -ENOENT;
}

/* -------------------------------------------------------------- output */

static void print_orders(FILE *f, const struct pkram_snap_obj *o)
{
	bool any = false;
	size_t k;

	for (k = 0; k < o->nr_orders; k++) {
		if (!o->orders[k])
			continue;
		fprintf(f, "%s%zu:%" PRIu64, any ? " " : "", k, o->orders[k]);
		any = true;
	}
	fputs(any ? "\n" : "none\n", f);
}

static void print_ranges(FILE *f, const char *what,
			 const struct pkram_range *r, size_t nr)
{
	size_t i;

	fprintf(f, "  %-16s %zu\n", what, nr);
	for (i = 0; i < nr; i++)
		fprintf(f, "    0x%012" PRIx64 "-0x%012" PRIx64 "  order %" PRIu64
			"  index %" PRIu64 "\n", r[i].start, r[i].end,
			r[i].order, r[i].index);
}

static const char *flags_text(uint32_t flags)
{
	switch (flags) {
	case PKRAM_SNAP_FOLIOS: return "folios";
	case PKRAM_SNAP_BYTES: return "bytes";
	case PKRAM_SNAP_FOLIOS | PKRAM_SNAP_BYTES: return "folios, bytes";
	case 0: return "empty";
	default: return "unknown";
	}
}

/*
 * The objects of a node, after pkram_print_node(): per object its flags,
 * folio counts by order (only orders that have folios), the length of its
 * byte stream and, with @ranges, the physical ranges in stream order.
 */
void pkram_print_snap_objects(FILE *f, const struct pkram_snap_node *n,
			      bool ranges)
{
	size_t i;

	if (n->info.state == PKRAM_ST_LOADING && !n->nr_objs) {
		fprintf(f, "object list:    not available while the node is being loaded\n");
		return;
	}
	for (i = 0; i < n->nr_objs; i++) {
		const struct pkram_snap_obj *o = &n->objs[i];

		fprintf(f, "object %zu:\n", i);
		fprintf(f, "  %-16s 0x%x (%s)\n", "flags:", o->flags,
			flags_text(o->flags));
		fprintf(f, "  %-16s ", "folios by order:");
		print_orders(f, o);
		fprintf(f, "  %-16s %" PRIu64 "\n", "byte length:", o->data_len);
		if (!ranges)
			continue;
		print_ranges(f, "folio ranges:", o->folio_ranges,
			     o->nr_folio_ranges);
		print_ranges(f, "byte ranges:", o->byte_ranges,
			     o->nr_byte_ranges);
	}
}

static void json_ranges(FILE *f, const char *key, const struct pkram_range *r,
			size_t nr)
{
	size_t i;

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; i < nr; i++)
		fprintf(f, "%s{\"start\": %" PRIu64 ", \"end\": %" PRIu64
			", \"order\": %" PRIu64 ", \"index\": %" PRIu64 "}",
			i ? ", " : "", r[i].start, r[i].end, r[i].order,
			r[i].index);
	fputc(']', f);
}

/*
 * One node as a JSON object: the keys of pkram_print_node_json() and, with
 * a snapshot (@snap), "object_list": per object "flags", "data_len",
 * "folios_by_order" ({"order": count}, orders with folios only) and, with
 * @ranges, "folio_ranges"/"byte_ranges" ([{start, end, order, index}]).
 */
void pkram_print_node_json_full(FILE *f, const struct pkram_node_info *info,
				const struct pkram_snap_node *snap, bool ranges)
{
	size_t i, k;

	pkram_print_node_json_open(f, info);
	if (!snap || (info->state == PKRAM_ST_LOADING && !snap->nr_objs)) {
		fputc('}', f);
		return;
	}
	fprintf(f, ", \"object_list\": [");
	for (i = 0; i < snap->nr_objs; i++) {
		const struct pkram_snap_obj *o = &snap->objs[i];
		bool any = false;

		fprintf(f, "%s{\"flags\": %u, \"data_len\": %" PRIu64
			", \"folios_by_order\": {", i ? ", " : "", o->flags,
			o->data_len);
		for (k = 0; k < o->nr_orders; k++) {
			if (!o->orders[k])
				continue;
			fprintf(f, "%s\"%zu\": %" PRIu64, any ? ", " : "", k,
				o->orders[k]);
			any = true;
		}
		fputc('}', f);
		if (ranges) {
			json_ranges(f, "folio_ranges", o->folio_ranges,
				    o->nr_folio_ranges);
			json_ranges(f, "byte_ranges", o->byte_ranges,
				    o->nr_byte_ranges);
		}
		fputc('}', f);
	}
	fprintf(f, "]}");
}
