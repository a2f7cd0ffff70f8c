// SPDX-License-Identifier: GPL-2.0-only
/*
 * The atop section of --check.  It reads what atop is and how it runs
 * (atop -V, LOGOPTS in atop's defaults file, /proc/PID/cmdline of the
 * running atops) and judges it with atopparse.c; it changes nothing.
 */
#include "config.h"
#include "atop.h"
#include "atopparse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void nt_atop_env_system(struct nt_atop_env *env)
{
	/* $PATH is what "atop" means to whoever asks; the rest where packages put it */
	static char search[4096];
	const char *path = getenv("PATH");

	snprintf(search, sizeof(search), "%s%s/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin",
		 path ? path : "", path && *path ? ":" : "");
	env->search = search;
	env->proc = "/proc";
	env->debian_conf = "/etc/default/atop";
	env->fedora_conf = "/etc/sysconfig/atop";
	env->sysconfig_dir = "/etc/sysconfig";
	env->systemd_dir = "/run/systemd/system";
	env->version_timeout_ms = 3000;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first executable regular file named atop in the ':'-separated dirs. */
static bool find_atop(const char *dirs, char *out, size_t len)
{
	const char *p = dirs, *end;
	struct stat st;

	for (; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;	/* an empty entry means the current directory: not here */
		snprintf(out, len, "%.*s/atop", (int)(end - p), p);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Wait for the child; one that does not exit after SIGTERM is killed. */
static void reap(pid_t pid, bool terminate)
{
	int i;

	if (terminate) {
		/* SIGTERM first: atop switches process accounting off on its way out */
		kill(pid, SIGTERM);
		for (i = 0; i < 50; i++) {
			if (waitpid(pid, NULL, WNOHANG) == pid)
				return;
			usleep(10000);
		}
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * What `path -V` prints, stdout and stderr, in out.  It runs as nobody
 * when we are root: an atop that took -V for something else would
 * otherwise start measuring as root and switch process accounting on.
 * Returns 0, or -1 with the reason in out.
 */
static int run_version(const char *path, int timeout_ms, char *out, size_t len)
{
	char *const argv[] = { (char *)path, (char *)"-V", NULL };
	char *const envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"LC_ALL=C", NULL };
	const struct passwd *pw = getpwnam("nobody");
	uid_t nobody_uid = pw ? pw->pw_uid : 65534;
	gid_t nobody_gid = pw ? pw->pw_gid : 65534;
	struct timespec start;
	size_t n = 0;
	bool late = false;
	int pfd[2];
	pid_t pid;

	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(out, len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(out, len, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(126);
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(nobody_gid) < 0 || setuid(nobody_uid) < 0))
			_exit(126);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long left = timeout_ms - elapsed_ms(&start);
		char scratch[256];
		ssize_t got;

		if (left <= 0) {
			late = true;
			break;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;	/* EINTR, or the time is up: the loop tells which */
		/* keep reading once out is full, so atop never blocks on a full pipe */
		if (n + 1 < len)
			got = read(pfd[0], out + n, len - 1 - n);
		else
			got = read(pfd[0], scratch, sizeof(scratch));
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n + 1 < len)
			n += (size_t)got;
	}
	close(pfd[0]);
	out[n] = '\0';
	reap(pid, late);
	if (late) {
		snprintf(out, len, "it did not exit within %d ms", timeout_ms);
		return -1;
	}
	return 0;
}

/* What runs: atop's loggers (atop -w) and atopacctd. */
struct atop_procs {
	unsigned int loggers;
	long logger_pid;		/* one of them */
	long without_k_pid;		/* one that runs without -K, or 0 */
	long acctd_pid;			/* atopacctd, or 0 */
};

static void scan_procs(const char *proc, struct atop_procs *ps)
{
	struct dirent *de;
	DIR *d = opendir(proc);

	memset(ps, 0, sizeof(*ps));
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct nt_atop_flags f;
		char path[512], buf[4096];
		ssize_t n;
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int fd;

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/cmdline", proc, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* gone meanwhile */
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0)
			continue;	/* a kernel thread */
		if (nt_atop_argv0_is(buf, (size_t)n, "atopacctd")) {
			ps->acctd_pid = pid;
			continue;
		}
		if (!nt_atop_cmdline_scan(buf, (size_t)n, &f) || !f.write)
			continue;
		ps->loggers++;
		ps->logger_pid = pid;
		if (!f.netatop)
			ps->without_k_pid = pid;
	}
	closedir(d);
}

/* LOGOPTS of atop's service, from the defaults file the distribution uses. */
struct atop_conf {
	const char *path;	/* the file to change */
	int state;		/* 1 LOGOPTS read, 0 the file has none, -1 no file */
	int err;		/* errno when the file exists but cannot be read */
	char logopts[256];
	struct nt_atop_flags flags;
};

static void read_conf(const struct nt_atop_env *env, struct atop_conf *c)
{
	const char *const files[] = { env->debian_conf, env->fedora_conf };
	size_t i;

	memset(c, 0, sizeof(*c));
	c->state = -1;
	for (i = 0; i < 2; i++) {
		int rc = nt_atop_logopts_read(files[i], c->logopts, sizeof(c->logopts));

		if (rc < 0 && errno == ENOENT)
			continue;
		c->path = files[i];
		if (rc < 0) {
			c->err = errno;
			c->logopts[0] = '\0';
		} else {
			c->state = rc;
			if (rc == 0)
				c->logopts[0] = '\0';
			nt_atop_logopts_flags(c->logopts, &c->flags);
		}
		return;
	}
	/* none yet: name the file atop's package would install here */
	c->path = is_dir(env->sysconfig_dir) ? env->fedora_conf : env->debian_conf;
}

/* The LOGOPTS line to write: what it holds plus -K. */
static void logopts_fix(const struct atop_conf *c, char *out, size_t len)
{
	if (c->state == 1 && c->logopts[0] && !strchr(c->logopts, '"'))
		snprintf(out, len, "LOGOPTS=\"%s -K\"", c->logopts);
	else
		snprintf(out, len, "LOGOPTS=\"-K\"");
}

static struct nt_atop_line *add(struct nt_atop_line *line, size_t *n, const char *name)
{
	struct nt_atop_line *l = &line[(*n)++];

	l->name = name;
	l->status = "info";
	l->detail[0] = '\0';
	return l;
}

static void say(struct nt_atop_line *l, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line's status and detail; a path too long for one line is cut, not refused. */
static void say(struct nt_atop_line *l, const char *status, const char *fmt, ...)
{
	va_list ap;

	l->status = status;
	va_start(ap, fmt);
	vsnprintf(l->detail, sizeof(l->detail), fmt, ap);
	va_end(ap);
}

static void check_logging(const struct nt_atop_env *env, enum nt_atop_talk talk,
			  const char *version, const struct atop_procs *ps, struct nt_atop_line *l)
{
	const char *restart = is_dir(env->systemd_dir) ? "systemctl restart atop" :
			      "service atop restart";
	struct atop_conf c;
	char fix[sizeof(c.logopts) + 16];

	if (talk == NT_ATOP_CONNECTS) {
		/* these know no -K, and need none */
		if (ps->loggers)
			say(l, "ok", "atop -w (pid %ld) connects to netatop by itself: its daily log has per-process network counters",
			    ps->logger_pid);
		else
			say(l, "info", "no atop -w runs (atop %s connects by itself: its LOGOPTS needs no -K)",
			    version);
		return;
	}
	read_conf(env, &c);
	logopts_fix(&c, fix, sizeof(fix));
	if (ps->loggers && !ps->without_k_pid)
		say(l, "ok", "atop -w (pid %ld) runs with -K: its daily log has per-process network counters",
		    ps->logger_pid);
	else if (ps->loggers && c.flags.netatop)
		say(l, "missing", "atop -w (pid %ld) was started before LOGOPTS in %s got -K, so its daily log has no per-process network counters: %s",
		    ps->without_k_pid, c.path, restart);
	else if (ps->loggers)
		say(l, "missing", "atop -w (pid %ld) runs without -K, so its daily log has no per-process network counters: set %s in %s, then %s",
		    ps->without_k_pid, fix, c.path, restart);
	else if (c.err)
		say(l, "info", "no atop -w runs, and %s cannot be read (%s): %s", c.path,
		    strerror(c.err), c.err == EACCES ? "run netatop --check as root" :
		    "it should be a text file of shell variables");
	else if (c.state < 0)
		say(l, "info", "no atop -w runs, and there is neither %s nor %s", env->debian_conf,
		    env->fedora_conf);
	else if (c.flags.netatop)
		say(l, "info", "no atop -w runs; LOGOPTS in %s has -K, so atop's service will log per-process network counters",
		    c.path);
	else
		say(l, "info", "no atop -w runs; LOGOPTS in %s has no -K: set %s there before you start atop's service",
		    c.path, fix);
}

static void check_accounting(const struct atop_procs *ps, struct nt_atop_line *l)
{
	if (ps->acctd_pid)
		say(l, "ok", "atopacctd runs (pid %ld): atop sees processes exit and books their last network counters",
		    ps->acctd_pid);
	else
		say(l, "info", "%s",
		    "no atopacctd runs: atop books the last network counters of exited processes only while process accounting is on (atopacctd, acct or psacct, or atop itself as root)");
}

/* The atop line; returns how atop gets to the counters, its version in `version`. */
static enum nt_atop_talk check_version(const char *path, int timeout_ms, struct nt_atop_line *l,
				       char *version, size_t len)
{
	struct nt_atop_version v;
	enum nt_atop_talk talk;
	char out[512];

	if (run_version(path, timeout_ms, out, sizeof(out)) < 0 || nt_atop_version_parse(out, &v) < 0) {
		out[strcspn(out, "\n")] = '\0';
		say(l, "info", "%s -V gave no version (%s): atop 2.10.0 and later speak netatop's protocol, 2.11.1 and later only when started with -K",
		    path, out[0] ? out : "no output");
		snprintf(version, len, "of unknown version");
		/* judged as the newest: what that needs is said above */
		return NT_ATOP_NEEDS_K;
	}
	snprintf(version, len, "%u.%u.%u", v.major, v.minor, v.patch);
	talk = nt_atop_talk(&v);
	switch (talk) {
	case NT_ATOP_TOO_OLD:
		say(l, "missing", "%s is atop %s, older than netatop's protocol: install atop 2.10.0 or later, or use netatop --list and --top",
		    path, version);
		break;
	case NT_ATOP_CONNECTS:
		say(l, "ok", "%s is atop %s: it connects to netatop by itself", path, version);
		break;
	case NT_ATOP_NEEDS_K:
		say(l, "ok", "%s is atop %s: it connects to netatop only when started with -K (atop -K)",
		    path, version);
		break;
	}
	return talk;
}

size_t nt_atop_check(const struct nt_atop_env *env, struct nt_atop_line *line)
{
	struct atop_procs ps;
	enum nt_atop_talk talk;
	char path[4096], version[32];
	size_t n = 0;

	if (!find_atop(env->search, path, sizeof(path))) {
		say(add(line, &n, "atop"), "info",
		    "not installed (optional: netatop --list and --top show the counters without it)");
		return n;
	}
	talk = check_version(path, env->version_timeout_ms, add(line, &n, "atop"), version,
			     sizeof(version));
	if (talk == NT_ATOP_TOO_OLD)
		return n;
	scan_procs(env->proc, &ps);
	check_logging(env, talk, version, &ps, add(line, &n, "atop logging"));
	check_accounting(&ps, add(line, &n, "atop accounting"));
	return n;
}
