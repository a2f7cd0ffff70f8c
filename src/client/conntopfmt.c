// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "conntopfmt.h"
#include "cells.h"
#include "connfmt.h"
#include "format.h"
#include "topfmt.h"

#include <stdio.h>
#include <string.h>

#define NUM_WIDTH	6
#define PROTO_WIDTH	4	/* "tcp6" */
#define STATE_WIDTH	11	/* "ESTABLISHED" */
#define STATE_SHORT	6	/* "ESTAB" */
#define ADDR_FULL	21	/* "255.255.255.255:65535" */
#define ADDR_MIN	10

static int fixed_width(const struct nt_conn_layout *l)
{
	int nums = 4 + (l->packet_rates ? 2 : 0) + (l->packet_totals ? 2 : 0);

	return PROTO_WIDTH + 1 + (l->short_state ? STATE_SHORT : STATE_WIDTH) + 1 +
	       nums * (NUM_WIDTH + 1) + 2;
}

void nt_conn_layout_fit(struct nt_conn_layout *l, int width)
{
	int rest;

	memset(l, 0, sizeof(*l));
	l->packet_rates = l->packet_totals = true;
	l->local_width = l->remote_width = ADDR_FULL;
	if (width <= 0)
		return;
	l->width = width;
	if (fixed_width(l) + 2 * ADDR_FULL > width)
		l->packet_totals = false;
	if (fixed_width(l) + 2 * ADDR_FULL > width)
		l->packet_rates = false;
	if (fixed_width(l) + 2 * ADDR_FULL > width)
		l->short_state = true;
	rest = width - fixed_width(l);
	if (rest >= 2 * ADDR_FULL) {
		l->local_width = rest / 2;
		l->remote_width = rest - l->local_width;
		return;
	}
	l->local_width = rest * 45 / 100;
	if (l->local_width < ADDR_MIN)
		l->local_width = ADDR_MIN;
	l->remote_width = rest - l->local_width;
	if (l->remote_width < ADDR_MIN)
		l->remote_width = ADDR_MIN;
}

/* An address too wide loses its front: the port is what tells connections apart. */
static void put_addr(char *buf, size_t len, size_t *pos, const struct nt_conn_layout *l, int width,
		     const char *s)
{
	char cut[NT_ENDPOINT_MAX + 2];
	size_t n = strlen(s);

	if (n > (size_t)width && width > 1) {
		snprintf(cut, sizeof(cut), "~%s", s + n - (size_t)(width - 1));
		s = cut;
	}
	nt_cell_col(buf, len, pos, l->width, width, true, s);
}

void nt_conn_format_header(char *buf, size_t len, const struct nt_conn_layout *l)
{
	size_t pos = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	nt_cell_col(buf, len, &pos, l->width, PROTO_WIDTH, true, "PROT");
	nt_cell_col(buf, len, &pos, l->width, l->local_width, true, "LOCAL");
	nt_cell_col(buf, len, &pos, l->width, l->remote_width, true, "REMOTE");
	nt_cell_col(buf, len, &pos, l->width, l->short_state ? STATE_SHORT : STATE_WIDTH, true, "STATE");
	if (l->packet_rates)
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "SNDPK");
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "SNDBY");
	if (l->packet_rates)
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "RCVPK");
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "RCVBY");
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "SENT");
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "RCVD");
	if (l->packet_totals) {
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "PKSENT");
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, "PKRCVD");
	}
}

static const char *short_state(const char *s)
{
	static const struct {
		const char *full, *abbr;
	} t[] = {
		{ "ESTABLISHED", "ESTAB" }, { "SYN_SENT", "SYN-S" }, { "SYN_RECV", "SYN-R" },
		{ "FIN_WAIT1", "FIN-W1" }, { "FIN_WAIT2", "FIN-W2" }, { "TIME_WAIT", "TIME-W" },
		{ "CLOSE_WAIT", "CLOS-W" }, { "LAST_ACK", "LAST-A" }, { "CONNECTED", "CONN" },
		{ "NEW_SYN_RECV", "SYN-R" }, { "BOUND_INACTIVE", "BOUND" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].full) == 0)
			return t[i].abbr;
	return s;
}

void nt_conn_format_row(char *buf, size_t len, const struct nt_conn_layout *l,
			const struct nt_conn_row *r)
{
	char a[NT_ENDPOINT_MAX], h[16];
	const struct nt_conn_entry *e = &r->e;
	const char *state = nt_conn_state_name(e);
	size_t pos = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	nt_cell_col(buf, len, &pos, l->width, PROTO_WIDTH, true, nt_conn_proto_name(e));
	put_addr(buf, len, &pos, l, l->local_width,
		 nt_conn_endpoint(a, sizeof(a), e->family, e->laddr, e->lport));
	put_addr(buf, len, &pos, l, l->remote_width, nt_conn_remote(a, sizeof(a), e));
	nt_cell_col(buf, len, &pos, l->width, l->short_state ? STATE_SHORT : STATE_WIDTH, true,
		l->short_state ? short_state(state) : state);
	if (l->packet_rates)
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
			nt_format_rate(h, sizeof(h), r->rate[NT_CR_SND_PACKS], 1000));
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
		nt_format_rate(h, sizeof(h), r->rate[NT_CR_SND_BYTES], 1024));
	if (l->packet_rates)
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
			nt_format_rate(h, sizeof(h), r->rate[NT_CR_RCV_PACKS], 1000));
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
		nt_format_rate(h, sizeof(h), r->rate[NT_CR_RCV_BYTES], 1024));
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, nt_format_human(h, sizeof(h), e->sndbytes, 1024));
	nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false, nt_format_human(h, sizeof(h), e->rcvbytes, 1024));
	if (l->packet_totals) {
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
			nt_format_human(h, sizeof(h), e->sndpacks, 1000));
		nt_cell_col(buf, len, &pos, l->width, NUM_WIDTH, false,
			nt_format_human(h, sizeof(h), e->rcvpacks, 1000));
	}
	/* the columns end with a space: a line is no wider than its layout */
	while (pos > 0 && buf[pos - 1] == ' ')
		buf[--pos] = '\0';
}
