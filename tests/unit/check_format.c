// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "protocol.h"
#include "run_suite.h"

/* ---------------------------------------------------------------- human units */

static const struct {
	unsigned long long v;
	unsigned int base;
	const char *want;
} human_cases[] = {
	{ 0, 1000, "0" },
	{ 0, 1024, "0" },
	{ 7, 1000, "7" },
	{ 999, 1000, "999" },
	{ 999, 1024, "999" },
	{ 1000, 1000, "1.0K" },
	{ 1000, 1024, "1.0K" },		/* 0.98K: never four digits */
	{ 1023, 1024, "1.0K" },
	{ 1024, 1024, "1.0K" },
	{ 1536, 1024, "1.5K" },
	{ 1500, 1000, "1.5K" },
	{ 9949, 1000, "9.9K" },
	{ 9950, 1000, "10K" },		/* would print "10.0K" with one decimal */
	{ 9999, 1000, "10K" },
	{ 10000, 1000, "10K" },
	{ 10188, 1024, "9.9K" },
	{ 10189, 1024, "10K" },
	{ 10240, 1024, "10K" },
	{ 12345, 1000, "12K" },
	{ 999499, 1000, "999K" },
	{ 999500, 1000, "1.0M" },	/* would print "1000K" */
	{ 1000000, 1000, "1.0M" },
	{ 1023487, 1024, "999K" },
	{ 1023488, 1024, "1.0M" },
	{ 1048575, 1024, "1.0M" },
	{ 1048576, 1024, "1.0M" },
	{ 1000000000ULL, 1000, "1.0G" },
	{ 1073741824ULL, 1024, "1.0G" },
	{ 1610612736ULL, 1024, "1.5G" },
	{ 1000000000000ULL, 1000, "1.0T" },
	{ 1000000000000000ULL, 1000, "1.0P" },
	{ 1000000000000000000ULL, 1000, "1.0E" },
	{ 1152921504606846976ULL, 1024, "1.0E" },
	{ ULLONG_MAX, 1000, "18E" },
	{ ULLONG_MAX, 1024, "16E" },
};

START_TEST(test_human_cases)
{
	char buf[32];

	memset(buf, 'Z', sizeof(buf));
	ck_assert_ptr_eq(nt_format_human(buf, sizeof(buf), human_cases[_i].v, human_cases[_i].base), buf);
	ck_assert_msg(strcmp(buf, human_cases[_i].want) == 0, "%llu base %u: '%s', expected '%s'",
		      human_cases[_i].v, human_cases[_i].base, buf, human_cases[_i].want);
}
END_TEST

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	/* xorshift64 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * What the columns promise: at most four characters, and the shown value
 * within half a unit of the last digit shown.
 */
static void check_human(unsigned long long v, unsigned int base)
{
	static const char units[] = "KMGTPE";
	char buf[32], *end;
	const char *u;
	long double shown, scale = 1, tol;
	size_t len;

	nt_format_human(buf, sizeof(buf), v, base);
	len = strlen(buf);
	if (len == 0 || len > 4)
		ck_abort_msg("%llu base %u: '%s' is not 1 to 4 characters", v, base, buf);
	if (v < 1000) {
		if (strtoull(buf, &end, 10) != v || *end)
			ck_abort_msg("%llu base %u: '%s'", v, base, buf);
		return;
	}
	u = strchr(units, buf[len - 1]);
	if (!u)
		ck_abort_msg("%llu base %u: '%s' has no unit", v, base, buf);
	shown = strtold(buf, &end);
	if (end != buf + len - 1)
		ck_abort_msg("%llu base %u: '%s' is not a number and a unit", v, base, buf);
	for (int i = 0; i <= u - units; i++)
		scale *= base;
	tol = (strchr(buf, '.') ? 0.05L : 0.5L) * scale * (1 + 1e-9L);
	if (shown * scale - (long double)v > tol || (long double)v - shown * scale > tol)
		ck_abort_msg("%llu base %u: '%s' is off by more than %Lg", v, base, buf, tol);
	/* a smaller unit could not have shown it in four characters */
	if (u > units && shown < 0.95L)
		ck_abort_msg("%llu base %u: '%s' should use a smaller unit", v, base, buf);
}

