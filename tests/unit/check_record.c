// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "counters.h"
#include "record.h"
#include "records.h"
#include "run_suite.h"

#define EPOCH 1700000000UL

/* Every counter different, so a swapped pair cannot go unnoticed. */
static void fill_input(struct nt_task_record *in)
{
	memset(in, 0, sizeof(*in));
	in->tgid = 4242;
	in->start_boottime = 123456789012ULL;
	memcpy(in->comm, "sshd", 5);
	in->c.tcpsndpacks = 101;
	in->c.tcpsndbytes = 202;
	in->c.tcprcvpacks = 303;
	in->c.tcprcvbytes = 404;
	in->c.udpsndpacks = 505;
	in->c.udpsndbytes = 606;
	in->c.udprcvpacks = 707;
	in->c.udprcvbytes = 808;
}

START_TEST(test_encode_fields)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	memset(&out, 0xa5, sizeof(out));
	nt_record_encode(&out, &in, EPOCH);

	ck_assert_int_eq(out.id, 4242);
	ck_assert_uint_eq(out.btime, EPOCH + 123);
	ck_assert_str_eq(out.command, "sshd");
	ck_assert_uint_eq(out.tc.tcpsndpacks, 101);
	ck_assert_uint_eq(out.tc.tcpsndbytes, 202);
	ck_assert_uint_eq(out.tc.tcprcvpacks, 303);
	ck_assert_uint_eq(out.tc.tcprcvbytes, 404);
	ck_assert_uint_eq(out.tc.udpsndpacks, 505);
	ck_assert_uint_eq(out.tc.udpsndbytes, 606);
	ck_assert_uint_eq(out.tc.udprcvpacks, 707);
	ck_assert_uint_eq(out.tc.udprcvbytes, 808);
}
END_TEST

/* Counters at the top of their range must not be narrowed on the way. */
START_TEST(test_encode_counters_full_width)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	in.c.tcpsndbytes = UINT64_MAX;
	in.c.udprcvbytes = UINT64_MAX - 1;
	in.c.tcprcvpacks = 1ULL << 40;
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_uint_eq(out.tc.tcpsndbytes, UINT64_MAX);
	ck_assert_uint_eq(out.tc.udprcvbytes, UINT64_MAX - 1);
	ck_assert_uint_eq(out.tc.tcprcvpacks, 1ULL << 40);
}
END_TEST

static const struct {
	uint64_t ns;
	unsigned long secs;
} btime_cases[] = {
	{ 0, 0 },
	{ 1, 0 },
	{ 999999999ULL, 0 },
	{ 1000000000ULL, 1 },
	{ 1000000001ULL, 1 },
	{ 1999999999ULL, 1 },
	{ 2000000000ULL, 2 },
	{ 86399999999999ULL, 86399 },
	{ 86400000000000ULL, 86400 },
};

/* atop truncates the start time to whole seconds: so must we, or btime disagrees by one. */
START_TEST(test_btime_truncates)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	in.start_boottime = btime_cases[_i].ns;
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_msg(out.btime == EPOCH + btime_cases[_i].secs,
		      "start %llu ns: btime %lu, expected %lu", (unsigned long long)btime_cases[_i].ns,
		      out.btime, EPOCH + btime_cases[_i].secs);
}
END_TEST

START_TEST(test_btime_zero_epoch)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	in.start_boottime = 5500000000ULL;
	nt_record_encode(&out, &in, 0);
	ck_assert_uint_eq(out.btime, 5);
}
END_TEST

#if __SIZEOF_LONG__ == 8
START_TEST(test_btime_huge)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	in.start_boottime = UINT64_MAX;
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_uint_eq(out.btime, 1700000000UL + 18446744073UL);

	in.start_boottime = UINT64_MAX;
	nt_record_encode(&out, &in, 0);
	ck_assert_uint_eq(out.btime, 18446744073UL);

	/* a century of uptime */
	in.start_boottime = 3155760000ULL * 1000000000ULL + 999999999ULL;
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_uint_eq(out.btime, EPOCH + 3155760000UL);
}
END_TEST
#endif

