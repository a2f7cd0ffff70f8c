// SPDX-License-Identifier: GPL-2.0-only
/*
 * One thread, one epoll loop, no recursion: a thousand ready clients cost
 * a few more loop turns, never stack.  Each client gets one reply at a
 * time; while it is being sent the client's further requests stay in its
 * socket, so a client that does not read only ever holds one reply and is
 * dropped after --client-timeout seconds without progress.  Clients asking
 * in the same loop turn share one reply.  With no request in flight the
 * loop sleeps without a timeout: an idle daemon never wakes up.
 *
 * A newcomer is never refused for want of room: at --max-clients, or out
 * of file descriptors, the stalest client is closed instead (evict.c says
 * which one), because the client that must get through is a restarted
 * atop, and the one that holds a place without using it is not.
 */
#include "config.h"
#include "server.h"
#include "bootepoch.h"
#include "evict.h"
#include "log.h"
#include "reply.h"
#include "request.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define NT_MAX_EVENTS 64
#define NT_ACCEPT_BATCH 64	/* connections taken per loop turn */
#define NT_REPLY_VARIANTS 8	/* replies shared per loop turn; more are built for one client each */
#define NT_READ_CHUNK 65536
#define NT_SEND_BATCH 64	/* chunks per sendmmsg(): 2 MiB, more than a socket buffer */

struct nt_client {
	int fd;
	struct nt_request_state req;
	struct nt_reply *reply;		/* being sent, or NULL */
	size_t off;			/* bytes of reply sent */
	size_t chunk;			/* bytes per message: whole records, one skb */
	uint64_t acked_seq;		/* newest exited record it has fully received */
	time_t last_progress;		/* CLOCK_MONOTONIC, while a reply is pending */
	long long active_ms;		/* CLOCK_MONOTONIC: connected, asked or took bytes last */
	bool waiting_out;		/* registered for EPOLLOUT instead of EPOLLIN */
	bool want_reply;
	struct nt_client *next;		/* all clients */
};

struct nt_server {
	struct nt_server_config cfg;
	struct nt_source src;
	struct nt_exited exited;
	int epfd;
	int sigfd;
	int reserve_fd;			/* given up to accept-and-close on EMFILE */
	struct nt_client *clients;
	unsigned int nclients;
	struct nt_connserve *conns;	/* NULL without a connection socket */
	bool stop;
	bool keep_state;		/* stopped by SIGUSR1: a restart, not a stop */
	struct nt_status published;
	struct nt_ratelimit rl_refused;
	struct nt_ratelimit rl_evicted;
	struct nt_ratelimit rl_client;
	struct nt_ratelimit rl_drops;
};

/* epoll tags for the fds that are not clients */
static char tag_listen, tag_signal, tag_event, tag_conns, tag_conn_event;

static time_t monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Finer than the timeouts need: which of two clients was active last, for evict.c. */
static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct nt_server *nt_server_new(const struct nt_server_config *cfg, const struct nt_source *src)
{
	struct nt_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->src = *src;
	s->epfd = s->sigfd = s->reserve_fd = -1;
	s->rl_refused = (struct nt_ratelimit)NT_RATELIMIT_INIT(60, 1);
	s->rl_evicted = (struct nt_ratelimit)NT_RATELIMIT_INIT(60, 1);
	s->rl_client = (struct nt_ratelimit)NT_RATELIMIT_INIT(60, 5);
	s->rl_drops = (struct nt_ratelimit)NT_RATELIMIT_INIT(300, 1);
	nt_exited_init(&s->exited, cfg->keep_exited, cfg->max_exited);
	return s;
}

static void client_close(struct nt_server *s, struct nt_client *c)
{
	struct nt_client **pp;

	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	close(c->fd);	/* also removes it from the epoll set */
	nt_reply_put(c->reply);
	free(c);
	s->nclients--;
}

void nt_server_free(struct nt_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_close(s, s->clients);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->reserve_fd >= 0)
		close(s->reserve_fd);
	nt_exited_free(&s->exited);
	nt_connserve_free(s->conns);
	free(s);
}

