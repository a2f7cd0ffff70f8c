// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "procinfo.h"
#include "numparse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nt_parse_stat(const char *text, char *state, unsigned long long *ticks)
{
	/* comm (field 2) may hold spaces and ')': the fields resume after the last ')'. */
	const char *p = strrchr(text, ')');
	unsigned long long v;
	char *end;
	int field;

	if (!p)
		return -1;
	p++;
	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return -1;
	*state = *p;
	/* field 3 (state) is the first after ')'; field 22 is 19 further */
	for (field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return -1;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || (*end && *end != ' ' && *end != '\n'))
		return -1;
	*ticks = v;
	return 0;
}

/* The number after "Key:" on a line of a /proc/PID/status text: the nth (0-based) of its fields. */
static int status_field(const char *text, const char *key, int nth, unsigned long long *out)
{
	size_t klen = strlen(key);
	const char *p = text, *end;
	int i;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0) {
			p += klen;
			for (i = 0;; i++) {
				end = nt_parse_line_number(p, out);
				if (!end || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
					return -1;
				if (i == nth)
					return 0;
				p = end;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int nt_parse_status_uid(const char *text, uid_t *uid)
{
	unsigned long long v;

	/* real, effective, saved, filesystem */
	if (status_field(text, "Uid:", 1, &v) < 0 || v > (uid_t)-1)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

int nt_parse_status_threads(const char *text, unsigned long *threads)
{
	unsigned long long v;

	if (status_field(text, "Threads:", 0, &v) < 0 || v > ULONG_MAX)
		return -1;
	*threads = (unsigned long)v;
	return 0;
}

/* Copy the path [s, e) to out, keeping its end when it does not fit. */
static void copy_path(char *out, size_t len, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n < len) {
		memcpy(out, s, n);
		out[n] = '\0';
		return;
	}
	if (len < 4) {
		memcpy(out, e - (len - 1), len - 1);
		out[len - 1] = '\0';
		return;
	}
	memcpy(out, "...", 3);
	memcpy(out + 3, e - (len - 4), len - 4);
	out[len - 1] = '\0';
}

int nt_parse_cgroup(const char *text, char *out, size_t len)
{
	const char *line, *next, *colon1, *colon2, *eol;
	const char *v2 = NULL, *v2_end = NULL, *sd = NULL, *sd_end = NULL;
	const char *first = NULL, *first_end = NULL;

	if (len == 0)
		return -1;
	for (line = text; line && *line; line = next) {
		eol = strchr(line, '\n');
		next = eol ? eol + 1 : NULL;
		if (!eol)
			eol = line + strlen(line);
		colon1 = memchr(line, ':', (size_t)(eol - line));
		if (!colon1)
			continue;
		colon2 = memchr(colon1 + 1, ':', (size_t)(eol - colon1 - 1));
		if (!colon2 || colon2 + 1 >= eol || colon2[1] != '/')
			continue;
		if (!first) {
			first = colon2 + 1;
			first_end = eol;
		}
		if (colon1 - line == 1 && line[0] == '0' && colon2 == colon1 + 1 && !v2) {
			v2 = colon2 + 1;
			v2_end = eol;
		} else if ((size_t)(colon2 - colon1 - 1) == strlen("name=systemd") &&
			   strncmp(colon1 + 1, "name=systemd", strlen("name=systemd")) == 0 && !sd) {
			sd = colon2 + 1;
			sd_end = eol;
		}
	}
	/*
	 * Hybrid hierarchies have both; systemd keeps its units in each, but
	 * in the v2 one only when it manages it: prefer v2 unless it says
	 * nothing ("/") while v1 says more.
	 */
	if (v2 && sd && v2_end - v2 == 1 && sd_end - sd > 1)
		v2 = NULL;
	if (v2)
		copy_path(out, len, v2, v2_end);
	else if (sd)
		copy_path(out, len, sd, sd_end);
	else if (first)
		copy_path(out, len, first, first_end);
	else
		return -1;
	return 0;
}

bool nt_procinfo_same_process(unsigned long btime, unsigned long long ticks,
			      unsigned long boot_epoch, long clk_tck)
{
	unsigned long start;

	if (clk_tck <= 0)
		return false;
	start = boot_epoch + (unsigned long)(ticks / (unsigned long long)clk_tck);
	return start == btime || start + 1 == btime || start == btime + 1;
}

/* The whole of a small /proc file, NUL-terminated; -1 if it cannot be read. */
static int read_small(int dirfd, const char *name, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return got ? 0 : -1;
}

void nt_procinfo_read(const char *procroot, pid_t pid, unsigned long btime,
		      unsigned long boot_epoch, struct nt_procinfo *pi)
{
	char path[PATH_MAX], buf[4096];
	unsigned long long ticks;
	unsigned long threads;
	char state;
	int dirfd;

	memset(pi, 0, sizeof(*pi));
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "%s/%d", procroot, (int)pid);
	/* One directory fd: the three files are those of the same process. */
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;
	if (read_small(dirfd, "stat", buf, sizeof(buf)) < 0 ||
	    nt_parse_stat(buf, &state, &ticks) < 0 ||
	    !nt_procinfo_same_process(btime, ticks, boot_epoch, sysconf(_SC_CLK_TCK))) {
		close(dirfd);
		return;
	}
	if (read_small(dirfd, "status", buf, sizeof(buf)) == 0) {
		/*
		 * A zombie has exited, unless only its first thread has (then
		 * the others still run, and "Threads:" counts them besides it).
		 */
		if ((state == 'Z' || state == 'X') &&
		    (nt_parse_status_threads(buf, &threads) < 0 || threads <= 1)) {
			close(dirfd);
			return;
		}
		if (nt_parse_status_uid(buf, &pi->uid) == 0)
			pi->have_uid = true;
	} else if (state == 'Z' || state == 'X') {
		close(dirfd);
		return;
	}
	pi->alive = true;
	if (read_small(dirfd, "cgroup", buf, sizeof(buf)) == 0 &&
	    nt_parse_cgroup(buf, pi->cgroup, sizeof(pi->cgroup)) == 0)
		pi->have_cgroup = true;
	close(dirfd);
}
