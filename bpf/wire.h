/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Wire counting: one IP packet as the interface carries it, seen by the
 * cgroup_skb programs at the root cgroup, credited to the socket's owner.
 *
 * Egress runs before GSO segmentation and IP fragmentation, ingress
 * after GRO and reassembly: the figures are rebuilt from the aggregate,
 * every segment or fragment with its own headers, plus the link-layer
 * header the device adds (none on loopback, which counts without it).
 */
#ifndef NETATOP_WIRE_H
#define NETATOP_WIRE_H

#include "kernel_types.h"
#include "count.h"
#include "owner.h"
#include "conns.h"
#include "peers.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <stdbool.h>

#define NT_ETH_P_IP	0x0800
#define NT_ETH_P_IPV6	0x86DD
#define NT_IPV6_HLEN	40
#define NT_FRAG6_HLEN	8
#define NT_UDP_HLEN	8
#define NT_NEXTHDR_HOP	0
#define NT_IPV6_TLV_JUMBO 0xC2
#define NT_JUMBO_HLEN	8

/*
 * What no process owns: request sockets, owners gone, kernel sockets
 * (time-wait sockets never reach a cgroup program).
 */
struct nt_counters nt_unattributed;

struct nt_wire {
	__u64 packs;
	__u64 bytes;
};

/* IP header length at the start of the packet (cgroup_skb data begins there). */
static __always_inline __u32 nt_l3_len(struct __sk_buff *ctx, bool v6)
{
	__u8 vihl;

	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (v6)
		return NT_IPV6_HLEN;
	/* the header is in the linear part but for odd skbs: a helper call only then */
	if (data + 1 <= end)
		vihl = *(__u8 *)data;
	else if (bpf_skb_load_bytes(ctx, 0, &vihl, 1))
		return 20;
	return (vihl & 0xf) * 4;
}

static __always_inline __u32 nt_l4_len(struct __sk_buff *ctx, __u32 l3, enum nt_proto proto)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 doff, *p;

	if (proto == NT_UDP)
		return NT_UDP_HLEN;
	/* l3 is at most 60 + 8 (IPv6 jumbo): masked, so the verifier knows it */
	p = (__u8 *)data + (l3 & 0x7f) + 12;
	if ((void *)(p + 1) <= end)
		doff = *p;
	else if (bpf_skb_load_bytes(ctx, l3 + 12, &doff, 1))
		return 20;
	return (doff >> 4) * 4;
}

/*
 * An IPv6 TCP aggregate of more than 64 KiB carries a Hop-by-Hop header
 * with the jumbo payload option, which segmentation removes: no segment
 * on the wire has it.  Loopback's 64 KiB MTU makes such aggregates (TCP
 * sends at least two segments at once), and so does BIG TCP.  The
 * header's length, or 0; the test is the kernel's ipv6_has_hopopt_jumbo().
 */
static __always_inline __u32 nt_jumbo_len(struct __sk_buff *ctx)
{
	__u8 nexthdr, h[4];

	if (bpf_skb_load_bytes(ctx, 6, &nexthdr, 1) || nexthdr != NT_NEXTHDR_HOP)
		return 0;
	if (bpf_skb_load_bytes(ctx, NT_IPV6_HLEN, h, sizeof(h)))
		return 0;
	if (h[0] != NT_IPPROTO_TCP || h[1] != 0 || h[2] != NT_IPV6_TLV_JUMBO || h[3] != 4)
		return 0;
	return NT_JUMBO_HLEN;
}

/*
 * A datagram larger than the MTU leaves as fragments of `fdata` bytes of
 * payload each (a multiple of 8), each fragment with `fhdr` bytes of header.
 */
static __always_inline void nt_fragments(struct nt_wire *w, __u32 payload, __u32 fdata, __u32 fhdr)
{
	__u32 n;

	if (fdata < 8)
		return;
	n = (payload + fdata - 1) / fdata;
	if (n <= 1)
		return;
	w->packs = n;
	w->bytes = payload + (__u64)n * fhdr;
}

/* The packets and bytes this skb stands for on the wire, link header included. */
static __always_inline struct nt_wire nt_wire_size(struct __sk_buff *ctx, struct sk_buff *skb,
						   enum nt_proto proto, enum nt_dir dir)
{
	bool v6 = ctx->protocol == bpf_htons(NT_ETH_P_IPV6);
	__u32 len = ctx->len, segs = ctx->gso_segs, l3, l4, mtu, fms;
	/* plain loads from the kernel's skb: a probe-read helper call per field cost more than the rest */
	struct net_device *dev = skb->dev;
	struct nt_wire w = { 1, len };

