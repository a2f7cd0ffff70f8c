// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "protocol.h"
#include "request.h"
#include "run_suite.h"

/* Never a literal 96: the request size follows the ABI, as atop's does. */
#define REQ sizeof(struct netpertask)

START_TEST(test_one_byte_then_rest)
{
	struct nt_request_state st = { 0 };

	ck_assert_uint_eq(nt_request_feed(&st, 1), 0);
	ck_assert_uint_eq(st.partial, 1);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_int_eq(nt_request_take(&st), 0);

	ck_assert_uint_eq(nt_request_feed(&st, REQ - 1), 1);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(st.pending, 1);
	ck_assert_int_eq(nt_request_take(&st), 1);
	ck_assert_int_eq(nt_request_take(&st), 0);
}
END_TEST

START_TEST(test_one_and_a_byte)
{
	struct nt_request_state st = { 0 };

	ck_assert_uint_eq(nt_request_feed(&st, REQ + 1), 1);
	ck_assert_uint_eq(st.partial, 1);
	ck_assert_uint_eq(st.pending, 1);

	/* the stray byte starts the next request */
	ck_assert_uint_eq(nt_request_feed(&st, REQ - 2), 0);
	ck_assert_uint_eq(st.partial, REQ - 1);
	ck_assert_uint_eq(nt_request_feed(&st, 1), 1);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(st.pending, 2);
}
END_TEST

START_TEST(test_exact)
{
	struct nt_request_state st = { 0 };

	ck_assert_uint_eq(nt_request_feed(&st, REQ), 1);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(nt_request_feed(&st, 3 * REQ), 3);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(st.pending, 4);
}
END_TEST

START_TEST(test_zero_bytes)
{
	struct nt_request_state st = { 0 };

	ck_assert_uint_eq(nt_request_feed(&st, 0), 0);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(st.pending, 0);
	nt_request_feed(&st, 5);
	ck_assert_uint_eq(nt_request_feed(&st, 0), 0);
	ck_assert_uint_eq(st.partial, 5);
	ck_assert_uint_eq(st.pending, 0);
}
END_TEST

/* The partial bytes and the new ones together may complete several requests. */
START_TEST(test_partial_completes_many)
{
	struct nt_request_state st = { 0 };

	nt_request_feed(&st, REQ - 1);
	ck_assert_uint_eq(nt_request_feed(&st, 2 * REQ + 1), 3);
	ck_assert_uint_eq(st.partial, 0);
	ck_assert_uint_eq(st.pending, 3);
}
END_TEST

START_TEST(test_one_mib)
{
	struct nt_request_state st = { 0 };
	size_t n = 1024 * 1024;

	ck_assert_uint_eq(nt_request_feed(&st, n), n / REQ);
	ck_assert_uint_eq(st.pending, n / REQ);
	ck_assert_uint_eq(st.partial, n % REQ);
#if __SIZEOF_LONG__ == 8
	ck_assert_uint_eq(st.pending, 10922);
	ck_assert_uint_eq(st.partial, 64);
#endif
}
END_TEST

START_TEST(test_take)
{
	struct nt_request_state st = { 0 };
	int i;

	nt_request_feed(&st, 3 * REQ + 10);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(nt_request_take(&st), 1);
		ck_assert_uint_eq(st.pending, (unsigned long)(2 - i));
	}
	/* never wraps below zero */
	ck_assert_int_eq(nt_request_take(&st), 0);
	ck_assert_int_eq(nt_request_take(&st), 0);
	ck_assert_uint_eq(st.pending, 0);
	/* taking leaves the partial request alone */
	ck_assert_uint_eq(st.partial, 10);
}
END_TEST

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

/* However a byte stream is split by recv(), the number of requests is total / size. */
START_TEST(test_random_splits)
{
	unsigned int round;

	rng_state = 2024;
	for (round = 0; round < 2000; round++) {
		struct nt_request_state st = { 0 };
		unsigned long done = 0, taken = 0;
		size_t total = 0;
		unsigned int chunks = 1 + rnd(60), i;

		for (i = 0; i < chunks; i++) {
			size_t n;

			switch (rnd(4)) {
			case 0:
				n = rnd(4);
				break;
			case 1:
				n = rnd((uint32_t)REQ * 2);
				break;
			case 2:
				n = REQ * rnd(5) + rnd(3);
				break;
			default:
				n = rnd(70000);
				break;
			}
			total += n;
			done += nt_request_feed(&st, n);
			if (st.partial >= REQ)
				ck_abort_msg("round %u: partial %zu not below %zu", round, st.partial, REQ);
			if (done != total / REQ || st.partial != total % REQ)
				ck_abort_msg("round %u after %zu bytes: %lu done, partial %zu", round,
					     total, done, st.partial);
			/* serving in between must not disturb the framing */
			while (rnd(3) == 0 && nt_request_take(&st))
				taken++;
		}
		while (nt_request_take(&st))
			taken++;
		if (taken != total / REQ || st.pending != 0)
			ck_abort_msg("round %u: %lu taken for %zu bytes", round, taken, total);
	}
}
END_TEST

static Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_byte_then_rest);
	tcase_add_test(tc, test_one_and_a_byte);
	tcase_add_test(tc, test_exact);
	tcase_add_test(tc, test_zero_bytes);
	tcase_add_test(tc, test_partial_completes_many);
	tcase_add_test(tc, test_one_mib);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_random_splits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(request_suite());
}
