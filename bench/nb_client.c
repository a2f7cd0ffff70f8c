// SPDX-License-Identifier: GPL-2.0-only
/*
 * An atop-like client that times replies.
 *
 *   nb_client -s SOCK [-n REQUESTS] [-p PIDFILE] [-d DAEMONPID [-r] [-t STRACE_OUT]]
 *   nb_client -c CONNSOCK -P PID [-n REQUESTS]
 *
 * Connects once and asks REQUESTS times (default 5); each reply is timed
 * from the request's send() to the terminating record, read with large
 * recv()s so the client is not what is measured.  Prints key=value lines:
 *
 *   records=N median_ms=M min_ms=M max_ms=M    records in the last reply
 *   expected=N missing=N wrong=N               -p: every pid of PIDFILE must be
 *                                              in the reply with exactly one
 *                                              1-byte UDP datagram sent
 *   rss_kb=N hwm_kb=N                          -r: the daemon's VmRSS/VmHWM
 *   syscalls=N                                 -t: strace -f -c is attached to
 *                                              the daemon around exactly one
 *                                              more request; its summary goes
 *                                              to STRACE_OUT
 *
 * With -c, the connection query (connproto.h) on the daemon's connection
 * socket instead, for the connections of process PID, timed from the
 * request to the last byte of the reply:
 *
 *   conns=N conn_median_ms=M conn_min_ms=M conn_max_ms=M
 */
#define _GNU_SOURCE
#include "nb_common.h"
#include "protocol.h"
#include "connproto.h"

#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RECV_BUF (1 << 20)

static struct netpertask *recs;
static size_t nrecs, caprecs;

static int connect_to(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(un.sun_path))
		nb_die("socket path too long");
	strcpy(un.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
		nb_die("connect %s", path);
	return fd;
}

/* One exchange; the reply's records (terminator excluded) land in recs. Returns ns. */
static long long exchange(int fd)
{
	static char buf[RECV_BUF];
	struct netpertask req;
	size_t have = 0, off;
	long long t0;
	int done = 0;

	memset(&req, 0xA5, sizeof(req));
	nrecs = 0;
	t0 = nb_now_ns();
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
		nb_die("send request");
	while (!done) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			nb_die("reply ended early (%zu records)", nrecs);
		have += (size_t)n;
		for (off = 0; off + sizeof(req) <= have; off += sizeof(req)) {
			const struct netpertask *r = (const void *)(buf + off);

			if (r->id == 0) {
				done = 1;
				off += sizeof(req);
				break;
			}
			if (nrecs == caprecs) {
				caprecs = caprecs ? caprecs * 2 : 65536;
				recs = realloc(recs, caprecs * sizeof(*recs));
				if (!recs)
					nb_die("realloc");
			}
			memcpy(&recs[nrecs++], r, sizeof(*r));
		}
		if (done && off != have)
			nb_die("data after the terminating record");
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	return nb_now_ns() - t0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct netpertask *)a)->id, y = ((const struct netpertask *)b)->id;

	return x < y ? -1 : x > y;
}

static void check_pids(const char *path)
{
	long expected = 0, missing = 0, wrong = 0;
	struct netpertask key;
	FILE *f = fopen(path, "r");
	int pid;

	if (!f)
		nb_die("%s", path);
	qsort(recs, nrecs, sizeof(*recs), cmp_pid);
	while (fscanf(f, "%d", &pid) == 1) {
		const struct netpertask *r;

		expected++;
		key.id = pid;
		r = bsearch(&key, recs, nrecs, sizeof(*recs), cmp_pid);
		if (!r)
			missing++;
		else if (r->tc.udpsndpacks != 1 || r->tc.udpsndbytes != 1)
			wrong++;
	}
	fclose(f);
	printf("expected=%ld missing=%ld wrong=%ld\n", expected, missing, wrong);
}

static long status_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static long strace_total(const char *path)
{
	char line[512];
	long calls = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		if (len >= 6 && strncmp(line + len - 6, " total", 6) == 0)
			sscanf(line, "%*s %*s %*s %ld", &calls);
	}
	fclose(f);
	return calls;
}