	l3 = nt_l3_len(ctx, v6);
	if (segs > 1) {
		__u32 jumbo = v6 ? nt_jumbo_len(ctx) : 0;

		l4 = nt_l4_len(ctx, l3 + jumbo, proto);
		w.packs = segs;
		w.bytes = len - jumbo + (__u64)(segs - 1) * (l3 + l4);
	} else if (proto == NT_UDP && len > l3) {
		if (dir == NT_SEND) {
			mtu = dev->mtu;
			if (len > mtu && mtu > l3 + NT_FRAG6_HLEN) {
				if (v6)
					nt_fragments(&w, len - l3, (mtu - l3 - NT_FRAG6_HLEN) & ~7U,
						     l3 + NT_FRAG6_HLEN);
				else
					nt_fragments(&w, len - l3, (mtu - l3) & ~7U, l3);
			}
		} else {
			/* reassembled: the largest fragment, headers included, gives the step */
			if (v6)
				fms = ((struct inet6_skb_parm *)skb->cb)->frag_max_size;
			else
				fms = ((struct inet_skb_parm *)skb->cb)->frag_max_size;
			if (v6 && fms > l3 + NT_FRAG6_HLEN)
				nt_fragments(&w, len - l3, (fms - l3 - NT_FRAG6_HLEN) & ~7U,
					     l3 + NT_FRAG6_HLEN);
			else if (!v6 && fms > l3)
				nt_fragments(&w, len - l3, (fms - l3) & ~7U, l3);
		}
	}
	if (!(dev->flags & NT_IFF_LOOPBACK))
		w.bytes += w.packs * dev->hard_header_len;
	return w;
}

/*
 * Is the sending thread the socket's user?  UDP sends leave from the
 * sendmsg() call.  TCP leaves from the caller only while it holds the
 * socket lock: while it does, softirq defers to the lock's owner, so
 * ACKs, timers and retransmits never run there under it.  Kernel
 * sockets (RST and ICMP replies, tunnels) belong to nobody.
 */
static __always_inline bool nt_sent_by_caller(struct sk_buff *skb, enum nt_proto proto)
{
	struct sock *sk = skb->sk;

	if (!sk || BPF_CORE_READ_BITFIELD(sk, sk_kern_sock))
		return false;
	return proto == NT_UDP || sk->sk_lock.owned;
}

static __always_inline void nt_wire_count(struct __sk_buff *ctx, enum nt_dir dir)
{
	struct task_struct *owner = 0;
	struct bpf_sock *sk, *fsk;
	struct sk_buff *skb;
	enum nt_proto proto;
	struct nt_sock *s;
	struct nt_wire w;

	sk = ctx->sk;
	if (!sk)
		return;
	if (sk->family != NT_AF_INET && sk->family != NT_AF_INET6)
		return;
	skb = bpf_cast_to_kern_ctx(ctx);
	fsk = bpf_sk_fullsock(sk);
	if (!fsk) {
		/* request sockets: TCP, and nobody's */
		w = nt_wire_size(ctx, skb, NT_TCP, dir);
		nt_add(&nt_unattributed, NT_TCP, dir, w.packs, w.bytes);
		return;
	}
	proto = nt_classify(fsk->family, fsk->type, fsk->protocol);
	if (proto == NT_OTHER) {
		/* the kernel's raw TCP control socket: resets and time-wait ACKs */
		if (fsk->protocol == NT_IPPROTO_TCP) {
			w = nt_wire_size(ctx, skb, NT_TCP, dir);
			nt_add(&nt_unattributed, NT_TCP, dir, w.packs, w.bytes);
		}
		return;
	}
	w = nt_wire_size(ctx, skb, proto, dir);
	if (dir == NT_SEND && nt_sent_by_caller(skb, proto)) {
		struct task_struct *leader = bpf_get_current_task_btf()->group_leader;

		/*
		 * An exiting process closes its files after its final counters
		 * went out (the FIN of its sockets): too late to credit it.
		 */
		if (leader->signal->live.counter <= 0) {
			nt_add(&nt_unattributed, proto, dir, w.packs, w.bytes);
			return;
		}
		s = nt_sock_claim(fsk, leader);
		nt_credit(leader, proto, dir, w.packs, w.bytes);
		if (s)
			nt_conn_add(s, dir, w.packs, w.bytes, 0, fsk);
		if (s && proto == NT_UDP)
			nt_peer_count(ctx, fsk, nt_l3_len(ctx, ctx->protocol == bpf_htons(NT_ETH_P_IPV6)),
				      dir, w.packs, w.bytes);
		return;
	}
	s = bpf_sk_storage_get(&nt_socks, fsk, 0, 0);
	if (s)
		owner = nt_sock_owner(s);
	if (s && owner) {
		nt_credit(owner, proto, dir, w.packs, w.bytes);
		nt_conn_add(s, dir, w.packs, w.bytes, 0, fsk);
		if (proto == NT_UDP)
			nt_peer_count(ctx, fsk, nt_l3_len(ctx, ctx->protocol == bpf_htons(NT_ETH_P_IPV6)),
				      dir, w.packs, w.bytes);
	} else
		nt_add(&nt_unattributed, proto, dir, w.packs, w.bytes);
}

#endif
