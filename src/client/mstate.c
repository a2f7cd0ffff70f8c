// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "mstate.h"
#include "labels.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC "netatop-metrics-state 1"

static const char *const dim_names[NT_DIM_COUNT] = { "command", "cgroup" };

void nt_mstate_init(struct nt_mstate *st)
{
	int d;

	memset(st, 0, sizeof(*st));
	for (d = 0; d < NT_DIM_COUNT; d++)
		st->dim[d].other.label = (char *)NT_METRICS_OTHER;
}

void nt_mstate_free(struct nt_mstate *st)
{
	size_t i;
	int d;

	for (i = 0; st->procs && i < st->nprocs; i++)
		free(st->procs[i].cgroup);
	free(st->procs);
	for (d = 0; d < NT_DIM_COUNT; d++) {
		for (i = 0; i < st->dim[d].n; i++)
			free(st->dim[d].members[i].label);
		free(st->dim[d].members);
	}
	nt_mstate_init(st);
}

static int by_pid_btime(const void *a, const void *b)
{
	const struct nt_mproc *x = a, *y = b;

	return nt_pid_btime_cmp(x->pid, x->btime, y->pid, y->btime);
}

static const struct nt_mproc *find_proc(const struct nt_mstate *st, pid_t pid, unsigned long btime)
{
	struct nt_mproc key = { .pid = pid, .btime = btime };

	if (!st->nprocs)
		return NULL;
	return bsearch(&key, st->procs, st->nprocs, sizeof(*st->procs), by_pid_btime);
}

/* ---------------------------------------------------------------- the file */

/* A quoted, escaped label at *p; *p moves past it.  NULL if malformed or out of memory. */
static char *read_label(const char **p)
{
	const char *s = *p;
	char *out, *o;

	if (*s != '"')
		return NULL;
	out = malloc(strlen(s));
	if (!out)
		return NULL;
	o = out;
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\n') {
			free(out);
			return NULL;
		}
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == '\\' || *s == '"')
			*o++ = *s;
		else if (*s == 'n')
			*o++ = '\n';
		else {
			free(out);
			return NULL;
		}
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

static int read_numbers(const char **p, unsigned long long *v, int n)
{
	const char *s = *p;
	char *end;
	int i;

	for (i = 0; i < n; i++) {
		if (*s != ' ')
			return -1;
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (errno)
			return -1;
		s = end;
	}
	*p = s;
	return 0;
}

static int dim_of(const char **p)
{
	int d;

	for (d = 0; d < NT_DIM_COUNT; d++) {
		size_t len = strlen(dim_names[d]);

		if (strncmp(*p, dim_names[d], len) == 0 && (*p)[len] == ' ') {
			*p += len + 1;
			return d;
		}
	}
	return -1;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *tmp;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	tmp = realloc(*arr, *cap * size);
	if (!tmp)
		return -1;
	*arr = tmp;
	return 0;
}