/* One more exchange with strace -f -c attached to the daemon. */
static long traced_exchange(int fd, pid_t daemon, const char *out)
{
	char pidbuf[16];
	long long deadline;
	pid_t tracer;
	int status;

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)daemon);
	tracer = fork();
	if (tracer < 0)
		nb_die("fork");
	if (tracer == 0) {
		execlp("strace", "strace", "-f", "-c", "-o", out, "-p", pidbuf, (char *)NULL);
		nb_die("exec strace");
	}
	deadline = nb_now_ns() + 5000000000LL;
	while (status_field(daemon, "TracerPid") <= 0) {
		if (nb_now_ns() > deadline)
			nb_die("strace did not attach to %d", (int)daemon);
		usleep(2000);
	}
	usleep(300000);		/* let the interrupted epoll_wait() settle */
	exchange(fd);
	usleep(300000);		/* the daemon is back in epoll_wait() */
	kill(tracer, SIGINT);
	waitpid(tracer, &status, 0);
	return strace_total(out);
}

static void read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			nb_die("the connection query's reply ended early");
		got += (size_t)n;
	}
}

/* One connection query; the number of entries in *count.  Returns ns. */
static long long conn_exchange(int fd, int32_t pid, uint32_t *count)
{
	static char buf[RECV_BUF];
	struct nt_conn_reply_head head;
	struct nt_conn_request q;
	size_t left;
	long long t0;

	memset(&q, 0, sizeof(q));
	memcpy(q.magic, NT_CONN_MAGIC, sizeof(q.magic));
	q.version = NT_CONN_VERSION;
	q.pid = pid;
	t0 = nb_now_ns();
	if (send(fd, &q, sizeof(q), MSG_NOSIGNAL) != sizeof(q))
		nb_die("send the connection query");
	read_full(fd, &head, sizeof(head));
	if (memcmp(head.magic, NT_CONN_MAGIC, sizeof(head.magic)) != 0 || head.status != NT_CONN_OK)
		nb_die("the connection query failed (status %u)", head.status);
	for (left = (size_t)head.count * sizeof(struct nt_conn_entry); left;) {
		size_t k = left < sizeof(buf) ? left : sizeof(buf);

		read_full(fd, buf, k);
		left -= k;
	}
	*count = head.count;
	return nb_now_ns() - t0;
}

static int conn_queries(const char *path, int32_t pid, long n, double *ms)
{
	int fd = connect_to(path);
	uint32_t count = 0;
	long i;

	for (i = 0; i < n; i++)
		ms[i] = (double)conn_exchange(fd, pid, &count) / 1e6;
	close(fd);
	printf("conns=%u conn_median_ms=%.3f ", count, nb_median(ms, (size_t)n));
	/* sorted by the median */
	printf("conn_min_ms=%.3f conn_max_ms=%.3f\n", ms[0], ms[n - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *pidfile = NULL, *trace_out = NULL, *connsock = NULL;
	long n = 5, i, conn_pid = 0;
	pid_t daemon = 0;
	int opt, fd, rss = 0;
	double *ms;

	while ((opt = getopt(argc, argv, "s:n:p:d:rt:c:P:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'n': n = nb_arg_long(optarg, "REQUESTS"); break;
		case 'p': pidfile = optarg; break;
		case 'd': daemon = (pid_t)nb_arg_long(optarg, "DAEMONPID"); break;
		case 'r': rss = 1; break;
		case 't': trace_out = optarg; break;
		case 'c': connsock = optarg; break;
		case 'P': conn_pid = nb_arg_long(optarg, "PID"); break;
		default: return 2;
		}
	}
	if (connsock && conn_pid > 0 && n >= 1) {
		ms = calloc((size_t)n, sizeof(*ms));
		if (!ms)
			nb_die("calloc");
		return conn_queries(connsock, (int32_t)conn_pid, n, ms);
	}
	if (!sock || n < 1 || ((rss || trace_out) && !daemon)) {
		fprintf(stderr, "usage: nb_client -s SOCK [-n REQUESTS] [-p PIDFILE] [-d DAEMONPID [-r] [-t STRACE_OUT]]\n"
				"       nb_client -c CONNSOCK -P PID [-n REQUESTS]\n");
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (!ms)
		nb_die("calloc");
	fd = connect_to(sock);
	for (i = 0; i < n; i++)
		ms[i] = (double)exchange(fd) / 1e6;
	printf("records=%zu ", nrecs);
	printf("median_ms=%.3f ", nb_median(ms, (size_t)n));
	printf("min_ms=%.3f max_ms=%.3f\n", ms[0], ms[n - 1]);
	if (rss)
		printf("rss_kb=%ld hwm_kb=%ld\n", status_field(daemon, "VmRSS"), status_field(daemon, "VmHWM"));
	if (trace_out)
		printf("syscalls=%ld\n", traced_exchange(fd, daemon, trace_out));
	if (pidfile)
		check_pids(pidfile);
	close(fd);
	free(ms);
	free(recs);
	return 0;
}
