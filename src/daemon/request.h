/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Request framing.  A request is one whole struct netpertask worth of
 * bytes whose content means nothing (atop sends it uninitialised), so
 * only the byte count matters: extra bytes start further requests and a
 * partial one waits for the rest.
 */
#ifndef NETATOP_REQUEST_H
#define NETATOP_REQUEST_H

#include <stddef.h>

struct nt_request_state {
	size_t partial;		/* bytes of an incomplete request */
	unsigned long pending;	/* complete requests not yet answered */
};

/* Account for `n` received bytes; returns how many requests they completed. */
unsigned long nt_request_feed(struct nt_request_state *st, size_t n);

/* Take one pending request; 0 when there is none. */
int nt_request_take(struct nt_request_state *st);

#endif