static int parse_line(struct nt_mstate *st, const char *line, size_t *pcap, size_t mcap[NT_DIM_COUNT])
{
	const char *p = line;
	unsigned long long v[NT_C_COUNT + 2];
	int d, i;

	if (strncmp(p, "generation ", 11) == 0) {
		p += 11;
		if (strlen(p) >= sizeof(st->generation) || strchr(p, ' '))
			return -1;
		snprintf(st->generation, sizeof(st->generation), "%s", strcmp(p, "-") ? p : "");
		return 0;
	}
	if (strncmp(p, "proc", 4) == 0) {
		struct nt_mproc *q;
		char *cgroup = NULL;

		p += 4;
		if (read_numbers(&p, v, NT_C_COUNT + 2) < 0 || v[0] == 0 || v[0] > 0x7fffffff || *p != ' ')
			return -1;
		p++;
		if (strcmp(p, "-") != 0) {
			cgroup = read_label(&p);
			if (!cgroup || *p) {
				free(cgroup);
				return -1;
			}
		}
		if (grow((void **)&st->procs, pcap, st->nprocs, sizeof(*st->procs)) < 0) {
			free(cgroup);
			return -1;
		}
		q = &st->procs[st->nprocs++];
		memset(q, 0, sizeof(*q));
		q->pid = (pid_t)v[0];
		q->btime = (unsigned long)v[1];
		for (i = 0; i < NT_C_COUNT; i++)
			*nt_counter_at(&q->c, i) = v[i + 2];
		q->cgroup = cgroup;
		return 0;
	}
	if (strncmp(p, "member ", 7) == 0) {
		struct nt_mseries *m;
		char *label;

		p += 7;
		d = dim_of(&p);
		if (d < 0)
			return -1;
		label = read_label(&p);
		if (!label)
			return -1;
		if (read_numbers(&p, v, NT_C_COUNT + 1) < 0 || *p || strcmp(label, NT_METRICS_OTHER) == 0 ||
		    grow((void **)&st->dim[d].members, &mcap[d], st->dim[d].n, sizeof(*m)) < 0) {
			free(label);
			return -1;
		}
		m = &st->dim[d].members[st->dim[d].n++];
		memset(m, 0, sizeof(*m));
		m->label = label;
		m->score = v[0];
		for (i = 0; i < NT_C_COUNT; i++)
			*nt_counter_at(&m->acc, i) = v[i + 1];
		return 0;
	}
	if (strncmp(p, "other ", 6) == 0) {
		p += 6;
		d = dim_of(&p);
		if (d < 0)
			return -1;
		p--;	/* read_numbers wants the space */
		if (read_numbers(&p, v, NT_C_COUNT) < 0 || *p)
			return -1;
		for (i = 0; i < NT_C_COUNT; i++)
			*nt_counter_at(&st->dim[d].other.acc, i) = v[i];
		return 0;
	}
	return -1;
}

int nt_mstate_parse(struct nt_mstate *st, const char *text)
{
	size_t pcap = 0, mcap[NT_DIM_COUNT] = { 0 }, i, k;
	const char *line = text, *eol;
	char *buf = NULL;
	int d;

	nt_mstate_init(st);
	eol = strchr(line, '\n');
	if (!eol || (size_t)(eol - line) != strlen(STATE_MAGIC) || strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)))
		return -1;
	for (line = eol + 1; *line; line = eol + 1) {
		size_t len;

		eol = strchr(line, '\n');
		if (!eol)
			goto bad;	/* cut short */
		len = (size_t)(eol - line);
		free(buf);
		buf = malloc(len + 1);
		if (!buf)
			goto bad;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (parse_line(st, buf, &pcap, mcap) < 0)
			goto bad;
	}
	free(buf);
	buf = NULL;
	/* what find_proc() and the advance rely on: sorted, no duplicates */
	if (st->nprocs)
		qsort(st->procs, st->nprocs, sizeof(*st->procs), by_pid_btime);
	for (i = 1; i < st->nprocs; i++) {
		if (by_pid_btime(&st->procs[i - 1], &st->procs[i]) == 0)
			goto bad;
	}
	for (d = 0; d < NT_DIM_COUNT; d++) {
		for (i = 0; i < st->dim[d].n; i++) {
			for (k = i + 1; k < st->dim[d].n; k++) {
				if (strcmp(st->dim[d].members[i].label, st->dim[d].members[k].label) == 0)
					goto bad;
			}
		}
	}
	return 0;
bad:
	free(buf);
	nt_mstate_free(st);
	return -1;
}

static void write_label(FILE *f, const char *label)
{
	size_t need = nt_metrics_escape(NULL, 0, label) + 1;
	char *esc = malloc(need);

	if (!esc) {
		/* ferror() would not tell: make the stream fail */
		fputs("\"", f);
		return;
	}
	nt_metrics_escape(esc, need, label);
	fprintf(f, "\"%s\"", esc);
	free(esc);
}

