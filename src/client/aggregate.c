// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "aggregate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- samples */

struct keyed {
	const struct netpertask *rec;
	size_t pos;
};

int nt_pid_btime_cmp(pid_t pid_a, unsigned long btime_a, pid_t pid_b, unsigned long btime_b)
{
	if (pid_a != pid_b)
		return pid_a < pid_b ? -1 : 1;
	return (btime_a > btime_b) - (btime_a < btime_b);
}

static int by_key_then_pos(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int d = nt_pid_btime_cmp(x->rec->id, x->rec->btime, y->rec->id, y->rec->btime);

	if (d)
		return d;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int nt_sample_from_records(struct nt_sample *s, const struct netpertask *recs, size_t n,
			   double when)
{
	struct keyed *k;
	size_t i, m = 0;

	memset(s, 0, sizeof(*s));
	s->when = when;
	if (n == 0)
		return 0;
	k = malloc(n * sizeof(*k));
	s->procs = calloc(n, sizeof(*s->procs));
	if (!k || !s->procs) {
		free(k);
		free(s->procs);
		s->procs = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		k[i].rec = &recs[i];
		k[i].pos = i;
	}
	qsort(k, n, sizeof(*k), by_key_then_pos);
	for (i = 0; i < n; i++) {
		const struct netpertask *r = k[i].rec;
		struct nt_proc *p;

		if (i + 1 < n && k[i + 1].rec->id == r->id && k[i + 1].rec->btime == r->btime)
			continue;	/* a later record of the same process wins */
		p = &s->procs[m++];
		p->pid = r->id;
		p->btime = r->btime;
		memcpy(p->command, r->command, sizeof(p->command) - 1);
		p->command[sizeof(p->command) - 1] = '\0';
		p->c = r->tc;
	}
	free(k);
	s->n = m;
	return 0;
}

void nt_sample_free(struct nt_sample *s)
{
	free(s->procs);
	s->procs = NULL;
	s->n = 0;
}

static int proc_order(const void *a, const void *b)
{
	const struct nt_proc *x = a, *y = b;

	return nt_pid_btime_cmp(x->pid, x->btime, y->pid, y->btime);
}

const struct nt_proc *nt_sample_find(const struct nt_sample *s, pid_t pid, unsigned long btime)
{
	struct nt_proc key = { .pid = pid, .btime = btime };

	/* bsearch() may not be given the NULL procs of an empty sample */
	if (!s || !s->n)
		return NULL;
	return bsearch(&key, s->procs, s->n, sizeof(*s->procs), proc_order);
}

void nt_sample_inherit(struct nt_sample *cur, const struct nt_sample *prev)
{
	size_t i;

	for (i = 0; i < cur->n; i++) {
		struct nt_proc *p = &cur->procs[i];
		const struct nt_proc *q;

		if (p->have_uid && p->have_cgroup)
			continue;
		q = nt_sample_find(prev, p->pid, p->btime);
		if (!q)
			continue;
		if (!p->have_uid && q->have_uid) {
			p->have_uid = true;
			p->uid = q->uid;
		}
		if (!p->have_cgroup && q->have_cgroup) {
			p->have_cgroup = true;
			memcpy(p->cgroup, q->cgroup, sizeof(p->cgroup));
		}
	}
}

/* ---------------------------------------------------------------- views */

/*
 * What the process did in the interval, and whether it is shown: running,
 * or exited since prev (prev had it running, or did not have it at all).
 */
static bool proc_delta(const struct nt_proc *p, const struct nt_sample *prev, struct taskcount *d)
{
	const struct nt_proc *q = prev ? nt_sample_find(prev, p->pid, p->btime) : NULL;
	bool lower;

	if (!prev) {
		memset(d, 0, sizeof(*d));
		return p->alive;
	}
	lower = nt_taskcount_moved(d, &p->c, q ? &q->c : NULL);
	if (p->alive)
		return true;
	return !q || q->alive || lower;
}

static void uid_text(char *buf, size_t len, bool have, uid_t uid)
{
	if (have)
		snprintf(buf, len, "%u", (unsigned int)uid);
	else
		snprintf(buf, len, "?");
}

static void group_label(char *buf, size_t len, const struct nt_proc *p, enum nt_group by)
{
	switch (by) {
	case NT_GROUP_COMMAND:
		snprintf(buf, len, "%s", p->command);
		break;
	case NT_GROUP_USER:
		uid_text(buf, len, p->have_uid, p->uid);
		break;
	case NT_GROUP_CGROUP:
		snprintf(buf, len, "%s", p->have_cgroup ? p->cgroup : "?");
		break;
	case NT_GROUP_PID:
		snprintf(buf, len, "%d", (int)p->pid);
		break;
	}
}

struct member {
	const struct nt_proc *p;
	char label[NT_CGROUP_MAX];
	struct taskcount d;
	bool shown;
};

static int by_label(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return strcmp(x->label, y->label);
}

int nt_view_build(struct nt_view *v, const struct nt_sample *prev, const struct nt_sample *cur,
		  enum nt_group by)
{
	struct member *m = NULL;
	double secs = 0;
	size_t i, j, nrows = 0;
	int k;

	memset(v, 0, sizeof(*v));
	v->by = by;
	if (prev && cur->when > prev->when)
		secs = cur->when - prev->when;
	v->interval = secs;
	if (cur->n == 0)
		return 0;
	m = calloc(cur->n, sizeof(*m));
	v->rows = calloc(cur->n, sizeof(*v->rows));
	if (!m || !v->rows) {
		free(m);
		free(v->rows);
		v->rows = NULL;
		return -1;
	}
	for (i = 0; i < cur->n; i++) {
		const struct nt_proc *p = &cur->procs[i];

		m[i].p = p;
		m[i].shown = proc_delta(p, prev, &m[i].d);
		group_label(m[i].label, sizeof(m[i].label), p, by);
		if (p->alive)
			v->nalive++;
		else if (m[i].shown)
			v->nexited++;
		for (k = 0; k < NT_C_COUNT; k++)
			v->rate[k] += secs > 0 ? (double)nt_counter_get(&m[i].d, k) / secs : 0;
	}

	if (by == NT_GROUP_PID) {
		for (i = 0; i < cur->n; i++) {
			const struct nt_proc *p = m[i].p;
			struct nt_row *r;

			if (!m[i].shown)
				continue;
			r = &v->rows[nrows++];
			r->pid = p->pid;
			memcpy(r->command, p->command, sizeof(r->command));
			r->have_uid = p->have_uid;
			r->uid = p->uid;
			uid_text(r->user, sizeof(r->user), p->have_uid, p->uid);
			snprintf(r->label, sizeof(r->label), "%s", p->have_cgroup ? p->cgroup : "?");
			r->nprocs = 1;
			r->exited = !p->alive;
			for (k = 0; k < NT_C_COUNT; k++)
				r->rate[k] = secs > 0 ? (double)nt_counter_get(&m[i].d, k) / secs : 0;
			r->total = p->c;
		}
		v->n = nrows;
		free(m);
		return 0;
	}

	qsort(m, cur->n, sizeof(*m), by_label);
	for (i = 0; i < cur->n; i = j) {
		struct nt_row row;
		unsigned int alive = 0;

		memset(&row, 0, sizeof(row));
		memcpy(row.label, m[i].label, sizeof(row.label));
		if (by == NT_GROUP_USER) {
			row.have_uid = m[i].p->have_uid;
			row.uid = m[i].p->uid;
			memcpy(row.user, m[i].label, sizeof(row.user) - 1);
		}
		for (j = i; j < cur->n && strcmp(m[j].label, m[i].label) == 0; j++) {
			if (m[j].shown)
				row.nprocs++;
			if (m[j].p->alive)
				alive++;
			for (k = 0; k < NT_C_COUNT; k++)
				row.rate[k] += secs > 0 ? (double)nt_counter_get(&m[j].d, k) / secs : 0;
			nt_taskcount_add(&row.total, &m[j].p->c);
		}
		if (row.nprocs == 0)
			continue;	/* only processes that exited before the interval */
		row.exited = alive == 0;
		v->rows[nrows++] = row;
	}
	v->n = nrows;
	free(m);
	return 0;
}

void nt_view_free(struct nt_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
}

/* ---------------------------------------------------------------- sorting */

double nt_row_send_bytes(const struct nt_row *r)
{
	return r->rate[NT_C_TCP_SND_BYTES] + r->rate[NT_C_UDP_SND_BYTES];
}

double nt_row_recv_bytes(const struct nt_row *r)
{
	return r->rate[NT_C_TCP_RCV_BYTES] + r->rate[NT_C_UDP_RCV_BYTES];
}

static double send_packs(const struct nt_row *r)
{
	return r->rate[NT_C_TCP_SND_PACKS] + r->rate[NT_C_UDP_SND_PACKS];
}

static double recv_packs(const struct nt_row *r)
{
	return r->rate[NT_C_TCP_RCV_PACKS] + r->rate[NT_C_UDP_RCV_PACKS];
}

static int desc(double a, double b)
{
	return a > b ? -1 : a < b;
}

/* Equal keys keep a fixed order: by pid, or by label for groups. */
static int tie_break(const struct nt_row *x, const struct nt_row *y)
{
	int c;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	c = strcmp(x->label, y->label);
	return c < 0 ? -1 : c > 0;
}

static int cmp_total(const struct nt_row *x, const struct nt_row *y)
{
	unsigned long long tx = nt_taskcount_bytes(&x->total), ty = nt_taskcount_bytes(&y->total);
	int c;

	c = desc(nt_row_send_bytes(x) + nt_row_recv_bytes(x), nt_row_send_bytes(y) + nt_row_recv_bytes(y));
	if (!c)
		c = desc(send_packs(x) + recv_packs(x), send_packs(y) + recv_packs(y));
	if (!c && tx != ty)
		c = tx > ty ? -1 : 1;
	return c ? c : tie_break(x, y);
}

static int cmp_send(const void *a, const void *b)
{
	const struct nt_row *x = a, *y = b;
	int c = desc(nt_row_send_bytes(x), nt_row_send_bytes(y));

	if (!c)
		c = desc(send_packs(x), send_packs(y));
	return c ? c : cmp_total(x, y);
}

static int cmp_recv(const void *a, const void *b)
{
	const struct nt_row *x = a, *y = b;
	int c = desc(nt_row_recv_bytes(x), nt_row_recv_bytes(y));

	if (!c)
		c = desc(recv_packs(x), recv_packs(y));
	return c ? c : cmp_total(x, y);
}

static int cmp_total_q(const void *a, const void *b)
{
	return cmp_total(a, b);
}

static int cmp_pid(const void *a, const void *b)
{
	const struct nt_row *x = a, *y = b;

	if (x->pid == 0 && y->pid == 0 && x->nprocs != y->nprocs)
		return x->nprocs > y->nprocs ? -1 : 1;
	return tie_break(x, y);
}

static int cmp_command(const void *a, const void *b)
{
	const struct nt_row *x = a, *y = b;
	int c = strcmp(x->pid ? x->command : x->label, y->pid ? y->command : y->label);

	if (c)
		return c < 0 ? -1 : 1;
	return tie_break(x, y);
}

void nt_view_sort(struct nt_view *v, enum nt_sort key)
{
	static int (*const by[])(const void *, const void *) = {
		[NT_SORT_TOTAL] = cmp_total_q, [NT_SORT_SEND] = cmp_send, [NT_SORT_RECV] = cmp_recv,
		[NT_SORT_PID] = cmp_pid, [NT_SORT_COMMAND] = cmp_command,
	};

	if (v->n > 1)
		qsort(v->rows, v->n, sizeof(*v->rows),
		      (unsigned)key < sizeof(by) / sizeof(by[0]) && by[key] ? by[key] : cmp_total_q);
}

const char *nt_sort_name(enum nt_sort key)
{
	switch (key) {
	case NT_SORT_TOTAL:
		return "total rate";
	case NT_SORT_SEND:
		return "send rate";
	case NT_SORT_RECV:
		return "receive rate";
	case NT_SORT_PID:
		return "pid";
	case NT_SORT_COMMAND:
		return "command";
	}
	return "?";
}
