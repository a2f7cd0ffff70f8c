/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines of --top's connection view: which columns fit the width, the
 * header and each row.  Pure, like topfmt.c, whose units it uses.
 */
#ifndef NETATOP_CONNTOPFMT_H
#define NETATOP_CONNTOPFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "connview.h"

struct nt_conn_layout {
	bool packet_rates;	/* SNDPK RCVPK */
	bool packet_totals;	/* PKSENT PKRCVD */
	bool short_state;	/* "ESTAB" for "ESTABLISHED" */
	int local_width, remote_width;
	int width;		/* 0: unbounded */
};

/*
 * Columns for `width` (0: all, for batch output).  Narrower, the packet
 * totals go first, then the packet rates, then the states shorten, and
 * the addresses share what is left (the remote one more), cut at the
 * front so the port stays.
 */
void nt_conn_layout_fit(struct nt_conn_layout *l, int width);

void nt_conn_format_header(char *buf, size_t len, const struct nt_conn_layout *l);
void nt_conn_format_row(char *buf, size_t len, const struct nt_conn_layout *l,
			const struct nt_conn_row *r);

#endif
