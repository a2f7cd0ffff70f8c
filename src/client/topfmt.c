// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "topfmt.h"
#include "cells.h"
#include "format.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define NUM_WIDTH	6	/* "TCPSBY" over "1.2K" */
#define PID_WIDTH	7
#define USER_WIDTH	8
#define CMD_WIDTH	15	/* NETATOP_COMMLEN - 1 */
#define LABEL_MIN	20	/* cgroup paths: at least the unit name */

static const struct {
	const char *title;
	int width;
	enum nt_counter ctr;	/* rate columns */
	unsigned int base;
} cols[NT_COL__MAX] = {
	[NT_COL_PID] = { "PID", PID_WIDTH, 0, 0 },
	[NT_COL_USER] = { "USER", USER_WIDTH, 0, 0 },
	[NT_COL_STATE] = { "S", 1, 0, 0 },
	[NT_COL_TCPSND] = { "TCPSND", NUM_WIDTH, NT_C_TCP_SND_PACKS, 1000 },
	[NT_COL_TCPSBY] = { "TCPSBY", NUM_WIDTH, NT_C_TCP_SND_BYTES, 1024 },
	[NT_COL_TCPRCV] = { "TCPRCV", NUM_WIDTH, NT_C_TCP_RCV_PACKS, 1000 },
	[NT_COL_TCPRBY] = { "TCPRBY", NUM_WIDTH, NT_C_TCP_RCV_BYTES, 1024 },
	[NT_COL_UDPSND] = { "UDPSND", NUM_WIDTH, NT_C_UDP_SND_PACKS, 1000 },
	[NT_COL_UDPSBY] = { "UDPSBY", NUM_WIDTH, NT_C_UDP_SND_BYTES, 1024 },
	[NT_COL_UDPRCV] = { "UDPRCV", NUM_WIDTH, NT_C_UDP_RCV_PACKS, 1000 },
	[NT_COL_UDPRBY] = { "UDPRBY", NUM_WIDTH, NT_C_UDP_RCV_BYTES, 1024 },
	[NT_COL_SENT] = { "SENT", NUM_WIDTH, 0, 1024 },
	[NT_COL_RCVD] = { "RCVD", NUM_WIDTH, 0, 1024 },
	[NT_COL_NAME] = { "COMMAND", 0, 0, 0 },
};

/* Dropped together, first group first, until the rest fits. */
static const enum nt_col drop_order[][4] = {
	{ NT_COL_TCPSND, NT_COL_TCPRCV, NT_COL_UDPSND, NT_COL_UDPRCV },
	{ NT_COL_SENT, NT_COL_RCVD, NT_COL__MAX, NT_COL__MAX },
	{ NT_COL_USER, NT_COL__MAX, NT_COL__MAX, NT_COL__MAX },
	{ NT_COL_UDPSBY, NT_COL_UDPRBY, NT_COL__MAX, NT_COL__MAX },
	{ NT_COL_TCPSBY, NT_COL_TCPRBY, NT_COL__MAX, NT_COL__MAX },
};

static int name_min(enum nt_group by)
{
	switch (by) {
	case NT_GROUP_PID:
	case NT_GROUP_COMMAND:
		return CMD_WIDTH;
	case NT_GROUP_USER:
		return USER_WIDTH;
	case NT_GROUP_CGROUP:
		return LABEL_MIN;
	}
	return CMD_WIDTH;
}

static const char *name_title(enum nt_group by)
{
	switch (by) {
	case NT_GROUP_USER:
		return "USER";
	case NT_GROUP_CGROUP:
		return "CGROUP";
	case NT_GROUP_PID:
	case NT_GROUP_COMMAND:
		break;
	}
	return "COMMAND";
}

/* Every shown column but the name, with the space after each. */
static int fixed_width(const struct nt_layout *l)
{
	int c, w = 0;

	for (c = 0; c < NT_COL_NAME; c++) {
		if (l->show[c])
			w += cols[c].width + 1;
	}
	return w;
}

