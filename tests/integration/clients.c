// SPDX-License-Identifier: GPL-2.0-only
/*
 * The serving side: what clients get (exited processes, ordering, reused
 * pids, concurrency, misbehaving peers), `netatop --list`, and the
 * daemon's life cycle (SIGTERM, a second instance, a stale socket).
 */
#define _GNU_SOURCE
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "atop_client.h"
#include "exitcodes.h"
#include "harness.h"
#include "traffic.h"

#define TEST_TIMEOUT_S		30
#define CONCURRENT_POLLS	200
#define PID_REUSE_TRIES		50

/* Shared by the tests that need no daemon of their own. */
static struct harness shared;

/* ------------------------------------------------------------ helpers */

struct kids {
	struct traffic_case tc;
	unsigned long btime[TRAFFIC_MAX_CHILDREN];
};

static void kids_prepare(struct kids *k, const char *name, const char *tag,
			 unsigned int count, size_t size)
{
	harness_traffic_prepare(&k->tc, k->btime, name, tag, count, size);
}

static void kids_go(struct kids *k)
{
	harness_traffic_go(&k->tc);
}

static void kids_reap(struct kids *k)
{
	harness_traffic_finish(&k->tc);
}

static void kids_run(struct kids *k, const char *name, const char *tag,
		     unsigned int count, size_t size)
{
	kids_prepare(k, name, tag, count, size);
	kids_go(k);
	kids_reap(k);
}

/* Is rec exactly child i of k: comm, btime and all 8 counters? */
static bool is_exactly(const struct netpertask *rec, const struct kids *k, unsigned int i,
		       char *msg, size_t len)
{
	const struct traffic_child *c = &k->tc.child[i];
	char diff[400];

	if (!rec) {
		snprintf(msg, len, "pid %d (%s) is not in the reply", (int)c->pid, c->comm);
		return false;
	}
	if (strncmp(rec->command, c->comm, NETATOP_COMMLEN) != 0 || rec->btime != k->btime[i]) {
		snprintf(msg, len, "pid %d: command '%.16s' btime %lu, want '%s' %lu", (int)c->pid,
			 rec->command, rec->btime, c->comm, k->btime[i]);
		return false;
	}
	if (atop_counts_cmp(&rec->tc, &c->done, diff, sizeof(diff)) < 0) {
		snprintf(msg, len, "pid %d (%s): %s", (int)c->pid, c->comm, diff);
		return false;
	}
	return true;
}

/* atop's view of every child of k is exact. */
static void expect_kids(const struct atop_reply *r, const struct kids *k, const char *when)
{
	char msg[512];
	unsigned int i;

	for (i = 0; i < k->tc.nchild; i++)
		ck_assert_msg(is_exactly(atop_lookup(r, k->tc.child[i].pid), k, i, msg, sizeof(msg)),
			      "%s: %s", when, msg);
}

/* r is initialised; what it held from an earlier query is freed. */
static void query(const char *path, struct atop_reply *r)
{
	char err[256];

	ck_assert_msg(atop_query(path, r, err, sizeof(err)) == ATOP_OK, "query %s: %s", path, err);
}

static void exchange(int fd, struct atop_reply *r, const char *who)
{
	char err[256];

	ck_assert_msg(atop_exchange(fd, r, err, sizeof(err)) == ATOP_OK, "%s: %s", who, err);
}

static int connect_ok(const char *path)
{
	int fd = atop_connect(path);

	ck_assert_msg(fd >= 0, "connect %s: %s", path, strerror(-fd));
	return fd;
}

static void start_own(struct harness *h, const char *const *extra)
{
	ck_assert_msg(harness_start(h, extra) == 0, "netatop did not start (log above)");
}

static void send_all(int fd, const void *buf, size_t len)
{
	ck_assert_msg(send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len, "send: %s", strerror(errno));
}

/* ------------------------------------------------------------ exited processes */

