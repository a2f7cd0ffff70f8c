/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connections of the processes: the open sockets from the TCP and
 * UDP iterators, which read each socket's storage (bpf/conns.h), the
 * closed ones from their ring buffer.  collect.c hands it the iterator
 * links and the ring; it maps the ring and keeps the walk's buffer.
 */
#ifndef NETATOP_CONNS_H
#define NETATOP_CONNS_H

#include <stddef.h>

#include "records.h"
#include "ring.h"

struct nt_conns {
	int iter_fd[2];			/* links of iter/tcp and iter/udp; -1: none */
	int ring_fd;
	struct nt_ring closed;
	struct nt_conn_record *buf;	/* the last walk, kept for the next */
	size_t cap;			/* records */
};

/*
 * Keep the iterator links (owned by the caller) and map the ring
 * `ring_fd` of `ring_bytes`; -errno on failure, nothing held.
 */
int nt_conns_open(struct nt_conns *c, int tcp_iter_fd, int udp_iter_fd, int ring_fd,
		  size_t ring_bytes);
void nt_conns_close(struct nt_conns *c);

/* The open connections; valid until the next call. */
int nt_conns_walk(struct nt_conns *c, const struct nt_conn_record **recs, size_t *n);

typedef void (*nt_conns_closed_cb)(void *ctx, const struct nt_conn_record *rec);

/* Hand the connections that closed since the last call to cb. */
int nt_conns_drain(struct nt_conns *c, nt_conns_closed_cb cb, void *ctx);

#endif