int nt_mstate_write(FILE *f, const struct nt_mstate *st)
{
	size_t i;
	int d, k;

	fprintf(f, "%s\ngeneration %s\n", STATE_MAGIC, st->generation[0] ? st->generation : "-");
	for (i = 0; i < st->nprocs; i++) {
		const struct nt_mproc *p = &st->procs[i];

		fprintf(f, "proc %d %lu", (int)p->pid, p->btime);
		for (k = 0; k < NT_C_COUNT; k++)
			fprintf(f, " %llu", nt_counter_get(&p->c, k));
		fputc(' ', f);
		if (p->cgroup)
			write_label(f, p->cgroup);
		else
			fputc('-', f);
		fputc('\n', f);
	}
	for (d = 0; d < NT_DIM_COUNT; d++) {
		for (i = 0; i < st->dim[d].n; i++) {
			const struct nt_mseries *m = &st->dim[d].members[i];

			fprintf(f, "member %s ", dim_names[d]);
			write_label(f, m->label);
			fprintf(f, " %llu", m->score);
			for (k = 0; k < NT_C_COUNT; k++)
				fprintf(f, " %llu", nt_counter_get(&m->acc, k));
			fputc('\n', f);
		}
		fprintf(f, "other %s", dim_names[d]);
		for (k = 0; k < NT_C_COUNT; k++)
			fprintf(f, " %llu", nt_counter_get(&st->dim[d].other.acc, k));
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------- a run */

/* What one name moved in this run. */
struct named {
	const char *label;
	struct taskcount delta;
	struct taskcount cum;			/* its processes' counters */
	unsigned int nprocs;
	const struct nt_mseries *was;		/* its series in prev, if any */
	unsigned long long score;
	bool member;
};

struct entry {
	const char *label;
	size_t proc;
};

static int by_entry_label(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->label, ((const struct entry *)b)->label);
}

static int by_named_label(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->label, ((const struct named *)b)->label);
}

/* Strongest first; equal scores by label, so that runs agree. */
static int by_score_desc(const void *a, const void *b)
{
	const struct named *x = *(const struct named *const *)a, *y = *(const struct named *const *)b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* The weakest member, or NULL. */
static struct named *weakest(struct named **all, size_t n)
{
	struct named *w = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (all[i]->member && (!w || by_score_desc(&w, &all[i]) < 0))
			w = all[i];
	}
	return w;
}

/* The names of one dimension in a run, while its series are chosen. */
struct run_names {
	struct named *names;	/* this run's by label, then prev's members with nobody now */
	size_t n;
	size_t nmembers;	/* names with member set */
};

/*
 * This run's names, each with what its processes moved and their
 * counters, then prev's members that have no process now: they still
 * hold their series until the choice below lets them go.
 */
static int gather_names(struct run_names *rn, const struct nt_mseries *old, size_t nold,
			char **labels, const struct taskcount *delta, const struct nt_sample *s)
{
	struct entry *e = calloc(s->n + 1, sizeof(*e));
	size_t i, j, nsorted;

	if (!e)
		return -1;
	for (i = 0; i < s->n; i++) {
		e[i].label = labels[i];
		e[i].proc = i;
	}
	qsort(e, s->n, sizeof(*e), by_entry_label);
	for (i = 0; i < s->n; i = j) {
		struct named *nm = &rn->names[rn->n++];

		nm->label = e[i].label;
		for (j = i; j < s->n && strcmp(e[j].label, e[i].label) == 0; j++) {
			nt_taskcount_add(&nm->delta, &delta[e[j].proc]);
			nt_taskcount_add(&nm->cum, &s->procs[e[j].proc].c);
			nm->nprocs++;
		}
	}
	free(e);
	nsorted = rn->n;	/* names[0..nsorted) are by label */
	for (i = 0; i < nold; i++) {
		struct named key = { .label = old[i].label };
		struct named *nm = bsearch(&key, rn->names, nsorted, sizeof(*rn->names), by_named_label);

		if (!nm) {
			nm = &rn->names[rn->n++];
			nm->label = old[i].label;
		}
		nm->was = &old[i];
		nm->member = true;
		rn->nmembers++;
	}
	return 0;
}