START_TEST(test_exited_reaches_every_client)
{
	static const char *const args[] = { "--keep-exited", "0", NULL };
	struct atop_reply ra, rb;
	struct harness h;
	struct kids k;
	int a, b;

	/*
	 * No grace period: the record may only go once every client that was
	 * connected at the exit has had it, which is what is tested.
	 */
	start_own(&h, args);
	a = connect_ok(h.sock);
	b = connect_ok(h.sock);
	atop_reply_init(&ra);
	atop_reply_init(&rb);
	/* Both are in session, as atop is after its first sample. */
	exchange(a, &ra, "client A, first sample");
	exchange(b, &rb, "client B, first sample");

	kids_run(&k, "udp4", "twocl", 9, 99);

	exchange(a, &ra, "client A after the exit");
	expect_kids(&ra, &k, "client A, first poll after the exit");
	exchange(a, &ra, "client A again");
	exchange(b, &rb, "client B after the exit");
	expect_kids(&rb, &k, "client B, polling after A polled twice");

	atop_reply_free(&ra);
	atop_reply_free(&rb);
	close(a);
	close(b);
	harness_stop_ok(&h);
}
END_TEST

START_TEST(test_exited_before_live)
{
	struct kids gone, live;
	struct atop_reply r;
	long last_gone, first_live;
	unsigned int i, j;

	kids_run(&gone, "udp4", "gone", 3, 50);
	kids_prepare(&live, "udp4", "live", 4, 60);
	kids_go(&live);

	/*
	 * Exited records first: a live process that reused a pid must come
	 * later, to replace the exited one in atop's hash.
	 */
	atop_reply_init(&r);
	query(shared.sock, &r);
	expect_kids(&r, &gone, "exited");
	expect_kids(&r, &live, "live");
	for (i = 0; i < gone.tc.nchild; i++) {
		last_gone = atop_raw_last(&r, gone.tc.child[i].pid);
		for (j = 0; j < live.tc.nchild; j++) {
			first_live = atop_raw_first(&r, live.tc.child[j].pid);
			ck_assert_msg(last_gone < first_live,
				      "exited pid %d is record %ld, after live pid %d (record %ld)",
				      (int)gone.tc.child[i].pid, last_gone,
				      (int)live.tc.child[j].pid, first_live);
		}
	}
	atop_reply_free(&r);
	kids_reap(&live);
}
END_TEST

/* ------------------------------------------------------------ reused pid */

static int set_last_pid(pid_t pid)
{
	char buf[32];
	int fd, len, rc;

	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	rc = write(fd, buf, (size_t)len) == len ? 0 : -1;
	close(fd);
	return rc;
}

static bool all_zero(const struct taskcount *tc)
{
	static const struct taskcount zero;

	return memcmp(tc, &zero, sizeof(zero)) == 0;
}

/*
 * Every record for the pid is the old process or the new one, never a
 * blend; or, in place of the old one for a client that has had it, the
 * new one with zero counters, which a later record overrides.
 */
static void expect_no_blend(const struct atop_reply *r, const struct kids *old,
			    const struct kids *young, const char *when)
{
	pid_t pid = young->tc.child[0].pid;
	long last = atop_raw_last(r, pid);
	char m1[512], m2[512];
	size_t i;

	for (i = 0; i < r->nraw; i++) {
		if (r->raw[i].id != pid)
			continue;
		if ((long)i < last && all_zero(&r->raw[i].tc))
			continue;
		ck_assert_msg(is_exactly(&r->raw[i], old, 0, m1, sizeof(m1)) ||
			      is_exactly(&r->raw[i], young, 0, m2, sizeof(m2)),
			      "%s: record %zu for pid %d is neither process: as the old one %s; as the new one %s",
			      when, i, (int)pid, m1, m2);
	}
}

