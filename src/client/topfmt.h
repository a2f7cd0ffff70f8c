/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines of `netatop --top`: which columns fit a terminal's width, and
 * the text of the header and of each row.  Pure: the screen and batch
 * output (top.c) only print these lines.
 */
#ifndef NETATOP_TOPFMT_H
#define NETATOP_TOPFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "aggregate.h"

enum nt_col {
	NT_COL_PID,		/* PID; PROCS for groups */
	NT_COL_USER,		/* processes only */
	NT_COL_STATE,		/* S: E for exited */
	NT_COL_TCPSND,		/* rates: packets/s and bytes/s */
	NT_COL_TCPSBY,
	NT_COL_TCPRCV,
	NT_COL_TCPRBY,
	NT_COL_UDPSND,
	NT_COL_UDPSBY,
	NT_COL_UDPRCV,
	NT_COL_UDPRBY,
	NT_COL_SENT,		/* bytes sent since start, TCP and UDP */
	NT_COL_RCVD,		/* bytes received since start */
	NT_COL_NAME,		/* COMMAND, USER or CGROUP: last, takes the rest */
	NT_COL__MAX
};

struct nt_layout {
	enum nt_group by;
	bool show[NT_COL__MAX];
	int name_width;		/* 0: as wide as the name */
	int width;		/* 0: unbounded; else no line is longer */
};

/*
 * Choose the columns for a screen width columns wide (0: all of them, for
 * batch output).  Less wide, whole groups of columns go, in this order:
 * the packet rates, the totals since start, the user, the UDP byte rates,
 * the TCP byte rates.  PID, S and the name always stay.
 */
void nt_layout_fit(struct nt_layout *l, enum nt_group by, int width);

/* The width of a line with every column the layout shows (name at its minimum). */
int nt_layout_min_width(const struct nt_layout *l);

/* A rate in at most 4 characters: "0", "0.5", "9.9", "10", "999", "1.0K", "13M". */
char *nt_format_rate(char *buf, size_t len, double v, unsigned int base);

/* The column titles; rows line up under them. */
void nt_format_header(char *buf, size_t len, const struct nt_layout *l);

/* One row; what does not print is shown as '?'. */
void nt_format_row(char *buf, size_t len, const struct nt_layout *l, const struct nt_row *r);

/* "TCP out 120 pk/s 1.2M B/s, in ...  UDP out ...": every process together. */
void nt_format_totals(char *buf, size_t len, const struct nt_view *v);
/*
 * What the daemon credited to no process (wire counting), per second:
 * "unattributed TCP out/in 1.0/1.0 pk/s 52/52 B/s  UDP out/in 0/0 pk/s 0/0 B/s".
 */
void nt_format_unattributed(char *buf, size_t len, const double rate[NT_C_COUNT]);
/* The same for narrow screens: "TCP out/in 120/118 pk/s 1.2M/1.1M B/s  UDP ...". */
void nt_format_totals_short(char *buf, size_t len, const struct nt_view *v);

#endif
