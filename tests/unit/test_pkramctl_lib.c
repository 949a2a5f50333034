// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pkramctl-lib.c: parsing of the nodes and cmdline files,
 * sizes, table and JSON output, the next kernel's command line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pkramctl.h"
#include "unit-util.h"

static int parse(const char *s, struct pkram_node_list *l, char *msg,
		 size_t msglen)
{
	return pkram_parse_nodes(s, strlen(s), l, msg, msglen);
}

static void test_name_valid(void **state)
{
	char n63[64], n64[65];

	(void)state;
	memset(n63, 'a', 63);
	n63[63] = '\0';
	memset(n64, 'a', 64);
	n64[64] = '\0';
	assert_true(pkram_name_valid("vm-state"));
	assert_true(pkram_name_valid("A.b_c:d-9"));
	assert_true(pkram_name_valid("-x"));
	assert_true(pkram_name_valid(n63));
	assert_false(pkram_name_valid(n64));
	assert_false(pkram_name_valid(""));
	assert_false(pkram_name_valid("a b"));
	assert_false(pkram_name_valid("a/b"));
	assert_false(pkram_name_valid("caf\xc3\xa9"));
}

static void test_parse_all_states(void **state)
{
	const char *s = "out a saving 1 2 3 4 5\n"
			"out b saved 10 20 30 40 50\n"
			"in c incoming 0 0 0 0 0\n"
			"in d loading 18446744073709551615 1 1 1 1\n";
	struct pkram_node_list l;
	char msg[256] = "";

	(void)state;
	assert_int_equal(parse(s, &l, msg, sizeof(msg)), 0);
	assert_int_equal(l.nr, 4);
	assert_int_equal(l.nodes[0].dir, PKRAM_DIR_OUT);
	assert_int_equal(l.nodes[0].state, PKRAM_ST_SAVING);
	assert_string_equal(l.nodes[0].name, "a");
	assert_int_equal(l.nodes[0].objects, 1);
	assert_int_equal(l.nodes[0].folios, 2);
	assert_int_equal(l.nodes[0].pages, 3);
	assert_int_equal(l.nodes[0].bytes, 4);
	assert_int_equal(l.nodes[0].meta_pages, 5);
	assert_int_equal(l.nodes[1].state, PKRAM_ST_SAVED);
	assert_int_equal(l.nodes[2].dir, PKRAM_DIR_IN);
	assert_int_equal(l.nodes[2].state, PKRAM_ST_INCOMING);
	assert_int_equal(l.nodes[3].state, PKRAM_ST_LOADING);
	assert_true(l.nodes[3].objects == UINT64_MAX);
	assert_non_null(pkram_find_node(&l, "c"));
	assert_null(pkram_find_node(&l, "e"));
	pkram_node_list_free(&l);
}

static void test_parse_many(void **state)
{
	struct pkram_node_list l;
	char line[128], msg[256];
	char *buf = calloc(200, 64);
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "out node%d saved %d 1 1 0 1\n", i, i);
		strcat(buf, line);
	}
	assert_int_equal(parse(buf, &l, msg, sizeof(msg)), 0);
	assert_int_equal(l.nr, 200);
	assert_string_equal(l.nodes[199].name, "node199");
	assert_int_equal(l.nodes[199].objects, 199);
	pkram_node_list_free(&l);
	free(buf);
}

static void test_parse_empty(void **state)
{
	struct pkram_node_list l;
	char msg[64];

	(void)state;
	assert_int_equal(parse("", &l, msg, sizeof(msg)), 0);
	assert_int_equal(l.nr, 0);
	pkram_node_list_free(&l);
}

static void test_parse_tabs_and_spaces(void **state)
{
	struct pkram_node_list l;
	char msg[64];

	(void)state;
	assert_int_equal(parse("out  a\tsaved 1 2 3 4 5 \n", &l, msg,
			       sizeof(msg)), 0);
	assert_int_equal(l.nr, 1);
	assert_int_equal(l.nodes[0].meta_pages, 5);
	pkram_node_list_free(&l);
}

