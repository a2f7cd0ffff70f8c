// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exited.h"
#include "protocol.h"
#include "record.h"
#include "records.h"
#include "reply.h"
#include "run_suite.h"

#define EPOCH 1700000000UL

static struct netpertask exited_rec(pid_t id)
{
	struct netpertask r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.btime = 1600000000UL + (unsigned long)id;
	snprintf(r.command, sizeof(r.command), "gone%d", (int)id);
	r.tc.tcpsndbytes = 1000ULL + (unsigned long long)id;
	r.tc.udprcvpacks = 2000ULL + (unsigned long long)id;
	return r;
}

static struct nt_task_record live_rec(uint32_t tgid)
{
	struct nt_task_record t;

	memset(&t, 0, sizeof(t));
	t.tgid = tgid;
	t.start_boottime = (uint64_t)tgid * 1000000000ULL + 999999999ULL;
	snprintf(t.comm, sizeof(t.comm), "live%u", tgid);
	t.c.tcpsndpacks = tgid + 1;
	t.c.tcpsndbytes = tgid + 2;
	t.c.tcprcvpacks = tgid + 3;
	t.c.tcprcvbytes = tgid + 4;
	t.c.udpsndpacks = tgid + 5;
	t.c.udpsndbytes = tgid + 6;
	t.c.udprcvpacks = tgid + 7;
	t.c.udprcvbytes = tgid + 8;
	return t;
}

static void assert_terminator(const struct netpertask *t)
{
	struct netpertask zero;

	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(t->id, 0);
	ck_assert_mem_eq(t, &zero, sizeof(zero));
}

/* Exited first so that a live process reusing the pid overrides them in atop's hash. */
START_TEST(test_order)
{
	struct nt_exited e;
	struct nt_task_record live[3];
	struct netpertask want, r101 = exited_rec(101), r102 = exited_rec(102);
	struct nt_reply *r;

	nt_exited_init(&e, 900, 100);
	nt_exited_add(&e, &r101, 10);
	nt_exited_add(&e, &r102, 11);
	live[0] = live_rec(201);
	live[1] = live_rec(202);
	live[2] = live_rec(101);	/* pid reused by a live process */

	r = nt_reply_build(&e, live, 3, EPOCH);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->refs, 1);
	ck_assert_uint_eq(r->nrecords, 6);
	ck_assert_uint_eq(r->len, 6 * sizeof(struct netpertask));
	ck_assert_uint_eq(r->exited_seq, 2);

	ck_assert_int_eq(r->rec[0].id, 101);
	ck_assert_str_eq(r->rec[0].command, "gone101");
	ck_assert_uint_eq(r->rec[0].btime, 1600000101UL);
	ck_assert_uint_eq(r->rec[0].tc.tcpsndbytes, 1101);
	ck_assert_uint_eq(r->rec[0].tc.udprcvpacks, 2101);
	ck_assert_int_eq(r->rec[1].id, 102);
	ck_assert_str_eq(r->rec[1].command, "gone102");

	nt_record_encode(&want, &live[0], EPOCH);
	ck_assert_mem_eq(&r->rec[2], &want, sizeof(want));
	nt_record_encode(&want, &live[1], EPOCH);
	ck_assert_mem_eq(&r->rec[3], &want, sizeof(want));
	nt_record_encode(&want, &live[2], EPOCH);
	ck_assert_mem_eq(&r->rec[4], &want, sizeof(want));
	ck_assert_int_eq(r->rec[4].id, 101);
	ck_assert_str_eq(r->rec[4].command, "live101");
	ck_assert_uint_eq(r->rec[4].btime, EPOCH + 101);
	ck_assert_uint_eq(r->rec[4].tc.udprcvbytes, 109);

	assert_terminator(&r->rec[5]);
	nt_reply_put(r);
	nt_exited_free(&e);
}
END_TEST

