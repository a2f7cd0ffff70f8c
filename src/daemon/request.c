// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "request.h"
#include "protocol.h"

unsigned long nt_request_feed(struct nt_request_state *st, size_t n)
{
	size_t total = st->partial + n;
	unsigned long done = total / sizeof(struct netpertask);

	st->partial = total % sizeof(struct netpertask);
	st->pending += done;
	return done;
}

int nt_request_take(struct nt_request_state *st)
{
	if (!st->pending)
		return 0;
	st->pending--;
	return 1;
}
