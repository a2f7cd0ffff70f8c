// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "status.h"
#include "smallfile.h"
#include "counters.h"
#include "numparse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int nt_pidfile_write(int fd, pid_t pid, const struct nt_status *st)
{
	char buf[512];
	int len, i;

	len = snprintf(buf, sizeof(buf), "%d\nbackend %s\ndropped_calls %llu\ndropped_exits %llu\nevicted_exited %llu\n",
		       (int)pid, st->backend, st->dropped_calls, st->dropped_exits, st->evicted_exited);
	/* after the lines older clients know, which they skip as unknown keys */
	if (st->counting[0] && len > 0 && (size_t)len < sizeof(buf)) {
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "counting %s\nunattributed", st->counting);
		for (i = 0; i < NT_C_COUNT && len > 0 && (size_t)len < sizeof(buf); i++)
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, " %llu",
					nt_counter_get(&st->unattributed, i));
		if (len > 0 && (size_t)len < sizeof(buf))
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "\n");
	}
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

/* "unattributed N N N N N N N N": all eight, or the line is ignored. */
static bool unattributed_line(const char *line, struct nt_status *st)
{
	struct taskcount v;
	const char *p;
	int i;

	if (strncmp(line, "unattributed ", 13) != 0)
		return false;
	p = line + 12;
	for (i = 0; i < NT_C_COUNT; i++) {
		char *end;

		if (*p != ' ' || p[1] < '0' || p[1] > '9')
			return false;
		errno = 0;
		*nt_counter_at(&v, i) = strtoull(p + 1, &end, 10);
		if (errno)
			return false;
		p = end;
	}
	if (*p != '\n' && *p != '\0')
		return false;
	st->unattributed = v;
	return true;
}

static bool word_line(const char *line, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key), len;

	if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
		return false;
	line += klen + 1;
	len = strcspn(line, "\n");
	if (len >= outlen)
		return false;
	memcpy(out, line, len);
	out[len] = '\0';
	return true;
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
			   counter_line(line, "evicted_exited", &st->evicted_exited) ||
			   word_line(line, "counting", st->counting, sizeof(st->counting)) ||
			   unattributed_line(line, st)) {
			seen++;
		}
		line = strchr(line, '\n');
	}
	return seen ? 0 : -1;
}

int nt_status_read(const char *path, struct nt_status *st)
{
	char buf[1024];

	if (nt_read_small_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return nt_status_parse(buf, st);
}
