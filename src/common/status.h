/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's status, published in its pid file for the clients
 * (`--list`, `--metrics`, `--check`).  The pid file's first line is the
 * pid (start-stop-daemon, systemd read it); the lines after it are the
 * status, one "KEY VALUE" a line.
 */
#ifndef NETATOP_STATUS_H
#define NETATOP_STATUS_H

#include <sys/types.h>

#include "protocol.h"

struct nt_status {
	char backend[32];
	unsigned long long dropped_calls;
	unsigned long long dropped_exits;
	unsigned long long evicted_exited;
	char counting[8];		/* "wire" or "calls"; empty from older daemons */
	struct taskcount unattributed;	/* what the packet programs saw that no process owns */
};

/* Write the pid and the status over what the pid file (fd) held; 0 or -1. */
int nt_pidfile_write(int fd, pid_t pid, const struct nt_status *st);
/* The status of a pid file's text; 0, or -1 when it holds none. */
int nt_status_parse(const char *text, struct nt_status *st);
int nt_status_read(const char *path, struct nt_status *st);

#endif
