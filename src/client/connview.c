// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connview.h"

#include <stdlib.h>
#include <string.h>

static double grown(unsigned long long now, unsigned long long before, bool same, double interval)
{
	if (interval <= 0)
		return 0;
	if (!same || now < before)
		return (double)now / interval;
	return (double)(now - before) / interval;
}

/* An order on what makes a connection the same one (nt_conn_same), for bsearch(). */
static int cmp_key(const void *a, const void *b)
{
	const struct nt_conn_entry *x = a, *y = b;
	int c;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	c = memcmp(x->laddr, y->laddr, sizeof(x->laddr));
	return c ? c : memcmp(x->raddr, y->raddr, sizeof(x->raddr));
}

int nt_conn_view_build(struct nt_conn_view *v, const struct nt_conn_entry *prev, size_t nprev,
		       const struct nt_conn_entry *cur, size_t ncur, double interval)
{
	size_t i;

	struct nt_conn_entry *sorted = NULL;

	memset(v, 0, sizeof(*v));
	v->interval = interval;
	if (ncur == 0)
		return 0;
	v->rows = calloc(ncur, sizeof(*v->rows));
	/* 10,000 connections against 10,000: a sort, not a hundred million compares */
	if (nprev) {
		sorted = malloc(nprev * sizeof(*sorted));
		if (sorted) {
			memcpy(sorted, prev, nprev * sizeof(*sorted));
			qsort(sorted, nprev, sizeof(*sorted), cmp_key);
		}
	}
	if (!v->rows || (nprev && !sorted)) {
		free(v->rows);
		free(sorted);
		v->rows = NULL;
		return -1;
	}
	for (i = 0; i < ncur; i++) {
		struct nt_conn_row *r = &v->rows[i];
		const struct nt_conn_entry *p = sorted ?
			bsearch(&cur[i], sorted, nprev, sizeof(*sorted), cmp_key) : NULL;
		bool same = p != NULL && !(p->flags & NT_CONN_ENTRY_CLOSED);
		unsigned long long z = 0;

		r->e = cur[i];
		r->rate[NT_CR_SND_PACKS] = grown(cur[i].sndpacks, same ? p->sndpacks : z, same, interval);
		r->rate[NT_CR_SND_BYTES] = grown(cur[i].sndbytes, same ? p->sndbytes : z, same, interval);
		r->rate[NT_CR_RCV_PACKS] = grown(cur[i].rcvpacks, same ? p->rcvpacks : z, same, interval);
		r->rate[NT_CR_RCV_BYTES] = grown(cur[i].rcvbytes, same ? p->rcvbytes : z, same, interval);
		v->nclosed += (cur[i].flags & NT_CONN_ENTRY_CLOSED) != 0;
	}
	free(sorted);
	v->n = ncur;
	return 0;
}

void nt_conn_view_free(struct nt_conn_view *v)
{
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

static int cmp_double_desc(double a, double b)
{
	return (a < b) - (a > b);
}

static int cmp_port(const struct nt_conn_row *x, const struct nt_conn_row *y)
{
	return (x->e.lport > y->e.lport) - (x->e.lport < y->e.lport);
}

static int cmp_total(const void *a, const void *b)
{
	const struct nt_conn_row *x = a, *y = b;
	int c = cmp_double_desc(x->rate[NT_CR_SND_BYTES] + x->rate[NT_CR_RCV_BYTES],
				y->rate[NT_CR_SND_BYTES] + y->rate[NT_CR_RCV_BYTES]);

	return c ? c : cmp_port(x, y);
}

static int cmp_send(const void *a, const void *b)
{
	const struct nt_conn_row *x = a, *y = b;
	int c = cmp_double_desc(x->rate[NT_CR_SND_BYTES], y->rate[NT_CR_SND_BYTES]);

	return c ? c : cmp_total(a, b);
}

static int cmp_recv(const void *a, const void *b)
{
	const struct nt_conn_row *x = a, *y = b;
	int c = cmp_double_desc(x->rate[NT_CR_RCV_BYTES], y->rate[NT_CR_RCV_BYTES]);

	return c ? c : cmp_total(a, b);
}

static int cmp_local(const void *a, const void *b)
{
	const struct nt_conn_row *x = a, *y = b;
	int c = cmp_port(x, y);

	if (c)
		return c;
	if (x->e.rport != y->e.rport)
		return x->e.rport < y->e.rport ? -1 : 1;
	return memcmp(x->e.raddr, y->e.raddr, sizeof(x->e.raddr));
}

static int cmp_remote(const void *a, const void *b)
{
	const struct nt_conn_row *x = a, *y = b;
	int c = memcmp(x->e.raddr, y->e.raddr, sizeof(x->e.raddr));

	if (c)
		return c;
	if (x->e.rport != y->e.rport)
		return x->e.rport < y->e.rport ? -1 : 1;
	return cmp_port(x, y);
}

void nt_conn_view_sort(struct nt_conn_view *v, enum nt_sort key)
{
	/* the process view's keys: its pid and command become the two ends */
	static int (*const by[])(const void *, const void *) = {
		[NT_SORT_TOTAL] = cmp_total, [NT_SORT_SEND] = cmp_send, [NT_SORT_RECV] = cmp_recv,
		[NT_SORT_PID] = cmp_local, [NT_SORT_COMMAND] = cmp_remote,
	};

	if (v->n > 1)
		qsort(v->rows, v->n, sizeof(*v->rows),
		      (unsigned)key < sizeof(by) / sizeof(by[0]) && by[key] ? by[key] : cmp_total);
}
