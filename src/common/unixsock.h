/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connecting to the daemon's Unix socket, as atop does: the clients, the
 * --check report and the daemon's own stale-socket probe all go through
 * here, so they agree on what a path that fits is and on what failed.
 */
#ifndef NETATOP_UNIXSOCK_H
#define NETATOP_UNIXSOCK_H

#include <sys/socket.h>
#include <sys/un.h>

/* The bytes of a socket path with its NUL: the longest path is one less. */
#define NT_SOCKET_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* What nt_unix_connect() could not do; errno holds the system's reason. */
enum nt_connect_failure {
	NT_CONNECT_PATH = -1,		/* the path does not fit (ENAMETOOLONG) */
	NT_CONNECT_SOCKET = -2,		/* no socket could be made */
	NT_CONNECT_REFUSED = -3,	/* connect() failed */
};

/*
 * A close-on-exec stream socket connected to the Unix socket at path, or
 * one of enum nt_connect_failure with errno set.
 */
int nt_unix_connect(const char *path);

#endif
