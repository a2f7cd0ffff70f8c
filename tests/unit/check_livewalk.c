// SPDX-License-Identifier: GPL-2.0-only
/* How the live-record array of the process walk follows the process count. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "livewalk.h"
#include "run_suite.h"

START_TEST(test_fits_stays)
{
	ck_assert_uint_eq(nt_walk_slots_for(1024, 0), 1024);
	ck_assert_uint_eq(nt_walk_slots_for(1024, 1024), 1024);
	ck_assert_uint_eq(nt_walk_slots_for(16384, 10000), 16384);
}
END_TEST

START_TEST(test_grows_with_a_quarter_spare)
{
	ck_assert_uint_eq(nt_walk_slots_for(1024, 1025), 2048);
	ck_assert_uint_eq(nt_walk_slots_for(1024, 10000), 16384);
	/* 13,108 + a quarter is one past 16,384 */
	ck_assert_uint_eq(nt_walk_slots_for(1024, 13107), 16384);
	ck_assert_uint_eq(nt_walk_slots_for(1024, 13108), 32768);
}
END_TEST

START_TEST(test_limit)
{
	ck_assert_uint_eq(nt_walk_slots_for(1024, NT_WALK_MAX_SLOTS - 1), NT_WALK_MAX_SLOTS);
	ck_assert_uint_eq(nt_walk_slots_for(1024, NT_WALK_MAX_SLOTS), NT_WALK_MAX_SLOTS);
	ck_assert_uint_eq(nt_walk_slots_for(1024, NT_WALK_MAX_SLOTS + 1), 0);
	ck_assert_uint_eq(nt_walk_slots_for(NT_WALK_MAX_SLOTS, 1000000), 0);
}
END_TEST

START_TEST(test_shrinks_only_below_an_eighth)
{
	ck_assert_uint_eq(nt_walk_slots_for(32768, 4096), 32768);
	ck_assert_uint_eq(nt_walk_slots_for(32768, 4095), 8192);
	ck_assert_uint_eq(nt_walk_slots_for(32768, 0), NT_WALK_MIN_SLOTS);
	ck_assert_uint_eq(nt_walk_slots_for(2048, 10), NT_WALK_MIN_SLOTS);
}
END_TEST

/* Whatever the start, the answer holds the count, is a power of two within the limits, and is stable. */
START_TEST(test_every_count)
{
	size_t slots, seen, got;

	for (slots = NT_WALK_MIN_SLOTS; slots <= NT_WALK_MAX_SLOTS; slots *= 2)
		for (seen = 0; seen <= NT_WALK_MAX_SLOTS; seen += 97) {
			got = nt_walk_slots_for(slots, seen);
			ck_assert_uint_ge(got, seen);
			ck_assert_uint_ge(got, NT_WALK_MIN_SLOTS);
			ck_assert_uint_le(got, NT_WALK_MAX_SLOTS);
			ck_assert_uint_eq(got & (got - 1), 0);
			ck_assert_uint_eq(nt_walk_slots_for(got, seen), got);
		}
}
END_TEST

static Suite *livewalk_suite(void)
{
	Suite *s = suite_create("livewalk");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fits_stays);
	tcase_add_test(tc, test_grows_with_a_quarter_spare);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_shrinks_only_below_an_eighth);
	tcase_add_test(tc, test_every_count);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(livewalk_suite());
}
