// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "counters.h"

#include <stddef.h>

static const size_t place[NT_C_COUNT] = {
	[NT_C_TCP_SND_PACKS] = offsetof(struct taskcount, tcpsndpacks),
	[NT_C_TCP_SND_BYTES] = offsetof(struct taskcount, tcpsndbytes),
	[NT_C_TCP_RCV_PACKS] = offsetof(struct taskcount, tcprcvpacks),
	[NT_C_TCP_RCV_BYTES] = offsetof(struct taskcount, tcprcvbytes),
	[NT_C_UDP_SND_PACKS] = offsetof(struct taskcount, udpsndpacks),
	[NT_C_UDP_SND_BYTES] = offsetof(struct taskcount, udpsndbytes),
	[NT_C_UDP_RCV_PACKS] = offsetof(struct taskcount, udprcvpacks),
	[NT_C_UDP_RCV_BYTES] = offsetof(struct taskcount, udprcvbytes),
};

unsigned long long nt_counter_get(const struct taskcount *tc, enum nt_counter k)
{
	return *(const unsigned long long *)((const char *)tc + place[k]);
}

unsigned long long *nt_counter_at(struct taskcount *tc, enum nt_counter k)
{
	return (unsigned long long *)((char *)tc + place[k]);
}

void nt_taskcount_add(struct taskcount *to, const struct taskcount *v)
{
	int k;

	for (k = 0; k < NT_C_COUNT; k++)
		*nt_counter_at(to, k) += nt_counter_get(v, k);
}

bool nt_taskcount_moved(struct taskcount *moved, const struct taskcount *now,
			const struct taskcount *before)
{
	bool lower = false;
	int k;

	for (k = 0; before && k < NT_C_COUNT; k++)
		lower |= nt_counter_get(now, k) < nt_counter_get(before, k);
	for (k = 0; k < NT_C_COUNT; k++)
		*nt_counter_at(moved, k) = nt_counter_get(now, k) -
					   (before && !lower ? nt_counter_get(before, k) : 0);
	return lower;
}

unsigned long long nt_taskcount_bytes(const struct taskcount *tc)
{
	return tc->tcpsndbytes + tc->tcprcvbytes + tc->udpsndbytes + tc->udprcvbytes;
}
