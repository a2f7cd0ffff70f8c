// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the daemon keeps once it serves, as /proc/PID/status shows it, and
 * who may connect to its socket.  The socket lives in a root-owned 0755
 * directory, as in /run (the harness's own directory belongs to the
 * daemon's user so that it can clean up; here the test does).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "robust.h"

#define TEST_TIMEOUT_S	30
#define NOBODY		65534
/* CAP_BPF (39) and CAP_PERFMON (38), nothing else. */
#define KEPT_CAPS	"000000c000000000"
#define NO_CAPS		"0000000000000000"
/* A group that does not exist: the socket stays root's alone. */
#define NO_SUCH_GROUP	"netatop-test-no-such-group"

/* The temporary group of the --group test, made and removed outside the test's process. */
static char tmp_group[32];
static gid_t tmp_gid;

/* Start a daemon whose socket is in a root-owned 0755 directory. */
static void start_in_root_dir(struct harness *h, const char *const *extra)
{
	ck_assert(harness_prepare(h) == 0);
	ck_assert_msg(chown(h->dir, 0, 0) == 0 && chmod(h->dir, 0755) == 0, "%s: %s", h->dir,
		      strerror(errno));
	if (harness_launch(h, extra) < 0 || harness_wait_ready(h) < 0) {
		char *log = harness_read_log(h);

		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log);
		free(log);
		ck_abort_msg("netatop did not start");
	}
}

/* The value of a /proc/PID/status field, without its leading whitespace. */
static void status_field(pid_t pid, const char *name, char *val, size_t len)
{
	char path[64], line[512];
	size_t nlen = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *p = line + nlen + 1;

			p += strspn(p, " \t");
			snprintf(val, len, "%.*s", (int)strcspn(p, "\n"), p);
			fclose(f);
			return;
		}
	}
	fclose(f);
	ck_abort_msg("%s has no %s", path, name);
}

static void expect_field(pid_t pid, const char *name, const char *want)
{
	char val[256];

	status_field(pid, name, val, sizeof(val));
	ck_assert_msg(strcmp(val, want) == 0, "%s of the daemon is '%s', want '%s'", name, val, want);
}

/*
 * Connect (and make one exchange) as uid/gid with these supplementary
 * groups, in a child.  0 on success, else the errno of connect(), or 255
 * when the exchange failed or the identity could not be taken.
 */
