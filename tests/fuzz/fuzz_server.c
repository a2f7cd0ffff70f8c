// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness over the server loop (server.c) through real sockets:
 * each input starts nt_server_run() in a thread, on a fresh listening
 * socket (abstract namespace) with a fake counter source, then plays the
 * clients from the input: several connections (beyond --max-clients
 * each newcomer closes one that came before), requests cut at any byte, replies read
 * in any amounts or not at all, clients that close or half-close at any
 * moment, processes exiting (through the source's event fd, or found by
 * the next reply's drain).  At the end every connected client reads all
 * its replies and the server is stopped with SIGTERM, as the daemon is.
 *
 * Invariants, checked on what the clients receive:
 *  - one reply per whole request (bytes sent / record size), nothing
 *    more, each a sequence of records ending with exactly one all-zero
 *    record, also for a client that shut down its writing side (then
 *    EOF); a client closed to make room gets whole records, then EOF;
 *  - in a reply the exited records come first, with consecutive ids (exit
 *    order), then the live set in order (ids 0 skipped), or no live
 *    record when the source failed;
 *  - retention: from its second reply on, a client gets every process
 *    that exited after its previous reply; every exit queued before it
 *    sent a request is in that reply or an earlier one;
 *  - no reply is lost or left half-sent (a 10 s wait is a failure), the
 *    server stops with 0 on SIGTERM, and the status it publishes in the
 *    pid file parses back to the source's counters with nothing evicted;
 *  - a reply that cannot be built for want of memory is retried: the
 *    clients still get it; a failed drain of the exit buffer loses nothing
 *    it had read;
 *  - ASan/UBSan/LSan: no invalid access or leak in the whole loop.
 *
 * A client waits for its replies without ever waking the server otherwise:
 * a reply that comes only when something else happens (another client, a
 * process exit) is a stall, and fails.  NETATOP_FUZZ_NUDGE=1 writes the
 * source's event fd while a client waits, as process exits would on a
 * busy machine, to fuzz past such a stall once it is known.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "exited.h"
#include "log.h"
#include "protocol.h"
#include "records.h"
#include "server.h"

#include "fuzz_input.h"

#define REC_SIZE sizeof(struct netpertask)
#define MAX_CLIENTS 5
#define MAX_REQ 48		/* requests per client */
#define MAX_LIVE 4000		/* about 380 KB: more than a socket buffer */
#define MAX_EXITS 3000
#define LIVE_BASE 0x1000000u	/* exited ids are 1, 2, ..., live ids from here */
#define WAIT_MS 10000		/* longer than this for a reply: a lost reply */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void *nt_fuzz_malloc(size_t n);

/* ---------------------------------------------------------------- injected failures */

/*
 * reply.c is compiled with -Dmalloc=nt_fuzz_malloc: the input can make
 * building one reply fail (the server must retry and still answer), and
 * one drain of the exit buffer report an error after doing its work.
 */
static atomic_bool fail_reply_alloc, fail_drain;
static bool oom_injected, drain_error_injected;	/* in this input: their log messages are expected */

void *nt_fuzz_malloc(size_t n)
{
	if (atomic_exchange(&fail_reply_alloc, false)) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n);
}

/* ---------------------------------------------------------------- log: checked, not printed */

static bool live_may_fail;
static bool evictions_expected;

static void check_log(int prio, const char *msg)
{
	/* what a run may say; anything else at warning or worse is a failure */
	static const char *const expected[] = {
		"counters lost so far",		/* the fake source reports losses */
		"signal ",
		"SIGHUP",
	};
	size_t i;

	if (prio > LOG_WARNING)
		return;
	if (strstr(msg, "at --max-clients with ")) {
		FZ_CHECK(evictions_expected, "unexpected eviction: %s", msg);
		return;
	}
	if (strstr(msg, "cannot read the live counters")) {
		FZ_CHECK(live_may_fail, "unexpected error: %s", msg);
		return;
	}
	if (strstr(msg, "out of memory building a reply")) {
		FZ_CHECK(oom_injected, "unexpected error: %s", msg);
		return;
	}
	if (strstr(msg, "cannot read the exit buffer")) {
		FZ_CHECK(drain_error_injected, "unexpected error: %s", msg);
		return;
	}
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (strstr(msg, expected[i]))
			return;
	FZ_CHECK(0, "unexpected log message (priority %d): %s", prio, msg);
}

