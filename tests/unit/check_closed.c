// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "closed.h"
#include "run_suite.h"

static struct nt_conn_entry mk(int32_t pid, uint16_t lport, uint64_t sndbytes)
{
	struct nt_conn_entry e;

	memset(&e, 0, sizeof(e));
	e.pid = pid;
	e.proto = 6;
	e.family = 2;
	e.lport = lport;
	e.rport = 80;
	e.flags = NT_CONN_ENTRY_CLOSED;
	e.sndpacks = 1;
	e.sndbytes = sndbytes;
	return e;
}

START_TEST(test_seq_and_keep)
{
	struct nt_closed c;
	struct nt_conn_entry e = mk(10, 1000, 5);

	nt_closed_init(&c, 60, 100);
	ck_assert_int_eq(nt_closed_add(&c, &e, 100), 0);
	e.lport = 1001;
	ck_assert_int_eq(nt_closed_add(&c, &e, 101), 0);
	ck_assert_uint_eq(c.count, 2);
	ck_assert_uint_eq(nt_closed_at(&c, 0)->seq, 1);
	ck_assert_uint_eq(nt_closed_at(&c, 1)->seq, 2);
	/* young: kept even when every client had it */
	nt_closed_prune(&c, 120, 2);
	ck_assert_uint_eq(c.count, 2);
	/* old but a client has not had the second */
	nt_closed_prune(&c, 200, 1);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(nt_closed_at(&c, 0)->e.lport, 1001);
	/* no client connected: old is enough */
	nt_closed_prune(&c, 200, UINT64_MAX);
	ck_assert_uint_eq(c.count, 0);
	nt_closed_free(&c);
}
END_TEST

START_TEST(test_late_merges_until_sent)
{
	struct nt_closed c;
	struct nt_conn_entry e = mk(10, 1000, 5), late = mk(10, 1000, 40);

	nt_closed_init(&c, 60, 100);
	nt_closed_add(&c, &e, 100);
	/* the reset of an abortive close follows its close: one line */
	nt_closed_add(&c, &late, 100);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(nt_closed_at(&c, 0)->e.sndbytes, 45);
	ck_assert_uint_eq(nt_closed_at(&c, 0)->e.sndpacks, 2);
	/* another connection does not merge */
	late.lport = 1002;
	nt_closed_add(&c, &late, 100);
	ck_assert_uint_eq(c.count, 2);
	/* once a reply carried it, later traffic is a line of its own */
	nt_closed_mark_sent(&c);
	late.lport = 1000;
	nt_closed_add(&c, &late, 101);
	ck_assert_uint_eq(c.count, 3);
	ck_assert_uint_eq(nt_closed_at(&c, 0)->e.sndbytes, 45);
	nt_closed_free(&c);
}
END_TEST

START_TEST(test_bounded)
{
	struct nt_closed c;
	unsigned int i;

	nt_closed_init(&c, 60, 300);
	for (i = 0; i < 1000; i++) {
		struct nt_conn_entry e = mk((int32_t)(i + 1), (uint16_t)i, i);

		ck_assert_int_eq(nt_closed_add(&c, &e, 100), 0);
	}
	ck_assert_uint_eq(c.count, 300);
	ck_assert_uint_eq(c.evicted, 700);
	/* the newest are kept, in order */
	ck_assert_uint_eq(nt_closed_at(&c, 0)->seq, 701);
	ck_assert_uint_eq(nt_closed_at(&c, 299)->seq, 1000);
	ck_assert_int_eq(nt_closed_at(&c, 299)->e.pid, 1000);
	nt_closed_free(&c);
}
END_TEST

static Suite *closed_suite(void)
{
	Suite *s = suite_create("closed connections");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seq_and_keep);
	tcase_add_test(tc, test_late_merges_until_sent);
	tcase_add_test(tc, test_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(closed_suite());
}
