// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exited.h"
#include "protocol.h"
#include "run_suite.h"

static struct netpertask mkrec(pid_t id)
{
	struct netpertask r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.btime = 1000000UL + (unsigned long)id;
	snprintf(r.command, sizeof(r.command), "p%d", (int)id);
	r.tc.tcpsndbytes = (unsigned long long)id * 10;
	r.tc.udprcvbytes = (unsigned long long)id * 7;
	return r;
}

static void add(struct nt_exited *e, pid_t id, time_t now)
{
	struct netpertask r = mkrec(id);

	if (nt_exited_add(e, &r, now) != 0)
		ck_abort_msg("cannot add record %d", (int)id);
}

START_TEST(test_init)
{
	struct nt_exited e;

	memset(&e, 0xff, sizeof(e));
	ck_assert_int_eq(nt_exited_init(&e, 900, 100), 0);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	ck_assert_uint_eq(e.last_seq, 0);
	ck_assert_uint_eq(e.evicted, 0);
	ck_assert_int_eq(e.keep_seconds, 900);
	ck_assert_uint_eq(e.max_records, 100);
	/* pruning nothing is harmless */
	nt_exited_prune(&e, 100000, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	nt_exited_free(&e);
	ck_assert_ptr_null(e.ring);
	ck_assert_uint_eq(e.count, 0);
}
END_TEST

/* A limit of 0 would make every add evict itself: it means 1. */
START_TEST(test_init_zero_max)
{
	struct nt_exited e;

	nt_exited_init(&e, 0, 0);
	ck_assert_uint_eq(e.max_records, 1);
	add(&e, 1, 0);
	add(&e, 2, 0);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 2);
	ck_assert_uint_eq(e.evicted, 1);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_add_seq_and_copy)
{
	struct nt_exited e;
	struct netpertask r;
	uint64_t i;

	nt_exited_init(&e, 10, 100);
	add(&e, 11, 50);
	add(&e, 12, 51);
	add(&e, 13, 51);
	ck_assert_uint_eq(e.last_seq, 3);
	ck_assert_uint_eq(nt_exited_count(&e), 3);
	for (i = 0; i < 3; i++) {
		const struct nt_exited_entry *x = nt_exited_at(&e, i);

		r = mkrec((pid_t)(11 + i));
		ck_assert_uint_eq(x->seq, i + 1);
		ck_assert_int_eq(x->rec.id, r.id);
		ck_assert_uint_eq(x->rec.btime, r.btime);
		ck_assert_str_eq(x->rec.command, r.command);
		ck_assert_uint_eq(x->rec.tc.tcpsndbytes, r.tc.tcpsndbytes);
		ck_assert_uint_eq(x->rec.tc.udprcvbytes, r.tc.udprcvbytes);
	}
	ck_assert_int_eq(nt_exited_at(&e, 0)->when, 50);
	ck_assert_int_eq(nt_exited_at(&e, 1)->when, 51);
	ck_assert_uint_eq(e.evicted, 0);
	nt_exited_free(&e);
}
END_TEST

/* A client that has not had a record keeps it, however old. */
START_TEST(test_unacked_stays_when_old)
{
	struct nt_exited e;

	nt_exited_init(&e, 10, 100);
	add(&e, 1, 0);
	add(&e, 2, 0);
	add(&e, 3, 0);

	nt_exited_prune(&e, 1000000, 0);
	ck_assert_uint_eq(nt_exited_count(&e), 3);

	/* acked_by_all == seq: that one was delivered to everyone */
	nt_exited_prune(&e, 1000000, 1);
	ck_assert_uint_eq(nt_exited_count(&e), 2);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 2);

	nt_exited_prune(&e, 1000000, 2);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 3);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 3);
	ck_assert_uint_eq(e.evicted, 0);
	nt_exited_free(&e);
}
END_TEST

