// SPDX-License-Identifier: GPL-2.0-only
/*
 * One thread, one epoll loop, no recursion: a thousand ready clients cost
 * a few more loop turns, never stack.  Each client gets one reply at a
 * time; while it is being sent the client's further requests stay in its
 * socket, so a client that does not read only ever holds one reply and is
 * dropped after --client-timeout seconds without progress.  Clients asking
 * in the same loop turn share one reply.  With no request in flight the
 * loop sleeps without a timeout: an idle daemon never wakes up.
 */
#include "config.h"
#include "server.h"
#include "bootepoch.h"
#include "log.h"
#include "reply.h"
#include "request.h"

#include <errno.h>
#include <fcntl.h>
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
	struct nt_status published;
	struct nt_ratelimit rl_refused;
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

struct nt_server *nt_server_new(const struct nt_server_config *cfg, const struct nt_source *src)
{
	struct nt_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->src = *src;
	s->epfd = s->sigfd = s->reserve_fd = -1;
	s->rl_refused = (struct nt_ratelimit)NT_RATELIMIT_INIT(60, 1);
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

static struct nt_reply *snapshot(struct nt_server *s)
{
	const struct nt_task_record *live = NULL;
	unsigned long epoch;
	time_t now = monotonic_now();
	struct nt_reply *r;
	size_t nlive = 0;
	int rc;

	reserve_release(s);
	epoch = nt_boot_epoch();
	drain_exited(s, epoch, now);
	rc = s->src.live(s->src.ctx, &live, &nlive);
	reserve_take(s);
	if (rc < 0) {
		/* Exited records and an empty live set still make a valid reply. */
		nt_log_limited(&s->rl_drops, LOG_ERR, "cannot read the live counters: %s", strerror(-rc));
		nlive = 0;
	}
	r = nt_reply_build(&s->exited, live, nlive, epoch);
	publish_status(s);
	return r;
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
		if (sent > 0)
			c->last_progress = now;
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

static void accept_clients(struct nt_server *s)
{
	for (;;) {
		struct nt_client *c;
		int fd;

		fd = accept4(s->cfg.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && s->reserve_fd >= 0) {
				/* Take the connection off the queue, or epoll reports it forever. */
				close(s->reserve_fd);
				fd = accept(s->cfg.listen_fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				/* accept4() fails with EMFILE whether or not one waits: stop when none did. */
				if (fd < 0)
					return;
				nt_log_limited(&s->rl_refused, LOG_WARNING,
					       "out of file descriptors: refusing clients beyond %u (raise the limit with ulimit -n)",
					       s->nclients);
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				nt_log_limited(&s->rl_refused, LOG_ERR, "cannot accept a client: %s", strerror(errno));
			return;
		}
		if (s->nclients >= s->cfg.max_clients) {
			close(fd);
			nt_log_limited(&s->rl_refused, LOG_WARNING,
				       "%u clients connected: refusing more (raise --max-clients)", s->nclients);
			continue;
		}
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
		c->next = s->clients;
		s->clients = c;
		s->nclients++;
	}
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
	nt_request_feed(&c->req, (size_t)n);
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
	struct nt_reply *shared = NULL;
	struct nt_client *c, *next;

	for (c = s->clients; c; c = c->next) {
		if (!c->want_reply)
			continue;
		if (!shared) {
			shared = snapshot(s);
			if (!shared) {
				nt_log_limited(&s->rl_drops, LOG_ERR, "out of memory building a reply: will retry");
				return;
			}
		}
		c->want_reply = false;
		c->reply = nt_reply_get(shared);
		c->off = 0;
		c->last_progress = now;
	}
	nt_reply_put(shared);
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
		nt_log(LOG_INFO, "signal %u: exiting", si.ssi_signo);
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
		bool drain = false, conns_ready = false, conns_drain = false;
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
				accept_clients(s);
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
		answer_waiting_clients(s, now);
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
