/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Final counters of exited processes, kept for the clients.
 *
 * A record stays until (a) every client that was connected when the
 * process exited has received it in a complete reply and (b) it is at
 * least `keep_seconds` old, so a client that polls rarely (atop -w 600)
 * still gets it.  `max_records` bounds memory against a client that
 * connects and never asks: past it the oldest record goes, and is counted.
 */
#ifndef NETATOP_EXITED_H
#define NETATOP_EXITED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "protocol.h"

struct nt_exited_entry {
	struct netpertask rec;
	uint64_t seq;		/* 1, 2, ...: order of exit */
	time_t when;		/* CLOCK_MONOTONIC seconds at exit */
	/*
	 * Its pid now belongs to a live process (another one: this one is
	 * dead).  A client that has had rec gets `now` in its place, the live
	 * process with zero counters, or atop would book rec on it.
	 */
	bool reused;
	struct netpertask now;
	/* the pid generation at which its pid was last found free; 0 never */
	unsigned long free_at_gen;
};

struct nt_exited {
	struct nt_exited_entry *ring;
	size_t cap;		/* allocated slots, a power of two */
	size_t head;		/* oldest */
	size_t count;
	size_t max_records;
	time_t keep_seconds;
	uint64_t last_seq;	/* seq of the newest record ever added */
	uint64_t evicted;	/* dropped by max_records before delivery rules allowed */
};

int nt_exited_init(struct nt_exited *e, time_t keep_seconds, size_t max_records);
void nt_exited_free(struct nt_exited *e);

/* Returns 0, or -1 when memory is short (the record is then counted as evicted). */
int nt_exited_add(struct nt_exited *e, const struct netpertask *rec, time_t now);

/*
 * Forget what every client has had (seq <= acked_by_all) and is old
 * enough.  acked_by_all is UINT64_MAX when no client is connected.
 */
void nt_exited_prune(struct nt_exited *e, time_t now, uint64_t acked_by_all);

/*
 * Who holds a pid now: 1 and *now filled (id, and what is known of its
 * command and start) when a live process that is not exiting does; 0 when
 * none does (free, a zombie, a thread, one exiting); NT_PID_HELD_UNSURE
 * (*now filled as far as known) when a live process does that may be the
 * exited one still on its way out (the kernel reports an exit a moment
 * before the process becomes a zombie); -1 when it cannot tell.
 */
#define NT_PID_HELD_UNSURE 2
typedef int nt_pid_holder_fn(void *ctx, pid_t pid, struct netpertask *now);

/* A number that changes whenever a pid is handed out, or 0 when unknown. */
typedef unsigned long nt_pid_gen_fn(void *ctx);

/* An exit this old is over: a live process with its pid is another one. */
#define NT_EXITED_SETTLED_S 2

/*
 * Find the records whose pid a live process has taken since, among those
 * up to seq `had_upto` (the newest some client has had: the others are
 * sent as they are anyway).  Each record is found so once and stays so.
 * pid_gen (nt_pid_gen_fn, 0 when unknown) changes whenever the kernel hands
 * out a pid: a pid found free at a generation is not asked about again
 * until the next.  Returns how many are reused in all.
 */
size_t nt_exited_find_reused(struct nt_exited *e, uint64_t had_upto, time_t now, unsigned long pid_gen,
			     nt_pid_holder_fn *holder, void *ctx);

static inline size_t nt_exited_count(const struct nt_exited *e)
{
	return e->count;
}

/* The i-th oldest record, 0 <= i < count. */
static inline const struct nt_exited_entry *nt_exited_at(const struct nt_exited *e, size_t i)
{
	return &e->ring[(e->head + i) & (e->cap - 1)];
}

#endif
