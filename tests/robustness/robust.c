// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "robust.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GONE_BATCH	64
#define WAIT_MS		10000

/* ------------------------------------------------------------ small tools */

long long rb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_ms_frac(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void rb_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned int rb_stress_seconds(void)
{
	const char *s = getenv("NETATOP_STRESS_SECONDS");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 10;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 3600)
		return 10;
	return (unsigned int)v;
}

void rb_want_fds(unsigned int n)
{
	struct rlimit rl;

	ck_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur >= n)
		return;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	rl.rlim_cur = n;
	ck_assert_msg(setrlimit(RLIMIT_NOFILE, &rl) == 0, "cannot allow %u open files: %s", n,
		      strerror(errno));
}

int rb_connect(const char *sock)
{
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	int fd = atop_connect(sock);

	ck_assert_msg(fd >= 0, "connect %s: %s", sock, strerror(-fd));
	/* A daemon that stops answering fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

void rb_exchange_ok(int fd, const struct rb_ref *ref, const char *who)
{
	struct atop_reply r;
	char err[512];

	atop_reply_init(&r);
	ck_assert_msg(atop_exchange(fd, &r, err, sizeof(err)) == ATOP_OK, "%s: %s", who, err);
	ck_assert_msg(rb_reply_check(&r, ref, NULL, err, sizeof(err)) == 0, "%s: %s", who, err);
	atop_reply_free(&r);
}

long rb_bytes_within(int fd, int ms, bool *eof)
{
	long long deadline = rb_now_ms() + ms;
	char buf[65536];
	long total = 0;

	*eof = false;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - rb_now_ms();
		ssize_t n;

		if (left <= 0)
			return total;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*eof = true;
			return total;
		}
		total += n;
	}
}

/* ------------------------------------------------------------ daemon */

void rb_start(struct harness *h, const char *const *extra)
{
	ck_assert_msg(harness_start(h, extra) == 0, "netatop did not start (log above)");
}

void rb_expect_alive(struct harness *h, const char *when)
{
	int status;

	ck_assert_msg(h->pid > 0, "%s: no daemon", when);
	if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
		char *log = harness_read_log(h);

		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log);
		free(log);
		h->pid = 0;
		ck_abort_msg("%s: the daemon died (wait status 0x%x)", when, status);
	}
}

void rb_stop(struct harness *h)
{
	rb_expect_alive(h, "before SIGTERM");
	harness_stop_ok(h);
}

unsigned int rb_log_count(const struct harness *h, const char *needle)
{
	char *log = harness_read_log(h), *line, *save = NULL;
	unsigned int n = 0;

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, needle))
			n++;
	free(log);
	return n;
}

/* ------------------------------------------------------------ known processes */

void rb_ref_start(struct rb_ref *r, const char *name, const char *tag,
		  unsigned int count, size_t size)
{
	harness_traffic_prepare(&r->tc, r->btime, name, tag, count, size);
	harness_traffic_go(&r->tc);
}

void rb_ref_stop(struct rb_ref *r)
{
	harness_traffic_finish(&r->tc);
}

int rb_ref_check(const struct atop_reply *reply, const struct rb_ref *r, char *msg, size_t len)
{
	char diff[400];
	unsigned int i;

	for (i = 0; i < r->tc.nchild; i++) {
		const struct traffic_child *c = &r->tc.child[i];
		const struct netpertask *rec = atop_lookup(reply, c->pid);

		if (!rec) {
			snprintf(msg, len, "reference pid %d (%s) is not in the reply of %zu records",
				 (int)c->pid, c->comm, reply->nraw);
			return -1;
		}
		if (strncmp(rec->command, c->comm, NETATOP_COMMLEN) != 0 || rec->btime != r->btime[i]) {
			snprintf(msg, len, "reference pid %d: command '%.16s' btime %lu, want '%s' %lu",
				 (int)c->pid, rec->command, rec->btime, c->comm, r->btime[i]);
			return -1;
		}
		if (atop_counts_cmp(&rec->tc, &c->done, diff, sizeof(diff)) < 0) {
			snprintf(msg, len, "reference pid %d (%s) counters changed: %s",
				 (int)c->pid, c->comm, diff);
			return -1;
		}
	}
	return 0;
}

static void reap(pid_t pid, unsigned int *bad)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		(*bad)++;
}