/*
 * Who has a series of its own: at most top_n, kept while they last; a
 * newcomer takes a free place, or the weakest member's when it is clearly
 * stronger.  order has room for every name.
 */
static void choose_members(struct run_names *rn, struct named **order, size_t top_n)
{
	size_t i, nn = 0;

	for (i = 0; i < rn->n; i++) {
		struct named *nm = &rn->names[i];

		nm->score = (nm->was ? nm->was->score / 2 : 0) + nt_taskcount_bytes(&nm->delta);
		/* a command really named "other" is summed there */
		if (strcmp(nm->label, NT_METRICS_OTHER) == 0) {
			if (nm->member)
				rn->nmembers--;
			nm->member = false;
			continue;
		}
		order[nn++] = nm;
	}
	qsort(order, nn, sizeof(*order), by_score_desc);
	while (rn->nmembers > top_n) {
		struct named *w = weakest(order, nn);

		if (!w)
			break;
		w->member = false;
		rn->nmembers--;
	}
	for (i = 0; i < nn; i++) {
		struct named *w;

		if (order[i]->member)
			continue;
		if (rn->nmembers < top_n) {
			order[i]->member = true;
			rn->nmembers++;
			continue;
		}
		/* a newcomer displaces the weakest only when clearly stronger */
		w = weakest(order, nn);
		if (!w || order[i]->score / 2 <= w->score)
			break;
		w->member = false;
		order[i]->member = true;
	}
}

/* The accumulators: a member's grows (or starts from its processes), the rest go to "other". */
static int accumulate(struct nt_mstate *next, const struct nt_mstate *prev, int d,
		      const struct run_names *rn)
{
	size_t i;

	next->dim[d].members = calloc(rn->nmembers + 1, sizeof(*next->dim[d].members));
	if (!next->dim[d].members)
		return -1;
	next->dim[d].other.acc = prev->dim[d].other.acc;
	for (i = 0; i < rn->n; i++) {
		const struct named *nm = &rn->names[i];
		struct nt_mseries *m;

		if (!nm->member) {
			nt_taskcount_add(&next->dim[d].other.acc, &nm->delta);
			next->dim[d].other.nprocs += nm->nprocs;
			continue;
		}
		m = &next->dim[d].members[next->dim[d].n];
		m->label = strdup(nm->label);
		if (!m->label)
			return -1;
		next->dim[d].n++;
		if (nm->was) {
			m->acc = nm->was->acc;
			nt_taskcount_add(&m->acc, &nm->delta);
		} else {
			/* a new series: from its processes' counters */
			m->acc = nm->cum;
		}
		m->score = nm->score;
		m->nprocs = nm->nprocs;
	}
	return 0;
}

/* One dimension of the next state: gather the names, choose the members, accumulate. */
static int advance_dim(struct nt_mstate *next, const struct nt_mstate *prev, int d, char **labels,
		       const struct taskcount *delta, const struct nt_sample *s, size_t top_n)
{
	size_t most = s->n + prev->dim[d].n + 1;
	struct run_names rn = { .names = calloc(most, sizeof(*rn.names)) };
	struct named **order = calloc(most, sizeof(*order));
	int rc = -1;

	if (!rn.names || !order ||
	    gather_names(&rn, prev->dim[d].members, prev->dim[d].n, labels, delta, s) < 0)
		goto out;
	choose_members(&rn, order, top_n);
	rc = accumulate(next, prev, d, &rn);
out:
	free(rn.names);
	free(order);
	return rc;
}

