// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "traffic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

/* Children never wait longer than this for their peer: a lost peer fails, never hangs. */
#define PEER_TIMEOUT_S	10
#define RECV_BUF	65536
#define MAX_DATAGRAM	65000
#define MMSG_BATCH	8
/* Room for every datagram of a case, so loopback never drops one. */
#define UDP_RCVBUF	(16 << 20)

const struct traffic_spec traffic_specs[] = {
	{ .name = "tcp4", .kind = TRAFFIC_TCP, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 100, .size = 1000, .tag = "tcp4", .what = "TCP over 127.0.0.1, send()/recv()" },
	{ .name = "tcp4-rw", .kind = TRAFFIC_TCP, .family = AF_INET, .io = TRAFFIC_IO_RW,
	  .count = 100, .size = 3000, .tag = "tcp4rw", .what = "TCP over 127.0.0.1, write()/read()" },
	{ .name = "tcp6", .kind = TRAFFIC_TCP, .family = AF_INET6, .io = TRAFFIC_IO_MSG,
	  .count = 50, .size = 20000, .tag = "tcp6", .what = "TCP over ::1, sendmsg()/recvmsg()" },
	{ .name = "mptcp", .kind = TRAFFIC_TCP, .family = AF_INET, .protocol = IPPROTO_MPTCP,
	  .io = TRAFFIC_IO_SEND, .count = 50, .size = 1500, .tag = "mptcp",
	  .what = "MPTCP over 127.0.0.1 (counts as TCP)" },
	{ .name = "udp4", .kind = TRAFFIC_UDP, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 100, .size = 512, .tag = "udp4", .what = "UDP over 127.0.0.1, sendto()/recvfrom()" },
	{ .name = "udp4-rw", .kind = TRAFFIC_UDP, .family = AF_INET, .io = TRAFFIC_IO_RW,
	  .count = 100, .size = 1400, .tag = "udp4rw", .what = "UDP over 127.0.0.1, connected write()/read()" },
	{ .name = "udp6", .kind = TRAFFIC_UDP, .family = AF_INET6, .io = TRAFFIC_IO_MSG,
	  .count = 100, .size = 8000, .tag = "udp6", .what = "UDP over ::1, sendmsg()/recvmsg()" },
	{ .name = "udp-mapped", .kind = TRAFFIC_UDP, .family = AF_INET6, .v4mapped = true,
	  .io = TRAFFIC_IO_SEND, .count = 100, .size = 300, .tag = "udpmap",
	  .what = "UDP over ::ffff:127.0.0.1 (IPv6 sockets, IPv4 packets)" },
	{ .name = "udplite", .kind = TRAFFIC_UDP, .family = AF_INET, .protocol = IPPROTO_UDPLITE,
	  .io = TRAFFIC_IO_SEND, .count = 50, .size = 700, .tag = "udplit",
	  .what = "UDP-Lite over 127.0.0.1 (counts as UDP)" },
	{ .name = "mmsg", .kind = TRAFFIC_MMSG, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 101, .size = 333, .tag = "mmsg", .what = "UDP with sendmmsg()/recvmmsg(): each message counts" },
	{ .name = "threads", .kind = TRAFFIC_THREADS, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 50, .size = 200, .tag = "thr", .what = "4 threads sending UDP, credited to their process" },
	{ .name = "sendfile", .kind = TRAFFIC_SENDFILE, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 64, .size = 1024, .tag = "sfile", .what = "sendfile() over TCP counts as TCP send" },
	{ .name = "uring", .kind = TRAFFIC_URING, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 40, .size = 900, .tag = "uring", .what = "UDP through io_uring SEND/RECV" },
	{ .name = "fails", .kind = TRAFFIC_FAILS, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 1, .size = 777, .tag = "fails", .what = "failing and empty sends count nothing" },
	{ .name = "eagain", .kind = TRAFFIC_EAGAIN, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 1, .size = 555, .tag = "eagain", .what = "receives that find nothing count nothing" },
	{ .name = "peek", .kind = TRAFFIC_PEEK, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 1, .size = 444, .tag = "peek", .what = "MSG_PEEK counts nothing, the real read counts" },
	{ .name = "unix", .kind = TRAFFIC_UNIX, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 20, .size = 1000, .tag = "unix", .what = "AF_UNIX traffic counts nothing" },
	{ .name = "udp-self", .kind = TRAFFIC_UDP_SELF, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 10, .size = 100, .tag = "uself", .what = "one process sends itself UDP" },
	{ .name = "tcp-self", .kind = TRAFFIC_TCP_SELF, .family = AF_INET, .io = TRAFFIC_IO_SEND,
	  .count = 10, .size = 100, .tag = "tself", .what = "one process sends itself TCP" },
	{ .name = NULL },
};

int traffic_spec_by_name(const char *name, struct traffic_spec *spec)
{
	const struct traffic_spec *s;

	for (s = traffic_specs; s->name; s++) {
		if (strcmp(s->name, name) == 0) {
			*spec = *s;
			return 0;
		}
	}
	return -1;
}

/* ------------------------------------------------------------ reporting */

/* What a child sends back through its report pipe: one write, under PIPE_BUF. */
struct report {
	int ok;
	struct taskcount done;
	pid_t tids[TRAFFIC_NTHREADS];
	unsigned int ntids;
	char note[200];
};

static int fail(struct report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct report *rep, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(rep->note, sizeof(rep->note), fmt, ap);
	va_end(ap);
	n = strlen(rep->note);
	snprintf(rep->note + n, sizeof(rep->note) - n, " (errno %d: %s)", e, strerror(e));
	return -1;
}