/* A client polling every keep_seconds must still find what exited meanwhile. */
START_TEST(test_young_stays_when_acked)
{
	struct nt_exited e;

	nt_exited_init(&e, 10, 100);
	add(&e, 1, 100);
	add(&e, 2, 105);

	nt_exited_prune(&e, 100, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 2);
	nt_exited_prune(&e, 109, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 2);

	/* exactly keep_seconds old: old enough */
	nt_exited_prune(&e, 110, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 2);

	nt_exited_prune(&e, 114, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	nt_exited_prune(&e, 115, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_goes_when_acked_and_old)
{
	struct nt_exited e;

	nt_exited_init(&e, 10, 100);
	add(&e, 1, 0);
	add(&e, 2, 0);
	add(&e, 3, 20);

	/* old enough but only seq 1 delivered */
	nt_exited_prune(&e, 15, 1);
	ck_assert_uint_eq(nt_exited_count(&e), 2);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 2);

	/* all delivered, but seq 3 too young */
	nt_exited_prune(&e, 15, 3);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 3);

	nt_exited_prune(&e, 30, 2);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	nt_exited_prune(&e, 30, 3);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	ck_assert_uint_eq(e.last_seq, 3);
	nt_exited_free(&e);
}
END_TEST

/* Prune takes the oldest first and stops at the first record it must keep. */
START_TEST(test_prune_only_a_prefix)
{
	struct nt_exited e;

	nt_exited_init(&e, 5, 100);
	add(&e, 1, 0);
	add(&e, 2, 4);
	add(&e, 3, 4);
	add(&e, 4, 9);
	nt_exited_prune(&e, 8, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 3);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 2);
	ck_assert_int_eq(nt_exited_at(&e, 1)->rec.id, 3);
	ck_assert_int_eq(nt_exited_at(&e, 2)->rec.id, 4);
	nt_exited_prune(&e, 9, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 4);
	nt_exited_free(&e);

	/* an old record behind a young one waits for it */
	nt_exited_init(&e, 5, 100);
	add(&e, 1, 5);
	add(&e, 2, 0);
	nt_exited_prune(&e, 6, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 2);
	nt_exited_prune(&e, 10, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_keep0_all_acked_empties)
{
	struct nt_exited e;
	pid_t i;

	nt_exited_init(&e, 0, 1000);
	for (i = 1; i <= 300; i++)
		add(&e, i, 7);
	ck_assert_uint_eq(nt_exited_count(&e), 300);
	nt_exited_prune(&e, 7, UINT64_MAX);
	ck_assert_uint_eq(nt_exited_count(&e), 0);
	ck_assert_uint_eq(e.last_seq, 300);

	/* seq keeps counting after the ring emptied: clients compare against it */
	add(&e, 301, 8);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 301);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 301);
	ck_assert_uint_eq(e.evicted, 0);
	nt_exited_free(&e);
}
END_TEST

START_TEST(test_max_records_evicts_oldest)
{
	struct nt_exited e;
	pid_t i;

	nt_exited_init(&e, 900, 3);
	for (i = 1; i <= 5; i++)
		add(&e, i, 0);
	ck_assert_uint_eq(nt_exited_count(&e), 3);
	ck_assert_uint_eq(e.evicted, 2);
	ck_assert_uint_eq(e.last_seq, 5);
	ck_assert_uint_eq(nt_exited_at(&e, 0)->seq, 3);
	ck_assert_uint_eq(nt_exited_at(&e, 1)->seq, 4);
	ck_assert_uint_eq(nt_exited_at(&e, 2)->seq, 5);
	ck_assert_int_eq(nt_exited_at(&e, 0)->rec.id, 3);
	ck_assert_int_eq(nt_exited_at(&e, 2)->rec.id, 5);

	/* pruning does not count as eviction */
	nt_exited_prune(&e, 900, 4);
	ck_assert_uint_eq(nt_exited_count(&e), 1);
	ck_assert_uint_eq(e.evicted, 2);
	nt_exited_free(&e);
}
END_TEST