static int connect_as(const char *sock, uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	int status;
	pid_t pid = fork();

	ck_assert(pid >= 0);
	if (pid == 0) {
		struct atop_reply r;
		char err[256];
		int fd;

		if (setgroups(ngroups, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0 || geteuid() != uid)
			_exit(255);
		fd = atop_connect(sock);
		if (fd < 0)
			_exit(-fd < 255 ? -fd : 254);
		atop_reply_init(&r);
		_exit(atop_exchange(fd, &r, err, sizeof(err)) == ATOP_OK ? 0 : 255);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	ck_assert_msg(WIFEXITED(status), "the connecting child died: 0x%x", status);
	return WEXITSTATUS(status);
}

static void expect_socket(const struct harness *h, gid_t gid)
{
	struct stat st;

	ck_assert_msg(lstat(h->sock, &st) == 0, "%s: %s", h->sock, strerror(errno));
	ck_assert_msg(S_ISSOCK(st.st_mode), "%s is not a socket", h->sock);
	ck_assert_msg((st.st_mode & 07777) == 0660, "socket mode %04o, want srw-rw---- (0660)",
		      (unsigned int)(st.st_mode & 07777));
	ck_assert_msg(st.st_uid == 0 && st.st_gid == gid, "socket owned by %u:%u, want 0:%u",
		      (unsigned int)st.st_uid, (unsigned int)st.st_gid, (unsigned int)gid);
}

START_TEST(test_dropped_privileges)
{
	static const char *const args[] = { "--group", NO_SUCH_GROUP, NULL };
	struct harness h;
	int rc;

	start_in_root_dir(&h, args);
	/* It accepts from listen() on, before it drops root: a reply says the loop runs. */
	rc = connect_as(h.sock, 0, 0, NULL, 0);
	ck_assert_msg(rc == 0, "root connecting: %s", rc == 255 ? "exchange failed" : strerror(rc));

	expect_field(h.pid, "Uid", "65534\t65534\t65534\t65534");
	expect_field(h.pid, "Gid", "65534\t65534\t65534\t65534");
	expect_field(h.pid, "Groups", "");
	expect_field(h.pid, "CapInh", NO_CAPS);
	expect_field(h.pid, "CapPrm", KEPT_CAPS);
	expect_field(h.pid, "CapEff", KEPT_CAPS);
	expect_field(h.pid, "CapBnd", KEPT_CAPS);
	expect_field(h.pid, "CapAmb", NO_CAPS);
	expect_field(h.pid, "NoNewPrivs", "1");

	expect_socket(&h, 0);
	rc = connect_as(h.sock, NOBODY, NOBODY, NULL, 0);
	ck_assert_msg(rc == EACCES, "nobody connecting to the root:root 0660 socket: %s",
		      rc == 0 ? "allowed" : rc == 255 ? "test child failed" : strerror(rc));

	rb_stop(&h);
}
END_TEST

/* ------------------------------------------------------------ nothing left behind */

/*
 * Started by hand as in /run: the socket's directory is root's 0755, the
 * pid file's directory does not exist yet.  The daemon makes that one,
 * root's and writable by its group, serves from it with the well-known path a symlink to its
 * socket, and on SIGTERM, long after it dropped root, removes its socket
 * and pid file itself: no socket and no pid file are left, and what atop
 * checks (access(), then connect()) finds no daemon.
 */
static gid_t nobody_gid(void)
{
	const struct passwd *pw = getpwnam("nobody");

	return pw ? pw->pw_gid : (gid_t)-1;
}

START_TEST(test_sigterm_leaves_nothing)
{
	static const char *const args[] = { "--group", NO_SUCH_GROUP, NULL };
	char rundir[HARNESS_DIR_MAX + 8], served[HARNESS_DIR_MAX + 16], target[256];
	struct harness h;
	struct stat st;
	ssize_t n;
	int rc;

	ck_assert(harness_prepare(&h) == 0);
	ck_assert_msg(chown(h.dir, 0, 0) == 0 && chmod(h.dir, 0755) == 0, "%s: %s", h.dir, strerror(errno));
	snprintf(rundir, sizeof(rundir), "%s/run", h.dir);
	snprintf(served, sizeof(served), "%s/sock", rundir);
	snprintf(h.pidfile, sizeof(h.pidfile), "%s/run/pid", h.dir);
	if (harness_launch(&h, args) < 0 || harness_wait_ready(&h) < 0) {
		char *log = harness_read_log(&h);

		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log);
		free(log);
		ck_abort_msg("netatop did not start");
	}
	rc = connect_as(h.sock, 0, 0, NULL, 0);
	ck_assert_msg(rc == 0, "root connecting: %s", rc == 255 ? "exchange failed" : strerror(rc));
	expect_field(h.pid, "Uid", "65534\t65534\t65534\t65534");

	ck_assert_msg(lstat(h.sock, &st) == 0 && S_ISLNK(st.st_mode), "%s is not a symlink", h.sock);
	n = readlink(h.sock, target, sizeof(target) - 1);
	ck_assert(n > 0);
	target[n] = '\0';
	ck_assert_str_eq(target, served);
	ck_assert_msg(lstat(served, &st) == 0 && S_ISSOCK(st.st_mode), "%s is not a socket", served);
	/* root's, so that the next start, root without CAP_DAC_OVERRIDE under the unit, gets in */
	ck_assert_msg(lstat(rundir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
		      st.st_gid == nobody_gid() && (st.st_mode & 07777) == 0775,
		      "%s is not root's and writable by the daemon's group (uid %u gid %u mode %o)", rundir,
		      (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
	ck_assert_msg(access(h.pidfile, F_OK) == 0, "no pid file %s", h.pidfile);

	rc = harness_stop(&h);
	ck_assert_msg(rc == 0, "netatop exited with status %d on SIGTERM", rc);
	ck_assert_msg(lstat(served, &st) < 0 && errno == ENOENT, "the socket %s is left behind", served);
	ck_assert_msg(lstat(h.pidfile, &st) < 0 && errno == ENOENT, "the pid file %s is left behind", h.pidfile);
	/* atop: access(F_OK) first, which follows the link */
	ck_assert_msg(access(h.sock, F_OK) < 0 && errno == ENOENT, "%s still leads to a file", h.sock);
	ck_assert_msg(harness_socket_connectable(h.sock) < 0, "%s still accepts", h.sock);
	printf("SIGTERM as nobody: socket and pid file removed; left: %s%s\n",
	       lstat(h.sock, &st) == 0 ? "the dangling link, " : "", lstat(rundir, &st) == 0 ? "the empty run directory" : "");
	rmdir(rundir);
	harness_cleanup(&h);
}
END_TEST

/* ------------------------------------------------------------ --group */

static int run_quiet(const char *const *argv)
{
	return harness_run(argv, NULL, NULL);
}

/* Unchecked fixture: in the runner, so the group goes even when the test fails. */
static void group_setup(void)
{
	const char *argv[] = { "/usr/sbin/groupadd", tmp_group, NULL };
	struct group *gr;
	int i;

	snprintf(tmp_group, sizeof(tmp_group), "ntrobust%d", (int)getpid());
	/* Another package test may hold the lock on /etc/group for a moment. */
	for (i = 0; i < 20 && run_quiet(argv) != 0; i++)
		rb_sleep_ms(250);
	gr = getgrnam(tmp_group);
	if (!gr) {
		fprintf(stderr, "cannot create group %s\n", tmp_group);
		tmp_group[0] = '\0';
		return;
	}
	tmp_gid = gr->gr_gid;
}

static void group_teardown(void)
{
	const char *argv[] = { "/usr/sbin/groupdel", tmp_group, NULL };
	int i;

	if (!tmp_group[0])
		return;
	for (i = 0; i < 20 && getgrnam(tmp_group); i++) {
		if (run_quiet(argv) == 0)
			break;
		rb_sleep_ms(250);
	}
	if (getgrnam(tmp_group))
		fprintf(stderr, "cannot remove group %s: remove it by hand\n", tmp_group);
}

START_TEST(test_group_members)
{
	const char *args[] = { "--group", tmp_group, NULL };
	gid_t other = NOBODY;
	struct harness h;
	int rc;

	ck_assert_msg(tmp_group[0], "no temporary group (groupadd failed)");
	start_in_root_dir(&h, args);
	rc = connect_as(h.sock, 0, 0, NULL, 0);
	ck_assert_msg(rc == 0, "root connecting: %s", rc == 255 ? "exchange failed" : strerror(rc));
	expect_socket(&h, tmp_gid);

	rc = connect_as(h.sock, NOBODY, NOBODY, &tmp_gid, 1);
	ck_assert_msg(rc == 0, "a member of group %s connecting: %s", tmp_group,
		      rc == 255 ? "exchange failed" : strerror(rc));
	rc = connect_as(h.sock, NOBODY, NOBODY, &other, 1);
	ck_assert_msg(rc == EACCES, "a non-member connecting: %s",
		      rc == 0 ? "allowed" : rc == 255 ? "test child failed" : strerror(rc));

	rb_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("privileges");
	TCase *tc;
	SRunner *sr;
	int failed;

	harness_require_root_bpf();
	tc = tcase_create("dropped privileges");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, test_dropped_privileges);
	suite_add_tcase(s, tc);

	tc = tcase_create("SIGTERM leaves nothing");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, test_sigterm_leaves_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("--group");
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_unchecked_fixture(tc, group_setup, group_teardown);
	tcase_add_test(tc, test_group_members);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
