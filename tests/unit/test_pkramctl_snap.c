// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the FDT layout snapshots: pkram_snap_*() of pkramctl-snap.c, and
 * `pkramctl show` / `pkramctl dump` on a fake /sys/kernel/pkram holding
 * incoming.dtb / outgoing.dtb. The blobs are compiled by tests/unit/Makefile
 * from fixtures/snap-*.dts with dtc; truncated and garbage blobs are made
 * here from those.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	*state = fx_new();
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* fixtures/@name.dts, compiled, as @rel in the fixture dir */
static void put_dtb(struct fixture *fx, const char *rel, const char *name)
{
	size_t len;
	char *blob = dtb_fixture(name, &len);

	fx_write_bin(fx, rel, blob, len);
	free(blob);
}

/* nodes-normal with the matching snapshots */
static void snap_sysfs(struct fixture *fx)
{
	fx_pkram(fx, "nodes-normal");
	put_dtb(fx, "pkram/outgoing.dtb", "snap-out");
	put_dtb(fx, "pkram/incoming.dtb", "snap-in");
}

static const char vm_state_head[] =
	"name:           vm-state\n"
	"direction:      out (saved in this kernel, preserved at the next kexec)\n"
	"state:          saved\n"
	"objects:        3\n"
	"folios:         10\n"
	"pages:          1536\n"
	"bytes:          4097\n"
	"metadata pages: 2\n"
	"memory held:    6.0M (6307840 bytes)\n";

/* ------------------------------------------------------------ library */

static void test_lib_check_and_find(void **state)
{
	struct pkram_snap_node n;
	enum pkram_dir dir;
	char msg[256];
	size_t len;
	char *blob;

	(void)state;
	blob = dtb_fixture("snap-out", &len);
	assert_int_equal(pkram_snap_check(blob, len, &dir, msg, sizeof(msg)), 0);
	assert_int_equal(dir, PKRAM_DIR_OUT);
	assert_int_equal(pkram_snap_find_node(blob, "vm-state", &n, msg,
					      sizeof(msg)), 0);
	assert_string_equal(n.info.name, "vm-state");
	assert_int_equal(n.info.dir, PKRAM_DIR_OUT);
	assert_int_equal(n.info.state, PKRAM_ST_SAVED);
	assert_int_equal(n.info.pages, 1536);
	assert_int_equal(n.info.bytes, 4097);
	assert_int_equal(n.info.meta_pages, 2);
	assert_int_equal(n.nr_objs, 3);
	/* folios-by-order: index = order */
	assert_int_equal(n.objs[0].nr_orders, 11);
	assert_int_equal(n.objs[0].orders[5], 2);
	assert_int_equal(n.objs[0].orders[9], 1);
	assert_int_equal(n.objs[0].orders[0], 0);
	assert_int_equal(n.objs[1].flags, PKRAM_SNAP_FOLIOS | PKRAM_SNAP_BYTES);
	assert_int_equal(n.objs[1].data_len, 4097);
	assert_int_equal(n.objs[1].nr_byte_ranges, 2);
	assert_int_equal(n.objs[1].byte_ranges[1].start, 0x3005000);
	assert_int_equal(n.objs[1].byte_ranges[1].index, 1);
	assert_int_equal(n.objs[0].nr_folio_ranges, 2);
	assert_int_equal(n.objs[0].folio_ranges[1].start, 0x1000000);
	assert_int_equal(n.objs[0].folio_ranges[1].end, 0x1040000);
	assert_int_equal(n.objs[0].folio_ranges[1].order, 5);
	assert_int_equal(n.objs[0].folio_ranges[1].index, 512);
	assert_int_equal(n.objs[2].nr_byte_ranges, 0);
	assert_null(n.objs[2].byte_ranges);
	pkram_snap_node_free(&n);
	assert_int_equal(pkram_snap_find_node(blob, "nope", &n, msg,
					      sizeof(msg)), -ENOENT);
	free(blob);
}

static void test_lib_folios_by_order_sum(void **state)
{
	const char *names[] = { "vm-state", "scratch" };
	struct pkram_snap_node n;
	enum pkram_dir dir;
	char msg[256];
	size_t len, i, o, k;
	char *blob;

	(void)state;
	blob = dtb_fixture("snap-out", &len);
	assert_int_equal(pkram_snap_check(blob, len, &dir, msg, sizeof(msg)), 0);
	/* the fixture is consistent: orders add up to the node's counts */
	for (i = 0; i < 2; i++) {
		uint64_t folios = 0, pages = 0, bytes = 0;

		assert_int_equal(pkram_snap_find_node(blob, names[i], &n, msg,
						      sizeof(msg)), 0);
		for (o = 0; o < n.nr_objs; o++) {
			for (k = 0; k < n.objs[o].nr_orders; k++) {
				folios += n.objs[o].orders[k];
				pages += n.objs[o].orders[k] << k;
			}
			bytes += n.objs[o].data_len;
		}
		assert_int_equal(folios, n.info.folios);
		assert_int_equal(pages, n.info.pages);
		assert_int_equal(bytes, n.info.bytes);
		pkram_snap_node_free(&n);
	}
	free(blob);
}