/* Every kind of garbage: rejected, with the line number and the reason. */
static void test_parse_garbage(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "out a saved 1 2 3 4 5", "line 1: truncated" },
		{ "out a saved 1 2 3 4 5\nin b inc", "line 2: truncated" },
		{ "out a saved 1 2 3 4\n", "line 1: too few fields" },
		{ "out a saved 1 2 3 4 5 6\n", "line 1: too many fields" },
		{ "\n", "line 1: empty line" },
		{ "out a saved 1 2 3 4 5\n\n", "line 2: empty line" },
		{ "up a saved 1 2 3 4 5\n", "line 1: bad direction 'up'" },
		{ "OUT a saved 1 2 3 4 5\n", "line 1: bad direction" },
		{ "out a/b saved 1 2 3 4 5\n", "line 1: bad node name 'a/b'" },
		{ "out a sav 1 2 3 4 5\n", "line 1: bad state 'sav'" },
		{ "out a saved x 2 3 4 5\n", "line 1: bad objects count 'x'" },
		{ "out a saved 1 -2 3 4 5\n", "line 1: bad folios count '-2'" },
		{ "out a saved 1 2 +3 4 5\n", "line 1: bad pages count" },
		{ "out a saved 1 2 3 0x4 5\n", "line 1: bad bytes count '0x4'" },
		{ "out a saved 1 2 3 4 18446744073709551616\n",
		  "line 1: bad meta_pages count '18446744073709551616' (out of range)" },
		{ "out a saved 1 2 3 4 5\r\n", "line 1: non-printable byte 0x0d" },
		{ "\x7f\x45LF\x02\x01\n", "line 1: non-printable byte 0x7f" },
		{ "out a saved 1 2 3 4 5\nout a saved 1 2 3 4 5\n",
		  "line 2: duplicate node name 'a'" },
	};
	struct pkram_node_list l;
	char msg[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(parse(cases[i].in, &l, msg, sizeof(msg)),
				 -EINVAL);
		assert_int_equal(l.nr, 0);
		assert_null(l.nodes);
		if (strncmp(msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, msg,
				 cases[i].msg);
	}
}

static void test_parse_nul_and_long(void **state)
{
	struct pkram_node_list l;
	char buf[2048], msg[512];

	(void)state;
	memcpy(buf, "out a\0saved 1 2 3 4 5\n", 22);
	assert_int_equal(pkram_parse_nodes(buf, 22, &l, msg, sizeof(msg)),
			 -EINVAL);
	assert_non_null(strstr(msg, "line 1: non-printable byte 0x00"));
	/* the line is shown, escaped */
	assert_non_null(strstr(msg, "\"out a\\x00saved"));

	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 2] = '\n';
	assert_int_equal(pkram_parse_nodes(buf, sizeof(buf) - 1, &l, msg,
					   sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "line 1: line too long"));
	assert_non_null(strstr(msg, "...\""));	/* shown cut short */

	/* a tiny message buffer is not overrun */
	assert_int_equal(parse("garbage\n", &l, msg, 5), -EINVAL);
	assert_string_equal(msg, "line");
}

static void test_node_memory(void **state)
{
	struct pkram_node_info n = { .pages = 10, .meta_pages = 2 };

	(void)state;
	assert_int_equal(pkram_node_memory(&n), 12 * 4096);
	n.bytes = 1;
	assert_int_equal(pkram_node_memory(&n), 13 * 4096);
	n.bytes = 4096;
	assert_int_equal(pkram_node_memory(&n), 13 * 4096);
	n.bytes = 4097;
	assert_int_equal(pkram_node_memory(&n), 14 * 4096);
	n.pages = UINT64_MAX;
	assert_true(pkram_node_memory(&n) == UINT64_MAX);	/* saturates */
	n.pages = UINT64_MAX / 4096;
	n.meta_pages = 0;
	n.bytes = 0;
	assert_true(pkram_node_memory(&n) == UINT64_MAX / 4096 * 4096);
	n.meta_pages = 1;
	assert_true(pkram_node_memory(&n) == UINT64_MAX);
}

static void test_human_size(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0B" },
		{ 512, "512B" },
		{ 1023, "1023B" },
		{ 1024, "1.0K" },
		{ 4096, "4.0K" },
		{ 1536, "1.5K" },
		{ 10 * 1024 - 1, "10K" },
		{ 10188, "9.9K" },
		{ 10189, "10K" },	/* 9.95K */
		{ 4ULL << 20, "4.0M" },
		{ 3ULL << 29, "1.5G" },
		{ 100ULL << 20, "100M" },
		{ (1ULL << 20) - 1, "1.0M" },	/* not 1024K */
		{ 1023ULL << 20, "1023M" },
		{ 24ULL << 30, "24G" },
		{ 1ULL << 40, "1.0T" },
		{ 5ULL << 50, "5.0P" },
		{ UINT64_MAX, "16E" },
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pkram_human_size(cases[i].v, buf, sizeof(buf));
		if (strcmp(buf, cases[i].s))
			fail_msg("%llu: got %s, want %s",
				 (unsigned long long)cases[i].v, buf, cases[i].s);
	}
}

