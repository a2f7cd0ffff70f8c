// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's limits: more connections than it has file descriptors and
 * --max-clients (a newcomer is served, the stalest client closed for it:
 * tests/robustness/hostile_clients.c times it), --client-timeout, --max-exited (the drop accounting),
 * and counters that never go down while a process keeps sending.  Each
 * test has a daemon of its own; those that stress a limit keep a
 * well-behaved client polling and check every reply it gets.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "robust.h"

#define TEST_TIMEOUT_S		60
#define POLL_GAP_MS		10
#define DAEMON_NOFILE		256
#define FLOOD_CLIENTS		2000
#define MAX_CLIENTS		5
#define EXCESS_CLIENTS		20
#define CLIENT_TIMEOUT_S	2
#define MAX_EXITED		10
#define SHORT_LIVED		50
#define MONO_POLLS		200

#define LOG_FD_LIMIT		"out of file descriptors with "
#define LOG_MAX_CLIENTS		"at --max-clients with 5 clients: closed the one"
#define LOG_STALLED		"dropping a client that read nothing of its reply"
#define LOG_EVICTED		"exited processes evicted before every client had them"

/* ------------------------------------------------------------ helpers */

/*
 * What a connection became: served, closed by the daemon before its reply
 * or in the middle of it (to make room for a newer one: one that reads a
 * reply of thousands of records among 2000 others may look stuck), or
 * neither yet.
 */
enum fate { PENDING, SERVED, REFUSED, CUT };

/*
 * Read one reply on fd (nonblocking) into buf; SERVED once a whole
 * reply is there and checks out (the daemon may close it afterwards),
 * REFUSED on EOF before any byte, CUT on EOF after whole records.
 */
struct conn {
	int fd;
	enum fate fate;
	bool closed;		/* by the daemon, after its reply */
	char *buf;
	size_t len, cap;
};

static void conn_step(struct conn *c, const struct rb_ref *ref)
{
	for (;;) {
		ssize_t n;

		if (c->len + 65536 > c->cap) {
			c->cap = c->cap ? c->cap * 2 : 65536 * 2;
			c->buf = realloc(c->buf, c->cap);
			ck_assert(c->buf);
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			if (c->len == 0) {
				c->fate = REFUSED;
				return;
			}
			c->closed = true;
			break;
		}
		c->len += (size_t)n;
	}
	/* Whole records, the last one a terminator: then it is one complete reply. */
	if (c->len && c->len % REC_SIZE == 0 &&
	    ((const struct netpertask *)(c->buf + c->len - REC_SIZE))->id == 0) {
		struct atop_reply r;
		size_t i, n = c->len / REC_SIZE - 1;
		char err[512];

		atop_reply_init(&r);
		r.raw = (struct netpertask *)c->buf;
		r.nraw = n;
		rb_reply_hash(&r);
		for (i = 0; i < n; i++)
			ck_assert_msg(r.raw[i].id != 0, "a terminator inside a reply");
		ck_assert_msg(rb_reply_check(&r, ref, NULL, err, sizeof(err)) == 0,
			      "a client's reply while the daemon is out of descriptors: %s", err);
		free(r.hash);
		c->fate = SERVED;
		return;
	}
	if (c->closed) {
		ck_assert_msg(c->len % REC_SIZE == 0, "a client closed after %zu bytes: not whole records",
			      c->len);
		c->fate = CUT;
	}
}

