// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "smallfile.h"

#include <fcntl.h>
#include <unistd.h>

ssize_t nt_read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len < 2)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}