/* A zero tgid would look like the terminator and end atop's read early. */
START_TEST(test_skips_tgid_zero)
{
	struct nt_exited e;
	struct nt_task_record live[5];
	struct nt_reply *r;

	nt_exited_init(&e, 900, 100);
	live[0] = live_rec(0);
	live[1] = live_rec(7);
	live[2] = live_rec(0);
	live[3] = live_rec(0);
	live[4] = live_rec(9);

	r = nt_reply_build(&e, live, 5, EPOCH);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nrecords, 3);
	ck_assert_uint_eq(r->len, 3 * sizeof(struct netpertask));
	ck_assert_int_eq(r->rec[0].id, 7);
	ck_assert_str_eq(r->rec[0].command, "live7");
	ck_assert_int_eq(r->rec[1].id, 9);
	assert_terminator(&r->rec[2]);
	nt_reply_put(r);

	r = nt_reply_build(&e, live, 1, EPOCH);
	ck_assert_uint_eq(r->nrecords, 1);
	assert_terminator(&r->rec[0]);
	nt_reply_put(r);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_empty)
{
	struct nt_exited e;
	struct nt_reply *r;

	nt_exited_init(&e, 900, 100);
	r = nt_reply_build(&e, NULL, 0, EPOCH);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->refs, 1);
	ck_assert_uint_eq(r->nrecords, 1);
	ck_assert_uint_eq(r->len, sizeof(struct netpertask));
	ck_assert_uint_eq(r->exited_seq, 0);
	assert_terminator(&r->rec[0]);
	nt_reply_put(r);
	nt_exited_free(&e);
}
END_TEST

/* exited_seq is what a client acks once it has the whole reply: pruned records count too. */
START_TEST(test_exited_seq_after_prune)
{
	struct nt_exited e;
	struct netpertask x;
	struct nt_reply *r;
	pid_t i;

	nt_exited_init(&e, 0, 100);
	for (i = 1; i <= 5; i++) {
		x = exited_rec(i);
		nt_exited_add(&e, &x, 0);
	}
	nt_exited_prune(&e, 0, 3);
	ck_assert_uint_eq(nt_exited_count(&e), 2);

	r = nt_reply_build(&e, NULL, 0, EPOCH);
	ck_assert_uint_eq(r->exited_seq, 5);
	ck_assert_uint_eq(r->exited_seq, e.last_seq);
	ck_assert_uint_eq(r->nrecords, 3);
	ck_assert_int_eq(r->rec[0].id, 4);
	ck_assert_int_eq(r->rec[1].id, 5);
	assert_terminator(&r->rec[2]);
	nt_reply_put(r);

	/* everything pruned: no exited record, but the seq still moves the acks forward */
	nt_exited_prune(&e, 0, UINT64_MAX);
	r = nt_reply_build(&e, NULL, 0, EPOCH);
	ck_assert_uint_eq(r->exited_seq, 5);
	ck_assert_uint_eq(r->nrecords, 1);
	nt_reply_put(r);
	nt_exited_free(&e);
}
END_TEST

/* Many records, exited ones spanning the end of the ring: the reply keeps exit order. */
START_TEST(test_large_wrapped)
{
	enum { NLIVE = 3000 };
	static struct nt_task_record live[NLIVE];
	struct nt_exited e;
	struct netpertask x;
	struct nt_reply *r;
	size_t i, k, nexited;
	pid_t id;

	nt_exited_init(&e, 0, 100000);
	for (id = 1; id <= 60; id++) {
		x = exited_rec(id);
		nt_exited_add(&e, &x, 0);
	}
	nt_exited_prune(&e, 0, 50);
	for (id = 61; id <= 100; id++) {
		x = exited_rec(id);
		nt_exited_add(&e, &x, 0);
	}
	nexited = nt_exited_count(&e);
	ck_assert_uint_eq(nexited, 50);
	ck_assert_uint_gt(e.head + e.count, e.cap);

	for (i = 0; i < NLIVE; i++)
		live[i] = live_rec((uint32_t)(i % 7 == 3 ? 0 : 100000 + i));

	r = nt_reply_build(&e, live, NLIVE, EPOCH);
	ck_assert_ptr_nonnull(r);
	for (i = 0; i < nexited; i++)
		if (r->rec[i].id != (pid_t)(51 + i))
			ck_abort_msg("exited record %zu has id %d", i, (int)r->rec[i].id);
	k = nexited;
	for (i = 0; i < NLIVE; i++) {
		if (i % 7 == 3)
			continue;
		if (r->rec[k].id != (pid_t)(100000 + i))
			ck_abort_msg("record %zu has id %d, expected %zu", k, (int)r->rec[k].id, 100000 + i);
		k++;
	}
	ck_assert_uint_eq(r->nrecords, k + 1);
	ck_assert_uint_eq(r->len, (k + 1) * sizeof(struct netpertask));
	assert_terminator(&r->rec[k]);
	for (i = 0; i < k; i++)
		if (r->rec[i].id == 0)
			ck_abort_msg("record %zu ends the reply early", i);
	nt_reply_put(r);
	nt_exited_free(&e);
}
END_TEST