static void start_with_nofile(struct harness *h, const char *const *extra, rlim_t nofile)
{
	struct rlimit saved, low;

	/*
	 * The daemon inherits the limit, as from `ulimit -Sn 256` in its
	 * start script.  Only the soft limit, the one in force: raising the
	 * hard limit back afterwards would take CAP_SYS_RESOURCE, which a
	 * container's root may lack.
	 */
	ck_assert(getrlimit(RLIMIT_NOFILE, &saved) == 0);
	low.rlim_cur = nofile;
	low.rlim_max = saved.rlim_max;
	ck_assert_msg(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit: %s", strerror(errno));
	rb_start(h, extra);
	ck_assert_msg(setrlimit(RLIMIT_NOFILE, &saved) == 0, "restore RLIMIT_NOFILE: %s", strerror(errno));
}

/* ------------------------------------------------------------ out of file descriptors */

START_TEST(test_more_clients_than_fds)
{
	/* The client limit is far away: the descriptor limit is what must bind. */
	static const char *const args[] = { "--max-clients", "4096", NULL };
	struct conn *c;
	struct rb_poller p;
	struct rb_ref ref;
	struct harness h;
	struct pollfd *pfd;
	unsigned int i, served = 0, refused = 0, cut = 0, pending, last_pending;
	long long deadline;
	int fd;

	rb_want_fds(FLOOD_CLIENTS + 100);
	start_with_nofile(&h, args, DAEMON_NOFILE);
	rb_ref_start(&ref, "udp4", "rbfdref", 21, 333);

	c = calloc(FLOOD_CLIENTS, sizeof(*c));
	pfd = calloc(FLOOD_CLIENTS, sizeof(*pfd));
	ck_assert(c && pfd);
	/* All at once: every one connects and asks before any reply is read. */
	for (i = 0; i < FLOOD_CLIENTS; i++) {
		struct netpertask req;

		c[i].fd = rb_connect(h.sock);
		memset(&req, 0xA5, sizeof(req));
		/* EPIPE: refused already, which the reading below finds out too. */
		if (send(c[i].fd, &req, sizeof(req), MSG_NOSIGNAL) < 0)
			ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "client %u: send: %s", i,
				      strerror(errno));
	}
	/* Slow on a loaded machine, fine; what fails is no progress for 10 s. */
	deadline = rb_now_ms() + 10000;
	last_pending = FLOOD_CLIENTS + 1;
	do {
		int n;

		for (i = 0, pending = 0; i < FLOOD_CLIENTS; i++) {
			if (c[i].fate != PENDING)
				continue;
			pfd[pending].fd = c[i].fd;
			pfd[pending].events = POLLIN;
			pending++;
		}
		if (!pending)
			break;
		if (pending < last_pending) {
			last_pending = pending;
			deadline = rb_now_ms() + 10000;
		}
		ck_assert_msg(rb_now_ms() < deadline, "%u clients neither served nor refused", pending);
		n = poll(pfd, pending, 200);
		ck_assert(n >= 0);
		for (i = 0; i < FLOOD_CLIENTS; i++)
			if (c[i].fate == PENDING)
				conn_step(&c[i], &ref);
	} while (1);
	for (i = 0; i < FLOOD_CLIENTS; i++) {
		served += c[i].fate == SERVED;
		refused += c[i].fate == REFUSED;
		cut += c[i].fate == CUT;
	}
	printf("%u connections at once under RLIMIT_NOFILE %u: %u served, %u closed before their reply "
	       "and %u during it to make room for newer ones\n", FLOOD_CLIENTS, DAEMON_NOFILE, served,
	       refused, cut);
	ck_assert_msg(served >= DAEMON_NOFILE / 2, "%u connections served under a limit of %u descriptors",
		      served, DAEMON_NOFILE);
	/* The newest were served last: they are still connected. */
	ck_assert_msg(c[FLOOD_CLIENTS - 1].fate == SERVED && !c[FLOOD_CLIENTS - 1].closed,
		      "the newest connection was %s", c[FLOOD_CLIENTS - 1].fate == SERVED ? "closed" : "refused");

	/*
	 * Still at the limit: a well-behaved client and a newcomer get exact
	 * replies.  (It starts only now: during the flood it would be one of
	 * 2000 clients that all read their replies, and the one idle longest
	 * between two polls makes room for the next.)
	 */
	rb_poller_start(&p, h.sock, &ref, NULL, POLL_GAP_MS);
	rb_poller_wait_polls(&p, 20);
	fd = rb_connect(h.sock);
	rb_exchange_ok(fd, &ref, "a newcomer at the descriptor limit");
	close(fd);
	ck_assert_uint_eq(rb_log_count(&h, LOG_FD_LIMIT), 1);

	for (i = 0; i < FLOOD_CLIENTS; i++) {
		close(c[i].fd);
		free(c[i].buf);
	}
	free(c);
	free(pfd);
	rb_poller_wait_polls(&p, 3);
	rb_poller_finish(&p, "2000 connections over the descriptor limit");
	fd = rb_connect(h.sock);
	rb_exchange_ok(fd, &ref, "a new client once the flood is gone");
	close(fd);
	rb_ref_stop(&ref);
	rb_stop(&h);
}
END_TEST

