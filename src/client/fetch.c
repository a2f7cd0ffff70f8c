// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "fetch.h"
#include "exitcodes.h"
#include "unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NT_CLIENT_TIMEOUT_S 10

int nt_fetch_connect(const char *path, int *fdp, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = NT_CLIENT_TIMEOUT_S };
	int fd, e;

	fd = nt_unix_connect(path);
	e = errno;
	switch (fd) {
	case NT_CONNECT_PATH:
		snprintf(err, errlen, "socket path too long: %s", path);
		return NT_EXIT_USAGE;
	case NT_CONNECT_SOCKET:
		snprintf(err, errlen, "cannot create a socket: %s", strerror(e));
		return NT_EXIT_FAILURE;
	case NT_CONNECT_REFUSED:
		if (e == EACCES || e == EPERM) {
			snprintf(err, errlen, "not allowed to connect to %s: run as root or as a member of the socket's group", path);
			return NT_EXIT_DENIED;
		}
		snprintf(err, errlen, "no netatop daemon answers on %s (%s): start it with 'service netatop start'",
			 path, strerror(e));
		return NT_EXIT_NO_DAEMON;
	}
	/* Never hang on a daemon that stops answering. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fdp = fd;
	return NT_EXIT_OK;
}

int nt_fetch_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int nt_fetch_records(const char *socket_path, struct netpertask **recs, size_t *n,
		     char *err, size_t errlen)
{
	struct netpertask rec, *all = NULL, *tmp;
	size_t count = 0, cap = 0;
	int fd, rc;

	rc = nt_fetch_connect(socket_path, &fd, err, errlen);
	if (rc != NT_EXIT_OK)
		return rc;
	memset(&rec, 0, sizeof(rec));
	if (send(fd, &rec, sizeof(rec), MSG_NOSIGNAL) != (ssize_t)sizeof(rec)) {
		snprintf(err, errlen, "cannot send a request on %s: %s", socket_path, strerror(errno));
		close(fd);
		return NT_EXIT_PROTOCOL;
	}
	for (;;) {
		rc = nt_fetch_read_full(fd, &rec, sizeof(rec));
		if (rc < 0) {
			snprintf(err, errlen, "the daemon on %s ended its reply early (%s): see its log",
				 socket_path, strerror(-rc));
			free(all);
			close(fd);
			return NT_EXIT_PROTOCOL;
		}
		if (rec.id == 0)
			break;
		if (count == cap) {
			cap = cap ? cap * 2 : 1024;
			tmp = realloc(all, cap * sizeof(*all));
			if (!tmp) {
				snprintf(err, errlen, "out of memory reading %zu records", count);
				free(all);
				close(fd);
				return NT_EXIT_FAILURE;
			}
			all = tmp;
		}
		all[count++] = rec;
	}
	close(fd);
	*recs = all;
	*n = count;
	return NT_EXIT_OK;
}
