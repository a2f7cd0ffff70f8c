// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bootepoch.h"
#include "process.h"
#include "status.h"
#include "exitcodes.h"
#include "run_suite.h"

/*
 * One directory for the whole run, made and removed by main(): a failing
 * test ends its process early and could not clean up after itself.
 */
static char tmpdir[80];

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	nftw(tmpdir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static char *read_all(const char *path)
{
	static char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

/* ---------------------------------------------------------------- status in the pid file */

START_TEST(test_pidfile_write_format)
{
	struct nt_status st = { .backend = "tracepoint", .dropped_calls = 1,
				.dropped_exits = 22, .evicted_exited = 333 };
	char path[128];
	int fd;

	tmp_path(path, sizeof(path), "p.pid");
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(nt_pidfile_write(fd, 4242, &st), 0);
	/* start-stop-daemon and systemd read a pid on the first line */
	ck_assert_str_eq(read_all(path), "4242\nbackend tracepoint\ndropped_calls 1\n"
					 "dropped_exits 22\nevicted_exited 333\n");

	/* rewritten in place: a shorter status leaves nothing of the longer one */
	st.dropped_calls = st.dropped_exits = st.evicted_exited = 0;
	strcpy(st.backend, "x");
	ck_assert_int_eq(nt_pidfile_write(fd, 7, &st), 0);
	ck_assert_str_eq(read_all(path), "7\nbackend x\ndropped_calls 0\ndropped_exits 0\nevicted_exited 0\n");
	close(fd);
}
END_TEST

static void round_trip(const struct nt_status *in)
{
	struct nt_status out;
	char path[128];
	int fd;

	tmp_path(path, sizeof(path), "rt.pid");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(nt_pidfile_write(fd, 99, in), 0);
	close(fd);
	memset(&out, 0x5a, sizeof(out));
	ck_assert_int_eq(nt_status_read(path, &out), 0);
	ck_assert_str_eq(out.backend, in->backend);
	ck_assert_uint_eq(out.dropped_calls, in->dropped_calls);
	ck_assert_uint_eq(out.dropped_exits, in->dropped_exits);
	ck_assert_uint_eq(out.evicted_exited, in->evicted_exited);
	ck_assert_str_eq(out.counting, in->counting);
	{
		const struct taskcount none = { 0 };

		ck_assert_int_eq(memcmp(&out.unattributed, in->counting[0] ? &in->unattributed : &none,
					sizeof(out.unattributed)), 0);
	}
}

/* Wire counting's lines come after those older clients know, all eight totals or none. */
START_TEST(test_status_counting)
{
	struct nt_status st = { .backend = "tracepoint", .counting = "wire",
				.unattributed = { 1, 52, 2, 104, 0, 0, ULLONG_MAX, 7 } };
	struct nt_status out;

	round_trip(&st);
	snprintf(st.counting, sizeof(st.counting), "calls");
	round_trip(&st);
	ck_assert_int_eq(nt_status_parse("1\nbackend tracepoint\ncounting wire\nunattributed 1 2 3\n", &out), 0);
	ck_assert_str_eq(out.counting, "wire");
	ck_assert_uint_eq(out.unattributed.tcpsndpacks, 0);	/* short line: ignored */
	ck_assert_int_eq(nt_status_parse("1\nunattributed 1 2 3 4 5 6 7 8 9\n", &out), -1);
	ck_assert_int_eq(nt_status_parse("1\nunattributed 1 2 3 4 5 6 7 x\n", &out), -1);
	ck_assert_int_eq(nt_status_parse("1\ncounting muchtoolongmode\n", &out), -1);
	ck_assert_int_eq(nt_status_parse("1\nunattributed 1 2 3 4 5 6 7 8\n", &out), 0);
	ck_assert_uint_eq(out.unattributed.tcpsndpacks, 1);
	ck_assert_uint_eq(out.unattributed.udprcvbytes, 8);
}
END_TEST

START_TEST(test_status_round_trip)
{
	struct nt_status st = { .backend = "kprobe", .dropped_calls = 5,
				.dropped_exits = 6, .evicted_exited = 7 };

	round_trip(&st);
	st.dropped_calls = ULLONG_MAX;
	st.dropped_exits = ULLONG_MAX - 1;
	st.evicted_exited = 1ULL << 63;
	round_trip(&st);
	memset(st.backend, 'b', sizeof(st.backend) - 1);
	st.backend[sizeof(st.backend) - 1] = '\0';
	round_trip(&st);
}
END_TEST

/* A status published before the collector named its backend must read back as such. */
START_TEST(test_status_round_trip_empty_backend)
{
	struct nt_status st = { .backend = "", .dropped_calls = 5,
				.dropped_exits = 6, .evicted_exited = 7 };

	round_trip(&st);
}
END_TEST

START_TEST(test_status_parse)
{
	struct nt_status st;

	ck_assert_int_eq(nt_status_parse("1\nbackend fentry\ndropped_calls 3\n", &st), 0);
	ck_assert_str_eq(st.backend, "fentry");
	ck_assert_uint_eq(st.dropped_calls, 3);
	ck_assert_uint_eq(st.dropped_exits, 0);
	ck_assert_uint_eq(st.evicted_exited, 0);

	/* any order, unknown lines skipped, last line without its newline */
	ck_assert_int_eq(nt_status_parse("1\nfuture_field 8\nevicted_exited 4\nbackend k\ndropped_exits 2", &st), 0);
	ck_assert_str_eq(st.backend, "k");
	ck_assert_uint_eq(st.dropped_exits, 2);
	ck_assert_uint_eq(st.evicted_exited, 4);
	ck_assert_uint_eq(st.dropped_calls, 0);

	/* the first line is the pid, whatever it looks like */
	ck_assert_int_eq(nt_status_parse("dropped_calls 9\nbackend t\n", &st), 0);
	ck_assert_uint_eq(st.dropped_calls, 0);
	ck_assert_str_eq(st.backend, "t");
}
END_TEST

/*
 * A counter's value is a plain number on its own line: an empty value does
 * not take the next line's, and the counters only grow from 0.  Such a
 * line is skipped, as an unknown one is.
 */
START_TEST(test_status_parse_bad_counter)
{
	static const char *const keys[] = { "dropped_calls", "dropped_exits", "evicted_exited" };
	static const char *const values[] = {
		" \n7", " \t\n7", "\t\n7", " -1", " +5", " 18446744073709551616",
	};
	struct nt_status st;
	char text[128];
	size_t k, v;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			snprintf(text, sizeof(text), "1\nbackend t\n%s%s\n", keys[k], values[v]);
			ck_assert_int_eq(nt_status_parse(text, &st), 0);
			ck_assert_msg(st.dropped_calls == 0 && st.dropped_exits == 0 && st.evicted_exited == 0,
				      "%s, value #%zu: read as %llu %llu %llu", keys[k], v,
				      st.dropped_calls, st.dropped_exits, st.evicted_exited);
		}
	}
	/* nothing else: no status, and nothing stale */
	memset(&st, 0x5a, sizeof(st));
	ck_assert_int_eq(nt_status_parse("1\ndropped_calls -1\n", &st), -1);
	ck_assert_uint_eq(st.dropped_calls, 0);
	ck_assert_int_eq(nt_status_parse("1\nevicted_exited \n9", &st), -1);
	ck_assert_uint_eq(st.evicted_exited, 0);
}
END_TEST

