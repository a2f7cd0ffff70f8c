// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "harness.h"
#include "atop_client.h"

#include <check.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_STEP_MS 20

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void no_run(const char *why)
{
	const char *ci = getenv("CI");

	if (ci && strcmp(ci, "true") == 0) {
		fprintf(stderr, "ERROR: %s, and CI=true forbids skipping\n", why);
		exit(HARNESS_ERROR);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(HARNESS_SKIP);
}

void harness_require_root_bpf(void)
{
	if (geteuid() != 0)
		no_run("integration tests load BPF programs and need root");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		no_run("this kernel has no BTF (/sys/kernel/btf/vmlinux missing)");
}

const char *harness_netatop(void)
{
	const char *p = getenv("NETATOP");

	if (!p || p[0] != '/') {
		fprintf(stderr, "ERROR: set NETATOP to the absolute path of the daemon under test\n");
		exit(HARNESS_ERROR);
	}
	return p;
}

int harness_prepare(struct harness *h)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[HARNESS_DIR_MAX];
	struct passwd *pw;

	memset(h, 0, sizeof(*h));
	/* The socket path must fit sun_path: fall back to /tmp if TMPDIR is deep. */
	if (!tmp || !*tmp || strlen(tmp) > HARNESS_DIR_MAX - 30)
		tmp = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/netatop-test.XXXXXX", tmp);
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpl, strerror(errno));
		return -1;
	}
	/*
	 * The daemon runs as HARNESS_USER once loaded; like /run under a
	 * service manager's care, the directory must let it remove its socket
	 * and pid file at exit.
	 */
	pw = getpwnam(HARNESS_USER);
	if (pw && chown(tmpl, pw->pw_uid, pw->pw_gid) < 0) {
		fprintf(stderr, "chown %s: %s\n", tmpl, strerror(errno));
		return -1;
	}
	snprintf(h->dir, sizeof(h->dir), "%s", tmpl);
	snprintf(h->sock, sizeof(h->sock), "%s/sock", tmpl);
	snprintf(h->pidfile, sizeof(h->pidfile), "%s/pid", tmpl);
	snprintf(h->log, sizeof(h->log), "%s/log", tmpl);
	return 0;
}

/* Exit status as the shell shows it, or -1 for "not a normal end". */
static int shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Wait for pid up to deadline (ms, CLOCK_MONOTONIC); 1 when it has ended. */
static int wait_until(pid_t pid, long long deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return 0;
		nap_ms(POLL_STEP_MS);
	}
}

static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	/* A test that dies must not leave a daemon behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Ignored signals survive exec: give it what a service manager would. */
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The words of $NETATOP_DAEMON_ARGS, split once. */
static const char *const *env_args(void)
{
	static const char *words[HARNESS_MAX_ARGS + 1];
	static char *copy;
	char *save, *w;
	size_t n = 0;

	if (copy || !getenv("NETATOP_DAEMON_ARGS"))
		return words;
	copy = strdup(getenv("NETATOP_DAEMON_ARGS"));
	for (w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w && n < HARNESS_MAX_ARGS;
	     w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	words[n] = NULL;
	return words;
}

size_t harness_daemon_argv(const char **argv, size_t max, const char *sock,
			   const char *pidfile, const char *const *extra)
{
	const char *const *env = env_args();
	size_t n = 0;

	argv[n++] = harness_netatop();
	argv[n++] = "-f";
	argv[n++] = "--socket";
	argv[n++] = sock;
	argv[n++] = "--pidfile";
	argv[n++] = pidfile;
	argv[n++] = "--user";
	argv[n++] = HARNESS_USER;
	/* the exact figures of these suites are calls; wire has its own test */
	argv[n++] = "--count=calls";
	/* each suite's daemon starts afresh and leaves nothing: restarts have their own test */
	argv[n++] = "--pin-dir=none";
	while (*env && n < max - 1)
		argv[n++] = *env++;
	while (extra && *extra && n < max - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;
	return n;
}

int harness_launch(struct harness *h, const char *const *extra)
{
	const char *argv[2 * HARNESS_MAX_ARGS + 8];
	int fd;

	harness_daemon_argv(argv, sizeof(argv) / sizeof(argv[0]), h->sock, h->pidfile, extra);
	fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", h->log, strerror(errno));
		return -1;
	}
	h->pid = spawn(argv, fd, fd);
	close(fd);
	if (h->pid < 0) {
		h->pid = 0;
		return -1;
	}
	return 0;
}

int harness_socket_connectable(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sun, len);
	close(fd);
	return rc == 0 ? 0 : -1;
}

int harness_wait_ready(struct harness *h)
{
	long long deadline = now_ms() + HARNESS_TIMEOUT_MS;

	while (h->pid > 0) {
		if (harness_socket_connectable(h->sock) == 0)
			return 0;
		if (waitpid(h->pid, &h->status, WNOHANG) == h->pid) {
			fprintf(stderr, "netatop exited with status %d before serving %s\n",
				shell_status(h->status), h->sock);
			h->pid = 0;
			return -1;
		}
		if (now_ms() >= deadline) {
			fprintf(stderr, "netatop does not serve %s after %d ms\n",
				h->sock, HARNESS_TIMEOUT_MS);
			return -1;
		}
		nap_ms(POLL_STEP_MS);
	}
	return -1;
}