/* The limit holds across growth: the ring must not grow past what the cap needs. */
START_TEST(test_max_records_large)
{
	struct nt_exited e;
	pid_t i;

	nt_exited_init(&e, 900, 1000);
	for (i = 1; i <= 5000; i++) {
		add(&e, i, i);
		ck_assert_uint_le(nt_exited_count(&e), 1000);
	}
	ck_assert_uint_eq(nt_exited_count(&e), 1000);
	ck_assert_uint_eq(e.evicted, 4000);
	ck_assert_uint_eq(e.last_seq, 5000);
	ck_assert_uint_le(e.cap, 1024);
	for (i = 0; i < 1000; i++) {
		ck_assert_uint_eq(nt_exited_at(&e, (size_t)i)->seq, 4001 + (uint64_t)i);
		ck_assert_int_eq(nt_exited_at(&e, (size_t)i)->rec.id, 4001 + i);
	}
	nt_exited_free(&e);
}
END_TEST

/*
 * Against a plain array model: random adds and prunes make the ring grow
 * while its head is not at slot 0 and wrap around many times.
 */
struct model_entry {
	uint64_t seq;
	time_t when;
	pid_t id;
};

struct model {
	struct model_entry *v;
	size_t n, max;
	uint64_t last_seq, evicted;
	time_t keep;
};

static void model_add(struct model *m, pid_t id, time_t now)
{
	m->last_seq++;
	if (m->n >= m->max) {
		memmove(m->v, m->v + 1, (m->n - 1) * sizeof(*m->v));
		m->n--;
		m->evicted++;
	}
	m->v[m->n].seq = m->last_seq;
	m->v[m->n].when = now;
	m->v[m->n].id = id;
	m->n++;
}

static void model_prune(struct model *m, time_t now, uint64_t acked)
{
	size_t k = 0;

	while (k < m->n && m->v[k].seq <= acked && now - m->v[k].when >= m->keep)
		k++;
	memmove(m->v, m->v + k, (m->n - k) * sizeof(*m->v));
	m->n -= k;
}

/*
 * Plain comparisons in the loop: every passing ck_assert records a mark
 * point, which would make thousands of steps slow under valgrind.
 */
static void model_compare(const struct model *m, const struct nt_exited *e, unsigned int step)
{
	size_t i;

	if (nt_exited_count(e) != m->n)
		ck_abort_msg("step %u: count %zu, model %zu", step, nt_exited_count(e), m->n);
	if (e->last_seq != m->last_seq || e->evicted != m->evicted)
		ck_abort_msg("step %u: last_seq %llu evicted %llu, model %llu %llu", step,
			     (unsigned long long)e->last_seq, (unsigned long long)e->evicted,
			     (unsigned long long)m->last_seq, (unsigned long long)m->evicted);
	if ((e->cap & (e->cap - 1)) != 0 || e->count > e->cap)
		ck_abort_msg("step %u: cap %zu count %zu", step, e->cap, e->count);
	for (i = 0; i < m->n; i++) {
		const struct nt_exited_entry *x = nt_exited_at(e, i);
		struct netpertask r = mkrec(m->v[i].id);

		if (x->seq != m->v[i].seq || x->when != m->v[i].when ||
		    memcmp(&x->rec, &r, sizeof(r)) != 0)
			ck_abort_msg("step %u, entry %zu: seq %llu id %d when %ld, model seq %llu id %d when %ld",
				     step, i, (unsigned long long)x->seq, (int)x->rec.id, (long)x->when,
				     (unsigned long long)m->v[i].seq, (int)m->v[i].id, (long)m->v[i].when);
	}
}

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static void run_model(size_t max, time_t keep, uint32_t seed)
{
	struct nt_exited e;
	struct model m = { .max = max, .keep = keep };
	bool wrapped = false, grew_offset = false;
	time_t now = 0;
	pid_t next_id = 1;
	unsigned int step;

	rng_state = seed;
	m.v = calloc(max, sizeof(*m.v));
	ck_assert_ptr_nonnull(m.v);
	nt_exited_init(&e, keep, max);
	for (step = 0; step < 4000; step++) {
		uint32_t nadd = rnd(4) == 0 ? rnd(200) : rnd(12);
		uint32_t i;

		now += (time_t)rnd(3);
		for (i = 0; i < nadd; i++) {
			size_t cap_before = e.cap, head_before = e.head;

			add(&e, next_id, now);
			model_add(&m, next_id, now);
			next_id++;
			if (cap_before && e.cap != cap_before && head_before != 0)
				grew_offset = true;
			if (e.count && e.head + e.count > e.cap)
				wrapped = true;
		}
		model_compare(&m, &e, step);

		/* some client lagging behind, all caught up, or nobody connected */
		{
			uint64_t acked;
			uint32_t kind = rnd(3);

			if (kind == 0 && m.n)
				acked = m.v[0].seq - 1 + rnd((uint32_t)m.n + 1);
			else if (kind == 1)
				acked = m.last_seq;
			else
				acked = UINT64_MAX;
			nt_exited_prune(&e, now, acked);
			model_prune(&m, now, acked);
		}
		model_compare(&m, &e, step);
	}
	ck_assert_msg(wrapped, "the ring never wrapped around: the test lost its point");
	/* small limits stop growth before the head has moved: test_wrap_then_grow covers them */
	if (max >= 1000)
		ck_assert_msg(grew_offset, "the ring never grew with head != 0");
	nt_exited_free(&e);
	free(m.v);
}

