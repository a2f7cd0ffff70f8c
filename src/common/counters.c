// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "counters.h"

unsigned long long nt_taskcount_bytes(const struct taskcount *tc)
{
	return tc->tcpsndbytes + tc->tcprcvbytes + tc->udpsndbytes + tc->udprcvbytes;
}
