/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `netatop --metrics --metrics-state` keeps from one run to the next,
 * so that its sums stay counters: they never go down when a process
 * exits and the daemon forgets it, nor when a name enters or leaves the
 * top N.  Pure: the caller reads and writes the file.
 *
 * Each series (a command name or a cgroup in the top N, and "other") has
 * an accumulator that only ever grows by what its processes moved since
 * the previous run; what a process moved is its counters minus those the
 * state saw last (all of them for a process it did not see, or one whose
 * counters went down, or when the daemon is another one).  The top N are
 * sticky: a name joins while there is room, and displaces the weakest
 * only when it moved more than twice as much lately (an exponentially
 * decaying score); a name that leaves loses its series, a name that joins
 * starts a new one, and "other" only ever grows.
 */
#ifndef NETATOP_MSTATE_H
#define NETATOP_MSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aggregate.h"

enum nt_metrics_dim {
	NT_DIM_COMMAND,
	NT_DIM_CGROUP,
	NT_DIM_COUNT
};

/* The label of the series that sums everything beyond the top N. */
#define NT_METRICS_OTHER	"other"
/* The cgroup label of processes that had exited before netatop could see their cgroup. */
#define NT_METRICS_UNKNOWN	"unknown"

/* One series as it is printed. */
struct nt_series {
	char label[NT_CGROUP_MAX];	/* as nt_metrics_label() made it, unescaped */
	struct taskcount c;
	unsigned int nprocs;		/* processes of this run in it */
};

struct nt_mseries {
	char *label;
	struct taskcount acc;
	unsigned long long score;	/* bytes moved lately: halved at each run, plus the run's */
	unsigned int nprocs;		/* this run's, not saved */
};

struct nt_mproc {
	pid_t pid;
	unsigned long btime;
	struct taskcount c;			/* as last seen */
	char *cgroup;				/* its cgroup label; NULL: unknown */
};

struct nt_mstate {
	char generation[64];		/* the daemon the counters come from; "": unknown */
	struct nt_mproc *procs;		/* by pid, then btime */
	size_t nprocs;
	struct {
		struct nt_mseries *members;
		size_t n;
		struct nt_mseries other;
	} dim[NT_DIM_COUNT];
};

void nt_mstate_init(struct nt_mstate *st);
void nt_mstate_free(struct nt_mstate *st);

/* The text of a state file; 0, or -1 (st then empty) when it is not one. */
int nt_mstate_parse(struct nt_mstate *st, const char *text);
int nt_mstate_write(FILE *f, const struct nt_mstate *st);

/*
 * The state after a run that took sample s (its processes' alive and
 * cgroup filled in) from the daemon generation (or "").  prev may be an
 * empty state: then each series is the sum of its processes' counters.
 * 0, or -1 when out of memory.
 */
int nt_mstate_advance(struct nt_mstate *next, const struct nt_mstate *prev,
		      const struct nt_sample *s, const char *generation, size_t top_n);

/* The series to print for a dimension: the top N, most bytes first, then "other". */
int nt_mstate_series(const struct nt_mstate *st, enum nt_metrics_dim dim,
		     struct nt_series **out, size_t *nout);

#endif
