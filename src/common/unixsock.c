// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "unixsock.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int nt_unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NT_CONNECT_PATH;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NT_CONNECT_SOCKET;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		close(fd);
		errno = e;	/* the caller wants connect()'s reason, not close()'s */
		return NT_CONNECT_REFUSED;
	}
	return fd;
}
