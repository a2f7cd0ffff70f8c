/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atop's eight counters (struct taskcount) are the one shape netatop keeps
 * counters in, from the reply to --top's rows and the metrics state; what
 * goes over all eight reaches them by their place.
 */
#ifndef NETATOP_COUNTERS_H
#define NETATOP_COUNTERS_H

#include <stdbool.h>

#include "protocol.h"

/* In the order of struct taskcount: [tcp, udp] x [snd, rcv] x [packets, bytes]. */
enum nt_counter {
	NT_C_TCP_SND_PACKS,
	NT_C_TCP_SND_BYTES,
	NT_C_TCP_RCV_PACKS,
	NT_C_TCP_RCV_BYTES,
	NT_C_UDP_SND_PACKS,
	NT_C_UDP_SND_BYTES,
	NT_C_UDP_RCV_PACKS,
	NT_C_UDP_RCV_BYTES,
	NT_C_COUNT
};

/* Counter k of tc, and where it is. */
unsigned long long nt_counter_get(const struct taskcount *tc, enum nt_counter k);
unsigned long long *nt_counter_at(struct taskcount *tc, enum nt_counter k);

/* to += v, counter by counter. */
void nt_taskcount_add(struct taskcount *to, const struct taskcount *v);

/*
 * What a process moved since it was last seen with the counters before
 * (NULL: not seen): now - before, or all of now when a counter went down
 * (then it is another process with the same pid and start second, or
 * another daemon).  Returns whether one went down.
 */
bool nt_taskcount_moved(struct taskcount *moved, const struct taskcount *now,
			const struct taskcount *before);

/* Bytes sent and received, TCP and UDP together. */
unsigned long long nt_taskcount_bytes(const struct taskcount *tc);

#endif
