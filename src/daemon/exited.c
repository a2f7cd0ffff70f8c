// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "exited.h"

#include <stdlib.h>
#include <string.h>

#define NT_EXITED_MIN_CAP 64

int nt_exited_init(struct nt_exited *e, time_t keep_seconds, size_t max_records)
{
	memset(e, 0, sizeof(*e));
	e->keep_seconds = keep_seconds;
	e->max_records = max_records ? max_records : 1;
	return 0;
}

void nt_exited_free(struct nt_exited *e)
{
	free(e->ring);
	memset(e, 0, sizeof(*e));
}

static void drop_oldest(struct nt_exited *e)
{
	e->head = (e->head + 1) & (e->cap - 1);
	e->count--;
}

static int grow(struct nt_exited *e)
{
	size_t ncap = e->cap ? e->cap * 2 : NT_EXITED_MIN_CAP;
	struct nt_exited_entry *nring;
	size_t i;

	nring = malloc(ncap * sizeof(*nring));
	if (!nring)
		return -1;
	for (i = 0; i < e->count; i++)
		nring[i] = *nt_exited_at(e, i);
	free(e->ring);
	e->ring = nring;
	e->cap = ncap;
	e->head = 0;
	return 0;
}

int nt_exited_add(struct nt_exited *e, const struct netpertask *rec, time_t now)
{
	struct nt_exited_entry *slot;

	e->last_seq++;
	if (e->count >= e->max_records) {
		drop_oldest(e);
		e->evicted++;
	}
	if (e->count == e->cap && grow(e) < 0) {
		e->evicted++;
		return -1;
	}
	slot = &e->ring[(e->head + e->count) & (e->cap - 1)];
	memset(slot, 0, sizeof(*slot));
	slot->rec = *rec;
	slot->seq = e->last_seq;
	slot->when = now;
	e->count++;
	return 0;
}

void nt_exited_prune(struct nt_exited *e, time_t now, uint64_t acked_by_all)
{
	while (e->count) {
		const struct nt_exited_entry *old = nt_exited_at(e, 0);

		if (old->seq > acked_by_all || now - old->when < e->keep_seconds)
			break;
		drop_oldest(e);
	}
}

/*
 * Has a live process other than the exited one taken its pid?  Without a
 * new pid since it was last found free, nobody can have: each reply would
 * otherwise ask the kernel about every retained pid.
 */
static bool pid_taken(struct nt_exited_entry *x, time_t now, unsigned long pid_gen, nt_pid_holder_fn *holder,
		      void *ctx)
{
	int held;

	if (pid_gen && x->free_at_gen == pid_gen)
		return false;
	held = holder(ctx, x->rec.id, &x->now);
	if (held == 0)
		x->free_at_gen = pid_gen;
	return held == 1 || (held == NT_PID_HELD_UNSURE && now - x->when >= NT_EXITED_SETTLED_S);
}

size_t nt_exited_find_reused(struct nt_exited *e, uint64_t had_upto, time_t now, unsigned long pid_gen,
			     nt_pid_holder_fn *holder, void *ctx)
{
	size_t i, reused = 0;

	for (i = 0; i < e->count; i++) {
		struct nt_exited_entry *x = &e->ring[(e->head + i) & (e->cap - 1)];

		/*
		 * A record nobody has had yet goes out as it is: its pid need not
		 * be looked at before someone has had it.
		 */
		if (!x->reused && x->seq <= had_upto && holder && pid_taken(x, now, pid_gen, holder, ctx)) {
			x->reused = true;
			memset(&x->now.tc, 0, sizeof(x->now.tc));
			x->now.id = x->rec.id;
		}
		reused += x->reused;
	}
	return reused;
}
