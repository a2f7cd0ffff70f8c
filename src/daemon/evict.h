/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which client to close when a newcomer needs its place (--max-clients
 * reached, or no file descriptor left).
 *
 * A stuck client goes before one that is not: an atop polling every ten
 * minutes is idle for ten minutes but takes every reply at once, while a
 * client that asks and never reads only holds a place.  Stuck is a reply
 * that has sat whole in the client's socket, unread, for NT_EVICT_UNREAD_MS
 * (a reader takes it as soon as it is scheduled), or one too big for the
 * socket of which it has taken nothing for NT_EVICT_STUCK_MS (a reader of
 * a big reply takes some every few milliseconds).  Within each kind the one that has gone
 * longest without asking or taking bytes goes first; one that is asking
 * right now (a request not yet read or answered) counts as active now, and
 * a newcomer has just connected, so they go last.
 */
#ifndef NETATOP_EVICT_H
#define NETATOP_EVICT_H

#include <stdbool.h>

/* A whole reply unread in the socket for this long marks its client stuck... */
#define NT_EVICT_UNREAD_MS 100
/* ...and so does a reply too big for the socket of which it took nothing for this long. */
#define NT_EVICT_STUCK_MS 1000

struct nt_evict_key {
	bool stuck;
	long long since_ms;	/* last asked, or last took bytes of a reply */
};

/* a goes before b. */
bool nt_evict_staler(const struct nt_evict_key *a, const struct nt_evict_key *b);

/*
 * Bytes written to a connected Unix stream socket that its peer has not
 * read yet (0 when unknown): the kernel charges them to the writer until
 * the reader takes them.
 */
long nt_evict_unread_bytes(int fd);

/* Bytes the peer has sent that the daemon has not read yet (0 when unknown). */
long nt_evict_unasked_bytes(int fd);

#endif
