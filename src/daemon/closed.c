// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "closed.h"

#include <stdlib.h>
#include <string.h>

/* How far back a late entry looks for its close: it follows within the same drain. */
#define NT_CLOSED_MERGE_WINDOW 64

void nt_closed_init(struct nt_closed *c, time_t keep_seconds, size_t max_entries)
{
	memset(c, 0, sizeof(*c));
	c->keep_seconds = keep_seconds;
	c->max_entries = max_entries ? max_entries : 1;
}

void nt_closed_free(struct nt_closed *c)
{
	free(c->ring);
	memset(c, 0, sizeof(*c));
}

static int grow(struct nt_closed *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 256, i;
	struct nt_closed_entry *n = malloc(ncap * sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i < c->count; i++)
		n[i] = *nt_closed_at(c, i);
	free(c->ring);
	c->ring = n;
	c->cap = ncap;
	c->head = 0;
	return 0;
}

static void drop_oldest(struct nt_closed *c)
{
	c->head = (c->head + 1) & (c->cap - 1);
	c->count--;
}

static int merge_late(struct nt_closed *c, const struct nt_conn_entry *e)
{
	size_t i, n = c->count < NT_CLOSED_MERGE_WINDOW ? c->count : NT_CLOSED_MERGE_WINDOW;

	for (i = 1; i <= n; i++) {
		struct nt_closed_entry *k = &c->ring[(c->head + c->count - i) & (c->cap - 1)];

		if (k->seq <= c->sent_seq)
			break;	/* a client has it: the rest is a line of its own */
		if (!nt_conn_same(&k->e, e))
			continue;
		k->e.sndpacks += e->sndpacks;
		k->e.sndbytes += e->sndbytes;
		k->e.rcvpacks += e->rcvpacks;
		k->e.rcvbytes += e->rcvbytes;
		return 1;
	}
	return 0;
}

int nt_closed_add(struct nt_closed *c, const struct nt_conn_entry *e, time_t now)
{
	struct nt_closed_entry *k;

	if (c->count && merge_late(c, e))
		return 0;
	if (c->count >= c->max_entries) {
		drop_oldest(c);
		c->evicted++;
	}
	if (c->count == c->cap && grow(c) < 0) {
		c->evicted++;
		return -1;
	}
	k = &c->ring[(c->head + c->count) & (c->cap - 1)];
	k->e = *e;
	k->seq = ++c->last_seq;
	k->when = now;
	c->count++;
	return 0;
}

void nt_closed_prune(struct nt_closed *c, time_t now, uint64_t acked_by_all)
{
	while (c->count) {
		const struct nt_closed_entry *k = nt_closed_at(c, 0);

		if (k->seq > acked_by_all && acked_by_all != UINT64_MAX)
			break;
		if (now - k->when < c->keep_seconds)
			break;
		drop_oldest(c);
	}
}