START_TEST(test_human_sweep)
{
	unsigned long long v, p;
	int i, k;

	for (v = 0; v < 30000; v++) {
		check_human(v, 1000);
		check_human(v, 1024);
	}
	/* around every power, where units change and rounding bites */
	for (p = 1000; p <= ULLONG_MAX / 1024; p *= 10) {
		for (k = -2000; k <= 2000; k++) {
			check_human(p + (unsigned long long)k * (p / 10000 + 1), 1000);
			check_human(p + (unsigned long long)k * (p / 10000 + 1), 1024);
		}
	}
	for (p = 1024; p <= ULLONG_MAX / 1024; p *= 1024) {
		for (k = -2000; k <= 2000; k++) {
			check_human(p + (unsigned long long)k * (p / 10000 + 1), 1000);
			check_human(p + (unsigned long long)k * (p / 10000 + 1), 1024);
		}
	}
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 200000; i++) {
		v = rnd64() >> (rnd64() % 64);
		check_human(v, 1000);
		check_human(v, 1024);
	}
	check_human(ULLONG_MAX, 1000);
	check_human(ULLONG_MAX, 1024);
}
END_TEST

/* ---------------------------------------------------------------- capture */

typedef void (*line_fn)(FILE *, const struct netpertask *);

/* The whole output of one call, malloc'ed. */
static char *capture(line_fn fn, const struct netpertask *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	if (fn)
		fn(f, r);
	else
		nt_format_table_header(f);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static struct netpertask mkrec(pid_t id, const char *comm)
{
	struct netpertask r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	strncpy(r.command, comm, sizeof(r.command) - 1);
	return r;
}

/* ---------------------------------------------------------------- table */

START_TEST(test_table_header)
{
	char *h = capture(NULL, NULL);

	ck_assert_str_eq(h, "    PID COMMAND         "
			    "TCPSND TCPSBY TCPRCV TCPRBY UDPSND UDPSBY UDPRCV UDPRBY\n");
	free(h);
}
END_TEST

/* Packets step by 1000, bytes by 1024, each counter in its own column. */
START_TEST(test_table_line)
{
	struct netpertask r = mkrec(1234, "curl");
	char *line, *h;

	r.btime = 1700000000;
	r.tc.tcpsndpacks = 5;
	r.tc.tcpsndbytes = 1536;
	r.tc.tcprcvpacks = 1000;
	r.tc.tcprcvbytes = 1048576;
	r.tc.udpsndpacks = 0;
	r.tc.udpsndbytes = 999;
	r.tc.udprcvpacks = 12345;
	r.tc.udprcvbytes = 10240;
	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "   1234 curl           "
			       "      5   1.5K   1.0K   1.0M      0    999    12K    10K\n");

	/* columns line up with the header */
	h = capture(NULL, NULL);
	ck_assert_uint_eq(strlen(line), strlen(h));
	free(h);
	free(line);
}
END_TEST

/* 1000 packets is 1.0K, but 1000 bytes are 0.98KiB, still shown as 1.0K: bases differ at 1024. */
START_TEST(test_table_bases)
{
	struct netpertask r = mkrec(1, "x");
	char *line;

	r.tc.tcpsndpacks = 10200;	/* 10K packets */
	r.tc.tcpsndbytes = 10200;	/* 9.96KiB: 10K as well */
	r.tc.tcprcvpacks = 1500000;	/* 1.5M */
	r.tc.tcprcvbytes = 1500000;	/* 1.43MiB */
	r.tc.udpsndpacks = 9990;	/* 10K */
	r.tc.udpsndbytes = 9990;	/* 9.76KiB */
	r.tc.udprcvpacks = 2000;
	r.tc.udprcvbytes = 2048;
	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "      1 x              "
			       "    10K    10K   1.5M   1.4M    10K   9.8K   2.0K   2.0K\n");
	free(line);
}
END_TEST

START_TEST(test_table_nonprintable)
{
	struct netpertask r = mkrec(77, "a\tb\x7f\x01\xe9z");
	char *line;

	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "     77 a?b???z        "
			       "      0      0      0      0      0      0      0      0\n");
	free(line);

	r = mkrec(78, "\x1b[2J\n\r");
	line = capture(nt_format_table_line, &r);
	ck_assert_ptr_nonnull(strstr(line, " ?[2J?? "));
	ck_assert_ptr_null(strchr(line, '\x1b'));
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_ptr_null(strchr(line, '\r'));
	free(line);
}
END_TEST