START_TEST(test_reused_pid_starts_from_zero)
{
	struct kids old, young;
	struct atop_reply r;
	char msg[512];
	pid_t pid;
	int tries;

	/* The old process: UDP only, exited and reaped, so its pid is free. */
	kids_run(&old, "udp-self", "pidold", 3, 100);
	pid = old.tc.child[0].pid;
	atop_reply_init(&r);
	query(shared.sock, &r);
	expect_kids(&r, &old, "old process, exited");

	/* The new one gets the same pid: TCP only, so any inheritance shows. */
	for (tries = 0; tries < PID_REUSE_TRIES; tries++) {
		ck_assert_msg(set_last_pid(pid - 1) == 0, "cannot write ns_last_pid: %s", strerror(errno));
		kids_prepare(&young, "tcp-self", "pidnew", 5, 200);
		if (young.tc.child[0].pid == pid)
			break;
		traffic_kill(&young.tc);	/* raced by another fork: it sent nothing */
	}
	ck_assert_msg(tries < PID_REUSE_TRIES, "could not get pid %d again in %d tries",
		      (int)pid, PID_REUSE_TRIES);
	kids_go(&young);

	query(shared.sock, &r);
	ck_assert_msg(is_exactly(atop_lookup(&r, pid), &young, 0, msg, sizeof(msg)),
		      "new process alive, as atop's hash sees it: %s", msg);
	ck_assert_msg(atop_raw_last(&r, pid) >= 0 &&
		      is_exactly(&r.raw[atop_raw_last(&r, pid)], &young, 0, msg, sizeof(msg)),
		      "the live record must be the last for pid %d: %s", (int)pid, msg);
	expect_no_blend(&r, &old, &young, "new process alive");

	kids_reap(&young);
	query(shared.sock, &r);
	ck_assert_msg(is_exactly(atop_lookup(&r, pid), &young, 0, msg, sizeof(msg)),
		      "both exited, as atop's hash sees it: %s", msg);
	expect_no_blend(&r, &old, &young, "both exited");
	atop_reply_free(&r);
}
END_TEST

/*
 * A process that moves nothing takes the pid of one that exited with
 * traffic.  Without traffic it has no live record to override the exited
 * one in atop's table: a client that has had the exit must get the new
 * process with zero counters instead, or atop books the dead one's
 * traffic on it; one that has not had the exit yet still gets it, once.
 */
#define OLD_DATAGRAMS	20
#define OLD_SIZE	300

/* Sends OLD_DATAGRAMS of OLD_SIZE bytes over UDP and exits; its pid. */
static pid_t run_old_sender(void)
{
	struct sockaddr_in sink = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sink);
	int sfd, status;
	pid_t pid;

	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(sfd >= 0 && bind(sfd, (struct sockaddr *)&sink, len) == 0 &&
		      getsockname(sfd, (struct sockaddr *)&sink, &len) == 0, "UDP sink: %s", strerror(errno));
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		char buf[OLD_SIZE];
		unsigned int i;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		prctl(PR_SET_NAME, "reuse-old");
		memset(buf, 'o', sizeof(buf));
		for (i = 0; i < OLD_DATAGRAMS; i++)
			if (fd < 0 || sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sink, len) != OLD_SIZE)
				_exit(1);
		_exit(0);
	}
	ck_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sfd);
	return pid;
}

/* The child that takes the pid: named, silent, until killed. */
static void silent_child(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "reuse-new");
	for (;;)
		pause();
}

/*
 * A silent child with exactly this pid, or -1.  clone3() with set_tid
 * picks the pid itself, so nothing else forking on the machine can race
 * it; ns_last_pid is the fallback (a new pid namespace would not do: the
 * daemon sees the pids of the initial namespace).
 */