static char *print_to_string(void (*fn)(FILE *, const struct pkram_node_list *),
			     const struct pkram_node_list *l)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	fn(f, l);
	fclose(f);
	return buf;
}

static void test_table(void **state)
{
	const char *s = "out vm-state saved 3 10 1536 4097 2\n"
			"in guest:mem.1 incoming 1 1 262144 0 5\n";
	struct pkram_node_list l;
	char msg[64], *out;

	(void)state;
	assert_int_equal(parse(s, &l, msg, sizeof(msg)), 0);
	out = print_to_string(pkram_print_table, &l);
	assert_string_equal(out,
		"DIR  NAME         STATE     OBJECTS   PAGES  BYTES  MEMORY\n"
		"out  vm-state     saved           3    1536   4097    6.0M\n"
		"in   guest:mem.1  incoming        1  262144      0    1.0G\n");
	free(out);
	pkram_node_list_free(&l);

	out = print_to_string(pkram_print_table, &l);
	assert_string_equal(out,
		"DIR  NAME  STATE     OBJECTS  PAGES  BYTES  MEMORY\n"
		"(no nodes)\n");
	free(out);
}

static void test_json(void **state)
{
	const char *s = "out vm-state saved 3 10 1536 4097 2\n"
			"in guest:mem.1 loading 18446744073709551615 1 262144 0 5\n";
	struct pkram_node_list l;
	char msg[64], *out;

	(void)state;
	assert_int_equal(parse(s, &l, msg, sizeof(msg)), 0);
	out = print_to_string(pkram_print_json, &l);
	assert_true(json_valid(out));
	assert_true(python_json_valid(out));
	assert_non_null(strstr(out,
		"{\"direction\": \"out\", \"name\": \"vm-state\", \"state\": \"saved\", "
		"\"objects\": 3, \"folios\": 10, \"pages\": 1536, \"bytes\": 4097, "
		"\"meta_pages\": 2, \"memory_bytes\": 6307840}"));
	assert_non_null(strstr(out, "\"objects\": 18446744073709551615"));
	assert_non_null(strstr(out, "\"memory_bytes\": 1073762304}"));
	free(out);
	pkram_node_list_free(&l);

	out = print_to_string(pkram_print_json, &l);
	assert_string_equal(out, "[]\n");
	free(out);
}

static void test_json_string_escapes(void **state)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	pkram_json_string(f, "a\"b\\c\n\x01");
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	assert_true(json_valid(buf));
	free(buf);
}