START_TEST(test_table_long_command)
{
	struct netpertask r = mkrec(5, "");
	char *line;

	memcpy(r.command, "abcdefghijklmno", 16);
	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "      5 abcdefghijklmno "
			       "     0      0      0      0      0      0      0      0\n");
	free(line);

	/* no NUL at all: the column still ends at 15 characters */
	memset(r.command, 'Q', sizeof(r.command));
	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "      5 QQQQQQQQQQQQQQQ "
			       "     0      0      0      0      0      0      0      0\n");
	free(line);
}
END_TEST

START_TEST(test_table_big_pid)
{
	struct netpertask r = mkrec(4194304, "big");
	char *line;

	r.tc.tcpsndbytes = ULLONG_MAX;
	line = capture(nt_format_table_line, &r);
	ck_assert_str_eq(line, "4194304 big            "
			       "      0    16E      0      0      0      0      0      0\n");
	free(line);
}
END_TEST

/* ---------------------------------------------------------------- JSON */

START_TEST(test_json_exact)
{
	struct netpertask r = mkrec(42, "nginx");
	char *line;

	r.btime = 1700000000UL;
	r.tc.tcpsndpacks = 11;
	r.tc.tcpsndbytes = 22;
	r.tc.tcprcvpacks = 33;
	r.tc.tcprcvbytes = 44;
	r.tc.udpsndpacks = 55;
	r.tc.udpsndbytes = 66;
	r.tc.udprcvpacks = 77;
	r.tc.udprcvbytes = 88;
	line = capture(nt_format_json_line, &r);
	ck_assert_str_eq(line,
		"{\"pid\":42,\"command\":\"nginx\",\"btime\":1700000000,"
		"\"tcpsndpacks\":11,\"tcpsndbytes\":22,\"tcprcvpacks\":33,\"tcprcvbytes\":44,"
		"\"udpsndpacks\":55,\"udpsndbytes\":66,\"udprcvpacks\":77,\"udprcvbytes\":88}\n");
	free(line);
}
END_TEST

/* Raw numbers, never human units or floating point, up to the full width. */
START_TEST(test_json_big_numbers)
{
	struct netpertask r = mkrec(INT_MAX, "");
	char *line;

	r.btime = 4102444800UL;
	r.tc.tcpsndpacks = ULLONG_MAX;
	r.tc.tcpsndbytes = ULLONG_MAX - 1;
	r.tc.tcprcvpacks = 1000;
	r.tc.tcprcvbytes = 1ULL << 53;
	r.tc.udpsndpacks = (1ULL << 53) + 1;
	r.tc.udpsndbytes = 0;
	r.tc.udprcvpacks = 1;
	r.tc.udprcvbytes = 9999999999999999999ULL;
	line = capture(nt_format_json_line, &r);
	ck_assert_str_eq(line,
		"{\"pid\":2147483647,\"command\":\"\",\"btime\":4102444800,"
		"\"tcpsndpacks\":18446744073709551615,\"tcpsndbytes\":18446744073709551614,"
		"\"tcprcvpacks\":1000,\"tcprcvbytes\":9007199254740992,"
		"\"udpsndpacks\":9007199254740993,\"udpsndbytes\":0,\"udprcvpacks\":1,"
		"\"udprcvbytes\":9999999999999999999}\n");
	free(line);
}
END_TEST

/* Any comm must give valid JSON: bytes that are not UTF-8 are escaped, so this one is pure ASCII. */
START_TEST(test_json_escaping)
{
	struct netpertask r = mkrec(9, "");
	char *line, *p;

	memcpy(r.command, "a\"b\\c\x01\x1f\x7f\xe9\nz/", 13);
	line = capture(nt_format_json_line, &r);
	ck_assert_str_eq(line,
		"{\"pid\":9,\"command\":\"a\\\"b\\\\c\\u0001\\u001f\\u007f\\u00e9\\u000az/\",\"btime\":0,"
		"\"tcpsndpacks\":0,\"tcpsndbytes\":0,\"tcprcvpacks\":0,\"tcprcvbytes\":0,"
		"\"udpsndpacks\":0,\"udpsndbytes\":0,\"udprcvpacks\":0,\"udprcvbytes\":0}\n");
	for (p = line; *p; p++) {
		unsigned char c = (unsigned char)*p;

		ck_assert_msg((c >= 0x20 && c < 0x7f) || (c == '\n' && !p[1]),
			      "byte 0x%02x at %td", c, p - line);
	}
	free(line);

	r = mkrec(10, "\"\"\\\\");
	line = capture(nt_format_json_line, &r);
	ck_assert_ptr_nonnull(strstr(line, "\"command\":\"\\\"\\\"\\\\\\\\\","));
	free(line);

	r = mkrec(11, "\t\r\x80\xff");
	line = capture(nt_format_json_line, &r);
	ck_assert_ptr_nonnull(strstr(line, "\"command\":\"\\u0009\\u000d\\u0080\\u00ff\","));
	free(line);
}
END_TEST

