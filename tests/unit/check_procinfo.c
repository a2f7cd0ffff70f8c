// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootepoch.h"
#include "procinfo.h"
#include "run_suite.h"

/* A /proc/PID/stat line with the given comm, state and start time. */
static void stat_text(char *buf, size_t len, const char *comm, char state, unsigned long long start)
{
	snprintf(buf, len,
		 "1234 (%s) %c 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 5000000 300 "
		 "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n",
		 comm, state, start);
}

START_TEST(test_stat)
{
	static const char *const comms[] = {
		"bash", "a b", "x) S 1 2 (", ")", "((", "tab\there", "", "fifteen-chars-x",
	};
	unsigned long long ticks;
	char buf[512], state;
	size_t i;

	for (i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		stat_text(buf, sizeof(buf), comms[i], 'S', 987654321ULL + i);
		ticks = 0;
		state = 0;
		ck_assert_msg(nt_parse_stat(buf, &state, &ticks) == 0, "comm '%s'", comms[i]);
		ck_assert_uint_eq(ticks, 987654321ULL + i);
		ck_assert_int_eq(state, 'S');
	}
	stat_text(buf, sizeof(buf), "z", 'Z', 5);
	ck_assert_int_eq(nt_parse_stat(buf, &state, &ticks), 0);
	ck_assert_int_eq(state, 'Z');
	ck_assert_uint_eq(ticks, 5);

	/* malformed: no ')', too few fields, not a number */
	ck_assert_int_eq(nt_parse_stat("1234 bash S 1 2 3", &state, &ticks), -1);
	ck_assert_int_eq(nt_parse_stat("1234 (bash) S 1 2 3\n", &state, &ticks), -1);
	ck_assert_int_eq(nt_parse_stat("1234 (bash)", &state, &ticks), -1);
	ck_assert_int_eq(nt_parse_stat("", &state, &ticks), -1);
	ck_assert_int_eq(nt_parse_stat("1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x12 0\n", &state, &ticks), -1);
	ck_assert_int_eq(nt_parse_stat("1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 0\n", &state, &ticks), -1);
	/* the field may end the text */
	ck_assert_int_eq(nt_parse_stat("1 (a) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77", &state, &ticks), 0);
	ck_assert_uint_eq(ticks, 77);
}
END_TEST

START_TEST(test_status)
{
	const char *text =
		"Name:\tnginx\n"
		"Umask:\t0022\n"
		"State:\tS (sleeping)\n"
		"Tgid:\t812\n"
		"Uid:\t0\t33\t33\t33\n"
		"Gid:\t0\t33\t33\t33\n"
		"Threads:\t4\n";
	unsigned long threads = 0;
	uid_t uid = 1;

	ck_assert_int_eq(nt_parse_status_uid(text, &uid), 0);
	ck_assert_uint_eq(uid, 33);	/* the effective one */
	ck_assert_int_eq(nt_parse_status_threads(text, &threads), 0);
	ck_assert_uint_eq(threads, 4);

	ck_assert_int_eq(nt_parse_status_uid("Uid:\t4294967294\t4294967294\t0\t0\n", &uid), 0);
	ck_assert_uint_eq(uid, 4294967294u);
	ck_assert_int_eq(nt_parse_status_uid("Name:\tx\n", &uid), -1);
	ck_assert_int_eq(nt_parse_status_uid("Uid:\t1000\n", &uid), -1);
	ck_assert_int_eq(nt_parse_status_uid("Uid:\t1000\tabc\n", &uid), -1);
	ck_assert_int_eq(nt_parse_status_uid("Uid:\t1\t99999999999\t0\t0\n", &uid), -1);
	ck_assert_int_eq(nt_parse_status_uid("", &uid), -1);
	/* "Uid:" only at the start of a line */
	ck_assert_int_eq(nt_parse_status_uid("Name:\tUid:\t5\t6\n", &uid), -1);
	ck_assert_int_eq(nt_parse_status_threads("Threads:\n", &threads), -1);
}
END_TEST

