/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `netatop --metrics`: the daemon's counters in the Prometheus text
 * exposition format (version 0.0.4, what node_exporter's textfile
 * collector reads), summed by command name and by cgroup so that the
 * number of series stays bounded whatever the number of processes.
 */
#ifndef NETATOP_METRICS_H
#define NETATOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aggregate.h"
#include "status.h"
#include "mstate.h"
#include "options.h"

/*
 * Sum the processes by command name or by cgroup (the cgroup of a
 * process that was not seen running is NT_METRICS_UNKNOWN), as a run
 * without a state file does.  The top_n labels with the most bytes (sent
 * and received, TCP and UDP) come first, biggest first; then one series
 * NT_METRICS_OTHER sums the rest, there even when nothing is left for it.
 * A command really named "other" is summed into it.  0, or -1 when out of
 * memory.
 */
int nt_metrics_group(const struct nt_proc *procs, size_t n, enum nt_metrics_dim dim,
		     size_t top_n, struct nt_series **out, size_t *nout);

/*
 * The whole exposition: the series of ms, for nprocs processes; st (the
 * daemon's loss counters) may be NULL.  0, or -1 when out of memory or on
 * a write error.
 */
int nt_metrics_write(FILE *f, const struct nt_mstate *ms, size_t nprocs, size_t top_n,
		     const struct nt_status *st);

/* "PID:STARTTIME" of the daemon that wrote pidfile, or "" when it cannot be told. */
void nt_daemon_generation(const char *pidfile, char *buf, size_t len);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * mode 0644, synced, then renamed over path.  0, or -1 with a reason.
 */
int nt_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

int nt_metrics_main(const struct nt_options *o);

#endif