/* The kernel comm is not trusted to carry a NUL: atop prints command as a C string. */
START_TEST(test_command_always_terminated)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	memset(in.comm, 'A', sizeof(in.comm));
	memset(&out, 0x5a, sizeof(out));
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_uint_eq(out.command[NETATOP_COMMLEN - 1], '\0');
	ck_assert_uint_eq(strlen(out.command), NETATOP_COMMLEN - 1);
	ck_assert_str_eq(out.command, "AAAAAAAAAAAAAAA");
}
END_TEST

START_TEST(test_command_full_length)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	memset(in.comm, 0, sizeof(in.comm));
	memcpy(in.comm, "kworker/u16:3-e", 15);
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_str_eq(out.command, "kworker/u16:3-e");
}
END_TEST

START_TEST(test_command_empty)
{
	struct nt_task_record in;
	struct netpertask out;

	fill_input(&in);
	memset(in.comm, 0, sizeof(in.comm));
	memset(&out, 0x5a, sizeof(out));
	nt_record_encode(&out, &in, EPOCH);
	ck_assert_str_eq(out.command, "");
}
END_TEST

/* The record goes on the wire as is: stale bytes in padding would leak daemon memory. */
START_TEST(test_encode_clears_padding)
{
	struct nt_task_record in;
	struct netpertask out, zero;
	size_t pad_start = offsetof(struct netpertask, id) + sizeof(out.id);
	size_t pad_end = offsetof(struct netpertask, btime);
	const unsigned char *p = (const unsigned char *)&out;
	size_t i;

	fill_input(&in);
	memset(&out, 0xff, sizeof(out));
	nt_record_encode(&out, &in, EPOCH);
	for (i = pad_start; i < pad_end; i++)
		ck_assert_msg(p[i] == 0, "padding byte %zu is 0x%02x", i, p[i]);

	/* The only non-zero bytes are those of the fields set above. */
	memset(&zero, 0, sizeof(zero));
	in.tgid = 0;
	in.start_boottime = 0;
	memset(in.comm, 0, sizeof(in.comm));
	memset(&in.c, 0, sizeof(in.c));
	memset(&out, 0xff, sizeof(out));
	nt_record_encode(&out, &in, 0);
	ck_assert_mem_eq(&out, &zero, sizeof(out));
}
END_TEST

/* Same native layout as atop's netatop.h, or atop reads garbage. */
START_TEST(test_layout)
{
	ck_assert_uint_eq(sizeof(struct taskcount), 8 * sizeof(unsigned long long));
	ck_assert_uint_eq(offsetof(struct taskcount, tcpsndpacks), 0);
	ck_assert_uint_eq(offsetof(struct taskcount, tcpsndbytes), 8);
	ck_assert_uint_eq(offsetof(struct taskcount, tcprcvpacks), 16);
	ck_assert_uint_eq(offsetof(struct taskcount, tcprcvbytes), 24);
	ck_assert_uint_eq(offsetof(struct taskcount, udpsndpacks), 32);
	ck_assert_uint_eq(offsetof(struct taskcount, udpsndbytes), 40);
	ck_assert_uint_eq(offsetof(struct taskcount, udprcvpacks), 48);
	ck_assert_uint_eq(offsetof(struct taskcount, udprcvbytes), 56);
	ck_assert_uint_eq(sizeof(((struct netpertask *)0)->command), 16);
	ck_assert_uint_eq(offsetof(struct netpertask, id), 0);
	ck_assert_uint_eq(offsetof(struct netpertask, command),
			  offsetof(struct netpertask, btime) + sizeof(unsigned long));
	ck_assert_uint_eq(offsetof(struct netpertask, tc), offsetof(struct netpertask, command) + 16);
	ck_assert_uint_eq(sizeof(struct netpertask),
			  offsetof(struct netpertask, tc) + sizeof(struct taskcount));
#if __SIZEOF_LONG__ == 8
	ck_assert_uint_eq(offsetof(struct netpertask, btime), 8);
	ck_assert_uint_eq(offsetof(struct netpertask, command), 16);
	ck_assert_uint_eq(offsetof(struct netpertask, tc), 32);
	ck_assert_uint_eq(sizeof(struct netpertask), 96);
#endif
}
END_TEST