START_TEST(test_fifo_model)
{
	run_model(100000, 4, 1);
}
END_TEST

START_TEST(test_fifo_model_keep0)
{
	run_model(100000, 0, 7);
}
END_TEST

START_TEST(test_fifo_model_evicting)
{
	run_model(150, 6, 12345);
}
END_TEST

START_TEST(test_fifo_model_tiny)
{
	run_model(5, 2, 99);
}
END_TEST

/* Deterministic wrap-around: fill, drain half, refill past the end, then grow. */
START_TEST(test_wrap_then_grow)
{
	struct nt_exited e;
	pid_t i;

	nt_exited_init(&e, 0, 100000);
	for (i = 1; i <= 64; i++)
		add(&e, i, 0);
	ck_assert_uint_eq(e.cap, 64);
	nt_exited_prune(&e, 0, 40);
	ck_assert_uint_eq(nt_exited_count(&e), 24);
	ck_assert_uint_eq(e.head, 40);
	for (i = 65; i <= 104; i++)
		add(&e, i, 0);
	/* 24 + 40 = full again, now spanning the end of the array */
	ck_assert_uint_eq(e.cap, 64);
	ck_assert_uint_eq(nt_exited_count(&e), 64);
	add(&e, 105, 0);
	ck_assert_uint_eq(e.cap, 128);
	ck_assert_uint_eq(nt_exited_count(&e), 65);
	for (i = 0; i < 65; i++) {
		ck_assert_uint_eq(nt_exited_at(&e, (size_t)i)->seq, 41 + (uint64_t)i);
		ck_assert_int_eq(nt_exited_at(&e, (size_t)i)->rec.id, 41 + i);
	}
	nt_exited_free(&e);
}
END_TEST

static Suite *exited_suite(void)
{
	Suite *s = suite_create("exited");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_init_zero_max);
	tcase_add_test(tc, test_add_seq_and_copy);
	tcase_add_test(tc, test_unacked_stays_when_old);
	tcase_add_test(tc, test_young_stays_when_acked);
	tcase_add_test(tc, test_goes_when_acked_and_old);
	tcase_add_test(tc, test_prune_only_a_prefix);
	tcase_add_test(tc, test_keep0_all_acked_empties);
	tcase_add_test(tc, test_max_records_evicts_oldest);
	tcase_add_test(tc, test_max_records_large);
	tcase_add_test(tc, test_fifo_model);
	tcase_add_test(tc, test_fifo_model_keep0);
	tcase_add_test(tc, test_fifo_model_evicting);
	tcase_add_test(tc, test_fifo_model_tiny);
	tcase_add_test(tc, test_wrap_then_grow);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(exited_suite());
}
