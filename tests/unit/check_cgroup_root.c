// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the cgroup v2 hierarchy's root in mountinfo: hybrid hosts,
 * pure v2 hosts, containers whose cgroup2 mount is a subtree, escaped
 * mount points, none at all.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_root.h"
#include "run_suite.h"

static int find(const char *text, char *path, size_t len)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	ck_assert_ptr_nonnull(fp);
	rc = nt_cgroup2_mountpoint(fp, path, len);
	fclose(fp);
	return rc;
}

START_TEST(test_hybrid)
{
	char path[256];

	ck_assert_int_eq(find("25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
			      "30 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
			      "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
			      "32 30 0:28 / /sys/fs/cgroup/cpu rw shared:11 - cgroup cgroup rw,cpu\n",
			      path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/sys/fs/cgroup/unified");
}
END_TEST

START_TEST(test_unified)
{
	char path[256];

	ck_assert_int_eq(find("35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n",
			      path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/sys/fs/cgroup");
}
END_TEST

/* A container sees its own subtree mounted: not the root, and only v1 cgroups here. */
START_TEST(test_subtree_and_v1_only)
{
	char path[256];

	ck_assert_int_eq(find("40 30 0:30 /system.slice/docker-1.scope /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			      path, sizeof(path)), -1);
	ck_assert_int_eq(find("32 30 0:28 / /sys/fs/cgroup/cpu rw shared:11 - cgroup cgroup rw,cpu\n",
			      path, sizeof(path)), -1);
	ck_assert_int_eq(find("", path, sizeof(path)), -1);
}
END_TEST

START_TEST(test_escapes_and_tags)
{
	char path[256];

	/* optional fields before the separator, a space in the mount point */
	ck_assert_int_eq(find("50 25 0:31 / /mnt/my\\040cgroups rw shared:3 master:1 - cgroup2 none rw\n",
			      path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/mnt/my cgroups");
}
END_TEST

/* The first root mount wins; a path longer than the buffer is skipped, not cut. */
START_TEST(test_first_and_too_long)
{
	char path[16];

	ck_assert_int_eq(find("1 0 0:1 / /a/very/long/mount/point rw - cgroup2 none rw\n"
			      "2 0 0:1 / /short rw - cgroup2 none rw\n"
			      "3 0 0:1 / /second rw - cgroup2 none rw\n",
			      path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/short");
}
END_TEST

/* Malformed lines are skipped. */
START_TEST(test_malformed)
{
	char path[256];

	ck_assert_int_eq(find("garbage - cgroup2\n - cgroup2 x y\n1 2 - cgroup2 none rw\n", path, sizeof(path)), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup_root");
	TCase *tc = tcase_create("mountinfo");

	tcase_add_test(tc, test_hybrid);
	tcase_add_test(tc, test_unified);
	tcase_add_test(tc, test_subtree_and_v1_only);
	tcase_add_test(tc, test_escapes_and_tags);
	tcase_add_test(tc, test_first_and_too_long);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
