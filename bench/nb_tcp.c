// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP round trips over loopback.
 *
 *   nb_tcp rr N REPS    REPS batches of N round trips: the client sends
 *                       1 KiB, a forked echo server reads it and sends
 *                       1 KiB back; prints the median ns per round trip
 *
 *   nb_tcp conns N moved|idle -- COMMAND [ARG]...
 *                       N TCP connections over loopback to a listener of
 *                       its own, accepted; "moved": each sends 1 byte each
 *                       way, "idle": nothing.  Runs COMMAND while they are
 *                       open, then closes them and exits with its status.
 *                       Workers of 9,000 connections each hold them.
 *                       Clients are bound without a port
 *                       (IP_BIND_ADDRESS_NO_PORT, so no post_bind claim) to
 *                       addresses spread over 127.0.0.0/8, 10,000 each, so
 *                       the ephemeral ports never run out
 *
 *   nb_tcp one N -- COMMAND [ARG]...
 *                       N TCP connections over loopback held by one
 *                       process, their accepted ends by another, each
 *                       having moved 1 byte each way; runs COMMAND with
 *                       NB_PID set to the first one's pid
 *
 *   nb_tcp bulk MS SINK_NETNS ADDR SOURCE_NETNS
 *                       one TCP connection from the network namespace
 *                       SOURCE_NETNS (a name of ip-netns(8)) to ADDR in
 *                       SINK_NETNS, data one way for MS milliseconds; prints
 *                       the receiver's Mbit/s from its first byte to the
 *                       end of the stream
 *
 * Both processes of rr inherit the CPU affinity it is started with
 * (taskset).
 */
#define _GNU_SOURCE
#include "nb_common.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG 1024