/* A pid file from an older daemon, or none at all: no status, and nothing stale. */
START_TEST(test_status_parse_nothing)
{
	struct nt_status st;

	memset(&st, 0x5a, sizeof(st));
	ck_assert_int_eq(nt_status_parse("4242\n", &st), -1);
	ck_assert_str_eq(st.backend, "");
	ck_assert_uint_eq(st.dropped_calls, 0);
	ck_assert_int_eq(nt_status_parse("4242", &st), -1);
	ck_assert_int_eq(nt_status_parse("", &st), -1);
	ck_assert_int_eq(nt_status_parse("4242\n\n\n", &st), -1);
	ck_assert_int_eq(nt_status_parse("4242\nsomething else\n", &st), -1);
}
END_TEST

START_TEST(test_status_read_missing)
{
	struct nt_status st;
	char path[128];
	int fd;

	tmp_path(path, sizeof(path), "none.pid");
	ck_assert_int_eq(nt_status_read(path, &st), -1);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	close(fd);
	ck_assert_int_eq(nt_status_read(path, &st), -1);
}
END_TEST

/* ---------------------------------------------------------------- pid file lock */

START_TEST(test_pidfile_lock)
{
	struct nt_status st = { .backend = "tracepoint" };
	char path[128], err[256];
	int fd, fd2 = -1;

	tmp_path(path, sizeof(path), "lock.pid");
	ck_assert_int_eq(nt_pidfile_lock(path, &fd, err, sizeof(err)), NT_EXIT_OK);
	ck_assert_int_eq(nt_pidfile_write(fd, 31337, &st), 0);

	/* flock conflicts between open file descriptions, even in one process */
	err[0] = '\0';
	ck_assert_int_eq(nt_pidfile_lock(path, &fd2, err, sizeof(err)), NT_EXIT_RUNNING);
	ck_assert_int_eq(fd2, -1);
	ck_assert_msg(strstr(err, "31337") != NULL, "error does not name the running pid: %s", err);
	ck_assert_msg(strstr(err, path) != NULL, "error does not name the pid file: %s", err);

	close(fd);
	ck_assert_int_eq(nt_pidfile_lock(path, &fd2, err, sizeof(err)), NT_EXIT_OK);
	close(fd2);

	tmp_path(path, sizeof(path), "no/such/dir.pid");
	err[0] = '\0';
	ck_assert_int_eq(nt_pidfile_lock(path, &fd, err, sizeof(err)), NT_EXIT_SOCKET);
	ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

/* ---------------------------------------------------------------- listening socket */

static int bind_unix(const char *path, int listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (listening)
		ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

START_TEST(test_socket_listen)
{
	char path[128], err[256];
	struct stat sb;
	int fd, fd2;

	tmp_path(path, sizeof(path), "s");
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_OK);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	/* group access for atop run by a member, none for others */
	ck_assert_uint_eq(sb.st_mode & 0777, 0660);

	/* a second daemon must not steal the socket of a live one */
	err[0] = '\0';
	ck_assert_int_eq(nt_socket_listen(path, &fd2, err, sizeof(err)), NT_EXIT_RUNNING);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_int_eq(stat(path, &sb), 0);
	close(fd);
}
END_TEST

/* A daemon that died leaves its socket file: the next one replaces it. */
START_TEST(test_socket_listen_stale)
{
	char path[128], err[256];
	int fd, bound;

	tmp_path(path, sizeof(path), "stale");
	close(bind_unix(path, 1));
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_OK);
	close(fd);

	tmp_path(path, sizeof(path), "bound-not-listening");
	bound = bind_unix(path, 0);
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_OK);
	close(fd);
	close(bound);
}
END_TEST