/* Clients asking in the same iteration share one reply; it goes with the last of them. */
START_TEST(test_refcount)
{
	struct nt_exited e;
	struct nt_task_record live = live_rec(33);
	struct nt_reply *r;

	nt_exited_init(&e, 900, 100);
	r = nt_reply_build(&e, &live, 1, EPOCH);
	ck_assert_uint_eq(r->refs, 1);
	ck_assert_ptr_eq(nt_reply_get(r), r);
	ck_assert_uint_eq(r->refs, 2);
	ck_assert_ptr_eq(nt_reply_get(r), r);
	ck_assert_uint_eq(r->refs, 3);

	nt_reply_put(r);
	ck_assert_uint_eq(r->refs, 2);
	nt_reply_put(r);
	ck_assert_uint_eq(r->refs, 1);
	/* still readable by its last holder */
	ck_assert_int_eq(r->rec[0].id, 33);
	ck_assert_uint_eq(r->nrecords, 2);
	nt_reply_put(r);	/* freed here: valgrind reports a leak or a bad read otherwise */

	nt_reply_put(NULL);
	nt_exited_free(&e);
}
END_TEST

/* The reply is a snapshot: later changes to the exited ring do not show in it. */
START_TEST(test_snapshot_independent)
{
	struct nt_exited e;
	struct netpertask x = exited_rec(5);
	struct nt_reply *r;

	nt_exited_init(&e, 0, 100);
	nt_exited_add(&e, &x, 0);
	r = nt_reply_build(&e, NULL, 0, EPOCH);
	nt_exited_prune(&e, 0, UINT64_MAX);
	x = exited_rec(6);
	nt_exited_add(&e, &x, 0);
	nt_exited_free(&e);
	ck_assert_uint_eq(r->nrecords, 2);
	ck_assert_int_eq(r->rec[0].id, 5);
	ck_assert_str_eq(r->rec[0].command, "gone5");
	ck_assert_uint_eq(r->exited_seq, 1);
	nt_reply_put(r);
}
END_TEST

/* A fake holder: pid 102 is taken by "newcomer", 103 by one that may still be the exiting one. */
static unsigned int holder_calls;

static int fake_holder(void *ctx, pid_t pid, struct netpertask *now)
{
	(void)ctx;
	holder_calls++;
	memset(now, 0, sizeof(*now));
	now->id = pid;
	snprintf(now->command, sizeof(now->command), "newcomer");
	now->tc.tcpsndbytes = 77;	/* whatever it says: the record carries zeros */
	if (pid == 102)
		return 1;
	if (pid == 103)
		return NT_PID_HELD_UNSURE;
	return 0;
}

/*
 * A client that has had a reused pid's exited record gets the live
 * process with zero counters instead; one that has not, the record.
 */
