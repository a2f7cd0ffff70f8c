// SPDX-License-Identifier: GPL-2.0-only
/* The exited records a restart hands over: whole, once, or not at all. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exited.h"
#include "exitsave.h"
#include "protocol.h"
#include "run_suite.h"

static char dir[] = "/tmp/check_exitsave.XXXXXX";
static char path[128];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/exited.state", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static void fill(struct nt_exited *e, int n)
{
	struct netpertask r;
	int i;

	nt_exited_init(e, 900, 1000);
	for (i = 1; i <= n; i++) {
		memset(&r, 0, sizeof(r));
		r.id = 100 + i;
		r.btime = 1700000000UL + (unsigned long)i;
		snprintf(r.command, sizeof(r.command), "p%d", i);
		r.tc.udpsndpacks = (unsigned long long)i;
		r.tc.udpsndbytes = (unsigned long long)i * 1000;
		nt_exited_add(e, &r, 10 + i);
	}
}

/* Flip one byte of the file at `off` from its end (negative) or start. */
static void damage(long off)
{
	FILE *f = fopen(path, "r+b");
	int c;

	ck_assert_ptr_nonnull(f);
	fseek(f, off, off < 0 ? SEEK_END : SEEK_SET);
	c = fgetc(f);
	fseek(f, -1, SEEK_CUR);
	fputc(c ^ 1, f);
	fclose(f);
}

START_TEST(test_roundtrip_once)
{
	struct nt_exited a, b;
	char err[256];
	size_t i;

	fill(&a, 5);
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	nt_exited_init(&b, 900, 1000);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 1000, err, sizeof(err)), 5);
	ck_assert_uint_eq(nt_exited_count(&b), 5);
	for (i = 0; i < 5; i++) {
		ck_assert_mem_eq(&nt_exited_at(&b, i)->rec, &nt_exited_at(&a, i)->rec, sizeof(struct netpertask));
		ck_assert_int_eq(nt_exited_at(&b, i)->when, nt_exited_at(&a, i)->when);
	}
	/* read once: a second daemon gets nothing */
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 1000, err, sizeof(err)), 0);
	ck_assert_uint_eq(nt_exited_count(&b), 5);
	nt_exited_free(&a);
	nt_exited_free(&b);
}
END_TEST

START_TEST(test_empty)
{
	struct nt_exited a, b;
	char err[256];

	fill(&a, 0);
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	nt_exited_init(&b, 900, 1000);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 1000, err, sizeof(err)), 0);
	ck_assert_uint_eq(nt_exited_count(&b), 0);
}
END_TEST

/* Whatever is wrong, nothing of it is taken, err says why, the file goes. */
static void expect_rejected(const char *why)
{
	struct nt_exited b;
	char err[256];

	nt_exited_init(&b, 900, 1000);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 1000, err, sizeof(err)), -1);
	ck_assert_uint_eq(nt_exited_count(&b), 0);
	ck_assert_msg(strstr(err, why) != NULL, "'%s' does not say '%s'", err, why);
	ck_assert_int_eq(access(path, F_OK), -1);
	nt_exited_free(&b);
}

START_TEST(test_rejects_damage)
{
	struct nt_exited a;
	char err[256];

	fill(&a, 3);
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	damage(-1);
	expect_rejected("checksum");
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	damage(0);
	expect_rejected("not a netatop state file");
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	damage(8);	/* the version */
	expect_rejected("another record layout");
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(truncate(path, 100), 0);
	expect_rejected("size");
	nt_exited_free(&a);
}
END_TEST

START_TEST(test_rejects_the_future)
{
	struct nt_exited a, b;
	char err[256];

	fill(&a, 3);
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	/* exits after "now": written in another boot's time, whatever the id says */
	nt_exited_init(&b, 900, 1000);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 5, err, sizeof(err)), -1);
	ck_assert_uint_eq(nt_exited_count(&b), 0);
	nt_exited_free(&a);
	nt_exited_free(&b);
}
END_TEST

START_TEST(test_rejects_more_than_max)
{
	struct nt_exited a, b;
	char err[256];

	fill(&a, 20);
	ck_assert_int_eq(nt_exitsave_write(path, &a, err, sizeof(err)), 0);
	nt_exited_init(&b, 900, 10);
	ck_assert_int_eq(nt_exitsave_read(path, &b, 1000, err, sizeof(err)), -1);
	ck_assert_uint_eq(nt_exited_count(&b), 0);
	nt_exited_free(&a);
	nt_exited_free(&b);
}
END_TEST

static Suite *exitsave_suite(void)
{
	Suite *s = suite_create("exitsave");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip_once);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_rejects_damage);
	tcase_add_test(tc, test_rejects_the_future);
	tcase_add_test(tc, test_rejects_more_than_max);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return nt_run_suite(exitsave_suite());
}