enum proto { TCP, UDP };
enum dir { SND, RCV };

/* The netatop rule: a call that moved >= 1 byte is one packet of what it moved. */
static void tally(struct taskcount *tc, enum proto p, enum dir d, ssize_t moved)
{
	unsigned long long *packs;

	if (moved <= 0)
		return;
	if (p == TCP)
		packs = d == SND ? &tc->tcpsndpacks : &tc->tcprcvpacks;
	else
		packs = d == SND ? &tc->udpsndpacks : &tc->udprcvpacks;
	packs[0]++;
	packs[1] += (unsigned long long)moved;
}

static void add_counts(struct taskcount *to, const struct taskcount *from)
{
	to->tcpsndpacks += from->tcpsndpacks;
	to->tcpsndbytes += from->tcpsndbytes;
	to->tcprcvpacks += from->tcprcvpacks;
	to->tcprcvbytes += from->tcprcvbytes;
	to->udpsndpacks += from->udpsndpacks;
	to->udpsndbytes += from->udpsndbytes;
	to->udprcvpacks += from->udprcvpacks;
	to->udprcvbytes += from->udprcvbytes;
}

/* ------------------------------------------------------------ addresses and sockets */

static socklen_t loopback(struct sockaddr_storage *ss, int family, bool mapped, unsigned short port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (mapped)
			inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6->sin6_addr);
		else
			sin6->sin6_addr = in6addr_loopback;
		return sizeof(*sin6);
	}
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = PEER_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int new_socket(int family, bool mapped, int type, int protocol)
{
	int fd = socket(family, type | SOCK_CLOEXEC, protocol), off = 0;

	if (fd < 0)
		return -1;
	/* v4-mapped addresses need a dual-stack socket, whatever the sysctl says. */
	if (family == AF_INET6 && mapped &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0) {
		close(fd);
		return -1;
	}
	set_timeouts(fd);
	return fd;
}

/*
 * A socket bound to a fresh loopback port (listening, for streams).
 * *addr is where a peer reaches it.
 */
static int bound_socket(int family, bool mapped, int type, int protocol,
			struct sockaddr_storage *addr, socklen_t *len)
{
	int fd = new_socket(family, mapped, type, protocol), big = UDP_RCVBUF;

	if (fd < 0)
		return -1;
	*len = loopback(addr, family, mapped, 0);
	if (type == SOCK_DGRAM &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)addr, *len) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A connected TCP pair within one process: *c connects to *a. */
static int tcp_pair(int *c, int *a)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int l;

	l = bound_socket(AF_INET, false, SOCK_STREAM, 0, &addr, &len);
	if (l < 0)
		return -1;
	*c = new_socket(AF_INET, false, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&addr, len) < 0) {
		close(l);
		return -1;
	}
	*a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	if (*a < 0)
		return -1;
	set_timeouts(*a);
	return 0;
}

static char *pattern(size_t size)
{
	char *buf = malloc(size ? size : 1);
	size_t i;

	for (i = 0; buf && i < size; i++)
		buf[i] = (char)('a' + i % 26);
	return buf;
}

/* ------------------------------------------------------------ one call of each style */

static ssize_t do_send(enum traffic_io io, int fd, const char *buf, size_t len,
		       const struct sockaddr_storage *to, socklen_t tolen)
{
	struct iovec iov[2];
	struct msghdr msg;

	switch (io) {
	case TRAFFIC_IO_RW:
		return write(fd, buf, len);
	case TRAFFIC_IO_MSG:
		/* Two iovecs: bytes are what the call moved, not one buffer. */
		iov[0].iov_base = (void *)buf;
		iov[0].iov_len = len / 2;
		iov[1].iov_base = (void *)(buf + len / 2);
		iov[1].iov_len = len - len / 2;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = (void *)to;
		msg.msg_namelen = to ? tolen : 0;
		msg.msg_iov = iov;
		msg.msg_iovlen = 2;
		return sendmsg(fd, &msg, MSG_NOSIGNAL);
	case TRAFFIC_IO_SEND:
	default:
		if (to)
			return sendto(fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)to, tolen);
		return send(fd, buf, len, MSG_NOSIGNAL);
	}
}

static ssize_t do_recv(enum traffic_io io, int fd, char *buf, size_t len)
{
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	struct iovec iov[2];
	struct msghdr msg;

	switch (io) {
	case TRAFFIC_IO_RW:
		return read(fd, buf, len);
	case TRAFFIC_IO_MSG:
		iov[0].iov_base = buf;
		iov[0].iov_len = len / 2;
		iov[1].iov_base = buf + len / 2;
		iov[1].iov_len = len - len / 2;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = iov;
		msg.msg_iovlen = 2;
		return recvmsg(fd, &msg, 0);
	case TRAFFIC_IO_SEND:
	default:
		return recvfrom(fd, buf, len, 0, (struct sockaddr *)&from, &fromlen);
	}
}

/* ------------------------------------------------------------ what children do */

struct job {
	struct traffic_spec spec;
	int fd;				/* the socket the parent prepared, or -1 */
	struct sockaddr_storage peer;	/* where a sender sends */
	socklen_t peerlen;
	unsigned int expect;		/* datagrams a receiver waits for */
};

typedef int (*body_fn)(const struct job *job, struct report *rep);