static int epoll_add(int epfd, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void client_watch(struct nt_server *s, struct nt_client *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	if (c->waiting_out == out)
		return;
	c->waiting_out = out;
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* The oldest exited record some connected client has not had yet bounds pruning. */
static uint64_t acked_by_all(const struct nt_server *s)
{
	const struct nt_client *c;
	uint64_t min = UINT64_MAX;

	for (c = s->clients; c; c = c->next)
		if (c->acked_seq < min)
			min = c->acked_seq;
	return min;
}

static void publish_status(struct nt_server *s)
{
	struct nt_status st;

	memset(&st, 0, sizeof(st));
	if (s->src.status)
		s->src.status(s->src.ctx, &st);
	st.evicted_exited = s->exited.evicted;
	if (memcmp(&st, &s->published, sizeof(st)) == 0)
		return;
	if (st.dropped_calls != s->published.dropped_calls ||
	    st.dropped_exits != s->published.dropped_exits ||
	    st.evicted_exited != s->published.evicted_exited)
		nt_log_limited(&s->rl_drops, LOG_WARNING,
			       "counters lost so far: %llu calls not counted (no memory for a process), "
			       "%llu exited processes not recorded (exit buffer full: raise --exit-buffer), "
			       "%llu exited processes evicted before every client had them (raise --max-exited)",
			       st.dropped_calls, st.dropped_exits, st.evicted_exited);
	s->published = st;
	if (s->cfg.pidfile_fd >= 0)
		nt_pidfile_write(s->cfg.pidfile_fd, getpid(), &st);
}

static void drain_exited(struct nt_server *s, unsigned long epoch, time_t now)
{
	if (s->src.drain && s->src.drain(s->src.ctx, &s->exited, epoch, now) < 0)
		nt_log_limited(&s->rl_drops, LOG_ERR, "cannot read the exit buffer: %s", strerror(errno));
	nt_exited_prune(&s->exited, now, acked_by_all(s));
}

/*
 * Reading /proc/stat and the task iterator each take a descriptor for a
 * moment: the reserve gives one up when clients hold all the others.
 */
static void reserve_release(struct nt_server *s)
{
	if (s->reserve_fd >= 0)
		close(s->reserve_fd);
	s->reserve_fd = -1;
}

static void reserve_take(struct nt_server *s)
{
	if (s->reserve_fd < 0)
		s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* What the clients answered in one loop turn are answered from. */
struct snapshot {
	const struct nt_task_record *live;	/* valid until the next turn */
	size_t nlive;
	unsigned long epoch;
	/* the replies built so far, one per variant (reply.h) */
	struct {
		size_t variant;
		struct nt_reply *r;
	} built[NT_REPLY_VARIANTS];
	unsigned int nbuilt;
};

/* Newest exited record a client waiting for a reply has had. */
static uint64_t had_by_waiting(const struct nt_server *s)
{
	const struct nt_client *c;
	uint64_t max = 0;

	for (c = s->clients; c; c = c->next)
		if (c->want_reply && c->acked_seq > max)
			max = c->acked_seq;
	return max;
}

static void snapshot_take(struct nt_server *s, struct snapshot *snap)
{
	time_t now = monotonic_now();
	int rc;

	memset(snap, 0, sizeof(*snap));
	reserve_release(s);
	snap->epoch = nt_boot_epoch();
	drain_exited(s, snap->epoch, now);
	rc = s->src.live(s->src.ctx, &snap->live, &snap->nlive);
	/* pidfds, one at a time: the reserve covers them too */
	nt_exited_find_reused(&s->exited, had_by_waiting(s), now, s->src.pid_gen ? s->src.pid_gen(s->src.ctx) : 0,
			      s->src.pid_holder, s->src.ctx);
	reserve_take(s);
	if (rc < 0) {
		/* Exited records and an empty live set still make a valid reply. */
		nt_log_limited(&s->rl_drops, LOG_ERR, "cannot read the live counters: %s", strerror(-rc));
		snap->live = NULL;
		snap->nlive = 0;
	}
	publish_status(s);
}

/* The reply for c, shared with every client that gets the same; NULL when memory is short. */
static struct nt_reply *snapshot_reply(struct nt_server *s, struct snapshot *snap,
				       const struct nt_client *c)
{
	size_t variant = nt_reply_variant(&s->exited, c->acked_seq);
	struct nt_reply *r;
	unsigned int i;

	for (i = 0; i < snap->nbuilt; i++)
		if (snap->built[i].variant == variant)
			return nt_reply_get(snap->built[i].r);
	r = nt_reply_build_for(&s->exited, snap->live, snap->nlive, snap->epoch, c->acked_seq);
	if (r && snap->nbuilt < NT_REPLY_VARIANTS) {
		snap->built[snap->nbuilt].variant = variant;
		snap->built[snap->nbuilt++].r = nt_reply_get(r);
	}
	return r;
}

static void snapshot_release(struct snapshot *snap)
{
	unsigned int i;

	for (i = 0; i < snap->nbuilt; i++)
		nt_reply_put(snap->built[i].r);
	snap->nbuilt = 0;
}

/*
 * Send what the socket takes; returns false when the client is gone.  The
 * chunks of a reply go out in one sendmmsg(): each message is one skb, sent
 * whole or not at all, so a 10,000-process reply costs one system call
 * instead of thirty and atop still never sees a partial record.
 */
static bool client_flush(struct nt_server *s, struct nt_client *c, time_t now)
{
	while (c->reply && c->off < c->reply->len) {
		struct mmsghdr msg[NT_SEND_BATCH];
		struct iovec iov[NT_SEND_BATCH];
		size_t off = c->off;
		unsigned int n = 0, i;
		int sent;

		while (n < NT_SEND_BATCH && off < c->reply->len) {
			size_t len = c->reply->len - off;

			if (len > c->chunk)
				len = c->chunk;
			iov[n].iov_base = (char *)c->reply->rec + off;
			iov[n].iov_len = len;
			memset(&msg[n], 0, sizeof(msg[n]));
			msg[n].msg_hdr.msg_iov = &iov[n];
			msg[n].msg_hdr.msg_iovlen = 1;
			off += len;
			n++;
		}
		sent = sendmmsg(c->fd, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				client_watch(s, c, true);
				return true;
			}
			return false;	/* EPIPE, ECONNRESET: the client left */
		}
		for (i = 0; i < (unsigned int)sent; i++)
			c->off += msg[i].msg_len;
		if (sent > 0) {
			c->last_progress = now;
			c->active_ms = monotonic_ms();
		}
		if ((unsigned int)sent < n && c->off < c->reply->len) {
			/* the socket is full: the next call would only say EAGAIN */
			client_watch(s, c, true);
			return true;
		}
	}
	if (c->reply) {
		c->acked_seq = c->reply->exited_seq;
		nt_reply_put(c->reply);
		c->reply = NULL;
		c->off = 0;
	}
	if (!c->want_reply && nt_request_take(&c->req)) {
		c->want_reply = true;	/* answered in the next loop turn's snapshot */
		return true;
	}
	client_watch(s, c, false);
	return true;
}

static size_t send_chunk(int fd)
{
	size_t rec = sizeof(struct netpertask), chunk = 32768;
	int sndbuf = 0;
	socklen_t len = sizeof(sndbuf);

	/* A Unix stream send() of at most this size is one skb: all or nothing. */
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 && sndbuf > 256 &&
	    (size_t)(sndbuf / 2 - 64) < chunk)
		chunk = (size_t)(sndbuf / 2 - 64);
	chunk -= chunk % rec;
	return chunk ? chunk : rec;
}

/* Where c stands among the clients to close, as evict.h orders them. */
static struct nt_evict_key evict_key(const struct nt_client *c, long long now_ms)
{
	struct nt_evict_key key;

	/* a request not looked at yet, or not answered yet: it is asking now */
	key.since_ms = c->want_reply || c->req.pending || nt_evict_unasked_bytes(c->fd) > 0 ?
		       now_ms : c->active_ms;
	key.stuck = c->reply ? now_ms - c->active_ms >= NT_EVICT_STUCK_MS :
			       now_ms - c->active_ms >= NT_EVICT_UNREAD_MS && nt_evict_unread_bytes(c->fd) > 0;
	return key;
}

/*
 * The clients of one accept batch's making room, stalest first: ordered
 * once per batch, since a flood of newcomers closes many, and finding
 * each anew would cost every client's queues each time.
 */
struct evict_order {
	struct evict_item {
		struct nt_evict_key key;
		unsigned int age;	/* 0: connected first; breaks ties */
		struct nt_client *c;
	} *item;
	size_t n, next;
	bool built;
};

static int evict_item_cmp(const void *a, const void *b)
{
	const struct evict_item *x = a, *y = b;

	if (nt_evict_staler(&x->key, &y->key))
		return -1;
	if (nt_evict_staler(&y->key, &x->key))
		return 1;
	return (x->age > y->age) - (x->age < y->age);
}

static void evict_order_build(const struct nt_server *s, struct evict_order *o)
{
	long long now_ms = monotonic_ms();
	struct nt_client *c;
	size_t i = 0;

	o->built = true;
	o->item = malloc((s->nclients ? s->nclients : 1) * sizeof(*o->item));
	if (!o->item)
		return;
	/* the list is newest first */
	for (c = s->clients; c && i < s->nclients; c = c->next, i++) {
		o->item[i].key = evict_key(c, now_ms);
		o->item[i].age = s->nclients - 1 - (unsigned int)i;
		o->item[i].c = c;
	}
	o->n = i;
	qsort(o->item, o->n, sizeof(*o->item), evict_item_cmp);
}

/* The stalest client not closed yet, or NULL when there is none. */
static struct nt_client *evict_order_next(const struct nt_server *s, struct evict_order *o)
{
	if (!o->built)
		evict_order_build(s, o);
	if (o->item && o->next < o->n)
		return o->item[o->next++].c;
	/* no memory for the order, or only newcomers of this batch left: the slow way */
	{
		long long now_ms = monotonic_ms();
		struct nt_evict_key worst_key = { 0 }, key;
		struct nt_client *c, *worst = NULL;

		for (c = s->clients; c; c = c->next) {
			key = evict_key(c, now_ms);
			/* on a tie the one connected first: the list is newest first */
			if (!worst || !nt_evict_staler(&worst_key, &key)) {
				worst = c;
				worst_key = key;
			}
		}
		return worst;
	}
}

/* Close the stalest client to make room; false when there is no client to close. */
static bool evict_stalest(struct nt_server *s, struct evict_order *o, const char *why, const char *remedy)
{
	struct nt_client *c = evict_order_next(s, o);
	bool unread;

	if (!c)
		return false;
	unread = c->reply != NULL || nt_evict_unread_bytes(c->fd) > 0;
	nt_log_limited(&s->rl_evicted, LOG_WARNING,
		       "%s with %u clients: closed the one that %s for %.1f seconds to serve a new one (%s)",
		       why, s->nclients, unread ? "had not read its reply" : "had not asked",
		       (double)(monotonic_ms() - c->active_ms) / 1000.0, remedy);
	client_close(s, c);
	return true;
}

/*
 * Out of descriptors and no client to close: take the connection off the
 * queue with the reserve descriptor and close it, or epoll reports it
 * forever.  Returns false when none was waiting.
 */
static bool refuse_one(struct nt_server *s)
{
	int fd;

	if (s->reserve_fd < 0)
		return false;
	close(s->reserve_fd);
	fd = accept(s->cfg.listen_fd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	nt_log_limited(&s->rl_refused, LOG_WARNING,
		       "out of file descriptors and no client to close: refusing a client "
		       "(raise the limit with ulimit -n, or LimitNOFILE= in the unit)");
	return true;
}

/*
 * At most one batch per loop turn: between two, the clients already
 * connected are read and answered, so a flood of newcomers never starves
 * them, and those it serves and that do not read become the stalest.
 */
static void accept_clients(struct nt_server *s, time_t now)
{
	/* only clients connected before the batch: those it takes are the newest */
	struct evict_order order = { 0 };
	unsigned int taken;

	for (taken = 0; taken < NT_ACCEPT_BATCH; taken++) {
		struct nt_client *c;
		int fd;

		fd = accept4(s->cfg.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/*
				 * accept4() fails so whether or not a connection waits:
				 * a client is closed only for one that does.
				 */
				struct pollfd waiting = { .fd = s->cfg.listen_fd, .events = POLLIN };

				if (poll(&waiting, 1, 0) != 1)
					break;
				if (evict_stalest(s, &order, "out of file descriptors",
						  "raise the limit with ulimit -n, or LimitNOFILE= in the unit"))
					continue;
				if (refuse_one(s))
					continue;
				break;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				nt_log_limited(&s->rl_refused, LOG_ERR, "cannot accept a client: %s", strerror(errno));
			break;
		}
		if (s->nclients >= s->cfg.max_clients)
			evict_stalest(s, &order, "at --max-clients", "raise --max-clients");
		c = calloc(1, sizeof(*c));
		if (!c || epoll_add(s->epfd, fd, EPOLLIN, c) < 0) {
			nt_log_limited(&s->rl_refused, LOG_ERR, "cannot take a client: %s", strerror(errno));
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->chunk = send_chunk(fd);
		c->acked_seq = s->exited.last_seq;
		c->last_progress = now;
		c->active_ms = monotonic_ms();
		c->next = s->clients;
		s->clients = c;
		s->nclients++;
	}
	free(order.item);
}

/* Returns false when the client is gone. */
static bool client_read(struct nt_client *c)
{
	static char buf[NT_READ_CHUNK];
	ssize_t n;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	if (n == 0)	/* EOF; a client that only shut down its writing side still gets its replies */
		return c->reply || c->want_reply || c->req.pending;
	if (nt_request_feed(&c->req, (size_t)n))
		c->active_ms = monotonic_ms();
	/* one request at a time: taking another while one waits would lose it */
	if (!c->reply && !c->want_reply && nt_request_take(&c->req))
		c->want_reply = true;
	return true;
}

static void drop_stalled(struct nt_server *s, time_t now)
{
	struct nt_client *c, *next;

	for (c = s->clients; c; c = next) {
		next = c->next;
		/* whole seconds: only more than the timeout apart are surely that long apart */
		if (c->reply && now - c->last_progress > s->cfg.client_timeout) {
			nt_log_limited(&s->rl_client, LOG_WARNING,
				       "dropping a client that read nothing of its reply for %ld seconds",
				       (long)(now - c->last_progress));
			client_close(s, c);
		}
	}
}

/* Milliseconds until the first stalled client times out or 0 when one waits; -1: sleep until an event. */
static int next_timeout(const struct nt_server *s, time_t now)
{
	const struct nt_client *c;
	time_t first = 0;
	bool any = false;

	for (c = s->clients; c; c = c->next) {
		time_t due;

		/* a request taken after this turn's reply was built: answer it without sleeping */
		if (c->want_reply)
			return 0;
		if (!c->reply)
			continue;
		due = c->last_progress + s->cfg.client_timeout + 1;
		if (!any || due < first)
			first = due;
		any = true;
	}
	if (s->conns) {
		long due = nt_connserve_next_timeout(s->conns, now);

		if (due >= 0 && (!any || now + due < first)) {
			first = now + due;
			any = true;
		}
	}
	if (!any)
		return -1;
	return first <= now ? 0 : (int)(first - now) * 1000;
}

static void answer_waiting_clients(struct nt_server *s, time_t now)
{
	struct snapshot snap;
	struct nt_client *c, *next;
	bool taken = false;

	for (c = s->clients; c; c = c->next) {
		struct nt_reply *r;

		if (!c->want_reply)
			continue;
		if (!taken) {
			snapshot_take(s, &snap);
			taken = true;
		}
		r = snapshot_reply(s, &snap, c);
		if (!r) {
			nt_log_limited(&s->rl_drops, LOG_ERR, "out of memory building a reply: will retry");
			break;
		}
		c->want_reply = false;
		c->reply = r;
		c->off = 0;
		c->last_progress = now;
	}
	if (taken)
		snapshot_release(&snap);
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->reply && !c->waiting_out && !client_flush(s, c, now))
			client_close(s, c);
	}
}

static int setup(struct nt_server *s)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	s->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s->sigfd < 0 || s->epfd < 0 ||
	    epoll_add(s->epfd, s->cfg.listen_fd, EPOLLIN, &tag_listen) < 0 ||
	    epoll_add(s->epfd, s->sigfd, EPOLLIN, &tag_signal) < 0 ||
	    (s->src.event_fd >= 0 && epoll_add(s->epfd, s->src.event_fd, EPOLLIN, &tag_event) < 0))
		return -errno;
	if (s->cfg.conn_listen_fd >= 0) {
		struct nt_connserve_config cc = {
			.listen_fd = s->cfg.conn_listen_fd,
			.max_clients = s->cfg.max_clients,
			.client_timeout = s->cfg.client_timeout,
		};

		s->conns = nt_connserve_new(&cc, &s->src.conns);
		if (!s->conns || epoll_add(s->epfd, nt_connserve_fd(s->conns), EPOLLIN, &tag_conns) < 0)
			return -ENOMEM;
		if (s->src.conn_event_fd >= 0 &&
		    epoll_add(s->epfd, s->src.conn_event_fd, EPOLLIN, &tag_conn_event) < 0)
			return -errno;
	}
	publish_status(s);
	return 0;
}