/* The BPF side must keep atop's counter order, since encode copies the counters whole. */
START_TEST(test_kernel_record_layout)
{
	ck_assert_uint_eq(sizeof(struct nt_counters), 64);
	ck_assert_uint_eq(offsetof(struct nt_counters, tcpsndpacks), 0);
	ck_assert_uint_eq(offsetof(struct nt_counters, tcpsndbytes), 8);
	ck_assert_uint_eq(offsetof(struct nt_counters, tcprcvpacks), 16);
	ck_assert_uint_eq(offsetof(struct nt_counters, tcprcvbytes), 24);
	ck_assert_uint_eq(offsetof(struct nt_counters, udpsndpacks), 32);
	ck_assert_uint_eq(offsetof(struct nt_counters, udpsndbytes), 40);
	ck_assert_uint_eq(offsetof(struct nt_counters, udprcvpacks), 48);
	ck_assert_uint_eq(offsetof(struct nt_counters, udprcvbytes), 56);
	ck_assert_uint_eq(offsetof(struct nt_task_record, tgid), 0);
	ck_assert_uint_eq(offsetof(struct nt_task_record, start_boottime), 8);
	ck_assert_uint_eq(offsetof(struct nt_task_record, comm), 16);
	ck_assert_uint_eq(offsetof(struct nt_task_record, c), 32);
	ck_assert_uint_eq(sizeof(struct nt_task_record), 96);
}
END_TEST

START_TEST(test_terminator)
{
	struct netpertask t, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&t, 0xc3, sizeof(t));
	nt_record_terminator(&t);
	ck_assert_int_eq(t.id, 0);
	ck_assert_uint_eq(t.btime, 0);
	ck_assert_mem_eq(&t, &zero, sizeof(t));
}
END_TEST

/* Only the four byte counters count: one bit per field shows which were summed. */
START_TEST(test_taskcount_bytes)
{
	struct taskcount tc = {
		.tcpsndpacks = 1 << 0,
		.tcpsndbytes = 1 << 1,
		.tcprcvpacks = 1 << 2,
		.tcprcvbytes = 1 << 3,
		.udpsndpacks = 1 << 4,
		.udpsndbytes = 1 << 5,
		.udprcvpacks = 1 << 6,
		.udprcvbytes = 1 << 7,
	};
	struct taskcount zero = { 0 };

	ck_assert_uint_eq(nt_taskcount_bytes(&tc), (1 << 1) + (1 << 3) + (1 << 5) + (1 << 7));
	ck_assert_uint_eq(nt_taskcount_bytes(&zero), 0);

	tc.tcpsndbytes = 1000000000000ULL;
	tc.tcprcvbytes = 2000000000000ULL;
	tc.udpsndbytes = 3000000000000ULL;
	tc.udprcvbytes = 4000000000000ULL;
	ck_assert_uint_eq(nt_taskcount_bytes(&tc), 10000000000000ULL);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_encode_fields);
	tcase_add_test(tc, test_encode_counters_full_width);
	tcase_add_loop_test(tc, test_btime_truncates, 0,
			    (int)(sizeof(btime_cases) / sizeof(btime_cases[0])));
	tcase_add_test(tc, test_btime_zero_epoch);
#if __SIZEOF_LONG__ == 8
	tcase_add_test(tc, test_btime_huge);
#endif
	tcase_add_test(tc, test_command_always_terminated);
	tcase_add_test(tc, test_command_full_length);
	tcase_add_test(tc, test_command_empty);
	tcase_add_test(tc, test_encode_clears_padding);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_kernel_record_layout);
	tcase_add_test(tc, test_terminator);
	tcase_add_test(tc, test_taskcount_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(record_suite());
}
