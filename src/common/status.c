// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "status.h"
#include "numparse.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int nt_pidfile_write(int fd, pid_t pid, const struct nt_status *st)
{
	char buf[256];
	int len;

	len = snprintf(buf, sizeof(buf), "%d\nbackend %s\ndropped_calls %llu\ndropped_exits %llu\nevicted_exited %llu\n",
		       (int)pid, st->backend, st->dropped_calls, st->dropped_exits, st->evicted_exited);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -1;
	if (pwrite(fd, buf, (size_t)len, 0) != len || ftruncate(fd, len) < 0)
		return -1;
	return 0;
}

/* The counter of a "KEY VALUE" line, into *v. */
static bool counter_line(const char *line, const char *key, unsigned long long *v)
{
	size_t klen = strlen(key);

	return strncmp(line, key, klen) == 0 && line[klen] == ' ' &&
	       nt_parse_line_number(line + klen, v) != NULL;
}

int nt_status_parse(const char *text, struct nt_status *st)
{
	const char *line = strchr(text, '\n');
	int seen = 0;

	memset(st, 0, sizeof(*st));
	while (line && *++line) {
		size_t len = strcspn(line, "\n");

		/* "%s" would skip the newline of an empty value and take the next line */
		if (strncmp(line, "backend ", 8) == 0) {
			size_t n = len - 8 < sizeof(st->backend) - 1 ? len - 8 : sizeof(st->backend) - 1;

			memcpy(st->backend, line + 8, n);
			st->backend[n] = '\0';
			seen++;
		} else if (counter_line(line, "dropped_calls", &st->dropped_calls) ||
			   counter_line(line, "dropped_exits", &st->dropped_exits) ||
			   counter_line(line, "evicted_exited", &st->evicted_exited)) {
			seen++;
		}
		line = strchr(line, '\n');
	}
	return seen ? 0 : -1;
}

int nt_status_read(const char *path, struct nt_status *st)
{
	char buf[512];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return nt_status_parse(buf, st);
}