static void dump_log(const struct harness *h)
{
	char *log = harness_read_log(h);

	fprintf(stderr, "---- %s\n%s---- end of log\n", h->log, log);
	free(log);
}

int harness_start(struct harness *h, const char *const *extra)
{
	if (harness_prepare(h) < 0)
		return -1;
	if (harness_launch(h, extra) < 0 || harness_wait_ready(h) < 0) {
		if (h->pid > 0)
			harness_stop(h);
		dump_log(h);
		return -1;
	}
	return 0;
}

int harness_stop(struct harness *h)
{
	int rc;

	if (h->pid <= 0)
		return shell_status(h->status);
	if (kill(h->pid, SIGTERM) < 0 && errno != ESRCH)
		return -1;
	rc = wait_until(h->pid, now_ms() + HARNESS_TIMEOUT_MS, &h->status);
	if (rc != 1) {
		fprintf(stderr, "netatop (pid %d) ignored SIGTERM for %d ms: killing it\n",
			(int)h->pid, HARNESS_TIMEOUT_MS);
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &h->status, 0);
		h->pid = 0;
		return -1;
	}
	h->pid = 0;
	return shell_status(h->status);
}

void harness_stop_ok(struct harness *h)
{
	int rc = harness_stop(h);

	if (rc != 0) {
		char *log = harness_read_log(h);

		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log);
		free(log);
	}
	ck_assert_msg(rc == 0, "netatop exited with status %d on SIGTERM", rc);
	harness_cleanup(h);
}

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *tmp;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				break;
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

char *harness_read_log(const struct harness *h)
{
	int fd = open(h->log, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return strdup("");
	s = slurp_fd(fd);
	close(fd);
	return s ? s : strdup("");
}

void harness_cleanup(struct harness *h)
{
	struct dirent *de;
	DIR *d;

	if (!h->dir[0])
		return;
	/* Whatever the daemon or a test left: the directory is ours alone. */
	d = opendir(h->dir);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	rmdir(h->dir);
	h->dir[0] = '\0';
}

int harness_run(const char *const *argv, const char *errlog, char **out)
{
	long long deadline = now_ms() + HARNESS_TIMEOUT_MS;
	int pipefd[2] = { -1, -1 }, errfd, status, rc;
	size_t len = 0, cap = 0;
	char *buf = NULL, *tmp;
	pid_t pid;

	if (out)
		*out = NULL;
	errfd = open(errlog ? errlog : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (errfd < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		close(errfd);
		return -1;
	}
	pid = spawn(argv, pipefd[1], errfd);
	close(pipefd[1]);
	close(errfd);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	/* Read to EOF, but never past the deadline: a daemon started here may not end. */
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left < POLL_STEP_MS * 10 ? left : POLL_STEP_MS * 10)) <= 0)
			continue;
		if (len + 4096 + 1 > cap) {
			tmp = realloc(buf, cap + 65536);
			if (!tmp)
				break;
			buf = tmp;
			cap += 65536;
		}
		n = read(pipefd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	rc = wait_until(pid, deadline, &status);
	if (rc != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		free(buf);
		return -1;
	}
	if (out) {
		if (!buf)
			buf = calloc(1, 1);
		else
			buf[len] = '\0';
		*out = buf;
	} else {
		free(buf);
	}
	return shell_status(status);
}

void harness_traffic_prepare(struct traffic_case *tc, unsigned long btime[TRAFFIC_MAX_CHILDREN],
			     const char *name, const char *tag, unsigned int count, size_t size)
{
	struct traffic_spec spec;
	char err[512];
	unsigned int i;

	memset(tc, 0, sizeof(*tc));
	memset(btime, 0, TRAFFIC_MAX_CHILDREN * sizeof(*btime));
	ck_assert_msg(traffic_spec_by_name(name, &spec) == 0, "no traffic case %s", name);
	if (tag)
		spec.tag = tag;
	if (count)
		spec.count = count;
	if (size)
		spec.size = size;
	ck_assert_msg(traffic_prepare(tc, &spec, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < tc->nchild; i++)
		ck_assert_msg(atop_proc_btime(tc->child[i].pid, &btime[i]) == 0,
			      "cannot read /proc/%d/stat", (int)tc->child[i].pid);
}

void harness_traffic_go(struct traffic_case *tc)
{
	char err[512];

	ck_assert_msg(traffic_go(tc) == 0, "cannot start %s", tc->spec.name);
	ck_assert_msg(traffic_collect(tc, err, sizeof(err)) == 0, "%s", err);
}

void harness_traffic_finish(struct traffic_case *tc)
{
	char err[512];

	ck_assert_msg(traffic_finish(tc, err, sizeof(err)) == 0, "%s", err);
}

int harness_run_suite(struct harness *h, Suite *suite)
{
	SRunner *sr;
	int failed, rc;

	harness_require_root_bpf();
	/* One daemon for every test: counting starts before any traffic. */
	if (harness_start(h, NULL) < 0)
		return EXIT_FAILURE;
	sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	rc = harness_stop(h);
	if (rc != 0 || failed) {
		char *log = harness_read_log(h);

		if (rc != 0)
			fprintf(stderr, "netatop exited with status %d on SIGTERM\n", rc);
		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log ? log : "");
		free(log);
	}
	harness_cleanup(h);
	return failed == 0 && rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void harness_add_test(Suite *suite, const char *name, const TTest *test, unsigned int timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s);
	tcase_add_test(tc, test);
	suite_add_tcase(suite, tc);
}