static int tcp_send_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	char *buf = pattern(s->size);
	unsigned int i;
	ssize_t n;
	int fd;

	fd = new_socket(s->family, s->v4mapped, SOCK_STREAM, s->protocol);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&job->peer, job->peerlen) < 0)
		return fail(rep, "tcp sender: connect");
	for (i = 0; i < s->count; i++) {
		n = do_send(s->io, fd, buf, s->size, NULL, 0);
		if (n < 0)
			return fail(rep, "tcp sender: send %u of %u", i + 1, s->count);
		tally(&rep->done, TCP, SND, n);
	}
	close(fd);
	free(buf);
	return 0;
}

static int sendfile_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	size_t total = (size_t)s->count * s->size;
	char *buf = pattern(total);
	off_t off = 0;
	ssize_t n;
	int fd, mfd;

	mfd = memfd_create("netatop-sendfile", MFD_CLOEXEC);
	if (!buf || mfd < 0 || write(mfd, buf, total) != (ssize_t)total)
		return fail(rep, "sendfile: cannot fill a memfd");
	fd = new_socket(s->family, s->v4mapped, SOCK_STREAM, s->protocol);
	if (fd < 0 || connect(fd, (struct sockaddr *)&job->peer, job->peerlen) < 0)
		return fail(rep, "sendfile: connect");
	while ((size_t)off < total) {
		size_t chunk = total - (size_t)off < s->size ? total - (size_t)off : s->size;

		n = sendfile(fd, mfd, &off, chunk);
		if (n <= 0)
			return fail(rep, "sendfile at offset %lld", (long long)off);
		tally(&rep->done, TCP, SND, n);
	}
	close(fd);
	close(mfd);
	free(buf);
	return 0;
}

static int tcp_recv_body(const struct job *job, struct report *rep)
{
	char *buf = malloc(RECV_BUF);
	ssize_t n;
	int fd;

	fd = accept4(job->fd, NULL, NULL, SOCK_CLOEXEC);
	if (!buf || fd < 0)
		return fail(rep, "tcp receiver: accept");
	set_timeouts(fd);
	while ((n = do_recv(job->spec.io, fd, buf, RECV_BUF)) > 0)
		tally(&rep->done, TCP, RCV, n);
	if (n < 0)
		return fail(rep, "tcp receiver: recv after %llu bytes", rep->done.tcprcvbytes);
	close(fd);
	free(buf);
	return 0;
}

static int udp_send_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	const struct sockaddr_storage *to = &job->peer;
	char *buf = pattern(s->size);
	unsigned int i;
	ssize_t n;
	int fd;

	fd = new_socket(s->family, s->v4mapped, SOCK_DGRAM, s->protocol);
	if (!buf || fd < 0)
		return fail(rep, "udp sender: socket");
	if (s->io == TRAFFIC_IO_RW) {
		if (connect(fd, (struct sockaddr *)to, job->peerlen) < 0)
			return fail(rep, "udp sender: connect");
		to = NULL;
	}
	for (i = 0; i < s->count; i++) {
		n = do_send(s->io, fd, buf, s->size, to, job->peerlen);
		if (n < 0)
			return fail(rep, "udp sender: datagram %u of %u", i + 1, s->count);
		tally(&rep->done, UDP, SND, n);
	}
	close(fd);
	free(buf);
	return 0;
}

static int udp_recv_body(const struct job *job, struct report *rep)
{
	char *buf = malloc(RECV_BUF);
	unsigned int i;
	ssize_t n;

	if (!buf)
		return fail(rep, "udp receiver: malloc");
	if (job->spec.io == TRAFFIC_IO_RW) {
		/* read() needs a connected socket: connect to the sender once it is known. */
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);

		n = recvfrom(job->fd, buf, RECV_BUF, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return fail(rep, "udp receiver: first datagram");
		tally(&rep->done, UDP, RCV, n);
		if (connect(job->fd, (struct sockaddr *)&from, fromlen) < 0)
			return fail(rep, "udp receiver: connect");
		i = 1;
	} else {
		i = 0;
	}
	for (; i < job->expect; i++) {
		n = do_recv(job->spec.io, job->fd, buf, RECV_BUF);
		if (n < 0)
			return fail(rep, "udp receiver: got %u of %u datagrams", i, job->expect);
		tally(&rep->done, UDP, RCV, n);
	}
	free(buf);
	return 0;
}

static int mmsg_send_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	struct mmsghdr msgs[MMSG_BATCH];
	struct iovec iov[MMSG_BATCH];
	char *buf = pattern(s->size);
	unsigned int sent = 0, i;
	int fd, k;

	fd = new_socket(s->family, s->v4mapped, SOCK_DGRAM, s->protocol);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&job->peer, job->peerlen) < 0)
		return fail(rep, "mmsg sender: connect");
	while (sent < s->count) {
		unsigned int batch = s->count - sent < MMSG_BATCH ? s->count - sent : MMSG_BATCH;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < batch; i++) {
			iov[i].iov_base = buf;
			iov[i].iov_len = s->size;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		k = sendmmsg(fd, msgs, batch, 0);
		if (k <= 0)
			return fail(rep, "sendmmsg after %u messages", sent);
		for (i = 0; i < (unsigned int)k; i++)
			tally(&rep->done, UDP, SND, msgs[i].msg_len);
		sent += (unsigned int)k;
	}
	close(fd);
	free(buf);
	return 0;
}

static int mmsg_recv_body(const struct job *job, struct report *rep)
{
	static char bufs[MMSG_BATCH][RECV_BUF];
	struct mmsghdr msgs[MMSG_BATCH];
	struct iovec iov[MMSG_BATCH];
	unsigned int got = 0, i;
	int k;

	while (got < job->expect) {
		unsigned int batch = job->expect - got < MMSG_BATCH ? job->expect - got : MMSG_BATCH;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < batch; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = RECV_BUF;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		k = recvmmsg(job->fd, msgs, batch, MSG_WAITFORONE, NULL);
		if (k <= 0)
			return fail(rep, "recvmmsg: got %u of %u messages", got, job->expect);
		for (i = 0; i < (unsigned int)k; i++)
			tally(&rep->done, UDP, RCV, msgs[i].msg_len);
		got += (unsigned int)k;
	}
	return 0;
}