void nt_log_init(const char *ident, bool to_stderr, bool verbose)
{
	(void)ident;
	(void)to_stderr;
	(void)verbose;
}

void nt_log(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	check_log(prio, msg);
}

void nt_log_limited(struct nt_ratelimit *rl, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	(void)rl;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	check_log(prio, msg);
}

/* ---------------------------------------------------------------- the fake source */

struct fake_source {
	pthread_mutex_t mu;
	int efd;
	uint32_t queued;	/* exits 1..queued have happened */
	uint32_t drained;	/* and 1..drained are in the server's list */
	struct nt_task_record live[MAX_LIVE];
	size_t nlive, nonzero;
	uint64_t live_fail;	/* bit i: the i-th live() call fails */
	unsigned int live_calls;
	struct nt_status st;
};

static struct fake_source src = { .mu = PTHREAD_MUTEX_INITIALIZER, .efd = -1 };

static void exited_record(struct netpertask *r, uint32_t id, unsigned long epoch)
{
	memset(r, 0, sizeof(*r));
	r->id = (pid_t)id;
	r->btime = epoch + id;
	snprintf(r->command, sizeof(r->command), "gone%u", id);
	r->tc.tcpsndbytes = (unsigned long long)id * 3;
	r->tc.udprcvpacks = (unsigned long long)id * 5;
}