/* A command with no NUL must not make the writer read past it. */
START_TEST(test_json_unterminated_command)
{
	struct netpertask r = mkrec(3, "");
	char *line;

	memset(r.command, 'A', sizeof(r.command));
	r.tc.tcpsndpacks = 123;
	line = capture(nt_format_json_line, &r);
	ck_assert_ptr_nonnull(strstr(line, "\"command\":\"AAAAAAAAAAAAAAA"));
	ck_assert_ptr_null(strstr(line, "AAAAAAAAAAAAAAAAA"));
	ck_assert_ptr_nonnull(strstr(line, "\",\"btime\":0,\"tcpsndpacks\":123,"));
	free(line);
}
END_TEST

/* ---------------------------------------------------------------- dedup and sort */

static struct netpertask rec_bytes(pid_t id, const char *comm, unsigned long long bytes)
{
	struct netpertask r = mkrec(id, comm);

	r.tc.tcpsndbytes = bytes;
	return r;
}

/* atop keeps the last record for a pid (a live one after an exited one). */
START_TEST(test_dedup_keeps_last)
{
	struct netpertask recs[3];
	size_t n;

	recs[0] = rec_bytes(5, "old", 100);
	recs[0].btime = 111;
	recs[1] = rec_bytes(7, "other", 50);
	recs[2] = rec_bytes(5, "new", 10);
	recs[2].btime = 222;
	n = nt_records_dedup_sort(recs, 3);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(recs[0].id, 7);
	ck_assert_int_eq(recs[1].id, 5);
	ck_assert_str_eq(recs[1].command, "new");
	ck_assert_uint_eq(recs[1].btime, 222);
	ck_assert_uint_eq(recs[1].tc.tcpsndbytes, 10);
}
END_TEST

START_TEST(test_dedup_many_copies)
{
	struct netpertask recs[6];
	size_t n;

	recs[0] = rec_bytes(3, "a", 1);
	recs[1] = rec_bytes(3, "b", 2);
	recs[2] = rec_bytes(4, "x", 5);
	recs[3] = rec_bytes(3, "c", 3);
	recs[4] = rec_bytes(4, "y", 6);
	recs[5] = rec_bytes(3, "d", 0);
	n = nt_records_dedup_sort(recs, 6);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(recs[0].id, 4);
	ck_assert_str_eq(recs[0].command, "y");
	ck_assert_int_eq(recs[1].id, 3);
	ck_assert_str_eq(recs[1].command, "d");
	ck_assert_uint_eq(recs[1].tc.tcpsndbytes, 0);
}
END_TEST

/* Bytes only, all four byte counters, packets ignored; ties by pid. */
START_TEST(test_sort_order)
{
	struct netpertask recs[9];
	size_t n, i;
	static const pid_t want[] = { 40, 4, 3, 2, 1, 10, 20, 30, 50 };

	recs[0] = rec_bytes(30, "", 10);
	recs[1] = rec_bytes(10, "", 10);
	recs[2] = mkrec(40, "");
	recs[2].tc.udprcvbytes = 100;
	recs[3] = rec_bytes(20, "", 10);
	recs[4] = mkrec(50, "");
	recs[4].tc.tcpsndpacks = recs[4].tc.tcprcvpacks = ULLONG_MAX / 4;
	recs[4].tc.udpsndpacks = recs[4].tc.udprcvpacks = ULLONG_MAX / 4;
	recs[5] = mkrec(1, "");
	recs[5].tc.tcpsndbytes = 15;
	recs[6] = mkrec(2, "");
	recs[6].tc.tcprcvbytes = 16;
	recs[7] = mkrec(3, "");
	recs[7].tc.udpsndbytes = 17;
	recs[8] = mkrec(4, "");
	recs[8].tc.udprcvbytes = 9;
	recs[8].tc.tcpsndbytes = 9;	/* 18 in all */
	n = nt_records_dedup_sort(recs, 9);
	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++)
		ck_assert_msg(recs[i].id == want[i], "position %zu: pid %d, expected %d",
			      i, (int)recs[i].id, (int)want[i]);
}
END_TEST