static const struct {
	const char *text;
	const char *want;
} cgroup_cases[] = {
	/* cgroup v2 */
	{ "0::/system.slice/nginx.service\n", "/system.slice/nginx.service" },
	{ "0::/\n", "/" },
	{ "0::/user.slice/user-1000.slice/session-3.scope", "/user.slice/user-1000.slice/session-3.scope" },
	/* hybrid: v2 has the unit */
	{ "12:memory:/system.slice/a.service\n1:name=systemd:/system.slice/a.service\n0::/system.slice/a.service\n",
	  "/system.slice/a.service" },
	/* hybrid where only v1's systemd hierarchy says where */
	{ "4:memory:/x\n1:name=systemd:/system.slice/b.service\n0::/\n", "/system.slice/b.service" },
	/* legacy v1 */
	{ "11:pids:/system.slice/c.service\n1:name=systemd:/system.slice/c.service\n", "/system.slice/c.service" },
	/* neither: the first line */
	{ "3:cpu,cpuacct:/docker/abc\n2:memory:/docker/abc\n", "/docker/abc" },
	/* junk lines are skipped */
	{ "garbage\n5:blkio\n0::/ok\n", "/ok" },
	/* a path with colons */
	{ "0::/a:b/c\n", "/a:b/c" },
};

START_TEST(test_cgroup)
{
	char out[NT_CGROUP_MAX];

	memset(out, 'Z', sizeof(out));
	ck_assert_int_eq(nt_parse_cgroup(cgroup_cases[_i].text, out, sizeof(out)), 0);
	ck_assert_str_eq(out, cgroup_cases[_i].want);
}
END_TEST