static int full_recv(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void echo_server(int lfd)
{
	char buf[MSG];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		_exit(1);
	nodelay(fd);
	while (full_recv(fd, buf, sizeof(buf)) == 0)
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
			break;
	_exit(0);
}

#define PER_ADDR 10000
#define PER_WORKER 9000		/* 18,000 descriptors: under a 20,000 hard limit */

/*
 * One worker's share: connections first..first+n-1, both ends held until
 * `hold` ends; writes a byte to `ready` once they are all open.
 */
static void conns_worker(long first, long n, int moved, int ready, int hold)
{
	struct sockaddr_in addr = { .sin_family = AF_INET }, src = { .sin_family = AF_INET };
	struct rlimit rl;
	socklen_t alen = sizeof(addr);
	int lfd, one = 1;
	long i;
	char c = 'x';

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 4096) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		nb_die("listen");
	for (i = first; i < first + n; i++) {
		int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), sfd;

		/* 127.1.0.0 and up: 10,000 clients per address */
		src.sin_addr.s_addr = htonl(0x7f010000u + (uint32_t)(i / PER_ADDR));
		if (cfd < 0 || setsockopt(cfd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) < 0 ||
		    bind(cfd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
		    connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			nb_die("connection %ld", i);
		sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (sfd < 0)
			nb_die("accept %ld", i);
		if (moved && (send(cfd, &c, 1, 0) != 1 || recv(sfd, &c, 1, 0) != 1 ||
			      send(sfd, &c, 1, 0) != 1 || recv(cfd, &c, 1, 0) != 1))
			nb_die("1 byte each way on connection %ld", i);
	}
	if (write(ready, &c, 1) != 1)
		_exit(2);
	while (read(hold, &c, 1) > 0)
		;
	_exit(0);	/* the kernel closes them all */
}

/*
 * N connections in workers of PER_WORKER each (the descriptors a process
 * may hold are limited, and raising the hard limit needs CAP_SYS_RESOURCE).
 */
static int do_conns(long n, int moved, char **cmd)
{
	int ready[2], hold[2], status;
	long w, nw = (n + PER_WORKER - 1) / PER_WORKER;
	pid_t pid, *workers = calloc((size_t)nw + 1, sizeof(pid_t));
	char c;

	if (!workers || pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		nb_die("pipe");
	for (w = 0; w < nw; w++) {
		long first = w * PER_WORKER;

		workers[w] = fork();
		if (workers[w] < 0)
			nb_die("fork");
		if (workers[w] == 0) {
			close(ready[0]);
			close(hold[1]);
			conns_worker(first, n - first < PER_WORKER ? n - first : PER_WORKER, moved,
				     ready[1], hold[0]);
		}
	}
	close(ready[1]);
	close(hold[0]);
	for (w = 0; w < nw; w++)
		if (read(ready[0], &c, 1) != 1)
			nb_die("a worker failed");
	pid = fork();
	if (pid < 0)
		nb_die("fork");
	if (pid == 0) {
		execvp(cmd[0], cmd);
		nb_die("%s", cmd[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(hold[1]);
	for (w = 0; w < nw; w++)
		while (waitpid(workers[w], NULL, 0) < 0 && errno == EINTR)
			;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * One process owning N connections, as a busy server's process would:
 * the accepted ends live in another process, so the owner's descriptors
 * are N, within the 20,000 hard limit.
 */
static int do_one(long n, char **cmd)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	int lfd, ready[2], hold[2], status;
	pid_t acceptor, owner, pid;
	char c = 'x', env[32];
	long i;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 4096) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		nb_die("listen");
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		nb_die("pipe");
	acceptor = fork();
	if (acceptor < 0)
		nb_die("fork");
	if (acceptor == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		raise_nofile();
		close(hold[1]);
		for (i = 0; i < n; i++) {
			int sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (sfd < 0 || recv(sfd, &c, 1, 0) != 1 || send(sfd, &c, 1, 0) != 1)
				nb_die("accepted connection %ld", i);
		}
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(lfd);
	owner = fork();
	if (owner < 0)
		nb_die("fork");
	if (owner == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		raise_nofile();
		close(hold[1]);
		for (i = 0; i < n; i++) {
			int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
			    send(cfd, &c, 1, 0) != 1 || recv(cfd, &c, 1, 0) != 1)
				nb_die("connection %ld", i);
		}
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) != 1)
		nb_die("the connections were not made");
	snprintf(env, sizeof(env), "%d", (int)owner);
	setenv("NB_PID", env, 1);
	pid = fork();
	if (pid < 0)
		nb_die("fork");
	if (pid == 0) {
		execvp(cmd[0], cmd);
		nb_die("%s", cmd[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(hold[1]);
	waitpid(owner, NULL, 0);
	waitpid(acceptor, NULL, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void enter_netns(const char *name)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		nb_die("network namespace %s", name);
	close(fd);
}

#define BULK_CHUNK (128 << 10)

static int do_bulk(long ms, const char *sink_ns, const char *addr_s, const char *src_ns)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	static char buf[BULK_CHUNK];
	int p[2], lfd, fd, status;
	long long t0, t1 = 0, end;
	double mbps = 0;
	pid_t sink;

	if (inet_pton(AF_INET, addr_s, &addr.sin_addr) != 1)
		nb_die("bad address %s", addr_s);
	if (pipe2(p, O_CLOEXEC) < 0)
		nb_die("pipe");
	sink = fork();
	if (sink < 0)
		nb_die("fork");
	if (sink == 0) {
		long long bytes = 0;
		ssize_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		enter_netns(sink_ns);
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		    listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
			nb_die("listen on %s", addr_s);
		if (write(p[1], &addr.sin_port, sizeof(addr.sin_port)) != sizeof(addr.sin_port))
			_exit(2);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			nb_die("accept");
		n = recv(fd, buf, sizeof(buf), 0);
		/* from the first byte: the handshake and slow start are not the figure */
		t0 = nb_now_ns();
		while (n > 0 || (n < 0 && errno == EINTR)) {
			if (n > 0) {
				bytes += n;
				t1 = nb_now_ns();
			}
			n = recv(fd, buf, sizeof(buf), 0);
		}
		if (t1 > t0)
			mbps = (double)bytes * 8 / 1e6 / ((double)(t1 - t0) / 1e9);
		if (write(p[1], &mbps, sizeof(mbps)) != sizeof(mbps))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &addr.sin_port, sizeof(addr.sin_port)) != sizeof(addr.sin_port))
		nb_die("the receiver did not start");
	enter_netns(src_ns);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		nb_die("connect to %s", addr_s);
	memset(buf, 'b', sizeof(buf));
	end = nb_now_ns() + ms * 1000000LL;
	while (nb_now_ns() < end)
		if (send(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
			nb_die("send");
	close(fd);
	if (read(p[0], &mbps, sizeof(mbps)) != sizeof(mbps))
		nb_die("the receiver gave no figure");
	waitpid(sink, &status, 0);
	printf("%.0f\n", mbps);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	long n, reps, r, i;
	char buf[MSG];
	double *per;
	int lfd, fd, status;
	pid_t pid;

	if (argc > 5 && strcmp(argv[1], "conns") == 0 && strcmp(argv[4], "--") == 0 &&
	    (strcmp(argv[3], "moved") == 0 || strcmp(argv[3], "idle") == 0))
		return do_conns(nb_arg_long(argv[2], "N"), strcmp(argv[3], "moved") == 0, argv + 5);
	if (argc > 4 && strcmp(argv[1], "one") == 0 && strcmp(argv[3], "--") == 0)
		return do_one(nb_arg_long(argv[2], "N"), argv + 4);
	if (argc == 6 && strcmp(argv[1], "bulk") == 0)
		return do_bulk(nb_arg_long(argv[2], "MS"), argv[3], argv[4], argv[5]);
	if (argc != 4 || strcmp(argv[1], "rr") != 0) {
		fprintf(stderr, "usage: nb_tcp rr N REPS | conns N moved|idle -- COMMAND [ARG]... |\n"
				"       one N -- COMMAND [ARG]... | bulk MS SINK_NETNS ADDR SOURCE_NETNS\n");
		return 2;
	}
	n = nb_arg_long(argv[2], "N");
	reps = nb_arg_long(argv[3], "REPS");
	per = calloc((size_t)reps, sizeof(*per));
	memset(buf, 'x', sizeof(buf));

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!per || lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		nb_die("listen");
	pid = fork();
	if (pid < 0)
		nb_die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		echo_server(lfd);
	}
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		nb_die("connect");
	nodelay(fd);

	for (i = 0; i < 2000; i++)	/* warm up */
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf) || full_recv(fd, buf, sizeof(buf)) < 0)
			nb_die("warm-up round trip");
	for (r = 0; r < reps; r++) {
		long long t0 = nb_now_ns();

		for (i = 0; i < n; i++)
			if (send(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
			    full_recv(fd, buf, sizeof(buf)) < 0)
				nb_die("round trip");
		per[r] = (double)(nb_now_ns() - t0) / (double)n;
	}
	close(fd);
	waitpid(pid, &status, 0);
	printf("%.1f\n", nb_median(per, (size_t)reps));
	return 0;
}
