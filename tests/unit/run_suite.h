/* SPDX-License-Identifier: GPL-2.0-only */
/* main() of a Check suite: run it, exit 0 when every test passed. */
#ifndef NT_TEST_RUN_SUITE_H
#define NT_TEST_RUN_SUITE_H

#include <check.h>

static inline int nt_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}

#endif
