/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `netatop --top` and `--metrics` compute from the daemon's replies,
 * without any I/O: samples of the records, per-interval rates, grouping
 * by command, user or cgroup, and sorting.
 */
#ifndef NETATOP_AGGREGATE_H
#define NETATOP_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "counters.h"
#include "procinfo.h"
#include "protocol.h"

/* One process of a sample: one record, and what /proc said of it. */
struct nt_proc {
	pid_t pid;
	unsigned long btime;
	char command[NETATOP_COMMLEN];
	struct taskcount c;			/* cumulative */
	bool alive;				/* false: it has exited */
	bool have_uid;
	uid_t uid;
	bool have_cgroup;
	char cgroup[NT_CGROUP_MAX];
};

/* One reply of the daemon, taken at a time. */
struct nt_sample {
	struct nt_proc *procs;	/* by pid, then btime; one per (pid, btime) */
	size_t n;
	double when;		/* seconds, CLOCK_MONOTONIC */
};

/*
 * Make a sample of a reply: one process per (pid, btime), the later
 * record winning as in atop (the daemon sends exited processes first).
 * Every process is taken for exited (alive false) until the caller says
 * otherwise.  0, or -1 when out of memory.
 */
int nt_sample_from_records(struct nt_sample *s, const struct netpertask *recs, size_t n,
			   double when);
void nt_sample_free(struct nt_sample *s);
const struct nt_proc *nt_sample_find(const struct nt_sample *s, pid_t pid, unsigned long btime);

/*
 * The order processes are kept in, here and in the metrics state: by pid,
 * then by start time (a pid reused).  <0, 0 or >0 as for qsort().
 */
int nt_pid_btime_cmp(pid_t pid_a, unsigned long btime_a, pid_t pid_b, unsigned long btime_b);

/*
 * An exited process can no longer be asked for its user and cgroup:
 * take them from the previous sample, where it may still have run.
 */
void nt_sample_inherit(struct nt_sample *cur, const struct nt_sample *prev);

enum nt_group {
	NT_GROUP_PID,		/* one row per process */
	NT_GROUP_COMMAND,
	NT_GROUP_USER,
	NT_GROUP_CGROUP,
};

#define NT_USER_MAX 33

/* One line of the view: a process, or a group of them. */
struct nt_row {
	pid_t pid;				/* NT_GROUP_PID only */
	char command[NETATOP_COMMLEN];		/* NT_GROUP_PID only */
	bool have_uid;
	uid_t uid;				/* NT_GROUP_PID and NT_GROUP_USER */
	char user[NT_USER_MAX];			/* the uid as text, or "?": the caller may put a name */
	char label[NT_CGROUP_MAX];		/* groups: the command, user or cgroup; a process: its
						   cgroup ("?": unknown) */
	unsigned int nprocs;			/* processes shown in the row */
	bool exited;				/* exited in this interval (groups: all of its processes) */
	double rate[NT_C_COUNT];		/* per second over the interval */
	struct taskcount total;			/* cumulative: since the process (the daemon) started */
};

struct nt_view {
	struct nt_row *rows;
	size_t n;
	enum nt_group by;
	double interval;		/* seconds between the two samples */
	double rate[NT_C_COUNT];	/* every process together */
	size_t nalive;			/* processes running */
	size_t nexited;			/* processes that exited in the interval */
};

/*
 * The view of the interval from prev to cur.  Each process's rate is its
 * counters' growth over the interval; a process that prev did not have,
 * or whose counters went down (another process with the same pid and
 * start second), counts from zero.  A process that has exited is shown
 * in the first interval in which it is seen exited, marked exited, and
 * no more; a group counts it the same way and adds up the totals of
 * every process cur holds (running ones, and exited ones the daemon
 * still reports).  prev NULL: rates are 0.  0, or -1 when out of memory.
 */
int nt_view_build(struct nt_view *v, const struct nt_sample *prev, const struct nt_sample *cur,
		  enum nt_group by);
void nt_view_free(struct nt_view *v);

enum nt_sort {
	NT_SORT_TOTAL,		/* bytes/s sent and received, biggest first */
	NT_SORT_SEND,		/* bytes/s sent */
	NT_SORT_RECV,		/* bytes/s received */
	NT_SORT_PID,		/* pid, lowest first; groups: most processes first */
	NT_SORT_COMMAND,	/* command, then pid; groups: label */
};

void nt_view_sort(struct nt_view *v, enum nt_sort key);
const char *nt_sort_name(enum nt_sort key);

/* Sums over a row: TCP and UDP together. */
double nt_row_send_bytes(const struct nt_row *r);
double nt_row_recv_bytes(const struct nt_row *r);

#endif