static pid_t take_pid(pid_t want)
{
	struct clone_args args;
	unsigned int tries;
	pid_t tid = want, pid;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&tid;
	args.set_tid_size = 1;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		silent_child();
	if (pid == want)
		return pid;
	for (tries = 0; tries < PID_REUSE_TRIES; tries++) {
		if (set_last_pid(want - 1) < 0)
			return -1;
		pid = fork();
		if (pid == 0)
			silent_child();
		if (pid == want)
			return pid;
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	return -1;
}

/* What atop's table gives for pid: the counters must be exactly these. */
static void expect_counts(const struct atop_reply *r, pid_t pid, unsigned long long packs,
			  unsigned long long bytes, const char *who)
{
	const struct netpertask *rec = atop_lookup(r, pid);
	struct taskcount want;
	char diff[400];

	memset(&want, 0, sizeof(want));
	want.udpsndpacks = packs;
	want.udpsndbytes = bytes;
	ck_assert_msg(rec, "%s: pid %d is not in the reply", who, (int)pid);
	ck_assert_msg(atop_counts_cmp(&rec->tc, &want, diff, sizeof(diff)) == 0, "%s: pid %d ('%.16s'): %s",
		      who, (int)pid, rec->command, diff);
	printf("%s: pid %d '%.16s' udp sent %llu packets, %llu bytes\n", who, (int)pid, rec->command,
	       rec->tc.udpsndpacks, rec->tc.udpsndbytes);
}

START_TEST(test_reused_pid_without_traffic)
{
	struct atop_reply ra, rb, rc;
	struct harness h;
	pid_t old, young;
	int a, b, status;

	start_own(&h, NULL);
	a = connect_ok(h.sock);
	b = connect_ok(h.sock);
	atop_reply_init(&ra);
	atop_reply_init(&rb);
	atop_reply_init(&rc);
	exchange(a, &ra, "client A, first sample");
	exchange(b, &rb, "client B, first sample");

	old = run_old_sender();
	exchange(a, &ra, "client A after the exit");
	expect_counts(&ra, old, OLD_DATAGRAMS, OLD_DATAGRAMS * OLD_SIZE, "A after the exit");

	young = take_pid(old);
	ck_assert_msg(young == old, "could not give pid %d to a new process: %s", (int)old, strerror(errno));

	exchange(a, &ra, "client A after the reuse");
	expect_counts(&ra, old, 0, 0, "A, which had the exit, after the reuse");
	/* B has not had the exit: it gets it, once, even though the pid is taken */
	exchange(b, &rb, "client B after the reuse");
	expect_counts(&rb, old, OLD_DATAGRAMS, OLD_DATAGRAMS * OLD_SIZE, "B, which had not had the exit");
	exchange(b, &rb, "client B again");
	expect_counts(&rb, old, 0, 0, "B again");
	exchange(a, &ra, "client A again");
	expect_counts(&ra, old, 0, 0, "A again");
	/* a client that connects now has had nothing of the dead process, and needs nothing */
	query(h.sock, &rc);
	expect_counts(&rc, old, 0, 0, "a new client");

	kill(young, SIGKILL);
	waitpid(young, &status, 0);
	atop_reply_free(&ra);
	atop_reply_free(&rb);
	atop_reply_free(&rc);
	close(a);
	close(b);
	harness_stop_ok(&h);
}
END_TEST

/* ------------------------------------------------------------ concurrent clients */

struct poller {
	pthread_t thread;
	const char *path;
	unsigned int polls;
	char err[512];
};

static bool none_lower(const struct taskcount *now, const struct taskcount *before)
{
	unsigned int i;

	for (i = 0; i < ATOP_NCOUNTERS; i++)
		if (atop_counter(now, i) < atop_counter(before, i))
			return false;
	return true;
}

/* One reply: whole records only, a NUL-terminated comm, real ids; no counter went down. */
static int check_poll(const struct atop_reply *cur, const struct atop_reply *prev,
		      unsigned int n, char *err, size_t len)
{
	const struct netpertask *was;
	size_t i;

	for (i = 0; i < cur->nraw; i++) {
		if (cur->raw[i].id <= 0 || !memchr(cur->raw[i].command, '\0', NETATOP_COMMLEN)) {
			snprintf(err, len, "poll %u, record %zu: id %d, comm not terminated?",
				 n, i, (int)cur->raw[i].id);
			return -1;
		}
	}
	for (i = 0; i < cur->nhash; i++) {
		was = atop_lookup(prev, cur->hash[i].id);
		/* Same pid and start time: the same process, whose counters only grow. */
		if (was && was->btime == cur->hash[i].btime && !none_lower(&cur->hash[i].tc, &was->tc)) {
			snprintf(err, len, "poll %u: counters of pid %d went down", n, (int)cur->hash[i].id);
			return -1;
		}
	}
	return 0;
}

static void *poll_loop(void *arg)
{
	struct atop_reply prev, cur, tmp;
	struct poller *p = arg;
	char e[256];
	int fd;

	atop_reply_init(&prev);
	atop_reply_init(&cur);
	fd = atop_connect(p->path);
	if (fd < 0) {
		snprintf(p->err, sizeof(p->err), "connect: %s", strerror(-fd));
		return NULL;
	}
	for (p->polls = 0; p->polls < CONCURRENT_POLLS; p->polls++) {
		if (atop_exchange(fd, &cur, e, sizeof(e)) != ATOP_OK) {
			snprintf(p->err, sizeof(p->err), "poll %u: %s", p->polls, e);
			break;
		}
		if (check_poll(&cur, &prev, p->polls, p->err, sizeof(p->err)) < 0)
			break;
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	close(fd);
	atop_reply_free(&prev);
	atop_reply_free(&cur);
	return NULL;
}

START_TEST(test_concurrent_clients)
{
	struct poller p[2];
	struct kids k[10];
	struct atop_reply r;
	unsigned int i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 2; i++) {
		p[i].path = shared.sock;
		ck_assert(pthread_create(&p[i].thread, NULL, poll_loop, &p[i]) == 0);
	}
	/* Processes start, count and exit while the clients poll. */
	for (i = 0; i < 10; i++)
		kids_run(&k[i], i % 2 ? "udp4" : "tcp4", "conc", 20 + i, 64 + i);
	for (i = 0; i < 2; i++) {
		pthread_join(p[i].thread, NULL);
		ck_assert_msg(p[i].err[0] == '\0', "client %u: %s", i, p[i].err);
		ck_assert_uint_eq(p[i].polls, CONCURRENT_POLLS);
	}
	atop_reply_init(&r);
	query(shared.sock, &r);
	for (i = 0; i < 10; i++)
		expect_kids(&r, &k[i], "after the concurrent polls");
	atop_reply_free(&r);
}
END_TEST

/* ------------------------------------------------------------ misbehaving clients */

/* Our own daemon that would wait an hour for a silent client: a stall shows as a test timeout. */
static const char *const patient[] = { "--client-timeout", "3600", NULL };

START_TEST(test_partial_request_blocks_nobody)
{
	struct netpertask req;
	struct atop_reply r;
	struct harness h;
	char err[256];
	int g, c;

	start_own(&h, patient);
	memset(&req, 0xA5, sizeof(req));
	g = connect_ok(h.sock);
	send_all(g, &req, 1);		/* 1 byte, then silence */

	c = connect_ok(h.sock);
	atop_reply_init(&r);
	exchange(c, &r, "client polling next to a partial request");
	query(h.sock, &r);

	/* The rest makes it one whole request, which is answered. */
	send_all(g, (char *)&req + 1, sizeof(req) - 1);
	ck_assert_msg(atop_read_reply(g, &r, err, sizeof(err)) == ATOP_OK, "completed request: %s", err);
	atop_reply_free(&r);
	close(g);
	close(c);
	harness_stop_ok(&h);
}
END_TEST

START_TEST(test_request_content_ignored)
{
	struct netpertask req;
	unsigned char junk[sizeof(struct netpertask) * 3 / 2];
	size_t extra = 0;
	struct atop_reply r;
	struct harness h;
	char err[256], buf[4096];
	ssize_t n;
	int g;

	start_own(&h, NULL);
	g = connect_ok(h.sock);
	atop_reply_init(&r);

	/* One and a half requests of junk: exactly one reply... */
	memset(junk, 0xFF, sizeof(junk));
	send_all(g, junk, sizeof(junk));
	ck_assert_msg(atop_read_reply(g, &r, err, sizeof(err)) == ATOP_OK, "1.5 requests: %s", err);
	/* ...and the other half makes the second. */
	send_all(g, junk, sizeof(struct netpertask) * 2 - sizeof(junk));
	ck_assert_msg(atop_read_reply(g, &r, err, sizeof(err)) == ATOP_OK, "second half: %s", err);
	/* Zeroes, even id 0, are a request like any other. */
	memset(&req, 0, sizeof(req));
	send_all(g, &req, sizeof(req));
	ck_assert_msg(atop_read_reply(g, &r, err, sizeof(err)) == ATOP_OK, "zeroed request: %s", err);
	memset(&req, 0x5A, sizeof(req));
	req.id = getpid();
	send_all(g, &req, sizeof(req));
	ck_assert_msg(atop_read_reply(g, &r, err, sizeof(err)) == ATOP_OK, "request with an id: %s", err);

	/* Four whole requests, four replies: nothing more may follow. */
	shutdown(g, SHUT_WR);
	while ((n = recv(g, buf, sizeof(buf), 0)) > 0)
		extra += (size_t)n;
	ck_assert_msg(n == 0, "after our EOF: %s", strerror(errno));
	ck_assert_msg(extra == 0, "%zu bytes beyond the replies to the requests sent", extra);

	atop_reply_free(&r);
	close(g);
	harness_stop_ok(&h);
}
END_TEST

START_TEST(test_nonreading_client_blocks_nobody)
{
	struct netpertask req;
	struct atop_reply r;
	struct harness h;
	unsigned int sent = 0, i;
	int n;

	start_own(&h, patient);
	memset(&req, 0xA5, sizeof(req));
	/* Asks thousands of times, reads nothing: its replies pile up at the daemon. */
	n = connect_ok(h.sock);
	while (sent < 4000 && send(n, &req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(req))
		sent++;
	ck_assert_msg(sent > 0, "could not send a single request: %s", strerror(errno));

	atop_reply_init(&r);
	for (i = 0; i < 3; i++)
		query(h.sock, &r);
	close(n);
	query(h.sock, &r);
	atop_reply_free(&r);
	harness_stop_ok(&h);
}
END_TEST

/* ------------------------------------------------------------ netatop --list */

static int json_u64(const char *line, const char *key, unsigned long long *v)
{
	char pat[64], *end;
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno || (*end != ',' && *end != '}') ? -1 : 0;
}

/* A JSON string value, with the escapes --json may write. */
static int json_str(const char *line, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	for (p += strlen(pat); *p && *p != '"'; p++) {
		char ch = *p;

		if (ch == '\\') {
			unsigned int u;

			p++;
			if (*p == 'u' && sscanf(p + 1, "%4x", &u) == 1) {
				ch = (char)u;
				p += 4;
			} else if (*p) {
				ch = *p;
			} else {
				return -1;
			}
		}
		if (n + 1 < len)
			out[n++] = ch;
	}
	out[n] = '\0';
	return *p == '"' ? 0 : -1;
}

/* The --json line for pid parsed back into a record; -1 if absent or malformed. */
static int json_record(const char *out, pid_t pid, struct netpertask *rec, char *err, size_t len)
{
	const char *line = out;
	unsigned long long v;
	unsigned int i;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t l = eol ? (size_t)(eol - line) : strlen(line);
		char *copy = strndup(line, l);
		int ok = 1;

		line = eol ? eol + 1 : NULL;
		if (!copy)
			return -1;
		if (l < 2 || copy[0] != '{' || copy[l - 1] != '}') {
			snprintf(err, len, "not one JSON object: %s", copy);
			free(copy);
			return -1;
		}
		if (json_u64(copy, "pid", &v) < 0) {
			snprintf(err, len, "no pid: %s", copy);
			free(copy);
			return -1;
		}
		if ((pid_t)v != pid) {
			free(copy);
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		rec->id = pid;
		ok &= json_str(copy, "command", rec->command, sizeof(rec->command)) == 0;
		ok &= json_u64(copy, "btime", &v) == 0;
		rec->btime = (unsigned long)v;
		for (i = 0; i < ATOP_NCOUNTERS; i++)
			ok &= json_u64(copy, atop_counter_name[i], atop_counter_ptr(&rec->tc, i)) == 0;
		if (!ok)
			snprintf(err, len, "keys missing or malformed: %s", copy);
		free(copy);
		return ok ? 0 : -1;
	}
	snprintf(err, len, "pid %d not listed", (int)pid);
	return -1;
}

/* The table has a line "PID COMMAND ..." for the child. */
static bool table_lists(const char *out, const struct traffic_child *c)
{
	const char *line = out;
	char comm[NETATOP_COMMLEN];
	int pid;

	while (line && *line) {
		if (sscanf(line, "%d %15s", &pid, comm) == 2 && pid == c->pid && strcmp(comm, c->comm) == 0)
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static void expect_json(const char *out, const struct kids *k, const char *when)
{
	struct netpertask rec;
	char err[512], msg[512];
	unsigned int i;

	for (i = 0; i < k->tc.nchild; i++) {
		ck_assert_msg(json_record(out, k->tc.child[i].pid, &rec, err, sizeof(err)) == 0,
			      "%s: --json: %s", when, err);
		ck_assert_msg(is_exactly(&rec, k, i, msg, sizeof(msg)), "%s: --json: %s", when, msg);
	}
}

static char *list(const char *socket_path, bool json, int *status)
{
	const char *argv[] = { harness_netatop(), "--list", "--socket", socket_path, NULL, NULL };
	char *out = NULL;

	if (json)
		argv[4] = "--json";
	*status = harness_run(argv, NULL, &out);
	return out ? out : strdup("");
}

START_TEST(test_list)
{
	struct kids k;
	char *out, missing[PATH_MAX];
	unsigned int i;
	int status;

	kids_prepare(&k, "udp4", "listme", 7, 123);
	kids_go(&k);

	out = list(shared.sock, false, &status);
	ck_assert_msg(status == 0, "--list exited %d", status);
	for (i = 0; i < k.tc.nchild; i++)
		ck_assert_msg(table_lists(out, &k.tc.child[i]), "--list does not show pid %d %s:\n%s",
			      (int)k.tc.child[i].pid, k.tc.child[i].comm, out);
	free(out);

	out = list(shared.sock, true, &status);
	ck_assert_msg(status == 0, "--list --json exited %d", status);
	expect_json(out, &k, "alive");
	free(out);

	kids_reap(&k);
	out = list(shared.sock, true, &status);
	ck_assert_msg(status == 0, "--list --json exited %d", status);
	expect_json(out, &k, "exited");
	free(out);

	snprintf(missing, sizeof(missing), "%s/no-such-socket", shared.dir);
	out = list(missing, false, &status);
	ck_assert_msg(status == NT_EXIT_NO_DAEMON, "--list without a daemon exited %d, want %d",
		      status, NT_EXIT_NO_DAEMON);
	free(out);
}
END_TEST

/* ------------------------------------------------------------ life cycle */

START_TEST(test_sigterm)
{
	struct atop_reply r;
	struct harness h;
	struct stat st;
	bool left;
	int c, rc;

	start_own(&h, NULL);
	/* A client in session, as atop keeps one, must not hold the exit up. */
	c = connect_ok(h.sock);
	atop_reply_init(&r);
	exchange(c, &r, "client");
	atop_reply_free(&r);

	rc = harness_stop(&h);
	left = lstat(h.sock, &st) == 0 || errno != ENOENT;
	if (rc != 0 || left) {
		char *log = harness_read_log(&h);

		fprintf(stderr, "---- netatop log\n%s---- end of log\n", log);
		free(log);
	}
	close(c);
	/* Cleaned up first: a daemon that leaves its files would fill /tmp run after run. */
	harness_cleanup(&h);
	ck_assert_msg(rc == 0, "netatop exited with status %d on SIGTERM", rc);
	ck_assert_msg(!left, "the daemon left its socket behind after SIGTERM");
}
END_TEST

static int run_second(const struct harness *first, const char *pidfile)
{
	const char *argv[2 * HARNESS_MAX_ARGS + 8];

	harness_daemon_argv(argv, sizeof(argv) / sizeof(argv[0]), first->sock, pidfile, NULL);
	return harness_run(argv, first->log, NULL);
}

static void expect_still_serving(const struct harness *h, const char *after)
{
	struct atop_reply r;
	struct stat st;

	ck_assert_msg(lstat(h->sock, &st) == 0 && S_ISSOCK(st.st_mode),
		      "%s: the first daemon's socket is gone", after);
	atop_reply_init(&r);
	query(h->sock, &r);
	atop_reply_free(&r);
}

START_TEST(test_second_daemon_refused)
{
	char other_pidfile[PATH_MAX];
	struct harness h;
	int rc;

	start_own(&h, NULL);

	rc = run_second(&h, h.pidfile);
	ck_assert_msg(rc != -1, "a second daemon on the same socket and pid file kept running");
	ck_assert_msg(rc != 0, "a second daemon on the same socket and pid file exited 0");
	expect_still_serving(&h, "second daemon, same pid file");

	snprintf(other_pidfile, sizeof(other_pidfile), "%s/pid2", h.dir);
	rc = run_second(&h, other_pidfile);
	ck_assert_msg(rc != -1, "a second daemon on the same socket kept running");
	ck_assert_msg(rc != 0, "a second daemon on the same socket exited 0");
	expect_still_serving(&h, "second daemon, other pid file");

	harness_stop_ok(&h);
}
END_TEST

START_TEST(test_stale_socket_replaced)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct atop_reply r;
	struct harness h;
	struct stat st;
	int fd;

	ck_assert(harness_prepare(&h) == 0);
	/* What a daemon that died leaves: a socket file nobody listens on. */
	strcpy(sun.sun_path, h.sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert(fd >= 0);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "bind: %s", strerror(errno));
	close(fd);
	ck_assert(lstat(h.sock, &st) == 0 && S_ISSOCK(st.st_mode));
	ck_assert(harness_socket_connectable(h.sock) < 0);

	ck_assert_msg(harness_launch(&h, NULL) == 0 && harness_wait_ready(&h) == 0,
		      "netatop did not replace the stale socket");
	atop_reply_init(&r);
	query(h.sock, &r);
	atop_reply_free(&r);
	harness_stop_ok(&h);
}
END_TEST

START_TEST(test_not_a_socket_left_alone)
{
	const char *argv[2 * HARNESS_MAX_ARGS + 8];
	struct harness h;
	char buf[16] = "";
	int fd, rc;

	ck_assert(harness_prepare(&h) == 0);
	fd = open(h.sock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert(fd >= 0 && write(fd, "keep", 4) == 4);
	close(fd);

	harness_daemon_argv(argv, sizeof(argv) / sizeof(argv[0]), h.sock, h.pidfile, NULL);
	rc = harness_run(argv, h.log, NULL);
	ck_assert_msg(rc > 0, "netatop on a path that is a regular file: status %d", rc);
	fd = open(h.sock, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 4 && strcmp(buf, "keep") == 0,
		      "the file at the socket path was changed");
	close(fd);
	harness_cleanup(&h);
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *clients_suite(void)
{
	Suite *s = suite_create("clients");

	harness_add_test(s, "exited reaches every client", test_exited_reaches_every_client, TEST_TIMEOUT_S);
	harness_add_test(s, "exited before live", test_exited_before_live, TEST_TIMEOUT_S);
	harness_add_test(s, "reused pid", test_reused_pid_starts_from_zero, TEST_TIMEOUT_S);
	harness_add_test(s, "reused pid, no traffic", test_reused_pid_without_traffic, TEST_TIMEOUT_S);
	harness_add_test(s, "concurrent clients", test_concurrent_clients, TEST_TIMEOUT_S);
	harness_add_test(s, "partial request", test_partial_request_blocks_nobody, TEST_TIMEOUT_S);
	harness_add_test(s, "request content", test_request_content_ignored, TEST_TIMEOUT_S);
	harness_add_test(s, "non-reading client", test_nonreading_client_blocks_nobody, TEST_TIMEOUT_S);
	harness_add_test(s, "--list", test_list, TEST_TIMEOUT_S);
	harness_add_test(s, "SIGTERM", test_sigterm, TEST_TIMEOUT_S);
	harness_add_test(s, "second daemon", test_second_daemon_refused, TEST_TIMEOUT_S);
	harness_add_test(s, "stale socket", test_stale_socket_replaced, TEST_TIMEOUT_S);
	harness_add_test(s, "not a socket", test_not_a_socket_left_alone, TEST_TIMEOUT_S);
	return s;
}

int main(void)
{
	return harness_run_suite(&shared, clients_suite());
}
