/* SPDX-License-Identifier: GPL-2.0-only */
/* The collector's insides, shared by collect.c and keep.c (the loader only). */
#ifndef NETATOP_COLLECT_PRIV_H
#define NETATOP_COLLECT_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "conns.h"
#include "kretprobe.h"
#include "livewalk.h"
#include "pins.h"
#include "records.h"
#include "ring.h"

struct netatop_bpf;

struct nt_collector {
	struct netatop_bpf *skel;
	struct nt_ring exits;
	/*
	 * The exit ring buffer (--exit-buffer): 96 bytes + 8 of header per
	 * exit.  The daemon is woken at a quarter full, but thousands of
	 * processes exiting at once keep it off the CPU, so the rest must
	 * absorb such a burst.  Mapped once (ring.c): it adds at most its
	 * size to the daemon's RSS.
	 */
	size_t exit_bytes;
	enum nt_backend backend;
	bool wire;			/* counting packets, not calls */
	bool conns;			/* per-connection counters kept (conns.c) */
	struct nt_conns conn;
	unsigned int udp_peers;		/* --udp-peers: shown per socket; 0: none kept */
	struct nt_peer_record *peers;	/* the last read of nt_peers */
	size_t peers_cap;
	char cgroup_root[160];		/* how the packet programs reached the cgroup v2 root */
	struct nt_kretprobe kretprobes[NT_FN__MAX];
	struct nt_task_record *live;
	size_t live_cap;
	struct nt_walk walk;	/* walk.recs NULL where the kernel lacks the walk */
	/* where the ring buffer callback hands records during nt_collect_drain() */
	void (*drain_cb)(void *ctx, const struct nt_task_record *rec);	/* nt_collect_exit_cb */
	void *drain_ctx;
	/* the state kept in bpffs for the next daemon (keep.c) */
	struct nt_pins pins;
	bool adopted;		/* counting went on from an earlier daemon */
};

#endif