static void handle_signal(struct nt_server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			nt_log(LOG_INFO, "SIGHUP: nothing to reload");
			continue;
		}
		if (si.ssi_signo == SIGUSR1) {
			nt_log(LOG_INFO, "SIGUSR1: exiting, leaving the kernel state for the next daemon");
			s->keep_state = true;
		} else {
			nt_log(LOG_INFO, "signal %u: exiting", si.ssi_signo);
		}
		s->stop = true;
	}
}

int nt_server_run(struct nt_server *s)
{
	struct epoll_event ev[NT_MAX_EVENTS];
	int rc, n, i;

	rc = setup(s);
	if (rc < 0)
		return rc;
	while (!s->stop) {
		bool drain = false, incoming = false, conns_ready = false, conns_drain = false;
		time_t now = monotonic_now();

		n = epoll_wait(s->epfd, ev, NT_MAX_EVENTS, next_timeout(s, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		now = monotonic_now();
		for (i = 0; i < n; i++) {
			void *tag = ev[i].data.ptr;
			struct nt_client *c = tag;
			bool alive = true;

			if (tag == &tag_listen) {
				/* after this batch: making room closes clients that may be further in ev[] */
				incoming = true;
				continue;
			}
			if (tag == &tag_signal) {
				handle_signal(s);
				continue;
			}
			if (tag == &tag_event) {
				drain = true;
				continue;
			}
			if (tag == &tag_conns) {
				conns_ready = true;
				continue;
			}
			if (tag == &tag_conn_event) {
				conns_drain = true;
				continue;
			}
			if (ev[i].events & EPOLLIN)
				alive = client_read(c);
			if (alive && (ev[i].events & EPOLLOUT))
				alive = client_flush(s, c, now);
			if (alive && (ev[i].events & (EPOLLHUP | EPOLLERR)) && !(ev[i].events & EPOLLIN))
				alive = false;
			if (!alive)
				client_close(s, c);
		}
		/* answered first: a client that asked and will not read is then the one to make room */
		answer_waiting_clients(s, now);
		if (incoming)
			accept_clients(s, now);
		if (conns_drain)
			nt_connserve_drain(s->conns, now);
		if (conns_ready)
			nt_connserve_run(s->conns, now);
		if (drain) {
			reserve_release(s);
			drain_exited(s, nt_boot_epoch(), now);
			reserve_take(s);
			publish_status(s);
		}
		drop_stalled(s, now);
		if (s->conns)
			nt_connserve_drop_stalled(s->conns, now);
	}
	return 0;
}

struct nt_exited *nt_server_exited(struct nt_server *s)
{
	return &s->exited;
}

bool nt_server_keep_state(const struct nt_server *s)
{
	return s->keep_state;
}