int nt_layout_min_width(const struct nt_layout *l)
{
	return fixed_width(l) + name_min(l->by);
}

void nt_layout_fit(struct nt_layout *l, enum nt_group by, int width)
{
	size_t g, i;
	int c;

	memset(l, 0, sizeof(*l));
	l->by = by;
	for (c = 0; c < NT_COL__MAX; c++)
		l->show[c] = true;
	/* A group may hold several users: only processes have one. */
	if (by != NT_GROUP_PID)
		l->show[NT_COL_USER] = false;
	if (width <= 0)
		return;
	l->width = width;
	for (g = 0; g < sizeof(drop_order) / sizeof(drop_order[0]); g++) {
		if (nt_layout_min_width(l) <= width)
			break;
		for (i = 0; i < 4; i++) {
			if (drop_order[g][i] != NT_COL__MAX)
				l->show[drop_order[g][i]] = false;
		}
	}
	l->name_width = width - fixed_width(l);
	if (l->name_width < 1)
		l->name_width = 1;
}

char *nt_format_rate(char *buf, size_t len, double v, unsigned int base)
{
	if (!(v >= 0.05))	/* also NaN */
		snprintf(buf, len, "0");
	else if (v < 9.95)
		snprintf(buf, len, "%.1f", v);
	else if (v >= 1.8e19)
		nt_format_human(buf, len, ULLONG_MAX, base);
	else
		nt_format_human(buf, len, (unsigned long long)(v + 0.5), base);
	return buf;
}

/*
 * The shown column after c (-1: the first), NT_COL_NAME after the last:
 * the name is always shown, and formatted on its own.
 */
static int next_shown(const struct nt_layout *l, int c)
{
	while (++c < NT_COL_NAME && !l->show[c])
		;
	return c;
}

/* buf emptied, to append to; false when it has no room even for the NUL. */
static bool line_start(char *buf, size_t len)
{
	if (len == 0)
		return false;
	buf[0] = '\0';
	return true;
}

void nt_format_header(char *buf, size_t len, const struct nt_layout *l)
{
	size_t pos = 0;
	int c;

	if (!line_start(buf, len))
		return;
	for (c = next_shown(l, -1); c < NT_COL_NAME; c = next_shown(l, c)) {
		if (c == NT_COL_PID)
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, false, l->by == NT_GROUP_PID ? "PID" : "PROCS");
		else
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, c == NT_COL_USER || c == NT_COL_STATE,
				cols[c].title);
	}
	nt_cell_put(buf, len, &pos, l->width, name_title(l->by));
}

/* Printable ASCII, '?' for the rest; the end kept when it is too long. */
static void printable(char *dst, size_t dstlen, const char *src, int width, bool keep_end)
{
	size_t n = strlen(src), i, skip = 0, out = 0;

	if (width > 0 && n > (size_t)width) {
		if (keep_end && width > 3) {
			memcpy(dst, "...", 3);
			out = 3;
			skip = n - (size_t)(width - 3);
		} else {
			n = (size_t)width;
		}
	}
	for (i = skip; i < n && out + 1 < dstlen; i++)
		dst[out++] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[out] = '\0';
}