/* A pid found free is not asked about again until the kernel hands out a new pid. */
START_TEST(test_free_pid_asked_once_per_generation)
{
	struct netpertask r101 = exited_rec(101);
	struct nt_exited e;

	nt_exited_init(&e, 900, 100);
	nt_exited_add(&e, &r101, 10);
	holder_calls = 0;
	ck_assert_uint_eq(nt_exited_find_reused(&e, 1, 10, 5, fake_holder, NULL), 0);
	ck_assert_uint_eq(holder_calls, 1);
	ck_assert_uint_eq(nt_exited_find_reused(&e, 1, 11, 5, fake_holder, NULL), 0);
	ck_assert_uint_eq(holder_calls, 1);
	ck_assert_uint_eq(nt_exited_find_reused(&e, 1, 12, 6, fake_holder, NULL), 0);
	ck_assert_uint_eq(holder_calls, 2);
	/* an unknown generation always asks */
	ck_assert_uint_eq(nt_exited_find_reused(&e, 1, 13, 0, fake_holder, NULL), 0);
	ck_assert_uint_eq(holder_calls, 3);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_reused_pid)
{
	struct netpertask r101 = exited_rec(101), r102 = exited_rec(102), r103 = exited_rec(103);
	struct nt_reply *none, *had1, *had2;
	struct nt_exited e;

	nt_exited_init(&e, 900, 100);
	nt_exited_add(&e, &r101, 10);
	nt_exited_add(&e, &r102, 10);
	nt_exited_add(&e, &r103, 10);

	/* nobody has had them: not even looked at */
	holder_calls = 0;
	ck_assert_uint_eq(nt_exited_find_reused(&e, 0, 10, 0, fake_holder, NULL), 0);
	ck_assert_uint_eq(holder_calls, 0);
	/* had up to 102: 102 is taken; 103 is not looked at yet */
	ck_assert_uint_eq(nt_exited_find_reused(&e, 2, 10, 0, fake_holder, NULL), 1);
	ck_assert_uint_eq(holder_calls, 2);
	/* 103 may still be the one exiting: only once its exit is settled */
	ck_assert_uint_eq(nt_exited_find_reused(&e, 3, 10 + NT_EXITED_SETTLED_S - 1, 0, fake_holder, NULL), 1);
	ck_assert_uint_eq(nt_exited_find_reused(&e, 3, 10 + NT_EXITED_SETTLED_S, 0, fake_holder, NULL), 2);
	/* found once, never asked again */
	holder_calls = 0;
	ck_assert_uint_eq(nt_exited_find_reused(&e, 3, 100, 0, fake_holder, NULL), 2);
	ck_assert_uint_eq(holder_calls, 1);	/* 101 only */

	none = nt_reply_build_for(&e, NULL, 0, EPOCH, 0);
	had1 = nt_reply_build_for(&e, NULL, 0, EPOCH, 2);
	had2 = nt_reply_build_for(&e, NULL, 0, EPOCH, 3);
	ck_assert_ptr_nonnull(none);
	ck_assert_ptr_nonnull(had1);
	ck_assert_ptr_nonnull(had2);
	ck_assert_mem_eq(&none->rec[1], &r102, sizeof(r102));
	ck_assert_mem_eq(&none->rec[2], &r103, sizeof(r103));
	ck_assert_mem_eq(&had1->rec[0], &r101, sizeof(r101));
	ck_assert_int_eq(had1->rec[1].id, 102);
	ck_assert_str_eq(had1->rec[1].command, "newcomer");
	ck_assert_uint_eq(had1->rec[1].tc.tcpsndbytes, 0);
	ck_assert_mem_eq(&had1->rec[2], &r103, sizeof(r103));
	ck_assert_int_eq(had2->rec[2].id, 103);
	ck_assert_uint_eq(had2->rec[2].tc.udprcvpacks, 0);
	/* same reused records at or below: the same reply */
	ck_assert_uint_eq(nt_reply_variant(&e, 0), 0);
	ck_assert_uint_eq(nt_reply_variant(&e, 1), 0);
	ck_assert_uint_eq(nt_reply_variant(&e, 2), 1);
	ck_assert_uint_eq(nt_reply_variant(&e, 3), 2);
	nt_reply_put(none);
	nt_reply_put(had1);
	nt_reply_put(had2);
	nt_exited_free(&e);
}
END_TEST

static Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_skips_tgid_zero);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_exited_seq_after_prune);
	tcase_add_test(tc, test_large_wrapped);
	tcase_add_test(tc, test_refcount);
	tcase_add_test(tc, test_snapshot_independent);
	tcase_add_test(tc, test_reused_pid);
	tcase_add_test(tc, test_free_pid_asked_once_per_generation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(reply_suite());
}
