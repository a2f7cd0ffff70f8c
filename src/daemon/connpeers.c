// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"
#include "connpeers.h"

#include <stdlib.h>
#include <string.h>

static int by_cookie(const void *a, const void *b)
{
	const struct nt_peer_record *x = a, *y = b;

	return (x->k.cookie > y->k.cookie) - (x->k.cookie < y->k.cookie);
}

static uint64_t bytes_of(const struct nt_peer_record *p)
{
	return p->c.sndbytes + p->c.rcvbytes;
}

static int by_bytes_desc(const void *a, const void *b)
{
	uint64_t x = bytes_of(a), y = bytes_of(b);

	return (x < y) - (x > y);
}

void nt_peers_sort(struct nt_peer_record *p, size_t n)
{
	if (n > 1)
		qsort(p, n, sizeof(*p), by_cookie);
}

/* The first of `cookie`'s peers, or n. */
static size_t first_of(const struct nt_peer_record *p, size_t n, uint64_t cookie)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].k.cookie < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo].k.cookie == cookie ? lo : n;
}

/* What is left once the shown peers are taken off: never below zero (the two reads race). */
static uint64_t left(uint64_t total, uint64_t shown)
{
	return total > shown ? total - shown : 0;
}

size_t nt_conn_peer_lines(const struct nt_conn_entry *sock, uint64_t cookie,
			  struct nt_peer_record *sorted, size_t n, unsigned int top,
			  struct nt_conn_entry *out)
{
	size_t first = cookie ? first_of(sorted, n, cookie) : n, end = first, i, k = 0;
	uint64_t sp = 0, sb = 0, rp = 0, rb = 0;
	struct nt_conn_entry *o;

	while (end < n && sorted[end].k.cookie == cookie)
		end++;
	if (first == end || top == 0) {
		out[0] = *sock;
		return 1;
	}
	qsort(sorted + first, end - first, sizeof(*sorted), by_bytes_desc);
	for (i = first; i < end && k < top; i++, k++) {
		const struct nt_peer_record *p = &sorted[i];

		o = &out[k];
		*o = *sock;
		o->flags |= NT_CONN_ENTRY_PEER;
		memcpy(o->raddr, p->k.addr, sizeof(o->raddr));
		o->rport = p->k.port;
		o->sndpacks = p->c.sndpacks;
		o->sndbytes = p->c.sndbytes;
		o->rcvpacks = p->c.rcvpacks;
		o->rcvbytes = p->c.rcvbytes;
		sp += o->sndpacks;
		sb += o->sndbytes;
		rp += o->rcvpacks;
		rb += o->rcvbytes;
	}
	o = &out[k];
	*o = *sock;
	o->flags |= NT_CONN_ENTRY_OTHER_PEERS;
	o->sndpacks = left(sock->sndpacks, sp);
	o->sndbytes = left(sock->sndbytes, sb);
	o->rcvpacks = left(sock->rcvpacks, rp);
	o->rcvbytes = left(sock->rcvbytes, rb);
	if (o->sndpacks | o->sndbytes | o->rcvpacks | o->rcvbytes)
		k++;
	return k;
}
