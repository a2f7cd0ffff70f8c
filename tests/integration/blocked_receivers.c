// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many threads blocked in recv() at once, then one datagram each.  A
 * kretprobe can follow only `maxactive` calls of a function at a time;
 * with the default (about twice the CPU count) most of these returns
 * would be lost.  Every backend must count all of them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atop_client.h"
#include "harness.h"

#define NRECEIVERS 40
#define PAYLOAD 100

static struct harness netatop;

static void *receive_one(void *arg)
{
	char buf[PAYLOAD * 2];
	int fd = *(int *)arg;

	return (void *)(long)recv(fd, buf, sizeof(buf), 0);
}

/* The child: NRECEIVERS threads, each blocked in recv() on its own socket. */
static void receiver_child(int report_fd, int go_fd)
{
	int fds[NRECEIVERS], received = 0, i;
	pthread_t th[NRECEIVERS];
	unsigned short ports[NRECEIVERS];

	prctl(PR_SET_NAME, "nt-blockedrecv");
	for (i = 0; i < NRECEIVERS; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(sin);

		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    getsockname(fds[i], (struct sockaddr *)&sin, &len) < 0)
			_exit(2);
		ports[i] = sin.sin_port;
		if (pthread_create(&th[i], NULL, receive_one, &fds[i]) != 0)
			_exit(3);
	}
	if (write(report_fd, ports, sizeof(ports)) != sizeof(ports))
		_exit(4);
	for (i = 0; i < NRECEIVERS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		if ((long)ret == PAYLOAD)
			received++;
	}
	if (write(report_fd, &received, sizeof(received)) != sizeof(received))
		_exit(5);
	/* Stay alive until told: the live record is checked first. */
	if (read(go_fd, &i, 1) < 0)
		_exit(6);
	_exit(0);
}

/* Threads of pid sleeping (blocked in recv); bounded wait, no timing assertion. */
static int sleeping_threads(pid_t pid)
{
	char path[320], stat[512];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		FILE *f;
		char *p;

		if (d->d_name[0] == '.' || atoi(d->d_name) == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(stat, sizeof(stat), f) && (p = strrchr(stat, ')')) && p[2] == 'S')
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

START_TEST(test_blocked_receivers_all_counted)
{
	unsigned short ports[NRECEIVERS];
	int report[2], go[2], received, status, s, i, tries;
	const struct netpertask *rec;
	struct atop_reply r;
	char payload[PAYLOAD], err[256];
	pid_t pid;

	ck_assert_int_eq(pipe(report), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(report[0]);
		close(go[1]);
		receiver_child(report[1], go[0]);
	}
	close(report[1]);
	close(go[0]);
	ck_assert_int_eq(read(report[0], ports, sizeof(ports)), (ssize_t)sizeof(ports));
	for (tries = 0; tries < 1000 && sleeping_threads(pid) < NRECEIVERS; tries++)
		usleep(10000);
	ck_assert_int_eq(sleeping_threads(pid), NRECEIVERS);

	s = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(s, 0);
	memset(payload, 'b', sizeof(payload));
	for (i = 0; i < NRECEIVERS; i++) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = ports[i],
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		ck_assert_int_eq(sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)),
				 PAYLOAD);
	}
	close(s);
	ck_assert_int_eq(read(report[0], &received, sizeof(received)), (ssize_t)sizeof(received));
	ck_assert_int_eq(received, NRECEIVERS);

	atop_reply_init(&r);
	ck_assert_msg(atop_query(netatop.sock, &r, err, sizeof(err)) == ATOP_OK, "query: %s", err);
	rec = atop_lookup(&r, pid);
	ck_assert_msg(rec != NULL, "pid %d is not in the reply", (int)pid);
	ck_assert_uint_eq(rec->tc.udprcvpacks, NRECEIVERS);
	ck_assert_uint_eq(rec->tc.udprcvbytes, NRECEIVERS * PAYLOAD);
	ck_assert_uint_eq(rec->tc.udpsndpacks + rec->tc.tcpsndpacks + rec->tc.tcprcvpacks, 0);
	atop_reply_free(&r);

	ck_assert_int_eq(write(go[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blocked_receivers");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_blocked_receivers_all_counted);
	suite_add_tcase(s, tc);
	return harness_run_suite(&netatop, s);
}