START_TEST(test_cgroup_bad_and_long)
{
	char out[16], big[600];

	ck_assert_int_eq(nt_parse_cgroup("", out, sizeof(out)), -1);
	ck_assert_int_eq(nt_parse_cgroup("nonsense\n", out, sizeof(out)), -1);
	ck_assert_int_eq(nt_parse_cgroup("0::\n", out, sizeof(out)), -1);
	ck_assert_int_eq(nt_parse_cgroup("0::/x\n", out, 0), -1);

	/* too long: "..." and the end, the unit name */
	ck_assert_int_eq(nt_parse_cgroup("0::/system.slice/nginx.service\n", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "...ginx.service");
	ck_assert_uint_eq(strlen(out), sizeof(out) - 1);
	ck_assert_int_eq(nt_parse_cgroup("0::/abcdefghijklmn\n", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/abcdefghijklmn");
	ck_assert_int_eq(nt_parse_cgroup("0::/abcdefghijklmno\n", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "...defghijklmno");
	ck_assert_int_eq(nt_parse_cgroup("0::/abcdef\n", out, 3), 0);
	ck_assert_str_eq(out, "ef");

	memset(big, 'a', sizeof(big));
	memcpy(big, "0::/", 4);
	memcpy(big + sizeof(big) - 13, "/end.service", 12);
	big[sizeof(big) - 1] = '\0';
	{
		char cg[NT_CGROUP_MAX];

		ck_assert_int_eq(nt_parse_cgroup(big, cg, sizeof(cg)), 0);
		ck_assert_uint_eq(strlen(cg), sizeof(cg) - 1);
		ck_assert_ptr_eq(strstr(cg, "..."), cg);
		ck_assert_str_eq(cg + strlen(cg) - 12, "/end.service");
	}
}
END_TEST

START_TEST(test_same_process)
{
	/* btime = boot + ticks / HZ, truncated; one second of slack either way */
	ck_assert(nt_procinfo_same_process(1000 + 12, 1234, 1000, 100));
	ck_assert(nt_procinfo_same_process(1000 + 13, 1234, 1000, 100));
	ck_assert(nt_procinfo_same_process(1000 + 11, 1234, 1000, 100));
	ck_assert(!nt_procinfo_same_process(1000 + 14, 1234, 1000, 100));
	ck_assert(!nt_procinfo_same_process(1000 + 10, 1234, 1000, 100));
	ck_assert(nt_procinfo_same_process(1000, 99, 1000, 100));
	ck_assert(!nt_procinfo_same_process(1000, 99, 1000, 0));
	ck_assert(nt_procinfo_same_process(1700000000, 0, 1700000000, 250));
}
END_TEST

/* ---------------------------------------------------------------- a /proc of our own */

static char root[64];

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_proc(const char *pid, char state, unsigned long long start, const char *status,
		      const char *cgroup)
{
	char path[256], buf[512];

	snprintf(path, sizeof(path), "%s/%s", root, pid);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	stat_text(buf, sizeof(buf), "proc", state, start);
	put_file(pid, "stat", buf);
	if (status)
		put_file(pid, "status", status);
	if (cgroup)
		put_file(pid, "cgroup", cgroup);
}

static void rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_read_fake_proc)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long boot = 1700000000;
	struct nt_procinfo pi;

	snprintf(root, sizeof(root), "/tmp/netatop-proc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	make_proc("100", 'S', 50ULL * (unsigned long long)hz, "Uid:\t1000\t1000\t1000\t1000\nThreads:\t1\n",
		  "0::/system.slice/web.service\n");
	make_proc("101", 'Z', 60ULL * (unsigned long long)hz, "Uid:\t0\t0\t0\t0\nThreads:\t1\n", "0::/\n");
	make_proc("102", 'Z', 70ULL * (unsigned long long)hz, "Uid:\t5\t5\t5\t5\nThreads:\t3\n", "0::/z\n");
	make_proc("103", 'R', 80ULL * (unsigned long long)hz, NULL, NULL);

	/* running, the same process */
	memset(&pi, 0x55, sizeof(pi));
	nt_procinfo_read(root, 100, boot + 50, boot, &pi);
	ck_assert(pi.alive);
	ck_assert(pi.have_uid);
	ck_assert_uint_eq(pi.uid, 1000);
	ck_assert(pi.have_cgroup);
	ck_assert_str_eq(pi.cgroup, "/system.slice/web.service");

	/* the pid is another process now: the record's has exited */
	nt_procinfo_read(root, 100, boot + 40, boot, &pi);
	ck_assert(!pi.alive);
	ck_assert(!pi.have_uid);
	ck_assert(!pi.have_cgroup);

	/* gone */
	nt_procinfo_read(root, 999, boot + 50, boot, &pi);
	ck_assert(!pi.alive);
	nt_procinfo_read(root, 0, boot, boot, &pi);
	ck_assert(!pi.alive);
	nt_procinfo_read(root, -5, boot, boot, &pi);
	ck_assert(!pi.alive);

	/* a zombie has exited... */
	nt_procinfo_read(root, 101, boot + 60, boot, &pi);
	ck_assert(!pi.alive);
	/* ...unless only its first thread has */
	nt_procinfo_read(root, 102, boot + 70, boot, &pi);
	ck_assert(pi.alive);
	ck_assert_uint_eq(pi.uid, 5);

	/* running, but status and cgroup unreadable */
	nt_procinfo_read(root, 103, boot + 80, boot, &pi);
	ck_assert(pi.alive);
	ck_assert(!pi.have_uid);
	ck_assert(!pi.have_cgroup);
	rm_tree();
}
END_TEST

START_TEST(test_read_self)
{
	unsigned long long ticks;
	struct nt_procinfo pi;
	unsigned long boot = nt_boot_epoch(), btime;
	char buf[4096], state;
	ssize_t n;
	int fd;

	ck_assert_uint_gt(boot, 0);
	fd = open("/proc/self/stat", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_int_eq(nt_parse_stat(buf, &state, &ticks), 0);
	btime = boot + (unsigned long)(ticks / (unsigned long long)sysconf(_SC_CLK_TCK));

	nt_procinfo_read("/proc", getpid(), btime, boot, &pi);
	ck_assert(pi.alive);
	ck_assert(pi.have_uid);
	ck_assert_uint_eq(pi.uid, geteuid());
	ck_assert(pi.have_cgroup);
	ck_assert_int_eq(pi.cgroup[0] == '/' || pi.cgroup[0] == '.', 1);
	/* a start time two seconds off is another process */
	nt_procinfo_read("/proc", getpid(), btime + 2, boot, &pi);
	ck_assert(!pi.alive);
}
END_TEST

static Suite *procinfo_suite(void)
{
	Suite *s = suite_create("procinfo");
	TCase *tc = tcase_create("parse");
	TCase *rd = tcase_create("read");

	tcase_add_test(tc, test_stat);
	tcase_add_test(tc, test_status);
	tcase_add_loop_test(tc, test_cgroup, 0, (int)(sizeof(cgroup_cases) / sizeof(cgroup_cases[0])));
	tcase_add_test(tc, test_cgroup_bad_and_long);
	tcase_add_test(tc, test_same_process);
	suite_add_tcase(s, tc);
	tcase_add_test(rd, test_read_fake_proc);
	tcase_add_test(rd, test_read_self);
	suite_add_tcase(s, rd);
	return s;
}

int main(void)
{
	return nt_run_suite(procinfo_suite());
}