START_TEST(test_socket_listen_not_a_socket)
{
	char path[128], err[256];
	int fd = -1, f;

	tmp_path(path, sizeof(path), "file");
	f = open(path, O_RDWR | O_CREAT, 0644);
	ck_assert_int_eq(write(f, "keep", 4), 4);
	close(f);
	err[0] = '\0';
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_SOCKET);
	ck_assert_ptr_nonnull(strstr(err, path));
	/* and it is left alone */
	ck_assert_str_eq(read_all(path), "keep");

	tmp_path(path, sizeof(path), "dir");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_SOCKET);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(test_socket_listen_too_long)
{
	char path[200], err[256];
	int fd = -1;

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[108] = '\0';
	err[0] = '\0';
	ck_assert_int_eq(nt_socket_listen(path, &fd, err, sizeof(err)), NT_EXIT_USAGE);
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_int_eq(fd, -1);
}
END_TEST

/* ---------------------------------------------------------------- sd_notify */

START_TEST(test_sd_notify)
{
	char path[128], buf[64];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	tmp_path(path, sizeof(path), "notify");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	setenv("NOTIFY_SOCKET", path, 1);
	nt_sd_notify("READY=1");
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_eq(n, 7);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "READY=1");

	/* not under systemd: nothing sent, nothing fails */
	unsetenv("NOTIFY_SOCKET");
	nt_sd_notify("READY=1");
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	nt_sd_notify("READY=1");
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), -1);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}
END_TEST

