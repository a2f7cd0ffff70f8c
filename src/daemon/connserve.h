/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Serving the connection query (src/common/connproto.h) on its own
 * socket.  Its clients live in an epoll set of their own, which the main
 * loop (server.c) watches as one descriptor: atop's clients and these
 * never share state, and neither kind can stall the other.
 */
#ifndef NETATOP_CONNSERVE_H
#define NETATOP_CONNSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "closed.h"
#include "records.h"

struct nt_conn_source {
	void *ctx;
	bool available;		/* the loader keeps per-connection counters */
	/* the open connections (of `pid` only unless 0), valid until the next call; -errno */
	int (*live)(void *ctx, unsigned int pid, const struct nt_conn_record **recs, size_t *n);
	/* the N most active peers of an unconnected UDP socket to show; 0: none kept */
	unsigned int udp_peers;
	/* every peer remembered, valid until the next call; -errno */
	int (*peers)(void *ctx, const struct nt_peer_record **recs, size_t *n);
	/* hand the closed ones to `keep` */
	int (*drain)(void *ctx, void (*keep)(void *kctx, const struct nt_conn_record *rec),
		     void *kctx);
};

struct nt_connserve_config {
	int listen_fd;
	unsigned int max_clients;
	time_t client_timeout;
};

struct nt_connserve;

struct nt_connserve *nt_connserve_new(const struct nt_connserve_config *cfg,
				      const struct nt_conn_source *src);
void nt_connserve_free(struct nt_connserve *cs);

/* The descriptor for the main loop to watch: readable when a client or the listener is. */
int nt_connserve_fd(const struct nt_connserve *cs);

/* Serve what is ready, without blocking. */
void nt_connserve_run(struct nt_connserve *cs, time_t now);

/* Move closed connections from the kernel's ring into the kept list. */
void nt_connserve_drain(struct nt_connserve *cs, time_t now);

/* Drop clients that read nothing of a reply for the timeout. */
void nt_connserve_drop_stalled(struct nt_connserve *cs, time_t now);

/* Seconds until the first stalled client times out; -1: none pending. */
long nt_connserve_next_timeout(const struct nt_connserve *cs, time_t now);

/* Closed connections evicted before every client had them. */
unsigned long long nt_connserve_evicted(const struct nt_connserve *cs);

#endif
