// SPDX-License-Identifier: GPL-2.0-only
/*
 * A connection client sends a 16-byte request and reads a reply built for
 * it alone (the closed connections it has not had yet).  Only a whole
 * request is read, and none while a reply is pending, so pipelined
 * requests wait in the client's socket; anything that is not a request
 * gets an error head and the socket closes.  Replies go out without
 * blocking; a client that reads nothing of one for --client-timeout
 * seconds is dropped, as on atop's socket.
 */
#include "config.h"
#include "connserve.h"
#include "connpeers.h"
#include "connproto.h"
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define NT_CONN_KEEP_SECONDS	60
#define NT_CONN_MAX_CLOSED	65536	/* 7 MB at most */
#define NT_CONN_EVENTS		32

struct conn_client {
	int fd;
	unsigned char req[sizeof(struct nt_conn_request)];
	size_t have;			/* bytes of req read */
	char *out;			/* the reply being sent, or NULL */
	size_t outlen, off;
	uint64_t out_seq;		/* newest closed entry the reply carries */
	uint64_t acked_seq;		/* newest closed entry it has had whole */
	bool close_after;		/* an error reply: close once sent */
	bool waiting_out;
	time_t last_progress;
	struct conn_client *next;
};

struct nt_connserve {
	struct nt_connserve_config cfg;
	struct nt_conn_source src;
	struct nt_closed closed;
	int epfd;
	struct conn_client *clients;
	unsigned int nclients;
	struct nt_ratelimit rl;
	/*
	 * At most two walks of the sockets per loop turn: one for the first
	 * client's pid, then one of every process's, shared by all the
	 * others asking in that turn.  A client pipelining queries costs the
	 * daemon what one does, and atop's clients are served between turns.
	 */
	bool walked;
	int32_t walked_pid;		/* the walk's filter; 0: every process */
	int walk_rc;
	const struct nt_conn_record *live;
	size_t nlive;
	struct nt_peer_record *peers;	/* this turn's copy, sorted by socket */
	size_t npeers, peers_cap;
};

static char tag_listen;

struct nt_connserve *nt_connserve_new(const struct nt_connserve_config *cfg,
				      const struct nt_conn_source *src)
{
	struct nt_connserve *cs = calloc(1, sizeof(*cs));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_listen };

	if (!cs)
		return NULL;
	cs->cfg = *cfg;
	cs->src = *src;
	cs->rl = (struct nt_ratelimit)NT_RATELIMIT_INIT(60, 5);
	nt_closed_init(&cs->closed, NT_CONN_KEEP_SECONDS, NT_CONN_MAX_CLOSED);
	cs->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cs->epfd < 0 || epoll_ctl(cs->epfd, EPOLL_CTL_ADD, cfg->listen_fd, &ev) < 0) {
		if (cs->epfd >= 0)
			close(cs->epfd);
		nt_closed_free(&cs->closed);
		free(cs);
		return NULL;
	}
	return cs;
}