struct sender_thread {
	const struct job *job;
	pthread_barrier_t *start;
	pid_t tid;
	struct report rep;
	int rc;
};

static void *sender_thread(void *arg)
{
	struct sender_thread *t = arg;

	t->tid = (pid_t)syscall(SYS_gettid);
	/* All threads exist at once: distinct tids, none of them the leader. */
	pthread_barrier_wait(t->start);
	t->rc = udp_send_body(t->job, &t->rep);
	return NULL;
}

static int threads_send_body(const struct job *job, struct report *rep)
{
	struct sender_thread t[TRAFFIC_NTHREADS];
	pthread_t th[TRAFFIC_NTHREADS];
	pthread_barrier_t start;
	unsigned int i;
	int rc = 0;

	memset(t, 0, sizeof(t));
	pthread_barrier_init(&start, NULL, TRAFFIC_NTHREADS);
	for (i = 0; i < TRAFFIC_NTHREADS; i++) {
		t[i].job = job;
		t[i].start = &start;
		if (pthread_create(&th[i], NULL, sender_thread, &t[i]) != 0)
			return fail(rep, "pthread_create");
	}
	for (i = 0; i < TRAFFIC_NTHREADS; i++) {
		pthread_join(th[i], NULL);
		add_counts(&rep->done, &t[i].rep.done);
		rep->tids[i] = t[i].tid;
		if (t[i].rc < 0 && rc == 0) {
			memcpy(rep->note, t[i].rep.note, sizeof(rep->note));
			rc = -1;
		}
	}
	rep->ntids = TRAFFIC_NTHREADS;
	pthread_barrier_destroy(&start);
	return rc;
}