/* ------------------------------------------------------------ --max-clients */

START_TEST(test_max_clients)
{
	static const char *const args[] = { "--max-clients", "5", NULL };
	int held[MAX_CLIENTS - 1], excess[EXCESS_CLIENTS], fd;
	struct rb_poller p;
	struct rb_ref ref;
	struct atop_reply r;
	struct harness h;
	unsigned int i;
	char err[512];

	rb_start(&h, args);
	rb_ref_start(&ref, "udp4", "rbmcref", 8, 99);
	/* The well-behaved client is one of the five. */
	rb_poller_start(&p, h.sock, &ref, NULL, POLL_GAP_MS);
	rb_poller_baseline(&p, 20, "20 clients beyond --max-clients 5, baseline before it");
	for (i = 0; i < MAX_CLIENTS - 1; i++) {
		held[i] = rb_connect(h.sock);
		rb_exchange_ok(held[i], &ref, "a client within --max-clients");
	}
	/*
	 * Each newcomer asks and never reads.  The first makes room by closing
	 * the client idle longest, each of the others by closing the one
	 * before it, which sits on a reply it never read.  (The idle ones
	 * clearly idle longer than the well-behaved client between its polls.)
	 */
	rb_sleep_ms(200);
	atop_reply_init(&r);
	for (i = 0; i < EXCESS_CLIENTS; i++) {
		struct pollfd pfd = { .events = POLLIN };
		struct netpertask req;

		excess[i] = rb_connect(h.sock);
		memset(&req, 0xA5, sizeof(req));
		ck_assert_msg(send(excess[i], &req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req),
			      "newcomer %u: send: %s", i, strerror(errno));
		pfd.fd = excess[i];
		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "newcomer %u beyond --max-clients 5 got no reply", i);
		ck_assert_msg(atop_read_reply(excess[i], &r, err, sizeof(err)) == ATOP_OK,
			      "newcomer %u beyond --max-clients 5: %s", i, err);
		ck_assert_msg(rb_reply_check(&r, &ref, NULL, err, sizeof(err)) == 0, "newcomer %u: %s", i, err);
		/* served: now a request whose reply it never reads */
		ck_assert(send(excess[i], &req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req));
		pfd.fd = excess[i];
		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "newcomer %u: no second reply", i);
		/* unread for longer than a reader would take to be scheduled: stuck */
		rb_sleep_ms(200);
	}
	atop_reply_free(&r);
	for (i = 0; i < EXCESS_CLIENTS - 1; i++) {
		struct pollfd pfd = { .fd = excess[i], .events = POLLRDHUP };

		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "newcomer %u was not closed for the next one", i);
	}
	{
		struct pollfd pfd = { .fd = held[0], .events = POLLRDHUP };

		ck_assert_msg(poll(&pfd, 1, 5000) == 1, "the client idle longest was not closed");
	}
	rb_poller_wait_polls(&p, 5);
	for (i = 1; i < MAX_CLIENTS - 1; i++)
		rb_exchange_ok(held[i], &ref, "an idle client, kept while newcomers came and went");
	ck_assert_uint_eq(rb_log_count(&h, LOG_MAX_CLIENTS), 1);

	fd = rb_connect(h.sock);
	rb_exchange_ok(fd, &ref, "one more newcomer at --max-clients");
	close(fd);
	for (i = 0; i < MAX_CLIENTS - 1; i++)
		close(held[i]);
	for (i = 0; i < EXCESS_CLIENTS; i++)
		close(excess[i]);
	rb_poller_finish(&p, "20 clients beyond --max-clients 5");
	rb_ref_stop(&ref);
	rb_stop(&h);
}
END_TEST