static void expect_bad(const char *blob, size_t len, const char *want)
{
	enum pkram_dir dir;
	char msg[256];

	assert_int_equal(pkram_snap_check(blob, len, &dir, msg, sizeof(msg)),
			 -EINVAL);
	assert_contains(msg, want);
}

static void test_lib_bad_blobs(void **state)
{
	char garbage[512], *blob;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 37 + 11);
	expect_bad(garbage, sizeof(garbage), "not a flattened device tree");
	expect_bad(garbage, 0, "empty");
	blob = dtb_fixture("snap-out", &len);
	expect_bad(blob, 39, "truncated: 39 bytes");
	expect_bad(blob, len - 1, "truncated: the FDT header says");
	expect_bad(blob, len / 2, "truncated");
	free(blob);
	blob = dtb_fixture("snap-wrong-compat", &len);
	expect_bad(blob, len, "compatible is \"linux,pkram-snapshot-v2\"");
	free(blob);
	blob = dtb_fixture("snap-bad-ranges", &len);
	expect_bad(blob, len, "node@0/object@0: \"folio-ranges\" is 24 bytes, not a multiple of 32");
	free(blob);
	blob = dtb_fixture("snap-no-direction", &len);
	expect_bad(blob, len, "no \"direction\"");
	free(blob);
}

/* --------------------------------------------------------------- show */

static void test_show_orders(void **state)
{
	struct fixture *fx = *state;
	struct result r;
	char *want;

	snap_sysfs(fx);
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	/* only the orders that have folios */
	if (asprintf(&want, "%s"
		     "object 0:\n"
		     "  flags:           0x1 (folios)\n"
		     "  folios by order: 5:2 9:1\n"
		     "  byte length:     0\n"
		     "object 1:\n"
		     "  flags:           0x3 (folios, bytes)\n"
		     "  folios by order: 6:3 8:2\n"
		     "  byte length:     4097\n"
		     "object 2:\n"
		     "  flags:           0x1 (folios)\n"
		     "  folios by order: 7:2\n"
		     "  byte length:     0\n", vm_state_head) < 0)
		abort();
	assert_string_equal(r.out, want);
	free(want);
	result_free(&r);
	/* a byte-only object has no folios at all */
	run(fx, &r, "show", "scratch", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "object 0:\n"
			"  flags:           0x2 (bytes)\n"
			"  folios by order: none\n"
			"  byte length:     123\n");
	result_free(&r);
}