/* ------------------------------------------------------------ io_uring, without liburing */

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r, struct io_uring_params *p)
{
	size_t sq_len, cq_len;
	char *sq, *cq;

	memset(p, 0, sizeof(*p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, p);
	if (r->fd < 0)
		return -1;
	sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (p->features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	cq = sq;
	if (!(p->features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  r->fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -1;
	}
	r->sqes = mmap(NULL, p->sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned int *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p->sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p->sq_off.array);
	r->cq_head = (unsigned int *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	return 0;
}

/* One operation at a time, submitted and waited for (at most PEER_TIMEOUT_S). */
static int ring_io(struct ring *r, unsigned char op, int fd, void *buf, size_t len,
		   unsigned char sqe_flags, int *res)
{
	struct __kernel_timespec ts = { .tv_sec = PEER_TIMEOUT_S };
	struct io_uring_getevents_arg arg = { .ts = (uint64_t)(uintptr_t)&ts };
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	bool submitted = false;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)buf;
	sqe->len = (uint32_t)len;
	sqe->flags = sqe_flags;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	for (;;) {
		head = *r->cq_head;
		if (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
			*res = r->cqes[head & *r->cq_mask].res;
			__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
			return 0;
		}
		if (syscall(__NR_io_uring_enter, r->fd, submitted ? 0 : 1, 1,
			    IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg)) < 0) {
			if (errno == ETIME)
				errno = ETIMEDOUT;
			if (errno != EINTR)
				return -1;
		}
		submitted = true;
	}
}

static int uring_probe(void)
{
	struct io_uring_params p;
	struct ring r;
	int ok;

	memset(&r, 0, sizeof(r));
	ok = ring_setup(&r, &p) == 0 && (p.features & IORING_FEAT_EXT_ARG);
	if (r.fd >= 0)
		close(r.fd);
	return ok ? 0 : -1;
}

static int uring_send_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	char *buf = pattern(s->size);
	struct io_uring_params p;
	struct ring r;
	unsigned int i;
	int fd, res;

	if (!buf || ring_setup(&r, &p) < 0)
		return fail(rep, "io_uring setup");
	fd = new_socket(s->family, s->v4mapped, SOCK_DGRAM, s->protocol);
	if (fd < 0 || connect(fd, (struct sockaddr *)&job->peer, job->peerlen) < 0)
		return fail(rep, "io_uring sender: connect");
	for (i = 0; i < s->count; i++) {
		/* IOSQE_ASYNC: sent by an io-wq worker, a thread of this process. */
		if (ring_io(&r, IORING_OP_SEND, fd, buf, s->size, (i & 1) ? IOSQE_ASYNC : 0, &res) < 0)
			return fail(rep, "io_uring_enter");
		if (res < 0) {
			errno = -res;
			return fail(rep, "io_uring send %u of %u", i + 1, s->count);
		}
		tally(&rep->done, UDP, SND, res);
	}
	close(fd);
	free(buf);
	return 0;
}

static int uring_recv_body(const struct job *job, struct report *rep)
{
	char *buf = malloc(RECV_BUF);
	struct io_uring_params p;
	struct ring r;
	unsigned int i;
	int res;

	if (!buf || ring_setup(&r, &p) < 0)
		return fail(rep, "io_uring setup");
	for (i = 0; i < job->expect; i++) {
		/* Usually queued before data arrives: completes from io_uring's poll retry. */
		if (ring_io(&r, IORING_OP_RECV, job->fd, buf, RECV_BUF, 0, &res) < 0)
			return fail(rep, "io_uring_enter: got %u of %u datagrams", i, job->expect);
		if (res < 0) {
			errno = -res;
			return fail(rep, "io_uring recv %u of %u", i + 1, job->expect);
		}
		tally(&rep->done, UDP, RCV, res);
	}
	free(buf);
	return 0;
}

/* ------------------------------------------------------------ one-process cases */

/* The call must fail, or move 0 bytes when zero_ok: either way it counts nothing. */
static int expect_nothing(struct report *rep, const char *what, ssize_t n, bool zero_ok)
{
	if (n < 0 || (zero_ok && n == 0))
		return 0;
	errno = 0;
	return fail(rep, "%s unexpectedly returned %zd", what, n);
}

/* One datagram of size to a socket of our own and back: the marker that proves we are seen. */
static int udp_marker(struct report *rep, size_t size)
{
	struct sockaddr_storage addr;
	char *buf = pattern(size);
	socklen_t len;
	int u, r;
	ssize_t n;

	r = bound_socket(AF_INET, false, SOCK_DGRAM, 0, &addr, &len);
	u = new_socket(AF_INET, false, SOCK_DGRAM, 0);
	if (!buf || r < 0 || u < 0)
		return fail(rep, "marker: socket");
	n = sendto(u, buf, size, 0, (struct sockaddr *)&addr, len);
	if (n != (ssize_t)size)
		return fail(rep, "marker: sendto");
	tally(&rep->done, UDP, SND, n);
	n = recv(r, buf, size, 0);
	if (n != (ssize_t)size)
		return fail(rep, "marker: recv");
	tally(&rep->done, UDP, RCV, n);
	close(u);
	close(r);
	free(buf);
	return 0;
}

static int fails_body(const struct job *job, struct report *rep)
{
	size_t size = job->spec.size;
	struct sockaddr_storage raddr, bad;
	struct sockaddr_in *sin;
	char *buf = pattern(size);
	int u, r, t, c, a;
	socklen_t rlen;

	r = bound_socket(AF_INET, false, SOCK_DGRAM, 0, &raddr, &rlen);
	u = new_socket(AF_INET, false, SOCK_DGRAM, 0);
	t = new_socket(AF_INET, false, SOCK_STREAM, 0);
	if (!buf || r < 0 || u < 0 || t < 0 || tcp_pair(&c, &a) < 0)
		return fail(rep, "fails: sockets");
	sin = (struct sockaddr_in *)&raddr;

	if (expect_nothing(rep, "send() without a destination", send(u, buf, size, 0), false) ||
	    expect_nothing(rep, "write() without a destination", write(u, buf, size), false))
		return -1;
	/* An IPv6 address on an IPv4 socket: refused by udp_sendmsg itself. */
	loopback(&bad, AF_INET6, false, ntohs(sin->sin_port));
	if (expect_nothing(rep, "sendto() an AF_INET6 address",
			   sendto(u, buf, size, 0, (struct sockaddr *)&bad, sizeof(struct sockaddr_in6)), false))
		return -1;
	if (expect_nothing(rep, "sendto() a truncated address",
			   sendto(u, buf, size, 0, (struct sockaddr *)&raddr, 4), false))
		return -1;
	if (expect_nothing(rep, "send() on an unconnected TCP socket",
			   send(t, buf, size, MSG_NOSIGNAL), false))
		return -1;
	shutdown(c, SHUT_WR);
	if (expect_nothing(rep, "send() after shutdown(SHUT_WR)",
			   send(c, buf, size, MSG_NOSIGNAL), false))
		return -1;
	/* Moving 0 bytes succeeds, but is no packet. */
	if (expect_nothing(rep, "TCP send() of 0 bytes", send(a, buf, 0, MSG_NOSIGNAL), true) ||
	    expect_nothing(rep, "sendto() an empty datagram",
			   sendto(u, buf, 0, 0, (struct sockaddr *)&raddr, rlen), true) ||
	    expect_nothing(rep, "recv() of the empty datagram", recv(r, buf, size, 0), true))
		return -1;
	close(u);
	close(r);
	close(t);
	close(c);
	close(a);
	free(buf);
	return udp_marker(rep, size);
}

static int eagain_body(const struct job *job, struct report *rep)
{
	size_t size = job->spec.size, got = 0;
	struct sockaddr_storage addr;
	char *buf = pattern(size);
	struct mmsghdr mm;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t len;
	int r, c, a;
	ssize_t n;

	r = bound_socket(AF_INET, false, SOCK_DGRAM, 0, &addr, &len);
	if (!buf || r < 0 || tcp_pair(&c, &a) < 0)
		return fail(rep, "eagain: sockets");
	memset(&mm, 0, sizeof(mm));
	mm.msg_hdr = msg;
	if (expect_nothing(rep, "UDP recv(MSG_DONTWAIT)", recv(r, buf, size, MSG_DONTWAIT), false) ||
	    expect_nothing(rep, "UDP recvmsg(MSG_DONTWAIT)", recvmsg(r, &msg, MSG_DONTWAIT), false) ||
	    expect_nothing(rep, "UDP recvmmsg(MSG_DONTWAIT)",
			   recvmmsg(r, &mm, 1, MSG_DONTWAIT, NULL), false) ||
	    expect_nothing(rep, "TCP recv(MSG_DONTWAIT)", recv(a, buf, size, MSG_DONTWAIT), false))
		return -1;
	fcntl(r, F_SETFL, O_NONBLOCK);
	fcntl(a, F_SETFL, O_NONBLOCK);
	if (expect_nothing(rep, "UDP read() on O_NONBLOCK", read(r, buf, size), false) ||
	    expect_nothing(rep, "TCP read() on O_NONBLOCK", read(a, buf, size), false))
		return -1;
	fcntl(a, F_SETFL, 0);

	n = send(c, buf, size, MSG_NOSIGNAL);
	if (n != (ssize_t)size)
		return fail(rep, "eagain: marker send");
	tally(&rep->done, TCP, SND, n);
	while (got < size) {
		n = recv(a, buf, size - got, 0);
		if (n <= 0)
			return fail(rep, "eagain: marker recv");
		tally(&rep->done, TCP, RCV, n);
		got += (size_t)n;
	}
	close(r);
	close(c);
	close(a);
	free(buf);
	return 0;
}

static int peek_body(const struct job *job, struct report *rep)
{
	size_t size = job->spec.size, got = 0;
	struct sockaddr_storage addr;
	char *buf = pattern(size);
	socklen_t len;
	int u, r, c, a;
	ssize_t n;

	r = bound_socket(AF_INET, false, SOCK_DGRAM, 0, &addr, &len);
	u = new_socket(AF_INET, false, SOCK_DGRAM, 0);
	if (!buf || r < 0 || u < 0 || tcp_pair(&c, &a) < 0)
		return fail(rep, "peek: sockets");

	n = sendto(u, buf, size, 0, (struct sockaddr *)&addr, len);
	if (n != (ssize_t)size)
		return fail(rep, "peek: UDP sendto");
	tally(&rep->done, UDP, SND, n);
	if (recv(r, buf, size, MSG_PEEK) != (ssize_t)size ||
	    recv(r, buf, size, MSG_PEEK) != (ssize_t)size)
		return fail(rep, "peek: UDP MSG_PEEK");
	n = recv(r, buf, size, 0);
	if (n != (ssize_t)size)
		return fail(rep, "peek: UDP recv");
	tally(&rep->done, UDP, RCV, n);

	n = send(c, buf, size, MSG_NOSIGNAL);
	if (n != (ssize_t)size)
		return fail(rep, "peek: TCP send");
	tally(&rep->done, TCP, SND, n);
	/* MSG_WAITALL: the peek sees every byte, so the reads below cannot be surprised. */
	if (recv(a, buf, size, MSG_PEEK | MSG_WAITALL) != (ssize_t)size ||
	    recv(a, buf, 1, MSG_PEEK) != 1)
		return fail(rep, "peek: TCP MSG_PEEK");
	while (got < size) {
		n = recv(a, buf, size - got, 0);
		if (n <= 0)
			return fail(rep, "peek: TCP recv");
		tally(&rep->done, TCP, RCV, n);
		got += (size_t)n;
	}
	close(u);
	close(r);
	close(c);
	close(a);
	free(buf);
	return 0;
}

/* count x size through an AF_UNIX pair of the given type: never counted. */
static int unix_pair_traffic(struct report *rep, int type, unsigned int count, size_t size)
{
	char *buf = pattern(size);
	unsigned int i;
	size_t got;
	int sv[2];
	ssize_t n;

	if (!buf || socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return fail(rep, "unix: socketpair");
	for (i = 0; i < count; i++) {
		if (send(sv[0], buf, size, MSG_NOSIGNAL) != (ssize_t)size)
			return fail(rep, "unix: send");
		for (got = 0; got < size; got += (size_t)n) {
			n = recv(sv[1], buf, size - got, 0);
			if (n <= 0)
				return fail(rep, "unix: recv");
		}
	}
	close(sv[0]);
	close(sv[1]);
	free(buf);
	return 0;
}

static int unix_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;

	if (unix_pair_traffic(rep, SOCK_STREAM, s->count, s->size) < 0 ||
	    unix_pair_traffic(rep, SOCK_DGRAM, s->count, s->size) < 0 ||
	    unix_pair_traffic(rep, SOCK_SEQPACKET, s->count, s->size) < 0)
		return -1;
	return udp_marker(rep, s->size);
}

static int unix_only_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;

	if (unix_pair_traffic(rep, SOCK_STREAM, s->count, s->size) < 0 ||
	    unix_pair_traffic(rep, SOCK_DGRAM, s->count, s->size) < 0)
		return -1;
	return 0;
}