static int src_drain(void *ctx, struct nt_exited *exited, unsigned long boot_epoch, time_t now)
{
	struct fake_source *f = ctx;
	struct netpertask rec;
	uint64_t v;

	if (read(f->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		FZ_CHECK(0, "eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&f->mu);
	while (f->drained < f->queued) {
		f->drained++;
		exited_record(&rec, f->drained, boot_epoch);
		FZ_CHECK(nt_exited_add(exited, &rec, now) == 0, "nt_exited_add failed");
		FZ_CHECK(exited->last_seq == f->drained, "seq %llu for exit %u",
			 (unsigned long long)exited->last_seq, f->drained);
	}
	pthread_mutex_unlock(&f->mu);
	if (atomic_exchange(&fail_drain, false)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int src_live(void *ctx, const struct nt_task_record **recs, size_t *n)
{
	struct fake_source *f = ctx;
	unsigned int call = f->live_calls++;

	if (call < 64 && (f->live_fail >> call & 1))
		return -EIO;
	*recs = f->live;
	*n = f->nlive;
	return 0;
}

static void src_status(void *ctx, struct nt_status *st)
{
	*st = ((struct fake_source *)ctx)->st;
}

static uint32_t pushed(void)
{
	uint32_t q;

	pthread_mutex_lock(&src.mu);
	q = src.queued;
	pthread_mutex_unlock(&src.mu);
	return q;
}

/* ---------------------------------------------------------------- the clients */

struct client {
	int fd;
	bool evictable;		/* more clients than --max-clients: the server may close it */
	bool closed;		/* we closed it */
	bool half;		/* we shut down our writing side: replies, then EOF */
	bool eof;		/* the server closed it */
	unsigned long long sent;
	unsigned long long received;
	unsigned int replies;	/* complete replies read */
	uint32_t pushed_at[MAX_REQ];	/* exits queued when request j was complete */
	/* the record being read */
	unsigned char part[sizeof(struct netpertask)];
	size_t partlen;
	/* the reply being read */
	size_t nrec, nlive_seen, live_idx;
	bool in_live, ex_any;
	uint32_t ex_a, ex_b;
	/* the newest exit seq of its previous reply lies in [e_lo, e_hi] */
	uint32_t e_lo, e_hi;
};

static struct client cl[MAX_CLIENTS];
static unsigned int ncl;
static bool nudge;	/* NETATOP_FUZZ_NUDGE=1 */

static unsigned long requests_of(const struct client *c)
{
	return (unsigned long)(c->sent / REC_SIZE);
}

static void end_of_reply(struct client *c)
{
	unsigned int j = ++c->replies;	/* 1-based */
	uint32_t p, r = pushed();

	FZ_CHECK(j <= requests_of(c), "client %td: reply %u for %lu requests", c - cl, j, requests_of(c));
	p = c->pushed_at[j - 1];
	FZ_CHECK(c->nlive_seen == src.nonzero || (c->nlive_seen == 0 && live_may_fail),
		 "client %td: %zu live records, the live set has %zu", c - cl, c->nlive_seen, src.nonzero);
	if (c->ex_any) {
		/* the newest exit in the list is always there until this client has had it */
		FZ_CHECK(c->ex_b >= p, "client %td reply %u: exits up to %u, but %u were queued before the request",
			 c - cl, j, c->ex_b, p);
		FZ_CHECK(c->ex_b <= r, "client %td reply %u: exit %u never happened", c - cl, j, c->ex_b);
		if (j >= 2) {
			FZ_CHECK(c->ex_b >= c->e_lo, "client %td reply %u: exits went backwards", c - cl, j);
			FZ_CHECK(c->ex_b <= c->e_hi || c->ex_a <= c->e_hi + 1,
				 "client %td reply %u: exits %u..%u, lost those after %u (its previous reply)",
				 c - cl, j, c->ex_a, c->ex_b, c->e_hi);
		}
		c->e_lo = c->e_hi = c->ex_b;
	} else if (j >= 2) {
		/* nothing new since the previous reply: everything queued was there */
		FZ_CHECK(p <= c->e_hi, "client %td reply %u: no exits, but %u were queued (had up to %u)",
			 c - cl, j, p, c->e_hi);
		if (p > c->e_lo)
			c->e_lo = p;
	} else {
		c->e_lo = p;
		c->e_hi = r;
	}
	c->nrec = c->nlive_seen = c->live_idx = 0;
	c->in_live = c->ex_any = false;
}

static void on_record(struct client *c, const struct netpertask *rec)
{
	static const struct netpertask zero;
	uint32_t id = (uint32_t)rec->id;

	c->nrec++;
	FZ_CHECK(c->nrec <= MAX_EXITS + MAX_LIVE + 1, "client %td: reply without end", c - cl);
	if (id == 0) {
		FZ_CHECK(memcmp(rec, &zero, REC_SIZE) == 0, "client %td: terminator not all zero", c - cl);
		end_of_reply(c);
		return;
	}
	if (id < LIVE_BASE) {
		struct netpertask want;

		FZ_CHECK(!c->in_live, "client %td: exited record %u after a live one", c - cl, id);
		FZ_CHECK(!c->ex_any || id == c->ex_b + 1, "client %td: exit %u after %u", c - cl, id, c->ex_b);
		if (!c->ex_any)
			c->ex_a = id;
		c->ex_b = id;
		c->ex_any = true;
		exited_record(&want, id, rec->btime - id);
		FZ_CHECK(memcmp(rec, &want, REC_SIZE) == 0, "client %td: exited record %u garbled", c - cl, id);
		return;
	}
	c->in_live = true;
	while (c->live_idx < src.nlive && src.live[c->live_idx].tgid == 0)
		c->live_idx++;
	FZ_CHECK(c->live_idx < src.nlive, "client %td: more live records than live processes", c - cl);
	{
		const struct nt_task_record *t = &src.live[c->live_idx++];

		FZ_CHECK(id == t->tgid, "client %td: live id %u, want %u", c - cl, id, t->tgid);
		FZ_CHECK(strncmp(rec->command, t->comm, NETATOP_COMMLEN - 1) == 0 &&
			 rec->command[NETATOP_COMMLEN - 1] == '\0', "client %td: live %u command", c - cl, id);
		FZ_CHECK(rec->tc.tcpsndbytes == t->c.tcpsndbytes && rec->tc.udprcvbytes == t->c.udprcvbytes &&
			 rec->tc.tcprcvpacks == t->c.tcprcvpacks, "client %td: live %u counters", c - cl, id);
	}
	c->nlive_seen++;
}

static void on_bytes(struct client *c, const unsigned char *b, size_t n)
{
	c->received += n;
	while (n) {
		size_t k = REC_SIZE - c->partlen;

		if (k > n)
			k = n;
		memcpy(c->part + c->partlen, b, k);
		c->partlen += k;
		b += k;
		n -= k;
		if (c->partlen == REC_SIZE) {
			struct netpertask rec;

			memcpy(&rec, c->part, REC_SIZE);
			c->partlen = 0;
			on_record(c, &rec);
		}
	}
}

/* Read what is there (up to `max` bytes); false once the server closed it. */
static bool client_recv(struct client *c, size_t max)
{
	static unsigned char buf[65536];

	while (max && !c->eof) {
		ssize_t n = recv(c->fd, buf, max < sizeof(buf) ? max : sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			FZ_CHECK(errno == ECONNRESET, "client %td: recv: %s", c - cl, strerror(errno));
			n = 0;
		}
		if (n == 0) {
			FZ_CHECK(c->evictable || c->half, "client %td: the server closed a client it serves "
				 "(%u replies of %lu)", c - cl, c->replies, requests_of(c));
			/* whole records only, even when closed to make room */
			FZ_CHECK(c->partlen == 0, "client %td: closed inside a record", c - cl);
			/* one that only shut down its writing side still gets every reply */
			FZ_CHECK(c->evictable || (c->replies == requests_of(c) && c->nrec == 0 && c->partlen == 0),
				 "client %td: closed after %u replies of %lu (%zu records of the next) on its EOF",
				 c - cl, c->replies, requests_of(c), c->nrec);
			c->eof = true;
			break;
		}
		on_bytes(c, buf, (size_t)n);
		max -= (size_t)n;
	}
	return !c->eof;
}

static bool client_done(const struct client *c)
{
	if (c->closed || c->eof)
		return true;
	if (c->half)
		return false;	/* until the server closes it */
	return c->replies == requests_of(c) && c->partlen == 0 && c->nrec == 0;
}

/* Read until every reply owed has come (or the server closed a client it had to close). */
static void client_sync(struct client *c)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!client_done(c)) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		uint64_t one = 1;
		long ms;

		if (poll(&p, 1, 100) == 0 && nudge) {
			/* wake the loop as a process exit would (see the top of the file) */
			if (write(src.efd, &one, sizeof(one)) != sizeof(one))
				FZ_CHECK(0, "eventfd write: %s", strerror(errno));
		}
		client_recv(c, SIZE_MAX);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		FZ_CHECK(ms < WAIT_MS, "client %td: no answer for %ld ms: %u replies of %lu, %s%s", c - cl, ms,
			 c->replies, requests_of(c), c->evictable ? "evictable" : "", c->half ? "half-closed" : "");
	}
	if (!c->closed && !c->eof && !c->half) {
		/* and nothing more than what it asked for */
		client_recv(c, SIZE_MAX);
		FZ_CHECK(c->received % REC_SIZE == 0 && c->partlen == 0 && c->nrec == 0,
			 "client %td: bytes beyond its replies", c - cl);
	}
}

static void client_send(struct client *c, size_t n)
{
	static const unsigned char junk[1024] = { 0x5a };	/* atop sends garbage */
	unsigned long long room = (unsigned long long)MAX_REQ * REC_SIZE - c->sent;
	ssize_t w;

	if (c->closed || c->half)
		return;
	if (n > room)
		n = (size_t)room;
	if (n > sizeof(junk))
		n = sizeof(junk);
	if (!n)
		return;
	w = send(c->fd, junk, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w <= 0) {
		/* one closed to make room may find its connection gone; a served one never */
		FZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK ||
			 (c->evictable && (errno == EPIPE || errno == ECONNRESET)),
			 "client %td: send: %s", c - cl, strerror(errno));
		return;
	}
	{
		unsigned long before = requests_of(c), j;
		uint32_t p = pushed();

		c->sent += (unsigned long long)w;
		for (j = before; j < requests_of(c); j++)
			c->pushed_at[j] = p;
	}
}

static void push_exits(unsigned int n, bool notify)
{
	uint64_t one = 1;

	pthread_mutex_lock(&src.mu);
	if (src.queued + n > MAX_EXITS)
		n = MAX_EXITS - src.queued;
	src.queued += n;
	pthread_mutex_unlock(&src.mu);
	if (notify && write(src.efd, &one, sizeof(one)) != sizeof(one))
		FZ_CHECK(0, "eventfd write: %s", strerror(errno));
}

/* ---------------------------------------------------------------- driver */

static int status_fd = -1;

struct server_thread {
	struct nt_server *s;
	int rc;
};

static void *server_main(void *arg)
{
	struct server_thread *t = arg;

	t->rc = nt_server_run(t->s);
	return NULL;
}

static int listen_socket(void)
{
	static unsigned long serial;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	/* abstract: nothing on disk, gone with the fd */
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "netatop-fuzz-%d-%lu", (int)getpid(), serial++);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun.sun_path + 1));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	FZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
	FZ_CHECK(bind(fd, (struct sockaddr *)&sun, len) == 0, "bind: %s", strerror(errno));
	FZ_CHECK(listen(fd, SOMAXCONN) == 0, "listen: %s", strerror(errno));
	return fd;
}