/* What one short-lived sender does, prepared by the parent. */
struct gone_job {
	const char *comm;
	const struct sockaddr_in *sink;
	const char *buf;
	size_t size;
};

static int gone_child(void *arg)
{
	const struct gone_job *job = arg;
	int fd;

	prctl(PR_SET_NAME, job->comm);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, job->buf, job->size, 0, (const struct sockaddr *)job->sink,
			     sizeof(*job->sink)) != (ssize_t)job->size)
		_exit(1);
	_exit(0);
}

void rb_gone_spawn(struct rb_gone *g, unsigned int n, const char *comm, bool one_by_one)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct sockaddr_in sink = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned int batch = one_by_one ? 1 : GONE_BATCH;
	socklen_t len = sizeof(sink);
	unsigned int i, j, bad = 0;
	char buf[256];
	int sfd;

	memset(g, 0, sizeof(*g));
	memset(buf, 'g', sizeof(buf));
	snprintf(g->comm, sizeof(g->comm), "%s", comm);
	g->n = n;
	g->pid = calloc(n, sizeof(*g->pid));
	g->size = calloc(n, sizeof(*g->size));
	ck_assert(g->pid && g->size);
	/* Never read: a full sink drops datagrams, which the senders count all the same. */
	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(sfd >= 0 && bind(sfd, (struct sockaddr *)&sink, len) == 0 &&
		      getsockname(sfd, (struct sockaddr *)&sink, &len) == 0,
		      "UDP sink: %s", strerror(errno));
	for (i = 0; i < n; i += batch) {
		for (j = i; j < n && j < i + batch; j++) {
			struct gone_job job = { .comm = comm, .sink = &sink, .buf = buf };

			/*
			 * As posix_spawn() does: sharing our memory until it exits,
			 * the child costs no copy of it (fork() takes milliseconds
			 * on some virtual machines, thousands of them minutes).  We
			 * wait while it runs, so one stack does for all.
			 */
			job.size = g->size[j] = 1 + j % sizeof(buf);
			g->pid[j] = clone(gone_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
					  &job);
			ck_assert_msg(g->pid[j] > 0, "clone: %s", strerror(errno));
		}
		for (j = i; j < n && j < i + batch; j++)
			reap(g->pid[j], &bad);
	}
	close(sfd);
	ck_assert_msg(bad == 0, "%u of %u short-lived senders failed", bad, n);
}

void rb_gone_free(struct rb_gone *g)
{
	free(g->pid);
	free(g->size);
	memset(g, 0, sizeof(*g));
}

long rb_gone_find(const struct atop_reply *reply, const struct rb_gone *g, unsigned int i)
{
	struct taskcount want;
	size_t k;

	memset(&want, 0, sizeof(want));
	want.udpsndpacks = 1;
	want.udpsndbytes = g->size[i];
	for (k = 0; k < reply->nraw; k++) {
		const struct netpertask *rec = &reply->raw[k];

		if (rec->id == g->pid[i] && strncmp(rec->command, g->comm, NETATOP_COMMLEN) == 0 &&
		    memcmp(&rec->tc, &want, sizeof(want)) == 0)
			return (long)k;
	}
	return -1;
}

int rb_gone_check(const struct atop_reply *reply, const struct rb_gone *g, unsigned int i,
		  char *msg, size_t len)
{
	long k = atop_raw_first(reply, g->pid[i]);

	if (rb_gone_find(reply, g, i) >= 0)
		return 0;
	if (k < 0)
		snprintf(msg, len, "exited pid %d (#%u of %u) is not in the reply of %zu records",
			 (int)g->pid[i], i, g->n, reply->nraw);
	else
		snprintf(msg, len, "exited pid %d (#%u): no record of it is exact, the first: "
			 "'%.16s' udpsnd %llu/%llu, tcpsnd %llu/%llu (want '%s' udpsnd 1/%zu only)",
			 (int)g->pid[i], i, reply->raw[k].command, reply->raw[k].tc.udpsndpacks,
			 reply->raw[k].tc.udpsndbytes, reply->raw[k].tc.tcpsndpacks,
			 reply->raw[k].tc.tcpsndbytes, g->comm, g->size[i]);
	return -1;
}