static void test_show_ranges(void **state)
{
	struct fixture *fx = *state;
	struct result r;
	char *want;

	snap_sysfs(fx);
	run(fx, &r, "show", "--ranges", "vm-state", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	if (asprintf(&want, "%s"
		     "object 0:\n"
		     "  flags:           0x1 (folios)\n"
		     "  folios by order: 5:2 9:1\n"
		     "  byte length:     0\n"
		     "  folio ranges:    2\n"
		     "    0x000040000000-0x000040200000  order 9  index 0\n"
		     "    0x000001000000-0x000001040000  order 5  index 512\n"
		     "  byte ranges:     0\n"
		     "object 1:\n"
		     "  flags:           0x3 (folios, bytes)\n"
		     "  folios by order: 6:3 8:2\n"
		     "  byte length:     4097\n"
		     "  folio ranges:    2\n"
		     "    0x000050000000-0x000050200000  order 8  index 0\n"
		     "    0x000002000000-0x0000020c0000  order 6  index 512\n"
		     "  byte ranges:     2\n"
		     "    0x000003000000-0x000003001000  order 0  index 0\n"
		     "    0x000003005000-0x000003006000  order 0  index 1\n"
		     "object 2:\n"
		     "  flags:           0x1 (folios)\n"
		     "  folios by order: 7:2\n"
		     "  byte length:     0\n"
		     "  folio ranges:    1\n"
		     "    0x000060000000-0x000060100000  order 7  index 0\n"
		     "  byte ranges:     0\n", vm_state_head) < 0)
		abort();
	assert_string_equal(r.out, want);
	result_free(&r);

	/* the same from a dump, without any sysfs */
	run(NULL, &r, "show", "vm-state", "--ranges", "--snapshot",
	    DTB_DIR "/snap-out.dtb", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	free(want);
	result_free(&r);

	/* incoming: read from incoming.dtb; orders past MAX_PAGE_ORDER too */
	run(fx, &r, "show", "guest:mem.1", "--ranges", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "direction:      in (arrived from the previous kernel)\n");
	assert_contains(r.out, "  folios by order: 18:1\n");
	assert_contains(r.out, "    0x000100000000-0x000140000000  order 18  index 0\n");
	result_free(&r);
}

static void test_show_json(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	snap_sysfs(fx);
	run(fx, &r, "show", "vm-state", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_true(json_valid(r.out));
	assert_true(python_json_valid(r.out));
	assert_contains(r.out, "\"memory_bytes\": 6307840, \"object_list\": [{\"flags\": 1, "
			"\"data_len\": 0, \"folios_by_order\": {\"5\": 2, \"9\": 1}}, ");
	assert_false(strstr(r.out, "folio_ranges"));
	result_free(&r);
	run(fx, &r, "show", "vm-state", "--json", "--ranges", NULL);
	assert_int_equal(r.status, 0);
	assert_true(json_valid(r.out));
	assert_true(python_json_valid(r.out));
	assert_contains(r.out, "{\"flags\": 3, \"data_len\": 4097, "
			"\"folios_by_order\": {\"6\": 3, \"8\": 2}, \"folio_ranges\": "
			"[{\"start\": 1342177280, \"end\": 1344274432, \"order\": 8, \"index\": 0}, "
			"{\"start\": 33554432, \"end\": 34340864, \"order\": 6, \"index\": 512}], "
			"\"byte_ranges\": [{\"start\": 50331648, \"end\": 50335744, \"order\": 0, "
			"\"index\": 0}, {\"start\": 50352128, \"end\": 50356224, \"order\": 0, "
			"\"index\": 1}]}");
	result_free(&r);
	/* a node being loaded has no object list */
	run(fx, &r, "show", "old_log-2", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_true(json_valid(r.out));
	assert_false(strstr(r.out, "object_list"));
	result_free(&r);
	run(fx, &r, "show", "old_log-2", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "object list:    not available while the node is being loaded\n");
	result_free(&r);
}

static void test_show_unknown_node(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	snap_sysfs(fx);
	run(fx, &r, "show", "nope", "--ranges", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "no node named nope");
	result_free(&r);
	run(NULL, &r, "show", "nope", "--snapshot", DTB_DIR "/snap-out.dtb",
	    NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "pkramctl: no node named nope in "
			    DTB_DIR "/snap-out.dtb\n");
	result_free(&r);
	/* in the nodes file, not in the snapshot: gone meanwhile */
	fx_write(fx, "pkram/nodes", "out vm-state saved 3 10 1536 4097 2\n"
		 "out other saved 1 1 1 0 1\n");
	run(fx, &r, "show", "other", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "node other is not in");
	result_free(&r);
	/* a node of the other direction is not looked up there */
	run(NULL, &r, "show", "vm-state", "--snapshot", DTB_DIR "/snap-in.dtb",
	    NULL);
	assert_int_equal(r.status, 1);
	result_free(&r);
}

static void test_show_garbage(void **state)
{
	struct fixture *fx = *state;
	char garbage[3000], path[PATH_MAX], *blob;
	struct result r;
	size_t len, i;

	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * i + 7);
	snap_sysfs(fx);
	fx_write_bin(fx, "pkram/outgoing.dtb", garbage, sizeof(garbage));
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "/pkram/outgoing.dtb: not a flattened device tree (bad magic");
	result_free(&r);
	/* truncated: half of a real one */
	blob = dtb_fixture("snap-out", &len);
	fx_write_bin(fx, "pkram/outgoing.dtb", blob, len / 2);
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "truncated: the FDT header says");
	result_free(&r);
	fx_write_bin(fx, "dump.dtb", blob, len - 8);
	fx_path(fx, "dump.dtb", path, sizeof(path));
	run(NULL, &r, "show", "vm-state", "--snapshot", path, NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "dump.dtb: truncated: the FDT header says");
	result_free(&r);
	/* trailing bytes after a complete blob */
	fx_write_bin(fx, "pkram/outgoing.dtb", blob, len);
	fx_path(fx, "pkram/outgoing.dtb", path, sizeof(path));
	{
		FILE *f = fopen(path, "ab");

		assert_non_null(f);
		fputs("junk", f);
		fclose(f);
	}
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "4 bytes of trailing garbage");
	result_free(&r);
	free(blob);
	/* empty */
	fx_write_bin(fx, "pkram/outgoing.dtb", "", 0);
	run(fx, &r, "dump", "-o", "-", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "outgoing.dtb: empty");
	result_free(&r);
}

