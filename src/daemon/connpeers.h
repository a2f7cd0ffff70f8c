/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An unconnected UDP socket's line split by peer (--udp-peers): its most
 * active peers one line each, the rest of its counters as one "other
 * peers" line, so the lines still add up to the socket's.
 */
#ifndef NETATOP_CONNPEERS_H
#define NETATOP_CONNPEERS_H

#include <stddef.h>
#include <stdint.h>

#include "connproto.h"
#include "records.h"

/* Order peers by socket cookie, for nt_conn_peer_lines(). */
void nt_peers_sort(struct nt_peer_record *p, size_t n);

/*
 * The lines for socket `sock` (cookie `cookie`) among `n` sorted peers:
 * at most `top` peers, biggest total bytes first, then "other peers" when
 * anything is left; just `sock` when it has no peer.  Writes at most
 * top + 1 entries to out and returns how many.  Reorders that socket's
 * peers among themselves.
 */
size_t nt_conn_peer_lines(const struct nt_conn_entry *sock, uint64_t cookie,
			  struct nt_peer_record *sorted, size_t n, unsigned int top,
			  struct nt_conn_entry *out);

#endif
