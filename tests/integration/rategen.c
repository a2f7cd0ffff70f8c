// SPDX-License-Identifier: GPL-2.0-only
/*
 * rategen: UDP over 127.0.0.1 at a steady, known rate, for the --top
 * tests.  Two processes: PREFIX-snd sends RATE datagrams of SIZE bytes a
 * second to PREFIX-rcv, which receives them.  Prints "sender=PID
 * receiver=PID" once both are ready, then sends until SECONDS have passed
 * (or forever, until SIGTERM), and exits with the receiver.
 *
 *   rategen [-p PREFIX] [-t SECONDS] RATE SIZE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 5000000L	/* 200 wake-ups a second */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void name_me(const char *prefix, const char *role)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "%.11s-%s", prefix, role);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
}

static void receive(int fd, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		_exit(1);
	for (;;) {
		if (recv(fd, buf, size ? size : 1, 0) < 0 && errno != EINTR)
			_exit(1);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	const char *prefix = "rategen";
	double seconds = 0, rate, start;
	unsigned long long sent = 0;
	struct sigaction sa;
	struct timespec next;
	int opt, rfd = -1, sfd = -1, rcvbuf = 4 << 20, status, rc = 1;
	size_t size;
	pid_t child;
	char *buf;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p':
			prefix = optarg;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: rategen [-p PREFIX] [-t SECONDS] RATE SIZE\n");
			return 2;
		}
	}
	if (argc - optind != 2 || (rate = atof(argv[optind])) <= 0) {
		fprintf(stderr, "usage: rategen [-p PREFIX] [-t SECONDS] RATE SIZE\n");
		return 2;
	}
	size = (size_t)strtoul(argv[optind + 1], NULL, 10);
	buf = calloc(1, size ? size : 1);

	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (rfd < 0 || sfd < 0 || !buf) {
		perror("rategen: socket");
		goto out;
	}
	setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(rfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(rfd, (struct sockaddr *)&addr, &alen) < 0 ||
	    connect(sfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("rategen: bind/connect");
		goto out;
	}
	child = fork();
	if (child < 0) {
		perror("rategen: fork");
		goto out;
	}
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sfd);
		name_me(prefix, "rcv");
		receive(rfd, size);
	}
	close(rfd);
	rfd = -1;
	name_me(prefix, "snd");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	printf("sender=%d receiver=%d\n", (int)getpid(), (int)child);
	fflush(stdout);

	start = now_s();
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		double elapsed = now_s() - start;
		unsigned long long due;

		if (seconds > 0 && elapsed >= seconds)
			break;
		/* by the clock, not by the ticks: a late wake-up catches up */
		due = (unsigned long long)(elapsed * rate);
		while (sent < due && !stop) {
			if (send(sfd, buf, size, 0) < 0 && errno != EINTR && errno != ENOBUFS) {
				perror("rategen: send");
				break;
			}
			sent++;
		}
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	rc = 0;
out:
	if (rfd >= 0)
		close(rfd);
	if (sfd >= 0)
		close(sfd);
	free(buf);
	return rc;
}