static int client_connect(int lfd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fd;

	FZ_CHECK(getsockname(lfd, (struct sockaddr *)&sun, &len) == 0, "getsockname: %s", strerror(errno));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
	FZ_CHECK(connect(fd, (struct sockaddr *)&sun, len) == 0, "connect: %s", strerror(errno));
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	status_fd = memfd_create("netatop-fuzz-pid", MFD_CLOEXEC);
	src.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (status_fd < 0 || src.efd < 0) {
		perror("memfd_create/eventfd");
		abort();
	}
	signal(SIGPIPE, SIG_IGN);
	nudge = getenv("NETATOP_FUZZ_NUDGE") && strcmp(getenv("NETATOP_FUZZ_NUDGE"), "1") == 0;
	return 0;
}

static void setup_source(struct fz_in *in)
{
	uint8_t how = fz_u8(in);
	size_t i;

	pthread_mutex_lock(&src.mu);
	src.queued = src.drained = 0;
	pthread_mutex_unlock(&src.mu);
	src.live_calls = 0;
	src.live_fail = (how & 1) ? fz_u64(in) : 0;
	live_may_fail = src.live_fail != 0;
	switch (how >> 1 & 3) {
	case 0: src.nlive = fz_u8(in) % 8; break;
	case 1: src.nlive = fz_u8(in); break;
	case 2: src.nlive = fz_u16(in) % 1200; break;
	default: src.nlive = MAX_LIVE - fz_u8(in); break;	/* replies larger than the socket buffer */
	}
	src.nonzero = 0;
	for (i = 0; i < src.nlive; i++) {
		struct nt_task_record *t = &src.live[i];

		memset(t, 0, sizeof(*t));
		/* every 7th has tgid 0: the BPF iterator can hand one over */
		t->tgid = (i % 7 == 3) ? 0 : LIVE_BASE + (uint32_t)i;
		t->start_boottime = (uint64_t)i * 1000000007ULL;
		snprintf(t->comm, sizeof(t->comm), "live%zu-%.*s", i, (int)(how % 16), "abcdefghijklmnopqrstuvwxyz");
		t->c.tcpsndbytes = (uint64_t)i * 11;
		t->c.tcprcvpacks = (uint64_t)i + 13;
		t->c.udprcvbytes = UINT64_MAX - i;
		src.nonzero += t->tgid != 0;
	}
	memset(&src.st, 0, sizeof(src.st));
	snprintf(src.st.backend, sizeof(src.st.backend), "fuzz%u", how);
	src.st.dropped_calls = (how & 0x80) ? fz_u32(in) : 0;
	src.st.dropped_exits = fz_u8(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size, false };
	struct nt_server_config cfg;
	struct nt_source s;
	struct server_thread th;
	sigset_t mask, old;
	pthread_t tid;
	unsigned int i, ops = 0;
	uint64_t drain_junk;
	char buf[512];
	struct nt_status st;
	ssize_t n;

	/* the configuration */
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen_fd = listen_socket();
	cfg.pidfile_fd = status_fd;
	cfg.conn_listen_fd = -1;
	cfg.max_clients = 1 + fz_u8(&in) % 4;
	cfg.client_timeout = 60;
	cfg.keep_exited = (time_t[]){ 0, 0, 1, 900 }[fz_u8(&in) % 4];
	cfg.max_exited = 1000000;
	oom_injected = drain_error_injected = false;
	atomic_store(&fail_reply_alloc, false);
	atomic_store(&fail_drain, false);
	ncl = 1 + fz_u8(&in) % MAX_CLIENTS;
	evictions_expected = ncl > cfg.max_clients;
	setup_source(&in);
	while (read(src.efd, &drain_junk, sizeof(drain_junk)) > 0)
		;
	FZ_CHECK(ftruncate(status_fd, 0) == 0, "ftruncate: %s", strerror(errno));

	s = (struct nt_source){ .ctx = &src, .event_fd = src.efd, .drain = src_drain,
				.live = src_live, .status = src_status };
	th.s = nt_server_new(&cfg, &s);
	FZ_CHECK(th.s != NULL, "nt_server_new failed");
	th.rc = -1;

	/* connected before the server runs: it accepts them in this order */
	memset(cl, 0, sizeof(cl));
	for (i = 0; i < ncl; i++) {
		cl[i].fd = client_connect(cfg.listen_fd);
		cl[i].evictable = evictions_expected;
	}

	/* the server takes its signals through a signalfd: blocked in its thread only */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	FZ_CHECK(pthread_create(&tid, NULL, server_main, &th) == 0, "pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	while (!in.end && ops++ < 512) {
		uint8_t op = fz_u8(&in), arg = fz_u8(&in);
		struct client *c = &cl[arg % ncl];

		if (in.end)
			break;
		switch (op % 11) {
		case 0: case 1:
			switch (arg >> 4 & 3) {
			case 0: client_send(c, REC_SIZE); break;
			case 1: client_send(c, 1 + fz_u8(&in) % REC_SIZE); break;
			case 2: client_send(c, REC_SIZE * (1 + fz_u8(&in) % 4)); break;
			default: client_send(c, fz_u16(&in) % 1024); break;
			}
			break;
		case 2:
			if (!c->closed)
				client_recv(c, (arg & 0x80) ? SIZE_MAX : 1 + (size_t)fz_u16(&in));
			break;
		case 3:
			if (!c->closed)
				client_sync(c);
			break;
		case 4:
			push_exits(1 + arg % 16, arg & 0x80);
			break;
		case 5:
			if (!c->closed && (arg & 0xc0) == 0xc0) {
				close(c->fd);
				c->closed = true;
			}
			break;
		case 6:
			if (!c->closed && !c->half && (arg & 0xc0) == 0xc0) {
				shutdown(c->fd, SHUT_WR);
				c->half = true;
			}
			break;
		case 7:
			pthread_kill(tid, SIGHUP);	/* logged, nothing else */
			break;
		case 9:
			oom_injected = true;
			atomic_store(&fail_reply_alloc, true);	/* the next reply */
			break;
		case 10:
			drain_error_injected = true;
			atomic_store(&fail_drain, true);
			break;
		default:
			for (i = 0; i < ncl; i++)
				if (!cl[i].closed)
					client_sync(&cl[i]);
			break;
		}
	}

	/* every client gets what it asked for or is closed to make room; half-closed ones then EOF */
	for (i = 0; i < ncl; i++)
		if (!cl[i].closed)
			client_sync(&cl[i]);
	for (i = 0; i < ncl; i++)
		if (!cl[i].closed)
			close(cl[i].fd);

	FZ_CHECK(pthread_kill(tid, SIGTERM) == 0, "pthread_kill");
	FZ_CHECK(pthread_join(tid, NULL) == 0, "pthread_join");
	FZ_CHECK(th.rc == 0, "nt_server_run returned %d", th.rc);
	nt_server_free(th.s);
	close(cfg.listen_fd);

	/* the status the server published for --list */
	n = pread(status_fd, buf, sizeof(buf) - 1, 0);
	FZ_CHECK(n > 0, "no status published");
	buf[n] = '\0';
	FZ_CHECK(nt_status_parse(buf, &st) == 0, "published status does not parse: %s", buf);
	FZ_CHECK(strcmp(st.backend, src.st.backend) == 0 && st.dropped_calls == src.st.dropped_calls &&
		 st.dropped_exits == src.st.dropped_exits && st.evicted_exited == 0,
		 "published status differs: %s", buf);
	return 0;
}
