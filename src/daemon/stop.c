// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "stop.h"
#include "collect.h"
#include "exitcodes.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* The daemon may be saving thousands of exited records: give it time. */
#define STOP_WAIT_MS 30000

/* The pid of the daemon holding the pid file's lock, 0 when none holds it. */
static pid_t running_daemon(const char *pidfile, int *fdp)
{
	char buf[32] = "";
	ssize_t n;
	long pid;
	int fd;

	*fdp = -1;
	fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid <= 1) {
		close(fd);
		return 0;
	}
	*fdp = fd;
	return (pid_t)pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The lock goes with the daemon's last descriptor: then it is gone, whatever its pid became. */
static bool wait_unlocked(int fd)
{
	long waited;

	for (waited = 0; waited < STOP_WAIT_MS; waited += 20) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return true;
		sleep_ms(20);
	}
	return false;
}

/* Pins of a killed daemon, its empty directory, its state file. */
static int unload(const struct nt_options *o, bool quiet)
{
	const char *dir = nt_options_pin_dir(o);
	char err[512];
	int rc;

	if (unlink(o->state_file) < 0 && errno != ENOENT && !quiet)
		fprintf(stderr, "netatop: cannot remove %s: %s\n", o->state_file, strerror(errno));
	if (strcmp(o->state_file, NT_DEFAULT_STATE_FILE) == 0)
		rmdir(NT_DEFAULT_RUNDIR);	/* only if empty: another file there is not ours to judge */
	if (!dir)
		return NT_EXIT_OK;
	rc = nt_collect_unload(dir, err, sizeof(err));
	if (rc == -EBUSY) {
		fprintf(stderr, "netatop: %s\n", err);
		return NT_EXIT_RUNNING;
	}
	if (rc < 0) {
		fprintf(stderr, "netatop: %s\n", err);
		return rc == -EACCES || rc == -EPERM ? NT_EXIT_PRIVILEGE : NT_EXIT_FAILURE;
	}
	return NT_EXIT_OK;
}

int nt_stop_main(const struct nt_options *o)
{
	int sig = o->keep_state ? SIGUSR1 : SIGTERM, fd;
	pid_t pid;

	pid = running_daemon(o->pidfile, &fd);
	if (!pid) {
		fprintf(stderr, "netatop: no daemon runs with pid file %s%s\n", o->pidfile,
			o->keep_state ? "" : "; removing what a killed one may have left");
		if (!o->keep_state && geteuid() == 0)
			unload(o, true);
		return NT_EXIT_NO_DAEMON;
	}
	if (kill(pid, sig) < 0) {
		int e = errno;

		close(fd);
		fprintf(stderr, "netatop: cannot signal the daemon (pid %ld): %s%s\n", (long)pid, strerror(e),
			e == EPERM ? " (run as root)" : "");
		return e == EPERM ? NT_EXIT_PRIVILEGE : NT_EXIT_FAILURE;
	}
	if (!wait_unlocked(fd)) {
		close(fd);
		fprintf(stderr, "netatop: the daemon (pid %ld) did not exit within %d s: see its log; kill -9 leaves its kernel state for netatop --unload\n",
			(long)pid, STOP_WAIT_MS / 1000);
		return NT_EXIT_STOP_TIMEOUT;
	}
	close(fd);
	/* an unprivileged daemon cannot remove its pin directory itself */
	if (!o->keep_state && geteuid() == 0)
		return unload(o, false);
	return NT_EXIT_OK;
}

int nt_unload_main(const struct nt_options *o)
{
	if (geteuid() != 0) {
		fprintf(stderr, "netatop: --unload removes kernel state: run it as root\n");
		return NT_EXIT_PRIVILEGE;
	}
	return unload(o, false);
}