/* ------------------------------------------------------------ --client-timeout */

START_TEST(test_client_timeout)
{
	static const char *const args[] = { "--client-timeout", "2", NULL };
	struct netpertask req[64];
	struct rb_poller p;
	struct rb_ref ref;
	struct harness h;
	unsigned int sent = 0;
	long long t0, dropped_after;
	long bytes;
	bool eof;
	int bad, idle;

	rb_start(&h, args);
	rb_ref_start(&ref, "tcp4", "rbtoref", 9, 700);
	rb_poller_start(&p, h.sock, &ref, NULL, POLL_GAP_MS);
	rb_poller_baseline(&p, 20, "a client stalled past --client-timeout 2, baseline before it");
	/* An atop between two samples: idle for longer than the timeout, and kept. */
	idle = rb_connect(h.sock);
	rb_exchange_ok(idle, &ref, "a client before a long pause");

	/* Thousands of requests, nothing read: replies fill its socket and stall. */
	bad = rb_connect(h.sock);
	memset(req, 0xA5, sizeof(req));
	t0 = rb_now_ms();
	while (sent < 4000) {
		ssize_t n = send(bad, req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			break;
		sent += (unsigned int)n / REC_SIZE;
	}
	ck_assert_msg(sent >= 100, "sent only %u requests: %s", sent, strerror(errno));
	{
		struct pollfd pfd = { .fd = bad, .events = POLLRDHUP };

		ck_assert_msg(poll(&pfd, 1, (CLIENT_TIMEOUT_S + 8) * 1000) == 1,
			      "a client that reads nothing was not dropped in %d s", CLIENT_TIMEOUT_S + 8);
	}
	dropped_after = rb_now_ms() - t0;
	printf("a client reading nothing of %u requested replies dropped after %lld ms (--client-timeout %d)\n",
	       sent, dropped_after, CLIENT_TIMEOUT_S);
	/* It made no progress since after t0 at the latest: it had the whole timeout. */
	ck_assert_msg(dropped_after >= CLIENT_TIMEOUT_S * 1000,
		      "dropped after %lld ms, before --client-timeout %d s", dropped_after, CLIENT_TIMEOUT_S);
	/* What it was sent before the drop is whole records, then EOF. */
	bytes = rb_bytes_within(bad, 5000, &eof);
	ck_assert_msg(eof, "no EOF after the drop");
	ck_assert_msg(bytes > 0 && bytes % (long)REC_SIZE == 0,
		      "the dropped client had %ld bytes: not whole records", bytes);
	close(bad);

	rb_sleep_ms(1000);
	rb_exchange_ok(idle, &ref, "a client idle for longer than --client-timeout");
	close(idle);
	ck_assert_uint_eq(rb_log_count(&h, LOG_STALLED), 1);
	rb_poller_wait_polls(&p, 3);
	rb_poller_finish(&p, "a client stalled past --client-timeout 2");
	rb_ref_stop(&ref);
	rb_stop(&h);
}
END_TEST

/* ------------------------------------------------------------ --max-exited and drop accounting */

static void list_summary(const struct harness *h, char *line, size_t len)
{
	const char *argv[] = { harness_netatop(), "--list", "-s", h->sock, "--pidfile", h->pidfile, NULL };
	char *out = NULL, *p;
	int rc = harness_run(argv, h->log, &out);

	ck_assert_msg(rc == 0, "netatop --list exited %d", rc);
	p = out ? strstr(out, "\n-- ") : NULL;
	ck_assert_msg(p, "no summary line in --list:\n%s", out ? out : "");
	snprintf(line, len, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
	free(out);
}

/*
 * One try: 0 when it is done (and everything was asserted), 1 when an
 * exit that is not ours took part (another process on this machine with
 * traffic exited meanwhile: the table then holds it too), so try again.
 */
static int max_exited_try(bool last_try)
{
	static const char *const args[] = { "--max-exited", "10", NULL };
	unsigned long long evicted;
	struct atop_reply r;
	struct rb_gone g;
	struct harness h;
	char err[512], line[512];
	long at[SHORT_LIVED];
	unsigned int i, ours = 0;
	const char *p;
	int mute;

	rb_start(&h, args);
	/* Connected, never asks: nothing it has not had may be pruned. */
	mute = rb_connect(h.sock);
	rb_gone_spawn(&g, SHORT_LIVED, "rbexit", true);

	atop_reply_init(&r);
	ck_assert_msg(atop_query(h.sock, &r, err, sizeof(err)) == ATOP_OK, "%s", err);
	for (i = 0; i < SHORT_LIVED; i++) {
		at[i] = rb_gone_find(&r, &g, i);
		ours += at[i] >= 0;
	}
	list_summary(&h, line, sizeof(line));
	printf("--list summary: %s\n", line);
	p = strstr(line, " untracked calls, ");
	p = p ? strstr(p, " exit records, ") : NULL;
	ck_assert_msg(p && sscanf(p, " exit records, %llu exited records evicted", &evicted) == 1,
		      "no eviction count in '%s'", line);
	if (evicted > SHORT_LIVED - MAX_EXITED && !last_try) {
		printf("%llu evicted: other processes exited meanwhile; again\n", evicted);
		atop_reply_free(&r);
		close(mute);
		rb_gone_free(&g);
		rb_stop(&h);
		return 1;
	}

	/* Exactly the newest ten, in the order they exited, each exact. */
	ck_assert_msg(ours == MAX_EXITED, "%u of the %u exited processes in the reply, want the newest %u",
		      ours, SHORT_LIVED, MAX_EXITED);
	for (i = 0; i < SHORT_LIVED; i++) {
		if (i < SHORT_LIVED - MAX_EXITED) {
			ck_assert_msg(at[i] < 0, "exited process #%u (pid %d) is not among the newest %u",
				      i, (int)g.pid[i], MAX_EXITED);
			continue;
		}
		ck_assert_msg(rb_gone_check(&r, &g, i, err, sizeof(err)) == 0, "%s", err);
		ck_assert_msg(i == SHORT_LIVED - MAX_EXITED || at[i] > at[i - 1],
			      "exited records out of their exit order");
	}
	atop_reply_free(&r);
	ck_assert_msg(evicted == SHORT_LIVED - MAX_EXITED, "%llu exited records evicted, want %u",
		      evicted, SHORT_LIVED - MAX_EXITED);
	ck_assert_msg(strstr(line, "dropped: 0 untracked calls, 0 exit records,"),
		      "other losses in '%s'", line);
	ck_assert_uint_eq(rb_log_count(&h, LOG_EVICTED), 1);
	close(mute);
	rb_gone_free(&g);
	rb_stop(&h);
	return 0;
}

START_TEST(test_max_exited)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (max_exited_try(i == 2) == 0)
			break;
}
END_TEST

/* ------------------------------------------------------------ counters never go down */

/* Sends and receives TCP and UDP to itself in a loop until killed. */
static pid_t busy_child(int *ready)
{
	int pfd[2];
	pid_t pid;

	ck_assert(pipe(pfd) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);
		char buf[2048];
		int u, l, c, s;
		unsigned int i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "rbbusy");
		close(pfd[0]);
		memset(buf, 'b', sizeof(buf));
		u = socket(AF_INET, SOCK_DGRAM, 0);
		l = socket(AF_INET, SOCK_STREAM, 0);
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (u < 0 || l < 0 || c < 0 || bind(u, (struct sockaddr *)&a, len) < 0 ||
		    getsockname(u, (struct sockaddr *)&a, &len) < 0)
			_exit(1);
		a.sin_port = 0;
		len = sizeof(a);
		if (bind(l, (struct sockaddr *)&a, len) < 0 || listen(l, 1) < 0 ||
		    getsockname(l, (struct sockaddr *)&a, &len) < 0 ||
		    connect(c, (struct sockaddr *)&a, len) < 0 || (s = accept(l, NULL, NULL)) < 0)
			_exit(1);
		len = sizeof(a);
		if (getsockname(u, (struct sockaddr *)&a, &len) < 0 || write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (i = 0;; i++) {
			size_t n = 1 + i % sizeof(buf);

			if (send(c, buf, n, 0) <= 0 || recv(s, buf, sizeof(buf), 0) <= 0 ||
			    sendto(u, buf, n, 0, (struct sockaddr *)&a, len) <= 0 ||
			    recv(u, buf, sizeof(buf), 0) <= 0)
				_exit(1);
			usleep(100);
		}
	}
	close(pfd[1]);
	*ready = pfd[0];
	return pid;
}

