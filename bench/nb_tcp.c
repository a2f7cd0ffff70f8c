// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP round trips over loopback.
 *
 *   nb_tcp rr N REPS    REPS batches of N round trips: the client sends
 *                       1 KiB, a forked echo server reads it and sends
 *                       1 KiB back; prints the median ns per round trip
 *
 * Both processes inherit the CPU affinity it is started with (taskset).
 */
#define _GNU_SOURCE
#include "nb_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
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

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	long n, reps, r, i;
	char buf[MSG];
	double *per;
	int lfd, fd, status;
	pid_t pid;

	if (argc != 4 || strcmp(argv[1], "rr") != 0) {
		fprintf(stderr, "usage: nb_tcp rr N REPS\n");
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