static int udp_self_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	struct sockaddr_storage addr;
	char *buf = pattern(s->size);
	unsigned int i;
	socklen_t len;
	ssize_t n;
	int u, r;

	r = bound_socket(s->family, s->v4mapped, SOCK_DGRAM, s->protocol, &addr, &len);
	u = new_socket(s->family, s->v4mapped, SOCK_DGRAM, s->protocol);
	if (!buf || r < 0 || u < 0)
		return fail(rep, "udp-self: socket");
	for (i = 0; i < s->count; i++) {
		n = do_send(s->io, u, buf, s->size, &addr, len);
		if (n < 0)
			return fail(rep, "udp-self: send %u", i + 1);
		tally(&rep->done, UDP, SND, n);
		n = do_recv(s->io, r, buf, s->size);
		if (n < 0)
			return fail(rep, "udp-self: recv %u", i + 1);
		tally(&rep->done, UDP, RCV, n);
	}
	close(u);
	close(r);
	free(buf);
	return 0;
}

static int tcp_self_body(const struct job *job, struct report *rep)
{
	const struct traffic_spec *s = &job->spec;
	char *buf = pattern(s->size);
	unsigned int i;
	size_t got;
	ssize_t n;
	int c, a;

	if (!buf || tcp_pair(&c, &a) < 0)
		return fail(rep, "tcp-self: sockets");
	for (i = 0; i < s->count; i++) {
		n = do_send(s->io, c, buf, s->size, NULL, 0);
		if (n != (ssize_t)s->size)
			return fail(rep, "tcp-self: send %u", i + 1);
		tally(&rep->done, TCP, SND, n);
		for (got = 0; got < s->size; got += (size_t)n) {
			n = do_recv(s->io, a, buf, s->size - got);
			if (n <= 0)
				return fail(rep, "tcp-self: recv %u", i + 1);
			tally(&rep->done, TCP, RCV, n);
		}
	}
	close(c);
	close(a);
	free(buf);
	return 0;
}