START_TEST(test_counters_monotonic)
{
	struct netpertask first, prev;
	struct atop_reply r;
	struct harness h;
	unsigned int n, i;
	char err[512], c;
	int fd, ready, status;
	pid_t pid;

	rb_start(&h, NULL);
	pid = busy_child(&ready);
	ck_assert_msg(read(ready, &c, 1) == 1, "the busy process did not start");
	close(ready);
	rb_sleep_ms(50);
	fd = rb_connect(h.sock);
	atop_reply_init(&r);
	for (n = 0; n < MONO_POLLS; n++) {
		const struct netpertask *rec;

		ck_assert_msg(atop_exchange(fd, &r, err, sizeof(err)) == ATOP_OK, "poll %u: %s", n, err);
		rec = atop_lookup(&r, pid);
		ck_assert_msg(rec, "poll %u: the busy process is not in the reply", n);
		ck_assert_str_eq(rec->command, "rbbusy");
		if (n == 0) {
			first = prev = *rec;
			continue;
		}
		ck_assert_msg(rec->btime == prev.btime, "poll %u: btime changed", n);
		for (i = 0; i < ATOP_NCOUNTERS; i++)
			ck_assert_msg(atop_counter(&rec->tc, i) >= atop_counter(&prev.tc, i),
				      "poll %u: %s went down from %llu to %llu", n, atop_counter_name[i],
				      atop_counter(&prev.tc, i), atop_counter(&rec->tc, i));
		prev = *rec;
		rb_sleep_ms(5);
	}
	/* It really kept sending: every counter moved. */
	for (i = 0; i < ATOP_NCOUNTERS; i++)
		ck_assert_msg(atop_counter(&prev.tc, i) > atop_counter(&first.tc, i),
			      "%s did not move in %u polls", atop_counter_name[i], MONO_POLLS);
	printf("counters of a busy process over %u polls: never lower; udp sent %llu -> %llu packets\n",
	       MONO_POLLS, first.tc.udpsndpacks, prev.tc.udpsndpacks);
	atop_reply_free(&r);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	rb_stop(&h);
}
END_TEST

/* ------------------------------------------------------------ suite */

int main(void)
{
	Suite *s = suite_create("limits");
	SRunner *sr;
	int failed;

	harness_require_root_bpf();
	harness_add_test(s, "more clients than descriptors", test_more_clients_than_fds, TEST_TIMEOUT_S);
	harness_add_test(s, "--max-clients", test_max_clients, TEST_TIMEOUT_S);
	harness_add_test(s, "--client-timeout", test_client_timeout, TEST_TIMEOUT_S);
	harness_add_test(s, "--max-exited", test_max_exited, TEST_TIMEOUT_S);
	harness_add_test(s, "counters never go down", test_counters_monotonic, TEST_TIMEOUT_S);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
