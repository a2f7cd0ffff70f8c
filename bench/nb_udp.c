// SPDX-License-Identifier: GPL-2.0-only
/*
 * UDP load for the benchmarks.
 *
 *   nb_udp send N REPS      REPS batches of N 64-byte sendto() to a local
 *                           socket nobody reads; prints the median ns/call
 *   nb_udp pingpong N       N x (sendto 64 bytes to itself, recv it)
 *   nb_udp trickle SECS     background traffic for SECS seconds: a datagram
 *                           sent and received every 10 ms, a child that
 *                           sends one datagram and exits every 100 ms
 *
 * Run it under taskset: it stays on the CPU it is given.
 */
#define _GNU_SOURCE
#include "nb_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAYLOAD 64

static int udp_socket(struct sockaddr_in *bound)
{
	socklen_t len = sizeof(*bound);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		nb_die("socket");
	if (bound) {
		memset(bound, 0, sizeof(*bound));
		bound->sin_family = AF_INET;
		bound->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)bound, sizeof(*bound)) < 0 ||
		    getsockname(fd, (struct sockaddr *)bound, &len) < 0)
			nb_die("bind");
	}
	return fd;
}

static void send_one(int fd, const struct sockaddr_in *to)
{
	static char buf[PAYLOAD];

	if (sendto(fd, buf, sizeof(buf), 0, (const struct sockaddr *)to, sizeof(*to)) != sizeof(buf))
		nb_die("sendto");
}

static int do_send(long n, long reps)
{
	struct sockaddr_in sink;
	int sink_fd = udp_socket(&sink), fd = udp_socket(NULL);
	double *per = calloc((size_t)reps, sizeof(*per));
	long r, i;

	(void)sink_fd;	/* kept open, never read: its queue fills and then drops */
	if (!per)
		nb_die("calloc");
	/* Warm up: the first call of a process creates its counters; fill the sink's queue. */
	for (i = 0; i < 20000; i++)
		send_one(fd, &sink);
	for (r = 0; r < reps; r++) {
		long long t0 = nb_now_ns();

		for (i = 0; i < n; i++)
			send_one(fd, &sink);
		per[r] = (double)(nb_now_ns() - t0) / (double)n;
	}
	printf("%.1f\n", nb_median(per, (size_t)reps));
	return 0;
}

static int do_pingpong(long n)
{
	struct sockaddr_in self;
	int fd = udp_socket(&self);
	char buf[PAYLOAD];
	long long t0 = nb_now_ns();
	long i;

	for (i = 0; i < n; i++) {
		send_one(fd, &self);
		if (recv(fd, buf, sizeof(buf), 0) != sizeof(buf))
			nb_die("recv");
	}
	printf("%.1f\n", (double)(nb_now_ns() - t0) / (double)n);
	return 0;
}

static int do_trickle(long secs)
{
	struct sockaddr_in self;
	int fd = udp_socket(&self);
	long long end = nb_now_ns() + secs * 1000000000LL;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long sent = 0, children = 0;
	char buf[PAYLOAD];

	signal(SIGCHLD, SIG_IGN);	/* reaped by the kernel */
	while (nb_now_ns() < end) {
		send_one(fd, &self);
		if (recv(fd, buf, sizeof(buf), 0) == sizeof(buf))
			sent++;
		if (sent % 10 == 0) {
			pid_t pid = fork();

			if (pid == 0) {
				send_one(fd, &self);
				_exit(0);
			}
			if (pid > 0)
				children++;
		}
		nanosleep(&tick, NULL);
		/* drop what the children sent */
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	printf("datagrams=%ld exited_children=%ld\n", sent, children);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return do_send(nb_arg_long(argv[2], "N"), nb_arg_long(argv[3], "REPS"));
	if (argc == 3 && strcmp(argv[1], "pingpong") == 0)
		return do_pingpong(nb_arg_long(argv[2], "N"));
	if (argc == 3 && strcmp(argv[1], "trickle") == 0)
		return do_trickle(nb_arg_long(argv[2], "SECS"));
	fprintf(stderr, "usage: nb_udp send N REPS | pingpong N | trickle SECS\n");
	return 2;
}
