/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's run directory: the directory of its pid file (default
 * /run/netatop), root's and writable by the daemon's group, so that once
 * it has dropped root it can still remove its socket and pid file when it
 * exits and save the exited records there for a restart.  /run itself is
 * root's: a file the daemon put there directly would outlive it (atop
 * would keep finding a socket nobody serves).  Root keeps the directory
 * because under the unit root has no CAP_DAC_OVERRIDE: in a directory of
 * the daemon's user alone the next start could not replace the pid file.
 *
 * The socket is bound in the run directory; a --socket path outside it
 * (the default, atop's compiled-in /run/netatop-bpf-socket) becomes a
 * symlink to the socket of the same name in it.  atop and the clients
 * follow the symlink (access(), connect()); once the daemon has removed
 * the socket the link dangles, and atop takes it for absent.
 */
#ifndef NETATOP_RUNDIR_H
#define NETATOP_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct nt_rundir {
	char dir[4096];
	char serve[4096];	/* where the socket is bound */
	bool created;		/* by this daemon */
	bool linked;		/* the --socket path is a symlink to serve */
};

/*
 * Make the directory of pidfile if it is missing (one level, mode 0755)
 * and work out where the socket for socket_path is bound.  With a gid
 * (not -1), a directory made here or the default one (which systemd's
 * RuntimeDirectory= may have made) becomes root's and that group's, mode
 * 0775; any other is left as it is (--pidfile /tmp/x.pid must not give
 * away /tmp).  Returns an nt_exit status.
 */
int nt_rundir_prepare(struct nt_rundir *rd, const char *pidfile, const char *socket_path,
		      gid_t share_gid, char *err, size_t errlen);

/*
 * Make socket_path a symlink to rd->serve when it is outside the run
 * directory, before rd->serve is bound; a stale link or socket left by a
 * daemon that died is replaced, the path of a running daemon never is.
 * Returns an nt_exit status.
 */
int nt_rundir_link(struct nt_rundir *rd, const char *socket_path, char *err, size_t errlen);

/*
 * At exit: remove the socket if this daemon bound it, and its link and
 * the directory where it may (as root; the directory only when empty).
 */
void nt_rundir_cleanup(const struct nt_rundir *rd, const char *socket_path, bool bound);

#endif
