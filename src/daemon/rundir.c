// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "rundir.h"
#include "exitcodes.h"
#include "log.h"
#include "options.h"
#include "process.h"
#include "unixsock.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." when none), into out. */
static void dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Root's, the daemon's group may write: see rundir.h for why not the user's. */
static int share(const struct nt_rundir *rd, gid_t gid, char *err, size_t errlen)
{
	if (gid == (gid_t)-1 || (!rd->created && strcmp(rd->dir, NT_DEFAULT_RUNDIR) != 0))
		return NT_EXIT_OK;
	if (lchown(rd->dir, 0, gid) < 0 || chmod(rd->dir, 0775) < 0) {
		snprintf(err, errlen, "cannot give %s to root and the daemon's group: %s (run as root, or choose another --pidfile)",
			 rd->dir, strerror(errno));
		return NT_EXIT_SOCKET;
	}
	return NT_EXIT_OK;
}

int nt_rundir_prepare(struct nt_rundir *rd, const char *pidfile, const char *socket_path,
		      gid_t share_gid, char *err, size_t errlen)
{
	char sockdir[sizeof(rd->dir)];
	struct stat st;
	int n;

	memset(rd, 0, sizeof(*rd));
	dir_of(pidfile, rd->dir, sizeof(rd->dir));
	if (mkdir(rd->dir, 0755) == 0) {
		rd->created = true;
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s for the pid file: %s (run as root, or choose another with --pidfile)",
			 rd->dir, strerror(errno));
		return NT_EXIT_SOCKET;
	}
	/* a symlink would let whoever made it choose where root writes */
	if (lstat(rd->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory: remove it or choose another pid file with --pidfile",
			 rd->dir);
		return NT_EXIT_SOCKET;
	}
	n = share(rd, share_gid, err, errlen);
	if (n != NT_EXIT_OK)
		return n;
	dir_of(socket_path, sockdir, sizeof(sockdir));
	if (strcmp(sockdir, rd->dir) == 0) {
		snprintf(rd->serve, sizeof(rd->serve), "%s", socket_path);
		return NT_EXIT_OK;
	}
	n = snprintf(rd->serve, sizeof(rd->serve), "%s/%s", rd->dir, base_of(socket_path));
	if (n < 0 || (size_t)n >= NT_SOCKET_PATH_MAX) {
		snprintf(err, errlen, "socket path too long: %s/%s (choose a shorter --pidfile directory)",
			 rd->dir, base_of(socket_path));
		return NT_EXIT_USAGE;
	}
	return NT_EXIT_OK;
}

int nt_rundir_link(struct nt_rundir *rd, const char *socket_path, char *err, size_t errlen)
{
	struct stat st;

	if (strcmp(rd->serve, socket_path) == 0)
		return NT_EXIT_OK;
	if (lstat(socket_path, &st) == 0) {
		if (!S_ISLNK(st.st_mode) && !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is neither a socket nor a link: remove it or choose another with --socket",
				 socket_path);
			return NT_EXIT_SOCKET;
		}
		/* made before our socket is bound: a connection that works is another daemon's */
		if (nt_socket_is_live(socket_path) == 1) {
			snprintf(err, errlen, "another daemon already serves %s: stop it first", socket_path);
			return NT_EXIT_RUNNING;
		}
		unlink(socket_path);	/* stale: left by a daemon that died, or dangling */
	}
	if (symlink(rd->serve, socket_path) < 0) {
		snprintf(err, errlen, "cannot link %s to %s: %s (run as root, or choose another with --socket)",
			 socket_path, rd->serve, strerror(errno));
		return NT_EXIT_SOCKET;
	}
	rd->linked = true;
	return NT_EXIT_OK;
}

/* Is path a symlink to target? */
static bool links_to(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

void nt_rundir_cleanup(const struct nt_rundir *rd, const char *socket_path, bool bound)
{
	if (bound && unlink(rd->serve) < 0 && errno != ENOENT)
		nt_log(LOG_INFO, "%s left for the service manager to remove: %s", rd->serve, strerror(errno));
	/* as the daemon's user, not in /run: the link dangles, which atop takes for no daemon */
	if (rd->linked && links_to(socket_path, rd->serve) && unlink(socket_path) < 0)
		nt_log(LOG_DEBUG, "%s left dangling: %s", socket_path, strerror(errno));
	/* only where it may and nothing else is in it; quietly, as the link */
	if (rmdir(rd->dir) < 0)
		nt_log(LOG_DEBUG, "%s left: %s", rd->dir, strerror(errno));
}
