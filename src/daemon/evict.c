// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "evict.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

bool nt_evict_staler(const struct nt_evict_key *a, const struct nt_evict_key *b)
{
	if (a->stuck != b->stuck)
		return a->stuck;
	return a->since_ms < b->since_ms;
}

long nt_evict_unread_bytes(int fd)
{
	int n = 0;

	if (ioctl(fd, SIOCOUTQ, &n) < 0 || n < 0)
		return 0;
	return n;
}

long nt_evict_unasked_bytes(int fd)
{
	int n = 0;

	if (ioctl(fd, SIOCINQ, &n) < 0 || n < 0)
		return 0;
	return n;
}