static void client_close(struct nt_connserve *cs, struct conn_client *c)
{
	struct conn_client **pp;

	for (pp = &cs->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	close(c->fd);
	free(c->out);
	free(c);
	cs->nclients--;
}

void nt_connserve_free(struct nt_connserve *cs)
{
	if (!cs)
		return;
	while (cs->clients)
		client_close(cs, cs->clients);
	close(cs->epfd);
	nt_closed_free(&cs->closed);
	free(cs->peers);
	free(cs);
}

int nt_connserve_fd(const struct nt_connserve *cs)
{
	return cs->epfd;
}

unsigned long long nt_connserve_evicted(const struct nt_connserve *cs)
{
	return cs->closed.evicted;
}

static uint64_t acked_by_all(const struct nt_connserve *cs)
{
	const struct conn_client *c;
	uint64_t min = UINT64_MAX;

	for (c = cs->clients; c; c = c->next)
		if (c->acked_seq < min)
			min = c->acked_seq;
	return min;
}

static void entry_from_record(struct nt_conn_entry *e, const struct nt_conn_record *r)
{
	memset(e, 0, sizeof(*e));
	e->pid = (int32_t)r->tgid;
	e->proto = r->proto;
	e->family = r->family;
	e->state = r->state;
	e->flags = (r->flags & NT_CONN_CLOSED) ? NT_CONN_ENTRY_CLOSED : 0;
	e->lport = r->lport;
	e->rport = r->rport;
	memcpy(e->laddr, r->laddr, sizeof(e->laddr));
	memcpy(e->raddr, r->raddr, sizeof(e->raddr));
	memcpy(e->command, r->comm, sizeof(e->command));
	e->command[sizeof(e->command) - 1] = '\0';
	e->sndpacks = r->c.sndpacks;
	e->sndbytes = r->c.sndbytes;
	e->rcvpacks = r->c.rcvpacks;
	e->rcvbytes = r->c.rcvbytes;
}

struct keep_ctx {
	struct nt_closed *closed;
	time_t now;
};

static void keep_closed(void *ctx, const struct nt_conn_record *r)
{
	const struct keep_ctx *k = ctx;
	struct nt_conn_entry e;

	if (!r->tgid)
		return;
	entry_from_record(&e, r);
	nt_closed_add(k->closed, &e, k->now);
}

void nt_connserve_drain(struct nt_connserve *cs, time_t now)
{
	struct keep_ctx k = { &cs->closed, now };

	if (cs->src.available && cs->src.drain &&
	    cs->src.drain(cs->src.ctx, keep_closed, &k) < 0)
		nt_log_limited(&cs->rl, LOG_ERR, "cannot read the closed connections: %s",
			       strerror(errno));
	nt_closed_prune(&cs->closed, now, acked_by_all(cs));
}

/* A copy of the kernel's peers, sorted, for this turn's replies. */
static void read_peers(struct nt_connserve *cs)
{
	const struct nt_peer_record *p = NULL;
	size_t n = 0;

	cs->npeers = 0;
	if (!cs->src.udp_peers || !cs->src.peers || cs->src.peers(cs->src.ctx, &p, &n) < 0 || !n)
		return;
	if (n > cs->peers_cap) {
		void *tmp = realloc(cs->peers, n * sizeof(*cs->peers));

		if (!tmp)
			return;
		cs->peers = tmp;
		cs->peers_cap = n;
	}
	memcpy(cs->peers, p, n * sizeof(*p));
	nt_peers_sort(cs->peers, n);
	cs->npeers = n;
}

static bool wanted(const struct nt_conn_request *q, int32_t pid)
{
	return q->pid == 0 || q->pid == pid;
}

/*
 * The client's reply buffer: the head, then room for `extra` bytes of
 * entries, which the caller fills in; where they start, or NULL.
 */
static char *reply_buffer(struct conn_client *c, const struct nt_conn_reply_head *head, size_t extra)
{
	size_t bytes = sizeof(*head) + extra;
	char *buf = malloc(bytes);

	if (!buf)
		return NULL;
	memcpy(buf, head, sizeof(*head));
	c->out = buf;
	c->outlen = bytes;
	c->off = 0;
	return buf + sizeof(*head);
}

/* The reply to a valid request: the head, then the closed it has not had, then the open. */
static int build_reply(struct nt_connserve *cs, struct conn_client *c,
		       const struct nt_conn_request *q, time_t now)
{
	const struct nt_conn_record *live = NULL;
	struct nt_conn_reply_head head;
	struct nt_conn_entry *e;
	size_t nlive = 0, n = 0, cap, i;
	int rc;

	memset(&head, 0, sizeof(head));
	memcpy(head.magic, NT_CONN_MAGIC, sizeof(head.magic));
	if (!cs->src.available) {
		head.status = NT_CONN_UNAVAILABLE;
		goto head_only;
	}
	if (!cs->walked || (cs->walked_pid && cs->walked_pid != q->pid)) {
		if (!cs->walked) {
			nt_connserve_drain(cs, now);
			read_peers(cs);
		}
		cs->walked_pid = cs->walked ? 0 : q->pid;
		cs->walk_rc = cs->src.live(cs->src.ctx, (unsigned int)cs->walked_pid, &cs->live,
					   &cs->nlive);
		cs->walked = true;
	}
	rc = cs->walk_rc;
	live = cs->live;
	nlive = cs->nlive;
	if (rc < 0) {
		nt_log_limited(&cs->rl, LOG_ERR, "cannot walk the sockets: %s", strerror(-rc));
		head.status = NT_CONN_FAILED;
		goto head_only;
	}
	/* a socket's peers come instead of its line, and one more for the others */
	cap = nlive + cs->closed.count + cs->npeers;
	if (cap > NT_CONN_MAX_ENTRIES)
		cap = NT_CONN_MAX_ENTRIES;
	e = (struct nt_conn_entry *)reply_buffer(c, &head, cap * sizeof(*e));
	if (!e)
		return -1;
	for (i = 0; i < cs->closed.count && n < cap; i++) {
		const struct nt_closed_entry *k = nt_closed_at(&cs->closed, i);

		if (k->seq > c->acked_seq && wanted(q, k->e.pid))
			e[n++] = k->e;
	}
	for (i = 0; i < nlive && n < cap; i++) {
		struct nt_conn_entry one;

		if (!live[i].tgid || !wanted(q, (int32_t)live[i].tgid))
			continue;
		entry_from_record(&one, &live[i]);
		if (live[i].cookie && cs->npeers && n + cs->src.udp_peers + 1 <= cap)
			n += nt_conn_peer_lines(&one, live[i].cookie, cs->peers, cs->npeers,
						cs->src.udp_peers, &e[n]);
		else
			e[n++] = one;
	}
	c->out_seq = cs->closed.last_seq;
	nt_closed_mark_sent(&cs->closed);
	head.count = (uint32_t)n;
	memcpy(c->out, &head, sizeof(head));
	c->outlen = sizeof(head) + n * sizeof(*e);
	return 0;
head_only:
	if (!reply_buffer(c, &head, 0))
		return -1;
	c->out_seq = c->acked_seq;
	return 0;
}

static void watch(struct nt_connserve *cs, struct conn_client *c, bool out)
{
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	if (c->waiting_out == out)
		return;
	c->waiting_out = out;
	epoll_ctl(cs->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what the socket takes; false when the client is done with or gone. */
static bool flush(struct nt_connserve *cs, struct conn_client *c, time_t now)
{
	while (c->out && c->off < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->off, c->outlen - c->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			watch(cs, c, true);
			return true;
		}
		if (n <= 0)
			return false;
		c->off += (size_t)n;
		c->last_progress = now;
	}
	if (c->out) {
		c->acked_seq = c->out_seq;
		free(c->out);
		c->out = NULL;
		if (c->close_after)
			return false;
	}
	watch(cs, c, false);
	return true;
}

/* Read at most the rest of one request; false when the client is gone or refused. */
static bool client_read(struct nt_connserve *cs, struct conn_client *c, time_t now)
{
	struct nt_conn_request q;
	ssize_t n;

	if (c->out)
		return true;	/* one request at a time: the rest waits in the socket */
	n = recv(c->fd, c->req + c->have, sizeof(c->req) - c->have, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	if (n == 0)
		return false;
	c->have += (size_t)n;
	if (c->have < sizeof(c->req))
		return true;
	c->have = 0;
	memcpy(&q, c->req, sizeof(q));
	if (nt_conn_request_check(&q) != NT_CONN_OK) {
		struct nt_conn_reply_head head;

		nt_log_limited(&cs->rl, LOG_NOTICE, "a connection client sent no valid request: closing it");
		memset(&head, 0, sizeof(head));
		memcpy(head.magic, NT_CONN_MAGIC, sizeof(head.magic));
		head.status = NT_CONN_BAD_REQUEST;
		if (!reply_buffer(c, &head, 0))
			return false;
		c->out_seq = c->acked_seq;
		c->close_after = true;
	} else if (build_reply(cs, c, &q, now) < 0) {
		nt_log_limited(&cs->rl, LOG_ERR, "out of memory for a connection reply: closing the client");
		return false;
	}
	c->last_progress = now;
	return flush(cs, c, now);
}

static void accept_clients(struct nt_connserve *cs)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn_client *c;
		int fd = accept4(cs->cfg.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				nt_log_limited(&cs->rl, LOG_ERR, "cannot accept a connection client: %s",
					       strerror(errno));
			return;
		}
		if (cs->nclients >= cs->cfg.max_clients) {
			close(fd);
			nt_log_limited(&cs->rl, LOG_WARNING,
				       "%u connection clients connected: refusing more (raise --max-clients)",
				       cs->nclients);
			continue;
		}
		c = calloc(1, sizeof(*c));
		ev.data.ptr = c;
		if (!c || epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		/* closed connections still kept are news to a new client */
		c->acked_seq = 0;
		c->next = cs->clients;
		cs->clients = c;
		cs->nclients++;
	}
}

void nt_connserve_run(struct nt_connserve *cs, time_t now)
{
	struct epoll_event ev[NT_CONN_EVENTS];
	int n, i;

	cs->walked = false;
	n = epoll_wait(cs->epfd, ev, NT_CONN_EVENTS, 0);
	for (i = 0; i < n; i++) {
		struct conn_client *c = ev[i].data.ptr;
		bool alive = true;

		if (ev[i].data.ptr == &tag_listen) {
			accept_clients(cs);
			continue;
		}
		if (ev[i].events & EPOLLIN)
			alive = client_read(cs, c, now);
		if (alive && (ev[i].events & EPOLLOUT))
			alive = flush(cs, c, now);
		if (alive && (ev[i].events & (EPOLLHUP | EPOLLERR)) && !(ev[i].events & EPOLLIN))
			alive = false;
		if (!alive)
			client_close(cs, c);
	}
}

void nt_connserve_drop_stalled(struct nt_connserve *cs, time_t now)
{
	struct conn_client *c, *next;

	for (c = cs->clients; c; c = next) {
		next = c->next;
		if (c->out && now - c->last_progress > cs->cfg.client_timeout) {
			nt_log_limited(&cs->rl, LOG_WARNING,
				       "dropping a connection client that read nothing of its reply for %ld seconds",
				       (long)(now - c->last_progress));
			client_close(cs, c);
		}
	}
}

long nt_connserve_next_timeout(const struct nt_connserve *cs, time_t now)
{
	const struct conn_client *c;
	long first = -1;

	for (c = cs->clients; c; c = c->next) {
		long due;

		if (!c->out)
			continue;
		due = (long)(c->last_progress + cs->cfg.client_timeout + 1 - now);
		if (due < 0)
			due = 0;
		if (first < 0 || due < first)
			first = due;
	}
	return first;
}
