// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "atop_client.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* atop never initialises its request: any content must do. */
#define GARBAGE 0xA5

int atop_connect(const char *path)
{
	struct sockaddr_un un;
	int fd, len;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	strcpy(un.sun_path, path);
	/* atop's length: no terminating NUL counted. */
	len = (int)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&un, (socklen_t)len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

void atop_reply_init(struct atop_reply *r)
{
	memset(r, 0, sizeof(*r));
}

void atop_reply_free(struct atop_reply *r)
{
	free(r->raw);
	free(r->hash);
	atop_reply_init(r);
}

static int push(struct netpertask **arr, size_t *n, size_t *cap, const struct netpertask *rec)
{
	struct netpertask *tmp;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;

		tmp = realloc(*arr, ncap * sizeof(**arr));
		if (!tmp)
			return -1;
		*arr = tmp;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *rec;
	return 0;
}

static struct netpertask *hash_slot(struct atop_reply *r, pid_t id)
{
	size_t i;

	for (i = 0; i < r->nhash; i++)
		if (r->hash[i].id == id)
			return &r->hash[i];
	return NULL;
}

int atop_exchange(int fd, struct atop_reply *r, char *err, size_t errlen)
{
	struct netpertask npt;

	atop_reply_free(r);
	memset(&npt, GARBAGE, sizeof(npt));
	/* MSG_NOSIGNAL: report a dead daemon rather than die of SIGPIPE. */
	if (send(fd, &npt, sizeof(npt), MSG_NOSIGNAL) != (ssize_t)sizeof(npt)) {
		snprintf(err, errlen, "send request: %s", strerror(errno));
		return ATOP_ESEND;
	}
	return atop_read_reply(fd, r, err, errlen);
}

int atop_read_reply(int fd, struct atop_reply *r, char *err, size_t errlen)
{
	size_t rawcap = 0, hashcap = 0;
	struct netpertask npt, *slot;
	ssize_t ret;

	atop_reply_free(r);
	for (;;) {
		ret = recv(fd, &npt, sizeof(npt), 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			snprintf(err, errlen, "recv after %zu records: %s", r->nraw, strerror(errno));
			return ATOP_ERECV;
		}
		if (ret == 0) {
			snprintf(err, errlen, "EOF after %zu records, before the terminator", r->nraw);
			return ATOP_EEOF;
		}
		if ((size_t)ret < sizeof(npt)) {
			/* atop would take the stale rest of npt for real data. */
			snprintf(err, errlen, "short read: %zd of %zu bytes in record %zu",
				 ret, sizeof(npt), r->nraw);
			return ATOP_ESHORT;
		}
		if (npt.id == 0)
			return ATOP_OK;
		if (push(&r->raw, &r->nraw, &rawcap, &npt) < 0)
			goto nomem;
		slot = hash_slot(r, npt.id);
		if (slot)
			*slot = npt;
		else if (push(&r->hash, &r->nhash, &hashcap, &npt) < 0)
			goto nomem;
	}
nomem:
	snprintf(err, errlen, "out of memory after %zu records", r->nraw);
	return ATOP_ENOMEM;
}

int atop_query(const char *path, struct atop_reply *r, char *err, size_t errlen)
{
	int fd = atop_connect(path), rc;

	if (fd < 0) {
		snprintf(err, errlen, "connect %s: %s", path, strerror(-fd));
		return ATOP_ESEND;
	}
	rc = atop_exchange(fd, r, err, errlen);
	close(fd);
	return rc;
}

const struct netpertask *atop_lookup(const struct atop_reply *r, pid_t id)
{
	size_t i;

	for (i = 0; i < r->nhash; i++)
		if (r->hash[i].id == id)
			return &r->hash[i];
	return NULL;
}

long atop_raw_first(const struct atop_reply *r, pid_t id)
{
	size_t i;

	for (i = 0; i < r->nraw; i++)
		if (r->raw[i].id == id)
			return (long)i;
	return -1;
}

long atop_raw_last(const struct atop_reply *r, pid_t id)
{
	size_t i;

	for (i = r->nraw; i-- > 0;)
		if (r->raw[i].id == id)
			return (long)i;
	return -1;
}

const char *const atop_counter_name[ATOP_NCOUNTERS] = {
	"tcpsndpacks", "tcpsndbytes", "tcprcvpacks", "tcprcvbytes",
	"udpsndpacks", "udpsndbytes", "udprcvpacks", "udprcvbytes",
};

unsigned long long *atop_counter_ptr(struct taskcount *tc, unsigned int i)
{
	switch (i) {
	case 0: return &tc->tcpsndpacks;
	case 1: return &tc->tcpsndbytes;
	case 2: return &tc->tcprcvpacks;
	case 3: return &tc->tcprcvbytes;
	case 4: return &tc->udpsndpacks;
	case 5: return &tc->udpsndbytes;
	case 6: return &tc->udprcvpacks;
	default: return &tc->udprcvbytes;
	}
}

unsigned long long atop_counter(const struct taskcount *tc, unsigned int i)
{
	return *atop_counter_ptr((struct taskcount *)tc, i);
}

int atop_counts_cmp(const struct taskcount *got, const struct taskcount *want,
		    char *msg, size_t len)
{
	size_t used = 0;
	unsigned int i;
	int rc = 0;

	if (len)
		msg[0] = '\0';
	for (i = 0; i < ATOP_NCOUNTERS; i++) {
		unsigned long long g = atop_counter(got, i), w = atop_counter(want, i);
		int n;

		if (g == w)
			continue;
		rc = -1;
		if (used >= len)
			continue;
		n = snprintf(msg + used, len - used, "%s%s=%llu (want %llu)",
			     used ? ", " : "", atop_counter_name[i], g, w);
		if (n > 0)
			used += (size_t)n;
	}
	return rc;
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n ? 0 : -1;
}

static int boot_epoch(unsigned long *epoch)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "btime %lu", epoch) == 1) {
			rc = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* The fields after comm: comm may hold spaces and ')' so look for the last one. */
static const char *after_comm(const char *stat)
{
	const char *p = strrchr(stat, ')');

	return p ? p + 1 : NULL;
}

int atop_proc_btime(pid_t pid, unsigned long *btime)
{
	unsigned long long start;
	unsigned long epoch;
	char path[64], buf[1024];
	const char *p;
	long hz = sysconf(_SC_CLK_TCK);
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (hz <= 0 || read_text(path, buf, sizeof(buf)) < 0 || boot_epoch(&epoch) < 0)
		return -1;
	/* p stops at the space before field 3 (state), then before 4, ... 22 (starttime). */
	p = after_comm(buf);
	for (field = 3; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return -1;
	*btime = (unsigned long)(start / (unsigned long long)hz) + epoch;
	return 0;
}

int atop_proc_comm(pid_t pid, char comm[NETATOP_COMMLEN])
{
	char path[64], buf[1024];
	const char *lp, *rp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return -1;
	n = (size_t)(rp - lp - 1);
	if (n >= NETATOP_COMMLEN)
		n = NETATOP_COMMLEN - 1;
	memcpy(comm, lp + 1, n);
	comm[n] = '\0';
	return 0;
}