void nt_format_row(char *buf, size_t len, const struct nt_layout *l, const struct nt_row *r)
{
	char cell[NT_CGROUP_MAX + 8];
	size_t pos = 0;
	int c;

	if (!line_start(buf, len))
		return;
	for (c = next_shown(l, -1); c < NT_COL_NAME; c = next_shown(l, c)) {
		switch (c) {
		case NT_COL_PID:
			if (l->by == NT_GROUP_PID)
				snprintf(cell, sizeof(cell), "%d", (int)r->pid);
			else
				snprintf(cell, sizeof(cell), "%u", r->nprocs);
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, false, cell);
			break;
		case NT_COL_USER:
			printable(cell, sizeof(cell), r->user, USER_WIDTH, false);
			if (strlen(r->user) > USER_WIDTH)
				cell[USER_WIDTH - 1] = '+';
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, true, cell);
			break;
		case NT_COL_STATE:
			nt_cell_col(buf, len, &pos, l->width, 1, true, r->exited ? "E" : " ");
			break;
		case NT_COL_SENT:
			nt_format_human(cell, sizeof(cell), r->total.tcpsndbytes + r->total.udpsndbytes, 1024);
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, false, cell);
			break;
		case NT_COL_RCVD:
			nt_format_human(cell, sizeof(cell), r->total.tcprcvbytes + r->total.udprcvbytes, 1024);
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, false, cell);
			break;
		default:
			nt_format_rate(cell, sizeof(cell), r->rate[cols[c].ctr], cols[c].base);
			nt_cell_col(buf, len, &pos, l->width, cols[c].width, false, cell);
			break;
		}
	}
	if (l->by == NT_GROUP_PID)
		printable(cell, sizeof(cell), r->command, l->name_width, false);
	else
		printable(cell, sizeof(cell), r->label, l->name_width, l->by == NT_GROUP_CGROUP);
	nt_cell_put(buf, len, &pos, l->width, cell);
}

/* Every process together, each rate scaled as its column is. */
static void format_totals(char *buf, size_t len, const struct nt_view *v, bool compact)
{
	char h[NT_C_COUNT][16];
	int c;

	for (c = NT_COL_TCPSND; c <= NT_COL_UDPRBY; c++)
		nt_format_rate(h[cols[c].ctr], sizeof(h[0]), v->rate[cols[c].ctr], cols[c].base);
	if (compact)
		snprintf(buf, len, "TCP out/in %s/%s pk/s %s/%s B/s  UDP out/in %s/%s pk/s %s/%s B/s",
			 h[NT_C_TCP_SND_PACKS], h[NT_C_TCP_RCV_PACKS], h[NT_C_TCP_SND_BYTES], h[NT_C_TCP_RCV_BYTES],
			 h[NT_C_UDP_SND_PACKS], h[NT_C_UDP_RCV_PACKS], h[NT_C_UDP_SND_BYTES], h[NT_C_UDP_RCV_BYTES]);
	else
		snprintf(buf, len, "TCP out %s pk/s %s B/s, in %s pk/s %s B/s   UDP out %s pk/s %s B/s, in %s pk/s %s B/s",
			 h[NT_C_TCP_SND_PACKS], h[NT_C_TCP_SND_BYTES], h[NT_C_TCP_RCV_PACKS], h[NT_C_TCP_RCV_BYTES],
			 h[NT_C_UDP_SND_PACKS], h[NT_C_UDP_SND_BYTES], h[NT_C_UDP_RCV_PACKS], h[NT_C_UDP_RCV_BYTES]);
}

void nt_format_unattributed(char *buf, size_t len, const double rate[NT_C_COUNT])
{
	char h[NT_C_COUNT][16];
	int c;

	for (c = NT_COL_TCPSND; c <= NT_COL_UDPRBY; c++)
		nt_format_rate(h[cols[c].ctr], sizeof(h[0]), rate[cols[c].ctr], cols[c].base);
	snprintf(buf, len, "unattributed TCP out/in %s/%s pk/s %s/%s B/s  UDP out/in %s/%s pk/s %s/%s B/s",
		 h[NT_C_TCP_SND_PACKS], h[NT_C_TCP_RCV_PACKS], h[NT_C_TCP_SND_BYTES], h[NT_C_TCP_RCV_BYTES],
		 h[NT_C_UDP_SND_PACKS], h[NT_C_UDP_RCV_PACKS], h[NT_C_UDP_SND_BYTES], h[NT_C_UDP_RCV_BYTES]);
}

void nt_format_totals_short(char *buf, size_t len, const struct nt_view *v)
{
	format_totals(buf, len, v, true);
}

void nt_format_totals(char *buf, size_t len, const struct nt_view *v)
{
	format_totals(buf, len, v, false);
}