/* The test's own JSON checker must reject what it should. */
static void test_json_checker(void **state)
{
	(void)state;
	assert_true(json_valid("[]"));
	assert_true(json_valid(" {\"a\": [1, -2.5e3, true, null, \"x\"], \"b\": {}} "));
	assert_false(json_valid(""));
	assert_false(json_valid("[1,]"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("[01]"));
	assert_false(json_valid("[1] x"));
	assert_false(json_valid("\"a\nb\""));
}

static void test_cmdline_attr(void **state)
{
	static const char * const bad[] = {
		"", "pkram=\n", "pkram=0x\n", "pkram=0x12", "pkram=12\n",
		"pkram=0x12 \n", "pkram=0xzz\n", "pkram=0x12\nx\n",
		"pkram=0x12345678901234567\n", "PKRAM=0x12\n", "garbage\n",
	};
	char arg[64];
	uint64_t phys;
	size_t i;

	(void)state;
	assert_int_equal(pkram_parse_cmdline_attr("pkram=0x1234000\n", 16, arg,
						  sizeof(arg), &phys), 0);
	assert_string_equal(arg, "pkram=0x1234000");
	assert_true(phys == 0x1234000);
	assert_int_equal(pkram_parse_cmdline_attr("pkram=0\n", 8, arg,
						  sizeof(arg), &phys), 0);
	assert_string_equal(arg, "pkram=0");
	assert_true(phys == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!pkram_parse_cmdline_attr(bad[i], strlen(bad[i]), arg,
					      sizeof(arg), &phys))
			fail_msg("accepted \"%s\"", bad[i]);
}

static void check_cmdline(const char *cmdline, const char *append,
			  const char *want)
{
	char *got = pkram_make_cmdline(cmdline, append, "pkram=0x1000");

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("cmdline \"%s\" + \"%s\": got \"%s\", want \"%s\"",
			 cmdline ? cmdline : "(null)",
			 append ? append : "(null)", got, want);
	free(got);
}

static void test_make_cmdline(void **state)
{
	(void)state;
	check_cmdline(NULL, "", "pkram=0x1000");
	check_cmdline(NULL, NULL, "pkram=0x1000");
	check_cmdline("root=/dev/vda quiet\n", NULL,
		      "root=/dev/vda quiet pkram=0x1000");
	check_cmdline("pkram=0xdead root=/dev/vda  pkram=0xbeef quiet", NULL,
		      "root=/dev/vda quiet pkram=0x1000");
	check_cmdline("root=/dev/vda", "pkram=0x5 console=ttyS0",
		      "root=/dev/vda console=ttyS0 pkram=0x1000");
	/* not a pkram= parameter */
	check_cmdline("xpkram=1 pkram.debug=1 pkram", NULL,
		      "xpkram=1 pkram.debug=1 pkram pkram=0x1000");
	/* quoted words stay whole; a quoted pkram= goes too */
	check_cmdline("a=\"x pkram=1 y\" \"pkram=0x5\" b", NULL,
		      "a=\"x pkram=1 y\" b pkram=0x1000");
	/* kernel parameters end at --: pkram= before it, init args kept */
	check_cmdline("root=/dev/vda pkram=0x5 -- single pkram=7", "quiet",
		      "root=/dev/vda quiet pkram=0x1000 -- single pkram=7");
	check_cmdline("root=/dev/vda -- single", "quiet -- 3",
		      "root=/dev/vda quiet pkram=0x1000 -- single 3");
	check_cmdline("root=/dev/vda --", NULL,
		      "root=/dev/vda pkram=0x1000 --");
	check_cmdline("a --x b", NULL, "a --x b pkram=0x1000");
}

static const char iomem_fixture[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"000f0000-000fffff : Reserved\n"
	"00100000-7ffdffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"  02000000-0200ffff : System RAM\n"
	"80000000-8fffffff : PCI Bus 0000:00\n"
	"100000000-17fffffff : System RAM\n";

/* kexec-load's placement: the largest stretch of RAM free of PKRAM memory */
static void test_largest_free(void **state)
{
	uint64_t s = 0, e = 0;

	(void)state;
	/* nothing preserved: the largest RAM range */
	assert_int_equal(pkram_largest_free(iomem_fixture, "", &s, &e), 0);
	assert_true(s == 0x100000000ULL && e == 0x180000000ULL);
	assert_int_equal(pkram_largest_free(iomem_fixture,
		"0x100000000 0x110000000\n", &s, &e), 0);
	assert_true(s == 0x100000 && e == 0x7ffe0000);
	/* the gap above a preserved range in high memory is largest */
	assert_int_equal(pkram_largest_free(iomem_fixture,
		"0x10000000 0x20000000\n0x30000000 0x7ffe0000\n"
		"0x100000000 0x101000000\n", &s, &e), 0);
	assert_true(s == 0x101000000ULL && e == 0x180000000ULL);
	/* high memory all preserved, one range straddling the RAM gap */
	assert_int_equal(pkram_largest_free(iomem_fixture,
		"0x10000000 0x20000000\n0x30000000 0x100001000\n"
		"0x100002000 0x180000000\n", &s, &e), 0);
	assert_true(s == 0x20000000 && e == 0x30000000);
	/* below 1 MiB does not count, and nothing else is free */
	assert_int_equal(pkram_largest_free(iomem_fixture,
		"0x100000 0x7ffe0000\n0x100000000 0x180000000\n", &s, &e),
		-ENOENT);
	/* garbage lines are skipped */
	assert_int_equal(pkram_largest_free(iomem_fixture,
		"junk\n0x100000 0x7ffe0000\nzz yy\n", &s, &e), 0);
	assert_true(s == 0x100000000ULL && e == 0x180000000ULL);
}

static void test_shell_argv(void **state)
{
	char *const argv[] = {
		"kexec", "-l", "/boot/vmlinuz", "--initrd=/boot/my initrd",
		"--append=root=/dev/vda it's", "", "plain=1", NULL,
	};
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	pkram_print_shell_argv(f, argv);
	fclose(f);
	assert_string_equal(buf,
		"kexec -l /boot/vmlinuz --initrd='/boot/my initrd' "
		"--append='root=/dev/vda it'\\''s' '' plain=1\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_parse_all_states),
		cmocka_unit_test(test_parse_many),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_tabs_and_spaces),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_nul_and_long),
		cmocka_unit_test(test_node_memory),
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_string_escapes),
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_cmdline_attr),
		cmocka_unit_test(test_make_cmdline),
		cmocka_unit_test(test_shell_argv),
		cmocka_unit_test(test_largest_free),
	};

	return cmocka_run_group_tests_name("pkramctl-lib", tests, NULL, NULL);
}