START_TEST(test_sd_notify_abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char name[64], buf[64];
	socklen_t len;
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "@netatop-unit-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, len), 0);

	setenv("NOTIFY_SOCKET", name, 1);
	nt_sd_notify("STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_eq(n, 10);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "STOPPING=1");
	close(fd);
}
END_TEST

/* ---------------------------------------------------------------- boot epoch */

START_TEST(test_parse_boot_epoch)
{
	static char big[200000];
	size_t i;

	ck_assert_uint_eq(nt_parse_boot_epoch("cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5 6 7\nctxt 9\n"
					      "btime 1700000000\nprocesses 5\n"), 1700000000UL);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime 42\n"), 42);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime 42"), 42);
	ck_assert_uint_eq(nt_parse_boot_epoch("ctxt 1\nbtime 7"), 7);
	ck_assert_uint_eq(nt_parse_boot_epoch("cpu 1\nprocesses 5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch(""), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch(NULL), 0);
	/* only a line that starts with the key */
	ck_assert_uint_eq(nt_parse_boot_epoch("xbtime 5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("intr 1 btime 5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btimes 5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime\n5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime abc\n"), 0);
#if __SIZEOF_LONG__ == 8
	ck_assert_uint_eq(nt_parse_boot_epoch("btime 4294967296\n"), 4294967296UL);
#endif

	/* the intr line of a large machine is far longer than any fixed buffer */
	i = (size_t)snprintf(big, sizeof(big), "intr");
	while (i < sizeof(big) - 64)
		i += (size_t)snprintf(big + i, sizeof(big) - i, " 12345");
	snprintf(big + i, sizeof(big) - i, "\nbtime 1234567890\n");
	ck_assert_uint_eq(nt_parse_boot_epoch(big), 1234567890UL);
}
END_TEST

/* Only the value on the btime line itself, and only a plain number. */
START_TEST(test_parse_boot_epoch_own_line)
{
	ck_assert_uint_eq(nt_parse_boot_epoch("btime \n5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("ctxt 1\nbtime \t\n1700000000\nprocesses 5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime -5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime +5\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime 99999999999999999999999\n"), 0);
	ck_assert_uint_eq(nt_parse_boot_epoch("btime  42\n"), 42);
}
END_TEST

START_TEST(test_boot_epoch)
{
	unsigned long epoch;

	if (access("/proc/stat", R_OK) != 0)
		return;
	epoch = nt_boot_epoch();
	/* after 2001 and not in the future */
	ck_assert_uint_gt(epoch, 1000000000UL);
	ck_assert_uint_le(epoch, (unsigned long)time(NULL));
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *st = tcase_create("status");
	TCase *fs = tcase_create("files");
	TCase *boot = tcase_create("bootepoch");

	tcase_add_test(st, test_pidfile_write_format);
	tcase_add_test(st, test_status_round_trip);
	tcase_add_test(st, test_status_round_trip_empty_backend);
	tcase_add_test(st, test_status_parse);
	tcase_add_test(st, test_status_counting);
	tcase_add_test(st, test_status_parse_bad_counter);
	tcase_add_test(st, test_status_parse_nothing);
	tcase_add_test(st, test_status_read_missing);
	suite_add_tcase(s, st);

	tcase_add_test(fs, test_pidfile_lock);
	tcase_add_test(fs, test_socket_listen);
	tcase_add_test(fs, test_socket_listen_stale);
	tcase_add_test(fs, test_socket_listen_not_a_socket);
	tcase_add_test(fs, test_socket_listen_too_long);
	tcase_add_test(fs, test_sd_notify);
	tcase_add_test(fs, test_sd_notify_abstract);
	suite_add_tcase(s, fs);

	tcase_add_test(boot, test_parse_boot_epoch);
	tcase_add_test(boot, test_parse_boot_epoch_own_line);
	tcase_add_test(boot, test_boot_epoch);
	suite_add_tcase(s, boot);
	return s;
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	int failures;

	/* socket paths below it must stay within sun_path */
	if (!base || !*base || strlen(base) > 40)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/netatop-unit-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	failures = nt_run_suite(status_suite());
	remove_tmpdir();
	return failures;
}
