/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Final counters of closed connections, kept for the connection clients
 * as exited.c keeps exited processes for atop: each stays until every
 * connection client connected at its close has had it and it is
 * `keep_seconds` old; beyond `max_entries` the oldest go, and are counted.
 */
#ifndef NETATOP_CLOSED_H
#define NETATOP_CLOSED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "connproto.h"

struct nt_closed_entry {
	struct nt_conn_entry e;
	uint64_t seq;		/* 1, 2, ...: order of close */
	time_t when;		/* CLOCK_MONOTONIC seconds */
};

struct nt_closed {
	struct nt_closed_entry *ring;
	size_t cap;		/* a power of two, or 0 */
	size_t head;
	size_t count;
	size_t max_entries;
	time_t keep_seconds;
	uint64_t last_seq;
	uint64_t sent_seq;	/* newest entry that went into a reply */
	uint64_t evicted;
};

void nt_closed_init(struct nt_closed *c, time_t keep_seconds, size_t max_entries);
void nt_closed_free(struct nt_closed *c);

/*
 * Keep `e`.  What a socket moved after its close comes as an entry of
 * its own: added to its close's entry while no reply has carried that.
 * Returns 0, or -1 when memory is short (counted as evicted).
 */
int nt_closed_add(struct nt_closed *c, const struct nt_conn_entry *e, time_t now);

/* A reply carries the entries so far: later ones no longer merge into them. */
static inline void nt_closed_mark_sent(struct nt_closed *c)
{
	c->sent_seq = c->last_seq;
}

/* Forget what every client has had and is old enough (UINT64_MAX: no client). */
void nt_closed_prune(struct nt_closed *c, time_t now, uint64_t acked_by_all);

static inline const struct nt_closed_entry *nt_closed_at(const struct nt_closed *c, size_t i)
{
	return &c->ring[(c->head + i) & (c->cap - 1)];
}

#endif
