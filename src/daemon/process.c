// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "process.h"
#include "exitcodes.h"
#include "unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int nt_pidfile_lock(const char *path, int *fdp, char *err, size_t errlen)
{
	char buf[32] = "";
	ssize_t n;
	int fd;

	/* not through a symlink: the run directory belongs to the daemon's user */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open pid file %s: %s (run as root, or choose another with --pidfile)",
			 path, strerror(errno));
		return NT_EXIT_SOCKET;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(err, errlen, "another netatop (pid %s) is already running with pid file %s: stop it first",
				 *buf ? buf : "?", path);
			return NT_EXIT_RUNNING;
		}
		snprintf(err, errlen, "cannot lock pid file %s: %s", path, strerror(e));
		return NT_EXIT_SOCKET;
	}
	*fdp = fd;
	return NT_EXIT_OK;
}

int nt_socket_is_live(const char *path)
{
	int fd = nt_unix_connect(path);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (fd == NT_CONNECT_SOCKET)
		return -1;
	return errno == EAGAIN;
}

int nt_socket_listen(const char *path, int *fdp, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat sb;
	mode_t old_umask;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NT_EXIT_USAGE;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket: remove it or choose another with --socket", path);
			return NT_EXIT_SOCKET;
		}
		if (nt_socket_is_live(path) == 1) {
			snprintf(err, errlen, "another daemon already serves %s: stop it first", path);
			return NT_EXIT_RUNNING;
		}
		unlink(path);	/* stale: left by a daemon that died */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
		return NT_EXIT_SOCKET;
	}
	/* Never visible with wider permissions than its final ones. */
	old_umask = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (rc < 0 || listen(fd, SOMAXCONN) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return NT_EXIT_SOCKET;
	}
	*fdp = fd;
	return NT_EXIT_OK;
}

static int ready_fd = -1;

int nt_daemonize(void)
{
	int pipefd[2], status, nullfd;
	unsigned char byte;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &byte, 1) == 1)
			_exit(byte);
		/* The daemon died before it was ready: pass on its status. */
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			_exit(WEXITSTATUS(status));
		_exit(NT_EXIT_FAILURE);
	}
	close(pipefd[0]);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);	/* the first parent reads its status from the pipe */
	ready_fd = pipefd[1];
	if (chdir("/") < 0)
		return -1;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0)
		return -1;
	dup2(nullfd, STDIN_FILENO);
	dup2(nullfd, STDOUT_FILENO);
	dup2(nullfd, STDERR_FILENO);
	if (nullfd > STDERR_FILENO)
		close(nullfd);
	return 0;
}

void nt_daemon_ready(int status)
{
	unsigned char byte = (unsigned char)status;

	if (ready_fd < 0)
		return;
	if (write(ready_fd, &byte, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(ready_fd);
	ready_fd = -1;
}

void nt_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len);
	close(fd);
}
