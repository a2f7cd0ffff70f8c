/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connections of one process over an interval, for --top's
 * drill-down: each connection's rates are its counters' growth since the
 * previous sample.  Pure arithmetic, like aggregate.c.
 */
#ifndef NETATOP_CONNVIEW_H
#define NETATOP_CONNVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "aggregate.h"
#include "connproto.h"

enum nt_conn_rate { NT_CR_SND_PACKS, NT_CR_SND_BYTES, NT_CR_RCV_PACKS, NT_CR_RCV_BYTES, NT_CR__MAX };

struct nt_conn_row {
	struct nt_conn_entry e;		/* counters: cumulative */
	double rate[NT_CR__MAX];	/* per second over the interval */
};

struct nt_conn_view {
	struct nt_conn_row *rows;
	size_t n;
	size_t nclosed;
	double interval;		/* 0: the first sample, no rates yet */
};

/*
 * Rows for `cur` against `prev` (NULL, n 0: first sample), `interval`
 * seconds apart.  A connection prev did not have counts from zero; one
 * whose counters went down (the socket connected anew) too.
 */
int nt_conn_view_build(struct nt_conn_view *v, const struct nt_conn_entry *prev, size_t nprev,
		       const struct nt_conn_entry *cur, size_t ncur, double interval);
void nt_conn_view_free(struct nt_conn_view *v);

/*
 * The process view's keys: by total, send or receive byte rate; "pid"
 * orders by local port (one process's connections share their pid),
 * "command" by remote address and port.
 */
void nt_conn_view_sort(struct nt_conn_view *v, enum nt_sort key);

#endif
