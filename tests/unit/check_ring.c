// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring buffer reader against rings laid out as the kernel lays them
 * out: records in order, a record wrapping the end, one still being
 * written, discarded ones, a failing callback.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "run_suite.h"

#define BUSY (1u << 31)
#define DISCARD (1u << 30)

struct fake {
	unsigned long cons, prod;
	unsigned char data[1024] __attribute__((aligned(8)));
	size_t size;
	struct nt_ring r;
};

struct seen {
	int n;
	size_t len[16];
	unsigned char first[16], last[16];
	int fail_at;		/* callback returns -5 on this record (1-based), 0: never */
};

static void fake_init(struct fake *f, size_t size, unsigned long start)
{
	memset(f, 0, sizeof(*f));
	f->size = size;
	f->cons = f->prod = start;
	nt_ring_init(&f->r, &f->cons, &f->prod, f->data, size);
}

/* Append a record of len bytes of value `fill` with header flags; returns its position. */
static unsigned long put(struct fake *f, size_t len, unsigned char fill, unsigned int flags)
{
	unsigned long pos = f->prod;
	uint32_t hdr[2] = { (uint32_t)len | flags, 0 };
	size_t i;

	memcpy(f->data + (pos & (f->size - 1)), hdr, sizeof(hdr));
	for (i = 0; i < len; i++)
		f->data[(pos + 8 + i) & (f->size - 1)] = (unsigned char)(fill + i);
	f->prod += (8 + len + 7) & ~(size_t)7;
	return pos;
}

static int collect(void *ctx, const void *rec, size_t len)
{
	struct seen *s = ctx;
	const unsigned char *b = rec;

	ck_assert_int_lt(s->n, 16);
	if (s->fail_at && s->n + 1 == s->fail_at)
		return -5;
	s->len[s->n] = len;
	s->first[s->n] = b[0];
	s->last[s->n] = b[len - 1];
	/* a record arrives whole and in order: fill, fill+1, ... */
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_eq(b[i], (unsigned char)(b[0] + i));
	s->n++;
	return 0;
}

/* Everything committed is handed over, `want` records, and released. */
static void consume_all(struct fake *f, struct seen *s, int want)
{
	ck_assert_int_eq(nt_ring_consume(&f->r, collect, s), want);
	ck_assert_uint_eq(f->cons, f->prod);
}

START_TEST(test_records_in_order)
{
	struct fake f;
	struct seen s = { 0 };

	fake_init(&f, 256, 0);
	put(&f, 16, 10, 0);
	put(&f, 5, 40, 0);
	put(&f, 104, 70, 0);
	consume_all(&f, &s, 3);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_eq(s.len[0], 16);
	ck_assert_uint_eq(s.first[1], 40);
	ck_assert_uint_eq(s.len[2], 104);
	/* nothing new: nothing handed over again */
	ck_assert_int_eq(nt_ring_consume(&f.r, collect, &s), 0);
	ck_assert_int_eq(s.n, 3);
}
END_TEST

START_TEST(test_record_wrapping_the_end)
{
	struct fake f;
	struct seen s = { 0 };

	/* 8 bytes before the end: the header fits, all 104 data bytes wrap */
	fake_init(&f, 256, 1000 * 256 + 248);
	put(&f, 104, 1, 0);
	consume_all(&f, &s, 1);
	ck_assert_uint_eq(s.first[0], 1);
	ck_assert_uint_eq(s.last[0], 104);
	/* 40 bytes before the end: the data is split 32 / 72 */
	f.cons = f.prod = 1001 * 256 + 216;
	put(&f, 104, 3, 0);
	consume_all(&f, &s, 1);
	ck_assert_uint_eq(s.first[1], 3);
	ck_assert_uint_eq(s.last[1], 106);
}
END_TEST

START_TEST(test_stops_at_busy_record)
{
	struct fake f;
	struct seen s = { 0 };
	unsigned long busy;
	uint32_t len;

	fake_init(&f, 256, 0);
	put(&f, 16, 1, 0);
	busy = put(&f, 16, 2, BUSY);
	put(&f, 16, 3, 0);
	ck_assert_int_eq(nt_ring_consume(&f.r, collect, &s), 1);
	ck_assert_uint_eq(f.cons, busy);
	/* the kernel commits it: it and the next one come */
	len = 16;
	memcpy(f.data + (busy & 255), &len, sizeof(len));
	consume_all(&f, &s, 2);
	ck_assert_uint_eq(s.first[1], 2);
	ck_assert_uint_eq(s.first[2], 3);
}
END_TEST

START_TEST(test_discarded_and_oversized_skipped)
{
	struct fake f;
	struct seen s = { 0 };

	fake_init(&f, 1024, 0);
	put(&f, 16, 1, DISCARD);
	put(&f, NT_RING_MAX_RECORD + 8, 2, 0);
	put(&f, 24, 3, 0);
	consume_all(&f, &s, 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.first[0], 3);
}
END_TEST

START_TEST(test_callback_error_keeps_the_rest)
{
	struct fake f;
	struct seen s = { .fail_at = 2 };
	unsigned long second;

	fake_init(&f, 256, 0);
	put(&f, 16, 1, 0);
	second = put(&f, 16, 2, 0);
	put(&f, 16, 3, 0);
	ck_assert_int_eq(nt_ring_consume(&f.r, collect, &s), -5);
	/* the failed record is released too: retrying it would fail forever */
	ck_assert_uint_eq(f.cons, second + 24);
	s.fail_at = 0;
	ck_assert_int_eq(nt_ring_consume(&f.r, collect, &s), 1);
	ck_assert_uint_eq(s.first[1], 3);
}
END_TEST

START_TEST(test_unmapped_ring_is_empty)
{
	struct nt_ring r;
	struct seen s = { 0 };

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(nt_ring_consume(&r, collect, &s), 0);
	nt_ring_unmap(&r);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_records_in_order);
	tcase_add_test(tc, test_record_wrapping_the_end);
	tcase_add_test(tc, test_stops_at_busy_record);
	tcase_add_test(tc, test_discarded_and_oversized_skipped);
	tcase_add_test(tc, test_callback_error_keeps_the_rest);
	tcase_add_test(tc, test_unmapped_ring_is_empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(ring_suite());
}