static int gone_sample_check(const struct atop_reply *reply, const struct rb_gone *g,
			     char *msg, size_t len)
{
	if (reply->nraw < g->n) {
		snprintf(msg, len, "%zu records, fewer than the %u exited processes", reply->nraw, g->n);
		return -1;
	}
	if (rb_gone_check(reply, g, 0, msg, len) < 0 ||
	    rb_gone_check(reply, g, g->n / 2, msg, len) < 0 ||
	    rb_gone_check(reply, g, g->n - 1, msg, len) < 0)
		return -1;
	return 0;
}

void rb_gone_wait(const char *sock, const struct rb_gone *g)
{
	long long deadline = rb_now_ms() + WAIT_MS;
	struct atop_reply r;
	char err[512];

	atop_reply_init(&r);
	for (;;) {
		ck_assert_msg(atop_query(sock, &r, err, sizeof(err)) == ATOP_OK, "query: %s", err);
		if (gone_sample_check(&r, g, err, sizeof(err)) == 0)
			break;
		ck_assert_msg(rb_now_ms() < deadline, "the exited processes never showed: %s", err);
		rb_sleep_ms(50);
	}
	atop_reply_free(&r);
}

/* ------------------------------------------------------------ the well-behaved client */

int rb_reply_check(const struct atop_reply *reply, const struct rb_ref *ref,
		   const struct rb_gone *gone, char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < reply->nraw; i++) {
		const struct netpertask *rec = &reply->raw[i];

		if (rec->id <= 0 || !memchr(rec->command, '\0', NETATOP_COMMLEN)) {
			snprintf(msg, len, "record %zu of %zu is garbage: id %d, command '%.16s'",
				 i, reply->nraw, (int)rec->id, rec->command);
			return -1;
		}
	}
	if (ref && rb_ref_check(reply, ref, msg, len) < 0)
		return -1;
	if (gone && gone_sample_check(reply, gone, msg, len) < 0)
		return -1;
	return 0;
}

/*
 * One sample as atop takes it: a whole request, then recv() of one
 * record at a time up to the terminator.  Timed from the request to the
 * terminator; atop's hash is built afterwards, out of the timing, as a
 * reversed copy of the records: a lookup then finds the last record of
 * an id, as atop's hash keeps it.
 */
static int hash_build(struct atop_reply *r)
{
	size_t i;

	free(r->hash);
	r->nhash = 0;
	r->hash = malloc((r->nraw ? r->nraw : 1) * sizeof(*r->hash));
	if (!r->hash)
		return -1;
	for (i = 0; i < r->nraw; i++)
		r->hash[i] = r->raw[r->nraw - 1 - i];
	r->nhash = r->nraw;
	return 0;
}

void rb_reply_hash(struct atop_reply *r)
{
	ck_assert_msg(hash_build(r) == 0, "out of memory");
}

static int timed_exchange(int fd, struct atop_reply *r, size_t *cap, double *ms,
			  char *err, size_t len)
{
	struct netpertask req, rec;
	double t0 = now_ms_frac();
	ssize_t n;

	/* Keep the buffers from one poll to the next. */
	r->nraw = 0;
	memset(&req, 0xA5, sizeof(req));
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
		snprintf(err, len, "send request: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		n = recv(fd, &rec, sizeof(rec), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(rec)) {
			snprintf(err, len, "after %zu records: %s", r->nraw,
				 n < 0 ? strerror(errno) : n == 0 ? "EOF before the terminator" : "short read");
			return -1;
		}
		if (rec.id == 0)
			break;
		if (r->nraw == *cap) {
			struct netpertask *tmp;

			*cap = *cap ? *cap * 2 : 4096;
			tmp = realloc(r->raw, *cap * sizeof(*tmp));
			if (!tmp) {
				snprintf(err, len, "out of memory");
				return -1;
			}
			r->raw = tmp;
		}
		r->raw[r->nraw++] = rec;
	}
	*ms = now_ms_frac() - t0;
	if (hash_build(r) < 0) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	return 0;
}

