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
 * The whole exposition: the series of ms, for nprocs processes; st (the
 * daemon's loss counters) may be NULL.  0, or -1 when out of memory or on
 * a write error.
 */
int nt_metrics_write(FILE *f, const struct nt_mstate *ms, size_t nprocs, size_t top_n,
		     const struct nt_status *st);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * mode 0644, synced, then renamed over path.  0, or -1 with a reason.
 */
int nt_write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

int nt_metrics_main(const struct nt_options *o);

#endif
