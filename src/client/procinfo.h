/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the clients (--top, --metrics) learn about a process from /proc:
 * whether the process of a record still runs, its user and its cgroup.
 * The parsers are pure, for the unit tests; nt_procinfo_read() reads a
 * /proc-like directory tree (the real /proc, or one a test made).
 */
#ifndef NETATOP_PROCINFO_H
#define NETATOP_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NT_CGROUP_MAX 256	/* longer paths are cut, keeping their end */

struct nt_procinfo {
	bool alive;		/* /proc/PID is the process of the record */
	bool have_uid;
	uid_t uid;		/* effective uid, as top shows */
	bool have_cgroup;
	char cgroup[NT_CGROUP_MAX];
};

/*
 * Of a /proc/PID/stat text: field 3, the state letter, and field 22, the
 * start time in clock ticks since boot.  0, or -1 if malformed.
 */
int nt_parse_stat(const char *stat_text, char *state, unsigned long long *ticks);

/* The effective uid of the "Uid:" line of a /proc/PID/status text; 0 or -1. */
int nt_parse_status_uid(const char *status_text, uid_t *uid);

/* The "Threads:" line of a /proc/PID/status text; 0 or -1. */
int nt_parse_status_threads(const char *status_text, unsigned long *threads);

/*
 * The cgroup path of a /proc/PID/cgroup text: the cgroup v2 line ("0::"),
 * else v1's name=systemd line, else the first line.  A path longer than
 * len - 1 keeps its end (the unit name) behind "...".  0 or -1.
 */
int nt_parse_cgroup(const char *cgroup_text, char *out, size_t len);

/*
 * Is a record (pid, btime) the process now at PROCROOT/PID?  btime is
 * what the daemon computes: boot_epoch + starttime / clk_tck, whole
 * seconds; one second apart still matches (the boot epoch can move by
 * one when the clock is adjusted).
 */
bool nt_procinfo_same_process(unsigned long btime, unsigned long long starttime_ticks,
			      unsigned long boot_epoch, long clk_tck);

/*
 * Fill pi for the record (pid, btime) from procroot ("/proc").  alive is
 * false when PROCROOT/PID is gone, a zombie, or another process; uid and cgroup
 * are only read for a live process.
 */
void nt_procinfo_read(const char *procroot, pid_t pid, unsigned long btime,
		      unsigned long boot_epoch, struct nt_procinfo *pi);

#endif