START_TEST(test_dedup_trivial)
{
	struct netpertask r = rec_bytes(9, "one", 3);

	ck_assert_uint_eq(nt_records_dedup_sort(NULL, 0), 0);
	ck_assert_uint_eq(nt_records_dedup_sort(&r, 1), 1);
	ck_assert_int_eq(r.id, 9);
	ck_assert_str_eq(r.command, "one");
}
END_TEST

static int ref_cmp(const struct netpertask *x, const struct netpertask *y)
{
	unsigned long long bx = x->tc.tcpsndbytes + x->tc.tcprcvbytes + x->tc.udpsndbytes + x->tc.udprcvbytes;
	unsigned long long by = y->tc.tcpsndbytes + y->tc.tcprcvbytes + y->tc.udpsndbytes + y->tc.udprcvbytes;

	if (bx != by)
		return bx > by ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Against a straightforward model: last occurrence of each pid, insertion-sorted. */
START_TEST(test_dedup_model)
{
	enum { N = 700 };
	static struct netpertask recs[N], model[N];
	int round;

	rng_state = 0x1234567887654321ULL;
	for (round = 0; round < 40; round++) {
		size_t n = 1 + rnd64() % N, m = 0, i, j, got;
		unsigned int ids = 1 + (unsigned int)(rnd64() % 300);

		for (i = 0; i < n; i++) {
			recs[i] = mkrec((pid_t)(1 + rnd64() % ids), "");
			snprintf(recs[i].command, sizeof(recs[i].command), "r%zu", i);
			recs[i].tc.tcpsndbytes = rnd64() % 4;
			recs[i].tc.udprcvbytes = rnd64() % 3;
			recs[i].tc.tcpsndpacks = rnd64();
		}
		for (i = 0; i < n; i++) {
			for (j = i + 1; j < n && recs[j].id != recs[i].id; j++)
				;
			if (j == n)
				model[m++] = recs[i];
		}
		for (i = 1; i < m; i++) {
			struct netpertask t = model[i];

			for (j = i; j > 0 && ref_cmp(&t, &model[j - 1]) < 0; j--)
				model[j] = model[j - 1];
			model[j] = t;
		}
		got = nt_records_dedup_sort(recs, n);
		if (got != m)
			ck_abort_msg("round %d: %zu records, expected %zu", round, got, m);
		for (i = 0; i < m; i++)
			if (memcmp(&recs[i], &model[i], sizeof(model[i])) != 0)
				ck_abort_msg("round %d, position %zu: pid %d %s, expected pid %d %s", round, i,
					     (int)recs[i].id, recs[i].command, (int)model[i].id, model[i].command);
	}
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *human = tcase_create("human");
	TCase *table = tcase_create("table");
	TCase *json = tcase_create("json");
	TCase *sort = tcase_create("sort");

	tcase_set_timeout(human, 300);
	tcase_add_loop_test(human, test_human_cases, 0,
			    (int)(sizeof(human_cases) / sizeof(human_cases[0])));
	tcase_add_test(human, test_human_sweep);
	suite_add_tcase(s, human);

	tcase_add_test(table, test_table_header);
	tcase_add_test(table, test_table_line);
	tcase_add_test(table, test_table_bases);
	tcase_add_test(table, test_table_nonprintable);
	tcase_add_test(table, test_table_long_command);
	tcase_add_test(table, test_table_big_pid);
	suite_add_tcase(s, table);

	tcase_add_test(json, test_json_exact);
	tcase_add_test(json, test_json_big_numbers);
	tcase_add_test(json, test_json_escaping);
	tcase_add_test(json, test_json_unterminated_command);
	suite_add_tcase(s, json);

	tcase_set_timeout(sort, 60);
	tcase_add_test(sort, test_dedup_keeps_last);
	tcase_add_test(sort, test_dedup_many_copies);
	tcase_add_test(sort, test_sort_order);
	tcase_add_test(sort, test_dedup_trivial);
	tcase_add_test(sort, test_dedup_model);
	suite_add_tcase(s, sort);
	return s;
}

int main(void)
{
	return nt_run_suite(format_suite());
}