static void *poll_loop(void *arg)
{
	struct rb_poller *p = arg;
	struct atop_reply r;
	size_t cap = 0;
	char err[400];
	int fd;

	atop_reply_init(&r);
	fd = atop_connect(p->sock);
	if (fd < 0) {
		snprintf(p->err, sizeof(p->err), "connect: %s", strerror(-fd));
		return NULL;
	}
	while (!p->stop) {
		double dt = 0;

		if (timed_exchange(fd, &r, &cap, &dt, err, sizeof(err)) < 0 ||
		    rb_reply_check(&r, p->ref, p->gone, err, sizeof(err)) < 0) {
			snprintf(p->err, sizeof(p->err), "poll %u: %s", p->polls, err);
			break;
		}
		if (dt > POLL_BLOCKED_MS) {
			snprintf(p->err, sizeof(p->err),
				 "poll %u: the reply took %.0f ms: the daemon was blocked", p->polls, dt);
			break;
		}
		pthread_mutex_lock(&p->lock);
		if (p->nlat == p->latcap) {
			size_t ncap = p->latcap ? p->latcap * 2 : 1024;
			double *tmp = realloc(p->lat_ms, ncap * sizeof(*tmp));

			if (!tmp) {
				pthread_mutex_unlock(&p->lock);
				snprintf(p->err, sizeof(p->err), "out of memory");
				break;
			}
			p->lat_ms = tmp;
			p->latcap = ncap;
		}
		p->lat_ms[p->nlat++] = dt;
		if (p->nlat == 1 || r.nraw < p->min_records)
			p->min_records = r.nraw;
		if (r.nraw > p->max_records)
			p->max_records = r.nraw;
		pthread_mutex_unlock(&p->lock);
		__atomic_add_fetch(&p->polls, 1, __ATOMIC_SEQ_CST);
		if (p->gap_ms)
			rb_sleep_ms(p->gap_ms);
	}
	close(fd);
	atop_reply_free(&r);
	return NULL;
}

static unsigned int polls_done(struct rb_poller *p)
{
	return __atomic_load_n(&p->polls, __ATOMIC_SEQ_CST);
}

unsigned int rb_poller_polls(struct rb_poller *p)
{
	if (p->err[0])
		rb_poller_finish(p, "(failed)");
	return polls_done(p);
}

void rb_poller_start(struct rb_poller *p, const char *sock, const struct rb_ref *ref,
		     const struct rb_gone *gone, unsigned int gap_ms)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->sock = sock;
	p->ref = ref;
	p->gone = gone;
	p->gap_ms = gap_ms;
	ck_assert(pthread_create(&p->thread, NULL, poll_loop, p) == 0);
	p->running = true;
	rb_poller_wait_polls(p, 1);
}

void rb_poller_wait_polls(struct rb_poller *p, unsigned int n)
{
	unsigned int target = polls_done(p) + n;
	long long deadline = rb_now_ms() + WAIT_MS + n * (p->gap_ms + 50LL);

	while (polls_done(p) < target) {
		if (p->err[0] || !p->running)
			break;
		if (rb_now_ms() > deadline) {
			snprintf(p->err, sizeof(p->err), "%u polls did not complete in time", n);
			break;
		}
		rb_sleep_ms(5);
	}
	if (p->err[0])
		rb_poller_finish(p, "(failed)");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the figures so far and start afresh. */
static void report(struct rb_poller *p, const char *what)
{
	pthread_mutex_lock(&p->lock);
	if (p->nlat) {
		qsort(p->lat_ms, p->nlat, sizeof(*p->lat_ms), cmp_double);
		printf("latency %s: worst %.1f ms, median %.1f ms (%zu polls, replies of %zu..%zu records)\n",
		       what, p->lat_ms[p->nlat - 1], p->lat_ms[p->nlat / 2], p->nlat,
		       p->min_records, p->max_records);
		fflush(stdout);
	}
	p->nlat = 0;
	pthread_mutex_unlock(&p->lock);
}

void rb_poller_baseline(struct rb_poller *p, unsigned int n, const char *what)
{
	rb_poller_wait_polls(p, n);
	report(p, what);
}

void rb_poller_finish(struct rb_poller *p, const char *what)
{
	if (p->running) {
		p->stop = 1;
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	ck_assert_msg(p->err[0] == '\0', "%s: the well-behaved client: %s", what, p->err);
	ck_assert_msg(p->nlat > 0, "%s: the well-behaved client got no reply", what);
	report(p, what);
	free(p->lat_ms);
	p->lat_ms = NULL;
	pthread_mutex_destroy(&p->lock);
}
