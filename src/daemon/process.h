/* SPDX-License-Identifier: GPL-2.0-only */
/* Process plumbing: the pid file lock, the listening socket, detaching, sd_notify. */
#ifndef NETATOP_PROCESS_H
#define NETATOP_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Take the instance lock (flock on the pid file) before touching the
 * socket, so a second netatop can never remove a running one's socket.
 * Returns an nt_exit status.
 */
int nt_pidfile_lock(const char *path, int *fdp, char *err, size_t errlen);

/*
 * Is somebody accepting on this socket path (following a symlink)?  1 yes,
 * 0 no, -1 when no socket could be made to ask.
 */
int nt_socket_is_live(const char *path);

/*
 * Bind the listening socket.  A stale socket file (nobody accepts on it)
 * is replaced; a live one, or anything that is not a socket, is not.
 */
int nt_socket_listen(const char *path, int *fdp, char *err, size_t errlen);

/*
 * Detach from the terminal.  The parent waits until the child calls
 * nt_daemon_ready() (or dies) and exits with its status, so "netatop"
 * returns once the socket is served.
 */
int nt_daemonize(void);
void nt_daemon_ready(int status);

/* Tell systemd (Type=notify) without libsystemd; a no-op elsewhere. */
void nt_sd_notify(const char *state);

#endif