static void test_show_wrong_compatible(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	snap_sysfs(fx);
	put_dtb(fx, "pkram/outgoing.dtb", "snap-wrong-compat");
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "outgoing.dtb: not a PKRAM snapshot: compatible is "
			"\"linux,pkram-snapshot-v2\", expected \"linux,pkram-snapshot-v1\"\n");
	result_free(&r);
	run(NULL, &r, "show", "x", "--snapshot", DTB_DIR "/snap-bad-ranges.dtb",
	    NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "\"folio-ranges\" is 24 bytes");
	result_free(&r);
	/* incoming.dtb that says outgoing */
	put_dtb(fx, "pkram/incoming.dtb", "snap-out");
	run(fx, &r, "show", "guest:mem.1", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "incoming.dtb: direction is outgoing, expected incoming");
	result_free(&r);
}

/* A kernel without snapshots, or no root: show still shows the node. */
static void test_show_without_snapshot(void **state)
{
	struct fixture *fx = *state;
	struct result r;

	fx_pkram(fx, "nodes-normal");
	run(fx, &r, "show", "vm-state", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, vm_state_head);
	assert_contains(r.err, "no object list: cannot read ");
	result_free(&r);
	run(fx, &r, "show", "vm-state", "--ranges", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "outgoing.dtb: No such file or directory; this kernel has no PKRAM layout snapshots");
	result_free(&r);
}

/* --------------------------------------------------------------- dump */

static void test_dump(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], *want, *got;
	size_t wlen, glen;
	struct result r;
	struct stat st;

	snap_sysfs(fx);
	fx_path(fx, "out.dtb", path, sizeof(path));
	run(fx, &r, "dump", "-o", path, NULL);	/* default: outgoing */
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	result_free(&r);
	want = dtb_fixture("snap-out", &wlen);
	got = read_bin(path, &glen);
	assert_non_null(got);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(got);
	free(want);

	fx_path(fx, "in.dtb", path, sizeof(path));
	run(fx, &r, "dump", "--incoming", "--output", path, NULL);
	assert_int_equal(r.status, 0);
	result_free(&r);
	want = dtb_fixture("snap-in", &wlen);
	got = read_bin(path, &glen);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(got);
	free(want);
	/* and it reads back */
	run(NULL, &r, "show", "guest:mem.1", "--snapshot", path, NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "state:          incoming\n");
	result_free(&r);

	run(fx, &r, "dump", "--outgoing", "-o", "-", NULL);
	assert_int_equal(r.status, 0);
	assert_memory_equal(r.out, "\xd0\x0d\xfe\xed", 4);	/* FDT magic */
	result_free(&r);
}

static void test_dump_errors(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	struct result r;

	snap_sysfs(fx);
	run(fx, &r, "dump", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "pkramctl dump: give the output file once: -o FILE (-o - for stdout)");
	result_free(&r);
	run(fx, &r, "dump", "--incoming", "--outgoing", "-o", "-", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "not both");
	result_free(&r);
	run(fx, &r, "dump", "-o", "/nonexistent/dir/x.dtb", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "cannot write /nonexistent/dir/x.dtb: No such file or directory");
	result_free(&r);
	/* nothing is written from a bad blob */
	put_dtb(fx, "pkram/outgoing.dtb", "snap-wrong-compat");
	fx_path(fx, "x.dtb", path, sizeof(path));
	run(fx, &r, "dump", "-o", path, NULL);
	assert_int_equal(r.status, 2);
	assert_int_equal(access(path, F_OK), -1);
	result_free(&r);
	run(fx, &r, "--sysfs", "/nonexistent/pkram", "dump", "-o", "-", NULL);
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "no PKRAM");
	result_free(&r);
	run(fx, &r, "dump", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "dump [--incoming|--outgoing] -o FILE");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_lib_check_and_find),
		T(test_lib_folios_by_order_sum),
		T(test_lib_bad_blobs),
		T(test_show_orders),
		T(test_show_ranges),
		T(test_show_json),
		T(test_show_unknown_node),
		T(test_show_garbage),
		T(test_show_wrong_compatible),
		T(test_show_without_snapshot),
		T(test_dump),
		T(test_dump_errors),
#undef T
	};

	return cmocka_run_group_tests_name("pkramctl-snap", tests, NULL, NULL);
}
