// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "pidholder.h"
#include "smallfile.h"
#include "bootepoch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define PF_EXITING 0x00000004	/* linux/sched.h */

/*
 * The command and start time of pid, as atop computes them, from
 * /proc/PID/stat: 1 when it shows a process that is not exiting, 0 when
 * it shows one that is (the exited one, between its exit and its
 * zombie state, or one on its way out), -1 when it shows nothing.
 */
static int describe(pid_t pid, struct netpertask *now)
{
	char path[64], buf[1024], *open_paren, *close_paren, *p;
	unsigned long long start = 0;
	unsigned int field, flags = 0;
	long tck;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (nt_read_small_file(path, buf, sizeof(buf)) < 0)
		return -1;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	/* after the comm, which may hold spaces and parentheses, field 3 (the state) */
	p = close_paren + 1;
	for (field = 2; field < 8 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %u", &flags) != 1)
		return -1;
	if (flags & PF_EXITING)
		return 0;
	snprintf(now->command, sizeof(now->command), "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	for (; field < 21 && p; field++)
		p = strchr(p + 1, ' ');
	tck = sysconf(_SC_CLK_TCK);
	if (p && tck > 0 && sscanf(p, " %llu", &start) == 1)
		now->btime = nt_boot_epoch() + (unsigned long)(start / (unsigned long long)tck);
	return 1;
}

int nt_pid_holder(void *ctx, pid_t pid, struct netpertask *now)
{
	struct pollfd pfd;
	int fd, rc;

	(void)ctx;
	if (pid <= 0)
		return 0;
	/* the cheap answer first: most pids of exited processes stay free */
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 0;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		/* EINVAL: a thread's id, not a process's, which atop does not look up */
		return errno == ESRCH || errno == EINVAL ? 0 : -1;
	/* readable once the process has exited: a zombie still holds its pid */
	pfd.fd = fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, 0);
	close(fd);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	memset(now, 0, sizeof(*now));
	now->id = pid;
	rc = describe(pid, now);
	return rc < 0 ? NT_PID_HELD_UNSURE : rc;
}

unsigned long nt_pid_gen(void *ctx)
{
	char buf[32];
	unsigned long last;

	(void)ctx;
	if (nt_read_small_file("/proc/sys/kernel/ns_last_pid", buf, sizeof(buf)) < 0)
		return 0;
	if (sscanf(buf, "%lu", &last) != 1)
		return 0;
	return last + 1;
}