/* ------------------------------------------------------------ children */

/*
 * The parent's ends of every live child's pipes.  A new child closes
 * them, so a child that dies is seen at once (EOF) and holding one
 * child's pipe can never keep another one alive.
 */
#define MAX_OPEN_FDS 64
static int open_fds[MAX_OPEN_FDS];
static unsigned int nopen;

static void fd_track(int fd)
{
	if (nopen < MAX_OPEN_FDS)
		open_fds[nopen++] = fd;
}

static void fd_close(int *fd)
{
	unsigned int i;

	if (*fd < 0)
		return;
	for (i = 0; i < nopen; i++) {
		if (open_fds[i] == *fd) {
			open_fds[i] = open_fds[--nopen];
			break;
		}
	}
	close(*fd);
	*fd = -1;
}

static void make_comm(char comm[NETATOP_COMMLEN], const char *tag, char role, pid_t pid)
{
	/* pid_max is at most 2^22: 7 digits, so the pid always fits. */
	snprintf(comm, NETATOP_COMMLEN, "%.6s%c%u", tag, role, (unsigned int)pid % 10000000u);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static char read_byte(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : 0;
}

static void __attribute__((noreturn))
child_main(int ctl, int rep_fd, const char *tag, char role, body_fn body, const struct job *job)
{
	char comm[NETATOP_COMMLEN];
	struct report rep;

	memset(&rep, 0, sizeof(rep));
	make_comm(comm, tag, role, getpid());
	prctl(PR_SET_NAME, comm);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	/* Ready: from now on /proc shows this comm, and nothing has been sent yet. */
	if (write_all(rep_fd, "R", 1) < 0 || read_byte(ctl) != 'g')
		_exit(3);	/* the parent gave up before the start */
	rep.ok = body(job, &rep) == 0;
	if (write_all(rep_fd, &rep, sizeof(rep)) < 0)
		_exit(4);
	/* Stay alive, counters final, until told to exit (or the parent is gone). */
	read_byte(ctl);
	_exit(rep.ok ? 0 : 1);
}

static int spawn(struct traffic_child *c, const char *tag, char role, body_fn body,
		 const struct job *job)
{
	int ctl[2], rep[2];
	unsigned int i;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->ctl = c->report = -1;
	if (pipe2(ctl, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(ctl[0]);
		close(ctl[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(ctl[0]);
		close(ctl[1]);
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if (pid == 0) {
		for (i = 0; i < nopen; i++)
			close(open_fds[i]);
		close(ctl[1]);
		close(rep[0]);
		child_main(ctl[0], rep[1], tag, role, body, job);
	}
	close(ctl[0]);
	close(rep[1]);
	c->pid = pid;
	c->role = role;
	c->ctl = ctl[1];
	c->report = rep[0];
	fd_track(c->ctl);
	fd_track(c->report);
	make_comm(c->comm, tag, role, pid);
	if (read_byte(c->report) != 'R') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fd_close(&c->ctl);
		fd_close(&c->report);
		c->pid = 0;
		errno = ECHILD;
		return -1;
	}
	return 0;
}

static bool unsupported_errno(int e)
{
	return e == EPROTONOSUPPORT || e == EAFNOSUPPORT || e == ENOPROTOOPT ||
	       e == ESOCKTNOSUPPORT || e == EOPNOTSUPP || e == EADDRNOTAVAIL;
}

/* The receiving socket, made by the parent so the sender knows where to go. */
static int receiver_socket(struct job *rj, struct job *sj, int type)
{
	const struct traffic_spec *s = &rj->spec;

	rj->fd = bound_socket(s->family, s->v4mapped, type, s->protocol, &sj->peer, &sj->peerlen);
	if (rj->fd < 0)
		return unsupported_errno(errno) ? TRAFFIC_UNSUPPORTED : -1;
	rj->peer = sj->peer;
	rj->peerlen = sj->peerlen;
	return 0;
}

static bool is_datagram(enum traffic_kind k)
{
	return k == TRAFFIC_UDP || k == TRAFFIC_MMSG || k == TRAFFIC_THREADS ||
	       k == TRAFFIC_URING || k == TRAFFIC_UDP_SELF;
}

int traffic_prepare(struct traffic_case *tc, const struct traffic_spec *spec,
		    char *err, size_t errlen)
{
	body_fn send_fn = NULL, recv_fn = NULL;
	struct job sj, rj;
	int rc = 0;

	memset(tc, 0, sizeof(*tc));
	tc->spec = *spec;
	memset(&sj, 0, sizeof(sj));
	sj.spec = *spec;
	sj.fd = -1;
	rj = sj;
	rj.expect = spec->count;
	if (is_datagram(spec->kind) && (spec->size == 0 || spec->size > MAX_DATAGRAM)) {
		snprintf(err, errlen, "%s: datagrams of 1 to %d bytes only", spec->name, MAX_DATAGRAM);
		return -1;
	}

	switch (spec->kind) {
	case TRAFFIC_TCP:
	case TRAFFIC_SENDFILE:
		send_fn = spec->kind == TRAFFIC_TCP ? tcp_send_body : sendfile_body;
		recv_fn = tcp_recv_body;
		rc = receiver_socket(&rj, &sj, SOCK_STREAM);
		break;
	case TRAFFIC_UDP:
		send_fn = udp_send_body;
		recv_fn = udp_recv_body;
		rc = receiver_socket(&rj, &sj, SOCK_DGRAM);
		break;
	case TRAFFIC_MMSG:
		send_fn = mmsg_send_body;
		recv_fn = mmsg_recv_body;
		rc = receiver_socket(&rj, &sj, SOCK_DGRAM);
		break;
	case TRAFFIC_THREADS:
		send_fn = threads_send_body;
		recv_fn = udp_recv_body;
		rj.expect = spec->count * TRAFFIC_NTHREADS;
		rc = receiver_socket(&rj, &sj, SOCK_DGRAM);
		break;
	case TRAFFIC_URING:
		if (uring_probe() < 0) {
			snprintf(err, errlen, "io_uring unavailable: %s", strerror(errno));
			return TRAFFIC_UNSUPPORTED;
		}
		send_fn = uring_send_body;
		recv_fn = uring_recv_body;
		rc = receiver_socket(&rj, &sj, SOCK_DGRAM);
		break;
	case TRAFFIC_FAILS:
		send_fn = fails_body;
		break;
	case TRAFFIC_EAGAIN:
		send_fn = eagain_body;
		break;
	case TRAFFIC_PEEK:
		send_fn = peek_body;
		break;
	case TRAFFIC_UNIX:
		send_fn = unix_body;
		recv_fn = unix_only_body;
		break;
	case TRAFFIC_UDP_SELF:
		send_fn = udp_self_body;
		break;
	case TRAFFIC_TCP_SELF:
		send_fn = tcp_self_body;
		break;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: receiving socket: %s", spec->name, strerror(errno));
		return rc;
	}

	/* A one-process case's only child is [0], like a sender. */
	if (spawn(&tc->child[TRAFFIC_SENDER], spec->tag, recv_fn && spec->kind != TRAFFIC_UNIX ? 's' : 'x',
		  send_fn, &sj) < 0)
		goto fork_failed;
	tc->nchild = 1;
	if (recv_fn) {
		if (spawn(&tc->child[TRAFFIC_RECEIVER], spec->tag, spec->kind == TRAFFIC_UNIX ? 'u' : 'r',
			  recv_fn, &rj) < 0)
			goto fork_failed;
		tc->nchild = 2;
	}
	if (rj.fd >= 0)
		close(rj.fd);	/* the receiver has its copy */
	return 0;

fork_failed:
	snprintf(err, errlen, "%s: fork: %s", spec->name, strerror(errno));
	if (rj.fd >= 0)
		close(rj.fd);
	traffic_kill(tc);
	return -1;
}

int traffic_go(struct traffic_case *tc)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < tc->nchild; i++)
		if (write_all(tc->child[i].ctl, "g", 1) < 0)
			rc = -1;
	return rc;
}

static int read_report(struct traffic_child *c)
{
	struct report rep;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(rep)) {
		n = read(c->report, (char *)&rep + got, sizeof(rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(rep)) {
		snprintf(c->note, sizeof(c->note), "died without a report");
		return -1;
	}
	c->reported = true;
	c->ok = rep.ok;
	c->done = rep.done;
	c->ntids = rep.ntids < TRAFFIC_NTHREADS ? rep.ntids : TRAFFIC_NTHREADS;
	memcpy(c->tids, rep.tids, sizeof(c->tids));
	memcpy(c->note, rep.note, sizeof(c->note));
	c->note[sizeof(c->note) - 1] = '\0';
	return c->ok ? 0 : -1;
}

int traffic_collect(struct traffic_case *tc, char *err, size_t errlen)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < tc->nchild; i++) {
		struct traffic_child *c = &tc->child[i];

		if (c->reported)
			continue;
		if (read_report(c) < 0 && rc == 0) {
			snprintf(err, errlen, "%s: child %d (%s): %s", tc->spec.name,
				 (int)c->pid, c->comm, c->note);
			rc = -1;
		}
	}
	return rc;
}

int traffic_finish(struct traffic_case *tc, char *err, size_t errlen)
{
	unsigned int i;
	int rc = 0, status;

	for (i = 0; i < tc->nchild; i++) {
		struct traffic_child *c = &tc->child[i];

		if (c->pid <= 0)
			continue;
		write_all(c->ctl, "x", 1);
		fd_close(&c->ctl);
		fd_close(&c->report);
		while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
			;
		if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && rc == 0) {
			snprintf(err, errlen, "%s: child %d (%s) ended with status 0x%x%s%s",
				 tc->spec.name, (int)c->pid, c->comm, status,
				 c->note[0] ? ": " : "", c->note);
			rc = -1;
		}
	}
	return rc;
}

int traffic_run(struct traffic_case *tc, char *err, size_t errlen)
{
	int rc;

	if (traffic_go(tc) < 0) {
		snprintf(err, errlen, "%s: cannot start the children", tc->spec.name);
		traffic_kill(tc);
		return -1;
	}
	rc = traffic_collect(tc, err, errlen);
	if (traffic_finish(tc, rc ? NULL : err, rc ? 0 : errlen) < 0)
		rc = -1;
	return rc;
}

void traffic_kill(struct traffic_case *tc)
{
	unsigned int i;

	for (i = 0; i < tc->nchild; i++) {
		struct traffic_child *c = &tc->child[i];

		if (c->pid <= 0)
			continue;
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		fd_close(&c->ctl);
		fd_close(&c->report);
	}
}