int nt_mstate_advance(struct nt_mstate *next, const struct nt_mstate *prev,
		      const struct nt_sample *s, const char *generation, size_t top_n)
{
	struct taskcount *delta = NULL;
	char **labels[NT_DIM_COUNT] = { NULL, NULL };
	bool same_daemon = !generation[0] || !prev->generation[0] || strcmp(generation, prev->generation) == 0;
	size_t i;
	int d, rc = -1;

	nt_mstate_init(next);
	snprintf(next->generation, sizeof(next->generation), "%s", generation);
	delta = calloc(s->n + 1, sizeof(*delta));
	for (d = 0; d < NT_DIM_COUNT; d++)
		labels[d] = calloc(s->n + 1, sizeof(char *));
	next->procs = calloc(s->n + 1, sizeof(*next->procs));
	if (!delta || !labels[0] || !labels[1] || !next->procs)
		goto out;

	for (i = 0; i < s->n; i++) {
		const struct nt_proc *p = &s->procs[i];
		const struct nt_mproc *q = same_daemon ? find_proc(prev, p->pid, p->btime) : NULL;
		struct nt_mproc *np = &next->procs[next->nprocs++];
		char buf[NT_CGROUP_MAX];
		bool lower = nt_taskcount_moved(&delta[i], &p->c, q ? &q->c : NULL);

		nt_metrics_label(buf, sizeof(buf), p->command);
		labels[NT_DIM_COMMAND][i] = strdup(buf);
		/* a process keeps the cgroup it was seen in once it has exited */
		if (p->alive && p->have_cgroup)
			nt_metrics_label(buf, sizeof(buf), p->cgroup);
		else if (q && q->cgroup && !lower)
			snprintf(buf, sizeof(buf), "%s", q->cgroup);
		else if (p->have_cgroup)
			nt_metrics_label(buf, sizeof(buf), p->cgroup);
		else
			snprintf(buf, sizeof(buf), "%s", NT_METRICS_UNKNOWN);
		labels[NT_DIM_CGROUP][i] = strdup(buf);
		if (!labels[NT_DIM_COMMAND][i] || !labels[NT_DIM_CGROUP][i])
			goto out;

		np->pid = p->pid;
		np->btime = p->btime;
		np->c = p->c;
	}
	for (d = 0; d < NT_DIM_COUNT; d++) {
		if (advance_dim(next, prev, d, labels[d], delta, s, top_n) < 0)
			goto out;
	}
	/* the processes keep their cgroup labels for the next run */
	for (i = 0; i < s->n; i++) {
		if (strcmp(labels[NT_DIM_CGROUP][i], NT_METRICS_UNKNOWN) != 0) {
			next->procs[i].cgroup = labels[NT_DIM_CGROUP][i];
			labels[NT_DIM_CGROUP][i] = NULL;
		}
	}
	rc = 0;
out:
	for (d = 0; d < NT_DIM_COUNT; d++) {
		for (i = 0; labels[d] && i < s->n; i++)
			free(labels[d][i]);
		free(labels[d]);
	}
	free(delta);
	if (rc < 0)
		nt_mstate_free(next);
	return rc;
}

static int by_acc_desc(const void *a, const void *b)
{
	const struct nt_series *x = a, *y = b;
	unsigned long long bx = nt_taskcount_bytes(&x->c), by = nt_taskcount_bytes(&y->c);
	int c;

	if (bx != by)
		return bx > by ? -1 : 1;
	c = strcmp(x->label, y->label);
	return (c > 0) - (c < 0);
}

int nt_mstate_series(const struct nt_mstate *st, enum nt_metrics_dim dim,
		     struct nt_series **out, size_t *nout)
{
	size_t n = st->dim[dim].n, i;
	struct nt_series *s = calloc(n + 1, sizeof(*s));

	*out = NULL;
	*nout = 0;
	if (!s)
		return -1;
	for (i = 0; i < n; i++) {
		const struct nt_mseries *m = &st->dim[dim].members[i];

		snprintf(s[i].label, sizeof(s[i].label), "%s", m->label);
		s[i].c = m->acc;
		s[i].nprocs = m->nprocs;
	}
	qsort(s, n, sizeof(*s), by_acc_desc);
	snprintf(s[n].label, sizeof(s[n].label), "%s", NT_METRICS_OTHER);
	s[n].c = st->dim[dim].other.acc;
	s[n].nprocs = st->dim[dim].other.nprocs;
	*out = s;
	*nout = n + 1;
	return 0;
}
