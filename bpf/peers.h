/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The peers of unconnected UDP sockets (--udp-peers): what a socket
 * exchanged with each remote address and port, in a bounded LRU hash
 * keyed by the socket's cookie and the peer.  Credited by the packet
 * programs beside the socket's own counters; a peer pushed out by newer
 * ones is still in the socket's, which the daemon shows as "other peers".
 * A connected socket names its one peer already, and calls mode sees no
 * addresses: neither keeps any.
 */
#ifndef NETATOP_PEERS_H
#define NETATOP_PEERS_H

#include "kernel_types.h"
#include "count.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stdbool.h>

/* 0: no peers kept (the map is one entry and never touched); set by the loader */
const volatile __u32 nt_udp_peers = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);		/* set by the loader */
	__type(key, struct nt_peer_key);
	__type(value, struct nt_sock_counters);
} nt_peers SEC(".maps");

/* The packet's far end: its destination when sent, its source when received. */
static __always_inline bool nt_peer_of(struct __sk_buff *ctx, __u32 l3, bool v6, enum nt_dir dir,
				       struct nt_peer_key *k)
{
	__be16 port;

	if (v6) {
		if (bpf_skb_load_bytes(ctx, dir == NT_SEND ? 24 : 8, k->addr, 16))
			return false;
	} else if (k->family == NT_AF_INET6) {
		/* an IPv6 socket's IPv4 peer, as the socket names it */
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		if (bpf_skb_load_bytes(ctx, dir == NT_SEND ? 16 : 12, &k->addr[12], 4))
			return false;
	} else if (bpf_skb_load_bytes(ctx, dir == NT_SEND ? 16 : 12, k->addr, 4)) {
		return false;
	}
	if (bpf_skb_load_bytes(ctx, l3 + (dir == NT_SEND ? 2 : 0), &port, 2))
		return false;
	k->port = bpf_ntohs(port);
	return true;
}

static __always_inline void nt_peer_count(struct __sk_buff *ctx, struct bpf_sock *sk, __u32 l3,
					  enum nt_dir dir, __u64 packs, __u64 bytes)
{
	struct nt_sock_counters zero = {}, *v;
	struct nt_peer_key k = {};
	__u64 *p;

	if (!nt_udp_peers || sk->dst_port)
		return;
	k.family = sk->family;
	if (!nt_peer_of(ctx, l3, ctx->protocol == bpf_htons(0x86DD), dir, &k))
		return;
	k.cookie = bpf_get_socket_cookie(ctx);
	v = bpf_map_lookup_elem(&nt_peers, &k);
	if (!v) {
		bpf_map_update_elem(&nt_peers, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&nt_peers, &k);
		if (!v)
			return;
	}
	p = &v->sndpacks + (dir & 1) * 2;
	__sync_fetch_and_add(p, packs);
	__sync_fetch_and_add(p + 1, bytes);
}

#endif
